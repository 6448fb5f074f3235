//! `wway export terraform`: the topology's desired state as Terraform HCL for
//! the AWS provider 6.x, one file per region and concern (network, eks) and
//! per global concern (dns, cdn, edge), with `versions.tf`, `providers.tf`
//! (an aliased provider per region, us-east-1 serving the global services),
//! `variables.tf` (role ARNs, the certificate), `outputs.tf`, and with live
//! ids `imports.tf`. Pure and deterministic: the same input gives the same
//! bytes; nothing here reads the disk or the cloud.

mod names;
mod variables;

use std::collections::{BTreeMap, BTreeSet};

use crate::hcl::{Block, Expr, document, identifier};
use crate::kinds::terraform::{Exporter, Setting};
use crate::kinds::{Kind, Resource, ResourceAddr, SpecError};
use crate::state::desired::DesiredState;
use crate::state::live::LiveState;
use variables::Variables;

/// What an export needs besides the desired state.
pub struct Inputs<'a> {
    pub desired: &'a DesiredState,
    /// Each edge function's code folder, relative to the output folder.
    pub sources: &'a BTreeMap<ResourceAddr, String>,
    /// The live account, for `import` blocks (`--with-imports`).
    pub live: Option<&'a LiveState>,
}

/// The files of the export, by name. Each kind writes its blocks.
pub fn export(inputs: &Inputs) -> Result<BTreeMap<String, String>, SpecError> {
    let desired = inputs.desired;
    let refs = Refs { inputs, names: names::Names::of(desired), variables: Variables::of(desired) };
    let mut files: BTreeMap<String, Vec<Block>> = BTreeMap::new();
    let mut shared_imports = Vec::new();
    for kind in Kind::ALL {
        let def = kind.def();
        let resources = refs.all(kind);
        for resource in &resources {
            let file = def.terraform_file(&resource.region);
            files.entry(file).or_default().extend(def.terraform(resource, &refs)?);
        }
        let shared = def.terraform_shared(&resources, &refs);
        for (file, block) in shared.blocks {
            files.entry(file).or_default().push(block);
        }
        shared_imports.extend(shared.imports);
    }
    let declared = || desired.resources.values();
    let outputs = declared().flat_map(|r| r.kind.def().terraform_outputs(r, &refs)).collect();
    let mut imports = Vec::new();
    if inputs.live.is_some() {
        for resource in declared() {
            let def = resource.kind.def();
            if let Some(id) = def.import_id(resource, &refs) {
                let to =
                    format!("{}.{}", def.terraform_type(), refs.names.resource(&resource.addr));
                imports.push(crate::kinds::terraform::import(to, id));
            }
        }
        imports.extend(shared_imports);
    }
    files.insert("versions.tf".into(), vec![versions()]);
    files.insert("providers.tf".into(), providers(desired));
    files.insert("variables.tf".into(), refs.variables.blocks());
    files.insert("outputs.tf".into(), outputs);
    if !imports.is_empty() {
        files.insert("imports.tf".into(), imports);
    }
    Ok(files
        .into_iter()
        .filter(|(_, b)| !b.is_empty())
        .map(|(name, b)| (name, document(&b)))
        .collect())
}

/// The export as the kinds see it: names, references, variables, live ids.
struct Refs<'a> {
    inputs: &'a Inputs<'a>,
    names: names::Names,
    variables: Variables,
}

impl Exporter for Refs<'_> {
    fn topology(&self) -> &str {
        &self.inputs.desired.topology
    }

    fn declared(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.inputs.desired.resources.get(addr)
    }

    fn all(&self, kind: Kind) -> Vec<&Resource> {
        self.inputs.desired.resources.values().filter(|r| r.kind == kind).collect()
    }

    fn resource(&self, resource: &Resource) -> Block {
        let name = self.names.resource(&resource.addr);
        Block::new("resource", &[resource.kind.def().terraform_type(), name])
            .attr("provider", self.provider(&resource.region))
    }

    fn provider(&self, region: &str) -> Expr {
        Expr::raw(format!("aws.{}", identifier(region)))
    }

    fn attribute(&self, addr: &str, attribute: &str) -> Expr {
        let addr = ResourceAddr::new(addr);
        let resource_type =
            self.declared(&addr).map_or("unknown", |r| r.kind.def().terraform_type());
        Expr::raw(format!("{resource_type}.{}.{attribute}", self.names.resource(&addr)))
    }

    fn name(&self, addr: &ResourceAddr) -> String {
        self.names.resource(addr).to_string()
    }

    fn unique_name(&self, resource_type: &'static str, wanted: String) -> String {
        self.names.unique(resource_type, wanted)
    }

    fn variable(&self, setting: Setting, scope: &str) -> Expr {
        self.variables.reference(setting, scope)
    }

    fn source(&self, addr: &ResourceAddr) -> String {
        self.inputs.sources.get(addr).map_or(".", String::as_str).to_string()
    }

    fn live_id(&self, addr: &ResourceAddr) -> Option<&str> {
        self.inputs.live?.owned.get(addr).map(|r| r.id.as_str())
    }

    fn live_field(&self, addr: &ResourceAddr, field: &str) -> Option<&serde_json::Value> {
        self.inputs.live?.owned.get(addr)?.fields.get(field)
    }

    fn used_id(&self, kind: Kind, name: &str) -> Option<&str> {
        let live = self.inputs.live?;
        live.unowned.iter().find(|u| u.kind == kind && u.name == name).map(|u| u.id.as_str())
    }

    fn has_owner_record(&self, fqdn: &str) -> bool {
        self.inputs.live.is_some_and(|live| live.record_owners.contains_key(fqdn))
    }
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
