//! An admin of a region's cluster (`<region>/access-entry/<name>`): an EKS
//! access entry for an IAM principal the topology lists in `admins`, with
//! the cluster admin access policy on the whole cluster. This is how people
//! and pipelines reach a cluster wway makes: its creator is not made an
//! invisible admin. A new principal or cluster is a new entry; the policy
//! changes in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::terraform::{Exporter, Shared, import, map};
use super::super::{
    About, Fields, Kind, KindDef, Lowering, Placement, Resource, ResourceAddr, Service, SpecError,
    lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::principal_name;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The cluster's address.
    pub cluster: ResourceAddr,
    /// The IAM role or user.
    pub principal_arn: String,
    /// The access policy associated with the entry, on the whole cluster.
    pub policy: String,
    pub tags: BTreeMap<String, String>,
}

/// EKS's access policy of a cluster admin (Kubernetes' cluster-admin).
pub const CLUSTER_ADMIN: &str =
    "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/// What AccessEntry is.
const ABOUT: About = About {
    kind: Kind::AccessEntry,
    name: "access-entry",
    service: Service::Eks,
    placement: Placement::Regional,
    replace_fields: &["cluster", "principal_arn"],
    reference_fields: &["cluster"],
    // A cluster has one entry per principal.
    create_before_destroy: false,
};

pub struct AccessEntry;

/// `<region>/access-entry/<principal's name>`.
pub fn addr(region: &str, name: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{name}", ABOUT.name))
}

impl KindDef for AccessEntry {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per admin of each region's cluster.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let cluster = &region.cluster;
            for admin in &cluster.admins {
                let name = principal_name(admin);
                let addr = addr(&region.name, name);
                let cluster = super::cluster::addr(&region.name);
                let spec = Spec {
                    cluster: cluster.clone(),
                    principal_arn: admin.clone(),
                    policy: CLUSTER_ADMIN.into(),
                    tags: from.tags(&addr, &[]),
                };
                let deps = vec![cluster];
                resources.push(lower::resource(addr, Kind::AccessEntry, name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "platform-admins");
        let spec = Spec {
            cluster: super::cluster::addr("eu-west-1"),
            principal_arn: "arn:aws:iam::123456789012:role/platform-admins".into(),
            policy: CLUSTER_ADMIN.into(),
            tags: spec::fixture_tags(&addr),
        };
        let deps = vec![super::cluster::addr("eu-west-1")];
        lower::resource(addr, Kind::AccessEntry, "platform-admins", &spec, deps)
    }
    fn terraform_type(&self) -> &'static str {
        "aws_eks_access_entry"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-eks.tf")
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        Ok(vec![
            export
                .resource(r)
                .attr("cluster_name", export.attribute(spec.cluster.as_str(), "name"))
                .attr("principal_arn", Expr::Str(spec.principal_arn))
                .attr("tags", map(&spec.tags)),
        ])
    }
    /// `CLUSTER:PRINCIPAL`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr)?;
        let spec: Spec = spec::read(self.name(), &r.fields).ok()?;
        Some(format!("{}:{}", export.live_id(&spec.cluster)?, spec.principal_arn))
    }
    /// Each entry's access policy, imported as `CLUSTER#PRINCIPAL#POLICY`.
    fn terraform_shared(&self, entries: &[&Resource], export: &dyn Exporter) -> Shared {
        let mut shared = Shared::default();
        for r in entries {
            let Ok(spec) = spec::read::<Spec>(self.name(), &r.fields) else { continue };
            let kind = "aws_eks_access_policy_association";
            let label = export.unique_name(kind, export.name(&r.addr));
            let scope = Block::new("access_scope", &[]).attr("type", Expr::str("cluster"));
            let association = Block::new("resource", &[kind, &label])
                .attr("provider", export.provider(&r.region))
                .attr("cluster_name", export.attribute(r.addr.as_str(), "cluster_name"))
                .attr("principal_arn", export.attribute(r.addr.as_str(), "principal_arn"))
                .attr("policy_arn", Expr::Str(spec.policy.clone()))
                .block(scope);
            shared.blocks.push((self.terraform_file(&r.region), association));
            if let (Some(_), Some(cluster)) =
                (export.live_id(&r.addr), export.live_id(&spec.cluster))
            {
                let id = format!("{cluster}#{}#{}", spec.principal_arn, spec.policy);
                shared.imports.push(import(format!("{kind}.{label}"), id));
            }
        }
        shared
    }
}
