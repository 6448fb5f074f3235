//! The edge router's routing, from the topology, so that the CDN and DNS
//! agree on who serves whom: for each country, the regions to try in order
//! (the geolocation record's chain, as Route 53 falls back: the country's
//! own record, its continent's, the default; then the other regions,
//! nearest first, where DNS would have no healthy answer), the default's
//! order for every other country, and each region's origin. The template
//! `templates/edge-router` reads it as its `routing.json`; `wway export
//! edge-routing` writes it, and `wway validate` says where an edge
//! function's `routing.json` disagrees with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fqdn;
use super::routes::chain;
use crate::topology::catalog::{COUNTRIES, continent_of, distance_km};
use crate::topology::model::{EdgeFunction, Location, Routing, Topology};
use crate::topology::problem::Problem;

/// The file an edge function's folder holds its routing in.
pub const FILE: &str = "routing.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeRouting {
    /// The geolocation name it follows.
    pub record: String,
    /// The regions to try, in order, for a country not in `countries`.
    pub default: Vec<String>,
    /// Per country whose order is not the default's, the regions to try.
    pub countries: BTreeMap<String, Vec<String>>,
    /// Each region's origin domain.
    pub origins: BTreeMap<String, String>,
}

/// The routing of the topology's first geolocation record (None without one).
pub fn edge_routing(topology: &Topology) -> Option<EdgeRouting> {
    let dns = topology.dns.as_ref()?;
    let (record, map) = dns.records.iter().find_map(|r| match &r.routing {
        Routing::Geolocation(map) => Some((r, map)),
        _ => None,
    })?;
    let origins = topology.origins();
    let order = |location: &Location| {
        let mut regions: Vec<String> =
            chain(map, location).into_iter().map(str::to_string).collect();
        let first = regions.first().cloned().unwrap_or_default();
        let mut others: Vec<&String> = origins.keys().filter(|r| !regions.contains(r)).collect();
        let distance = |r: &&String| distance_km(&first, r).unwrap_or(f64::MAX);
        others.sort_by(|a, b| distance(a).total_cmp(&distance(b)).then(a.cmp(b)));
        regions.extend(others.into_iter().cloned());
        regions
    };
    let default = order(&Location::Default);
    // A country the map lists, or one of a continent it lists.
    let covered = |country: &str| {
        map.iter().any(|(l, _)| match l {
            Location::Country(c) => c == country,
            Location::Continent(k) => continent_of(country) == Some(k.as_str()),
            Location::Default => false,
        })
    };
    let countries = COUNTRIES
        .iter()
        .filter(|c| covered(c))
        .map(|c| (c.to_string(), order(&Location::Country(c.to_string()))))
        .filter(|(_, regions)| *regions != default)
        .collect();
    Some(EdgeRouting { record: fqdn(dns, &record.name), default, countries, origins })
}

/// Where an edge function's `routing.json` (its text) disagrees with the
/// topology's routing: a warning at its `source`, naming the countries.
pub fn disagreement(topology: &Topology, function: &EdgeFunction, text: &str) -> Option<Problem> {
    let expected = edge_routing(topology)?;
    let problem = |message: String, label: &str| {
        Problem::new("resilience::edge-routing", message, function.source_at, label)
            .help(format!(
                "write it from the topology: `wway export edge-routing TOPOLOGY > SOURCE/{FILE}`"
            ))
            .warning()
    };
    let found: EdgeRouting = match serde_json::from_str(text) {
        Ok(found) => found,
        Err(error) => {
            return Some(problem(
                format!(
                    "the edge function `{}`'s {FILE} is not edge routing ({error})",
                    function.name
                ),
                "unreadable routing",
            ));
        }
    };
    let route = |routing: &EdgeRouting, country: &str| {
        routing.countries.get(country).unwrap_or(&routing.default).clone()
    };
    let mut differ: Vec<String> = COUNTRIES
        .iter()
        .filter(|c| route(&expected, c) != route(&found, c))
        .map(|c| {
            format!(
                "{c}: DNS {}, the CDN {}",
                route(&expected, c).join(" > "),
                route(&found, c).join(" > ")
            )
        })
        .collect();
    if expected.origins != found.origins {
        differ.insert(0, "the regions' origins".into());
    }
    if differ.is_empty() {
        return None;
    }
    let shown = differ.len().min(2);
    let more = match differ.len() - shown {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(problem(
        format!(
            "the CDN and DNS disagree on who serves whom: the edge function `{}`'s {FILE} differs from `{}` in {}{more}",
            function.name,
            expected.record,
            differ[..shown].join("; "),
        ),
        "routes otherwise than DNS",
    ))
}
