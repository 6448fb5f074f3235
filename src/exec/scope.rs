//! What a topology has used: the regions and hosted zones of every apply,
//! remembered beside the journals (`scope.json`). A plan reads them as well as
//! the ones the file names now, so that owned resources left in a region or a
//! zone the file no longer names are found and planned for deletion.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::state::Kind;
use crate::state::desired::DesiredState;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub regions: BTreeSet<String>,
    pub zones: BTreeSet<String>,
}

impl Scope {
    /// The regions and zones `desired` uses.
    pub fn of(desired: &DesiredState) -> Scope {
        let regional = [Kind::Vpc, Kind::Subnet, Kind::EksCluster, Kind::NodeGroup];
        Scope {
            regions: desired
                .resources
                .values()
                .filter(|r| regional.contains(&r.kind))
                .map(|r| r.region.clone())
                .collect(),
            zones: desired
                .resources
                .values()
                .filter(|r| r.kind == Kind::Zone)
                .map(|r| r.name.clone())
                .collect(),
        }
    }
}

fn path(state_dir: &Path) -> std::path::PathBuf {
    state_dir.join("scope.json")
}

/// What runs in `state_dir` have used (empty before the first apply).
pub fn read(state_dir: &Path) -> Scope {
    std::fs::read_to_string(path(state_dir))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Adds what `desired` uses; written before a run makes anything, so that a
/// run killed midway is remembered too.
pub fn remember(state_dir: &Path, desired: &DesiredState) -> io::Result<()> {
    let mut scope = read(state_dir);
    let used = Scope::of(desired);
    scope.regions.extend(used.regions);
    scope.zones.extend(used.zones);
    std::fs::create_dir_all(state_dir)?;
    let temporary = state_dir.join("scope.json.tmp");
    std::fs::write(&temporary, serde_json::to_vec_pretty(&scope).map_err(io::Error::other)?)?;
    std::fs::rename(temporary, path(state_dir))
}
