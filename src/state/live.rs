//! The live state: what an account holds, as read by the cloud layer. Plain
//! serde data, so tests load it from `fixtures/` and plans carry fingerprints
//! of it. Resources wway owns are keyed by their address; resources it does
//! not own are kept only where their name clashes with one wway would create.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Fields, Kind, ResourceAddr};

/// A reference to a resource that has no AWS id yet (a bug in step order).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} has no AWS id yet")]
pub struct Unresolved(pub String);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveState {
    /// Resources that carry this topology's ownership marks.
    pub owned: BTreeMap<ResourceAddr, LiveResource>,
    /// Resources of others that hold a name wway needs.
    pub unowned: Vec<Unowned>,
    /// Facts about the account that a plan checks before it plans.
    pub regions: BTreeMap<String, RegionFacts>,
    /// What each ownership TXT record (`_wway.<name>`) lists for this
    /// topology, including record sets that have since gone missing.
    #[serde(default)]
    pub record_owners: BTreeMap<String, Vec<ResourceAddr>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveResource {
    pub kind: Kind,
    /// The AWS identifier (vpc-…, a cluster name, a zone id, …).
    pub id: String,
    pub fields: Fields,
    /// Resources it refers to, for the order of deletes.
    #[serde(default)]
    pub deps: Vec<ResourceAddr>,
    /// An ETag or version where AWS gives one, else a hash of `fields`.
    pub fingerprint: String,
}

/// A resource wway does not own, found under a name wway wants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unowned {
    pub kind: Kind,
    /// The name both would hold: a cluster name, a record's name, type and set id, …
    pub name: String,
    pub id: String,
    /// Who holds it, in words (its topology tag, or "no wway tags").
    pub holder: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionFacts {
    pub availability_zones: Vec<String>,
    /// Of the instance types the topology asks for, those the region offers.
    pub offered_instance_types: Vec<String>,
}

/// AWS identifiers by address, so that a change can refer to what other
/// changes made (a subnet to its VPC's id, a record to its health check's id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ids {
    pub ids: BTreeMap<ResourceAddr, String>,
    /// The owned distribution's domain name, for alias records.
    pub distribution_domain: Option<String>,
    /// Function name -> the ARN of the version a distribution should run.
    pub function_versions: BTreeMap<String, String>,
}

impl Ids {
    pub fn id(&self, addr: &ResourceAddr) -> Result<&str, Unresolved> {
        self.ids.get(addr).map(String::as_str).ok_or_else(|| Unresolved(addr.to_string()))
    }

    /// The AWS ids of a list of addresses (ids that are not addresses pass through).
    pub fn all(&self, addrs: &[String]) -> Result<Vec<String>, Unresolved> {
        addrs
            .iter()
            .map(|a| match a.contains('/') {
                true => self.id(&ResourceAddr::new(a.clone())).map(str::to_string),
                false => Ok(a.clone()),
            })
            .collect()
    }

    /// Takes in what a step made or removed.
    pub fn absorb(&mut self, outcome: &crate::plan::steps::Outcome) {
        self.ids.extend(outcome.ids.iter().map(|(a, i)| (a.clone(), i.clone())));
        for addr in &outcome.removed {
            self.ids.remove(addr);
        }
        if outcome.distribution_domain.is_some() {
            self.distribution_domain.clone_from(&outcome.distribution_domain);
        }
        self.function_versions
            .extend(outcome.function_versions.iter().map(|(f, v)| (f.clone(), v.clone())));
    }
}

impl LiveState {
    /// How the owned resources of `now` differ from these, by address: the
    /// check behind "the account is as it was" after a rollback.
    pub fn differences(&self, now: &LiveState) -> Vec<String> {
        let mut addresses: Vec<&ResourceAddr> = self.owned.keys().chain(now.owned.keys()).collect();
        addresses.sort();
        addresses.dedup();
        addresses
            .into_iter()
            .filter_map(|addr| match (self.owned.get(addr), now.owned.get(addr)) {
                (Some(_), None) => Some(format!("{addr} is gone")),
                (None, Some(_)) => Some(format!("{addr} is left")),
                (Some(was), Some(is)) if was.fields != is.fields => {
                    let fields: Vec<&str> = was
                        .fields
                        .keys()
                        .chain(is.fields.keys())
                        .filter(|k| was.fields.get(*k) != is.fields.get(*k))
                        .map(String::as_str)
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    Some(format!("{addr} differs in {}", fields.join(", ")))
                }
                _ => None,
            })
            .collect()
    }

    /// The ids of everything owned, and of the zones used without being
    /// owned, as a run starts from them.
    pub fn ids(&self) -> Ids {
        let mut ids = Ids::default();
        for (addr, resource) in &self.owned {
            ids.ids.insert(addr.clone(), resource.id.clone());
            let extra =
                |key: &str| resource.fields.get(key).and_then(|v| v.as_str()).map(str::to_string);
            match resource.kind {
                Kind::Distribution => ids.distribution_domain = extra("domain_name"),
                Kind::EdgeFunction => {
                    if let Some(version) = extra("published_version_arn") {
                        ids.function_versions.insert(resource.id.clone(), version);
                    }
                }
                _ => {}
            }
        }
        // A hosted zone that exists and that wway uses without owning it:
        // the records wway keeps in it refer to it by its address.
        for zone in self.unowned.iter().filter(|u| u.kind == Kind::Zone) {
            ids.ids.entry(ResourceAddr::zone(&zone.name)).or_insert_with(|| zone.id.clone());
        }
        ids
    }
}
