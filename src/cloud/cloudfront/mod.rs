//! CloudFront reads: the distribution this topology owns (found by tag), its
//! full configuration and ETag, and distributions of others that hold one of
//! the aliases the topology wants (CloudFront lets an alias live on only one).

pub mod distribution;
mod merge;

use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{
    Aliases, AllowedMethods, CacheBehavior, CacheBehaviors, CachedMethods, CookiePreference,
    CustomErrorResponse, CustomErrorResponses, CustomOriginConfig, DefaultCacheBehavior,
    DistributionConfig, DistributionConfigWithTags, EventType, ForwardedValues, GeoRestriction,
    GeoRestrictionType, Headers, ItemSelection, LambdaFunctionAssociation,
    LambdaFunctionAssociations, LoggingConfig, Method, MinimumProtocolVersion, Origin,
    OriginProtocolPolicy, Origins, PriceClass, Restrictions, SslSupportMethod, Tag, Tags,
    ViewerCertificate, ViewerProtocolPolicy,
};
use std::time::Duration;

use serde_json::{Value, json};

use crate::cloud::fields::Read;
use crate::cloud::lambda::Versions;
use crate::cloud::owned::{self, Mark, adopt, sorted};
use crate::cloud::tagging::tagged;
use crate::cloud::wait::{Poll, Wait, until};
use crate::cloud::{CloudError, Ids, RunScope};
use crate::kinds::lambda::edge_function::{self, PUBLISHED_VERSION};
use crate::state::ResourceAddr;
use crate::state::live::Unresolved;

const SERVICE: &str = "cloudfront";

crate::cloud::error::sdk_errors!(SERVICE);

/// How long a deployment may take: AWS says within 5 minutes, users see
/// 3 to 15; terraform-provider-aws allows 70 for a create.
const DEPLOY: Duration = Duration::from_secs(30 * 60);

pub struct CloudFront {
    client: Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
}

impl CloudFront {
    /// The tags of the distribution `arn`.
    pub async fn tags(&self, arn: &str) -> Result<owned::Tags, CloudError> {
        let response =
            self.client.list_tags_for_resource().resource(arn).send().await.map_err(sdk_error)?;
        let items = response.tags().map(|t| t.items()).unwrap_or_default();
        Ok(owned::tags(items.iter().map(|t| (t.key(), t.value().unwrap_or_default()))))
    }

    pub fn new(client: Client, tagging: aws_sdk_resourcegroupstagging::Client) -> Self {
        CloudFront { client, tagging }
    }

