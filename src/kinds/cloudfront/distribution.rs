//! The CloudFront distribution (`global/distribution`): origins, the default
//! and ordered cache behaviors with their Lambda@Edge associations, error
//! pages, logging, geo restriction, certificate and aliases. Everything
//! changes in place. CloudFront lets an alias live on one distribution only,
//! so its aliases are what it could clash under. Once made it gives its
//! domain name, which alias records point at.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::addr::GLOBAL;
use super::super::lambda::edge_function::{self, function_name, version_digest};
use super::super::lower::sorted;
use super::super::terraform::{Exporter, Setting, VariableUse, map, output};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::{self, Cdn, Methods, OriginTarget};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub comment: String,
    pub enabled: bool,
    /// Sorted.
    pub aliases: Vec<String>,
    pub price_class: String,
    pub certificate: Certificate,
    pub origins: Vec<Origin>,
    pub default_behavior: Behavior,
    pub behaviors: Vec<Behavior>,
    /// Sorted by code.
    pub error_pages: Vec<ErrorPage>,
    pub logging: Option<Logging>,
    pub geo_restriction: GeoRestriction,
    pub tags: BTreeMap<String, String>,
}

/// An ACM certificate (with its protocol and SNI), or CloudFront's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acm_certificate_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_protocol_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl_support_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudfront_default_certificate: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    pub id: String,
    pub domain_name: String,
    pub protocol_policy: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Behavior {
    /// The path pattern of an ordered behavior (none for the default one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub origin: String,
    pub viewer_protocol_policy: String,
    pub allowed_methods: Vec<String>,
    pub cached_methods: Vec<String>,
    pub min_ttl: u64,
    pub default_ttl: u64,
    pub max_ttl: u64,
    pub forward: Forward,
    pub edge_functions: Vec<EdgeAssociation>,
    pub compress: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forward {
    pub query_string: bool,
    /// Sorted.
    pub headers: Vec<String>,
    /// `all` or `none`.
    pub cookies: String,
}

/// A Lambda@Edge function a behavior runs, at an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeAssociation {
    pub event: String,
    /// The function's name in AWS.
    pub function: String,
    /// What the function version it runs holds, code and configuration
    /// (`edge_function::version_digest`): a change of either reaches the
    /// distribution as the new version.
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorPage {
    pub code: u16,
    pub path: String,
    pub response_code: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logging {
    pub bucket: String,
    pub prefix: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoRestriction {
    /// `none`, `whitelist` or `blacklist`.
    #[serde(rename = "type")]
    pub restriction: String,
    /// Sorted.
    pub countries: Vec<String>,
}

/// The output alias records point at.
pub const DOMAIN_NAME: &str = "domain_name";

/// The export's variable for the certificate.
pub const CERTIFICATE: Setting = Setting {
    base: "cloudfront_certificate_arn",
    description: "The ACM certificate (us-east-1) for the distribution's aliases",
};

/// What Distribution is.
const ABOUT: About = About {
    kind: Kind::Distribution,
    name: "distribution",
    service: Service::CloudFront,
    placement: Placement::Global,
    replace_fields: &[],
    reference_fields: &[],
    create_before_destroy: false,
};

pub struct Distribution;

/// `global/distribution`: a topology has one.
pub fn addr() -> ResourceAddr {
    ResourceAddr::new(format!("{GLOBAL}/{}", ABOUT.name))
}

impl KindDef for Distribution {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Deployed minutes after each write; a record can alias it at once.
    fn settles(&self) -> bool {
        true
    }
    /// The file's `cdn:`, running the edge functions its behaviors name.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let Some(cdn) = &from.topology.cdn else { return Vec::new() };
        let addr = addr();
        let spec = spec_of(cdn, from, from.tags(&addr, &[]));
        let mut deps: Vec<ResourceAddr> = std::iter::once(&cdn.default_behavior)
            .chain(&cdn.behaviors)
            .flat_map(|b| b.edge_functions.iter().map(|(_, f)| edge_function::addr(f)))
            .collect();
        deps.sort();
        deps.dedup();
        vec![lower::resource(addr, Kind::Distribution, "", &spec, deps)]
    }
    fn fixture(&self) -> Resource {
        let addr = addr();
        let behavior = |path: Option<&str>, function: Option<&str>| Behavior {
            path: path.map(str::to_string),
            origin: "eu".into(),
            viewer_protocol_policy: "redirect-to-https".into(),
            allowed_methods: vec!["GET".into(), "HEAD".into()],
            cached_methods: vec!["GET".into(), "HEAD".into()],
            min_ttl: 0,
            default_ttl: 60,
            max_ttl: 3600,
            forward: Forward { query_string: true, headers: vec![], cookies: "none".into() },
            edge_functions: function
                .map(|f| EdgeAssociation {
                    event: "origin-request".into(),
                    function: f.into(),
                    version: Some("0".repeat(16)),
                })
                .into_iter()
                .collect(),
            compress: true,
        };
        let spec = Spec {
            comment: "demo".into(),
            enabled: true,
            aliases: vec!["www.demo.example".into()],
            price_class: "PriceClass_All".into(),
            certificate: Certificate {
                acm_certificate_arn: None,
                minimum_protocol_version: None,
                ssl_support_method: None,
                cloudfront_default_certificate: Some(true),
            },
            origins: vec![Origin {
                id: "eu".into(),
                domain_name: "eu.origin.demo.example".into(),
                protocol_policy: "https-only".into(),
            }],
            default_behavior: behavior(None, None),
            behaviors: vec![behavior(Some("/api/*"), Some("demo-router"))],
            error_pages: vec![ErrorPage {
                code: 503,
                path: "/503.html".into(),
                response_code: 503,
            }],
            logging: None,
            geo_restriction: GeoRestriction { restriction: "none".into(), countries: vec![] },
            tags: spec::fixture_tags(&addr),
        };
        let router = edge_function::addr("router");
        lower::resource(addr, Kind::Distribution, "", &spec, vec![router])
    }
    fn outputs(&self) -> &'static [&'static str] {
        &[DOMAIN_NAME]
    }
    /// Its aliases: CloudFront lets an alias live on one distribution only.
    fn identities(&self, _name: &str, fields: &Fields) -> Vec<String> {
        let aliases = fields.get("aliases").and_then(|a| a.as_array()).into_iter().flatten();
        aliases.filter_map(|a| a.as_str()).map(str::to_string).collect()
    }
    fn terraform_type(&self) -> &'static str {
        "aws_cloudfront_distribution"
    }
    fn terraform_file(&self, _region: &str) -> String {
        "cdn.tf".into()
    }
    fn terraform_name(&self, _addr: &ResourceAddr) -> String {
        "cdn".into()
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![block(r, spec, export)])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
    fn terraform_outputs(&self, r: &Resource, export: &dyn Exporter) -> Vec<Block> {
        vec![output(
            "distribution_domain_name",
            "The CloudFront distribution's domain name.".into(),
            export.attribute(r.addr.as_str(), DOMAIN_NAME),
        )]
    }
    fn terraform_variables(&self, r: &Resource) -> Vec<VariableUse> {
        let certificate = r.fields.get("certificate");
        VariableUse::of(CERTIFICATE, "", certificate.and_then(|c| c.get("acm_certificate_arn")))
    }
}

