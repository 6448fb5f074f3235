//! A region's VPC (`<region>/vpc`): its address block, DNS and tags. The
//! block cannot change in place; a replacement makes the new VPC first. DNS
//! support and DNS hostnames are on, as EKS needs: nodes register by their
//! private DNS names (a new VPC has hostnames off); they change in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr, identifier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub cidr: String,
    /// The Amazon-provided DNS server answers in the VPC.
    pub dns_support: bool,
    /// Instances get public and private DNS host names.
    pub dns_hostnames: bool,
    pub tags: BTreeMap<String, String>,
}

impl Spec {
    /// A VPC EKS nodes can join from: DNS support and host names on.
    fn of(cidr: String, tags: BTreeMap<String, String>) -> Spec {
        Spec { cidr, dns_support: true, dns_hostnames: true, tags }
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
                let spec = Spec::of(region.network.cidr.to_string(), tags);
                lower::resource(addr, Kind::Vpc, &label, &spec, vec![])
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let spec = Spec::of("10.1.0.0/16".into(), spec::fixture_tags(&addr));
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
}
