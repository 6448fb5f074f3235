//! Lowering: what a topology declares, as resources of each kind. Each kind
//! lowers itself from the validated model (`KindDef::lower`, in its own
//! file); this holds what they share: the topology, its edge functions'
//! code hashes, and the tags every resource carries.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Kind, Resource, ResourceAddr, api_region, spec};
use crate::topology::Topology;

/// What a kind lowers from.
pub struct Lowering<'t> {
    pub topology: &'t Topology,
    /// Each edge function's code hash, by its name in the file (the only
    /// thing lowering reads besides the file: hashed before lowering starts).
    pub code: &'t BTreeMap<String, String>,
}

impl Lowering<'_> {
    /// The topology's tags, the ownership tags, and `extra` (such as `Name`).
    pub fn tags(&self, addr: &ResourceAddr, extra: &[(&str, String)]) -> BTreeMap<String, String> {
        super::tags(&self.topology.name, &self.topology.tags, addr, extra)
    }

    /// `<topology>-<region>`, the `Name` of a region's network resources.
    pub fn label(&self, region: &str) -> String {
        format!("{}-{region}", self.topology.name)
    }

    /// The public domain name of a region's entry point (its `origin:`).
    pub fn origin_domain(&self, region: &str) -> String {
        self.topology.region(region).and_then(|r| r.origin.clone()).unwrap_or_default()
    }
}

/// A declared resource of `kind` made of its spec; its API region follows
/// from its address and its kind's placement.
pub fn resource<S: Serialize>(
    addr: ResourceAddr,
    kind: Kind,
    name: &str,
    spec: &S,
    deps: Vec<ResourceAddr>,
) -> Resource {
    let region = api_region(kind, &addr);
    Resource {
        addr,
        kind,
        region,
        name: name.into(),
        fields: spec::fields(spec),
        deps,
        source: None,
    }
}

/// Sorted copies of a list the file gives in any order.
pub fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    items.sort();
    items
}