fn block(r: &Resource, spec: Spec, export: &dyn Exporter) -> Block {
    let mut block = export
        .resource(r)
        .attr("enabled", Expr::Bool(spec.enabled))
        .attr("comment", Expr::Str(spec.comment))
        .attr("aliases", Expr::strs(spec.aliases))
        .attr("price_class", Expr::Str(spec.price_class))
        .attr("tags", map(&spec.tags));
    for origin in spec.origins {
        block = block.block(
            Block::new("origin", &[])
                .attr("origin_id", Expr::Str(origin.id))
                .attr("domain_name", Expr::Str(origin.domain_name))
                .block(
                    Block::new("custom_origin_config", &[])
                        .attr("http_port", Expr::Num(80))
                        .attr("https_port", Expr::Num(443))
                        .attr("origin_protocol_policy", Expr::Str(origin.protocol_policy))
                        .attr("origin_ssl_protocols", Expr::strs(["TLSv1.2"])),
                ),
        );
    }
    block = block.block(behavior("default_cache_behavior", spec.default_behavior, export));
    for b in spec.behaviors {
        block = block.block(behavior("ordered_cache_behavior", b, export));
    }
    for page in spec.error_pages {
        block = block.block(
            Block::new("custom_error_response", &[])
                .attr("error_code", Expr::Num(i64::from(page.code)))
                .attr("response_code", Expr::Num(i64::from(page.response_code)))
                .attr("response_page_path", Expr::Str(page.path)),
        );
    }
    if let Some(logging) = spec.logging {
        block = block.block(
            Block::new("logging_config", &[])
                .attr("bucket", Expr::Str(logging.bucket))
                .attr("prefix", Expr::Str(logging.prefix))
                .attr("include_cookies", Expr::Bool(false)),
        );
    }
    block = block.block(
        Block::new("restrictions", &[]).block(
            Block::new("geo_restriction", &[])
                .attr("restriction_type", Expr::Str(spec.geo_restriction.restriction))
                .attr("locations", Expr::strs(spec.geo_restriction.countries)),
        ),
    );
    let certificate = spec.certificate;
    let viewer = match certificate.acm_certificate_arn {
        Some(_) => Block::new("viewer_certificate", &[])
            .attr("acm_certificate_arn", export.variable(CERTIFICATE, ""))
            .attr(
                "ssl_support_method",
                Expr::Str(certificate.ssl_support_method.unwrap_or_default()),
            )
            .attr(
                "minimum_protocol_version",
                Expr::Str(certificate.minimum_protocol_version.unwrap_or_default()),
            ),
        None => Block::new("viewer_certificate", &[])
            .attr("cloudfront_default_certificate", Expr::Bool(true)),
    };
    block.block(viewer)
}

