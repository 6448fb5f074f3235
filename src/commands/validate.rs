//! `wway validate`: load the topology and print its summary or every problem.
//! Makes no network call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, load};
use crate::present::summary;

pub fn run(path: &Path, printer: &Printer) -> ExitCode {
    match load(path, printer) {
        Ok((source, topology)) => {
            print!("{}", summary::render(&topology, &source.name));
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}
