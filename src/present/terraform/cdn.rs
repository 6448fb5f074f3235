//! CloudFront and Lambda@Edge (`cdn.tf`, `edge.tf`): the distribution with
//! its origins, default and ordered cache behaviors (their Lambda@Edge
//! associations pointing at the published version), error pages, logging,
//! geo restriction and certificate; each edge function packaged by
//! `archive_file` from its code folder and published.

use serde_json::Value;

use super::variables::Variables;
use super::{Refs, map, number, text, value_text};
use crate::present::hcl::{Block, Expr};
use crate::state::ResourceAddr;
use crate::state::desired::DesiredResource;

fn strs(value: &Value) -> Expr {
    Expr::strs(value.as_array().into_iter().flatten().map(value_text))
}

fn int(value: &Value) -> Expr {
    Expr::Num(value.as_i64().unwrap_or_default())
}

/// A cache behavior; `ordered` ones carry their path pattern.
fn behavior(kind: &str, b: &Value, refs: &Refs) -> Block {
    let mut block = Block::new(kind, &[]);
    if let Some(path) = b.get("path") {
        block = block.attr("path_pattern", Expr::Str(value_text(path)));
    }
    block = block
        .attr("target_origin_id", Expr::Str(value_text(&b["origin"])))
        .attr("viewer_protocol_policy", Expr::Str(value_text(&b["viewer_protocol_policy"])))
        .attr("allowed_methods", strs(&b["allowed_methods"]))
        .attr("cached_methods", strs(&b["cached_methods"]))
        .attr("compress", Expr::Bool(b["compress"].as_bool().unwrap_or(false)))
        .attr("min_ttl", int(&b["min_ttl"]))
        .attr("default_ttl", int(&b["default_ttl"]))
        .attr("max_ttl", int(&b["max_ttl"]));
    let forward = &b["forward"];
    block = block.block(
        Block::new("forwarded_values", &[])
            .attr("query_string", Expr::Bool(forward["query_string"].as_bool().unwrap_or(false)))
            .attr("headers", strs(&forward["headers"]))
            .block(
                Block::new("cookies", &[])
                    .attr("forward", Expr::Str(value_text(&forward["cookies"]))),
            ),
    );
    let functions = b["edge_functions"].as_array().into_iter().flatten();
    block.blocks(functions.map(|f| {
        let function = value_text(&f["function"]);
        Block::new("lambda_function_association", &[])
            .attr("event_type", Expr::Str(value_text(&f["event"])))
            .attr("lambda_arn", refs.attribute(&function_addr(refs, &function), "qualified_arn"))
            .attr("include_body", Expr::Bool(false))
    }))
}

/// The address of the edge function AWS knows as `function`.
fn function_addr(refs: &Refs, function: &str) -> String {
    let found = refs.desired.resources.values().find(|r| r.name == function);
    found.map_or_else(|| ResourceAddr::edge_function(function).to_string(), |r| r.addr.to_string())
}

pub fn distribution(r: &DesiredResource, refs: &Refs, variables: &Variables) -> Block {
    let f = &r.fields;
    let field = |name: &str| f.get(name).unwrap_or(&Value::Null);
    let mut block = refs
        .resource(r)
        .attr("enabled", Expr::Bool(field("enabled").as_bool().unwrap_or(true)))
        .attr("comment", Expr::Str(text(f, "comment")))
        .attr("aliases", strs(field("aliases")))
        .attr("price_class", Expr::Str(text(f, "price_class")))
        .attr("tags", map(f, "tags"));
    for origin in field("origins").as_array().into_iter().flatten() {
        block = block.block(
            Block::new("origin", &[])
                .attr("origin_id", Expr::Str(value_text(&origin["id"])))
                .attr("domain_name", Expr::Str(value_text(&origin["domain_name"])))
                .block(
                    Block::new("custom_origin_config", &[])
                        .attr("http_port", Expr::Num(80))
                        .attr("https_port", Expr::Num(443))
                        .attr(
                            "origin_protocol_policy",
                            Expr::Str(value_text(&origin["protocol_policy"])),
                        )
                        .attr("origin_ssl_protocols", Expr::strs(["TLSv1.2"])),
                ),
        );
    }
    block = block.block(behavior("default_cache_behavior", field("default_behavior"), refs));
    for b in field("behaviors").as_array().into_iter().flatten() {
        block = block.block(behavior("ordered_cache_behavior", b, refs));
    }
    for page in field("error_pages").as_array().into_iter().flatten() {
        block = block.block(
            Block::new("custom_error_response", &[])
                .attr("error_code", int(&page["code"]))
                .attr("response_code", int(&page["response_code"]))
                .attr("response_page_path", Expr::Str(value_text(&page["path"]))),
        );
    }
    if let Some(logging) = f.get("logging").filter(|l| l.is_object()) {
        block = block.block(
            Block::new("logging_config", &[])
                .attr("bucket", Expr::Str(value_text(&logging["bucket"])))
                .attr("prefix", Expr::Str(value_text(&logging["prefix"])))
                .attr("include_cookies", Expr::Bool(false)),
        );
    }
    let geo = field("geo_restriction");
    block = block.block(
        Block::new("restrictions", &[]).block(
            Block::new("geo_restriction", &[])
                .attr("restriction_type", Expr::Str(value_text(&geo["type"])))
                .attr("locations", strs(&geo["countries"])),
        ),
    );
    let certificate = field("certificate");
    let viewer = match certificate.get("acm_certificate_arn") {
        Some(_) => Block::new("viewer_certificate", &[])
            .attr("acm_certificate_arn", variables.certificate())
            .attr("ssl_support_method", Expr::Str(value_text(&certificate["ssl_support_method"])))
            .attr(
                "minimum_protocol_version",
                Expr::Str(value_text(&certificate["minimum_protocol_version"])),
            ),
        None => Block::new("viewer_certificate", &[])
            .attr("cloudfront_default_certificate", Expr::Bool(true)),
    };
    block.block(viewer)
}

/// The function and its package: `archive_file` zips the code folder
/// (`source`, relative to the export) and the function is published, so that
/// CloudFront points at a version.
pub fn edge_function(
    r: &DesiredResource,
    source: &str,
    refs: &Refs,
    variables: &Variables,
) -> Vec<Block> {
    let f = &r.fields;
    let name = refs.names.resource(&r.addr);
    let package = Block::new("data", &["archive_file", name])
        .attr("type", Expr::str("zip"))
        .attr("source_dir", Expr::module_path(source))
        .attr("output_path", Expr::module_path(&format!("build/{name}.zip")));
    let archive = format!("data.archive_file.{name}");
    let function = refs
        .resource(r)
        .attr("function_name", Expr::Str(text(f, "function_name")))
        .attr("role", variables.edge_role(&r.name))
        .attr("runtime", Expr::Str(text(f, "runtime")))
        .attr("handler", Expr::Str(text(f, "handler")))
        .attr("memory_size", number(f, "memory_size"))
        .attr("timeout", number(f, "timeout"))
        .attr("filename", Expr::raw(format!("{archive}.output_path")))
        .attr("source_code_hash", Expr::raw(format!("{archive}.output_base64sha256")))
        .attr("publish", Expr::Bool(true))
        .attr("tags", map(f, "tags"));
    vec![package, function]
}
