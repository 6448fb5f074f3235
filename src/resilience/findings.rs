//! What of the report falls short, as warnings at the lines to change: a
//! failover over the budget (at the TTL, with the check's interval and
//! threshold), a name routed by health with no check to see the failure,
//! users left with no healthy answer when a region fails, and a node group
//! whose max cannot hold the spike with what its region takes over.

use super::{PROPAGATION_SECONDS, Report, fqdn};
use crate::topology::model::{Dns, Routing, Topology};
use crate::topology::problem::Problem;

/// `3m`, `2m30s`, `45s`.
pub fn duration(seconds: u32) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

pub fn findings(topology: &Topology, report: &Report) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(dns) = &topology.dns {
        problems.extend(budget(dns, report));
        problems.extend(unwatched(dns));
        problems.extend(unserved(dns, report));
    }
    problems.extend(short(topology, report));
    problems.into_iter().map(Problem::warning).collect()
}

/// The failover time over the budget, at the TTL, with what would fit.
fn budget(dns: &Dns, report: &Report) -> Option<Problem> {
    let check = dns.health_check.as_ref()?;
    let worst = report.failover.iter().filter_map(|f| f.seconds).max()?;
    let rto = report.rto_seconds;
    if worst <= rto {
        return None;
    }
    let detect = check.interval * check.failure_threshold;
    let message = format!(
        "traffic takes up to {worst} s to leave a failed region ({} s x {} checks + {} s TTL + {PROPAGATION_SECONDS} s propagation): {} s over the rto of {}",
        check.interval,
        check.failure_threshold,
        dns.ttl,
        worst - rto,
        duration(rto)
    );
    let room = rto.saturating_sub(PROPAGATION_SECONDS);
    let help = if detect < room {
        format!(
            "set `ttl` to {} or less (the check and propagation take {} s)",
            room - detect,
            detect + PROPAGATION_SECONDS
        )
    } else if dns.ttl + 10 <= room {
        let threshold = ((room - dns.ttl) / 10).clamp(1, 10);
        format!(
            "check faster: `interval: 10` with `failure_threshold: {threshold}` fits with the TTL of {} s",
            dns.ttl
        )
    } else {
        format!(
            "an rto under {} s does not fit Route 53 (a 10 s check failing once, a TTL of 0, {PROPAGATION_SECONDS} s propagation); raise `rto`",
            10 + PROPAGATION_SECONDS
        )
    };
    Some(
        Problem::new("resilience::rto", message, dns.ttl_at, format!("TTL {} s", dns.ttl))
            .also(check.interval_at, format!("every {} s", check.interval))
            .also(check.threshold_at, format!("{} failures", check.failure_threshold))
            .help(help),
    )
}

/// Names routed by health with no health check to see a region fail.
fn unwatched(dns: &Dns) -> Vec<Problem> {
    if dns.health_check.is_some() {
        return Vec::new();
    }
    let routed = dns.records.iter().filter(|r| !matches!(r.routing, Routing::Simple(_)));
    routed
        .map(|record| {
            Problem::new(
                "resilience::no-health-check",
                format!(
                    "`{}` routes between regions but no health check watches them: Route 53 keeps answering with a failed region",
                    fqdn(dns, &record.name)
                ),
                record.at,
                "not watched",
            )
            .help("add `dns.health_check`: each region's record then answers only while its check passes")
        })
        .collect()
}

/// Users a region's loss leaves with no healthy answer, per name and loss.
fn unserved(dns: &Dns, report: &Report) -> Vec<Problem> {
    let mut problems = Vec::new();
    for loss in &report.losses {
        for outcome in &loss.routes {
            let stranded: Vec<&str> =
                outcome.moves.iter().filter(|m| m.to.is_none()).map(|m| m.users.as_str()).collect();
            let record = dns.records.iter().find(|r| fqdn(dns, &r.name) == outcome.name);
            let (Some(record), false) = (record, stranded.is_empty()) else { continue };
            let (message, help) = match record.routing {
                Routing::Geolocation(_) => (
                    format!(
                        "with {} lost, `{}` has no healthy answer for {}: the next wider location is {} too",
                        loss.region,
                        outcome.name,
                        stranded.join(", "),
                        loss.region
                    ),
                    format!(
                        "point `default` (or a continent record for those countries) at another region than {}: Route 53 answers a location from the next wider one when its own region fails",
                        loss.region
                    ),
                ),
                _ => (
                    format!(
                        "with {} lost, `{}` has no other answer: a {} record names one region",
                        loss.region, outcome.name, outcome.policy
                    ),
                    "route it by failover or latency over two regions or more".to_string(),
                ),
            };
            problems.push(
                Problem::new(
                    "resilience::no-answer",
                    message,
                    record.at,
                    format!("{} down", loss.region),
                )
                .help(help),
            );
        }
    }
    problems
}

/// Node groups whose max cannot hold the spike, at their worst loss.
fn short(topology: &Topology, report: &Report) -> Vec<Problem> {
    let spike = report.spike.unwrap_or(1);
    let mut problems = Vec::new();
    for region in &topology.regions {
        for group in &region.cluster.node_groups {
            let loads = report.losses.iter().filter_map(|loss| {
                let load = loss.load.iter().find(|l| l.region == *region.name)?;
                let g = load.groups.iter().find(|g| g.name == group.name)?;
                Some((g.needed, g.max, load.absorbed, &loss.region))
            });
            let Some((needed, max, absorbed, lost)) = loads.max_by_key(|(needed, ..)| *needed)
            else {
                continue;
            };
            if needed <= max {
                continue;
            }
            let unit = report.unit;
            problems.push(
                Problem::new(
                    "resilience::capacity",
                    format!(
                        "with {lost} lost and a {spike}x spike, {}/{} needs {needed} {unit} ({spike} x its {} desired and its part of the {absorbed} {} takes over), max is {max}",
                        region.name.value, group.name, group.desired, region.name.value
                    ),
                    group.max_at,
                    format!("{needed} needed"),
                )
                .help(format!(
                    "raise `max` to {needed} (the account's vCPU quota must allow it), or declare the spike the regions can hold"
                )),
            );
        }
    }
    problems
}
