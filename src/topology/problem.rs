//! What is wrong with a topology file: [`Problem`] is one diagnostic with a code,
//! a message, a label at the user's line and column, optional further labels and
//! a help line saying what would be right. [`Problems`] is all of them for one
//! file, rendered together by miette with the file's source attached.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

/// A byte range in the topology file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

impl Span {
    pub fn new(offset: usize, len: usize) -> Self {
        Span { offset, len }
    }

    /// The zero-length point where this span starts: used to label a multi-line
    /// mapping by its first line only.
    pub fn start_only(self) -> Self {
        Span::new(self.offset, 0)
    }

    /// The span from this one to the end of `last` (a collection's last child)
    /// or, for an empty collection, to the end of `end`.
    pub fn to(self, end: Span, last: Option<Span>) -> Self {
        let until = last.unwrap_or(end);
        let stop = (until.offset + until.len).max(self.offset);
        Span::new(self.offset, stop - self.offset)
    }
}

impl From<Span> for SourceSpan {
    fn from(span: Span) -> Self {
        SourceSpan::new(span.offset.into(), span.len)
    }
}

/// One thing wrong with the file.
#[derive(Debug, Clone)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub others: Vec<(Span, String)>,
    pub help: Option<String>,
    /// Said, but the file stands: a topology with warnings loads.
    pub warning: bool,
}

impl Problem {
    pub fn new(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Problem {
            code,
            message: message.into(),
            span,
            label: label.into(),
            others: Vec::new(),
            help: None,
            warning: false,
        }
    }

    /// A warning: said, but the file stands.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A second place in the file that explains the first (the other half of a clash).
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.others.push((span, label.into()));
        self
    }
}

/// Every problem found in one topology file, with the file's text for rendering.
#[derive(Debug)]
pub struct Problems {
    /// Shared by every report, not copied into each.
    pub source: NamedSource<std::sync::Arc<str>>,
    pub problems: Vec<Problem>,
}

/// The longest line a report shows as source; a problem on or beside a
/// longer one (a hostile file's megabyte scalar) is told by line and column.
const MAX_SHOWN_LINE: usize = 400;
/// The most lines a report's snippet spans between its labels.
const MAX_SNIPPET_LINES: usize = 50;
/// The longest message, label or help a report shows, cut in the middle.
const MAX_TEXT: usize = 300;

/// `text`, cut in the middle past `MAX_TEXT` bytes.
fn bounded(text: &str) -> String {
    if text.len() <= MAX_TEXT {
        return text.to_string();
    }
    let head = text.floor_char_boundary(MAX_TEXT * 2 / 3);
    let tail = text.ceil_char_boundary(text.len() - MAX_TEXT / 3);
    format!("{} … ({} bytes left out) … {}", &text[..head], tail - head, &text[tail..])
}

/// The file's text with where each of its lines starts, built once for all
/// of a file's reports: offsets are placed without scanning the text again,
/// and miette reads each snippet through a window that starts a few lines
/// above it (its own reader scans from the start of the file for every
/// report, which a file of many problems makes quadratic).
#[derive(Debug)]
struct Indexed {
    name: String,
    text: std::sync::Arc<str>,
    /// Byte offsets where lines start (after each `\n`).
    starts: Vec<usize>,
    /// For each start, the line breaks before it as miette counts them
    /// (`\n`, `\r\n`, and a lone `\r`).
    breaks: Vec<usize>,
}

impl Indexed {
    fn new(name: &str, text: std::sync::Arc<str>) -> Self {
        let (mut starts, mut breaks, mut counted) = (vec![0], vec![0], 0);
        let bytes = text.as_bytes();
        for (at, byte) in bytes.iter().enumerate() {
            let lone_return = *byte == b'\r' && bytes.get(at + 1) != Some(&b'\n');
            if *byte == b'\n' || lone_return {
                counted += 1;
            }
            if *byte == b'\n' {
                starts.push(at + 1);
                breaks.push(counted);
            }
        }
        Indexed { name: name.to_string(), text, starts, breaks }
    }

    /// The index (from 0) of the line that holds `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset).saturating_sub(1)
    }

    /// The byte range of line `index`, without its newline.
    fn range(&self, index: usize) -> std::ops::Range<usize> {
        let start = self.starts[index];
        let end = self.starts.get(index + 1).map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }

    /// The line (from 1) and column (in characters, from 1) of `offset`, and
    /// whether that line or one beside it is too long to show.
    fn place(&self, offset: usize) -> (usize, usize, bool) {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let index = self.line_of(offset);
        let column = self.text[self.starts[index]..offset].chars().count() + 1;
        let around = index.saturating_sub(1)..(index + 2).min(self.starts.len());
        let long = around.into_iter().any(|i| self.range(i).len() > MAX_SHOWN_LINE);
        (index + 1, column, long)
    }
}

