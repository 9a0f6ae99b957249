//! Gate 2: what one iptables-nft version makes of one rule when it lists it
//! (`nft_rule_to_iptables_command_state` and the family parsers), emulated
//! over the decoded expressions (COMPAT.md §1.5, §1.6).
//!
//! It tracks registers, then reads each `cmp` / `range` against what was
//! loaded, as iptables does. The result is the rule iptables would show (as
//! a model [`Rule`], rendered by `nflens_model::render::iptables`), plus
//! what it got wrong: from 1.8.9 the first thing it does not understand is
//! an error (`Error: <reason>`, listing stops); up to 1.8.8 the same thing
//! is dropped silently; and some things are shown wrongly in every version.

use nflens_model::nft::{addr_net, iface_of, lower_xt_match, lower_xt_target};
use nflens_model::{Action, ActionKind, Dir, Match, MatchKind, Origin, Rule, Span32, TcpFlags};
use nflens_wire::expr::write_expr;
use nflens_wire::sys::*;
use nflens_wire::{Data, Expr};

use crate::Version;

/// What went wrong with one part of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// ≥ 1.8.9: the parse fails with `Error: <msg>` (≤ 1.8.8: the part is dropped).
    Fails(&'static str),
    /// Shown wrongly, with no warning, in this version.
    Misread(String),
}

/// One problem and the expression it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    pub problem: Problem,
    /// libnftnl debug text of the expression.
    pub expr: String,
    /// The part was written natively by iptables-nft of this version or
    /// later (so an older reader is a version-skew case).
    pub native_since: Option<Version>,
}

/// The outcome of parsing one rule.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    /// The rule as iptables shows it (up to the error, if any).
    pub shown: Rule,
    pub notes: Vec<Note>,
    /// ≥ 1.8.9: the rule does not parse; (message, expression).
    pub error: Option<(&'static str, String)>,
    /// Whether the version decided anything: when not, every version
    /// parses the rule the same way.
    pub versioned: bool,
}

#[derive(Clone, Copy)]
enum Load<'a> {
    Meta(u32),
    Payload { base: u32, offset: u32, len: u32 },
    Imm(&'a [u8]),
}

#[derive(Clone, Copy)]
struct Reg<'a> {
    load: Load<'a>,
    mask: Option<&'a [u8]>,
}

/// The fields iptables keeps once per rule: a second match on one of them
/// overwrites the first.
#[derive(Default)]
struct Slots {
    src: Option<Match>,
    dst: Option<Match>,
    iif: Option<Match>,
    oif: Option<Match>,
    proto: Option<Match>,
    frag: Option<Match>,
}

struct St<'a> {
    /// The version; read it with [`St::v`], which notes that the outcome
    /// depended on it.
    ver: Version,
    /// Whether anything was decided by the version.
    versioned: std::cell::Cell<bool>,
    v6: bool,
    regs: Vec<(u32, Reg<'a>)>,
    slots: Slots,
    /// Extension matches by key (`tcp.dport`, `mark`, ...), in order.
    matches: Vec<(&'static str, Match)>,
    action: Option<ActionKind>,
    comment: Option<Box<str>>,
    notes: Vec<Note>,
    error: Option<(&'static str, String)>,
    /// The protocol a transport match is read against.
    l4: Option<u8>,
}

fn text(e: &Expr<'_>) -> String {
    let mut s = String::new();
    let _ = write_expr(&mut s, e);
    s
}

fn m(negated: bool, kind: MatchKind) -> Match {
    Match::new(negated, kind)
}

fn host32(b: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(..4)?.try_into().ok()?))
}

