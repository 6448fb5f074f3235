//! Who gets what, before and after a plan, for each routed name the plan
//! touches: per country (a geolocation map and its default), per region
//! (latency: the users near each region), the weights' shares, the failover
//! pair; and, where it differs from that, the same under each single-region
//! failure (`with ap-southeast-1 lost, VN: us-east-1 -> eu-west-1`). Worked
//! out from the record sets the account holds and those the file declares,
//! by the rules of [`routes`](super::routes).

use std::collections::{BTreeMap, BTreeSet};

use super::policy;
use super::routes::{chain, label};
use crate::kinds::route53::record::Spec;
use crate::plan::routing::{NameRouting, Shift};
use crate::topology::catalog::{nearest_region, region_place};
use crate::topology::model::{Location, Routing, Target};

/// What no region answers: Route 53 has no healthy record left (it answers
/// the failed region anyway), or the name has no record.
pub const NO_ANSWER: &str = "no healthy answer";

/// The routing of each name the plan touches (`touched`: fully qualified,
/// with the trailing dot), from the record sets before (the account's)
/// and after (the file's); `region_of` names the region a record answers.
pub fn outcomes(
    before: &[Spec],
    after: &[Spec],
    touched: &BTreeSet<String>,
    region_of: &dyn Fn(&Spec) -> String,
) -> Vec<NameRouting> {
    let mut names = Vec::new();
    for name in touched {
        let sets = |specs: &[Spec]| -> Vec<Spec> {
            specs.iter().filter(|s| s.name == *name && s.record_type != "TXT").cloned().collect()
        };
        let (was, will) =
            (routing_of(&sets(before), region_of), routing_of(&sets(after), region_of));
        let Some(shown) = will.as_ref().or(was.as_ref()).map(policy) else { continue };
        let (was, will) = (was.as_ref(), will.as_ref());
        let normal = differences(&answers(was, will, None), &answers(will, was, None));
        let mut regions: BTreeSet<String> = BTreeSet::new();
        regions.extend(was.into_iter().chain(will).flat_map(regions_of));
        let mut under_failure = Vec::new();
        for lost in &regions {
            let then = answers(was, will, Some(lost));
            let now = answers(will, was, Some(lost));
            for shift in differences(&then, &now) {
                if !normal.iter().any(|n| {
                    n.users == shift.users && n.before == shift.before && n.after == shift.after
                }) {
                    under_failure.push(Shift { lost: Some(lost.clone()), ..shift });
                }
            }
        }
        if normal.is_empty() && under_failure.is_empty() {
            continue;
        }
        names.push(NameRouting {
            name: name.trim_end_matches('.').to_string(),
            policy: shown.to_string(),
            shifts: normal,
            under_failure,
        });
    }
    names
}

/// A name's routing, from its record sets (None: it has none).
fn routing_of(sets: &[Spec], region_of: &dyn Fn(&Spec) -> String) -> Option<Routing> {
    let first = sets.first()?;
    let with = |role: &str| {
        sets.iter()
            .find(|s| s.failover.as_deref() == Some(role))
            .map_or(NO_ANSWER.to_string(), region_of)
    };
    if sets.iter().any(|s| s.failover.is_some()) {
        return Some(Routing::Failover { primary: with("PRIMARY"), secondary: with("SECONDARY") });
    }
    if sets.iter().any(|s| s.geolocation.is_some()) {
        let location = |s: &Spec| {
            let geo = s.geolocation.as_ref()?;
            Some(match (geo.get("country").map(String::as_str), geo.get("continent")) {
                (Some("*"), _) => Location::Default,
                (Some(country), _) => Location::Country(country.to_string()),
                (None, Some(continent)) => Location::Continent(continent.clone()),
                (None, None) => return None,
            })
        };
        let map = sets.iter().filter_map(|s| Some((location(s)?, region_of(s)))).collect();
        return Some(Routing::Geolocation(map));
    }
    if sets.iter().any(|s| s.region.is_some()) {
        return Some(Routing::Latency(sets.iter().map(region_of).collect()));
    }
    if sets.iter().any(|s| s.weight.is_some()) {
        let weight = |s: &Spec| u8::try_from(s.weight.unwrap_or(0)).unwrap_or(u8::MAX);
        return Some(Routing::Weighted(sets.iter().map(|s| (region_of(s), weight(s))).collect()));
    }
    Some(Routing::Simple(match first.alias {
        Some(_) => Target::Cdn,
        None => Target::Region(region_of(first)),
    }))
}

