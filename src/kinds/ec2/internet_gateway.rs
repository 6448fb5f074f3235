//! A region's internet gateway (`<region>/internet-gateway`), attached to
//! its VPC: the way out of the VPC for public subnets and NAT gateways. It
//! is replaced with its VPC (a VPC has one gateway at a time), detached and
//! deleted after what depends on it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, identifier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The address of the VPC it is attached to.
    pub vpc: ResourceAddr,
    pub tags: BTreeMap<String, String>,
}

/// What InternetGateway is.
const ABOUT: About = About {
    kind: Kind::InternetGateway,
    name: "internet-gateway",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc"],
    reference_fields: &["vpc"],
    // A VPC has one internet gateway attached at a time.
    create_before_destroy: false,
};

pub struct InternetGateway;

/// `<region>/internet-gateway`.
pub fn addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}", ABOUT.name))
}

impl KindDef for InternetGateway {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per region, named as its VPC.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        from.topology
            .regions
            .iter()
            .map(|region| {
                let (addr, vpc) = (addr(&region.name), super::vpc::addr(&region.name));
                let label = from.label(&region.name);
                let tags = from.tags(&addr, &[("Name", label.clone())]);
                let spec = Spec { vpc: vpc.clone(), tags };
                lower::resource(addr, Kind::InternetGateway, &label, &spec, vec![vpc])
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let vpc = super::vpc::addr("eu-west-1");
        let spec = Spec { vpc: vpc.clone(), tags: spec::fixture_tags(&addr) };
        lower::resource(addr, Kind::InternetGateway, "demo-eu-west-1", &spec, vec![vpc])
    }
    fn terraform_type(&self) -> &'static str {
        "aws_internet_gateway"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.scope())
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("vpc_id", export.attribute(spec.vpc.as_str(), "id"))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// `igw-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
