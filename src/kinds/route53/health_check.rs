//! A health check of a region's origin (`global/health-check/<region>`).
//! Its type and interval cannot change in place; a replacement makes the
//! new check first, so that records can move to it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::addr::GLOBAL;
use super::super::terraform::{Exporter, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::HealthProtocol;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub fqdn: String,
    /// `HTTP`, `HTTPS` or `TCP`.
    #[serde(rename = "type")]
    pub protocol: String,
    /// None for TCP.
    pub resource_path: Option<String>,
    pub port: u16,
    pub request_interval: u32,
    pub failure_threshold: u32,
    pub tags: BTreeMap<String, String>,
}

/// What HealthCheck is.
const ABOUT: About = About {
    kind: Kind::HealthCheck,
    name: "health-check",
    service: Service::Route53,
    placement: Placement::Global,
    replace_fields: &["type", "request_interval"],
    reference_fields: &[],
    create_before_destroy: true,
};

pub struct HealthCheck;

/// `global/health-check/<region>`.
pub fn addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{GLOBAL}/{}/{region}", ABOUT.name))
}

impl KindDef for HealthCheck {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// With `dns.health_check:`, one per region that has an origin.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let Some(check) = from.topology.dns.as_ref().and_then(|d| d.health_check.as_ref()) else {
            return Vec::new();
        };
        let protocol = match check.protocol {
            HealthProtocol::Http => "HTTP",
            HealthProtocol::Https => "HTTPS",
            HealthProtocol::Tcp => "TCP",
        };
        let regions = from.topology.regions.iter();
        regions
            .filter_map(|region| {
                let addr = addr(&region.name);
                let spec = Spec {
                    fqdn: region.origin.clone()?,
                    protocol: protocol.into(),
                    resource_path: check.path.clone(),
                    port: check.port,
                    request_interval: check.interval,
                    failure_threshold: check.failure_threshold,
                    tags: from.tags(&addr, &[]),
                };
                Some(lower::resource(addr, Kind::HealthCheck, &region.name, &spec, vec![]))
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let spec = Spec {
            fqdn: "eu.origin.demo.example".into(),
            protocol: "HTTPS".into(),
            resource_path: Some("/healthz".into()),
            port: 443,
            request_interval: 30,
            failure_threshold: 3,
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::HealthCheck, "eu-west-1", &spec, vec![])
    }
    fn terraform_type(&self) -> &'static str {
        "aws_route53_health_check"
    }
    fn terraform_file(&self, _region: &str) -> String {
        "dns.tf".into()
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.part(2))
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let mut check = export
            .resource(r)
            .attr("type", Expr::str(&spec.protocol))
            .attr("fqdn", Expr::Str(spec.fqdn))
            .attr("port", Expr::Num(i64::from(spec.port)));
        if spec.protocol != "TCP" {
            check = check.attr("resource_path", Expr::Str(spec.resource_path.unwrap_or_default()));
        }
        Ok(vec![
            check
                .attr("request_interval", Expr::Num(i64::from(spec.request_interval)))
                .attr("failure_threshold", Expr::Num(i64::from(spec.failure_threshold)))
                .attr("tags", map(&spec.tags)),
        ])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
}
