//! `wway export terraform`: the topology's desired state as Terraform HCL for
//! the AWS provider 6.x, one file per region and concern (network, eks) and
//! per global concern (dns, cdn, edge), with `versions.tf`, `providers.tf`
//! (an aliased provider per region, us-east-1 serving the global services),
//! `variables.tf` (role ARNs, the certificate), `outputs.tf`, and with live
//! ids `imports.tf`. Pure and deterministic: the same input gives the same
//! bytes; nothing here reads the disk or the cloud.

mod cdn;
mod dns;
mod imports;
mod names;
mod regional;
mod variables;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::hcl::{Block, Expr, document, identifier};
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::LiveState;
use crate::state::{Fields, Kind, ResourceAddr};
use variables::Variables;

/// What an export needs besides the desired state.
pub struct Inputs<'a> {
    pub desired: &'a DesiredState,
    /// Each edge function's code folder, relative to the output folder.
    pub sources: &'a BTreeMap<ResourceAddr, String>,
    /// The live account, for `import` blocks (`--with-imports`).
    pub live: Option<&'a LiveState>,
}

/// The files of the export, by name.
pub fn export(inputs: &Inputs) -> BTreeMap<String, String> {
    let desired = inputs.desired;
    let variables = Variables::of(desired);
    let mut files: BTreeMap<String, Vec<Block>> = BTreeMap::new();
    let mut resources: Vec<&DesiredResource> = desired.resources.values().collect();
    resources.sort_by(|a, b| (a.kind, &a.addr).cmp(&(b.kind, &b.addr)));
    let refs = Refs { desired, names: names::Names::of(desired) };
    for resource in resources {
        let blocks = match resource.kind {
            Kind::Vpc | Kind::Subnet | Kind::EksCluster | Kind::NodeGroup => {
                regional::blocks(resource, &refs, &variables)
            }
            Kind::Zone | Kind::HealthCheck | Kind::Record => dns::blocks(resource, &refs),
            Kind::Distribution => vec![cdn::distribution(resource, &refs, &variables)],
            Kind::EdgeFunction => {
                let source = inputs.sources.get(&resource.addr).map_or(".", String::as_str);
                cdn::edge_function(resource, source, &refs, &variables)
            }
        };
        files.entry(file_of(resource)).or_default().extend(blocks);
    }
    files.entry("dns.tf".into()).or_default().extend(dns::owner_records(desired, &refs));
    files.insert("versions.tf".into(), vec![versions()]);
    files.insert("providers.tf".into(), providers(desired));
    files.insert("variables.tf".into(), variables.blocks());
    files.insert("outputs.tf".into(), outputs(desired, &refs));
    if let Some(live) = inputs.live {
        let blocks = imports::blocks(desired, live, &refs);
        if !blocks.is_empty() {
            files.insert("imports.tf".into(), blocks);
        }
    }
    files.into_iter().filter(|(_, b)| !b.is_empty()).map(|(name, b)| (name, document(&b))).collect()
}

fn file_of(resource: &DesiredResource) -> String {
    let region = &resource.region;
    match resource.kind {
        Kind::Vpc | Kind::Subnet => format!("{region}-network.tf"),
        Kind::EksCluster | Kind::NodeGroup => format!("{region}-eks.tf"),
        Kind::Zone | Kind::HealthCheck | Kind::Record => "dns.tf".into(),
        Kind::Distribution => "cdn.tf".into(),
        Kind::EdgeFunction => "edge.tf".into(),
    }
}

/// The Terraform resource type of a kind.
fn resource_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Vpc => "aws_vpc",
        Kind::Subnet => "aws_subnet",
        Kind::EksCluster => "aws_eks_cluster",
        Kind::NodeGroup => "aws_eks_node_group",
        Kind::Zone => "aws_route53_zone",
        Kind::HealthCheck => "aws_route53_health_check",
        Kind::Record => "aws_route53_record",
        Kind::EdgeFunction => "aws_lambda_function",
        Kind::Distribution => "aws_cloudfront_distribution",
    }
}

/// References between the exported resources.
pub(crate) struct Refs<'a> {
    desired: &'a DesiredState,
    names: names::Names,
}

