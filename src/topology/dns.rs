//! The `dns:` section: a Route 53 zone, one health check per region origin, and
//! records with failover, geolocation, latency, weighted and simple routing.

use super::catalog::CONTINENTS;
use super::decode::{Decoder, Seen};
use super::model::{Dns, HealthCheck, HealthProtocol, Location, Record, Routing, Spanned, Target};
use super::problem::{Problem, Span};
use super::refs::Declared;
use super::values::{country_code, hostname};
use super::yaml::{Node, Value};

const POLICIES: [(&str, Policy); 5] = [
    ("failover", Policy::Failover),
    ("geolocation", Policy::Geolocation),
    ("latency", Policy::Latency),
    ("weighted", Policy::Weighted),
    ("simple", Policy::Simple),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Failover,
    Geolocation,
    Latency,
    Weighted,
    Simple,
}

impl Policy {
    /// The fields a record of this policy has besides `name` and `policy`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Policy::Failover => &["name", "policy", "primary", "secondary"],
            Policy::Geolocation => &["name", "policy", "locations"],
            Policy::Latency => &["name", "policy", "regions"],
            Policy::Weighted => &["name", "policy", "weights"],
            Policy::Simple => &["name", "policy", "region", "target"],
        }
    }
}

pub fn decode(d: &mut Decoder, node: &Node, at: Span, declared: &Declared) -> Option<Dns> {
    let f = d.fields(node, at, "`dns`", &["zone", "health_check", "records", "ttl"])?;
    let zone = f.required(d, "zone").and_then(|n| hostname(d, n, "zone name"));
    let health_check = match f.get("health_check") {
        Some(n) => health_check(d, n, f.key_span("health_check")).map(Some),
        None => Some(None),
    };
    let ttl = match f.get("ttl") {
        Some(n) => d.integer(n, "`ttl`", 0..=2_147_483_647).map(|t| t as u32),
        None => Some(60),
    };
    let ttl_at = f.get("ttl").map_or(at, |n| n.span);
    let context = RecordContext {
        zone: zone.as_deref(),
        declared,
        has_health_check: f.get("health_check").is_some(),
    };
    let records = f.required(d, "records").and_then(|n| records(d, n, &context));
    Some(Dns { zone: zone?, health_check: health_check?, records: records?, ttl: ttl?, ttl_at })
}

fn health_check(d: &mut Decoder, node: &Node, at: Span) -> Option<HealthCheck> {
    let known = ["protocol", "path", "port", "interval", "failure_threshold"];
    let f = d.fields(node, at, "`health_check`", &known)?;
    let protocols = [
        ("HTTP", HealthProtocol::Http),
        ("HTTPS", HealthProtocol::Https),
        ("TCP", HealthProtocol::Tcp),
    ];
    let protocol =
        f.required(d, "protocol").and_then(|n| d.choice(n, "health check protocol", &protocols));
    let path = f.get("path").and_then(|n| d.string(n, "`path`"));
    let port = f.get("port").map(|n| d.integer(n, "`port`", 1..=65_535).map(|p| p as u16));
    let interval = f
        .required(d, "interval")
        .and_then(|n| d.choice(n, "health check interval", &[("10", 10), ("30", 30)]));
    let failure_threshold = f
        .required(d, "failure_threshold")
        .and_then(|n| d.integer(n, "`failure_threshold`", 1..=10));
    let protocol = protocol?;
    let path = match (protocol, path) {
        (HealthProtocol::Tcp, Some(path)) => {
            d.report(
                Problem::new(
                    "topology::health-check-path",
                    "a TCP health check has no `path`",
                    path.span,
                    "path on a TCP check",
                )
                .help("remove `path`, or check over HTTP or HTTPS"),
            );
            return None;
        }
        (_, Some(path)) if !path.starts_with('/') => {
            d.report(
                Problem::new(
                    "topology::health-check-path",
                    format!("`{}` is not a path", path.value),
                    path.span,
                    "not a path",
                )
                .help(format!("a health check path starts with `/`: /{}", path.value)),
            );
            return None;
        }
        (HealthProtocol::Tcp, None) => None,
        (_, path) => Some(path.map_or_else(|| "/".to_string(), |p| p.value)),
    };
    let port = match (port, protocol) {
        (Some(port), _) => port?,
        (None, HealthProtocol::Https) => 443,
        (None, HealthProtocol::Http) => 80,
        (None, HealthProtocol::Tcp) => {
            d.report(
                Problem::new(
                    "topology::health-check-port",
                    "a TCP health check needs a `port`",
                    f.at(),
                    "no port",
                )
                .help("add `port:` with the port to connect to"),
            );
            return None;
        }
    };
    let span = |key: &str| f.get(key).map_or(at, |n| n.span);
    Some(HealthCheck {
        protocol,
        path,
        port,
        interval: interval?,
        failure_threshold: failure_threshold? as u32,
        interval_at: span("interval"),
        threshold_at: span("failure_threshold"),
    })
}

