//! `wway drift`: what changed in the account behind wway's back. The same
//! reads as a plan, compared the same quiet way, classified (changed,
//! missing, unmanaged) with the journals' history, minus the topology's
//! ignore rules; reported for people, as JSON, or as Prometheus metrics
//! (written atomically with `--output`, failures included, so that an alert
//! sees a check that stopped working). Exit 0 no drift, 2 drift, 1 error.

use std::collections::BTreeSet;
use std::process::ExitCode;

use super::run::read_account;
use super::{Context, Failure, Status, emit, load};
use crate::cli::{DriftArgs, ReportFormat};
use crate::exec::history;
use crate::exec::journal::now;
use crate::plan;
use crate::plan::drift::{Drift, drift};
use crate::present::drift as report;

/// The exit status when there is drift, as `terraform plan -detailed-exitcode`.
const DRIFTED: u8 = 2;

pub fn run(args: &DriftArgs, context: &Context) -> Status {
    let at = now();
    let printer = &context.printer;
    match check(args, context) {
        Ok((found, kinds)) => {
            let text = match args.format {
                ReportFormat::Human => report::human(&found),
                ReportFormat::Json => report::json(&found, at),
                ReportFormat::Prometheus => report::prometheus(&found, &kinds, at),
            };
            emit(&text, args.output.as_deref(), printer)?;
            Ok(if found.drifted() { ExitCode::from(DRIFTED) } else { ExitCode::SUCCESS })
        }
        Err((topology, failure)) => {
            if args.format == ReportFormat::Prometheus {
                let metrics = report::prometheus_failure(&topology, at);
                if let Err(Failure::Message(message)) =
                    emit(&metrics, args.output.as_deref(), printer)
                {
                    printer.error(message);
                }
            }
            Err(failure)
        }
    }
}

/// The drift, and the kinds of resource the topology declares; or why not,
/// with the topology's name (as far as it is known).
fn check(
    args: &DriftArgs,
    context: &Context,
) -> Result<(Drift, BTreeSet<crate::state::Kind>), (String, Failure)> {
    let stem =
        args.topology.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (_, mut topology) =
        load(&args.topology, &context.printer).map_err(|failure| (stem, failure))?;
    let name = topology.name.clone();
    let failed = |failure: Failure| (name.clone(), failure);
    let read = context
        .block_on(async {
            let (desired, live, store) =
                read_account(&args.topology, &mut topology, context).await?;
            let made = history::made(store.as_ref()).await.map_err(|e| e.to_string())?;
            Ok::<_, String>((desired, live, made))
        })
        .map_err(failed)?;
    let (desired, live, made) = read.map_err(|message| failed(message.into()))?;
    let plan = plan::plan(&desired, &live).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        failed(lines.join("\nerror: ").into())
    })?;
    let kinds = desired.resources.values().map(|r| r.kind).collect();
    Ok((drift(&plan, made.as_ref(), &topology.drift_ignores), kinds))
}
