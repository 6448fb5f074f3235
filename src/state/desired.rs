//! The desired state: every resource a topology declares, with the fields wway
//! will set and the resources each depends on. Derived from the validated
//! model alone (plus the edge functions' code folders, for their hash).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::package::package;
use super::{Fields, ID_TAG, Kind, ResourceAddr, TOPOLOGY_TAG};
use crate::topology::Topology;
use crate::topology::model::{
    Behavior, CapacityType, Cdn, Dns, EdgeFunction, GeoRestriction, HealthProtocol, Location,
    Methods, OriginTarget, Region, Routing, Target,
};

/// CloudFront's hosted zone, the alias target zone of every distribution.
pub const CLOUDFRONT_ZONE_ID: &str = "Z2FDTNDATAQYW2";

#[derive(Debug, Clone)]
pub struct DesiredResource {
    pub addr: ResourceAddr,
    pub kind: Kind,
    /// The AWS region whose API manages it (us-east-1 for the global services).
    pub region: String,
    /// Its name in AWS, where it has one that another resource could hold.
    pub name: String,
    pub fields: Fields,
    pub deps: Vec<ResourceAddr>,
    /// An edge function's code folder (kept out of `fields`: paths are not
    /// settings, and the code's hash is).
    pub source: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default)]
pub struct DesiredState {
    pub topology: String,
    pub resources: BTreeMap<ResourceAddr, DesiredResource>,
}

/// The name AWS knows an edge function by.
pub fn function_name(topology: &str, function: &str) -> String {
    format!("{topology}-{function}")
}

/// A record's fully qualified name, with the trailing dot Route 53 answers with.
pub fn record_fqdn(name: &str, zone: &str) -> String {
    if name == "@" { format!("{zone}.") } else { format!("{name}.{zone}.") }
}

/// The owner record beside a managed record: `_wway.<name>.<zone>.`.
pub fn owner_fqdn(name: &str, zone: &str) -> String {
    record_fqdn(&if name == "@" { "_wway".to_string() } else { format!("_wway.{name}") }, zone)
}

/// What the owner record says of one record set: the topology and the set's
/// variant (its set identifier, or `simple`): `wway=wonderway/failover-primary`.
/// The record's name is the owner record's own, so the string stays short: a
/// zone of 1,000 records and their owners fits two ChangeResourceRecordSets
/// calls.
pub fn owner_value(topology: &str, addr: &ResourceAddr) -> String {
    let variant = addr.as_str().rsplit('/').next().unwrap_or("simple");
    format!("wway={topology}/{variant}")
}

pub fn desired(topology: &Topology) -> std::io::Result<DesiredState> {
    let mut state = Builder { topology, resources: BTreeMap::new() };
    for region in &topology.regions {
        state.region(region);
    }
    let mut code = BTreeMap::new();
    for function in &topology.edge_functions {
        let sha = package(&function.source)?.sha256;
        state.edge_function(function, &sha);
        code.insert(function.name.clone(), sha);
    }
    if let Some(cdn) = &topology.cdn {
        state.distribution(cdn, &code);
    }
    if let Some(dns) = &topology.dns {
        state.dns(dns);
    }
    Ok(DesiredState { topology: topology.name.clone(), resources: state.resources })
}

struct Builder<'t> {
    topology: &'t Topology,
    resources: BTreeMap<ResourceAddr, DesiredResource>,
}

