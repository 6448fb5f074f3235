//! An EKS managed node group (`<region>/node-group/<name>`): instance types,
//! capacity type, scaling bounds, labels, role and subnets. After creation
//! the cluster autoscaler owns the desired size: any value inside
//! [min, max] is right. A replacement makes the new group first, under a
//! new name, so that its nodes join before the old ones drain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::ec2::{route_table, subnet};
use super::super::quota::{self, QuotaDef, QuotaUse};
use super::super::terraform::{Exporter, Setting, VariableUse, depends_on, map};
use super::super::{
    About, Fields, InPlace, Kind, KindDef, Lowering, Placement, RegionFacts, Resource,
    ResourceAddr, Service, SpecError, Stage, lower, spec,
};
use crate::hcl::{Block, Expr};
use crate::topology::model::{CapacityType, MaxUnavailable};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    /// The cluster's name.
    pub cluster: String,
    pub name: String,
    /// The Kubernetes version its nodes run: the cluster's.
    pub version: String,
    /// Sorted.
    pub instance_types: Vec<String>,
    /// `ON_DEMAND` or `SPOT`.
    pub capacity_type: String,
    pub min_size: u32,
    pub desired_size: u32,
    pub max_size: u32,
    pub labels: BTreeMap<String, String>,
    pub node_role_arn: String,
    /// The subnets' addresses.
    pub subnets: Vec<ResourceAddr>,
    /// How many nodes an update takes down at once: a number, or a
    /// percentage of the group (one of the two).
    pub max_unavailable: Option<u32>,
    pub max_unavailable_percentage: Option<u32>,
    pub tags: BTreeMap<String, String>,
}

impl Spec {
    /// The update configuration's two fields, as EKS takes them.
    fn update_config(unavailable: MaxUnavailable) -> (Option<u32>, Option<u32>) {
        match unavailable {
            MaxUnavailable::Nodes(n) => (Some(n), None),
            MaxUnavailable::Percent(p) => (None, Some(p)),
        }
    }
}

/// The export's variable for the nodes' role.
pub const ROLE: Setting =
    Setting { base: "eks_node_role_arn", description: "The IAM role of the EKS worker nodes" };

/// What NodeGroup is.
const ABOUT: About = About {
    kind: Kind::NodeGroup,
    name: "node-group",
    service: Service::Eks,
    placement: Placement::Regional,
    replace_fields: &[
        "cluster",
        "name",
        "instance_types",
        "capacity_type",
        "node_role_arn",
        "subnets",
    ],
    reference_fields: &["subnets"],
    create_before_destroy: true,
};

pub struct NodeGroup;

/// `<region>/node-group/<name>`.
pub fn addr(region: &str, name: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}/{name}", ABOUT.name))
}

/// How many characters a replacement adds to a group's name: `-` and 8 hex
/// digits. EKS takes names of up to 63, so the file's are at most 54.
pub const REPLACEMENT_SUFFIX: usize = 9;

/// The AWS name of the group that replaces one: `<name>-<8 hex digits of
/// the run's token>` (`wway-<hex>`), so that the new group runs beside the old one (EKS names are
/// unique in a cluster) until the old one is deleted.
pub fn replacement_name(name: &str, token: &str) -> String {
    let digest = token.rsplit('-').next().unwrap_or(token);
    let digits: String = digest.chars().filter(char::is_ascii_hexdigit).take(8).collect();
    format!("{name}-{digits}")
}

/// Whether a group called `live` in AWS is the one declared as `name`: the
/// same name, or a replacement's.
pub fn is_named(name: &str, live: &str) -> bool {
    live == name
        || live.strip_prefix(name).and_then(|rest| rest.strip_prefix('-')).is_some_and(|digits| {
            digits.len() == REPLACEMENT_SUFFIX - 1 && digits.chars().all(|c| c.is_ascii_hexdigit())
        })
}

