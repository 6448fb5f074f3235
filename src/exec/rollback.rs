//! Rollback: the inverse of the steps a run completed, run in reverse
//! dependency order by the same walker. A create is undone by a delete, an
//! update by an update back to the prior fields, a delete by a create from the
//! prior fields, a record batch by the opposite batch. A wait for AWS to
//! finish a write (`Op::Settle`) has nothing to undo.
//!
//! A step that was started but never seen to finish (the run was killed, or
//! the step failed after AWS had acted) is judged against the live account:
//! if it took effect it is undone like a finished one.

use std::collections::{BTreeMap, BTreeSet};

use crate::kinds::InPlace;
use crate::plan::Action;
use crate::plan::steps::{Op, OwnerChange, RecordOp, Step, StepName, Target};
use crate::state::Fields;
use crate::state::live::Outcome;
use crate::state::live::{Ids, LiveState};

/// The steps that undo `done` (in the order they were done).
pub fn inverse(done: &[(Step, crate::state::live::Outcome)]) -> Vec<Step> {
    let done: Vec<(&Step, Op)> =
        done.iter().filter_map(|(s, outcome)| Some((s, undo(&s.op, outcome)?))).collect();
    let steps: BTreeMap<&StepName, &Step> = done.iter().map(|(s, _)| (&s.name, *s)).collect();
    // Undo X before Y when Y's doing needed X done: reverse every edge; but
    // an update whose outputs an update after it used (a function's
    // published version, which a distribution runs) is undone first, so that
    // the other's undo takes the outputs its undo gives.
    let mut undo_after: BTreeMap<&StepName, BTreeSet<StepName>> = BTreeMap::new();
    for (step, _) in &done {
        for dep in step.deps.iter().filter_map(|d| steps.get(d)) {
            match gives_outputs_to(dep, step) {
                true => undo_after.entry(&step.name).or_default().insert(StepName::undo(&dep.name)),
                false => {
                    undo_after.entry(&dep.name).or_default().insert(StepName::undo(&step.name))
                }
            };
        }
    }
    done.into_iter()
        .rev()
        .map(|(step, op)| Step {
            name: StepName::undo(&step.name),
            service: step.service,
            region: step.region.clone(),
            op,
            deps: undo_after.remove(&step.name).unwrap_or_default(),
        })
        .collect()
}

/// Both steps are updates, and `first` gives outputs that `then` may use.
fn gives_outputs_to(first: &Step, then: &Step) -> bool {
    match (&first.op, &then.op) {
        (Op::Update { target, .. }, Op::Update { .. }) => !target.kind.def().outputs().is_empty(),
        _ => false,
    }
}

/// The op that undoes `op`; none for a wait, which changed nothing.
fn undo(op: &Op, outcome: &crate::state::live::Outcome) -> Option<Op> {
    Some(match op {
        Op::Settle { .. } => return None,
        Op::Create { target, .. } => {
            let id = outcome.ids.get(&target.addr).cloned().unwrap_or_default();
            Op::Delete { target: target.clone(), id }
        }
        Op::Update { target, id, before } => {
            // What cannot be changed back (an EKS upgrade) stays as it is.
            let mut back = target.clone();
            back.fields = before.clone();
            for (field, _) in one_way(target, before) {
                if let Some(value) = target.fields.get(&field) {
                    back.fields.insert(field, value.clone());
                }
            }
            Op::Update { target: back, id: id.clone(), before: target.fields.clone() }
        }
        Op::Delete { target, .. } => Op::Create { target: target.clone(), replaces: None },
        // An undo's `before` is what this run made: the running ids name it.
        Op::Records { zone, changes, owners, read: _ } => Op::Records {
            zone: zone.clone(),
            changes: changes
                .iter()
                .map(|c| RecordOp {
                    action: match c.action {
                        Action::Create => Action::Delete,
                        Action::Delete => Action::Create,
                        same @ (Action::Update | Action::Replace) => same,
                    },
                    addr: c.addr.clone(),
                    before: c.after.clone(),
                    after: c.before.clone(),
                })
                .collect(),
            owners: owners
                .iter()
                .map(|o| OwnerChange {
                    fqdn: o.fqdn.clone(),
                    before: o.after.clone(),
                    after: o.before.clone(),
                })
                .collect(),
            read: Ids::default(),
        },
    })
}

/// The fields of an update that cannot be changed back, with why.
fn one_way(target: &Target, before: &Fields) -> Vec<(String, String)> {
    let def = target.kind.def();
    let null = serde_json::Value::Null;
    let changed = target.fields.iter().filter(|(k, v)| before.get(*k) != Some(*v));
    changed
        .filter_map(|(field, after)| {
            match def.in_place(field, before.get(field).unwrap_or(&null), after) {
                InPlace::OneWay(why) => Some((field.clone(), why)),
                InPlace::Reversible | InPlace::Refused(_) => None,
            }
        })
        .collect()
}

/// What a rollback of `done` leaves as it is, in words: `<address>: <why>`.
pub fn not_undone(done: &[(Step, Outcome)]) -> Vec<String> {
    let updates = done.iter().filter_map(|(step, _)| match &step.op {
        Op::Update { target, before, .. } => Some((target, before)),
        Op::Create { .. } | Op::Delete { .. } | Op::Records { .. } | Op::Settle { .. } => None,
    });
    updates
        .flat_map(|(target, before)| {
            one_way(target, before).into_iter().map(|(_, why)| format!("{}: {why}", target.addr))
        })
        .collect()
}

/// Whether `before` moved towards `after` in `live`: some field that the
/// change was to alter no longer holds its prior value. (Comparing with
/// `before` rather than `after` needs no reference resolved.)
fn moved(before: &Fields, after: &Fields, live: &Fields) -> bool {
    after.keys().filter(|k| before.get(*k) != after.get(*k)).any(|k| live.get(k) != before.get(k))
}

/// Whether a step that was started but not seen to finish took effect, and
/// if so what it made, judged from the live account after the run.
pub fn took_effect(step: &Step, live: &LiveState) -> Option<Outcome> {
    let mut outcome = Outcome::default();
    match &step.op {
        Op::Create { target, replaces } => {
            // A replacement's resource is the one that is not the old one.
            let made = live.owned.get(&target.addr).filter(|r| Some(&r.id) != replaces.as_ref())?;
            outcome.ids.insert(target.addr.clone(), made.id.clone());
        }
        Op::Update { target, before, .. } => {
            let now = live.owned.get(&target.addr)?;
            moved(before, &target.fields, &now.fields).then_some(())?;
        }
        Op::Delete { target, .. } => {
            if live.owned.contains_key(&target.addr) {
                return None;
            }
            outcome.removed.push(target.addr.clone());
        }
        // A wait changed nothing.
        Op::Settle { .. } => return None,
        // A batch is atomic in Route 53: its first change tells for all.
        Op::Records { changes, .. } => {
            let change = changes.first()?;
            let now = live.owned.get(&change.addr).map(|r| &r.fields);
            let happened = match (change.action, now) {
                (Action::Delete, now) => now.is_none(),
                (Action::Create, now) => now.is_some(),
                (_, Some(now)) => moved(
                    change.before.as_ref().unwrap_or(&Fields::new()),
                    change.after.as_ref().unwrap_or(&Fields::new()),
                    now,
                ),
                (_, None) => false,
            };
            happened.then_some(())?;
        }
    }
    Some(outcome)
}
