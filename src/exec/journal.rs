//! The journal of a run: before each step its intent (the step with the prior
//! state it changes), after it the outcome, each line durable in the store
//! before the next call, so that a run killed at any moment leaves an exact
//! record of what it did. Rollback reads it back. Journals live under
//! `journal/` in the store, one JSON-lines object per run, named so that they
//! sort by time; `head.json` names the newest run, so that a journal deleted
//! later is missed rather than silently passed over.
//!
//! A journal is read whole or not at all: a line that does not parse, an
//! empty file or one that does not start with its run's `begin` is damage,
//! named by file and line. The one thing tolerated is a last line without its
//! newline, which is what a write cut short by a kill leaves (the entry it
//! was writing was not yet durable, so its step never started).

use std::io;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::plan::steps::{Step, StepName};
use crate::state::live::Outcome;
use crate::store::Store;

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
        step: StepName,
        outcome: Outcome,
    },
    Failed {
        step: StepName,
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
/// The key naming the newest run.
const HEAD: &str = "head.json";

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
        let head = serde_json::to_vec(&Head { run: run.clone() }).map_err(io::Error::other)?;
        store.replace(HEAD, head).await?;
        Ok(Journal { store, run })
    }

    /// Appends an entry; it is durable when this returns.
    pub async fn write(&mut self, entry: &Entry) -> io::Result<()> {
        self.store.append(&key(&self.run), line(entry)?).await
    }

    /// Appends the run's last entry (its `end`); it is durable when this
    /// returns, and the journal is now read more than written.
    pub async fn close(&mut self, entry: &Entry) -> io::Result<()> {
        self.store.close(&key(&self.run), line(entry)?).await
    }

    /// Where the journal is, for messages.
    pub fn location(&self) -> String {
        self.store.location(&key(&self.run))
    }
}

/// Appends to the journal of another (finished) run.
pub async fn append(store: &dyn Store, run: &str, entry: &Entry) -> io::Result<()> {
    store.close(&key(run), line(entry)?).await
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("there is no journal {0}")]
    Missing(String),
    #[error("the journal {location} is damaged at line {line}: {why}")]
    Damaged { location: String, line: usize, why: String },
    #[error("cannot read the journal {0}: {1}")]
    Io(String, io::Error),
}

impl From<ReadError> for io::Error {
    fn from(error: ReadError) -> io::Error {
        match error {
            ReadError::Io(_, e) => e,
            other @ (ReadError::Missing(_) | ReadError::Damaged { .. }) => {
                io::Error::new(io::ErrorKind::InvalidData, other.to_string())
            }
        }
    }
}

/// A journal read whole.
#[derive(Debug)]
pub struct Read {
    pub entries: Vec<Entry>,
    /// Its last line was cut short by a kill and left out.
    pub torn: bool,
}

impl Read {
    /// The run ended (it wrote its `end`), however it went.
    pub fn ended(&self) -> bool {
        self.entries.iter().any(|e| matches!(e, Entry::End { .. }))
    }
}

/// Run `run`'s journal, whole: every line an entry, the first its `begin`.
pub async fn read(store: &dyn Store, run: &str) -> Result<Read, ReadError> {
    let location = store.location(&key(run));
    match store.read(&key(run)).await {
        Ok(Some(bytes)) => {
            parse(&bytes, run).map_err(|(line, why)| ReadError::Damaged { location, line, why })
        }
        Ok(None) => Err(ReadError::Missing(location)),
        Err(error) => Err(ReadError::Io(location, error)),
    }
}

/// The entries of `bytes`, or the line (from 1) that is damaged and why.
fn parse(bytes: &[u8], run: &str) -> Result<Read, (usize, String)> {
    if bytes.is_empty() {
        return Err((1, "it is empty".into()));
    }
    let mut entries = Vec::new();
    let mut torn = false;
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    for (index, raw) in lines.iter().enumerate() {
        let number = index + 1;
        let complete = raw.ends_with(b"\n");
        let parsed = std::str::from_utf8(raw)
            .map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))
            .and_then(|text| serde_json::from_str::<Entry>(text).map_err(|e| e.to_string()));
        match parsed {
            Ok(entry) => entries.push(entry),
            Err(_) if !complete && number == lines.len() && number > 1 => torn = true,
            Err(why) => return Err((number, why)),
        }
    }
    match entries.first() {
        Some(Entry::Begin { run: named, .. }) if named == run => Ok(Read { entries, torn }),
        Some(Entry::Begin { run: named, .. }) => {
            Err((1, format!("it begins run {named}, not run {run}")))
        }
        _ => Err((1, "it does not start with its run's `begin` entry".into())),
    }
}

