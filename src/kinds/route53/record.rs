//! A Route 53 record set (`global/record/<name>/<variant>`, the variant being
//! its set identifier or `simple`): a CNAME to a region's origin or an alias
//! to the distribution, with its routing (failover, geolocation, latency,
//! weighted) and health check. A zone's record changes go in one batch, each
//! record name with its ownership TXT record (`_wway.<name>`), which lists
//! the topology's record sets of that name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::addr::GLOBAL;
use super::super::cloudfront::distribution;
use super::super::terraform::{Exporter, Shared, import};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use super::{health_check, zone};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::{Location, Routing, Target};

/// CloudFront's hosted zone, the alias target zone of every distribution.
pub const CLOUDFRONT_ZONE_ID: &str = "Z2FDTNDATAQYW2";

/// The TTL of the ownership TXT records, as wway writes them.
pub const OWNER_TTL: i64 = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// Fully qualified, with the trailing dot.
    pub name: String,
    /// The zone's address.
    pub zone: ResourceAddr,
    #[serde(rename = "type")]
    pub record_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// The health check's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<ResourceAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<Alias>,
    /// `PRIMARY` or `SECONDARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
    /// `{"country": "VN"}`, `{"continent": "EU"}` or `{"country": "*"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geolocation: Option<BTreeMap<String, String>>,
    /// The latency region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    /// The address of the resource the alias points at.
    pub target: ResourceAddr,
    pub zone_id: String,
}

/// What Record is.
const ABOUT: About = About {
    kind: Kind::Record,
    name: "record",
    service: Service::Route53,
    placement: Placement::Global,
    replace_fields: &["name", "type", "set_identifier"],
    reference_fields: &[],
    // A record name, type and set identifier cannot be held twice.
    create_before_destroy: false,
};

pub struct Record;

/// `global/record/<name>/<variant>`.
pub fn addr(name: &str, variant: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{GLOBAL}/{}/{name}/{variant}", ABOUT.name))
}

