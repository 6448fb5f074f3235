//! The apply lock: one run at a time per topology. The lock is an object
//! created only if absent (a file opened `create_new`, or an S3 put with
//! `If-None-Match: *`), holding who took it (user, host, process,
//! time); a second run is refused with the holder's name, and
//! `wway force-unlock ID` clears the lock of a run that died.
//!
//! A lock left by a process that is gone from this very host is taken over
//! (its holder cannot be running); one from another host is never guessed
//! about. A run lets go only of its own lock: the object is removed only
//! while it still holds what this run wrote. A lock that cannot be read is
//! named, with an id that `force-unlock` takes.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

use serde::{Deserialize, Serialize};

use super::journal::now;
use crate::store::{Store, this_host};

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
        "another run holds the lock: {} by {}@{} (process {}, since {})",
        .0.command, .0.user, .0.host, .0.pid, utc(.0.at)
    )]
    Held(Holder),
    #[error("the lock {location} cannot be read ({why})")]
    Damaged { location: String, id: String, why: String },
    #[error("cannot take the lock {0}: {1}")]
    Io(String, io::Error),
}

impl LockError {
    /// The id `wway force-unlock` takes to clear this lock, if it is one.
    pub fn unlock_id(&self) -> Option<&str> {
        match self {
            LockError::Held(holder) => Some(&holder.id),
            LockError::Damaged { id, .. } => Some(id),
            LockError::Io(..) => None,
        }
    }
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
/// `wway force-unlock`, or until a run on the same host sees it gone.
pub struct Lock {
    store: Arc<dyn Store>,
    pub holder: Holder,
    /// What this run wrote: released only while the lock still holds it.
    body: Vec<u8>,
    /// The dead holder whose lock this run took over, to be said.
    pub taken_over: Option<Holder>,
}

const KEY: &str = "lock.json";

/// Locks this process has asked for: no two holders are written alike.
static TAKEN: AtomicU32 = AtomicU32::new(0);

/// What the lock object holds now: nothing, a holder, or bytes that are not one.
enum Held {
    Free,
    By(Holder, Vec<u8>),
    Damaged(Vec<u8>, String),
}

async fn held(store: &dyn Store) -> io::Result<Held> {
    let Some(bytes) = store.read(KEY).await? else { return Ok(Held::Free) };
    Ok(match serde_json::from_slice(&bytes) {
        Ok(holder) => Held::By(holder, bytes),
        Err(error) => Held::Damaged(bytes, error.to_string()),
    })
}

/// The id that names a damaged lock: its content's digest.
fn damaged_id(bytes: &[u8]) -> String {
    format!("damaged-{}", &crate::state::digest::sha256_hex(bytes)[..12])
}

pub async fn read_holder(store: &dyn Store) -> io::Result<Option<Holder>> {
    match held(store).await? {
        Held::Free => Ok(None),
        Held::By(holder, _) => Ok(Some(holder)),
        Held::Damaged(_, why) => Err(io::Error::new(io::ErrorKind::InvalidData, why)),
    }
}

/// Whether process `pid` of this host is gone. Where that cannot be told
/// (no `/proc`), it is taken to be running.
fn gone(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

impl Lock {
    pub async fn acquire(store: Arc<dyn Store>, command: &str) -> Result<Lock, LockError> {
        let location = store.location(KEY);
        let io_error = |error| LockError::Io(location.clone(), error);
        let holder = Holder {
            id: format!("{:x}{:x}{:x}", now(), std::process::id(), TAKEN.fetch_add(1, Relaxed)),
            user: std::env::var("USER").unwrap_or_else(|_| "unknown".into()),
            host: this_host(),
            pid: std::process::id(),
            command: command.into(),
            at: now(),
        };
        let body = serde_json::to_vec(&holder).map_err(|e| io_error(io::Error::other(e)))?;
        let mut taken_over = None;
        loop {
            if store.create(KEY, body.clone()).await.map_err(io_error)? {
                return Ok(Lock { store, holder, body, taken_over });
            }
            match held(&*store).await.map_err(io_error)? {
                Held::By(other, bytes)
                    if taken_over.is_none() && other.host == holder.host && gone(other.pid) =>
                {
                    // Removed only if it is still the dead run's; then one
                    // more try (another live run may take it first).
                    store.remove_if(KEY, bytes).await.map_err(io_error)?;
                    taken_over = Some(other);
                }
                Held::By(other, _) => return Err(LockError::Held(other)),
                Held::Damaged(bytes, why) => {
                    return Err(LockError::Damaged { location, id: damaged_id(&bytes), why });
                }
                // Let go between our try and the read: say so rather than loop.
                Held::Free => {
                    return Err(io_error(io::Error::other("the lock changed hands; try again")));
                }
            }
        }
    }

    /// Lets go of the lock if it is still this run's; what else happened is
    /// a warning for the caller to show, since the run itself is over.
    pub async fn release(self) -> Result<(), String> {
        let location = self.store.location(KEY);
        match self.store.remove_if(KEY, self.body).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!(
                "the lock {location} is no longer this run's (it was cleared, and maybe \
                 taken by another run); it is left as it is"
            )),
            Err(error) => Err(format!(
                "cannot remove the lock {location}: {error}; `wway force-unlock {}` clears it",
                self.holder.id
            )),
        }
    }
}