impl Builder<'_> {
    fn add(
        &mut self,
        addr: ResourceAddr,
        kind: Kind,
        region: &str,
        name: &str,
        fields: Fields,
        deps: Vec<ResourceAddr>,
    ) {
        let resource = DesiredResource {
            addr: addr.clone(),
            kind,
            region: region.into(),
            name: name.into(),
            fields,
            deps,
            source: None,
        };
        self.resources.insert(addr, resource);
    }

    /// The topology's tags, the ownership tags and extra ones (such as `Name`).
    fn tags(&self, addr: &ResourceAddr, extra: &[(&str, String)]) -> Value {
        let mut tags: BTreeMap<String, String> = self.topology.tags.clone();
        tags.insert(TOPOLOGY_TAG.into(), self.topology.name.clone());
        tags.insert(ID_TAG.into(), addr.to_string());
        tags.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
        json!(tags)
    }

    fn region(&mut self, region: &Region) {
        let name = region.name.as_str();
        let vpc = ResourceAddr::vpc(name);
        let label = format!("{}-{name}", self.topology.name);
        let fields = field_map([
            ("cidr", json!(region.network.cidr.to_string())),
            ("tags", self.tags(&vpc, &[("Name", label.clone())])),
        ]);
        self.add(vpc.clone(), Kind::Vpc, name, &label, fields, vec![]);

        let mut subnets = Vec::new();
        for subnet in &region.network.subnets {
            let addr = ResourceAddr::subnet(name, &subnet.availability_zone);
            let tags = self.tags(
                &addr,
                &[
                    ("Name", format!("{}-{}", self.topology.name, subnet.availability_zone)),
                    ("kubernetes.io/role/internal-elb", "1".into()),
                ],
            );
            let fields = field_map([
                ("vpc", json!(vpc)),
                ("availability_zone", json!(subnet.availability_zone)),
                ("cidr", json!(subnet.cidr.to_string())),
                ("tags", tags),
            ]);
            self.add(
                addr.clone(),
                Kind::Subnet,
                name,
                &subnet.availability_zone,
                fields,
                vec![vpc.clone()],
            );
            subnets.push(addr);
        }

        let cluster = &region.cluster;
        let cluster_addr = ResourceAddr::cluster(name);
        let fields = field_map([
            ("name", json!(cluster.name)),
            ("version", json!(cluster.version)),
            ("role_arn", json!(cluster.role_arn)),
            ("subnets", json!(subnets)),
            ("tags", self.tags(&cluster_addr, &[])),
        ]);
        self.add(
            cluster_addr.clone(),
            Kind::EksCluster,
            name,
            &cluster.name,
            fields,
            subnets.clone(),
        );

        for group in &cluster.node_groups {
            let addr = ResourceAddr::node_group(name, &group.name);
            let mut instance_types = group.instance_types.clone();
            instance_types.sort();
            let capacity = match group.capacity_type {
                CapacityType::OnDemand => "ON_DEMAND",
                CapacityType::Spot => "SPOT",
            };
            let fields = field_map([
                ("cluster", json!(cluster.name)),
                ("name", json!(group.name)),
                ("instance_types", json!(instance_types)),
                ("capacity_type", json!(capacity)),
                ("min_size", json!(group.min)),
                ("desired_size", json!(group.desired)),
                ("max_size", json!(group.max)),
                ("labels", json!(group.labels)),
                ("node_role_arn", json!(cluster.node_role_arn)),
                ("subnets", json!(subnets)),
                ("tags", self.tags(&addr, &[])),
            ]);
            let deps = vec![cluster_addr.clone()];
            self.add(addr, Kind::NodeGroup, name, &group.name, fields, deps);
        }
    }

    fn edge_function(&mut self, function: &EdgeFunction, code_sha256: &str) {
        let addr = ResourceAddr::edge_function(&function.name);
        let name = function_name(&self.topology.name, &function.name);
        let fields = field_map([
            ("function_name", json!(name)),
            ("runtime", json!(function.runtime)),
            ("handler", json!(function.handler)),
            ("role_arn", json!(function.role_arn)),
            ("memory_size", json!(function.memory)),
            ("timeout", json!(function.timeout)),
            ("code_sha256", json!(code_sha256)),
            ("tags", self.tags(&addr, &[])),
        ]);
        self.add(addr.clone(), Kind::EdgeFunction, "us-east-1", &name, fields, vec![]);
        if let Some(resource) = self.resources.get_mut(&addr) {
            resource.source = Some(function.source.clone());
        }
    }

    fn origin_domain(&self, region: &str) -> String {
        self.topology.region(region).and_then(|r| r.origin.clone()).unwrap_or_default()
    }

    fn distribution(&mut self, cdn: &Cdn, code: &BTreeMap<String, String>) {
        let addr = ResourceAddr::distribution();
        let origins: Vec<Value> = cdn
            .origins
            .iter()
            .map(|o| {
                let domain = match &o.target {
                    OriginTarget::Domain(domain) => domain.clone(),
                    OriginTarget::Region(region) => self.origin_domain(region),
                };
                json!({"id": o.id, "domain_name": domain, "protocol_policy": "https-only"})
            })
            .collect();
        let behavior = |b: &Behavior| behavior(b, &self.topology.name, code);
        let certificate = match &cdn.certificate_arn {
            Some(arn) => json!({
                "acm_certificate_arn": arn,
                "minimum_protocol_version": cdn.minimum_protocol_version,
                "ssl_support_method": "sni-only",
            }),
            None => json!({"cloudfront_default_certificate": true}),
        };
        let mut aliases = cdn.aliases.clone();
        aliases.sort();
        let mut error_pages: Vec<Value> = cdn
            .error_pages
            .iter()
            .map(|(code, path)| json!({"code": code, "path": path, "response_code": code}))
            .collect();
        error_pages.sort_by_key(|p| p["code"].as_u64());
        let geo = match &cdn.geo_restriction {
            GeoRestriction::None => json!({"type": "none", "countries": []}),
            GeoRestriction::Allow(c) => json!({"type": "whitelist", "countries": sorted(c)}),
            GeoRestriction::Deny(c) => json!({"type": "blacklist", "countries": sorted(c)}),
        };
        let logging = match &cdn.logging {
            Some(l) => json!({"bucket": l.bucket, "prefix": l.prefix}),
            None => Value::Null,
        };
        let fields = field_map([
            ("comment", json!(cdn.comment)),
            ("enabled", json!(true)),
            ("aliases", json!(aliases)),
            ("price_class", json!(cdn.price_class)),
            ("certificate", certificate),
            ("origins", json!(origins)),
            ("default_behavior", behavior(&cdn.default_behavior)),
            ("behaviors", json!(cdn.behaviors.iter().map(behavior).collect::<Vec<_>>())),
            ("error_pages", json!(error_pages)),
            ("logging", logging),
            ("geo_restriction", geo),
            ("tags", self.tags(&addr, &[])),
        ]);
        let mut deps: Vec<ResourceAddr> = std::iter::once(&cdn.default_behavior)
            .chain(&cdn.behaviors)
            .flat_map(|b| b.edge_functions.iter().map(|(_, f)| ResourceAddr::edge_function(f)))
            .collect();
        deps.sort();
        deps.dedup();
        self.add(addr, Kind::Distribution, "us-east-1", "", fields, deps);
    }

    fn dns(&mut self, dns: &Dns) {
        let zone_addr = ResourceAddr::zone(&dns.zone);
        let fields = field_map([
            ("name", json!(format!("{}.", dns.zone))),
            ("tags", self.tags(&zone_addr, &[])),
        ]);
        self.add(zone_addr.clone(), Kind::Zone, "us-east-1", &dns.zone, fields, vec![]);

        if let Some(check) = &dns.health_check {
            for region in self.topology.regions.iter().filter(|r| r.origin.is_some()) {
                let addr = ResourceAddr::health_check(&region.name);
                let kind = match check.protocol {
                    HealthProtocol::Http => "HTTP",
                    HealthProtocol::Https => "HTTPS",
                    HealthProtocol::Tcp => "TCP",
                };
                let fields = field_map([
                    ("fqdn", json!(region.origin)),
                    ("type", json!(kind)),
                    ("resource_path", json!(check.path)),
                    ("port", json!(check.port)),
                    ("request_interval", json!(check.interval)),
                    ("failure_threshold", json!(check.failure_threshold)),
                    ("tags", self.tags(&addr, &[])),
                ]);
                self.add(addr, Kind::HealthCheck, "us-east-1", &region.name, fields, vec![]);
            }
        }

        for record in &dns.records {
            for (variant, routing, target) in variants(&record.routing) {
                self.record(dns, &record.name, &variant, routing, &target, &zone_addr);
            }
        }
    }

    fn record(
        &mut self,
        dns: &Dns,
        name: &str,
        variant: &str,
        routing: Value,
        target: &Target,
        zone: &ResourceAddr,
    ) {
        let addr = ResourceAddr::record(name, variant);
        let fqdn = record_fqdn(name, &dns.zone);
        let mut fields = field_map([("name", json!(fqdn)), ("zone", json!(zone))]);
        if variant != "simple" {
            fields.insert("set_identifier".into(), json!(variant));
        }
        if let Value::Object(routing) = routing {
            fields.extend(routing);
        }
        let mut deps = vec![zone.clone()];
        match target {
            Target::Region(region) => {
                fields.insert("type".into(), json!("CNAME"));
                fields.insert("ttl".into(), json!(dns.ttl));
                fields.insert("values".into(), json!([self.origin_domain(region)]));
                if dns.health_check.is_some() {
                    let check = ResourceAddr::health_check(region);
                    fields.insert("health_check".into(), json!(check));
                    deps.push(check);
                }
            }
            Target::Cdn => {
                let distribution = ResourceAddr::distribution();
                fields.insert("type".into(), json!("A"));
                fields.insert(
                    "alias".into(),
                    json!({"target": distribution, "zone_id": CLOUDFRONT_ZONE_ID}),
                );
                deps.push(distribution);
            }
        }
        self.add(addr, Kind::Record, "us-east-1", &fqdn, fields, deps);
    }
}

