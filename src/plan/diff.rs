//! The diff: desired state against live state, resource by resource and field
//! by field. It decides each resource's action, refuses to touch what wway
//! does not own, leaves fields that others own (an autoscaler's desired size)
//! alone, and replaces what depends on a replaced resource.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::graph::order;
use super::{Action, Change, FieldChange, Plan, PlanError};
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::{LiveResource, LiveState};
use crate::state::{Kind, ResourceAddr};

pub fn plan(desired: &DesiredState, live: &LiveState) -> Result<Plan, Vec<PlanError>> {
    let mut errors = preflight(desired, live);
    let mut changes: BTreeMap<ResourceAddr, Change> = BTreeMap::new();
    for resource in desired.resources.values() {
        match live.owned.get(&resource.addr) {
            Some(current) => {
                if let Some(change) = compare(resource, current) {
                    changes.insert(resource.addr.clone(), change);
                }
            }
            None => match clash(resource, live) {
                Some(Clash::Adopt) => {}
                Some(Clash::Error(error)) => errors.push(error),
                None => {
                    changes.insert(resource.addr.clone(), create(resource));
                }
            },
        }
    }
    for (addr, current) in &live.owned {
        if !desired.resources.contains_key(addr) {
            changes.insert(addr.clone(), delete(addr, current));
        }
    }
    cascade_replacements(desired, live, &mut changes);
    if !errors.is_empty() {
        return Err(errors);
    }
    let changes = order(changes, desired, live).map_err(|cycle| vec![PlanError::Cycle(cycle)])?;
    let fingerprints =
        live.owned.iter().map(|(addr, r)| (addr.clone(), r.fingerprint.clone())).collect();
    Ok(Plan { topology: desired.topology.clone(), changes, fingerprints })
}

/// Region facts the account must offer: the zones subnets go in, the instance types.
fn preflight(desired: &DesiredState, live: &LiveState) -> Vec<PlanError> {
    let mut errors = Vec::new();
    for resource in desired.resources.values() {
        let Some(facts) = live.regions.get(&resource.region) else { continue };
        let error =
            |message: String| PlanError::Preflight { region: resource.region.clone(), message };
        match resource.kind {
            Kind::Subnet => {
                let zone = resource.fields["availability_zone"].as_str().unwrap_or_default();
                if !facts.availability_zones.iter().any(|z| z == zone) {
                    errors.push(error(format!(
                        "availability zone {zone} is not available (the region has {})",
                        facts.availability_zones.join(", ")
                    )));
                }
            }
            Kind::NodeGroup => {
                for t in resource.fields["instance_types"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !facts.offered_instance_types.iter().any(|o| o == t) {
                        errors.push(error(format!(
                            "instance type {t} of {} is not offered",
                            resource.addr
                        )));
                    }
                }
            }
            _ => {}
        }
    }
    errors.dedup();
    errors
}

enum Clash {
    /// An existing zone that wway uses without owning it.
    Adopt,
    Error(PlanError),
}

fn clash(resource: &DesiredResource, live: &LiveState) -> Option<Clash> {
    let names = identities(resource);
    let other = live.unowned.iter().find(|u| u.kind == resource.kind && names.contains(&u.name))?;
    if resource.kind == Kind::Zone {
        return Some(Clash::Adopt);
    }
    Some(Clash::Error(PlanError::Clash {
        address: resource.addr.clone(),
        kind: resource.kind.name(),
        name: other.name.clone(),
        id: other.id.clone(),
        holder: other.holder.clone(),
    }))
}

