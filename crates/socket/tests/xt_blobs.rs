//! Every `OK` record of iptables' `extensions/*.t` at v1.8.9 (the installed
//! iptables), loaded with `iptables-nft` / `ip6tables-nft` in throwaway
//! namespaces and read back with nflens: every `match` / `target` blob must
//! decode, and none of the extensions nflens lists may stay raw.

use std::collections::BTreeMap;

use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::{corpus, netns};
use nflens_wire::xt::{decode_match, decode_target, XtMatch, XtTarget};
use nflens_wire::Expr;

const MATCHES: &[&str] = &[
    "conntrack",
    "state",
    "comment",
    "tcp",
    "udp",
    "icmp",
    "icmp6",
    "multiport",
    "mark",
    "connmark",
    "addrtype",
    "statistic",
    "limit",
    "set",
    "physdev",
    "mac",
    "iprange",
    "owner",
    "pkttype",
    "ttl",
    "hl",
    "length",
    "socket",
    "rpfilter",
    "string",
    "recent",
    "hashlimit",
];
const TARGETS: &[&str] = &[
    "MASQUERADE",
    "SNAT",
    "DNAT",
    "REDIRECT",
    "MARK",
    "CONNMARK",
    "LOG",
    "NFLOG",
    "REJECT",
    "NOTRACK",
    "CT",
    "TCPMSS",
    "TPROXY",
    "TRACE",
    "CHECKSUM",
    "NFQUEUE",
    "SET",
    "CLASSIFY",
];
const BUILTIN: &[&str] = &["ACCEPT", "DROP", "RETURN", "QUEUE"];

const GROUP: usize = 150;

#[test]
fn xt_t_v1_8_9_blobs_decode() {
    let Some(dir) = corpus::dir("xt_t_v1_8_9_blobs_decode") else {
        return;
    };
    if !netns::available(
        "xt_t_v1_8_9_blobs_decode",
        &["iptables-nft", "ip6tables-nft", "nsenter"],
    ) {
        return;
    }
    let lines = corpus::xt_t_save_lines(&dir, "xt_t_v1.8.9.jsonl");
    assert!(
        lines.len() > 2000,
        "expected the whole suite, got {}",
        lines.len()
    );
    // (name, rev) -> (seen, decoded, unknown)
    let mut seen: BTreeMap<(String, String, u32), (usize, usize, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (g, group) in lines.chunks(GROUP).enumerate() {
        let script = corpus::xt_load_script(group, "nft", |t| {
            !BUILTIN.contains(&t) && !TARGETS.contains(&t)
        });
        let held = netns::Held::new(&script).unwrap_or_else(|r| panic!("group {g}: {r:?}"));
        let snap = Snapshot::read(&Options {
            netns: Netns::Path(held.path()),
            ..Options::default()
        })
        .expect("nflens reads the namespace");
        drop(held);
        for rule in snap.rules() {
            for e in rule.exprs.iter() {
                let e = e.expect("expression decodes");
                let (kind, x, r) = match e {
                    Expr::Match(x) => (
                        "match",
                        x,
                        decode_match(x.name, x.rev, x.info, rule.family)
                            .map(|m| matches!(m, XtMatch::Unknown { .. })),
                    ),
                    Expr::Target(x) => (
                        "target",
                        x,
                        decode_target(x.name, x.rev, x.info, rule.family)
                            .map(|t| matches!(t, XtTarget::Unknown { .. })),
                    ),
                    _ => continue,
                };
                let entry = seen
                    .entry((kind.to_owned(), x.name.to_owned(), x.rev))
                    .or_default();
                entry.0 += 1;
                match r {
                    Ok(false) => entry.1 += 1,
                    Ok(true) => entry.2 += 1,
                    Err(err) => errors.push(format!(
                        "{kind} {} rev {} ({} bytes): {err}",
                        x.name,
                        x.rev,
                        x.info.len()
                    )),
                }
            }
        }
    }
    let mut raw_listed = Vec::new();
    let (mut total, mut decoded) = (0, 0);
    for ((kind, name, rev), (n, ok, unknown)) in &seen {
        eprintln!(
            "  {kind:6} {name:12} rev {rev}: {ok}/{n} decoded{}",
            if *unknown > 0 {
                format!(", {unknown} raw")
            } else {
                String::new()
            }
        );
        total += n;
        decoded += ok;
        let listed = if kind == "match" {
            MATCHES.contains(&name.as_str())
        } else {
            TARGETS.contains(&name.as_str())
        };
        if listed && *unknown > 0 {
            raw_listed.push(format!("{kind} {name} rev {rev}"));
        }
    }
    eprintln!("xt_t_v1.8.9 via iptables-nft: {} save lines; {decoded}/{total} xt blobs decoded, {} errors", lines.len(), errors.len());
    assert!(
        total > 1000,
        "too few xt blobs seen ({total}): loading is broken"
    );
    assert!(
        errors.is_empty(),
        "blobs that fail to decode:\n{}",
        errors.join("\n")
    );
    assert!(
        raw_listed.is_empty(),
        "listed extensions left raw: {raw_listed:?}"
    );
}
