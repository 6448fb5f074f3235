//! The export's input variables: the values a team would set per
//! environment (the IAM roles, the certificate), each defaulting to the
//! topology's value. A role used everywhere is one variable; roles that
//! differ between regions or functions get one variable each.

use std::collections::{BTreeMap, BTreeSet};

use crate::present::hcl::{Block, Expr, identifier};
use crate::state::Kind;
use crate::state::desired::DesiredState;

/// One kind of setting: its variable name, what the description says, and
/// the field it comes from.
struct Setting {
    base: &'static str,
    description: &'static str,
}

const CLUSTER_ROLE: Setting = Setting {
    base: "eks_cluster_role_arn",
    description: "The IAM role the EKS control plane assumes",
};
const NODE_ROLE: Setting =
    Setting { base: "eks_node_role_arn", description: "The IAM role of the EKS worker nodes" };
const EDGE_ROLE: Setting =
    Setting { base: "edge_function_role_arn", description: "The IAM role Lambda@Edge runs as" };
const CERTIFICATE: Setting = Setting {
    base: "cloudfront_certificate_arn",
    description: "The ACM certificate (us-east-1) for the distribution's aliases",
};

pub struct Variables {
    /// Per base name, the value per scope (a region or a function).
    values: BTreeMap<&'static str, BTreeMap<String, String>>,
    descriptions: BTreeMap<&'static str, &'static str>,
}

impl Variables {
    pub fn of(desired: &DesiredState) -> Variables {
        let mut variables = Variables { values: BTreeMap::new(), descriptions: BTreeMap::new() };
        for resource in desired.resources.values() {
            let field = |name: &str| resource.fields.get(name).and_then(|v| v.as_str());
            let mut add = |setting: &Setting, scope: &str, value: Option<&str>| {
                if let Some(value) = value {
                    variables.descriptions.insert(setting.base, setting.description);
                    let scopes = variables.values.entry(setting.base).or_default();
                    scopes.insert(scope.to_string(), value.to_string());
                }
            };
            match resource.kind {
                Kind::EksCluster => add(&CLUSTER_ROLE, &resource.region, field("role_arn")),
                Kind::NodeGroup => add(&NODE_ROLE, &resource.region, field("node_role_arn")),
                Kind::EdgeFunction => add(&EDGE_ROLE, &resource.name, field("role_arn")),
                Kind::Distribution => {
                    let certificate = resource.fields.get("certificate");
                    let arn = certificate
                        .and_then(|c| c.get("acm_certificate_arn"))
                        .and_then(|v| v.as_str());
                    add(&CERTIFICATE, "", arn);
                }
                _ => {}
            }
        }
        variables
    }

    /// Whether one value serves every scope of `base`.
    fn shared(&self, base: &str) -> bool {
        let values: BTreeSet<&String> =
            self.values.get(base).into_iter().flat_map(|s| s.values()).collect();
        values.len() <= 1
    }

    fn name(&self, base: &str, scope: &str) -> String {
        if self.shared(base) { base.to_string() } else { format!("{base}_{}", identifier(scope)) }
    }

    /// `var.eks_cluster_role_arn` (or `var.eks_cluster_role_arn_us_east_1`).
    fn reference(&self, base: &str, scope: &str) -> Expr {
        Expr::raw(format!("var.{}", self.name(base, scope)))
    }

    pub fn cluster_role(&self, region: &str) -> Expr {
        self.reference(CLUSTER_ROLE.base, region)
    }

    pub fn node_role(&self, region: &str) -> Expr {
        self.reference(NODE_ROLE.base, region)
    }

    pub fn edge_role(&self, function: &str) -> Expr {
        self.reference(EDGE_ROLE.base, function)
    }

    pub fn certificate(&self) -> Expr {
        self.reference(CERTIFICATE.base, "")
    }

    pub fn blocks(&self) -> Vec<Block> {
        let mut blocks = BTreeMap::new();
        for (base, scopes) in &self.values {
            for (scope, value) in scopes {
                let name = self.name(base, scope);
                let mut description = self.descriptions[base].to_string();
                if !self.shared(base) {
                    description = format!("{description} ({scope})");
                }
                let block = Block::new("variable", &[&name])
                    .attr("description", Expr::Str(format!("{description}.")))
                    .attr("type", Expr::raw("string"))
                    .attr("default", Expr::str(value));
                blocks.insert(name, block);
            }
        }
        blocks.into_values().collect()
    }
}
