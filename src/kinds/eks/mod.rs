//! EKS kinds: a region's cluster, its admins' access entries, its node
//! groups and its managed add-ons.

pub mod access_entry;
pub mod addon;
pub mod cluster;
pub mod node_group;

use serde_json::{Value, json};

use super::{Fields, Stage};

/// The minor of a `1.<minor>` Kubernetes version.
pub fn minor(version: &Value) -> Option<u32> {
    version.as_str()?.strip_prefix("1.")?.parse().ok()
}

/// The stops of a `version` raised by more than one minor version: one per
/// minor, each `before` at that version but the last, which is `after`
/// (EKS raises a cluster, and its node groups after it, one minor at a
/// time).
pub fn version_stages(before: &Fields, after: &Fields) -> Vec<Stage> {
    let (Some(from), Some(to)) =
        (before.get("version").and_then(minor), after.get("version").and_then(minor))
    else {
        return Vec::new();
    };
    if to <= from + 1 {
        return Vec::new();
    }
    let stop = |m: u32| {
        let key = format!("1.{m}");
        let fields = match m == to {
            true => after.clone(),
            false => {
                let mut fields = before.clone();
                fields.insert("version".into(), json!(key));
                fields
            }
        };
        Stage { key, fields }
    };
    (from + 1..=to).map(stop).collect()
}
