//! The YAML layer: turns the text of a topology file into a tree of [`Node`]s in
//! which every value, key, sequence and mapping carries its byte span in the file.
//!
//! It owns everything that is about YAML rather than about wway: syntax errors,
//! tabs in indentation, duplicate keys, aliases, multiple documents, and whether a
//! scalar was quoted (so that `1.30` and `"1.30"` can be told apart later).
//!
//! A hostile file costs bounded time and memory: the values a document makes,
//! aliases expanded included, are counted and stopped at [`MAX_NODES`] (an
//! "alias bomb" of a few kilobytes would otherwise make billions), nesting
//! stops at [`MAX_DEPTH`] (the tree is built by recursion), and duplicate keys
//! are found through an index, in linear time.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use super::problem::{Problem, Span};

/// One value of the document with its place in the source.
#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone)]
pub enum Value {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar as written: its text and whether it was quoted (quoted scalars are
/// always strings; plain ones may be numbers, booleans or null).
#[derive(Debug, Clone)]
pub struct Scalar {
    pub text: String,
    pub plain: bool,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The key's text when this node is a scalar key.
    pub fn as_key(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// What the node is, in the words a diagnostic uses ("a list", "the number 1.3").
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Seq(_) => "a list".into(),
            Value::Map(_) => "a mapping".into(),
            Value::Scalar(_) if self.is_null() => "nothing (null)".into(),
            Value::Scalar(s) if !s.plain => format!("the string \"{}\"", s.text),
            Value::Scalar(s) if s.text.parse::<f64>().is_ok() => format!("the number {}", s.text),
            Value::Scalar(s) if matches!(s.text.as_str(), "true" | "false") => {
                format!("the boolean {}", s.text)
            }
            Value::Scalar(s) => format!("the string \"{}\"", s.text),
        }
    }
}

/// The most values a document may make, aliases expanded: a topology of a
/// thousand records makes some tens of thousands.
pub const MAX_NODES: usize = 1_000_000;
/// The deepest nesting of lists and mappings: a topology needs under ten.
pub const MAX_DEPTH: usize = 64;

/// Parses one YAML document. Problems that stop the parse (syntax, tabs, the
/// bounds) are reported and give `None`; duplicate keys are reported and the
/// first occurrence is kept.
pub fn parse(text: &str, problems: &mut Vec<Problem>) -> Option<Node> {
    let tabs = tab_indentation(text);
    if !tabs.is_empty() {
        problems.extend(tabs);
        return None;
    }
    let offsets = ByteOffsets::new(text);
    let mut builder =
        Builder { offsets: &offsets, anchors: HashMap::new(), problems, made: 0, depth: 0 };
    match builder.document(Parser::new_from_str(text)) {
        Ok(node) => node,
        Err(Halt::Scan(error)) => {
            builder.problems.push(syntax_problem(text, &offsets, &error));
            None
        }
        Err(Halt::Reported) => None,
    }
}

/// Why building the tree stopped.
enum Halt {
    Scan(ScanError),
    /// A problem that stops the parse was reported.
    Reported,
}

impl From<ScanError> for Halt {
    fn from(error: ScanError) -> Self {
        Halt::Scan(error)
    }
}

/// How many values `node` is, itself included.
fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar(_) => 0,
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|e| size(&e.key) + size(&e.value)).sum(),
    }
}

/// Tabs may not indent YAML; saphyr's own message for it is cryptic, so every
/// offending line is reported here first.
fn tab_indentation(text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(tab) = line[..indent].find('\t') {
            problems.push(
                Problem::new(
                    "yaml::tab",
                    "a tab is used for indentation",
                    Span::new(offset + tab, 1),
                    "tab here",
                )
                .help("YAML indents with spaces only: replace the tab with spaces"),
            );
        }
        offset += line.len();
    }
    problems
}

