//! The journal of a run: before each step its intent (the step with the prior
//! state it changes), after it the outcome, each line durable in the store
//! before the next call, so that a run killed at any moment leaves an exact
//! record of what it did. Rollback reads it back. Journals live under
//! `journal/` in the store, one JSON-lines object per run, named so that they
//! sort by time.

use std::io;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::store::Store;
use crate::plan::steps::{Outcome, Step};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Entry {
    Begin {
        run: String,
        topology: String,
        command: String,
        at: u64,
    },
    /// The AWS ids of owned resources when the run started.
    Ids {
        ids: crate::state::live::Ids,
    },
    Intent {
        step: Step,
    },
    Done {
        step: String,
        outcome: Outcome,
    },
    Failed {
        step: String,
        error: String,
    },
    /// The steps after this entry undo the ones before it.
    RollbackBegin {
        of: String,
    },
    /// A later run (`wway rollback`) undid this one.
    RolledBackBy {
        run: String,
    },
    End {
        status: String,
        at: u64,
    },
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

const FOLDER: &str = "journal";

/// The key of run `run`'s journal.
pub fn key(run: &str) -> String {
    format!("{FOLDER}/{run}.jsonl")
}

/// The run a journal names: its id, or its file's path (the id is the stem).
pub fn run_of(named: &str) -> String {
    let file = named.rsplit('/').next().unwrap_or(named);
    file.strip_suffix(".jsonl").unwrap_or(file).to_string()
}

pub struct Journal {
    store: Arc<dyn Store>,
    pub run: String,
}

fn line(entry: &Entry) -> io::Result<Vec<u8>> {
    let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
    line.push(b'\n');
    Ok(line)
}

impl Journal {
    /// Starts the journal of a new run.
    pub async fn create(
        store: Arc<dyn Store>,
        topology: &str,
        command: &str,
    ) -> io::Result<Journal> {
        let run = format!("{:010}-{}-{command}", now(), std::process::id());
        let begin = Entry::Begin {
            run: run.clone(),
            topology: topology.into(),
            command: command.into(),
            at: now(),
        };
        if !store.create(&key(&run), line(&begin)?).await? {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, store.location(&key(&run))));
        }
        Ok(Journal { store, run })
    }

    /// Appends an entry; it is durable when this returns.
    pub async fn write(&mut self, entry: &Entry) -> io::Result<()> {
        self.store.append(&key(&self.run), line(entry)?).await
    }

    /// Where the journal is, for messages.
    pub fn location(&self) -> String {
        self.store.location(&key(&self.run))
    }
}

/// Appends to the journal of another (finished) run.
pub async fn append(store: &dyn Store, run: &str, entry: &Entry) -> io::Result<()> {
    store.append(&key(run), line(entry)?).await
}

/// The entries of run `run`'s journal; `NotFound` when there is none.
pub async fn read(store: &dyn Store, run: &str) -> io::Result<Vec<Entry>> {
    let Some(bytes) = store.read(&key(run)).await? else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no journal {}", store.location(&key(run))),
        ));
    };
    let mut entries = Vec::new();
    for line in String::from_utf8_lossy(&bytes).lines() {
        // A run killed mid-write leaves at most one partial last line.
        match serde_json::from_str(line) {
            Ok(entry) => entries.push(entry),
            Err(_) if line.trim().is_empty() => {}
            Err(_) => break,
        }
    }
    Ok(entries)
}

/// The runs that have journals, oldest first.
pub async fn runs(store: &dyn Store) -> io::Result<Vec<String>> {
    let keys = store.list(FOLDER).await?;
    Ok(keys.iter().filter(|k| k.ends_with(".jsonl")).map(|k| run_of(k)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::store::Folder;

    #[tokio::test]
    async fn entries_round_trip_and_a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(Folder { root: dir.path().to_path_buf() });
        let mut journal = Journal::create(store.clone(), "t", "apply").await.unwrap();
        journal.write(&Entry::Failed { step: "a".into(), error: "boom".into() }).await.unwrap();
        store.append(&key(&journal.run), b"{\"event\":\"done\",\"st".to_vec()).await.unwrap();
        let entries = read(store.as_ref(), &journal.run).await.unwrap();
        assert_eq!(entries.len(), 2);
        assert!(matches!(&entries[0], Entry::Begin { topology, .. } if topology == "t"));
        assert_eq!(runs(store.as_ref()).await.unwrap(), [journal.run.clone()]);
        assert_eq!(run_of(&journal.location()), journal.run);
    }
}
