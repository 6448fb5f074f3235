//! Rollback: the inverse of the steps a run completed, run in reverse
//! dependency order by the same walker. A create is undone by a delete, an
//! update by an update back to the prior fields, a delete by a create from the
//! prior fields, a record batch by the opposite batch.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::Action;
use crate::plan::steps::{Op, OwnerChange, RecordOp, Step};

/// The steps that undo `done` (in the order they were done).
pub fn inverse(done: &[(Step, crate::plan::steps::Outcome)]) -> Vec<Step> {
    let names: BTreeSet<&str> = done.iter().map(|(s, _)| s.name.as_str()).collect();
    // Undo X before Y when Y's doing needed X done: reverse every edge.
    let mut reverse: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (step, _) in done {
        for dep in step.deps.iter().filter(|d| names.contains(d.as_str())) {
            reverse.entry(dep.as_str()).or_default().insert(undo_name(&step.name));
        }
    }
    done.iter()
        .rev()
        .map(|(step, outcome)| Step {
            name: undo_name(&step.name),
            service: step.service,
            region: step.region.clone(),
            op: undo(&step.op, outcome),
            deps: reverse.remove(step.name.as_str()).unwrap_or_default(),
        })
        .collect()
}

fn undo_name(name: &str) -> String {
    format!("undo:{name}")
}

fn undo(op: &Op, outcome: &crate::plan::steps::Outcome) -> Op {
    match op {
        Op::Create { target } => {
            let id = outcome.ids.get(&target.addr).cloned().unwrap_or_default();
            Op::Delete { target: target.clone(), id }
        }
        Op::Update { target, id, before } => {
            let mut back = target.clone();
            back.fields = before.clone();
            Op::Update { target: back, id: id.clone(), before: target.fields.clone() }
        }
        Op::Delete { target, .. } => Op::Create { target: target.clone() },
        Op::Records { zone, changes, owners } => Op::Records {
            zone: zone.clone(),
            changes: changes
                .iter()
                .map(|c| RecordOp {
                    action: match c.action {
                        Action::Create => Action::Delete,
                        Action::Delete => Action::Create,
                        other => other,
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
        },
    }
}
