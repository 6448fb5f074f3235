//! Route 53 (`dns.tf`): the zone, the health checks, every record set with
//! its routing policy (failover, geolocation, latency, weighted, simple;
//! an alias for the CDN), and the ownership TXT records wway keeps beside
//! them (`_wway.<name>`), so that the account and the export agree.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Refs, map, number, strings, text, value_text};
use crate::present::hcl::{Block, Expr};
use crate::state::desired::{DesiredState, owner_value};
use crate::state::{Fields, Kind, ResourceAddr};

/// The TTL of the ownership TXT records, as wway writes them.
pub const OWNER_TTL: i64 = 300;

pub fn blocks(r: &crate::state::desired::DesiredResource, refs: &Refs) -> Vec<Block> {
    let f = &r.fields;
    let block = match r.kind {
        Kind::Zone => refs
            .resource(r)
            .attr("name", Expr::Str(text(f, "name").trim_end_matches('.').to_string()))
            .attr("tags", map(f, "tags")),
        Kind::HealthCheck => {
            let kind = text(f, "type");
            let mut check = refs
                .resource(r)
                .attr("type", Expr::str(&kind))
                .attr("fqdn", Expr::Str(text(f, "fqdn")))
                .attr("port", number(f, "port"));
            if kind != "TCP" {
                check = check.attr("resource_path", Expr::Str(text(f, "resource_path")));
            }
            check
                .attr("request_interval", number(f, "request_interval"))
                .attr("failure_threshold", number(f, "failure_threshold"))
                .attr("tags", map(f, "tags"))
        }
        Kind::Record => record(r, f, refs),
        _ => return Vec::new(),
    };
    vec![block]
}

fn record(r: &crate::state::desired::DesiredResource, f: &Fields, refs: &Refs) -> Block {
    let mut block = refs
        .resource(r)
        .attr("zone_id", refs.attribute(&text(f, "zone"), "zone_id"))
        .attr("name", Expr::Str(text(f, "name").trim_end_matches('.').to_string()))
        .attr("type", Expr::Str(text(f, "type")));
    if f.contains_key("ttl") {
        block =
            block.attr("ttl", number(f, "ttl")).attr("records", Expr::strs(strings(f, "values")));
    }
    if f.contains_key("set_identifier") {
        block = block.attr("set_identifier", Expr::Str(text(f, "set_identifier")));
    }
    if f.contains_key("health_check") {
        block = block.attr("health_check_id", refs.attribute(&text(f, "health_check"), "id"));
    }
    if let Some(alias) = f.get("alias") {
        let target = value_text(&alias["target"]);
        block = block.block(
            Block::new("alias", &[])
                .attr("name", refs.attribute(&target, "domain_name"))
                .attr("zone_id", refs.attribute(&target, "hosted_zone_id"))
                .attr("evaluate_target_health", Expr::Bool(false)),
        );
    }
    if f.contains_key("failover") {
        block = block.block(
            Block::new("failover_routing_policy", &[]).attr("type", Expr::Str(text(f, "failover"))),
        );
    }
    if let Some(Value::Object(location)) = f.get("geolocation") {
        let mut policy = Block::new("geolocation_routing_policy", &[]);
        for (key, value) in location {
            policy = policy.attr(key, Expr::Str(value_text(value)));
        }
        block = block.block(policy);
    }
    if f.contains_key("region") {
        block = block.block(
            Block::new("latency_routing_policy", &[]).attr("region", Expr::Str(text(f, "region"))),
        );
    }
    if f.contains_key("weight") {
        block = block
            .block(Block::new("weighted_routing_policy", &[]).attr("weight", number(f, "weight")));
    }
    block
}

/// The record sets of each record name, by (name, zone address): each name
/// has one ownership TXT record.
pub fn owner_groups(desired: &DesiredState) -> BTreeMap<(String, String), Vec<&ResourceAddr>> {
    let mut owners: BTreeMap<(String, String), Vec<&ResourceAddr>> = BTreeMap::new();
    for r in desired.resources.values().filter(|r| r.kind == Kind::Record) {
        let key = (text(&r.fields, "name"), text(&r.fields, "zone"));
        owners.entry(key).or_default().push(&r.addr);
    }
    owners
}

/// The ownership TXT record of each record name: one string per record set
/// of that name (`wway=<topology>/<variant>`).
pub fn owner_records(desired: &DesiredState, refs: &Refs) -> Vec<Block> {
    owner_groups(desired)
        .into_iter()
        .map(|((fqdn, zone), addrs)| {
            let name = owner_name(&fqdn);
            let values: Vec<String> =
                addrs.iter().map(|a| owner_value(&desired.topology, a)).collect();
            let region = desired
                .resources
                .get(&ResourceAddr::new(&zone))
                .map_or("us-east-1", |z| z.region.as_str());
            Block::new("resource", &["aws_route53_record", refs.names.owner(&fqdn)])
                .attr("provider", super::provider(region))
                .attr("zone_id", refs.attribute(&zone, "zone_id"))
                .attr("name", Expr::Str(name))
                .attr("type", Expr::str("TXT"))
                .attr("ttl", Expr::Num(OWNER_TTL))
                .attr("records", Expr::strs(values))
        })
        .collect()
}

/// `_wway.api.wonderway.com`: the owner record of `api.wonderway.com.`.
pub fn owner_name(fqdn: &str) -> String {
    format!("_wway.{}", fqdn.trim_end_matches('.'))
}