/// A cache behavior; `ordered` ones carry their path pattern.
fn behavior(kind: &str, b: Behavior, export: &dyn Exporter) -> Block {
    let mut block = Block::new(kind, &[]);
    if let Some(path) = b.path {
        block = block.attr("path_pattern", Expr::Str(path));
    }
    let ttl = |n: u64| Expr::Num(i64::try_from(n).unwrap_or(i64::MAX));
    block = block
        .attr("target_origin_id", Expr::Str(b.origin))
        .attr("viewer_protocol_policy", Expr::Str(b.viewer_protocol_policy))
        .attr("allowed_methods", Expr::strs(b.allowed_methods))
        .attr("cached_methods", Expr::strs(b.cached_methods))
        .attr("compress", Expr::Bool(b.compress))
        .attr("min_ttl", ttl(b.min_ttl))
        .attr("default_ttl", ttl(b.default_ttl))
        .attr("max_ttl", ttl(b.max_ttl));
    block = block.block(
        Block::new("forwarded_values", &[])
            .attr("query_string", Expr::Bool(b.forward.query_string))
            .attr("headers", Expr::strs(b.forward.headers))
            .block(Block::new("cookies", &[]).attr("forward", Expr::Str(b.forward.cookies))),
    );
    block.blocks(b.edge_functions.into_iter().map(|f| {
        Block::new("lambda_function_association", &[])
            .attr("event_type", Expr::Str(f.event))
            .attr(
                "lambda_arn",
                export.attribute(&function_addr(export, &f.function), "qualified_arn"),
            )
            .attr("include_body", Expr::Bool(false))
    }))
}

/// The address of the edge function AWS knows as `function`.
fn function_addr(export: &dyn Exporter, function: &str) -> String {
    let found = export.all(Kind::EdgeFunction).into_iter().find(|r| r.name == function);
    found.map_or_else(|| edge_function::addr(function).to_string(), |r| r.addr.to_string())
}

