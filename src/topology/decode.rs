//! The decoding toolkit: typed reads of YAML [`Node`]s that record a [`Problem`]
//! and carry on instead of stopping, so that one run reports every problem in a
//! file. Sections of the format (regions, dns, cdn, edge functions) are decoded
//! with these helpers; the helpers know nothing of the sections.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use super::model::Spanned;
use super::problem::{Problem, Span};
use super::yaml::{Entry, Node, Value};

/// The names met so far in a list whose names must be unique, with where each
/// was first met: one lookup per name, however long the list.
#[derive(Default)]
pub struct Seen(HashMap<String, Span>);

/// In a list of known fields: keys starting with `x-` are allowed and ignored
/// (a place for YAML anchors, as docker-compose has it).
pub const EXTENSIONS: &str = "x-*";

/// How many problems a file may have before unknown fields stop getting a
/// "did you mean" (the renderer shows the first fifty anyway).
const SUGGESTIONS_UP_TO: usize = 1000;

/// Collects problems while sections are decoded.
#[derive(Default)]
pub struct Decoder {
    pub problems: Vec<Problem>,
}

/// The fields of one mapping whose keys were checked against the known ones.
pub struct Fields<'n> {
    entries: &'n [Entry],
    /// The known fields that unknown ones were reported as misspellings of.
    suggested: std::collections::BTreeSet<String>,
    /// Where a missing field is reported: the mapping's own key in its parent.
    at: Span,
    what: String,
}

