//! From plan to steps: what the executor runs. A change becomes one step,
//! or one per stop of an update AWS takes in stages (an EKS upgrade of
//! several minor versions, in step with the node groups); a replacement
//! becomes two (delete then create, or create then delete once
//! everything that depended on the old one has moved); every record change of
//! one zone becomes a single batch step, so Route 53 gets as few
//! ChangeResourceRecordSets calls as its limits allow. A write that AWS goes
//! on with (a distribution deploying) is followed by a step that waits for
//! it, and nothing else waits for that one.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::kinds::route53::record::{owner_fqdn, record_name};
use crate::kinds::{Fields, GLOBAL_REGION, Kind, ResourceAddr, Service};
pub use crate::plan::step_name::StepName;
use crate::plan::{Action, Change, Plan};
use crate::state::desired::DesiredState;
use crate::state::live::{Ids, LiveState};

/// A resource as a step makes or changes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub addr: ResourceAddr,
    pub kind: Kind,
    pub region: String,
    pub fields: Fields,
    /// An edge function's code folder.
    pub source: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// `replaces`: for a replacement, the AWS id of the resource it
    /// replaces, which the create must never take up as its own.
    Create {
        target: Target,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
    },
    Update {
        target: Target,
        id: String,
        before: Fields,
    },
    Delete {
        target: Target,
        id: String,
    },
    Records {
        zone: ResourceAddr,
        changes: Vec<RecordOp>,
        owners: Vec<OwnerChange>,
        /// The ids and outputs, as the plan read them, of what the changed
        /// records refer to (a health check, the distribution). Route 53
        /// deletes a record only named exactly as it is, and the run may
        /// replace what it refers to: a record's `before` is resolved here.
        #[serde(default, skip_serializing_if = "Ids::is_empty")]
        read: Ids,
    },
    /// Waits until AWS has finished the write before it (a distribution
    /// Deployed); changes nothing.
    Settle {
        target: Target,
    },
}

/// The ownership TXT record of one record name, before and after a batch:
/// the addresses of the record sets of that name that the topology owns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnerChange {
    pub fqdn: String,
    pub before: Vec<ResourceAddr>,
    pub after: Vec<ResourceAddr>,
}

/// One record change inside a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordOp {
    pub action: Action,
    pub addr: ResourceAddr,
    pub before: Option<Fields>,
    pub after: Option<Fields>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique in a run: see [`StepName`].
    pub name: StepName,
    pub service: Service,
    pub region: String,
    pub op: Op,
    /// Names of the steps that must finish first.
    pub deps: BTreeSet<StepName>,
}

impl Step {
    /// The address the step acts on (the zone, for a batch).
    pub fn addr(&self) -> &ResourceAddr {
        match &self.op {
            Op::Create { target, .. }
            | Op::Update { target, .. }
            | Op::Delete { target, .. }
            | Op::Settle { target } => &target.addr,
            Op::Records { zone, .. } => zone,
        }
    }
}

