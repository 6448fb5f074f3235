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
use super::run::{
    aws, confirm, finish, interrupt, own_backend, reporter, runtime, stopped_before_changes,
    store_of_file, unless_interrupted,
};
use crate::cloud::Cloud;
use crate::exec::interrupt::Interrupt;
use crate::exec::journal::{self, Entry, Journal};
use crate::exec::{self, Options, rollback};
use crate::plan::steps::Step;
use crate::state::desired::DesiredState;
use crate::state::live::Ids;
use crate::state::live::Outcome;
use crate::store::Store;

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
        .filter(|step| !undone.contains(&step.name))
        .collect();
    done.retain(|(step, _)| !undone.contains(&step.name));
    Ok(Undoable { topology, done, unfinished, ids })
}

/// The newest apply that has not been undone. Every journal on the way to it
/// must be read whole: a damaged, emptied or missing journal is never a
/// reason to pass over a run and undo an older one.
async fn last_apply(store: &dyn Store) -> Result<String, String> {
    let runs = journal::runs(store).await.map_err(|e| e.to_string())?;
    let head = journal::head(store).await.map_err(|e| e.to_string())?;
    if let Some(head) = head.filter(|head| !runs.contains(head)) {
        return Err(format!(
            "the journal of the newest run, {}, is missing; rollback will not guess which run \
             to undo. Restore the journal, or name the run to undo: `wway rollback RUN`",
            store.location(&journal::key(&head))
        ));
    }
    for run in runs.iter().rev().filter(|r| r.ends_with("-apply")) {
        let read = journal::read(store, run).await.map_err(|e| {
            format!(
                "{e}\nRollback will not skip a journal it cannot read whole and undo an older \
                 run instead. Repair or restore the journal (each line is one JSON entry), or \
                 name the run to undo: `wway rollback RUN`"
            )
        })?;
        match undoable(&read.entries) {
            Ok(undo) if !undo.is_empty() => return Ok(run.clone()),
            Ok(_) if !read.ended() => {
                return Err(format!(
                    "the newest apply, {}, did not finish and its journal records no step; \
                     if the journal was cut short, what the run made is not in it. \
                     `wway plan` shows what the account holds; to undo an earlier run, \
                     name it: `wway rollback RUN`",
                    store.location(&journal::key(run))
                ));
            }
            // Undone already, or it changed nothing.
            _ => {}
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
        let interrupt = interrupt().map_err(Ok)?;
        let lock = super::run::lock(store.clone(), "rollback", args.topology, context)
            .await
            .map_err(Ok)?;
        let result = attempt(args, store, interrupt, context).await;
        lock.release().await;
        result.map_err(Ok)
    });
    // A prompt interrupted by Ctrl-C leaves its reader blocked on stdin.
    runtime.shutdown_background();
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
    interrupt: Interrupt,
    context: &Context,
) -> Result<ExitCode, String> {
    let run_id = match args.journal {
        Some(named) => journal::run_of(named),
        None => last_apply(store.as_ref()).await?,
    };
    let read = journal::read(store.as_ref(), &run_id).await.map_err(|e| e.to_string())?;
    if read.torn {
        eprintln!("The journal's last line was cut short (the run was killed); it is left out.");
    }
    let mut run = undoable(&read.entries)?;
    let location = store.location(&journal::key(&run_id));
    let aws = aws(store.as_ref(), context).await?;
    own_backend(&aws, store.as_ref(), &run.topology, false).await?;
    if !run.unfinished.is_empty() {
        let nothing = DesiredState { topology: run.topology.clone(), ..Default::default() };
        let live = match unless_interrupted(&interrupt, aws.snapshot(&nothing)).await {
            Ok(live) => live.map_err(|e| e.to_string())?,
            Err(signal) => return Ok(stopped_before_changes("Rollback", signal)),
        };
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
    let question = format!("Roll back topology `{}`?", run.topology);
    let answer = match unless_interrupted(&interrupt, confirm(&question, args.auto_approve)).await {
        Ok(answer) => answer?,
        Err(signal) => return Ok(stopped_before_changes("Rollback", signal)),
    };
    if !answer {
        println!("Rollback cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let mut journal = Journal::create(store.clone(), &run.topology, "rollback")
        .await
        .map_err(|e| format!("cannot start the journal: {e}"))?;
    let options = Options { parallelism: args.parallelism, rollback: false, interrupt };
    let reporter = reporter(&context.printer);
    let started = Instant::now();
    let report =
        exec::execute(&aws, &run.topology, undo, run.ids, options, reporter.as_ref(), &mut journal)
            .await
            .map_err(|e| e.to_string())?;
    // The undone steps go into the run's own journal too, so that a rollback
    // that stopped halfway (a failure, Ctrl-C) is carried on, not repeated.
    let mut undone = vec![Entry::RollbackBegin { of: journal.run.clone() }];
    undone.extend(
        report.applied.done.iter().map(|(step, outcome)| Entry::Done {
            step: step.name.clone(),
            outcome: outcome.clone(),
        }),
    );
    if report.succeeded() {
        undone.push(Entry::RolledBackBy { run: journal.run.clone() });
    }
    for entry in &undone {
        journal::append(store.as_ref(), &run_id, entry).await.map_err(|e| e.to_string())?;
    }
    Ok(finish("Rollback", &report, started.elapsed(), &journal.location()))
}
