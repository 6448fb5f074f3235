//! CloudFront reads: the distribution this topology owns (found by tag), its
//! full configuration and ETag, and distributions of others that hold one of
//! the aliases the topology wants (CloudFront lets an alias live on only one).

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{DistributionConfig, ForwardedValues, LambdaFunctionAssociations};
use serde_json::{Value, json};

use super::lambda::Versions;
use super::owned::{live, owner, sorted};
use super::paging::all_pages;
use super::tagging::tagged;
use super::{CloudError, Found};
use crate::state::live::Unowned;
use crate::state::{Kind, ResourceAddr};

const SERVICE: &str = "cloudfront";

fn sdk_error<E, R>(error: aws_sdk_cloudfront::error::SdkError<E, R>) -> CloudError
where
    E: aws_sdk_cloudfront::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    CloudError::from_sdk(SERVICE, error)
}

pub struct CloudFront {
    client: Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
}

/// The owned distribution's domain name, for alias records that point at it.
pub type DistributionDomain = Option<String>;

impl CloudFront {
    pub fn new(client: Client, tagging: aws_sdk_resourcegroupstagging::Client) -> Self {
        CloudFront { client, tagging }
    }

    pub async fn distributions(
        &self,
        topology: &str,
        aliases: &[String],
        versions: &Versions,
    ) -> Result<(Found, DistributionDomain), CloudError> {
        let mut found = Found::default();
        let mut owned_ids = Vec::new();
        let mut domain = None;
        for (arn, tags) in tagged(&self.tagging, topology, "cloudfront:distribution").await? {
            let Some(addr) = owner(&tags, topology) else { continue };
            let id = arn.rsplit('/').next().unwrap_or_default().to_string();
            let response =
                self.client.get_distribution().id(&id).send().await.map_err(sdk_error)?;
            let Some(distribution) = response.distribution() else { continue };
            let Some(config) = distribution.distribution_config() else { continue };
            domain = Some(distribution.domain_name().to_string());
            let fields = distribution_fields(config, versions);
            found.owned.insert(
                addr,
                live(
                    Kind::Distribution,
                    &id,
                    fields,
                    tags,
                    deps(config, topology),
                    response.e_tag(),
                ),
            );
            owned_ids.push(id);
        }
        if !aliases.is_empty() {
            self.alias_holders(aliases, &owned_ids, &mut found).await?;
        }
        Ok((found, domain))
    }

    async fn alias_holders(
        &self,
        aliases: &[String],
        owned: &[String],
        found: &mut Found,
    ) -> Result<(), CloudError> {
        let summaries =
            all_pages(SERVICE, "ListDistributions", |token: Option<String>| async move {
                let page = self
                    .client
                    .list_distributions()
                    .set_marker(token)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let list = page.distribution_list();
                let items = list.map(|l| l.items().to_vec()).unwrap_or_default();
                let next = list
                    .filter(|l| l.is_truncated())
                    .and_then(|l| l.next_marker().map(str::to_string));
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
                });
            }
        }
        Ok(())
    }
}

/// Edge functions the distribution runs, as the addresses of owned functions.
fn deps(config: &DistributionConfig, topology: &str) -> Vec<ResourceAddr> {
    let prefix = format!("{topology}-");
    let mut deps: Vec<ResourceAddr> = associations(config)
        .filter_map(|arn| function_of(arn)?.strip_prefix(&prefix).map(ResourceAddr::edge_function))
        .collect();
    deps.sort();
    deps.dedup();
    deps
}

