//! The executor: carries out a plan against a [`Cloud`] in dependency order,
//! in parallel where it can, journaling every step; on a failure it rolls
//! back what the run did (unless told not to), with the same walker.

pub mod budget;
pub mod history;
pub mod journal;
pub mod lock;
pub mod report;
pub mod rollback;
pub mod scope;
pub mod store;
pub mod walker;

use std::io;

use crate::cloud::Cloud;
use crate::plan::steps::Step;
use crate::state::live::Ids;
use journal::{Entry, Journal, now};
use report::Reporter;
use walker::{Walked, Walker};

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub parallelism: usize,
    /// Undo the completed steps when a step fails.
    pub rollback: bool,
}

#[derive(Debug)]
pub struct Report {
    pub applied: Walked,
    /// The rollback that followed a failure, if there was one.
    pub rolled_back: Option<Walked>,
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.applied.failed.is_empty() && self.applied.skipped.is_empty()
    }
}

/// Runs `steps` (from a plan, or the inverse of a journal) and journals them.
pub async fn execute<C: Cloud>(
    cloud: &C,
    topology: &str,
    steps: Vec<Step>,
    ids: Ids,
    options: Options,
    reporter: &dyn Reporter,
    journal: &mut Journal,
) -> io::Result<Report> {
    journal.write(&Entry::Ids { ids: ids.clone() }).await?;
    let walker = Walker {
        cloud,
        topology,
        reporter,
        parallelism: options.parallelism.max(1),
        budget: Default::default(),
    };
    let applied = walker.walk(steps, ids, journal).await?;
    let mut rolled_back = None;
    if !applied.failed.is_empty() && options.rollback && !applied.done.is_empty() {
        journal.write(&Entry::RollbackBegin { of: journal.run.clone() }).await?;
        let undo = rollback::inverse(&applied.done);
        rolled_back = Some(walker.walk(undo, applied.ids.clone(), journal).await?);
    }
    let status = match (&rolled_back, applied.failed.is_empty()) {
        (_, true) => "complete",
        (Some(r), false) if r.failed.is_empty() => "rolled-back",
        _ => "failed",
    };
    journal.write(&Entry::End { status: status.into(), at: now() }).await?;
    Ok(Report { applied, rolled_back })
}
