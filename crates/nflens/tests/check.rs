//! `nflens check` against the installed iptables-nft 1.8.9: every catalogue
//! class of COMPAT.md §1.3-§1.5 and the taxonomy of §5, built in throwaway
//! namespaces. For each case the predicted 1.8.9 verdict is the one COMPAT.md
//! gives, and the predicted messages and `iptables-nft-save` text equal what
//! the real `iptables-nft -S`, `-L` and `iptables-nft-save` print there.
use nflens::analysis::{Verdict, Version};
use nflens::socket::Netns;
use nflens_testutil::netns;

struct Case {
    name: &'static str,
    /// Commands run in the namespace (`sh -e`).
    setup: &'static str,
    /// The verdicts COMPAT.md gives for 1.8.9 (empty: clean).
    expect: &'static [Verdict],
}

const CASES: &[Case] = &[
    Case { name: "clean iptables-nft rules", setup: "iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT\niptables-nft -A INPUT -m conntrack --ctstate NEW -j ACCEPT\niptables-nft -N USER\niptables-nft -A FORWARD -s 10.0.0.0/8 -j USER", expect: &[] },
    // An xt `set` match holds the ipset's kernel index: the predicted save
    // text names it as iptables does (asking the kernel).
    Case { name: "ipset match", setup: "ipset create nflens-a hash:ip\nipset create nflens-b hash:net family inet6\nipset create nflens-c hash:ip,port\niptables-nft -A INPUT -m set --match-set nflens-a src -j DROP\niptables-nft -A INPUT -m set ! --match-set nflens-c dst,src -j ACCEPT\nip6tables-nft -A FORWARD -m set --match-set nflens-b dst -j DROP", expect: &[] },
    // §1.4 Gate 1: always incompatible.
    Case { name: "ct state (C02)", setup: "iptables-nft -A INPUT -j ACCEPT\nnft add rule ip filter INPUT ct state established,related accept", expect: &[Verdict::Incompatible] },
    Case { name: "ct in a user chain (C03)", setup: "iptables-nft -N U\niptables-nft -A INPUT -j U\nnft add rule ip filter U ct mark 0x1 accept", expect: &[Verdict::Incompatible] },
    Case { name: "fib", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT fib saddr . iif oif missing drop", expect: &[Verdict::Incompatible] },
    Case { name: "reject", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT tcp dport 23 reject", expect: &[Verdict::Incompatible] },
    Case { name: "masquerade", setup: "iptables-nft -t nat -P PREROUTING ACCEPT\niptables-nft -t nat -P POSTROUTING ACCEPT\nnft add rule ip nat POSTROUTING oifname eth0 masquerade", expect: &[Verdict::Incompatible] },
    Case { name: "dnat", setup: "iptables-nft -t nat -P PREROUTING ACCEPT\niptables-nft -t nat -P POSTROUTING ACCEPT\nnft add rule ip nat PREROUTING tcp dport 80 dnat to 10.0.0.1", expect: &[Verdict::Incompatible] },
    Case { name: "notrack", setup: "iptables-nft -t raw -P PREROUTING ACCEPT\nnft add rule ip raw PREROUTING udp dport 53 notrack", expect: &[Verdict::Incompatible] },
    Case { name: "quota", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT quota over 10 mbytes drop", expect: &[Verdict::Incompatible] },
    Case { name: "log without group", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT log prefix x", expect: &[Verdict::Incompatible] },
    Case { name: "limit in bytes", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT limit rate 1 mbytes/second accept", expect: &[Verdict::Incompatible] },
    Case { name: "limit over", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT limit rate over 10/second drop", expect: &[Verdict::Incompatible] },
    Case { name: "named counter (objref)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add counter ip filter c1\nnft add rule ip filter INPUT counter name c1", expect: &[Verdict::Incompatible] },
    Case { name: "meter (dynset)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add set ip filter m '{ type ipv4_addr; flags dynamic; }'\nnft add rule ip filter INPUT update @m '{ ip saddr }'", expect: &[Verdict::Incompatible] },
    Case { name: "ip6 ct (ip6tables)", setup: "ip6tables-nft -P INPUT ACCEPT\nnft add rule ip6 filter INPUT ct state invalid drop", expect: &[Verdict::Incompatible] },
    // Compatible since 1.8.8.
    Case { name: "range and nflog", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT tcp dport != 1000-2000 log group 3 prefix p", expect: &[] },
    Case { name: "packet limit", setup: "iptables-nft -A INPUT -m limit --limit 5/second -j ACCEPT\nnft add rule ip filter INPUT limit rate 10/minute accept", expect: &[] },
    // §1.3 base chains: tainted from 1.8.8.
    Case { name: "extra base chain, policy drop (C24)", setup: "iptables-nft -A INPUT -j ACCEPT\nnft add chain ip filter extra '{ type filter hook input priority 0; policy drop; }'", expect: &[Verdict::Tainted] },
    Case { name: "INPUT at another priority (C23)", setup: "nft add table ip filter\nnft add chain ip filter INPUT '{ type filter hook input priority 10; }'\nnft add rule ip filter INPUT accept", expect: &[Verdict::Tainted] },
    Case { name: "mangle OUTPUT of type filter (C31)", setup: "nft add table ip mangle\nnft add chain ip mangle OUTPUT '{ type filter hook output priority -150; }'", expect: &[Verdict::Tainted] },
    Case { name: "nat-type prerouting in filter", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add chain ip filter pre '{ type nat hook prerouting priority -100; }'", expect: &[Verdict::Tainted] },
    // §1.5 Gate 2, 1.8.9: parse errors.
    Case { name: "ip dscp (C21)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT ip dscp 0x10 accept", expect: &[Verdict::ParseError] },
    Case { name: "meta skuid (C22)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter OUTPUT meta skuid 0 accept", expect: &[Verdict::ParseError] },
    Case { name: "ether saddr (C41)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT ether saddr 00:11:22:33:44:55 drop", expect: &[Verdict::ParseError] },
    Case { name: "meta mark set (C29)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT meta mark set 0x1", expect: &[Verdict::ParseError] },
    Case { name: "meta priority set", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter OUTPUT meta priority set 1:2", expect: &[Verdict::ParseError] },
    Case { name: "meta nftrace set 0", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT meta nftrace set 0", expect: &[Verdict::ParseError] },
    Case { name: "sctp dport", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT sctp dport 22 accept", expect: &[Verdict::ParseError] },
    Case { name: "th dport", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT th dport 22 accept", expect: &[Verdict::ParseError] },
    Case { name: "parse error stops the listing", setup: "iptables-nft -A INPUT -s 1.2.3.4 -j DROP\nnft add rule ip filter INPUT ip length 100 drop\niptables-nft -A INPUT -s 5.6.7.8 -j DROP", expect: &[Verdict::ParseError] },
    // Misrendered in every version.
    Case { name: "anonymous set", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT ip saddr '{ 1.2.3.4, 5.6.7.8 }' drop", expect: &[Verdict::Misrendered] },
    Case { name: "named set", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add set ip filter s '{ type ipv4_addr; }'\nnft add rule ip filter INPUT ip saddr @s drop", expect: &[Verdict::Misrendered] },
    Case { name: "verdict map", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT tcp dport vmap '{ 22 : accept, 23 : drop }'", expect: &[Verdict::Misrendered] },
    Case { name: "udp length", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT udp length 100 drop", expect: &[Verdict::Misrendered] },
    Case { name: "tcp sequence", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT tcp sequence 1 drop", expect: &[Verdict::Misrendered] },
    Case { name: "repeated saddr (C46)", setup: "iptables-nft -P INPUT ACCEPT\niptables-nft -P OUTPUT ACCEPT\nnft add rule ip filter INPUT ip saddr 10.0.0.0/8 ip saddr != 10.1.2.0/24 drop", expect: &[Verdict::Misrendered] },
    Case { name: "ip6 nexthdr (C52)", setup: "ip6tables-nft -P INPUT ACCEPT\nnft add rule ip6 filter INPUT ip6 nexthdr tcp accept", expect: &[Verdict::Misrendered] },
    Case { name: "dormant table", setup: "iptables-nft -A INPUT -j DROP\nnft add table ip filter '{ flags dormant; }'", expect: &[Verdict::Misrendered] },
    Case { name: "merged inverted port pair (C50)", setup: "iptables-nft -A INPUT -p tcp ! --sport 1 ! --dport 2 -j DROP", expect: &[Verdict::Misrendered] },
    // Invisible.
    Case { name: "inet chain with policy drop", setup: "iptables-nft -A INPUT -j ACCEPT\nnft add table inet fw\nnft add chain inet fw in '{ type filter hook input priority 10; policy drop; }'", expect: &[Verdict::Invisible] },
    Case { name: "ip table iptables does not know (C25)", setup: "nft add table ip foo\nnft add chain ip foo in '{ type filter hook input priority 0; policy drop; }'", expect: &[Verdict::Invisible] },
];

/// The save text without the dated header and footer comments.
fn undated(s: &str) -> String {
    s.lines()
        .filter(|l| !l.starts_with("# Generated by") && !l.starts_with("# Completed on"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn catalogue_cases_predict_iptables_nft_1_8_9() {
    if !netns::available(
        "catalogue_cases_predict_iptables_nft_1_8_9",
        &["iptables-nft", "nft", "ipset"],
    ) {
        return;
    }
    let v = Version::V1_8_9;
    let version_out = std::process::Command::new("iptables-nft")
        .arg("--version")
        .output()
        .expect("iptables-nft");
    assert!(
        String::from_utf8_lossy(&version_out.stdout).contains("v1.8.9"),
        "the installed iptables must be 1.8.9"
    );
    let mut failures = Vec::new();
    let mut failed_cases = 0;
    for case in CASES {
        let before = failures.len();
        let held = netns::Held::new(case.setup)
            .unwrap_or_else(|r| panic!("{}: setup failed: {r:?}", case.name));
        let check = nflens::check_with(
            &Netns::Path(held.path()),
            nflens::CheckOptions {
                versions: &[v],
                predict_save: true,
            },
        )
        .expect("check");
        let snap = nflens::socket::Snapshot::read(&nflens::socket::Options {
            netns: Netns::Path(held.path()),
            ..Default::default()
        })
        .expect("snapshot");
        let mut got: Vec<Verdict> = check.report.findings.iter().map(|f| f.verdict).collect();
        got.sort();
        got.dedup();
        if got != case.expect {
            failures.push(format!(
                "{}: verdicts {got:?}, COMPAT.md says {:?}\n{:#?}",
                case.name, case.expect, check.report.findings
            ));
        }
        for (ip6, tool) in [(false, "iptables-nft"), (true, "ip6tables-nft")] {
            let save = held.run(&format!("{tool}-save"));
            let predicted = nflens::predict_save(&Netns::Path(held.path()), &snap, v, ip6, false)
                .expect("ipset names");
            let fam = if ip6 { "ip6" } else { "ip" };
            // The same text through `check`, for the families it has tables of.
            if let Some(p) = check.predicted_save.iter().find(|p| p.family == fam) {
                assert_eq!(p.text, predicted, "{}: check's {fam} prediction", case.name);
            }
            match predicted {
                Some(p) if p == undated(&save.stdout) => {}
                p => failures.push(format!(
                    "{}: {tool}-save printed\n{}---\nnflens predicted\n{}---",
                    case.name,
                    undated(&save.stdout),
                    p.unwrap_or_else(|| "(no prediction)".into())
                )),
            }
            // The messages of -S and -L.
            for arg in ["-S", "-L -n"] {
                let run = held.run(&format!("set +e; {tool} {arg}; echo \"rc=$?\""));
                let fam_findings: Vec<_> = check
                    .report
                    .findings
                    .iter()
                    .filter(|f| f.family == fam)
                    .collect();
                let incompatible = fam_findings
                    .iter()
                    .find(|f| f.verdict == Verdict::Incompatible);
                let parse_err = fam_findings
                    .iter()
                    .find(|f| f.verdict == Verdict::ParseError);
                if let Some(f) = incompatible.filter(|f| f.table == "filter") {
                    let want = f
                        .message
                        .as_deref()
                        .and_then(|m| m.lines().next())
                        .and_then(|l| l.strip_prefix("-L/-S: "))
                        .unwrap_or("");
                    if !(run.stderr.trim_end() == want && run.stdout.contains("rc=1")) {
                        failures.push(format!(
                            "{}: `{tool} {arg}`: stderr {:?} {}, nflens predicted {want:?} exit 1",
                            case.name,
                            run.stderr,
                            run.stdout.lines().last().unwrap_or("")
                        ));
                    }
                } else if let Some(f) = parse_err.filter(|f| f.table == "filter") {
                    let want = f.message.as_deref().unwrap_or("");
                    if !(run.stderr.trim_end() == want.trim_end() && run.stdout.contains("rc=3")) {
                        failures.push(format!(
                            "{}: `{tool} {arg}`: stderr {:?} {}, nflens predicted {want:?} exit 3",
                            case.name,
                            run.stderr,
                            run.stdout.lines().last().unwrap_or("")
                        ));
                    }
                } else if !run.stdout.contains("rc=0") {
                    failures.push(format!(
                        "{}: `{tool} {arg}` failed: {:?} {:?}; nflens predicted success",
                        case.name, run.stderr, run.stdout
                    ));
                }
            }
        }
        drop(held);
        if failures.len() > before {
            failed_cases += 1;
        }
    }
    eprintln!(
        "catalogue cases: {}/{} with verdict, -S/-L messages and both save texts as iptables-nft 1.8.9 prints them",
        CASES.len() - failed_cases,
        CASES.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Each detector's documented algorithm (COMPAT.md §3.1, §3.2), run with
/// the real tools; prints `name=verdict` lines. Calico last: its
/// `iptables-legacy-save -t mangle` may create the legacy mangle table.
const DETECTORS_SH: &str = r#"
set +e
HINT='^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY)'
L=$( (iptables-legacy-save; ip6tables-legacy-save) 2>/dev/null | grep -c '^-')
N=$( (iptables-nft-save; ip6tables-nft-save) 2>/dev/null | grep -c '^-')
echo "counts=$L/$N"
if [ "$L" -ge 10 ]; then echo kubernetes-2019-wrapper=legacy
elif [ "$L" -ge "$N" ]; then echo kubernetes-2019-wrapper=legacy
else echo kubernetes-2019-wrapper=nft; fi
if [ "$L" -ge "$N" ]; then echo iptables-wrappers-v1=legacy; else echo iptables-wrappers-v1=nft; fi
if (ip6tables-nft-save -t mangle; iptables-nft-save -t mangle) 2>/dev/null | grep -qE "$HINT"; then v2=nft; v3=nft
elif (ip6tables-legacy-save; iptables-legacy-save) 2>/dev/null | grep -qE "$HINT"; then v2=legacy; v3=legacy
elif [ "$L" -gt "$N" ]; then v2=legacy; v3=nft
else v2=nft; v3=nft; fi
echo iptables-wrappers-v2=$v2
echo iptables-wrappers-v3=$v3
if [ "$L" -ge 10 ]; then echo k3s-root/rke2=legacy
elif [ "$L" -gt "$N" ]; then echo k3s-root/rke2=legacy
elif [ "$N" -eq 0 ]; then echo k3s-root/rke2=unknown
else echo k3s-root/rke2=nft; fi
if (ip6tables-nft-save -t mangle; iptables-nft-save -t mangle) 2>/dev/null | grep -qE 'KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY'; then echo calico-felix=nft
elif (ip6tables-legacy-save -t mangle; iptables-legacy-save -t mangle) 2>/dev/null | grep -qE 'KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY'; then echo calico-felix=legacy
elif [ "$L" -ge "$N" ]; then echo calico-felix=legacy
else echo calico-felix=nft; fi
"#;

fn rules(tool: &str, n: usize, chain: &str) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{tool} -A {chain} -s 10.0.{}.{}/32 -j ACCEPT\n",
                i / 250,
                i % 250 + 1
            )
        })
        .collect()
}

#[test]
fn detection_scenarios_match_the_detectors_run_with_real_tools() {
    if !netns::available(
        "detection_scenarios_match_the_detectors_run_with_real_tools",
        &["iptables-nft", "iptables-legacy", "nft"],
    ) {
        return;
    }
    let ct = "nft add rule ip filter INPUT ct state established accept\n";
    let scenarios: Vec<(&str, String)> = vec![
        ("S1 empty", String::new()),
        ("S2 15 iptables-nft rules", rules("iptables-nft", 15, "INPUT")),
        ("S3 12 legacy + 30 nft", rules("iptables-legacy", 12, "INPUT") + &rules("iptables-nft", 30, "INPUT")),
        ("S4 3 legacy + 30 nft", rules("iptables-legacy", 3, "INPUT") + &rules("iptables-nft", 30, "INPUT")),
        ("S5 30 nft + native ct", rules("iptables-nft", 30, "INPUT") + ct),
        (
            "S6 nft hint in incompatible mangle + 2 legacy",
            "iptables-nft -t mangle -N KUBE-IPTABLES-HINT\nnft add rule ip mangle KUBE-IPTABLES-HINT ct state new accept\n".to_owned()
                + &rules("iptables-legacy", 2, "INPUT"),
        ),
        ("S7 nft hint + 40 legacy", "iptables-nft -t mangle -N KUBE-IPTABLES-HINT\n".to_owned() + &rules("iptables-legacy", 40, "INPUT")),
        (
            "legacy hint + 5 nft",
            "iptables-legacy -t mangle -N KUBE-KUBELET-CANARY\n".to_owned() + &rules("iptables-nft", 5, "INPUT"),
        ),
        ("ip6 nft only", rules("ip6tables-nft", 4, "INPUT").replace("10.0.0.", "2001:db8::")),
    ];
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, setup) in &scenarios {
        let held = netns::Held::new(setup).unwrap_or_else(|r| panic!("{name}: {r:?}"));
        let check = nflens::check(&Netns::Path(held.path()), &[Version::V1_8_9]).expect("check");
        let real = held.run(DETECTORS_SH);
        let d = &check.detection[0];
        eprintln!(
            "{name}: legacy {} nft {}: {}",
            d.legacy_rule_lines,
            d.nft_rule_lines,
            d.detectors
                .iter()
                .map(|x| format!("{}={}", x.detector, x.verdict))
                .collect::<Vec<_>>()
                .join(" ")
        );
        for line in real.stdout.lines() {
            let Some((det, verdict)) = line.split_once('=') else {
                continue;
            };
            if det == "counts" {
                let want = format!("{}/{}", d.legacy_rule_lines, d.nft_rule_lines);
                if verdict != want {
                    failures.push(format!(
                        "{name}: rule lines legacy/nft: tools {verdict}, nflens {want}"
                    ));
                }
                continue;
            }
            compared += 1;
            match d.detectors.iter().find(|x| x.detector == det) {
                Some(x) if x.verdict == verdict => {}
                x => failures.push(format!("{name}: {det}: tools say {verdict}, nflens {x:?}")),
            }
        }
    }
    eprintln!(
        "detection: {compared} detector verdicts in {} scenarios compared",
        scenarios.len()
    );
    assert_eq!(
        compared,
        scenarios.len() * 6,
        "every detector ran in every scenario"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_changes_nothing() {
    if !netns::available(
        "check_changes_nothing",
        &["iptables-nft", "iptables-legacy", "nft"],
    ) {
        return;
    }
    // Legacy filter only (no legacy mangle), and nft rules.
    let held = netns::Held::new(
        "iptables-legacy -A INPUT -j ACCEPT\niptables-nft -A INPUT -j ACCEPT\nnft add rule ip filter INPUT ct state new accept",
    )
    .expect("setup");
    let state = || {
        held.run("cat /proc/net/ip_tables_names; echo --; cat /proc/net/ip6_tables_names 2>/dev/null; echo --; nft list ruleset; iptables-legacy-save | grep -v '^#'").stdout
    };
    let ns = Netns::Path(held.path());
    let gen = || {
        nflens::socket::Snapshot::read(&nflens::socket::Options {
            netns: ns.clone(),
            ..Default::default()
        })
        .expect("snapshot")
        .generation()
    };
    let (before, gen_before) = (state(), gen());
    let check = nflens::check(&ns, &[]).expect("check");
    assert_eq!(check.generation, gen_before);
    let (after, gen_after) = (state(), gen());
    assert_eq!(gen_before, gen_after, "the nf_tables generation moved");
    assert_eq!(
        before, after,
        "/proc/net/ip*_tables_names or a ruleset changed"
    );
    assert!(
        before.starts_with("filter\n--\n"),
        "only the legacy filter table exists: {before}"
    );
    assert!(
        !check.clean(),
        "split brain and an incompatible table are findings"
    );
    assert!(check.detection.iter().all(|d| d.split_brain));
}

#[test]
fn parallel_analysis_reports_what_one_thread_does() {
    if !netns::available(
        "parallel_analysis_reports_what_one_thread_does",
        &["iptables-nft-restore", "nft"],
    ) {
        return;
    }
    let (text, _) = nflens_testutil::kube::generate(1000, 11);
    let path = std::env::temp_dir().join(format!("nflens-par-{}", std::process::id()));
    std::fs::write(&path, text).expect("write");
    // The kube-proxy rules (version-skew findings for 1.8.7 in many
    // chains, cut across runs), with one more rule in the middle of the
    // largest table: one that ≥ 1.8.9 cannot parse (rule lines stop there),
    // then one that no version reads (the table is refused).
    let cases = [
        ("ip dscp 0x10 accept", Verdict::ParseError),
        ("ct state established accept", Verdict::Incompatible),
    ];
    for (rule, verdict) in cases {
        let held = netns::Held::new(&format!(
            "iptables-nft-restore < '{}'\nnft add rule ip nat KUBE-SERVICES {rule}\niptables-nft -t nat -A KUBE-SERVICES -j ACCEPT",
            path.display()
        ))
        .expect("setup");
        let snap = nflens::socket::Snapshot::read(&nflens::socket::Options {
            netns: Netns::Path(held.path()),
            ..Default::default()
        })
        .expect("snapshot");
        assert!(snap.rule_count() > 8192, "{} rules", snap.rule_count());
        let input = nflens::nft_input(&snap);
        let one = nflens::analysis::analyse(&input, &Version::ALL);
        assert!(
            one.findings
                .iter()
                .any(|f| f.verdict == verdict && f.table == "nat"),
            "{rule}: a {verdict:?} finding expected"
        );
        if verdict == Verdict::ParseError {
            assert!(
                one.findings
                    .iter()
                    .any(|f| f.version == Version::V1_8_7 && f.verdict == Verdict::SilentDrop),
                "version-skew findings expected"
            );
        }
        for threads in [2, 3, 7] {
            let many = nflens::analysis::analyse_parallel(&input, &Version::ALL, threads);
            assert!(many == one, "{rule}, {threads} threads: the report differs");
        }
        assert_eq!(one.undecodable, None);
        // `nflens check` reads without decoding rule expressions first (the
        // analysis does it): same report, same check of the other tables.
        let deferred = nflens::socket::Snapshot::read_deferred(&nflens::socket::Options {
            netns: Netns::Path(held.path()),
            ..Default::default()
        })
        .expect("deferred snapshot");
        assert_eq!(deferred.rule_count(), snap.rule_count(), "{rule}: rules");
        assert_eq!(
            deferred.generation(),
            snap.generation(),
            "{rule}: generation"
        );
        deferred
            .check_rule_exprs(|c| !nflens::analysis::reads_table(c.family, c.table))
            .expect("the other tables decode");
        let again =
            nflens::analysis::analyse_parallel(&nflens::nft_input(&deferred), &Version::ALL, 2);
        assert!(
            again == one,
            "{rule}: the report from a deferred snapshot differs"
        );
    }
    let _ = std::fs::remove_file(&path);
}