fn regions_of(routing: &Routing) -> Vec<String> {
    match routing {
        Routing::Failover { primary, secondary } => vec![primary.clone(), secondary.clone()],
        Routing::Geolocation(map) => map.iter().map(|(_, r)| r.clone()).collect(),
        Routing::Latency(regions) => regions.clone(),
        Routing::Weighted(weights) => weights.iter().map(|(r, _)| r.clone()).collect(),
        Routing::Simple(Target::Region(r)) => vec![r.clone()],
        Routing::Simple(Target::Cdn) => Vec::new(),
    }
}

/// Who gets what, with `lost` down (Route 53 skips an unhealthy record
/// for the next choice); the users the `other` side routes are counted too
/// (a country it lists, a region it has), so that a user group added or
/// dropped by the plan shows where it went from or to.
fn answers(
    routing: Option<&Routing>,
    other: Option<&Routing>,
    lost: Option<&str>,
) -> BTreeMap<String, String> {
    let up = |r: &&str| Some(*r) != lost;
    let mut answers = BTreeMap::new();
    let Some(routing) = routing else { return answers };
    match routing {
        Routing::Failover { primary, secondary } => {
            let to = [primary.as_str(), secondary.as_str()]
                .into_iter()
                .find(|r| up(r) && *r != NO_ANSWER);
            answers.insert("all".into(), to.unwrap_or(NO_ANSWER).to_string());
        }
        Routing::Geolocation(map) => {
            let mut locations: Vec<&Location> = map.iter().map(|(l, _)| l).collect();
            if let Some(Routing::Geolocation(theirs)) = other {
                locations.extend(theirs.iter().map(|(l, _)| l));
            }
            for location in locations {
                let to = chain(map, location).into_iter().find(up);
                answers.insert(label(location), to.unwrap_or(NO_ANSWER).to_string());
            }
        }
        Routing::Latency(regions) => {
            let mut homes = regions.clone();
            if let Some(Routing::Latency(theirs)) = other {
                homes.extend(theirs.iter().cloned());
            }
            for home in &homes {
                let place = region_place(home).unwrap_or_default();
                let nearest = nearest_region(place, regions.iter().map(String::as_str).filter(up));
                answers.insert(format!("near {home}"), nearest.unwrap_or(NO_ANSWER).to_string());
            }
        }
        Routing::Weighted(weights) => {
            let total: u32 =
                weights.iter().filter(|(r, _)| up(&r.as_str())).map(|(_, w)| u32::from(*w)).sum();
            if let Some(Routing::Weighted(theirs)) = other {
                for (region, _) in theirs {
                    answers.insert(format!("share of {region}"), "0%".to_string());
                }
            }
            for (region, weight) in weights {
                let share = match (up(&region.as_str()), total) {
                    (true, total) if total > 0 => f64::from(*weight) * 100.0 / f64::from(total),
                    _ => 0.0,
                };
                answers.insert(format!("share of {region}"), format!("{share:.0}%"));
            }
        }
        Routing::Simple(Target::Region(region)) => {
            let to = if up(&region.as_str()) { region.as_str() } else { NO_ANSWER };
            answers.insert("all".into(), to.to_string());
        }
        Routing::Simple(Target::Cdn) => {
            answers.insert("all".into(), "the CDN".into());
        }
    }
    answers
}