    /// Creates the distribution with its tags; returns its id and domain name.
    pub async fn create_distribution(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
        ids: &Ids,
    ) -> Result<(String, String), CloudError> {
        let config = distribution_config(r, ids, &scope.token(r.addr))?;
        let tags = r
            .tags()?
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error));
        let tags = Tags::builder().set_items(Some(tags.collect::<Result<_, _>>()?)).build();
        let with_tags =
            DistributionConfigWithTags::builder().distribution_config(config).tags(tags).build();
        let created = self
            .client
            .create_distribution_with_tags()
            .distribution_config_with_tags(with_tags)
            .send()
            .await;
        let id = match created {
            Ok(response) => {
                let distribution = response.distribution();
                let id = distribution.map(|d| d.id().to_string()).unwrap_or_default();
                return Ok((
                    id,
                    distribution.map(|d| d.domain_name().to_string()).unwrap_or_default(),
                ));
            }
            // An earlier attempt of this run made it (same caller reference;
            // its tags came with it) and its answer was lost: find it by tag.
            Err(error)
                if error.as_service_error().is_some_and(|e| e.is_distribution_already_exists()) =>
            {
                let tagged =
                    tagged(&self.tagging, scope.topology, "cloudfront:distribution").await?;
                let marked = tagged.iter().map(|(arn, tags)| (arn, Mark::Tags(tags)));
                let arn = adopt(&scope, r.addr, marked).ok_or_else(|| sdk_error(error))?;
                arn.rsplit('/').next().unwrap_or_default().to_string()
            }
            Err(error) => return Err(sdk_error(error)),
        };
        let response = self.client.get_distribution().id(&id).send().await.map_err(sdk_error)?;
        let domain =
            response.distribution().map(|d| d.domain_name().to_string()).unwrap_or_default();
        Ok((id, domain))
    }

    /// Waits until CloudFront has deployed the distribution (see `DEPLOY`).
    pub async fn deployed(&self, id: &str, wait: Wait<'_>) -> Result<(), CloudError> {
        let what = format!("distribution {id}");
        until(&what, wait.limit(DEPLOY), wait.progress, || async {
            let response = self.client.get_distribution().id(id).send().await.map_err(sdk_error)?;
            let status =
                response.distribution().map(|d| d.status().to_string()).unwrap_or_default();
            Ok(if status == "Deployed" { Poll::Done } else { Poll::Waiting(status) })
        })
        .await
    }

    /// Reads the configuration with a fresh ETag, lets `change` edit it, and
    /// writes it with If-Match; a 412 (someone wrote in between) is retried
    /// with a fresh read, never with a stale ETag.
    async fn rewrite(
        &self,
        id: &str,
        change: impl Fn(DistributionConfig) -> Result<DistributionConfig, CloudError>,
    ) -> Result<(), CloudError> {
        for attempt in 1..=5 {
            let current =
                self.client.get_distribution_config().id(id).send().await.map_err(sdk_error)?;
            let etag = current.e_tag().unwrap_or_default().to_string();
            let Some(config) = current.distribution_config().cloned() else { return Ok(()) };
            let written = self
                .client
                .update_distribution()
                .id(id)
                .if_match(&etag)
                .distribution_config(change(config)?)
                .send()
                .await;
            match written.map_err(sdk_error) {
                Ok(_) => return Ok(()),
                Err(CloudError::Api { code, .. })
                    if code == "PreconditionFailed" && attempt < 5 =>
                {
                    continue;
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Writes the desired configuration (keeping the distribution's caller
    /// reference and what the file does not manage) and tags (the step that
    /// follows waits for Deployed).
    pub async fn update_distribution(
        &self,
        id: &str,
        r: &Read<'_>,
        ids: &Ids,
        before: &crate::state::Fields,
    ) -> Result<(), CloudError> {
        self.rewrite(id, |live| {
            let mut built = distribution_config(r, ids, live.caller_reference())?;
            merge::keep_unmanaged(&mut built, &live);
            Ok(built)
        })
        .await?;
        if let Some(arn) = before.get("arn").and_then(Value::as_str) {
            let tags = r
                .tags()?
                .into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error));
            let tags = Tags::builder().set_items(Some(tags.collect::<Result<_, _>>()?)).build();
            self.client.tag_resource().resource(arn).tags(tags).send().await.map_err(sdk_error)?;
        }
        Ok(())
    }

    /// Disables the distribution, waits for that to deploy, then deletes it.
    pub async fn delete_distribution(&self, id: &str, wait: Wait<'_>) -> Result<(), CloudError> {
        let current =
            match self.client.get_distribution_config().id(id).send().await.map_err(sdk_error) {
                Ok(current) => current,
                Err(error) => return crate::cloud::wait::gone(Err(error)),
            };
        if current.distribution_config().is_some_and(|c| c.enabled()) {
            self.rewrite(id, |mut config| {
                config.enabled = false;
                Ok(config)
            })
            .await?;
            self.deployed(id, wait).await?;
        }
        let etag = self
            .client
            .get_distribution_config()
            .id(id)
            .send()
            .await
            .map_err(sdk_error)?
            .e_tag()
            .map(str::to_string);
        let deleted = self.client.delete_distribution().id(id).set_if_match(etag).send().await;
        crate::cloud::wait::gone(deleted.map(|_| ()).map_err(sdk_error))
    }
}

/// Edge functions the distribution runs, as the addresses of owned functions.
fn deps(config: &DistributionConfig, topology: &str) -> Vec<ResourceAddr> {
    let prefix = format!("{topology}-");
    let mut deps: Vec<ResourceAddr> = associations(config)
        .filter_map(|arn| function_of(arn)?.strip_prefix(&prefix).map(edge_function::addr))
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
                    "version": versions.get(arn),
                })
            })
            .collect::<Vec<_>>()
    )
}

