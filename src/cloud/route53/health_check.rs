//! The health check's cloud half: read from the account's checks (their
//! tags ten at a time); made with an owned caller reference and tagged,
//! updated in place, deleted.

use std::collections::BTreeMap;

use aws_sdk_route53::types::TagResourceType;
use serde_json::json;

use super::{Route53, SERVICE, sdk_error};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Tags, live, owner, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::{Found, address_digest, reference_owner};
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct HealthCheck;

impl CloudKind for HealthCheck {
    /// The checks this topology owns: by their tags, or, where a run stopped
    /// before tagging one, by its caller reference (matched to a declared
    /// check by its digest; one whose address is no longer declared is owned
    /// under `global/health-check/untagged-<id>`, to be deleted).
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            let route53 = &route53;
            let checks =
                all_pages(SERVICE, "ListHealthChecks", |token: Option<String>| async move {
                    let page = route53
                        .client
                        .list_health_checks()
                        .set_marker(token)
                        .send()
                        .await
                        .map_err(sdk_error)?;
                    let next = page
                        .is_truncated()
                        .then(|| page.next_marker().map(str::to_string))
                        .flatten();
                    Ok((page.health_checks().to_vec(), next))
                })
                .await?;
            let mut all_tags: BTreeMap<String, Tags> = BTreeMap::new();
            for batch in checks.chunks(10) {
                let ids: Vec<String> = batch.iter().map(|c| c.id().to_string()).collect();
                let response = route53
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
            for check in &checks {
                let tags = all_tags.remove(check.id()).unwrap_or_default();
                let untagged = || {
                    let (owner, digest) = reference_owner(check.caller_reference())?;
                    (owner == call.topology).then(|| {
                        call.declared
                            .iter()
                            .map(|r| &r.addr)
                            .find(|a| address_digest(a) == digest)
                            .cloned()
                            .unwrap_or_else(|| {
                                ResourceAddr::new(format!(
                                    "global/health-check/untagged-{}",
                                    check.id()
                                ))
                            })
                    })
                };
                let Some(addr) = owner(&tags, call.topology).or_else(untagged) else { continue };
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
                found
                    .owned
                    .insert(addr, live(Kind::HealthCheck, check.id(), fields, tags, vec![], None));
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            route53.create_health_check(call.scope, &read(target)).await.map(Made::id)
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            route53.update_health_check(id, &read(target)).await.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.delete_health_check(id).await.map(|()| Deleted::Gone) })
    }
}
