//! The plan as a graph: which change waits for which, and an order that
//! respects it. Creates and updates wait for the changes of what they depend
//! on (a subnet for its VPC); deletes run in reverse (subnets before their
//! VPC) and wait for the updates that stop referring to what they delete.
//! A cycle is an error that names its members.

use std::collections::{BTreeMap, BTreeSet};

use super::{Action, Change};
use crate::state::ResourceAddr;
use crate::state::desired::DesiredState;
use crate::state::live::LiveState;

pub fn order(
    mut changes: BTreeMap<ResourceAddr, Change>,
    desired: &DesiredState,
    live: &LiveState,
) -> Result<Vec<Change>, Vec<ResourceAddr>> {
    let edges = edges(&changes, desired, live);
    for (addr, deps) in &edges {
        if let Some(change) = changes.get_mut(addr) {
            change.depends_on = deps.iter().cloned().collect();
        }
    }
    let sorted = topological(&edges)?;
    Ok(sorted.into_iter().filter_map(|addr| changes.remove(&addr)).collect())
}

/// For every change, the changes it waits for.
fn edges(
    changes: &BTreeMap<ResourceAddr, Change>,
    desired: &DesiredState,
    live: &LiveState,
) -> BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>> {
    let mut edges: BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>> =
        changes.keys().map(|a| (a.clone(), BTreeSet::new())).collect();
    let is = |addr: &ResourceAddr, wanted: fn(Action) -> bool| {
        changes.get(addr).is_some_and(|c| wanted(c.action))
    };
    for (addr, change) in changes {
        if change.action == Action::Delete {
            continue;
        }
        for dep in desired.resources.get(addr).map(|r| r.deps.as_slice()).unwrap_or_default() {
            if is(dep, |a| a != Action::Delete) {
                edges.entry(addr.clone()).or_default().insert(dep.clone());
            }
        }
    }
    for (addr, resource) in &live.owned {
        for dep in &resource.deps {
            if !is(dep, |a| a == Action::Delete) {
                continue;
            }
            // What referred to the deleted resource goes (or lets go) first.
            if changes.contains_key(addr) {
                edges.entry(dep.clone()).or_default().insert(addr.clone());
            }
        }
    }
    edges
}

/// Kahn's algorithm; among the ready, addresses in order, so plans are stable.
pub fn topological(
    edges: &BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>>,
) -> Result<Vec<ResourceAddr>, Vec<ResourceAddr>> {
    let mut waiting: BTreeMap<&ResourceAddr, usize> = edges
        .iter()
        .map(|(a, deps)| (a, deps.iter().filter(|d| edges.contains_key(*d)).count()))
        .collect();
    let mut dependents: BTreeMap<&ResourceAddr, Vec<&ResourceAddr>> = BTreeMap::new();
    for (addr, deps) in edges {
        for dep in deps.iter().filter(|d| edges.contains_key(*d)) {
            dependents.entry(dep).or_default().push(addr);
        }
    }
    let mut ready: BTreeSet<&ResourceAddr> =
        waiting.iter().filter(|(_, n)| **n == 0).map(|(a, _)| *a).collect();
    let mut sorted = Vec::new();
    while let Some(addr) = ready.pop_first() {
        waiting.remove(addr);
        sorted.push(addr.clone());
        for other in dependents.get(addr).into_iter().flatten() {
            if let Some(count) = waiting.get_mut(other) {
                *count -= 1;
                if *count == 0 {
                    ready.insert(other);
                }
            }
        }
    }
    if waiting.is_empty() {
        Ok(sorted)
    } else {
        Err(cycle(edges, waiting.keys().copied().collect()))
    }
}

/// One cycle among the nodes that could not be ordered, as a path that ends
/// where it starts.
fn cycle(
    edges: &BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>>,
    stuck: BTreeSet<&ResourceAddr>,
) -> Vec<ResourceAddr> {
    let Some(start) = stuck.first() else { return Vec::new() };
    let mut path = vec![(*start).clone()];
    let mut current = *start;
    loop {
        let Some(next) = edges[current].iter().find(|d| stuck.contains(d)) else { return path };
        if let Some(at) = path.iter().position(|p| p == next) {
            let mut cycle = path.split_off(at);
            cycle.push(next.clone());
            return cycle;
        }
        path.push(next.clone());
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(pairs: &[(&str, &[&str])]) -> BTreeMap<ResourceAddr, BTreeSet<ResourceAddr>> {
        pairs
            .iter()
            .map(|(a, deps)| {
                (ResourceAddr::new(*a), deps.iter().map(|d| ResourceAddr::new(*d)).collect())
            })
            .collect()
    }

    #[test]
    fn dependencies_come_first_and_ties_go_by_address() {
        let order =
            topological(&graph(&[("c", &["a"]), ("b", &[]), ("a", &[]), ("d", &["c", "b"])]))
                .unwrap();
        let names: Vec<&str> = order.iter().map(ResourceAddr::as_str).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_cycle_is_named_from_start_to_start() {
        let error = topological(&graph(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]))
            .unwrap_err();
        let names: Vec<&str> = error.iter().map(ResourceAddr::as_str).collect();
        assert_eq!(names, ["a", "b", "c", "a"]);
    }
}
