//! The apply lock: one run at a time per topology. The lock is an object
//! created only if absent (a file opened `create_new`, or an S3 put with
//! `If-None-Match: *`), holding who took it (user, host, process,
//! time); a second run is refused with the holder's name, and
//! `wway force-unlock ID` clears the lock of a run that died.

use std::io;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::journal::now;
use super::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub id: String,
    pub user: String,
    pub host: String,
    pub pid: u32,
    pub command: String,
    pub at: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another run holds the lock: {} by {}@{} (process {}, since {}); if it died, run `wway force-unlock {}`",
        .0.command, .0.user, .0.host, .0.pid, utc(.0.at), .0.id
    )]
    Held(Holder),
    #[error("cannot take the lock {0}: {1}")]
    Io(String, io::Error),
}

/// A Unix time as `2026-11-27 01:15:30 UTC` (the proleptic Gregorian
/// calendar, by Howard Hinnant's days-to-civil algorithm).
fn utc(seconds: u64) -> String {
    let (days, second) = ((seconds / 86_400) as i64, seconds % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (hour, minute, second) = (second / 3_600, second / 60 % 60, second % 60);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02} UTC")
}

/// Held until [`Lock::release`]; a run that dies keeps it until
/// `wway force-unlock`.
pub struct Lock {
    store: Arc<dyn Store>,
    pub holder: Holder,
}

const KEY: &str = "lock.json";

pub async fn read_holder(store: &dyn Store) -> io::Result<Option<Holder>> {
    let Some(bytes) = store.read(KEY).await? else { return Ok(None) };
    serde_json::from_slice(&bytes).map(Some).map_err(io::Error::other)
}

fn lock_error(store: &dyn Store) -> impl Fn(io::Error) -> LockError + '_ {
    |error| LockError::Io(store.location(KEY), error)
}

impl Lock {
    pub async fn acquire(store: Arc<dyn Store>, command: &str) -> Result<Lock, LockError> {
        let holder = Holder {
            id: format!("{:x}{:x}", now(), std::process::id()),
            user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
            host: std::fs::read_to_string("/etc/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            pid: std::process::id(),
            command: command.into(),
            at: now(),
        };
        let body =
            serde_json::to_vec(&holder).map_err(|e| lock_error(&*store)(io::Error::other(e)))?;
        if store.create(KEY, body).await.map_err(lock_error(&*store))? {
            return Ok(Lock { store, holder });
        }
        match read_holder(&*store).await.map_err(lock_error(&*store))? {
            Some(other) => Err(LockError::Held(other)),
            // Let go between our try and the read: say so rather than loop.
            None => Err(lock_error(&*store)(io::Error::other("the lock changed hands; try again"))),
        }
    }

    /// Lets go of the lock; a failure to remove it is said on stderr, since
    /// the run itself is over.
    pub async fn release(self) {
        if let Err(error) = self.store.remove(KEY).await {
            eprintln!(
                "warning: cannot remove the lock {}: {error}; `wway force-unlock {}` clears it",
                self.store.location(KEY),
                self.holder.id
            );
        }
    }
}

/// Removes the lock if its id is `id`, and says whose it was.
pub async fn force_unlock(store: &dyn Store, id: &str) -> Result<Holder, String> {
    match read_holder(store).await.map_err(|e| e.to_string())? {
        Some(holder) if holder.id == id => {
            store.remove(KEY).await.map_err(|e| e.to_string())?;
            Ok(holder)
        }
        Some(holder) => Err(format!("the lock is held under id {}, not {id}", holder.id)),
        None => Err(format!("there is no lock at {}", store.location(KEY))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::store::Folder;

    #[tokio::test]
    async fn a_second_run_is_refused_with_the_holder_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(Folder { root: dir.path().to_path_buf() });
        let first = Lock::acquire(store.clone(), "apply").await.unwrap();
        let error = Lock::acquire(store.clone(), "destroy").await.err().unwrap();
        assert!(error.to_string().starts_with("another run holds the lock: apply by "), "{error}");
        assert!(
            error.to_string().ends_with(&format!("run `wway force-unlock {}`", first.holder.id))
        );
        first.release().await;
        let second = Lock::acquire(store.clone(), "destroy").await.unwrap();
        assert!(force_unlock(&*store, "other").await.is_err());
        assert_eq!(force_unlock(&*store, &second.holder.id).await.unwrap().command, "destroy");
        assert!(Lock::acquire(store.clone(), "apply").await.is_ok());
    }

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_742_130), "2026-11-27 01:15:30 UTC");
    }
}
