//! The desired state: every resource a topology declares, with the fields wway
//! will set and the resources each depends on. Derived from the validated
//! model alone (plus the edge functions' code folders, for their hash).

use std::collections::BTreeMap;

use super::package::package;
use crate::kinds::cloudfront::distribution as cdn_spec;
use crate::kinds::ec2::{internet_gateway, subnet, vpc};
use crate::kinds::eks::{cluster, node_group};
use crate::kinds::lambda::edge_function::{self, function_name};
use crate::kinds::route53::record::{self, record_fqdn};
use crate::kinds::route53::{health_check, zone};
use crate::kinds::{GLOBAL_REGION, Kind, ResourceAddr, spec};
use crate::topology::Topology;
use crate::topology::model::{
    Behavior, CapacityType, Cdn, Dns, EdgeFunction, GeoRestriction, HealthProtocol, Location,
    Methods, OriginTarget, Region, Routing, Target,
};

pub use crate::kinds::Resource as DesiredResource;

/// CloudFront's hosted zone, the alias target zone of every distribution.
pub const CLOUDFRONT_ZONE_ID: &str = "Z2FDTNDATAQYW2";

#[derive(Debug, Clone, Default)]
pub struct DesiredState {
    pub topology: String,
    pub resources: BTreeMap<ResourceAddr, DesiredResource>,
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
    fn add<S: serde::Serialize>(
        &mut self,
        addr: ResourceAddr,
        kind: Kind,
        region: &str,
        name: &str,
        spec: &S,
        deps: Vec<ResourceAddr>,
    ) {
        let resource = DesiredResource {
            addr: addr.clone(),
            kind,
            region: region.into(),
            name: name.into(),
            fields: spec::fields(spec),
            deps,
            source: None,
        };
        self.resources.insert(addr, resource);
    }

    /// The topology's tags, the ownership tags and extra ones (such as `Name`).
    fn tags(&self, addr: &ResourceAddr, extra: &[(&str, String)]) -> BTreeMap<String, String> {
        crate::kinds::tags(&self.topology.name, &self.topology.tags, addr, extra)
    }

    fn region(&mut self, region: &Region) {
        let name = region.name.as_str();
        let vpc = ResourceAddr::vpc(name);
        let label = format!("{}-{name}", self.topology.name);
        let spec = vpc::Spec {
            cidr: region.network.cidr.to_string(),
            tags: self.tags(&vpc, &[("Name", label.clone())]),
        };
        self.add(vpc.clone(), Kind::Vpc, name, &label, &spec, vec![]);
        if region.network.internet_gateway {
            let addr = ResourceAddr::internet_gateway(name);
            let spec = internet_gateway::Spec {
                vpc: vpc.clone(),
                tags: self.tags(&addr, &[("Name", label.clone())]),
            };
            self.add(addr, Kind::InternetGateway, name, &label, &spec, vec![vpc.clone()]);
        }

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
            let spec = subnet::Spec {
                vpc: vpc.clone(),
                availability_zone: subnet.availability_zone.clone(),
                cidr: subnet.cidr.to_string(),
                tags,
            };
            let zone = &subnet.availability_zone;
            self.add(addr.clone(), Kind::Subnet, name, zone, &spec, vec![vpc.clone()]);
            subnets.push(addr);
        }

        let cluster = &region.cluster;
        let cluster_addr = ResourceAddr::cluster(name);
        let spec = cluster::Spec {
            name: cluster.name.clone(),
            version: cluster.version.clone(),
            role_arn: cluster.role_arn.clone(),
            subnets: subnets.clone(),
            tags: self.tags(&cluster_addr, &[]),
        };
        let deps = subnets.clone();
        self.add(cluster_addr.clone(), Kind::EksCluster, name, &cluster.name, &spec, deps);

