//! What a kind's Terraform block may ask of the export it is part of: the
//! references to other exported resources, the input variables, the code
//! folders and, for `--with-imports`, the live ids. The export
//! (`export/terraform`) implements [`Exporter`]; the kinds write the blocks.

use std::collections::BTreeMap;

use crate::hcl::{Block, Expr};

use super::{Kind, Resource, ResourceAddr};

/// An input variable kind: its name and what its description says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub base: &'static str,
    pub description: &'static str,
}

/// A resource's use of a setting: in a scope (a region, a function), a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableUse {
    pub setting: Setting,
    pub scope: String,
    pub value: String,
}

impl VariableUse {
    /// The use of `setting` in `scope`, when the resource has a value for it.
    pub fn of(
        setting: Setting,
        scope: &str,
        value: Option<&serde_json::Value>,
    ) -> Vec<VariableUse> {
        let value = value.and_then(serde_json::Value::as_str);
        value
            .map(|v| VariableUse { setting, scope: scope.into(), value: v.into() })
            .into_iter()
            .collect()
    }
}

/// Blocks that belong to all resources of a kind together, by file, and
/// their imports.
#[derive(Debug, Default)]
pub struct Shared {
    pub blocks: Vec<(String, Block)>,
    pub imports: Vec<Block>,
}

pub trait Exporter {
    /// The topology's name.
    fn topology(&self) -> &str;

    /// A declared resource, by address.
    fn declared(&self, addr: &ResourceAddr) -> Option<&Resource>;

    /// The declared resources of a kind.
    fn all(&self, kind: Kind) -> Vec<&Resource>;

    /// `resource "<type>" "<name>"` of a declared resource, with its provider.
    fn resource(&self, resource: &Resource) -> Block;

    /// `aws.us_east_1`: the provider of a region.
    fn provider(&self, region: &str) -> Expr;

    /// `aws_vpc.us_east_1.id`: an attribute of the resource at `addr`.
    fn attribute(&self, addr: &str, attribute: &str) -> Expr;

    /// The Terraform name of a declared resource.
    fn name(&self, addr: &ResourceAddr) -> String;

    /// A name of `resource_type` for a block that is not a declared
    /// resource, unique among that type's names.
    fn unique_name(&self, resource_type: &'static str, wanted: String) -> String;

    /// `var.<name>`: the variable of a setting in a scope.
    fn variable(&self, setting: Setting, scope: &str) -> Expr;

    /// A code folder, relative to the export.
    fn source(&self, addr: &ResourceAddr) -> String;

    /// The live AWS id of an owned resource (only with `--with-imports`).
    fn live_id(&self, addr: &ResourceAddr) -> Option<&str>;

    /// A field of an owned resource as the account holds it (only with
    /// `--with-imports`).
    fn live_field(&self, addr: &ResourceAddr, field: &str) -> Option<&serde_json::Value>;

    /// The AWS id of a resource of someone else's that the topology uses as
    /// it is, by name (an existing hosted zone).
    fn used_id(&self, kind: Kind, name: &str) -> Option<&str>;

    /// Whether the live account holds the ownership TXT record `fqdn`.
    fn has_owner_record(&self, fqdn: &str) -> bool;

    /// The `.id` of each address in a list.
    fn ids(&self, addrs: &[String]) -> Expr {
        Expr::List(addrs.iter().map(|a| self.attribute(a, "id")).collect())
    }
}

/// A map of strings (tags, labels) as an HCL object.
pub fn map(entries: &BTreeMap<String, String>) -> Expr {
    Expr::Map(entries.iter().map(|(k, v)| (k.clone(), Expr::str(v))).collect())
}

/// An `import` block.
pub fn import(to: String, id: String) -> Block {
    Block::new("import", &[]).attr("to", Expr::Raw(to)).attr("id", Expr::Str(id))
}

/// An `output` block.
pub fn output(name: &str, description: String, value: Expr) -> Block {
    Block::new("output", &[name]).attr("description", Expr::Str(description)).attr("value", value)
}

/// A `depends_on` list of the declared resources at `addrs`.
pub fn depends_on(export: &dyn Exporter, addrs: &[ResourceAddr]) -> Expr {
    let each = addrs.iter().map(|addr| {
        let kind = export.declared(addr).map_or("unknown", |r| r.kind.def().terraform_type());
        Expr::raw(format!("{kind}.{}", export.name(addr)))
    });
    Expr::List(each.collect())
}
