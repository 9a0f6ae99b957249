//! Model → iptables-save text, as `iptables-nft-save` prints it.
//!
//! The model is lossy (module choice and spelling are gone), so the text is
//! the canonical spelling of the meaning: one port range prints as
//! `-m tcp --dport`, several as `-m multiport --dports`; `-m state` and
//! `-m conntrack --ctstate` both print as conntrack; NOTRACK prints as
//! `-j CT --notrack`. What iptables cannot say (a native nf_tables
//! expression nflens has no typed kind for, a table of another family, a
//! negated port pair) is not guessed at: the rule is left out and listed in
//! [`Output::unrepresentable`] with the reason, and a `#` comment line in
//! the text says so where the rule would be.

use std::fmt::Write as _;

use nflens_xtables::value::{Masked, NatRange, Probability, Quote, Range, Rate};
use nflens_xtables::{MaskStyle, Value};

use super::{neg, one_line, ports_text, Output, Unrepresentable};
use crate::types::*;

/// Listing options, as `iptables-save` takes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `-c`: print `[packets:bytes]` before each rule.
    pub counters: bool,
}

/// The order iptables-nft-save prints the tables it knows in.
const TABLE_ORDER: [&str; 5] = ["raw", "mangle", "filter", "security", "nat"];

fn table_rank(name: &str) -> usize {
    TABLE_ORDER
        .iter()
        .position(|t| *t == name)
        .unwrap_or(TABLE_ORDER.len())
}

fn hook_rank(h: Option<Hook>) -> usize {
    match h {
        Some(Hook::Prerouting) => 0,
        Some(Hook::Input) => 1,
        Some(Hook::Forward) => 2,
        Some(Hook::Output) => 3,
        Some(Hook::Postrouting) => 4,
        _ => 5,
    }
}

/// Renders the tables of `family` (`Ipv4` for `iptables-save`, `Ipv6` for
/// `ip6tables-save`) in iptables-nft-save's order: tables raw, mangle,
/// filter, security, nat; built-in chains by hook, then user chains by name.
/// Tables of other families are listed as unrepresentable.
pub fn ruleset(rs: &Ruleset, family: Family, opts: Options) -> Output {
    let mut out = Output::default();
    let mut tables: Vec<&Table> = Vec::new();
    for t in &rs.tables {
        if t.family == family {
            tables.push(t);
        } else if !matches!(t.family, Family::Ipv4 | Family::Ipv6) {
            out.unrepresentable.push(Unrepresentable {
                table: t.name.clone(),
                chain: "".into(),
                index: None,
                origin: None,
                reason: "an nf_tables table of a family iptables does not read".into(),
            });
        }
    }
    tables.sort_by_key(|t| table_rank(&t.name));
    for t in tables {
        if table_rank(&t.name) == TABLE_ORDER.len() {
            out.unrepresentable.push(Unrepresentable {
                table: t.name.clone(),
                chain: "".into(),
                index: None,
                origin: None,
                reason: "not a table iptables knows (raw, mangle, filter, security, nat)".into(),
            });
            continue;
        }
        table(t, opts, &mut out);
    }
    out
}

/// The built-in chains of an iptables table, which iptables-nft-save
/// lists (policy ACCEPT, zero counters) even when the kernel has no such
/// chain yet: iptables-nft creates them on first use.
fn builtin_chains(table: &str) -> &'static [(&'static str, Hook)] {
    use Hook::*;
    match table {
        "raw" => &[("PREROUTING", Prerouting), ("OUTPUT", Output)],
        "mangle" => &[
            ("PREROUTING", Prerouting),
            ("INPUT", Input),
            ("FORWARD", Forward),
            ("OUTPUT", Output),
            ("POSTROUTING", Postrouting),
        ],
        "filter" | "security" => &[("INPUT", Input), ("FORWARD", Forward), ("OUTPUT", Output)],
        "nat" => &[
            ("PREROUTING", Prerouting),
            ("INPUT", Input),
            ("OUTPUT", Output),
            ("POSTROUTING", Postrouting),
        ],
        _ => &[],
    }
}