struct RecordContext<'a> {
    zone: Option<&'a str>,
    declared: &'a Declared<'a>,
    has_health_check: bool,
}

fn records(d: &mut Decoder, node: &Node, context: &RecordContext) -> Option<Vec<Record>> {
    let items = d.list(node, "`records`")?;
    let mut records = Vec::new();
    let mut names = Seen::default();
    let mut valid = true;
    for item in items {
        let Some((record, name)) = record(d, item, context) else {
            valid = false;
            continue;
        };
        let problem = Problem::new(
            "topology::duplicate-record",
            format!("two records are named `{}`", name.value),
            name.span,
            "same name again",
        )
        .help("one name has one routing policy: merge the two records or rename one");
        if !d.unique(&mut names, &name, problem, "first declared here") {
            valid = false;
            continue;
        }
        records.push(record);
    }
    valid.then_some(records)
}

fn record(
    d: &mut Decoder,
    node: &Node,
    context: &RecordContext,
) -> Option<(Record, Spanned<String>)> {
    let Value::Map(entries) = &node.value else {
        d.entries(node, "a record")?;
        return None;
    };
    let at = node.span.start_only();
    let raw = |key: &str| entries.iter().find(|e| e.key.as_key() == Some(key)).map(|e| &e.value);
    let Some(policy_node) = raw("policy").filter(|n| !n.is_null()) else {
        d.report(
            Problem::new(
                "topology::missing-field",
                "a record has no `policy`",
                at,
                "`policy` missing here",
            )
            .help("add `policy:` with failover, geolocation, latency, weighted or simple"),
        );
        return None;
    };
    let policy = d.choice(policy_node, "routing policy", &POLICIES)?;
    let name_text = raw("name").and_then(|n| n.as_key()).unwrap_or("?");
    let what = format!("record `{name_text}`");
    let f = d.fields(node, at, &what, policy.fields())?;
    let name = f.required(d, "name").and_then(|n| record_name(d, n, context.zone));
    let origin = |d: &mut Decoder, key: &str| {
        f.required(d, key).and_then(|n| context.declared.origin_region(d, n, &what))
    };
    let routing = match policy {
        Policy::Failover => {
            if !context.has_health_check {
                d.report(
                    Problem::new("topology::failover-health-check", format!("failover {what} needs health checks"), policy_node.span, "failover")
                        .help("add `dns.health_check`: Route 53 fails over when the primary's check fails"),
                );
            }
            let (primary, secondary) = (origin(d, "primary"), origin(d, "secondary"));
            let (primary, secondary) = (primary?, secondary?);
            if primary == secondary {
                let span = |key: &str| f.get(key).map_or(at, |n| n.span);
                d.report(
                    Problem::new(
                        "topology::failover-same-region",
                        format!("{what} fails over from `{primary}` to itself"),
                        span("secondary"),
                        "secondary is the primary",
                    )
                    .also(span("primary"), "primary")
                    .help("name another region as `secondary`"),
                );
                return None;
            }
            context.has_health_check.then_some(Routing::Failover { primary, secondary })
        }
        Policy::Geolocation => f
            .required(d, "locations")
            .and_then(|n| locations(d, n, context.declared, &what))
            .map(Routing::Geolocation),
        Policy::Latency => {
            latency(d, &f, context.declared, &what, policy_node).map(Routing::Latency)
        }
        Policy::Weighted => f
            .required(d, "weights")
            .and_then(|n| weights(d, n, context.declared, &what))
            .map(Routing::Weighted),
        Policy::Simple => simple(d, &f, context.declared, &what).map(Routing::Simple),
    };
    let (name, routing) = (name?, routing?);
    if name.value == "@" && !matches!(routing, Routing::Simple(Target::Cdn)) {
        d.report(
            Problem::new(
                "topology::apex-cname",
                "a record at the zone apex cannot point at a region",
                name.span,
                "the apex",
            )
            .help("a region's origin is a host name (a CNAME), which DNS forbids at the apex: give the record a name, or point the apex at the CDN with `target: cdn`"),
        );
        return None;
    }
    Some((Record { name: name.value.clone(), routing, at: name.span }, name))
}

/// A name relative to the zone: `@` for the apex, else DNS labels (a leading `*` allowed).
fn record_name(d: &mut Decoder, node: &Node, zone: Option<&str>) -> Option<Spanned<String>> {
    let name = d.string(node, "a record name")?;
    if name.value == "@" {
        return Some(name);
    }
    if let Some(zone) = zone
        && (name.value == zone || name.ends_with(&format!(".{zone}")) || name.ends_with('.'))
    {
        let relative =
            name.trim_end_matches('.').strip_suffix(zone).unwrap_or(&name).trim_end_matches('.');
        let relative = if relative.is_empty() { "@" } else { relative };
        d.report(
            Problem::new(
                "topology::record-name",
                format!(
                    "`{}` is written in full, but record names are relative to the zone",
                    name.value
                ),
                name.span,
                "fully qualified",
            )
            .help(format!("write `{relative}`")),
        );
        return None;
    }
    let valid = name.split('.').enumerate().all(|(i, label)| {
        (i == 0 && label == "*")
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'))
    });
    if valid {
        return Some(name);
    }
    d.report(
        Problem::new(
            "topology::record-name",
            format!("`{}` is not a record name", name.value),
            name.span,
            "invalid",
        )
        .help(
            "use lower-case DNS labels relative to the zone, e.g. api or geo.api; `@` is the apex",
        ),
    );
    None
}

