//! `--with-imports`: a Terraform 1.5+ `import` block for every declared
//! resource that the live account holds, with the ID the AWS provider
//! imports it by, so that a team takes over what exists without recreating
//! anything.

use super::dns::{owner_name, owner_resource_name};
use super::{resource_name, resource_type, text};
use crate::present::hcl::{Block, Expr};
use crate::state::desired::DesiredState;
use crate::state::live::LiveState;
use crate::state::{Kind, ResourceAddr};

fn import(to: String, id: String) -> Block {
    Block::new("import", &[]).attr("to", Expr::Raw(to)).attr("id", Expr::Str(id))
}

/// A hosted zone's id without the `/hostedzone/` Route 53 puts before it.
fn zone_id(live: &LiveState, zone: &str) -> Option<String> {
    let found = live.owned.get(&ResourceAddr::new(zone))?;
    Some(found.id.trim_start_matches("/hostedzone/").to_string())
}

pub fn blocks(desired: &DesiredState, live: &LiveState) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut owner_records = std::collections::BTreeSet::new();
    for r in desired.resources.values() {
        let Some(found) = live.owned.get(&r.addr) else { continue };
        let f = &r.fields;
        let id = match r.kind {
            Kind::NodeGroup => format!("{}:{}", text(f, "cluster"), text(f, "name")),
            Kind::Zone => found.id.trim_start_matches("/hostedzone/").to_string(),
            // ZONEID_NAME_TYPE[_SETIDENTIFIER], the provider's record import id.
            Kind::Record => {
                let Some(zone) = zone_id(live, &text(f, "zone")) else { continue };
                let name = text(f, "name");
                let mut id = format!("{zone}_{}_{}", name.trim_end_matches('.'), text(f, "type"));
                if f.contains_key("set_identifier") {
                    id = format!("{id}_{}", text(f, "set_identifier"));
                }
                if live.record_owners.contains_key(&format!("{}.", owner_name(&name))) {
                    owner_records.insert((name, zone));
                }
                id
            }
            _ => found.id.clone(),
        };
        let to = format!("{}.{}", resource_type(r.kind), resource_name(&r.addr, r.kind));
        blocks.push(import(to, id));
    }
    for (name, zone) in owner_records {
        let to = format!("aws_route53_record.{}", owner_resource_name(&name));
        blocks.push(import(to, format!("{zone}_{}_TXT", owner_name(&name))));
    }
    blocks
}
