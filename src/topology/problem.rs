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
    pub source: NamedSource<String>,
    pub problems: Vec<Problem>,
}

impl Problems {
    /// One miette report per problem, each carrying the file's source.
    pub fn reports(&self) -> impl Iterator<Item = miette::Report> + '_ {
        self.problems.iter().map(|problem| {
            miette::Report::new(Rendered(problem.clone())).with_source_code(self.source.clone())
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

/// The miette view of one [`Problem`].
#[derive(Debug)]
struct Rendered(Problem);

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.0.label.clone()), self.0.span);
        let others = self
            .0
            .others
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}