/// The steps of a plan, with their dependencies. The plan is taken apart:
/// its fields move into the steps rather than being copied.
pub fn steps(plan: Plan, desired: &DesiredState, live: &LiveState) -> Vec<Step> {
    let id = |addr: &ResourceAddr| live.owned.get(addr).map(|r| r.id.clone()).unwrap_or_default();
    let mut steps: Vec<Step> = Vec::new();
    // For each change: the step whose end means "the change is done" (what
    // dependents wait for), which is also the step that waits for what it
    // depends on (the old half of a replacement needs nothing).
    let mut finish: HashMap<ResourceAddr, StepName> = HashMap::new();
    // The step that removes the old resource, for a delete or a
    // replacement; and the old halves of delete-first replacements.
    let mut removes: HashMap<ResourceAddr, StepName> = HashMap::new();
    let mut delete_first: HashMap<ResourceAddr, StepName> = HashMap::new();
    let mut needs: Vec<(ResourceAddr, Vec<ResourceAddr>)> = Vec::new();
    let mut batches: BTreeMap<ResourceAddr, (Service, StepName, Vec<RecordOp>)> = BTreeMap::new();
    // The stops of updates made in stages, in order, by key.
    let mut staged: HashMap<ResourceAddr, Vec<(String, StepName)>> = HashMap::new();

    for change in plan.changes {
        let Change {
            address,
            kind,
            region,
            action,
            before,
            after,
            depends_on,
            create_before_destroy,
            ..
        } = change;
        if !depends_on.is_empty() {
            needs.push((address.clone(), depends_on));
        }
        let fields = after.as_ref().or(before.as_ref());
        if let Some(zone) = fields.and_then(|f| kind.def().batch(f)) {
            let (_, batch, ops) = batches
                .entry(zone)
                .or_insert_with_key(|zone| (kind.service(), StepName::records(zone), Vec::new()));
            finish.insert(address.clone(), batch.clone());
            ops.push(RecordOp { action, addr: address, before, after });
            continue;
        }
        let source = desired.resources.get(&address).and_then(|r| r.source.clone());
        let target = |fields: Option<Fields>| Target {
            addr: address.clone(),
            kind,
            region: region.clone(),
            fields: fields.unwrap_or_default(),
            source: source.clone(),
        };
        let step = |name: StepName, op: Op| Step {
            name,
            service: kind.service(),
            region: region.clone(),
            op,
            deps: BTreeSet::new(),
        };
        let name = StepName::resource(&address);
        match action {
            Action::Create => {
                steps
                    .push(step(name.clone(), Op::Create { target: target(after), replaces: None }));
            }
            Action::Update => {
                let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
                let stages = kind.def().stages(&before, &after);
                let (mut from, mut previous, mut stops) = (before, None::<StepName>, Vec::new());
                for stage in stages.iter().take(stages.len().saturating_sub(1)) {
                    let stop = StepName::stage(&address, &stage.key);
                    let target = target(Some(stage.fields.clone()));
                    let op = Op::Update { target, id: id(&address), before: from };
                    let mut stop_step = step(stop.clone(), op);
                    stop_step.deps.extend(previous.replace(stop.clone()));
                    steps.push(stop_step);
                    stops.push((stage.key.clone(), stop));
                    from = stage.fields.clone();
                }
                let op = Op::Update { target: target(Some(after)), id: id(&address), before: from };
                let mut last = step(name.clone(), op);
                last.deps.extend(previous);
                steps.push(last);
                if let Some(stage) = stages.last() {
                    stops.push((stage.key.clone(), name.clone()));
                    staged.insert(address.clone(), stops);
                }
            }
            Action::Delete => {
                let op = Op::Delete { target: target(before), id: id(&address) };
                steps.push(step(name.clone(), op));
                removes.insert(address.clone(), name.clone());
            }
            Action::Replace if create_before_destroy => {
                let op = Op::Create { target: target(after), replaces: Some(id(&address)) };
                steps.push(step(name.clone(), op));
                let op = Op::Delete { target: target(before), id: id(&address) };
                let mut old = step(StepName::old(&address), op);
                old.deps.insert(name.clone());
                removes.insert(address.clone(), old.name.clone());
                steps.push(old);
            }
            Action::Replace => {
                let old = StepName::old(&address);
                let op = Op::Delete { target: target(before), id: id(&address) };
                steps.push(step(old.clone(), op));
                let op = Op::Create { target: target(after), replaces: Some(id(&address)) };
                let mut new = step(name.clone(), op);
                new.deps.insert(old.clone());
                steps.push(new);
                removes.insert(address.clone(), old.clone());
                delete_first.insert(address.clone(), old);
            }
        }
        finish.insert(address, name);
    }

    for (zone, (service, name, changes)) in batches {
        let owners = owner_changes(&changes, live);
        let referred: BTreeSet<&ResourceAddr> =
            changes.iter().filter_map(|c| live.owned.get(&c.addr)).flat_map(|r| &r.deps).collect();
        let read = live.ids().only(&referred);
        let op = Op::Records { zone, changes, owners, read };
        steps.push(Step { name, service, region: GLOBAL_REGION.into(), op, deps: BTreeSet::new() });
    }

    // A change's step waits for the changes it depends on.
    let position: HashMap<StepName, usize> =
        steps.iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    for (address, depends_on) in &needs {
        let Some(waits) = finish.get(address) else { continue };
        let Some(&at) = position.get(waits) else { continue };
        // Every record of a zone shares its batch's few needs: each is
        // copied once, not once per record.
        for need in depends_on.iter().filter_map(|d| finish.get(d)) {
            if need != waits && !steps[at].deps.contains(need) {
                steps[at].deps.insert(need.clone());
            }
        }
    }
    // An update made in stages goes stop by stop with what it depends on
    // that is made in stages too: each stop waits for the dependency's stop
    // of the same key, and the dependency's next stop waits for it (the
    // cluster to 1.33, its node groups to 1.33, the cluster to 1.34: EKS
    // raises a cluster only when its node groups are on its version).
    for (address, depends_on) in &needs {
        let Some(mine) = staged.get(address) else { continue };
        for theirs in depends_on.iter().filter_map(|d| staged.get(d)) {
            for (key, stop) in mine {
                if let Some(their) = stop_at(theirs, key) {
                    steps[position[stop]].deps.insert(their.clone());
                }
            }
            for pair in theirs.windows(2) {
                if let Some(my) = stop_at(mine, &pair[0].0) {
                    steps[position[&pair[1].1]].deps.insert(my.clone());
                }
            }
        }
    }
    // The old half of a delete-first replacement goes after the old halves
    // of what used it: a cluster after its node groups, a VPC after its
    // subnets.
    for (addr, resource) in &live.owned {
        let Some(removed) = removes.get(addr) else { continue };
        for old in resource.deps.iter().filter_map(|d| delete_first.get(d)) {
            if let Some(&at) = position.get(old).filter(|_| old != removed) {
                steps[at].deps.insert(removed.clone());
            }
        }
    }
    // A write AWS goes on with is waited for by a step of its own.
    let settling: Vec<Step> = steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::Create { target, .. } | Op::Update { target, .. }
                if target.kind.def().settles() =>
            {
                Some(Step {
                    name: StepName::settled(&target.addr),
                    service: s.service,
                    region: s.region.clone(),
                    op: Op::Settle { target: target.clone() },
                    deps: BTreeSet::from([s.name.clone()]),
                })
            }
            Op::Create { .. }
            | Op::Update { .. }
            | Op::Delete { .. }
            | Op::Records { .. }
            | Op::Settle { .. } => None,
        })
        .collect();
    steps.extend(settling);
    // The old half of a create-before-destroy replacement goes last: after
    // everything that waited for the new one.
    let mut dependents: HashMap<&StepName, Vec<&StepName>> = HashMap::new();
    for s in &steps {
        for dep in &s.deps {
            dependents.entry(dep).or_default().push(&s.name);
        }
    }
    let mut after_new: Vec<(usize, Vec<StepName>)> = Vec::new();
    for (at, old) in steps.iter().enumerate().filter(|(_, s)| s.name.is_old()) {
        let new = StepName::resource(old.name.addr());
        if !old.deps.contains(&new) {
            continue;
        }
        let waiting = dependents.get(&new).into_iter().flatten();
        let waiting = waiting.filter(|n| ***n != old.name).map(|n| (*n).clone());
        after_new.push((at, waiting.collect()));
    }
    for (at, names) in after_new {
        steps[at].deps.extend(names);
    }
    steps
}

