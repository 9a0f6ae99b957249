//! Shared set-up for the benches: inputs and the peer programs.
#![deny(unsafe_code)]

pub mod peers;

use std::path::PathBuf;
use std::process::Command;

/// The real dump the `xtables/parse` bench reads: the largest canonical
/// iptables-save file of the external corpus (read in place, never copied).
pub fn real_dump() -> Option<(String, String)> {
    let dir = nflens_testutil::corpus::dir("bench xtables/parse")?;
    let p = dir.join("dumps/canonical-iptables-1.8.9-nft/ipsem-gopherproxy.iptables-save");
    Some(("gopherproxy".into(), std::fs::read_to_string(p).ok()?))
}

/// Number of `-A`/`-I` rule lines.
pub fn count_rules(text: &str) -> u64 {
    text.lines()
        .filter(|l| l.starts_with("-A ") || l.starts_with("-I "))
        .count() as u64
}

/// Builds the release `nflens` binary and returns its path.
pub fn nflens_binary() -> PathBuf {
    let root = nflens_testutil::corpus::workspace_root();
    let ok = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "-p", "nflens-cli"])
        .current_dir(&root)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "cargo build --release -p nflens-cli failed");
    root.join("target/release/nflens")
}
