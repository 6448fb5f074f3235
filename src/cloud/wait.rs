//! Waiting for AWS to finish what it started (a cluster becoming ACTIVE, a
//! distribution Deployed, a record change INSYNC): poll with pauses that grow
//! with the time waited, report the status and the elapsed time, end at once
//! when AWS says it failed, give up after a timeout. Between polls the step
//! lets go of its place among the run's parallel steps (`slot.rs`).

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
    let mut failed_polls = 0;
    loop {
        let answer = match poll().await {
            Ok(answer) => {
                failed_polls = 0;
                answer
            }
            // The SDK has retried already; the wait polls again later, so a
            // busy API does not end it (AWS's own waiters do the same).
            Err(error) if error.may_pass() && failed_polls < FAILED_POLLS => {
                failed_polls += 1;
                Poll::Waiting(format!("asking again after: {error}"))
            }
            Err(error) => return Err(error),
        };
        match answer {
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
                super::slot::pause(pause(elapsed)).await;
            }
        }
    }
}

/// How many polls in a row may fail in a way that passes before the wait
/// fails with it (each after the SDK's own retries).
const FAILED_POLLS: u32 = 5;

/// How long to wait before the next poll, `elapsed` into a wait: a tenth of
/// it, from 0.2 s to 15 s. A wait then ends at most a tenth later than AWS
/// finished (a cluster ready after 10 minutes is seen within 15 s, a record
/// change INSYNC after 30 s within 3 s), and a ten-minute wait costs about a
/// hundred polls, well within each service's rate.
fn pause(elapsed: Duration) -> Duration {
    (elapsed / 10).clamp(Duration::from_millis(200), Duration::from_secs(15))
}

/// A delete that finds nothing to delete has done its job.
pub fn gone(result: Result<(), CloudError>) -> Result<(), CloudError> {
    absent(result).map(|_| ())
}

/// A look-up's answer, or `None` where AWS says there is no such thing.
pub fn absent<T>(result: Result<T, CloudError>) -> Result<Option<T>, CloudError> {
    match result {
        Err(CloudError::Api { code, .. }) if not_found(&code) => Ok(None),
        other => other.map(Some),
    }
}

/// Whether an error code says there is no such thing.
pub fn not_found(code: &str) -> bool {
    code.contains("NotFound") || code.starts_with("NoSuch") || code == "ResourceNotFoundException"
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: a throttled poll (after the SDK's own retries) ended the
    /// wait with the error, and the walker ran the whole step again (a
    /// create's look for what it made, then the wait from the start).
    #[tokio::test]
    async fn a_poll_that_fails_for_a_while_is_polled_again() {
        let throttled = || CloudError::Throttled { service: "eks", code: "Throttling".into() };
        let answers = std::sync::Mutex::new(vec![
            Ok(Poll::Done),
            Err(throttled()),
            Ok(Poll::Waiting("CREATING".into())),
            Err(throttled()),
        ]);
        let poll = || async { answers.lock().unwrap().pop().unwrap() };
        until("cluster c", Duration::from_secs(60), &|_| {}, poll).await.unwrap();

        // Failing on and on is the wait's failure.
        let poll = || async { Err(throttled()) };
        let error = until("cluster c", Duration::from_secs(60), &|_| {}, poll).await.unwrap_err();
        assert!(matches!(error, CloudError::Throttled { .. }), "{error}");
        // An error that will not pass ends it at once.
        let poll = || async { Err(CloudError::Internal("no".into())) };
        let error = until("cluster c", Duration::from_secs(60), &|_| {}, poll).await.unwrap_err();
        assert!(matches!(error, CloudError::Internal(_)), "{error}");
    }

    #[test]
    fn a_wait_polls_every_tenth_of_its_time_from_a_fifth_of_a_second_to_fifteen() {
        let at = |seconds: f64| pause(Duration::from_secs_f64(seconds)).as_secs_f64();
        assert_eq!(at(0.0), 0.2);
        assert_eq!(at(30.0), 3.0);
        assert_eq!(at(600.0), 15.0);
        // A wait that ends at any time is seen within a tenth of it (or 0.2 s).
        let mut polled = 0.0;
        while polled < 1200.0 {
            let next = polled + at(polled);
            assert!(next - polled <= (polled / 10.0).max(0.2) + 1e-9, "{polled}");
            polled = next;
        }
    }
}
