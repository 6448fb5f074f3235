//! An in-memory cloud for the executor's fast tests: it makes, changes and
//! removes resources in a map as the steps it is given say, and can be told
//! to refuse a step or to take its time. It knows no AWS behaviour, only what
//! the executor asks of a cloud, so it never stands in for the emulator
//! tests: it tests the walker (parallelism, failures, rollback, resuming),
//! and that every kind's steps round-trip through a cloud.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use wway::cloud::{Cloud, CloudError, wait};
use wway::plan::Action;
use wway::plan::steps::{Op, Step};
use wway::state::ResourceAddr;
use wway::state::desired::DesiredState;
use wway::state::live::{Ids, LiveResource, LiveState, Outcome};

#[derive(Default)]
pub struct FakeCloud {
    owned: Mutex<BTreeMap<ResourceAddr, LiveResource>>,
    /// Steps refused, by name.
    refuse: BTreeSet<String>,
    /// How long each step takes.
    delay: Duration,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    /// Whether a step spends its `delay` waiting for AWS (polling, as a
    /// cluster's create does) rather than in a request.
    waits: bool,
    waiting: AtomicUsize,
    most_waiting: AtomicUsize,
    made: AtomicUsize,
    /// The steps carried out, by name, in the order they finished.
    log: Mutex<Vec<String>>,
}

impl FakeCloud {
    /// A cloud whose every step takes `delay`.
    pub fn slow(delay: Duration) -> Self {
        FakeCloud { delay, ..Default::default() }
    }

    /// A cloud whose every step makes its request at once, then waits
    /// `delay` for AWS to finish, polling.
    pub fn waiting(delay: Duration) -> Self {
        FakeCloud { delay, waits: true, ..Default::default() }
    }

    /// The most steps that were ever waiting for AWS at once.
    pub fn most_waiting(&self) -> usize {
        self.most_waiting.load(Ordering::SeqCst)
    }

    /// A cloud that refuses the steps named.
    pub fn refusing(steps: &[&str]) -> Self {
        FakeCloud { refuse: steps.iter().map(|s| s.to_string()).collect(), ..Default::default() }
    }

    /// From now on, every step is carried out.
    pub fn stop_refusing(&mut self) {
        self.refuse.clear();
    }

    pub fn owned(&self) -> BTreeMap<ResourceAddr, LiveResource> {
        self.owned.lock().unwrap().clone()
    }

    /// The most steps that were ever in flight at once.
    pub fn most_in_flight(&self) -> usize {
        self.most_in_flight.load(Ordering::SeqCst)
    }

    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn put(&self, addr: &ResourceAddr, kind: wway::state::Kind, fields: &wway::state::Fields) {
        let id = format!("fake-{}", self.made.fetch_add(1, Ordering::SeqCst));
        let live = LiveResource {
            kind,
            id,
            fields: fields.clone(),
            deps: Vec::new(),
            fingerprint: "f0".into(),
            unhealthy: None,
        };
        self.owned.lock().unwrap().insert(addr.clone(), live);
    }

    fn carry_out(&self, step: &Step) -> Outcome {
        let mut outcome = Outcome::default();
        match &step.op {
            Op::Create { target, .. } | Op::Update { target, .. } => {
                self.put(&target.addr, target.kind, &target.fields);
                let id = self.owned.lock().unwrap()[&target.addr].id.clone();
                outcome.ids.insert(target.addr.clone(), id);
            }
            Op::Delete { target, .. } => {
                self.owned.lock().unwrap().remove(&target.addr);
                outcome.removed.push(target.addr.clone());
            }
            Op::Records { changes, .. } => {
                for change in changes {
                    match (&change.action, &change.after) {
                        (Action::Delete, _) | (_, None) => {
                            self.owned.lock().unwrap().remove(&change.addr);
                            outcome.removed.push(change.addr.clone());
                        }
                        (_, Some(fields)) => {
                            self.put(&change.addr, wway::state::Kind::Record, fields);
                        }
                    }
                }
            }
            // The fake finishes every write at once.
            Op::Settle { .. } => {}
        }
        outcome
    }
}

impl Cloud for FakeCloud {
    async fn snapshot(&self, _desired: &DesiredState) -> Result<LiveState, CloudError> {
        Ok(LiveState { owned: self.owned(), ..Default::default() })
    }

    async fn apply_step(
        &self,
        _topology: &str,
        step: &Step,
        _ids: &Ids,
        progress: wait::Progress<'_>,
    ) -> Result<Outcome, CloudError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        if self.waits {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            let now = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_waiting.fetch_max(now, Ordering::SeqCst);
            let started = std::time::Instant::now();
            let done = || async {
                Ok(match started.elapsed() >= self.delay {
                    true => wait::Poll::Done,
                    false => wait::Poll::Waiting("CREATING".into()),
                })
            };
            wait::until("fake", Duration::from_secs(60), progress, done).await?;
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        } else {
            tokio::time::sleep(self.delay).await;
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
        }
        if self.refuse.contains(step.name.as_str()) {
            return Err(CloudError::Api {
                service: "fake",
                code: "Refused".into(),
                message: format!("told to refuse {}", step.name),
            });
        }
        let outcome = self.carry_out(step);
        self.log.lock().unwrap().push(step.name.to_string());
        Ok(outcome)
    }
}