impl KindDef for Record {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Each declared record, as one record set per routing variant.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let Some(dns) = &from.topology.dns else { return Vec::new() };
        let zone = zone::addr(&dns.zone);
        let mut resources = Vec::new();
        for record in &dns.records {
            let fqdn = record_fqdn(&record.name, &dns.zone);
            for (variant, routing, target) in variants(&record.routing) {
                let mut deps = vec![zone.clone()];
                let mut spec = Spec {
                    name: fqdn.clone(),
                    zone: zone.clone(),
                    record_type: String::new(),
                    set_identifier: (variant != "simple").then(|| variant.clone()),
                    ttl: None,
                    values: None,
                    health_check: None,
                    alias: None,
                    ..routing
                };
                match target {
                    Target::Region(region) => {
                        spec.record_type = "CNAME".into();
                        spec.ttl = Some(dns.ttl);
                        spec.values = Some(vec![from.origin_domain(&region)]);
                        if dns.health_check.is_some() {
                            let check = health_check::addr(&region);
                            spec.health_check = Some(check.clone());
                            deps.push(check);
                        }
                    }
                    Target::Cdn => {
                        let target = distribution::addr();
                        spec.record_type = "A".into();
                        let zone_id = CLOUDFRONT_ZONE_ID.into();
                        spec.alias = Some(Alias { target: target.clone(), zone_id });
                        deps.push(target);
                    }
                }
                let addr = addr(&record.name, &variant);
                resources.push(lower::resource(addr, Kind::Record, &fqdn, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("api", "failover-primary");
        let zone = zone::addr("demo.example");
        let check = health_check::addr("eu-west-1");
        let spec = Spec {
            name: "api.demo.example.".into(),
            zone: zone.clone(),
            record_type: "CNAME".into(),
            set_identifier: Some("failover-primary".into()),
            ttl: Some(60),
            values: Some(vec!["eu.origin.demo.example".into()]),
            health_check: Some(check.clone()),
            alias: None,
            failover: Some("PRIMARY".into()),
            geolocation: None,
            region: None,
            weight: None,
        };
        lower::resource(addr, Kind::Record, "api.demo.example.", &spec, vec![zone, check])
    }
    /// Its name, type and set identifier.
    fn identities(&self, name: &str, fields: &Fields) -> Vec<String> {
        let field = |k: &str| fields.get(k).and_then(|v| v.as_str());
        vec![identity(name, field("type").unwrap_or_default(), field("set_identifier"))]
    }
    fn pointer_fields(&self) -> &'static [&'static str] {
        &["health_check"]
    }
    /// One batch per zone.
    fn batch(&self, fields: &Fields) -> Option<ResourceAddr> {
        let zone = fields.get("zone").and_then(|z| z.as_str()).unwrap_or_default();
        Some(ResourceAddr::new(zone))
    }
    fn terraform_type(&self) -> &'static str {
        "aws_route53_record"
    }
    fn terraform_file(&self, _region: &str) -> String {
        "dns.tf".into()
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        let name = if addr.part(2) == "@" { "apex" } else { addr.part(2) };
        identifier(&format!("{name}_{}", addr.part(3)))
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![block(r, spec, export)])
    }
    /// `ZONEID_NAME_TYPE[_SETIDENTIFIER]`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr)?;
        let spec: Spec = spec::read(self.name(), &r.fields).ok()?;
        let zone = zone_id(&spec.zone, export)?;
        let mut id = format!("{zone}_{}_{}", spec.name.trim_end_matches('.'), spec.record_type);
        if let Some(set) = spec.set_identifier {
            id = format!("{id}_{set}");
        }
        Some(id)
    }
    /// The ownership TXT record of each record name: one string per record
    /// set of that name (`wway=<topology>/<variant>`).
    fn terraform_shared(&self, records: &[&Resource], export: &dyn Exporter) -> Shared {
        let mut groups: BTreeMap<(String, String), Vec<&ResourceAddr>> = BTreeMap::new();
        for r in records {
            let field = |k: &str| r.fields.get(k).and_then(|v| v.as_str()).unwrap_or_default();
            groups.entry((field("name").into(), field("zone").into())).or_default().push(&r.addr);
        }
        let mut shared = Shared::default();
        for ((fqdn, zone), addrs) in groups {
            let name = owner_name(&fqdn);
            let values: Vec<String> =
                addrs.iter().map(|a| owner_value(export.topology(), a)).collect();
            let zone = ResourceAddr::new(zone);
            let region = export.declared(&zone).map_or(super::super::GLOBAL_REGION, |z| &z.region);
            let label = export.unique_name(
                "aws_route53_record",
                identifier(&format!("owner_{}", fqdn.trim_end_matches('.'))),
            );
            let block = Block::new("resource", &["aws_route53_record", &label])
                .attr("provider", export.provider(region))
                .attr("zone_id", export.attribute(zone.as_str(), "zone_id"))
                .attr("name", Expr::Str(name.clone()))
                .attr("type", Expr::str("TXT"))
                .attr("ttl", Expr::Num(OWNER_TTL))
                .attr("records", Expr::strs(values));
            shared.blocks.push(("dns.tf".into(), block));
            if export.has_owner_record(&format!("{name}."))
                && let Some(zone) = zone_id(&zone, export)
            {
                let to = format!("aws_route53_record.{label}");
                shared.imports.push(import(to, format!("{zone}_{name}_TXT")));
            }
        }
        shared
    }
}

/// The live id of the zone at `zone`, as the provider imports it.
fn zone_id(zone: &ResourceAddr, export: &dyn Exporter) -> Option<String> {
    let declared = export.declared(zone)?;
    Kind::Zone.def().import_id(declared, export)
}

fn block(r: &Resource, spec: Spec, export: &dyn Exporter) -> Block {
    let mut block = export
        .resource(r)
        .attr("zone_id", export.attribute(spec.zone.as_str(), "zone_id"))
        .attr("name", Expr::str(spec.name.trim_end_matches('.')))
        .attr("type", Expr::Str(spec.record_type));
    if let Some(ttl) = spec.ttl {
        block = block
            .attr("ttl", Expr::Num(i64::from(ttl)))
            .attr("records", Expr::strs(spec.values.unwrap_or_default()));
    }
    if let Some(set) = spec.set_identifier {
        block = block.attr("set_identifier", Expr::Str(set));
    }
    if let Some(check) = &spec.health_check {
        block = block.attr("health_check_id", export.attribute(check.as_str(), "id"));
    }
    if let Some(alias) = &spec.alias {
        let target = alias.target.as_str();
        block = block.block(
            Block::new("alias", &[])
                .attr("name", export.attribute(target, "domain_name"))
                .attr("zone_id", export.attribute(target, "hosted_zone_id"))
                .attr("evaluate_target_health", Expr::Bool(false)),
        );
    }
    if let Some(failover) = spec.failover {
        block = block
            .block(Block::new("failover_routing_policy", &[]).attr("type", Expr::Str(failover)));
    }
    if let Some(location) = spec.geolocation {
        let mut policy = Block::new("geolocation_routing_policy", &[]);
        for (key, value) in location {
            policy = policy.attr(&key, Expr::Str(value));
        }
        block = block.block(policy);
    }
    if let Some(region) = spec.region {
        block = block
            .block(Block::new("latency_routing_policy", &[]).attr("region", Expr::Str(region)));
    }
    if let Some(weight) = spec.weight {
        block = block.block(
            Block::new("weighted_routing_policy", &[])
                .attr("weight", Expr::Num(i64::try_from(weight).unwrap_or(i64::MAX))),
        );
    }
    block
}

