//! One module per subcommand. Each computes its result, renders it through
//! `present`, writes data to stdout and diagnostics to stderr, and returns the
//! process exit code.

pub mod graph;
pub mod plan;
pub mod schema;
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
}

impl Printer {
    pub fn new(choice: ColorChoice, verbose: u8) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Printer { color, width: 100, verbose }
    }

    /// Colour for what goes to stdout: only where stdout is a terminal too.
    pub fn stdout_color(&self) -> bool {
        self.color && std::io::stdout().is_terminal()
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(cli.global.color, cli.global.verbose);
    let settings = Settings { endpoint_url: cli.global.endpoint_url, profile: cli.global.profile };
    match cli.command {
        Command::Validate { topology } => validate::run(&topology, &printer),
        Command::Plan(args) => plan::run(&args, &printer, settings),
        Command::Graph { topology, format } => graph::run(&topology, format, &printer),
        Command::Schema => schema::run(),
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