/// The Route 53 record sets one declared record becomes: a variant name (the
/// set identifier), its routing fields, and what it points at.
fn variants(routing: &Routing) -> Vec<(String, Value, Target)> {
    fn region(r: &str) -> Target {
        Target::Region(r.to_string())
    }
    match routing {
        Routing::Failover { primary, secondary } => vec![
            ("failover-primary".into(), json!({"failover": "PRIMARY"}), region(primary)),
            ("failover-secondary".into(), json!({"failover": "SECONDARY"}), region(secondary)),
        ],
        Routing::Geolocation(locations) => locations
            .iter()
            .map(|(location, r)| {
                let (variant, geo) = match location {
                    Location::Default => ("geo-default".to_string(), json!({"country": "*"})),
                    Location::Country(c) => (format!("geo-{c}"), json!({"country": c})),
                    Location::Continent(c) => {
                        (format!("geo-continent-{c}"), json!({"continent": c}))
                    }
                };
                (variant, json!({"geolocation": geo}), region(r))
            })
            .collect(),
        Routing::Latency(regions) => regions
            .iter()
            .map(|r| (format!("latency-{r}"), json!({"region": r}), region(r)))
            .collect(),
        Routing::Weighted(weights) => weights
            .iter()
            .map(|(r, w)| (format!("weighted-{r}"), json!({"weight": w}), region(r)))
            .collect(),
        Routing::Simple(target) => vec![("simple".into(), json!({}), target.clone())],
    }
}

