//! The plan for machines: a versioned JSON document, documented in
//! docs/plan-json.md. These are its own serde types, so the domain types can
//! change without breaking the format; a saved plan (`wway plan --out`) is the
//! same document.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::plan::{Action, Change, FieldChange, Plan, Summary};
use crate::state::{Fields, Kind, ResourceAddr};

/// Bumped when a field changes meaning or goes away (adding one does not).
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct PlanDocument {
    pub format_version: u32,
    pub topology: String,
    pub summary: Summary,
    pub changes: Vec<ChangeDocument>,
    /// Every live resource the plan read, by address: an ETag or a hash.
    pub fingerprints: BTreeMap<ResourceAddr, String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ChangeDocument {
    pub address: ResourceAddr,
    pub kind: Kind,
    pub region: String,
    pub action: Action,
    pub before: Option<Fields>,
    pub after: Option<Fields>,
    pub changed_fields: Vec<FieldChange>,
    pub replace_because: Vec<String>,
    pub create_before_destroy: bool,
    pub depends_on: Vec<ResourceAddr>,
}

impl From<&Plan> for PlanDocument {
    fn from(plan: &Plan) -> Self {
        PlanDocument {
            format_version: FORMAT_VERSION,
            topology: plan.topology.clone(),
            summary: plan.summary(),
            changes: plan.changes.iter().map(ChangeDocument::from).collect(),
            fingerprints: plan.fingerprints.clone(),
        }
    }
}

impl From<&Change> for ChangeDocument {
    fn from(c: &Change) -> Self {
        ChangeDocument {
            address: c.address.clone(),
            kind: c.kind,
            region: c.region.clone(),
            action: c.action,
            before: c.before.clone(),
            after: c.after.clone(),
            changed_fields: c.changed.clone(),
            replace_because: c.replace_because.clone(),
            create_before_destroy: c.create_before_destroy,
            depends_on: c.depends_on.clone(),
        }
    }
}

pub fn render(plan: &Plan) -> String {
    // Serialising plain maps and strings cannot fail.
    serde_json::to_string_pretty(&PlanDocument::from(plan)).unwrap_or_default() + "\n"
}
