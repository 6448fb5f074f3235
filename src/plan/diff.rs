//! The diff: desired state against live state, resource by resource and field
//! by field. It decides each resource's action, refuses to touch what wway
//! does not own, leaves fields that others own (an autoscaler's desired size)
//! alone, refuses what AWS would refuse (an EKS downgrade), replaces what is
//! built on a replaced resource (delete-first under delete-first), and
//! updates what points at one (a record at its health check).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::graph::order;
use super::{Action, Change, FieldChange, Plan, PlanError, UnhealthyResource};
use crate::kinds::{OnClash, ResourceAddr, api_region, references};
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::{Health, LiveResource, LiveState};

pub fn plan(desired: &DesiredState, live: &LiveState) -> Result<Plan, Vec<PlanError>> {
    let mut errors = preflight(desired, live);
    let mut changes: BTreeMap<ResourceAddr, Change> = BTreeMap::new();
    for resource in desired.resources.values() {
        match live.owned.get(&resource.addr) {
            Some(current) => {
                if let Some(change) = compare(resource, current) {
                    let address = &resource.addr;
                    let refused = change.refused().into_iter();
                    errors.extend(
                        refused.map(|message| PlanError::Refused {
                            address: address.clone(),
                            message,
                        }),
                    );
                    changes.insert(resource.addr.clone(), change);
                }
            }
            None => match clash(resource, live) {
                Some(Clash::Use) => {}
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
    Ok(Plan {
        topology: desired.topology.clone(),
        changes,
        fingerprints,
        unhealthy: unhealthy(live),
        warnings: super::quotas::warnings(desired, live),
        routing: Vec::new(),
    })
}

fn unhealthy(live: &LiveState) -> Vec<UnhealthyResource> {
    let ailing = live.owned.iter().filter_map(|(addr, current)| {
        Some(UnhealthyResource {
            address: addr.clone(),
            kind: current.kind,
            region: api_region(current.kind, addr),
            unhealthy: current.unhealthy.clone()?,
        })
    });
    ailing.collect()
}

/// Region facts the account must offer: each kind says what it needs (the
/// zones subnets go in, the instance types node groups run).
fn preflight(desired: &DesiredState, live: &LiveState) -> Vec<PlanError> {
    let mut errors = Vec::new();
    for resource in desired.resources.values() {
        let Some(facts) = live.regions.get(&resource.region) else { continue };
        let current = live.owned.get(&resource.addr).map(|r| &r.fields);
        for message in resource.kind.def().preflight(resource, facts, current) {
            errors.push(PlanError::Preflight { region: resource.region.clone(), message });
        }
    }
    errors.dedup();
    errors
}

enum Clash {
    /// A resource of someone else's that wway uses without owning it.
    Use,
    Error(PlanError),
}

fn clash(resource: &DesiredResource, live: &LiveState) -> Option<Clash> {
    let def = resource.kind.def();
    let names = def.identities(&resource.name, &resource.fields);
    let other = live.unowned.iter().find(|u| u.kind == resource.kind && names.contains(&u.name))?;
    if def.on_clash() == OnClash::Use {
        return Some(Clash::Use);
    }
    Some(Clash::Error(PlanError::Clash {
        address: resource.addr.clone(),
        kind: def.name(),
        name: other.name.clone(),
        id: other.id.clone(),
        holder: other.holder.clone(),
    }))
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
        region: api_region(current.kind, addr),
        action: Action::Delete,
        before: Some(current.fields.clone()),
        after: None,
        changed: Vec::new(),
        replace_because: Vec::new(),
        depends_on: Vec::new(),
        create_before_destroy: false,
    }
}

fn compare(resource: &DesiredResource, current: &LiveResource) -> Option<Change> {
    let def = resource.kind.def();
    let changed: Vec<FieldChange> = resource
        .fields
        .iter()
        .filter_map(|(field, after)| {
            let before = current.fields.get(field).cloned().unwrap_or(Value::Null);
            let same = def.equivalent(field, after, &before, &resource.fields);
            (!same).then(|| FieldChange {
                field: field.clone(),
                before: shown_before(field, after, before),
                after: after.clone(),
            })
        })
        .collect();
    let failed = current.unhealthy.as_ref().filter(|u| u.health == Health::Failed);
    if changed.is_empty() && failed.is_none() {
        return None;
    }
    let mut replace_because: Vec<String> = changed
        .iter()
        .filter(|c| def.replace_fields().contains(&c.field.as_str()))
        .map(|c| c.field.clone())
        .collect();
    replace_because.extend(failed.map(ToString::to_string));
    let action = if replace_because.is_empty() { Action::Update } else { Action::Replace };
    Some(Change {
        address: resource.addr.clone(),
        kind: resource.kind,
        region: resource.region.clone(),
        action,
        before: Some(current.fields.clone()),
        after: Some(resource.fields.clone()),
        changed,
        create_before_destroy: action == Action::Replace && def.create_before_destroy(),
        replace_because,
        depends_on: Vec::new(),
    })
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
            for field in resource.kind.def().reference_fields() {
                let refers = references(&resource.fields[*field]);
                if let Some(dependency) = refers.iter().find(|r| replaced.contains(*r)) {
                    change.action = Action::Replace;
                    change.create_before_destroy = resource.kind.def().create_before_destroy();
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
            for field in resource.kind.def().reference_fields() {
                let refers = references(&resource.fields[*field]);
                if let Some(dependency) = refers.iter().find(|r| replaced.contains(*r)) {
                    let mut change = create(resource);
                    change.action = Action::Replace;
                    change.before = live.owned.get(&resource.addr).map(|r| r.fields.clone());
                    change.create_before_destroy = resource.kind.def().create_before_destroy();
                    change.replace_because.push(format!("{dependency} is replaced"));
                    changes.insert(resource.addr.clone(), change);
                    grew = true;
                    break;
                }
            }
        }
        if !grew {
            break;
        }
    }
    delete_first_below_delete_first(desired, changes);
    repoint(desired, live, changes);
}

/// A resource with no change of its own that points at a replaced one by
/// a field that changes in place (a record at its health check) is updated
/// to point at the new one; the old one goes after it (its create-before-
/// destroy replacement waits for what waited for the new one).
fn repoint(desired: &DesiredState, live: &LiveState, changes: &mut BTreeMap<ResourceAddr, Change>) {
    let replaced: BTreeSet<ResourceAddr> = changes
        .values()
        .filter(|c| c.action == Action::Replace)
        .map(|c| c.address.clone())
        .collect();
    if replaced.is_empty() {
        return;
    }
    for resource in desired.resources.values() {
        let (Some(current), false) =
            (live.owned.get(&resource.addr), changes.contains_key(&resource.addr))
        else {
            continue;
        };
        let moved: Vec<FieldChange> = resource
            .kind
            .def()
            .pointer_fields()
            .iter()
            .filter_map(|field| {
                let value = resource.fields.get(*field)?;
                let target = references(value).into_iter().find(|r| replaced.contains(r))?;
                let old = live.owned.get(&target).map(|t| t.id.clone()).unwrap_or_default();
                Some(FieldChange {
                    field: field.to_string(),
                    before: Value::String(old),
                    after: Value::String(format!("(the new {target}, known after apply)")),
                })
            })
            .collect();
        if moved.is_empty() {
            continue;
        }
        let mut change = create(resource);
        change.action = Action::Update;
        change.before = Some(current.fields.clone());
        change.changed = moved;
        changes.insert(resource.addr.clone(), change);
    }
}

/// A replacement whose dependency is replaced delete-first is made
/// delete-first too, whatever its kind prefers: its old self must go before
/// the dependency's old self (a cluster is not deleted while node groups
/// hold it), and its new self can only come after the dependency's new one.
/// Runs to a fixed point, so chains follow.
fn delete_first_below_delete_first(
    desired: &DesiredState,
    changes: &mut BTreeMap<ResourceAddr, Change>,
) {
    loop {
        let delete_first: BTreeSet<ResourceAddr> = changes
            .values()
            .filter(|c| c.action == Action::Replace && !c.create_before_destroy)
            .map(|c| c.address.clone())
            .collect();
        let mut grew = false;
        for change in changes.values_mut() {
            if change.action != Action::Replace || !change.create_before_destroy {
                continue;
            }
            let deps = desired.resources.get(&change.address).map(|r| r.deps.as_slice());
            if let Some(dependency) =
                deps.unwrap_or_default().iter().find(|d| delete_first.contains(*d))
            {
                change.create_before_destroy = false;
                change
                    .replace_because
                    .push(format!("{dependency} is replaced before it is made again"));
                grew = true;
            }
        }
        if !grew {
            return;
        }
    }
}
