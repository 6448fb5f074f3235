//! The hosted zone (`global/zone/<name>`). An existing zone of the same name
//! that wway does not own is used as it is: the records wway keeps go in it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::addr::GLOBAL;
use super::super::terraform::{Exporter, map, output};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, OnClash, Placement, Resource, ResourceAddr, Service,
    SpecError, lower, spec,
};
use crate::hcl::{Block, Expr, identifier};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// With the trailing dot Route 53 answers with.
    pub name: String,
    pub tags: BTreeMap<String, String>,
}

/// What Zone is.
const ABOUT: About = About {
    kind: Kind::Zone,
    name: "zone",
    service: Service::Route53,
    placement: Placement::Global,
    replace_fields: &["name"],
    reference_fields: &[],
    create_before_destroy: false,
};

pub struct Zone;

/// `global/zone/<name>`.
pub fn addr(name: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{GLOBAL}/{}/{name}", ABOUT.name))
}

/// The zone's name in its address.
pub fn name(addr: &str) -> &str {
    addr.rsplit('/').next().unwrap_or_default()
}

impl KindDef for Zone {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// The zone of the file's `dns:`.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let dns = from.topology.dns.iter();
        dns.map(|dns| {
            let addr = addr(&dns.zone);
            let spec = Spec { name: format!("{}.", dns.zone), tags: from.tags(&addr, &[]) };
            lower::resource(addr, Kind::Zone, &dns.zone, &spec, vec![])
        })
        .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("demo.example");
        let spec = Spec { name: "demo.example.".into(), tags: spec::fixture_tags(&addr) };
        lower::resource(addr, Kind::Zone, "demo.example", &spec, vec![])
    }
    fn on_clash(&self) -> OnClash {
        OnClash::Use
    }
    fn found_by_name(&self) -> bool {
        true
    }
    fn terraform_type(&self) -> &'static str {
        "aws_route53_zone"
    }
    fn terraform_file(&self, _region: &str) -> String {
        "dns.tf".into()
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.part(2))
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("name", Expr::str(spec.name.trim_end_matches('.')))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// The zone's id, owned or used as it is, without the `/hostedzone/`
    /// Route 53 may put before it.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        let id = export.live_id(&r.addr).or_else(|| export.used_id(Kind::Zone, &r.name))?;
        Some(id.trim_start_matches("/hostedzone/").to_string())
    }
    fn terraform_outputs(&self, r: &Resource, export: &dyn Exporter) -> Vec<Block> {
        vec![output(
            &format!("name_servers_{}", export.name(&r.addr)),
            format!("The name servers of {}.", r.name),
            export.attribute(r.addr.as_str(), "name_servers"),
        )]
    }
}
