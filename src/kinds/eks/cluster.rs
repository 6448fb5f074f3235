//! A region's EKS cluster (`<region>/eks-cluster`): its name, Kubernetes
//! version, IAM role and subnets. The name, role and subnets cannot change
//! in place; the version is upgraded in place.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::ec2::subnet;
use super::super::kms::key;
use super::super::terraform::{Exporter, Setting, VariableUse, map, output};
use super::super::{
    About, Fields, InPlace, Kind, KindDef, Lowering, Placement, RegionFacts, Resource,
    ResourceAddr, Service, SpecError, Stage, lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::model::{ANYWHERE, DEFAULT_LOGS, SecretsKey};
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
    /// How the Kubernetes API authenticates IAM principals: `CONFIG_MAP`
    /// (the aws-auth ConfigMap), `API_AND_CONFIG_MAP` (access entries too)
    /// or `API`.
    pub authentication_mode: String,
    /// Whether whoever creates the cluster is made its admin (only when the
    /// topology names no admins). Set by CreateCluster alone: a cluster keeps
    /// what it was made with, so it is never a difference.
    pub bootstrap_creator_admin: bool,
    /// The KMS key that encrypts its Kubernetes secrets: the address of the
    /// key wway makes, or the ARN of the user's; none for no encryption.
    pub secrets_key: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// The authentication modes, in the only order EKS moves a cluster through.
pub const AUTHENTICATION_MODES: [&str; 3] = ["CONFIG_MAP", "API_AND_CONFIG_MAP", "API"];

/// The mode wway makes clusters with: access entries, and the ConfigMap
/// that managed node groups' nodes still join through.
pub const AUTHENTICATION_MODE: &str = "API_AND_CONFIG_MAP";

/// The field that EKS sets once.
const SECRETS_KEY: &str = "secrets_key";

/// The field set by CreateCluster alone.
const BOOTSTRAP: &str = "bootstrap_creator_admin";

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
                let secrets_key = match &cluster.secrets_key {
                    SecretsKey::Made => Some(key::addr(&region.name).to_string()),
                    SecretsKey::Named(arn) => Some(arn.clone()),
                    SecretsKey::Off => None,
                };
                let mut deps = subnets.clone();
                if cluster.secrets_key == SecretsKey::Made {
                    deps.push(key::addr(&region.name));
                }
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
                    authentication_mode: AUTHENTICATION_MODE.into(),
                    bootstrap_creator_admin: cluster.admins.is_empty(),
                    secrets_key,
                    tags: from.tags(&addr, &[]),
                };
                lower::resource(addr, Kind::EksCluster, &cluster.name, &spec, deps)
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
            authentication_mode: AUTHENTICATION_MODE.into(),
            bootstrap_creator_admin: false,
            secrets_key: None,
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::EksCluster, "demo-eu", &spec, vec![subnet])
    }
    /// The creator's bootstrap is what the cluster was made with; with the
    /// public endpoint off, the blocks EKS still answers (0.0.0.0/0 by
    /// default) let nothing in and are not sent.
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, declared: &Fields) -> bool {
        let public = declared.get("endpoint_public").and_then(Value::as_bool);
        field == BOOTSTRAP
            || (field == "public_access_cidrs" && public == Some(false))
            || super::super::equivalent(field, desired, live)
    }
    /// EKS upgrades one minor version at a time and never downgrades; it
    /// moves an authentication mode only towards the API.
    fn in_place(&self, field: &str, before: &Value, after: &Value) -> InPlace {
        if field == "authentication_mode" {
            return authentication_change(before, after);
        }
        if field == SECRETS_KEY {
            return secrets_key_change(before, after);
        }
        let (Some(from), Some(to), "version") = (super::minor(before), super::minor(after), field)
        else {
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
            _ if to > from + 1 => InPlace::OneWay(format!(
                "EKS upgrades one minor version at a time: {}, each followed by the node \
                 groups; EKS cannot downgrade: a rollback leaves the cluster where it got to",
                (from..=to).map(text).collect::<Vec<_>>().join(" -> ")
            )),
            _ if to == from + 1 => InPlace::OneWay(format!(
                "EKS cannot downgrade: a rollback leaves the cluster at {}",
                text(to)
            )),
            _ => InPlace::Reversible,
        }
    }
    /// One update per minor version.
    fn stages(&self, before: &Fields, after: &Fields) -> Vec<Stage> {
        super::version_stages(before, after)
    }
    /// A cluster made or upgraded must be on a version EKS offers (a
    /// running one past its support is EKS's to move, not the plan's).
    fn preflight(&self, r: &Resource, facts: &RegionFacts, live: Option<&Fields>) -> Vec<String> {
        let version = r.fields.get("version").and_then(Value::as_str).unwrap_or_default();
        let unchanged =
            live.and_then(|l| l.get("version")).and_then(Value::as_str) == Some(version);
        if unchanged || facts.eks_versions.is_empty() {
            return Vec::new();
        }
        // An upgrade of several minor versions stops at each.
        let stops = live.map(|live| self.stages(live, &r.fields)).unwrap_or_default();
        let mut versions: Vec<String> = stops.into_iter().map(|s| s.key).collect();
        if versions.is_empty() {
            versions.push(version.to_string());
        }
        let unoffered = versions.into_iter().filter(|v| !facts.eks_versions.contains(v));
        let message = |v: String| {
            format!(
                "EKS does not offer Kubernetes {v} for {} (it offers {})",
                r.addr,
                facts.eks_versions.join(", ")
            )
        };
        unoffered.map(message).collect()
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
        // A cluster that exists keeps what it was made with (Terraform would
        // replace it for another value).
        let made = export.live_field(&r.addr, BOOTSTRAP).and_then(Value::as_bool);
        let bootstrap = made.unwrap_or(spec.bootstrap_creator_admin);
        let vpc_config = Block::new("vpc_config", &[])
            .attr("subnet_ids", export.ids(&subnets))
            .attr("endpoint_private_access", Expr::Bool(spec.endpoint_private))
            .attr("endpoint_public_access", Expr::Bool(spec.endpoint_public));
        // The provider computes the blocks of an endpoint that is off.
        let vpc_config = match spec.endpoint_public {
            true => vpc_config.attr("public_access_cidrs", Expr::strs(&spec.public_access_cidrs)),
            false => vpc_config,
        };
        let encryption = spec.secrets_key.as_ref().map(|key| {
            let arn = match key.starts_with("arn:") {
                true => Expr::str(key),
                false => export.attribute(key, "arn"),
            };
            Block::new("encryption_config", &[])
                .attr("resources", Expr::strs(["secrets"]))
                .block(Block::new("provider", &[]).attr("key_arn", arn))
        });
        Ok(vec![
            export
                .resource(r)
                .attr("name", Expr::Str(spec.name))
                .attr("role_arn", export.variable(ROLE, &r.region))
                .attr("version", Expr::Str(spec.version))
                .attr("enabled_cluster_log_types", Expr::strs(&spec.logs))
                .attr("tags", map(&spec.tags))
                .block(vpc_config)
                .block(
                    Block::new("upgrade_policy", &[])
                        .attr("support_type", Expr::Str(spec.support_type)),
                )
                .block(
                    Block::new("access_config", &[])
                        .attr("authentication_mode", Expr::Str(spec.authentication_mode))
                        .attr("bootstrap_cluster_creator_admin_permissions", Expr::Bool(bootstrap)),
                )
                .blocks(encryption),
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

/// What changing the key of a cluster's secrets from `before` to `after`
/// means: EKS turns encryption on for good, with the key it is given.
fn secrets_key_change(before: &Value, after: &Value) -> InPlace {
    match (before.as_str(), after.as_str()) {
        (None, Some(_)) => InPlace::OneWay(
            "EKS does not turn secrets encryption off: a rollback leaves it on".into(),
        ),
        (Some(had), wanted) if wanted != Some(had) => InPlace::Refused(format!(
            "EKS cannot change or remove the key that encrypts a cluster's secrets ({had}); keep \
             `secrets_key` as it was, or make a new cluster under a new name"
        )),
        _ => InPlace::Reversible,
    }
}

/// What moving a cluster from authentication mode `before` to `after` means.
fn authentication_change(before: &Value, after: &Value) -> InPlace {
    let rank = |v: &Value| AUTHENTICATION_MODES.iter().position(|m| Some(*m) == v.as_str());
    match (rank(before), rank(after)) {
        (Some(from), Some(to)) if to < from => InPlace::Refused(format!(
            "EKS does not move a cluster's authentication mode back ({} to {})",
            AUTHENTICATION_MODES[from], AUTHENTICATION_MODES[to]
        )),
        (Some(from), Some(to)) if to > from => InPlace::OneWay(format!(
            "EKS does not move an authentication mode back: a rollback leaves it {}",
            AUTHENTICATION_MODES[to]
        )),
        _ => InPlace::Reversible,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_authentication_mode_moves_only_towards_the_api() {
        let change = |from: &str, to: &str| {
            Cluster.in_place("authentication_mode", &json!(from), &json!(to))
        };
        assert!(matches!(change("CONFIG_MAP", "API_AND_CONFIG_MAP"), InPlace::OneWay(_)));
        assert!(matches!(change("API_AND_CONFIG_MAP", "API"), InPlace::OneWay(_)));
        assert!(matches!(change("API", "API_AND_CONFIG_MAP"), InPlace::Refused(_)));
        assert_eq!(change("API", "API"), InPlace::Reversible);
    }

    #[test]
    fn secrets_encryption_is_turned_on_once_and_its_key_never_changes() {
        let change = |from: Value, to: Value| Cluster.in_place(SECRETS_KEY, &from, &to);
        let key = || json!("eu-west-1/kms-key/eks-secrets");
        assert!(matches!(change(Value::Null, key()), InPlace::OneWay(_)));
        assert!(matches!(
            change(key(), json!("arn:aws:kms:eu-west-1:1:key/k")),
            InPlace::Refused(_)
        ));
        assert!(matches!(change(key(), Value::Null), InPlace::Refused(_)));
        assert_eq!(change(key(), key()), InPlace::Reversible);
    }

    #[test]
    fn the_creators_bootstrap_is_never_a_difference() {
        let fields = Fields::new();
        assert!(Cluster.equivalent(BOOTSTRAP, &json!(false), &json!(true), &fields));
        assert!(!Cluster.equivalent(
            "authentication_mode",
            &json!("API"),
            &json!("CONFIG_MAP"),
            &fields
        ));
    }
}
