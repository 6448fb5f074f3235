//! `wway apply` and `wway destroy`: plan (against the file, or against nothing
//! for destroy), show the plan, confirm, and carry it out under the lock with
//! a journal; a failed step rolls back what the run did (apply only).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use super::run::{
    aws, confirm, desired_on, finish, interrupt, own_backend, release, reporter,
    stopped_before_changes, store, unless_interrupted,
};
use super::{Context, Failure, Status, desired_of, load};
use crate::cli::RunArgs;
use crate::cloud::{Aws, Cloud};
use crate::exec::interrupt::Interrupt;
use crate::exec::journal::Journal;
use crate::exec::scope;
use crate::exec::{self, Options};
use crate::plan;
use crate::plan::steps::steps;
use crate::present::{plan_json, plan_text};
use crate::state::desired::DesiredState;
use crate::state::live::LiveState;
use crate::store::Store;

pub enum Mode {
    Apply { rollback: bool },
    Destroy,
}

pub fn run(args: &RunArgs, mode: Mode, context: &Context) -> Status {
    context.block_on(attempt(args, mode, context))?
}

/// The exit code of `wway apply PLANFILE` when the account moved since the plan.
pub const STALE_PLAN: u8 = 3;

async fn attempt(args: &RunArgs, mode: Mode, context: &Context) -> Status {
    if let Mode::Apply { rollback } = mode
        && let Some(saved) =
            std::fs::read_to_string(&args.topology).ok().as_deref().and_then(plan_json::parse)
    {
        let mut saved = saved?;
        let origin = saved
            .origin
            .take()
            .ok_or("the plan does not name the topology file it was made from")?;
        let file = origin.file.clone();
        let saved = Saved { saved, origin, rollback };
        return locked(&file, Mode::Apply { rollback }, Some(saved), args, context).await;
    }
    locked(&args.topology, mode, None, args, context).await
}

/// A plan saved by `wway plan --out`, to carry out as it is.
struct Saved {
    saved: plan_json::SavedPlan,
    /// The topology file it was made from (taken out of `saved`).
    origin: plan_json::Origin,
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
) -> Status {
    let (_, mut topology) = load(file, &context.printer)?;
    let timeouts = super::run::timeouts(args)?;
    let command = match mode {
        Mode::Apply { .. } => "apply",
        Mode::Destroy => "destroy",
    };
    let store = store(file, &topology, context).await?;
    let interrupt = interrupt(&context.printer)?;
    let lock = super::run::lock(store.clone(), command, file, context).await?;
    let aws = aws(store.as_ref(), context).await.map(|aws| aws.waiting(timeouts));
    let result = async {
        let aws = aws?;
        super::drill::restore_unfinished(store.as_ref(), context).await?;
        // A destroy declares nothing, so it has no zones to place.
        let wanted = match mode {
            Mode::Apply { .. } => desired_on(&mut topology, &aws).await?,
            Mode::Destroy => desired_of(&topology)?,
        };
        let run = Run { aws: &aws, store, command, file, args, interrupt, topology: &topology };
        run.own_and_run(mode, saved, &wanted, context).await
    }
    .await;
    release(lock, &context.printer).await;
    result
}

/// What carrying a plan out needs besides the plan.
struct Run<'a> {
    aws: &'a Aws,
    store: Arc<dyn Store>,
    command: &'a str,
    /// The topology file (for the commands a message suggests).
    file: &'a Path,
    args: &'a RunArgs,
    interrupt: Interrupt,
    /// The topology the plan is of (for what a plan says beside its changes).
    topology: &'a crate::topology::Topology,
}

