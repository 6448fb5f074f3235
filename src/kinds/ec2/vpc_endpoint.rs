//! A VPC endpoint of a region (`<region>/vpc-endpoint/<service>`): the
//! service is reached without the NAT (and its per-gigabyte price), or
//! with `nat: none` at all. A gateway endpoint (`s3` by default,
//! `dynamodb`) is reached from every subnet through routes AWS adds to the
//! tables it names; an interface endpoint (ECR, STS, EC2...) is a network
//! interface in each zone's private subnet, behind the region's endpoints
//! security group, with private DNS so that the service's usual name
//! answers with it. Its tables, subnets and groups change in place; a new
//! service, type, VPC or private DNS setting replaces it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The VPC's address.
    pub vpc: ResourceAddr,
    /// AWS's name of the service: `com.amazonaws.<region>.<service>`.
    pub service: String,
    /// `Gateway` or `Interface`, as AWS spells it.
    #[serde(rename = "type")]
    pub endpoint_type: String,
    /// A gateway's: the route tables whose subnets reach it.
    pub route_tables: Vec<ResourceAddr>,
    /// An interface's: the subnets it has a network interface in.
    pub subnets: Vec<ResourceAddr>,
    /// An interface's: the security groups of its network interfaces.
    pub security_groups: Vec<ResourceAddr>,
    /// An interface's: the service's own DNS name answers with it inside
    /// the VPC.
    pub private_dns: bool,
    pub tags: BTreeMap<String, String>,
}

pub const GATEWAY: &str = "Gateway";
pub const INTERFACE: &str = "Interface";

/// What VpcEndpoint is.
const ABOUT: About = About {
    kind: Kind::VpcEndpoint,
    name: "vpc-endpoint",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc", "service", "type", "private_dns"],
    reference_fields: &["vpc"],
    // A table routes a service's prefix list to one endpoint, and a
    // service's private DNS name answers for one endpoint in a VPC.
    create_before_destroy: false,
};

pub struct VpcEndpoint;

/// `<region>/vpc-endpoint/<service>`.
pub fn addr(region: &str, service: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{service}", ABOUT.name))
}

/// AWS's name of a regional service.
pub fn service_name(region: &str, service: &str) -> String {
    format!("com.amazonaws.{region}.{service}")
}

/// Where an endpoint is reached from: a gateway's route tables, or an
/// interface's subnets and security groups.
enum Reach {
    Gateway(Vec<ResourceAddr>),
    Interface { subnets: Vec<ResourceAddr>, security_group: ResourceAddr },
}

fn spec_of(
    region: &str,
    service: &str,
    reach: Reach,
    tags: BTreeMap<String, String>,
) -> (Spec, Vec<ResourceAddr>) {
    let vpc = super::vpc::addr(region);
    let service = service_name(region, service);
    let spec = match reach {
        Reach::Gateway(mut route_tables) => {
            // In the order the account's read lists them.
            route_tables.sort();
            Spec {
                vpc,
                service,
                endpoint_type: GATEWAY.into(),
                route_tables,
                subnets: Vec::new(),
                security_groups: Vec::new(),
                private_dns: false,
                tags,
            }
        }
        Reach::Interface { mut subnets, security_group } => {
            subnets.sort();
            Spec {
                vpc,
                service,
                endpoint_type: INTERFACE.into(),
                route_tables: Vec::new(),
                subnets,
                security_groups: vec![security_group],
                private_dns: true,
                tags,
            }
        }
    };
    let deps = std::iter::once(&spec.vpc)
        .chain(&spec.route_tables)
        .chain(&spec.subnets)
        .chain(&spec.security_groups);
    let deps = deps.cloned().collect();
    (spec, deps)
}

impl KindDef for VpcEndpoint {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    fn pointer_fields(&self) -> &'static [&'static str] {
        &["route_tables", "subnets", "security_groups"]
    }
    /// One per endpoint a region's network asks for: a gateway in all its
    /// route tables, an interface in every zone's private subnet.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let network = &region.network;
            let gateways = network
                .gateway_endpoints()
                .map(|service| (service, Reach::Gateway(super::route_table::of(region))));
            let interfaces = network.interface_endpoints().map(|service| {
                let zones = network.subnets.iter();
                let subnets =
                    zones.map(|s| super::subnet::addr(&region.name, &s.availability_zone));
                let security_group = super::security_group::endpoints_addr(&region.name);
                (service, Reach::Interface { subnets: subnets.collect(), security_group })
            });
            for (service, reach) in gateways.chain(interfaces) {
                let addr = addr(&region.name, service);
                let name = format!("{}-{service}", from.label(&region.name));
                let tags = from.tags(&addr, &[("Name", name.clone())]);
                let (spec, deps) = spec_of(&region.name, service, reach, tags);
                resources.push(lower::resource(addr, Kind::VpcEndpoint, &name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "s3");
        let tables = vec![super::route_table::addr("eu-west-1", "eu-west-1a")];
        let reach = Reach::Gateway(tables);
        let (spec, deps) = spec_of("eu-west-1", "s3", reach, spec::fixture_tags(&addr));
        lower::resource(addr, Kind::VpcEndpoint, "demo-eu-west-1-s3", &spec, deps)
    }
    fn terraform_type(&self) -> &'static str {
        "aws_vpc_endpoint"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let ids = |addrs: &[ResourceAddr]| {
            export.ids(&addrs.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        let endpoint = export
            .resource(r)
            .attr("vpc_id", export.attribute(spec.vpc.as_str(), "id"))
            .attr("service_name", Expr::Str(spec.service))
            .attr("vpc_endpoint_type", Expr::str(&spec.endpoint_type));
        let endpoint = match spec.endpoint_type.as_str() {
            GATEWAY => endpoint.attr("route_table_ids", ids(&spec.route_tables)),
            _ => endpoint
                .attr("subnet_ids", ids(&spec.subnets))
                .attr("security_group_ids", ids(&spec.security_groups))
                .attr("private_dns_enabled", Expr::raw(spec.private_dns.to_string())),
        };
        Ok(vec![endpoint.attr("tags", map(&spec.tags))])
    }
    /// `vpce-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
