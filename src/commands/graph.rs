//! `wway graph`: the topology's resources and their dependencies, as DOT or
//! Mermaid. Makes no cloud call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, load_desired};
use crate::cli::GraphFormat;
use crate::present::graph;

pub fn run(path: &Path, format: GraphFormat, printer: &Printer) -> ExitCode {
    let desired = match load_desired(path, printer) {
        Ok((_, desired)) => desired,
        Err(code) => return code,
    };
    match format {
        GraphFormat::Dot => print!("{}", graph::dot(&desired)),
        GraphFormat::Mermaid => print!("{}", graph::mermaid(&desired)),
    }
    ExitCode::SUCCESS
}
