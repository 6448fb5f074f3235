//! A failover drill's report: for people (a line per question asked of
//! Route 53: whose answer, the region before and during, how long it took to
//! move against the rto), as JSON (the [`Drilled`] data), and as Prometheus
//! metrics (failover seconds per name and users, the rto, whether it passed).

use std::fmt::Write;

use super::drift::{header, label};
use crate::resilience::drill::{Checked, Drilled, Verdict};

pub fn human(drilled: &Drilled) -> String {
    let mut out = String::new();
    let what = if drilled.dry_run { "Predicted loss" } else { "Drill" };
    let result = match (drilled.dry_run, drilled.passed()) {
        (true, _) => "nothing was changed".to_string(),
        (false, true) => "passed".to_string(),
        (false, false) => "did not pass".to_string(),
    };
    let _ = writeln!(
        out,
        "{what} of {} (rto {} s, TTL {} s): {result}",
        drilled.region, drilled.rto_seconds, drilled.ttl_seconds
    );
    let width = drilled.probes.iter().map(|p| p.probe.name.len()).max().unwrap_or(0);
    let users = drilled.probes.iter().map(|p| p.probe.users.len()).max().unwrap_or(0);
    for checked in &drilled.probes {
        let probe = &checked.probe;
        let _ = writeln!(
            out,
            "  {:width$}  {:users$}  {:32}  {}",
            probe.name,
            probe.users,
            route(checked),
            outcome(checked, &drilled.region, drilled.ttl_seconds),
        );
    }
    for unasked in &drilled.unasked {
        let _ = writeln!(out, "  {}  {}: not asked: {}", unasked.name, unasked.users, unasked.why);
    }
    if let Some(stopped) = &drilled.stopped {
        let _ = writeln!(out, "Stopped: {stopped}");
    }
    if let Some(seconds) = drilled.restored_seconds {
        let _ = writeln!(
            out,
            "Restored: the checks are no longer inverted and every answer is as before ({seconds:.1} s)."
        );
    }
    out
}

/// `us-east-1 -> eu-west-1`, or the one region of a name that stays.
fn route(checked: &Checked) -> String {
    let probe = &checked.probe;
    let before = probe.before.join("|");
    match probe.moves() {
        true => format!("{before} -> {}", probe.during.join("|")),
        false => before,
    }
}

/// What happened to a probe's answer; a name whose users have no healthy
/// region left is `stranded` (Route 53 goes on answering the lost region).
fn outcome(checked: &Checked, lost: &str, ttl: u32) -> String {
    let answered = checked.answered.as_deref().unwrap_or("no answer");
    let seconds = |s: Option<f64>| s.map(|s| format!("{s:.1} s")).unwrap_or_default();
    let stranded = checked.probe.during == [lost];
    match checked.verdict {
        Verdict::Predicted if checked.probe.moves() => "moves".into(),
        Verdict::Predicted | Verdict::Stayed if stranded => {
            "STRANDED: no healthy region left to answer".into()
        }
        Verdict::Predicted => "stays".into(),
        Verdict::Stayed => "stayed".into(),
        Verdict::Moved => format!(
            "moved in {} (+{ttl} s TTL = {})",
            seconds(checked.moved_seconds),
            seconds(checked.failover_seconds)
        ),
        Verdict::Late => match checked.moved_seconds {
            Some(_) => format!("LATE: moved in {} with the TTL", seconds(checked.failover_seconds)),
            None => format!("LATE: still {answered}"),
        },
        Verdict::Wrong => format!("WRONG: answered {answered}"),
    }
}