impl Refs<'_> {
    /// `aws_vpc.us_east_1`: the resource at `addr`.
    fn address(&self, addr: &ResourceAddr) -> String {
        let kind = self.desired.resources.get(addr).map_or(Kind::Vpc, |r| r.kind);
        format!("{}.{}", resource_type(kind), self.names.resource(addr))
    }

    /// `aws_vpc.us_east_1.id`: an attribute of the resource at `addr`.
    fn attribute(&self, addr: &str, attribute: &str) -> Expr {
        Expr::raw(format!("{}.{attribute}", self.address(&ResourceAddr::new(addr))))
    }

    /// A resource block, starting with its provider.
    fn resource(&self, resource: &DesiredResource) -> Block {
        let name = self.names.resource(&resource.addr);
        Block::new("resource", &[resource_type(resource.kind), name])
            .attr("provider", provider(&resource.region))
    }

    /// The `.id` of each resource a list field names.
    fn ids(&self, fields: &Fields, field: &str) -> Expr {
        Expr::List(strings(fields, field).iter().map(|a| self.attribute(a, "id")).collect())
    }
}

fn provider(region: &str) -> Expr {
    Expr::raw(format!("aws.{}", identifier(region)))
}

fn text(fields: &Fields, field: &str) -> String {
    value_text(fields.get(field).unwrap_or(&Value::Null))
}

fn value_text(value: &Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_default()
}

fn number(fields: &Fields, field: &str) -> Expr {
    Expr::Num(fields.get(field).and_then(Value::as_i64).unwrap_or_default())
}

fn strings(fields: &Fields, field: &str) -> Vec<String> {
    let values = fields.get(field).and_then(Value::as_array).into_iter().flatten();
    values.map(value_text).collect()
}

/// A map of strings (tags, labels) as an HCL object.
fn map(fields: &Fields, field: &str) -> Expr {
    let entries = fields.get(field).and_then(Value::as_object).into_iter().flatten();
    Expr::Map(entries.map(|(k, v)| (k.clone(), Expr::Str(value_text(v)))).collect())
}

fn versions() -> Block {
    let provider = |source: &str, version: &str| {
        Expr::Map(vec![
            ("source".into(), Expr::str(source)),
            ("version".into(), Expr::str(version)),
        ])
    };
    Block::new("terraform", &[]).attr("required_version", Expr::str(">= 1.5.0")).block(
        Block::new("required_providers", &[])
            .attr("archive", provider("hashicorp/archive", "~> 2.4"))
            .attr("aws", provider("hashicorp/aws", "~> 6.0")),
    )
}

/// An aliased provider per region the resources use (us-east-1 among them
/// for the global services).
fn providers(desired: &DesiredState) -> Vec<Block> {
    let regions: BTreeSet<&str> = desired.resources.values().map(|r| r.region.as_str()).collect();
    regions
        .into_iter()
        .map(|region| {
            Block::new("provider", &["aws"])
                .attr("alias", Expr::str(identifier(region)))
                .attr("region", Expr::str(region))
        })
        .collect()
}

fn outputs(desired: &DesiredState, refs: &Refs) -> Vec<Block> {
    let output = |name: String, description: String, value: Expr| {
        Block::new("output", &[&name])
            .attr("description", Expr::Str(description))
            .attr("value", value)
    };
    let mut blocks = Vec::new();
    for resource in desired.resources.values() {
        let addr = resource.addr.as_str();
        match resource.kind {
            Kind::EksCluster => blocks.push(output(
                format!("cluster_endpoint_{}", identifier(&resource.region)),
                format!("The API endpoint of the EKS cluster in {}.", resource.region),
                refs.attribute(addr, "endpoint"),
            )),
            Kind::Zone => blocks.push(output(
                format!("name_servers_{}", refs.names.resource(&resource.addr)),
                format!("The name servers of {}.", resource.name),
                refs.attribute(addr, "name_servers"),
            )),
            Kind::Distribution => blocks.push(output(
                "distribution_domain_name".into(),
                "The CloudFront distribution's domain name.".into(),
                refs.attribute(addr, "domain_name"),
            )),
            _ => {}
        }
    }
    blocks
}
