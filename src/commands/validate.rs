//! `wway validate`: load the topology and print its summary or every problem.
//! Makes no network call.

use std::path::Path;
use std::process::ExitCode;

use super::Printer;
use crate::present::{diagnostics, summary};
use crate::topology::{self, Source};

pub fn run(path: &Path, printer: &Printer) -> ExitCode {
    let source = match Source::read(path) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            return ExitCode::FAILURE;
        }
    };
    match topology::load(&source) {
        Ok(topology) => {
            print!("{}", summary::render(&topology, &source.name));
            ExitCode::SUCCESS
        }
        Err(problems) => {
            let style = diagnostics::Style { color: printer.color, width: printer.width };
            eprint!("{}", diagnostics::render(&problems, &style));
            ExitCode::FAILURE
        }
    }
}
