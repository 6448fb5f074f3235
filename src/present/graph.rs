//! The dependency graph of a topology's resources as Graphviz DOT or a Mermaid
//! flowchart, for pictures in reviews. Edges point from a resource to what it
//! needs first; nodes are grouped by region.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::state::ResourceAddr;
use crate::state::desired::DesiredState;

pub fn dot(desired: &DesiredState) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", desired.topology);
    let _ = writeln!(out, "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];");
    for (index, (scope, addrs)) in scopes(desired).into_iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{index} {{\n    label=\"{scope}\";");
        for addr in addrs {
            let _ = writeln!(out, "    \"{addr}\";");
        }
        let _ = writeln!(out, "  }}");
    }
    for resource in desired.resources.values() {
        for dep in &resource.deps {
            let _ = writeln!(out, "  \"{}\" -> \"{dep}\";", resource.addr);
        }
    }
    out.push_str("}\n");
    out
}

pub fn mermaid(desired: &DesiredState) -> String {
    let ids: BTreeMap<&ResourceAddr, String> = desired
        .resources
        .keys()
        .enumerate()
        .map(|(index, addr)| (addr, format!("n{index}")))
        .collect();
    let mut out = String::from("flowchart LR\n");
    for (scope, addrs) in scopes(desired) {
        let _ = writeln!(out, "  subgraph {scope}");
        for addr in addrs {
            let _ = writeln!(out, "    {}[\"{addr}\"]", ids[addr]);
        }
        let _ = writeln!(out, "  end");
    }
    for resource in desired.resources.values() {
        for dep in resource.deps.iter().filter_map(|dep| ids.get(dep)) {
            let _ = writeln!(out, "  {} --> {dep}", ids[&resource.addr]);
        }
    }
    out
}

/// The resources of each scope (a region, or global), in one pass.
fn scopes(desired: &DesiredState) -> BTreeMap<&str, Vec<&ResourceAddr>> {
    let mut scopes: BTreeMap<&str, Vec<&ResourceAddr>> = BTreeMap::new();
    for addr in desired.resources.keys() {
        scopes.entry(addr.scope()).or_default().push(addr);
    }
    scopes
}