/// The users whose answer differs, with both answers (`none`: the name
/// does not route them on that side).
fn differences(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<Shift> {
    let users: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let side =
        |map: &BTreeMap<String, String>, u: &String| map.get(u).cloned().unwrap_or("none".into());
    users
        .into_iter()
        .filter(|u| before.get(*u) != after.get(*u))
        .map(|u| Shift {
            lost: None,
            users: u.clone(),
            before: side(before, u),
            after: side(after, u),
        })
        .collect()
}

/// The routing shifts of `plan`: its record changes' names, the record
/// sets the account holds (`live`) and the file declares (`desired`),
/// each record's region known by its origin (or its health check).
pub fn of_plan(
    plan: &crate::plan::Plan,
    topology: &crate::topology::model::Topology,
    desired: &crate::state::desired::DesiredState,
    live: &crate::state::live::LiveState,
) -> Vec<NameRouting> {
    use crate::kinds::{Kind, spec};
    let read = |fields: &crate::kinds::Fields| spec::read::<Spec>("record", fields).ok();
    let after: Vec<Spec> = desired
        .resources
        .values()
        .filter(|r| r.kind == Kind::Record)
        .filter_map(|r| read(&r.fields))
        .collect();
    let before: Vec<Spec> = live
        .owned
        .values()
        .filter(|r| r.kind == Kind::Record)
        .filter_map(|r| read(&r.fields))
        .collect();
    let touched = plan
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Record)
        .filter_map(|c| c.after.as_ref().or(c.before.as_ref()).and_then(read))
        .map(|s| s.name)
        .collect();
    let origins: BTreeMap<String, String> = topology
        .origins()
        .into_iter()
        .map(|(region, origin)| (origin.trim_end_matches('.').to_string(), region))
        .collect();
    let region_of = |s: &Spec| {
        let value =
            s.values.as_ref().and_then(|v| v.first()).map(|v| v.trim_end_matches('.').to_string());
        if let Some(region) = value.as_ref().and_then(|v| origins.get(v)) {
            return region.clone();
        }
        if let Some(check) = &s.health_check {
            return check.part(2).to_string();
        }
        value.unwrap_or_else(|| "the CDN".into())
    };
    outcomes(&before, &after, &touched, &region_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ResourceAddr;

    fn record(name: &str, region: &str, weight: Option<u64>, latency: bool) -> Spec {
        Spec {
            name: format!("{name}.demo.example."),
            zone: ResourceAddr::new("global/zone/demo.example"),
            record_type: "CNAME".into(),
            set_identifier: Some(region.into()),
            ttl: Some(60),
            values: Some(vec![format!("{region}.origin.demo.example")]),
            health_check: None,
            alias: None,
            failover: None,
            geolocation: None,
            region: latency.then(|| region.to_string()),
            weight,
        }
    }

    fn region_of(spec: &Spec) -> String {
        let value = &spec.values.as_ref().unwrap()[0];
        value.split('.').next().unwrap().to_string()
    }

    #[test]
    fn weights_show_each_regions_share_before_and_after_and_with_a_region_lost() {
        let before = [
            record("canary", "us-east-1", Some(90), false),
            record("canary", "eu-west-1", Some(10), false),
        ];
        let after = [
            record("canary", "us-east-1", Some(50), false),
            record("canary", "eu-west-1", Some(50), false),
        ];
        let touched = ["canary.demo.example.".to_string()].into();
        let routed = outcomes(&before, &after, &touched, &region_of);
        assert_eq!(routed.len(), 1);
        let shifts: Vec<(&str, &str, &str)> = routed[0]
            .shifts
            .iter()
            .map(|s| (s.users.as_str(), s.before.as_str(), s.after.as_str()))
            .collect();
        assert_eq!(
            shifts,
            [("share of eu-west-1", "10%", "50%"), ("share of us-east-1", "90%", "50%")]
        );
        // With either region lost the other takes all, before and after: no difference to show.
        assert_eq!(routed[0].under_failure, []);
    }

    #[test]
    fn a_latency_region_added_takes_its_neighbours_users_and_their_fallback() {
        let before =
            [record("fast", "us-east-1", None, true), record("fast", "ap-southeast-1", None, true)];
        let mut after = before.to_vec();
        after.push(record("fast", "eu-west-1", None, true));
        let touched = ["fast.demo.example.".to_string()].into();
        let routed = outcomes(&before, &after, &touched, &region_of);
        let shifts: Vec<(&str, &str, &str)> = routed[0]
            .shifts
            .iter()
            .map(|s| (s.users.as_str(), s.before.as_str(), s.after.as_str()))
            .collect();
        // Ireland's users went to Virginia (5,500 km) before Singapore (11,000 km).
        assert_eq!(shifts, [("near eu-west-1", "us-east-1", "eu-west-1")]);
        let lost: Vec<(&str, &str, &str, &str)> = routed[0]
            .under_failure
            .iter()
            .map(|s| {
                (s.lost.as_deref().unwrap(), s.users.as_str(), s.before.as_str(), s.after.as_str())
            })
            .collect();
        // With us-east-1 lost its users now go to Ireland, not Singapore.
        assert!(
            lost.contains(&("us-east-1", "near us-east-1", "ap-southeast-1", "eu-west-1")),
            "{lost:?}"
        );
    }
}
