//! A region's EKS cluster (`<region>/eks-cluster`): its name, Kubernetes
//! version, IAM role and subnets. The name, role and subnets cannot change
//! in place; the version is upgraded in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::ec2::subnet;
use super::super::terraform::{Exporter, Setting, VariableUse, map, output};
use super::super::{
    About, Fields, InPlace, Kind, KindDef, Lowering, Placement, RegionFacts, Resource,
    ResourceAddr, Service, SpecError, lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::{ANYWHERE, DEFAULT_LOGS};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub name: String,
    pub version: String,
    pub role_arn: String,
    /// The subnets' addresses.
    pub subnets: Vec<ResourceAddr>,
    /// The control-plane log types sent to CloudWatch Logs, sorted.
    pub logs: Vec<String>,
    /// The support EKS keeps the cluster on: `STANDARD` or `EXTENDED`.
    pub support_type: String,
    /// Where the Kubernetes API answers: inside the VPC, on the internet
    /// (from the blocks listed, sorted).
    pub endpoint_private: bool,
    pub endpoint_public: bool,
    pub public_access_cidrs: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

/// The export's variable for the control plane's role.
pub const ROLE: Setting = Setting {
    base: "eks_cluster_role_arn",
    description: "The IAM role the EKS control plane assumes",
};

/// What Cluster is.
const ABOUT: About = About {
    kind: Kind::EksCluster,
    name: "eks-cluster",
    service: Service::Eks,
    placement: Placement::Regional,
    replace_fields: &["name", "role_arn", "subnets"],
    reference_fields: &["subnets"],
    // A cluster's name cannot be held twice.
    create_before_destroy: false,
};

pub struct Cluster;

/// `<region>/eks-cluster`.
pub fn addr(region: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{region}/{}", ABOUT.name))
}

impl KindDef for Cluster {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// One per region, in all of the region's subnets.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let regions = from.topology.regions.iter();
        regions
            .map(|region| {
                let (addr, cluster) = (addr(&region.name), &region.cluster);
                let subnets = subnet::of(region);
                let spec = Spec {
                    name: cluster.name.clone(),
                    version: cluster.version.clone(),
                    role_arn: cluster.role_arn.clone(),
                    subnets: subnets.clone(),
                    logs: lower::sorted(&cluster.logs),
                    support_type: cluster.upgrade_policy.into(),
                    endpoint_private: cluster.endpoint.private,
                    endpoint_public: cluster.endpoint.public,
                    public_access_cidrs: lower::sorted(&cluster.endpoint.public_cidrs),
                    tags: from.tags(&addr, &[]),
                };
                lower::resource(addr, Kind::EksCluster, &cluster.name, &spec, subnets)
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("eu-west-1");
        let subnet = subnet::addr("eu-west-1", "eu-west-1a");
        let spec = Spec {
            name: "demo-eu".into(),
            version: "1.34".into(),
            role_arn: "arn:aws:iam::123456789012:role/eks-cluster".into(),
            subnets: vec![subnet.clone()],
            logs: DEFAULT_LOGS.map(String::from).to_vec(),
            support_type: "STANDARD".into(),
            endpoint_private: true,
            endpoint_public: true,
            public_access_cidrs: vec![ANYWHERE.into()],
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::EksCluster, "demo-eu", &spec, vec![subnet])
    }
    /// EKS upgrades one minor version at a time and never downgrades.
    fn in_place(&self, field: &str, before: &Value, after: &Value) -> InPlace {
        let minor = |v: &Value| v.as_str().and_then(|v| v.strip_prefix("1."))?.parse::<u32>().ok();
        let (Some(from), Some(to), "version") = (minor(before), minor(after), field) else {
            return InPlace::Reversible;
        };
        let text = |minor: u32| format!("1.{minor}");
        match to {
            _ if to < from => InPlace::Refused(format!(
                "EKS cannot downgrade a cluster ({} to {}); a new cluster at {} is a new name",
                text(from),
                text(to),
                text(to)
            )),
            _ if to > from + 1 => InPlace::Refused(format!(
                "EKS upgrades one minor version at a time: set version \"{}\", apply, then go on \
                 to {}",
                text(from + 1),
                text(to)
            )),
            _ if to == from + 1 => InPlace::OneWay(format!(
                "EKS cannot downgrade: a rollback leaves the cluster at {}",
                text(to)
            )),
            _ => InPlace::Reversible,
        }
    }
    /// A cluster made or upgraded must be on a version EKS offers (a
    /// running one past its support is EKS's to move, not the plan's).
    fn preflight(&self, r: &Resource, facts: &RegionFacts, live: Option<&Fields>) -> Vec<String> {
        let version = r.fields.get("version").and_then(Value::as_str).unwrap_or_default();
        let unchanged =
            live.and_then(|l| l.get("version")).and_then(Value::as_str) == Some(version);
        if unchanged
            || facts.eks_versions.is_empty()
            || facts.eks_versions.iter().any(|v| v == version)
        {
            return Vec::new();
        }
        vec![format!(
            "EKS does not offer Kubernetes {version} for {} (it offers {})",
            r.addr,
            facts.eks_versions.join(", ")
        )]
    }
    fn terraform_type(&self) -> &'static str {
        "aws_eks_cluster"
    }
    fn terraform_file(&self, region: &str) -> String {
        format!("{region}-eks.tf")
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.scope())
    }
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let subnets: Vec<String> = spec.subnets.iter().map(ToString::to_string).collect();
        Ok(vec![
            export
                .resource(r)
                .attr("name", Expr::Str(spec.name))
                .attr("role_arn", export.variable(ROLE, &r.region))
                .attr("version", Expr::Str(spec.version))
                .attr("enabled_cluster_log_types", Expr::strs(&spec.logs))
                .attr("tags", map(&spec.tags))
                .block(
                    Block::new("vpc_config", &[])
                        .attr("subnet_ids", export.ids(&subnets))
                        .attr("endpoint_private_access", Expr::Bool(spec.endpoint_private))
                        .attr("endpoint_public_access", Expr::Bool(spec.endpoint_public))
                        .attr("public_access_cidrs", Expr::strs(&spec.public_access_cidrs)),
                )
                .block(
                    Block::new("upgrade_policy", &[])
                        .attr("support_type", Expr::Str(spec.support_type)),
                ),
        ])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
    fn terraform_outputs(&self, r: &Resource, export: &dyn Exporter) -> Vec<Block> {
        vec![output(
            &format!("cluster_endpoint_{}", identifier(&r.region)),
            format!("The API endpoint of the EKS cluster in {}.", r.region),
            export.attribute(r.addr.as_str(), "endpoint"),
        )]
    }
    fn terraform_variables(&self, r: &Resource) -> Vec<VariableUse> {
        VariableUse::of(ROLE, &r.region, r.fields.get("role_arn"))
    }
}
