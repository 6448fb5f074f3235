//! An EKS managed add-on of a region's cluster (`<region>/eks-addon/<name>`):
//! its name, its version and the Kubernetes version it is to run on, and how
//! EKS resolves conflicts with values changed on the cluster. Without a
//! version in the file it runs the one EKS makes the default for the
//! cluster's version, and moves to the new default when the cluster is
//! upgraded; any version that runs on the cluster's is left as it is. The
//! add-ons nodes need from their first boot go before the node groups, the
//! others after them. A new name or cluster is a new add-on; versions only
//! move up.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::terraform::{Exporter, depends_on, map};
use super::super::{
    About, Fields, InPlace, Kind, KindDef, Lowering, Placement, RegionFacts, Resource,
    ResourceAddr, Service, SpecError, lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::{Addon as Declared, BEFORE_NODES, Region};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The cluster's address.
    pub cluster: ResourceAddr,
    pub name: String,
    /// The version the file pins; none: EKS's default for `kubernetes_version`.
    pub version: Option<String>,
    /// The cluster's Kubernetes version, which the add-on's version must run
    /// on. Read back as the cluster's when the add-on's version runs on it.
    pub kubernetes_version: String,
    /// `NONE`, `OVERWRITE` or `PRESERVE`: how a create or update treats
    /// values someone changed. A setting of the calls, which EKS does not
    /// keep: never a difference.
    pub conflicts: String,
    pub tags: BTreeMap<String, String>,
}

/// What Addon is.
const ABOUT: About = About {
    kind: Kind::EksAddon,
    name: "eks-addon",
    service: Service::Eks,
    placement: Placement::Regional,
    replace_fields: &["cluster", "name"],
    reference_fields: &["cluster"],
    // A cluster has one add-on of a name.
    create_before_destroy: false,
};

/// The field EKS does not keep.
const CONFLICTS: &str = "conflicts";

pub struct Addon;

/// `<region>/eks-addon/<name>`.
pub fn addr(region: &str, name: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{name}", ABOUT.name))
}

/// The add-ons of a region's cluster that its nodes need before they boot.
pub fn before_nodes(region: &Region) -> Vec<ResourceAddr> {
    let addons = region.cluster.addons.iter().filter(|a| runs_before_nodes(a));
    addons.map(|a| addr(&region.name, &a.name)).collect()
}

fn runs_before_nodes(addon: &Declared) -> bool {
    BEFORE_NODES.contains(&addon.name.as_str())
}

impl KindDef for Addon {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Each add-on of each region's cluster: after the cluster, and the
    /// ones that run as pods after the node groups too.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let cluster = &region.cluster;
            let cluster_addr = super::cluster::addr(&region.name);
            for addon in &cluster.addons {
                let addr = addr(&region.name, &addon.name);
                let spec = Spec {
                    cluster: cluster_addr.clone(),
                    name: addon.name.clone(),
                    version: addon.version.clone(),
                    kubernetes_version: cluster.version.clone(),
                    conflicts: addon.conflicts.into(),
                    tags: from.tags(&addr, &[]),
                };
                let mut deps = vec![cluster_addr.clone()];
                if !runs_before_nodes(addon) {
                    let groups = cluster.node_groups.iter();
                    deps.extend(groups.map(|g| super::node_group::addr(&region.name, &g.name)));
                }
                resources.push(lower::resource(addr, Kind::EksAddon, &addon.name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "coredns");
        let spec = Spec {
            cluster: super::cluster::addr("eu-west-1"),
            name: "coredns".into(),
            version: None,
            kubernetes_version: "1.34".into(),
            conflicts: "NONE".into(),
            tags: spec::fixture_tags(&addr),
        };
        let deps = vec![super::cluster::addr("eu-west-1")];
        lower::resource(addr, Kind::EksAddon, "coredns", &spec, deps)
    }
    /// Any version runs where the file names none (the Kubernetes version
    /// says whether it runs on the cluster's); conflicts are the calls'.
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, _declared: &Fields) -> bool {
        match field {
            CONFLICTS => true,
            "version" if desired.is_null() => true,
            _ => super::super::equivalent(field, desired, live),
        }
    }
    /// EKS moves an add-on up a version and not back.
    fn in_place(&self, field: &str, _before: &Value, after: &Value) -> InPlace {
        match field {
            "version" | "kubernetes_version" => InPlace::OneWay(format!(
                "EKS does not move an add-on back a version: a rollback leaves it on the version \
                 for {}",
                after.as_str().unwrap_or("the new Kubernetes version")
            )),
            _ => InPlace::Reversible,
        }
    }
    /// The region must offer the add-on on the cluster's version, and a
    /// pinned version must run on it.
    fn preflight(&self, r: &Resource, facts: &RegionFacts, _live: Option<&Fields>) -> Vec<String> {
        let Ok(spec) = spec::read::<Spec>(self.name(), &r.fields) else { return Vec::new() };
        let Some(catalog) = facts.addons.as_ref() else { return Vec::new() };
        let kubernetes = &spec.kubernetes_version;
        let Some(offered) = catalog.get(&spec.name) else {
            let names: Vec<&str> = catalog.keys().map(String::as_str).collect();
            return vec![format!(
                "EKS offers no add-on {} for Kubernetes {kubernetes} in {} ({} are offered)",
                spec.name,
                r.region,
                names.join(", ")
            )];
        };
        match &spec.version {
            Some(version) if !offered.versions.contains(version) => vec![format!(
                "{} {version} of {} does not run on Kubernetes {kubernetes} (versions that do: \
                 {}; or leave `version` out for EKS's default{})",
                spec.name,
                r.addr,
                offered.versions.join(", "),
                offered.default.as_ref().map(|d| format!(", {d}")).unwrap_or_default()
            )],
            _ => Vec::new(),
        }
    }
    fn terraform_type(&self) -> &'static str {
        "aws_eks_addon"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-eks.tf")
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        // Terraform takes PRESERVE on updates only; a create keeps values as NONE does.
        let on_create = if spec.conflicts == "OVERWRITE" { "OVERWRITE" } else { "NONE" };
        let mut block = export
            .resource(r)
            .attr("cluster_name", export.attribute(spec.cluster.as_str(), "name"))
            .attr("addon_name", Expr::str(&spec.name));
        if let Some(version) = &spec.version {
            block = block.attr("addon_version", Expr::str(version));
        }
        block = block
            .attr("resolve_conflicts_on_create", Expr::str(on_create))
            .attr("resolve_conflicts_on_update", Expr::str(&spec.conflicts))
            .attr("tags", map(&spec.tags));
        let groups: Vec<ResourceAddr> =
            r.deps.iter().filter(|d| **d != spec.cluster).cloned().collect();
        if !groups.is_empty() {
            block = block.attr("depends_on", depends_on(export, &groups));
        }
        Ok(vec![block])
    }
    /// `CLUSTER:ADDON`.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr)?;
        let spec: Spec = spec::read(self.name(), &r.fields).ok()?;
        Some(format!("{}:{}", export.live_id(&spec.cluster)?, spec.name))
    }
}
