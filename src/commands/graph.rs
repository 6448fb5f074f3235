//! `wway graph`: the topology's resources and their dependencies, as DOT or
//! Mermaid. Makes no cloud call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, load};
use crate::cli::GraphFormat;
use crate::present::graph;
use crate::state::desired::desired;

pub fn run(path: &Path, format: GraphFormat, printer: &Printer) -> ExitCode {
    let topology = match load(path, printer) {
        Ok((_, topology)) => topology,
        Err(code) => return code,
    };
    let desired = match desired(&topology) {
        Ok(desired) => desired,
        Err(error) => {
            eprintln!("error: cannot package an edge function: {error}");
            return ExitCode::FAILURE;
        }
    };
    match format {
        GraphFormat::Dot => print!("{}", graph::dot(&desired)),
        GraphFormat::Mermaid => print!("{}", graph::mermaid(&desired)),
    }
    ExitCode::SUCCESS
}
