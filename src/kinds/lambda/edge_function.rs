//! A Lambda@Edge function (`us-east-1/edge-function/<name>`), known to AWS
//! as `<topology>-<name>`: its runtime, handler, role, memory, timeout and
//! the SHA-256 of its code package. Once made it gives its latest
//! published version, which the distribution runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::super::terraform::{Exporter, Setting, VariableUse, map};
use super::super::{
    About, Fields, GLOBAL_REGION, Kind, KindDef, Lowering, Placement, RegionFacts, Resource,
    ResourceAddr, Service, SpecError, lower, spec,
};
use crate::hcl::{Block, Expr, identifier};
use crate::topology::edge;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub function_name: String,
    pub runtime: String,
    pub handler: String,
    pub role_arn: String,
    pub memory_size: u32,
    pub timeout: u32,
    pub code_sha256: String,
    pub tags: BTreeMap<String, String>,
}

/// The output that names the version a distribution should run.
pub const PUBLISHED_VERSION: &str = "published_version_arn";

/// The export's variable for the functions' role.
pub const ROLE: Setting =
    Setting { base: "edge_function_role_arn", description: "The IAM role Lambda@Edge runs as" };

/// What a published version of a function runs, as a short digest of its
/// code and configuration: a distribution's association names it, so that a
/// change of either (new code, more memory) reaches CloudFront as the new
/// version. The plan computes it from the file; the read, from each version
/// Lambda lists.
pub fn version_digest(
    code_sha256: &str,
    runtime: &str,
    handler: &str,
    role_arn: &str,
    memory_size: i64,
    timeout: i64,
) -> String {
    use sha2::{Digest, Sha256};
    let text = format!("{code_sha256}\n{runtime}\n{handler}\n{role_arn}\n{memory_size}\n{timeout}");
    Sha256::digest(text.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The name AWS knows an edge function by.
pub fn function_name(topology: &str, function: &str) -> String {
    format!("{topology}-{function}")
}

/// What EdgeFunction is.
const ABOUT: About = About {
    kind: Kind::EdgeFunction,
    name: "edge-function",
    service: Service::Lambda,
    placement: Placement::Global,
    replace_fields: &["function_name"],
    reference_fields: &[],
    // A function name cannot be held twice.
    create_before_destroy: false,
};

pub struct EdgeFunction;

/// `us-east-1/edge-function/<name>`: Lambda@Edge functions live in us-east-1.
pub fn addr(name: &str) -> ResourceAddr {
    ResourceAddr::new(format!("{GLOBAL_REGION}/{}/{name}", ABOUT.name))
}

impl KindDef for EdgeFunction {
    fn about(&self) -> &'static About {
        &ABOUT
    }
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError> {
        spec::check::<Spec>(ABOUT.name, fields)
    }
    /// Each declared function, with its code's hash and its code folder.
    fn lower(&self, from: &Lowering) -> Vec<Resource> {
        let functions = from.topology.edge_functions.iter();
        functions
            .map(|function| {
                let addr = addr(&function.name);
                let name = function_name(&from.topology.name, &function.name);
                let spec = Spec {
                    function_name: name.clone(),
                    runtime: function.runtime.clone(),
                    handler: function.handler.clone(),
                    role_arn: function.role_arn.clone(),
                    memory_size: function.memory,
                    timeout: function.timeout,
                    code_sha256: from.code.get(&function.name).cloned().unwrap_or_default(),
                    tags: from.tags(&addr, &[]),
                };
                let resource = lower::resource(addr, Kind::EdgeFunction, &name, &spec, vec![]);
                Resource { source: Some(function.source.clone()), ..resource }
            })
            .collect()
    }
    fn fixture(&self) -> Resource {
        let addr = addr("router");
        let spec = Spec {
            function_name: function_name("demo", "router"),
            runtime: "nodejs22.x".into(),
            handler: "index.handler".into(),
            role_arn: "arn:aws:iam::123456789012:role/edge".into(),
            memory_size: 128,
            timeout: 5,
            code_sha256: "0".repeat(64),
            tags: spec::fixture_tags(&addr),
        };
        lower::resource(addr, Kind::EdgeFunction, "demo-router", &spec, vec![])
    }
    fn outputs(&self) -> &'static [&'static str] {
        &[PUBLISHED_VERSION]
    }
    /// Lambda takes no new function on a runtime past the day it blocks
    /// creates, and no change to one past the day it blocks updates.
    fn preflight(&self, r: &Resource, facts: &RegionFacts, live: Option<&Fields>) -> Vec<String> {
        let name = r.fields.get("runtime").and_then(Value::as_str).unwrap_or_default();
        let Some(runtime) = edge::runtime_named(name) else { return Vec::new() };
        let unchanged = |live: &Fields| {
            r.fields.iter().filter(|(k, _)| *k != "tags").all(|(k, v)| live.get(k) == Some(v))
        };
        let (blocked, what) = match live {
            None => (runtime.blocks_create, "no new function"),
            Some(live) if unchanged(live) => return Vec::new(),
            Some(_) => (runtime.blocks_update, "no change to a function"),
        };
        if facts.today.is_empty() || facts.today.as_str() < blocked {
            return Vec::new();
        }
        vec![format!(
            "Lambda takes {what} on {name} since {blocked} ({}): choose a newer runtime",
            r.addr
        )]
    }
    fn terraform_type(&self) -> &'static str {
        "aws_lambda_function"
    }
    fn terraform_file(&self, _region: &str) -> String {
        "edge.tf".into()
    }
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        identifier(addr.part(2))
    }
    /// The function and its package: `archive_file` zips the code folder
    /// and the function is published, so that CloudFront points at a version.
    fn terraform(&self, r: &Resource, export: &dyn Exporter) -> Result<Vec<Block>, SpecError> {
        let spec: Spec = spec::read(self.name(), &r.fields)?;
        let name = export.name(&r.addr);
        let package = Block::new("data", &["archive_file", &name])
            .attr("type", Expr::str("zip"))
            .attr("source_dir", Expr::module_path(&export.source(&r.addr)))
            .attr("output_path", Expr::module_path(&format!("build/{name}.zip")));
        let archive = format!("data.archive_file.{name}");
        let size = |n: u32| Expr::Num(i64::from(n));
        let function = export
            .resource(r)
            .attr("function_name", Expr::Str(spec.function_name))
            .attr("role", export.variable(ROLE, &r.name))
            .attr("runtime", Expr::Str(spec.runtime))
            .attr("handler", Expr::Str(spec.handler))
            .attr("memory_size", size(spec.memory_size))
            .attr("timeout", size(spec.timeout))
            .attr("filename", Expr::raw(format!("{archive}.output_path")))
            .attr("source_code_hash", Expr::raw(format!("{archive}.output_base64sha256")))
            .attr("publish", Expr::Bool(true))
            .attr("tags", map(&spec.tags));
        Ok(vec![package, function])
    }
    fn import_id(&self, r: &Resource, export: &dyn Exporter) -> Option<String> {
        export.live_id(&r.addr).map(str::to_string)
    }
    fn terraform_variables(&self, r: &Resource) -> Vec<VariableUse> {
        VariableUse::of(ROLE, &r.name, r.fields.get("role_arn"))
    }
}