impl Run<'_> {
    fn verb(&self) -> &'static str {
        if self.command == "destroy" { "Destroy" } else { "Apply" }
    }

    /// Claims the topology for this backend (an apply) or checks that no
    /// other has it (a destroy), runs, and after a destroy that succeeded
    /// lets go of the claim: the topology owns nothing any more.
    async fn own_and_run(
        &self,
        mode: Mode,
        saved: Option<Saved>,
        wanted: &DesiredState,
        context: &Context,
    ) -> Status {
        let destroy = matches!(mode, Mode::Destroy);
        own_backend(self.aws, self.store.as_ref(), &wanted.topology, !destroy).await?;
        let code = match saved {
            Some(saved) => apply_saved(self, saved, wanted, context).await?,
            None => plan_and_carry_out(self, mode, wanted, context).await?,
        };
        if destroy && code == ExitCode::SUCCESS {
            let ours = self.store.identity();
            let marker = self.aws.backend_marker().await;
            marker.release(&wanted.topology, &ours).await.map_err(|e| e.to_string())?;
        }
        Ok(code)
    }

    /// The live state, or the signal that interrupted the read.
    async fn read(&self, wanted: &DesiredState) -> Result<Result<LiveState, i32>, String> {
        match unless_interrupted(&self.interrupt, self.aws.snapshot(wanted)).await {
            Ok(live) => live.map(Ok).map_err(|e| e.to_string()),
            Err(signal) => Ok(Err(signal)),
        }
    }

    fn options(&self, rollback: bool) -> Options {
        let parallelism = self.args.parallelism;
        Options { parallelism, rollback, interrupt: self.interrupt.clone() }
    }
}

async fn plan_and_carry_out(
    run: &Run<'_>,
    mode: Mode,
    wanted: &DesiredState,
    context: &Context,
) -> Status {
    let verb = run.verb();
    let printer = &context.printer;
    let live = match run.read(wanted).await? {
        Ok(live) => live,
        Err(signal) => return Ok(stopped_before_changes(verb, signal, printer)),
    };
    // Destroy plans against a topology that declares nothing: every owned
    // resource goes, and nothing else is touched.
    let target = match mode {
        Mode::Apply { .. } => wanted.clone(),
        Mode::Destroy => DesiredState { topology: wanted.topology.clone(), ..Default::default() },
    };
    let mut plan = plan::plan(&target, &live).map_err(|errors| {
        errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: ")
    })?;
    if let Mode::Apply { .. } = mode {
        crate::resilience::annotate(&mut plan, run.topology, &target, &live);
    }
    if plan.is_empty() {
        printer.line(format!("No changes. The account matches topology `{}`.", plan.topology));
        return Ok(ExitCode::SUCCESS);
    }
    printer.show(plan_text::render(&plan, printer.color));
    let one_way: Vec<String> = plan.changes.iter().flat_map(|c| c.one_way()).collect();
    if !one_way.is_empty() {
        printer.warning(format!(
            "{} of these changes cannot be undone by a rollback (marked `one way`)",
            one_way.len()
        ));
    }
    let question = format!("{verb} these changes to topology `{}`?", plan.topology);
    let asked = confirm(&question, run.args.auto_approve, printer);
    let answer = match unless_interrupted(&run.interrupt, asked).await {
        Ok(answer) => answer?,
        Err(signal) => return Ok(stopped_before_changes(verb, signal, printer)),
    };
    if !answer {
        printer.line(format!("{verb} cancelled."));
        return Err(Failure::Reported);
    }
    let options = run.options(matches!(mode, Mode::Apply { rollback: true }));
    carry_out(run, plan, wanted, &live, options, context).await
}

/// Journals and executes the plan's steps, then says how it went.
async fn carry_out(
    run: &Run<'_>,
    plan: plan::Plan,
    wanted: &DesiredState,
    live: &LiveState,
    options: Options,
    context: &Context,
) -> Status {
    // Remembered before anything is made, so a run killed midway counts too.
    scope::remember(run.store.as_ref(), wanted).await.map_err(|e| e.to_string())?;
    let topology = plan.topology.clone();
    let mut journal = Journal::create(run.store.clone(), &topology, run.command)
        .await
        .map_err(|e| format!("cannot start the journal: {e}"))?;
    let started = Instant::now();
    let work = steps(plan, wanted, live);
    let reporter = reporter(&context.printer, run.args.no_progress);
    let mut report = exec::execute(
        run.aws,
        &topology,
        work,
        live.ids(),
        options,
        reporter.as_ref(),
        &mut journal,
    )
    .await
    .map_err(|e| format!("cannot write the journal {}: {e}", journal.location()))?;
    // "The account is as it was" is said only when it was read back.
    if report.rolled_back.as_ref().is_some_and(|undo| undo.failed.is_empty()) {
        report.left_over = run.aws.snapshot(wanted).await.ok().map(|now| live.differences(&now));
    }
    if context.printer.verbose > 0 {
        context.printer.note(super::calls_line(run.aws, started.elapsed()));
    }
    finish(run.verb(), &report, started.elapsed(), &journal.location(), run.file, context)
}

