//! A region's VPC (`<region>/vpc`): its address block, the second block its
//! public subnets may need, DNS and tags. The first block cannot change in
//! place; a replacement makes the new VPC first. A second block is added in
//! place and never taken away (others add blocks too: EKS custom networking
//! puts pods in one), so blocks added by others are not a difference. DNS
//! support and DNS hostnames are on, as EKS needs: nodes register by their
//! private DNS names (a new VPC has hostnames off); they change in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use serde_json::Value;

use super::super::terraform::{Exporter, Shared, import, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::net::Ipv4Net;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub cidr: String,
    /// Blocks added to the first (where the public subnets are, when the
    /// private ones fill the first).
    pub secondary_cidrs: Vec<String>,
    /// The Amazon-provided DNS server answers in the VPC.
    pub dns_support: bool,
    /// Instances get public and private DNS host names.
    pub dns_hostnames: bool,
    pub tags: BTreeMap<String, String>,
}

impl Spec {
    /// A VPC EKS nodes can join from: DNS support and host names on.
    fn of(cidr: String, secondary_cidrs: Vec<String>, tags: BTreeMap<String, String>) -> Spec {
        Spec { cidr, secondary_cidrs, dns_support: true, dns_hostnames: true, tags }
    }
}

/// What Vpc is.
const ABOUT: About = About {
    kind: Kind::Vpc,
    name: "vpc",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["cidr"],
    reference_fields: &[],
    // Two VPCs may coexist.
    create_before_destroy: true,
};

pub struct Vpc;

/// `<region>/vpc`.
pub fn addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}", ABOUT.name))
}

impl KindDef for Vpc {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per region, named `<topology>-<region>`.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let regions = from.topology.regions.iter();
        regions
            .map(|region| {
                let (addr, label) = (addr(&region.name), from.label(&region.name));
                let tags = from.tags(&addr, &[("Name", label.clone())]);
                let network = &region.network;
                let secondary = network.secondary_cidr.iter().map(ToString::to_string).collect();
                let spec = Spec::of(network.cidr.to_string(), secondary, tags);
                lower::resource(addr, Kind::Vpc, &label, &spec, vec![])
            })
            .collect()
    }
    /// Blocks others added to it are theirs.
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, _declared: &Fields) -> bool {
        match (field, desired.as_array(), live.as_array()) {
            (SECONDARY, Some(want), Some(have)) => want.iter().all(|b| have.contains(b)),
            _ => super::super::equivalent(field, desired, live),
        }
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let secondary = vec!["100.64.0.0/22".into()];
        let spec = Spec::of("10.1.0.0/16".into(), secondary, spec::fixture_tags(&addr));
        lower::resource(addr, Kind::Vpc, "demo-eu-west-1", &spec, vec![])
    }
    fn terraform_type(&self) -> &'static str {
        "aws_vpc"
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
                .attr("cidr_block", Expr::Str(spec.cidr))
                .attr("enable_dns_support", Expr::Bool(spec.dns_support))
                .attr("enable_dns_hostnames", Expr::Bool(spec.dns_hostnames))
                .attr("tags", map(&spec.tags)),
        ])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
    /// Each second block, as the provider keeps it: an association of its
    /// own, imported by its association id.
    fn terraform_shared(&self, vpcs: &[&Resource], export: &dyn Exporter) -> Shared {
        let mut shared = Shared::default();
        for r in vpcs {
            let blocks = r.fields.get(SECONDARY).and_then(Value::as_array).cloned();
            for block in blocks.unwrap_or_default().iter().filter_map(Value::as_str) {
                let kind = ASSOCIATION;
                let label = export.unique_name(kind, association_name(&r.addr, block));
                let association = Block::new("resource", &[kind, &label])
                    .attr("provider", export.provider(&r.region))
                    .attr("vpc_id", export.attribute(r.addr.as_str(), "id"))
                    .attr("cidr_block", Expr::str(block));
                shared.blocks.push((self.terraform_file(&r.region), association));
                let live = export.live_field(&r.addr, ASSOCIATIONS);
                if let Some(id) = live.and_then(|ids| ids.get(block)).and_then(Value::as_str) {
                    shared.imports.push(import(format!("{kind}.{label}"), id.to_string()));
                }
            }
        }
        shared
    }
}

/// The Terraform type of a VPC's second block.
const ASSOCIATION: &str = "aws_vpc_ipv4_cidr_block_association";

/// The Terraform name of the second block `block` of the VPC at `vpc`.
fn association_name(vpc: &ResourceAddr, block: &str) -> String {
    identifier(&format!("{}_{block}", vpc.scope()))
}

/// The `vpc_id` a subnet of the VPC at `vpc` with block `cidr` names: the
/// VPC's, or, for a subnet in a second block, the block's association's,
/// so that Terraform makes the subnet once the block is the VPC's.
pub fn vpc_id_for(export: &dyn Exporter, vpc: &ResourceAddr, cidr: &str) -> Expr {
    let Some(declared) = export.declared(vpc) else { return export.attribute(vpc.as_str(), "id") };
    let subnet = cidr.parse::<Ipv4Net>().ok();
    let blocks = declared.fields.get(SECONDARY).and_then(Value::as_array);
    let holder = blocks.into_iter().flatten().filter_map(Value::as_str).find(|block| {
        let block = block.parse::<Ipv4Net>().ok();
        matches!((block, subnet), (Some(block), Some(subnet)) if block.contains(&subnet))
    });
    match holder {
        Some(block) => Expr::raw(format!("{ASSOCIATION}.{}.vpc_id", association_name(vpc, block))),
        None => export.attribute(vpc.as_str(), "id"),
    }
}

/// The field of a VPC's second blocks.
pub const SECONDARY: &str = "secondary_cidrs";

/// The live field of a VPC's second blocks' association ids, by block
/// (read, never declared: the export imports by them).
pub const ASSOCIATIONS: &str = "cidr_associations";
