//! `wway plan`: read the live account, diff it against the topology, and print
//! the ordered plan (human or JSON), optionally saving it. A bad topology stops
//! before any cloud call. Exit codes as `terraform plan -detailed-exitcode`.

use std::process::ExitCode;
use std::time::Instant;

use super::{Context, load_desired};
use crate::cli::{PlanArgs, PlanFormat};
use crate::cloud::Cloud;
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
    let started = Instant::now();
    let live = runtime.block_on(async {
        let store = super::run::store(&args.topology, &topology, context).await;
        let aws = super::run::aws(store.as_ref(), context).await?;
        let live = aws.snapshot(&desired).await.map_err(|e| e.to_string());
        Ok::<_, String>((aws, live))
    });
    let (aws, live) = match live {
        Ok(read) => read,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if printer.verbose > 0 {
        eprintln!("read the account: {}", super::calls_line(&aws, started.elapsed()));
    }
    let live = match live {
        Ok(live) => live,
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
        let saved = out.with_extension("tmp");
        let written = std::fs::write(&saved, plan_json::render(&plan, Some(&args.topology)))
            .and_then(|()| std::fs::rename(&saved, out));
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