fn syntax_problem(text: &str, offsets: &ByteOffsets, error: &ScanError) -> Problem {
    let at = offsets.byte(error.marker().index());
    let before_error = |open: &&usize| **open < at && text[**open..at].contains('\n');
    if let Some(&open) = unclosed_brackets(text).iter().rfind(before_error) {
        let bracket = &text[open..=open];
        let closing = if bracket == "[" { "]" } else { "}" };
        return Problem::new(
            "yaml::unclosed",
            format!("the `{bracket}` opened here is never closed"),
            Span::new(open, 1),
            format!("`{bracket}` without its `{closing}`"),
        )
        .also(Span::new(at, 0), format!("the YAML reader gave up here ({})", error.info()))
        .help(format!("close the list or map with `{closing}` on the line where it starts"));
    }
    // saphyr points at the opening quote of a string it could not end.
    if error.info().contains("quoted scalar") {
        return Problem::new(
            "yaml::unclosed",
            "the quoted string that starts here is not closed on its line",
            Span::new(at, text[at.min(text.len())..].chars().next().map_or(0, char::len_utf8)),
            "this quote is not closed",
        )
        .help(
            "end the string with the same quote on this line; a string written over several \
             lines indents each following line further than its key",
        );
    }
    Problem::new(
        "yaml::syntax",
        format!("the file is not valid YAML: {}", error.info()),
        Span::new(at, 0),
        "here",
    )
    .help("check the indentation and the quoting on this line and the one above it")
}

/// The byte offsets of the flow `[` and `{` that the file never closes. A
/// bracket left open makes the YAML reader fail on some later line, far from
/// the mistake; one that a later line closes (a list written over several
/// lines) is not to blame. Quoted strings and comments are skipped.
fn unclosed_brackets(text: &str) -> Vec<usize> {
    let mut open: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (_, '\n') => comment = false,
            _ if comment => {}
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '#') if previous.is_whitespace() => comment = true,
            (None, '"' | '\'') if !open.is_empty() || "[{,: \t".contains(previous) => {
                quote = Some(c);
            }
            (None, '[' | '{') => open.push(i),
            (None, ']' | '}') => {
                open.pop();
            }
            _ => {}
        }
        previous = c;
    }
    open
}
/// saphyr counts positions in characters; miette wants bytes.
struct ByteOffsets {
    by_char: Vec<usize>,
}

impl ByteOffsets {
    fn new(text: &str) -> Self {
        let mut by_char: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        by_char.push(text.len());
        ByteOffsets { by_char }
    }

    fn byte(&self, char_index: usize) -> usize {
        self.by_char.get(char_index).copied().unwrap_or(*self.by_char.last().unwrap_or(&0))
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        Span::new(start, end - start)
    }
}

struct Builder<'a> {
    offsets: &'a ByteOffsets,
    /// Anchored nodes and how many values each is.
    anchors: HashMap<usize, (Node, usize)>,
    problems: &'a mut Vec<Problem>,
    /// Values made so far, aliases expanded.
    made: usize,
    /// Lists and mappings open around the current event.
    depth: usize,
}

type Events<'t> = Parser<'t, saphyr_parser::StrInput<'t>>;

