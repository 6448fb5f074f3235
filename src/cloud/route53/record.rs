//! The record set's cloud half. Read per zone (after the zone, the health
//! checks and the distribution, which its records name by address): every
//! record set of the zone page by page, with the ownership TXT records
//! beside the records wway manages (`_wway.<name>`, one string per managed
//! record set: `wway=<topology>/<variant>`). Records change only in their
//! zone's batch (`Op::Records`, carried out by
//! [`super::Route53::change_records`]); a step that asks for one record
//! alone is a bug in the plan's steps.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_route53::types::{ResourceRecordSet, RrType};
use serde_json::{Map, Value, json};

use super::{NO_OWNER, Route53, held_by, parse_owner_text, unescape};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made};
use crate::cloud::owned::{Tags, live, sorted};
use crate::cloud::read::{Earlier, ReadCall};
use crate::cloud::{CloudError, Found};
use crate::kinds::cloudfront::distribution::{self, DOMAIN_NAME};
use crate::kinds::route53::record::{
    self as record_kind, identity as record_identity, owner_fqdn, record_fqdn,
};
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::{Outputs, Unowned};

pub struct Record;

/// The record name an ownership TXT record at `fqdn` speaks for.
pub(super) fn owned_name<'a>(fqdn: &'a str, zone: &str) -> Option<&'a str> {
    let rest = fqdn.strip_prefix("_wway.")?;
    if rest == format!("{zone}.") {
        return Some("@");
    }
    rest.strip_suffix(&format!(".{zone}."))
}

/// A record set wanted by the topology: name (fully qualified), type, set id.
type WantedRecord = (String, String, Option<String>);

/// What the read of one zone's records needs from the rest of the read.
struct RecordContext<'a> {
    topology: &'a str,
    zone: &'a str,
    wanted: Vec<WantedRecord>,
    earlier: &'a Earlier,
    distribution_domain: Option<&'a str>,
}

fn batched(target: &Target) -> CloudError {
    CloudError::Internal(format!("{}: records change in their zone's batch", target.addr))
}

impl CloudKind for Record {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Zone, Kind::HealthCheck, Kind::Distribution]
    }

    /// The records of every zone found (owned, or someone else's that wway
    /// uses), and others' records at names the file declares.
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            let zones = call.found(&[Kind::Zone]).await?;
            let owned = zones.owned(Kind::Zone).map(|(addr, zone)| {
                let name = zone.fields.get("name").and_then(Value::as_str).unwrap_or_default();
                (addr.clone(), name.trim_end_matches('.').to_string(), zone.id.clone())
            });
            let used = zones.unowned(Kind::Zone).filter_map(|zone| {
                Some((zone.wanted_by.clone()?, zone.name.clone(), zone.id.clone()))
            });
            let zones: Vec<(ResourceAddr, String, String)> = owned.chain(used).collect();
            let mut listed = Vec::with_capacity(zones.len());
            for (_, _, id) in &zones {
                listed.push(route53.records(id).await?);
            }
            // What the records name (health checks, the distribution) is
            // needed only to read them back as addresses.
            let earlier = call.found(&[Kind::Zone, Kind::HealthCheck, Kind::Distribution]).await?;
            let domain = earlier
                .owned(Kind::Distribution)
                .find_map(|(_, d)| d.fields.get(DOMAIN_NAME).and_then(Value::as_str));
            let mut found = Found::default();
            for ((addr, name, _), records) in zones.iter().zip(listed) {
                let wanted = call
                    .declared
                    .iter()
                    .filter(|r| r.fields.get("zone") == Some(&json!(addr)))
                    .map(|r| {
                        let field =
                            |k: &str| r.fields.get(k).and_then(Value::as_str).map(str::to_string);
                        (r.name.clone(), field("type").unwrap_or_default(), field("set_identifier"))
                    })
                    .collect();
                let context = RecordContext {
                    topology: call.topology,
                    zone: name,
                    wanted,
                    earlier: &earlier,
                    distribution_domain: domain,
                };
                read_records(&records, addr, &context, &mut found);
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, _call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        Box::pin(async move { Err(batched(target)) })
    }

    fn update<'a>(
        &'a self,
        _call: &'a Call<'a>,
        target: &'a Target,
        _id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        Box::pin(async move { Err(batched(target)) })
    }

    fn delete<'a>(
        &'a self,
        _call: &'a Call<'a>,
        target: &'a Target,
        _id: &'a str,
    ) -> Answer<'a, Deleted> {
        Box::pin(async move { Err(batched(target)) })
    }
}

