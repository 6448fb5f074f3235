//! Where a routed name's users go when one region fails, as Route 53
//! answers once the region's health check fails: failover to the
//! secondary; latency to the nearest remaining region of the record (by the
//! distance between regions, which is what latency follows); weighted to
//! the remaining regions in proportion to their weights; geolocation to the
//! next wider location the map has (the country's continent, then the
//! default), or to no one when that is the failed region too. A simple
//! record to the region has no other answer.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{fqdn, policy};
use crate::topology::catalog::{continent_of, nearest_region, region_place};
use crate::topology::model::{Location, Routing, Target, Topology};

/// What losing a region does to one name's users.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub name: String,
    pub policy: &'static str,
    pub moves: Vec<Move>,
}

/// Some of the failed region's users of a name, and where they go (None:
/// no healthy answer), with their share of its users (offline, each
/// location of a geolocation map counts the same).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    pub users: String,
    pub to: Option<String>,
    pub share: f64,
}

impl Outcome {
    /// The share of the failed region's users each remaining region takes.
    pub fn shares(&self) -> BTreeMap<&str, f64> {
        let mut shares = BTreeMap::new();
        for m in &self.moves {
            if let Some(to) = &m.to {
                *shares.entry(to.as_str()).or_insert(0.0) += m.share;
            }
        }
        shares
    }
}

/// Every routed name that `lost` serves, and where its users go.
pub fn outcomes(topology: &Topology, lost: &str) -> Vec<Outcome> {
    let Some(dns) = &topology.dns else { return Vec::new() };
    let outcome = |record: &crate::topology::model::Record| {
        let moves = moves(&record.routing, lost);
        (!moves.is_empty()).then(|| Outcome {
            name: fqdn(dns, &record.name),
            policy: policy(&record.routing),
            moves,
        })
    };
    dns.records.iter().filter_map(outcome).collect()
}

fn moves(routing: &Routing, lost: &str) -> Vec<Move> {
    let all = |to: Option<&str>| {
        vec![Move { users: "all".into(), to: to.map(str::to_string), share: 1.0 }]
    };
    match routing {
        Routing::Failover { primary, secondary } if primary == lost => all(Some(secondary)),
        Routing::Failover { .. } => Vec::new(),
        Routing::Latency(regions) if regions.iter().any(|r| r == lost) => {
            let others = regions.iter().map(String::as_str).filter(|r| *r != lost);
            all(nearest_region(region_place(lost).unwrap_or_default(), others))
        }
        Routing::Latency(_) => Vec::new(),
        Routing::Weighted(weights) => weighted(weights, lost),
        Routing::Geolocation(map) => geolocation(map, lost),
        Routing::Simple(Target::Region(region)) if region == lost => all(None),
        Routing::Simple(_) => Vec::new(),
    }
}

fn weighted(weights: &[(String, u8)], lost: &str) -> Vec<Move> {
    let Some((_, weight)) = weights.iter().find(|(r, w)| r == lost && *w > 0) else {
        return Vec::new();
    };
    let others: Vec<&(String, u8)> = weights.iter().filter(|(r, w)| r != lost && *w > 0).collect();
    let total: u32 = others.iter().map(|(_, w)| u32::from(*w)).sum();
    if total == 0 {
        return vec![Move { users: format!("weight {weight}"), to: None, share: 1.0 }];
    }
    let moves = others.iter().map(|(region, w)| Move {
        users: format!("weight {weight}"),
        to: Some(region.clone()),
        share: f64::from(*w) / f64::from(total),
    });
    moves.collect()
}

fn geolocation(map: &[(Location, String)], lost: &str) -> Vec<Move> {
    let served: Vec<&Location> = map.iter().filter(|(_, r)| r == lost).map(|(l, _)| l).collect();
    let share = 1.0 / served.len().max(1) as f64;
    served
        .into_iter()
        .map(|location| {
            // Route 53 skips an unhealthy record for the next wider one.
            let to = chain(map, location).into_iter().find(|r| *r != lost);
            Move { users: label(location), to: to.map(str::to_string), share }
        })
        .collect()
}

/// The regions Route 53 tries for the users a geolocation map's `location`
/// serves, most specific first: the location's own record, its
/// continent's (for a country), the default.
pub fn chain<'a>(map: &'a [(Location, String)], location: &Location) -> Vec<&'a str> {
    let region_of = |l: &Location| map.iter().find(|(m, _)| m == l).map(|(_, r)| r.as_str());
    let continent = match location {
        Location::Country(c) => continent_of(c).map(|c| Location::Continent(c.into())),
        Location::Continent(_) | Location::Default => None,
    };
    let wider = [Some(location.clone()), continent, Some(Location::Default)];
    let mut regions: Vec<&str> = wider.iter().flatten().filter_map(region_of).collect();
    regions.dedup();
    regions
}

/// `VN`, `continent EU`, `default` (every other location).
pub fn label(location: &Location) -> String {
    match location {
        Location::Country(c) => c.clone(),
        Location::Continent(c) => format!("continent {c}"),
        Location::Default => "default".into(),
    }
}
