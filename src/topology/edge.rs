//! The `edge_functions:` section: Lambda@Edge functions, each a code folder
//! beside the topology file. The folder and the handler's file must exist,
//! the folder must not hold the topology itself (`source: /` would ship the
//! whole disk), and its files must be its own (no link leads outside);
//! per-event limits are checked where a CDN behavior uses the function.

use std::path::Path;

use super::code;
use super::decode::Decoder;
use super::model::{EdgeEvent, EdgeFunction, Spanned};
use super::problem::Problem;
use super::values::role_arn;
use super::yaml::{Entry, Node};

/// A runtime Lambda@Edge runs, with the days Lambda stops taking it.
pub struct Runtime {
    pub name: &'static str,
    /// The day (UTC) Lambda blocks creating functions on it.
    pub blocks_create: &'static str,
    /// The day (UTC) Lambda blocks updating functions on it.
    pub blocks_update: &'static str,
}

/// The runtimes Lambda@Edge accepts, with AWS's calendar of their ends (the
/// Lambda developer guide, "Lambda runtimes"; AWS moves these dates now and
/// then). Lambda has no API that tells them, so a plan checks them here.
pub const RUNTIMES: &[Runtime] = &[
    Runtime { name: "nodejs18.x", blocks_create: "2026-02-03", blocks_update: "2026-03-09" },
    Runtime { name: "nodejs20.x", blocks_create: "2026-08-31", blocks_update: "2026-09-30" },
    Runtime { name: "nodejs22.x", blocks_create: "2027-06-01", blocks_update: "2027-07-01" },
    Runtime { name: "python3.9", blocks_create: "2026-06-01", blocks_update: "2026-07-01" },
    Runtime { name: "python3.10", blocks_create: "2026-07-31", blocks_update: "2026-08-31" },
    Runtime { name: "python3.11", blocks_create: "2026-07-31", blocks_update: "2026-08-31" },
    Runtime { name: "python3.12", blocks_create: "2028-11-30", blocks_update: "2029-01-10" },
    Runtime { name: "python3.13", blocks_create: "2029-07-31", blocks_update: "2029-08-31" },
];

/// The runtime of that name.
pub fn runtime_named(name: &str) -> Option<&'static Runtime> {
    RUNTIMES.iter().find(|r| r.name == name)
}

/// The valid functions, and the names of all (valid or not).
/// `topology`: the topology's name, which prefixes each function's name in AWS.
pub fn decode(
    d: &mut Decoder,
    node: &Node,
    base_dir: &Path,
    topology: &str,
) -> (Vec<EdgeFunction>, Vec<String>) {
    let Some(entries) = d.entries(node, "`edge_functions`") else {
        return Default::default();
    };
    let functions = entries.iter().filter_map(|e| function(d, e, base_dir, topology)).collect();
    let names = entries.iter().filter_map(|e| e.key.as_key().map(str::to_string)).collect();
    (functions, names)
}

/// Lambda's limit on a function name; wway names it `<topology>-<name>`.
const MAX_FUNCTION_NAME: usize = 64;

