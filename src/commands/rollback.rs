//! `wway rollback`: undo the last apply (or the one a journal names) from its
//! journal, with the same walker: what it created is deleted, what it changed
//! is changed back, what it deleted is created again. Works after a run that
//! was killed, since every step was journaled before and after it ran: a step
//! started but never seen to finish is looked up in the live account, and
//! undone too if it took effect.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::Context;
use super::run::{aws, confirm, finish, reporter, runtime, store_of_file};
use crate::cloud::Cloud;
use crate::exec::journal::{self, Entry, Journal};
use crate::exec::lock::Lock;
use crate::exec::store::Store;
use crate::exec::{self, Options, rollback};
use crate::plan::steps::{Outcome, Step};
use crate::state::desired::DesiredState;
use crate::state::live::Ids;

pub struct Args<'a> {
    pub journal: Option<&'a str>,
    pub topology: &'a Path,
    pub auto_approve: bool,
    pub parallelism: usize,
}

/// What a journal says a run did and has not undone, and its ids.
struct Undoable {
    topology: String,
    done: Vec<(Step, Outcome)>,
    /// Steps started but not seen to finish (the run was killed), and steps
    /// that failed in a run that did not roll back: AWS may have acted on
    /// them, so the live account tells.
    unfinished: Vec<Step>,
    ids: Ids,
}

impl Undoable {
    fn is_empty(&self) -> bool {
        self.done.is_empty() && self.unfinished.is_empty()
    }
}

fn undoable(entries: &[Entry]) -> Result<Undoable, String> {
    let mut topology = String::new();
    let mut ids = Ids::default();
    let mut intents: Vec<Step> = Vec::new();
    let mut done: Vec<(Step, Outcome)> = Vec::new();
    let mut undone: Vec<String> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut rolling_back = false;
    for entry in entries {
        match entry {
            Entry::Begin { topology: t, .. } => topology.clone_from(t),
            Entry::Ids { ids: start } if !rolling_back => ids = start.clone(),
            Entry::Intent { step } if !rolling_back => intents.push(step.clone()),
            Entry::Failed { step, .. } if !rolling_back => failed.push(step.clone()),
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
    let unfinished = intents
        .into_iter()
        .filter(|step| !done.iter().any(|(d, _)| d.name == step.name))
        .filter(|step| !rolling_back || !failed.contains(&step.name))
        .collect();
    done.retain(|(step, _)| !undone.contains(&step.name));
    Ok(Undoable { topology, done, unfinished, ids })
}

/// The newest apply that has not been undone.
async fn last_apply(store: &dyn Store) -> Result<String, String> {
    let runs = journal::runs(store).await.map_err(|e| e.to_string())?;
    for run in runs.iter().rev().filter(|r| r.ends_with("-apply")) {
        let entries = journal::read(store, run).await.map_err(|e| e.to_string())?;
        if undoable(&entries).is_ok_and(|u| !u.is_empty()) {
            return Ok(run.clone());
        }
    }
    Err(format!("no apply to undo in {}", store.location("journal")))
}

pub fn run(args: &Args, context: &Context) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let result = runtime.block_on(async {
        let store = store_of_file(args.topology, context).await.map_err(Err)?;
        let lock = Lock::acquire(store.clone(), "rollback").await.map_err(|e| Ok(e.to_string()))?;
        let result = attempt(args, store, context).await;
        lock.release().await;
        result.map_err(Ok)
    });
    match result {
        Ok(code) => code,
        Err(Ok(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
        Err(Err(code)) => code,
    }
}

async fn attempt(
    args: &Args<'_>,
    store: Arc<dyn Store>,
    context: &Context,
) -> Result<ExitCode, String> {
    let run_id = match args.journal {
        Some(named) => journal::run_of(named),
        None => last_apply(store.as_ref()).await?,
    };
    let entries = journal::read(store.as_ref(), &run_id).await.map_err(|e| e.to_string())?;
    let mut run = undoable(&entries)?;
    let location = store.location(&journal::key(&run_id));
    let aws = aws(store.as_ref(), context).await?;
    if !run.unfinished.is_empty() {
        let nothing = DesiredState { topology: run.topology.clone(), ..Default::default() };
        let live = aws.snapshot(&nothing).await.map_err(|e| e.to_string())?;
        for step in std::mem::take(&mut run.unfinished) {
            if let Some(outcome) = rollback::took_effect(&step, &live) {
                eprintln!(
                    "{} was not seen to finish, but it took effect: it is undone too.",
                    step.name
                );
                run.ids.absorb(&outcome);
                run.done.push((step, outcome));
            }
        }
    }
    if run.done.is_empty() {
        println!("Nothing to undo in {location}.");
        return Ok(ExitCode::SUCCESS);
    }
    let undo = rollback::inverse(&run.done);
    eprintln!("Undo {} steps of {location}:", undo.len());
    for step in &undo {
        eprintln!("  {}", step.name);
    }
    if !confirm(&format!("Roll back topology `{}`?", run.topology), args.auto_approve)? {
        println!("Rollback cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let mut journal = Journal::create(store.clone(), &run.topology, "rollback")
        .await
        .map_err(|e| format!("cannot start the journal: {e}"))?;
    let options = Options { parallelism: args.parallelism, rollback: false };
    let reporter = reporter(&context.printer);
    let started = Instant::now();
    let report =
        exec::execute(&aws, &run.topology, undo, run.ids, options, reporter.as_ref(), &mut journal)
            .await
            .map_err(|e| e.to_string())?;
    if report.succeeded() {
        let undone = Entry::RolledBackBy { run: journal.run.clone() };
        journal::append(store.as_ref(), &run_id, &undone).await.map_err(|e| e.to_string())?;
    }
    Ok(finish("Rollback", &report, started.elapsed(), &journal.location()))
}