impl KindDef for NodeGroup {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Each declared group of a region's cluster, in all of its subnets.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let mut resources = Vec::new();
        for region in &from.topology.regions {
            let cluster = &region.cluster;
            for group in &cluster.node_groups {
                let addr = addr(&region.name, &group.name);
                let capacity_type = match group.capacity_type {
                    CapacityType::OnDemand => "ON_DEMAND",
                    CapacityType::Spot => "SPOT",
                };
                let (max_unavailable, max_unavailable_percentage) =
                    Spec::update_config(group.max_unavailable);
                let spec = Spec {
                    cluster: cluster.name.clone(),
                    name: group.name.clone(),
                    version: cluster.version.clone(),
                    instance_types: lower::sorted(&group.instance_types),
                    capacity_type: capacity_type.into(),
                    min_size: group.min,
                    desired_size: group.desired,
                    max_size: group.max,
                    labels: group.labels.clone(),
                    node_role_arn: cluster.node_role_arn.clone(),
                    subnets: subnet::of(region),
                    max_unavailable,
                    max_unavailable_percentage,
                    tags: from.tags(&addr, &[]),
                };
                // Its nodes join only once their subnets have a way out, and
                // boot with the add-ons they need.
                let tables = route_table::of(region);
                let deps = std::iter::once(super::cluster::addr(&region.name)).chain(tables);
                let deps = deps.chain(super::addon::before_nodes(region)).collect();
                resources.push(lower::resource(addr, Kind::NodeGroup, &group.name, &spec, deps));
            }
        }
        resources
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1", "general");
        let spec = Spec {
            cluster: "demo-eu".into(),
            name: "general".into(),
            version: "1.34".into(),
            instance_types: vec!["m6i.large".into()],
            capacity_type: "ON_DEMAND".into(),
            min_size: 2,
            desired_size: 3,
            max_size: 30,
            labels: [("role".to_string(), "general".to_string())].into(),
            node_role_arn: "arn:aws:iam::123456789012:role/eks-node".into(),
            subnets: vec![subnet::addr("eu-west-1", "eu-west-1a")],
            max_unavailable: None,
            max_unavailable_percentage: Some(33),
            tags: spec::fixture_tags(&addr),
        };
        let cluster = super::cluster::addr("eu-west-1");
        lower::resource(addr, Kind::NodeGroup, "general", &spec, vec![cluster])
    }
    /// The desired size is the autoscaler's once the group exists; a
    /// replacement's name carries a suffix.
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, declared: &Fields) -> bool {
        if field == "name" {
            let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_default();
            return is_named(&text(desired), &text(live));
        }
        if field != "desired_size" {
            return super::super::equivalent(field, desired, live);
        }
        let bound = |key: &str| declared.get(key).and_then(Value::as_u64);
        match (live.as_u64(), bound("min_size"), bound("max_size")) {
            (Some(size), Some(min), Some(max)) => (min..=max).contains(&size),
            _ => desired == live,
        }
    }
    /// Its nodes move up with the cluster, and never down.
    fn in_place(&self, field: &str, before: &Value, after: &Value) -> InPlace {
        match (field, super::minor(before), super::minor(after)) {
            ("version", Some(from), Some(to)) if to < from => InPlace::Refused(format!(
                "EKS does not move a node group's nodes down a version (1.{from} to 1.{to})"
            )),
            ("version", Some(from), Some(to)) if to > from => InPlace::OneWay(format!(
                "EKS does not move nodes down a version: a rollback leaves them on 1.{to}"
            )),
            _ => InPlace::Reversible,
        }
    }
    /// One update per minor version, each after its cluster's.
    fn stages(&self, before: &Fields, after: &Fields) -> Vec<Stage> {
        super::version_stages(before, after)
    }
    fn instance_types(&self, fields: &Fields) -> Vec<String> {
        let types = fields.get("instance_types").and_then(Value::as_array).into_iter().flatten();
        types.filter_map(Value::as_str).map(str::to_string).collect()
    }
    /// Each instance type must be offered in the region.
    fn preflight(&self, r: &Resource, facts: &RegionFacts, _live: Option<&Fields>) -> Vec<String> {
        let types = r.fields.get("instance_types").and_then(Value::as_array);
        types
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|t| !facts.offered_instance_types.iter().any(|o| o == t))
            .map(|t| format!("instance type {t} of {} is not offered", r.addr))
            .collect()
    }
    /// Its max size of its largest instance type, in the vCPU quota of
    /// each class it runs (on demand or spot).
    fn quota_use(&self, r: &Resource, facts: &RegionFacts) -> Vec<QuotaUse> {
        let Ok(spec) = spec::read::<Spec>(self.name(), &r.fields) else { return Vec::new() };
        let spot = spec.capacity_type == "SPOT";
        let mut largest: BTreeMap<&str, (&'static QuotaDef, u32, &str)> = BTreeMap::new();
        for t in &spec.instance_types {
            let Some(quota) = quota::vcpus(t, spot) else { continue };
            let vcpus = facts.vcpus.get(t).copied().unwrap_or(0);
            let held = largest.entry(quota.code).or_insert((quota, vcpus, t));
            if vcpus > held.1 {
                *held = (quota, vcpus, t);
            }
        }
        let uses = largest.into_values().map(|(quota, vcpus, t)| QuotaUse {
            quota,
            amount: u64::from(spec.max_size) * u64::from(vcpus),
            zone: None,
            what: format!("{}: {} x {t} ({vcpus} vCPUs)", spec.name, spec.max_size),
        });
        uses.collect()
    }
    fn terraform_type(&self) -> &'static str {
        "aws_eks_node_group"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-eks.tf")
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let cluster = super::cluster::addr(&r.region);
        let subnets: Vec<String> = spec.subnets.iter().map(ToString::to_string).collect();
        let addons: Vec<ResourceAddr> =
            r.deps.iter().filter(|d| d.part(1) == Kind::EksAddon.name()).cloned().collect();
        let size = |n: u32| Expr::Num(i64::from(n));
        let update_config =
            match (spec.max_unavailable, spec.max_unavailable_percentage) {
                (None, Some(percent)) => Block::new("update_config", &[])
                    .attr("max_unavailable_percentage", size(percent)),
                // One node at a time where neither is given, as EKS does.
                (nodes, _) => Block::new("update_config", &[])
                    .attr("max_unavailable", size(nodes.unwrap_or(1))),
            };
        let group = export
            .resource(r)
            .attr("cluster_name", export.attribute(cluster.as_str(), "name"))
            .attr("node_group_name", Expr::str(export.live_id(&r.addr).unwrap_or(&spec.name)))
            .attr("node_role_arn", export.variable(ROLE, &r.region))
            .attr("subnet_ids", export.ids(&subnets))
            .attr("instance_types", Expr::strs(spec.instance_types))
            .attr("capacity_type", Expr::Str(spec.capacity_type))
            .attr("version", export.attribute(cluster.as_str(), "version"))
            .attr("labels", map(&spec.labels))
            .attr("tags", map(&spec.tags))
            .block(update_config)
            .block(
                Block::new("scaling_config", &[])
                    .attr("desired_size", size(spec.desired_size))
                    .attr("max_size", size(spec.max_size))
                    .attr("min_size", size(spec.min_size)),
            )
            // The cluster autoscaler owns the desired size once the group exists.
            .block(Block::new("lifecycle", &[]).attr(
                "ignore_changes",
                Expr::List(vec![Expr::raw("scaling_config[0].desired_size")]),
            ));
        Ok(vec![match addons.is_empty() {
            true => group,
            false => group.attr("depends_on", depends_on(export, &addons)),
        }])
    }
    /// `CLUSTER:GROUP`, with the group's name in AWS.
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        let live = export.live_id(&r.addr)?;
        let spec: Spec = spec::read(self.name(), &r.fields).ok()?;
        Some(format!("{}:{live}", spec.cluster))
    }
    fn terraform_variables(&self, r: &Resource) -> Vec<VariableUse> {
        VariableUse::of(ROLE, &r.region, r.fields.get("node_role_arn"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_is_named_apart_and_still_known_as_the_declared_group() {
        let name = replacement_name("general", "wway-3f9a0c17d2e4b6a8");
        assert_eq!(name, "general-3f9a0c17");
        assert_eq!(name.len(), "general".len() + REPLACEMENT_SUFFIX);
        assert!(is_named("general", "general"));
        assert!(is_named("general", &name));
        assert!(!is_named("general", "general-purpose"));
        assert!(!is_named("general", "general-3f9a0c1"));
        assert!(!is_named("gen", "general"));
    }
}
