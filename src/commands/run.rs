//! What apply, destroy and rollback share: the store of journals and the
//! lock, asking for confirmation, choosing how progress is shown, and saying
//! on stdout how a run ended.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::{Failure, Printer, Status};
use crate::cloud::Aws;
use crate::cloud::backend_marker::Claim;
use crate::exec::Report;
use crate::exec::interrupt::Interrupt;
use crate::exec::lock::{Lock, LockError};
use crate::exec::report::Reporter;
use crate::present::progress::{Bars, Lines, Silent};
use crate::state::desired::DesiredState;
use crate::store::s3::S3Store;
use crate::store::{Folder, Store};
use crate::topology::Topology;

/// `.wway` beside the topology file, unless `--state-dir` says otherwise.
pub fn state_dir(topology: &Path, chosen: Option<&Path>) -> PathBuf {
    chosen.map(Path::to_path_buf).unwrap_or_else(|| {
        topology
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join(".wway")
    })
}

/// Where a topology's journals, lock and remembered scope live: `--backend`
/// (or `WWAY_BACKEND`), else the file's `backend:`, else a local folder
/// (`--state-dir`, else `.wway` beside the file).
pub async fn store(
    file: &Path,
    topology: &Topology,
    context: &super::Context,
) -> Result<Arc<dyn Store>, String> {
    Ok(match context.backend.as_ref().or(topology.backend.as_ref()) {
        Some(bucket) => {
            context.reachable().await?;
            Arc::new(S3Store::new(bucket, &topology.name, &context.settings).await)
        }
        None => Arc::new(Folder { root: state_dir(file, context.state_dir.as_deref()) }),
    })
}

/// The store, for commands that need no more of the topology than where its
/// store is (rollback, force-unlock): the file is read when it exists, or
/// when `--backend` needs the topology's name.
pub async fn store_of_file(
    file: &Path,
    context: &super::Context,
) -> Result<Arc<dyn Store>, Failure> {
    if context.backend.is_none() && !file.exists() {
        return Ok(Arc::new(Folder { root: state_dir(file, context.state_dir.as_deref()) }));
    }
    let (_, topology) = super::load(file, &context.printer)?;
    Ok(store(file, &topology, context).await?)
}

/// Takes the topology's lock for `command`, saying so when it takes over
/// the lock of a run that died on this host. A refusal says how to clear
/// the lock, as a command that works from where the user is.
pub async fn lock(
    store: Arc<dyn Store>,
    command: &str,
    file: &Path,
    context: &super::Context,
) -> Result<Lock, String> {
    match Lock::acquire(store, command).await {
        Ok(lock) => {
            if let Some(dead) = &lock.taken_over {
                context.printer.note(format!(
                    "The lock was left by {} (process {} of this host, which is gone); this run takes it over.",
                    dead.command, dead.pid
                ));
            }
            Ok(lock)
        }
        Err(error @ LockError::Io(..)) => Err(error.to_string()),
        Err(error) => {
            let id = error.unlock_id().unwrap_or_default();
            let unlock = format!("force-unlock {id} {}", file.display());
            let unlock = suggest(&unlock, context);
            Err(format!("{error}; if no run is going on, clear it with `{unlock}`"))
        }
    }
}

/// The user's limits on waits (`--timeout`), refused before anything is read.
pub fn timeouts(args: &crate::cli::RunArgs) -> Result<crate::cloud::Timeouts, String> {
    crate::cloud::Timeouts::parse(&args.timeouts).map_err(|why| format!("--timeout {why}"))
}

/// The cloud for a topology's commands: AWS, reading besides the file's own
/// regions and zones the ones earlier runs (in `store`) used.
pub async fn aws(store: &dyn Store, context: &super::Context) -> Result<Aws, String> {
    context.reachable().await?;
    let used = crate::exec::scope::read(store).await.map_err(|e| e.to_string())?;
    Ok(Aws::new(context.settings.clone()).remembering(used.regions, used.zones))
}