#[allow(deprecated)]
fn distribution_fields(config: &DistributionConfig, versions: &Versions) -> crate::state::Fields {
    let certificate = match config.viewer_certificate() {
        // A default certificate comes back with defaults filled in (an empty
        // ACM ARN, TLSv1): only a real ARN makes it a certificate of the user's.
        Some(c) if c.acm_certificate_arn().is_some_and(|a| !a.is_empty()) => json!({
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

fn build_error(error: aws_sdk_cloudfront::error::BuildError) -> CloudError {
    CloudError::Api { service: SERVICE, code: "Build".into(), message: error.to_string() }
}

fn field<'v>(value: &'v Value, key: &str) -> &'v Value {
    value.get(key).unwrap_or(&Value::Null)
}

fn texts(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// The distribution configuration that the desired fields describe.
#[allow(deprecated)]
pub fn distribution_config(
    r: &Read,
    ids: &Ids,
    caller_reference: &str,
) -> Result<DistributionConfig, CloudError> {
    let origins: Vec<Origin> = r
        .get("origins")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|o| {
            let custom = CustomOriginConfig::builder()
                .http_port(80)
                .https_port(443)
                .origin_protocol_policy(OriginProtocolPolicy::from(
                    field(o, "protocol_policy").as_str().unwrap_or("https-only"),
                ))
                .build()
                .map_err(build_error)?;
            Origin::builder()
                .id(field(o, "id").as_str().unwrap_or_default())
                .domain_name(field(o, "domain_name").as_str().unwrap_or_default())
                .custom_origin_config(custom)
                .build()
                .map_err(build_error)
        })
        .collect::<Result<_, _>>()?;
    let aliases = r.strings("aliases")?;
    let aliases = Aliases::builder()
        .quantity(aliases.len() as i32)
        .set_items(Some(aliases))
        .build()
        .map_err(build_error)?;
    let certificate = r.get("certificate").cloned().unwrap_or_default();
    let viewer_certificate = match field(&certificate, "acm_certificate_arn").as_str() {
        Some(arn) => ViewerCertificate::builder()
            .acm_certificate_arn(arn)
            .ssl_support_method(SslSupportMethod::from(
                field(&certificate, "ssl_support_method").as_str().unwrap_or("sni-only"),
            ))
            .minimum_protocol_version(MinimumProtocolVersion::from(
                field(&certificate, "minimum_protocol_version").as_str().unwrap_or("TLSv1.2_2021"),
            ))
            .build(),
        None => ViewerCertificate::builder().cloud_front_default_certificate(true).build(),
    };
    let default_behavior = r.get("default_behavior").cloned().unwrap_or_default();
    let behaviors: Vec<CacheBehavior> = r
        .get("behaviors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|b| {
            build_behavior!(
                CacheBehavior::builder()
                    .path_pattern(field(b, "path").as_str().unwrap_or_default()),
                b,
                ids
            )
        })
        .collect::<Result<_, _>>()?;
    let error_pages: Vec<CustomErrorResponse> = r
        .get("error_pages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            CustomErrorResponse::builder()
                .error_code(field(p, "code").as_i64().unwrap_or_default() as i32)
                .response_page_path(field(p, "path").as_str().unwrap_or_default())
                .response_code(field(p, "response_code").as_i64().unwrap_or_default().to_string())
                .build()
                .map_err(build_error)
        })
        .collect::<Result<_, _>>()?;
    let logging = match r.get("logging") {
        Some(l) => LoggingConfig::builder()
            .enabled(true)
            .include_cookies(false)
            .bucket(field(l, "bucket").as_str().unwrap_or_default())
            .prefix(field(l, "prefix").as_str().unwrap_or_default())
            .build(),
        None => LoggingConfig::builder()
            .enabled(false)
            .include_cookies(false)
            .bucket("")
            .prefix("")
            .build(),
    };
    let geo = r.get("geo_restriction").cloned().unwrap_or_default();
    let countries = texts(field(&geo, "countries"));
    let geo = GeoRestriction::builder()
        .restriction_type(GeoRestrictionType::from(field(&geo, "type").as_str().unwrap_or("none")))
        .quantity(countries.len() as i32)
        .set_items((!countries.is_empty()).then_some(countries))
        .build()
        .map_err(build_error)?;
    DistributionConfig::builder()
        .caller_reference(caller_reference)
        .comment(r.str("comment")?)
        .enabled(r.get("enabled").and_then(Value::as_bool).unwrap_or(true))
        .aliases(aliases)
        .price_class(PriceClass::from(r.str("price_class")?))
        .viewer_certificate(viewer_certificate)
        .origins(
            Origins::builder()
                .quantity(origins.len() as i32)
                .set_items(Some(origins))
                .build()
                .map_err(build_error)?,
        )
        .default_cache_behavior(build_behavior!(
            DefaultCacheBehavior::builder(),
            &default_behavior,
            ids
        )?)
        .cache_behaviors(
            CacheBehaviors::builder()
                .quantity(behaviors.len() as i32)
                .set_items(Some(behaviors))
                .build()
                .map_err(build_error)?,
        )
        .custom_error_responses(
            CustomErrorResponses::builder()
                .quantity(error_pages.len() as i32)
                .set_items(Some(error_pages))
                .build()
                .map_err(build_error)?,
        )
        .logging(logging)
        .restrictions(Restrictions::builder().geo_restriction(geo).build())
        .build()
        .map_err(build_error)
}

