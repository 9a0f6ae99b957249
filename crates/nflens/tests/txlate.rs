//! Issue 4, `xt_txlate_v1.8.9` (iptables and ip6tables records): the
//! iptables rule of each record, parsed and lowered by nflens, and the nft
//! translation `iptables-translate` 1.8.9 printed for it, loaded with `nft`
//! into a throwaway namespace, read back and lowered, are equal models
//! (`Rule::same_meaning`: counters do not count).
//!
//! A translation that is not equal is listed with both models and counted
//! under its reason in `APPROXIMATE` (iptables-translate is known to
//! approximate some modules); a difference not listed there fails the test.
use nflens::model::lower::LowerError;
use nflens::model::render::nft::{self as render_nft, Options as NftOptions};
use nflens::model::{ActionKind, Family, MatchKind, Rule};
use nflens::socket::{Netns, Options, Snapshot};
use nflens_testutil::{corpus, netns};

/// Why a connlimit translation is an approximation.
const CONNLIMIT: &str = "xt_connlimit counts connections per masked address and conntrack \
     zone (xt_connlimit.c: key[1] = zone->id) in a tree of the rule's own; the translation's \
     set is keyed by the address alone and named, so any rule may add to it";

/// Why a hashlimit translation is an approximation.
const HASHLIMIT: &str = "xt_hashlimit drops the packet when its table is full or the ports \
     cannot be read (hashlimit_mt_common: hotdrop) and holds --hashlimit-htable-max entries \
     (by default 8 times its buckets); the meter holds 65535, and a packet it cannot add \
     skips the rule (nft_dynset.c breaks)";

