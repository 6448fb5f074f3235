//! `wway apply` and `wway destroy`: plan (against the file, or against nothing
//! for destroy), show the plan, confirm, and carry it out under the lock with
//! a journal; a failed step rolls back what the run did (apply only).

use std::process::ExitCode;
use std::time::Instant;

use super::run::{confirm, finish, reporter, runtime, state_dir};
use super::{Context, load_desired};
use crate::cli::RunArgs;
use crate::cloud::{Aws, Cloud};
use crate::exec::journal::Journal;
use crate::exec::lock::Lock;
use crate::exec::{self, Options};
use crate::plan;
use crate::plan::steps::steps;
use crate::present::plan_text;
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

fn attempt(args: &RunArgs, mode: Mode, context: &Context) -> Result<ExitCode, String> {
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
    let aws = Aws::new(context.settings.clone());
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
    let mut journal =
        Journal::create(&state, &plan.topology, command).map_err(|e| e.to_string())?;
    let options = Options {
        parallelism: args.parallelism,
        rollback: matches!(mode, Mode::Apply { rollback: true }),
    };
    let started = Instant::now();
    let work = steps(&plan, &wanted, &live);
    let reporter = reporter(printer);
    let report = runtime
        .block_on(exec::execute(
            &aws,
            &plan.topology,
            work,
            live.ids(),
            options,
            reporter.as_ref(),
            &mut journal,
        ))
        .map_err(|e| format!("cannot write the journal {}: {e}", journal.path.display()))?;
    if printer.verbose > 0 {
        eprintln!("{}", super::calls_line(&aws, started.elapsed()));
    }
    Ok(finish(verb, &report, started.elapsed(), &journal.path))
}