        for group in &cluster.node_groups {
            let addr = ResourceAddr::node_group(name, &group.name);
            let mut instance_types = group.instance_types.clone();
            instance_types.sort();
            let capacity = match group.capacity_type {
                CapacityType::OnDemand => "ON_DEMAND",
                CapacityType::Spot => "SPOT",
            };
            let spec = node_group::Spec {
                cluster: cluster.name.clone(),
                name: group.name.clone(),
                instance_types,
                capacity_type: capacity.into(),
                min_size: group.min,
                desired_size: group.desired,
                max_size: group.max,
                labels: group.labels.clone(),
                node_role_arn: cluster.node_role_arn.clone(),
                subnets: subnets.clone(),
                tags: self.tags(&addr, &[]),
            };
            let deps = vec![cluster_addr.clone()];
            self.add(addr, Kind::NodeGroup, name, &group.name, &spec, deps);
        }
    }

    fn edge_function(&mut self, function: &EdgeFunction, code_sha256: &str) {
        let addr = ResourceAddr::edge_function(&function.name);
        let name = function_name(&self.topology.name, &function.name);
        let spec = edge_function::Spec {
            function_name: name.clone(),
            runtime: function.runtime.clone(),
            handler: function.handler.clone(),
            role_arn: function.role_arn.clone(),
            memory_size: function.memory,
            timeout: function.timeout,
            code_sha256: code_sha256.into(),
            tags: self.tags(&addr, &[]),
        };
        self.add(addr.clone(), Kind::EdgeFunction, GLOBAL_REGION, &name, &spec, vec![]);
        if let Some(resource) = self.resources.get_mut(&addr) {
            resource.source = Some(function.source.clone());
        }
    }

    fn origin_domain(&self, region: &str) -> String {
        self.topology.region(region).and_then(|r| r.origin.clone()).unwrap_or_default()
    }

    fn distribution(&mut self, cdn: &Cdn, code: &BTreeMap<String, String>) {
        let addr = ResourceAddr::distribution();
        let origins = cdn
            .origins
            .iter()
            .map(|o| cdn_spec::Origin {
                id: o.id.clone(),
                domain_name: match &o.target {
                    OriginTarget::Domain(domain) => domain.clone(),
                    OriginTarget::Region(region) => self.origin_domain(region),
                },
                protocol_policy: "https-only".into(),
            })
            .collect();
        let behavior = |b: &Behavior| behavior(b, &self.topology.name, code);
        let certificate = match &cdn.certificate_arn {
            Some(arn) => cdn_spec::Certificate {
                acm_certificate_arn: Some(arn.clone()),
                minimum_protocol_version: Some(cdn.minimum_protocol_version.clone()),
                ssl_support_method: Some("sni-only".into()),
                cloudfront_default_certificate: None,
            },
            None => cdn_spec::Certificate {
                acm_certificate_arn: None,
                minimum_protocol_version: None,
                ssl_support_method: None,
                cloudfront_default_certificate: Some(true),
            },
        };
        let mut error_pages: Vec<cdn_spec::ErrorPage> = cdn
            .error_pages
            .iter()
            .map(|(code, path)| cdn_spec::ErrorPage {
                code: *code,
                path: path.clone(),
                response_code: *code,
            })
            .collect();
        error_pages.sort_by_key(|p| p.code);
        let geo = |restriction: &str, countries: &[String]| cdn_spec::GeoRestriction {
            restriction: restriction.into(),
            countries: sorted(countries),
        };
        let spec = cdn_spec::Spec {
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
                .map(|l| cdn_spec::Logging { bucket: l.bucket.clone(), prefix: l.prefix.clone() }),
            geo_restriction: match &cdn.geo_restriction {
                GeoRestriction::None => geo("none", &[]),
                GeoRestriction::Allow(c) => geo("whitelist", c),
                GeoRestriction::Deny(c) => geo("blacklist", c),
            },
            tags: self.tags(&addr, &[]),
        };
        let mut deps: Vec<ResourceAddr> = std::iter::once(&cdn.default_behavior)
            .chain(&cdn.behaviors)
            .flat_map(|b| b.edge_functions.iter().map(|(_, f)| ResourceAddr::edge_function(f)))
            .collect();
        deps.sort();
        deps.dedup();
        self.add(addr, Kind::Distribution, GLOBAL_REGION, "", &spec, deps);
    }

    fn dns(&mut self, dns: &Dns) {
        let zone_addr = ResourceAddr::zone(&dns.zone);
        let spec = zone::Spec { name: format!("{}.", dns.zone), tags: self.tags(&zone_addr, &[]) };
        self.add(zone_addr.clone(), Kind::Zone, GLOBAL_REGION, &dns.zone, &spec, vec![]);

        if let Some(check) = &dns.health_check {
            for region in self.topology.regions.iter().filter(|r| r.origin.is_some()) {
                let addr = ResourceAddr::health_check(&region.name);
                let protocol = match check.protocol {
                    HealthProtocol::Http => "HTTP",
                    HealthProtocol::Https => "HTTPS",
                    HealthProtocol::Tcp => "TCP",
                };
                let spec = health_check::Spec {
                    fqdn: region.origin.clone().unwrap_or_default(),
                    protocol: protocol.into(),
                    resource_path: check.path.clone(),
                    port: check.port,
                    request_interval: check.interval,
                    failure_threshold: check.failure_threshold,
                    tags: self.tags(&addr, &[]),
                };
                let name = region.name.as_str();
                self.add(addr, Kind::HealthCheck, GLOBAL_REGION, name, &spec, vec![]);
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
        routing: RecordRouting,
        target: &Target,
        zone: &ResourceAddr,
    ) {
        let addr = ResourceAddr::record(name, variant);
        let fqdn = record_fqdn(name, &dns.zone);
        let mut deps = vec![zone.clone()];
        let mut spec = record::Spec {
            name: fqdn.clone(),
            zone: zone.clone(),
            record_type: String::new(),
            set_identifier: (variant != "simple").then(|| variant.to_string()),
            ttl: None,
            values: None,
            health_check: None,
            alias: None,
            failover: routing.failover,
            geolocation: routing.geolocation,
            region: routing.region,
            weight: routing.weight,
        };
        match target {
            Target::Region(region) => {
                spec.record_type = "CNAME".into();
                spec.ttl = Some(dns.ttl);
                spec.values = Some(vec![self.origin_domain(region)]);
                if dns.health_check.is_some() {
                    let check = ResourceAddr::health_check(region);
                    spec.health_check = Some(check.clone());
                    deps.push(check);
                }
            }
            Target::Cdn => {
                let distribution = ResourceAddr::distribution();
                spec.record_type = "A".into();
                spec.alias = Some(record::Alias {
                    target: distribution.clone(),
                    zone_id: CLOUDFRONT_ZONE_ID.into(),
                });
                deps.push(distribution);
            }
        }
        self.add(addr, Kind::Record, GLOBAL_REGION, &fqdn, &spec, deps);
    }
}

/// The routing part of one record set.
#[derive(Default)]
struct RecordRouting {
    failover: Option<String>,
    geolocation: Option<BTreeMap<String, String>>,
    region: Option<String>,
    weight: Option<u64>,
}

/// The Route 53 record sets one declared record becomes: a variant name (the
/// set identifier), its routing, and what it points at.
fn variants(routing: &Routing) -> Vec<(String, RecordRouting, Target)> {
    fn region(r: &str) -> Target {
        Target::Region(r.to_string())
    }
    let geo = |key: &str, value: &str| RecordRouting {
        geolocation: Some([(key.to_string(), value.to_string())].into()),
        ..RecordRouting::default()
    };
    match routing {
        Routing::Failover { primary, secondary } => vec![
            (
                "failover-primary".into(),
                RecordRouting { failover: Some("PRIMARY".into()), ..RecordRouting::default() },
                region(primary),
            ),
            (
                "failover-secondary".into(),
                RecordRouting { failover: Some("SECONDARY".into()), ..RecordRouting::default() },
                region(secondary),
            ),
        ],
        Routing::Geolocation(locations) => locations
            .iter()
            .map(|(location, r)| {
                let (variant, routing) = match location {
                    Location::Default => ("geo-default".to_string(), geo("country", "*")),
                    Location::Country(c) => (format!("geo-{c}"), geo("country", c)),
                    Location::Continent(c) => (format!("geo-continent-{c}"), geo("continent", c)),
                };
                (variant, routing, region(r))
            })
            .collect(),
        Routing::Latency(regions) => regions
            .iter()
            .map(|r| {
                let routing = RecordRouting { region: Some(r.clone()), ..RecordRouting::default() };
                (format!("latency-{r}"), routing, region(r))
            })
            .collect(),
        Routing::Weighted(weights) => weights
            .iter()
            .map(|(r, w)| {
                let routing =
                    RecordRouting { weight: Some(u64::from(*w)), ..RecordRouting::default() };
                (format!("weighted-{r}"), routing, region(r))
            })
            .collect(),
        Routing::Simple(target) => {
            vec![("simple".into(), RecordRouting::default(), target.clone())]
        }
    }
}

fn behavior(b: &Behavior, topology: &str, code: &BTreeMap<String, String>) -> cdn_spec::Behavior {
    let methods = |m: &[&str]| m.iter().map(|m| m.to_string()).collect::<Vec<_>>();
    let (allowed, cached): (&[&str], &[&str]) = match b.methods {
        Methods::Read => (&["GET", "HEAD"], &["GET", "HEAD"]),
        Methods::ReadOptions => (&["GET", "HEAD", "OPTIONS"], &["GET", "HEAD"]),
        Methods::All => {
            (&["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"], &["GET", "HEAD"])
        }
    };
    cdn_spec::Behavior {
        path: b.path.clone(),
        origin: b.origin.clone(),
        viewer_protocol_policy: "redirect-to-https".into(),
        allowed_methods: methods(allowed),
        cached_methods: methods(cached),
        min_ttl: b.ttl.min,
        default_ttl: b.ttl.default,
        max_ttl: b.ttl.max,
        forward: cdn_spec::Forward {
            query_string: b.forward.query_string,
            headers: sorted(&b.forward.headers),
            cookies: if b.forward.cookies { "all" } else { "none" }.into(),
        },
        edge_functions: b
            .edge_functions
            .iter()
            .map(|(event, f)| cdn_spec::EdgeAssociation {
                event: event.name().into(),
                function: function_name(topology, f),
                code_sha256: code.get(f).cloned(),
            })
            .collect(),
        compress: true,
    }
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    items.sort();
    items
}
