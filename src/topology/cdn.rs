//! The `cdn:` section: one CloudFront distribution with its origins, a default
//! behavior and ordered path behaviors (each possibly running Lambda@Edge),
//! error pages, logging and geo restriction.

use super::decode::{Decoder, Fields, Seen};
use super::model::{
    Behavior, Cdn, EdgeEvent, Forward, GeoRestriction, Logging, Methods, Origin, OriginTarget,
    Spanned, Ttl,
};
use super::problem::{Problem, Span};
use super::refs::{Declared, undeclared};
use super::values::{country_code, hostname, is_hostname};
use super::yaml::{Node, Value};

/// CloudFront's cache behaviors per distribution: the default quota, and the
/// most it can be raised to (Service Quotas).
const DEFAULT_BEHAVIORS_QUOTA: usize = 25;
const MAX_BEHAVIORS: usize = 75;

const PRICE_CLASSES: [(&str, &str); 3] = [
    ("PriceClass_100", "PriceClass_100"),
    ("PriceClass_200", "PriceClass_200"),
    ("PriceClass_All", "PriceClass_All"),
];

/// CloudFront's security policies for viewer connections.
const PROTOCOL_VERSIONS: [(&str, &str); 9] = [
    ("SSLv3", "SSLv3"),
    ("TLSv1", "TLSv1"),
    ("TLSv1_2016", "TLSv1_2016"),
    ("TLSv1.1_2016", "TLSv1.1_2016"),
    ("TLSv1.2_2018", "TLSv1.2_2018"),
    ("TLSv1.2_2019", "TLSv1.2_2019"),
    ("TLSv1.2_2021", "TLSv1.2_2021"),
    ("TLSv1.2_2025", "TLSv1.2_2025"),
    ("TLSv1.3_2025", "TLSv1.3_2025"),
];