fn table(t: &Table, opts: Options, out: &mut Output) {
    let missing: Vec<Chain> = builtin_chains(&t.name)
        .iter()
        .filter(|(name, _)| !t.chains.iter().any(|c| &*c.name == *name))
        .map(|(name, hook)| Chain {
            name: (*name).into(),
            handle: None,
            hook: Some(*hook),
            policy: Some(Policy::Accept),
            base: None,
            counters: None,
            rules: Vec::new(),
        })
        .collect();
    let mut chains: Vec<&Chain> = t.chains.iter().chain(&missing).collect();
    // Built-in chains first, by hook; user chains by name (iptables-nft's cache order).
    chains.sort_by(|a, b| {
        (hook_rank(a.hook), a.hook.is_none().then_some(&a.name))
            .cmp(&(hook_rank(b.hook), b.hook.is_none().then_some(&b.name)))
    });
    let text = &mut out.text;
    let _ = writeln!(text, "*{}", t.name);
    for c in &chains {
        let policy = match (c.hook, c.policy) {
            (Some(_), Some(Policy::Drop)) => "DROP",
            (Some(_), _) => "ACCEPT",
            (None, _) => "-",
        };
        let k = c.counters.unwrap_or_default();
        let _ = writeln!(text, ":{} {} [{}:{}]", c.name, policy, k.packets, k.bytes);
    }
    for c in &chains {
        for (i, r) in c.rules.iter().enumerate() {
            let start = out.text.len();
            if opts.counters {
                let k = r.counters.unwrap_or_default();
                let _ = write!(out.text, "[{}:{}] ", k.packets, k.bytes);
            }
            let _ = write!(out.text, "-A {}", c.name);
            match rule(r, t.family, &mut out.text) {
                Ok(()) => out.text.push('\n'),
                Err(reason) => {
                    out.text.truncate(start);
                    let _ = writeln!(
                        out.text,
                        "# nflens: rule {} of chain {} has no iptables form: {}",
                        i + 1,
                        c.name,
                        reason
                    );
                    out.unrepresentable.push(Unrepresentable {
                        table: t.name.clone(),
                        chain: c.name.clone(),
                        index: Some(i),
                        origin: Some(r.origin),
                        reason: reason.into(),
                    });
                }
            }
        }
    }
    out.text.push_str("COMMIT\n");
}

/// One option of a `-m` module: its place in the module's save order and text.
struct Opt {
    key: u8,
    text: String,
}

struct Group<'r> {
    module: &'r str,
    /// Options may join a later group of the same module (tcp, conntrack, owner).
    mergeable: bool,
    opts: Vec<Opt>,
}

fn net_text(net: &IpNet, bare_host: bool) -> String {
    let v = Value::Net {
        net: nflens_xtables::value::Net {
            addr: net.addr,
            mask: net.mask,
        },
        bare_host,
    };
    v.to_string()
}

fn range_text(s: Span32, sep: char) -> String {
    Range {
        lo: s.lo,
        hi: s.hi,
        sep,
    }
    .to_string()
}

/// The port module for a protocol: the one `-p` loads implicitly, for the
/// modules whose `--sport`/`--dport` the model reads back as a port
/// condition (tcp, udp). An sctp or dccp port is written with multiport,
/// which reads back the same; `-m sctp` stays its own condition.
fn port_module(proto: Option<u8>) -> Option<&'static str> {
    match proto? {
        6 => Some("tcp"),
        17 => Some("udp"),
        _ => None,
    }
}

