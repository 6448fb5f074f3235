//! `wway apply` and `wway destroy`: plan (against the file, or against nothing
//! for destroy), show the plan, confirm, and carry it out under the lock with
//! a journal; a failed step rolls back what the run did (apply only).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::run::{aws, confirm, finish, reporter, runtime, store};
use super::{Context, load_desired};
use crate::cli::RunArgs;
use crate::cloud::{Aws, Cloud};
use crate::exec::journal::Journal;
use crate::exec::lock::Lock;
use crate::exec::scope;
use crate::exec::store::Store;
use crate::exec::{self, Options};
use crate::plan;
use crate::plan::steps::steps;
use crate::present::{plan_json, plan_text};
use crate::state::desired::DesiredState;

pub enum Mode {
    Apply { rollback: bool },
    Destroy,
}

pub fn run(args: &RunArgs, mode: Mode, context: &Context) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(attempt(args, mode, context)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The exit code of `wway apply PLANFILE` when the account moved since the plan.
pub const STALE_PLAN: u8 = 3;

async fn attempt(args: &RunArgs, mode: Mode, context: &Context) -> Result<ExitCode, String> {
    if let Mode::Apply { rollback } = mode
        && let Some(saved) =
            std::fs::read_to_string(&args.topology).ok().as_deref().and_then(plan_json::parse)
    {
        let (plan, file) = saved?;
        let file = file.ok_or("the plan does not name the topology file it was made from")?;
        let saved = Saved { plan, rollback };
        return locked(&file, Mode::Apply { rollback }, Some(saved), args, context).await;
    }
    locked(&args.topology, mode, None, args, context).await
}

/// A plan saved by `wway plan --out`, to carry out as it is.
struct Saved {
    plan: plan::Plan,
    rollback: bool,
}

/// Loads the topology, takes the lock, runs, and lets go of the lock however
/// the run ended.
async fn locked(
    file: &Path,
    mode: Mode,
    saved: Option<Saved>,
    args: &RunArgs,
    context: &Context,
) -> Result<ExitCode, String> {
    let (topology, wanted) = match load_desired(file, &context.printer) {
        Ok(loaded) => loaded,
        Err(code) => return Ok(code),
    };
    let command = match mode {
        Mode::Apply { .. } => "apply",
        Mode::Destroy => "destroy",
    };
    let store = store(file, &topology, context).await;
    let lock = Lock::acquire(store.clone(), command).await.map_err(|e| e.to_string())?;
    let aws = aws(store.as_ref(), context).await;
    let result = match aws {
        Ok(aws) => {
            let run = Run { aws: &aws, store, command, parallelism: args.parallelism };
            match saved {
                Some(saved) => apply_saved(&run, saved, &wanted, context).await,
                None => plan_and_carry_out(&run, mode, &wanted, args.auto_approve, context).await,
            }
        }
        Err(error) => Err(error),
    };
    lock.release().await;
    result
}

/// What carrying a plan out needs besides the plan.
struct Run<'a> {
    aws: &'a Aws,
    store: Arc<dyn Store>,
    command: &'a str,
    parallelism: usize,
}

impl Run<'_> {
    fn verb(&self) -> &'static str {
        if self.command == "destroy" { "Destroy" } else { "Apply" }
    }
}

async fn plan_and_carry_out(
    run: &Run<'_>,
    mode: Mode,
    wanted: &DesiredState,
    auto_approve: bool,
    context: &Context,
) -> Result<ExitCode, String> {
    let live = run.aws.snapshot(wanted).await.map_err(|e| e.to_string())?;
    // Destroy plans against a topology that declares nothing: every owned
    // resource goes, and nothing else is touched.
    let target = match mode {
        Mode::Apply { .. } => wanted.clone(),
        Mode::Destroy => DesiredState { topology: wanted.topology.clone(), ..Default::default() },
    };
    let plan = plan::plan(&target, &live).map_err(|errors| {
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: ")
    })?;
    if plan.is_empty() {
        println!("No changes. The account matches topology `{}`.", plan.topology);
        return Ok(ExitCode::SUCCESS);
    }
    eprint!("{}", plan_text::render(&plan, context.printer.color));
    let verb = run.verb();
    if !confirm(&format!("{verb} these changes to topology `{}`?", plan.topology), auto_approve)? {
        println!("{verb} cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let options = Options {
        parallelism: run.parallelism,
        rollback: matches!(mode, Mode::Apply { rollback: true }),
    };
    carry_out(run, &plan, wanted, &live, options, context).await
}

/// Journals and executes the plan's steps, then says how it went.
async fn carry_out(
    run: &Run<'_>,
    plan: &plan::Plan,
    wanted: &DesiredState,
    live: &crate::state::live::LiveState,
    options: Options,
    context: &Context,
) -> Result<ExitCode, String> {
    // Remembered before anything is made, so a run killed midway counts too.
    scope::remember(run.store.as_ref(), wanted).await.map_err(|e| e.to_string())?;
    let mut journal = Journal::create(run.store.clone(), &plan.topology, run.command)
        .await
        .map_err(|e| format!("cannot start the journal: {e}"))?;
    let started = Instant::now();
    let work = steps(plan, wanted, live);
    let reporter = reporter(&context.printer);
    let report = exec::execute(
        run.aws,
        &plan.topology,
        work,
        live.ids(),
        options,
        reporter.as_ref(),
        &mut journal,
    )
    .await
    .map_err(|e| format!("cannot write the journal {}: {e}", journal.location()))?;
    if context.printer.verbose > 0 {
        eprintln!("{}", super::calls_line(run.aws, started.elapsed()));
    }
    Ok(finish(run.verb(), &report, started.elapsed(), &journal.location()))
}

/// `wway apply PLANFILE`: the saved plan runs as it is (it was reviewed when
/// it was made), unless the account moved since: then it is refused.
async fn apply_saved(
    run: &Run<'_>,
    saved: Saved,
    wanted: &DesiredState,
    context: &Context,
) -> Result<ExitCode, String> {
    let plan = saved.plan;
    let live = run.aws.snapshot(wanted).await.map_err(|e| e.to_string())?;
    let mut moved: Vec<String> = Vec::new();
    for (addr, fingerprint) in &plan.fingerprints {
        match live.owned.get(addr) {
            Some(now) if &now.fingerprint == fingerprint => {}
            Some(_) => moved.push(format!("{addr} changed")),
            None => moved.push(format!("{addr} is gone")),
        }
    }
    moved.extend(
        live.owned
            .keys()
            .filter(|a| !plan.fingerprints.contains_key(*a))
            .map(|a| format!("{a} appeared")),
    );
    if !moved.is_empty() {
        eprintln!(
            "error: the plan is stale: the account moved since it was made ({})",
            moved.join(", ")
        );
        eprintln!("error: run `wway plan --out` again and review the new plan");
        return Ok(ExitCode::from(STALE_PLAN));
    }
    if plan.is_empty() {
        println!("No changes. The account matches topology `{}`.", plan.topology);
        return Ok(ExitCode::SUCCESS);
    }
    eprint!("{}", plan_text::render(&plan, context.printer.color));
    let options = Options { parallelism: run.parallelism, rollback: saved.rollback };
    carry_out(run, &plan, wanted, &live, options, context).await
}
