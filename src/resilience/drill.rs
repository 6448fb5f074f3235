//! A failover drill's prediction, from the file alone: for a region to
//! lose, the questions to ask Route 53 about each health-routed name, from
//! the users that matter (each location of a geolocation map, the home of
//! each latency region, anyone for failover and weighted), and the regions
//! expected to answer with every region up and with that region down. The
//! `drill` command asks them (TestDNSAnswer) and compares; the rules are
//! [`routes`](super::routes)' (Route 53 skips an unhealthy record for the
//! next choice; where no choice is healthy it answers the most specific).

use serde::Serialize;

use super::routes::{chain, label};
use super::{fqdn, policy};
use crate::topology::catalog::{
    CLIENTS, continent_of, nearest_region, region_country, region_place,
};
use crate::topology::model::{Location, Routing, Topology};

/// One question to Route 53 and what it should answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    /// The name asked, as users type it.
    pub name: String,
    pub policy: &'static str,
    /// Whose answer: `all`, a country (`VN`), `continent AS`, `default`, or
    /// for latency `near eu-west-1`.
    pub users: String,
    /// The address asked from (the EDNS client subnet); None: anywhere.
    pub client: Option<String>,
    /// The regions that may answer with every region up.
    pub before: Vec<String>,
    /// The regions that may answer with the drilled region down.
    pub during: Vec<String>,
}

impl Probe {
    /// Whether losing the region should change this answer.
    pub fn moves(&self) -> bool {
        self.before != self.during
    }
}

/// Users the drill cannot ask for: no address is known for their country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unasked {
    pub name: String,
    pub users: String,
    pub why: String,
}

/// The questions for one region's loss, and the users no question reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub probes: Vec<Probe>,
    pub unasked: Vec<Unasked>,
}

/// A user's address for a country: the one given (`--client`), else the
/// catalog's.
pub type Addresses<'a> = &'a [(String, String)];

/// The drill's questions for losing `lost`, every health-routed name's.
pub fn predict(topology: &Topology, lost: &str, given: Addresses) -> Prediction {
    let mut prediction = Prediction { probes: Vec::new(), unasked: Vec::new() };
    let Some(dns) = &topology.dns else { return prediction };
    for record in &dns.records {
        let name = fqdn(dns, &record.name);
        let probe =
            |users: String, client: Option<String>, before: Vec<&str>, during: Vec<&str>| {
                let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect();
                let policy = policy(&record.routing);
                let (before, during) = (owned(before), owned(during));
                Probe { name: name.clone(), policy, users, client, before, during }
            };
        match &record.routing {
            Routing::Failover { primary, secondary } => {
                let during = if primary == lost { secondary } else { primary };
                prediction.probes.push(probe("all".into(), None, vec![primary], vec![during]));
            }
            Routing::Weighted(weights) => {
                let weighted: Vec<&str> =
                    weights.iter().filter(|(_, w)| *w > 0).map(|(r, _)| r.as_str()).collect();
                let left: Vec<&str> = weighted.iter().copied().filter(|r| *r != lost).collect();
                // With every record unhealthy, Route 53 answers them all.
                let during = if left.is_empty() { weighted.clone() } else { left };
                prediction.probes.push(probe("all".into(), None, weighted, during));
            }
            Routing::Latency(regions) => {
                let mut homes: Vec<&str> = Vec::new();
                for region in regions {
                    let Some(country) = region_country(region) else { continue };
                    if homes.contains(&country) {
                        continue;
                    }
                    homes.push(country);
                    let users = format!("near {region}");
                    let Some((address, place)) = client(country, given) else {
                        prediction.unasked.push(unknown(&name, users, country));
                        continue;
                    };
                    let place = place.or_else(|| region_place(region)).unwrap_or_default();
                    let nearest = |skip: Option<&str>| {
                        let pool = regions.iter().map(String::as_str);
                        nearest_region(place, pool.filter(|r| Some(*r) != skip))
                    };
                    let before = nearest(None).into_iter().collect();
                    let during = nearest(Some(lost)).or(nearest(None)).into_iter().collect();
                    prediction.probes.push(probe(users, Some(address), before, during));
                }
            }
            Routing::Geolocation(map) => {
                for (location, _) in map {
                    let users = label(location);
                    let Some(country) = users_of(map, location, given) else {
                        let whose = match location {
                            Location::Country(c) => c.clone(),
                            _ => format!("a country {users} serves"),
                        };
                        prediction.unasked.push(unknown(&name, users, &whose));
                        continue;
                    };
                    let Some((address, _)) = client(&country, given) else { continue };
                    let regions = chain(map, location);
                    let before = regions.first().copied().into_iter().collect();
                    let during = regions.iter().copied().find(|r| *r != lost);
                    let during = during.or(regions.first().copied()).into_iter().collect();
                    let users = if matches!(location, Location::Country(_)) {
                        users
                    } else {
                        format!("{users} ({country})")
                    };
                    prediction.probes.push(probe(users, Some(address), before, during));
                }
            }
            Routing::Simple(_) => {}
        }
    }
    prediction
}

