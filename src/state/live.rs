//! The live state: what an account holds, as read by the cloud layer. Plain
//! serde data, so tests load it from `fixtures/` and plans carry fingerprints
//! of it. Resources wway owns are keyed by their address; resources it does
//! not own are kept only where their name clashes with one wway would create.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Fields, Kind, ResourceAddr};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveState {
    /// Resources that carry this topology's ownership marks.
    pub owned: BTreeMap<ResourceAddr, LiveResource>,
    /// Resources of others that hold a name wway needs.
    pub unowned: Vec<Unowned>,
    /// Facts about the account that a plan checks before it plans.
    pub regions: BTreeMap<String, RegionFacts>,
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
