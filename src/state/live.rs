//! The live state: what an account holds, as read by the cloud layer. Plain
//! serde data, so tests load it from `fixtures/` and plans carry fingerprints
//! of it. Resources wway owns are keyed by their address; resources it does
//! not own are kept only where their name clashes with one wway would create.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::kinds::RegionFacts;
use crate::kinds::{Fields, Kind, OnClash, ResourceAddr};

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
    /// What AWS says of it when it is not well (a node group CREATE_FAILED
    /// or DEGRADED, with its health issues).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy: Option<Unhealthy>,
}

/// How bad AWS says a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    /// Failed for good (CREATE_FAILED): AWS will not bring it back, so the
    /// plan replaces it.
    Failed,
    /// Still there and running, but not well (DEGRADED); it may heal, and a
    /// replacement would take what it still serves, so it is reported only.
    Degraded,
}

/// What AWS says of a resource that is not well.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unhealthy {
    pub health: Health,
    /// AWS's state and reasons: "DEGRADED: AsgInstanceLaunchFailures: ...".
    pub reason: String,
}

/// For sentences: "AWS says it is degraded: DEGRADED: ...".
impl std::fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let says = match self.health {
            Health::Failed => "AWS says it failed",
            Health::Degraded => "AWS says it is degraded",
        };
        write!(f, "{says}: {}", self.reason)
    }
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
    /// The declared resource that wants its name, where the read knows it
    /// (a hosted zone wway uses as it is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wanted_by: Option<ResourceAddr>,
}

/// Values a made resource gives the resources that refer to it (a
/// distribution's domain name, a function's published version), by name.
pub type Outputs = BTreeMap<String, String>;

/// AWS identifiers and outputs by address, so that a change can refer to
/// what other changes made (a subnet to its VPC's id, a record to its health
/// check's id or to the distribution's domain).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ids {
    pub ids: BTreeMap<ResourceAddr, String>,
    #[serde(default)]
    pub outputs: BTreeMap<ResourceAddr, Outputs>,
}

/// What a step made: new AWS ids and outputs, and what it removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub ids: BTreeMap<ResourceAddr, String>,
    pub removed: Vec<ResourceAddr>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<ResourceAddr, Outputs>,
    /// The step could not finish yet and later runs retry it (the deletion of
    /// a Lambda@Edge function whose replicas CloudFront still holds).
    pub deferred: bool,
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

    /// Output `name` of the resource at `addr`.
    pub fn output(&self, addr: &ResourceAddr, name: &str) -> Result<&str, Unresolved> {
        let value = self.outputs.get(addr).and_then(|o| o.get(name));
        value.map(String::as_str).ok_or_else(|| Unresolved(format!("{addr} ({name})")))
    }

    /// Output `name` of the resource whose AWS id is `id`.
    pub fn output_of_id(&self, id: &str, name: &str) -> Option<&str> {
        let addr = self.ids.iter().find(|(_, i)| *i == id).map(|(a, _)| a)?;
        self.outputs.get(addr)?.get(name).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.outputs.is_empty()
    }

    /// The ids and outputs of `addrs` alone.
    pub fn only(&self, addrs: &std::collections::BTreeSet<&ResourceAddr>) -> Ids {
        fn kept<V: Clone>(
            map: &BTreeMap<ResourceAddr, V>,
            addrs: &std::collections::BTreeSet<&ResourceAddr>,
        ) -> BTreeMap<ResourceAddr, V> {
            map.iter()
                .filter(|(a, _)| addrs.contains(a))
                .map(|(a, v)| (a.clone(), v.clone()))
                .collect()
        }
        Ids { ids: kept(&self.ids, addrs), outputs: kept(&self.outputs, addrs) }
    }

    /// These ids, with `over`'s in place of theirs.
    pub fn overlaid(&self, over: &Ids) -> Ids {
        let mut ids = self.clone();
        ids.ids.extend(over.ids.iter().map(|(a, i)| (a.clone(), i.clone())));
        ids.outputs.extend(over.outputs.iter().map(|(a, o)| (a.clone(), o.clone())));
        ids
    }

    /// Takes in what a step made or removed.
    pub fn absorb(&mut self, outcome: &Outcome) {
        self.ids.extend(outcome.ids.iter().map(|(a, i)| (a.clone(), i.clone())));
        for (addr, outputs) in &outcome.outputs {
            self.outputs.entry(addr.clone()).or_default().extend(outputs.clone());
        }
        for addr in &outcome.removed {
            self.ids.remove(addr);
            self.outputs.remove(addr);
        }
    }
}

impl LiveState {
    /// The account as an apply of `desired` would leave it: every resource
    /// present with the fields the file asks for (ids made up). For planning
    /// against a converged account without a cloud: tests and benchmarks.
    pub fn as_applied(desired: &crate::state::desired::DesiredState) -> LiveState {
        let owned = desired
            .resources
            .values()
            .map(|r| {
                let live = LiveResource {
                    kind: r.kind,
                    id: format!("id-{}", r.addr),
                    fields: r.fields.clone(),
                    deps: r.deps.clone(),
                    fingerprint: "f0".into(),
                    unhealthy: None,
                };
                (r.addr.clone(), live)
            })
            .collect();
        LiveState { owned, ..Default::default() }
    }

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
            let outputs: Outputs = resource
                .kind
                .def()
                .outputs()
                .iter()
                .filter_map(|name| {
                    let value = resource.fields.get(*name)?.as_str()?;
                    Some((name.to_string(), value.to_string()))
                })
                .collect();
            if !outputs.is_empty() {
                ids.outputs.insert(addr.clone(), outputs);
            }
        }
        // A hosted zone that exists and that wway uses without owning it:
        // the records wway keeps in it refer to it by its address.
        for used in self.unowned.iter().filter(|u| u.kind.def().on_clash() == OnClash::Use) {
            if let Some(addr) = &used.wanted_by {
                ids.ids.entry(addr.clone()).or_insert_with(|| used.id.clone());
            }
        }
        ids
    }
}