impl<'a> St<'a> {
    /// The version, noting that the outcome depends on it.
    fn v(&self) -> Version {
        self.versioned.set(true);
        self.ver
    }
    fn reg(&self, r: u32) -> Option<Reg<'a>> {
        self.regs
            .iter()
            .rev()
            .find(|(n, _)| *n == r)
            .map(|(_, x)| *x)
    }
    fn set(&mut self, r: u32, x: Reg<'a>) {
        self.regs.retain(|(n, _)| *n != r);
        self.regs.push((r, x));
    }
    /// A part this version does not understand: an error from 1.8.9,
    /// dropped before.
    fn fail(&mut self, msg: &'static str, e: &Expr<'_>, native_since: Option<Version>) {
        if self.v() >= Version::V1_8_9 {
            if self.error.is_none() {
                self.error = Some((msg, text(e)));
            }
        } else {
            self.notes.push(Note {
                problem: Problem::Fails(msg),
                expr: text(e),
                native_since,
            });
        }
    }
    /// A part dropped silently in every version.
    fn ignore(&mut self, why: String, e: &Expr<'_>) {
        self.notes.push(Note {
            problem: Problem::Misread(why),
            expr: text(e),
            native_since: None,
        });
    }
    fn slot(
        &mut self,
        which: fn(&mut Slots) -> &mut Option<Match>,
        name: &str,
        x: Match,
        e: &Expr<'_>,
    ) {
        let s = which(&mut self.slots);
        let again = s.is_some();
        *s = Some(x);
        if again {
            self.ignore(
                format!("a second {name} match: iptables shows only the last one"),
                e,
            );
        }
    }
    fn ext(&mut self, key: &'static str, x: Match, e: &Expr<'_>) {
        if let Some(slot) = self.matches.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = x;
            self.ignore(
                format!("a second {key} match: iptables shows only the last one"),
                e,
            );
        } else {
            self.matches.push((key, x));
        }
    }
}

fn data<'a>(d: &Data<'a>) -> &'a [u8] {
    match d {
        Data::Value(v) => v,
        Data::Verdict(_) => &[],
    }
}

