//! `--with-imports`: a Terraform 1.5+ `import` block for every declared
//! resource that the live account holds, with the ID the AWS provider
//! imports it by, so that a team takes over what exists without recreating
//! anything. An existing zone that wway uses without owning it is imported
//! too: its records live in it, and Terraform must not make a second one.

use super::dns::{owner_groups, owner_name};
use super::{Refs, text};
use crate::present::hcl::{Block, Expr};
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::LiveState;
use crate::state::{Kind, ResourceAddr};

fn import(to: String, id: String) -> Block {
    Block::new("import", &[]).attr("to", Expr::Raw(to)).attr("id", Expr::Str(id))
}

/// The live id of a declared zone, owned or used as it is, without the
/// `/hostedzone/` Route 53 may put before it.
fn zone_id(live: &LiveState, zone: &DesiredResource) -> Option<String> {
    let owned = live.owned.get(&zone.addr).map(|z| z.id.as_str());
    let used = || live.unowned.iter().find(|u| u.kind == Kind::Zone && u.name == zone.name);
    let id = owned.or_else(|| used().map(|u| u.id.as_str()))?;
    Some(id.trim_start_matches("/hostedzone/").to_string())
}

/// The live id of the zone a record is in.
fn record_zone_id(
    desired: &DesiredState,
    live: &LiveState,
    record: &DesiredResource,
) -> Option<String> {
    let zone = desired.resources.get(&ResourceAddr::new(text(&record.fields, "zone")))?;
    zone_id(live, zone)
}

/// The provider's import id of a declared resource, when the account holds it.
fn import_id(desired: &DesiredState, live: &LiveState, r: &DesiredResource) -> Option<String> {
    let f = &r.fields;
    match r.kind {
        Kind::Zone => zone_id(live, r),
        _ if !live.owned.contains_key(&r.addr) => None,
        Kind::NodeGroup => Some(format!("{}:{}", text(f, "cluster"), text(f, "name"))),
        // ZONEID_NAME_TYPE[_SETIDENTIFIER]
        Kind::Record => {
            let name = text(f, "name");
            let zone = record_zone_id(desired, live, r)?;
            let mut id = format!("{zone}_{}_{}", name.trim_end_matches('.'), text(f, "type"));
            if f.contains_key("set_identifier") {
                id = format!("{id}_{}", text(f, "set_identifier"));
            }
            Some(id)
        }
        _ => live.owned.get(&r.addr).map(|found| found.id.clone()),
    }
}

pub fn blocks(desired: &DesiredState, live: &LiveState, refs: &Refs) -> Vec<Block> {
    let mut blocks = Vec::new();
    for r in desired.resources.values() {
        if let Some(id) = import_id(desired, live, r) {
            blocks.push(import(refs.address(&r.addr), id));
        }
    }
    // The ownership TXT record of each record name that has one.
    for ((fqdn, _), records) in owner_groups(desired) {
        let name = owner_name(&fqdn);
        if !live.record_owners.contains_key(&format!("{name}.")) {
            continue;
        }
        let Some(resource) = records.first().and_then(|a| desired.resources.get(*a)) else {
            continue;
        };
        let Some(zone) = record_zone_id(desired, live, resource) else { continue };
        let to = format!("aws_route53_record.{}", refs.names.owner(&fqdn));
        blocks.push(import(to, format!("{zone}_{name}_TXT")));
    }
    blocks
}
