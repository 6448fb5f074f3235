//! Drift reports: for people (one block per drifted resource with its field
//! differences, then a summary line), as versioned JSON (docs/drift-json.md),
//! and as Prometheus text exposition for node_exporter's textfile collector.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use crate::plan::drift::{Class, Drift, Drifted};
use crate::state::Kind;

/// The version of the JSON report; it changes only when a field's meaning does.
pub const FORMAT_VERSION: u32 = 1;

/// How many resources of each class count, and how many are ignored.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub changed: usize,
    pub missing: usize,
    pub unmanaged: usize,
    pub unhealthy: usize,
    pub unapplied: usize,
    pub ignored: usize,
}

impl Summary {
    pub fn of(drift: &Drift) -> Summary {
        let mut summary = Summary::default();
        for item in &drift.items {
            let slot = match item.class {
                _ if item.class.is_drift() && !item.counts() => &mut summary.ignored,
                Class::Changed => &mut summary.changed,
                Class::Missing => &mut summary.missing,
                Class::Unmanaged => &mut summary.unmanaged,
                Class::Unhealthy => &mut summary.unhealthy,
                Class::Unapplied => &mut summary.unapplied,
            };
            *slot += 1;
        }
        summary
    }
}

fn value(value: &Value) -> String {
    match value {
        Value::Null => "(none)".into(),
        other => other.to_string(),
    }
}

fn describe(item: &Drifted, drift: &Drift) -> (&'static str, String) {
    let topology = &drift.topology;
    match item.class {
        Class::Changed => ("~", "changed".into()),
        Class::Missing if drift.history => ("-", "missing: wway made it, and it is gone".into()),
        Class::Missing => (
            "-",
            "missing: declared, not in the account (no journal here says whether wway made it)"
                .into(),
        ),
        Class::Unmanaged => {
            ("+", format!("unmanaged: owned by topology `{topology}`, no longer in the file"))
        }
        Class::Unhealthy => {
            let said = item.unhealthy.as_ref().map(ToString::to_string).unwrap_or_default();
            ("!", format!("unhealthy: {said}"))
        }
        Class::Unapplied => ("?", "unapplied: declared, never made (`wway apply` makes it)".into()),
    }
}

pub fn human(drift: &Drift) -> String {
    let mut out = String::new();
    for item in &drift.items {
        let (mark, what) = describe(item, drift);
        let _ = writeln!(out, "{mark} {} ({}), {what}", item.address, item.kind.name());
        if let Some(reason) = &item.ignored {
            let _ = writeln!(out, "    ignored: {reason}");
        }
        for field in &item.fields {
            let _ = write!(
                out,
                "    {}: declared {}, live {}",
                field.path,
                value(&field.declared),
                value(&field.live)
            );
            let _ = match &field.ignored {
                Some(reason) => writeln!(out, " (ignored: {reason})"),
                None => writeln!(out),
            };
        }
    }
    let summary = Summary::of(drift);
    let drifted = summary.changed + summary.missing + summary.unmanaged + summary.unhealthy;
    let mut line = if drifted == 0 {
        format!("No drift: the account matches topology `{}`", drift.topology)
    } else {
        format!(
            "Drift in topology `{}`: {drifted} resources ({} changed, {} missing, {} unmanaged, {} unhealthy)",
            drift.topology, summary.changed, summary.missing, summary.unmanaged, summary.unhealthy
        )
    };
    if summary.ignored > 0 {
        let _ = write!(line, "; {} ignored by rules", summary.ignored);
    }
    if summary.unapplied > 0 {
        let _ = write!(line, "; {} not applied yet", summary.unapplied);
    }
    if !drift.items.is_empty() {
        out.push('\n');
    }
    out + &line + ".\n"
}

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    topology: &'a str,
    checked_at: u64,
    drifted: bool,
    history: bool,
    summary: Summary,
    items: &'a [Drifted],
}

pub fn json(drift: &Drift, checked_at: u64) -> String {
    let document = Document {
        format_version: FORMAT_VERSION,
        topology: &drift.topology,
        checked_at,
        drifted: drift.drifted(),
        history: drift.history,
        summary: Summary::of(drift),
        items: &drift.items,
    };
    // Serialising plain data cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// A label value in the exposition format: backslash, quote and newline escaped.
pub(super) fn label(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub(super) fn header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

/// The check's own health: whether it read the file and the account, and when.
fn health(out: &mut String, topology: &str, success: bool, at: u64) {
    let topology = label(topology);
    header(
        out,
        "wway_drift_check_success",
        "Whether the last drift check read the topology and the account (1) or failed (0).",
    );
    let _ =
        writeln!(out, "wway_drift_check_success{{topology=\"{topology}\"}} {}", u8::from(success));
    header(
        out,
        "wway_drift_last_run_timestamp_seconds",
        "When the last drift check ran, in Unix time.",
    );
    let _ = writeln!(out, "wway_drift_last_run_timestamp_seconds{{topology=\"{topology}\"}} {at}");
}

/// Metrics of a check that ran: a series for every kind the topology uses
/// (or drifted) and every class, zeros included, so that alerts and graphs
/// see series that exist.
pub fn prometheus(drift: &Drift, kinds: &BTreeSet<Kind>, at: u64) -> String {
    let mut out = String::new();
    let counts = drift.counts();
    let mut kinds = kinds.clone();
    kinds.extend(drift.items.iter().map(|i| i.kind));
    let topology = label(&drift.topology);
    header(
        &mut out,
        "wway_drift_resources",
        "Resources that differ from the topology, by kind and class (unapplied: declared, not made yet; not drift).",
    );
    for kind in &kinds {
        for class in Class::ALL {
            let n = counts.get(&(*kind, class)).copied().unwrap_or(0);
            let _ = writeln!(
                out,
                "wway_drift_resources{{topology=\"{topology}\",kind=\"{}\",class=\"{}\"}} {n}",
                kind.name(),
                class.name()
            );
        }
    }
    header(&mut out, "wway_drift_ignored_resources", "Drifted resources that ignore rules cover.");
    let ignored = Summary::of(drift).ignored;
    let _ = writeln!(out, "wway_drift_ignored_resources{{topology=\"{topology}\"}} {ignored}");
    health(&mut out, &drift.topology, true, at);
    out
}

/// Metrics of a check that failed (bad file, no credentials, unreachable).
pub fn prometheus_failure(topology: &str, at: u64) -> String {
    let mut out = String::new();
    health(&mut out, topology, false, at);
    out
}
