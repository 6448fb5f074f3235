//! What earlier runs made and have not deleted since, by replaying every
//! journal in the store, oldest first. Drift uses it to tell a resource
//! deleted behind wway's back (it made it) from one declared but never
//! applied.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use super::journal::{self, Entry};
use crate::plan::Action;
use crate::plan::steps::{Op, Step, StepName};
use crate::state::ResourceAddr;
use crate::store::Store;

/// The addresses earlier runs made and did not delete; `None` when the store
/// holds no journal at all (nothing is known).
pub async fn made(store: &dyn Store) -> io::Result<Option<BTreeSet<ResourceAddr>>> {
    let runs = journal::runs(store).await?;
    if runs.is_empty() {
        return Ok(None);
    }
    let mut journals = Vec::with_capacity(runs.len());
    for run in &runs {
        journals.push(journal::read(store, run).await?.entries);
    }
    Ok(Some(replay(&journals)))
}

/// The addresses the finished steps of `journals` (oldest first) leave made.
pub fn replay(journals: &[Vec<Entry>]) -> BTreeSet<ResourceAddr> {
    let mut made = BTreeSet::new();
    for entries in journals {
        let mut intents: BTreeMap<&StepName, &Step> = BTreeMap::new();
        for entry in entries {
            if let Entry::Intent { step } = entry {
                intents.insert(&step.name, step);
            }
        }
        // A resource with an `#old` step in the run was being replaced: its
        // deletes are of the old one (or of the new one, when the
        // replacement is undone and the old one made again), so it exists.
        let old = |name: &StepName| name.is_old() || name.undone().is_some_and(StepName::is_old);
        let replaced: BTreeSet<&ResourceAddr> =
            intents.values().filter(|s| old(&s.name)).map(|s| s.addr()).collect();
        for entry in entries {
            let Entry::Done { step, outcome } = entry else { continue };
            let Some(step) = intents.get(step).filter(|_| !outcome.deferred) else {
                continue;
            };
            for (addr, exists) in effects(step) {
                if exists {
                    made.insert(addr);
                } else if !replaced.contains(&addr) {
                    made.remove(&addr);
                }
            }
        }
    }
    made
}

/// Whether each resource a finished step acted on exists after it.
fn effects(step: &Step) -> Vec<(ResourceAddr, bool)> {
    match &step.op {
        Op::Create { target, .. } | Op::Update { target, .. } => vec![(target.addr.clone(), true)],
        Op::Delete { target, .. } => vec![(target.addr.clone(), false)],
        Op::Records { changes, .. } => {
            changes.iter().map(|c| (c.addr.clone(), c.action != Action::Delete)).collect()
        }
        Op::Settle { .. } => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::steps::Target;
    use crate::state::live::Outcome;
    use crate::state::{Kind, Service};

    fn step(name: &str, op: &str) -> Step {
        let name = StepName::parse(name);
        let addr = name.addr().clone();
        let target = Target {
            addr,
            kind: Kind::NodeGroup,
            region: "eu-west-1".into(),
            fields: Default::default(),
            source: None,
        };
        let op = match op {
            "create" => Op::Create { target, replaces: None },
            _ => Op::Delete { target, id: "id".into() },
        };
        Step {
            name,
            service: Service::Eks,
            region: "eu-west-1".into(),
            op,
            deps: Default::default(),
        }
    }

    fn run(steps: &[(&str, &str)]) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (name, op) in steps {
            entries.push(Entry::Intent { step: step(name, op) });
            entries.push(Entry::Done { step: StepName::parse(name), outcome: Outcome::default() });
        }
        entries
    }

    #[test]
    fn made_is_what_runs_left_existing() {
        let a = ResourceAddr::new("eu-west-1/node-group/a");
        let b = ResourceAddr::new("eu-west-1/node-group/b");
        let apply = run(&[(a.as_str(), "create"), (b.as_str(), "create")]);
        assert_eq!(replay(std::slice::from_ref(&apply)), BTreeSet::from([a.clone(), b.clone()]));
        // A replacement, create before destroy, keeps it; so does its undoing.
        let replace = run(&[(a.as_str(), "create"), ("eu-west-1/node-group/a#old", "delete")]);
        let undo = run(&[
            ("undo:eu-west-1/node-group/a#old", "create"),
            ("undo:eu-west-1/node-group/a", "delete"),
        ]);
        let journals = [apply.clone(), replace, undo];
        assert_eq!(replay(&journals), BTreeSet::from([a.clone(), b.clone()]));
        // A create rolled back in its own run, and a destroy, leave nothing.
        let failed =
            run(&[("eu-west-1/node-group/c", "create"), ("undo:eu-west-1/node-group/c", "delete")]);
        let destroy = run(&[(b.as_str(), "delete")]);
        assert_eq!(replay(&[apply, failed, destroy]), BTreeSet::from([a]));
    }
}