/// The address to ask from for `country`, and where its users are (when
/// the catalog knows).
fn client(country: &str, given: Addresses) -> Option<(String, Option<(f64, f64)>)> {
    let known = CLIENTS.iter().find(|(c, ..)| *c == country);
    let place = known.map(|(_, _, la, lo)| (*la, *lo));
    match given.iter().find(|(c, _)| c == country) {
        Some((_, address)) => Some((address.clone(), place)),
        None => known.map(|(_, address, ..)| (address.to_string(), place)),
    }
}

fn unknown(name: &str, users: String, country: &str) -> Unasked {
    let why =
        format!("no address is known for {country}; give one with `--client COUNTRY=ADDRESS`");
    Unasked { name: name.to_string(), users, why }
}

/// A country whose users `location` of `map` serves, with an address to
/// ask from: the country itself; for a continent, one of its countries the
/// map does not list; for the default, one whose country and continent the
/// map does not list.
fn users_of(map: &[(Location, String)], location: &Location, given: Addresses) -> Option<String> {
    let listed = |l: &Location| map.iter().any(|(m, _)| m == l);
    let countries = given.iter().map(|(c, _)| c.as_str()).chain(CLIENTS.iter().map(|(c, ..)| *c));
    let mut countries = countries.collect::<Vec<_>>().into_iter();
    match location {
        Location::Country(c) => client(c, given).map(|_| c.clone()),
        Location::Continent(k) => countries
            .find(|c| continent_of(c) == Some(k) && !listed(&Location::Country(c.to_string())))
            .map(str::to_string),
        Location::Default => countries
            .find(|c| {
                let continent = continent_of(c).map(|k| Location::Continent(k.into()));
                !listed(&Location::Country(c.to_string())) && !continent.is_some_and(|k| listed(&k))
            })
            .map(str::to_string),
    }
}

/// How one probe went in a drill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Only predicted (`--dry-run`).
    Predicted,
    /// Moved to a predicted region, within the rto (TTL included).
    Moved,
    /// Was not to move, and did not.
    Stayed,
    /// Moved as predicted, but later than the rto allows.
    Late,
    /// Answered a region the prediction does not have.
    Wrong,
}

impl Verdict {
    pub fn passed(self) -> bool {
        matches!(self, Verdict::Predicted | Verdict::Moved | Verdict::Stayed)
    }
}

/// A probe and what Route 53 answered during the drill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    #[serde(flatten)]
    pub probe: Probe,
    /// The region (or, for an answer no region has, the answer itself)
    /// Route 53 gave last while the region was down.
    pub answered: Option<String>,
    /// Seconds from the checks' inversion until Route 53 answered as
    /// predicted (for a probe that moves).
    pub moved_seconds: Option<f64>,
    /// `moved_seconds` plus the record's TTL: the worst case for users,
    /// whose resolvers keep the old answer that long.
    pub failover_seconds: Option<f64>,
    pub verdict: Verdict,
}

/// What a drill found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drilled {
    pub topology: String,
    pub region: String,
    pub rto_seconds: u32,
    pub ttl_seconds: u32,
    pub dry_run: bool,
    pub probes: Vec<Checked>,
    pub unasked: Vec<Unasked>,
    /// Seconds the restore took until every answer was back (None: dry run).
    pub restored_seconds: Option<f64>,
    /// Why the drill stopped early (an answer that was not as before the
    /// drill started, Ctrl-C), if it did.
    pub stopped: Option<String>,
}

impl Drilled {
    /// Every answer as predicted within the rto, and nothing stopped it.
    pub fn passed(&self) -> bool {
        self.stopped.is_none() && self.probes.iter().all(|p| p.verdict.passed())
    }
}

/// The verdict of a probe that answered `answered` (a region), having
/// moved after `moved` seconds, with `ttl` and `rto`: an answer still
/// among the ones before the drill (and not a predicted one) did not move
/// in time.
pub fn verdict(
    probe: &Probe,
    answered: Option<&str>,
    moved: Option<f64>,
    ttl: u32,
    rto: u32,
) -> Verdict {
    let among = |regions: &[String]| answered.is_some_and(|a| regions.iter().any(|r| r == a));
    let predicted = among(&probe.during);
    match (predicted, probe.moves(), moved) {
        (false, true, _) if among(&probe.before) => Verdict::Late,
        (false, ..) => Verdict::Wrong,
        (true, false, _) => Verdict::Stayed,
        (true, true, Some(seconds)) if seconds + f64::from(ttl) <= f64::from(rto) => Verdict::Moved,
        (true, true, _) => Verdict::Late,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failover() -> Probe {
        Probe {
            name: "api.demo.example".into(),
            policy: "failover",
            users: "all".into(),
            client: None,
            before: vec!["us-east-1".into()],
            during: vec!["eu-west-1".into()],
        }
    }

    #[test]
    fn an_answer_that_never_moved_is_late_and_one_nobody_predicted_is_wrong() {
        let probe = failover();
        assert_eq!(verdict(&probe, Some("eu-west-1"), Some(30.0), 60, 180), Verdict::Moved);
        assert_eq!(verdict(&probe, Some("eu-west-1"), Some(150.0), 60, 180), Verdict::Late);
        // Still the lost region when the wait ended: it did not move in time.
        assert_eq!(verdict(&probe, Some("us-east-1"), None, 60, 180), Verdict::Late);
        assert_eq!(verdict(&probe, Some("ap-southeast-1"), None, 60, 180), Verdict::Wrong);
        assert_eq!(verdict(&probe, None, None, 60, 180), Verdict::Wrong);
    }
}