/// Claims `topology` in the account for this run's backend (`claim`), or
/// checks that no other backend has it; refuses when one does. Two backends
/// on one account (two state folders, a folder and a bucket) would each make
/// everything under a lock of its own, and undo each other's work.
pub async fn own_backend(
    aws: &Aws,
    store: &dyn Store,
    topology: &str,
    claim: bool,
) -> Result<(), String> {
    let ours = store.identity();
    let marker = aws.backend_marker().await;
    let found = match claim {
        true => marker.claim(topology, &ours).await,
        false => marker.read(topology, &ours).await,
    };
    match found
        .map_err(|e| format!("cannot read which backend holds topology `{topology}`: {e}"))?
    {
        Claim::Theirs(theirs) => Err(format!(
            "topology `{topology}` keeps its journals and lock in {theirs} (the account says so), \
             not in {ours}, where this run would keep them. Run with that backend (`--backend` \
             for a bucket, or from the folder it names): two backends would each make \
             everything under a lock of their own. If that backend is gone for good, delete the \
             SSM parameter /wway/{topology}/backend in us-east-1."
        )),
        Claim::Ours | Claim::Unclaimed => Ok(()),
    }
}

/// Reads the account for a topology (its store tells which regions and
/// zones earlier runs used), after placing its counted zones on the ones the
/// regions offer; with `-v`, says what the read cost, failed or not. Gives
/// the desired state, the live state and the store.
pub async fn read_account(
    file: &Path,
    topology: &mut Topology,
    context: &super::Context,
) -> Result<(DesiredState, crate::state::live::LiveState, Arc<dyn Store>), String> {
    use crate::cloud::Cloud;
    let started = std::time::Instant::now();
    let store = store(file, topology, context).await?;
    let aws = aws(store.as_ref(), context).await?;
    // Which backend holds the topology is read beside the account, not
    // before it: both only read.
    let name = topology.name.clone();
    let backend = own_backend(&aws, store.as_ref(), &name, false);
    let account = async {
        let desired = desired_on(topology, &aws).await?;
        let live = aws.snapshot(&desired).await.map_err(|e| e.to_string())?;
        Ok::<_, String>((desired, live))
    };
    let read = tokio::try_join!(backend, account).map(|((), read)| read);
    if context.printer.verbose > 0 {
        context
            .printer
            .note(format!("read the account: {}", super::calls_line(&aws, started.elapsed())));
    }
    let (desired, live) = read?;
    Ok((desired, live, store))
}

/// The desired state of `topology` on `aws`: its counted zones placed on
/// zones the regions offer ([`Aws::place_zones`]), then lowered.
pub async fn desired_on(topology: &mut Topology, aws: &Aws) -> Result<DesiredState, String> {
    aws.place_zones(topology).await?;
    super::desired_of(topology)
}

/// Asks on the terminal; without a terminal, only `--auto-approve` goes on.
/// The answer is read on a thread of its own, so that Ctrl-C at the prompt
/// is caught by the run (see [`unless_interrupted`]).
pub async fn confirm(
    question: &str,
    auto_approve: bool,
    printer: &Printer,
) -> Result<bool, String> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "standard input is not a terminal, so nobody can confirm: pass --auto-approve".into()
        );
    }
    printer.prompt(format!("{question} Only 'yes' is accepted: "));
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map(|_| answer)
    });
    let answer = answer.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
    Ok(answer.trim() == "yes")
}

/// `work`, unless the run is interrupted first: then the signal.
pub async fn unless_interrupted<T>(
    interrupt: &Interrupt,
    work: impl std::future::Future<Output = T>,
) -> Result<T, i32> {
    tokio::select! {
        biased;
        signal = interrupt.wait() => Err(signal),
        done = work => Ok(done),
    }
}

/// What a run interrupted before it changed anything says, and its status.
pub fn stopped_before_changes(verb: &str, signal: i32, printer: &Printer) -> ExitCode {
    printer.line(format!("{verb} interrupted before any change: nothing was done."));
    ExitCode::from(Interrupt::exit_status(signal))
}

/// Catches Ctrl-C and SIGTERM for a run that holds the lock.
pub fn interrupt(printer: &Printer) -> Result<Interrupt, String> {
    let printer = *printer;
    Interrupt::install(move |say| printer.show(format!("{say}\n")))
        .map_err(|e| format!("cannot catch Ctrl-C: {e}"))
}

/// Bars on a terminal, lines elsewhere or with `--no-progress`, nothing
/// with `--quiet`.
pub fn reporter(printer: &Printer, no_progress: bool) -> Box<dyn Reporter> {
    match (printer.quiet, printer.progress && !no_progress) {
        (true, _) => Box::new(Silent),
        (false, true) => Box::new(Bars::default()),
        (false, false) => Box::new(Lines::default()),
    }
}

