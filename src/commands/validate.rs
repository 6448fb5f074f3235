//! `wway validate`: load the topology and print its summary or every problem.
//! Makes no network call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, Status, load};
use crate::present::summary;

pub fn run(path: &Path, printer: &Printer) -> Status {
    let (source, topology) = load(path, printer)?;
    printer.out(summary::render(&topology, &source.name));
    Ok(ExitCode::SUCCESS)
}
