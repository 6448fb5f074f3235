//! One module per subcommand. Each computes its result, renders it through
//! `present`, writes data to stdout and diagnostics to stderr, and returns the
//! process exit code.

pub mod schema;
pub mod validate;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{Cli, ColorChoice, Command};

/// Where output goes and how it looks, decided once from flags and the terminal.
pub struct Printer {
    pub color: bool,
    pub width: usize,
}

impl Printer {
    pub fn new(choice: ColorChoice) -> Self {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Printer { color, width: 100 }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(cli.global.color);
    match cli.command {
        Command::Validate { topology } => validate::run(&topology, &printer),
        Command::Schema => schema::run(),
    }
}
