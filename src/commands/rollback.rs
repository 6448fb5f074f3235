//! `wway rollback`: undo the last apply (or the one a journal names) from its
//! journal, with the same walker: what it created is deleted, what it changed
//! is changed back, what it deleted is created again. Works after a run that
//! was killed, since every step was journaled before and after it ran: a step
//! started but never seen to finish is looked up in the live account, and
//! undone too if it took effect.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::run::{
    aws, confirm, finish, interrupt, own_backend, release, reporter, stopped_before_changes,
    store_of_file, suggest, unless_interrupted,
};
use super::{Context, Status};
use crate::cli::RollbackArgs;
use crate::cloud::Cloud;
use crate::exec::interrupt::Interrupt;
use crate::exec::journal::{self, Entry, Journal};
use crate::exec::{self, Options, rollback};
use crate::plan::steps::{Step, StepName};
use crate::state::desired::DesiredState;
use crate::state::live::Ids;
use crate::state::live::Outcome;
use crate::store::Store;

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
    let mut undone: Vec<StepName> = Vec::new();
    let mut failed: Vec<StepName> = Vec::new();
    let mut rolling_back = false;
    for entry in entries {
        match entry {
            Entry::Begin { topology: t, .. } => topology.clone_from(t),
            Entry::Ids { ids: start } if !rolling_back => ids = start.clone(),
            Entry::Intent { step } if !rolling_back => intents.push(step.clone()),
            Entry::Failed { step, .. } if !rolling_back => failed.push(step.clone()),
            Entry::Done { step, outcome } => {
                ids.absorb(outcome);
                match (rolling_back, step.undone()) {
                    (true, Some(original)) => undone.push(original.clone()),
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
/// `name_it` is the command that names a run to undo.
async fn last_apply(store: &dyn Store, name_it: &str) -> Result<String, String> {
    let runs = journal::runs(store).await.map_err(|e| e.to_string())?;
    let head = journal::head(store).await.map_err(|e| e.to_string())?;
    if let Some(head) = head.filter(|head| !runs.contains(head)) {
        return Err(format!(
            "the journal of the newest run, {}, is missing; rollback will not guess which run \
             to undo. Restore the journal, or name the run to undo: `{name_it}`",
            store.location(&journal::key(&head))
        ));
    }
    for run in runs.iter().rev().filter(|r| r.ends_with("-apply")) {
        let read = journal::read(store, run).await.map_err(|e| {
            format!(
                "{e}\nRollback will not skip a journal it cannot read whole and undo an older \
                 run instead. Repair or restore the journal (each line is one JSON entry), or \
                 name the run to undo: `{name_it}`"
            )
        })?;
        match undoable(&read.entries) {
            Ok(undo) if !undo.is_empty() => return Ok(run.clone()),
            Ok(_) if !read.ended() => {
                return Err(format!(
                    "the newest apply, {}, did not finish and its journal records no step; \
                     if the journal was cut short, what the run made is not in it. \
                     `wway plan` shows what the account holds; to undo an earlier run, \
                     name it: `{name_it}`",
                    store.location(&journal::key(run))
                ));
            }
            // Undone already, or it changed nothing.
            _ => {}
        }
    }
    Err(format!("no apply to undo in {}", store.location("journal")))
}

pub fn run(args: &RollbackArgs, context: &Context) -> Status {
    let file = &args.run.topology;
    context.block_on(async {
        let store = store_of_file(file, context).await?;
        let interrupt = interrupt(&context.printer)?;
        let lock = super::run::lock(store.clone(), "rollback", file, context).await?;
        let result = match super::drill::restore_unfinished(store.as_ref(), context).await {
            Ok(()) => attempt(args, store, interrupt, context).await,
            Err(error) => Err(error.into()),
        };
        release(lock, &context.printer).await;
        result
    })?
}

async fn attempt(
    args: &RollbackArgs,
    store: Arc<dyn Store>,
    interrupt: Interrupt,
    context: &Context,
) -> Status {
    let printer = &context.printer;
    let file = &args.run.topology;
    let run_id = match &args.journal {
        Some(named) => journal::run_of(named),
        None => {
            let name_it = suggest(&format!("rollback {} --journal RUN", file.display()), context);
            last_apply(store.as_ref(), &name_it).await?
        }
    };
    let read = journal::read(store.as_ref(), &run_id).await.map_err(|e| e.to_string())?;
    if read.torn {
        printer.note("The journal's last line was cut short (the run was killed); it is left out.");
    }
    let mut run = undoable(&read.entries)?;
    let location = store.location(&journal::key(&run_id));
    let timeouts = super::run::timeouts(&args.run)?;
    let aws = aws(store.as_ref(), context).await?.waiting(timeouts);
    own_backend(&aws, store.as_ref(), &run.topology, false).await?;
    if !run.unfinished.is_empty() {
        let nothing = DesiredState { topology: run.topology.clone(), ..Default::default() };
        let live = match unless_interrupted(&interrupt, aws.snapshot(&nothing)).await {
            Ok(live) => live.map_err(|e| e.to_string())?,
            Err(signal) => return Ok(stopped_before_changes("Rollback", signal, printer)),
        };
        for step in std::mem::take(&mut run.unfinished) {
            if let Some(outcome) = rollback::took_effect(&step, &live) {
                printer.note(format!(
                    "{} was not seen to finish, but it took effect: it is undone too.",
                    step.name
                ));
                run.ids.absorb(&outcome);
                run.done.push((step, outcome));
            }
        }
    }
    if run.done.is_empty() {
        printer.line(format!("Nothing to undo in {location}."));
        return Ok(ExitCode::SUCCESS);
    }
    let undo = rollback::inverse(&run.done);
    let mut listed = format!("Undo {} steps of {location}:\n", undo.len());
    for step in &undo {
        listed.push_str(&format!("  {}\n", step.name));
    }
    printer.show(listed);
    for left in rollback::not_undone(&run.done) {
        printer.warning(format!("not undone: {left}"));
    }
    let question = format!("Roll back topology `{}`?", run.topology);
    let asked = confirm(&question, args.run.auto_approve, printer);
    let answer = match unless_interrupted(&interrupt, asked).await {
        Ok(answer) => answer?,
        Err(signal) => return Ok(stopped_before_changes("Rollback", signal, printer)),
    };
    if !answer {
        printer.line("Rollback cancelled.");
        return Err(super::Failure::Reported);
    }
    let mut journal = Journal::create(store.clone(), &run.topology, "rollback")
        .await
        .map_err(|e| format!("cannot start the journal: {e}"))?;
    let options = Options { parallelism: args.run.parallelism, rollback: false, interrupt };
    let reporter = reporter(printer, args.run.no_progress);
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
    finish("Rollback", &report, started.elapsed(), &journal.location(), file, context)
}
