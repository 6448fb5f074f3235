//! `wway graph`: the topology's resources and their dependencies, as DOT or
//! Mermaid. Makes no cloud call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, Status, desired_of, load};
use crate::cli::GraphFormat;
use crate::present::graph;

pub fn run(path: &Path, format: GraphFormat, printer: &Printer) -> Status {
    let (_, topology) = load(path, printer)?;
    let desired = desired_of(&topology)?;
    printer.out(match format {
        GraphFormat::Dot => graph::dot(&desired),
        GraphFormat::Mermaid => graph::mermaid(&desired),
    });
    Ok(ExitCode::SUCCESS)
}
