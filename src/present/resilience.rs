//! The resilience report as people read it (one screen: the failover time
//! of each routed name, then a table per region lost) and as JSON (the
//! report's data, `wway validate --format json`).

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::resilience::Report;
use crate::resilience::findings::duration;
use crate::resilience::routes::Outcome;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let spike = report.spike.map(|s| format!(", spike {s}x")).unwrap_or_default();
    let _ = writeln!(out, "\nresilience (rto {}{spike})", duration(report.rto_seconds));
    let width = report.failover.iter().map(|f| f.name.len()).max().unwrap_or(0);
    for f in &report.failover {
        let time = match f.seconds {
            Some(s) => format!(
                "{s:>4} s  ({} s checks + {} s TTL + {} s propagation)",
                f.detect_seconds, f.ttl_seconds, f.propagation_seconds
            ),
            None => "never   (no health check)".to_string(),
        };
        let verdict = if f.within_rto { "within rto" } else { "OVER rto" };
        let _ = writeln!(out, "  {:width$}  {:<11}  {time}  {verdict}", f.name, f.policy);
    }
    for loss in &report.losses {
        let _ = writeln!(out, "  {} lost", loss.region);
        let width = loss.routes.iter().map(|o| o.name.len()).max().unwrap_or(0);
        for outcome in &loss.routes {
            let _ = writeln!(
                out,
                "    {:width$}  {:<11}  {}",
                outcome.name,
                outcome.policy,
                moves(outcome)
            );
        }
        let _ = writeln!(
            out,
            "    {:<16} {:>8} {:>10} {:>7} {:>5}  holds",
            "region", "baseline", "takes over", "needed", "max"
        );
        for load in &loss.load {
            let _ = writeln!(
                out,
                "    {:<16} {:>8} {:>10} {:>7} {:>5}  {}",
                load.region,
                load.baseline,
                load.absorbed,
                load.needed,
                load.max,
                if load.holds { "yes" } else { "NO" }
            );
        }
    }
    let _ = writeln!(
        out,
        "  ({}: baseline is the groups' desired sizes; needed is spike x (baseline + what it takes over))",
        report.unit
    );
    out
}

/// `all -> eu-west-1`, `GB, DE -> eu-west-1; US -> no answer`,
/// `weight 60 -> eu-west-1 75%, ap-northeast-1 25%`.
fn moves(outcome: &Outcome) -> String {
    if outcome.policy == "weighted" && outcome.moves.iter().all(|m| m.to.is_some()) {
        let users = outcome.moves.first().map_or("", |m| m.users.as_str());
        let shares = outcome
            .moves
            .iter()
            .map(|m| format!("{} {:.0}%", m.to.as_deref().unwrap_or_default(), m.share * 100.0));
        return format!("{users} -> {}", shares.collect::<Vec<_>>().join(", "));
    }
    let mut by_target: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
    for m in &outcome.moves {
        by_target.entry(m.to.as_deref()).or_default().push(m.users.as_str());
    }
    let part = |(to, users): (Option<&str>, Vec<&str>)| {
        format!("{} -> {}", users.join(", "), to.unwrap_or("no answer"))
    };
    by_target.into_iter().map(part).collect::<Vec<_>>().join("; ")
}

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    topology: &'a str,
    valid: bool,
    resilience: Option<&'a Report>,
}

pub fn json(topology: &str, report: Option<&Report>) -> String {
    let document = Document { format_version: 1, topology, valid: true, resilience: report };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
