//! `wway rollback`: undo the last apply (or the one a journal names) from its
//! journal, with the same walker: what it created is deleted, what it changed
//! is changed back, what it deleted is created again. Works after a run that
//! was killed, since every step was journaled before and after it ran.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::Context;
use super::run::{confirm, finish, reporter, runtime, state_dir};
use crate::cloud::Aws;
use crate::exec::journal::{self, Entry, Journal};
use crate::exec::lock::Lock;
use crate::exec::{self, Options, rollback};
use crate::plan::steps::{Outcome, Step};
use crate::state::live::Ids;

pub struct Args<'a> {
    pub journal: Option<&'a Path>,
    pub topology: &'a Path,
    pub auto_approve: bool,
    pub parallelism: usize,
}

/// What a journal says a run did and has not undone, and its ids.
struct Undoable {
    topology: String,
    done: Vec<(Step, Outcome)>,
    ids: Ids,
}

fn undoable(entries: &[Entry]) -> Result<Undoable, String> {
    let mut topology = String::new();
    let mut ids = Ids::default();
    let mut intents: Vec<Step> = Vec::new();
    let mut done: Vec<(Step, Outcome)> = Vec::new();
    let mut undone: Vec<String> = Vec::new();
    let mut rolling_back = false;
    for entry in entries {
        match entry {
            Entry::Begin { topology: t, .. } => topology.clone_from(t),
            Entry::Ids { ids: start } if !rolling_back => ids = start.clone(),
            Entry::Intent { step } => intents.push(step.clone()),
            Entry::Done { step, outcome } => {
                ids.absorb(outcome);
                match (rolling_back, step.strip_prefix("undo:")) {
                    (true, Some(original)) => undone.push(original.to_string()),
                    _ => {
                        if let Some(intent) = intents.iter().find(|s| &s.name == step) {
                            done.push((intent.clone(), outcome.clone()));
                        }
                    }
                }
            }
            Entry::RollbackBegin { .. } => rolling_back = true,
            Entry::RolledBackBy { run } => {
                return Err(format!("this run was already undone by run {run}"));
            }
            _ => {}
        }
    }
    done.retain(|(step, _)| !undone.contains(&step.name));
    Ok(Undoable { topology, done, ids })
}

/// The newest apply journal that has not been undone.
fn last_apply(state: &Path) -> Result<PathBuf, String> {
    let paths = journal::all(state).map_err(|e| e.to_string())?;
    paths
        .into_iter()
        .rev()
        .filter(|p| p.to_string_lossy().ends_with("-apply.jsonl"))
        .find(|p| {
            journal::read(p)
                .is_ok_and(|entries| undoable(&entries).is_ok_and(|u| !u.done.is_empty()))
        })
        .ok_or_else(|| format!("no apply to undo in {}", journal::folder(state).display()))
}

pub fn run(args: &Args, context: &Context) -> ExitCode {
    match attempt(args, context) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn attempt(args: &Args, context: &Context) -> Result<ExitCode, String> {
    let state = state_dir(args.topology, context.state_dir.as_deref());
    let _lock = Lock::acquire(&state, "rollback").map_err(|e| e.to_string())?;
    let path = match args.journal {
        Some(path) => path.to_path_buf(),
        None => last_apply(&state)?,
    };
    let entries =
        journal::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let run = undoable(&entries)?;
    if run.done.is_empty() {
        println!("Nothing to undo in {}.", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let undo = rollback::inverse(&run.done);
    eprintln!("Undo {} steps of {}:", undo.len(), path.display());
    for step in &undo {
        eprintln!("  {}", step.name);
    }
    if !confirm(&format!("Roll back topology `{}`?", run.topology), args.auto_approve)? {
        println!("Rollback cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let runtime = runtime().map_err(|_| "no runtime".to_string())?;
    let aws = Aws::new(context.settings.clone());
    let mut journal =
        Journal::create(&state, &run.topology, "rollback").map_err(|e| e.to_string())?;
    let options = Options { parallelism: args.parallelism, rollback: false };
    let reporter = reporter(&context.printer);
    let started = Instant::now();
    let report = runtime
        .block_on(exec::execute(
            &aws,
            &run.topology,
            undo,
            run.ids,
            options,
            reporter.as_ref(),
            &mut journal,
        ))
        .map_err(|e| e.to_string())?;
    if report.succeeded() {
        let mut original =
            OpenOptions::new().append(true).open(&path).map_err(|e| e.to_string())?;
        let line = serde_json::to_string(&Entry::RolledBackBy { run: journal.run.clone() })
            .map_err(|e| e.to_string())?;
        writeln!(original, "{line}")
            .and_then(|()| original.sync_data())
            .map_err(|e| e.to_string())?;
    }
    Ok(finish("Rollback", &report, started.elapsed(), &journal.path))
}
