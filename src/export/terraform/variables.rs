//! The export's input variables: the values a team would set per
//! environment (the IAM roles, the certificate), each defaulting to the
//! topology's value. Each kind says which settings it uses; a setting used
//! with one value everywhere is one variable, one whose values differ
//! between regions or functions gets one variable per scope.

use std::collections::{BTreeMap, BTreeSet};

use crate::hcl::{Block, Expr, identifier};
use crate::kinds::terraform::Setting;
use crate::state::desired::DesiredState;

pub struct Variables {
    /// Per base name, the value per scope (a region or a function).
    values: BTreeMap<&'static str, BTreeMap<String, String>>,
    descriptions: BTreeMap<&'static str, &'static str>,
}

impl Variables {
    pub fn of(desired: &DesiredState) -> Variables {
        let mut variables = Variables { values: BTreeMap::new(), descriptions: BTreeMap::new() };
        for resource in desired.resources.values() {
            for used in resource.kind.def().terraform_variables(resource) {
                let base = used.setting.base;
                variables.descriptions.insert(base, used.setting.description);
                variables.values.entry(base).or_default().insert(used.scope, used.value);
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
    pub fn reference(&self, setting: Setting, scope: &str) -> Expr {
        Expr::raw(format!("var.{}", self.name(setting.base, scope)))
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
