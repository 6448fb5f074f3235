//! Every bad topology in tests/topologies/bad/ gets diagnostics at exactly the
//! lines its author marked `# <- defect`, rendered as a reviewer sees them
//! (unicode, no colour, 80 columns) and pinned as insta snapshots.

use std::path::Path;

use wway::present::diagnostics::{self, Style};
use wway::topology::{self, Source};

/// 1-based lines of the file that carry the defect marker.
fn marked_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains("# <- defect"))
        .map(|(i, _)| i + 1)
        .collect()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[test]
fn bad_topologies_get_diagnostics_at_their_defects() {
    // The walk starts in the folder of bad topologies, not the project root:
    // there it would meet target/ and the export tests' temporary folders,
    // which vanish under it.
    insta::glob!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/topologies/bad"), "*.yaml", |path| {
        let relative = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path);
        let source = Source::read(Path::new(relative)).expect("read bad topology");
        let problems = topology::load(&source).expect_err("a bad topology must not load");

        let mut lines: Vec<usize> =
            problems.problems.iter().map(|p| line_of(&source.text, p.span.offset)).collect();
        lines.sort();
        lines.dedup();
        assert_eq!(
            lines,
            marked_lines(&source.text),
            "{}: problems not at the marked lines",
            relative.display()
        );
        for problem in &problems.problems {
            assert!(
                problem.help.is_some(),
                "{}: `{}` has no help",
                relative.display(),
                problem.message
            );
        }

        let rendered = diagnostics::render(&problems, &Style { color: false, width: 80 });
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn several_defects_are_all_reported_in_one_run_in_file_order() {
    let source = Source::read(Path::new("tests/topologies/bad/several-defects.yaml")).unwrap();
    let problems = topology::load(&source).unwrap_err();
    let offsets: Vec<usize> = problems.problems.iter().map(|p| p.span.offset).collect();
    assert!(offsets.windows(2).all(|w| w[0] <= w[1]), "not in file order: {offsets:?}");
    assert_eq!(marked_lines(&source.text).len(), 6);
    assert!(problems.problems.len() >= 6);
}