/// Renders one rule's options (each with a leading space) after `-A CHAIN`.
/// Fails with the reason when the rule has no iptables spelling.
pub fn rule(r: &Rule, family: Family, out: &mut String) -> Result<(), String> {
    let mut src = None;
    let mut dst = None;
    let mut iif = None;
    let mut oif = None;
    let mut proto = None;
    let mut frag = None;
    let mut groups: Vec<Group<'_>> = Vec::new();
    let l4 = r.matches.iter().find_map(|m| match m.kind {
        MatchKind::Protocol(p) if !m.negated => Some(p),
        _ => None,
    });
    let once = |slot: &mut Option<(bool, String)>, n: bool, t: String, what: &str| {
        if slot.is_some() {
            return Err(format!(
                "two {what} conditions (iptables has one {what} per rule)"
            ));
        }
        *slot = Some((n, t));
        Ok(())
    };
    let push = |groups: &mut Vec<Group<'_>>,
                module: &'static str,
                mergeable: bool,
                key: u8,
                text: String| {
        if mergeable {
            if let Some(g) = groups.iter_mut().rev().find(|g| g.module == module) {
                if g.mergeable && g.opts.iter().all(|o| o.key != key) {
                    g.opts.push(Opt { key, text });
                    return;
                }
            }
        }
        groups.push(Group {
            module,
            mergeable,
            opts: vec![Opt { key, text }],
        });
    };
    for (i, m) in r.matches.iter().enumerate() {
        let n = m.negated;
        // `-m mac --mac-source X` lowers to two conditions.
        let next = r.matches.get(i + 1);
        if next.is_some_and(|b| crate::xt_native::mac_opt(m, b).is_some()) {
            continue;
        }
        if let Some(t) = i
            .checked_sub(1)
            .and_then(|p| crate::xt_native::mac_opt(&r.matches[p], m))
        {
            push(&mut groups, "mac", false, 0, t);
            continue;
        }
        // A field an xt module names (`-m ttl --ttl-lt 5`).
        if let Some((module, key, text)) = crate::xt_native::match_opt(m, family)? {
            if module == "esp" && l4 != Some(50) {
                return Err("an ESP SPI without -p esp".into());
            }
            push(&mut groups, module, true, key, text);
            continue;
        }
        match &m.kind {
            MatchKind::Addr { dir: Dir::Src, net } => {
                once(&mut src, n, net_text(net, false), "-s")?
            }
            MatchKind::Addr { dir: Dir::Dst, net } => {
                once(&mut dst, n, net_text(net, false), "-d")?
            }
            MatchKind::Addr { .. } => return Err("an address condition on either side".into()),
            MatchKind::InIface(i) => once(&mut iif, n, iface_text(i), "-i")?,
            MatchKind::OutIface(i) => once(&mut oif, n, iface_text(i), "-o")?,
            MatchKind::Protocol(p) => {
                let name = nflens_xtables::ast::Proto(*p).to_string();
                once(&mut proto, n, name, "-p")?
            }
            MatchKind::Fragment => once(&mut frag, n, String::new(), "-f")?,
            MatchKind::Port { dir, ranges } => {
                let single = ranges.len() == 1 && *dir != Dir::Either;
                match (single, port_module(l4)) {
                    (true, Some(module)) => {
                        let (key, opt) = if *dir == Dir::Src {
                            (0, "sport")
                        } else {
                            (1, "dport")
                        };
                        push(
                            &mut groups,
                            module,
                            true,
                            key,
                            format!("{}--{opt} {}", neg(n), range_text(ranges[0], ':')),
                        );
                    }
                    _ if matches!(l4, Some(6 | 17 | 33 | 132 | 136)) => {
                        let (key, opt) = match dir {
                            Dir::Src => (0, "sports"),
                            Dir::Dst => (1, "dports"),
                            Dir::Either => (2, "ports"),
                        };
                        let list = Value::Ports(
                            ranges
                                .iter()
                                .map(|s| Range {
                                    lo: s.lo,
                                    hi: s.hi,
                                    sep: ':',
                                })
                                .collect(),
                        );
                        push(
                            &mut groups,
                            "multiport",
                            false,
                            key,
                            format!("{}--{opt} {list}", neg(n)),
                        );
                    }
                    _ => {
                        return Err(
                            "a port condition without -p tcp, udp, udplite, sctp or dccp".into(),
                        )
                    }
                }
            }
            MatchKind::PortPair { sport, dport } => {
                if n {
                    return Err("a negated port pair (one 4-byte compare: NOT(sport AND dport)); iptables has no option for it".into());
                }
                let module = port_module(l4).ok_or("a port pair without -p tcp or udp")?;
                push(&mut groups, module, true, 0, format!("--sport {sport}"));
                push(&mut groups, module, true, 1, format!("--dport {dport}"));
            }
            MatchKind::TcpFlags { mask, set } => {
                if l4 != Some(6) {
                    return Err("TCP flags without -p tcp".into());
                }
                let v = Value::TcpFlags {
                    mask: mask.bits(),
                    comp: set.bits(),
                };
                push(
                    &mut groups,
                    "tcp",
                    true,
                    3,
                    format!("{}--tcp-flags {v}", neg(n)),
                );
            }
            MatchKind::CtState(s) => {
                let v = Value::States(s.bits());
                push(
                    &mut groups,
                    "conntrack",
                    true,
                    0,
                    format!("{}--ctstate {v}", neg(n)),
                );
            }
            MatchKind::CtProto(p) => push(
                &mut groups,
                "conntrack",
                true,
                1,
                format!("{}--ctproto {p}", neg(n)),
            ),
            MatchKind::CtAddr { reply, dir, net } => {
                let (key, opt) = match (reply, dir) {
                    (false, Dir::Src) => (2, "ctorigsrc"),
                    (false, _) => (3, "ctorigdst"),
                    (true, Dir::Src) => (4, "ctreplsrc"),
                    (true, _) => (5, "ctrepldst"),
                };
                push(
                    &mut groups,
                    "conntrack",
                    true,
                    key,
                    format!("{}--{opt} {}", neg(n), net_text(net, true)),
                );
            }
            MatchKind::CtPort { reply, dir, range } => {
                let (key, opt) = match (reply, dir) {
                    (false, Dir::Src) => (6, "ctorigsrcport"),
                    (false, _) => (7, "ctorigdstport"),
                    (true, Dir::Src) => (8, "ctreplsrcport"),
                    (true, _) => (9, "ctrepldstport"),
                };
                push(
                    &mut groups,
                    "conntrack",
                    true,
                    key,
                    format!("{}--{opt} {}", neg(n), range_text(*range, ':')),
                );
            }
            MatchKind::CtStatus(s) => {
                let v = Value::CtStatus(s.bits() as u16);
                push(
                    &mut groups,
                    "conntrack",
                    true,
                    10,
                    format!("{}--ctstatus {v}", neg(n)),
                );
            }
            MatchKind::CtExpire(s) => push(
                &mut groups,
                "conntrack",
                true,
                11,
                format!("{}--ctexpire {}", neg(n), range_text(*s, ':')),
            ),
            MatchKind::CtDirReply(reply) => {
                let d = if *reply != n { "REPLY" } else { "ORIGINAL" };
                push(&mut groups, "conntrack", true, 12, format!("--ctdir {d}"));
            }
            MatchKind::Mark { value, mask } => {
                let v = Value::Masked(
                    Masked {
                        value: *value,
                        mask: Some(*mask),
                    },
                    MaskStyle::Mark,
                );
                push(
                    &mut groups,
                    "mark",
                    false,
                    0,
                    format!("{}--mark {v}", neg(n)),
                );
            }
            MatchKind::ConnMark { value, mask } => {
                let v = Value::Masked(
                    Masked {
                        value: *value,
                        mask: Some(*mask),
                    },
                    MaskStyle::Mark,
                );
                push(
                    &mut groups,
                    "connmark",
                    false,
                    0,
                    format!("{}--mark {v}", neg(n)),
                );
            }
            MatchKind::Icmp { v6: is6, ty, codes } => {
                let v = Value::Icmp {
                    ty: *ty,
                    code_lo: codes.0,
                    code_hi: codes.1,
                    v6: *is6,
                };
                if *is6 {
                    push(
                        &mut groups,
                        "icmp6",
                        false,
                        0,
                        format!("{}--icmpv6-type {v}", neg(n)),
                    );
                } else {
                    push(
                        &mut groups,
                        "icmp",
                        false,
                        0,
                        format!("{}--icmp-type {v}", neg(n)),
                    );
                }
            }
            MatchKind::AddrType {
                src,
                dst,
                limit_iface_in,
                limit_iface_out,
                inverted,
            } => {
                let mut t = String::new();
                if let Some(s) = src {
                    let _ = write!(t, "{}--src-type {s}", neg(inverted.0));
                }
                if let Some(d) = dst {
                    if !t.is_empty() {
                        t.push(' ');
                    }
                    let _ = write!(t, "{}--dst-type {d}", neg(inverted.1));
                }
                for (on, flag) in [
                    (*limit_iface_in, "--limit-iface-in"),
                    (*limit_iface_out, "--limit-iface-out"),
                ] {
                    if on {
                        if !t.is_empty() {
                            t.push(' ');
                        }
                        t.push_str(flag);
                    }
                }
                push(&mut groups, "addrtype", false, 0, t);
            }
            MatchKind::Limit { period, burst } => {
                if n {
                    return Err("a negated limit".into());
                }
                let mut t = format!(
                    "--limit {}",
                    Rate {
                        period: *period,
                        scale: 10_000
                    }
                );
                if *burst != 5 {
                    let _ = write!(t, " --limit-burst {burst}");
                }
                push(&mut groups, "limit", false, 0, t);
            }
            MatchKind::Random { p } => {
                push(
                    &mut groups,
                    "statistic",
                    false,
                    0,
                    format!("--mode random {}--probability {}", neg(n), Probability(*p)),
                );
            }
            MatchKind::Nth { every, packet } => {
                push(
                    &mut groups,
                    "statistic",
                    false,
                    0,
                    format!("--mode nth {}--every {every} --packet {packet}", neg(n)),
                );
            }
            MatchKind::Set {
                name,
                index: Some(i),
                ..
            } if name.is_empty() => {
                return Err(format!(
                    "the ipset with kernel index {i}, whose name was not read"
                ));
            }
            MatchKind::Set {
                name, flags, opts, ..
            } => {
                let v = Value::SetRef {
                    name: (&**name).into(),
                    flags,
                };
                let sep = if opts.is_empty() { "" } else { " " };
                push(
                    &mut groups,
                    "set",
                    false,
                    0,
                    format!("{}--match-set {v}{sep}{opts}", neg(n)),
                );
            }
            MatchKind::Uid(s) => push(
                &mut groups,
                "owner",
                true,
                0,
                format!("{}--uid-owner {}", neg(n), range_text(*s, '-')),
            ),
            MatchKind::Gid(s) => push(
                &mut groups,
                "owner",
                true,
                1,
                format!("{}--gid-owner {}", neg(n), range_text(*s, '-')),
            ),
            MatchKind::Length(s) => push(
                &mut groups,
                "length",
                false,
                0,
                format!("{}--length {}", neg(n), range_text(*s, ':')),
            ),
            MatchKind::PktType(t) => push(
                &mut groups,
                "pkttype",
                false,
                0,
                format!("{}--pkt-type {t}", neg(n)),
            ),
            MatchKind::AddrRange { dir, lo, hi } => {
                let (key, opt) = if *dir == Dir::Src {
                    (0, "src-range")
                } else {
                    (1, "dst-range")
                };
                push(
                    &mut groups,
                    "iprange",
                    true,
                    key,
                    format!("{}--{opt} {}", neg(n), Value::AddrRange(*lo, *hi)),
                );
            }
            MatchKind::Xt { module, args } => {
                // Not mergeable: the canonical text is the whole module.
                groups.push(Group {
                    module,
                    mergeable: false,
                    opts: vec![Opt {
                        key: 0,
                        text: format!("{}{args}", neg(n)),
                    }],
                });
            }
            MatchKind::Field { key, .. } => match crate::field::presence_of(m) {
                // xt tcp's `--tcp-option`: whether a TCP option is there.
                Some((
                    crate::ExtHdr {
                        kind: crate::ExtKind::TcpOpt,
                        num,
                    },
                    yes,
                )) => {
                    if l4 != Some(6) {
                        return Err("a TCP option without -p tcp".into());
                    }
                    let not = if yes { "" } else { "! " };
                    push(
                        &mut groups,
                        "tcp",
                        true,
                        2,
                        format!("{not}--tcp-option {num}"),
                    );
                }
                _ => return Err(format!("{key} (no iptables match nflens writes it as yet)")),
            },
            MatchKind::Concat { .. } => {
                return Err("a concatenation in a set (nf_tables only)".into())
            }
            MatchKind::InSet { set, .. } => {
                return Err(format!(
                    "a lookup in the nf_tables set @{set} (ipsets are not nf_tables sets)"
                ))
            }
            MatchKind::ObjRef { .. } => {
                return Err("a named nf_tables object (nf_tables only)".into())
            }
            MatchKind::NftLimit { .. } => {
                return Err("an nft limit of bytes, or of a rate -m limit cannot hold".into());
            }
            MatchKind::Quota { .. } => {
                return Err("an nft quota (iptables-nft writes -m quota as xt)".into());
            }
            MatchKind::Statement(_) => {
                return Err(
                    "a statement before the rule's last (an iptables rule has one target)".into(),
                );
            }
            MatchKind::CtCount { .. } => {
                return Err(
                    "nft's ct count (one count per rule; -m connlimit counts per address group)"
                        .into(),
                );
            }
            MatchKind::Nft { exprs } => {
                return Err(format!(
                    "native nf_tables expressions with no iptables match: {}",
                    one_line(exprs)
                ));
            }
        }
    }
    if let Some(c) = &r.comment {
        let v = Value::Str((&**c).into(), Quote::IfNeeded);
        groups.push(Group {
            module: "comment",
            mergeable: false,
            opts: vec![Opt {
                key: 0,
                text: format!("--comment {v}"),
            }],
        });
    }
    for (slot, opt) in [
        (&src, "-s"),
        (&dst, "-d"),
        (&iif, "-i"),
        (&oif, "-o"),
        (&proto, "-p"),
    ] {
        if let Some((n, t)) = slot {
            let _ = write!(out, " {}{opt} {t}", neg(*n));
        }
    }
    if let Some((n, _)) = frag {
        let _ = write!(out, " {}-f", neg(n));
    }
    for g in &mut groups {
        g.opts.sort_by_key(|o| o.key);
        out.push_str(" -m ");
        out.push_str(g.module);
        for o in &g.opts {
            if !o.text.is_empty() {
                out.push(' ');
                out.push_str(&o.text);
            }
        }
    }
    if let Some(a) = &r.action {
        action(&a.kind, family, out)?;
    }
    Ok(())
}

