//! The distribution's cloud half: read by the topology's tag (after the edge
//! functions, whose published versions it names), or, while the tagging API
//! does not list it yet, by a declared alias or comment and its own tags;
//! with any distribution of someone else's that holds an alias the file
//! declares; made with an
//! idempotency token (its caller reference) and its tags, waited on until
//! Deployed; updated with the ETag it was read with; disabled, waited on and
//! deleted. Once made it gives its domain name, which alias records point at.

use aws_sdk_cloudfront::types::DistributionSummary;
use serde_json::{Value, json};

use super::{CloudFront, SERVICE, deps, distribution_fields, sdk_error};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::lambda::Versions;
use crate::cloud::lambda::edge_function::PUBLISHED_VERSIONS;
use crate::cloud::owned::{Tags, live, owner};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::tagging::tagged;
use crate::cloud::{CloudError, Found};
use crate::kinds::cloudfront::distribution::DOMAIN_NAME;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::live::{LiveResource, Unowned};

pub struct Distribution;

impl CloudKind for Distribution {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::EdgeFunction]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let versions: Versions = call
                .earlier
                .owned(Kind::EdgeFunction)
                .filter_map(|(_, f)| f.fields.get(PUBLISHED_VERSIONS)?.as_object())
                .flatten()
                .filter_map(|(arn, sha)| Some((arn.clone(), sha.as_str()?.to_string())))
                .collect();
            let aliases: Vec<String> = call
                .declared
                .iter()
                .filter_map(|d| d.fields.get("aliases")?.as_array())
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let mut found = Found::default();
            let mut owned_ids = Vec::new();
            let listed = tagged(&cloudfront.tagging, call.topology, "cloudfront:distribution");
            for (arn, tags) in listed.await? {
                let Some(addr) = owner(&tags, call.topology) else { continue };
                let id = arn.rsplit('/').next().unwrap_or_default().to_string();
                if let Some(live) =
                    described(&cloudfront, &id, tags, &versions, call.topology).await?
                {
                    found.owned.insert(addr, live);
                    owned_ids.push(id);
                }
            }
            let missing: Vec<&str> = call
                .declared
                .iter()
                .filter(|d| !found.owned.contains_key(&d.addr))
                .filter_map(|d| d.fields.get("comment")?.as_str())
                .collect();
            if aliases.is_empty() && missing.is_empty() {
                return Ok(found);
            }
            let summaries = all_distributions(&cloudfront).await?;
            // The tagging API lists a new distribution only a while after it
            // was made: one that holds a declared alias or comment is asked
            // for its tags, and is wway's when they say so.
            let candidates: Vec<&DistributionSummary> = summaries
                .iter()
                .filter(|s| !missing.is_empty() && !owned_ids.iter().any(|o| o == s.id()))
                .filter(|s| {
                    let held = s.aliases().map(|a| a.items()).unwrap_or_default();
                    held.iter().any(|a| aliases.contains(a)) || missing.contains(&s.comment())
                })
                .collect();
            for summary in candidates {
                let tags = cloudfront.tags(summary.arn()).await?;
                let Some(addr) = owner(&tags, call.topology) else { continue };
                let (id, topology) = (summary.id(), call.topology);
                if let Some(live) = described(&cloudfront, id, tags, &versions, topology).await? {
                    found.owned.insert(addr, live);
                    owned_ids.push(id.to_string());
                }
            }
            alias_holders(&summaries, &aliases, &owned_ids, &mut found);
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let r = read(target);
            let (id, domain) = cloudfront.create_distribution(call.scope, &r, call.ids).await?;
            Ok(Made { id, outputs: [(DOMAIN_NAME.to_string(), domain)].into() })
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let r = read(target);
            cloudfront.update_distribution(id, &r, call.ids, before).await.map(|()| Outputs::new())
        })
    }

    /// Deployed: CloudFront serves what was written, everywhere.
    fn settle<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, ()> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move { cloudfront.deployed(id, call.wait()).await })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            cloudfront.delete_distribution(id, call.wait()).await.map(|()| Deleted::Gone)
        })
    }
}

/// An owned distribution as the read reports it (`None` if it is gone).
async fn described(
    cloudfront: &CloudFront,
    id: &str,
    tags: Tags,
    versions: &Versions,
    topology: &str,
) -> Result<Option<LiveResource>, CloudError> {
    let response = cloudfront.client.get_distribution().id(id).send().await.map_err(sdk_error)?;
    let Some(distribution) = response.distribution() else { return Ok(None) };
    let Some(config) = distribution.distribution_config() else { return Ok(None) };
    let mut fields = distribution_fields(config, versions);
    // Not compared (the file does not declare them): for the executor.
    fields.insert("domain_name".into(), json!(distribution.domain_name()));
    fields.insert("arn".into(), json!(distribution.arn()));
    let deps = deps(config, topology);
    Ok(Some(live(Kind::Distribution, id, fields, tags, deps, response.e_tag())))
}

/// Every distribution of the account, summarised.
async fn all_distributions(
    cloudfront: &CloudFront,
) -> Result<Vec<DistributionSummary>, CloudError> {
    all_pages(SERVICE, "ListDistributions", |token: Option<String>| async move {
        let page = cloudfront
            .client
            .list_distributions()
            .set_marker(token)
            .send()
            .await
            .map_err(sdk_error)?;
        let list = page.distribution_list();
        let items = list.map(|l| l.items().to_vec()).unwrap_or_default();
        let next =
            list.filter(|l| l.is_truncated()).and_then(|l| l.next_marker().map(str::to_string));
        Ok((items, next))
    })
    .await
}

/// Distributions of others that hold one of `aliases`.
fn alias_holders(
    summaries: &[DistributionSummary],
    aliases: &[String],
    owned: &[String],
    found: &mut Found,
) {
    for summary in summaries.iter().filter(|s| !owned.iter().any(|o| o == s.id())) {
        let held = summary.aliases().map(|a| a.items()).unwrap_or_default();
        for alias in held.iter().filter(|a| aliases.contains(a)) {
            found.unowned.push(Unowned {
                kind: Kind::Distribution,
                name: alias.clone(),
                id: summary.id().to_string(),
                holder: "another distribution".into(),
                wanted_by: None,
            });
        }
    }
}
