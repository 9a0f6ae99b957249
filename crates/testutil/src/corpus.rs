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

/// One expected save line of an `OK` record of iptables' `extensions/*.t`
/// (`xt_t*.jsonl`), for iptables or ip6tables.
#[derive(Debug, Clone)]
pub struct SaveLine {
    /// `file.t:line tool`.
    pub id: String,
    /// `iptables` or `ip6tables`.
    pub tool: String,
    /// The table the test runs in.
    pub table: String,
    /// The chain the rule is appended to.
    pub chain: String,
    /// The `-A CHAIN ...` line iptables-save prints.
    pub line: String,
}

/// Every expected iptables/ip6tables save line of the `OK` records of `file`.
pub fn xt_t_save_lines(dir: &Path, file: &str) -> Vec<SaveLine> {
    let mut out = Vec::new();
    for line in lines(&dir.join(file)) {
        let r: serde_json::Value = serde_json::from_str(&line).expect("jsonl record");
        if r["expected_result"] != "OK" {
            continue;
        }
        let table = r["table"].as_str().unwrap_or("filter");
        for pc in r["per_chain"].as_array().into_iter().flatten() {
            let chain = pc["chain"].as_str().unwrap_or("INPUT");
            let Some(map) = pc["expected_save_line"].as_object() else {
                continue;
            };
            for (tool, l) in map {
                if tool != "iptables" && tool != "ip6tables" {
                    continue;
                }
                out.push(SaveLine {
                    id: format!("{} {tool}", r["id"].as_str().unwrap_or("?")),
                    tool: tool.clone(),
                    table: table.to_owned(),
                    chain: chain.to_owned(),
                    line: l.as_str().expect("save line").to_owned(),
                });
            }
        }
    }
    out
}

/// A `sh` script that loads `lines` with `iptables-{variant}` /
/// `ip6tables-{variant}` (`variant` is `nft` or `legacy`), each in its table, after `-N` for every `-j`/`-g` word `is_chain` calls a
/// chain; it keeps going past a refused line and prints `nflens-ok I` for
/// each line `I` the tool accepted.
pub fn xt_load_script(
    lines: &[SaveLine],
    variant: &str,
    is_chain: impl Fn(&str) -> bool,
) -> String {
    let mut script = String::from("set +e\n");
    for (i, l) in lines.iter().enumerate() {
        let tool = format!("{}-{variant}", l.tool);
        let words: Vec<&str> = l.line.split_whitespace().collect();
        for w in words.windows(2) {
            if (w[0] == "-j" || w[0] == "-g")
                && is_chain(w[1])
                && w[1]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                script.push_str(&format!("{tool} -t {} -N {} 2>/dev/null\n", l.table, w[1]));
            }
        }
        script.push_str(&format!(
            "{tool} -t {} {} 2>/dev/null && echo nflens-ok {i}\n",
            l.table, l.line
        ));
    }
    script
}

/// The dump files of `dumps/` (not `INDEX.tsv`), and with `canonical` those
/// of `dumps/canonical-iptables-1.8.9-nft/` too, sorted.
pub fn dump_files(dir: &Path, canonical: bool) -> Vec<PathBuf> {
    let mut dirs = vec![dir.join("dumps")];
    if canonical {
        dirs.push(dir.join("dumps/canonical-iptables-1.8.9-nft"));
    }
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap_or_else(|e| panic!("{}: {e}", d.display())))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file() && !p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    paths.sort();
    paths
}

/// Prints `what: ok/total ...` and fails listing every failure.
pub fn report(what: &str, total: usize, failures: &[String]) {
    eprintln!("conformance {what}: {}/{total}", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `ipset create` lines for every set an iptables dump names
/// (`--match-set`, `--add-set`, `--del-set`), which must exist before it
/// loads: `hash:ip` of the dump's family.
pub fn ipset_setup(dump: &str, v6: bool) -> String {
    let mut sets: Vec<&str> = dump
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| matches!(w[0], "--match-set" | "--add-set" | "--del-set"))
        .map(|w| w[1])
        .collect();
    sets.sort_unstable();
    sets.dedup();
    let family = if v6 { "inet6" } else { "inet" };
    sets.iter()
        .map(|s| format!("ipset create '{s}' hash:ip family {family}\n"))
        .collect()
}