fn behavior(b: &Behavior, topology: &str, code: &BTreeMap<String, String>) -> Value {
    let (allowed, cached): (&[&str], &[&str]) = match b.methods {
        Methods::Read => (&["GET", "HEAD"], &["GET", "HEAD"]),
        Methods::ReadOptions => (&["GET", "HEAD", "OPTIONS"], &["GET", "HEAD"]),
        Methods::All => {
            (&["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"], &["GET", "HEAD"])
        }
    };
    let edge: Vec<Value> = b
        .edge_functions
        .iter()
        .map(|(event, f)| {
            json!({"event": event.name(), "function": function_name(topology, f), "code_sha256": code.get(f)})
        })
        .collect();
    let mut value = json!({
        "origin": b.origin,
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": allowed,
        "cached_methods": cached,
        "min_ttl": b.ttl.min,
        "default_ttl": b.ttl.default,
        "max_ttl": b.ttl.max,
        "forward": {
            "query_string": b.forward.query_string,
            "headers": sorted(&b.forward.headers),
            "cookies": if b.forward.cookies { "all" } else { "none" },
        },
        "edge_functions": edge,
        "compress": true,
    });
    if let Some(path) = &b.path {
        value["path"] = json!(path);
    }
    value
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    items.sort();
    items
}

fn field_map<const N: usize>(pairs: [(&str, Value); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
