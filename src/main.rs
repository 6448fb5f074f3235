//! The `wway` binary: parse the command line and hand it to the commands.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    wway::commands::run(wway::cli::Cli::parse())
}