/// The error codes CloudFront can answer with a custom page.
const ERROR_CODES: &[u16] = &[400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

/// 100 years, CloudFront's largest TTL.
const MAX_TTL: i64 = 3_153_600_000;

pub fn decode(d: &mut Decoder, node: &Node, at: Span, declared: &Declared) -> Option<Cdn> {
    let known = [
        "comment",
        "aliases",
        "price_class",
        "certificate_arn",
        "minimum_protocol_version",
        "origins",
        "default_behavior",
        "behaviors",
        "error_pages",
        "logging",
        "geo_restriction",
    ];
    let f = d.fields(node, at, "`cdn`", &known)?;
    let comment = f.required(d, "comment").and_then(|n| comment(d, n));
    let aliases = match f.get("aliases") {
        Some(n) => aliases(d, n),
        None => Some(Vec::new()),
    };
    let price_class =
        f.required(d, "price_class").and_then(|n| d.choice(n, "price class", &PRICE_CLASSES));
    let certificate_arn = f.get("certificate_arn").map(|n| certificate_arn(d, n));
    let protocol = f
        .required(d, "minimum_protocol_version")
        .and_then(|n| d.choice(n, "minimum protocol version", &PROTOCOL_VERSIONS));
    let origins = f.required(d, "origins").and_then(|n| origins(d, n, declared));
    let origin_ids: Vec<String> = origins.iter().flatten().map(|o| o.id.clone()).collect();
    let default_behavior = f.required(d, "default_behavior").and_then(|n| {
        default_behavior(d, n, f.key_span("default_behavior"), &origin_ids, declared)
    });
    let behaviors = match f.get("behaviors") {
        Some(n) => behaviors(d, n, &origin_ids, declared),
        None => Some(Vec::new()),
    };
    let error_pages = match f.get("error_pages") {
        Some(n) => error_pages(d, n),
        None => Some(Vec::new()),
    };
    let logging = f.get("logging").map(|n| logging(d, n, &f));
    let geo_restriction = match f.get("geo_restriction") {
        Some(n) => geo_restriction(d, n),
        None => Some(GeoRestriction::None),
    };
    let certificate_arn = certificate_arn.transpose();
    if let (Some(aliases), Ok(None)) = (&aliases, &certificate_arn)
        && let Some(first) = aliases.first()
    {
        d.report(
            Problem::new(
                "topology::cdn-certificate",
                "the CDN has aliases but no `certificate_arn`",
                first.span,
                "an alias needs a certificate",
            )
            .help("CloudFront serves an alternate domain name only with a certificate: add an ACM certificate_arn in us-east-1"),
        );
        return None;
    }
    Some(Cdn {
        comment: comment?,
        aliases: aliases?.into_iter().map(|a| a.value).collect(),
        price_class: price_class?.to_string(),
        certificate_arn: certificate_arn.ok()?,
        minimum_protocol_version: protocol?.to_string(),
        origins: origins?,
        default_behavior: default_behavior?,
        behaviors: behaviors?,
        error_pages: error_pages?,
        logging: logging.transpose().ok()?,
        geo_restriction: geo_restriction?,
    })
}

fn comment(d: &mut Decoder, node: &Node) -> Option<String> {
    let comment = d.string(node, "`comment`")?;
    if comment.chars().count() <= 128 {
        return Some(comment.value);
    }
    d.report(
        Problem::new(
            "topology::cdn-comment",
            "the CDN comment is longer than 128 characters",
            comment.span,
            "too long",
        )
        .help("CloudFront keeps at most 128 characters: shorten it"),
    );
    None
}

fn aliases(d: &mut Decoder, node: &Node) -> Option<Vec<Spanned<String>>> {
    let aliases = d.strings(node, "`aliases`")?;
    let mut valid = true;
    for alias in &aliases {
        let wildcard = alias.strip_prefix("*.").unwrap_or(alias);
        if !is_hostname(wildcard) {
            valid = false;
            d.report(
                Problem::new(
                    "topology::hostname",
                    format!("`{}` is not a valid alias", alias.value),
                    alias.span,
                    "not a host name",
                )
                .help("write a host name such as cdn.example.com (a leading `*.` is allowed)"),
            );
        }
    }
    valid.then_some(aliases)
}

/// The ARN, or `Err(())` once the problem is reported.
fn certificate_arn(d: &mut Decoder, node: &Node) -> Result<String, ()> {
    let arn = d.string(node, "`certificate_arn`").ok_or(())?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let Some(["arn", _, "acm", region, _, resource]) =
        Some(parts.as_slice()).filter(|p| p.len() == 6)
    else {
        d.report(
            Problem::new(
                "topology::arn",
                format!("`{}` is not an ACM certificate ARN", arn.value),
                arn.span,
                "not a certificate ARN",
            )
            .help("write arn:aws:acm:us-east-1:<account>:certificate/<id>"),
        );
        return Err(());
    };
    if !resource.starts_with("certificate/") {
        d.report(
            Problem::new(
                "topology::arn",
                format!("`{}` is not an ACM certificate ARN", arn.value),
                arn.span,
                "not a certificate",
            )
            .help("the resource part of the ARN is certificate/<id>"),
        );
        return Err(());
    }
    if *region != "us-east-1" {
        d.report(
            Problem::new(
                "topology::certificate-region",
                format!("the CDN certificate is in {region}, but CloudFront only uses certificates in us-east-1"),
                arn.span,
                format!("certificate in {region}"),
            )
            .help("request or import the certificate in ACM in us-east-1 and use that ARN"),
        );
        return Err(());
    }
    Ok(arn.value)
}

fn origins(d: &mut Decoder, node: &Node, declared: &Declared) -> Option<Vec<Origin>> {
    let entries = d.entries(node, "`origins`")?;
    if entries.is_empty() {
        d.report(
            Problem::new("topology::cdn-origins", "`origins` is empty", node.span.start_only(), "no origin")
                .help("declare at least one origin: `api: {domain: api.example.com}` or `us-east-1: {region: us-east-1}`"),
        );
        return None;
    }
    let mut origins = Vec::new();
    let mut valid = true;
    for entry in entries {
        let id = d.string(&entry.key, "an origin id");
        let what = format!("origin `{}`", entry.key.as_key().unwrap_or_default());
        let target = d.fields(&entry.value, entry.key.span, &what, &["domain", "region"]).and_then(|f| {
            match (f.get("domain"), f.get("region")) {
                (Some(domain), None) => hostname(d, domain, "origin domain").map(OriginTarget::Domain),
                (None, Some(region)) => declared.origin_region(d, region, &what).map(OriginTarget::Region),
                _ => {
                    d.report(
                        Problem::new("topology::cdn-origin", format!("{what} needs exactly one of `domain` and `region`"), f.at(), "here")
                            .help("`domain: host.example.com` for a fixed host, `region: us-east-1` for a region's origin"),
                    );
                    None
                }
            }
        });
        match (id, target) {
            (Some(id), Some(target)) => origins.push(Origin { id: id.value, target }),
            _ => valid = false,
        }
    }
    valid.then_some(origins)
}

const BEHAVIOR_FIELDS: [&str; 6] =
    ["path", "origin", "methods", "ttl", "forward", "edge_functions"];

fn default_behavior(
    d: &mut Decoder,
    node: &Node,
    at: Span,
    origins: &[String],
    declared: &Declared,
) -> Option<Behavior> {
    let what = "the default behavior";
    let f = d.fields(node, at, what, &BEHAVIOR_FIELDS[1..])?;
    behavior(d, &f, None, origins, declared)
}

fn behaviors(
    d: &mut Decoder,
    node: &Node,
    origins: &[String],
    declared: &Declared,
) -> Option<Vec<Behavior>> {
    let items = d.list(node, "`behaviors`")?;
    if let Some(extra) = items.get(MAX_BEHAVIORS) {
        d.report(
            Problem::new(
                "topology::cdn-too-many-behaviors",
                format!(
                    "{} behaviors, over CloudFront's maximum of {MAX_BEHAVIORS} per distribution",
                    items.len()
                ),
                extra.span.start_only(),
                format!("behavior {} is one too many", MAX_BEHAVIORS + 1),
            )
            .help(format!(
                "CloudFront's quota is {DEFAULT_BEHAVIORS_QUOTA} cache behaviors unless raised in Service Quotas, and {MAX_BEHAVIORS} at most: \
                 merge behaviors with wider path patterns, or move paths to a second distribution"
            )),
        );
        return None;
    }
    let mut behaviors = Vec::new();
    let mut paths = Seen::default();
    let mut valid = true;
    for (index, item) in items.iter().enumerate() {
        let what = format!("behavior {} of `behaviors`", index + 1);
        let Some(f) = d.fields(item, item.span.start_only(), &what, &BEHAVIOR_FIELDS) else {
            valid = false;
            continue;
        };
        let path = f.required(d, "path").and_then(|n| behavior_path(d, n));
        if let Some(path) = &path {
            let problem = Problem::new(
                "topology::cdn-duplicate-path",
                format!("two behaviors have the path pattern `{}`", path.value),
                path.span,
                "duplicate path pattern",
            )
            .help("the first matching behavior wins, so the second is never used: merge them or change one pattern");
            valid &= d.unique(&mut paths, path, problem, "first used here");
        }
        match (behavior(d, &f, path.as_ref().map(|p| p.value.clone()), origins, declared), path) {
            (Some(b), Some(_)) => behaviors.push(b),
            _ => valid = false,
        }
    }
    valid.then_some(behaviors)
}

fn behavior_path(d: &mut Decoder, node: &Node) -> Option<Spanned<String>> {
    let path = d.string(node, "`path`")?;
    if path.value != "*" && !path.is_empty() && path.len() <= 255 {
        return Some(path);
    }
    d.report(
        Problem::new(
            "topology::cdn-path",
            format!("`{}` is not a path pattern for a behavior", path.value),
            path.span,
            "invalid",
        )
        .help("write a pattern such as /static/* or *.jpg; `*` alone is the default behavior"),
    );
    None
}

/// The settings every behavior has; `path` is `None` for the default behavior.
fn behavior(
    d: &mut Decoder,
    f: &Fields,
    path: Option<String>,
    origins: &[String],
    declared: &Declared,
) -> Option<Behavior> {
    let origin = f.required(d, "origin").and_then(|n| d.string(n, "`origin`")).filter(|o| {
        let known = origins.contains(&o.value);
        if !known && !origins.is_empty() {
            undeclared(d, o, "origin", "cdn.origins", origins.iter().map(String::as_str));
        }
        known
    });
    let methods = f.required(d, "methods").and_then(|n| {
        d.choice(
            n,
            "methods",
            &[
                ("read", Methods::Read),
                ("read-options", Methods::ReadOptions),
                ("all", Methods::All),
            ],
        )
    });
    let ttl = f.required(d, "ttl").and_then(|n| ttl(d, n, f.key_span("ttl")));
    let forward = match f.get("forward") {
        Some(n) => forward(d, n, f.key_span("forward")),
        None => Some(Forward::default()),
    };
    let edge_functions = match f.get("edge_functions") {
        Some(n) => edge_functions(d, n, declared),
        None => Some(Vec::new()),
    };
    Some(Behavior {
        path,
        origin: origin?.value,
        methods: methods?,
        ttl: ttl?,
        forward: forward?,
        edge_functions: edge_functions?,
    })
}

fn ttl(d: &mut Decoder, node: &Node, at: Span) -> Option<Ttl> {
    let f = d.fields(node, at, "`ttl`", &["min", "default", "max"])?;
    let mut read = |key: &str| {
        let node = f.required(d, key)?;
        Some((d.integer(node, &format!("`ttl.{key}`"), 0..=MAX_TTL)? as u64, node.span))
    };
    let (min, default, max) = (read("min"), read("default"), read("max"));
    let (min, default, max) = (min?, default?, max?);
    let mut valid = true;
    for ((low, low_span, low_name), (high, high_span, high_name)) in [
        ((min.0, min.1, "min"), (default.0, default.1, "default")),
        ((default.0, default.1, "default"), (max.0, max.1, "max")),
    ] {
        if low > high {
            valid = false;
            d.report(
                Problem::new(
                    "topology::ttl-order",
                    format!(
                        "the TTL's `{low_name}` ({low}) is greater than its `{high_name}` ({high})"
                    ),
                    low_span,
                    format!("{low_name} is {low}"),
                )
                .also(high_span, format!("{high_name} is {high}"))
                .help("CloudFront needs min <= default <= max"),
            );
        }
    }
    valid.then_some(Ttl { min: min.0, default: default.0, max: max.0 })
}

fn forward(d: &mut Decoder, node: &Node, at: Span) -> Option<Forward> {
    let f = d.fields(node, at, "`forward`", &["query_string", "headers", "cookies"])?;
    let query_string = match f.get("query_string") {
        Some(n) => d.boolean(n, "`query_string`"),
        None => Some(false),
    };
    let headers = match f.get("headers") {
        Some(n) => headers(d, n),
        None => Some(Vec::new()),
    };
    let cookies = match f.get("cookies") {
        Some(n) => d.choice(n, "cookie forwarding", &[("none", false), ("all", true)]),
        None => Some(false),
    };
    Some(Forward { query_string: query_string?, headers: headers?, cookies: cookies? })
}

fn headers(d: &mut Decoder, node: &Node) -> Option<Vec<String>> {
    let headers = d.strings(node, "`headers`")?;
    let mut valid = true;
    for header in &headers {
        let token = header.value == "*"
            || (!header.is_empty()
                && header.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)));
        if !token {
            valid = false;
            d.report(
                Problem::new(
                    "topology::header",
                    format!("`{}` is not an HTTP header name", header.value),
                    header.span,
                    "invalid",
                )
                .help("header names are letters, digits, `-` and `_`; `*` forwards all headers"),
            );
        }
    }
    if headers.len() > 1
        && let Some(star) = headers.iter().find(|h| h.value == "*")
    {
        valid = false;
        d.report(
            Problem::new(
                "topology::header",
                "`*` forwards every header, so it cannot be listed with others",
                star.span,
                "`*` with others",
            )
            .help("keep either `*` alone or the list of header names"),
        );
    }
    valid.then(|| headers.into_iter().map(|h| h.value).collect())
}

