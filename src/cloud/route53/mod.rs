//! Route 53 reads: the zone (owned, or someone else's that wway only uses),
//! every record set of it page by page, the ownership TXT records beside the
//! records wway manages (`_wway.<name>`, one string per managed record set:
//! `wway:topology=NAME wway:id=ADDRESS`), and the health checks this topology
//! owns (their tags read ten at a time).

pub mod drill;
pub mod health_check;
pub mod record;
pub mod zone;

use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, GeoLocation, HealthCheckConfig,
    HealthCheckType, HostedZone, ResourceRecord, ResourceRecordSet, ResourceRecordSetFailover,
    ResourceRecordSetRegion, RrType, Tag, TagResourceType,
};
use serde_json::Value;

use crate::cloud::fields::Read;
use crate::cloud::owned::{Mark, adopt};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::{Poll, Progress, gone, until};
use crate::cloud::{CloudError, Ids, RunScope};
use crate::kinds::cloudfront::distribution::DOMAIN_NAME;
use crate::kinds::route53::record::{identity as record_identity, owner_value};
use crate::state::ResourceAddr;

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
                let named = self.public_zones(name).await?;
                let marked =
                    named.iter().map(|z| (z.id(), Mark::CallerReference(z.caller_reference())));
                adopt(&scope, r.addr, marked).map(str::to_string).ok_or_else(|| sdk_error(error))?
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

    /// Sends record changes in as few batches as the limits allow, each as
    /// soon as Route 53 took the one before (it applies a zone's batches in
    /// order), then waits until it has them all INSYNC; returns how many
    /// batches it sent.
    pub async fn change_records(
        &self,
        zone_id: &str,
        groups: Vec<Vec<Change>>,
        progress: Progress<'_>,
    ) -> Result<usize, CloudError> {
        let batches = batches(groups);
        let mut changes = Vec::with_capacity(batches.len());
        for batch in &batches {
            let response = match self.send_batch(zone_id, batch.clone()).await {
                // A record the batch deletes is gone. Either this very batch
                // landed before and its answer was lost (the SDK sent it
                // again), or someone else deleted it since the plan.
                Err(CloudError::Api { message, .. }) if message.contains("was not found") => {
                    if self.landed(zone_id, batch).await? {
                        continue;
                    }
                    return Err(CloudError::Api {
                        service: SERVICE,
                        code: "RecordGone".into(),
                        message: format!(
                            "a record this batch deletes is gone and the batch did not land: \
                             someone else changed the zone since the plan; plan again ({message})"
                        ),
                    });
                }
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
            changes.extend(response.change_info().map(|c| c.id().to_string()));
        }
        for change in &changes {
            until("record changes", std::time::Duration::from_secs(10 * 60), progress, || async {
                let response =
                    self.client.get_change().id(change).send().await.map_err(sdk_error)?;
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

    /// Whether every change of `batch` holds in the zone now: it landed
    /// (batches are atomic), though its answer never arrived.
    async fn landed(&self, zone_id: &str, batch: &[Change]) -> Result<bool, CloudError> {
        for change in batch {
            let Some(sent) = change.resource_record_set() else { continue };
            let now = self.record_set_now(zone_id, sent).await?;
            let holds = match change.action() {
                ChangeAction::Delete => now.is_none(),
                _ => now.as_ref().is_some_and(|now| comparable(now) == comparable(sent)),
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// After "already exists": `[]` when the whole batch holds in the zone
    /// (it landed before), else the record sets it creates that stand there
    /// as someone else made them, each with its holder.
    async fn clashes(&self, zone_id: &str, batch: &[Change]) -> Result<Vec<String>, CloudError> {
        if self.landed(zone_id, batch).await? {
            return Ok(Vec::new());
        }
        let mut created = Vec::new();
        for change in batch.iter().filter(|c| c.action() == &ChangeAction::Create) {
            let Some(sent) = change.resource_record_set() else { continue };
            if let Some(now) = self.record_set_now(zone_id, sent).await? {
                created.push((sent, now));
            }
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

    /// The public hosted zones called `fqdn` (with its trailing dot), in the
    /// order Route 53 lists them. A private zone of the same name (one that
    /// VPCs resolve internally) is never the topology's: records in it are
    /// not served to the internet. One call: a page starts at the name, so
    /// the zones of that name come first.
    pub(super) async fn public_zones(&self, fqdn: &str) -> Result<Vec<HostedZone>, CloudError> {
        let listed = self.client.list_hosted_zones_by_name().dns_name(fqdn).send().await;
        let listed = listed.map_err(sdk_error)?;
        let public =
            |z: &&HostedZone| z.name() == fqdn && !z.config().is_some_and(|c| c.private_zone());
        Ok(listed.hosted_zones().iter().filter(public).cloned().collect())
    }

    /// Every record set of a zone, page by page.
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
        let addr = crate::kinds::route53::record::addr("api", "failover-primary");
        let text = owner_text("wonderway", &addr);
        assert_eq!(text, "\"wway=wonderway/failover-primary\"");
        assert_eq!(parse_owner_text(&text), Some(("wonderway", "failover-primary")));
        assert_eq!(parse_owner_text("\"v=spf1 -all\""), None);
        assert_eq!(
            record::owned_name("_wway.geo.api.example.com.", "example.com"),
            Some("geo.api")
        );
        assert_eq!(record::owned_name("_wway.example.com.", "example.com"), Some("@"));
        assert_eq!(record::owned_name("api.example.com.", "example.com"), None);
    }
}