/// Parses one rule of an `ip` (`v6 = false`) or `ip6` table as version `v`.
///
/// With `show = false` only problems are collected: xt blobs are not
/// lowered (every version reads them) and nothing is built for display.
pub(crate) fn parse(
    v: Version,
    v6: bool,
    r: &nflens_wire::Rule<'_>,
    exprs: &[Expr<'_>],
    show: bool,
) -> Parsed {
    let mut st = St {
        ver: v,
        versioned: std::cell::Cell::new(false),
        v6,
        regs: Vec::new(),
        slots: Slots::default(),
        matches: Vec::new(),
        action: None,
        comment: if show {
            r.comment().map(Box::from)
        } else {
            None
        },
        notes: Vec::new(),
        error: None,
        l4: None,
    };
    let nfproto = if v6 { 10 } else { 2 };
    let mut i = 0;
    while let Some(e) = exprs.get(i) {
        i += 1;
        if st.error.is_some() {
            break;
        }
        match e {
            Expr::Counter(_) => {}
            Expr::Payload(p) => match p.dreg {
                Some(d) => st.set(
                    d.0,
                    Reg {
                        load: Load::Payload {
                            base: p.base,
                            offset: p.offset,
                            len: p.len,
                        },
                        mask: None,
                    },
                ),
                None => st.fail("unknown payload offset", e, None),
            },
            Expr::Meta(mt) => match (mt.dreg, mt.sreg) {
                (Some(d), _) => st.set(
                    d.0,
                    Reg {
                        load: Load::Meta(mt.key),
                        mask: None,
                    },
                ),
                (None, Some(s)) => meta_set(&mut st, mt.key, s.0, e),
                _ => {}
            },
            Expr::Bitwise(b) => {
                let mask = match b.mask {
                    Some(d) => data(&d),
                    None => &[],
                };
                if mask.len() > 16 && st.v() >= Version::V1_8_9 {
                    st.fail("bitwise mask too large", e, None);
                    continue;
                }
                if let Some(mut x) = st.reg(b.sreg.0) {
                    x.mask = Some(mask);
                    st.set(b.dreg.0, x);
                }
            }
            Expr::Immediate(im) => match im.data {
                Data::Verdict(vd) => {
                    st.action = match (vd.code, vd.chain) {
                        (NF_ACCEPT, _) => Some(ActionKind::Accept),
                        (NF_DROP, _) => Some(ActionKind::Drop),
                        (NFT_RETURN, _) => Some(ActionKind::Return),
                        (NFT_JUMP, Some(c)) => Some(ActionKind::Jump { chain: c.into() }),
                        (NFT_GOTO, Some(c)) => Some(ActionKind::Goto { chain: c.into() }),
                        (NF_QUEUE, _) => Some(ActionKind::queue(0)),
                        _ => st.action.take(),
                    }
                }
                Data::Value(val) => st.set(
                    im.dreg.0,
                    Reg {
                        load: Load::Imm(val),
                        mask: None,
                    },
                ),
            },
            Expr::Cmp(c) => {
                // cmp gte + cmp lte on one port: a range (1.8.8+).
                if c.op == NFT_CMP_GTE {
                    if let Some(Expr::Cmp(n)) = exprs.get(i) {
                        if n.op == NFT_CMP_LTE && n.sreg == c.sreg {
                            i += 1;
                            cmp_range(&mut st, c.sreg.0, false, data(&c.data), data(&n.data), e);
                            continue;
                        }
                    }
                }
                cmp(&mut st, c.sreg.0, c.op, data(&c.data), e);
            }
            Expr::Range(rg) => {
                cmp_range(
                    &mut st,
                    rg.sreg.0,
                    rg.op == NFT_RANGE_NEQ,
                    data(&rg.from),
                    data(&rg.to),
                    e,
                );
            }
            Expr::Lookup(l) => {
                let what = if l.dreg.map(|d| d.0) == Some(NFT_REG_VERDICT) {
                    format!(
                        "a verdict map (@{}): iptables shows the rule with no target",
                        l.set
                    )
                } else if l.dreg.is_some() {
                    format!("a map lookup (@{}): iptables drops it", l.set)
                } else {
                    format!(
                        "a set lookup (@{}): iptables drops it and shows the rule as if it matched every packet",
                        l.set
                    )
                };
                st.ignore(what, e);
            }
            Expr::Limit(l) => {
                // Gate 1 let only pkts, flags 0 through.
                let scaled = l.unit.checked_mul(10_000);
                match scaled.filter(|u| l.rate != 0 && u % l.rate == 0) {
                    Some(u) => st.ext(
                        "limit",
                        m(
                            false,
                            MatchKind::Limit {
                                period: u / l.rate,
                                burst: l.burst,
                            },
                        ),
                        e,
                    ),
                    None => st.ignore("a limit rate iptables rounds".into(), e),
                }
            }
            Expr::Log(l) => match l.group {
                Some(group) if st.v() >= Version::V1_8_8 => {
                    st.action = Some(ActionKind::Nflog {
                        group,
                        prefix: l.prefix.filter(|p| !p.is_empty()).map(Box::from),
                        snaplen: l.snaplen,
                        threshold: l.qthreshold.unwrap_or(0),
                    })
                }
                _ => st.fail("log", e, Some(Version::V1_8_8)),
            },
            Expr::Match(_) | Expr::Target(_) if !show => {}
            Expr::Match(x) => {
                let mut tmp = Rule {
                    matches: Vec::new(),
                    action: None,
                    comment: st.comment.take(),
                    counters: None,
                    origin: Origin::Handle { handle: 0 },
                };
                if !lower_xt_match(&mut tmp, x.name, x.rev, x.info, nfproto) {
                    st.ignore(
                        format!("xt match {} rev {} nflens cannot decode", x.name, x.rev),
                        e,
                    );
                }
                st.comment = tmp.comment;
                for mm in tmp.matches {
                    st.matches.push(("xt", mm));
                }
            }
            Expr::Target(x) => {
                st.action = Some(
                    lower_xt_target(x.name, x.rev, x.info, nfproto).unwrap_or_else(|| {
                        ActionKind::Xt {
                            target: x.name.into(),
                            args: "".into(),
                        }
                    }),
                );
            }
            _ => {
                // Gate 1 refuses everything else; when called anyway (a
                // chain-scoped check) the parser would not know it.
                st.fail("cmp sreg undef", e, None);
            }
        }
    }
    let Slots {
        src,
        dst,
        iif,
        oif,
        proto,
        frag,
    } = st.slots;
    let mut matches: Vec<Match> = [src, dst, iif, oif, proto, frag]
        .into_iter()
        .flatten()
        .collect();
    matches.extend(st.matches.into_iter().map(|(_, x)| x));
    Parsed {
        versioned: st.versioned.get(),
        shown: Rule {
            matches,
            action: st.action.map(|kind| Action { kind }),
            comment: st.comment,
            counters: None,
            origin: Origin::Handle { handle: r.handle },
        },
        notes: st.notes,
        error: st.error,
    }
}

fn meta_set(st: &mut St<'_>, key: u32, sreg: u32, e: &Expr<'_>) {
    // A host-order integer of 1 to 4 bytes (nftrace is 1 byte, mark 4).
    let imm = match st.reg(sreg).map(|r| r.load) {
        Some(Load::Imm(v)) if !v.is_empty() && v.len() <= 4 => {
            let mut b = [0u8; 4];
            if let Some(d) = b.get_mut(..v.len()) {
                d.copy_from_slice(v);
            }
            Some(u32::from_ne_bytes(b))
        }
        _ => None,
    };
    match key {
        NFT_META_NFTRACE => {
            if st.v() == Version::V1_8_9 {
                match imm {
                    None => st.fail("meta nftrace but reg not immediate", e, None),
                    Some(0) => st.fail("trace is cleared", e, None),
                    Some(_) => st.action = Some(ActionKind::Trace),
                }
            } else if st.v() >= Version::V1_8_10 {
                match imm {
                    None => st.fail("meta sreg is not an immediate", e, None),
                    Some(0) => st.fail("meta sreg immediate is 0", e, None),
                    Some(_) => st.action = Some(ActionKind::Trace),
                }
            } else {
                st.action = Some(ActionKind::Trace);
            }
        }
        NFT_META_MARK if st.v() >= Version::V1_8_10 => match imm {
            None => st.fail("meta sreg is not an immediate", e, None),
            Some(v) => {
                st.action = Some(ActionKind::SetMark {
                    value: v,
                    mask: u32::MAX,
                })
            }
        },
        _ => st.fail("meta sreg key not supported", e, None),
    }
}

const PKTTYPES: [&str; 4] = ["unicast", "broadcast", "multicast", "host"];

fn cmp(st: &mut St<'_>, sreg: u32, op: u32, val: &[u8], e: &Expr<'_>) {
    let neg = op == NFT_CMP_NEQ;
    let Some(reg) = st.reg(sreg) else {
        st.fail("cmp sreg undef", e, None);
        return;
    };
    match reg.load {
        Load::Imm(_) => st.fail("cmp sreg undef", e, None),
        Load::Meta(key) => match key {
            NFT_META_IIFNAME => st.slot(
                |s| &mut s.iif,
                "-i",
                m(neg, MatchKind::InIface(iface_of(val))),
                e,
            ),
            NFT_META_OIFNAME => st.slot(
                |s| &mut s.oif,
                "-o",
                m(neg, MatchKind::OutIface(iface_of(val))),
                e,
            ),
            NFT_META_IIF | NFT_META_OIF => {
                // iptables prints the interface's name for the index; nflens
                // does not know the namespace's names here.
                st.ignore(
                    "an interface index match (iptables shows the interface's current name)".into(),
                    e,
                );
            }
            NFT_META_L4PROTO => {
                let p = val.first().copied().unwrap_or(0);
                if !neg {
                    st.l4 = Some(p);
                }
                st.slot(|s| &mut s.proto, "-p", m(neg, MatchKind::Protocol(p)), e)
            }
            NFT_META_MARK if st.v() >= Version::V1_8_8 => {
                let value = host32(val).unwrap_or(0);
                let mask = reg.mask.and_then(host32).unwrap_or(u32::MAX);
                st.ext("mark", m(neg, MatchKind::Mark { value, mask }), e)
            }
            NFT_META_MARK => st.fail("unknown meta key", e, Some(Version::V1_8_8)),
            NFT_META_PKTTYPE if st.v() >= Version::V1_8_9 => {
                let t = val.first().copied().unwrap_or(0);
                match PKTTYPES.get(usize::from(t)) {
                    Some(name) => st.ext("pkttype", m(neg, MatchKind::PktType((*name).into())), e),
                    None => st.ignore(format!("packet type {t}"), e),
                }
            }
            _ => st.fail(
                if st.v6 {
                    "unknown ipv6 meta key"
                } else {
                    "unknown ipv4 meta key"
                },
                e,
                None,
            ),
        },
        Load::Payload { base, offset, len } => match base {
            NFT_PAYLOAD_NETWORK_HEADER => network(st, offset, len, reg.mask, op, val, e),
            NFT_PAYLOAD_TRANSPORT_HEADER => transport(st, offset, len, reg.mask, op, val, e),
            NFT_PAYLOAD_LL_HEADER => {
                st.ignore("a link-layer header match: iptables drops it".into(), e)
            }
            _ => st.fail("unknown payload base", e, None),
        },
    }
}

fn network(
    st: &mut St<'_>,
    offset: u32,
    len: u32,
    mask: Option<&[u8]>,
    op: u32,
    val: &[u8],
    e: &Expr<'_>,
) {
    let neg = op == NFT_CMP_NEQ;
    let v6 = st.v6;
    let (src, dst, proto, ttl) = if v6 { (8, 24, 6, 7) } else { (12, 16, 9, 8) };
    match offset {
        o if o == src || o == dst => {
            let Some(net) = addr_net(v6, val, mask) else {
                st.ignore("an address compare nflens cannot size".into(), e);
                return;
            };
            if o == src {
                st.slot(
                    |s| &mut s.src,
                    "-s",
                    m(neg, MatchKind::Addr { dir: Dir::Src, net }),
                    e,
                )
            } else {
                st.slot(
                    |s| &mut s.dst,
                    "-d",
                    m(neg, MatchKind::Addr { dir: Dir::Dst, net }),
                    e,
                )
            }
        }
        o if o == proto && len == 1 => {
            let p = val.first().copied().unwrap_or(0);
            if !neg {
                st.l4 = Some(p);
            }
            st.slot(|s| &mut s.proto, "-p", m(neg, MatchKind::Protocol(p)), e);
            if v6 && st.v() >= Version::V1_8_9 {
                // nft_ipv6_parse_payload: no `break` after ip6_nxt.
                st.ext(
                    "hl",
                    m(
                        false,
                        MatchKind::Xt {
                            module: "hl".into(),
                            args: format!("{}--hl-eq {p}", if neg { "! " } else { "" }).into(),
                        },
                    ),
                    e,
                );
                st.ignore(
                    format!("native `ip6 nexthdr`: iptables 1.8.9+ also shows `-m hl --hl-eq {p}` (a missing break in nft_ipv6_parse_payload); the kernel tests no hop limit"),
                    e,
                );
            }
        }
        6 if !v6 && len == 2 => {
            // -f: frag_off & 0x1fff != 0
            st.slot(
                |s| &mut s.frag,
                "-f",
                m(op == NFT_CMP_EQ, MatchKind::Fragment),
                e,
            )
        }
        o if o == ttl && len == 1 => {
            if st.v() < Version::V1_8_9 {
                st.fail("unknown payload offset", e, None);
                return;
            }
            let n = val.first().copied().unwrap_or(0);
            let (module, opt) = if v6 { ("hl", "hl") } else { ("ttl", "ttl") };
            let args = match op {
                NFT_CMP_EQ => format!("--{opt}-eq {n}"),
                NFT_CMP_NEQ => format!("! --{opt}-eq {n}"),
                NFT_CMP_LT => format!("--{opt}-lt {n}"),
                NFT_CMP_GT => format!("--{opt}-gt {n}"),
                _ => {
                    st.fail("invalid ttl field match", e, None);
                    return;
                }
            };
            st.ext(
                if v6 { "hl" } else { "ttl" },
                m(
                    false,
                    MatchKind::Xt {
                        module: module.into(),
                        args: args.into(),
                    },
                ),
                e,
            )
        }
        _ => st.fail("unknown payload offset", e, None),
    }
}

fn port_span(val: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(val.get(..2)?.try_into().ok()?))
}

