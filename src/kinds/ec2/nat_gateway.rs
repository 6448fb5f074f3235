//! A NAT gateway (`<region>/nat-gateway/<zone>`), in its zone's public
//! subnet with its elastic IP: the way out for private subnets. Per zone by
//! default, or one for the region (`nat: single`). A new subnet or address
//! replaces it, the new one made first; the route tables that point at it
//! are moved to the new one before the old one goes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::quota::{self, QuotaUse};
use super::super::terraform::{Exporter, depends_on, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, identifier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The address of the public subnet it is in.
    pub subnet: ResourceAddr,
    /// The address of its elastic IP.
    pub elastic_ip: ResourceAddr,
    pub tags: BTreeMap<String, String>,
}

/// What NatGateway is.
const ABOUT: About = About {
    kind: Kind::NatGateway,
    name: "nat-gateway",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["subnet", "elastic_ip"],
    reference_fields: &["subnet", "elastic_ip"],
    create_before_destroy: true,
};

pub struct NatGateway;

/// `<region>/nat-gateway/<zone>`.
pub fn addr(region: &str, zone: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{zone}", ABOUT.name))
}

fn spec_of(region: &str, zone: &str, tags: BTreeMap<String, String>) -> (Spec, Vec<ResourceAddr>) {
    let subnet = super::subnet::public_addr(region, zone);
    let elastic_ip = super::elastic_ip::addr(region, zone);
    // AWS makes a NAT gateway only in a VPC with an internet gateway.
    let gateway = super::internet_gateway::addr(region);
    let deps = vec![subnet.clone(), elastic_ip.clone(), gateway];
    (Spec { subnet, elastic_ip, tags }, deps)
}

impl KindDef for NatGateway {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per zone, or one in the first zone (`nat: single`).
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            for zone in region.network.nat_zones() {
                let addr = addr(&region.name, zone);
                let name = format!("{}-{zone}", from.topology.name);
                let tags = from.tags(&addr, &[("Name", name.clone())]);
                let (spec, deps) = spec_of(&region.name, zone, tags);
                resources.push(lower::resource(addr, Kind::NatGateway, &name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "eu-west-1a");
        let (spec, deps) = spec_of("eu-west-1", "eu-west-1a", spec::fixture_tags(&addr));
        lower::resource(addr, Kind::NatGateway, "demo-eu-west-1a", &spec, deps)
    }
    /// One gateway of its zone's.
    fn quota_use(&self, r: &Resource, _facts: &super::super::RegionFacts) -> Vec<QuotaUse> {
        let what = r.addr.to_string();
        vec![QuotaUse {
            quota: &quota::NAT_GATEWAYS_PER_ZONE,
            amount: 1,
            zone: Some(r.addr.part(2).to_string()),
            what,
        }]
    }
    fn terraform_type(&self) -> &'static str {
        "aws_nat_gateway"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.part(2))
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let gateway = super::internet_gateway::addr(r.addr.scope());
        Ok(vec![
            export
                .resource(r)
                .attr("allocation_id", export.attribute(spec.elastic_ip.as_str(), "id"))
                .attr("subnet_id", export.attribute(spec.subnet.as_str(), "id"))
                .attr("tags", map(&spec.tags))
                .attr("depends_on", depends_on(export, &[gateway])),
        ])
    }
    /// `nat-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
