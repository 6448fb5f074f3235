//! `wway apply` and `wway destroy`: plan (against the file, or against nothing
//! for destroy), show the plan, confirm, and carry it out under the lock with
//! a journal; a failed step rolls back what the run did (apply only).

use std::process::ExitCode;
use std::time::Instant;

use super::run::{aws, confirm, finish, reporter, runtime, state_dir};
use super::{Context, load_desired};
use crate::cli::RunArgs;
use crate::cloud::{Aws, Cloud};
use crate::exec::journal::Journal;
use crate::exec::lock::Lock;
use crate::exec::scope;
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
    match attempt(args, mode, context) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The exit code of `wway apply PLANFILE` when the account moved since the plan.
pub const STALE_PLAN: u8 = 3;

fn attempt(args: &RunArgs, mode: Mode, context: &Context) -> Result<ExitCode, String> {
    if let Mode::Apply { rollback } = mode
        && let Some(saved) =
            std::fs::read_to_string(&args.topology).ok().as_deref().and_then(plan_json::parse)
    {
        let (plan, file) = saved?;
        return apply_saved(plan, file, args, rollback, context);
    }
    let printer = &context.printer;
    let wanted = match load_desired(&args.topology, printer) {
        Ok(wanted) => wanted,
        Err(code) => return Ok(code),
    };
    let (verb, command) = match mode {
        Mode::Apply { .. } => ("Apply", "apply"),
        Mode::Destroy => ("Destroy", "destroy"),
    };
    let state = state_dir(&args.topology, context.state_dir.as_deref());
    let _lock = Lock::acquire(&state, command).map_err(|e| e.to_string())?;
    let runtime = runtime().map_err(|_| "no runtime".to_string())?;
    let aws = aws(&state, context);
    let live = runtime.block_on(aws.snapshot(&wanted)).map_err(|e| e.to_string())?;
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
    eprint!("{}", plan_text::render(&plan, printer.color));
    if !confirm(
        &format!("{verb} these changes to topology `{}`?", plan.topology),
        args.auto_approve,
    )? {
        println!("{verb} cancelled.");
        return Ok(ExitCode::FAILURE);
    }
    let options = Options {
        parallelism: args.parallelism,
        rollback: matches!(mode, Mode::Apply { rollback: true }),
    };
    let run = Run { runtime: &runtime, aws: &aws, state: &state, command, verb };
    carry_out(&run, &plan, &wanted, &live, options, context)
}

/// What carrying a plan out needs besides the plan.
struct Run<'a> {
    runtime: &'a tokio::runtime::Runtime,
    aws: &'a Aws,
    state: &'a std::path::Path,
    command: &'a str,
    verb: &'a str,
}

/// Journals and executes the plan's steps, then says how it went.
fn carry_out(
    run: &Run,
    plan: &plan::Plan,
    wanted: &DesiredState,
    live: &crate::state::live::LiveState,
    options: Options,
    context: &Context,
) -> Result<ExitCode, String> {
    // Remembered before anything is made, so a run killed midway counts too.
    scope::remember(run.state, wanted).map_err(|e| e.to_string())?;
    let mut journal =
        Journal::create(run.state, &plan.topology, run.command).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let work = steps(plan, wanted, live);
    let reporter = reporter(&context.printer);
    let report = run
        .runtime
        .block_on(exec::execute(
            run.aws,
            &plan.topology,
            work,
            live.ids(),
            options,
            reporter.as_ref(),
            &mut journal,
        ))
        .map_err(|e| format!("cannot write the journal {}: {e}", journal.path.display()))?;
    if context.printer.verbose > 0 {
        eprintln!("{}", super::calls_line(run.aws, started.elapsed()));
    }
    Ok(finish(run.verb, &report, started.elapsed(), &journal.path))
}

/// `wway apply PLANFILE`: the saved plan runs as it is (it was reviewed when
/// it was made), unless the account moved since: then it is refused.
fn apply_saved(
    plan: plan::Plan,
    file: Option<std::path::PathBuf>,
    args: &RunArgs,
    rollback: bool,
    context: &Context,
) -> Result<ExitCode, String> {
    let file = file.ok_or("the plan does not name the topology file it was made from")?;
    let wanted = match load_desired(&file, &context.printer) {
        Ok(wanted) => wanted,
        Err(code) => return Ok(code),
    };
    let state = state_dir(&file, context.state_dir.as_deref());
    let _lock = Lock::acquire(&state, "apply").map_err(|e| e.to_string())?;
    let runtime = runtime().map_err(|_| "no runtime".to_string())?;
    let aws = aws(&state, context);
    let live = runtime.block_on(aws.snapshot(&wanted)).map_err(|e| e.to_string())?;
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
    let options = Options { parallelism: args.parallelism, rollback };
    let run = Run { runtime: &runtime, aws: &aws, state: &state, command: "apply", verb: "Apply" };
    carry_out(&run, &plan, &wanted, &live, options, context)
}
