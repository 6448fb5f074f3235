//! One module per subcommand. Each computes its result, renders it through
//! `present`, hands what it has to say to the [`Printer`] (data to stdout,
//! the rest to stderr), and returns a [`Status`]. [`run`] is the one place
//! that says an error and maps it to the exit status, and owns the one async
//! runtime that the commands which call AWS share.

pub mod apply;
pub mod drift;
pub mod drill;
pub mod export;
pub mod graph;
pub mod plan;
pub mod rollback;
pub(crate) mod run;
pub mod schema;
pub mod unlock;
pub mod validate;

use std::cell::OnceCell;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, CloudArgs, ColorChoice, Command, ExportFormat};
use crate::cloud::Settings;
use crate::present::diagnostics;
pub use crate::present::printer::Printer;
use crate::topology::{self, Source, Topology};

/// Why a command failed: a message that [`run`] says as `error: ...`, or a
/// failure the command has said already (a topology's diagnostics).
#[derive(Debug)]
pub enum Failure {
    Message(String),
    Reported,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Message(message.to_string())
    }
}

/// A command's exit status when it did its job (0, or 2 for "there are
/// changes", or a signal's status), or why it failed (status 1).
pub type Status = Result<ExitCode, Failure>;

/// Everything a command needs besides its own arguments.
pub struct Context {
    pub printer: Printer,
    pub settings: Settings,
    pub state_dir: Option<std::path::PathBuf>,
    /// `--backend`: journals and the lock in this bucket, whatever the file says.
    pub backend: Option<crate::topology::backend::S3Location>,
    runtime: OnceCell<tokio::runtime::Runtime>,
    /// The account AWS said the credentials belong to, once asked.
    account: std::sync::OnceLock<String>,
}

impl Context {
    /// Runs `work` on the process's async runtime, made on first use.
    pub fn block_on<F: std::future::Future>(&self, work: F) -> Result<F::Output, Failure> {
        if self.runtime.get().is_none() {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|error| format!("cannot start the async runtime: {error}"))?;
            let _ = self.runtime.set(runtime);
        }
        let runtime = self.runtime.get().ok_or("the async runtime is gone")?;
        Ok(runtime.block_on(work))
    }
}

impl Context {
    /// The context of a command that calls AWS or keeps state.
    pub fn new(cloud: &CloudArgs, mut printer: Printer) -> Result<Context, Failure> {
        if let Some(profile) =
            cloud.profile.as_deref().filter(|p| !crate::cloud::profile_defined(p))
        {
            return Err(format!(
                "--profile {profile}: no such profile in the AWS config or credentials file"
            )
            .into());
        }
        let settings = Settings {
            endpoint_url: cloud.endpoint_url.clone(),
            profile: cloud.profile.clone(),
            read_timeout: Some(std::time::Duration::from_secs(cloud.read_timeout)),
        };
        let backend = cloud
            .backend
            .as_deref()
            .map(crate::topology::backend::parse)
            .transpose()
            .map_err(|why| format!("--backend: {why}"))?;
        printer.verbose = cloud.verbose;
        let state_dir = cloud.state_dir.clone();
        let (runtime, account) = (OnceCell::new(), std::sync::OnceLock::new());
        Ok(Context { printer, settings, state_dir, backend, runtime, account })
    }
}

impl Context {
    /// Asks AWS once per run whether it answers and takes the credentials
    /// (see [`crate::cloud::probe`]), before the first call that retries.
    pub async fn reachable(&self) -> Result<(), String> {
        if self.account.get().is_none() {
            let account =
                crate::cloud::probe::probe(&self.settings).await.map_err(|e| e.to_string())?;
            let _ = self.account.set(account);
        }
        Ok(())
    }
}

impl Drop for Context {
    /// A prompt interrupted by Ctrl-C leaves its reader blocked on stdin:
    /// the runtime is not waited for.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let color = match cli.global.color {
        ColorChoice::Auto => None,
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
    };
    let printer = Printer::new(color, cli.global.quiet);
    match dispatch(cli.command, printer) {
        Ok(code) => code,
        Err(Failure::Message(message)) => {
            printer.error(message);
            ExitCode::FAILURE
        }
        Err(Failure::Reported) => ExitCode::FAILURE,
    }
}

fn dispatch(command: Command, printer: Printer) -> Status {
    let context = |cloud: &CloudArgs| Context::new(cloud, printer);
    match command {
        Command::Validate { topology, format } => validate::run(&topology, format, &printer),
        Command::Plan(args) => plan::run(&args, &context(&args.cloud)?),
        Command::Apply(args) => {
            let mode = apply::Mode::Apply { rollback: !args.no_rollback };
            apply::run(&args.run, mode, &context(&args.run.cloud)?)
        }
        Command::Destroy(args) => apply::run(&args, apply::Mode::Destroy, &context(&args.cloud)?),
        Command::Rollback(args) => rollback::run(&args, &context(&args.run.cloud)?),
        Command::Drift(args) => drift::run(&args, &context(&args.cloud)?),
        Command::Drill(args) => drill::run(&args, &context(&args.cloud)?),
        Command::Export(ExportFormat::Terraform(args)) => {
            export::run(&args, &context(&args.cloud)?)
        }
        Command::Export(ExportFormat::EdgeRouting { topology }) => {
            export::edge_routing(&topology, &printer)
        }
        Command::ForceUnlock(args) => unlock::run(&args, &context(&args.cloud)?),
        Command::Graph { topology, format } => graph::run(&topology, format, &printer),
        Command::Schema => schema::run(&printer),
    }
}

/// Prints the report, or writes it to `output` at once (a temporary file
/// beside it, renamed over it), so a collector never reads half a file.
pub fn emit(text: &str, output: Option<&Path>, printer: &Printer) -> Result<(), Failure> {
    let Some(output) = output else {
        printer.out(text);
        return Ok(());
    };
    let mut temporary = output.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, output)).map_err(
        |error| {
            let _ = std::fs::remove_file(&temporary);
            Failure::Message(format!("cannot write {}: {error}", output.display()))
        },
    )
}

/// "0.42 s, 21 API calls (ec2 12, eks 3, ...)": what `-v` says a command cost.
pub fn calls_line(aws: &crate::cloud::Aws, elapsed: std::time::Duration) -> String {
    let calls = aws.calls();
    let total: u64 = calls.values().sum();
    let per_service: Vec<String> = calls.iter().map(|(s, n)| format!("{s} {n}")).collect();
    format!("{:.2} s, {total} API calls ({})", elapsed.as_secs_f64(), per_service.join(", "))
}

/// The desired state `topology` lowers to, or why not (an edge function
/// folder that cannot be read). A count of zones stays the letters a, b,
/// c... unless the account was read first ([`run::desired_on`]).
pub fn desired_of(topology: &Topology) -> Result<crate::state::desired::DesiredState, String> {
    crate::state::desired::desired(topology)
        .map_err(|error| format!("cannot package an edge function: {error}"))
}

/// Reads and validates a topology; a file with problems has its diagnostics
/// said here.
pub fn load(path: &Path, printer: &Printer) -> Result<(Source, Topology), Failure> {
    let source =
        Source::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    match topology::load(&source) {
        Ok(topology) => Ok((source, topology)),
        Err(problems) => {
            let style = diagnostics::Style { color: printer.color, width: printer.width };
            printer.show(diagnostics::render(&problems, &style));
            Err(Failure::Reported)
        }
    }
}