/// The step of `stops` (an update's stops, by key) that stops at `key`.
fn stop_at<'s>(stops: &'s [(String, StepName)], key: &str) -> Option<&'s StepName> {
    stops.iter().find(|(k, _)| k == key).map(|(_, step)| step)
}

/// How the ownership records of the names a batch touches change.
fn owner_changes(changes: &[RecordOp], live: &LiveState) -> Vec<OwnerChange> {
    let mut names: BTreeMap<String, (String, BTreeSet<ResourceAddr>, BTreeSet<ResourceAddr>)> =
        BTreeMap::new();
    for op in changes {
        let fields = op.after.as_ref().or(op.before.as_ref());
        let zone = fields.and_then(|f| f.get("zone")).and_then(|z| z.as_str()).unwrap_or_default();
        let zone = crate::kinds::route53::zone::name(zone);
        let name = record_name(&op.addr).to_string();
        let fqdn = owner_fqdn(&name, zone);
        names.entry(name).or_insert_with(|| {
            let listed: BTreeSet<ResourceAddr> =
                live.record_owners.get(&fqdn).into_iter().flatten().cloned().collect();
            (fqdn, listed.clone(), listed)
        });
    }
    for op in changes {
        if let Some((_, _, after)) = names.get_mut(record_name(&op.addr)) {
            match op.action {
                Action::Delete => {
                    after.remove(&op.addr);
                }
                Action::Create | Action::Update | Action::Replace => {
                    after.insert(op.addr.clone());
                }
            }
        }
    }
    names
        .into_values()
        .filter(|(_, before, after)| before != after)
        .map(|(fqdn, before, after)| OwnerChange {
            fqdn,
            before: before.into_iter().collect(),
            after: after.into_iter().collect(),
        })
        .collect()
}
