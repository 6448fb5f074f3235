//! The apply lock: one run at a time per topology. The lock is a file created
//! exclusively (`create_new`), holding who took it (user, host, process,
//! time); a second run is refused with the holder's name, and
//! `wway force-unlock ID` clears the lock of a run that died.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::journal::now;

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
        "another run holds the lock: {} by {}@{} (process {}, since unix time {}); if it died, run `wway force-unlock {}`",
        .0.command, .0.user, .0.host, .0.pid, .0.at, .0.id
    )]
    Held(Holder),
    #[error("cannot take the lock {path}: {error}", path = .0.display(), error = .1)]
    Io(PathBuf, io::Error),
}

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    pub holder: Holder,
}

fn lock_path(state_dir: &Path) -> PathBuf {
    state_dir.join("lock.json")
}

pub fn read_holder(state_dir: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(lock_path(state_dir)).ok()?;
    serde_json::from_str(&text).ok()
}

impl Lock {
    pub fn acquire(state_dir: &Path, command: &str) -> Result<Lock, LockError> {
        let path = lock_path(state_dir);
        std::fs::create_dir_all(state_dir).map_err(|e| LockError::Io(path.clone(), e))?;
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
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let text = serde_json::to_string(&holder)
                    .map_err(|e| LockError::Io(path.clone(), io::Error::other(e)))?;
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_data())
                    .map_err(|e| LockError::Io(path.clone(), e))?;
                Ok(Lock { path, holder })
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match read_holder(state_dir) {
                Some(other) => Err(LockError::Held(other)),
                None => Err(LockError::Io(path, e)),
            },
            Err(e) => Err(LockError::Io(path, e)),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the lock if its id is `id`; says whether there was one to remove.
pub fn force_unlock(state_dir: &Path, id: &str) -> Result<Holder, String> {
    match read_holder(state_dir) {
        Some(holder) if holder.id == id => {
            std::fs::remove_file(lock_path(state_dir)).map_err(|e| e.to_string())?;
            Ok(holder)
        }
        Some(holder) => Err(format!("the lock is held under id {}, not {id}", holder.id)),
        None => Err("there is no lock".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_is_refused_with_the_holder_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), "apply").unwrap();
        let error = Lock::acquire(dir.path(), "destroy").unwrap_err();
        assert!(error.to_string().starts_with("another run holds the lock: apply by "), "{error}");
        assert!(
            error.to_string().ends_with(&format!("run `wway force-unlock {}`", first.holder.id))
        );
        drop(first);
        let second = Lock::acquire(dir.path(), "destroy").unwrap();
        assert!(force_unlock(dir.path(), "other").is_err());
        let id = second.holder.id.clone();
        std::mem::forget(second);
        assert_eq!(force_unlock(dir.path(), &id).unwrap().command, "destroy");
        assert!(Lock::acquire(dir.path(), "apply").is_ok());
    }
}
