//! The state backend, where journals, the lock and the remembered scope
//! live: a [`Store`] of small objects under keys like `journal/<run>.jsonl`.
//! [`Folder`] keeps them in a local directory (`.wway/` beside the topology
//! by default); [`s3::S3Store`] keeps them in a bucket, for teams. Both give what the executor
//! relies on: a create that fails when the key exists (the lock), an append
//! that is durable when it returns (the journal), and an atomic replace (the
//! scope). Journals name accounts, ARNs and the topology's details: the
//! folder is made 0700 and its files 0600, as is a saved plan.

pub mod s3;

use std::fs::{DirBuilder, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// What a store operation gives back, later.
pub type Stored<'a, T> = BoxFuture<'a, io::Result<T>>;

pub trait Store: Send + Sync {
    /// Which backend this is, the same from any working directory:
    /// `local://<host><absolute folder>` or `s3://<bucket>/<root>`. The
    /// account records it (`cloud::backend_marker`).
    fn identity(&self) -> String;
    /// Where `key` is, for messages: a path or an `s3://` URL.
    fn location(&self, key: &str) -> String;
    /// The object's bytes, or `None` when there is no such key.
    fn read(&self, key: &str) -> Stored<'_, Option<Vec<u8>>>;
    /// Writes a new object; `false` (and nothing written) when the key exists.
    fn create(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool>;
    /// Adds `bytes` at the end of an existing object; durable on return.
    fn append(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()>;
    /// Appends an object's last bytes for now (a run's `end`): what follows
    /// is reads, so a store that appends in pieces gathers them into one.
    fn close(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()> {
        self.append(key, bytes)
    }
    /// Replaces (or writes) the whole object at once.
    fn replace(&self, key: &str, body: Vec<u8>) -> Stored<'_, ()>;
    /// Removes the object; removing a missing one is not an error.
    fn remove(&self, key: &str) -> Stored<'_, ()>;
    /// Removes the object only if it still holds `body` (a lock that is
    /// still this run's); `false`, and nothing removed, otherwise.
    fn remove_if(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool>;
    /// The keys under `folder/`, sorted, relative to the store.
    fn list(&self, folder: &str) -> Stored<'_, Vec<String>>;
}

/// A local folder: files created exclusively, appends synced to disk,
/// replaces written beside and renamed over.
#[derive(Debug, Clone)]
pub struct Folder {
    pub root: PathBuf,
}

impl Folder {
    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    fn with_parent(path: &Path) -> io::Result<()> {
        match path.parent() {
            Some(parent) => DirBuilder::new().recursive(true).mode(0o700).create(parent),
            None => Ok(()),
        }
    }
}

/// This machine's name, as locks and backend identities give it.
pub fn this_host() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

/// Options to open a file only its owner can read (0600 when it is made).
fn private() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

/// Writes `body` to `path` at once (beside it, synced, then renamed over),
/// readable by its owner alone.
pub fn write_private(path: &Path, body: impl AsRef<[u8]>) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let beside = path.with_file_name(format!(".{name}.tmp"));
    let _ = std::fs::remove_file(&beside);
    let mut file = private().write(true).create_new(true).open(&beside)?;
    file.write_all(body.as_ref()).and_then(|()| file.sync_data())?;
    std::fs::rename(&beside, path)
}

impl Store for Folder {
    fn identity(&self) -> String {
        let root = std::path::absolute(&self.root).unwrap_or_else(|_| self.root.clone());
        format!("local://{}{}", this_host(), root.display())
    }

    fn location(&self, key: &str) -> String {
        self.path(key).display().to_string()
    }

    fn read(&self, key: &str) -> Stored<'_, Option<Vec<u8>>> {
        let result = match std::fs::read(self.path(key)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        };
        async move { result }.boxed()
    }

    fn create(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool> {
        let path = self.path(key);
        let result = Folder::with_parent(&path).and_then(|()| {
            match private().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    file.write_all(&body).and_then(|()| file.sync_data()).map(|()| true)
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            }
        });
        async move { result }.boxed()
    }

    fn append(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()> {
        let result = OpenOptions::new()
            .append(true)
            .open(self.path(key))
            .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_data()));
        async move { result }.boxed()
    }

    fn replace(&self, key: &str, body: Vec<u8>) -> Stored<'_, ()> {
        let path = self.path(key);
        let result = Folder::with_parent(&path).and_then(|()| write_private(&path, body));
        async move { result }.boxed()
    }

    fn remove(&self, key: &str) -> Stored<'_, ()> {
        let result = match std::fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
        async move { result }.boxed()
    }

    fn remove_if(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool> {
        // Moved aside at once, so that nobody's new object is removed: if
        // what was moved is not `body`, it goes back (unless a newer one
        // took its place meanwhile, which then stays).
        let path = self.path(key);
        let aside = self.path(&format!("{key}.{}.releasing", std::process::id()));
        let result = match std::fs::rename(&path, &aside) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
            Ok(()) => match std::fs::read(&aside) {
                Ok(held) if held == body => std::fs::remove_file(&aside).map(|()| true),
                _ => {
                    let _ = std::fs::hard_link(&aside, &path);
                    std::fs::remove_file(&aside).map(|()| false)
                }
            },
        };
        async move { result }.boxed()
    }

    fn list(&self, folder: &str) -> Stored<'_, Vec<String>> {
        let result = match std::fs::read_dir(self.path(folder)) {
            Ok(entries) => {
                let mut keys: Vec<String> = entries
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().is_file())
                    .map(|e| format!("{folder}/{}", e.file_name().to_string_lossy()))
                    .collect();
                keys.sort();
                Ok(keys)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        };
        async move { result }.boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_folder_creates_once_appends_replaces_and_lists() {
        let dir = tempfile::tempdir().unwrap();
        let store = Folder { root: dir.path().join("state") };
        assert_eq!(store.read("a/x").await.unwrap(), None);
        assert!(store.create("a/x", b"1".to_vec()).await.unwrap());
        assert!(!store.create("a/x", b"2".to_vec()).await.unwrap());
        store.append("a/x", b"3".to_vec()).await.unwrap();
        assert_eq!(store.read("a/x").await.unwrap().unwrap(), b"13");
        store.replace("b", b"4".to_vec()).await.unwrap();
        store.replace("b", b"5".to_vec()).await.unwrap();
        assert_eq!(store.read("b").await.unwrap().unwrap(), b"5");
        assert_eq!(store.list("a").await.unwrap(), ["a/x"]);
        assert_eq!(store.list("none").await.unwrap(), Vec::<String>::new());
        store.remove("a/x").await.unwrap();
        store.remove("a/x").await.unwrap();
        assert_eq!(store.read("a/x").await.unwrap(), None);
        assert!(store.create("a/x", b"mine".to_vec()).await.unwrap());
        assert!(!store.remove_if("a/x", b"theirs".to_vec()).await.unwrap());
        assert_eq!(store.read("a/x").await.unwrap().unwrap(), b"mine");
        assert!(store.remove_if("a/x", b"mine".to_vec()).await.unwrap());
        assert!(!store.remove_if("a/x", b"mine".to_vec()).await.unwrap());
        assert_eq!(store.list("a").await.unwrap(), Vec::<String>::new(), "nothing left aside");
    }

    /// Regression: journals, the lock and the scope were written with the
    /// umask's modes (0644, 0755): readable by every user of the machine.
    #[tokio::test]
    async fn the_folder_and_its_files_are_its_owners_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = Folder { root: dir.path().join("state") };
        store.create("journal/x", b"1".to_vec()).await.unwrap();
        store.replace("scope.json", b"{}".to_vec()).await.unwrap();
        let mode = |p: &str| std::fs::metadata(dir.path().join(p)).unwrap().permissions().mode();
        assert_eq!(mode("state") & 0o777, 0o700);
        assert_eq!(mode("state/journal") & 0o777, 0o700);
        assert_eq!(mode("state/journal/x") & 0o777, 0o600);
        assert_eq!(mode("state/scope.json") & 0o777, 0o600);
        write_private(&dir.path().join("plan.json"), "{}").unwrap();
        assert_eq!(mode("plan.json") & 0o777, 0o600);
    }
}
