//! `wway plan`: read the live account, diff it against the topology, and print
//! the ordered plan (human or JSON), optionally saving it. A bad topology stops
//! before any cloud call. Exit codes as `terraform plan -detailed-exitcode`.

use std::process::ExitCode;

use super::run::read_account;
use super::{Context, Status, load};
use crate::cli::{PlanArgs, PlanFormat};
use crate::plan;
use crate::present::{plan_json, plan_text};

pub fn run(args: &PlanArgs, context: &Context) -> Status {
    let printer = &context.printer;
    let (_, mut topology) = load(&args.topology, printer)?;
    let read = read_account(&args.topology, &mut topology, context);
    let (desired, live, _) = context.block_on(read)??;
    let mut plan = plan::plan(&desired, &live).map_err(|errors| {
        for error in &errors {
            printer.error(error);
        }
        format!("no plan: {} problem(s) above", errors.len())
    })?;
    crate::resilience::annotate(&mut plan, &topology, &desired, &live);
    if let Some(out) = &args.out {
        let written = std::fs::read(&args.topology).and_then(|bytes| {
            let origin = plan_json::Origin {
                file: args.topology.clone(),
                sha256: crate::state::digest::sha256_hex(&bytes),
            };
            crate::store::write_private(out, plan_json::render(&plan, Some(&origin)))
        });
        written.map_err(|error| format!("cannot save the plan to {}: {error}", out.display()))?;
    }
    printer.out(match args.format {
        PlanFormat::Human => plan_text::render(&plan, printer.stdout_color),
        PlanFormat::Json => plan_json::render(&plan, None),
    });
    Ok(if args.detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