/// The record sets one declared record becomes: each one's variant (its set
/// identifier, or `simple`), its routing (a spec with only the routing
/// fields set), and what it points at.
fn variants(routing: &Routing) -> Vec<(String, Spec, Target)> {
    let region = |r: &str| Target::Region(r.to_string());
    let routed = |failover: Option<&str>, geo: Option<(&str, &str)>, latency, weight| Spec {
        name: String::new(),
        zone: ResourceAddr::new(""),
        record_type: String::new(),
        set_identifier: None,
        ttl: None,
        values: None,
        health_check: None,
        alias: None,
        failover: failover.map(str::to_string),
        geolocation: geo.map(|(k, v)| [(k.to_string(), v.to_string())].into()),
        region: latency,
        weight,
    };
    match routing {
        Routing::Failover { primary, secondary } => vec![
            ("failover-primary".into(), routed(Some("PRIMARY"), None, None, None), region(primary)),
            (
                "failover-secondary".into(),
                routed(Some("SECONDARY"), None, None, None),
                region(secondary),
            ),
        ],
        Routing::Geolocation(locations) => locations
            .iter()
            .map(|(location, r)| {
                let (variant, geo) = match location {
                    Location::Default => ("geo-default".to_string(), ("country", "*")),
                    Location::Country(c) => (format!("geo-{c}"), ("country", c.as_str())),
                    Location::Continent(c) => {
                        (format!("geo-continent-{c}"), ("continent", c.as_str()))
                    }
                };
                (variant, routed(None, Some(geo), None, None), region(r))
            })
            .collect(),
        Routing::Latency(regions) => regions
            .iter()
            .map(|r| (format!("latency-{r}"), routed(None, None, Some(r.clone()), None), region(r)))
            .collect(),
        Routing::Weighted(weights) => weights
            .iter()
            .map(|(r, w)| {
                let routing = routed(None, None, None, Some(u64::from(*w)));
                (format!("weighted-{r}"), routing, region(r))
            })
            .collect(),
        Routing::Simple(target) => {
            vec![("simple".into(), routed(None, None, None, None), target.clone())]
        }
    }
}

/// What a record set is known by in a zone: its name, type and set identifier.
pub fn identity(name: &str, kind: &str, set_identifier: Option<&str>) -> String {
    match set_identifier {
        Some(id) => format!("{name} {kind} {id}"),
        None => format!("{name} {kind}"),
    }
}

/// The record name part of a record address: `global/record/<name>/<variant>`.
pub fn record_name(addr: &ResourceAddr) -> &str {
    addr.as_str().trim_start_matches("global/record/").rsplit_once('/').map_or("", |(name, _)| name)
}

/// A record's fully qualified name, with the trailing dot Route 53 answers with.
pub fn record_fqdn(name: &str, zone: &str) -> String {
    if name == "@" { format!("{zone}.") } else { format!("{name}.{zone}.") }
}

/// The owner record beside a managed record: `_wway.<name>.<zone>.`.
pub fn owner_fqdn(name: &str, zone: &str) -> String {
    record_fqdn(&if name == "@" { "_wway".to_string() } else { format!("_wway.{name}") }, zone)
}

/// `_wway.api.wonderway.com`: the owner record of `api.wonderway.com.`.
pub fn owner_name(fqdn: &str) -> String {
    format!("_wway.{}", fqdn.trim_end_matches('.'))
}

/// What the owner record says of one record set: the topology and the set's
/// variant (its set identifier, or `simple`): `wway=wonderway/failover-primary`.
/// The record's name is the owner record's own, so the string stays short: a
/// zone of 1,000 records and their owners fits two ChangeResourceRecordSets
/// calls.
pub fn owner_value(topology: &str, addr: &ResourceAddr) -> String {
    let variant = addr.as_str().rsplit('/').next().unwrap_or("simple");
    format!("wway={topology}/{variant}")
}
