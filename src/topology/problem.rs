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
        }
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

/// The line (from 1) and column (in characters, from 1) of `offset`, and
/// whether that line or one beside it is too long to show.
fn place(text: &str, offset: usize) -> (usize, usize, bool) {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    let start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    let line = text.as_bytes()[..start].iter().filter(|b| **b == b'\n').count() + 1;
    let column = text[start..offset].chars().count() + 1;
    let before = text[..start.saturating_sub(1)].rfind('\n').map_or(0, |at| at + 1);
    let after = text[offset..].find('\n').map_or(text.len(), |at| offset + at + 1);
    let beyond = text[after..].find('\n').map_or(text.len(), |at| after + at);
    let long = text[before..beyond].split('\n').any(|l| l.len() > MAX_SHOWN_LINE);
    (line, column, long)
}

impl Problems {
    /// One miette report per problem, each carrying the file's source.
    pub fn reports(&self) -> impl Iterator<Item = miette::Report> + '_ {
        let text: &str = self.source.inner();
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
                .map(|span| place(text, span.offset))
                .collect();
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
                .with_source_code(self.source.clone())
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
