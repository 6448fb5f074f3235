//! The plan: what must change for the live account to match the topology.
//! A [`Plan`] is plain data with no behaviour: changes in execution order,
//! each with its action, its field-level before and after, and the changes it
//! waits for; plus a fingerprint of every live resource it was computed from,
//! so that a saved plan can be refused once the account has moved, and what
//! AWS says of the resources that are not well.

#![deny(clippy::wildcard_enum_match_arm)]

pub mod diff;
pub mod drift;
pub mod graph;
pub mod quotas;
pub mod routing;
pub mod step_name;
pub mod steps;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kinds::InPlace;
use crate::state::live::Unhealthy;
use crate::state::{Fields, Kind, ResourceAddr};

pub use diff::plan;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
}

impl Action {
    /// The sign a human plan shows, as Terraform does.
    pub fn sign(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
        }
    }

    /// The verb, for sentences: "the plan would delete X".
    pub fn verb(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Replace => "replace",
            Action::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub address: ResourceAddr,
    pub kind: Kind,
    /// The AWS region whose API carries out the change.
    pub region: String,
    pub action: Action,
    /// The live fields (absent for a create).
    pub before: Option<Fields>,
    /// The desired fields (absent for a delete).
    pub after: Option<Fields>,
    /// The fields that differ, for updates and replacements.
    pub changed: Vec<FieldChange>,
    /// Why a replacement cannot be an update: fields, or a replaced dependency.
    pub replace_because: Vec<String>,
    /// Changes that must finish before this one starts.
    pub depends_on: Vec<ResourceAddr>,
    /// For a replacement: whether the new one is made before the old one goes.
    pub create_before_destroy: bool,
}

impl Change {
    /// What changing each field in place means, for an update.
    fn in_place(&self) -> impl Iterator<Item = InPlace> + '_ {
        let def = self.kind.def();
        let updated = self.changed.iter().filter(|_| self.action == Action::Update);
        updated.map(move |c| def.in_place(&c.field, &c.before, &c.after))
    }

    /// What of this change a rollback cannot undo, in words (an EKS upgrade).
    pub fn one_way(&self) -> Vec<String> {
        let one_way = self.in_place().filter_map(|rule| match rule {
            InPlace::OneWay(why) => Some(why),
            InPlace::Reversible | InPlace::Refused(_) => None,
        });
        one_way.collect()
    }

    /// The stops of an update AWS takes in stages, in order (an EKS
    /// cluster's minor versions); empty for one step.
    pub fn stages(&self) -> Vec<String> {
        let (Action::Update, Some(before), Some(after)) = (self.action, &self.before, &self.after)
        else {
            return Vec::new();
        };
        self.kind.def().stages(before, after).into_iter().map(|s| s.key).collect()
    }

    /// Why AWS would refuse this change (an EKS downgrade).
    pub fn refused(&self) -> Vec<String> {
        let refused = self.in_place().filter_map(|rule| match rule {
            InPlace::Refused(why) => Some(why),
            InPlace::Reversible | InPlace::OneWay(_) => None,
        });
        refused.collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub topology: String,
    /// In an order that respects every `depends_on`.
    pub changes: Vec<Change>,
    /// Every live resource the plan was computed from, by its fingerprint.
    pub fingerprints: BTreeMap<ResourceAddr, String>,
    /// The resources AWS says are not well, by address: a failed one is also
    /// replaced by a change, a degraded one only reported.
    pub unhealthy: Vec<UnhealthyResource>,
    /// What the plan warns of without refusing (a quota the topology could
    /// pass).
    pub warnings: Vec<quotas::PlanWarning>,
    /// Who gets what before and after, for each routed name it changes.
    #[serde(default)]
    pub routing: Vec<routing::NameRouting>,
}

/// A resource the plan read that AWS says is not well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnhealthyResource {
    pub address: ResourceAddr,
    pub kind: Kind,
    pub region: String,
    #[serde(flatten)]
    pub unhealthy: Unhealthy,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub replace: usize,
    pub delete: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let count = |action| self.changes.iter().filter(|c| c.action == action).count();
        Summary {
            create: count(Action::Create),
            update: count(Action::Update),
            replace: count(Action::Replace),
            delete: count(Action::Delete),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Why no plan could be made. Every error is reported, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "{address}: the {kind} name `{name}` is held by a resource wway does not own ({id}, {holder})"
    )]
    Clash { address: ResourceAddr, kind: &'static str, name: String, id: String, holder: String },
    #[error("{region}: {message}")]
    Preflight { region: String, message: String },
    #[error("{address}: {message}")]
    Refused { address: ResourceAddr, message: String },
    #[error("the resources depend on each other in a cycle: {}", .0.iter().map(ResourceAddr::as_str).collect::<Vec<_>>().join(" -> "))]
    Cycle(Vec<ResourceAddr>),
}
