//! The nftables `tests/py` corpus (`nft_py*.jsonl`): records, the nft
//! commands that set one up, and loading many of them into one throwaway
//! namespace, one table per record.

use std::path::Path;

use serde_json::Value;

use crate::netns::Held;

/// One enabled `ok` record.
#[derive(Debug, Clone)]
pub struct Record {
    /// `file:line:family`.
    pub id: String,
    /// `ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev`.
    pub family: String,
    /// The rule as written in the test file.
    pub rule: String,
    /// How `nft list` prints it back.
    pub expected_output: String,
    /// `payload_lines`: the expressions nft sent.
    pub payload_lines: Vec<String>,
    /// `payload_anon_sets[]`: each set's flags (`NFT_SET_*`) and element
    /// lines, in the order the rule's lookups name them.
    pub anon_sets: Vec<(u32, Vec<String>)>,
    /// The named sets and maps the record declares: name, whether it is
    /// a map, its key (`type ipv4_addr . inet_service`, `typeof vlan id`)
    /// and a map's data (`mark`, `meta mark`).
    pub named_sets: Vec<NamedDecl>,
    /// The nft commands that create the table (named `table`), its chains,
    /// sets and objects, and the rule.
    pub commands: Vec<String>,
}

/// A named set or map a record declares.
#[derive(Debug, Clone)]
pub struct NamedDecl {
    /// Name.
    pub name: String,
    /// A map.
    pub map: bool,
    /// `type ...` or `typeof ...`.
    pub key: String,
    /// A map's data type (in the key's `type` or `typeof` terms).
    pub data: Option<String>,
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or("").to_owned()
}