/// `wway ARGS` with the flags that chose this run's state (`--backend`,
/// `--state-dir`), so that the command works as given from where the user is.
pub fn suggest(args: &str, context: &super::Context) -> String {
    let mut command = format!("wway {args}");
    match (&context.backend, &context.state_dir) {
        (Some(backend), _) => command.push_str(&format!(" --backend {backend}")),
        (None, Some(dir)) => command.push_str(&format!(" --state-dir {}", dir.display())),
        (None, None) => {}
    }
    command
}

/// Lets go of the lock, saying so if it was no longer this run's.
pub async fn release(lock: Lock, printer: &Printer) {
    if let Err(warning) = lock.release().await {
        printer.warning(warning);
    }
}

/// Names the steps AWS would not let finish yet, and why.
fn deferred(steps: &[crate::plan::steps::Step], printer: &Printer) {
    if steps.is_empty() {
        return;
    }
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    printer.line(format!(
        "Deferred until a later run ({}): {}. AWS does not let them go yet (it deletes a \
         Lambda@Edge function only hours after CloudFront stopped using it); they stay this \
         topology's, and a later destroy, or an apply that no longer declares them, deletes them.",
        names.len(),
        names.join(", ")
    ));
}

/// Says how the run ended on stdout and gives its outcome: a run that
/// failed has said why, so it is [`Failure::Reported`].
pub fn finish(
    verb: &str,
    report: &Report,
    elapsed: Duration,
    journal: &str,
    file: &Path,
    context: &super::Context,
) -> Status {
    let printer = &context.printer;
    let applied = &report.applied;
    let seconds = elapsed.as_secs_f64();
    let rollback = suggest(&format!("rollback {}", file.display()), context);
    if report.succeeded() {
        printer.line(format!("{verb} complete: {} steps in {seconds:.1} s.", applied.done.len()));
        deferred(&applied.deferred, printer);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(signal) = report.interrupted {
        printer.line(format!(
            "{verb} interrupted: {} steps done, {} not started{}. The journal is {journal}.",
            applied.done.len(),
            applied.not_started.len(),
            if applied.failed.is_empty() {
                String::new()
            } else {
                format!(", {} failed", applied.failed.len())
            },
        ));
        match verb {
            "Rollback" => printer.line(format!("Run `{rollback}` again to carry on.")),
            _ => printer.line(format!(
                "Run the same command again to carry on, or `{rollback}` to undo what was done."
            )),
        }
        return Ok(ExitCode::from(Interrupt::exit_status(signal)));
    }
    for (step, error) in &applied.failed {
        printer.line(format!("{verb} failed: {}: {error}", step.name));
    }
    if !applied.skipped.is_empty() {
        printer.line(format!("Not started because of that: {} steps.", applied.skipped.len()));
    }
    match &report.rolled_back {
        Some(undo) if undo.failed.is_empty() => {
            let done = undo.done.len();
            // What waits for a later run is said below, with why.
            let waits = |line: &String| {
                undo.deferred.iter().any(|s| line.starts_with(&format!("{} ", s.addr())))
            };
            let left_over: Option<Vec<&str>> = report
                .left_over
                .as_ref()
                .map(|left| left.iter().filter(|l| !waits(l)).map(String::as_str).collect());
            printer.line(match &left_over {
                Some(left) if left.is_empty() => format!(
                    "Rolled back the {done} steps it had done; the account is as it was (read back)."
                ),
                Some(left) => format!(
                    "Rolled back the {done} steps it had done, but the account is not as it was: {}. The journal is {journal}.",
                    left.join(", ")
                ),
                None => format!(
                    "Rolled back the {done} steps it had done; the account could not be read back to check it. The journal is {journal}."
                ),
            });
            deferred(&undo.deferred, printer);
        }
        Some(undo) => {
            for (step, error) in &undo.failed {
                printer.line(format!("Rollback failed too: {}: {error}", step.name));
            }
            printer.line(format!("What was done and undone is in {journal}."));
        }
        None => printer.line(format!(
            "{} steps were done and left in place; `{rollback}` undoes them.",
            applied.done.len()
        )),
    }
    Err(Failure::Reported)
}