fn function(
    d: &mut Decoder,
    entry: &Entry,
    base_dir: &Path,
    topology: &str,
) -> Option<EdgeFunction> {
    let name = d.string(&entry.key, "an edge function name")?;
    let characters =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let in_aws = topology.len() + 1 + name.len();
    let valid_name = characters && in_aws <= MAX_FUNCTION_NAME;
    if characters && !valid_name {
        d.report(
            Problem::new(
                "topology::name",
                format!(
                    "`{topology}-{}` is {in_aws} characters, longer than a Lambda function name \
                     may be ({MAX_FUNCTION_NAME})",
                    name.value
                ),
                name.span,
                "too long once prefixed",
            )
            .help(format!(
                "wway names the function `<topology>-<name>`: keep this name within {} characters",
                MAX_FUNCTION_NAME.saturating_sub(topology.len() + 1)
            )),
        );
    }
    if !characters {
        d.report(
            Problem::new(
                "topology::name",
                format!("`{}` is not a valid Lambda function name", name.value),
                name.span,
                "invalid",
            )
            .help("up to 64 letters, digits, `-` and `_`"),
        );
    }
    let what = format!("edge function `{}`", name.value);
    let known = ["source", "runtime", "handler", "role_arn", "memory", "timeout"];
    let fields = d.fields(&entry.value, entry.key.span, &what, &known)?;
    let source = fields.required(d, "source").and_then(|n| d.string(n, "`source`"));
    let runtime = fields.required(d, "runtime").and_then(|n| d.string(n, "`runtime`"));
    let handler = fields.required(d, "handler").and_then(|n| d.string(n, "`handler`"));
    let role_arn = fields.required(d, "role_arn").and_then(|n| role_arn(d, n, "`role_arn`"));
    let memory = match fields.get("memory") {
        Some(n) => d.integer(n, "`memory`", 128..=10_240),
        None => Some(128),
    };
    let timeout = match fields.get("timeout") {
        Some(n) => d.integer(n, "`timeout`", 1..=30),
        None => Some(3),
    };
    let runtime = runtime.filter(|r| {
        let known = runtime_named(r).is_some();
        if !known {
            let names: Vec<&str> = RUNTIMES.iter().map(|r| r.name).collect();
            d.unknown_name(r, "Lambda@Edge runtime", &names);
        }
        known
    })?;
    let (source, handler) = (source?, handler?);
    // Absolute, so that journals and plans find it from any working directory.
    let folder = std::path::absolute(base_dir.join(source.as_str()))
        .unwrap_or_else(|_| base_dir.join(source.as_str()));
    if !folder.is_dir() {
        d.report(
            Problem::new(
                "topology::edge-source",
                format!("the source folder `{}` of {what} does not exist", source.value),
                source.span,
                "no such folder",
            )
            .help(
                "`source` is a folder relative to the topology file, holding the function's code",
            ),
        );
        return None;
    }
    let package_bytes = code_folder(d, &folder, base_dir, &source, &what)?;
    let Some((module, _export)) =
        handler.split_once('.').filter(|(m, e)| !m.is_empty() && !e.is_empty())
    else {
        d.report(
            Problem::new(
                "topology::handler",
                format!("`{}` is not a handler", handler.value),
                handler.span,
                "not file.function",
            )
            .help("write the file (without extension) and the exported function: index.handler"),
        );
        return None;
    };
    let extensions: &[&str] =
        if runtime.starts_with("nodejs") { &["js", "mjs", "cjs"] } else { &["py"] };
    if !extensions.iter().any(|ext| folder.join(format!("{module}.{ext}")).is_file()) {
        d.report(
            Problem::new(
                "topology::handler",
                format!(
                    "the handler's file `{module}.{}` is not in `{}`",
                    extensions[0], source.value
                ),
                handler.span,
                "no such file",
            )
            .help(format!(
                "add {module}.{} to the source folder, or fix the handler",
                extensions[0]
            )),
        );
        return None;
    }
    Some(EdgeFunction {
        name: name.value,
        source: folder,
        source_at: source.span,
        runtime: runtime.value,
        handler: handler.value,
        role_arn: role_arn?,
        memory: memory? as u32,
        timeout: timeout? as u32,
        package_bytes,
    })
    .filter(|_| valid_name)
}

/// Checks what `folder` would ship; gives its zipped size.
fn code_folder(
    d: &mut Decoder,
    folder: &Path,
    base_dir: &Path,
    source: &Spanned<String>,
    what: &str,
) -> Option<u64> {
    let problem = |message: String, label: &str, help: &str| {
        Problem::new("topology::edge-source", message, source.span, label).help(help)
    };
    let canonical = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
    let topology_dir = base_dir.canonicalize().unwrap_or_else(|_| base_dir.to_path_buf());
    if topology_dir.starts_with(&canonical) {
        d.report(problem(
            format!(
                "the source folder `{}` of {what} holds the topology file itself",
                source.value
            ),
            "holds the topology",
            "point `source` at a folder of the function's code alone: all of it is uploaded",
        ));
        return None;
    }
    let files = match code::files(folder) {
        Ok(files) => files,
        Err(error) => {
            d.report(problem(
                format!("the source folder `{}` of {what}: {error}", source.value),
                "refused",
                "only the folder's own files are uploaded: copy the file in, or remove the link",
            ));
            return None;
        }
    };
    let bytes = code::archive_bytes(&files);
    let max = EdgeEvent::OriginRequest.max_package_bytes();
    if bytes > max {
        d.report(problem(
            format!(
                "the package of {what} is {bytes} bytes zipped, over the {max} Lambda@Edge takes"
            ),
            "too large",
            "leave out what the function does not need at run time",
        ));
        return None;
    }
    Some(bytes)
}
