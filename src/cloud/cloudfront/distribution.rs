//! The distribution's cloud half: read by the topology's tag (after the edge
//! functions, whose published versions it names), or, while the tagging API
//! does not list it yet, by a declared alias or comment and its own tags;
//! with any distribution of someone else's that holds an alias the file
//! declares; made with an
//! idempotency token (its caller reference) and its tags, waited on until
//! Deployed; updated with the ETag it was read with; disabled, waited on and
//! deleted. Once made it gives its domain name, which alias records point at.

use aws_sdk_cloudfront::operation::get_distribution::GetDistributionOutput;
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
use crate::kinds::{Fields, Kind, ResourceAddr};
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
            let aliases: Vec<String> = call
                .declared
                .iter()
                .filter_map(|d| d.fields.get("aliases")?.as_array())
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            // The account's distributions, besides the tagged ones, where a
            // declared one may be missing from the tagging API or hold an
            // alias the file wants.
            let listed = tagged(&cloudfront.tagging, call.topology, "cloudfront:distribution");
            let summaries = async {
                match aliases.is_empty() && call.declared.is_empty() {
                    true => Ok(Vec::new()),
                    false => all_distributions(&cloudfront).await,
                }
            };
            let (listed, summaries) = tokio::try_join!(listed, summaries)?;
            let mut fetched: Vec<(ResourceAddr, Tags, GetDistributionOutput)> = Vec::new();
            for (arn, tags) in listed {
                let Some(addr) = owner(&tags, call.topology) else { continue };
                let id = arn.rsplit('/').next().unwrap_or_default();
                if let Some(got) = fetch(&cloudfront, id).await? {
                    fetched.push((addr, tags, got));
                }
            }
            let missing: Vec<&str> = call
                .declared
                .iter()
                .filter(|d| !fetched.iter().any(|(addr, ..)| *addr == d.addr))
                .filter_map(|d| d.fields.get("comment")?.as_str())
                .collect();
            // The tagging API lists a new distribution only a while after it
            // was made: one that holds a declared alias or comment is asked
            // for its tags, and is wway's when they say so.
            let candidates: Vec<&DistributionSummary> = summaries
                .iter()
                .filter(|s| {
                    !missing.is_empty()
                        && !fetched.iter().any(|(.., got)| id_of(got) == Some(s.id()))
                })
                .filter(|s| {
                    let held = s.aliases().map(|a| a.items()).unwrap_or_default();
                    held.iter().any(|a| aliases.contains(a)) || missing.contains(&s.comment())
                })
                .collect();
            for summary in candidates {
                let tags = cloudfront.tags(summary.arn()).await?;
                let Some(addr) = owner(&tags, call.topology) else { continue };
                if let Some(got) = fetch(&cloudfront, summary.id()).await? {
                    fetched.push((addr, tags, got));
                }
            }
            // The functions' versions, to read each association as the code
            // it runs.
            let functions = call.found(&[Kind::EdgeFunction]).await?;
            let versions: Versions = functions
                .owned(Kind::EdgeFunction)
                .filter_map(|(_, f)| f.fields.get(PUBLISHED_VERSIONS)?.as_object())
                .flatten()
                .filter_map(|(arn, sha)| Some((arn.clone(), sha.as_str()?.to_string())))
                .collect();
            let mut found = Found::default();
            let mut owned_ids = Vec::new();
            for (addr, tags, got) in fetched {
                if let Some(live) = described(&got, tags, &versions, call.topology) {
                    owned_ids.push(live.id.clone());
                    found.owned.insert(addr, live);
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

/// A distribution with its ETag (`None` if it is gone).
async fn fetch(
    cloudfront: &CloudFront,
    id: &str,
) -> Result<Option<GetDistributionOutput>, CloudError> {
    match cloudfront.client.get_distribution().id(id).send().await {
        Ok(got) => Ok(Some(got)),
        Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_distribution()) => {
            Ok(None)
        }
        Err(error) => Err(sdk_error(error)),
    }
}

fn id_of(got: &GetDistributionOutput) -> Option<&str> {
    got.distribution().map(|d| d.id())
}

/// An owned distribution as the read reports it.
fn described(
    got: &GetDistributionOutput,
    tags: Tags,
    versions: &Versions,
    topology: &str,
) -> Option<LiveResource> {
    let distribution = got.distribution()?;
    let config = distribution.distribution_config()?;
    let mut fields = distribution_fields(config, versions);
    // Not compared (the file does not declare them): for the executor.
    fields.insert("domain_name".into(), json!(distribution.domain_name()));
    fields.insert("arn".into(), json!(distribution.arn()));
    let deps = deps(config, topology);
    Some(live(Kind::Distribution, distribution.id(), fields, tags, deps, got.e_tag()))
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
