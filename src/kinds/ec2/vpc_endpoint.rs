//! A gateway endpoint of a region's VPC (`<region>/vpc-endpoint/<service>`,
//! `s3` by default, `dynamodb` on request): the service is reached from
//! every subnet through routes AWS adds to the tables the endpoint names,
//! without the NAT (and its per-gigabyte price). The tables it names change
//! in place; a new service or VPC replaces it.

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
    /// The route tables whose subnets reach it.
    pub route_tables: Vec<ResourceAddr>,
    pub tags: BTreeMap<String, String>,
}

/// What VpcEndpoint is.
const ABOUT: About = About {
    kind: Kind::VpcEndpoint,
    name: "vpc-endpoint",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc", "service"],
    reference_fields: &["vpc"],
    // A table routes a service's prefix list to one endpoint.
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

fn spec_of(
    region: &str,
    service: &str,
    route_tables: Vec<ResourceAddr>,
    tags: BTreeMap<String, String>,
) -> (Spec, Vec<ResourceAddr>) {
    // In the order the account's read lists them.
    let mut route_tables = route_tables;
    route_tables.sort();
    let vpc = super::vpc::addr(region);
    let deps = std::iter::once(vpc.clone()).chain(route_tables.iter().cloned()).collect();
    (Spec { vpc, service: service_name(region, service), route_tables, tags }, deps)
}

impl KindDef for VpcEndpoint {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    fn pointer_fields(&self) -> &'static [&'static str] {
        &["route_tables"]
    }
    /// One per gateway endpoint a region's network asks for, in all its
    /// route tables.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            for service in &region.network.gateway_endpoints {
                let addr = addr(&region.name, service);
                let name = format!("{}-{service}", from.label(&region.name));
                let tags = from.tags(&addr, &[("Name", name.clone())]);
                let tables = super::route_table::of(region);
                let (spec, deps) = spec_of(&region.name, service, tables, tags);
                resources.push(lower::resource(addr, Kind::VpcEndpoint, &name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "s3");
        let tables = vec![super::route_table::addr("eu-west-1", "eu-west-1a")];
        let (spec, deps) = spec_of("eu-west-1", "s3", tables, spec::fixture_tags(&addr));
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
        let tables: Vec<String> = spec.route_tables.iter().map(ToString::to_string).collect();
        Ok(vec![
            export
                .resource(r)
                .attr("vpc_id", export.attribute(spec.vpc.as_str(), "id"))
                .attr("service_name", Expr::Str(spec.service))
                .attr("vpc_endpoint_type", Expr::str("Gateway"))
                .attr("route_table_ids", export.ids(&tables))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// `vpce-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
