//! The desired state: every resource a topology declares, with the fields wway
//! will set and the resources each depends on. Each kind lowers itself from
//! the validated model (`KindDef::lower`); this hashes the edge functions'
//! code folders first, the only thing it reads besides the file.

use std::collections::BTreeMap;

use super::package::package;
use crate::kinds::{Kind, Lowering, ResourceAddr};
use crate::topology::Topology;

pub use crate::kinds::Resource as DesiredResource;

#[derive(Debug, Clone, Default)]
pub struct DesiredState {
    pub topology: String,
    pub resources: BTreeMap<ResourceAddr, DesiredResource>,
}

pub fn desired(topology: &Topology) -> std::io::Result<DesiredState> {
    let mut code = BTreeMap::new();
    for function in &topology.edge_functions {
        code.insert(function.name.clone(), package(&function.source)?.sha256);
    }
    let from = Lowering { topology, code: &code };
    let resources = Kind::ALL
        .iter()
        .flat_map(|kind| kind.def().lower(&from))
        .map(|resource| (resource.addr.clone(), resource))
        .collect();
    Ok(DesiredState { topology: topology.name.clone(), resources })
}
