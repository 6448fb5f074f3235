//! The executor: carries out a plan against a [`Cloud`] in dependency order,
//! in parallel where it can, journaling every step; on a failure it rolls
//! back what the run did (unless told not to), with the same walker.

#![deny(clippy::wildcard_enum_match_arm)]

pub mod drill;
pub mod history;
pub mod interrupt;
pub mod journal;
pub mod lock;
pub mod report;
pub mod rollback;
pub mod scope;
pub mod walker;

use std::io;

use crate::cloud::Cloud;
use crate::plan::steps::Step;
use crate::state::live::{Ids, Outcome};
use interrupt::Interrupt;
use journal::{Entry, Journal, now};
use report::Reporter;
use walker::{Walked, Walker};

#[derive(Clone)]
pub struct Options {
    pub parallelism: usize,
    /// Undo the completed steps when a step fails.
    pub rollback: bool,
    /// Stops the run from starting steps (Ctrl-C).
    pub interrupt: Interrupt,
}

#[derive(Debug)]
pub struct Report {
    pub applied: Walked,
    /// The rollback that followed a failure, if there was one.
    pub rolled_back: Option<Walked>,
    /// The signal that stopped the run before all its steps started.
    pub interrupted: Option<i32>,
    /// After a rollback, how the account read back differs from before the
    /// run (empty: as it was); `None` when it was not read back.
    pub left_over: Option<Vec<String>>,
}

impl Report {
    pub fn succeeded(&self) -> bool {
        self.applied.failed.is_empty()
            && self.applied.skipped.is_empty()
            && self.applied.not_started.is_empty()
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
        interrupt: &options.interrupt,
    };
    let applied = walker.walk(steps, ids, journal).await?;
    let interrupted = options.interrupt.requested().filter(|_| !applied.not_started.is_empty());
    let mut rolled_back = None;
    // A run the user stopped is left as it is: they chose to stop, and
    // `wway rollback` undoes it if they want.
    let acted: Vec<(Step, Outcome)> = applied.done.iter().chain(&applied.partly).cloned().collect();
    if !applied.failed.is_empty() && options.rollback && !acted.is_empty() && interrupted.is_none()
    {
        journal.write(&Entry::RollbackBegin { of: journal.run.clone() }).await?;
        let undo = rollback::inverse(&acted);
        rolled_back = Some(walker.walk(undo, applied.ids.clone(), journal).await?);
    }
    let status = match (&rolled_back, applied.failed.is_empty()) {
        _ if interrupted.is_some() => "interrupted",
        (_, true) => "complete",
        (Some(r), false) if r.failed.is_empty() => "rolled-back",
        _ => "failed",
    };
    journal.close(&Entry::End { status: status.into(), at: now() }).await?;
    Ok(Report { applied, rolled_back, interrupted, left_over: None })
}