fn edge_functions(
    d: &mut Decoder,
    node: &Node,
    declared: &Declared,
) -> Option<Vec<(EdgeEvent, String)>> {
    let entries = d.entries(node, "`edge_functions`")?;
    let mut out = Vec::new();
    let mut valid = true;
    for entry in entries {
        let event = d.choice(&entry.key, "Lambda@Edge event", &EdgeEvent::ALL);
        let function = event.and_then(|event| declared.edge_function(d, &entry.value, event));
        match (event, function) {
            (Some(event), Some(function)) => out.push((event, function)),
            _ => valid = false,
        }
    }
    valid.then_some(out)
}

fn error_pages(d: &mut Decoder, node: &Node) -> Option<Vec<(u16, String)>> {
    let entries = d.entries(node, "`error_pages`")?;
    let mut pages = Vec::new();
    let mut valid = true;
    for entry in entries {
        let code = d.integer(&entry.key, "an error code", 400..=599).and_then(|code| {
            let code = code as u16;
            let known = ERROR_CODES.contains(&code);
            if !known {
                let codes: Vec<String> = ERROR_CODES.iter().map(u16::to_string).collect();
                d.report(
                    Problem::new(
                        "topology::error-code",
                        format!("CloudFront has no custom error page for {code}"),
                        entry.key.span,
                        "not supported",
                    )
                    .help(format!("use one of: {}", codes.join(", "))),
                );
            }
            known.then_some(code)
        });
        let page = d.string(&entry.value, "an error page path").filter(|p| {
            let absolute = p.starts_with('/');
            if !absolute {
                d.report(
                    Problem::new(
                        "topology::error-page",
                        format!("`{}` is not a path", p.value),
                        p.span,
                        "not a path",
                    )
                    .help(format!("error pages are paths on the origin: /{}", p.value)),
                );
            }
            absolute
        });
        match (code, page) {
            (Some(code), Some(page)) => pages.push((code, page.value)),
            _ => valid = false,
        }
    }
    valid.then_some(pages)
}

