//! The load each remaining region carries when one fails, in a unit per
//! node of each group: one (offline, `wway validate`: the file knows node
//! counts, not instance sizes), or its vCPUs (at plan time, from
//! DescribeInstanceTypes; its smallest instance type, what it can surely
//! hold). A region's baseline is its node groups' desired sizes; it takes
//! over the largest share of the failed region's baseline any routed name
//! sends it (the worst case); times the spike, spread over its groups as
//! their desired loads are, each against its max.

use std::collections::BTreeMap;

use serde::Serialize;

use super::routes::Outcome;
use crate::kinds::RegionFacts;
use crate::plan::quotas::PlanWarning;
use crate::topology::model::{NodeGroup, Region, Topology};

/// What one node of a group counts for, in the report's unit.
pub type Weight<'a> = &'a dyn Fn(&str, &NodeGroup) -> u32;

/// Every node counts as one.
pub fn nodes(_region: &str, _group: &NodeGroup) -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLoad {
    pub region: String,
    /// Its node groups' desired sizes.
    pub baseline: u32,
    /// What it takes over of the failed region's baseline.
    pub absorbed: u32,
    /// spike x (baseline + absorbed), summed over its groups.
    pub needed: u32,
    pub max: u32,
    pub holds: bool,
    pub groups: Vec<GroupLoad>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupLoad {
    pub name: String,
    pub desired: u32,
    pub needed: u32,
    pub max: u32,
}

/// A count, up from `amount` (a share of a node is a node).
fn whole(amount: f64) -> u32 {
    (amount - 1e-9).ceil().max(0.0) as u32
}

fn baseline(region: &Region, weight: Weight) -> u32 {
    let groups = region.cluster.node_groups.iter();
    groups.map(|g| g.desired * weight(&region.name, g)).sum()
}

/// Every region but `lost`, with its load once `lost` is gone.
pub fn after_loss(
    topology: &Topology,
    lost: &str,
    routes: &[Outcome],
    spike: u32,
    weight: Weight,
) -> Vec<RegionLoad> {
    let lost_baseline = topology.region(lost).map_or(0, |r| baseline(r, weight));
    let remaining = topology.regions.iter().filter(|r| *r.name != lost);
    remaining
        .map(|region| {
            let name = region.name.as_str();
            let share =
                routes.iter().filter_map(|o| o.shares().get(name).copied()).fold(0.0_f64, f64::max);
            let absorbed = share * f64::from(lost_baseline);
            let own = baseline(region, weight);
            let groups = &region.cluster.node_groups;
            let max_total: u32 = groups.iter().map(|g| g.max * weight(name, g)).sum();
            let groups: Vec<GroupLoad> = groups
                .iter()
                .map(|g| {
                    let (desired, max) = (g.desired * weight(name, g), g.max * weight(name, g));
                    // Its part of what is taken over: as its desired load
                    // is of the region's (as its max is, with none desired).
                    let part = match own {
                        0 => f64::from(max) / f64::from(max_total.max(1)),
                        own => f64::from(desired) / f64::from(own),
                    };
                    let needed = whole(f64::from(spike) * (f64::from(desired) + absorbed * part));
                    GroupLoad { name: g.name.clone(), desired, needed, max }
                })
                .collect();
            RegionLoad {
                region: name.to_string(),
                baseline: own,
                absorbed: whole(absorbed),
                needed: groups.iter().map(|g| g.needed).sum(),
                max: max_total,
                holds: groups.iter().all(|g| g.needed <= g.max),
                groups,
            }
        })
        .collect()
}

/// The plan's warnings of a topology with `resilience:`: each region that
/// cannot hold the spike with a lost region's users, in vCPUs, from the
/// instance types' vCPUs the plan read (a group whose types were not read
/// is left out, not guessed).
pub fn vcpu_warnings(
    topology: &Topology,
    facts: &BTreeMap<String, RegionFacts>,
) -> Vec<PlanWarning> {
    let vcpus = |region: &str, group: &NodeGroup| {
        let known = facts.get(region).map(|f| &f.vcpus);
        let each = group.instance_types.iter().filter_map(|t| known?.get(t).copied());
        each.min().unwrap_or(0)
    };
    let Some(report) = super::report_in(topology, "vCPUs", &vcpus) else { return Vec::new() };
    let spike = report.spike.unwrap_or(1);
    let mut warnings = Vec::new();
    for loss in &report.losses {
        for load in loss.load.iter().filter(|l| !l.holds) {
            let short: Vec<String> = load
                .groups
                .iter()
                .filter(|g| g.needed > g.max)
                .map(|g| format!("{} {} of {}", g.name, g.needed, g.max))
                .collect();
            warnings.push(PlanWarning {
                region: load.region.clone(),
                message: format!(
                    "{}: with {} lost and a {spike}x spike it needs {} vCPUs ({spike} x ({} + {} \
                     taken over)), its node groups' max give {} (short: {})",
                    load.region,
                    loss.region,
                    load.needed,
                    load.baseline,
                    load.absorbed,
                    load.max,
                    short.join(", ")
                ),
            });
        }
    }
    warnings
}
