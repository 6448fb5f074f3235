//! Fuzzing the loader: no input makes it panic, and every problem it reports
//! has a span inside the file that the renderer can draw. Mutations of real
//! topologies reach deep into the decoders; random text tests the YAML layer.
//! PROPTEST_CASES raises the number of cases (see the CHANGELOG for a long run).

use proptest::prelude::*;

use wway::present::diagnostics::{self, Style};
use wway::topology::{self, Source};

use crate::emulator::project_root;

fn check(text: &str) {
    let source = Source {
        name: "fuzz.yaml".into(),
        text: text.to_string(),
        dir: project_root().join("topologies"),
    };
    if let Err(problems) = topology::load(&source) {
        assert!(!problems.problems.is_empty());
        for problem in &problems.problems {
            let end = problem.span.offset + problem.span.len;
            assert!(end <= text.len(), "span {:?} past the end ({})", problem.span, text.len());
            assert!(text.is_char_boundary(problem.span.offset) && text.is_char_boundary(end));
        }
        diagnostics::render(&problems, &Style { color: false, width: 80 });
    }
}

fn seeds() -> Vec<String> {
    ["topologies/wonderway.yaml", "tests/topologies/good/shop.yaml"]
        .iter()
        .map(|p| std::fs::read_to_string(project_root().join(p)).unwrap())
        .collect()
}

/// Tokens that YAML and the format give meaning to.
const TOKENS: &[&str] = &[
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "'",
    "\"",
    "#",
    "\t",
    "\n",
    "  ",
    "---\n",
    "|\n",
    ">-\n",
    "~",
    "null",
    "1.30",
    "-1",
    "99999999999999999999",
    "0x10",
    "true",
    "é",
    "✓",
    "\u{0}",
    "10.0.0.0/8",
    "us-east-1",
    "default",
    "continent:",
    "policy: failover",
    "<<: *a",
];

#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    Insert(usize, &'static str),
    Replace(usize, usize, &'static str),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let token = proptest::sample::select(TOKENS);
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), token.clone()).prop_map(|(at, t)| Edit::Insert(at, t)),
        (any::<usize>(), 0usize..12, token).prop_map(|(at, len, t)| Edit::Replace(at, len, t)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    match *edit {
        Edit::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i % lines.len());
            lines.concat()
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let line = lines[i % lines.len()];
            lines.insert(i % lines.len(), line);
            lines.concat()
        }
        Edit::Insert(at, token) => {
            let at = floor_boundary(text, at % (text.len() + 1));
            format!("{}{token}{}", &text[..at], &text[at..])
        }
        Edit::Replace(at, len, token) => {
            let start = floor_boundary(text, at % (text.len() + 1));
            let end = floor_boundary(text, start + len);
            format!("{}{token}{}", &text[..start], &text[end..])
        }
        Edit::Truncate(at) => text[..floor_boundary(text, at % (text.len() + 1))].to_string(),
        _ => text.to_string(),
    }
}

proptest! {
    #[test]
    fn mutated_topologies_never_panic(seed in 0usize..2, edits in proptest::collection::vec(edit(), 1..6)) {
        let mut text = seeds()[seed].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        check(&text);
    }

    #[test]
    fn random_yaml_like_text_never_panics(parts in proptest::collection::vec(proptest::sample::select(TOKENS), 0..40)) {
        check(&parts.concat());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check(&text);
    }
}

proptest! {
    // Each case is large: fewer of them (PROPTEST_CASES still raises it).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24)
    ))]

    /// Hostile shapes: aliases of aliases, deep nesting, many keys, long
    /// scalars; each is loaded in bounded time, whatever its size.
    #[test]
    fn hostile_shapes_load_in_bounded_time(shape in hostile()) {
        let started = std::time::Instant::now();
        check(&shape);
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    }
}

/// Texts of the shapes attackers use against YAML loaders.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        // Alias bombs: `levels` anchors, each a list of `fanout` aliases of the one before.
        (1usize..16, 2usize..10).prop_map(|(levels, fanout)| {
            let mut text = String::from("a0: &a0 [x]\n");
            for level in 1..levels {
                let items = vec![format!("*a{}", level - 1); fanout].join(", ");
                text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
            }
            text
        }),
        // Block nesting.
        (1usize..3_000).prop_map(|depth| {
            (0..depth).map(|d| format!("{}k:\n", " ".repeat(d))).collect::<String>() + "x\n"
        }),
        // Flow nesting.
        (1usize..3_000).prop_map(|depth| "[".repeat(depth) + &"]".repeat(depth)),
        // Many keys, every tenth a duplicate.
        (1usize..50_000).prop_map(|keys| {
            (0..keys)
                .map(|k| format!("k{}: {k}\n", k - k % 10 * usize::from(k % 10 == 9)))
                .collect()
        }),
        // A long scalar where a name goes.
        (1usize..2_000_000).prop_map(|len| format!("version: 1\nname: {}\n", "n".repeat(len))),
    ]
}