impl Builder<'_> {
    fn document(&mut self, mut events: Events<'_>) -> Result<Option<Node>, Halt> {
        let mut root = None;
        while let Some(event) = events.next() {
            let (event, span) = event?;
            match event {
                Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                event if root.is_none() => root = Some(self.node(event, span, &mut events)?),
                event => {
                    let extra = self.node(event, span, &mut events)?;
                    self.problems.push(
                        Problem::new(
                            "yaml::documents",
                            "the file holds more than one YAML document",
                            extra.span.start_only(),
                            "a second document starts here",
                        )
                        .help("a topology is one document: remove the `---` and what follows, or put it in its own file"),
                    );
                }
            }
        }
        Ok(root)
    }

    /// Counts `values` more made at `span`; past [`MAX_NODES`], says so.
    fn count(&mut self, values: usize, span: Span, what: &str) -> Result<(), Halt> {
        self.made = self.made.saturating_add(values);
        if self.made <= MAX_NODES {
            return Ok(());
        }
        self.halt(
            Problem::new(
                "yaml::too-large",
                format!("the document makes more than {MAX_NODES} values{what}"),
                span,
                "the limit is passed here",
            )
            .help("a topology is far smaller: look for aliases (`*name`) of aliases that multiply"),
        )
    }

    /// Reports a problem that stops the parse.
    fn halt(&mut self, problem: Problem) -> Result<(), Halt> {
        self.problems.push(problem);
        Err(Halt::Reported)
    }

    /// Enters a list or mapping at `span`; past [`MAX_DEPTH`], says so.
    fn enter(&mut self, span: Span) -> Result<(), Halt> {
        self.depth += 1;
        if self.depth <= MAX_DEPTH {
            return Ok(());
        }
        self.halt(
            Problem::new(
                "yaml::too-deep",
                format!("lists and mappings are nested more than {MAX_DEPTH} levels deep"),
                span.start_only(),
                "too deep",
            )
            .help("a topology needs only a few levels: look for a runaway indentation or brackets"),
        )
    }

    fn node(
        &mut self,
        event: Event<'_>,
        span: saphyr_parser::Span,
        events: &mut Events<'_>,
    ) -> Result<Node, Halt> {
        let start = self.offsets.span(span);
        if !matches!(event, Event::Alias(_)) {
            self.count(1, start, "")?;
        }
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, _) => {
                let node = Node {
                    span: start,
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    }),
                };
                (node, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                self.enter(start)?;
                let mut items = Vec::new();
                let end = loop {
                    let (event, span) = next(events)?;
                    if let Event::SequenceEnd = event {
                        break self.offsets.span(span);
                    }
                    items.push(self.node(event, span, events)?);
                };
                self.depth -= 1;
                let span = start.to(end, items.last().map(|n| n.span));
                (Node { span, value: Value::Seq(items) }, anchor)
            }
            Event::MappingStart(anchor, _) => {
                self.enter(start)?;
                let mut entries: Vec<Entry> = Vec::new();
                let mut keys: HashMap<String, usize> = HashMap::new();
                let mut merges: Vec<Node> = Vec::new();
                let end = loop {
                    let (event, span) = next(events)?;
                    if let Event::MappingEnd = event {
                        break self.offsets.span(span);
                    }
                    let key = self.node(event, span, events)?;
                    let (event, span) = next(events)?;
                    let value = self.node(event, span, events)?;
                    if matches!(&key.value, Value::Scalar(s) if s.plain && s.text == "<<") {
                        merges.push(value);
                    } else {
                        self.push_entry(&mut entries, &mut keys, Entry { key, value });
                    }
                };
                self.depth -= 1;
                let span = start.to(end, entries.last().map(|e| e.value.span));
                for merge in merges {
                    self.merge(&mut entries, &mut keys, merge);
                }
                (Node { span, value: Value::Map(entries) }, anchor)
            }
            Event::Alias(id) => {
                let values = self.anchors.get(&id).map_or(1, |(_, size)| *size);
                self.count(values, start, " once its aliases are expanded")?;
                let mut node =
                    self.anchors.get(&id).map(|(node, _)| node.clone()).unwrap_or(Node {
                        span: start,
                        value: Value::Scalar(Scalar { text: String::new(), plain: true }),
                    });
                node.span = start;
                return Ok(node);
            }
            _ => {
                return Err(Halt::Scan(ScanError::new_str(span.start, "unexpected YAML event")));
            }
        };
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), size(&node)));
        }
        Ok(node)
    }

    /// A YAML merge key (`<<: *anchor` or `<<: [*a, *b]`): the merged mappings'
    /// entries are added where the mapping does not set the key itself; of
    /// several merged mappings, the first that sets a key wins.
    fn merge(&mut self, entries: &mut Vec<Entry>, keys: &mut HashMap<String, usize>, merge: Node) {
        let sources = match merge.value {
            Value::Map(_) => vec![merge],
            Value::Seq(items) => items,
            Value::Scalar(_) => vec![merge],
        };
        for source in sources {
            let Value::Map(merged) = source.value else {
                self.problems.push(
                    Problem::new(
                        "yaml::merge",
                        "a merge key `<<` takes a mapping or a list of mappings",
                        source.span,
                        "not a mapping",
                    )
                    .help("merge an anchored mapping: `<<: *name`"),
                );
                continue;
            };
            for entry in merged {
                let Some(key) = entry.key.as_key() else { continue };
                if !keys.contains_key(key) {
                    keys.insert(key.to_string(), entries.len());
                    entries.push(entry);
                }
            }
        }
    }

    fn push_entry(
        &mut self,
        entries: &mut Vec<Entry>,
        keys: &mut HashMap<String, usize>,
        entry: Entry,
    ) {
        let Some(key) = entry.key.as_key() else {
            self.problems.push(
                Problem::new(
                    "yaml::complex-key",
                    "a mapping key must be a plain string",
                    entry.key.span.start_only(),
                    "this key is a list or a mapping",
                )
                .help("write the key as a single word or quoted string"),
            );
            return;
        };
        if let Some(first) = keys.get(key).map(|at| &entries[*at]) {
            self.problems.push(
                Problem::new(
                    "yaml::duplicate-key",
                    format!("the key `{key}` appears twice in the same mapping"),
                    entry.key.span,
                    "duplicate key",
                )
                .also(first.key.span, "first defined here")
                .help("YAML keeps only one of them: remove or rename one"),
            );
            return;
        }
        keys.insert(key.to_string(), entries.len());
        entries.push(entry);
    }
}