/// Reads the enabled `ok` records of `file`, naming record `i`'s table
/// `t{i}`.
pub fn records(file: &Path) -> Vec<Record> {
    let mut out = Vec::new();
    for line in crate::corpus::lines(file) {
        let v: Value = serde_json::from_str(&line).expect("json record");
        if v["expected_result"] != "ok" || v["disabled"] == true {
            continue;
        }
        let i = out.len();
        let family = s(&v, "family");
        let table = format!("t{i}");
        let mut commands = vec![format!("add table {family} {table}")];
        for c in v["chains"].as_array().into_iter().flatten() {
            commands.push(format!(
                "add chain {family} {table} {} {{ {}; }}",
                s(c, "name"),
                s(c, "config")
            ));
        }
        for o in v["objects"].as_array().into_iter().flatten() {
            commands.push(format!(
                "add {} {family} {table} {} {}",
                s(o, "type"),
                s(o, "name"),
                s(o, "spec")
            ));
        }
        for set in v["sets"].as_array().into_iter().flatten() {
            let name = s(set, "name");
            commands.push(format!(
                "add {} {family} {table} {name} {}",
                s(set, "kind"),
                s(set, "body")
            ));
            let elems: Vec<&str> = set["elements"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if !elems.is_empty() {
                commands.push(format!(
                    "add element {family} {table} {name} {{ {} }}",
                    elems.join(", ")
                ));
            }
        }
        let named_sets = v["sets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|set| NamedDecl {
                name: s(set, "name"),
                map: s(set, "kind") == "map",
                key: s(set, "key"),
                data: set["data"].as_str().map(str::to_owned),
            })
            .collect();
        let chain = v["chains"].get(0).map(|c| s(c, "name")).unwrap_or_default();
        let rule = s(&v, "rule_text");
        commands.push(format!("add rule {family} {table} {chain} {rule}"));
        out.push(Record {
            named_sets,
            id: s(&v, "id"),
            family,
            expected_output: s(&v, "expected_output_text"),
            payload_lines: v["payload_lines"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            anon_sets: v["payload_anon_sets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    let flags = a["flags"]
                        .as_str()
                        .and_then(|f| u32::from_str_radix(f, 16).ok())
                        .unwrap_or(0);
                    let elems = a["elements"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect();
                    (flags, elems)
                })
                .collect(),
            rule,
            commands,
        });
    }
    out
}

/// The time zone nft's test suite ran in (POSIX: two hours east of UTC),
/// for `nft` commands whose input or output holds `meta time` / `meta hour`.
pub const SUITE_TZ: &str = "UTC-2";

/// The same, in seconds east of UTC, for nflens's renderer.
pub const SUITE_UTC_OFFSET: i32 = 7200;

/// Loads `records` into one new namespace, each with its own `nft -f`
/// (one transaction per record, so one refusal does not hide the others).
/// Returns the namespace and, per record, `None` if the kernel accepted it
/// or `Some(nft's error)`. Record `i` of the whole file must use table
/// `t{first + i}` (as [`records`] names them).
///
/// Keep groups small (a hundred or so): each `nft -f` reads the whole
/// ruleset of its namespace first, so one namespace per group keeps the
/// total linear.
pub fn load(records: &[Record], first: usize) -> (Held, Vec<Option<String>>) {
    let dir = std::env::temp_dir().join(format!("nflens-nftpy-{}-{first}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (i, r) in records.iter().enumerate() {
        std::fs::write(dir.join(format!("{i}.nft")), r.commands.join("\n") + "\n").expect("write");
    }
    // The suite was recorded two hours east of UTC: its payloads hold
    // `meta time "1970-05-23 21:07:14"` as 19:07:14 UTC.
    let script = format!(
        "export TZ={SUITE_TZ}; cd {d}; i=0; while [ $i -lt {n} ]; do nft -f $i.nft 2> $i.err || echo $i >> failed; i=$((i+1)); done; touch failed",
        d = dir.display(),
        n = records.len()
    );
    let held = Held::new(&script).unwrap_or_else(|r| panic!("loading records failed: {r:?}"));
    let failed = std::fs::read_to_string(dir.join("failed")).unwrap_or_default();
    let mut status = vec![None; records.len()];
    for i in failed
        .lines()
        .filter_map(|l| l.trim().parse::<usize>().ok())
    {
        let err = std::fs::read_to_string(dir.join(format!("{i}.err"))).unwrap_or_default();
        if let Some(s) = status.get_mut(i) {
            *s = Some(err.lines().next().unwrap_or("refused").to_owned());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (held, status)
}

/// The blocks `nft --debug=netlink list ruleset` prints before the listing:
/// per set `FAMILY TABLE @SET` with its element lines, per rule
/// `FAMILY TABLE CHAIN HANDLE [POS]` with its expression lines.
#[derive(Debug, Default)]
pub struct DebugBlocks {
    /// (family, table, set) and the element lines, tab removed.
    pub sets: Vec<((String, String, String), Vec<String>)>,
    /// (family, table, chain, handle) and the lines, indent removed.
    #[allow(clippy::type_complexity)]
    pub rules: Vec<((String, String, String, u64), Vec<String>)>,
}

const FAMILIES: [&str; 6] = ["ip", "ip6", "inet", "arp", "bridge", "netdev"];

/// Splits debug output into blocks; stops at the listing (`table ...`).
pub fn debug_blocks(text: &str) -> DebugBlocks {
    let mut b = DebugBlocks::default();
    enum Cur {
        None,
        Set,
        Rule,
    }
    let mut cur = Cur::None;
    for line in text.lines() {
        if line.starts_with("table ") {
            break;
        }
        if let Some(rest) = line.strip_prefix('\t') {
            if let (Cur::Set, Some(last)) = (&cur, b.sets.last_mut()) {
                last.1.push(rest.to_owned());
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("  ") {
            if let (Cur::Rule, Some(last)) = (&cur, b.rules.last_mut()) {
                last.1.push(rest.to_owned());
            }
            continue;
        }
        let w: Vec<&str> = line.split(' ').collect();
        match w.as_slice() {
            [f, t, s] if FAMILIES.contains(f) && s.starts_with('@') => {
                b.sets
                    .push((((*f).into(), (*t).into(), s[1..].into()), Vec::new()));
                cur = Cur::Set;
            }
            [f, t, c, h, ..]
                if FAMILIES.contains(f) && w.len() <= 5 && h.parse::<u64>().is_ok() =>
            {
                b.rules.push((
                    (
                        (*f).into(),
                        (*t).into(),
                        (*c).into(),
                        h.parse().unwrap_or(0),
                    ),
                    vec![line.to_owned()],
                ));
                cur = Cur::Rule;
            }
            _ => cur = Cur::None,
        }
    }
    b
}