/// The parts a behavior's two SDK builders share.
struct BehaviorParts {
    allowed: AllowedMethods,
    forwarded: ForwardedValues,
    associations: LambdaFunctionAssociations,
}

fn methods(value: &Value) -> Vec<Method> {
    texts(value).iter().map(|m| Method::from(m.as_str())).collect()
}

fn behavior_parts(b: &Value, ids: &Ids) -> Result<BehaviorParts, CloudError> {
    let allowed = methods(field(b, "allowed_methods"));
    let cached = methods(field(b, "cached_methods"));
    let cached = CachedMethods::builder()
        .quantity(cached.len() as i32)
        .set_items(Some(cached))
        .build()
        .map_err(build_error)?;
    let allowed = AllowedMethods::builder()
        .quantity(allowed.len() as i32)
        .set_items(Some(allowed))
        .cached_methods(cached)
        .build()
        .map_err(build_error)?;
    let forward = field(b, "forward");
    let headers = texts(field(forward, "headers"));
    let forwarded = ForwardedValues::builder()
        .query_string(field(forward, "query_string").as_bool().unwrap_or(false))
        .cookies(
            CookiePreference::builder()
                .forward(ItemSelection::from(field(forward, "cookies").as_str().unwrap_or("none")))
                .build()
                .map_err(build_error)?,
        )
        .headers(
            Headers::builder()
                .quantity(headers.len() as i32)
                .set_items(Some(headers))
                .build()
                .map_err(build_error)?,
        )
        .build()
        .map_err(build_error)?;
    let associations: Vec<LambdaFunctionAssociation> = field(b, "edge_functions")
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let function = field(a, "function").as_str().unwrap_or_default();
            let arn = ids.output_of_id(function, PUBLISHED_VERSION).ok_or_else(|| {
                Unresolved(format!("the published version of edge function {function}"))
            })?;
            LambdaFunctionAssociation::builder()
                .lambda_function_arn(arn)
                .event_type(EventType::from(field(a, "event").as_str().unwrap_or_default()))
                .include_body(false)
                .build()
                .map_err(build_error)
        })
        .collect::<Result<_, _>>()?;
    let associations = LambdaFunctionAssociations::builder()
        .quantity(associations.len() as i32)
        .set_items(Some(associations))
        .build()
        .map_err(build_error)?;
    Ok(BehaviorParts { allowed, forwarded, associations })
}

/// Fills either behavior builder from a behavior's desired fields.
macro_rules! build_behavior {
    ($builder:expr, $b:expr, $ids:expr) => {{
        let b: &Value = $b;
        behavior_parts(b, $ids).and_then(|parts| {
            $builder
                .target_origin_id(field(b, "origin").as_str().unwrap_or_default())
                .viewer_protocol_policy(ViewerProtocolPolicy::from(
                    field(b, "viewer_protocol_policy").as_str().unwrap_or("redirect-to-https"),
                ))
                .allowed_methods(parts.allowed)
                .forwarded_values(parts.forwarded)
                .lambda_function_associations(parts.associations)
                .min_ttl(field(b, "min_ttl").as_i64().unwrap_or_default())
                .default_ttl(field(b, "default_ttl").as_i64().unwrap_or_default())
                .max_ttl(field(b, "max_ttl").as_i64().unwrap_or_default())
                .compress(field(b, "compress").as_bool().unwrap_or(true))
                .build()
                .map_err(build_error)
        })
    }};
}
use build_behavior;
