//! Rendering as nft (issue 4), on the nftables test suite
//! (`nft_py_v1.0.6.jsonl`): every enabled `ok` record is loaded with the
//! installed `nft` into a throwaway namespace (a table `t{i}` per record),
//! read by nflens, lowered and rendered.
//!
//! - listing: the table as nflens renders it equals the table's block in
//!   `nft list ruleset` of the same namespace, byte for byte;
//! - expected: the record's rule rendered with nft's test-suite options
//!   (`-s -p`: stateless, numeric protocols) equals its
//!   `expected_output_text`, elements of `{ ... }` compared as sets.
//!
//! Both rates are printed per family, with every difference. The floors
//! hold what works while the renderer grows.

use std::collections::BTreeMap;

use nflens_model::render::nft::{self as render, Options as NftOptions};
use nflens_model::{nft, Family};
use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::{corpus, netns, nftpy};

const GROUP: usize = 100;

/// `text` with each element's time left (` expires 59s696ms`) taken out:
/// state that changes between two reads, as counter values do.
pub(crate) fn without_expiry(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" expires ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " expires ".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || "dhms".contains(c)))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The block of table `name` (any family) in an `nft list ruleset` listing.
fn table_block<'a>(listing: &'a str, family: &str, name: &str) -> Option<&'a str> {
    let head = format!("table {family} {name} {{\n");
    let start = listing.find(&head)?;
    let end = listing[start..].find("\n}\n")? + start + 3;
    Some(&listing[start..end])
}