/// Records whose translation does not mean what the iptables rule means,
/// and why (checked by hand against the extension's source and the kernel
/// dump; see the test's output for both models).
const APPROXIMATE: &[(&str, &str)] = &[
    (
        "libxt_tcp.txlate:31",
        "-p tcp ! --tcp-option N needs a TCP packet; nft's tcp option N missing also \
         holds for every other protocol (the kernel's exthdr finds no option there)",
    ),
    (
        "libxt_limit.txlate:7",
        "--limit-burst 0 (the legacy kernel refuses it: xt_limit \"Overflow, try lower\") \
         becomes nft's default burst of 5",
    ),
    (
        "libxt_conntrack.txlate:46",
        "--ctexpire compares whole seconds left, ct expiration exact milliseconds",
    ),
    (
        "libxt_conntrack.txlate:52",
        "--ctexpire compares whole seconds left, ct expiration exact milliseconds",
    ),
    (
        "libxt_statistic.txlate:1",
        "-m statistic --mode nth matches when its counter, started at --packet, wraps to 0; \
         numgen inc counts from 0 and == P holds when it reaches P: every Nth packet both, \
         but not the same ones (xt_statistic.c, nft_numgen.c)",
    ),
    (
        "libxt_statistic.txlate:4",
        "-m statistic --mode nth matches when its counter, started at --packet, wraps to 0; \
         numgen inc counts from 0 and == P holds when it reaches P: every Nth packet both, \
         but not the same ones (xt_statistic.c, nft_numgen.c)",
    ),
    (
        "libxt_helper.txlate:1",
        "-m helper --helper N holds when the name of the master connection's helper is a \
         prefix of N (xt_helper.c compares strlen(helper->name) bytes); ct helper \"N\" \
         compares the whole name (nft_ct.c)",
    ),
    (
        "libxt_helper.txlate:4",
        "! --helper N also holds for a connection with no master (xt_helper.c returns the \
         inversion); ct helper != \"N\" does not hold there (nft_ct.c finds no helper and \
         breaks)",
    ),
    (
        "libip6t_frag.txlate:4",
        "--fragres holds when the reserved byte and the two reserved bits are zero \
         (ip6t_frag.c); frag reserved 1 tests the reserved byte for 1",
    ),
    (
        "libip6t_rt.txlate:4",
        "--rt-len N compares the header's length in bytes, (hdrlength + 1) * 8 \
         (ip6t_rt.c, ipv6_optlen); rt hdrlength N compares the field",
    ),
    (
        "libip6t_rt.txlate:10",
        "--rt-len N compares the header's length in bytes, (hdrlength + 1) * 8 \
         (ip6t_rt.c, ipv6_optlen); rt hdrlength N compares the field",
    ),
    (
        "libip6t_rt.txlate:13",
        "--rt-len N compares the header's length in bytes, (hdrlength + 1) * 8 \
         (ip6t_rt.c, ipv6_optlen); rt hdrlength N compares the field",
    ),
    (
        "libxt_TOS.txlate:1",
        "TOS --set-tos V/M rewrites the ECN bits under its mask; dscp set keeps them",
    ),
    (
        "libxt_TOS.txlate:4",
        "TOS --set-tos V/M rewrites the ECN bits under its mask; dscp set keeps them",
    ),
    (
        "libxt_TOS.txlate:7",
        "TOS --set-tos V/M rewrites the ECN bits under its mask; dscp set keeps them",
    ),
    (
        "libxt_TOS.txlate:10",
        "TOS --set-tos V/M rewrites the ECN bits under its mask; dscp set keeps them",
    ),
    (
        "libxt_TOS.txlate:13",
        "TOS --set-tos V/M rewrites the ECN bits under its mask; dscp set keeps them",
    ),
    (
        "libxt_connlabel.txlate:4",
        "--set sets the label, then the match holds (inverted: does not); with no connection \
         or no room for labels xt_connlabel.c returns the inversion unset; the translation \
         sets the label first (nft_ct.c: no room, no label) and tests it after, and ct label \
         breaks for a packet with no connection",
    ),
    ("libxt_connlimit.txlate:1", CONNLIMIT),
    ("libxt_connlimit.txlate:5", CONNLIMIT),
    ("libxt_connlimit.txlate:9", CONNLIMIT),
    ("libxt_connlimit.txlate:13", CONNLIMIT),
    ("libxt_hashlimit.txlate:1", HASHLIMIT),
    ("libxt_hashlimit.txlate:4", HASHLIMIT),
    (
        "libxt_policy.txlate:1",
        "--dir in --pol ipsec with no element holds when the packet's sec_path holds a \
         transform (xt_policy.c, match_policy_in); meta secpath exists holds for any \
         sec_path, an empty one too",
    ),
];

struct Record {
    id: String,
    v6: bool,
    table: String,
    chain: String,
    rule: String,
    nft: Vec<String>,
}

fn records(dir: &std::path::Path) -> Vec<Record> {
    let mut out = Vec::new();
    for line in corpus::lines(&dir.join("xt_txlate_v1.8.9.jsonl")) {
        let r: serde_json::Value = serde_json::from_str(&line).expect("jsonl record");
        let tool = r["tool"].as_str().unwrap_or("");
        if tool != "iptables-translate" && tool != "ip6tables-translate" {
            continue;
        }
        let cmd = r["iptables_cmd"].as_str().expect("iptables_cmd");
        let mut words = cmd.split_whitespace().skip(1).peekable();
        let mut table = "filter".to_owned();
        let mut chain = String::new();
        let mut rest = Vec::new();
        while let Some(w) = words.next() {
            match w {
                "-t" => table = words.next().unwrap_or("").to_owned(),
                "-A" | "-I" if chain.is_empty() => {
                    chain = words.next().unwrap_or("").to_owned();
                    // `-I CHAIN 3`: the position is not part of the rule.
                    if w == "-I" && words.peek().is_some_and(|n| n.parse::<u32>().is_ok()) {
                        words.next();
                    }
                }
                _ => rest.push(w),
            }
        }
        out.push(Record {
            id: r["id"].as_str().unwrap_or("?").to_owned(),
            v6: tool.starts_with("ip6"),
            table,
            chain,
            // Quoted words keep their quotes: the rule is read as restore text.
            rule: rest.join(" "),
            nft: r["nft_commands"]
                .as_array()
                .expect("nft_commands")
                .iter()
                .map(|c| c.as_str().unwrap_or("").to_owned())
                .collect(),
        });
    }
    out
}

