//! The plan for machines: a versioned JSON document, documented in
//! docs/plan-json.md. These are its own serde types, so the domain types can
//! change without breaking the format; a saved plan (`wway plan --out`) is the
//! same document, with the topology file's digest, the edge packages it
//! will upload, and a digest of itself, so that `wway apply PLANFILE` can
//! refuse a plan that was edited or whose inputs changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::state::digest::sha256_hex;

use crate::plan::quotas::PlanWarning;
use crate::plan::{Action, Change, FieldChange, Plan, Summary, UnhealthyResource};
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
    /// SHA-256 (hex) of the topology file's bytes when the plan was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology_sha256: Option<String>,
    pub summary: Summary,
    pub changes: Vec<ChangeDocument>,
    /// Every live resource the plan read, by address: an ETag or a hash.
    pub fingerprints: BTreeMap<ResourceAddr, String>,
    /// The resources AWS says are not well.
    #[serde(default)]
    pub unhealthy: Vec<UnhealthyResource>,
    /// What the plan warns of (a quota the topology could pass).
    #[serde(default)]
    pub warnings: Vec<PlanWarning>,
    /// Who gets what before and after, for each routed name it changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routing: Vec<crate::plan::routing::NameRouting>,
    /// The code packages the plan uploads, by address: their `CodeSha256`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub packages: BTreeMap<ResourceAddr, String>,
    /// SHA-256 (hex) of this document without this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
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
    /// What of the change a rollback cannot undo, in words (an EKS upgrade).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_way: Vec<String>,
    /// The stops of an update AWS takes in stages, in order (`["1.33",
    /// "1.34"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
}

impl From<&Plan> for PlanDocument {
    fn from(plan: &Plan) -> Self {
        PlanDocument {
            format_version: FORMAT_VERSION,
            topology: plan.topology.clone(),
            topology_file: None,
            topology_sha256: None,
            summary: plan.summary(),
            changes: plan.changes.iter().map(ChangeDocument::from).collect(),
            fingerprints: plan.fingerprints.clone(),
            unhealthy: plan.unhealthy.clone(),
            warnings: plan.warnings.clone(),
            routing: plan.routing.clone(),
            packages: packages(plan),
            digest: None,
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
            one_way: c.one_way(),
            stages: c.stages(),
        }
    }
}

/// The code packages a plan uploads: what its creates and updates set as
/// `code_sha256`, where that changes.
fn packages(plan: &Plan) -> BTreeMap<ResourceAddr, String> {
    let code = |fields: Option<&Fields>| {
        fields.and_then(|f| f.get("code_sha256")).and_then(|v| v.as_str()).map(str::to_string)
    };
    plan.changes
        .iter()
        .filter(|c| c.action != Action::Delete)
        .filter_map(|c| {
            let after = code(c.after.as_ref())?;
            (code(c.before.as_ref()).as_ref() != Some(&after)).then(|| (c.address.clone(), after))
        })
        .collect()
}

/// The digest of a document: of its compact JSON without the digest.
fn digest(document: &PlanDocument) -> String {
    // Serialising plain maps and strings cannot fail.
    sha256_hex(&serde_json::to_vec(document).unwrap_or_default())
}

/// The topology file a saved plan was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub file: std::path::PathBuf,
    /// SHA-256 (hex) of its bytes.
    pub sha256: String,
}

/// The document, with the topology file it came from when there is one.
pub fn render(plan: &Plan, origin: Option<&Origin>) -> String {
    let mut document = PlanDocument::from(plan);
    if let Some(origin) = origin {
        let file = std::path::absolute(&origin.file).unwrap_or_else(|_| origin.file.clone());
        document.topology_file = Some(file);
        document.topology_sha256 = Some(origin.sha256.clone());
    }
    document.digest = Some(digest(&document));
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// A saved plan read back.
#[derive(Debug)]
pub struct SavedPlan {
    pub plan: Plan,
    pub origin: Option<Origin>,
    pub packages: BTreeMap<ResourceAddr, String>,
    /// Its digest matches its content: nobody edited it since it was written.
    pub intact: bool,
}

/// A saved plan read back; `None` when the text is not a plan document.
pub fn parse(text: &str) -> Option<Result<SavedPlan, String>> {
    let mut document: PlanDocument = serde_json::from_str(text).ok()?;
    if document.format_version != FORMAT_VERSION {
        return Some(Err(format!(
            "the plan is in format {}, this wway reads format {FORMAT_VERSION}",
            document.format_version
        )));
    }
    let claimed = document.digest.take();
    let intact = claimed.is_some_and(|claimed| claimed == digest(&document));
    let origin = match (document.topology_file, document.topology_sha256) {
        (Some(file), Some(sha256)) => Some(Origin { file, sha256 }),
        _ => None,
    };
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
    let plan = Plan {
        topology: document.topology,
        changes,
        fingerprints: document.fingerprints,
        unhealthy: document.unhealthy,
        warnings: document.warnings,
        routing: document.routing,
    };
    Some(Ok(SavedPlan { plan, origin, packages: document.packages, intact }))
}
