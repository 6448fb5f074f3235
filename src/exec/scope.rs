//! What a topology has used: the regions and the names of resources found by
//! name (hosted zones) of every apply, remembered in the store beside the
//! journals (`scope.json`). A plan reads them as well as the ones the file
//! names now, so that owned resources left in a region or a zone the file no
//! longer names are found and planned for deletion.

use std::collections::BTreeSet;
use std::io;

use serde::{Deserialize, Serialize};

use crate::kinds::Placement;
use crate::state::desired::DesiredState;
use crate::store::Store;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub regions: BTreeSet<String>,
    /// Names of resources the account is asked for by name (hosted zones).
    pub zones: BTreeSet<String>,
}

impl Scope {
    /// The regions and zones `desired` uses.
    pub fn of(desired: &DesiredState) -> Scope {
        Scope {
            regions: desired
                .resources
                .values()
                .filter(|r| r.kind.def().placement() == Placement::Regional)
                .map(|r| r.region.clone())
                .collect(),
            zones: desired
                .resources
                .values()
                .filter(|r| r.kind.def().found_by_name())
                .map(|r| r.name.clone())
                .collect(),
        }
    }
}

const KEY: &str = "scope.json";

/// What runs in this store have used (empty before the first apply).
pub async fn read(store: &dyn Store) -> io::Result<Scope> {
    let unreadable = |e: &dyn std::fmt::Display| {
        io::Error::other(format!("cannot read {}: {e}", store.location(KEY)))
    };
    match store.read(KEY).await.map_err(|e| unreadable(&e))? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| unreadable(&e)),
        None => Ok(Scope::default()),
    }
}

/// Adds what `desired` uses; written before a run makes anything, so that a
/// run killed midway is remembered too.
pub async fn remember(store: &dyn Store, desired: &DesiredState) -> io::Result<()> {
    let mut scope = read(store).await?;
    let used = Scope::of(desired);
    if used.regions.is_subset(&scope.regions) && used.zones.is_subset(&scope.zones) {
        return Ok(());
    }
    scope.regions.extend(used.regions);
    scope.zones.extend(used.zones);
    store.replace(KEY, serde_json::to_vec_pretty(&scope).map_err(io::Error::other)?).await
}
