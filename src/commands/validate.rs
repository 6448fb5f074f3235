//! `wway validate`: load the topology and print its summary (after its
//! warnings, on stderr) or every problem. Makes no network call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, Status, load};
use crate::present::{diagnostics, summary};
use crate::topology::Problems;

pub fn run(path: &Path, printer: &Printer) -> Status {
    let (source, topology) = load(path, printer)?;
    if !topology.warnings.is_empty() {
        let warnings = Problems {
            source: miette::NamedSource::new(
                &source.name,
                std::sync::Arc::from(source.text.as_str()),
            ),
            problems: topology.warnings.clone(),
        };
        let style = diagnostics::Style { color: printer.color, width: printer.width };
        printer.show(diagnostics::render_warnings(&warnings, &style));
    }
    printer.out(summary::render(&topology, &source.name));
    Ok(ExitCode::SUCCESS)
}
