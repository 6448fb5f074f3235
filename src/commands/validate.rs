//! `wway validate`: load the topology and print its summary (after its
//! warnings, on stderr) or every problem; with a `resilience:` section, the
//! resilience report and its findings (warnings) too. Makes no network call.

use std::path::Path;
use std::process::ExitCode;

use super::{Printer, Status, load};
use crate::cli::PlanFormat;
use crate::present::{diagnostics, resilience, summary};
use crate::topology::Problems;

pub fn run(path: &Path, format: PlanFormat, printer: &Printer) -> Status {
    let (source, topology) = load(path, printer)?;
    let report = crate::resilience::report(&topology);
    let findings = report.as_ref().map(|r| crate::resilience::findings::findings(&topology, r));
    let mut warnings = topology.warnings.clone();
    warnings.extend(findings.unwrap_or_default());
    if !warnings.is_empty() {
        let warnings = Problems {
            source: miette::NamedSource::new(
                &source.name,
                std::sync::Arc::from(source.text.as_str()),
            ),
            problems: warnings,
        };
        let style = diagnostics::Style { color: printer.color, width: printer.width };
        printer.show(diagnostics::render_warnings(&warnings, &style));
    }
    match format {
        PlanFormat::Human => {
            printer.out(summary::render(&topology, &source.name));
            if let Some(report) = &report {
                printer.out(resilience::render(report));
            }
        }
        PlanFormat::Json => printer.out(resilience::json(&topology.name, report.as_ref())),
    }
    Ok(ExitCode::SUCCESS)
}
