//! Route 53 reads: the zone (owned, or someone else's that wway only uses),
//! every record set of it page by page, the ownership TXT records beside the
//! records wway manages (`_wway.<name>`, one string per managed record set:
//! `wway:topology=NAME wway:id=ADDRESS`), and the health checks this topology
//! owns (their tags read ten at a time).

pub mod health_check;
pub mod record;
pub mod zone;

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, GeoLocation, HealthCheckConfig,
    HealthCheckType, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover,
    ResourceRecordSetRegion, RrType, Tag, TagResourceType,
};
use serde_json::{Map, Value, json};

use crate::cloud::fields::Read;
use crate::cloud::owned::{Tags, holder, live, owner, sorted, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::{Poll, Progress, gone, until};
use crate::cloud::{CloudError, Found, Ids, RunScope, address_digest, reference_owner};
use crate::kinds::cloudfront::distribution::{self, DOMAIN_NAME};
use crate::kinds::route53::record::{
    identity as record_identity, owner_fqdn, owner_value, record_fqdn,
};
use crate::kinds::route53::{record as record_kind, zone as zone_kind};
use crate::state::live::Unowned;
use crate::state::{Kind, ResourceAddr};

const SERVICE: &str = "route53";

crate::cloud::error::sdk_errors!(SERVICE);

/// One ownership string of the TXT record `_wway.<name>`, quoted as TXT
/// values are: `"wway=wonderway/failover-primary"`.
pub fn owner_text(topology: &str, addr: &ResourceAddr) -> String {
    format!("\"{}\"", owner_value(topology, addr))
}

/// Who holds a record that another topology's ownership record lists.
fn held_by(topology: &str) -> String {
    format!("topology `{topology}`")
}

/// Who holds a record that no ownership record lists.
const NO_OWNER: &str = "no wway ownership record";

/// `(topology, variant)` of an ownership string.
fn parse_owner_text(text: &str) -> Option<(&str, &str)> {
    text.trim_matches('"').strip_prefix("wway=")?.split_once('/')
}

/// The record name an ownership TXT record at `fqdn` speaks for.
fn owned_name<'a>(fqdn: &'a str, zone: &str) -> Option<&'a str> {
    let rest = fqdn.strip_prefix("_wway.")?;
    if rest == format!("{zone}.") {
        return Some("@");
    }
    rest.strip_suffix(&format!(".{zone}."))
}

/// A record set wanted by the topology: name (fully qualified), type, set id.
pub type WantedRecord = (String, String, Option<String>);

/// What the Route 53 reads need to know from the rest of the snapshot.
pub struct RecordContext<'a> {
    pub topology: &'a str,
    pub zone: &'a str,
    pub wanted: &'a [WantedRecord],
    pub health_checks: &'a BTreeMap<String, ResourceAddr>,
    pub distribution_domain: Option<&'a str>,
}

pub struct Route53 {
    client: Client,
}

/// Route 53 limits per ChangeResourceRecordSets call.
const BATCH_RECORDS: usize = 1000;
const BATCH_CHARACTERS: usize = 32_000;

fn route53_tags(r: &Read) -> Result<Vec<Tag>, CloudError> {
    Ok(r.tags()?.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect())
}

