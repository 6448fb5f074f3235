//! The distribution's cloud half: read by the topology's tag (after the edge
//! functions, whose published versions it names), with any distribution of
//! someone else's that holds an alias the file declares; made with an
//! idempotency token (its caller reference) and its tags, waited on until
//! Deployed; updated with the ETag it was read with; disabled, waited on and
//! deleted. Once made it gives its domain name, which alias records point at.

use serde_json::{Value, json};

use super::{CloudFront, SERVICE, deps, distribution_fields, sdk_error};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::lambda::Versions;
use crate::cloud::lambda::edge_function::PUBLISHED_VERSIONS;
use crate::cloud::owned::{live, owner};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::tagging::tagged;
use crate::cloud::{CloudError, Found};
use crate::kinds::cloudfront::distribution::DOMAIN_NAME;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::live::Unowned;

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
            for (arn, tags) in
                tagged(&cloudfront.tagging, call.topology, "cloudfront:distribution").await?
            {
                let Some(addr) = owner(&tags, call.topology) else { continue };
                let id = arn.rsplit('/').next().unwrap_or_default().to_string();
                let response =
                    cloudfront.client.get_distribution().id(&id).send().await.map_err(sdk_error)?;
                let Some(distribution) = response.distribution() else { continue };
                let Some(config) = distribution.distribution_config() else { continue };
                let mut fields = distribution_fields(config, &versions);
                // Not compared (the file does not declare them): for the executor.
                fields.insert("domain_name".into(), json!(distribution.domain_name()));
                fields.insert("arn".into(), json!(distribution.arn()));
                found.owned.insert(
                    addr,
                    live(
                        Kind::Distribution,
                        &id,
                        fields,
                        tags,
                        deps(config, call.topology),
                        response.e_tag(),
                    ),
                );
                owned_ids.push(id);
            }
            if !aliases.is_empty() {
                alias_holders(&cloudfront, &aliases, &owned_ids, &mut found).await?;
            }
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

/// Distributions of others that hold one of `aliases`.
async fn alias_holders(
    cloudfront: &CloudFront,
    aliases: &[String],
    owned: &[String],
    found: &mut Found,
) -> Result<(), CloudError> {
    let summaries = all_pages(SERVICE, "ListDistributions", |token: Option<String>| async move {
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
    .await?;
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
    Ok(())
}
