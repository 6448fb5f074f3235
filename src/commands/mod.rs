//! One module per subcommand. Each computes its result, renders it through
//! `present`, writes data to stdout and diagnostics to stderr, and returns the
//! process exit code.

pub mod apply;
pub mod drift;
pub mod export;
pub mod graph;
pub mod plan;
pub mod rollback;
pub(crate) mod run;
pub mod schema;
pub mod unlock;
pub mod validate;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command};
use crate::cloud::Settings;
use crate::present::diagnostics;
use crate::topology::{self, Source, Topology};

/// Where output goes and how it looks, decided once from flags and the terminal.
pub struct Printer {
    pub color: bool,
    pub width: usize,
    pub verbose: u8,
    /// Progress bars (a terminal, and no --no-progress) or plain lines.
    pub progress: bool,
}

/// Everything a command needs besides its own arguments.
pub struct Context {
    pub printer: Printer,
    pub settings: Settings,
    pub state_dir: Option<std::path::PathBuf>,
    /// `--backend`: journals and the lock in this bucket, whatever the file says.
    pub backend: Option<crate::topology::backend::S3Location>,
}

impl Printer {
    pub fn new(choice: ColorChoice, verbose: u8, no_progress: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        Printer { color, width: 100, verbose, progress: terminal && !no_progress }
    }

    /// Colour for what goes to stdout: only where stdout is a terminal too.
    pub fn stdout_color(&self) -> bool {
        self.color && std::io::stdout().is_terminal()
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let global = cli.global;
    let printer = Printer::new(global.color, global.verbose, global.no_progress);
    if let Some(profile) = global.profile.as_deref().filter(|p| !crate::cloud::profile_defined(p)) {
        eprintln!(
            "error: --profile {profile}: no such profile in the AWS config or credentials file"
        );
        return ExitCode::FAILURE;
    }
    let settings = Settings { endpoint_url: global.endpoint_url, profile: global.profile };
    let backend = match global.backend.as_deref().map(crate::topology::backend::parse).transpose() {
        Ok(backend) => backend,
        Err(why) => {
            eprintln!("error: --backend: {why}");
            return ExitCode::FAILURE;
        }
    };
    let context = Context { printer, settings, state_dir: global.state_dir, backend };
    let printer = &context.printer;
    match cli.command {
        Command::Validate { topology } => validate::run(&topology, printer),
        Command::Plan(args) => plan::run(&args, &context),
        Command::Apply(args) => {
            apply::run(&args.run, apply::Mode::Apply { rollback: !args.no_rollback }, &context)
        }
        Command::Destroy(args) => apply::run(&args, apply::Mode::Destroy, &context),
        Command::Rollback { journal, last: _, auto_approve, parallelism, topology } => {
            let args = rollback::Args {
                journal: journal.as_deref(),
                topology: &topology,
                auto_approve,
                parallelism,
            };
            rollback::run(&args, &context)
        }
        Command::Drift(args) => drift::run(&args, &context),
        Command::Export(crate::cli::ExportFormat::Terraform(args)) => export::run(&args, &context),
        Command::ForceUnlock { id, topology } => unlock::run(&id, &topology, &context),
        Command::Graph { topology, format } => graph::run(&topology, format, printer),
        Command::Schema => schema::run(),
    }
}

/// "0.42 s, 21 API calls (ec2 12, eks 3, ...)": what `-v` says a command cost.
pub fn calls_line(aws: &crate::cloud::Aws, elapsed: std::time::Duration) -> String {
    let calls = aws.calls();
    let total: u64 = calls.values().sum();
    let per_service: Vec<String> = calls.iter().map(|(s, n)| format!("{s} {n}")).collect();
    format!("{:.2} s, {total} API calls ({})", elapsed.as_secs_f64(), per_service.join(", "))
}

/// A topology and its desired state, or the exit code once the reason is
/// printed (the file's diagnostics, or an edge function folder that cannot be
/// read).
pub fn load_desired(
    path: &Path,
    printer: &Printer,
) -> Result<(Topology, crate::state::desired::DesiredState), ExitCode> {
    let (_, topology) = load(path, printer)?;
    match crate::state::desired::desired(&topology) {
        Ok(desired) => Ok((topology, desired)),
        Err(error) => {
            eprintln!("error: cannot package an edge function: {error}");
            Err(ExitCode::FAILURE)
        }
    }
}

/// Reads and validates a topology; on failure prints why (its diagnostics, or
/// that the file cannot be read) and gives the exit code.
pub fn load(path: &Path, printer: &Printer) -> Result<(Source, Topology), ExitCode> {
    let source = Source::read(path).map_err(|error| {
        eprintln!("error: cannot read {}: {error}", path.display());
        ExitCode::FAILURE
    })?;
    match topology::load(&source) {
        Ok(topology) => Ok((source, topology)),
        Err(problems) => {
            let style = diagnostics::Style { color: printer.color, width: printer.width };
            eprint!("{}", diagnostics::render(&problems, &style));
            Err(ExitCode::FAILURE)
        }
    }
}