/// A record set as Route 53 takes it, from desired fields.
pub fn record_set(r: &Read, ids: &Ids) -> Result<ResourceRecordSet, CloudError> {
    let mut set =
        ResourceRecordSet::builder().name(r.str("name")?).r#type(RrType::from(r.str("type")?));
    if let Some(id) = r.get("set_identifier").and_then(Value::as_str) {
        set = set.set_identifier(id);
    }
    if let Some(failover) = r.get("failover").and_then(Value::as_str) {
        set = set.failover(ResourceRecordSetFailover::from(failover));
    }
    if let Some(geo) = r.get("geolocation") {
        let mut location = GeoLocation::builder();
        if let Some(country) = geo.get("country").and_then(Value::as_str) {
            location = location.country_code(country);
        }
        if let Some(continent) = geo.get("continent").and_then(Value::as_str) {
            location = location.continent_code(continent);
        }
        set = set.geo_location(location.build());
    }
    if let Some(region) = r.get("region").and_then(Value::as_str) {
        set = set.region(ResourceRecordSetRegion::from(region));
    }
    if let Some(weight) = r.get("weight").and_then(Value::as_i64) {
        set = set.weight(weight);
    }
    if r.get("ttl").is_some() {
        set = set.ttl(r.int("ttl")?);
    }
    if r.get("values").is_some() {
        for value in r.strings("values")? {
            set = set.resource_records(
                ResourceRecord::builder().value(value).build().map_err(build_error)?,
            );
        }
    }
    if let Some(check) = r.get("health_check").and_then(Value::as_str) {
        set = set.health_check_id(ids.id(&ResourceAddr::new(check))?);
    }
    if let Some(alias) = r.get("alias") {
        let target = alias.get("target").and_then(Value::as_str).unwrap_or_default();
        // An address: the DNS name the resource there was given.
        let dns = match target.contains('/') {
            true => ids.output(&ResourceAddr::new(target), DOMAIN_NAME)?.to_string(),
            false => target.to_string(),
        };
        let zone = alias.get("zone_id").and_then(Value::as_str).unwrap_or_default();
        let target = AliasTarget::builder()
            .hosted_zone_id(zone)
            .dns_name(dns)
            .evaluate_target_health(false)
            .build()
            .map_err(build_error)?;
        set = set.alias_target(target);
    }
    set.build().map_err(build_error)
}

/// The ownership TXT record set for one record name: a quoted string per
/// record set of that name that `topology` manages.
pub fn owner_set(
    fqdn: &str,
    topology: &str,
    owned: &[ResourceAddr],
) -> Result<ResourceRecordSet, CloudError> {
    let mut set = ResourceRecordSet::builder().name(fqdn).r#type(RrType::Txt).ttl(300);
    for addr in owned {
        set = set.resource_records(
            ResourceRecord::builder()
                .value(owner_text(topology, addr))
                .build()
                .map_err(build_error)?,
        );
    }
    set.build().map_err(build_error)
}

fn build_error(error: aws_sdk_route53::error::BuildError) -> CloudError {
    CloudError::Api { service: SERVICE, code: "Build".into(), message: error.to_string() }
}

/// What a change counts against a batch's limits: records (an UPSERT counts
/// twice) and characters of record values.
fn weight(change: &Change) -> (usize, usize) {
    let set = change.resource_record_set();
    let values: usize =
        set.map(|s| s.resource_records().iter().map(|r| r.value().len()).sum()).unwrap_or(0);
    let records = set.map(|s| s.resource_records().len().max(1)).unwrap_or(1);
    let factor = if change.action() == &ChangeAction::Upsert { 2 } else { 1 };
    (records * factor, values * factor)
}

/// A record set in one comparable form: its name as wway writes it (lower
/// case, unescaped), values and alias target without their trailing dots,
/// values in order; the rest as Route 53 holds it.
fn comparable(set: &ResourceRecordSet) -> ResourceRecordSet {
    let mut set = set.clone();
    set.name = unescape(&set.name).to_ascii_lowercase();
    let mut values: Vec<String> = set
        .resource_records
        .iter()
        .flatten()
        .map(|r| r.value().trim_end_matches('.').to_string())
        .collect();
    values.sort();
    set.resource_records = (!values.is_empty()).then(|| {
        values.into_iter().filter_map(|v| ResourceRecord::builder().value(v).build().ok()).collect()
    });
    if let Some(alias) = set.alias_target.as_mut() {
        alias.dns_name = alias.dns_name.trim_end_matches('.').to_ascii_lowercase();
    }
    set
}

/// Splits groups of changes into as few batches as Route 53's limits allow,
/// in order, never splitting a group (a name's records and their owner).
pub fn batches(groups: Vec<Vec<Change>>) -> Vec<Vec<Change>> {
    let mut batches: Vec<Vec<Change>> = Vec::new();
    let (mut records, mut characters) = (0, 0);
    for group in groups {
        let (r, c) = group.iter().map(weight).fold((0, 0), |(r, c), (gr, gc)| (r + gr, c + gc));
        if batches.is_empty() || records + r > BATCH_RECORDS || characters + c > BATCH_CHARACTERS {
            batches.push(Vec::new());
            (records, characters) = (0, 0);
        }
        records += r;
        characters += c;
        if let Some(batch) = batches.last_mut() {
            batch.extend(group);
        }
    }
    batches
}

