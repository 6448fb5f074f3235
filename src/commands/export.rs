//! `wway export edge-routing`: the edge router's routing, as JSON.
//! `wway export terraform`: write the topology as Terraform HCL into a
//! folder, with `import` blocks for what exists when asked
//! (`--with-imports`, the only case that reads the account). Each file
//! starts with a header naming its origin; files with that header that this
//! export no longer writes are removed, and no other file is touched.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use super::run::read_account;
use super::{Context, Status, desired_of, load};
use crate::cli::ExportArgs;
use crate::export::terraform::{Inputs, export};

/// The first line of every file wway writes.
const HEADER: &str = "# Written by `wway export terraform`";

/// `wway export edge-routing`: the edge router's routing.json, on stdout.
pub fn edge_routing(file: &Path, printer: &super::Printer) -> Status {
    let (_, topology) = load(file, printer)?;
    let routing = crate::resilience::edge::edge_routing(&topology).ok_or_else(|| {
        format!("topology `{}` has no geolocation record for the edge to follow", topology.name)
    })?;
    let text = serde_json::to_string_pretty(&routing).map_err(|e| format!("wway: {e}"))?;
    printer.out(format!("{text}\n"));
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &ExportArgs, context: &Context) -> Status {
    let printer = &context.printer;
    let (_, mut topology) = load(&args.topology, printer)?;
    // With imports, the zones are those the account's regions offer and use;
    // without, a count of zones exports as the letters a, b, c...
    let (desired, live) = if args.with_imports {
        let read = read_account(&args.topology, &mut topology, context);
        let (desired, live, _) = context.block_on(read)??;
        (desired, Some(live))
    } else {
        (desired_of(&topology)?, None)
    };
    let out = &args.out;
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut sources = BTreeMap::new();
    for r in desired.resources.values() {
        if let Some(source) = &r.source {
            sources.insert(r.addr.clone(), relative(out, source)?);
        }
    }
    let files = export(&Inputs { desired: &desired, sources: &sources, live: live.as_ref() })
        .map_err(|e| format!("wway: {e}"))?;
    let header =
        format!("{HEADER} from topology `{}`: edit the topology, not this.\n\n", topology.name);
    remove_stale(out, &files)?;
    for (name, text) in &files {
        let path = out.join(name);
        std::fs::write(&path, format!("{header}{text}"))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let imports = files.get("imports.tf").map_or(0, |t| t.matches("import {").count());
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    printer.line(format!("Wrote {} files to {}: {}", files.len(), out.display(), names.join(", ")));
    if args.with_imports {
        let exists = live
            .as_ref()
            .map_or(0, |l| desired.resources.keys().filter(|a| l.owned.contains_key(*a)).count());
        printer.line(format!(
            "{imports} import blocks for the {exists} declared resources that exist."
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// Removes files an earlier export wrote (they start with the header) that
/// this one does not write; nothing else in the folder is touched.
fn remove_stale(out: &Path, files: &BTreeMap<String, String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(out).map_err(|e| format!("cannot read {}: {e}", out.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = std::fs::read_to_string(entry.path()).is_ok_and(|t| t.starts_with(HEADER));
        if name.ends_with(".tf") && ours && !files.contains_key(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| format!("cannot remove {name}: {e}"))?;
        }
    }
    Ok(())
}

/// `target` as seen from the folder `from`, with `/` separators.
fn relative(from: &Path, target: &Path) -> Result<String, String> {
    let absolute =
        |p: &Path| p.canonicalize().map_err(|e| format!("cannot resolve {}: {e}", p.display()));
    let (from, target) = (absolute(from)?, absolute(target)?);
    let from: Vec<Component> = from.components().collect();
    let target: Vec<Component> = target.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    path.extend(&target[common..]);
    let parts: Vec<String> = path.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    Ok(if parts.is_empty() { ".".into() } else { parts.join("/") })
}

#[cfg(test)]
mod tests {
    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out/terraform");
        let code = dir.path().join("templates/edge-router");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&code).unwrap();
        assert_eq!(super::relative(&out, &code).unwrap(), "../../templates/edge-router");
        assert_eq!(super::relative(&code, &code).unwrap(), ".");
    }
}
