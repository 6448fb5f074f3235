//! What an edge function's code folder ships: the files below it, found by
//! one walk that validation and packaging share. Tests (`*.test.js`), dot
//! files and `node_modules` are left out. A symbolic link is followed only
//! where it stays inside the folder: one that leads outside (to a key, a
//! password file), a broken one and a loop are refused by name, so nothing
//! is uploaded that the user did not put in the folder.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A file to ship: its name in the archive (`lib/a.js`), where its bytes
/// are (the link resolved), and its size when the walk saw it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CodeFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodeError {
    #[error("`{link}` is a link to {target}, outside the folder")]
    Outside { link: String, target: String },
    #[error("`{0}` is a link that leads nowhere")]
    Broken(String),
    #[error("`{0}` is a link back to a folder that holds it (a loop)")]
    Loop(String),
    #[error("cannot read `{0}`: {1}")]
    Unreadable(String, String),
}

/// The files of `folder`, sorted by name.
pub fn files(folder: &Path) -> Result<Vec<CodeFile>, CodeError> {
    let root = folder
        .canonicalize()
        .map_err(|e| CodeError::Unreadable(folder.display().to_string(), e.to_string()))?;
    let mut found = Vec::new();
    let mut open = BTreeSet::from([root.clone()]);
    walk(&root, &root, "", &mut open, &mut found)?;
    found.sort();
    Ok(found)
}

/// The size of the stored (uncompressed) zip archive of `files`, as
/// `state::package` writes it: what Lambda is sent and measures.
pub fn archive_bytes(files: &[CodeFile]) -> u64 {
    let entry = |f: &CodeFile| 30 + 46 + 2 * f.name.len() as u64 + f.bytes;
    files.iter().map(entry).sum::<u64>() + 22
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    open: &mut BTreeSet<PathBuf>,
    found: &mut Vec<CodeFile>,
) -> Result<(), CodeError> {
    let unreadable =
        |what: &str, e: std::io::Error| CodeError::Unreadable(what.into(), e.to_string());
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(prefix, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(prefix, e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let name =
            if prefix.is_empty() { file_name.clone() } else { format!("{prefix}/{file_name}") };
        let path = entry.path();
        let is_dir_entry = path.is_dir();
        if file_name.starts_with('.')
            || file_name.ends_with(".test.js")
            || file_name == "node_modules" && is_dir_entry
        {
            continue;
        }
        let real = path.canonicalize().map_err(|_| CodeError::Broken(name.clone()))?;
        if !real.starts_with(root) {
            let target = real.display().to_string();
            return Err(CodeError::Outside { link: name, target });
        }
        let metadata = std::fs::metadata(&real).map_err(|e| unreadable(&name, e))?;
        if metadata.is_dir() {
            if !open.insert(real.clone()) {
                return Err(CodeError::Loop(name));
            }
            walk(root, &real, &name, open, found)?;
            open.remove(&real);
        } else if metadata.is_file() {
            found.push(CodeFile { name, path: real, bytes: metadata.len() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("code/lib")).unwrap();
        std::fs::write(dir.path().join("code/index.js"), "exports.handler = 1;\n").unwrap();
        std::fs::write(dir.path().join("code/lib/a.js"), "a").unwrap();
        std::fs::write(dir.path().join("code/index.test.js"), "not shipped").unwrap();
        std::fs::write(dir.path().join("secret"), "key").unwrap();
        dir
    }

    #[test]
    fn files_are_listed_sorted_without_tests_and_links_inside_are_followed() {
        let dir = folder();
        let code = dir.path().join("code");
        symlink(code.join("lib/a.js"), code.join("b.js")).unwrap();
        let names: Vec<String> = files(&code).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["b.js", "index.js", "lib/a.js"]);
    }

    /// Regression: a link to a file outside the folder was zipped and uploaded.
    #[test]
    fn a_link_outside_a_broken_link_and_a_loop_are_refused_by_name() {
        let dir = folder();
        let code = dir.path().join("code");
        symlink(dir.path().join("secret"), code.join("lib/config.js")).unwrap();
        let outside = files(&code).unwrap_err();
        assert!(
            matches!(&outside, CodeError::Outside { link, .. } if link == "lib/config.js"),
            "{outside}"
        );
        std::fs::remove_file(code.join("lib/config.js")).unwrap();
        symlink(dir.path().join("gone"), code.join("gone.js")).unwrap();
        assert_eq!(files(&code).unwrap_err(), CodeError::Broken("gone.js".into()));
        std::fs::remove_file(code.join("gone.js")).unwrap();
        symlink(&code, code.join("lib/again")).unwrap();
        assert_eq!(files(&code).unwrap_err(), CodeError::Loop("lib/again".into()));
    }

    #[test]
    fn the_archive_size_counts_headers_and_names() {
        let file = CodeFile { name: "index.js".into(), path: PathBuf::new(), bytes: 10 };
        assert_eq!(archive_bytes(&[file]), 30 + 46 + 16 + 10 + 22);
    }
}
