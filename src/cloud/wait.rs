//! Waiting for AWS to finish what it started (a cluster becoming ACTIVE, a
//! distribution Deployed, a record change INSYNC): poll with growing pauses,
//! report the status and the elapsed time, end at once when AWS says it
//! failed, give up after a timeout. Between polls the step lets go of its
//! place among the run's parallel steps (`slot.rs`).

use std::future::Future;
use std::time::{Duration, Instant};

use super::CloudError;

/// What one poll saw.
pub enum Poll {
    Done,
    Waiting(String),
    /// AWS says it will not get there: the state and AWS's reason.
    Failed(String),
}

/// Progress of a waiter: the step's current status, e.g. "CREATING (42 s)".
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

/// What a step's waits need: where to report, and the user's limit for
/// the step's kind (`--timeout`), if they set one.
#[derive(Clone, Copy)]
pub struct Wait<'a> {
    pub progress: Progress<'a>,
    pub limit: Option<Duration>,
}

impl Wait<'_> {
    /// The user's limit, else the kind's `default`.
    pub fn limit(&self, default: Duration) -> Duration {
        self.limit.unwrap_or(default)
    }
}

pub async fn until<F, Fut>(
    what: &str,
    timeout: Duration,
    progress: Progress<'_>,
    mut poll: F,
) -> Result<(), CloudError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll, CloudError>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        match poll().await? {
            Poll::Done => return Ok(()),
            Poll::Failed(reason) => {
                return Err(CloudError::Failed { what: what.to_string(), reason });
            }
            Poll::Waiting(status) => {
                let elapsed = started.elapsed();
                if elapsed > timeout {
                    return Err(CloudError::Timeout {
                        what: what.to_string(),
                        status,
                        seconds: elapsed.as_secs(),
                    });
                }
                progress(&format!("{what}: {status} ({} s)", elapsed.as_secs()));
                super::slot::pause(pause).await;
                pause = (pause * 2).min(Duration::from_secs(15));
            }
        }
    }
}

/// A delete that finds nothing to delete has done its job.
pub fn gone(result: Result<(), CloudError>) -> Result<(), CloudError> {
    match result {
        Err(CloudError::Api { code, .. })
            if code.contains("NotFound")
                || code.starts_with("NoSuch")
                || code == "ResourceNotFoundException" =>
        {
            Ok(())
        }
        other => other,
    }
}
