//! `wway validate`: load the topology and print its summary (after its
//! warnings, on stderr) or every problem; with a `resilience:` section, the
//! resilience report and its findings (warnings) too, and where an edge
//! function's routing disagrees with the DNS. Makes no network call.

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
    warnings.extend(edge_disagreements(&topology));
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

/// Where an edge function's routing (its folder's `routing.json`)
/// disagrees with the topology's DNS.
fn edge_disagreements(
    topology: &crate::topology::Topology,
) -> Vec<crate::topology::problem::Problem> {
    use crate::resilience::edge::{FILE, disagreement};
    let with_routing = topology.edge_functions.iter().filter_map(|function| {
        let text = std::fs::read_to_string(function.source.join(FILE)).ok()?;
        Some((function, text))
    });
    with_routing.filter_map(|(function, text)| disagreement(topology, function, &text)).collect()
}