fn logging(d: &mut Decoder, node: &Node, parent: &Fields) -> Result<Logging, ()> {
    let f =
        d.fields(node, parent.key_span("logging"), "`logging`", &["bucket", "prefix"]).ok_or(())?;
    let bucket = f.required(d, "bucket").and_then(|n| d.string(n, "`bucket`")).ok_or(())?;
    let prefix = match f.get("prefix") {
        Some(n) => d.string(n, "`prefix`").ok_or(())?.value,
        None => String::new(),
    };
    if !bucket.ends_with(".s3.amazonaws.com") || !is_hostname(&bucket) {
        d.report(
            Problem::new(
                "topology::log-bucket",
                format!("`{}` is not an S3 bucket domain", bucket.value),
                bucket.span,
                "not a bucket domain",
            )
            .help(format!(
                "CloudFront logs to a bucket's domain name: {}.s3.amazonaws.com",
                bucket.split('.').next().unwrap_or("bucket")
            )),
        );
        return Err(());
    }
    Ok(Logging { bucket: bucket.value, prefix })
}

fn geo_restriction(d: &mut Decoder, node: &Node) -> Option<GeoRestriction> {
    if let Value::Scalar(_) = node.value {
        return d.choice(node, "geo restriction", &[("none", ())]).map(|()| GeoRestriction::None);
    }
    let f = d.fields(node, node.span.start_only(), "`geo_restriction`", &["allow", "deny"])?;
    let (list, allow) = match (f.get("allow"), f.get("deny")) {
        (Some(list), None) => (list, true),
        (None, Some(list)) => (list, false),
        _ => {
            d.report(
                Problem::new(
                    "topology::geo-restriction",
                    "`geo_restriction` needs exactly one of `allow` and `deny`",
                    node.span.start_only(),
                    "here",
                )
                .help("write `none`, `{allow: [US, CA]}` or `{deny: [..]}`"),
            );
            return None;
        }
    };
    let items = d.list(list, "the country list")?;
    let codes: Vec<Option<String>> =
        items.iter().map(|n| country_code(d, n, "a country code")).collect();
    let codes: Option<Vec<String>> = codes.into_iter().collect();
    let codes = codes?;
    Some(if allow { GeoRestriction::Allow(codes) } else { GeoRestriction::Deny(codes) })
}
