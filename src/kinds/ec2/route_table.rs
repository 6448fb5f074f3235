//! A region's route tables and their subnets: the public one
//! (`<region>/route-table/public`) sends the internet's traffic
//! (0.0.0.0/0) to the internet gateway, and each zone's private one
//! (`<region>/route-table/<zone>`) to the NAT gateway the zone goes out
//! through, or nowhere with `nat: none`. The table's subnets (its associations) and the default route's
//! target change in place: when a NAT gateway is replaced, the route moves
//! to the new one before the old one goes. Routes others add (peering, a
//! VPN) and those a gateway endpoint adds are theirs. A table goes before
//! the gateways it routes to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, Shared, import, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::{ANYWHERE, Region};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The VPC's address.
    pub vpc: ResourceAddr,
    /// The internet gateway the default route goes to (the public table).
    pub internet_gateway: Option<ResourceAddr>,
    /// The NAT gateway the default route goes to (a private table).
    pub nat_gateway: Option<ResourceAddr>,
    /// The subnets whose traffic it routes.
    pub subnets: Vec<ResourceAddr>,
    pub tags: BTreeMap<String, String>,
}

impl Spec {
    /// What the default route goes to.
    pub fn target(&self) -> Option<&ResourceAddr> {
        self.internet_gateway.as_ref().or(self.nat_gateway.as_ref())
    }
}

/// What RouteTable is.
const ABOUT: About = About {
    kind: Kind::RouteTable,
    name: "route-table",
    service: Service::Ec2,
    placement: Placement::Regional,
    replace_fields: &["vpc"],
    reference_fields: &["vpc"],
    // A subnet is in one table at a time.
    create_before_destroy: false,
};

pub struct RouteTable;

/// The last part of the public table's address.
const PUBLIC: &str = "public";

/// `<region>/route-table/public`.
pub fn public_addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{PUBLIC}", ABOUT.name))
}

/// `<region>/route-table/<zone>`: the zone's private table.
pub fn addr(region: &str, zone: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{zone}", ABOUT.name))
}

/// The route tables of `region`: the public one first, then the private
/// ones in the file's order.
pub fn of(region: &Region) -> Vec<ResourceAddr> {
    let zones = region.network.subnets.iter().map(|s| addr(&region.name, &s.availability_zone));
    std::iter::once(public_addr(&region.name)).chain(zones).collect()
}

/// A table, its spec and what it depends on.
fn table(
    vpc: ResourceAddr,
    route: Route,
    mut subnets: Vec<ResourceAddr>,
    tags: BTreeMap<String, String>,
) -> (Spec, Vec<ResourceAddr>) {
    // In the order the account's read lists them.
    subnets.sort();
    let (internet_gateway, nat_gateway) = match route {
        Route::Gateway(to) => (Some(to), None),
        Route::Nat(to) => (None, Some(to)),
        Route::Inside => (None, None),
    };
    let spec = Spec { vpc, internet_gateway, nat_gateway, subnets, tags };
    let deps = std::iter::once(&spec.vpc).chain(spec.target()).chain(&spec.subnets);
    let deps = deps.cloned().collect();
    (spec, deps)
}

/// Where a table's default route goes.
enum Route {
    Gateway(ResourceAddr),
    Nat(ResourceAddr),
    /// None: the subnets reach only the VPC and its endpoints.
    Inside,
}

impl KindDef for RouteTable {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    fn pointer_fields(&self) -> &'static [&'static str] {
        &["internet_gateway", "nat_gateway", "subnets"]
    }
    /// Per region, the public table with every public subnet, and per zone
    /// a private table with the zone's private subnet.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let (name, network) = (&region.name.value, &region.network);
            let vpc = super::vpc::addr(name);
            let zones: Vec<&str> =
                network.subnets.iter().map(|s| s.availability_zone.as_str()).collect();
            let public = public_addr(name);
            let label = format!("{}-public", from.label(name));
            let subnets = zones.iter().map(|z| super::subnet::public_addr(name, z)).collect();
            let gateway = Route::Gateway(super::internet_gateway::addr(name));
            let tags = from.tags(&public, &[("Name", label.clone())]);
            let (spec, deps) = table(vpc.clone(), gateway, subnets, tags);
            resources.push(lower::resource(public, Kind::RouteTable, &label, &spec, deps));
            for zone in zones {
                let private = addr(name, zone);
                let label = format!("{}-{zone}-private", from.topology.name);
                let nat = match network.nat_of(zone) {
                    Some(nat) => Route::Nat(super::nat_gateway::addr(name, nat)),
                    None => Route::Inside,
                };
                let subnets = vec![super::subnet::addr(name, zone)];
                let tags = from.tags(&private, &[("Name", label.clone())]);
                let (spec, deps) = table(vpc.clone(), nat, subnets, tags);
                resources.push(lower::resource(private, Kind::RouteTable, &label, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "eu-west-1a");
        let nat = Route::Nat(super::nat_gateway::addr("eu-west-1", "eu-west-1a"));
        let subnets = vec![super::subnet::addr("eu-west-1", "eu-west-1a")];
        let vpc = super::vpc::addr("eu-west-1");
        let (spec, deps) = table(vpc, nat, subnets, spec::fixture_tags(&addr));
        lower::resource(addr, Kind::RouteTable, "demo-eu-west-1a-private", &spec, deps)
    }
    fn terraform_type(&self) -> &'static str {
        "aws_route_table"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-network.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        match addr.part(2) {
            PUBLIC => identifier(&format!("{}_public", addr.scope())),
            zone => identifier(&format!("{zone}_private")),
        }
    }
    /// With its default route inline (the provider leaves a gateway
    /// endpoint's routes to the endpoint).
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let route = Block::new("route", &[]).attr("cidr_block", Expr::str(ANYWHERE));
        let route = match (&spec.internet_gateway, &spec.nat_gateway) {
            (Some(gateway), _) => {
                Some(route.attr("gateway_id", export.attribute(gateway.as_str(), "id")))
            }
            (None, Some(nat)) => {
                Some(route.attr("nat_gateway_id", export.attribute(nat.as_str(), "id")))
            }
            (None, None) => None,
        };
        Ok(vec![
            export
                .resource(r)
                .attr("vpc_id", export.attribute(spec.vpc.as_str(), "id"))
                .blocks(route)
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// `rtb-...`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
    /// Each subnet's association, imported as `<subnet id>/<table id>`.
    fn terraform_shared(&self, tables: &[&Resource], export: &dyn Exporter) -> Shared {
        let mut shared = Shared::default();
        for r in tables {
            let Ok(spec) = spec::read::<Spec>(self.name(), &r.fields) else { continue };
            for subnet in &spec.subnets {
                let kind = "aws_route_table_association";
                let label = export.unique_name(kind, export.name(subnet));
                let association = Block::new("resource", &[kind, &label])
                    .attr("provider", export.provider(&r.region))
                    .attr("subnet_id", export.attribute(subnet.as_str(), "id"))
                    .attr("route_table_id", export.attribute(r.addr.as_str(), "id"));
                shared.blocks.push((self.terraform_file(&r.region), association));
                if let (Some(subnet), Some(table)) =
                    (export.live_id(subnet), export.live_id(&r.addr))
                {
                    shared
                        .imports
                        .push(import(format!("{kind}.{label}"), format!("{subnet}/{table}")));
                }
            }
        }
        shared
    }
}
