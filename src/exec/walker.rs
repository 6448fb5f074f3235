//! The DAG walker: runs each step when the steps it depends on are done,
//! independent steps in parallel (up to `parallelism` at once making
//! requests, each request within its rate budget, `cloud/budget.rs`; a step
//! that only waits for AWS gives its place up, `cloud/slot.rs`); retries
//! throttling and transient failures with backoff; skips the dependents of
//! a failed step and reports only the failure itself.
//! Once the run is interrupted it starts no new step, lets the running ones
//! finish (journaled as ever) and leaves the rest not started.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::Semaphore;

use super::interrupt::Interrupt;
use super::journal::{Entry, Journal};
use super::report::{Reporter, StepResult};
use crate::cloud::slot::{self, SLOT, Slot};
use crate::cloud::{Cloud, CloudError};
use crate::plan::steps::{Op, Step, StepName};
use crate::state::live::Ids;
use crate::state::live::Outcome;

/// What a walk did.
#[derive(Debug, Default)]
pub struct Walked {
    pub done: Vec<(Step, Outcome)>,
    pub deferred: Vec<Step>,
    pub failed: Vec<(Step, String)>,
    /// Failed steps that made their resource before they failed, and what
    /// they made: a rollback removes it with what was done.
    pub partly: Vec<(Step, Outcome)>,
    pub skipped: Vec<Step>,
    /// Not started because the run was interrupted.
    pub not_started: Vec<Step>,
    /// The ids after the walk, for a rollback that follows.
    pub ids: Ids,
}

/// How long a step is tried again while AWS throttles or the connection
/// fails, and at most how often: a busy account can fail half its requests
/// for a while, and giving up after a few tries fails the whole run.
const RETRY_FOR: Duration = Duration::from_secs(5 * 60);
const ATTEMPTS: u32 = 40;

/// How long what was made moments ago is waited for, where a service does
/// not know it yet: an IAM role reaches a service in seconds, rarely a
/// minute (terraform-provider-aws waits 2 minutes); a new hosted zone, in
/// seconds. Lambda answers a role that does not exist in the same words, so
/// the wait must stay short.
const PROPAGATION_FOR: Duration = Duration::from_secs(2 * 60);

/// How long a failed step may be tried again: after a failure that may pass,
/// after DependencyViolation (what used the resource is still going), and
/// while an IAM role has not reached the service yet.
fn retry_for(error: &CloudError) -> Option<Duration> {
    if error.not_propagated() {
        Some(PROPAGATION_FOR)
    } else if error.may_pass()
        || matches!(error.cause(), CloudError::Api { code, .. } if code == "DependencyViolation")
    {
        Some(RETRY_FOR)
    } else {
        None
    }
}

/// Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... up to 20 s.
fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(500) * 2u32.pow(attempt.min(6));
    let jitter =
        Duration::from_millis(u64::from(std::process::id() ^ attempt.wrapping_mul(7919)) % 250);
    base.min(Duration::from_secs(20)) + jitter
}

/// What a create that failed made before it failed, as its outcome.
fn left_behind(step: &Step, error: &CloudError) -> Option<Outcome> {
    match (&step.op, error) {
        (Op::Create { target, .. }, CloudError::MadeThenFailed { id, .. }) => {
            let mut made = Outcome::default();
            made.ids.insert(target.addr.clone(), id.clone());
            Some(made)
        }
        _ => None,
    }
}

pub struct Walker<'a, C: Cloud> {
    pub cloud: &'a C,
    pub topology: &'a str,
    pub reporter: &'a dyn Reporter,
    pub parallelism: usize,
    pub interrupt: &'a Interrupt,
}

