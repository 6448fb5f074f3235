//! `wway plan`: read the live account, diff it against the topology, and print
//! the ordered plan (human or JSON), optionally saving it. A bad topology stops
//! before any cloud call. Exit codes as `terraform plan -detailed-exitcode`.

use std::process::ExitCode;

use super::{Context, load_desired};
use crate::cli::{PlanArgs, PlanFormat};
use crate::plan;
use crate::present::{plan_json, plan_text};

pub fn run(args: &PlanArgs, context: &Context) -> ExitCode {
    let printer = &context.printer;
    let (topology, desired) = match load_desired(&args.topology, printer) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let runtime = match super::run::runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let read =
        runtime.block_on(super::run::read_account(&args.topology, &topology, &desired, context));
    let live = match read {
        Ok((live, _)) => live,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let plan = match plan::plan(&desired, &live) {
        Ok(plan) => plan,
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            eprintln!("error: no plan: {} problem(s) above", errors.len());
            return ExitCode::FAILURE;
        }
    };
    if let Some(out) = &args.out {
        let written = std::fs::read(&args.topology).and_then(|bytes| {
            let origin = plan_json::Origin {
                file: args.topology.clone(),
                sha256: crate::state::digest::sha256_hex(&bytes),
            };
            crate::store::write_private(out, plan_json::render(&plan, Some(&origin)))
        });
        if let Err(error) = written {
            eprintln!("error: cannot save the plan to {}: {error}", out.display());
            return ExitCode::FAILURE;
        }
    }
    match args.format {
        PlanFormat::Human => print!("{}", plan_text::render(&plan, printer.stdout_color())),
        PlanFormat::Json => print!("{}", plan_json::render(&plan, None)),
    }
    if args.detailed_exitcode && !plan.is_empty() { ExitCode::from(2) } else { ExitCode::SUCCESS }
}
