//! Drift: what changed in the account behind wway's back, read from the
//! plan of the file against the live account (the same reads, the same
//! quiet comparison: the autoscaler's desired size, tags others add and
//! values AWS fills in are never differences). Each drifted resource is in a
//! class: changed (fields differ, each shown at its own path), missing
//! (wway made it, it is gone), unmanaged (it carries this topology's
//! ownership but the file no longer declares it), unhealthy (AWS says it
//! failed or is degraded); or, not drift, unapplied (declared, never made).
//! `drift.ignore` rules of the topology take out what a team changes by
//! hand, and the report keeps their reasons.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Action, Plan};
use crate::state::live::Unhealthy;
use crate::state::{Kind, ResourceAddr};
use crate::topology::model::DriftIgnore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    Changed,
    Missing,
    Unmanaged,
    /// AWS says it failed or is degraded.
    Unhealthy,
    /// Declared but never made: a change not yet applied, not drift.
    Unapplied,
}

impl Class {
    pub const ALL: [Class; 5] =
        [Class::Changed, Class::Missing, Class::Unmanaged, Class::Unhealthy, Class::Unapplied];

    pub fn name(self) -> &'static str {
        match self {
            Class::Changed => "changed",
            Class::Missing => "missing",
            Class::Unmanaged => "unmanaged",
            Class::Unhealthy => "unhealthy",
            Class::Unapplied => "unapplied",
        }
    }

    /// Whether this class is drift (it sets the exit status).
    pub fn is_drift(self) -> bool {
        self != Class::Unapplied
    }
}

/// One differing value, at its path inside the resource's fields
/// (`max_size`, `default_behavior.ttl.default`, `behaviors[1].path`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDrift {
    pub path: String,
    pub declared: Value,
    pub live: Value,
    /// The reason of the ignore rule that covers this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drifted {
    pub address: ResourceAddr,
    pub kind: Kind,
    pub region: String,
    pub class: Class,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldDrift>,
    /// For an unhealthy one: what AWS says of it.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub unhealthy: Option<Unhealthy>,
    /// The reason of the ignore rule that covers the whole resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
}

impl Drifted {
    /// Whether it counts: drift, and not all of it ignored.
    pub fn counts(&self) -> bool {
        self.class.is_drift()
            && self.ignored.is_none()
            && (self.class != Class::Changed || self.fields.iter().any(|f| f.ignored.is_none()))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    pub topology: String,
    /// By address.
    pub items: Vec<Drifted>,
    /// Whether journals told what wway made (else every absent declared
    /// resource is taken as missing).
    pub history: bool,
}

impl Drift {
    /// How many resources count, per kind and class.
    pub fn counts(&self) -> BTreeMap<(Kind, Class), usize> {
        let mut counts = BTreeMap::new();
        for item in self.items.iter().filter(|i| i.counts() || i.class == Class::Unapplied) {
            *counts.entry((item.kind, item.class)).or_default() += 1;
        }
        counts
    }

    pub fn drifted(&self) -> bool {
        self.items.iter().any(Drifted::counts)
    }
}

/// What earlier runs made and have not deleted, when it is known (from the
/// journals); without any history every declared resource that is absent is
/// taken as missing, since wway cannot tell, and a deletion must not go
/// unreported.
pub type History<'a> = Option<&'a BTreeSet<ResourceAddr>>;

/// The drift that `plan` (of the file against the live account) shows.
pub fn drift(plan: &Plan, made: History<'_>, rules: &[DriftIgnore]) -> Drift {
    let mut items: Vec<Drifted> = plan
        .changes
        .iter()
        .filter_map(|change| {
            let (class, fields) = match change.action {
                Action::Create if made.is_none_or(|m| m.contains(&change.address)) => {
                    (Class::Missing, Vec::new())
                }
                Action::Create => (Class::Unapplied, Vec::new()),
                Action::Delete => (Class::Unmanaged, Vec::new()),
                // A replacement forced by a replaced dependency has no
                // difference of its own: the dependency's is the drift.
                Action::Update | Action::Replace if change.changed.is_empty() => return None,
                Action::Update | Action::Replace => {
                    let mut fields = Vec::new();
                    for field in &change.changed {
                        differences(&field.field, &field.after, &field.before, &mut fields);
                    }
                    (Class::Changed, fields)
                }
            };
            Some(Drifted {
                address: change.address.clone(),
                kind: change.kind,
                region: change.region.clone(),
                class,
                fields,
                unhealthy: None,
                ignored: None,
            })
        })
        .collect();
    items.extend(plan.unhealthy.iter().map(|ailing| Drifted {
        address: ailing.address.clone(),
        kind: ailing.kind,
        region: ailing.region.clone(),
        class: Class::Unhealthy,
        fields: Vec::new(),
        unhealthy: Some(ailing.unhealthy.clone()),
        ignored: None,
    }));
    for item in &mut items {
        ignore(item, rules);
    }
    items.sort_by(|a, b| a.address.cmp(&b.address));
    Drift { topology: plan.topology.clone(), items, history: made.is_some() }
}

/// The leaves at which `declared` and `live` differ. Keys only the live
/// side has are values AWS fills in: not differences.
fn differences(path: &str, declared: &Value, live: &Value, out: &mut Vec<FieldDrift>) {
    let found = out.len();
    match (declared, live) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, value) in want {
                let inner = format!("{path}.{key}");
                differences(&inner, value, have.get(key).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(want), Value::Array(have)) if want.len() == have.len() => {
            for (i, (value, now)) in want.iter().zip(have).enumerate() {
                differences(&format!("{path}[{i}]"), value, now, out);
            }
        }
        _ => {}
    }
    if out.len() == found && declared != live && !(declared.is_object() && live.is_object()) {
        out.push(FieldDrift {
            path: path.to_string(),
            declared: declared.clone(),
            live: live.clone(),
            ignored: None,
        });
    }
}

/// Whether a rule's field covers `path`: the field itself or inside it.
fn covers(field: &str, path: &str) -> bool {
    path.strip_prefix(field).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

fn ignore(item: &mut Drifted, rules: &[DriftIgnore]) {
    for rule in rules.iter().filter(|r| item.address.matches(&r.address)) {
        if rule.fields.is_empty() {
            item.ignored.get_or_insert_with(|| rule.reason.clone());
            continue;
        }
        for field in item.fields.iter_mut().filter(|f| f.ignored.is_none()) {
            if rule.fields.iter().any(|r| covers(r, &field.path)) {
                field.ignored = Some(rule.reason.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_values_differ_at_their_own_paths_and_filled_in_keys_do_not() {
        let mut out = Vec::new();
        let declared = json!({"ttl": {"default": 60, "max": 300}, "methods": ["GET", "HEAD"]});
        let live =
            json!({"ttl": {"default": 5, "max": 300}, "methods": ["GET", "PUT"], "etag": "E1"});
        differences("default_behavior", &declared, &live, &mut out);
        let paths: Vec<&str> = out.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["default_behavior.methods[1]", "default_behavior.ttl.default"]);
        out.clear();
        differences("behaviors", &json!([1, 2]), &json!([1]), &mut out);
        assert_eq!(out[0].path, "behaviors");
    }

    #[test]
    fn rules_cover_fields_and_their_insides_but_not_their_namesakes() {
        assert!(covers("labels", "labels"));
        assert!(covers("labels", "labels.team"));
        assert!(covers("behaviors", "behaviors[0].ttl"));
        assert!(!covers("labels", "labels_extra"));
    }
}
