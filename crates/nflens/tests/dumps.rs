//! Issue 4, `dumps/`: each real dump (in the canonical text iptables-nft
//! 1.8.9 prints) is loaded into one throwaway namespace twice, with
//! `iptables-legacy-restore` and with `iptables-nft-restore`. Four models of
//! it must be equal (`nflens diff` semantics, counters not compared):
//!
//! - the legacy text (`iptables-legacy-save` of the namespace),
//! - the legacy tables read from the kernel (getsockopt),
//! - the nf_tables dump (netlink snapshot, lowered),
//! - the nft-side text (`iptables-nft-save` of the namespace).
//!
//! Every rule of every dump is counted; a difference is listed with both
//! sides, never dropped.
use nflens::model::diff::{diff, Difference, Options as DiffOptions};
use nflens::model::{Family, Ruleset};
use nflens::socket::{Legacy, Netns, Options, Snapshot};
use nflens::wire::legacy::Family as LFam;
use nflens_testutil::{corpus, netns};

fn rules(rs: &Ruleset) -> usize {
    rs.tables
        .iter()
        .flat_map(|t| &t.chains)
        .map(|c| c.rules.len())
        .sum()
}

/// The differences of `b` from `a`, as lines naming `what`.
fn differences(what: &str, a: &Ruleset, b: &Ruleset, out: &mut Vec<String>) {
    for d in diff(a, b, DiffOptions { counters: false }) {
        out.push(match d {
            Difference::Changed { place, a, b } => format!(
                "{what}: {} {:?}: {:?} {:?}\n    vs {:?} {:?}",
                place.table, place.chain, a.1.matches, a.1.action, b.1.matches, b.1.action
            ),
            d => format!("{what}: {d:?}"),
        });
    }
}

#[test]
fn dumps_lower_equal_from_legacy_text_kernel_nf_tables_and_nft_text() {
    let Some(dir) = corpus::dir("dumps_lower_equal_from_legacy_text_kernel_nf_tables_and_nft_text")
    else {
        return;
    };
    if !netns::available(
        "dumps_lower_equal_from_legacy_text_kernel_nf_tables_and_nft_text",
        &[
            "iptables-legacy-restore",
            "ip6tables-legacy-restore",
            "iptables-nft-restore",
            "ip6tables-nft-restore",
            "ipset",
        ],
    ) {
        return;
    }
    let paths: Vec<_> = corpus::dump_files(&dir, true)
        .into_iter()
        .filter(|p| {
            p.parent()
                .is_some_and(|d| d.ends_with("canonical-iptables-1.8.9-nft"))
        })
        .collect();
    assert!(
        paths.len() >= 15,
        "expected the canonical dumps, found {}",
        paths.len()
    );
    let (mut total, mut equal) = (0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let v6 = path.to_string_lossy().contains("ip6tables");
        let (legacy, nft, fam, lfam) = if v6 {
            ("ip6tables-legacy", "ip6tables-nft", Family::Ipv6, LFam::V6)
        } else {
            ("iptables-legacy", "iptables-nft", Family::Ipv4, LFam::V4)
        };
        let text = std::fs::read_to_string(path).expect("read dump");
        // The ipsets a dump refers to must exist before it loads.
        let mut setup = corpus::ipset_setup(&text, v6);
        // `-m nfacct` needs an nfacct object nothing here creates: those
        // lines (one, in one dump) are left out, on both backends.
        let p = path.display();
        setup.push_str(&format!(
            "grep -v -- '-m nfacct' '{p}' | {legacy}-restore\n\
             grep -v -- '-m nfacct' '{p}' | {nft}-restore\n\
             echo '#legacy'; {legacy}-save; echo '#nft'; {nft}-save\n"
        ));
        let held = netns::Held::new(&setup).unwrap_or_else(|r| panic!("{p}: setup failed: {r:?}"));
        let ns = Netns::Path(held.path());
        let mut from_kernel =
            nflens::model_of_legacy(&Legacy::read(&ns).expect("legacy read"), lfam)
                .expect("legacy entries decode");
        nflens::resolve_ipsets(&ns, &mut from_kernel).expect("ipset names");
        let snap = Snapshot::read(&Options {
            netns: ns.clone(),
            ..Options::default()
        })
        .expect("snapshot");
        let mut from_nft = nflens::model_of(&snap);
        // The one-decode read gives the same model.
        let (_, once) = nflens::read_model(&Options {
            netns: ns.clone(),
            ..Options::default()
        })
        .expect("read_model");
        assert_eq!(
            once,
            from_nft,
            "{}: read_model differs from model_of",
            path.display()
        );
        // So does lowering on several threads (and on the calling one).
        for threads in [1, 3] {
            let (_, split) = nflens::read_model_threads(
                &Options {
                    netns: ns.clone(),
                    ..Options::default()
                },
                threads,
            )
            .expect("read_model_threads");
            assert_eq!(split, from_nft, "{p}: {threads} threads");
        }
        nflens::resolve_ipsets(&ns, &mut from_nft).expect("ipset names");
        let out = held.setup_output().to_owned();
        drop(held);
        let (legacy_text, nft_text) = out
            .trim_start_matches("#legacy\n")
            .split_once("#nft\n")
            .expect("markers");
        let from_legacy_text =
            nflens::read_iptables_save(legacy_text, Some(fam)).expect("legacy text parses");
        let from_nft_text =
            nflens::read_iptables_save(nft_text, Some(fam)).expect("nft text parses");
        let n = rules(&from_legacy_text);
        assert!(n > 0, "{p}: no rules loaded");
        for (what, m) in [
            ("legacy kernel", &from_kernel),
            ("nf_tables dump", &from_nft),
            ("iptables-nft-save text", &from_nft_text),
        ] {
            assert_eq!(rules(m), n, "{p}: {what} has another number of rules");
        }
        let mut f = Vec::new();
        differences(
            "legacy text vs legacy kernel",
            &from_legacy_text,
            &from_kernel,
            &mut f,
        );
        differences(
            "legacy text vs nf_tables dump",
            &from_legacy_text,
            &from_nft,
            &mut f,
        );
        differences(
            "nf_tables dump vs nft text",
            &from_nft,
            &from_nft_text,
            &mut f,
        );
        eprintln!(
            "{}: {n} rules, {} differences",
            path.file_name().unwrap_or_default().to_string_lossy(),
            f.len()
        );
        total += n;
        equal += n.saturating_sub(f.len());
        failures.extend(f.into_iter().map(|f| format!("{p}: {f}")));
    }
    eprintln!(
        "dumps: {} files, {equal}/{total} rules equal in all four models",
        paths.len()
    );
    corpus::report(
        "dumps: legacy text == legacy kernel == nf_tables dump == iptables-nft-save text",
        total,
        &failures,
    );
}

