//! The resilience report: what the topology's routing and capacity do when
//! a region fails, worked out from the file alone (no cloud call). For
//! every name Route 53 routes by health, the worst-case time for traffic to
//! leave a failed region (the health check's interval x failure threshold,
//! the record's TTL, Route 53's propagation); for each single-region loss,
//! where each routed name's users go ([`routes`]) and the load each
//! remaining region then carries, in nodes (or, at plan time, vCPUs),
//! against its node groups' max at the declared spike ([`capacity`]). [`findings`] turns what falls short
//! into diagnostics at the lines to change.

pub mod capacity;
pub mod drill;
pub mod edge;
pub mod findings;
pub mod outcomes;
pub mod routes;

use serde::Serialize;

use crate::kinds::route53::record::record_fqdn;
use crate::topology::model::{Dns, Routing, Topology};

/// Route 53's propagation of a health change to its DNS servers, at most
/// (its developer guide: "typically within 60 seconds").
pub const PROPAGATION_SECONDS: u32 = 60;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub rto_seconds: u32,
    pub spike: Option<u32>,
    /// What the loads count: `nodes` offline, `vCPUs` at plan time.
    pub unit: &'static str,
    /// Per health-routed name, how long traffic may take to leave a failed
    /// region.
    pub failover: Vec<FailoverTime>,
    /// Per region, what losing it does.
    pub losses: Vec<Loss>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailoverTime {
    pub name: String,
    pub policy: &'static str,
    /// None: no health check, traffic never leaves a failed region.
    pub seconds: Option<u32>,
    pub detect_seconds: u32,
    pub ttl_seconds: u32,
    pub propagation_seconds: u32,
    pub within_rto: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loss {
    pub region: String,
    pub routes: Vec<routes::Outcome>,
    pub load: Vec<capacity::RegionLoad>,
}

/// The name a record answers for, as users type it (no trailing dot).
pub fn fqdn(dns: &Dns, name: &str) -> String {
    let mut fqdn = record_fqdn(name, &dns.zone);
    fqdn.pop();
    fqdn
}

/// The policy's name, as the file writes it.
pub fn policy(routing: &Routing) -> &'static str {
    match routing {
        Routing::Failover { .. } => "failover",
        Routing::Geolocation(_) => "geolocation",
        Routing::Latency(_) => "latency",
        Routing::Weighted(_) => "weighted",
        Routing::Simple(_) => "simple",
    }
}

/// What a plan of `topology` says beside its changes: the regions that
/// cannot hold the spike with a lost region's users (in vCPUs), and who
/// gets what before and after for each routed name it changes.
pub fn annotate(
    plan: &mut crate::plan::Plan,
    topology: &Topology,
    desired: &crate::state::desired::DesiredState,
    live: &crate::state::live::LiveState,
) {
    plan.warnings.extend(capacity::vcpu_warnings(topology, &live.regions));
    plan.routing = outcomes::of_plan(plan, topology, desired, live);
}

/// The report of a topology with a `resilience:` section, in nodes.
pub fn report(topology: &Topology) -> Option<Report> {
    report_in(topology, "nodes", &capacity::nodes)
}

/// The report, its loads in `unit`, each node of a group counting `weight`.
pub fn report_in(
    topology: &Topology,
    unit: &'static str,
    weight: capacity::Weight,
) -> Option<Report> {
    let resilience = topology.resilience.as_ref()?;
    let rto = resilience.rto.value;
    let failover = topology.dns.as_ref().map(|dns| failover_times(dns, rto)).unwrap_or_default();
    let losses = topology
        .regions
        .iter()
        .map(|lost| {
            let routes = routes::outcomes(topology, &lost.name);
            let spike = resilience.spike.as_ref().map_or(1, |s| s.value);
            let load = capacity::after_loss(topology, &lost.name, &routes, spike, weight);
            Loss { region: lost.name.value.clone(), routes, load }
        })
        .collect();
    Some(Report {
        rto_seconds: rto,
        spike: resilience.spike.as_ref().map(|s| s.value),
        unit,
        failover,
        losses,
    })
}

/// The worst case for traffic to leave a failed region: the time the
/// health check takes to fail, then the TTL resolvers keep the old answer,
/// then propagation (None: no health check, it never leaves).
pub fn failover_seconds(dns: &Dns) -> Option<u32> {
    let detect = dns.health_check.as_ref().map(|h| h.interval * h.failure_threshold)?;
    Some(detect + dns.ttl + PROPAGATION_SECONDS)
}

/// Each health-routed record's worst case ([`failover_seconds`]).
fn failover_times(dns: &Dns, rto: u32) -> Vec<FailoverTime> {
    let routed = dns.records.iter().filter(|r| !matches!(r.routing, Routing::Simple(_)));
    routed
        .map(|record| {
            let detect = dns.health_check.as_ref().map(|h| h.interval * h.failure_threshold);
            let seconds = failover_seconds(dns);
            FailoverTime {
                name: fqdn(dns, &record.name),
                policy: policy(&record.routing),
                seconds,
                detect_seconds: detect.unwrap_or(0),
                ttl_seconds: dns.ttl,
                propagation_seconds: PROPAGATION_SECONDS,
                within_rto: seconds.is_some_and(|s| s <= rto),
            }
        })
        .collect()
}
