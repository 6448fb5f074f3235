//! The one-screen summary `wway validate` prints for a valid topology: per
//! region its network and node groups, then DNS, CDN and edge functions.

use std::fmt::Write;

use crate::topology::Topology;
use crate::topology::model::{Routing, Target};

pub fn render(topology: &Topology, file: &str) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_summary(&mut out, topology, file);
    out
}

fn write_summary(out: &mut String, t: &Topology, file: &str) -> std::fmt::Result {
    writeln!(out, "{file}: topology `{}` is valid", t.name)?;
    writeln!(out)?;
    writeln!(out, "regions ({})", t.regions.len())?;
    for region in &t.regions {
        let zones = region.network.subnets.len();
        writeln!(
            out,
            "  {:<16} {:<16} {zones} AZs  EKS {} {}",
            region.name.value,
            region.network.cidr.to_string(),
            region.cluster.name,
            region.cluster.version
        )?;
        for group in &region.cluster.node_groups {
            writeln!(
                out,
                "    node group {:<20} {:<24} min {} desired {} max {}",
                group.name,
                group.instance_types.join(","),
                group.min,
                group.desired,
                group.max
            )?;
        }
    }
    if let Some(dns) = &t.dns {
        writeln!(out)?;
        writeln!(out, "dns {} ({} records)", dns.zone, dns.records.len())?;
        for record in &dns.records {
            writeln!(out, "  {:<16} {}", record.name, describe(&record.routing))?;
        }
    }
    if let Some(cdn) = &t.cdn {
        writeln!(out)?;
        writeln!(
            out,
            "cdn \"{}\" ({} origins, {} ordered behaviors)",
            cdn.comment,
            cdn.origins.len(),
            cdn.behaviors.len()
        )?;
        for behavior in &cdn.behaviors {
            writeln!(
                out,
                "  {:<16} -> {}",
                behavior.path.as_deref().unwrap_or("*"),
                behavior.origin
            )?;
        }
        writeln!(out, "  {:<16} -> {}", "default", cdn.default_behavior.origin)?;
    }
    if !t.edge_functions.is_empty() {
        writeln!(out)?;
        writeln!(out, "edge functions ({})", t.edge_functions.len())?;
        for function in &t.edge_functions {
            writeln!(out, "  {:<16} {} {}", function.name, function.runtime, function.handler)?;
        }
    }
    if !t.drift_ignores.is_empty() {
        writeln!(out)?;
        writeln!(out, "drift ignore rules ({})", t.drift_ignores.len())?;
        for rule in &t.drift_ignores {
            let fields = if rule.fields.is_empty() { "all".into() } else { rule.fields.join(", ") };
            writeln!(out, "  {:<16} {fields}: {}", rule.address, rule.reason)?;
        }
    }
    if let Some(backend) = &t.backend {
        writeln!(out)?;
        writeln!(out, "journals and lock in {backend}")?;
    }
    Ok(())
}

fn describe(routing: &Routing) -> String {
    match routing {
        Routing::Failover { primary, secondary } => format!("failover {primary} -> {secondary}"),
        Routing::Geolocation(locations) => format!("geolocation, {} locations", locations.len()),
        Routing::Latency(regions) => format!("latency over {}", regions.join(", ")),
        Routing::Weighted(weights) => {
            let parts: Vec<String> = weights.iter().map(|(r, w)| format!("{r}={w}")).collect();
            format!("weighted {}", parts.join(" "))
        }
        Routing::Simple(Target::Region(region)) => format!("simple -> {region}"),
        Routing::Simple(Target::Cdn) => "simple -> cdn (alias)".to_string(),
    }
}
