//! Legacy xtables read from the kernel (getsockopt, no binary) lower to the
//! same model as the `iptables-legacy-save` text of the same namespace.
use nflens::model::diff::{diff, Difference, Options as DiffOptions};
use nflens::model::Family;
use nflens::socket::{Legacy, Netns};
use nflens::wire::legacy::Family as LFam;
use nflens_testutil::{corpus, netns};

/// Loads `setup` in a throwaway netns, then compares the kernel read with
/// the save text of each family. Returns (rules compared, differences).
fn compare(setup: &str) -> (usize, Vec<String>) {
    let held = netns::Held::new(&format!(
        "{setup}\necho '#v4'; iptables-legacy-save; echo '#v6'; ip6tables-legacy-save"
    ))
    .unwrap_or_else(|r| panic!("setup failed: {r:?}"));
    let ns = Netns::Path(held.path());
    let legacy = Legacy::read(&ns).expect("read legacy tables");
    // The counting walk `nflens check` uses agrees with the full decode.
    for t in &legacy.tables {
        let full: Vec<(&str, usize)> = t
            .decode()
            .expect("decode")
            .chains
            .iter()
            .map(|c| (c.name, c.rules.len()))
            .collect();
        assert_eq!(t.chain_sizes().expect("chain sizes"), full, "{}", t.name);
    }
    let kernel: Vec<_> = [LFam::V4, LFam::V6]
        .into_iter()
        .map(|f| {
            let mut m = nflens::model_of_legacy(&legacy, f).expect("entries decode");
            nflens::resolve_ipsets(&ns, &mut m).expect("ipset names");
            m
        })
        .collect();
    let out = held.setup_output().to_owned();
    drop(held);
    let (v4, v6) = out
        .split_once("#v6\n")
        .map(|(a, b)| (a.trim_start_matches("#v4\n"), b))
        .expect("markers");
    let mut rules = 0;
    let mut failures = Vec::new();
    for ((text, fam), from_kernel) in [(v4, Family::Ipv4), (v6, Family::Ipv6)]
        .into_iter()
        .zip(kernel)
    {
        let from_text = nflens::read_iptables_save(text, Some(fam)).expect("save text parses");
        rules += from_kernel
            .tables
            .iter()
            .flat_map(|t| &t.chains)
            .map(|c| c.rules.len())
            .sum::<usize>();
        for d in diff(&from_text, &from_kernel, DiffOptions { counters: false }) {
            // A module the model has no kind for yet is kept as its text on
            // one side and as its decoded blob on the other: counted, not
            // hidden (see `untyped` in the report).
            if let Difference::Changed { a, .. } = &d {
                if let Some(m) = a.1.matches.iter().find_map(|m| match &m.kind {
                    nflens::model::MatchKind::Xt { module, .. } => Some(module.to_string()),
                    _ => None,
                }) {
                    failures.push(format!("untyped -m {m}"));
                    continue;
                }
            }
            failures.push(match d {
                Difference::Changed { place, a, b } => format!(
                    "{fam:?} {} {:?}: text {:?} {:?}\n   kernel {:?} {:?}",
                    place.table, place.chain, a.1.matches, a.1.action, b.1.matches, b.1.action
                ),
                d => format!("{fam:?}: {d:?}"),
            });
        }
    }
    (rules, failures)
}

