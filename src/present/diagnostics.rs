//! Renders topology [`Problems`] as miette reports: unicode boxes, colour only
//! when asked for, wrapped to a given width, followed by a one-line count.
//! A file with thousands of problems shows the first [`MAX_SHOWN`] of them.
//! A file's warnings are rendered the same way, with their own count.

use std::fmt::Write;

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::topology::Problems;

pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// The most problems one run shows: fixing those first is the way on.
pub const MAX_SHOWN: usize = 50;

pub fn render(problems: &Problems, style: &Style) -> String {
    let mut out = reports(problems, style);
    if let Some(more) = problems.problems.len().checked_sub(MAX_SHOWN).filter(|n| *n > 0) {
        let _ = writeln!(out, "… and {more} more problems, not shown\n");
    }
    let _ = writeln!(out, "error: {problems}");
    out
}

/// The warnings of a file that stands, and their count.
pub fn render_warnings(warnings: &Problems, style: &Style) -> String {
    let mut out = reports(warnings, style);
    let count = warnings.problems.len();
    let noun = if count == 1 { "warning" } else { "warnings" };
    let _ = writeln!(out, "warning: {count} {noun} in {}", warnings.source.name());
    out
}

/// The first [`MAX_SHOWN`] reports.
fn reports(problems: &Problems, style: &Style) -> String {
    let theme =
        if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler =
        GraphicalReportHandler::new_themed(theme).with_width(style.width).with_context_lines(1);
    let mut out = String::new();
    for report in problems.reports().take(MAX_SHOWN) {
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out
}