impl<C: Cloud> Walker<'_, C> {
    async fn run(&self, step: &Step, ids: Ids) -> Result<Outcome, CloudError> {
        let progress = |status: &str| self.reporter.progress(step, status);
        let (mut attempt, started) = (0, Instant::now());
        loop {
            match self.cloud.apply_step(self.topology, step, &ids, &progress).await {
                Err(error)
                    if retry_for(&error).is_some_and(|window| started.elapsed() < window)
                        && attempt + 1 < ATTEMPTS =>
                {
                    attempt += 1;
                    self.reporter.progress(step, &format!("retrying after: {error}"));
                    slot::pause(backoff(attempt)).await;
                }
                other => return other,
            }
        }
    }

    pub async fn walk(
        &self,
        steps: Vec<Step>,
        mut ids: Ids,
        journal: &mut Journal,
    ) -> io::Result<Walked> {
        let mut pending: BTreeMap<StepName, Step> =
            steps.into_iter().map(|s| (s.name.clone(), s)).collect();
        let names: BTreeSet<StepName> = pending.keys().cloned().collect();
        let mut finished: BTreeSet<StepName> = BTreeSet::new();
        let mut broken: BTreeMap<StepName, StepName> = BTreeMap::new();
        let mut walked = Walked::default();
        let mut running = FuturesUnordered::new();
        let places = Arc::new(Semaphore::new(self.parallelism));
        loop {
            // Steps behind a failure will not run: say why, once each.
            let blocked: Vec<(StepName, StepName)> = pending
                .values()
                .filter_map(|s| {
                    s.deps
                        .iter()
                        .find_map(|d| broken.get(d))
                        .map(|root| (s.name.clone(), root.clone()))
                })
                .collect();
            for (name, root) in blocked {
                if let Some(step) = pending.remove(&name) {
                    let because = format!("{root} failed");
                    self.reporter.finished(&step, &StepResult::Skipped { because }, Duration::ZERO);
                    broken.insert(name, root);
                    walked.skipped.push(step);
                }
            }
            // A step starts when a place is free: one that only waits
            // gives its place up (slot.rs). One ready step more than there
            // are places says whether to wait for a place as well.
            let room = match self.interrupt.requested() {
                Some(_) => 0,
                None => places.available_permits(),
            };
            let ready: Vec<StepName> = pending
                .values()
                .filter(|s| s.deps.iter().all(|d| finished.contains(d) || !names.contains(d)))
                .map(|s| s.name.clone())
                .take(room + 1)
                .collect();
            let waiting = self.interrupt.requested().is_none() && ready.len() > room;
            for name in ready.into_iter().take(room) {
                let Ok(place) = places.clone().try_acquire_owned() else { break };
                let Some(step) = pending.remove(&name) else { continue };
                journal.write(&Entry::Intent { step: step.clone() }).await?;
                self.reporter.started(&step);
                let ids = ids.clone();
                running.push(SLOT.scope(Slot::new(places.clone(), place), async move {
                    let started = Instant::now();
                    let result = self.run(&step, ids).await;
                    (step, result, started.elapsed())
                }));
            }
            let next = match waiting {
                true => tokio::select! {
                    next = running.next() => next,
                    // A place came free (a step began to wait): start more.
                    _ = places.clone().acquire_owned() => continue,
                },
                false => running.next().await,
            };
            let Some((step, result, elapsed)) = next else { break };
            match result {
                Ok(outcome) => {
                    journal
                        .write(&Entry::Done { step: step.name.clone(), outcome: outcome.clone() })
                        .await?;
                    ids.absorb(&outcome);
                    finished.insert(step.name.clone());
                    let result =
                        if outcome.deferred { StepResult::Deferred } else { StepResult::Done };
                    self.reporter.finished(&step, &result, elapsed);
                    if outcome.deferred {
                        walked.deferred.push(step);
                    } else {
                        walked.done.push((step, outcome));
                    }
                }
                Err(error) => {
                    let message = error.to_string();
                    let entry = Entry::Failed { step: step.name.clone(), error: message.clone() };
                    journal.write(&entry).await?;
                    // `wway rollback` finds such a resource by reading the
                    // account (rollback::took_effect); this run knows it.
                    if let Some(made) = left_behind(&step, &error) {
                        ids.absorb(&made);
                        walked.partly.push((step.clone(), made));
                    }
                    self.reporter.finished(&step, &StepResult::Failed(message.clone()), elapsed);
                    broken.insert(step.name.clone(), step.name.clone());
                    walked.failed.push((step, message));
                }
            }
        }
        walked.not_started = pending.into_values().collect();
        walked.ids = ids;
        Ok(walked)
    }
}