/// The spec of the file's `cdn:`, with `tags`.
fn spec_of(cdn: &Cdn, from: &Lowering, tags: BTreeMap<String, String>) -> Spec {
    let origins = cdn
        .origins
        .iter()
        .map(|o| Origin {
            id: o.id.clone(),
            domain_name: match &o.target {
                OriginTarget::Domain(domain) => domain.clone(),
                OriginTarget::Region(region) => from.origin_domain(region),
            },
            protocol_policy: "https-only".into(),
        })
        .collect();
    let certificate = match &cdn.certificate_arn {
        Some(arn) => Certificate {
            acm_certificate_arn: Some(arn.clone()),
            minimum_protocol_version: Some(cdn.minimum_protocol_version.clone()),
            ssl_support_method: Some("sni-only".into()),
            cloudfront_default_certificate: None,
        },
        None => Certificate {
            acm_certificate_arn: None,
            minimum_protocol_version: None,
            ssl_support_method: None,
            cloudfront_default_certificate: Some(true),
        },
    };
    let mut error_pages: Vec<ErrorPage> = cdn
        .error_pages
        .iter()
        .map(|(code, path)| ErrorPage { code: *code, path: path.clone(), response_code: *code })
        .collect();
    error_pages.sort_by_key(|p| p.code);
    let geo = |restriction: &str, countries: &[String]| GeoRestriction {
        restriction: restriction.into(),
        countries: sorted(countries),
    };
    let behavior = |b: &model::Behavior| behavior_of(b, from);
    Spec {
        comment: cdn.comment.clone(),
        enabled: true,
        aliases: sorted(&cdn.aliases),
        price_class: cdn.price_class.clone(),
        certificate,
        origins,
        default_behavior: behavior(&cdn.default_behavior),
        behaviors: cdn.behaviors.iter().map(behavior).collect(),
        error_pages,
        logging: cdn
            .logging
            .as_ref()
            .map(|l| Logging { bucket: l.bucket.clone(), prefix: l.prefix.clone() }),
        geo_restriction: match &cdn.geo_restriction {
            model::GeoRestriction::None => geo("none", &[]),
            model::GeoRestriction::Allow(c) => geo("whitelist", c),
            model::GeoRestriction::Deny(c) => geo("blacklist", c),
        },
        tags,
    }
}

fn behavior_of(b: &model::Behavior, from: &Lowering) -> Behavior {
    let methods = |m: &[&str]| m.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    let (allowed, cached): (&[&str], &[&str]) = match b.methods {
        Methods::Read => (&["GET", "HEAD"], &["GET", "HEAD"]),
        Methods::ReadOptions => (&["GET", "HEAD", "OPTIONS"], &["GET", "HEAD"]),
        Methods::All => {
            (&["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"], &["GET", "HEAD"])
        }
    };
    Behavior {
        path: b.path.clone(),
        origin: b.origin.clone(),
        viewer_protocol_policy: "redirect-to-https".into(),
        allowed_methods: methods(allowed),
        cached_methods: methods(cached),
        min_ttl: b.ttl.min,
        default_ttl: b.ttl.default,
        max_ttl: b.ttl.max,
        forward: Forward {
            query_string: b.forward.query_string,
            headers: sorted(&b.forward.headers),
            cookies: if b.forward.cookies { "all" } else { "none" }.into(),
        },
        edge_functions: b
            .edge_functions
            .iter()
            .map(|(event, f)| EdgeAssociation {
                event: event.name().into(),
                function: function_name(&from.topology.name, f),
                version: from.topology.edge_functions.iter().find(|e| &e.name == f).map(|e| {
                    let code = from.code.get(f).map(String::as_str).unwrap_or_default();
                    let (memory, timeout) = (i64::from(e.memory), i64::from(e.timeout));
                    version_digest(code, &e.runtime, &e.handler, &e.role_arn, memory, timeout)
                }),
            })
            .collect(),
        compress: true,
    }
}