const HOOKS: &[&str] = &["prerouting", "input", "forward", "output", "postrouting"];

/// The nft script that makes the table and chain a translation adds to: a
/// base chain when the chain is named after a hook.
fn nft_setup(family: &str, table: &str, chain: &str, jumps: &[&str]) -> String {
    let mut s = format!("add table {family} {table}\n");
    let hook = chain.to_ascii_lowercase();
    if HOOKS.contains(&hook.as_str()) {
        let ty = if table == "nat" { "nat" } else { "filter" };
        let prio = if table == "nat" && hook == "prerouting" {
            -100
        } else if table == "nat" {
            100
        } else {
            0
        };
        s.push_str(&format!(
            "add chain {family} {table} {chain} {{ type {ty} hook {hook} priority {prio}; }}\n"
        ));
    } else {
        s.push_str(&format!("add chain {family} {table} {chain}\n"));
    }
    for j in jumps {
        s.push_str(&format!("add chain {family} {table} {j}\n"));
    }
    s
}

/// The iptables rule as restore text, every chain it names declared.
fn save_text(r: &Record, jumps: &[&str]) -> String {
    let mut s = format!("*{}\n:{} ACCEPT [0:0]\n", r.table, r.chain);
    for j in jumps {
        s.push_str(&format!(":{j} - [0:0]\n"));
    }
    s.push_str(&format!("-A {} {}\nCOMMIT\n", r.chain, r.rule));
    s
}

fn only_rule(rs: &nflens::model::Ruleset, chain: &str) -> Option<Rule> {
    let rules: Vec<&Rule> = rs
        .tables
        .iter()
        .flat_map(|t| &t.chains)
        .filter(|c| c.name.eq_ignore_ascii_case(chain))
        .flat_map(|c| &c.rules)
        .collect();
    (rules.len() == 1).then(|| rules[0].clone())
}