fn iface_text(i: &Iface) -> String {
    if i.wildcard {
        format!("{}+", i.name)
    } else {
        i.name.to_string()
    }
}

fn nat_text(to: &NatTo) -> String {
    NatRange {
        addrs: to.addrs,
        ports: to.ports,
        base: to.base,
    }
    .to_string()
}

fn flags_text(flags: NatFlags, out: &mut String) {
    for (f, t) in [
        (NatFlags::RANDOM, " --random"),
        (NatFlags::RANDOM_FULLY, " --random-fully"),
        (NatFlags::PERSISTENT, " --persistent"),
    ] {
        if flags.contains(f) {
            out.push_str(t);
        }
    }
}

fn action(a: &ActionKind, family: Family, out: &mut String) -> Result<(), String> {
    match a {
        ActionKind::Accept => out.push_str(" -j ACCEPT"),
        ActionKind::Drop => out.push_str(" -j DROP"),
        ActionKind::Return => out.push_str(" -j RETURN"),
        ActionKind::Queue { to: Some(_), .. } => {
            return Err("a queue number read from the packet (nft's queue to EXPR)".into())
        }
        ActionKind::Queue {
            num,
            last,
            bypass,
            fanout,
            to: None,
        } => {
            out.push_str(" -j NFQUEUE");
            if last > num {
                let _ = write!(out, " --queue-balance {num}:{last}");
            } else {
                let _ = write!(out, " --queue-num {num}");
            }
            if *bypass {
                out.push_str(" --queue-bypass");
            }
            if *fanout {
                out.push_str(" --queue-cpu-fanout");
            }
        }
        ActionKind::Jump { chain } => {
            let _ = write!(out, " -j {chain}");
        }
        ActionKind::Goto { chain } => {
            let _ = write!(out, " -g {chain}");
        }
        ActionKind::Reject { with: Some(w) } if w.starts_with("icmpx-") => {
            return Err(format!(
                "reject with {} (nft's ICMPX: REJECT picks ICMP or ICMPv6 by family)",
                w.replacen('-', " ", 1)
            ));
        }
        ActionKind::Reject { with } => {
            let default = if family == Family::Ipv6 {
                "icmp6-port-unreachable"
            } else {
                "icmp-port-unreachable"
            };
            let _ = write!(
                out,
                " -j REJECT --reject-with {}",
                with.as_deref().unwrap_or(default)
            );
        }
        ActionKind::Dnat { to, flags } => {
            let _ = write!(out, " -j DNAT --to-destination {}", nat_text(to));
            flags_text(*flags, out);
        }
        ActionKind::Snat { to, flags } => {
            let _ = write!(out, " -j SNAT --to-source {}", nat_text(to));
            flags_text(*flags, out);
        }
        ActionKind::Masquerade { ports, flags } => {
            out.push_str(" -j MASQUERADE");
            if let Some(p) = ports {
                let _ = write!(out, " --to-ports {}", ports_text(*p));
            }
            flags_text(*flags, out);
        }
        ActionKind::Redirect { ports, flags } => {
            out.push_str(" -j REDIRECT");
            if let Some(p) = ports {
                let _ = write!(out, " --to-ports {}", ports_text(*p));
            }
            flags_text(*flags, out);
        }
        ActionKind::SetMark { value, mask } => {
            let _ = write!(out, " -j MARK --set-xmark {value:#x}/{mask:#x}");
        }
        ActionKind::SetConnMark { value, mask } => {
            let _ = write!(out, " -j CONNMARK --set-xmark {value:#x}/{mask:#x}");
        }
        ActionKind::Log {
            prefix,
            level,
            flags,
        } => {
            if *level == Some(8) {
                return Err("log level audit (nft's; LOG has syslog levels 0-7)".into());
            }
            out.push_str(" -j LOG");
            if let Some(p) = prefix {
                let _ = write!(
                    out,
                    " --log-prefix {}",
                    Value::Str((&**p).into(), Quote::IfNeeded)
                );
            }
            if let Some(l) = level.filter(|l| *l != 4) {
                let _ = write!(out, " --log-level {l}");
            }
            for (f, t) in [
                (LogFlags::TCP_SEQUENCE, " --log-tcp-sequence"),
                (LogFlags::TCP_OPTIONS, " --log-tcp-options"),
                (LogFlags::IP_OPTIONS, " --log-ip-options"),
                (LogFlags::UID, " --log-uid"),
                (LogFlags::MAC_DECODE, " --log-macdecode"),
            ] {
                if flags.contains(f) {
                    out.push_str(t);
                }
            }
        }
        ActionKind::Nflog {
            group,
            prefix,
            snaplen,
            threshold,
        } => {
            out.push_str(" -j NFLOG");
            if let Some(p) = prefix {
                let _ = write!(
                    out,
                    " --nflog-prefix {}",
                    Value::Str((&**p).into(), Quote::IfNeeded)
                );
            }
            if *group != 0 {
                let _ = write!(out, " --nflog-group {group}");
            }
            if let Some(n) = snaplen {
                let _ = write!(out, " --nflog-size {n}");
            }
            if *threshold != 0 {
                let _ = write!(out, " --nflog-threshold {threshold}");
            }
        }
        ActionKind::Notrack => out.push_str(" -j CT --notrack"),
        ActionKind::Trace => out.push_str(" -j TRACE"),
        ActionKind::Ipset {
            add,
            del,
            map,
            exist,
            timeout,
            map_mark,
            map_prio,
            map_queue,
        } => {
            // libxt_SET's save order.
            out.push_str(" -j SET");
            ipset_opt(out, "add-set", add)?;
            ipset_opt(out, "del-set", del)?;
            if *exist {
                out.push_str(" --exist");
            }
            if let Some(t) = timeout {
                let _ = write!(out, " --timeout {t}");
            }
            ipset_opt(out, "map-set", map)?;
            for (on, t) in [
                (map_mark, " --map-mark"),
                (map_prio, " --map-prio"),
                (map_queue, " --map-queue"),
            ] {
                if *on {
                    out.push_str(t);
                }
            }
        }
        // A rule without a target goes on with the next one.
        ActionKind::Continue => {}
        // The whole mark copied: CONNMARK as iptables-nft-save prints it.
        ActionKind::Set { .. } if *a == crate::nft::mark_copy(true) => {
            out.push_str(" -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff")
        }
        ActionKind::Set { .. } if *a == crate::nft::mark_copy(false) => {
            out.push_str(" -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff")
        }
        ActionKind::Set { key, .. } => match crate::xt_native::target_text(a, family) {
            Some(t) => out.push_str(&t),
            None => {
                return Err(format!(
                    "{key} set (no iptables target nflens writes it as yet)"
                ))
            }
        },
        ActionKind::Audit { .. } => {
            out.push_str(&crate::xt_native::target_text(a, family).unwrap_or_default())
        }
        ActionKind::Vmap { .. } | ActionKind::VmapRef { .. } => {
            return Err("a verdict map (nf_tables only)".into())
        }
        ActionKind::Tproxy { .. } => {
            return Err("nft's tproxy (iptables-nft writes TPROXY as an xt target)".into())
        }
        ActionKind::Dup { .. } => {
            return Err("nft's dup (iptables-nft writes TEE as an xt target)".into())
        }
        ActionKind::Fwd { .. } => return Err("nft's fwd (netdev only)".into()),
        ActionKind::Last { .. } => return Err("nft's last (nf_tables only)".into()),
        ActionKind::FlowOffload { .. } => {
            return Err("nft's flow add @flowtable (nf_tables only)".into())
        }
        ActionKind::NatMap { .. } => return Err("NAT to a map's data (nf_tables only)".into()),
        ActionKind::NatFrom { .. } => {
            return Err("NAT to an address or port read from the packet (nf_tables only)".into())
        }
        ActionKind::Synproxy { .. } => {
            return Err("nft's synproxy (iptables-nft writes SYNPROXY as an xt target)".into())
        }
        ActionKind::Reset { option } => {
            return Err(format!(
                "nft's reset {option} (iptables-nft writes TCPOPTSTRIP as an xt target)"
            ))
        }
        ActionKind::SetUpdate { set, .. } => {
            return Err(format!(
                "an update of the nf_tables set @{set} (-j SET writes ipsets)"
            ))
        }
        ActionKind::Meter { name, .. } => {
            return Err(format!(
                "nft's meter {name} (-m hashlimit is another module)"
            ))
        }
        ActionKind::Xt { target, args } => {
            let _ = write!(out, " -j {target}");
            if !args.is_empty() {
                out.push(' ');
                out.push_str(args);
            }
        }
        ActionKind::Nft { exprs } => {
            return Err(format!(
                "a native nf_tables statement with no iptables target: {}",
                one_line(exprs)
            ));
        }
    }
    Ok(())
}

/// ` --OPT NAME DIRS` for an ipset a `-j SET` names, if it does.
fn ipset_opt(out: &mut String, opt: &str, r: &Option<IpsetRef>) -> Result<(), String> {
    let Some(r) = r else { return Ok(()) };
    if let (true, Some(i)) = (r.name.is_empty(), r.index) {
        return Err(format!(
            "the ipset with kernel index {i}, whose name was not read"
        ));
    }
    let v = Value::SetRef {
        name: (&*r.name).into(),
        flags: &r.dirs,
    };
    let _ = write!(out, " --{opt} {v}");
    Ok(())
}