#[test]
fn kube_ruleset_lowers_the_same_on_threads() {
    if !netns::available(
        "kube_ruleset_lowers_the_same_on_threads",
        &["iptables-nft-restore"],
    ) {
        return;
    }
    // 300 Services: over a thousand chains, so that two threads dump the
    // rules and lower them while the other still dumps.
    let (text, _) = nflens_testutil::kube::generate(300, 7);
    // Too long for a command line: from a file.
    let dir = corpus::workspace_root().join("target/test-data");
    std::fs::create_dir_all(&dir).expect("target/test-data");
    let path = dir.join("kube-300-7.iptables");
    std::fs::write(&path, text).expect("write the ruleset");
    let held = netns::Held::new(&format!("iptables-nft-restore < '{}'", path.display()))
        .unwrap_or_else(|r| panic!("setup failed: {r:?}"));
    let opts = Options {
        netns: Netns::Path(held.path()),
        ..Options::default()
    };
    let snap = Snapshot::read(&opts).expect("snapshot");
    let whole = nflens::model_of(&snap);
    let n = rules(&whole);
    assert!(n > 2500, "{n} rules");
    let chains = snap.chains().count();
    assert!(
        chains >= 1000,
        "{chains} chains: too few for two dump threads"
    );
    for threads in [1, 2, 5] {
        let (_, split) = nflens::read_model_threads(&opts, threads).expect("read_model_threads");
        assert_eq!(split, whole, "{threads} threads");
    }
}

/// `rs` without the time its set elements have left (it runs down between
/// two reads).
fn unexpiring(mut rs: Ruleset) -> Ruleset {
    for t in &mut rs.tables {
        for e in t.sets.iter_mut().flat_map(|s| &mut s.elems) {
            e.expires = None;
        }
    }
    rs
}

/// The rules are lowered while they are read, after the sets, maps and
/// objects they use: every nft fixture of testdata/nft/ (anonymous and
/// named sets, maps, concatenations, objects) read by `read_model` on one,
/// two and three threads gives the model of the whole snapshot.
#[test]
fn nft_fixtures_lower_the_same_while_read() {
    if !netns::available("nft_fixtures_lower_the_same_while_read", &["nft"]) {
        return;
    }
    let dir = corpus::workspace_root().join("testdata/nft");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/nft")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "nft"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{} fixtures", files.len());
    // Fixtures whose model needs the sets (lowered without them it differs).
    let mut need_sets = 0;
    for path in &files {
        let held = netns::Held::new(&format!("nft -f '{}'", path.display()))
            .unwrap_or_else(|r| panic!("{}: setup failed: {r:?}", path.display()));
        let opts = Options {
            netns: Netns::Path(held.path()),
            ..Options::default()
        };
        let snap = Snapshot::read(&opts).expect("snapshot");
        let whole = unexpiring(nflens::model_of(&snap));
        assert!(rules(&whole) > 0, "{}: no rules", path.display());
        let without = unexpiring(nflens::model::nft::ruleset(
            snap.tables(),
            snap.chains_with_rules(),
        ));
        need_sets += usize::from(without != whole);
        for threads in [1, 2, 3] {
            let (_, read) = nflens::read_model_threads(&opts, threads).expect("read_model_threads");
            assert_eq!(
                unexpiring(read),
                whole,
                "{}: {threads} threads",
                path.display()
            );
        }
    }
    // The sets were read before the rules that look them up.
    assert!(need_sets >= 5, "{need_sets} fixtures need their sets");
}