impl Route53 {
    pub fn new(client: Client) -> Self {
        Route53 { client }
    }

    /// Creates a public hosted zone with its tags; returns its id.
    pub async fn create_zone(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
    ) -> Result<String, CloudError> {
        let token = scope.owned_reference(r.addr);
        let name = r.str("name")?;
        let created =
            self.client.create_hosted_zone().name(name).caller_reference(&token).send().await;
        let id = match created {
            Ok(response) => response.hosted_zone().map(|z| z.id().to_string()).unwrap_or_default(),
            // An earlier attempt of this run made it (same caller reference)
            // and its answer was lost: find that zone.
            Err(error)
                if error.as_service_error().is_some_and(|e| e.is_hosted_zone_already_exists()) =>
            {
                let zones = self
                    .client
                    .list_hosted_zones_by_name()
                    .dns_name(name)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let mut ours = None;
                for zone in zones.hosted_zones().iter().filter(|z| z.name() == name) {
                    if zone.caller_reference() == token {
                        ours = Some(zone.id().to_string());
                    }
                }
                ours.ok_or_else(|| sdk_error(error))?
            }
            Err(error) => return Err(sdk_error(error)),
        };
        let id = id.trim_start_matches("/hostedzone/").to_string();
        self.tag(TagResourceType::Hostedzone, &id, r).await?;
        Ok(id)
    }

    /// Creates a health check with its tags; returns its id.
    pub async fn create_health_check(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
    ) -> Result<String, CloudError> {
        let mut config = HealthCheckConfig::builder()
            .r#type(HealthCheckType::from(r.str("type")?))
            .fully_qualified_domain_name(r.str("fqdn")?)
            .port(r.int32("port")?)
            .request_interval(r.int32("request_interval")?)
            .failure_threshold(r.int32("failure_threshold")?);
        if r.get("resource_path").is_some() {
            config = config.resource_path(r.str("resource_path")?);
        }
        let response = self
            .client
            .create_health_check()
            .caller_reference(scope.owned_reference(r.addr))
            .health_check_config(config.build().map_err(build_error)?)
            .send()
            .await
            .map_err(sdk_error)?;
        let id = response.health_check().map(|h| h.id()).unwrap_or_default().to_string();
        self.tag(TagResourceType::Healthcheck, &id, r).await?;
        Ok(id)
    }

    /// Sends record changes in as few batches as the limits allow and waits
    /// until Route 53 has them INSYNC; returns how many batches it sent.
    pub async fn change_records(
        &self,
        zone_id: &str,
        groups: Vec<Vec<Change>>,
        progress: Progress<'_>,
    ) -> Result<usize, CloudError> {
        let batches = batches(groups);
        for batch in &batches {
            let response = match self.send_batch(zone_id, batch.clone()).await {
                // A record the batch creates exists. Either this very batch
                // landed before and its answer was lost (batches are atomic,
                // so then every change of it holds now), or someone else made
                // the record since the plan: that is theirs, never overwritten.
                Err(CloudError::Api { message, .. }) if message.contains("already exists") => {
                    let clashes = self.clashes(zone_id, batch).await?;
                    if clashes.is_empty() {
                        continue;
                    }
                    return Err(CloudError::Api {
                        service: SERVICE,
                        code: "RecordClash".into(),
                        message: format!(
                            "{} already exist and this run did not make them; wway does not \
                             overwrite records it does not own ({message})",
                            clashes.join(", ")
                        ),
                    });
                }
                other => other?,
            };
            let change = response.change_info().map(|c| c.id().to_string()).unwrap_or_default();
            until("record changes", std::time::Duration::from_secs(10 * 60), progress, || async {
                let response =
                    self.client.get_change().id(&change).send().await.map_err(sdk_error)?;
                let status = response
                    .change_info()
                    .map(|c| c.status().as_str().to_string())
                    .unwrap_or_default();
                Ok(if status == "INSYNC" { Poll::Done } else { Poll::Waiting(status) })
            })
            .await?;
        }
        Ok(batches.len())
    }