pub fn json(drilled: &Drilled) -> String {
    let mut value = serde_json::to_value(drilled).unwrap_or_default();
    value["passed"] = serde_json::Value::Bool(drilled.passed());
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

pub fn prometheus(drilled: &Drilled, at: u64) -> String {
    let mut out = String::new();
    let (topology, region) = (label(&drilled.topology), label(&drilled.region));
    header(
        &mut out,
        "wway_drill_failover_seconds",
        "Seconds until Route 53 answered as predicted with the region down, plus the record's TTL.",
    );
    for checked in &drilled.probes {
        if let Some(seconds) = checked.failover_seconds {
            let (name, users) = (label(&checked.probe.name), label(&checked.probe.users));
            let _ = writeln!(
                out,
                "wway_drill_failover_seconds{{topology=\"{topology}\",region=\"{region}\",name=\"{name}\",users=\"{users}\"}} {seconds:.1}"
            );
        }
    }
    header(&mut out, "wway_drill_rto_seconds", "The topology's recovery time objective.");
    let _ =
        writeln!(out, "wway_drill_rto_seconds{{topology=\"{topology}\"}} {}", drilled.rto_seconds);
    header(&mut out, "wway_drill_answers", "Questions asked of Route 53 in the drill, by verdict.");
    for verdict in ["moved", "stayed", "late", "wrong"] {
        let count = drilled.probes.iter().filter(|p| kebab(p.verdict) == verdict).count();
        let _ = writeln!(
            out,
            "wway_drill_answers{{topology=\"{topology}\",region=\"{region}\",verdict=\"{verdict}\"}} {count}"
        );
    }
    header(&mut out, "wway_drill_passed", "1 when every answer moved as predicted within the rto.");
    let passed = u8::from(drilled.passed());
    let _ =
        writeln!(out, "wway_drill_passed{{topology=\"{topology}\",region=\"{region}\"}} {passed}");
    header(&mut out, "wway_drill_timestamp_seconds", "When the drill ended.");
    let _ = writeln!(
        out,
        "wway_drill_timestamp_seconds{{topology=\"{topology}\",region=\"{region}\"}} {at}"
    );
    out
}

fn kebab(verdict: Verdict) -> String {
    serde_json::to_value(verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resilience::drill::Probe;

    fn checked(
        name: &str,
        users: &str,
        during: &str,
        moved: Option<f64>,
        verdict: Verdict,
    ) -> Checked {
        Checked {
            probe: Probe {
                name: name.into(),
                policy: "failover",
                users: users.into(),
                client: None,
                before: vec!["us-east-1".into()],
                during: vec![during.into()],
            },
            answered: Some(during.into()),
            moved_seconds: moved,
            failover_seconds: moved.map(|m| m + 60.0),
            verdict,
        }
    }

    #[test]
    fn metrics_give_each_moved_answers_failover_seconds_the_rto_and_the_verdicts() {
        let drilled = Drilled {
            topology: "wonderway".into(),
            region: "us-east-1".into(),
            rto_seconds: 180,
            ttl_seconds: 60,
            dry_run: false,
            probes: vec![
                checked("api.wonderway.com", "all", "eu-west-1", Some(95.25), Verdict::Moved),
                checked("geo.api.wonderway.com", "US", "us-east-1", None, Verdict::Stayed),
            ],
            unasked: Vec::new(),
            restored_seconds: Some(12.0),
            stopped: None,
        };
        let metrics = prometheus(&drilled, 1_796_263_200);
        for line in [
            "wway_drill_failover_seconds{topology=\"wonderway\",region=\"us-east-1\",name=\"api.wonderway.com\",users=\"all\"} 155.2\n",
            "wway_drill_rto_seconds{topology=\"wonderway\"} 180\n",
            "wway_drill_answers{topology=\"wonderway\",region=\"us-east-1\",verdict=\"moved\"} 1\n",
            "wway_drill_answers{topology=\"wonderway\",region=\"us-east-1\",verdict=\"stayed\"} 1\n",
            "wway_drill_passed{topology=\"wonderway\",region=\"us-east-1\"} 1\n",
            "wway_drill_timestamp_seconds{topology=\"wonderway\",region=\"us-east-1\"} 1796263200\n",
        ] {
            assert!(metrics.contains(line), "{line} in:\n{metrics}");
        }
        assert_eq!(
            metrics.matches("wway_drill_failover_seconds{").count(),
            1,
            "a name that stayed has none"
        );
        let words = human(&drilled);
        assert!(words.starts_with("Drill of us-east-1 (rto 180 s, TTL 60 s): passed\n"), "{words}");
        assert!(words.contains("moved in 95.2 s (+60 s TTL = 155.2 s)"), "{words}");
        assert!(words.contains("STRANDED: no healthy region left to answer"), "{words}");
    }
}