fn next<'t>(events: &mut Events<'t>) -> Result<(Event<'t>, saphyr_parser::Span), Halt> {
    let next = events
        .next()
        .unwrap_or_else(|| Err(ScanError::new_str(Default::default(), "unexpected end of file")));
    Ok(next?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        let mut problems = Vec::new();
        let node = parse(text, &mut problems).expect("parses");
        assert!(problems.is_empty(), "{problems:?}");
        node
    }

    fn entries(node: &Node) -> &[Entry] {
        match &node.value {
            Value::Map(entries) => entries,
            other => panic!("not a map: {other:?}"),
        }
    }

    #[test]
    fn every_value_carries_its_byte_span() {
        let text = "name: wonderway\nregions:\n  us-east-1: {cidr: \"10.0.0.0/16\"}\n";
        let root = parse_ok(text);
        let name = &entries(&root)[0];
        assert_eq!(&text[name.key.span.offset..][..name.key.span.len], "name");
        assert_eq!(&text[name.value.span.offset..][..name.value.span.len], "wonderway");
        let region = &entries(&entries(&root)[1].value)[0];
        let cidr = &entries(&region.value)[0].value;
        assert_eq!(&text[cidr.span.offset..][..cidr.span.len], "\"10.0.0.0/16\"");
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let text = "comment: \"Größe ✓\"\nname: x\n";
        let root = parse_ok(text);
        let name = &entries(&root)[1].value;
        assert_eq!(&text[name.span.offset..][..name.span.len], "x");
    }

    #[test]
    fn quoting_is_kept_so_numbers_and_strings_differ() {
        let root = parse_ok("a: 1.30\nb: \"1.30\"\n");
        let [a, b] = [&entries(&root)[0].value, &entries(&root)[1].value];
        assert!(matches!(&a.value, Value::Scalar(s) if s.plain && s.text == "1.30"));
        assert!(matches!(&b.value, Value::Scalar(s) if !s.plain));
        assert_eq!(a.describe(), "the number 1.30");
    }

    #[test]
    fn aliases_resolve_to_their_anchor() {
        let root = parse_ok("base: &b {min: 1}\ncopy: *b\n");
        let copy = &entries(&root)[1].value;
        assert_eq!(entries(copy)[0].key.as_key(), Some("min"));
    }

    #[test]
    fn merge_keys_fill_in_what_the_mapping_does_not_set() {
        let root = parse_ok("a: &a {x: 1, y: 2}\nb: &b {z: 3}\nc:\n  <<: [*a, *b]\n  y: 9\n");
        let c = &entries(&root)[2].value;
        let pairs: Vec<(&str, &str)> = entries(c)
            .iter()
            .map(|e| match &e.value.value {
                Value::Scalar(s) => (e.key.as_key().unwrap(), s.text.as_str()),
                _ => panic!(),
            })
            .collect();
        assert_eq!(pairs, [("y", "9"), ("x", "1"), ("z", "3")]);
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_first_is_kept() {
        let mut problems = Vec::new();
        let root = parse("a: 1\nb: 2\na: 3\n", &mut problems).unwrap();
        assert_eq!(entries(&root).len(), 2);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "yaml::duplicate-key");
        assert_eq!(problems[0].span, Span::new(10, 1));
        assert_eq!(problems[0].others[0].0, Span::new(0, 1));
    }

    #[test]
    fn tabs_in_indentation_are_reported_per_line() {
        let mut problems = Vec::new();
        assert!(parse("a:\n\tb: 1\nc:\n  \td: 2\ne: \"\tok\"\n", &mut problems).is_none());
        let offsets: Vec<usize> = problems.iter().map(|p| p.span.offset).collect();
        assert_eq!(offsets, [3, 14]);
    }

    #[test]
    fn syntax_errors_and_extra_documents_are_problems() {
        let mut problems = Vec::new();
        assert!(parse("a: b: c\n", &mut problems).is_none());
        assert_eq!(problems[0].code, "yaml::syntax");

        let mut problems = Vec::new();
        assert!(parse("a: [1, 2\nb: 3\n", &mut problems).is_none());
        assert_eq!((problems[0].code, problems[0].span.offset), ("yaml::unclosed", 3));

        let mut problems = Vec::new();
        assert!(parse("a: [1,\n  2]\nb: c: d\n", &mut problems).is_none());
        assert_eq!(problems[0].code, "yaml::syntax", "a list closed on a later line is not blamed");

        let mut problems = Vec::new();
        assert!(parse("a: 1\n---\nb: 2\n", &mut problems).is_some());
        assert_eq!(problems[0].code, "yaml::documents");
    }

    /// Regression: a few kilobytes of nested aliases took 8 GB and aborted.
    #[test]
    fn an_alias_bomb_stops_at_the_alias_that_passes_the_limit() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..12 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let started = std::time::Instant::now();
        let mut problems = Vec::new();
        assert!(parse(&text, &mut problems).is_none());
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].code, "yaml::too-large");
        let at = problems[0].span.offset;
        assert!(text[at..].starts_with("*a"), "points at an alias: {}", &text[at..at + 10]);
    }

    /// Regression: 2,000 levels of nesting overflowed the stack and aborted.
    #[test]
    fn nesting_is_bounded_in_block_and_flow_style() {
        let block: String =
            (0..2_000).map(|depth| format!("{}k:\n", " ".repeat(depth))).collect::<String>() + "x";
        let flow = "[".repeat(100) + &"]".repeat(100);
        for text in [block, flow] {
            let mut problems = Vec::new();
            assert!(parse(&text, &mut problems).is_none());
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].code, "yaml::too-deep");
        }
        // Deeper flow nesting stops in the scanner itself, as a syntax error.
        let mut problems = Vec::new();
        assert!(parse(&("[".repeat(2_000) + &"]".repeat(2_000)), &mut problems).is_none());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("recursion limit"), "{problems:?}");
    }

    /// Regression: the duplicate-key check compared every key with every
    /// other one: 100,000 keys took over two minutes.
    #[test]
    fn duplicate_keys_are_found_in_linear_time() {
        let mut text: String = (0..100_000).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k7: again\n");
        let started = std::time::Instant::now();
        let mut problems = Vec::new();
        let root = parse(&text, &mut problems).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
        assert_eq!(entries(&root).len(), 100_000);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "yaml::duplicate-key");
    }
}