fn associations(config: &DistributionConfig) -> impl Iterator<Item = &str> {
    let default = config.default_cache_behavior().and_then(|b| b.lambda_function_associations());
    let ordered = config.cache_behaviors().map(|c| c.items()).unwrap_or_default();
    std::iter::once(default)
        .chain(ordered.iter().map(|b| b.lambda_function_associations()))
        .flatten()
        .flat_map(|a| a.items().iter().map(|i| i.lambda_function_arn()))
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION` -> NAME.
fn function_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(6)
}

fn strings(items: Option<&[String]>) -> Value {
    sorted(items.unwrap_or_default().to_vec())
}

/// The fields of a behavior, from either of the SDK's two behavior types
/// (`DefaultCacheBehavior` and `CacheBehavior` have the same accessors).
/// TTLs and forwarded values are CloudFront's legacy cache settings, which the
/// API model marks deprecated in favour of cache policies but CloudFront
/// still serves; the topology format maps onto them one to one.
macro_rules! behavior_fields {
    ($b:expr, $versions:expr) => {{
        let b = $b;
        let allowed = b.allowed_methods();
        json!({
            "origin": b.target_origin_id(),
            "viewer_protocol_policy": b.viewer_protocol_policy().as_str(),
            "allowed_methods": sorted(allowed.map(|m| m.items().iter().map(|i| i.as_str().to_string()).collect()).unwrap_or_default()),
            "cached_methods": sorted(
                allowed
                    .and_then(|m| m.cached_methods())
                    .map(|c| c.items().iter().map(|i| i.as_str().to_string()).collect())
                    .unwrap_or_default()
            ),
            "min_ttl": b.min_ttl(),
            "default_ttl": b.default_ttl(),
            "max_ttl": b.max_ttl(),
            "forward": forward(b.forwarded_values()),
            "edge_functions": edge_functions(b.lambda_function_associations(), $versions),
            "compress": b.compress(),
        })
    }};
}

#[allow(deprecated)]
fn forward(values: Option<&ForwardedValues>) -> Value {
    let Some(values) = values else {
        return json!({"query_string": false, "headers": [], "cookies": "none"});
    };
    json!({
        "query_string": values.query_string(),
        "headers": strings(values.headers().map(|h| h.items())),
        "cookies": values.cookies().map(|c| c.forward().as_str()).unwrap_or("none"),
    })
}

fn edge_functions(associations: Option<&LambdaFunctionAssociations>, versions: &Versions) -> Value {
    let items = associations.map(|a| a.items()).unwrap_or_default();
    json!(
        items
            .iter()
            .map(|a| {
                let arn = a.lambda_function_arn();
                json!({
                    "event": a.event_type().as_str(),
                    "function": function_of(arn),
                    "code_sha256": versions.get(arn),
                })
            })
            .collect::<Vec<_>>()
    )
}

#[allow(deprecated)]
fn distribution_fields(config: &DistributionConfig, versions: &Versions) -> crate::state::Fields {
    let certificate = match config.viewer_certificate() {
        Some(c) if c.acm_certificate_arn().is_some() => json!({
            "acm_certificate_arn": c.acm_certificate_arn(),
            "minimum_protocol_version": c.minimum_protocol_version().map(|v| v.as_str()),
            "ssl_support_method": c.ssl_support_method().map(|m| m.as_str()),
        }),
        _ => json!({"cloudfront_default_certificate": true}),
    };
    let origins: Vec<Value> = config
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .map(|o| {
            let policy = o.custom_origin_config().map(|c| c.origin_protocol_policy().as_str());
            json!({"id": o.id(), "domain_name": o.domain_name(), "protocol_policy": policy})
        })
        .collect();
    let behaviors: Vec<Value> = config
        .cache_behaviors()
        .map(|c| c.items())
        .unwrap_or_default()
        .iter()
        .map(|b| {
            let mut value = behavior_fields!(b, versions);
            value["path"] = json!(b.path_pattern());
            value
        })
        .collect();
    let mut error_pages: Vec<Value> = config
        .custom_error_responses()
        .map(|e| e.items())
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let response = e.response_code().and_then(|c| c.parse::<i32>().ok());
            json!({"code": e.error_code(), "path": e.response_page_path(), "response_code": response})
        })
        .collect();
    error_pages.sort_by_key(|p| p["code"].as_i64());
    let logging = match config.logging() {
        Some(l) if l.enabled() => json!({"bucket": l.bucket(), "prefix": l.prefix()}),
        _ => Value::Null,
    };
    let geo = config.restrictions().and_then(|r| r.geo_restriction());
    let geo = json!({
        "type": geo.map(|g| g.restriction_type().as_str()).unwrap_or("none"),
        "countries": strings(geo.map(|g| g.items())),
    });
    [
        ("comment", json!(config.comment())),
        ("enabled", json!(config.enabled())),
        ("aliases", strings(config.aliases().map(|a| a.items()))),
        ("price_class", json!(config.price_class().map(|p| p.as_str()))),
        ("certificate", certificate),
        ("origins", json!(origins)),
        (
            "default_behavior",
            config
                .default_cache_behavior()
                .map(|b| behavior_fields!(b, versions))
                .unwrap_or_default(),
        ),
        ("behaviors", json!(behaviors)),
        ("error_pages", json!(error_pages)),
        ("logging", logging),
        ("geo_restriction", geo),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
