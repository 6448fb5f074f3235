//! `--with-imports`: a Terraform 1.5+ `import` block for every declared
//! resource that the live account holds, with the ID the AWS provider
//! imports it by, so that a team takes over what exists without recreating
//! anything. An existing zone that wway uses without owning it is imported
//! too: its records live in it, and Terraform must not make a second one.

use std::collections::BTreeSet;

use super::dns::owner_name;
use super::{Refs, text};
use crate::present::hcl::{Block, Expr};
use crate::state::Kind;
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::LiveState;

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

/// The provider's import id of a declared resource, when the account holds it.
fn import_id(desired: &DesiredState, live: &LiveState, r: &DesiredResource) -> Option<String> {
    let f = &r.fields;
    let zone_of = || {
        let zone = desired.resources.get(&crate::state::ResourceAddr::new(text(f, "zone")))?;
        zone_id(live, zone)
    };
    match r.kind {
        Kind::Zone => zone_id(live, r),
        _ if !live.owned.contains_key(&r.addr) => None,
        Kind::NodeGroup => Some(format!("{}:{}", text(f, "cluster"), text(f, "name"))),
        // ZONEID_NAME_TYPE[_SETIDENTIFIER]
        Kind::Record => {
            let name = text(f, "name");
            let mut id =
                format!("{}_{}_{}", zone_of()?, name.trim_end_matches('.'), text(f, "type"));
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
    let mut owner_records = BTreeSet::new();
    for r in desired.resources.values() {
        let Some(id) = import_id(desired, live, r) else { continue };
        if r.kind == Kind::Record {
            let name = text(&r.fields, "name");
            if live.record_owners.contains_key(&format!("{}.", owner_name(&name))) {
                let zone = id.split('_').next().unwrap_or_default().to_string();
                owner_records.insert((name, zone));
            }
        }
        blocks.push(import(refs.address(&r.addr), id));
    }
    for (name, zone) in owner_records {
        let to = format!("aws_route53_record.{}", refs.names.owner(&name));
        blocks.push(import(to, format!("{zone}_{}_TXT", owner_name(&name))));
    }
    blocks
}
