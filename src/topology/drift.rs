//! The `drift:` section: what `wway drift` does not report, because a team
//! changes it by hand on purpose. Each rule names resources by an address
//! pattern (`*` within a part, `**` across parts), optionally only some of
//! their fields, and must say why; the reason shows in every report.

use super::decode::Decoder;
use super::model::DriftIgnore;
use super::problem::Problem;
use super::yaml::Node;

pub fn decode(d: &mut Decoder, node: &Node, at: super::problem::Span) -> Option<Vec<DriftIgnore>> {
    let section = d.fields(node, at, "`drift`", &["ignore"])?;
    let Some(list) = section.get("ignore") else { return Some(Vec::new()) };
    let items = d.list(list, "`drift.ignore`")?;
    let rules: Vec<Option<DriftIgnore>> = items.iter().map(|item| rule(d, item)).collect();
    rules.into_iter().collect()
}

fn rule(d: &mut Decoder, item: &Node) -> Option<DriftIgnore> {
    let known = ["address", "fields", "reason"];
    let f = d.fields(item, item.span.start_only(), "an ignore rule", &known)?;
    let address = f.required(d, "address").and_then(|n| d.string(n, "`address`"));
    let fields = match f.get("fields") {
        Some(n) => d.strings(n, "`fields`").map(|v| v.into_iter().map(|s| s.value).collect()),
        None => Some(Vec::new()),
    };
    let reason = f.required(d, "reason").and_then(|n| d.string(n, "`reason`"));
    let address = address?;
    let valid = |c: char| c.is_ascii_alphanumeric() || "-_./*".contains(c);
    if address.is_empty() || !address.chars().all(valid) {
        d.report(
            Problem::new(
                "topology::drift",
                format!("`{}` is not an address pattern", address.value),
                address.span,
                "not a pattern",
            )
            .help("write an address as plans show it, with `*` for any part: `*/node-group/general`, `global/record/**`"),
        );
        return None;
    }
    let reason = reason?;
    if reason.trim().is_empty() {
        d.report(
            Problem::new("topology::drift", "an ignore rule needs a reason", reason.span, "empty")
                .help("say why the team changes this by hand; the reason shows in drift reports"),
        );
        return None;
    }
    Some(DriftIgnore { address: address.value, fields: fields?, reason: reason.value })
}