#[test]
fn real_dumps_read_from_the_kernel_equal_their_save_text() {
    let Some(dir) = corpus::dir("real_dumps_read_from_the_kernel_equal_their_save_text") else {
        return;
    };
    if !netns::available(
        "real_dumps_read_from_the_kernel_equal_their_save_text",
        &[
            "iptables-legacy-restore",
            "ip6tables-legacy-restore",
            "ipset",
        ],
    ) {
        return;
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for path in corpus::dump_files(&dir, true).into_iter().filter(|p| {
        p.parent()
            .is_some_and(|d| d.ends_with("canonical-iptables-1.8.9-nft"))
    }) {
        let tool = if path.to_string_lossy().contains("ip6tables") {
            "ip6tables-legacy-restore"
        } else {
            "iptables-legacy-restore"
        };
        // The ipsets a dump refers to must exist before it loads.
        let text = std::fs::read_to_string(&path).expect("read dump");
        let mut setup = corpus::ipset_setup(&text, tool.starts_with("ip6"));
        // `-m nfacct` needs an nfacct object nothing here creates: those
        // lines (one, in one dump) are left out.
        setup.push_str(&format!(
            "grep -v -- '-m nfacct' '{}' | {tool}",
            path.display()
        ));
        let (n, f) = compare(&setup);
        total += n;
        failures.extend(f.into_iter().map(|f| format!("{}: {f}", path.display())));
    }
    assert!(total > 500, "expected the dumps' rules, read {total}");
    let (untyped, real): (Vec<String>, Vec<String>) = failures
        .into_iter()
        .partition(|f| f.ends_with(|c: char| c.is_alphanumeric()) && f.contains(": untyped -m "));
    let mut by_module = std::collections::BTreeMap::<&str, usize>::new();
    for u in &untyped {
        *by_module
            .entry(u.rsplit(' ').next().unwrap_or("?"))
            .or_default() += 1;
    }
    eprintln!(
        "legacy dumps: {} of {total} rules equal; differing only in a module without a model kind: {by_module:?}",
        total - untyped.len() - real.len()
    );
    corpus::report(
        "legacy kernel read == legacy save text (dumps, typed modules)",
        total - untyped.len(),
        &real,
    );
}

#[test]
fn kube_proxy_ruleset_read_from_the_kernel_equals_its_save_text() {
    if !netns::available(
        "kube_proxy_ruleset_read_from_the_kernel_equals_its_save_text",
        &["iptables-legacy-restore"],
    ) {
        return;
    }
    let (text, _) = nflens_testutil::kube::generate(1000, 7);
    let dir = std::env::temp_dir().join(format!("nflens-legacy-kube-{}", std::process::id()));
    std::fs::write(&dir, text).expect("write");
    let (n, failures) = compare(&format!("iptables-legacy-restore < '{}'", dir.display()));
    let _ = std::fs::remove_file(&dir);
    assert!(n > 5000, "expected the kube-proxy rules, read {n}");
    corpus::report(
        "legacy kernel read == legacy save text (kube 1k)",
        n,
        &failures,
    );
}

#[test]
fn nothing_is_read_or_created_when_no_legacy_table_exists() {
    if !netns::available(
        "nothing_is_read_or_created_when_no_legacy_table_exists",
        &[],
    ) {
        return;
    }
    let held = netns::Held::new("true").expect("netns");
    let before =
        held.run("cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null || true");
    let legacy = Legacy::read(&Netns::Path(held.path())).expect("read");
    let after =
        held.run("cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null || true");
    assert!(legacy.tables.is_empty() && !legacy.present(), "{legacy:?}");
    assert_eq!(
        before.stdout, after.stdout,
        "reading created a legacy table"
    );
    assert_eq!(after.stdout, "", "a fresh namespace has no legacy tables");
}

/// `-m set` with its further options and `-j SET`, written by both
/// iptables backends: the legacy kernel read and the nf_tables dump lower
/// to the model of the save text, and print back as that text.
#[test]
fn ipset_options_and_set_target_read_from_both_backends() {
    if !netns::available(
        "ipset_options_and_set_target_read_from_both_backends",
        &["iptables-legacy", "iptables-nft", "ipset"],
    ) {
        return;
    }
    let rules = [
        "-m set --match-set sa src --return-nomatch -j DROP",
        "-m set --match-set sa src ! --update-counters --packets-gt 5 -j DROP",
        "-m set --match-set sb src,dst ! --update-subcounters --bytes-lt 100 -j ACCEPT",
        "-m set ! --match-set sb dst,dst ! --packets-eq 3 -j SET --add-set sa dst",
        "-m set --match-set sa dst --bytes-eq 7 --packets-lt 2 -j RETURN",
        "-j SET --add-set sa src --exist --timeout 10",
        "-j SET --del-set sb src,dst",
        "-j SET --add-set sa src --del-set sb dst,src",
    ];
    let mut setup = String::from("ipset create sa hash:ip\nipset create sb hash:ip,port\n");
    for r in rules {
        setup.push_str(&format!(
            "iptables-legacy -A INPUT {r}\niptables-nft -A INPUT {r}\n"
        ));
    }
    // Legacy: kernel read == save text.
    let (n, failures) = compare(&setup);
    assert_eq!(n, rules.len(), "legacy rules read");
    assert!(
        failures.is_empty(),
        "legacy differences:\n{}",
        failures.join("\n")
    );
    // nf_tables: the dump renders as iptables-nft-save prints it, and lowers
    // to the model of that text.
    let held = netns::Held::new(&format!("{setup}iptables-nft-save -t filter"))
        .unwrap_or_else(|r| panic!("setup failed: {r:?}"));
    let ns = Netns::Path(held.path());
    let snap = nflens::socket::Snapshot::read(&nflens::socket::Options {
        netns: ns.clone(),
        ..Default::default()
    })
    .expect("snapshot");
    let mut kernel = nflens::model_of(&snap);
    nflens::resolve_ipsets(&ns, &mut kernel).expect("ipset names");
    let text = held.setup_output().to_owned();
    let from_text = nflens::read_iptables_save(&text, Some(Family::Ipv4)).expect("parses");
    let shown: Vec<String> = kernel
        .tables
        .iter()
        .flat_map(|t| &t.chains)
        .filter(|c| &*c.name == "INPUT")
        .flat_map(|c| &c.rules)
        .map(|r| {
            let mut s = String::from("-A INPUT");
            nflens::model::render::iptables::rule(r, Family::Ipv4, &mut s).expect("renders");
            s
        })
        .collect();
    // As iptables-nft-save printed them (the fifth in its order, not the
    // order typed).
    let want: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("-A INPUT"))
        .map(str::to_owned)
        .collect();
    assert!(
        want.iter()
            .any(|l| l.contains("--packets-lt 2 --bytes-eq 7")),
        "{text}"
    );
    assert_eq!(shown, want, "rendered from the nf_tables dump");
    let k = kernel
        .tables
        .iter()
        .find(|t| &*t.name == "filter")
        .expect("filter");
    let t = from_text
        .tables
        .iter()
        .find(|t| &*t.name == "filter")
        .expect("filter");
    let (kc, tc) = (
        k.chains
            .iter()
            .find(|c| &*c.name == "INPUT")
            .expect("INPUT"),
        t.chains
            .iter()
            .find(|c| &*c.name == "INPUT")
            .expect("INPUT"),
    );
    assert_eq!(kc.rules.len(), rules.len());
    for (a, b) in kc.rules.iter().zip(&tc.rules) {
        assert!(a.same_meaning(b), "kernel {a:?}\ntext {b:?}");
    }
}