/// `wway apply PLANFILE`: the saved plan runs as it is (it was reviewed when
/// it was made), unless it cannot be trusted to be what was reviewed, or the
/// account moved since: then it is refused, with what differs.
async fn apply_saved(
    run: &Run<'_>,
    saved: Saved,
    wanted: &DesiredState,
    context: &Context,
) -> Status {
    let printer = &context.printer;
    let Saved { saved, origin, rollback } = saved;
    let plan = saved.plan;
    let live = match run.read(wanted).await? {
        Ok(live) => live,
        Err(signal) => return Ok(stopped_before_changes(run.verb(), signal, printer)),
    };
    let topology_now = std::fs::read(&origin.file).map(|b| crate::state::digest::sha256_hex(&b));
    let mut moved: Vec<String> = Vec::new();
    if !saved.intact {
        moved.push("the plan file was edited after `wway plan --out` wrote it".into());
    }
    if topology_now.as_ref().ok() != Some(&origin.sha256) {
        moved.push(format!("the topology file {} changed", origin.file.display()));
    }
    for (addr, planned) in &saved.packages {
        let now = wanted.resources.get(addr).and_then(|r| r.fields.get("code_sha256"));
        if now.and_then(|v| v.as_str()) != Some(planned.as_str()) {
            moved.push(format!("the code package of {addr} changed"));
        }
    }
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
    // What the plan would do must be what a plan of its topology against the
    // account gives now: an edited action or target is never carried out.
    match plan::plan(wanted, &live) {
        Ok(now) => moved.extend(differences(&plan, &now)),
        Err(errors) => moved.extend(errors.iter().map(ToString::to_string)),
    }
    if !moved.is_empty() {
        printer.error(format!(
            "the plan is stale: it is not what was reviewed, or the account moved since \
             it was made ({})",
            moved.join(", ")
        ));
        printer.error("run `wway plan --out` again and review the new plan");
        return Ok(ExitCode::from(STALE_PLAN));
    }
    if plan.is_empty() {
        printer.line(format!("No changes. The account matches topology `{}`.", plan.topology));
        return Ok(ExitCode::SUCCESS);
    }
    printer.show(plan_text::render(&plan, printer.color));
    carry_out(run, plan, wanted, &live, run.options(rollback), context).await
}

/// How the changes of `saved` differ from those of `now`, by address.
fn differences(saved: &plan::Plan, now: &plan::Plan) -> Vec<String> {
    let by_address = |plan: &plan::Plan| -> std::collections::BTreeMap<_, _> {
        plan.changes.iter().map(|c| (c.address.clone(), c.clone())).collect()
    };
    let (saved, now) = (by_address(saved), by_address(now));
    let mut differences = Vec::new();
    for (addr, change) in &saved {
        match now.get(addr) {
            None => differences.push(format!(
                "the plan would {} {addr}, a plan now would not",
                change.action.verb()
            )),
            Some(fresh) if fresh.action != change.action => differences.push(format!(
                "the plan would {} {addr}, a plan now would {} it",
                change.action.verb(),
                fresh.action.verb()
            )),
            Some(fresh) if fresh != change => differences
                .push(format!("the plan's change to {addr} is not what a plan now gives")),
            Some(_) => {}
        }
    }
    for (addr, fresh) in now.iter().filter(|(a, _)| !saved.contains_key(*a)) {
        differences.push(format!("a plan now would also {} {addr}", fresh.action.verb()));
    }
    differences
}
