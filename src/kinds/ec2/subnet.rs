//! A region's subnets, two per availability zone: a private one
//! (`<region>/subnet/<zone>`, for nodes and internal load balancers) and a
//! public one (`<region>/public-subnet/<zone>`, for NAT gateways and
//! internet-facing load balancers), each tagged for the load balancers
//! Kubernetes makes. Its VPC, zone and block cannot change in place, and a
//! new block would overlap the old one: a replacement deletes first.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, RegionFacts, Resource, ResourceAddr,
    Service, SpecError, lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::Region;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The VPC's address.
    pub vpc: ResourceAddr,
    pub availability_zone: String,
    pub cidr: String,
    pub tags: BTreeMap<String, String>,
}

/// What Subnet is.
const ABOUT: About = About {
    kind: Kind::Subnet,
    name: "subnet",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc", "availability_zone", "cidr"],
    reference_fields: &["vpc"],
    create_before_destroy: false,
};

pub struct Subnet;

/// `<region>/subnet/<zone>`: the zone's private subnet.
pub fn addr(region: &str, zone: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{zone}", ABOUT.name))
}

/// The address segment of public subnets.
const PUBLIC: &str = "public-subnet";

/// `<region>/public-subnet/<zone>`: the zone's public subnet.
pub fn public_addr(region: &str, zone: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{PUBLIC}/{zone}"))
}

/// The addresses of a region's subnets, in the file's order.
pub fn of(region: &Region) -> Vec<ResourceAddr> {
    region.network.subnets.iter().map(|s| addr(&region.name, &s.availability_zone)).collect()
}

impl KindDef for Subnet {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Two per declared zone of a region: the private one tagged for
    /// internal load balancers, the public one for internet-facing ones.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let vpc = super::vpc::addr(&region.name);
            for subnet in &region.network.subnets {
                let zone = &subnet.availability_zone;
                let name = format!("{}-{zone}", from.topology.name);
                let sides = [
                    (addr(&region.name, zone), subnet.cidr, name.clone(), "internal-elb"),
                    (public_addr(&region.name, zone), subnet.public_cidr, name + "-public", "elb"),
                ];
                for (addr, cidr, name, role) in sides {
                    let role = (format!("kubernetes.io/role/{role}"), "1".to_string());
                    let extra = [("Name", name), (role.0.as_str(), role.1)];
                    let spec = Spec {
                        vpc: vpc.clone(),
                        availability_zone: zone.clone(),
                        cidr: cidr.to_string(),
                        tags: from.tags(&addr, &extra),
                    };
                    let deps = vec![vpc.clone()];
                    resources.push(lower::resource(addr, Kind::Subnet, zone, &spec, deps));
                }
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "eu-west-1a");
        let vpc = super::vpc::addr("eu-west-1");
        let spec = Spec {
            vpc: vpc.clone(),
            availability_zone: "eu-west-1a".into(),
            cidr: "10.1.0.0/20".into(),
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::Subnet, "eu-west-1a", &spec, vec![vpc])
    }
    /// The zone must be one the region has.
    fn preflight(&self, r: &Resource, facts: &RegionFacts, _live: Option<&Fields>) -> Vec<String> {
        let zone = r.fields.get("availability_zone").and_then(|z| z.as_str()).unwrap_or_default();
        if facts.availability_zones.iter().any(|z| z == zone) {
            return Vec::new();
        }
        vec![format!(
            "availability zone {zone} is not available (the region has {})",
            facts.availability_zones.join(", ")
        )]
    }
    fn terraform_type(&self) -> &'static str {
        "aws_subnet"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        match addr.part(1) {
            PUBLIC => identifier(&format!("{}_public", addr.part(2))),
            _ => identifier(addr.part(2)),
        }
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("vpc_id", super::vpc::vpc_id_for(export, &spec.vpc, &spec.cidr))
                .attr("cidr_block", Expr::Str(spec.cidr))
                .attr("availability_zone", Expr::Str(spec.availability_zone))
                .attr("tags", map(&spec.tags)),
        ])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
