//! How a run tells the user what it is doing: a [`Reporter`] gets every
//! step's start, progress (a waiter's status) and end. `present` implements it
//! with progress bars on a terminal and with plain lines elsewhere.

use std::time::Duration;

use crate::plan::steps::Step;

pub trait Reporter: Sync {
    fn started(&self, step: &Step);
    /// A waiter's status, e.g. "cluster wonderway-us-east-1: CREATING (42 s)".
    fn progress(&self, step: &Step, status: &str);
    fn finished(&self, step: &Step, result: &StepResult, elapsed: Duration);
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    Done,
    /// Could not finish yet; a later run retries it.
    Deferred,
    Failed(String),
    /// Not run because a step it depends on failed.
    Skipped {
        because: String,
    },
}