fn read_records(
    records: &[ResourceRecordSet],
    zone: &ResourceAddr,
    context: &RecordContext<'_>,
    found: &mut Found,
) {
    let names: Vec<String> = records.iter().map(|r| unescape(r.name())).collect();
    // The records wway owns: address -> (fully qualified name, set id).
    let mut owned: BTreeMap<ResourceAddr, (String, Option<String>)> = BTreeMap::new();
    // Record names that other topologies own, with the first such owner.
    let mut others: BTreeMap<String, String> = BTreeMap::new();
    for (record, fqdn) in records.iter().zip(&names).filter(|(r, _)| r.r#type() == &RrType::Txt) {
        let Some(name) = owned_name(fqdn, context.zone) else { continue };
        for value in record.resource_records() {
            let Some((topology, variant)) = parse_owner_text(value.value()) else { continue };
            if topology != context.topology {
                others.entry(record_fqdn(name, context.zone)).or_insert_with(|| held_by(topology));
            } else {
                let addr = record_kind::addr(name, variant);
                let set_identifier = (variant != "simple").then(|| variant.to_string());
                owned.insert(addr.clone(), (record_fqdn(name, context.zone), set_identifier));
                found.record_owners.entry(fqdn.clone()).or_default().push(addr);
            }
        }
    }
    // Each record set by (name, set id), the first listed where several
    // types share them: one lookup per owned record, not a scan of the zone.
    let mut sets: BTreeMap<(&str, Option<&str>), &ResourceRecordSet> = BTreeMap::new();
    for (record, name) in records.iter().zip(&names).filter(|(r, _)| r.r#type() != &RrType::Txt) {
        sets.entry((name.as_str(), record.set_identifier())).or_insert(record);
    }
    let mut owned_sets: BTreeSet<(String, Option<String>)> = BTreeSet::new();
    for (addr, (fqdn, set_identifier)) in owned {
        let Some(record) = sets.get(&(fqdn.as_str(), set_identifier.as_deref())) else {
            continue;
        };
        let (fields, deps) = record_fields(record, &fqdn, zone, context);
        let id = record_identity(&fqdn, record.r#type().as_str(), record.set_identifier());
        found.owned.insert(addr, live(Kind::Record, &id, fields, Tags::new(), deps, None));
        owned_sets.insert((fqdn, set_identifier));
    }
    // Records of others at a name the topology wants: a clash where the type
    // and set id match, or where either is a CNAME (which stands alone).
    let mut wanted: BTreeMap<&str, Vec<&WantedRecord>> = BTreeMap::new();
    for record in &context.wanted {
        wanted.entry(record.0.as_str()).or_default().push(record);
    }
    for (record, name) in records.iter().zip(&names) {
        let name = name.as_str();
        let kind = record.r#type().as_str();
        let Some(wanted_here) = wanted.get(name) else { continue };
        if owned_sets.contains(&(name.to_string(), record.set_identifier().map(str::to_string)))
            || name.starts_with("_wway.")
            || name == owner_fqdn("@", context.zone)
        {
            continue;
        }
        for (wanted_name, wanted_kind, wanted_id) in wanted_here.iter().copied() {
            // A CNAME stands alone beside other types; records of one type
            // at one name clash only with the same set identifier.
            let same = wanted_kind == kind && wanted_id.as_deref() == record.set_identifier();
            let beside_cname = wanted_kind != kind && (kind == "CNAME" || wanted_kind == "CNAME");
            if same || beside_cname {
                found.unowned.push(Unowned {
                    kind: Kind::Record,
                    name: record_identity(wanted_name, wanted_kind, wanted_id.as_deref()),
                    id: record_identity(name, kind, record.set_identifier()),
                    holder: others.get(name).cloned().unwrap_or_else(|| NO_OWNER.into()),
                    wanted_by: None,
                });
            }
        }
    }
}

fn record_fields(
    record: &ResourceRecordSet,
    name: &str,
    zone: &ResourceAddr,
    context: &RecordContext<'_>,
) -> (Fields, Vec<ResourceAddr>) {
    let mut fields: Map<String, Value> = Map::new();
    let mut deps = vec![zone.clone()];
    fields.insert("name".into(), json!(name));
    fields.insert("zone".into(), json!(zone));
    fields.insert("type".into(), json!(record.r#type().as_str()));
    if let Some(id) = record.set_identifier() {
        fields.insert("set_identifier".into(), json!(id));
    }
    if let Some(failover) = record.failover() {
        fields.insert("failover".into(), json!(failover.as_str()));
    }
    if let Some(geo) = record.geo_location() {
        let value = match (geo.continent_code(), geo.country_code()) {
            (Some(continent), _) => json!({"continent": continent}),
            (None, Some(country)) => json!({"country": country}),
            _ => Value::Null,
        };
        fields.insert("geolocation".into(), value);
    }
    if let Some(region) = record.region() {
        fields.insert("region".into(), json!(region.as_str()));
    }
    if let Some(weight) = record.weight() {
        fields.insert("weight".into(), json!(weight));
    }
    if let Some(ttl) = record.ttl() {
        fields.insert("ttl".into(), json!(ttl));
    }
    let values: Vec<String> = record
        .resource_records()
        .iter()
        .map(|r| r.value().trim_end_matches('.').to_string())
        .collect();
    if !values.is_empty() {
        fields.insert("values".into(), sorted(values));
    }
    if let Some(check) = record.health_check_id() {
        let addr = context.earlier.addr_of(Kind::HealthCheck, check);
        fields.insert("health_check".into(), addr.map_or_else(|| json!(check), |a| json!(a)));
        deps.extend(addr.cloned());
    }
    if let Some(alias) = record.alias_target() {
        let dns = alias.dns_name().trim_end_matches('.');
        let target = if context.distribution_domain.is_some_and(|d| d.trim_end_matches('.') == dns)
        {
            deps.push(distribution::addr());
            json!(distribution::addr())
        } else {
            json!(dns)
        };
        fields.insert("alias".into(), json!({"target": target, "zone_id": alias.hosted_zone_id()}));
    }
    (fields.into_iter().collect(), deps)
}