fn transport(
    st: &mut St<'_>,
    offset: u32,
    len: u32,
    mask: Option<&[u8]>,
    op: u32,
    val: &[u8],
    e: &Expr<'_>,
) {
    let v = st.v();
    if v == Version::V1_8_7 {
        st.fail("transport header match", e, Some(Version::V1_8_8));
        return;
    }
    let neg = op == NFT_CMP_NEQ;
    let l4 = st.l4;
    let ports = matches!(l4, Some(6 | 17));
    let icmp = matches!(l4, Some(1 | 58));
    if v >= Version::V1_8_9 && !ports && !icmp {
        st.fail("unsupported layer 4 protocol value", e, None);
        return;
    }
    let relation = !matches!(op, NFT_CMP_EQ | NFT_CMP_NEQ);
    if icmp {
        if v < Version::V1_8_9 {
            st.fail("icmp match", e, None);
            return;
        }
        let ty = val.first().copied().unwrap_or(0);
        let code = if len == 2 { val.get(1).copied() } else { None };
        if offset != 0 || relation {
            st.ignore("an icmp header field iptables does not parse".into(), e);
            return;
        }
        st.ext(
            "icmp",
            m(
                neg,
                MatchKind::Icmp {
                    v6: l4 == Some(58),
                    ty,
                    codes: code.map(|c| (c, c)).unwrap_or((0, 0xff)),
                },
            ),
            e,
        );
        return;
    }
    let one = |lo: u16, hi: u16| {
        vec![Span32 {
            lo: lo.into(),
            hi: hi.into(),
        }]
    };
    match (offset, len) {
        (0 | 2, 2) => {
            let Some(p) = port_span(val) else { return };
            let dir = if offset == 0 { Dir::Src } else { Dir::Dst };
            let key = if offset == 0 { "sport" } else { "dport" };
            let (lo, hi, neg) = match op {
                NFT_CMP_EQ => (p, p, false),
                NFT_CMP_NEQ => (p, p, true),
                _ if v < Version::V1_8_9 => {
                    st.fail("port relation", e, None);
                    return;
                }
                NFT_CMP_LT => (0, p.saturating_sub(1), false),
                NFT_CMP_LTE => (0, p, false),
                NFT_CMP_GT => (p.saturating_add(1), 0xffff, false),
                _ => (p, 0xffff, false),
            };
            st.ext(key, m(neg, MatchKind::Port { dir, ranges: one(lo, hi) }), e)
        }
        (0, 4) => {
            let (Some(sp), Some(dp)) = (port_span(val), val.get(2..).and_then(port_span)) else {
                return;
            };
            if neg {
                st.ignore(
                    format!("one 4-byte compare `sport . dport != {sp} . {dp}`: the kernel drops unless both ports match (NOT(sport AND dport)); iptables shows `! --sport {sp} ! --dport {dp}` (NOT sport AND NOT dport)"),
                    e,
                );
            }
            st.ext("sport", m(neg, MatchKind::Port { dir: Dir::Src, ranges: one(sp, sp) }), e);
            st.ext("dport", m(neg, MatchKind::Port { dir: Dir::Dst, ranges: one(dp, dp) }), e);
        }
        (13, 1) if l4 == Some(6) => {
            let set = val.first().copied().unwrap_or(0);
            let mask = mask.and_then(|x| x.first().copied()).unwrap_or(0xff);
            st.ext(
                "flags",
                m(
                    neg,
                    MatchKind::TcpFlags {
                        mask: TcpFlags::from_bits_retain(mask),
                        set: TcpFlags::from_bits_retain(set),
                    },
                ),
                e,
            )
        }
        _ => st.ignore(
            format!("a transport header field at offset {offset} (length {len}) iptables does not parse: it drops it"),
            e,
        ),
    }
}