fn locations(
    d: &mut Decoder,
    node: &Node,
    declared: &Declared,
    what: &str,
) -> Option<Vec<(Location, String)>> {
    let entries = d.entries(node, "`locations`")?;
    if entries.is_empty() {
        d.report(
            Problem::new(
                "topology::geolocation-empty",
                format!("{what} has no locations"),
                node.span.start_only(),
                "empty",
            )
            .help("map country codes (or continent:EU, ..., or default) to regions"),
        );
        return None;
    }
    let mut out = Vec::new();
    let mut valid = true;
    for entry in entries {
        let location = location(d, &entry.key);
        let region = declared.origin_region(d, &entry.value, what);
        match (location, region) {
            (Some(location), Some(region)) => out.push((location, region)),
            _ => valid = false,
        }
    }
    valid.then_some(out)
}

fn location(d: &mut Decoder, node: &Node) -> Option<Location> {
    let key = d.string(node, "a location")?;
    if key.value == "default" {
        return Some(Location::Default);
    }
    if let Some(code) = key.strip_prefix("continent:") {
        if CONTINENTS.contains(&code) {
            return Some(Location::Continent(code.to_string()));
        }
        d.report(
            Problem::new(
                "topology::continent",
                format!("`{code}` is not a Route 53 continent code"),
                key.span,
                "unknown continent",
            )
            .help(format!("use one of: {}", CONTINENTS.join(", "))),
        );
        return None;
    }
    country_code(d, node, "a location").map(Location::Country)
}

fn latency(
    d: &mut Decoder,
    f: &super::decode::Fields,
    declared: &Declared,
    what: &str,
    policy: &Node,
) -> Option<Vec<String>> {
    if let Some(list) = f.get("regions") {
        let items = d.list(list, "`regions`")?;
        let regions: Vec<Option<String>> =
            items.iter().map(|n| declared.origin_region(d, n, what)).collect();
        return regions.into_iter().collect();
    }
    let missing: Vec<&str> =
        declared.regions.iter().filter(|r| !r.has_origin).map(|r| r.name.as_str()).collect();
    if !missing.is_empty() {
        d.report(
            Problem::new(
                "topology::no-origin",
                format!(
                    "latency {what} covers every region, but {} has no `origin`",
                    missing.join(", ")
                ),
                policy.span,
                "all regions",
            )
            .help("add an `origin` to those regions, or list the record's `regions:`"),
        );
        return None;
    }
    Some(declared.regions.iter().map(|r| r.name.value.clone()).collect())
}

fn weights(
    d: &mut Decoder,
    node: &Node,
    declared: &Declared,
    what: &str,
) -> Option<Vec<(String, u8)>> {
    let entries = d.entries(node, "`weights`")?;
    let mut out = Vec::new();
    let mut valid = true;
    for entry in entries {
        let region = declared.origin_region(d, &entry.key, what);
        let weight = d.integer(&entry.value, "a weight", 0..=255);
        match (region, weight) {
            (Some(region), Some(weight)) => out.push((region, weight as u8)),
            _ => valid = false,
        }
    }
    if valid && out.iter().all(|(_, w)| *w == 0) {
        d.report(
            Problem::new(
                "topology::weights",
                format!("every weight of {what} is 0"),
                node.span.start_only(),
                "no traffic",
            )
            .help("give at least one region a weight above 0"),
        );
        return None;
    }
    valid.then_some(out)
}

fn simple(
    d: &mut Decoder,
    f: &super::decode::Fields,
    declared: &Declared,
    what: &str,
) -> Option<Target> {
    match (f.get("region"), f.get("target")) {
        (Some(region), None) => declared.origin_region(d, region, what).map(Target::Region),
        (None, Some(target)) => {
            d.choice(target, "record target", &[("cdn", ())])?;
            if declared.cdn.is_none() {
                d.report(
                    Problem::new(
                        "topology::no-cdn",
                        format!("{what} points at the CDN, but there is no `cdn` section"),
                        target.span,
                        "no CDN",
                    )
                    .help("declare the distribution under `cdn:`, or point the record at a region"),
                );
                return None;
            }
            Some(Target::Cdn)
        }
        _ => {
            d.report(
                Problem::new(
                    "topology::simple-target",
                    format!("simple {what} needs exactly one of `region` and `target`"),
                    f.at(),
                    "here",
                )
                .help(
                    "`region: us-east-1` for a region's origin, `target: cdn` for the distribution",
                ),
            );
            None
        }
    }
}