    /// The record set of `key` (name, type, set id) as the zone holds it now.
    async fn record_set_now(
        &self,
        zone_id: &str,
        key: &ResourceRecordSet,
    ) -> Result<Option<ResourceRecordSet>, CloudError> {
        let page = self
            .client
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .start_record_name(key.name())
            .start_record_type(key.r#type().clone())
            .set_start_record_identifier(key.set_identifier().map(str::to_string))
            .max_items(1)
            .send()
            .await
            .map_err(sdk_error)?;
        let wanted = comparable(key);
        Ok(page
            .resource_record_sets()
            .first()
            .filter(|found| {
                let found = comparable(found);
                found.name.trim_end_matches('.') == wanted.name.trim_end_matches('.')
                    && found.r#type == wanted.r#type
                    && found.set_identifier == wanted.set_identifier
            })
            .cloned())
    }

    /// After "already exists": `[]` when the whole batch holds in the zone
    /// (it landed before), else the record sets it creates that stand there
    /// as someone else made them, each with its holder.
    async fn clashes(&self, zone_id: &str, batch: &[Change]) -> Result<Vec<String>, CloudError> {
        let mut landed = true;
        let mut created = Vec::new();
        for change in batch {
            let Some(sent) = change.resource_record_set() else { continue };
            let now = self.record_set_now(zone_id, sent).await?;
            let holds = match change.action() {
                ChangeAction::Delete => now.is_none(),
                _ => now.as_ref().is_some_and(|now| comparable(now) == comparable(sent)),
            };
            landed &= holds;
            if let Some(now) = now.filter(|_| change.action() == &ChangeAction::Create) {
                created.push((sent, now));
            }
        }
        if landed {
            return Ok(Vec::new());
        }
        let mut clashes = Vec::new();
        for (sent, now) in created {
            let name = unescape(sent.name());
            // An ownership record speaks for itself; a record, through its own.
            let owners = if name.starts_with("_wway.") {
                Some(now)
            } else {
                let key = ResourceRecordSet::builder()
                    .name(format!("_wway.{name}"))
                    .r#type(RrType::Txt)
                    .build()
                    .map_err(build_error)?;
                self.record_set_now(zone_id, &key).await?
            };
            let holder = owners
                .iter()
                .flat_map(|o| o.resource_records())
                .filter_map(|v| parse_owner_text(v.value()))
                .map(|(topology, _)| held_by(topology))
                .next()
                .unwrap_or_else(|| NO_OWNER.into());
            let id = record_identity(&name, sent.r#type().as_str(), sent.set_identifier());
            clashes.push(format!("{id} (held by {holder})"));
        }
        Ok(clashes)
    }

    async fn send_batch(
        &self,
        zone_id: &str,
        changes: Vec<Change>,
    ) -> Result<
        aws_sdk_route53::operation::change_resource_record_sets::ChangeResourceRecordSetsOutput,
        CloudError,
    > {
        self.client
            .change_resource_record_sets()
            .hosted_zone_id(zone_id)
            .change_batch(
                ChangeBatch::builder().set_changes(Some(changes)).build().map_err(build_error)?,
            )
            .send()
            .await
            .map_err(sdk_error)
    }

    /// The health check settings Route 53 can change in place, and its tags.
    pub async fn update_health_check(&self, id: &str, r: &Read<'_>) -> Result<(), CloudError> {
        let mut update = self
            .client
            .update_health_check()
            .health_check_id(id)
            .fully_qualified_domain_name(r.str("fqdn")?)
            .port(r.int32("port")?)
            .failure_threshold(r.int32("failure_threshold")?);
        if r.get("resource_path").is_some() {
            update = update.resource_path(r.str("resource_path")?);
        }
        update.send().await.map_err(sdk_error)?;
        self.tag(TagResourceType::Healthcheck, id, r).await
    }

    /// Sets the desired tags on a zone or health check.
    pub async fn tag(
        &self,
        kind: TagResourceType,
        id: &str,
        r: &Read<'_>,
    ) -> Result<(), CloudError> {
        self.client
            .change_tags_for_resource()
            .resource_type(kind)
            .resource_id(id)
            .set_add_tags(Some(route53_tags(r)?))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    pub async fn delete_health_check(&self, id: &str) -> Result<(), CloudError> {
        gone(
            self.client
                .delete_health_check()
                .health_check_id(id)
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_error),
        )
    }

    /// Deletes an owned zone; Route 53 refuses while records of others remain.
    pub async fn delete_zone(&self, id: &str) -> Result<(), CloudError> {
        gone(self.client.delete_hosted_zone().id(id).send().await.map(|_| ()).map_err(sdk_error))
    }

    /// Owned health checks, and health check ids to addresses.
    /// The health checks this topology owns: by their tags, or, where a run
    /// stopped before tagging one, by its caller reference (matched to one of
    /// `declared` by its digest; one whose address is no longer declared is
    /// owned under `global/health-check/untagged-<id>`, to be deleted).
    pub async fn health_checks(
        &self,
        topology: &str,
        declared: &[ResourceAddr],
    ) -> Result<(Found, BTreeMap<String, ResourceAddr>), CloudError> {
        let checks = all_pages(SERVICE, "ListHealthChecks", |token: Option<String>| async move {
            let page = self
                .client
                .list_health_checks()
                .set_marker(token)
                .send()
                .await
                .map_err(sdk_error)?;
            let next =
                page.is_truncated().then(|| page.next_marker().map(str::to_string)).flatten();
            Ok((page.health_checks().to_vec(), next))
        })
        .await?;
        let mut all_tags: BTreeMap<String, Tags> = BTreeMap::new();
        for batch in checks.chunks(10) {
            let ids: Vec<String> = batch.iter().map(|c| c.id().to_string()).collect();
            let response = self
                .client
                .list_tags_for_resources()
                .resource_type(TagResourceType::Healthcheck)
                .set_resource_ids(Some(ids))
                .send()
                .await
                .map_err(sdk_error)?;
            for set in response.resource_tag_sets() {
                let pairs =
                    set.tags().iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or("")));
                all_tags.insert(set.resource_id().unwrap_or_default().to_string(), tags(pairs));
            }
        }
        let mut found = Found::default();
        let mut ids = BTreeMap::new();
        for check in &checks {
            let tags = all_tags.remove(check.id()).unwrap_or_default();
            let untagged = || {
                let (owner, digest) = reference_owner(check.caller_reference())?;
                (owner == topology).then(|| {
                    declared.iter().find(|a| address_digest(a) == digest).cloned().unwrap_or_else(
                        || {
                            ResourceAddr::new(format!(
                                "global/health-check/untagged-{}",
                                check.id()
                            ))
                        },
                    )
                })
            };
            let Some(addr) = owner(&tags, topology).or_else(untagged) else { continue };
            let Some(config) = check.health_check_config() else { continue };
            let fields = [
                ("fqdn".to_string(), json!(config.fully_qualified_domain_name())),
                ("type".to_string(), json!(config.r#type().as_str())),
                ("resource_path".to_string(), json!(config.resource_path())),
                ("port".to_string(), json!(config.port())),
                ("request_interval".to_string(), json!(config.request_interval())),
                ("failure_threshold".to_string(), json!(config.failure_threshold())),
            ]
            .into();
            ids.insert(check.id().to_string(), addr.clone());
            found
                .owned
                .insert(addr, live(Kind::HealthCheck, check.id(), fields, tags, vec![], None));
        }
        Ok((found, ids))
    }

    /// The zone, and the records of it that wway owns or that clash.
    pub async fn zone(&self, context: &RecordContext<'_>) -> Result<Found, CloudError> {
        let mut found = Found::default();
        let fqdn = format!("{}.", context.zone);
        let response = self
            .client
            .list_hosted_zones_by_name()
            .dns_name(&fqdn)
            .max_items(1)
            .send()
            .await
            .map_err(sdk_error)?;
        let Some(zone) = response.hosted_zones().iter().find(|z| z.name() == fqdn) else {
            return Ok(found);
        };
        let id = zone.id().trim_start_matches("/hostedzone/").to_string();
        let response = self
            .client
            .list_tags_for_resource()
            .resource_type(TagResourceType::Hostedzone)
            .resource_id(&id)
            .send()
            .await
            .map_err(sdk_error)?;
        let pairs = response.resource_tag_set().map(|s| s.tags()).unwrap_or_default();
        let tags: Tags =
            tags(pairs.iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or(""))));
        let zone_addr = zone_kind::addr(context.zone);
        // Made by this topology but not tagged yet: its caller reference tells.
        let untagged = reference_owner(zone.caller_reference())
            .filter(|(owner, digest)| {
                *owner == context.topology && *digest == address_digest(&zone_addr)
            })
            .map(|_| zone_addr.clone());
        match owner(&tags, context.topology).or(untagged) {
            Some(addr) => {
                let fields = [("name".to_string(), json!(fqdn))].into();
                found.owned.insert(addr, live(Kind::Zone, &id, fields, tags, vec![], None));
            }
            None => found.unowned.push(Unowned {
                kind: Kind::Zone,
                name: context.zone.to_string(),
                id: id.clone(),
                holder: holder(&tags),
                wanted_by: Some(zone_addr.clone()),
            }),
        }
        let records = self.records(&id).await?;
        read_records(&records, &zone_addr, context, &mut found);
        Ok(found)
    }