fn cmp_range(st: &mut St<'_>, sreg: u32, neg: bool, lo: &[u8], hi: &[u8], e: &Expr<'_>) {
    let Some(reg) = st.reg(sreg) else {
        st.fail("range sreg undef", e, None);
        return;
    };
    match reg.load {
        Load::Payload {
            base: NFT_PAYLOAD_TRANSPORT_HEADER,
            offset: offset @ (0 | 2),
            len: 2,
        } if st.v() >= Version::V1_8_8 => {
            if st.v() >= Version::V1_8_9 && !matches!(st.l4, Some(6 | 17)) {
                st.fail("unsupported layer 4 protocol value", e, None);
                return;
            }
            let (Some(lo), Some(hi)) = (port_span(lo), port_span(hi)) else {
                return;
            };
            let dir = if offset == 0 { Dir::Src } else { Dir::Dst };
            st.ext(
                if offset == 0 { "sport" } else { "dport" },
                m(
                    neg,
                    MatchKind::Port {
                        dir,
                        ranges: vec![Span32 {
                            lo: lo.into(),
                            hi: hi.into(),
                        }],
                    },
                ),
                e,
            )
        }
        Load::Payload { .. } if st.v() == Version::V1_8_7 => {
            st.fail("transport header match", e, Some(Version::V1_8_8))
        }
        Load::Payload {
            base: NFT_PAYLOAD_TRANSPORT_HEADER,
            ..
        }
        | Load::Payload {
            base: NFT_PAYLOAD_NETWORK_HEADER,
            ..
        } => st.fail("range sreg type unsupported", e, None),
        Load::Payload { .. } => st.fail("range with unknown payload base", e, None),
        _ => st.fail("range sreg type unsupported", e, None),
    }
}
