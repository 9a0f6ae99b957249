//! Conformance with libnftnl on the nftables test suite (`nft_py_v1.0.6.jsonl`).
//!
//! Every enabled `ok` record is loaded with the installed `nft` into one
//! throwaway namespace (a table per record). nflens reads that namespace and
//! prints its expressions; `nft --debug=netlink list ruleset` prints what
//! libnftnl decodes from the same kernel. They must be identical, rule by
//! rule and set by set. The record's `payload_lines` (what nft sent) are
//! compared too and every difference is classified: the kernel fills in
//! defaults on the way back.

use std::collections::{BTreeMap, HashMap};

use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::{corpus, netns, nftpy};

fn norm_anon(l: &str) -> String {
    // Anonymous set names are numbered by the kernel: `__set3` -> `__set%d`.
    let mut out = String::with_capacity(l.len());
    let mut rest = l;
    while let Some(p) = rest.find("__") {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let word_end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let word = &tail[..word_end];
        let stem = word.trim_end_matches(|c: char| c.is_ascii_digit());
        if stem.len() < word.len() && ["__set", "__map", "__objmap"].contains(&stem) {
            out.push_str(stem);
            out.push_str("%d");
        } else {
            out.push_str(word);
        }
        rest = &tail[word_end..];
    }
    out.push_str(rest);
    out
}

