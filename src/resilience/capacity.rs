//! The load each remaining region carries when one fails, in nodes (the
//! file knows node counts, not instance sizes): its own baseline (its node
//! groups' desired sizes) and what it takes over of the failed region's
//! baseline (the largest share of its users any routed name sends it: the
//! worst case), times the spike, spread over its groups as their desired
//! sizes are; each group must hold its part within its max.

use serde::Serialize;

use super::routes::Outcome;
use crate::topology::model::{Region, Topology};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionLoad {
    pub region: String,
    /// Its node groups' desired sizes.
    pub baseline_nodes: u32,
    /// What it takes over of the failed region's baseline.
    pub absorbed_nodes: u32,
    /// spike x (baseline + absorbed), summed over its groups.
    pub needed_nodes: u32,
    pub max_nodes: u32,
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

/// A count of nodes, up from `nodes` (a share of a node is a node).
fn whole(nodes: f64) -> u32 {
    (nodes - 1e-9).ceil().max(0.0) as u32
}

fn baseline(region: &Region) -> u32 {
    region.cluster.node_groups.iter().map(|g| g.desired).sum()
}

/// Every region but `lost`, with its load once `lost` is gone.
pub fn after_loss(
    topology: &Topology,
    lost: &str,
    routes: &[Outcome],
    spike: u32,
) -> Vec<RegionLoad> {
    let lost_baseline = topology.region(lost).map_or(0, baseline);
    let remaining = topology.regions.iter().filter(|r| *r.name != lost);
    remaining
        .map(|region| {
            let name = region.name.as_str();
            let share =
                routes.iter().filter_map(|o| o.shares().get(name).copied()).fold(0.0_f64, f64::max);
            let absorbed = share * f64::from(lost_baseline);
            let own = baseline(region);
            let groups = &region.cluster.node_groups;
            let max_total: u32 = groups.iter().map(|g| g.max).sum();
            let groups: Vec<GroupLoad> = groups
                .iter()
                .map(|g| {
                    // Its part of the absorbed load: as its desired size is
                    // of the region's (as its max is, with none desired).
                    let part = match own {
                        0 => f64::from(g.max) / f64::from(max_total.max(1)),
                        own => f64::from(g.desired) / f64::from(own),
                    };
                    let load = f64::from(g.desired) + absorbed * part;
                    let needed = whole(f64::from(spike) * load);
                    GroupLoad { name: g.name.clone(), desired: g.desired, needed, max: g.max }
                })
                .collect();
            RegionLoad {
                region: name.to_string(),
                baseline_nodes: own,
                absorbed_nodes: whole(absorbed),
                needed_nodes: groups.iter().map(|g| g.needed).sum(),
                max_nodes: max_total,
                holds: groups.iter().all(|g| g.needed <= g.max),
                groups,
            }
        })
        .collect()
}
