//! The layers `src/lib.rs` promises, kept: its module list is in order,
//! each layer depending only on those above it, and this test reads every
//! `crate::<layer>` path in the sources and fails on one that reaches down
//! the list to a layer below its own.

use std::path::Path;

use crate::emulator::project_root;

/// The layers, in the order the crate's documentation lists them.
fn promised_order(lib: &str) -> Vec<String> {
    lib.lines()
        .filter_map(|l| l.strip_prefix("//! - [`")?.split_once('`').map(|(name, _)| name.into()))
        .collect()
}

fn sources(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_layer_below_it_in_the_list() {
    let src = project_root().join("src");
    let order = promised_order(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    assert!(order.len() >= 10, "lib.rs lists the layers: {order:?}");
    let rank = |name: &str| order.iter().position(|l| l == name);
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let layer = relative.components().next().unwrap().as_os_str().to_string_lossy();
        let Some(own) = rank(layer.trim_end_matches(".rs")) else { continue };
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for used in line.split("crate::").skip(1) {
                let name: String =
                    used.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if rank(&name).is_some_and(|other| other > own) {
                    wrong.push(format!("{}:{}: {layer} uses {name}", relative.display(), n + 1));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports of a layer below (lib.rs order {order:?}):\n{}",
        wrong.join("\n")
    );
}