/// Why the kernel's dump differs from what nft sent, by expression.
fn classify(sent: &[String], got: &[String]) -> String {
    let name = |l: &str| {
        l.trim_start_matches("[ ")
            .split(' ')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    if sent.len() != got.len() {
        return format!(
            "different number of expressions ({} sent, {} dumped)",
            sent.len(),
            got.len()
        );
    }
    for (i, (s, g)) in sent.iter().zip(got).enumerate() {
        if s != g {
            let prev = i
                .checked_sub(1)
                .and_then(|p| got.get(p))
                .map(String::as_str)
                .unwrap_or("");
            if ["meta load time ", "meta load day ", "meta load hour "]
                .iter()
                .any(|k| prev.contains(k))
            {
                return "cmp after meta time/day/hour: nft computed the value from its clock and time zone when the test file was written".into();
            }
            let (ns, ng) = (name(s), name(g));
            if ns != ng {
                return format!("{ns} sent, {ng} dumped");
            }
            let sw: Vec<&str> = s.split(' ').collect();
            let gw: Vec<&str> = g.split(' ').collect();
            let added: Vec<&str> = gw.iter().filter(|w| !sw.contains(w)).copied().collect();
            let removed: Vec<&str> = sw.iter().filter(|w| !gw.contains(w)).copied().collect();
            let show = |v: &[&str]| v.iter().take(4).copied().collect::<Vec<_>>().join(" ");
            return format!(
                "{ns}: kernel {}{}",
                if added.is_empty() {
                    String::new()
                } else {
                    format!("adds `{}` ", show(&added))
                },
                if removed.is_empty() {
                    String::new()
                } else {
                    format!("drops `{}`", show(&removed))
                }
            );
        }
    }
    "same".into()
}

const GROUP: usize = 100;

#[test]
fn nft_py_v1_0_6_matches_libnftnl() {
    let Some(dir) = corpus::dir("nft_py_v1_0_6_matches_libnftnl") else {
        return;
    };
    if !netns::available("nft_py_v1_0_6_matches_libnftnl", &["nft", "nsenter"]) {
        return;
    }
    let records = nftpy::records(&dir.join("nft_py_v1.0.6.jsonl"));
    assert!(
        records.len() > 4000,
        "expected the whole suite, got {} records",
        records.len()
    );
    type Blocks = BTreeMap<String, (Vec<Vec<String>>, Vec<Vec<String>>)>;
    let by_table = |b: &nftpy::DebugBlocks, m: &mut Blocks| {
        for ((_, t, _), lines) in &b.sets {
            m.entry(t.clone()).or_default().0.push(lines.clone());
        }
        for ((_, t, _, _), lines) in &b.rules {
            m.entry(t.clone()).or_default().1.push(lines.clone());
        }
    };
    let (mut theirs, mut mine) = (Blocks::new(), Blocks::new());
    let mut status = Vec::with_capacity(records.len());
    // One namespace per group of records, two groups at a time.
    let groups: Vec<(usize, &[nftpy::Record])> = records
        .chunks(GROUP)
        .enumerate()
        .map(|(g, c)| (g * GROUP, c))
        .collect();
    let results = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let g = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(&(first, recs)) = groups.get(g) else {
                    break;
                };
                let (held, st) = nftpy::load(recs, first);
                let listing = held.run("nft --debug=netlink list ruleset");
                assert_eq!(listing.code, 0, "nft list failed: {}", listing.stderr);
                let snap = Snapshot::read(&Options {
                    netns: Netns::Path(held.path()),
                    ..Options::default()
                })
                .expect("nflens reads the namespace");
                let mut ours = String::new();
                snap.write_debug(&mut ours).unwrap();
                drop(held);
                results.lock().unwrap().push((g, st, listing.stdout, ours));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|r| r.0);
    for (_, st, nft_out, ours) in results {
        status.extend(st);
        by_table(&nftpy::debug_blocks(&nft_out), &mut theirs);
        by_table(&nftpy::debug_blocks(&ours), &mut mine);
    }

    let mut refused = Vec::new();
    let mut mismatched = Vec::new();
    let mut per_family: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut payload_same = 0;
    let mut payload_classes: HashMap<String, Vec<String>> = HashMap::new();
    let mut accepted = 0;
    for (i, r) in records.iter().enumerate() {
        if let Some(err) = &status[i] {
            refused.push(format!("{}: {err}  [{}]", r.id, r.rule));
            continue;
        }
        accepted += 1;
        let fam = per_family.entry(r.family.as_str()).or_default();
        fam.0 += 1;
        let t = format!("t{i}");
        let (a, b) = (theirs.get(&t), mine.get(&t));
        if a.is_none() || a != b {
            mismatched.push(format!(
                "{}: [{}]\n  nft:    {:?}\n  nflens: {:?}",
                r.id, r.rule, a, b
            ));
            continue;
        }
        fam.1 += 1;
        // The rule's expressions (the header line and userdata dropped).
        let got: Vec<String> = b
            .and_then(|b| b.1.first())
            .map(|l| {
                l.iter()
                    .skip(1)
                    .filter(|l| l.starts_with('['))
                    .map(|l| norm_anon(l))
                    .collect()
            })
            .unwrap_or_default();
        let sent: Vec<String> = r.payload_lines.iter().map(|l| norm_anon(l)).collect();
        if got == sent {
            payload_same += 1;
        } else {
            payload_classes
                .entry(classify(&sent, &got))
                .or_default()
                .push(r.id.clone());
        }
    }
    eprintln!(
        "nft_py_v1.0.6: {} enabled ok records; kernel accepted {accepted}, refused {}",
        records.len(),
        refused.len()
    );
    for (f, (n, ok)) in &per_family {
        eprintln!("  {f:7} {ok}/{n} identical to libnftnl");
    }
    eprintln!("payload_lines (what nft sent) equal to the dump: {payload_same}/{accepted}; differences by class:");
    let mut classes: Vec<_> = payload_classes.iter().collect();
    classes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (c, ids) in classes {
        eprintln!(
            "  {:5}  {c}   (e.g. {})",
            ids.len(),
            ids.first().map(String::as_str).unwrap_or("")
        );
    }
    for r in &refused {
        eprintln!("refused: {r}");
    }
    for m in mismatched.iter() {
        eprintln!("MISMATCH {m}");
    }
    assert!(
        mismatched.is_empty(),
        "{} of {accepted} accepted records differ from libnftnl",
        mismatched.len()
    );
    assert!(
        refused.len() * 20 < records.len(),
        "the kernel refused {} records: setup is broken",
        refused.len()
    );
}
