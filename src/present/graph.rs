//! The dependency graph of a topology's resources as Graphviz DOT or a Mermaid
//! flowchart, for pictures in reviews. Edges point from a resource to what it
//! needs first; nodes are grouped by region.

use std::fmt::Write;

use crate::state::ResourceAddr;
use crate::state::desired::DesiredState;

pub fn dot(desired: &DesiredState) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph \"{}\" {{", desired.topology);
    let _ = writeln!(out, "  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];");
    for (index, scope) in scopes(desired).iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{index} {{\n    label=\"{scope}\";");
        for addr in desired.resources.keys().filter(|a| a.scope() == *scope) {
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
    let ids: Vec<&ResourceAddr> = desired.resources.keys().collect();
    let id = |addr: &ResourceAddr| format!("n{}", ids.iter().position(|a| *a == addr).unwrap_or(0));
    let mut out = String::from("flowchart LR\n");
    for scope in scopes(desired) {
        let _ = writeln!(out, "  subgraph {scope}");
        for addr in desired.resources.keys().filter(|a| a.scope() == scope) {
            let _ = writeln!(out, "    {}[\"{addr}\"]", id(addr));
        }
        let _ = writeln!(out, "  end");
    }
    for resource in desired.resources.values() {
        for dep in &resource.deps {
            let _ = writeln!(out, "  {} --> {}", id(&resource.addr), id(dep));
        }
    }
    out
}

fn scopes(desired: &DesiredState) -> Vec<&str> {
    let mut scopes: Vec<&str> = desired.resources.keys().map(ResourceAddr::scope).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}