/// Removes the lock if its id is `id`, and says whose it was (nobody's
/// known, for a damaged lock).
pub async fn force_unlock(store: &dyn Store, id: &str) -> Result<Option<Holder>, String> {
    let (holder, bytes) = match held(store).await.map_err(|e| e.to_string())? {
        Held::By(holder, bytes) if holder.id == id => (Some(holder), bytes),
        Held::Damaged(bytes, _) if damaged_id(&bytes) == id => (None, bytes),
        Held::By(holder, _) => {
            return Err(format!("the lock is held under id {}, not {id}", holder.id));
        }
        Held::Damaged(bytes, why) => {
            return Err(format!(
                "the lock {} cannot be read ({why}); its id is {}, not {id}",
                store.location(KEY),
                damaged_id(&bytes)
            ));
        }
        Held::Free => return Err(format!("there is no lock at {}", store.location(KEY))),
    };
    match store.remove_if(KEY, bytes).await.map_err(|e| e.to_string())? {
        true => Ok(holder),
        false => Err(format!("the lock {} changed meanwhile; look again", store.location(KEY))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Folder;

    fn folder() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(Folder { root: dir.path().to_path_buf() });
        (dir, store)
    }

    #[tokio::test]
    async fn a_second_run_is_refused_with_the_holder_until_the_first_lets_go() {
        let (_dir, store) = folder();
        let first = Lock::acquire(store.clone(), "apply").await.unwrap();
        let error = Lock::acquire(store.clone(), "destroy").await.err().unwrap();
        assert!(error.to_string().starts_with("another run holds the lock: apply by "), "{error}");
        assert_eq!(error.unlock_id(), Some(first.holder.id.as_str()));
        first.release().await.unwrap();
        let second = Lock::acquire(store.clone(), "destroy").await.unwrap();
        assert!(force_unlock(&*store, "other").await.is_err());
        let cleared = force_unlock(&*store, &second.holder.id).await.unwrap();
        assert_eq!(cleared.unwrap().command, "destroy");
        assert!(Lock::acquire(store.clone(), "apply").await.is_ok());
    }

    /// A lock as a run on this host left it when it died: process 2^22+1
    /// is above Linux's largest process id, so it is surely gone.
    async fn left_by_a_dead_run(store: &dyn Store, host: &str) {
        let dead = Holder {
            id: "dead".into(),
            user: "ci".into(),
            host: host.into(),
            pid: (1 << 22) + 1,
            command: "apply".into(),
            at: 0,
        };
        assert!(store.create(KEY, serde_json::to_vec(&dead).unwrap()).await.unwrap());
    }

    /// Regression: a lock whose holder had died on this very host still
    /// needed `force-unlock`.
    #[tokio::test]
    async fn a_lock_left_by_a_dead_process_of_this_host_is_taken_over() {
        let (_dir, store) = folder();
        left_by_a_dead_run(&*store, &this_host()).await;
        let lock = Lock::acquire(store.clone(), "apply").await.unwrap();
        assert_eq!(lock.taken_over.as_ref().map(|h| h.id.as_str()), Some("dead"));
        lock.release().await.unwrap();

        left_by_a_dead_run(&*store, "another-host").await;
        let error = Lock::acquire(store.clone(), "apply").await.err().unwrap();
        assert_eq!(error.unlock_id(), Some("dead"), "another host's lock is not guessed about");
    }

    /// Regression: a run whose lock had been cleared and taken by a second
    /// run deleted the second run's lock when it finished.
    #[tokio::test]
    async fn a_run_releases_only_its_own_lock() {
        let (_dir, store) = folder();
        let first = Lock::acquire(store.clone(), "apply").await.unwrap();
        force_unlock(&*store, &first.holder.id).await.unwrap();
        let second = Lock::acquire(store.clone(), "apply").await.unwrap();
        let refused = first.release().await.unwrap_err();
        assert!(refused.contains("no longer this run's"), "{refused}");
        assert_eq!(read_holder(&*store).await.unwrap(), Some(second.holder.clone()));
        second.release().await.unwrap();
        assert_eq!(read_holder(&*store).await.unwrap(), None);
    }

    /// Regression: a lock file that could not be read gave an error that
    /// did not name it, and `force-unlock` could not clear it.
    #[tokio::test]
    async fn a_damaged_lock_is_named_and_force_unlock_clears_it() {
        let (_dir, store) = folder();
        assert!(store.create(KEY, b"{\"id\": ".to_vec()).await.unwrap());
        let error = Lock::acquire(store.clone(), "apply").await.err().unwrap();
        assert!(
            error
                .to_string()
                .starts_with(&format!("the lock {} cannot be read", store.location(KEY)))
        );
        let id = error.unlock_id().unwrap().to_string();
        assert!(id.starts_with("damaged-"), "{id}");
        assert!(force_unlock(&*store, "damaged-000000000000").await.is_err());
        assert_eq!(force_unlock(&*store, &id).await.unwrap(), None);
        assert!(Lock::acquire(store.clone(), "apply").await.is_ok());
    }

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_795_742_130), "2026-11-27 01:15:30 UTC");
    }
}