#[test]
fn xt_txlate_v1_8_9_iptables_and_its_translation_lower_equal() {
    let Some(dir) = corpus::dir("xt_txlate_v1_8_9_iptables_and_its_translation_lower_equal") else {
        return;
    };
    if !netns::available(
        "xt_txlate_v1_8_9_iptables_and_its_translation_lower_equal",
        &["nft"],
    ) {
        return;
    }
    let recs = records(&dir);
    assert!(
        recs.len() > 150,
        "expected the iptables/ip6tables records, got {}",
        recs.len()
    );
    let (mut equal, mut approx, mut not_loaded) = (0, 0, Vec::new());
    let (mut refused, mut untyped) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    let mut by_reason = std::collections::BTreeMap::<&str, usize>::new();
    for r in &recs {
        let family = if r.v6 { "ip6" } else { "ip" };
        let all = r.nft.join(" ");
        let words: Vec<&str> = all.split_whitespace().collect();
        let mut jumps: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "jump" || w[0] == "goto")
            .map(|w| w[1])
            .collect();
        jumps.dedup();
        // The nft translation names its own table (`ip nat prerouting`).
        let target = r
            .nft
            .iter()
            .find(|c| c.contains(" rule "))
            .expect("a rule command");
        let tw: Vec<&str> = target.split_whitespace().collect();
        let (ntable, nchain) = (tw[3], tw[4]);
        let mut script = nft_setup(family, ntable, nchain, &jumps);
        for c in &r.nft {
            script.push_str(c);
            script.push('\n');
        }
        let path = std::env::temp_dir().join(format!("nflens-txlate-{}.nft", std::process::id()));
        std::fs::write(&path, &script).expect("write nft script");
        let held = netns::Held::new(&format!("nft -f '{}'", path.display()));
        let _ = std::fs::remove_file(&path);
        let held = match held {
            Ok(h) => h,
            Err(run) => {
                not_loaded.push(format!(
                    "{}: nft refuses {:?}: {}",
                    r.id,
                    r.nft,
                    run.stderr.trim()
                ));
                continue;
            }
        };
        let snap = Snapshot::read(&Options {
            netns: Netns::Path(held.path()),
            ..Options::default()
        })
        .expect("snapshot");
        drop(held);
        let from_nft = nflens::model_of(&snap);
        let fam = if r.v6 { Family::Ipv6 } else { Family::Ipv4 };
        let text = save_text(r, &jumps);
        let from_text = match nflens::read_iptables_save(&text, Some(fam)) {
            Ok(m) => m,
            // The kernel refuses such a rule (`-m icmp` without `-p icmp`):
            // iptables-translate does not check.
            Err(e @ nflens::Error::Lower(LowerError::ProtocolMismatch { .. })) => {
                refused.push(format!("{}: {:?}: {e}", r.id, r.rule));
                continue;
            }
            Err(e) => {
                failures.push(format!("{}: nflens cannot read {:?}: {e}", r.id, r.rule));
                continue;
            }
        };
        let (Some(a), Some(b)) = (
            only_rule(&from_text, &r.chain),
            only_rule(&from_nft, nchain),
        ) else {
            failures.push(format!("{}: not one rule on each side", r.id));
            continue;
        };
        if a.same_meaning(&b) {
            equal += 1;
            continue;
        }
        let mut shown = String::new();
        let _ = render_nft::rule(&b, fam, NftOptions::default(), &mut shown);
        let what = format!(
            "{}: {} -A {} {}\n    nft: {:?}\n    nflens renders the nft side as: {shown}\n    iptables model: {:?} {:?}\n    nft model:      {:?} {:?}",
            r.id, r.table, r.chain, r.rule, r.nft, a.matches, a.action, b.matches, b.action
        );
        match APPROXIMATE.iter().find(|(id, _)| *id == r.id) {
            Some((_, why)) => {
                approx += 1;
                *by_reason.entry(why).or_default() += 1;
                eprintln!("approximate ({why}): {what}");
            }
            // nflens has no typed kind yet for the native form (or the
            // module): counted, listed, not a wrong answer.
            None if has_untyped(&a) || has_untyped(&b) => untyped.push(what),
            None => failures.push(what),
        }
    }
    for n in &not_loaded {
        eprintln!("not loaded: {n}");
    }
    for n in &refused {
        eprintln!("refused: {n}");
    }
    for n in &untyped {
        eprintln!("untyped: {n}");
    }
    let loaded = recs.len() - not_loaded.len();
    eprintln!(
        "conformance xt_txlate_v1.8.9: {} records, nft loads {loaded}; equal models {equal}/{loaded}; \
         approximate translations {approx}; iptables rules the kernel refuses {}; \
         not equal because nflens has no typed kind yet {}; other differences {}",
        recs.len(),
        refused.len(),
        untyped.len(),
        failures.len()
    );
    for (why, n) in &by_reason {
        eprintln!("  {n:4} approximate: {why}");
    }
    assert!(
        equal * 100 >= loaded * EQUAL_FLOOR_PERCENT,
        "{equal}/{loaded} below the {EQUAL_FLOOR_PERCENT}% floor"
    );
    corpus::report(
        "xt_txlate_v1.8.9: iptables rule == its nft translation, or a listed reason",
        loaded,
        &failures,
    );
}

/// Measured (141/179 on 2026-11-22), rounded down: the floor holds what
/// works while the typed kinds grow.
const EQUAL_FLOOR_PERCENT: usize = 75;

/// A condition or action nflens keeps untyped (`Nft` expressions, an `Xt`
/// module's text).
fn has_untyped(r: &Rule) -> bool {
    r.matches
        .iter()
        .any(|m| matches!(m.kind, MatchKind::Nft { .. } | MatchKind::Xt { .. }))
        || r.action
            .as_ref()
            .is_some_and(|a| matches!(a.kind, ActionKind::Nft { .. } | ActionKind::Xt { .. }))
}
