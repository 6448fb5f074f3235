//! The security group of a region's interface endpoints
//! (`<region>/security-group/endpoints`): HTTPS in from the VPC's blocks,
//! which is how pods and nodes call the services the endpoints serve (and
//! everything out, as AWS makes a group). Made only where the network asks
//! for an interface endpoint. Its rules change in place; a new VPC, name or
//! description replaces it (AWS changes neither), after the endpoints that
//! use it have moved.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::{ANYWHERE, Region};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The VPC's address.
    pub vpc: ResourceAddr,
    /// Its name, unique in the VPC.
    pub name: String,
    pub description: String,
    /// What may come in, sorted; everything may go out.
    pub ingress: Vec<Rule>,
    pub tags: BTreeMap<String, String>,
}

/// Traffic a group lets in: a protocol's ports from IPv4 blocks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rule {
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    /// Sorted.
    pub cidrs: Vec<String>,
}

/// What SecurityGroup is.
const ABOUT: About = About {
    kind: Kind::SecurityGroup,
    name: "security-group",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc", "name", "description"],
    reference_fields: &["vpc"],
    // Its name is unique in the VPC.
    create_before_destroy: false,
};

pub struct SecurityGroup;

/// The last part of the endpoints' group's address.
const ENDPOINTS: &str = "endpoints";

/// `<region>/security-group/endpoints`.
pub fn endpoints_addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{ENDPOINTS}", ABOUT.name))
}

/// HTTPS from every block of the region's VPC.
fn https_from(region: &Region) -> Rule {
    let network = &region.network;
    let mut cidrs: Vec<String> = std::iter::once(network.cidr)
        .chain(network.secondary_cidr)
        .map(|c| c.to_string())
        .collect();
    cidrs.sort();
    Rule { protocol: "tcp".into(), from_port: 443, to_port: 443, cidrs }
}

/// `<topology>-<region>-endpoints`: its name, and its Name tag.
fn name_of(label: &str) -> String {
    format!("{label}-endpoints")
}

fn spec_of(
    vpc: ResourceAddr,
    label: &str,
    ingress: Vec<Rule>,
    tags: BTreeMap<String, String>,
) -> Spec {
    Spec {
        vpc,
        name: name_of(label),
        description: format!("HTTPS from the {label} VPC to its interface endpoints"),
        ingress,
        tags,
    }
}

impl KindDef for SecurityGroup {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per region with an interface endpoint.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let regions = from.topology.regions.iter();
        let regions = regions.filter(|r| r.network.interface_endpoints().next().is_some());
        regions
            .map(|region| {
                let (addr, vpc) = (endpoints_addr(&region.name), super::vpc::addr(&region.name));
                let label = from.label(&region.name);
                let tags = from.tags(&addr, &[("Name", name_of(&label))]);
                let spec = spec_of(vpc.clone(), &label, vec![https_from(region)], tags);
                lower::resource(addr, Kind::SecurityGroup, &spec.name, &spec, vec![vpc])
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = endpoints_addr("eu-west-1");
        let vpc = super::vpc::addr("eu-west-1");
        let rule = Rule {
            protocol: "tcp".into(),
            from_port: 443,
            to_port: 443,
            cidrs: vec!["10.20.0.0/16".into()],
        };
        let spec = spec_of(vpc.clone(), "demo-eu-west-1", vec![rule], spec::fixture_tags(&addr));
        lower::resource(addr, Kind::SecurityGroup, &spec.name, &spec, vec![vpc])
    }
    fn terraform_type(&self) -> &'static str {
        "aws_security_group"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    /// With the egress rule AWS gives every group written out (Terraform
    /// takes it away from a group that names none).
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let rule = |kind: &str, rule: &Rule| {
            Block::new(kind, &[])
                .attr("protocol", Expr::str(&rule.protocol))
                .attr("from_port", Expr::raw(rule.from_port.to_string()))
                .attr("to_port", Expr::raw(rule.to_port.to_string()))
                .attr("cidr_blocks", Expr::strs(&rule.cidrs))
        };
        let everything =
            Rule { protocol: "-1".into(), from_port: 0, to_port: 0, cidrs: vec![ANYWHERE.into()] };
        Ok(vec![
            export
                .resource(r)
                .attr("name", Expr::str(&spec.name))
                .attr("description", Expr::str(&spec.description))
                .attr("vpc_id", export.attribute(spec.vpc.as_str(), "id"))
                .blocks(spec.ingress.iter().map(|r| rule("ingress", r)))
                .block(rule("egress", &everything))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// `sg-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
