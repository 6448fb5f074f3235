//! The journal of a run: before each step its intent (the step with the prior
//! state it changes), after it the outcome, each line synced to disk before
//! the next call, so that a run killed at any moment leaves an exact record of
//! what it did. Rollback reads it back. Journals live in `.wway/journal/`
//! beside the topology, one JSON-lines file per run, named so they sort by time.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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

pub struct Journal {
    file: File,
    pub path: PathBuf,
    pub run: String,
}

pub fn folder(state_dir: &Path) -> PathBuf {
    state_dir.join("journal")
}

impl Journal {
    /// Starts the journal of a new run.
    pub fn create(state_dir: &Path, topology: &str, command: &str) -> io::Result<Journal> {
        let dir = folder(state_dir);
        std::fs::create_dir_all(&dir)?;
        let run = format!("{:010}-{}-{command}", now(), std::process::id());
        let path = dir.join(format!("{run}.jsonl"));
        let file = OpenOptions::new().create_new(true).append(true).open(&path)?;
        let mut journal = Journal { file, path, run: run.clone() };
        journal.write(&Entry::Begin {
            run,
            topology: topology.into(),
            command: command.into(),
            at: now(),
        })?;
        Ok(journal)
    }

    /// Appends an entry and syncs it to disk before returning.
    pub fn write(&mut self, entry: &Entry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()
    }
}

pub fn read(path: &Path) -> io::Result<Vec<Entry>> {
    let file = File::open(path)?;
    let mut entries = Vec::new();
    for line in io::BufReader::new(file).lines() {
        let line = line?;
        // A run killed mid-write leaves at most one partial last line.
        match serde_json::from_str(&line) {
            Ok(entry) => entries.push(entry),
            Err(_) if line.trim().is_empty() => {}
            Err(_) => break,
        }
    }
    Ok(entries)
}

/// The journals in `state_dir`, oldest first.
pub fn all(state_dir: &Path) -> io::Result<Vec<PathBuf>> {
    let dir = folder(state_dir);
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(dir.path(), "t", "apply").unwrap();
        journal.write(&Entry::Failed { step: "a".into(), error: "boom".into() }).unwrap();
        let mut raw = OpenOptions::new().append(true).open(&journal.path).unwrap();
        raw.write_all(b"{\"event\":\"done\",\"st").unwrap();
        let entries = read(&journal.path).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(matches!(&entries[0], Entry::Begin { topology, .. } if topology == "t"));
        assert_eq!(all(dir.path()).unwrap(), [journal.path.clone()]);
    }
}
