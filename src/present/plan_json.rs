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
    /// The topology file the plan was made from (absolute), so that
    /// `wway apply PLANFILE` finds the edge functions' code.
    #[serde(default)]
    pub topology_file: Option<std::path::PathBuf>,
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
            topology_file: None,
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

/// The document, with the topology file it came from when there is one.
pub fn render(plan: &Plan, topology_file: Option<&std::path::Path>) -> String {
    let mut document = PlanDocument::from(plan);
    document.topology_file =
        topology_file.map(|f| std::path::absolute(f).unwrap_or_else(|_| f.to_path_buf()));
    // Serialising plain maps and strings cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// A saved plan read back; `None` when the text is not a plan document.
pub fn parse(text: &str) -> Option<Result<(Plan, Option<std::path::PathBuf>), String>> {
    let document: PlanDocument = serde_json::from_str(text).ok()?;
    if document.format_version != FORMAT_VERSION {
        return Some(Err(format!(
            "the plan is in format {}, this wway reads format {FORMAT_VERSION}",
            document.format_version
        )));
    }
    let changes = document
        .changes
        .into_iter()
        .map(|c| crate::plan::Change {
            address: c.address,
            kind: c.kind,
            region: c.region,
            action: c.action,
            before: c.before,
            after: c.after,
            changed: c.changed_fields,
            replace_because: c.replace_because,
            depends_on: c.depends_on,
            create_before_destroy: c.create_before_destroy,
        })
        .collect();
    let plan = Plan { topology: document.topology, changes, fingerprints: document.fingerprints };
    Some(Ok((plan, document.topology_file)))
}