/// `{ a, b }` element lists sorted, so that element order does not count.
pub(crate) fn sort_sets(s: &str) -> String {
    // A set's elements in any order and spacing (`{ 11,33}` as the suite
    // writes it, `{ 11, 33 }` as nft lists it) compare equal.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let mut items: Vec<String> = rest[open + 1..open + close]
            .split(',')
            .map(|item| verdict_spacing(item.trim()))
            .collect();
        items.sort_unstable();
        out.push_str("{ ");
        out.push_str(&items.join(", "));
        out.push_str(" }");
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A verdict map element written `25:accept` as nft lists it, `25 :
/// accept` (the suite writes either).
fn verdict_spacing(item: &str) -> String {
    if let Some((k, v)) = item.rsplit_once(':') {
        let v = v.trim();
        let verdict = ["accept", "drop", "continue", "return", "jump ", "goto "]
            .iter()
            .any(|w| v.starts_with(w));
        if verdict {
            return format!("{} : {v}", k.trim_end());
        }
    }
    item.to_owned()
}

pub(crate) fn family_of(name: &str) -> Family {
    match name {
        "ip" => Family::Ipv4,
        "ip6" => Family::Ipv6,
        "inet" => Family::Inet,
        "arp" => Family::Arp,
        "bridge" => Family::Bridge,
        _ => Family::Netdev,
    }
}

#[test]
fn nft_py_v1_0_6_rendered_as_nft() {
    assert_eq!(
        without_expiry("{ 10.2.1.1 expires 59s696ms, dead::beef timeout 5s expires 4s }"),
        "{ 10.2.1.1, dead::beef timeout 5s }"
    );
    let Some(dir) = corpus::dir("nft_py_v1_0_6_rendered_as_nft") else {
        return;
    };
    if !netns::available("nft_py_v1_0_6_rendered_as_nft", &["nft", "nsenter"]) {
        return;
    }
    let records = nftpy::records(&dir.join("nft_py_v1.0.6.jsonl"));
    assert!(
        records.len() > 4000,
        "expected the whole suite, got {}",
        records.len()
    );
    // Per family: (loaded, listing equal, expected equal).
    let mut rates: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut diffs: Vec<String> = Vec::new();
    let mut unspelled: Vec<String> = Vec::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut expiry_only = 0;
    for (g, recs) in records.chunks(GROUP).enumerate() {
        let first = g * GROUP;
        let (held, status) = nftpy::load(recs, first);
        let listing = held.run(&format!("TZ={} nft list ruleset", nftpy::SUITE_TZ));
        assert_eq!(listing.code, 0, "nft list failed: {}", listing.stderr);
        let snap = Snapshot::read(&Options {
            netns: Netns::Path(held.path()),
            ..Options::default()
        })
        .expect("nflens reads the namespace");
        drop(held);
        let mut sets =
            nft::SetIndex::from_sets(snap.sets_with_elems()).expect("set elements decode");
        sets.add_objects(snap.objs());
        let model = nft::ruleset_with_sets(snap.tables(), snap.chains_with_rules(), &sets);
        for (i, r) in recs.iter().enumerate() {
            if status[i].is_some() {
                continue;
            }
            let name = format!("t{}", first + i);
            let Some(table) = model
                .tables
                .iter()
                .find(|t| *t.name == *name && t.family == family_of(&r.family))
            else {
                diffs.push(format!("{}: loaded but not in the snapshot", r.id));
                continue;
            };
            let entry = rates.entry(r.family.clone()).or_default();
            entry.0 += 1;
            // Listing, default options.
            let mut out = nflens_model::render::Output::default();
            let listing_opts = NftOptions {
                utc_offset: nftpy::SUITE_UTC_OFFSET,
                ..NftOptions::default()
            };
            render::table(table, listing_opts, &mut out);
            let theirs = table_block(&listing.stdout, &r.family, &name).unwrap_or("");
            if out.text == theirs {
                entry.1 += 1;
            } else if out.text != without_expiry(&out.text)
                && without_expiry(&out.text) == without_expiry(theirs)
            {
                // Equal but for when timed elements expire: nft listed the
                // namespace a few milliseconds before nflens read it.
                entry.1 += 1;
                expiry_only += 1;
            } else {
                for u in &out.unrepresentable {
                    let key = u
                        .reason
                        .split(['[', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_owned();
                    let key = if u.reason.starts_with("raw expressions") {
                        // Classify by the first expression's name.
                        let e = u.reason.trim_start_matches("raw expressions [ ");
                        format!(
                            "raw: {}",
                            e.split(' ').take(2).collect::<Vec<_>>().join(" ")
                        )
                    } else {
                        key
                    };
                    *reasons.entry(key).or_default() += 1;
                    unspelled.push(format!("{}: {}", r.id, u.reason));
                }
                if out.unrepresentable.is_empty() {
                    *reasons.entry("rendered differently".into()).or_default() += 1;
                    diffs.push(format!(
                        "{}: listing\n  nft:    {:?}\n  nflens: {:?}",
                        r.id, theirs, out.text
                    ));
                }
            }
            // The record's rule with -s -p: the last rule of the chains.
            let opts = NftOptions {
                stateless: true,
                numeric_proto: true,
                // `meta time 12341234` lists as 22:07:14 in the suite.
                utc_offset: nftpy::SUITE_UTC_OFFSET,
                ..NftOptions::default()
            };
            let Some(rule) = table.chains.iter().flat_map(|c| c.rules.last()).last() else {
                continue;
            };
            let mut text = String::new();
            if render::rule(rule, table.family, opts, &mut text).is_ok() {
                if sort_sets(&text) == sort_sets(r.expected_output.trim()) {
                    entry.2 += 1;
                } else {
                    diffs.push(format!(
                        "{}: expected {:?}\n  rendered {:?}",
                        r.id, r.expected_output, text
                    ));
                }
            }
        }
    }
    for d in &diffs {
        eprintln!("{d}");
    }
    eprintln!("rules with no nft spelling yet:");
    for u in &unspelled {
        eprintln!("  {u}");
    }
    let mut by_count: Vec<(&String, &usize)> = reasons.iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(a.1));
    eprintln!(
        "why tables were not rendered equal (rules with no nft spelling yet, by first expression):"
    );
    for (k, n) in by_count.iter().take(40) {
        eprintln!("  {n:6} {k}");
    }
    let (mut loaded, mut listing_ok, mut expected_ok) = (0, 0, 0);
    for (f, (n, l, e)) in &rates {
        eprintln!(
            "conformance nft_py_v1.0.6 render {f:7}: listing {l}/{n}, expected_output {e}/{n}"
        );
        loaded += n;
        listing_ok += l;
        expected_ok += e;
    }
    eprintln!(
        "conformance nft_py_v1.0.6 render: listing == nft list ruleset {listing_ok}/{loaded}, -s -p == expected_output_text {expected_ok}/{loaded}"
    );
    eprintln!(
        "  of the equal listings, {expiry_only} differ only in elements' `expires` (read milliseconds apart)"
    );
    assert!(loaded > 3500, "too few records loaded ({loaded})");
    assert!(
        listing_ok * 1000 >= loaded * LISTING_FLOOR_PER_MILLE,
        "{listing_ok}/{loaded} below the {LISTING_FLOOR_PER_MILLE}‰ floor"
    );
    assert!(
        expected_ok * 1000 >= loaded * EXPECTED_FLOOR_PER_MILLE,
        "{expected_ok}/{loaded} below the {EXPECTED_FLOOR_PER_MILLE}‰ floor"
    );
}

/// Measured per mille (4025/4025 listings, 4023/4025 expected outputs on
/// 2026-11-22, after lookups with computed keys; the two expected outputs
/// left are any/icmpX.t.netdev:6,8, which nft 1.0.6 itself lists as
/// `ip protocol 1 icmp type …`, as nflens does): every listing must
/// equal nft's; the expected outputs keep a record's margin.
const LISTING_FLOOR_PER_MILLE: usize = 1000;
const EXPECTED_FLOOR_PER_MILLE: usize = 999;