impl Decoder {
    pub fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.report(
            Problem::new(
                "topology::type",
                format!("{what} must be {expected}, found {}", node.describe()),
                label_span(node),
                format!("expected {expected}"),
            )
            .help(type_help(node, expected)),
        );
    }

    /// A mapping with a fixed set of fields: every other key is reported as
    /// unknown, with the closest known field as a suggestion.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        at: Span,
        what: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let entries = self.entries(node, what)?;
        let mut suggested = std::collections::BTreeSet::new();
        for entry in entries {
            let key = entry.key.as_key().unwrap_or_default();
            let extension = key.starts_with("x-") && known.contains(&EXTENSIONS);
            if !known.contains(&key) && !extension {
                let mut problem = Problem::new(
                    "topology::unknown-field",
                    format!("unknown field `{key}` in {what}"),
                    entry.key.span,
                    "not a field here",
                );
                // Suggestions cost an edit distance per known field: past a
                // thousand problems (a hostile file) they are left out.
                let suggest = self.problems.len() < SUGGESTIONS_UP_TO;
                let close = if suggest { did_you_mean(key, known.iter().copied()) } else { None };
                problem = match close {
                    Some(close) => {
                        suggested.insert(close.to_string());
                        problem.help(format!("did you mean `{close}`?"))
                    }
                    None => problem.help(format!("the fields of {what} are: {}", known.join(", "))),
                };
                self.report(problem);
            }
        }
        Some(Fields { entries, suggested, at, what: what.to_string() })
    }

    /// A mapping with free keys (tags, regions, node groups).
    pub fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Entry]> {
        match &node.value {
            Value::Map(entries) => Some(entries),
            _ => {
                self.wrong_type(node, what, "a mapping");
                None
            }
        }
    }

    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            _ => {
                self.wrong_type(node, what, "a list");
                None
            }
        }
    }

    /// Any non-null scalar, as the text the user wrote.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        match &node.value {
            Value::Scalar(s) if !node.is_null() => {
                Some(Spanned { value: s.text.clone(), span: node.span })
            }
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    /// A list of strings, each checked; duplicates are reported.
    pub fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<Spanned<String>>> {
        let items = self.list(node, what)?;
        let mut out: Vec<Spanned<String>> = Vec::new();
        let mut seen = Seen::default();
        for item in items {
            let Some(value) = self.string(item, &format!("an entry of {what}")) else {
                continue;
            };
            let problem = Problem::new(
                "topology::duplicate",
                format!("`{}` is listed twice in {what}", value.value),
                value.span,
                "listed again here",
            )
            .help("remove one of them");
            if self.unique(&mut seen, &value, problem, "first listed here") {
                out.push(value);
            }
        }
        Some(out)
    }

    /// Whether `value` is new among `seen`, which then remembers it. A repeat
    /// is reported as `problem`, with a second label at the first occurrence.
    pub fn unique(
        &mut self,
        seen: &mut Seen,
        value: &Spanned<String>,
        problem: Problem,
        first: &str,
    ) -> bool {
        if let Some(earlier) = seen.0.get(&value.value) {
            self.report(problem.also(*earlier, first));
            return false;
        }
        seen.0.insert(value.value.clone(), value.span);
        true
    }

    /// A plain (unquoted) whole number inside `range`.
    pub fn integer(&mut self, node: &Node, what: &str, range: RangeInclusive<i64>) -> Option<i64> {
        let number = match &node.value {
            Value::Scalar(s) if s.plain => s.text.parse::<i64>().ok(),
            _ => None,
        };
        let Some(number) = number else {
            self.wrong_type(node, what, "a whole number");
            return None;
        };
        if !range.contains(&number) {
            self.report(
                Problem::new(
                    "topology::range",
                    format!("{what} is {number}, outside {}..={}", range.start(), range.end()),
                    node.span,
                    "out of range",
                )
                .help(format!(
                    "use a value from {} to {}",
                    range.start(),
                    range.end()
                )),
            );
            return None;
        }
        Some(number)
    }

    pub fn boolean(&mut self, node: &Node, what: &str) -> Option<bool> {
        match &node.value {
            Value::Scalar(s) if s.plain && s.text == "true" => Some(true),
            Value::Scalar(s) if s.plain && s.text == "false" => Some(false),
            _ => {
                self.wrong_type(node, what, "true or false");
                None
            }
        }
    }

    /// One of a fixed set of words, mapped to its value.
    pub fn choice<T: Copy>(&mut self, node: &Node, what: &str, choices: &[(&str, T)]) -> Option<T> {
        let word = self.string(node, what)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == word.value) {
            return Some(*value);
        }
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        self.unknown_name(&word, what, &names);
        None
    }

    /// `word` is none of `names`: say so, with the closest one or the whole list.
    pub fn unknown_name(&mut self, word: &Spanned<String>, what: &str, names: &[&str]) {
        let problem = Problem::new(
            "topology::unknown-value",
            format!("`{}` is not a valid {what}", word.value),
            word.span,
            "unknown",
        );
        let help = match did_you_mean(&word.value, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if names.len() <= 12 => format!("use one of: {}", names.join(", ")),
            None => format!("{} values are known; see the topology reference", names.len()),
        };
        self.report(problem.help(help));
    }
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present (a null value counts as absent).
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entry(key).map(|e| &e.value).filter(|v| !v.is_null())
    }

    pub fn entry(&self, key: &str) -> Option<&'n Entry> {
        self.entries.iter().find(|e| e.key.as_key() == Some(key))
    }

    /// The value of a required `key`; reports it missing (at the mapping's key),
    /// unless an unknown key of the mapping is its likely misspelling, which was
    /// already reported with this key as the suggestion.
    pub fn required(&self, decoder: &mut Decoder, key: &str) -> Option<&'n Node> {
        let value = self.get(key);
        if value.is_none() && !self.misspelled(key) {
            let problem = match self.entry(key) {
                Some(entry) => Problem::new(
                    "topology::missing-value",
                    format!("`{key}` of {} has no value", self.what),
                    entry.key.span,
                    "empty",
                ),
                None => Problem::new(
                    "topology::missing-field",
                    format!("{} has no `{key}`", self.what),
                    self.at,
                    format!("`{key}` missing here"),
                ),
            };
            decoder.report(problem.help(format!("add `{key}:` with a value")));
        }
        value
    }

    fn misspelled(&self, key: &str) -> bool {
        self.suggested.contains(key)
    }

    /// Where the mapping itself is labelled: its key in the parent.
    pub fn at(&self) -> Span {
        self.at
    }

    /// The span of `key` as written, else of the mapping: where a problem with
    /// the value's own mapping (a missing field inside it) is labelled.
    pub fn key_span(&self, key: &str) -> Span {
        self.entry(key).map_or(self.at, |e| e.key.span)
    }
}

/// Where a value's problem is labelled: a scalar whole, a collection at its first line.
fn label_span(node: &Node) -> Span {
    match node.value {
        Value::Scalar(_) => node.span,
        _ => node.span.start_only(),
    }
}

fn type_help(node: &Node, expected: &str) -> String {
    match (&node.value, expected) {
        (Value::Scalar(s), "a whole number") if !s.plain && s.text.parse::<i64>().is_ok() => {
            format!("remove the quotes: {}", s.text)
        }
        (Value::Scalar(s), "true or false") if !s.plain => "remove the quotes".into(),
        (Value::Scalar(_), "a list") => {
            "write a list, e.g. `[a, b]` or one `- item` per line".into()
        }
        (_, "a mapping") => "write `key: value` pairs, indented under this key".into(),
        _ => format!("write {expected} here"),
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be
/// a likely slip (at most one edit in three letters, or a case difference).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["instance_types", "min", "desired", "max", "capacity_type", "labels"];
        assert_eq!(did_you_mean("instance_type", fields), Some("instance_types"));
        assert_eq!(did_you_mean("desird", fields), Some("desired"));
        assert_eq!(did_you_mean("Labels", fields), Some("labels"));
        assert_eq!(did_you_mean("zone", fields), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
