//! Locating the external conformance corpus (`../shared/corpus`).

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."))
}

/// The corpus folder, if present. When it is missing: panics if
/// `NFLENS_CONFORMANCE=required`, else prints a visible skip message and
/// returns `None`. Set `NFLENS_CORPUS` to use another folder.
pub fn dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("NFLENS_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/corpus"));
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    let msg = format!(
        "conformance test {test}: corpus not found at {} (set NFLENS_CORPUS)",
        dir.display()
    );
    if required("NFLENS_CONFORMANCE") {
        panic!("{msg}, and NFLENS_CONFORMANCE=required");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// Whether the environment variable says `required`.
pub fn required(var: &str) -> bool {
    std::env::var(var).map(|v| v == "required").unwrap_or(false)
}

/// Reads a JSON-lines file into lines (the caller parses them).
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}