impl miette::SourceCode for Indexed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // A window from a line start more lines above the span than miette
        // asks for (a lone `\r` may count as one), read by miette's own code.
        let first = self.line_of(span.offset()).saturating_sub(before + 2);
        let from = self.starts[first];
        let inner = SourceSpan::new((span.offset().saturating_sub(from)).into(), span.len());
        let window =
            <str as miette::SourceCode>::read_span(&self.text[from..], &inner, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            window.data(),
            SourceSpan::new((window.span().offset() + from).into(), window.span().len()),
            window.line() + self.breaks[first],
            window.column(),
            // miette counts the lines from the start of the file here, and
            // merges labels' snippets by it: counted as miette would.
            window.line_count() + self.breaks[first],
        )))
    }
}

impl Problems {
    /// One miette report per problem, each carrying the file's source.
    pub fn reports(&self) -> impl Iterator<Item = miette::Report> + '_ {
        let source =
            std::sync::Arc::new(Indexed::new(self.source.name(), self.source.inner().clone()));
        self.problems.iter().map(move |problem| {
            let mut shown = Problem {
                message: bounded(&problem.message),
                label: bounded(&problem.label),
                others: problem.others.iter().map(|(s, l)| (*s, bounded(l))).collect(),
                help: problem.help.as_deref().map(bounded),
                ..problem.clone()
            };
            let places: Vec<_> = std::iter::once(problem.span)
                .chain(problem.others.iter().map(|(span, _)| *span))
                .map(|span| source.place(span.offset))
                .collect();
            // A label far from the first (the first definition of a key
            // thousands of lines up) is named by its line, not drawn: the
            // snippet would run through every line between them.
            let (first_line, ..) = places[0];
            let mut far = Vec::new();
            shown.others.retain(|(span, label)| {
                let (line, ..) = source.place(span.offset);
                let near = line.abs_diff(first_line) <= MAX_SNIPPET_LINES;
                if !near {
                    far.push(format!("{label} at line {line}"));
                }
                near
            });
            if !far.is_empty() {
                shown.label = format!("{} ({})", shown.label, far.join(", "));
            }
            if places.iter().any(|(_, _, long)| *long) {
                // Told by line and column, without the source.
                let (line, column, _) = places[0];
                shown.message = format!(
                    "{} (at {}:{line}:{column}; the line is too long to show)",
                    shown.message,
                    self.source.name()
                );
                return miette::Report::new(Rendered { problem: shown, placed: false });
            }
            miette::Report::new(Rendered { problem: shown, placed: true })
                .with_source_code(source.clone())
        })
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let noun = if count == 1 { "problem" } else { "problems" };
        write!(f, "{count} {noun} in {}", self.source.name())
    }
}

impl std::error::Error for Problems {}

/// The miette view of one [`Problem`]: with its labels on the source, or,
/// when the source is not shown (`placed` false), by its message alone
/// (which then says where).
#[derive(Debug)]
struct Rendered {
    problem: Problem,
    placed: bool,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.problem.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.problem.warning { miette::Severity::Warning } else { miette::Severity::Error })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.placed {
            return None;
        }
        let problem = &self.problem;
        let primary = LabeledSpan::new_primary_with_span(Some(problem.label.clone()), problem.span);
        let others = problem
            .others
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(problems: &Problems) -> String {
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_context_lines(1);
        let mut out = String::new();
        for report in problems.reports() {
            handler.render_report(&mut out, report.as_ref()).unwrap();
        }
        out
    }

    /// Regression: a duplicate key thousands of lines below its first
    /// definition drew every line between them, for each such problem.
    #[test]
    fn a_far_label_is_named_by_its_line_and_lines_are_placed_from_an_index() {
        let text: String = (1..=3000).map(|i| format!("k{i}: {i}\n")).collect();
        let at = |line: usize| text.match_indices('\n').nth(line - 2).map_or(0, |(i, _)| i + 1);
        let problem = Problem::new("yaml::duplicate-key", "twice", Span::new(at(2900), 2), "again")
            .also(Span::new(at(2), 2), "first defined here");
        let problems = Problems {
            source: NamedSource::new("t.yaml", std::sync::Arc::from(text.as_str())),
            problems: vec![problem],
        };
        let out = rendered(&problems);
        assert!(out.contains("again (first defined here at line 2)"), "{out}");
        assert!(out.contains("[t.yaml:2900:1]"), "{out}");
        assert!(out.lines().count() < 12, "{out}");
        let index = Indexed::new("t", std::sync::Arc::from("a\r\nb\rc\nd"));
        assert_eq!(index.place(7), (3, 1, false));
        assert_eq!(index.breaks, [0, 1, 3]);
    }
}
