//! A NAT gateway's elastic IP (`<region>/elastic-ip/<zone>`): the public
//! address its traffic leaves from. It depends on the internet gateway:
//! AWS refuses to detach a gateway while the VPC has public addresses
//! mapped, so the address is released first, after its NAT gateway.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::quota::{self, QuotaUse};
use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr, identifier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub tags: BTreeMap<String, String>,
}

/// What ElasticIp is.
const ABOUT: About = About {
    kind: Kind::ElasticIp,
    name: "elastic-ip",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &[],
    reference_fields: &[],
    create_before_destroy: true,
};

pub struct ElasticIp;

/// `<region>/elastic-ip/<zone>`.
pub fn addr(region: &str, zone: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{zone}", ABOUT.name))
}

impl KindDef for ElasticIp {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per NAT gateway.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            for zone in region.network.nat_zones() {
                let addr = addr(&region.name, zone);
                let name = format!("{}-{zone}-nat", from.topology.name);
                let spec = Spec { tags: from.tags(&addr, &[("Name", name.clone())]) };
                let deps = vec![super::internet_gateway::addr(&region.name)];
                resources.push(lower::resource(addr, Kind::ElasticIp, &name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "eu-west-1a");
        let spec = Spec { tags: spec::fixture_tags(&addr) };
        let deps = vec![super::internet_gateway::addr("eu-west-1")];
        lower::resource(addr, Kind::ElasticIp, "demo-eu-west-1a-nat", &spec, deps)
    }
    /// One address of the region's.
    fn quota_use(&self, r: &Resource, _facts: &super::super::RegionFacts) -> Vec<QuotaUse> {
        let what = r.addr.to_string();
        vec![QuotaUse { quota: &quota::ELASTIC_IPS, amount: 1, zone: None, what }]
    }
    fn terraform_type(&self) -> &'static str {
        "aws_eip"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(&format!("{}_nat", addr.part(2)))
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("domain", Expr::str("vpc"))
                .attr("tags", map(&spec.tags))
                .attr("depends_on", super::super::terraform::depends_on(export, &r.deps)),
        ])
    }
    /// `eipalloc-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
