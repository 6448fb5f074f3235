//! Where journals, the lock and the remembered scope live: a [`Store`] of small
//! objects under keys like `journal/<run>.jsonl`. [`Folder`] keeps them in a
//! local directory (`.wway/` beside the topology by default); the S3 store in
//! `cloud::s3` keeps them in a bucket, for teams. Both give what the executor
//! relies on: a create that fails when the key exists (the lock), an append
//! that is durable when it returns (the journal), and an atomic replace (the
//! scope).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use futures_util::FutureExt;
use futures_util::future::BoxFuture;

/// What a store operation gives back, later.
pub type Stored<'a, T> = BoxFuture<'a, io::Result<T>>;

pub trait Store: Send + Sync {
    /// Where `key` is, for messages: a path or an `s3://` URL.
    fn location(&self, key: &str) -> String;
    /// The object's bytes, or `None` when there is no such key.
    fn read(&self, key: &str) -> Stored<'_, Option<Vec<u8>>>;
    /// Writes a new object; `false` (and nothing written) when the key exists.
    fn create(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool>;
    /// Adds `bytes` at the end of an existing object; durable on return.
    fn append(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()>;
    /// Replaces (or writes) the whole object at once.
    fn replace(&self, key: &str, body: Vec<u8>) -> Stored<'_, ()>;
    /// Removes the object; removing a missing one is not an error.
    fn remove(&self, key: &str) -> Stored<'_, ()>;
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
            Some(parent) => std::fs::create_dir_all(parent),
            None => Ok(()),
        }
    }
}

impl Store for Folder {
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
            match OpenOptions::new().write(true).create_new(true).open(&path) {
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
        let beside = self.path(&format!("{key}.tmp"));
        let result = Folder::with_parent(&path)
            .and_then(|()| std::fs::write(&beside, body))
            .and_then(|()| std::fs::rename(&beside, &path));
        async move { result }.boxed()
    }

    fn remove(&self, key: &str) -> Stored<'_, ()> {
        let result = match std::fs::remove_file(self.path(key)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
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
    }
}
