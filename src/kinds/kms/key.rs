//! The KMS key that encrypts a region's EKS secrets
//! (`<region>/kms-key/eks-secrets`), made where the cluster names no key of
//! its own: symmetric, with yearly rotation on, known by its alias
//! `alias/wway/<topology>/eks-secrets` and its ownership tags. Its
//! description, rotation and tags change in place; it is never replaced. A
//! delete schedules the key's deletion (KMS keeps it for the window, and
//! a cluster's secrets can still be read until then) and frees its alias.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::terraform::{Exporter, Shared, import, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::SecretsKey;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// `alias/wway/<topology>/eks-secrets`.
    pub alias: String,
    pub description: String,
    /// Whether KMS rotates the key's material every year.
    pub rotation: bool,
    /// How many days KMS keeps the key after its deletion is scheduled (7
    /// to 30). A setting of the delete, which KMS does not describe: never
    /// a difference.
    pub deletion_window_days: u32,
    pub tags: BTreeMap<String, String>,
}

/// What KmsKey is.
const ABOUT: About = About {
    kind: Kind::KmsKey,
    name: "kms-key",
    service: Service::Kms,
    placement: Placement::Regional,
    replace_fields: &[],
    reference_fields: &[],
    create_before_destroy: false,
};

/// As terraform-aws-kms: the longest window, the most time to notice.
pub const DELETION_WINDOW_DAYS: u32 = 30;

/// The field KMS does not describe.
const WINDOW: &str = "deletion_window_days";

pub struct KmsKey;

/// `<region>/kms-key/eks-secrets`.
pub fn addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/eks-secrets", ABOUT.name))
}

/// The alias of a topology's secrets key in each region.
pub fn alias(topology: &str) -> String {
    format!("{}eks-secrets", alias_prefix(topology))
}

/// The start of every alias wway gives a key of `topology`.
pub fn alias_prefix(topology: &str) -> String {
    format!("alias/wway/{topology}/")
}

impl KindDef for KmsKey {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per region whose cluster names no key of its own.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let regions = from.topology.regions.iter();
        let made = regions.filter(|r| r.cluster.secrets_key == SecretsKey::Made);
        made.map(|region| {
            let addr = addr(&region.name);
            let spec = Spec {
                alias: alias(&from.topology.name),
                description: format!(
                    "Kubernetes secrets of EKS cluster {} (wway topology {})",
                    region.cluster.name, from.topology.name
                ),
                rotation: true,
                deletion_window_days: DELETION_WINDOW_DAYS,
                tags: from.tags(&addr, &[]),
            };
            lower::resource(addr, Kind::KmsKey, "eks-secrets", &spec, Vec::new())
        })
        .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let spec = Spec {
            alias: alias("demo"),
            description: "Kubernetes secrets of EKS cluster demo-eu (wway topology demo)".into(),
            rotation: true,
            deletion_window_days: DELETION_WINDOW_DAYS,
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::KmsKey, "eks-secrets", &spec, Vec::new())
    }
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, _declared: &Fields) -> bool {
        field == WINDOW || super::super::equivalent(field, desired, live)
    }
    /// Its alias, which one key of the account holds.
    fn identities(&self, _name: &str, fields: &Fields) -> Vec<String> {
        fields.get("alias").and_then(Value::as_str).map(str::to_string).into_iter().collect()
    }
    fn terraform_type(&self) -> &'static str {
        "aws_kms_key"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-eks.tf")
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("description", Expr::Str(spec.description))
                .attr("enable_key_rotation", Expr::Bool(spec.rotation))
                .attr("deletion_window_in_days", Expr::Num(i64::from(spec.deletion_window_days)))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// The key's id (the last part of its ARN).
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        let arn = export.live_id(&r.addr)?;
        Some(arn.rsplit('/').next().unwrap_or(arn).to_string())
    }
    /// Each key's alias, imported by its name.
    fn terraform_shared(&self, keys: &[&Resource], export: &dyn Exporter) -> Shared {
        let mut shared = Shared::default();
        for r in keys {
            let Ok(spec) = spec::read::<Spec>(self.name(), &r.fields) else { continue };
            let kind = "aws_kms_alias";
            let label = export.unique_name(kind, export.name(&r.addr));
            let alias = Block::new("resource", &[kind, &label])
                .attr("provider", export.provider(&r.region))
                .attr("name", Expr::str(&spec.alias))
                .attr("target_key_id", export.attribute(r.addr.as_str(), "key_id"));
            shared.blocks.push((self.terraform_file(&r.region), alias));
            if export.live_id(&r.addr).is_some() {
                shared.imports.push(import(format!("{kind}.{label}"), spec.alias));
            }
        }
        shared
    }
}
