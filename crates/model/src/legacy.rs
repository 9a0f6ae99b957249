//! Lowering legacy xtables tables read from the kernel
//! ([`nflens_wire::legacy::Table`], what `nflens_socket::Legacy` reads) to
//! the model.
//!
//! An entry is an IP header test (addresses, interfaces, protocol,
//! fragment), xt matches and a target. The matches and targets are the same
//! `xt_*_info` blobs iptables-nft stores in nf_tables, lowered by the same
//! code ([`crate::nft`]), so a rule read here, from `iptables-legacy-save`
//! text and from iptables-nft's nf_tables rules compare equal.

use nflens_wire::legacy::{self as wl, IpHeader, Target};
use nflens_wire::xt;

use crate::nft::{addr_net, hex, push_xt_match, xt_target};
use crate::*;

/// The model's family of a legacy family.
pub fn family(f: wl::Family) -> Family {
    match f {
        wl::Family::V4 => Family::Ipv4,
        wl::Family::V6 => Family::Ipv6,
    }
}

fn policy(t: &Target<'_>) -> Option<Policy> {
    match t {
        Target::Accept => Some(Policy::Accept),
        Target::Drop => Some(Policy::Drop),
        _ => None,
    }
}

fn counters((packets, bytes): (u64, u64)) -> Counters {
    Counters {
        packets,
        bytes,
        ..Counters::default()
    }
}

/// Lowers one table.
pub fn table(t: &wl::Table<'_>) -> Table {
    let fam = family(t.family);
    Table {
        family: fam,
        name: t.name.into(),
        handle: None,
        dormant: false,
        sets: Vec::new(),
        objects: Vec::new(),
        chains: t
            .chains
            .iter()
            .map(|c| Chain {
                name: c.name.into(),
                handle: None,
                hook: c
                    .hook
                    .and_then(|h| Hook::from_xtables_chain(wl::hook_name(h.into()))),
                policy: c.policy.as_ref().and_then(|(t, _)| policy(t)),
                base: None,
                counters: c.policy.as_ref().map(|&(_, n)| counters(n)),
                rules: c.rules.iter().map(|e| rule(t.family, e)).collect(),
            })
            .collect(),
    }
}

/// Lowers the tables of one family (as `iptables-legacy-save` shows them).
pub fn ruleset<'a>(f: wl::Family, tables: impl IntoIterator<Item = &'a wl::Table<'a>>) -> Ruleset {
    Ruleset {
        family: family(f),
        backend: Backend::XtablesKernel,
        writer: None,
        tables: tables
            .into_iter()
            .filter(|t| t.family == f)
            .map(table)
            .collect(),
        diagnostics: Vec::new(),
    }
}

fn ip_matches(v6: bool, ip: &IpHeader<'_>, out: &mut Vec<Match>) {
    let inv = |bit: u8| ip.invflags & bit != 0;
    for (addr, mask, bit, dir) in [
        (ip.src, ip.smsk, IpHeader::INV_SRCIP, Dir::Src),
        (ip.dst, ip.dmsk, IpHeader::INV_DSTIP, Dir::Dst),
    ] {
        if mask.iter().any(|&b| b != 0) || inv(bit) {
            if let Some(net) = addr_net(v6, addr, Some(mask)) {
                out.push(Match::new(inv(bit), MatchKind::Addr { dir, net }));
            }
        }
    }
    let iface = |name: &str, wildcard: bool| Iface {
        name: name.into(),
        wildcard,
    };
    if !ip.iniface.is_empty() {
        out.push(Match::new(
            inv(IpHeader::INV_VIA_IN),
            MatchKind::InIface(iface(ip.iniface, ip.iniface_wildcard)),
        ));
    }
    if !ip.outiface.is_empty() {
        out.push(Match::new(
            inv(IpHeader::INV_VIA_OUT),
            MatchKind::OutIface(iface(ip.outiface, ip.outiface_wildcard)),
        ));
    }
    if let Some(p) = ip.proto {
        out.push(Match::new(inv(IpHeader::INV_PROTO), MatchKind::Protocol(p)));
    }
    if ip.fragment {
        out.push(Match::new(inv(IpHeader::INV_FRAG), MatchKind::Fragment));
    }
}

/// Lowers one entry.
pub fn rule(f: wl::Family, e: &wl::Entry<'_>) -> Rule {
    let fam = family(f);
    let nfproto = f.nfproto();
    let mut out = Rule {
        matches: Vec::with_capacity(e.matches.len() + 4),
        action: None,
        comment: None,
        counters: Some(counters(e.counters)),
        origin: Origin::Entry { offset: e.offset },
    };
    ip_matches(f == wl::Family::V6, &e.ip, &mut out.matches);
    for m in &e.matches {
        if !push_xt_match(&mut out, m.name, m.rev.into(), m.info, nfproto) {
            out.matches.push(Match::new(
                false,
                MatchKind::Nft {
                    exprs: format!(
                        "[ match name {} rev {} ] info {}",
                        m.name,
                        m.rev,
                        hex(m.info)
                    )
                    .into(),
                },
            ));
        }
    }
    let kind = match &e.target {
        Target::Accept => Some(ActionKind::Accept),
        Target::Drop => Some(ActionKind::Drop),
        Target::Return => Some(ActionKind::Return),
        Target::Queue => Some(ActionKind::queue(0)),
        Target::Jump(c) => Some(ActionKind::Jump { chain: (*c).into() }),
        Target::Goto(c) => Some(ActionKind::Goto { chain: (*c).into() }),
        Target::None => None,
        Target::Xt(t) => Some(
            match xt::decode_target(t.name, t.rev.into(), t.info, nfproto) {
                Ok(x) => xt_target(fam, t.name, &x),
                Err(_) => ActionKind::Nft {
                    exprs: format!(
                        "[ target name {} rev {} ] info {}",
                        t.name,
                        t.rev,
                        hex(t.info)
                    )
                    .into(),
                },
            },
        ),
        Target::Verdict(v) => Some(ActionKind::Nft {
            exprs: format!("[ standard verdict {v} ]").into(),
        }),
    };
    out.action = kind.map(|kind| Action { kind });
    out
}