/// The names under which a resource could clash with another: for a record
/// its name, type and set identifier; for a distribution each of its aliases
/// (CloudFront lets an alias live on one distribution only); for the rest
/// its name.
fn identities(resource: &DesiredResource) -> Vec<String> {
    match resource.kind {
        Kind::Record => vec![record_identity(
            &resource.name,
            resource.fields["type"].as_str().unwrap_or_default(),
            resource.fields.get("set_identifier").and_then(Value::as_str),
        )],
        Kind::Distribution => resource.fields["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![resource.name.clone()],
    }
}

pub fn record_identity(name: &str, kind: &str, set_identifier: Option<&str>) -> String {
    match set_identifier {
        Some(id) => format!("{name} {kind} {id}"),
        None => format!("{name} {kind}"),
    }
}

fn create(resource: &DesiredResource) -> Change {
    Change {
        address: resource.addr.clone(),
        kind: resource.kind,
        region: resource.region.clone(),
        action: Action::Create,
        before: None,
        after: Some(resource.fields.clone()),
        changed: Vec::new(),
        replace_because: Vec::new(),
        depends_on: Vec::new(),
        create_before_destroy: false,
    }
}

fn delete(addr: &ResourceAddr, current: &LiveResource) -> Change {
    Change {
        address: addr.clone(),
        kind: current.kind,
        region: region_of(addr, current.kind),
        action: Action::Delete,
        before: Some(current.fields.clone()),
        after: None,
        changed: Vec::new(),
        replace_because: Vec::new(),
        depends_on: Vec::new(),
        create_before_destroy: false,
    }
}

/// The region whose API manages a resource known only by its address.
fn region_of(addr: &ResourceAddr, kind: Kind) -> String {
    match kind {
        Kind::Zone | Kind::HealthCheck | Kind::Record | Kind::Distribution | Kind::EdgeFunction => {
            "us-east-1".into()
        }
        _ => addr.scope().to_string(),
    }
}

fn compare(resource: &DesiredResource, current: &LiveResource) -> Option<Change> {
    let changed: Vec<FieldChange> = resource
        .fields
        .iter()
        .filter_map(|(field, after)| {
            let before = current.fields.get(field).cloned().unwrap_or(Value::Null);
            (!equivalent(resource, field, after, &before)).then(|| FieldChange {
                field: field.clone(),
                before: shown_before(field, after, before),
                after: after.clone(),
            })
        })
        .collect();
    if changed.is_empty() {
        return None;
    }
    let replace_because: Vec<String> = changed
        .iter()
        .filter(|c| resource.kind.replace_fields().contains(&c.field.as_str()))
        .map(|c| c.field.clone())
        .collect();
    let action = if replace_because.is_empty() { Action::Update } else { Action::Replace };
    Some(Change {
        address: resource.addr.clone(),
        kind: resource.kind,
        region: resource.region.clone(),
        action,
        before: Some(current.fields.clone()),
        after: Some(resource.fields.clone()),
        changed,
        create_before_destroy: action == Action::Replace && resource.kind.create_before_destroy(),
        replace_because,
        depends_on: Vec::new(),
    })
}

/// Whether a live value satisfies the desired one.
fn equivalent(resource: &DesiredResource, field: &str, desired: &Value, live: &Value) -> bool {
    match (resource.kind, field) {
        // Tags others add (EKS, cost allocation, operators) are theirs.
        (_, "tags") => subset(desired, live),
        // After creation the cluster autoscaler owns the desired size: any
        // value inside [min, max] is right (spec: "Fields owned by someone else").
        (Kind::NodeGroup, "desired_size") => {
            let bound = |key: &str| resource.fields.get(key).and_then(Value::as_u64);
            match (live.as_u64(), bound("min_size"), bound("max_size")) {
                (Some(size), Some(min), Some(max)) => (min..=max).contains(&size),
                _ => desired == live,
            }
        }
        _ => desired == live,
    }
}

fn subset(desired: &Value, live: &Value) -> bool {
    match (desired.as_object(), live.as_object()) {
        (Some(want), Some(have)) => want.iter().all(|(k, v)| have.get(k) == Some(v)),
        _ => desired == live,
    }
}

/// For tags, only the keys wway sets are shown as "before".
fn shown_before(field: &str, desired: &Value, live: Value) -> Value {
    match (field, desired.as_object(), live.as_object()) {
        ("tags", Some(want), Some(have)) => Value::Object(
            have.iter()
                .filter(|(k, _)| want.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => live,
    }
}

/// A resource that refers to a replaced one (a subnet of a replaced VPC) is
/// replaced too; this runs to a fixed point so chains cascade.
fn cascade_replacements(
    desired: &DesiredState,
    live: &LiveState,
    changes: &mut BTreeMap<ResourceAddr, Change>,
) {
    loop {
        let replaced: BTreeSet<ResourceAddr> = changes
            .values()
            .filter(|c| c.action == Action::Replace)
            .map(|c| c.address.clone())
            .collect();
        let mut grew = false;
        for resource in desired.resources.values() {
            let Some(change) = changes.get_mut(&resource.addr) else {
                continue;
            };
            if !matches!(change.action, Action::Update) {
                continue;
            }
            for field in resource.kind.reference_fields() {
                let refers = references(&resource.fields[*field]);
                if let Some(dependency) = refers.iter().find(|r| replaced.contains(*r)) {
                    change.action = Action::Replace;
                    change.create_before_destroy = resource.kind.create_before_destroy();
                    change.replace_because.push(format!("{dependency} is replaced"));
                    grew = true;
                }
            }
        }
        // Resources with no change of their own that refer to a replaced one.
        for resource in desired.resources.values() {
            if changes.contains_key(&resource.addr) {
                continue;
            }
            for field in resource.kind.reference_fields() {
                let refers = references(&resource.fields[*field]);
                if let Some(dependency) = refers.iter().find(|r| replaced.contains(*r)) {
                    let mut change = create(resource);
                    change.action = Action::Replace;
                    change.before = live.owned.get(&resource.addr).map(|r| r.fields.clone());
                    change.create_before_destroy = resource.kind.create_before_destroy();
                    change.replace_because.push(format!("{dependency} is replaced"));
                    changes.insert(resource.addr.clone(), change);
                    grew = true;
                    break;
                }
            }
        }
        if !grew {
            return;
        }
    }
}

fn references(value: &Value) -> Vec<ResourceAddr> {
    match value {
        Value::String(s) => vec![ResourceAddr::new(s.clone())],
        Value::Array(items) => {
            items.iter().filter_map(Value::as_str).map(ResourceAddr::new).collect()
        }
        _ => Vec::new(),
    }
}
