//! The `nflens` binary, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

fn nflens(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_nflens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let o = c.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn test_parse_prints_canonical_text() {
    let (code, out, _) = nflens(
        &["parse"],
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -s 10.0.0.1 -j ACCEPT\nCOMMIT\n",
    );
    assert_eq!(code, 0);
    assert_eq!(out, "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
}

#[test]
fn test_bad_input_file_line_col_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("nflens-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.rules");
    std::fs::write(
        &f,
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80x -j DROP\nCOMMIT\n",
    )
    .unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err,
        format!(
            "{}:3:25: bad --dport \"80x\": expected a port or range\n-A INPUT -p tcp --dport 80x -j DROP\n                        ^^^\n",
            f.display()
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file large enough to be read and parsed on several threads: the output
/// is the input, and an error late in the file is reported at its line.
#[test]
fn test_large_file_parses_in_chunks_as_whole() {
    let dir = std::env::temp_dir().join(format!("nflens-cli-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("kube.rules");
    let text = nflens_testutil::kube::generate(2_000, 5).0;
    assert!(text.len() > 2 << 20, "big enough to be split");
    std::fs::write(&f, &text).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out == text,
        "canonical iptables-save text prints back unchanged"
    );

    // Non-canonical lines in every chunk, and a last line without its
    // newline: the output is what the library's tree prints.
    let mut messy = String::new();
    for (i, l) in text.lines().enumerate() {
        match i % 7 {
            3 => messy.push_str(&l.replacen("-A ", "-A  ", 1)),
            5 => messy.push_str(&l.replacen("/32 ", "/255.255.255.255 ", 1)),
            _ => messy.push_str(l),
        }
        messy.push('\n');
    }
    let messy = messy.trim_end_matches('\n');
    assert!(messy != text);
    std::fs::write(&f, messy).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!((code, err.as_str()), (0, ""));
    let want = nflens::xtables::parse(messy).unwrap().to_string();
    assert!(out == want, "the chunked printer prints what the tree does");
    assert!(out != messy);

    let at = text.rfind("--dport ").unwrap() + "--dport ".len();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').unwrap();
    let mut bad = text.clone();
    bad.insert(at, 'x');
    std::fs::write(&f, &bad).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let want = format!("{}:{line}:{col}: bad --dport \"x", f.display());
    assert!(err.starts_with(&want), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Chunks that start between tables (the printer guesses each later chunk
/// starts inside one, and must parse it again), a line longer than the
/// window a file is read through, from a file and from standard input: the
/// output and the first error are the whole-input parser's.
#[test]
fn test_chunks_guessed_wrong_long_lines_and_bad_utf8() {
    let dir = std::env::temp_dir().join(format!("nflens-cli-tables-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("tables.rules");
    let mut text = String::new();
    for i in 0..12_000 {
        text.push_str("*filter\n:INPUT ACCEPT [0:0]\n");
        for j in 0..3 {
            text.push_str(&format!(
                "-A INPUT -s 10.0.{}.{j}/32 -p tcp -m tcp --dport {} -j ACCEPT\n",
                i % 250,
                j + 1
            ));
        }
        text.push_str("COMMIT\n# between tables\n");
        if i == 6_000 {
            text.push_str(&format!("# {}\n", "x".repeat(600 << 10)));
        }
    }
    assert!(text.len() > 2 << 20, "big enough to be split");
    // Non-canonical lines, so the output is not the input.
    let text = text.replace("-j ACCEPT\n-A", "--jump ACCEPT\n-A");
    let want = nflens::xtables::parse(&text).unwrap().to_string();
    assert!(want != text);
    std::fs::write(&f, &text).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out == want, "a file prints what the tree does");
    let (code, out, err) = nflens(&["parse"], &text);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out == want, "standard input prints what the tree does");

    // A rule between two tables, in a later chunk.
    let at = text[text.len() * 5 / 8..].find("# between").unwrap() + text.len() * 5 / 8;
    let mut bad = text.clone();
    bad.insert_str(at, "-A INPUT -j DROP\n");
    let first = nflens::xtables::Parser::new(&bad)
        .find_map(Result::err)
        .expect("the whole-input parser fails");
    std::fs::write(&f, &bad).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err, format!("{}:{first}\n", f.display()));

    // Bytes that are not UTF-8, far into the file.
    let mut bytes = text.clone().into_bytes();
    let at = text.len() * 3 / 4;
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').unwrap();
    bytes.insert(at, 0xff);
    std::fs::write(&f, &bytes).unwrap();
    let (code, out, err) = nflens(&["parse", f.to_str().unwrap()], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let want = format!(
        "{}:{line}:{col}: invalid UTF-8: expected text\n",
        f.display()
    );
    assert!(err.starts_with(&want), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_json_and_family() {
    let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s fe80::/10 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
    let (code, out, _) = nflens(&["parse", "-", "--format", "json"], text);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["family"], "ipv6");
    let m = &v["tables"][0]["chains"][0]["rules"][0]["matches"];
    assert_eq!(m[1]["kind"]["match"], "ct-state");
    assert_eq!(m[1]["kind"]["value"], "ESTABLISHED | RELATED");
    // Forcing the other family is an error with the line.
    let (code, _, err) = nflens(&["parse", "--family", "ipv4", "--format", "json"], text);
    assert_eq!(code, 2);
    assert_eq!(err, "-:line 3: address fe80:: is not Ipv4\n");
}

#[test]
fn test_dump_netns_matches_nft_debug() {
    use nflens_testutil::{netns, nftpy};
    if !netns::available("test_dump_netns_matches_nft_debug", &["nft", "nsenter"]) {
        return;
    }
    let held = netns::Held::new(
        "nft add table inet t\n\
         nft add chain inet t c '{ type filter hook input priority 0; }'\n\
         nft add rule inet t c tcp dport '{ 22, 80 }' ct state established,related counter accept\n\
         nft add rule inet t c ip saddr 10.0.0.0/8 log prefix x drop comment '\"a note\"'",
    )
    .expect("setup");
    let path = held.path().display().to_string();
    let (code, out, err) = nflens(&["dump", "--netns", &path], "");
    assert_eq!(code, 0, "{err}");
    let theirs = held.run("nft --debug=netlink list ruleset");
    let (a, b) = (
        nftpy::debug_blocks(&theirs.stdout),
        nftpy::debug_blocks(&out),
    );
    assert_eq!(b.rules.len(), 2);
    assert_eq!(a.rules, b.rules);
    assert_eq!(a.sets, b.sets);
    let (code, json, _) = nflens(&["dump", "--netns", &path, "--format", "wire-json"], "");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rules"].as_array().map(Vec::len), Some(2));
    // In an inet table `ip saddr` first checks the family: meta load nfproto (15).
    assert_eq!(v["rules"][1]["exprs"][0]["expr"], "meta");
    assert_eq!(v["rules"][1]["exprs"][0]["key"], 15);
    assert_eq!(v["rules"][1]["exprs"][2]["expr"], "payload");
}

#[test]
fn test_dump_missing_netns_is_a_clear_error() {
    let (code, _, err) = nflens(&["dump", "--netns", "/nonexistent/netns"], "");
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot enter network namespace /nonexistent/netns"),
        "{err}"
    );
}

/// `nflens diff FILE netns:PATH`: the rules iptables-nft wrote from a save
/// file mean what the file says (exit 0); a file with one rule changed, one
/// gone and two swapped differs from them exactly there (exit 1); a bad side
/// is an error (exit 2).
#[test]
fn test_diff_save_file_against_netns() {
    use nflens_testutil::netns;
    if !netns::available(
        "test_diff_save_file_against_netns",
        &["iptables-nft-restore", "nsenter"],
    ) {
        return;
    }
    let rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-X - [0:0]\n\
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n\
-A INPUT -i eth0 -p udp -m udp --sport 53 -j KUBE-X\n\
-A INPUT -m mark --mark 0x4000/0x4000 -j DROP\n\
-A KUBE-X -m comment --comment \"a note\" -j RETURN\n\
COMMIT\n";
    let held =
        netns::Held::new(&format!("iptables-nft-restore <<'EOF'\n{rules}EOF")).expect("setup");
    let dir = std::env::temp_dir().join(format!("nflens-cli-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let same = dir.join("same.rules");
    std::fs::write(&same, rules).unwrap();
    let ns = format!("netns:{}", held.path().display());
    let (code, out, err) = nflens(&["diff", same.to_str().unwrap(), &ns], "");
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));

    let changed = rules
        .replace("--dport 22", "--dport 2222")
        .replace("-A INPUT -m mark --mark 0x4000/0x4000 -j DROP\n", "")
        .replace(
            "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -s 10.0.0.0/8",
            "-A INPUT -s 10.0.0.0/8",
        )
        .replace(
            "-j KUBE-X\n",
            "-j KUBE-X\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n",
        );
    let other = dir.join("other.rules");
    std::fs::write(&other, &changed).unwrap();
    let (code, out, _) = nflens(&["diff", other.to_str().unwrap(), &ns], "");
    assert_eq!(code, 1, "{out}");
    // Which of the two swapped rules counts as moved is the diff's choice;
    // that one did, and the rest is reported where it is.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("~ ipv4 filter INPUT rule moved"))
            .count(),
        1,
        "{out}"
    );
    assert!(
        out.contains("line 6: -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 2222 -j ACCEPT"),
        "{out}"
    );
    // Kernel rules are shown as iptables-nft-save would print them.
    assert!(
        out.contains("handle 6: -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT"),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("+ ipv4 filter INPUT rule 4: handle")
                && l.contains("-m mark --mark 0x4000/0x4000 -j DROP")),
        "{out}"
    );
    assert!(
        !out.contains("KUBE-X rule"),
        "the user chain is the same: {out}"
    );
    let (code, _, err) = nflens(
        &["diff", same.to_str().unwrap(), "netns:/nonexistent/ns"],
        "",
    );
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `nflens diff netns:A netns:B` sees named objects: a quota's budget
/// and an object one side lacks differ; what a counter counted does not.
#[test]
fn test_diff_named_objects_between_netns() {
    use nflens_testutil::netns;
    if !netns::available("test_diff_named_objects_between_netns", &["nft", "nsenter"]) {
        return;
    }
    let a = netns::Held::new(
        "nft -f - <<'EOF'\ntable inet t {\n\tcounter c1 { }\n\tquota q1 { 10 mbytes }\n}\nEOF",
    )
    .expect("setup a");
    let b = netns::Held::new(
        "nft -f - <<'EOF'\ntable inet t {\n\tcounter c1 { packets 5 bytes 7 }\n\tquota q1 { 20 mbytes }\n\tcounter c2 { }\n}\nEOF",
    )
    .expect("setup b");
    let (na, nb) = (
        format!("netns:{}", a.path().display()),
        format!("netns:{}", b.path().display()),
    );
    let (code, out, err) = nflens(&["diff", &na, &na], "");
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    let (code, out, _) = nflens(&["diff", &na, &nb], "");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("! inet t quota q1 differs\n"), "{out}");
    assert!(
        out.contains(&format!("+ inet t counter c2: only in {nb}\n")),
        "{out}"
    );
    assert!(!out.contains("c1"), "{out}");
    let (code, out, _) = nflens(&["diff", "--counters", &na, &nb], "");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("! inet t counter c1 differs\n"), "{out}");
}

#[test]
fn test_dump_renders_as_nft_and_iptables_nft_save() {
    use nflens_testutil::netns;
    if !netns::available(
        "test_dump_renders_as_nft_and_iptables_nft_save",
        &["nft", "nsenter", "iptables-nft", "iptables-nft-save"],
    ) {
        return;
    }
    let held = netns::Held::new(
        "iptables-nft -A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 80 -m conntrack --ctstate NEW -m comment --comment 'hi there' -j ACCEPT\n\
         iptables-nft -A INPUT -p tcp -m multiport --dports 80,443 -j DROP\n\
         iptables-nft -A INPUT -i eth+ -m mark --mark 0x1/0xff -j MARK --set-xmark 0x2/0xff\n\
         iptables-nft -t nat -A POSTROUTING -o eth0 -j MASQUERADE --random-fully\n\
         iptables-nft -N FOO\n\
         iptables-nft -A FOO -j RETURN\n\
         iptables-nft -A INPUT -j FOO\n\
         nft add table ip t2\n\
         nft add chain ip t2 c '{ type filter hook forward priority -150; policy drop; }'\n\
         nft add rule ip t2 c ip saddr 10.0.0.0/8 ip daddr != 1.2.3.4 tcp dport 22 ct state established,related counter accept\n\
         nft add rule ip t2 c iifname eth0 oifname != 'lo*' meta mark 0x1 limit rate 5/second burst 7 packets log prefix x level info\n\
         nft add rule ip t2 c ip length 10-20 drop\n\
         nft add rule ip t2 c tcp option maxseg size 1460 accept\n\
         nft add rule ip t2 c numgen inc mod 2 0 accept\n\
         nft add rule ip t2 c meta mark set ip saddr '&' 0.0.0.255 map '{ 0.0.0.1 : 0x1 }'\n\
         nft add chain ip t2 n '{ type nat hook prerouting priority -100; }'\n\
         nft add rule ip t2 n meta mark set jhash ip saddr mod 2 '<<' 8",
    )
    .expect("setup");
    let path = held.path().display().to_string();
    // iptables: byte for byte what iptables-nft-save prints (less its
    // dated comment lines), for the ip tables iptables knows.
    let (code, out, err) = nflens(
        &[
            "dump", "--netns", &path, "--format", "iptables", "--family", "ipv4",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let save = held.run("iptables-nft-save");
    let theirs: String = save
        .stdout
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(out, theirs);
    assert!(
        err.contains("table t2: not shown: not a table iptables knows"),
        "{err}"
    );
    // nft: the table nflens can spell is listed as nft lists it (the range
    // over `ip length`, the TCP option, numgen and a data map looked up
    // with masked bits too); the rule it cannot (a mark set from a shifted
    // hash, which has no kind yet) is a `#` line and a warning.
    let (code, out, err) = nflens(&["dump", "--netns", &path, "--format", "nft"], "");
    assert_eq!(code, 0, "{err}");
    let list = held.run("nft list table ip t2");
    let (before, after) = list
        .stdout
        .split_once("\t\tmeta mark set jhash ip saddr mod 2 << 8\n")
        .expect("the listing has the shifted hash");
    let hash = "\t\t# nflens: rule 1 has no nft spelling yet: raw expressions [ payload load 4b";
    assert!(
        out.contains(&format!("{before}{hash}")) && out.contains(after),
        "nft:\n{}\nnflens:\n{out}",
        list.stdout
    );
    assert!(before.contains("\t\tip length 10-20 drop\n"), "{before}");
    assert!(
        before.contains("\t\ttcp option maxseg size 1460 accept\n"),
        "{before}"
    );
    assert!(
        before.contains("\t\tnumgen inc mod 2 0 accept\n"),
        "{before}"
    );
    assert!(
        before.contains("\t\tmeta mark set ip saddr & 0.0.0.255 map { 0.0.0.1 : 0x00000001 }\n"),
        "{before}"
    );
    assert!(err.contains("table t2 chain n rule 1: not shown"), "{err}");
    // json: the model.
    let (code, json, _) = nflens(&["dump", "--netns", &path, "--format", "json"], "");
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let t2 = v["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "t2"))
        .expect("table t2");
    assert_eq!(t2["chains"][0]["policy"], "drop");
    assert_eq!(
        t2["chains"][0]["rules"][0]["matches"][0]["kind"]["match"],
        "addr"
    );
}

#[test]
fn test_check_save_file_exit_codes() {
    let clean = "# Generated by iptables-nft-save v1.8.9 (nf_tables) on Sat Nov 21 10:00:00 2026\n*filter\n:INPUT ACCEPT [0:0]\n:KUBE-IPTABLES-HINT - [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n";
    let (code, out, err) = nflens(&["check", "--save", "-"], clean);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("backend nf_tables") && out.contains("hint chain: filter KUBE-IPTABLES-HINT"),
        "{out}"
    );
    let bad = "# Generated by iptables-nft-save v1.8.9 (nf_tables) on Sat Nov 21 10:00:00 2026\n# Table `filter' is incompatible, use 'nft' tool.\n";
    let (code, out, _) = nflens(&["check", "--save", "-", "--format", "json"], bad);
    assert_eq!(code, 1, "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["findings"][0]["verdict"], "incompatible");
    assert_eq!(j["findings"][0]["table"], "filter");
    assert_eq!(j["findings"][0]["version"], "1.8.9");
    let (code, _, err) = nflens(&["check", "--iptables-version", "1.9.0"], "");
    assert_eq!(code, 2);
    assert!(err.contains("unknown iptables version"), "{err}");
}

#[test]
fn test_check_netns_json_and_exit_codes() {
    use nflens_testutil::netns;
    if !netns::available(
        "test_check_netns_json_and_exit_codes",
        &["iptables-nft", "nft"],
    ) {
        return;
    }
    let held =
        netns::Held::new("iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT").expect("netns");
    let path = held.path().display().to_string();
    let (code, out, err) = nflens(
        &["check", "--netns", &path, "--iptables-version", "1.8.9"],
        "",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Backend: nft") && out.contains("No findings"),
        "{out}"
    );
    let r = held.run("nft add rule ip filter INPUT ct state established accept");
    assert_eq!(r.code, 0, "{r:?}");
    let (code, out, err) = nflens(&["check", "--netns", &path, "--format", "json"], "");
    assert_eq!(code, 1, "{out}{err}");
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    let f = j["report"]["findings"].as_array().expect("findings");
    assert_eq!(f.len(), 5, "one per version: {out}");
    for (f, v) in f
        .iter()
        .zip(["1.8.7", "1.8.8", "1.8.9", "1.8.10", "1.8.11"])
    {
        assert_eq!(f["version"], v);
        assert_eq!(f["verdict"], "incompatible");
        assert_eq!(f["family"], "ip");
        assert_eq!(f["table"], "filter");
        assert_eq!(f["chain"], "INPUT");
        assert!(f["handle"].as_u64().is_some());
        assert!(f["remedy"]
            .as_str()
            .is_some_and(|r| r.contains("nft delete rule ip filter INPUT handle")));
    }
    assert_eq!(j["detection"].as_array().map(Vec::len), Some(5));
}