/// What `head.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    run: String,
}

/// The newest run, as `head.json` names it (`None` before the first run).
pub async fn head(store: &dyn Store) -> io::Result<Option<String>> {
    let Some(bytes) = store.read(HEAD).await? else { return Ok(None) };
    let head: Head = serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", store.location(HEAD)))
    })?;
    Ok(Some(head.run))
}

/// The runs that have journals, oldest first.
pub async fn runs(store: &dyn Store) -> io::Result<Vec<String>> {
    let keys = store.list(FOLDER).await?;
    Ok(keys.iter().filter(|k| k.ends_with(".jsonl")).map(|k| run_of(k)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Folder;

    async fn started() -> (tempfile::TempDir, Arc<dyn Store>, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(Folder { root: dir.path().to_path_buf() });
        let journal = Journal::create(store.clone(), "t", "apply").await.unwrap();
        (dir, store, journal)
    }

    #[tokio::test]
    async fn entries_round_trip_and_a_torn_last_line_is_left_out() {
        let (_dir, store, mut journal) = started().await;
        journal
            .write(&Entry::Failed { step: StepName::parse("a"), error: "boom".into() })
            .await
            .unwrap();
        store.append(&key(&journal.run), b"{\"event\":\"done\",\"st".to_vec()).await.unwrap();
        let read = read(store.as_ref(), &journal.run).await.unwrap();
        assert_eq!(read.entries.len(), 2);
        assert!(read.torn);
        assert!(!read.ended());
        assert!(matches!(&read.entries[0], Entry::Begin { topology, .. } if topology == "t"));
        assert_eq!(runs(store.as_ref()).await.unwrap(), [journal.run.clone()]);
        assert_eq!(run_of(&journal.location()), journal.run);
        assert_eq!(head(store.as_ref()).await.unwrap(), Some(journal.run.clone()));
    }

    /// Regression: a damaged journal was read as far as its damage and
    /// passed for a shorter run, so rollback undid less, or another run.
    #[tokio::test]
    async fn a_damaged_journal_is_an_error_that_names_its_line() {
        let (_dir, store, mut journal) = started().await;
        let failed = Entry::Failed { step: StepName::parse("a"), error: "boom".into() };
        journal.write(&failed).await.unwrap();
        let write = |bytes: &[u8]| std::fs::write(store.location(&key(&journal.run)), bytes);
        let whole = std::fs::read(store.location(&key(&journal.run))).unwrap();
        let text = String::from_utf8(whole.clone()).unwrap();
        let (begin, rest) = text.split_once('\n').unwrap();
        let cases: [(Vec<u8>, usize, &str); 5] = [
            (Vec::new(), 1, "it is empty"),
            (format!("{begin}\ngarbage\n{rest}").into_bytes(), 2, "expected value"),
            ([begin.as_bytes(), b"\n\xff\n"].concat(), 2, "not UTF-8"),
            (rest.as_bytes().to_vec(), 1, "does not start with its run's `begin`"),
            (begin.as_bytes()[..begin.len() / 2].to_vec(), 1, "EOF"),
        ];
        for (bytes, line, why) in cases {
            write(&bytes).unwrap();
            let error = read(store.as_ref(), &journal.run).await.unwrap_err().to_string();
            let expected = format!("{} is damaged at line {line}: ", journal.location());
            assert!(error.contains(&expected) && error.contains(why), "{error}");
        }
        write(&whole).unwrap();
        assert_eq!(read(store.as_ref(), &journal.run).await.unwrap().entries.len(), 2);
        std::fs::remove_file(journal.location()).unwrap();
        let error = read(store.as_ref(), &journal.run).await.unwrap_err();
        assert!(matches!(error, ReadError::Missing(_)), "{error}");
    }
}