    async fn records(&self, zone_id: &str) -> Result<Vec<ResourceRecordSet>, CloudError> {
        type Start = (String, String, Option<String>);
        all_pages(SERVICE, "ListResourceRecordSets", |start: Option<Start>| async move {
            let (name, kind, identifier) =
                start.map_or((None, None, None), |(n, t, i)| (Some(n), Some(t), i));
            let page = self
                .client
                .list_resource_record_sets()
                .hosted_zone_id(zone_id)
                .set_start_record_name(name)
                .set_start_record_type(kind.map(|t| RrType::from(t.as_str())))
                .set_start_record_identifier(identifier)
                .send()
                .await
                .map_err(sdk_error)?;
            let next = page.is_truncated().then(|| {
                Some((
                    page.next_record_name()?.to_string(),
                    page.next_record_type()?.as_str().to_string(),
                    page.next_record_identifier().map(str::to_string),
                ))
            });
            Ok((page.resource_record_sets().to_vec(), next.flatten()))
        })
        .await
    }
}

/// A record name as wway writes it. Route 53 lists `*` (and any character
/// outside a-z, 0-9, `-` and `_`) as a three-digit octal escape: `\052`.
fn unescape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        match rest.get(at + 1..at + 4).and_then(|digits| u8::from_str_radix(digits, 8).ok()) {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[at + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
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
    for record in context.wanted {
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
) -> (crate::state::Fields, Vec<ResourceAddr>) {
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
        let addr = context.health_checks.get(check);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_names_are_unescaped() {
        assert_eq!(unescape("\\052.edge.example.org."), "*.edge.example.org.");
        assert_eq!(unescape("api.example.org."), "api.example.org.");
        assert_eq!(unescape("odd\\"), "odd\\");
    }

    #[test]
    fn ownership_strings_round_trip() {
        let addr = record_kind::addr("api", "failover-primary");
        let text = owner_text("wonderway", &addr);
        assert_eq!(text, "\"wway=wonderway/failover-primary\"");
        assert_eq!(parse_owner_text(&text), Some(("wonderway", "failover-primary")));
        assert_eq!(parse_owner_text("\"v=spf1 -all\""), None);
        assert_eq!(owned_name("_wway.geo.api.example.com.", "example.com"), Some("geo.api"));
        assert_eq!(owned_name("_wway.example.com.", "example.com"), Some("@"));
        assert_eq!(owned_name("api.example.com.", "example.com"), None);
    }
}
