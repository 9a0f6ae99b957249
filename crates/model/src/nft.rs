//! Lowering nf_tables rules, as the kernel holds them, to the model (the
//! delinearizer).
//!
//! A rule is a program over registers: loads (`payload`, `meta`, `ct`, ...)
//! fill a register, `bitwise` masks it, `cmp` / `range` / `lookup` test it,
//! statements read registers filled by `immediate`. [`rule`] walks the
//! expressions once, tracking what each register holds, and turns each test
//! into a [`Match`] and the verdict or statement into an [`Action`], the way
//! `nft` does when it lists a ruleset.
//!
//! Equal meaning gives equal values across the two backends and the two
//! forms iptables-nft writes (COMPAT.md §4.3): an xt `tcp` blob and a
//! `payload th+2` compare are both [`MatchKind::Port`]; xt `mark` and
//! `meta mark` are [`MatchKind::Mark`]; `NFLOG` and `log group` are
//! [`ActionKind::Nflog`]; `TRACE` and `meta nftrace set 1` are
//! [`ActionKind::Trace`]; `-m comment` and rule userdata are the rule's
//! comment. What has no dedicated kind yet is kept as [`MatchKind::Nft`] /
//! [`ActionKind::Nft`] with its expressions, never dropped.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nflens_wire::expr::{write_expr, Bitwise, Cmp};
use nflens_wire::sys::*;
use nflens_wire::xt::{self, XtMatch, XtTarget};
use nflens_wire::{Data, Expr, Reg};

use crate::field::{
    CmpOp, CtKey, ExtHdr, ExtKind, FieldTest, Header, Key, MetaKey, PayloadBase, Value,
};
use crate::*;

/// The model's family of an nf_tables family number.
pub fn family(nfproto: u8) -> Option<Family> {
    Some(match nfproto {
        NFPROTO_IPV4 => Family::Ipv4,
        NFPROTO_IPV6 => Family::Ipv6,
        NFPROTO_INET => Family::Inet,
        NFPROTO_ARP => Family::Arp,
        NFPROTO_BRIDGE => Family::Bridge,
        NFPROTO_NETDEV => Family::Netdev,
        _ => return None,
    })
}

/// The model's hook of a base chain's hook number in `family`.
pub fn hook(family: Family, num: u32) -> Option<Hook> {
    Some(match (family, num) {
        (Family::Netdev, 0) => Hook::Ingress,
        (Family::Netdev, 1) => Hook::Egress,
        (Family::Netdev, _) => return None,
        // NF_ARP_IN, NF_ARP_OUT, NF_ARP_FORWARD.
        (Family::Arp, 0) => Hook::Input,
        (Family::Arp, 1) => Hook::Output,
        (Family::Arp, 2) => Hook::Forward,
        (Family::Arp, _) => return None,
        (Family::Inet, 5) => Hook::Ingress,
        (_, 0) => Hook::Prerouting,
        (_, 1) => Hook::Input,
        (_, 2) => Hook::Forward,
        (_, 3) => Hook::Output,
        (_, 4) => Hook::Postrouting,
        _ => return None,
    })
}

/// Lowers one chain message (without its rules).
pub fn chain(c: &nflens_wire::Chain<'_>) -> Chain {
    let fam = family(c.family).unwrap_or(Family::Inet);
    let base = c.hook.as_ref().map(|h| BaseChain {
        kind: c.chain_type.unwrap_or("filter").into(),
        priority: h.priority,
        // The kernel may send a single device both as NFTA_HOOK_DEV and in
        // NFTA_HOOK_DEVS: each name once.
        devices: {
            let mut d: Vec<Box<str>> = Vec::new();
            for name in h
                .dev
                .into_iter()
                .chain(h.devs.iter().filter_map(Result::ok))
            {
                if !d.iter().any(|x| &**x == name) {
                    d.push(name.into());
                }
            }
            d
        },
    });
    Chain {
        name: c.name.into(),
        handle: Some(c.handle),
        hook: c.hook.as_ref().and_then(|h| hook(fam, h.num)),
        policy: c.hook.as_ref().map(|_| match c.policy {
            Some(p) if p == NF_DROP as u32 => Policy::Drop,
            _ => Policy::Accept,
        }),
        base,
        counters: c.counters.map(|(packets, bytes)| Counters {
            packets,
            bytes,
            ..Counters::default()
        }),
        rules: Vec::new(),
    }
}

/// What a register holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Load<'a> {
    Payload {
        base: u32,
        offset: u32,
        len: u32,
    },
    Meta(u32),
    Ct {
        key: u32,
        dir: Option<u8>,
    },
    /// A key read as it is, by an expression of its own: `socket`,
    /// `osf`, `numgen`, `hash` of type `symhash`, `rt`, `fib`, `xfrm`.
    Gen(Key),
    /// `inner`: a payload load inside `tunnel` (base
    /// `NFT_PAYLOAD_TUN_HEADER`, 4, is the tunnel header).
    InnerPayload {
        tunnel: Tunnel,
        base: u32,
        offset: u32,
        len: u32,
    },
    /// `jhash` of the keys [`Regs::hashed`] entry `input` holds.
    Jhash {
        input: u32,
        modulus: u32,
        seed: Option<u32>,
        offset: u32,
    },
    Imm(&'a [u8]),
    /// `exthdr`: `len` bytes at byte `offset` of the header, option or
    /// chunk `hdr`, or (`present`) whether it is there.
    Exthdr {
        hdr: ExtHdr,
        offset: u32,
        len: u32,
        present: bool,
    },
    /// What a data map gave: [`Regs::maps`] entry `idx`, `width` bytes.
    Map {
        idx: u32,
        width: u32,
    },
    /// Two registers joined bit by bit: [`Regs::combined`] entry `idx`,
    /// `width` bytes.
    Combined {
        idx: u32,
        width: u32,
    },
    /// Anything else: the expression that loaded it.
    Other,
}

/// A register's content: a load, possibly masked by a `bitwise`, and the
/// expressions that produced it (for the fallback text).
#[derive(Debug, Clone)]
struct Slot<'a> {
    reg: u32,
    load: Load<'a>,
    mask: Option<&'a [u8]>,
    /// Another `bitwise` than a plain mask (xor, shift): not understood.
    opaque: bool,
    /// `(mask, xor)` of one mask-and-xor `bitwise` with a non-zero xor on
    /// an unmasked load (`meta mark set mark or 0x40`); `opaque` is set.
    xor: Option<(&'a [u8], &'a [u8])>,
    /// A host-order load turned to network order by `byteorder hton` (nft
    /// does so before comparing ranges of `meta length` and the like).
    hton: bool,
    /// The mask was applied before the `hton`: its bytes are in host
    /// order (`meta mark & 0xff < 0x10`).
    mask_host: bool,
    src: Src,
    /// The register bytes it fills, as [`Regs::set`] worked them out.
    span: Option<(u32, u32)>,
    /// The operations a 32-bit host-order load went through, when one was
    /// a shift (`ct mark >> 8`); `opaque` is set.
    ops: Option<Vec<BitOp>>,
    /// A header field's bits moved to the register's low bits.
    align: Align<'a>,
}

/// How far a header field narrower than its bytes has been moved to the
/// right edge of its register, as nft 1.1 does before it uses the field as
/// a key or a statement's operand (`ip6 dscp @map`, `meta mark set ip
/// dscp`): `payload load; bitwise & field; [byteorder ntoh;] bitwise >>
/// shift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Align<'a> {
    /// Not moved.
    None,
    /// Masked to the field and turned to host order, not yet shifted
    /// (`opaque` is set).
    Ntoh,
    /// Shifted: the register holds the field's value as a host-order
    /// number, the upper bytes zero. The field's mask, in the loaded
    /// bytes' order, names the field; [`Slot::mask`] is free for a mask
    /// of the value (in host order) after it.
    Done(&'a [u8]),
}

impl Slot<'_> {
    /// A register `load` filled, as expression `at` left it.
    fn loaded<'a>(reg: u32, load: Load<'a>, at: usize) -> Slot<'a> {
        Slot {
            reg,
            load,
            mask: None,
            opaque: false,
            xor: None,
            hton: false,
            mask_host: false,
            src: Src::one(at),
            span: None,
            ops: None,
            align: Align::None,
        }
    }

    /// The bytes the value takes in the register, when known.
    fn width(&self) -> Option<u32> {
        Some(match self.load {
            Load::Payload { len, .. }
            | Load::Exthdr { len, .. }
            | Load::InnerPayload { len, .. } => len,
            Load::Meta(k) => Key::Meta(MetaKey(k)).width() as u32,
            Load::Ct { key, dir } => Key::Ct {
                key: CtKey(key),
                reply: dir.map(|d| d == 1),
            }
            .width() as u32,
            Load::Gen(k) => k.width() as u32,
            Load::Jhash { .. } => 4,
            Load::Imm(v) => v.len() as u32,
            Load::Map { width, .. } | Load::Combined { width, .. } => width,
            Load::Other => return None,
        })
        .filter(|&w| w > 0)
    }

    /// The register bytes `[start, end)` the value fills (whole 32-bit
    /// words), when known.
    fn bytes(&self) -> Option<(u32, u32)> {
        let start = reg_offset(self.reg)?;
        Some((
            start,
            start.saturating_add(self.width()?.div_ceil(4).saturating_mul(4)),
        ))
    }

    /// A register whose content nflens does not follow (an unknown load, a
    /// shift, a byteorder of something else).
    fn opaque(reg: u32, src: Src) -> Slot<'static> {
        Slot {
            reg,
            load: Load::Other,
            mask: None,
            opaque: true,
            xor: None,
            hton: false,
            mask_host: false,
            src,
            span: None,
            ops: None,
            align: Align::None,
        }
    }
}

/// Where a register's content came from: indices of the expressions (the
/// load, then its bitwise operations), printed only for the fallback text.
#[derive(Debug, Clone, Copy, Default)]
struct Src {
    at: [usize; 4],
    n: usize,
}

impl Src {
    fn one(i: usize) -> Src {
        Src {
            at: [i, 0, 0, 0],
            n: 1,
        }
    }
    fn then(mut self, i: usize) -> Src {
        if let Some(slot) = self.at.get_mut(self.n) {
            *slot = i;
            self.n += 1;
        }
        self
    }
    /// The expressions of both, `self`'s first.
    fn merge(mut self, other: Src) -> Src {
        for &i in other.at.iter().take(other.n) {
            self = self.then(i);
        }
        self
    }
    fn text(&self, exprs: &[Expr<'_>]) -> String {
        self.at
            .iter()
            .take(self.n)
            .filter_map(|&i| exprs.get(i))
            .map(debug)
            .collect()
    }
}

/// Register tracking for one rule.
#[derive(Default)]
struct Regs<'a> {
    slots: Vec<Slot<'a>>,
    /// The data maps the rule looked up, for [`Load::Map`].
    maps: Vec<DataMap>,
    /// The keys each `jhash` hashed, for [`Load::Jhash`].
    hashed: Vec<Vec<Key>>,
    /// What each `bitwise` of two registers joined, for [`Load::Combined`],
    /// and how many joins deep it is.
    combined: Vec<(Combine, Slot<'a>, Slot<'a>, u32)>,
}

/// How many joins of two registers deep a value may be: lowering reads
/// them recursively, and hostile bytes may chain any number (nft writes
/// one per operator of a statement).
const MAX_JOINS: u32 = 8;

/// A data map a lookup read: its keys and, per element, the keys' values
/// and the data in register format (what the statement reading it
/// types).
struct DataMap {
    keys: Vec<KeyExpr>,
    elems: Vec<MapElem<Box<[u8]>>>,
    /// A named map's name (its elements are the table's, not read here).
    named: Option<Box<str>>,
}

impl<'a> Regs<'a> {
    /// `slot` fills its register: what it overwrites is gone, also a
    /// 32-bit register that a 16-byte one's load covers and the reverse.
    fn set(&mut self, mut slot: Slot<'a>) {
        let span = slot.bytes();
        self.slots.retain(|s| {
            s.reg != slot.reg
                && !matches!((s.span, span), (Some(a), Some(b)) if a.0 < b.1 && b.0 < a.1)
        });
        slot.span = span;
        self.slots.push(slot);
    }
    fn get(&self, r: Reg) -> Option<&Slot<'a>> {
        self.slots.iter().find(|s| s.reg == r.0)
    }
    /// The register whose value starts `off` bytes into the registers.
    fn at_offset(&self, off: u32) -> Option<&Slot<'a>> {
        self.slots.iter().find(|s| reg_offset(s.reg) == Some(off))
    }
}

/// Where register `reg` starts among the kernel's registers, in bytes:
/// `NFT_REG_1`–`4` are 16 bytes each, `NFT_REG32_00`–`15` 4 bytes each,
/// over the same memory.
fn reg_offset(reg: u32) -> Option<u32> {
    match reg {
        1..=4 => Some((reg - 1) * 16),
        8..=23 => Some((reg - 8) * 4),
        _ => None,
    }
}

/// An expression in libnftnl's debug syntax (`[ log prefix x level 4 ]`).
fn debug(e: &Expr<'_>) -> String {
    let mut s = String::new();
    let _ = write_expr(&mut s, e);
    s
}

/// Bytes as `0x` and two hex digits each.
pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * b.len());
    s.push_str("0x");
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

fn be_uint(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    Some(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
}

/// Host-order (little-endian here, as the kernel stores meta and ct
/// integers) value of up to 4 bytes.
fn host_u32(b: &[u8]) -> Option<u32> {
    match b.len() {
        1 => Some(u32::from(b[0])),
        2 => Some(u32::from(u16::from_ne_bytes([b[0], b[1]]))),
        4 => Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        _ => None,
    }
}

fn data_bytes<'a>(d: &Data<'a>) -> Option<&'a [u8]> {
    match d {
        Data::Value(v) => Some(v),
        Data::Verdict(_) => None,
    }
}

/// An interface name compare: the name, and whether it is a prefix (no
/// terminating NUL compared).
/// An interface name compared by `meta iifname`/`oifname`: a value without
/// its NUL is a prefix (`eth+`).
pub fn iface_of(b: &[u8]) -> Iface {
    let end = b.iter().position(|&c| c == 0);
    let name = String::from_utf8_lossy(&b[..end.unwrap_or(b.len())]).into_owned();
    Iface {
        name: name.into(),
        wildcard: end.is_none(),
    }
}

/// Address of `value` (the first bytes of an address; a shorter value is a
/// prefix) with `mask` (of the same length; `None`: all ones), as a network.
pub fn addr_net(v6: bool, value: &[u8], mask: Option<&[u8]>) -> Option<IpNet> {
    let width = if v6 { 16 } else { 4 };
    if value.len() > width {
        return None;
    }
    let mut a = [0u8; 16];
    a[..value.len()].copy_from_slice(value);
    let mut m = [0u8; 16];
    match mask {
        Some(mk) if mk.len() == value.len() => m[..mk.len()].copy_from_slice(mk),
        Some(_) => return None,
        None => m[..value.len()].iter_mut().for_each(|x| *x = 0xff),
    }
    for (x, y) in a.iter_mut().zip(&m) {
        *x &= *y;
    }
    let (addr, mask) = if v6 {
        (IpAddr::V6(Ipv6Addr::from(a)), IpAddr::V6(Ipv6Addr::from(m)))
    } else {
        (
            IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3])),
            IpAddr::V4(Ipv4Addr::new(m[0], m[1], m[2], m[3])),
        )
    };
    Some(IpNet { addr, mask })
}

/// Lowers the expressions of one rule. `fam` is the rule's family.
pub fn rule(r: &nflens_wire::Rule<'_>) -> Rule {
    Scratch::default().rule(r, &SetIndex::new())
}

/// [`rule`] for a rule whose expressions the caller has decoded already
/// (all of them, in order, none failed): they are not decoded again.
pub fn rule_decoded<'a>(r: &nflens_wire::Rule<'a>, exprs: &[Expr<'a>]) -> Rule {
    rule_decoded_with_sets(r, exprs, &SetIndex::new())
}

/// [`rule_decoded`], with the anonymous sets its lookups read.
pub fn rule_decoded_with_sets<'a>(
    r: &nflens_wire::Rule<'a>,
    exprs: &[Expr<'a>],
    sets: &SetIndex,
) -> Rule {
    lower_exprs(r, exprs, new_rule(r), &mut Regs::default(), sets)
}

/// Buffers reused from rule to rule when lowering many.
#[derive(Default)]
struct Scratch<'a> {
    exprs: Vec<Expr<'a>>,
    regs: Regs<'a>,
    /// The conditions of the rule being lowered, moved to a vector of
    /// their exact number when it is done: a rule keeps no spare room.
    matches: Vec<Match>,
}

impl<'a> Scratch<'a> {
    fn rule(&mut self, r: &nflens_wire::Rule<'a>, sets: &SetIndex) -> Rule {
        self.try_rule(r, sets).unwrap_or_else(|failed| {
            let (mut out, e) = *failed;
            out.matches.push(Match::new(
                false,
                MatchKind::Nft {
                    exprs: format!("undecodable: {e}").into(),
                },
            ));
            out
        })
    }

    /// The rule, or (what was lowered, the error) when an expression does
    /// not decode.
    fn try_rule(
        &mut self,
        r: &nflens_wire::Rule<'a>,
        sets: &SetIndex,
    ) -> Result<Rule, Box<(Rule, nflens_wire::DecodeError)>> {
        self.exprs.clear();
        self.regs.slots.clear();
        self.regs.maps.clear();
        self.matches.clear();
        let mut out = new_rule(r);
        out.matches = std::mem::take(&mut self.matches);
        let mut lowered = lower_rule(r, &mut self.exprs, &mut self.regs, sets, out);
        let out = match &mut lowered {
            Ok(out) => out,
            Err(failed) => &mut failed.0,
        };
        // Moved, not taken: the scratch keeps its room, the rule
        // gets exactly its conditions' (none for none).
        let mut all = std::mem::take(&mut out.matches);
        out.matches = Vec::with_capacity(all.len());
        out.matches.append(&mut all);
        self.matches = all;
        lowered
    }
}

/// Lowers `r` into `out` (its comment and handle, and room for its
/// conditions).
fn lower_rule<'a>(
    r: &nflens_wire::Rule<'a>,
    exprs: &mut Vec<Expr<'a>>,
    regs: &mut Regs<'a>,
    sets: &SetIndex,
    out: Rule,
) -> Result<Rule, Box<(Rule, nflens_wire::DecodeError)>> {
    for e in r.exprs.iter() {
        match e {
            Ok(e) => exprs.push(e),
            Err(e) => return Err(Box::new((out, e))),
        }
    }
    Ok(lower_exprs(r, exprs, out, regs, sets))
}

/// A rule with `r`'s comment and handle and nothing else yet.
fn new_rule(r: &nflens_wire::Rule<'_>) -> Rule {
    Rule {
        matches: Vec::new(),
        action: None,
        comment: r.comment().map(Box::from),
        counters: None,
        origin: Origin::Handle { handle: r.handle },
    }
}

fn lower_exprs<'a>(
    r: &nflens_wire::Rule<'a>,
    exprs: &[Expr<'a>],
    mut out: Rule,
    regs: &mut Regs<'a>,
    sets: &SetIndex,
) -> Rule {
    let fam = family(r.family).unwrap_or(Family::Inet);
    // The network family a dependency fixed, and where that dependency is
    // among the conditions while an address condition may still imply it.
    let mut l3: Option<(Family, Option<usize>)> = None;
    // Where the action stands among the conditions.
    let mut action_at = 0;
    let mut i = 0;
    while let Some(e) = exprs.get(i) {
        i += 1;
        if out.action.is_some() {
            action_at = action_at.min(out.matches.len());
        }
        match e {
            Expr::Payload(p) if p.dreg.is_some() => regs.set(Slot::loaded(
                p.dreg.unwrap_or_default().0,
                Load::Payload {
                    base: p.base,
                    offset: p.offset,
                    len: p.len,
                },
                i - 1,
            )),
            Expr::Exthdr(x) if x.dreg.is_some() => regs.set(Slot::loaded(
                x.dreg.unwrap_or_default().0,
                ExtHdr::from_kernel(x.op, x.ty).map_or(Load::Other, |hdr| Load::Exthdr {
                    hdr,
                    offset: x.offset,
                    len: x.len,
                    present: x.flags & NFT_EXTHDR_F_PRESENT != 0,
                }),
                i - 1,
            )),
            Expr::Meta(m) if m.dreg.is_some() => regs.set(Slot::loaded(
                m.dreg.unwrap_or_default().0,
                Load::Meta(m.key),
                i - 1,
            )),
            Expr::Socket(x) => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Socket {
                    key: x.key,
                    level: x.level.unwrap_or(0),
                }),
                i - 1,
            )),
            Expr::Numgen(x) if x.ty <= NFT_NG_RANDOM => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Numgen {
                    random: x.ty == NFT_NG_RANDOM,
                    modulus: x.modulus,
                    offset: x.offset,
                }),
                i - 1,
            )),
            // A load inside a tunnel: a payload load or a meta key of the
            // encapsulated packet, or a tunnel header field.
            Expr::Inner(x) => {
                let tunnel = Tunnel::from_kernel(x.ty, x.hdrsize, x.flags);
                let load = match (tunnel, x.expr.iter().next()) {
                    (Some(tunnel), Some(Ok(Expr::Payload(p)))) if p.sreg.is_none() => {
                        p.dreg.map(|d| {
                            let load = Load::InnerPayload {
                                tunnel,
                                base: p.base,
                                offset: p.offset,
                                len: p.len,
                            };
                            (d.0, load)
                        })
                    }
                    (Some(tunnel), Some(Ok(Expr::Meta(m)))) => m.dreg.map(|d| {
                        let key = InnerKey::Meta(MetaKey(m.key));
                        (d.0, Load::Gen(Key::Inner { tunnel, key }))
                    }),
                    _ => None,
                };
                match (load, load_dreg(e)) {
                    (Some((reg, load)), _) => regs.set(Slot::loaded(reg, load, i - 1)),
                    (None, Some(reg)) => regs.set(Slot::opaque(reg, Src::one(i - 1))),
                    (None, None) => {
                        let kind = ActionKind::Nft {
                            exprs: statement_text(regs, exprs, e).into(),
                        };
                        set_action(&mut out, &mut action_at, kind);
                    }
                }
            }
            Expr::Hash(x) if x.ty == NFT_HASH_SYM && x.set_name.is_none() => {
                regs.set(Slot::loaded(
                    x.dreg.0,
                    Load::Gen(Key::Symhash {
                        modulus: x.modulus,
                        offset: x.offset,
                    }),
                    i - 1,
                ))
            }
            Expr::Hash(x) if x.ty == NFT_HASH_JENKINS && x.set_name.is_none() => {
                let eff = l3.map_or(fam, |d| d.0);
                let input = x.sreg.and_then(|sreg| {
                    let keys = reg_keys(eff, regs, sreg, x.len as usize, &out.matches, false)?;
                    Some(keys.into_iter().map(|k| k.0.key).collect())
                });
                let load = match input {
                    Some(keys) => {
                        regs.hashed.push(keys);
                        Load::Jhash {
                            input: regs.hashed.len() as u32 - 1,
                            modulus: x.modulus,
                            seed: x.seed,
                            offset: x.offset,
                        }
                    }
                    None => Load::Other,
                };
                let src = x
                    .sreg
                    .and_then(|r| regs.get(r))
                    .map_or(Src::one(i - 1), |s| s.src.then(i - 1));
                regs.set(Slot {
                    src,
                    ..Slot::loaded(x.dreg.0, load, i - 1)
                });
            }
            Expr::Rt(x) => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Rt { key: x.key }),
                i - 1,
            )),
            Expr::Fib(x) => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Fib {
                    flags: x.flags & !NFTA_FIB_F_PRESENT,
                    result: x.result,
                    present: x.flags & NFTA_FIB_F_PRESENT != 0,
                }),
                i - 1,
            )),
            Expr::Xfrm(x) => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Xfrm {
                    out: x.dir == 1,
                    spnum: x.spnum,
                    key: x.key,
                }),
                i - 1,
            )),
            Expr::Osf(x) => regs.set(Slot::loaded(
                x.dreg.0,
                Load::Gen(Key::Osf {
                    version: x.flags.unwrap_or(0) & NFT_OSF_F_VERSION != 0,
                    ttl: x.ttl.unwrap_or(0),
                }),
                i - 1,
            )),
            Expr::Ct(c) if c.dreg.is_some() => regs.set(Slot::loaded(
                c.dreg.unwrap_or_default().0,
                Load::Ct {
                    key: c.key,
                    dir: c.direction,
                },
                i - 1,
            )),
            Expr::Immediate(im) if im.dreg != Reg::VERDICT => {
                if let Data::Value(v) = im.data {
                    regs.set(Slot::loaded(im.dreg.0, Load::Imm(v), i - 1));
                }
            }
            Expr::Immediate(im) => {
                if let Data::Verdict(v) = im.data {
                    let kind = verdict(v.code, v.chain).unwrap_or_else(|| ActionKind::Nft {
                        exprs: debug(e).into(),
                    });
                    set_action(&mut out, &mut action_at, kind);
                }
            }
            Expr::Bitwise(b) => bitwise(regs, b, i - 1),
            Expr::Byteorder(b) => {
                // `byteorder reg 1 = hton(reg 1, 4, 4)` of a plain
                // host-order load: the same value, in network order.
                // A mask before it stays, in host order (`meta mark &
                // 0xff < 0x10`).
                let plain = regs.get(b.sreg).filter(|s| {
                    !s.opaque
                        && !s.hton
                        && match s.load {
                            // A hash, for an interval map of its values.
                            Load::Meta(_) | Load::Ct { .. } | Load::Jhash { .. } => true,
                            // Not a name (`osf`).
                            Load::Gen(k) => !matches!(k, Key::Osf { .. }),
                            _ => false,
                        }
                });
                // A header field masked to its bits, turned to host order
                // to be shifted to the right edge ([`Align`]).
                let field = regs.get(b.sreg).filter(|s| {
                    let len = match s.load {
                        Load::Payload { len, .. } | Load::Exthdr { len, .. } => len,
                        _ => 0,
                    };
                    !s.opaque
                        && s.align == Align::None
                        && s.mask.is_some()
                        && s.xor.is_none()
                        && b.op == NFT_BYTEORDER_NTOH
                        && matches!(len, 2 | 4)
                        && b.len == len
                        && b.size == len
                });
                let slot = match (plain, field) {
                    (_, Some(s)) => Slot {
                        reg: b.dreg.0,
                        opaque: true,
                        align: Align::Ntoh,
                        src: s.src.then(i - 1),
                        span: None,
                        ..s.clone()
                    },
                    (Some(s), _)
                        if b.op == NFT_BYTEORDER_HTON
                            && b.len == b.size
                            && matches!(b.size, 2 | 4 | 8) =>
                    {
                        Slot {
                            reg: b.dreg.0,
                            hton: true,
                            mask_host: s.mask.is_some(),
                            src: s.src.then(i - 1),
                            ..s.clone()
                        }
                    }
                    _ => Slot::opaque(
                        b.dreg.0,
                        regs.get(b.sreg)
                            .map_or(Src::one(i - 1), |s| s.src.then(i - 1)),
                    ),
                };
                regs.set(slot);
            }
            Expr::Cmp(c) => {
                // `cmp gte` then `cmp lte` on the same load: a range.
                if c.op == NFT_CMP_GTE {
                    if let Some(Expr::Cmp(next)) = exprs.get(i) {
                        if next.op == NFT_CMP_LTE && next.sreg == c.sreg {
                            if let (Some(slot), Some(lo), Some(hi)) = (
                                regs.get(c.sreg),
                                data_bytes(&c.data),
                                data_bytes(&next.data),
                            ) {
                                let src = slot.src.then(i - 1).then(i);
                                let r = RangeTest {
                                    slot: Some(slot),
                                    negated: false,
                                    bounds: Some((lo, hi)),
                                    src,
                                };
                                r.push(&mut out.matches, &mut l3, fam, exprs);
                                i += 1;
                                continue;
                            }
                        }
                    }
                }
                let Some(slot) = regs.get(c.sreg) else {
                    out.matches.push(fallback(regs, exprs, c.sreg, i - 1));
                    continue;
                };
                let fb = || fallback(regs, exprs, c.sreg, i - 1);
                if !split_cmp(fam, slot, c, &mut out.matches, &mut l3) {
                    lower_cmp(fam, slot, c, &mut out.matches, &mut l3, &fb);
                }
            }
            Expr::Range(rg) => {
                let r = RangeTest {
                    slot: regs.get(rg.sreg),
                    negated: rg.op == NFT_RANGE_NEQ,
                    bounds: data_bytes(&rg.from).zip(data_bytes(&rg.to)),
                    src: regs
                        .get(rg.sreg)
                        .map_or(Src::one(i - 1), |s| s.src.then(i - 1)),
                };
                r.push(&mut out.matches, &mut l3, fam, exprs);
            }
            // A set lookup: an anonymous set is read inline, a named one
            // is referred to by name.
            Expr::Lookup(l) if l.dreg.is_none() => {
                let eff = l3.map_or(fam, |d| d.0);
                let before = out.matches.len();
                let negated = l.flags.unwrap_or(0) & NFT_LOOKUP_F_INV != 0;
                let set = sets.get(r.family, r.table, l.set);
                let typed = set.and_then(|set| {
                    if named(Some(set)) {
                        Some(Match::new(
                            negated,
                            MatchKind::InSet {
                                keys: named_keys(eff, regs, l.sreg, set, &out.matches)?,
                                set: l.set.into(),
                            },
                        ))
                    } else {
                        lookup_match(eff, regs, l.sreg, set, negated, &out.matches)
                    }
                });
                match typed {
                    Some(x) => {
                        out.matches.push(x);
                        if eff != fam {
                            drop_implied(&mut out.matches, &mut l3, before);
                        }
                    }
                    None => out
                        .matches
                        .push(lookup_fallback(regs, exprs, l.sreg, set, i - 1)),
                }
            }
            Expr::Lookup(l) if l.dreg.map(|d| d.0) == Some(NFT_REG_VERDICT) => {
                // A verdict map: the verdict comes from the set.
                let eff = l3.map_or(fam, |d| d.0);
                let typed = sets
                    .get(r.family, r.table, l.set)
                    .filter(|_| l.flags.unwrap_or(0) & NFT_LOOKUP_F_INV == 0)
                    .and_then(|set| {
                        if named(Some(set)) {
                            Some(ActionKind::VmapRef {
                                keys: named_keys(eff, regs, l.sreg, set, &out.matches)?,
                                map: l.set.into(),
                            })
                        } else {
                            vmap_action(eff, regs, l.sreg, set, &out.matches)
                        }
                    });
                let kind = match typed {
                    Some(kind) => {
                        if eff != fam {
                            drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                        }
                        kind
                    }
                    None => ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    },
                };
                set_action(&mut out, &mut action_at, kind);
            }
            // A data map: the register gets the element's data.
            Expr::Lookup(l) if l.dreg.is_some() => {
                let eff = l3.map_or(fam, |d| d.0);
                let dreg = l.dreg.unwrap_or_default().0;
                let src = regs
                    .get(l.sreg)
                    .map_or(Src::one(i - 1), |s| s.src.then(i - 1));
                let typed = sets
                    .get(r.family, r.table, l.set)
                    .filter(|_| l.flags.unwrap_or(0) & NFT_LOOKUP_F_INV == 0)
                    .and_then(|set| {
                        if named(Some(set)) {
                            Some(DataMap {
                                keys: named_keys(eff, regs, l.sreg, set, &out.matches)?,
                                elems: Vec::new(),
                                named: Some(l.set.into()),
                            })
                        } else {
                            data_map(eff, regs, l.sreg, set, &out.matches)
                        }
                    });
                match typed {
                    Some(map) => {
                        let width = match &map.named {
                            Some(_) => sets
                                .get(r.family, r.table, l.set)
                                .and_then(|s| s.data_len)
                                .unwrap_or(0) as usize,
                            None => map.elems.iter().map(|e| e.data.len()).max().unwrap_or(0),
                        };
                        let load = Load::Map {
                            idx: regs.maps.len() as u32,
                            width: width as u32,
                        };
                        regs.maps.push(map);
                        regs.set(Slot {
                            src,
                            ..Slot::loaded(dreg, load, i - 1)
                        });
                    }
                    None => regs.set(Slot::opaque(dreg, src)),
                }
            }
            Expr::Tproxy(_) | Expr::Dup(_) | Expr::Fwd(_) => {
                let eff = l3.map_or(fam, |d| d.0);
                let kind =
                    redirect_stmt(eff, regs, e, &out.matches).unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Queue(q) => {
                let eff = l3.map_or(fam, |d| d.0);
                let src = q.sreg_qnum.and_then(|r| regs.get(r));
                let kind = queue_stmt(eff, regs, q, src, &out.matches).unwrap_or_else(|| {
                    ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    }
                });
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Objref(o) => {
                let eff = l3.map_or(fam, |d| d.0);
                match objref(eff, regs, sets, r, o, &out.matches) {
                    Some(kind) => {
                        if let MatchKind::ObjRef { target, .. } = &kind {
                            if eff != fam {
                                drop_implied_by(&mut out.matches, &mut l3, target.keys());
                            }
                        }
                        out.matches.push(Match::new(false, kind));
                    }
                    None => {
                        let text = statement_text(regs, exprs, e);
                        out.matches
                            .push(Match::new(false, MatchKind::Nft { exprs: text.into() }));
                    }
                }
            }
            Expr::Dynset(d) => {
                let eff = l3.map_or(fam, |d| d.0);
                let kind = sets
                    .get(r.family, r.table, d.set_name)
                    .and_then(|set| set_update(eff, regs, d, set, &out.matches, (r, sets)))
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                if eff != fam {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Payload(p) if p.sreg.is_some() => {
                let eff = l3.map_or(fam, |d| d.0);
                let src = regs.get(p.sreg.unwrap_or_default());
                let kind = src
                    .and_then(|s| {
                        let load = Load::Payload {
                            base: p.base,
                            offset: p.offset,
                            len: p.len,
                        };
                        field_write(eff, regs, s, load, p.len, &out.matches)
                    })
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                if eff != fam {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Exthdr(x) if x.sreg.is_some() => {
                let eff = l3.map_or(fam, |d| d.0);
                let src = regs.get(x.sreg.unwrap_or_default());
                let kind = ExtHdr::from_kernel(x.op, x.ty)
                    .zip(src)
                    .and_then(|(hdr, s)| {
                        let load = Load::Exthdr {
                            hdr,
                            offset: x.offset,
                            len: x.len,
                            present: false,
                        };
                        field_write(eff, regs, s, load, x.len, &out.matches)
                    })
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                if eff != fam {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            // No register: the option stripped (`reset tcp option 30`).
            Expr::Exthdr(x) if x.op == NFT_EXTHDR_OP_TCPOPT && x.flags == 0 => {
                let kind = ExtHdr::from_kernel(x.op, x.ty).map_or_else(
                    || ActionKind::Nft {
                        exprs: debug(e).into(),
                    },
                    |h| ActionKind::Reset {
                        option: Key::ExtPresent(h),
                    },
                );
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Counter(c) => {
                let at = if out.action.is_some() {
                    CounterAt::AfterStatement
                } else {
                    CounterAt::After(u32::try_from(out.matches.len()).unwrap_or(u32::MAX))
                };
                out.counters = Some(Counters {
                    packets: c.packets,
                    bytes: c.bytes,
                    at,
                });
                // nft keeps a family dependency that a statement separates
                // from what implies it (`meta nfproto ipv4 counter ip saddr
                // 1.2.3.4`).
                if let Some((f, _)) = l3 {
                    l3 = Some((f, None));
                }
            }
            Expr::Limit(l) if l.flags & !NFT_LIMIT_F_INV == 0 => {
                let negated = l.flags & NFT_LIMIT_F_INV != 0;
                // A packet rate that is a whole period in 1/10,000 s is what
                // the model, like xt limit, holds as `Limit`; anything else
                // (1023/second, a byte rate) is nft's own.
                let period = (l.ty == NFT_LIMIT_PKTS)
                    .then(|| l.unit.checked_mul(10_000))
                    .flatten()
                    .filter(|&u| l.rate != 0 && u % l.rate == 0)
                    .map(|u| u / l.rate);
                let kind = match (period, l.ty) {
                    (Some(period), _) => Some(MatchKind::Limit {
                        period,
                        burst: l.burst,
                    }),
                    (None, NFT_LIMIT_PKTS | NFT_LIMIT_PKT_BYTES) => Some(MatchKind::NftLimit {
                        rate: l.rate,
                        unit: l.unit,
                        burst: l.burst,
                        bytes: l.ty == NFT_LIMIT_PKT_BYTES,
                    }),
                    _ => None,
                };
                out.matches.push(match kind {
                    Some(kind) => Match::new(negated, kind),
                    None => nft_match(e),
                });
            }
            Expr::Quota(q) if q.flags & !(NFT_QUOTA_F_INV | NFT_QUOTA_F_DEPLETED) == 0 => {
                out.matches.push(Match::new(
                    q.flags & NFT_QUOTA_F_INV != 0,
                    MatchKind::Quota {
                        bytes: q.bytes,
                        used: q.consumed,
                    },
                ));
            }
            Expr::FlowOffload(f) => set_action(
                &mut out,
                &mut action_at,
                ActionKind::FlowOffload {
                    flowtable: f.table_name.into(),
                },
            ),
            Expr::Last(l) => set_action(
                &mut out,
                &mut action_at,
                ActionKind::Last {
                    used: (l.set != 0).then_some(l.msecs),
                },
            ),
            Expr::Synproxy(x) => set_action(
                &mut out,
                &mut action_at,
                ActionKind::Synproxy {
                    mss: x.mss,
                    wscale: x.wscale,
                    flags: x.flags,
                },
            ),
            Expr::Connlimit(c) if c.flags & !NFT_CONNLIMIT_F_INV == 0 => {
                out.matches.push(Match::new(
                    c.flags & NFT_CONNLIMIT_F_INV != 0,
                    MatchKind::CtCount { count: c.count },
                ));
            }
            // nflog's snaplen and queue threshold; syslog's level (8 is
            // nft's audit) and flags.
            Expr::Log(l)
                if l.group.is_some()
                    || (l.snaplen.is_none()
                        && l.qthreshold.is_none()
                        && l.level.map_or(true, |lv| lv <= 8)) =>
            {
                let prefix = l.prefix.filter(|p| !p.is_empty()).map(Box::from);
                let kind = match l.group {
                    Some(group) => ActionKind::Nflog {
                        group,
                        prefix,
                        snaplen: l.snaplen,
                        threshold: l.qthreshold.unwrap_or(0),
                    },
                    None => ActionKind::Log {
                        prefix,
                        level: l.level.filter(|&lv| lv != 4).map(|lv| lv.min(255) as u8),
                        flags: LogFlags::from_bits_truncate(l.flags.unwrap_or(0) as u8),
                    },
                };
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Meta(m) if m.sreg.is_some() => {
                let src = regs.get(m.sreg.unwrap_or_default());
                let imm = src.and_then(|s| match s.load {
                    Load::Imm(v) => host_u32(v),
                    _ => None,
                });
                let from = src.map_or(Src::one(i - 1), |s| s.src.then(i - 1));
                let eff = l3.map_or(fam, |d| d.0);
                let kind = match (m.key, imm) {
                    (NFT_META_NFTRACE, Some(1)) => Some(ActionKind::Trace),
                    (NFT_META_MARK, _) => src
                        .and_then(|s| mark_set(s, Load::Meta(NFT_META_MARK)))
                        .map(|(value, mask)| ActionKind::SetMark { value, mask }),
                    _ => None,
                }
                .or_else(|| {
                    let key = Key::Meta(MetaKey(m.key));
                    set_stmt(eff, regs, src?, key, &out.matches)
                })
                .unwrap_or_else(|| ActionKind::Nft {
                    exprs: from.text(exprs).into(),
                });
                if eff != fam {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Ct(c) if c.sreg.is_some() => {
                let eff = l3.map_or(fam, |d| d.0);
                let src = regs.get(c.sreg.unwrap_or_default());
                let from = src.map_or(Src::one(i - 1), |s| s.src.then(i - 1));
                let mark = Load::Ct {
                    key: NFT_CT_MARK,
                    dir: None,
                };
                let kind = src
                    .filter(|_| c.key == NFT_CT_MARK && c.direction.is_none())
                    .and_then(|s| mark_set(s, mark))
                    .map(|(value, mask)| ActionKind::SetConnMark { value, mask })
                    .or_else(|| {
                        let key = Key::Ct {
                            key: CtKey(c.key),
                            reply: c.direction.map(|d| d == 1),
                        };
                        set_stmt(eff, regs, src?, key, &out.matches)
                    })
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: from.text(exprs).into(),
                    });
                if eff != fam {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Nat(n) => {
                let kind = nat_action(regs, n)
                    .or_else(|| {
                        let kind = match n.ty {
                            NFT_NAT_SNAT => NatKind::Snat,
                            NFT_NAT_DNAT => NatKind::Dnat,
                            _ => return None,
                        };
                        let addrs = n.reg_addr_min.zip(n.reg_addr_max.or(n.reg_addr_min));
                        let ports = n.reg_proto_min.zip(n.reg_proto_max.or(n.reg_proto_min));
                        let v6 = match n.family {
                            2 => false,
                            10 => true,
                            _ => return None,
                        };
                        nat_map_action(regs, kind, v6, addrs, ports, n.flags.unwrap_or(0)).or_else(
                            || {
                                let (addr, port) = nat_operands(
                                    l3.map_or(fam, |d| d.0),
                                    regs,
                                    &out.matches,
                                    v6,
                                    (n.reg_addr_min, n.reg_addr_max),
                                    (n.reg_proto_min, n.reg_proto_max),
                                )?;
                                Some(ActionKind::NatFrom {
                                    kind,
                                    v6,
                                    addr,
                                    port,
                                    flags: nat_flags(n.flags.unwrap_or(0))?,
                                })
                            },
                        )
                    })
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                if l3.is_some_and(|d| d.0 != fam) {
                    drop_implied_by_keys(&mut out.matches, &mut l3, &kind);
                }
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Masq(mq) | Expr::Redir(mq) => {
                let masq = matches!(e, Expr::Masq(_));
                let kind = masq_action(regs, mq, masq)
                    .or_else(|| {
                        // `redirect to tcp dport map { 22 : 8022 }`.
                        let ports = mq.reg_proto_min.zip(mq.reg_proto_max.or(mq.reg_proto_min));
                        let v6 = fam == Family::Ipv6;
                        (!masq)
                            .then(|| {
                                nat_map_action(
                                    regs,
                                    NatKind::Redirect,
                                    v6,
                                    None,
                                    ports,
                                    mq.flags.unwrap_or(0),
                                )
                                .or_else(|| {
                                    // `redirect to :numgen inc mod 2 offset 80`.
                                    let (_, port) = nat_operands(
                                        l3.map_or(fam, |d| d.0),
                                        regs,
                                        &out.matches,
                                        v6,
                                        (None, None),
                                        (mq.reg_proto_min, mq.reg_proto_max),
                                    )?;
                                    Some(ActionKind::NatFrom {
                                        kind: NatKind::Redirect,
                                        v6,
                                        addr: None,
                                        port,
                                        flags: nat_flags(mq.flags.unwrap_or(0))?,
                                    })
                                })
                            })
                            .flatten()
                    })
                    .unwrap_or_else(|| ActionKind::Nft {
                        exprs: statement_text(regs, exprs, e).into(),
                    });
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Reject(rj) => {
                let eff = l3.map_or(fam, |d| d.0);
                let kind = reject_action(eff, rj);
                // An ICMP (not ICMPX) error is of the family the dependency
                // right before it fixed: nft hides that dependency.
                if kind.is_some() && rj.ty == NFT_REJECT_ICMP_UNREACH {
                    let end = out.matches.len();
                    drop_dependency(&mut out.matches, &mut l3, end);
                }
                let kind = kind.unwrap_or_else(|| ActionKind::Nft {
                    exprs: debug(e).into(),
                });
                set_action(&mut out, &mut action_at, kind);
            }
            Expr::Notrack => set_action(&mut out, &mut action_at, ActionKind::Notrack),
            Expr::Match(x) => {
                if !push_xt_match(&mut out, x.name, x.rev, x.info, r.family) {
                    out.matches.push(nft_match(e));
                }
            }
            Expr::Target(x) => {
                let kind = match xt::decode_target(x.name, x.rev, x.info, r.family) {
                    Ok(t) => xt_target(fam, x.name, &t),
                    Err(_) => ActionKind::Nft {
                        exprs: debug(e).into(),
                    },
                };
                set_action(&mut out, &mut action_at, kind);
            }
            _ => {
                // Another statement or a load nflens does not lower yet.
                let dreg = load_dreg(e);
                match dreg {
                    Some(reg) => regs.set(Slot::opaque(reg, Src::one(i - 1))),
                    None => {
                        let kind = ActionKind::Nft {
                            exprs: statement_text(regs, exprs, e).into(),
                        };
                        set_action(&mut out, &mut action_at, kind);
                    }
                }
            }
        }
        // A condition after the statement: the statement is one of the
        // conditions, in order.
        if out.action.is_some() && out.matches.len() > action_at {
            flush_action(&mut out, &mut action_at);
        }
    }
    // A counter after the last condition, with the statement after it, is
    // where every rule counts.
    if let Some(c) = &mut out.counters {
        if c.at == CounterAt::After(u32::try_from(out.matches.len()).unwrap_or(u32::MAX)) {
            c.at = CounterAt::End;
        }
    }
    for m in &mut out.matches {
        if let Some(a) = fib_addrtype(m) {
            *m = a;
        }
    }
    out
}

/// `fib saddr type local` is `-m addrtype --src-type LOCAL` (what
/// iptables-translate writes for it; `. iif` is `--limit-iface-in`): one
/// [`MatchKind::AddrType`] for both.
fn fib_addrtype(m: &Match) -> Option<Match> {
    let MatchKind::Field {
        key:
            Key::Fib {
                flags,
                result: NFT_FIB_RESULT_ADDRTYPE,
                present: false,
            },
        test,
    } = &m.kind
    else {
        return None;
    };
    let types = match test {
        FieldTest::Cmp {
            op: CmpOp::Eq,
            value,
        } => vec![value.as_u128()?],
        FieldTest::In(elems) => elems
            .iter()
            .map(|(lo, hi)| (lo == hi).then(|| lo.as_u128()).flatten())
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let mut bits = 0u16;
    for t in types {
        let t = u32::try_from(t)
            .ok()
            .filter(|&t| (t as usize) < nflens_xtables::names::ADDRTYPES.len())?;
        bits |= 1 << t;
    }
    let names = addrtypes(bits)?;
    let (limit_iface_in, limit_iface_out) = match flags & !(NFTA_FIB_F_SADDR | NFTA_FIB_F_DADDR) {
        0 => (false, false),
        NFTA_FIB_F_IIF => (true, false),
        NFTA_FIB_F_OIF => (false, true),
        _ => return None,
    };
    let (src, dst, inverted) = match flags & (NFTA_FIB_F_SADDR | NFTA_FIB_F_DADDR) {
        NFTA_FIB_F_SADDR => (Some(names), None, (m.negated, false)),
        NFTA_FIB_F_DADDR => (None, Some(names), (false, m.negated)),
        _ => return None,
    };
    Some(Match::new(
        false,
        MatchKind::AddrType {
            src,
            dst,
            limit_iface_in,
            limit_iface_out,
            inverted,
        },
    ))
}

/// Lowers an xt match blob (`name`, revision `rev`, `info`, for family
/// `nfproto`) into `out`: its conditions, or (`-m comment`) the rule's
/// comment. False when the blob does not decode (nothing is pushed).
pub fn lower_xt_match(out: &mut Rule, name: &str, rev: u32, info: &[u8], nfproto: u8) -> bool {
    push_xt_match(out, name, rev, info, nfproto)
}

/// Lowers an xt target blob to the action its iptables text lowers to;
/// `None` when the blob does not decode.
pub fn lower_xt_target(name: &str, rev: u32, info: &[u8], nfproto: u8) -> Option<ActionKind> {
    let fam = family(nfproto).unwrap_or(Family::Ipv4);
    xt::decode_target(name, rev, info, nfproto)
        .ok()
        .map(|t| xt_target(fam, name, &t))
}

pub(crate) fn push_xt_match(
    out: &mut Rule,
    name: &str,
    rev: u32,
    info: &[u8],
    nfproto: u8,
) -> bool {
    match xt::decode_match(name, rev, info, nfproto) {
        Ok(XtMatch::Comment { comment }) => {
            out.comment = Some(match out.comment.take() {
                None => comment.into(),
                Some(prev) => format!("{prev} {comment}").into(),
            });
        }
        Ok(m) => {
            let start = out.matches.len();
            xt_match(name, &m, nfproto, &mut out.matches);
            // The modules whose meaning nft names natively (kept as their
            // save text by `xt_match`).
            let texts = out.matches[start..]
                .iter()
                .any(|x| matches!(x.kind, MatchKind::Xt { .. }) && !x.negated);
            if texts {
                let fam = family(nfproto).unwrap_or(Family::Ipv4);
                let added: Vec<Match> = out.matches.drain(start..).collect();
                for x in added {
                    let native = match &x.kind {
                        MatchKind::Xt { module, args } if !x.negated => {
                            crate::xt_native::match_of(module, args, fam)
                        }
                        _ => None,
                    };
                    match native {
                        Some(ms) => out.matches.extend(ms),
                        None => out.matches.push(x),
                    }
                }
            }
        }
        Err(_) => return false,
    }
    true
}

/// The destination register of an expression that only loads.
fn load_dreg(e: &Expr<'_>) -> Option<u32> {
    Some(match e {
        Expr::Exthdr(x) => x.dreg?.0,
        Expr::Fib(x) => x.dreg.0,
        Expr::Rt(x) => x.dreg.0,
        Expr::Socket(x) => x.dreg.0,
        Expr::Osf(x) => x.dreg.0,
        Expr::Xfrm(x) => x.dreg.0,
        Expr::Numgen(x) => x.dreg.0,
        Expr::Hash(x) => x.dreg.0,
        Expr::Tunnel(x) => x.dreg.0,
        Expr::Byteorder(x) => x.dreg.0,
        Expr::Lookup(x) => x.dreg?.0,
        Expr::Inner(x) => match x.expr.iter().next()?.ok()? {
            Expr::Payload(p) => p.dreg?.0,
            Expr::Meta(m) => m.dreg?.0,
            _ => return None,
        },
        _ => return None,
    })
}

/// A second action (a statement besides the verdict) is kept: the rule's
/// action is its last statement (the verdict, the target); an earlier one
/// is a [`MatchKind::Statement`] in order among the conditions (it runs
/// where it stands), or its expressions when nflens does not lower it.
///
/// `at` is where among the conditions the action stands (how many come
/// before it), for [`flush_action`].
fn set_action(out: &mut Rule, at: &mut usize, kind: ActionKind) {
    flush_action(out, at);
    out.action = Some(Action { kind });
    *at = out.matches.len();
}

/// The rule's action as a [`MatchKind::Statement`] at `at`, its place
/// among the conditions: a statement is no longer the last one once
/// another statement or a condition follows it (`meta mark set 1 meta
/// mark 1`, `ct label set 40 ct label & 40 != 40`). A counter after it
/// stays after it.
fn flush_action(out: &mut Rule, at: &mut usize) {
    let Some(prev) = out.action.take() else {
        return;
    };
    let kind = match prev.kind {
        ActionKind::Nft { exprs } => MatchKind::Nft { exprs },
        k => MatchKind::Statement(Box::new(k)),
    };
    let at = (*at).min(out.matches.len());
    out.matches.insert(at, Match::new(false, kind));
    if let Some(c) = &mut out.counters {
        if c.at == CounterAt::AfterStatement {
            c.at = CounterAt::After(u32::try_from(at + 1).unwrap_or(u32::MAX));
        }
    }
}

/// The text of a statement nflens does not lower, with the expressions
/// that loaded the registers it may read (every live register: a statement
/// names its source registers in attributes of its own), so that
/// `meta mark set ct mark` and `meta mark set 0x5` never look the same.
/// The registers count as consumed.
fn statement_text(regs: &mut Regs<'_>, exprs: &[Expr<'_>], e: &Expr<'_>) -> String {
    // Each expression once, in order: a register's source may be another's
    // too (the load a `hash` read).
    let mut at: Vec<usize> = regs
        .slots
        .iter()
        .flat_map(|s| s.src.at.iter().take(s.src.n).copied())
        .collect();
    at.sort_unstable();
    at.dedup();
    let mut text: String = at.iter().filter_map(|&i| exprs.get(i)).map(debug).collect();
    text.push_str(&debug(e));
    regs.slots.clear();
    text
}

fn nft_match(e: &Expr<'_>) -> Match {
    Match::new(
        false,
        MatchKind::Nft {
            exprs: debug(e).into(),
        },
    )
}

fn fallback(regs: &Regs<'_>, exprs: &[Expr<'_>], sreg: Reg, at: usize) -> Match {
    let src = regs.get(sreg).map_or(Src::one(at), |s| s.src.then(at));
    let text = src.text(exprs);
    Match::new(false, MatchKind::Nft { exprs: text.into() })
}

/// A lookup kept as its expressions: every load its key may read (the
/// registers from `sreg` on, as far as the set's key goes when known), in
/// register order, then the lookup, so that lookups of different
/// concatenations never look the same.
fn lookup_fallback(
    regs: &Regs<'_>,
    exprs: &[Expr<'_>],
    sreg: Reg,
    set: Option<&SetContents>,
    at: usize,
) -> Match {
    let Some(start) = reg_offset(sreg.0) else {
        return fallback(regs, exprs, sreg, at);
    };
    let end = set
        .and_then(|s| {
            s.key_len
                .or_else(|| s.elems.iter().map(|e| e.key.len() as u32).max())
        })
        .map_or(u32::MAX, |n| start.saturating_add(n));
    let mut read: Vec<(u32, &Slot<'_>)> = regs
        .slots
        .iter()
        .filter_map(|s| Some((reg_offset(s.reg)?, s)))
        .filter(|(o, _)| (start..end).contains(o))
        .collect();
    read.sort_by_key(|(o, _)| *o);
    let mut text: String = read.iter().map(|(_, s)| s.src.text(exprs)).collect();
    text.push_str(&Src::one(at).text(exprs));
    Match::new(false, MatchKind::Nft { exprs: text.into() })
}

fn bitwise<'a>(regs: &mut Regs<'a>, b: &Bitwise<'a>, at: usize) {
    // nft 1.1: two registers joined (`meta mark set meta mark | iif`).
    if let Some(r2) = b.sreg2 {
        let op = match b.op {
            NFT_BITWISE_AND => Some(Combine::And),
            NFT_BITWISE_OR => Some(Combine::Or),
            NFT_BITWISE_XOR => Some(Combine::Xor),
            _ => None,
        };
        let (l, r) = (regs.get(b.sreg).cloned(), regs.get(r2).cloned());
        let depth = |s: &Option<Slot<'_>>| match s.as_ref().map(|s| s.load) {
            Some(Load::Combined { idx, .. }) => regs.combined.get(idx as usize).map_or(0, |c| c.3),
            _ => 0,
        };
        let depth = 1 + depth(&l).max(depth(&r));
        let slot = match (op, l, r) {
            (Some(op), Some(l), Some(r)) if depth <= MAX_JOINS => {
                let src = l.src.merge(r.src).then(at);
                let idx = regs.combined.len() as u32;
                regs.combined.push((op, l, r, depth));
                let load = Load::Combined { idx, width: b.len };
                Slot {
                    src,
                    ..Slot::loaded(b.dreg.0, load, at)
                }
            }
            _ => Slot::opaque(b.dreg.0, Src::one(at)),
        };
        regs.set(slot);
        return;
    }
    let Some(src) = regs.get(b.sreg).cloned() else {
        regs.set(Slot::opaque(b.dreg.0, Src::one(at)));
        return;
    };
    let mask = b.mask.as_ref().and_then(data_bytes);
    let xor_zero = b
        .xor
        .as_ref()
        .and_then(data_bytes)
        .map_or(true, |x| x.iter().all(|&c| c == 0));
    let plain = b.op == NFT_BITWISE_MASK_XOR && xor_zero && src.mask.is_none() && mask.is_some();
    let fresh = b.op == NFT_BITWISE_MASK_XOR && src.mask.is_none() && !src.opaque;
    let xor = match (
        fresh && !xor_zero,
        mask,
        b.xor.as_ref().and_then(data_bytes),
    ) {
        (true, Some(m), Some(x)) if m.len() == x.len() => Some((m, x)),
        _ => None,
    };
    if let Some(field) = aligned(&src, b) {
        regs.set(Slot {
            reg: b.dreg.0,
            mask: None,
            opaque: false,
            src: src.src.then(at),
            span: None,
            align: Align::Done(field),
            ..src
        });
        return;
    }
    // A shift of a 32-bit host-order key, maybe masked first: the steps
    // are kept for a statement's value (`ct mark set (meta mark | 0x10) <<
    // 8`).
    let ops = computed_ops(&src, b);
    regs.set(Slot {
        reg: b.dreg.0,
        load: src.load,
        mask: if plain { mask } else { None },
        opaque: src.opaque || !plain,
        xor,
        hton: src.hton,
        mask_host: false,
        src: src.src.then(at),
        span: None,
        ops,
        align: src.align,
    });
}

/// The field mask of `src` when `b` shifts the masked field to the
/// register's low bits: a one-byte load, or a two- or four-byte one
/// turned to host order first ([`Align`]).
fn aligned<'a>(src: &Slot<'a>, b: &Bitwise<'_>) -> Option<&'a [u8]> {
    let len = match src.load {
        Load::Payload { len, .. } | Load::Exthdr { len, .. } => len,
        _ => return None,
    };
    match src.align {
        Align::None if !src.opaque && len == 1 => {}
        Align::Ntoh if matches!(len, 2 | 4) => {}
        _ => return None,
    }
    if b.op != NFT_BITWISE_RSHIFT || src.xor.is_some() || src.ops.is_some() || src.hton {
        return None;
    }
    let mask = src.mask?;
    let shift = host_u32(data_bytes(b.data.as_ref()?)?)?;
    // The mask is one run of bits, not all of the load, and the shift its
    // offset (the number is the same in network order and after ntoh).
    let m = reg_num(mask, false)?;
    let all = u128::MAX >> (128 - 8 * mask.len().clamp(1, 16));
    let run = m >> m.trailing_zeros();
    let one_run = m != 0 && run & run.wrapping_add(1) == 0;
    (one_run && m != all && shift > 0 && m.trailing_zeros() == shift).then_some(mask)
}

/// [`Slot::ops`] after `b` of `src`.
fn computed_ops(src: &Slot<'_>, b: &Bitwise<'_>) -> Option<Vec<BitOp>> {
    let key = match src.load {
        Load::Meta(k) => Some(Key::Meta(MetaKey(k))),
        Load::Ct { key, dir } => Some(Key::Ct {
            key: CtKey(key),
            reply: dir.map(|d| d == 1),
        }),
        // `meta mark set symhash mod 2 << 8`.
        Load::Gen(k @ (Key::Numgen { .. } | Key::Symhash { .. })) => Some(k),
        _ => None,
    };
    let number = match src.align {
        // A header field moved to the right edge ([`Align`]): a host-order
        // number, the upper bytes zero. The kernel's `bitwise` works on
        // whole 32-bit words, a mask padded with zeros, so a narrower step
        // is the same step.
        Align::Done(_) => (1..=4).contains(&b.len),
        _ => b.len == 4 && key.is_some_and(|k| k.width() == 4 && k.host_order()),
    };
    if src.hton || !number {
        return None;
    }
    let mut ops = match (&src.ops, src.xor, src.mask) {
        (Some(ops), _, _) => ops.clone(),
        (None, Some((and, xor)), _) => vec![BitOp::MaskXor {
            and: host_u32(and)?,
            xor: host_u32(xor)?,
        }],
        (None, None, Some(and)) => vec![BitOp::MaskXor {
            and: host_u32(and)?,
            xor: 0,
        }],
        (None, None, None) if !src.opaque => Vec::new(),
        _ => return None,
    };
    let arg = |d: &Option<Data<'_>>| d.as_ref().and_then(data_bytes).and_then(host_u32);
    ops.push(match b.op {
        NFT_BITWISE_LSHIFT => BitOp::Shl(arg(&b.data)?),
        NFT_BITWISE_RSHIFT => BitOp::Shr(arg(&b.data)?),
        NFT_BITWISE_MASK_XOR if !ops.is_empty() => BitOp::MaskXor {
            and: arg(&b.mask)?,
            xor: arg(&b.xor).unwrap_or(0),
        },
        _ => return None,
    });
    Some(ops)
}

pub(crate) fn verdict(code: i32, chain: Option<&str>) -> Option<ActionKind> {
    Some(match code {
        NF_ACCEPT => ActionKind::Accept,
        NF_DROP => ActionKind::Drop,
        NFT_RETURN => ActionKind::Return,
        NFT_JUMP => ActionKind::Jump {
            chain: chain?.into(),
        },
        NFT_GOTO => ActionKind::Goto {
            chain: chain?.into(),
        },
        NF_QUEUE => ActionKind::queue(0),
        _ => return None,
    })
}

/// A verdict map element's verdict: [`verdict`], or `continue`.
pub(crate) fn elem_verdict(code: i32, chain: Option<&str>) -> Option<ActionKind> {
    match code {
        NFT_CONTINUE => Some(ActionKind::Continue),
        c => verdict(c, chain),
    }
}

/// The whole packet mark copied to the connection's (`save`: `ct mark set
/// meta mark`, CONNMARK `--save-mark`) or back (`meta mark set ct mark`,
/// `--restore-mark`).
pub(crate) fn mark_copy(save: bool) -> ActionKind {
    let meta = Key::Meta(MetaKey(NFT_META_MARK));
    let ct = Key::Ct {
        key: CtKey(NFT_CT_MARK),
        reply: None,
    };
    let (key, from) = if save { (ct, meta) } else { (meta, ct) };
    ActionKind::Set {
        key,
        value: Source::Key(from),
    }
}

/// `(value, mask)` of a mark statement (`mark = (mark & !mask) ^ value`)
/// whose source register holds `slot`: a constant, or `own` (the same
/// mark) masked and xored by one `bitwise`.
fn mark_set(slot: &Slot<'_>, own: Load<'_>) -> Option<(u32, u32)> {
    if slot.hton {
        return None;
    }
    match slot.load {
        Load::Imm(v) if slot.mask.is_none() && !slot.opaque => Some((host_u32(v)?, u32::MAX)),
        l if l == own => match (slot.mask, slot.xor) {
            (Some(m), None) if !slot.opaque => Some((0, !host_u32(m)?)),
            (None, Some((m, x))) => Some((host_u32(x)?, !host_u32(m)?)),
            _ => None,
        },
        _ => None,
    }
}

/// A native `reject` as the `REJECT --reject-with` name it does the same
/// as (`ip` and `ip6` tables; an `inet` reject's ICMP family depends on
/// the packet).
/// `reject` in a table of (effective) family `fam`: iptables' names for
/// what REJECT can do, `icmpx-*` for nft's family-independent codes.
fn reject_action(fam: Family, r: &nflens_wire::expr::Reject) -> Option<ActionKind> {
    let name = match (r.ty, fam, r.code) {
        (NFT_REJECT_TCP_RST, _, _) => "tcp-reset",
        (NFT_REJECT_ICMPX_UNREACH, _, c) => match c {
            0 => "icmpx-no-route",
            1 => "icmpx-port-unreachable",
            2 => "icmpx-host-unreachable",
            3 => "icmpx-admin-prohibited",
            _ => return None,
        },
        (NFT_REJECT_ICMP_UNREACH, Family::Ipv4, c) => match c {
            0 => "icmp-net-unreachable",
            1 => "icmp-host-unreachable",
            2 => "icmp-proto-unreachable",
            3 => "icmp-port-unreachable",
            9 => "icmp-net-prohibited",
            10 => "icmp-host-prohibited",
            13 => "icmp-admin-prohibited",
            _ => return None,
        },
        (NFT_REJECT_ICMP_UNREACH, Family::Ipv6, c) => match c {
            0 => "icmp6-no-route",
            1 => "icmp6-adm-prohibited",
            3 => "icmp6-addr-unreachable",
            4 => "icmp6-port-unreachable",
            5 => "icmp6-policy-fail",
            6 => "icmp6-reject-route",
            _ => return None,
        },
        _ => return None,
    };
    Some(ActionKind::Reject {
        with: Some(name.into()),
    })
}

/// The constant a register holds (an `immediate`), if it does.
fn imm<'a>(regs: &Regs<'a>, r: Option<Reg>) -> Option<&'a [u8]> {
    match regs.get(r?)? {
        Slot {
            load: Load::Imm(v),
            mask: None,
            opaque: false,
            ..
        } => Some(v),
        _ => None,
    }
}

/// `NF_NAT_RANGE_*` flags as the model's (`None`: a flag the model has no
/// field for, like `NF_NAT_RANGE_NETMAP`).
fn nat_flags(f: u32) -> Option<NatFlags> {
    // MAP_IPS and PROTO_SPECIFIED follow from the registers.
    if f & !0x1f != 0 {
        return None;
    }
    let mut n = NatFlags::empty();
    n.set(NatFlags::RANDOM, f & 4 != 0);
    n.set(NatFlags::PERSISTENT, f & 8 != 0);
    n.set(NatFlags::RANDOM_FULLY, f & 16 != 0);
    Some(n)
}

/// The port range of a NAT statement's proto registers (network order
/// constants); `Some(None)` when it has none.
fn nat_ports(regs: &Regs<'_>, min: Option<Reg>, max: Option<Reg>) -> Option<Option<(u16, u16)>> {
    let port = |b: &[u8]| Some(u16::from_be_bytes(b.get(..2)?.try_into().ok()?));
    let Some(lo) = min else {
        return max.is_none().then_some(None);
    };
    let lo = port(imm(regs, Some(lo))?)?;
    let hi = match max {
        Some(r) => port(imm(regs, Some(r))?)?,
        None => lo,
    };
    Some(Some((lo, hi)))
}

/// A native `snat`/`dnat` whose registers hold constants.
fn nat_action(regs: &Regs<'_>, n: &nflens_wire::expr::Nat) -> Option<ActionKind> {
    let flags = nat_flags(n.flags.unwrap_or(0))?;
    let addr = |b: &[u8]| -> Option<IpAddr> {
        match (n.family, b.len()) {
            (2, 4) => Some(IpAddr::from(<[u8; 4]>::try_from(b).ok()?)),
            (10, 16) => Some(IpAddr::from(<[u8; 16]>::try_from(b).ok()?)),
            _ => None,
        }
    };
    let addrs = match n.reg_addr_min {
        Some(r) => {
            let lo = addr(imm(regs, Some(r))?)?;
            let hi = match n.reg_addr_max {
                Some(r) => addr(imm(regs, Some(r))?)?,
                None => lo,
            };
            Some((lo, hi))
        }
        None if n.reg_addr_max.is_some() => return None,
        None => None,
    };
    let ports = nat_ports(regs, n.reg_proto_min, n.reg_proto_max)?;
    let to = NatTo {
        addrs,
        ports,
        base: None,
    };
    match n.ty {
        NFT_NAT_SNAT => Some(ActionKind::Snat { to, flags }),
        NFT_NAT_DNAT => Some(ActionKind::Dnat { to, flags }),
        _ => None,
    }
}

/// NAT to what a data map gives (`snat ip to ip saddr map { 10.0.0.1 :
/// 192.168.2.3 . 80 }`): the address and port registers are parts of
/// the map's data; `addrs` and `ports` are the (min, max) registers.
fn nat_map_action(
    regs: &Regs<'_>,
    kind: NatKind,
    v6: bool,
    addrs: Option<(Reg, Reg)>,
    ports: Option<(Reg, Reg)>,
    flags: u32,
) -> Option<ActionKind> {
    // NF_NAT_RANGE_NETMAP: `snat ip prefix to`.
    let prefix = flags & 0x40 != 0;
    let nat_flags = nat_flags(flags & !0x40)?;
    let first = addrs.map(|a| a.0).or(ports.map(|p| p.0))?;
    let slot = regs.get(first)?;
    let Load::Map { idx, width } = slot.load else {
        return None;
    };
    if slot.opaque || slot.mask.is_some() || slot.hton {
        return None;
    }
    let map = regs.maps.get(idx as usize)?;
    let base = reg_offset(slot.reg)?;
    // Where a register's value starts in the data, and that it fits.
    let at = |r: Reg, len: u32| -> Option<usize> {
        let off = reg_offset(r.0)?.checked_sub(base)?;
        (off + len <= width.max(len)).then_some(off as usize)
    };
    let alen = if v6 { 16 } else { 4 };
    let layout = (
        addrs
            .map(|(lo, hi)| Some((at(lo, alen)?, at(hi, alen)?)))
            .map_or(Some(None), |x| x.map(Some))?,
        ports
            .map(|(lo, hi)| Some((at(lo, 2)?, at(hi, 2)?)))
            .map_or(Some(None), |x| x.map(Some))?,
    );
    let to = match &map.named {
        Some(name) => NatMapTo::Named(name.clone()),
        None => NatMapTo::Elems(
            map.elems
                .iter()
                .map(|e| {
                    Some(MapElem {
                        key: e.key.clone(),
                        data: nat_to_of(&e.data, layout, v6)?,
                    })
                })
                .collect::<Option<_>>()?,
        ),
    };
    Some(ActionKind::NatMap {
        kind,
        v6,
        addrs: addrs.is_some(),
        keys: map.keys.clone(),
        to,
        prefix,
        flags: nat_flags,
    })
}

/// The address and port a NAT statement reads from its (min, max)
/// registers when one of them is not a constant (`dnat to numgen inc mod
/// 2 offset 167772161`, `dnat to 10.0.0.1:tcp sport`): each one register,
/// not a range. `None` when both are constants or absent (a
/// [`nat_action`]'s) or a register holds what nflens does not read.
fn nat_operands(
    fam: Family,
    regs: &Regs<'_>,
    matches: &[Match],
    v6: bool,
    addrs: (Option<Reg>, Option<Reg>),
    ports: (Option<Reg>, Option<Reg>),
) -> Option<(Option<Source>, Option<Source>)> {
    let one = |(min, max): (Option<Reg>, Option<Reg>), what| match (min, max) {
        (Some(a), Some(b)) if a != b => Err(()),
        (None, Some(_)) => Err(()),
        (min, _) => operand(fam, regs, min, what, matches),
    };
    let addr = one(addrs, Operand::Addr { v6 }).ok()?;
    let port = one(ports, Operand::Port).ok()?;
    let computed = |s: &Option<Source>| s.as_ref().is_some_and(|s| !matches!(s, Source::Value(_)));
    (computed(&addr) || computed(&port)).then_some((addr, port))
}

/// Where in a NAT map's data the (min, max) addresses and ports start.
type NatLayout = (Option<(usize, usize)>, Option<(usize, usize)>);

/// One element's data as the addresses and ports NAT reads from it.
fn nat_to_of(d: &[u8], (addrs, ports): NatLayout, v6: bool) -> Option<NatTo> {
    let addr = |at: usize| -> Option<IpAddr> {
        Some(if v6 {
            IpAddr::from(<[u8; 16]>::try_from(d.get(at..at + 16)?).ok()?)
        } else {
            IpAddr::from(<[u8; 4]>::try_from(d.get(at..at + 4)?).ok()?)
        })
    };
    let port = |at: usize| -> Option<u16> {
        Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
    };
    Some(NatTo {
        addrs: match addrs {
            Some((lo, hi)) => Some((addr(lo)?, addr(hi)?)),
            None => None,
        },
        ports: match ports {
            Some((lo, hi)) => Some((port(lo)?, port(hi)?)),
            None => None,
        },
        base: None,
    })
}

/// A native `masquerade` (`masq`) or `redirect` (`!masq`).
fn masq_action(regs: &Regs<'_>, m: &nflens_wire::expr::Masq, masq: bool) -> Option<ActionKind> {
    let flags = nat_flags(m.flags.unwrap_or(0))?;
    let ports = nat_ports(regs, m.reg_proto_min, m.reg_proto_max)?;
    Some(if masq {
        ActionKind::Masquerade { ports, flags }
    } else {
        ActionKind::Redirect { ports, flags }
    })
}

/// One compare of a register that holds `slot`: pushes its condition, or
/// `fallback`'s text when it has no typed reading (and says so: `false`).
fn lower_cmp(
    fam: Family,
    slot: &Slot<'_>,
    c: &Cmp<'_>,
    matches: &mut Vec<Match>,
    l3: &mut Option<(Family, Option<usize>)>,
    fallback: &dyn Fn() -> Match,
) -> bool {
    // `meta nfproto ipv4` (inet), `meta protocol ip` / `ether type ip`
    // (bridge, netdev): the network family the rest of the rule reads.
    // Kept as it is, unless an address condition of that family follows,
    // which implies it (nft hides it).
    if let Some(v6) = l3_dependency(fam, slot, c) {
        let dep = field_cmp(fam, slot, c, matches);
        let typed = dep.is_some();
        matches.push(dep.unwrap_or_else(fallback));
        *l3 = Some((
            if v6 { Family::Ipv6 } else { Family::Ipv4 },
            Some(matches.len() - 1),
        ));
        return typed;
    }
    let eff = l3.map_or(fam, |d| d.0);
    let before = matches.len();
    // `ip protocol` after a family dependency is that header field as nft
    // writes it, not `meta l4proto`.
    let spelled = eff != fam
        && slot.load
            == Load::Payload {
                base: NFT_PAYLOAD_NETWORK_HEADER,
                offset: 9,
                len: 1,
            };
    let done = !spelled && icmp_match(slot, c, matches)
        || (!spelled && ports_apply(slot, matches) && cmp_match(eff, slot, c, matches));
    let done = done
        || match field_cmp(eff, slot, c, matches) {
            Some(x) => {
                matches.push(x);
                true
            }
            None => false,
        };
    if !done {
        matches.push(fallback());
    } else if eff != fam {
        drop_implied(matches, l3, before);
    }
    done
}

/// nft merges adjacent payload compares into one load (`ether saddr X
/// ether type ip` is eight bytes at `ll+6`). An equality of such a load is
/// the equalities of the fields nft's templates split it into, each
/// lowered as if compared alone; `false` (and nothing pushed) when the
/// load is not such a merge or a part has no typed reading. An inequality
/// stays whole: it is NOT(a AND b), not a list of inequalities.
fn split_cmp(
    fam: Family,
    slot: &Slot<'_>,
    c: &Cmp<'_>,
    matches: &mut Vec<Match>,
    l3: &mut Option<(Family, Option<usize>)>,
) -> bool {
    let Load::Payload { base, offset, len } = slot.load else {
        return false;
    };
    let Some(value) = data_bytes(&c.data) else {
        return false;
    };
    if c.op != NFT_CMP_EQ
        || len < 2
        || slot.mask.is_some()
        || slot.opaque
        || slot.hton
        || value.len() != len as usize
        // Both ports in one compare are the model's port pair.
        || base == NFT_PAYLOAD_TRANSPORT_HEADER
            && offset == 0
            && len == 4
            && ports_apply(slot, matches)
    {
        return false;
    }
    let eff = l3.map_or(fam, |d| d.0);
    let Some(pbase) = PayloadBase::from_kernel(base) else {
        return false;
    };
    let ctx = payload_ctx(eff, pbase, matches);
    let Some(parts) = crate::field::payload_split(ctx, pbase, offset, len) else {
        return false;
    };
    let saved = (matches.clone(), *l3);
    for (at, n) in parts {
        let Some(v) = value.get((at - offset) as usize..(at - offset + n) as usize) else {
            return false;
        };
        let part = Slot {
            load: Load::Payload {
                base,
                offset: at,
                len: n,
            },
            ..slot.clone()
        };
        let cmp = Cmp {
            sreg: c.sreg,
            op: NFT_CMP_EQ,
            data: Data::Value(v),
        };
        // A part without a typed reading undoes the split (the text pushed
        // for it is dropped with the rest).
        let untyped = || Match::new(false, MatchKind::Nft { exprs: "".into() });
        if !lower_cmp(fam, &part, &cmp, matches, l3, &untyped) {
            (*matches, *l3) = saved;
            return false;
        }
    }
    true
}

/// Whether `cmp` tests the network family in a table that holds more than
/// one: `meta nfproto ipv4|ipv6` (inet), `meta protocol` or `ether type`
/// `ip|ip6` (bridge, netdev; `ether type` in inet too). `Some(v6)`.
fn l3_dependency(fam: Family, slot: &Slot<'_>, c: &Cmp<'_>) -> Option<bool> {
    if c.op != NFT_CMP_EQ || slot.opaque || slot.mask.is_some() || slot.hton {
        return None;
    }
    let v = data_bytes(&c.data)?;
    let nfproto = fam == Family::Inet && slot.load == Load::Meta(NFT_META_NFPROTO);
    let ethertype = match slot.load {
        Load::Meta(NFT_META_PROTOCOL) => matches!(fam, Family::Bridge | Family::Netdev),
        // In inet, after `meta iiftype ether` (`ether saddr ... ip daddr
        // ...` reads the network header as the Ethernet type says).
        Load::Payload {
            base: NFT_PAYLOAD_LL_HEADER,
            offset: 12 | 16 | 20,
            len: 2,
        } => matches!(fam, Family::Bridge | Family::Netdev | Family::Inet),
        _ => false,
    };
    match v {
        [2] if nfproto => Some(false),
        [10] if nfproto => Some(true),
        [0x08, 0x00] if ethertype => Some(false),
        [0x86, 0xdd] if ethertype => Some(true),
        _ => None,
    }
}

/// A range test of a register (`range`, or `cmp gte` then `cmp lte`).
struct RangeTest<'r, 'a> {
    /// What the register holds, when nflens may type it.
    slot: Option<&'r Slot<'a>>,
    negated: bool,
    bounds: Option<(&'a [u8], &'a [u8])>,
    /// The expressions, for the text when it has no typed kind.
    src: Src,
}

impl RangeTest<'_, '_> {
    /// Pushes its typed condition (an address range after a family
    /// dependency implies it), else its expressions as text.
    fn push(
        self,
        out: &mut Vec<Match>,
        l3: &mut Option<(Family, Option<usize>)>,
        fam: Family,
        exprs: &[Expr<'_>],
    ) {
        let eff = l3.map_or(fam, |d| d.0);
        let before = out.len();
        let typed = self.slot.zip(self.bounds).and_then(|(s, (lo, hi))| {
            ports_apply(s, out)
                .then(|| range_match(eff, s, self.negated, lo, hi))
                .flatten()
                .or_else(|| field_range(eff, s, self.negated, lo, hi, out))
        });
        match typed {
            Some(m) => {
                out.push(m);
                if eff != fam {
                    drop_implied(out, l3, before);
                }
            }
            None => out.push(Match::new(
                false,
                MatchKind::Nft {
                    exprs: self.src.text(exprs).into(),
                },
            )),
        }
    }
}

/// After a condition lowered with the family a dependency fixed (matches
/// from `from` on): an address condition carries that family itself, so
/// the dependency before it is implied and goes, as nft hides it.
fn drop_implied(matches: &mut Vec<Match>, l3: &mut Option<(Family, Option<usize>)>, from: usize) {
    let Some((dep, Some(_))) = *l3 else {
        return;
    };
    let implied = matches.get(from..).is_some_and(|new| {
        !new.is_empty()
            && new.iter().all(|m| match &m.kind {
                MatchKind::Addr { .. } | MatchKind::AddrRange { .. } => true,
                // `icmp type` is IPv4's, `icmpv6 type` IPv6's.
                MatchKind::Icmp { v6, .. } => dep == if *v6 { Family::Ipv6 } else { Family::Ipv4 },
                // `ct original ip saddr 1.2.3.4`.
                MatchKind::CtAddr { net, .. } => {
                    dep == if net.addr.is_ipv6() {
                        Family::Ipv6
                    } else {
                        Family::Ipv4
                    }
                }
                MatchKind::Field { key, .. } => key_implies(dep, key),
                MatchKind::Concat { keys, .. } | MatchKind::InSet { keys, .. } => {
                    exprs_keys(keys).any(|k| key_implies(dep, k))
                }
                _ => false,
            })
    });
    if implied {
        drop_dependency(matches, l3, from);
    }
}

/// [`drop_implied`] for a statement: a verdict map's or data map's keys,
/// or the key a statement sets, may imply the family.
fn drop_implied_by_keys(
    matches: &mut Vec<Match>,
    l3: &mut Option<(Family, Option<usize>)>,
    kind: &ActionKind,
) {
    if let Some((dep, Some(_))) = *l3 {
        if kind.keys().any(|k| key_implies(dep, k)) {
            drop_dependency(matches, l3, matches.len());
        }
    }
}

/// Drops the family dependency `keys` imply (see [`drop_implied_by_keys`]).
fn drop_implied_by<'k>(
    matches: &mut Vec<Match>,
    l3: &mut Option<(Family, Option<usize>)>,
    mut keys: impl Iterator<Item = &'k Key>,
) {
    if let Some((dep, Some(_))) = *l3 {
        if keys.any(|k| key_implies(dep, k)) {
            drop_dependency(matches, l3, matches.len());
        }
    }
}

/// Whether reading `key` implies the network family `dep` (lowered with
/// it): a network-header field, an IPv6 extension header, an IPv4 option.
fn key_implies(dep: Family, key: &Key) -> bool {
    match key {
        Key::Header(h) => match h.header() {
            Header::Icmp | Header::Igmp => dep == Family::Ipv4,
            Header::Icmpv6 => dep == Family::Ipv6,
            hd => hd.base() == PayloadBase::Nh,
        },
        // `ct original saddr` reads the family's address (`ip saddr`).
        Key::Ct {
            key: CtKey(8 | 9), ..
        } => true,
        Key::Ct {
            key: CtKey(19 | 20),
            ..
        } => dep == Family::Ipv4,
        Key::Ct {
            key: CtKey(21 | 22),
            ..
        } => dep == Family::Ipv6,
        Key::ExtPresent(h) | Key::Ext { hdr: h, .. } => match h.kind {
            ExtKind::Ipv6 => dep == Family::Ipv6,
            ExtKind::IpOpt => dep == Family::Ipv4,
            _ => false,
        },
        _ => false,
    }
}

/// Removes the family dependency when it comes right before `from`, or
/// with only dependencies of other layers between (what follows it
/// implies it, and nft hides it: `meta nfproto ipv4 meta l4proto tcp ip
/// daddr . tcp dport { ... }` lists as `ip daddr . tcp dport { ... }`).
fn drop_dependency(
    matches: &mut Vec<Match>,
    l3: &mut Option<(Family, Option<usize>)>,
    from: usize,
) {
    if let Some((_, dep)) = l3 {
        let between = |at: usize| {
            matches.get(at + 1..from).is_some_and(|m| {
                m.iter().all(|m| {
                    !m.negated
                        && match &m.kind {
                            MatchKind::Protocol(_) => true,
                            // `meta iiftype ether`, before a link-layer field.
                            MatchKind::Field {
                                key: Key::Meta(MetaKey(NFT_META_IFTYPE)),
                                test: FieldTest::Cmp { op: CmpOp::Eq, .. },
                            } => true,
                            _ => false,
                        }
                })
            })
        };
        if let Some(at) = dep.filter(|&at| at < from && between(at)) {
            matches.remove(at);
            *dep = None;
        }
    }
}

/// The protocol a rule's conditions so far fix (the last positive one).
fn l4proto(matches: &[Match]) -> Option<u8> {
    matches.iter().rev().find_map(crate::field::l4_fixed)
}

/// Whether a transport-header load may be read as ports: not when the rule
/// has fixed a protocol without ports (`icmp`: `th+0` is type and code).
fn ports_apply(slot: &Slot<'_>, matches: &[Match]) -> bool {
    match slot.load {
        Load::Payload {
            base: NFT_PAYLOAD_TRANSPORT_HEADER,
            ..
        } => l4proto(matches).map_or(true, |p| matches!(p, 6 | 17 | 33 | 132 | 136)),
        _ => true,
    }
}

/// `icmp type X` / `icmpv6 type X` (`th+0`, one byte) after a positive
/// `meta l4proto icmp|ipv6-icmp` (or `ip protocol`), and `icmp code Y`
/// (`th+1`) after such a type: the model's `Icmp`, as `-m icmp` lowers.
fn icmp_match(slot: &Slot<'_>, c: &Cmp<'_>, out: &mut Vec<Match>) -> bool {
    let Load::Payload {
        base: NFT_PAYLOAD_TRANSPORT_HEADER,
        offset: off @ (0 | 1),
        len: len @ (1 | 2),
    } = slot.load
    else {
        return false;
    };
    let (Some(value), None, false, false) =
        (data_bytes(&c.data), slot.mask, slot.opaque, slot.hton)
    else {
        return false;
    };
    // Type and code in one compare: `icmp type 8 icmp code 0`.
    let (v, code) = match (off, len, value) {
        (0, 2, &[t, c]) => (t, Some(c)),
        (_, 1, &[v]) => (v, None),
        _ => return false,
    };
    let negated = match c.op {
        NFT_CMP_EQ => false,
        NFT_CMP_NEQ => true,
        _ => return false,
    };
    let v6 = match l4proto(out) {
        Some(1) => false,
        Some(58) => true,
        _ => return false,
    };
    if off == 0 {
        out.push(m(
            negated,
            MatchKind::Icmp {
                v6,
                ty: v,
                codes: code.map_or((0, 0xff), |c| (c, c)),
            },
        ));
        return true;
    }
    // A code: only right after a positive type of the same protocol.
    match out.last_mut() {
        Some(Match {
            negated: false,
            kind:
                MatchKind::Icmp {
                    v6: was,
                    codes: codes @ (0, 0xff),
                    ..
                },
            ..
        }) if *was == v6 && !negated => {
            *codes = (v, v);
            true
        }
        _ => false,
    }
}

/// `cmp` against what a register holds: pushes its conditions, or returns
/// false when nflens has no dedicated kind for it.
fn cmp_match(fam: Family, slot: &Slot<'_>, c: &Cmp<'_>, out: &mut Vec<Match>) -> bool {
    // Both ports equal, as one 4-byte compare: `--sport a --dport b`.
    if let (
        Load::Payload {
            base: NFT_PAYLOAD_TRANSPORT_HEADER,
            offset: 0,
            len: 4,
        },
        NFT_CMP_EQ,
        Some(&[a, b, c2, d]),
        None,
        false,
    ) = (slot.load, c.op, data_bytes(&c.data), slot.mask, slot.opaque)
    {
        for (dir, p) in [
            (Dir::Src, u16::from_be_bytes([a, b])),
            (Dir::Dst, u16::from_be_bytes([c2, d])),
        ] {
            out.push(m(
                false,
                MatchKind::Port {
                    dir,
                    ranges: vec![span(p, p)],
                },
            ));
        }
        return true;
    }
    match cmp_one(fam, slot, c) {
        Some(x) => {
            out.push(x);
            true
        }
        None => false,
    }
}

fn cmp_one(fam: Family, slot: &Slot<'_>, c: &Cmp<'_>) -> Option<Match> {
    if let Some(m) = or_mark(slot, c) {
        return Some(m);
    }
    if slot.opaque || (slot.hton && slot.load != Load::Meta(NFT_META_LEN)) {
        return None;
    }
    let v = data_bytes(&c.data)?;
    let negated = match c.op {
        NFT_CMP_EQ => false,
        NFT_CMP_NEQ => true,
        // Port comparisons: `>=`/`<=` alone are one-sided ranges.
        NFT_CMP_GTE | NFT_CMP_LTE | NFT_CMP_GT | NFT_CMP_LT => {
            let (
                Load::Payload {
                    base: NFT_PAYLOAD_TRANSPORT_HEADER,
                    offset: off @ (0 | 2),
                    len: 2,
                },
                None,
            ) = (slot.load, slot.mask)
            else {
                return None;
            };
            let p = u32::try_from(be_uint(v)?).ok()?;
            let (lo, hi, op) = match c.op {
                NFT_CMP_GTE => (p, 0xffff, CmpOp::Ge),
                NFT_CMP_GT => (p.checked_add(1)?, 0xffff, CmpOp::Gt),
                NFT_CMP_LTE => (0, p, CmpOp::Le),
                _ => (0, p.checked_sub(1)?, CmpOp::Lt),
            };
            let dir = if off == 0 { Dir::Src } else { Dir::Dst };
            let ranges = vec![Span32 { lo, hi }];
            return Some(
                Match::new(false, MatchKind::Port { dir, ranges }).spelled(Spelling::Cmp(op)),
            );
        }
        _ => return None,
    };
    let kind = match slot.load {
        Load::Meta(NFT_META_L4PROTO) if slot.mask.is_none() && v.len() == 1 => {
            MatchKind::Protocol(v[0])
        }
        Load::Meta(k @ (NFT_META_IIFNAME | NFT_META_OIFNAME)) if slot.mask.is_none() => {
            let i = iface_of(v);
            if k == NFT_META_IIFNAME {
                MatchKind::InIface(i)
            } else {
                MatchKind::OutIface(i)
            }
        }
        Load::Meta(NFT_META_MARK) => MatchKind::Mark {
            value: host_u32(v)?,
            mask: slot.mask.map_or(Some(u32::MAX), host_u32)?,
        },
        Load::Meta(NFT_META_PKTTYPE) if slot.mask.is_none() && v.len() == 1 => {
            MatchKind::PktType(pkttype_name(i32::from(v[0]))?.into())
        }
        Load::Ct {
            key: NFT_CT_MARK,
            dir: None,
        } => MatchKind::ConnMark {
            value: host_u32(v)?,
            mask: slot.mask.map_or(Some(u32::MAX), host_u32)?,
        },
        Load::Ct {
            key: k @ (NFT_CT_STATE | NFT_CT_STATUS),
            dir: None,
        } => {
            // `ct state established,related`: `& bits`, `!= 0`;
            // `ct state != established`: `& bits`, `== 0`.
            let mask = host_u32(slot.mask?)?;
            if host_u32(v)? != 0 {
                return None;
            }
            let kind = if k == NFT_CT_STATE {
                MatchKind::CtState(CtState::from_bits_retain(u16::try_from(mask).ok()?))
            } else if mask & !0x30 == 0 && mask != 0 {
                // `ct status snat,dnat` (IPS_SRC_NAT, IPS_DST_NAT) is what
                // conntrack's SNAT/DNAT states test: one value.
                MatchKind::CtState(CtState::from_bits_retain(u16::try_from(mask << 4).ok()?))
            } else {
                MatchKind::CtStatus(CtStatus::from_bits_retain(mask))
            };
            // `!= 0` is the positive test.
            return Some(Match::new(!negated, kind));
        }
        Load::Meta(NFT_META_LEN) if slot.mask.is_none() => {
            let n = slot_u32(slot, v)?;
            MatchKind::Length(span(n, n))
        }
        Load::Ct {
            key: NFT_CT_PROTO_SRC | NFT_CT_PROTO_DST,
            dir: Some(_),
        } if slot.mask.is_none() && !slot.hton && v.len() == 2 => {
            let p = u32::from(u16::from_be_bytes([v[0], v[1]]));
            return ct_port(slot, p, p).map(|kind| Match::new(negated, kind));
        }
        Load::Ct {
            key:
                key @ (NFT_CT_SRC | NFT_CT_DST | NFT_CT_SRC_IP | NFT_CT_DST_IP | NFT_CT_SRC_IP6
                | NFT_CT_DST_IP6),
            dir: Some(d @ (0 | 1)),
        } if !slot.hton && (1..=16).contains(&v.len()) => MatchKind::CtAddr {
            reply: d == 1,
            dir: if matches!(key, NFT_CT_SRC | NFT_CT_SRC_IP | NFT_CT_SRC_IP6) {
                Dir::Src
            } else {
                Dir::Dst
            },
            // A shorter value is a prefix (`10.100.0.0/16` compares 2 bytes).
            net: addr_net(
                match fam {
                    Family::Ipv4 => false,
                    Family::Ipv6 => true,
                    _ => v.len() > 4 || slot.mask.is_some_and(|m| m.len() > 4),
                },
                v,
                slot.mask,
            )?,
        },
        Load::Ct {
            key: NFT_CT_DIRECTION,
            dir: None,
        } if v.len() == 1 && slot.mask.is_none() => MatchKind::CtDirReply(v[0] == 1),
        // Both directions' tuples hold the same protocol.
        Load::Ct {
            key: NFT_CT_PROTOCOL,
            dir,
        } if v.len() == 1 && slot.mask.is_none() => {
            let kind = MatchKind::CtProto(v[0]);
            let spelling = match dir {
                None => Spelling::Plain,
                Some(0) => Spelling::Original,
                Some(_) => Spelling::Reply,
            };
            return Some(Match::new(negated, kind).spelled(spelling));
        }
        Load::Payload { base, offset, len } => {
            return payload_match(fam, slot, base, offset, len, v, negated)
        }
        _ => return None,
    };
    Some(Match::new(negated, kind))
}

fn payload_match(
    fam: Family,
    slot: &Slot<'_>,
    base: u32,
    offset: u32,
    len: u32,
    v: &[u8],
    negated: bool,
) -> Option<Match> {
    let kind = match (base, offset) {
        (NFT_PAYLOAD_NETWORK_HEADER, _) if fam == Family::Ipv4 => match (offset, len) {
            (9, 1) if slot.mask.is_none() => {
                return Some(
                    Match::new(negated, MatchKind::Protocol(*v.first()?)).spelled(Spelling::Header),
                )
            }
            (12 | 16, 1..=4) => MatchKind::Addr {
                dir: if offset == 12 { Dir::Src } else { Dir::Dst },
                net: addr_net(false, v, slot.mask)?,
            },
            (6, 2) => {
                // `-f`: `& 0x1fff != 0` is a non-first fragment.
                if slot.mask? != [0x1f, 0xff] || v != [0, 0] {
                    return None;
                }
                return Some(Match::new(!negated, MatchKind::Fragment));
            }
            _ => return None,
        },
        (NFT_PAYLOAD_NETWORK_HEADER, 8 | 24) if fam == Family::Ipv6 && (1..=16).contains(&len) => {
            MatchKind::Addr {
                dir: if offset == 8 { Dir::Src } else { Dir::Dst },
                net: addr_net(true, v, slot.mask)?,
            }
        }
        (NFT_PAYLOAD_TRANSPORT_HEADER, 0 | 2) if len == 2 && slot.mask.is_none() => {
            let p = u32::try_from(be_uint(v)?).ok()?;
            MatchKind::Port {
                dir: if offset == 0 { Dir::Src } else { Dir::Dst },
                ranges: vec![Span32 { lo: p, hi: p }],
            }
        }
        (NFT_PAYLOAD_TRANSPORT_HEADER, 0) if len == 4 && slot.mask.is_none() && v.len() == 4 => {
            // Only `!=` gets here: NOT(sport AND dport).
            MatchKind::PortPair {
                sport: u16::from_be_bytes([v[0], v[1]]),
                dport: u16::from_be_bytes([v[2], v[3]]),
            }
        }
        (NFT_PAYLOAD_TRANSPORT_HEADER, 13) if len == 1 => {
            let mask = match slot.mask {
                None => 0xff,
                Some(m) => *m.first()?,
            };
            MatchKind::TcpFlags {
                mask: TcpFlags::from_bits_retain(mask),
                set: TcpFlags::from_bits_retain(*v.first()?),
            }
        }
        _ => return None,
    };
    Some(Match::new(negated, kind))
}

/// A host-order integer load's value `v` (network order after `hton`).
fn slot_u32(slot: &Slot<'_>, v: &[u8]) -> Option<u32> {
    if slot.hton {
        u32::try_from(be_uint(v)?).ok()
    } else {
        host_u32(v)
    }
}

/// `ct original proto-src lo-hi` and the like.
/// `meta mark | 0x3 == 0x1`: the bits of the mask-and-xor that sets
/// `x` (the mask `!x`). `(mark | x) == c` holds where `mark & !x == c ^ x`:
/// the [`MatchKind::Mark`] that says so, spelled as an or.
fn or_mark(slot: &Slot<'_>, c: &Cmp<'_>) -> Option<Match> {
    let (keep, xor) = slot.xor?;
    let negated = match c.op {
        NFT_CMP_EQ => false,
        NFT_CMP_NEQ => true,
        _ => return None,
    };
    let (mask, x, v) = (
        host_u32(keep)?,
        host_u32(xor)?,
        host_u32(data_bytes(&c.data)?)?,
    );
    if mask != !x || slot.hton || slot.mask.is_some() {
        return None;
    }
    let kind = match slot.load {
        Load::Meta(NFT_META_MARK) => MatchKind::Mark { value: v ^ x, mask },
        Load::Ct {
            key: NFT_CT_MARK,
            dir: None,
        } => MatchKind::ConnMark { value: v ^ x, mask },
        _ => return None,
    };
    Some(Match::new(negated, kind).spelled(Spelling::Or))
}

fn ct_port(slot: &Slot<'_>, lo: u32, hi: u32) -> Option<MatchKind> {
    let Load::Ct {
        key,
        dir: Some(d @ (0 | 1)),
    } = slot.load
    else {
        return None;
    };
    Some(MatchKind::CtPort {
        reply: d == 1,
        dir: if key == NFT_CT_PROTO_SRC {
            Dir::Src
        } else {
            Dir::Dst
        },
        range: span(lo, hi),
    })
}

fn range_match(fam: Family, slot: &Slot<'_>, negated: bool, lo: &[u8], hi: &[u8]) -> Option<Match> {
    if slot.opaque || slot.mask.is_some() {
        return None;
    }
    match slot.load {
        Load::Payload {
            base: NFT_PAYLOAD_NETWORK_HEADER,
            offset,
            len,
        } => {
            let dir = match (fam, offset, len) {
                (Family::Ipv4, 12, 4) | (Family::Ipv6, 8, 16) => Dir::Src,
                (Family::Ipv4, 16, 4) | (Family::Ipv6, 24, 16) => Dir::Dst,
                _ => return None,
            };
            let ip = |b: &[u8]| -> Option<IpAddr> {
                Some(match b.len() {
                    4 => IpAddr::from(<[u8; 4]>::try_from(b).ok()?),
                    16 => IpAddr::from(<[u8; 16]>::try_from(b).ok()?),
                    _ => return None,
                })
            };
            Some(Match::new(
                negated,
                MatchKind::AddrRange {
                    dir,
                    lo: ip(lo)?,
                    hi: ip(hi)?,
                },
            ))
        }
        Load::Meta(NFT_META_LEN) if slot.hton => Some(Match::new(
            negated,
            MatchKind::Length(span(slot_u32(slot, lo)?, slot_u32(slot, hi)?)),
        )),
        Load::Ct {
            key: NFT_CT_PROTO_SRC | NFT_CT_PROTO_DST,
            dir: Some(_),
        } if !slot.hton && lo.len() == 2 && hi.len() == 2 => Some(Match::new(
            negated,
            ct_port(
                slot,
                u32::try_from(be_uint(lo)?).ok()?,
                u32::try_from(be_uint(hi)?).ok()?,
            )?,
        )),
        Load::Payload {
            base: NFT_PAYLOAD_TRANSPORT_HEADER,
            offset: off @ (0 | 2),
            len: 2,
        } => Some(Match::new(
            negated,
            MatchKind::Port {
                dir: if off == 0 { Dir::Src } else { Dir::Dst },
                ranges: vec![Span32 {
                    lo: u32::try_from(be_uint(lo)?).ok()?,
                    hi: u32::try_from(be_uint(hi)?).ok()?,
                }],
            },
        )),
        _ => None,
    }
}

/// A `meta pkttype` / `-m pkttype` value as iptables-save names it.
fn pkttype_name(t: i32) -> Option<&'static str> {
    Some(match t {
        0 => "unicast",
        1 => "broadcast",
        2 => "multicast",
        3 => "otherhost",
        4 => "outgoing",
        5 => "loopback",
        _ => return None,
    })
}

fn span(lo: impl Into<u32>, hi: impl Into<u32>) -> Span32 {
    Span32 {
        lo: lo.into(),
        hi: hi.into(),
    }
}

fn m(negated: bool, kind: MatchKind) -> Match {
    Match::new(negated, kind)
}

/// conntrack's state bits to the model's (`SNAT`, `DNAT` and `UNTRACKED`
/// sit elsewhere in `xt_conntrack_mtinfo`).
fn conntrack_states(bits: u16) -> CtState {
    let mut s = CtState::from_bits_retain(bits & 0x0f);
    if bits & (1 << 6) != 0 {
        s |= CtState::SNAT;
    }
    if bits & (1 << 7) != 0 {
        s |= CtState::DNAT;
    }
    if bits & (1 << 8) != 0 {
        s |= CtState::UNTRACKED;
    }
    s
}

/// The bits of xt addrtype's type names (`LOCAL,ANYCAST`), when it names
/// them all.
pub(crate) fn addrtype_bits(names: &str) -> Option<u16> {
    names.split(',').try_fold(0u16, |bits, n| {
        let i = nflens_xtables::names::ADDRTYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(n))?;
        Some(bits | 1 << i)
    })
}

/// xt addrtype's type names for `bits`, in the kernel's order.
pub(crate) fn addrtypes(bits: u16) -> Option<Box<str>> {
    if bits == 0 {
        return None;
    }
    let names: Vec<&str> = nflens_xtables::names::ADDRTYPES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    Some(names.join(",").into())
}

/// An xt match blob as the same conditions the iptables text lowers to.
/// The conditions an xt match blob holds, pushed to `out` (the rule's:
/// no vector of its own per match).
fn xt_match(name: &str, x: &XtMatch<'_>, nfproto: u8, out: &mut Vec<Match>) {
    match x {
        XtMatch::State { statemask } => out.push(m(
            false,
            MatchKind::CtState(CtState::from_bits_retain(*statemask as u16)),
        )),
        XtMatch::Conntrack(c) => {
            let f = c.match_flags;
            let inv = |bit: u16| c.invert_flags & bit != 0;
            let net = |(a, mk): (IpAddr, IpAddr)| IpNet {
                addr: mask_addr(a, mk),
                mask: mk,
            };
            if f & 1 != 0 {
                out.push(m(
                    inv(1),
                    MatchKind::CtState(conntrack_states(c.state_mask)),
                ));
            }
            if f & 2 != 0 {
                // xt_conntrack reads the original tuple's protocol.
                out.push(
                    m(inv(2), MatchKind::CtProto(c.l4proto as u8)).spelled(Spelling::Original),
                );
            }
            for (bit, reply, dir, n) in [
                (4, false, Dir::Src, c.origsrc),
                (8, false, Dir::Dst, c.origdst),
                (16, true, Dir::Src, c.replsrc),
                (32, true, Dir::Dst, c.repldst),
            ] {
                if f & bit != 0 {
                    out.push(m(
                        inv(bit),
                        MatchKind::CtAddr {
                            reply,
                            dir,
                            net: net(n),
                        },
                    ));
                }
            }
            if f & 64 != 0 {
                out.push(m(
                    inv(64),
                    MatchKind::CtStatus(CtStatus::from_bits_retain(u32::from(c.status_mask))),
                ));
            }
            if f & 128 != 0 {
                out.push(m(
                    inv(128),
                    MatchKind::CtExpire(span(c.expires.0, c.expires.1)),
                ));
            }
            for (bit, reply, dir, (lo, hi)) in [
                (256, false, Dir::Src, c.origsrc_port),
                (512, false, Dir::Dst, c.origdst_port),
                (1024, true, Dir::Src, c.replsrc_port),
                (2048, true, Dir::Dst, c.repldst_port),
            ] {
                if f & bit != 0 {
                    out.push(m(
                        inv(bit),
                        MatchKind::CtPort {
                            reply,
                            dir,
                            range: span(lo, hi),
                        },
                    ));
                }
            }
            if f & 4096 != 0 {
                // `--ctdir REPLY` is the flag inverted.
                out.push(m(false, MatchKind::CtDirReply(inv(4096))));
            }
        }
        XtMatch::Tcp(t) => {
            xt_ports(out, t.spts, t.dpts, t.invflags);
            if t.flg_mask != 0 {
                out.push(m(
                    t.invflags & 4 != 0,
                    MatchKind::TcpFlags {
                        mask: TcpFlags::from_bits_retain(t.flg_mask),
                        set: TcpFlags::from_bits_retain(t.flg_cmp),
                    },
                ));
            }
            if t.option != 0 {
                // `! --tcp-option N` is `tcp option N missing`.
                let hdr = ExtHdr {
                    kind: ExtKind::TcpOpt,
                    num: t.option,
                };
                out.push(m(false, crate::field::presence(hdr, t.invflags & 8 == 0)));
            }
        }
        XtMatch::Udp(u) => xt_ports(out, u.spts, u.dpts, u.invflags),
        XtMatch::Icmp(i) | XtMatch::Icmp6(i) => out.push(m(
            i.invflags & 1 != 0,
            MatchKind::Icmp {
                v6: matches!(x, XtMatch::Icmp6(_)),
                ty: i.ty,
                codes: i.code,
            },
        )),
        XtMatch::Multiport(mp) => {
            let mut ranges = Vec::new();
            let mut k = 0usize;
            let n = usize::from(mp.count).min(15);
            while k < n {
                let lo = mp.ports[k];
                if mp.pflags[k] != 0 && k + 1 < n {
                    ranges.push(span(lo, mp.ports[k + 1]));
                    k += 2;
                } else {
                    ranges.push(span(lo, lo));
                    k += 1;
                }
            }
            let dir = match mp.flags {
                0 => Dir::Src,
                1 => Dir::Dst,
                _ => Dir::Either,
            };
            out.push(m(mp.invert != 0, MatchKind::Port { dir, ranges }));
        }
        XtMatch::Mark { mark, mask, invert } => out.push(m(
            *invert != 0,
            MatchKind::Mark {
                value: *mark,
                mask: *mask,
            },
        )),
        XtMatch::Connmark { mark, mask, invert } => out.push(m(
            *invert != 0,
            MatchKind::ConnMark {
                value: *mark,
                mask: *mask,
            },
        )),
        XtMatch::Limit { avg, burst } => out.push(m(
            false,
            MatchKind::Limit {
                period: u64::from(*avg),
                burst: *burst,
            },
        )),
        XtMatch::Statistic(s) => {
            let kind = if s.mode == 0 {
                MatchKind::Random {
                    p: s.probability_or_every,
                }
            } else {
                MatchKind::Nth {
                    every: s.probability_or_every.saturating_add(1),
                    packet: s.packet,
                }
            };
            out.push(m(s.flags & 1 != 0, kind));
        }
        XtMatch::Iprange(r) => {
            if r.flags & 1 != 0 {
                out.push(m(
                    r.flags & 0x10 != 0,
                    MatchKind::AddrRange {
                        dir: Dir::Src,
                        lo: r.src.0,
                        hi: r.src.1,
                    },
                ));
            }
            if r.flags & 2 != 0 {
                out.push(m(
                    r.flags & 0x20 != 0,
                    MatchKind::AddrRange {
                        dir: Dir::Dst,
                        lo: r.dst.0,
                        hi: r.dst.1,
                    },
                ));
            }
        }
        XtMatch::Owner(o) if o.matched & !3 == 0 => {
            if o.matched & 1 != 0 {
                out.push(m(o.invert & 1 != 0, MatchKind::Uid(span(o.uid.0, o.uid.1))));
            }
            if o.matched & 2 != 0 {
                out.push(m(o.invert & 2 != 0, MatchKind::Gid(span(o.gid.0, o.gid.1))));
            }
        }
        XtMatch::Length { min, max, invert } => {
            out.push(m(*invert != 0, MatchKind::Length(span(*min, *max))))
        }
        XtMatch::Pkttype { pkttype, invert } => match pkttype_name(*pkttype) {
            Some(n) => out.push(m(*invert != 0, MatchKind::PktType(n.into()))),
            None => out.push(xt_raw(name, x)),
        },
        XtMatch::Addrtype {
            source,
            dest,
            flags,
        } => out.push(m(
            false,
            MatchKind::AddrType {
                src: addrtypes(*source),
                dst: addrtypes(*dest),
                limit_iface_in: flags & 4 != 0,
                limit_iface_out: flags & 8 != 0,
                inverted: (flags & 1 != 0, flags & 2 != 0),
            },
        )),
        XtMatch::Ttl { mode, ttl } | XtMatch::Hl { mode, hl: ttl } => {
            let opt = if matches!(x, XtMatch::Ttl { .. }) {
                "ttl"
            } else {
                "hl"
            };
            let (neg, op) = match mode {
                0 => ("", "eq"),
                1 => ("! ", "eq"),
                2 => ("", "lt"),
                _ => ("", "gt"),
            };
            out.push(m(
                false,
                MatchKind::Xt {
                    module: name.into(),
                    args: format!("{neg}--{opt}-{op} {ttl}").into(),
                },
            ));
        }
        XtMatch::Mac { addr, invert } => {
            let a = addr
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":");
            let neg = if *invert != 0 { "! " } else { "" };
            out.push(m(
                false,
                MatchKind::Xt {
                    module: "mac".into(),
                    args: format!("{neg}--mac-source {a}").into(),
                },
            ));
        }
        // `--match-set NAME DIRS` and the options libxt_set saves after
        // it. The blob holds the set's kernel index:
        // `Ruleset::resolve_ipsets` names it.
        XtMatch::Set {
            rev,
            set,
            packets,
            bytes,
            flags,
        } => out.push(match set_match_opts(*rev, set, *packets, *bytes, *flags) {
            Some(opts) => m(
                set.flags & 1 != 0,
                MatchKind::Set {
                    name: "".into(),
                    flags: set_dirs(set).unwrap_or_default().into(),
                    index: Some(set.index),
                    opts: opts.into(),
                },
            ),
            None => xt_raw(name, x),
        }),
        _ => out.push(match crate::xt_save::match_args(name, x, nfproto) {
            Some(args) => xt_text(name, args),
            None => xt_raw(name, x),
        }),
    }
}

/// A match kept as its module and option text (as `iptables-save` prints it).
fn xt_text(module: &str, args: String) -> Match {
    m(
        false,
        MatchKind::Xt {
            module: module.into(),
            args: args.into(),
        },
    )
}

/// The ports of an xt `tcp`/`udp` blob (`0:65535` is no condition; inversion
/// bits 1 and 2), as `--sport`/`--dport`.
fn xt_ports(out: &mut Vec<Match>, spts: (u16, u16), dpts: (u16, u16), invflags: u8) {
    for (dir, (lo, hi), inv) in [(Dir::Src, spts, 1), (Dir::Dst, dpts, 2)] {
        if (lo, hi) != (0, 0xffff) {
            out.push(m(
                invflags & inv != 0,
                MatchKind::Port {
                    dir,
                    ranges: vec![span(lo, hi)],
                },
            ));
        }
    }
}

fn mask_addr(a: IpAddr, m: IpAddr) -> IpAddr {
    match (a, m) {
        (IpAddr::V4(a), IpAddr::V4(m)) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & u32::from(m))),
        (IpAddr::V6(a), IpAddr::V6(m)) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & u128::from(m))),
        (a, _) => a,
    }
}

/// An xt blob nflens does not lower to a dedicated kind: its decoded form.
fn xt_raw(name: &str, x: &XtMatch<'_>) -> Match {
    m(
        false,
        MatchKind::Nft {
            exprs: match x {
                XtMatch::Unknown { info } => format!("[ match name {name} ] info {}", hex(info)),
                x => format!("[ match name {name} ] {x:?}"),
            }
            .into(),
        },
    )
}

const REJECT_V4: [&str; 9] = [
    "icmp-net-unreachable",
    "icmp-host-unreachable",
    "icmp-proto-unreachable",
    "icmp-port-unreachable",
    "icmp-echo-reply",
    "icmp-net-prohibited",
    "icmp-host-prohibited",
    "tcp-reset",
    "icmp-admin-prohibited",
];
const REJECT_V6: [&str; 9] = [
    "icmp6-no-route",
    "icmp6-adm-prohibited",
    "icmp6-not-neighbor",
    "icmp6-addr-unreachable",
    "icmp6-port-unreachable",
    "icmp6-echo-reply",
    "tcp-reset",
    "icmp6-policy-fail",
    "icmp6-reject-route",
];

/// An ipset's direction flags as iptables prints them (`src,dst`), for
/// 1 to 6 dimensions.
fn set_dirs(set: &nflens_wire::xt::SetInfo) -> Option<String> {
    if !(1..=6).contains(&set.dim) {
        return None;
    }
    let dirs: Vec<&str> = (1..=set.dim)
        .map(|i| {
            if set.flags & (1 << i) != 0 {
                "src"
            } else {
                "dst"
            }
        })
        .collect();
    Some(dirs.join(","))
}

/// The options libxt_set saves after `--match-set NAME DIRS`, in its
/// order; `None` for a blob with bits or operators it does not print.
fn set_match_opts(
    rev: u32,
    set: &nflens_wire::xt::SetInfo,
    packets: Option<(u8, u64)>,
    bytes: Option<(u8, u64)>,
    flags: u32,
) -> Option<String> {
    const RETURN_NOMATCH: u32 = 1 << 7;
    const MATCH_COUNTERS: u32 = 1 << 2;
    const SKIP_COUNTER_UPDATE: u32 = 1 << 3;
    const SKIP_SUBCOUNTER_UPDATE: u32 = 1 << 4;
    set_dirs(set)?;
    // Revisions 1 and 2 keep return-nomatch in the set's own flags.
    let flags = if rev <= 2 {
        u32::from(set.flags & 0x80)
    } else {
        flags
    };
    if flags & !(RETURN_NOMATCH | MATCH_COUNTERS | SKIP_COUNTER_UPDATE | SKIP_SUBCOUNTER_UPDATE)
        != 0
    {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    if flags & RETURN_NOMATCH != 0 {
        out.push("--return-nomatch".into());
    }
    if flags & SKIP_COUNTER_UPDATE != 0 {
        out.push("! --update-counters".into());
    }
    if flags & SKIP_SUBCOUNTER_UPDATE != 0 {
        out.push("! --update-subcounters".into());
    }
    for (what, c) in [("packets", packets), ("bytes", bytes)] {
        match c {
            None | Some((0, _)) => {}
            Some((1, v)) => out.push(format!("--{what}-eq {v}")),
            Some((2, v)) => out.push(format!("! --{what}-eq {v}")),
            Some((3, v)) => out.push(format!("--{what}-lt {v}")),
            Some((4, v)) => out.push(format!("--{what}-gt {v}")),
            Some(_) => return None,
        }
    }
    Some(out.join(" "))
}

/// A `-j SET` blob's set: `None` for `IPSET_INVALID_ID` (no set).
fn ipset_ref(set: &nflens_wire::xt::SetInfo) -> Option<Option<IpsetRef>> {
    if set.index == u16::MAX {
        return Some(None);
    }
    Some(Some(IpsetRef {
        name: "".into(),
        dirs: set_dirs(set)?.into(),
        index: Some(set.index),
    }))
}

/// An xt target blob as the action the iptables text lowers to.
pub(crate) fn xt_target(fam: Family, name: &str, t: &XtTarget<'_>) -> ActionKind {
    // A blob with no typed action: its save text when known, else raw.
    let raw = || match crate::xt_save::target_args(name, t) {
        Some(args) => {
            crate::xt_native::target_of(name, &args, fam).unwrap_or_else(|| ActionKind::Xt {
                target: name.into(),
                args: args.into(),
            })
        }
        None => ActionKind::Nft {
            exprs: match t {
                XtTarget::Unknown { info } => {
                    format!("[ target name {name} ] info {}", hex(info))
                }
                t => format!("[ target name {name} ] {t:?}"),
            }
            .into(),
        },
    };
    let nat_flags = |f: u32| {
        let mut n = NatFlags::empty();
        if f & 4 != 0 {
            n |= NatFlags::RANDOM;
        }
        if f & 8 != 0 {
            n |= NatFlags::PERSISTENT;
        }
        if f & 16 != 0 {
            n |= NatFlags::RANDOM_FULLY;
        }
        n
    };
    match t {
        XtTarget::Standard { verdict: v } => {
            // The xt standard target: NF_* verdict codes, negated minus one.
            match -v - 1 {
                x if x == NF_ACCEPT => ActionKind::Accept,
                x if x == NF_DROP => ActionKind::Drop,
                _ if *v == NFT_RETURN => ActionKind::Return,
                _ => raw(),
            }
        }
        XtTarget::Nat(r) => {
            let ports = (r.flags & 2 != 0).then_some((r.min_proto, r.max_proto));
            let flags = nat_flags(r.flags);
            match name {
                "MASQUERADE" => ActionKind::Masquerade { ports, flags },
                "REDIRECT" => ActionKind::Redirect { ports, flags },
                "DNAT" | "SNAT" => {
                    let to = NatTo {
                        addrs: (r.flags & 1 != 0).then_some((r.min_addr, r.max_addr)),
                        ports,
                        // NF_NAT_RANGE_PROTO_OFFSET
                        base: (r.flags & 0x20 != 0).then_some(r.base_proto),
                    };
                    if name == "DNAT" {
                        ActionKind::Dnat { to, flags }
                    } else {
                        ActionKind::Snat { to, flags }
                    }
                }
                _ => raw(),
            }
        }
        XtTarget::Mark { mark, mask } => ActionKind::SetMark {
            value: *mark,
            mask: *mask,
        },
        XtTarget::Connmark {
            ctmark,
            ctmask,
            mode: 0,
            shift_bits: 0,
            ..
        } => ActionKind::SetConnMark {
            value: *ctmark,
            mask: *ctmask,
        },
        // The whole mark saved or restored: `ct mark set meta mark`, `meta
        // mark set ct mark`.
        XtTarget::Connmark {
            ctmask: u32::MAX,
            nfmask: u32::MAX,
            mode: mode @ (1 | 2),
            shift_bits: 0,
            ..
        } => mark_copy(*mode == 1),
        // Save and restore: the text iptables-save prints (connmark_tg_save),
        // as the text reader keeps it.
        XtTarget::Connmark {
            ctmask,
            nfmask,
            mode: mode @ (1 | 2),
            shift_dir,
            shift_bits,
            ..
        } => {
            let op = if *mode == 1 { "save" } else { "restore" };
            let mut args = format!("--{op}-mark --nfmask {nfmask:#x} --ctmask {ctmask:#x}");
            if *shift_bits != 0 {
                let dir = if *shift_dir == 0 { "left" } else { "right" };
                let _ = write!(args, " --{dir}-shift-mark {shift_bits}");
            }
            ActionKind::Xt {
                target: "CONNMARK".into(),
                args: args.into(),
            }
        }
        XtTarget::Set {
            add,
            del,
            map,
            flags,
            timeout,
        } => {
            const EXIST: u32 = 1;
            const MAP_MARK: u32 = 1 << 8;
            const MAP_PRIO: u32 = 1 << 9;
            const MAP_QUEUE: u32 = 1 << 10;
            let refs = (
                ipset_ref(add),
                ipset_ref(del),
                map.as_ref().map_or(Some(None), ipset_ref),
            );
            match refs {
                (Some(add), Some(del), Some(map))
                    if flags & !(EXIST | MAP_MARK | MAP_PRIO | MAP_QUEUE) == 0 =>
                {
                    ActionKind::Ipset {
                        add,
                        del,
                        map,
                        exist: flags & EXIST != 0,
                        timeout: (*timeout != u32::MAX).then_some(*timeout),
                        map_mark: flags & MAP_MARK != 0,
                        map_prio: flags & MAP_PRIO != 0,
                        map_queue: flags & MAP_QUEUE != 0,
                    }
                }
                _ => raw(),
            }
        }
        XtTarget::Tcpmss { mss } => ActionKind::Xt {
            target: "TCPMSS".into(),
            args: match mss {
                0xffff => "--clamp-mss-to-pmtu".into(),
                m => format!("--set-mss {m}").into(),
            },
        },
        XtTarget::Log {
            level,
            logflags,
            prefix,
        } => ActionKind::Log {
            prefix: (!prefix.is_empty()).then(|| (*prefix).into()),
            level: (*level != 4).then_some(*level),
            flags: LogFlags::from_bits_truncate(*logflags),
        },
        XtTarget::Nflog {
            len,
            group,
            threshold,
            flags,
            prefix,
        } => ActionKind::Nflog {
            group: *group,
            prefix: (!prefix.is_empty()).then(|| (*prefix).into()),
            // The length counts only with XT_NFLOG_F_COPY_LEN
            // (`--nflog-range` sets it without: the kernel ignores it).
            snaplen: (flags & 1 != 0).then_some(*len),
            threshold: *threshold,
        },
        XtTarget::Reject { with } => {
            let names = if fam == Family::Ipv6 {
                &REJECT_V6
            } else {
                &REJECT_V4
            };
            ActionKind::Reject {
                with: names.get(*with as usize).map(|n| (*n).into()),
            }
        }
        XtTarget::Empty if name == "NOTRACK" => ActionKind::Notrack,
        XtTarget::Empty if name == "TRACE" => ActionKind::Trace,
        XtTarget::Ct(c) if c.flags & 1 != 0 => ActionKind::Notrack,
        XtTarget::Nfqueue {
            queuenum,
            queues_total,
            flags,
        } => ActionKind::Queue {
            num: *queuenum,
            last: queuenum.saturating_add(queues_total.saturating_sub(1)),
            bypass: flags & 1 != 0,
            fanout: flags & 2 != 0,
            to: None,
        },
        _ => raw(),
    }
}

/// Writes a rule's expressions in libnftnl's debug syntax (for messages).
pub fn write_exprs(r: &nflens_wire::Rule<'_>, out: &mut String) {
    for e in r.exprs.iter().flatten() {
        let _ = write!(out, "{}", debug(&e));
    }
}

/// Lowers a whole nf_tables ruleset: its tables, and its chains each with
/// their rules in order (what `nflens_socket::Snapshot::chains_with_rules`
/// gives). Chains go to the table of the same family and name.
pub fn ruleset<'a, T, C, R>(tables: T, chains: C) -> Ruleset
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
{
    ruleset_with_sets(tables, chains, &SetIndex::new())
}

/// [`ruleset`], with the anonymous sets the rules' lookups read
/// ([`SetIndex::from_sets`] of the same snapshot).
pub fn ruleset_with_sets<'a, T, C, R>(tables: T, chains: C, sets: &SetIndex) -> Ruleset
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
{
    match build(tables, chains, sets, |s, r| {
        Ok::<_, std::convert::Infallible>(s.rule(&r, sets))
    }) {
        Ok(rs) => rs,
        Err(never) => match never {},
    }
}

/// [`ruleset`] that stops at the first rule whose expressions do not
/// decode, for rules nobody has decoded yet (a snapshot from
/// `Snapshot::read_deferred`): lowering is then the only decoding pass.
/// The error's offset is within that rule's expression list.
pub fn try_ruleset<'a, T, C, R>(tables: T, chains: C) -> Result<Ruleset, nflens_wire::DecodeError>
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
{
    try_ruleset_with_sets(tables, chains, &SetIndex::new())
}

/// [`try_ruleset`], with the anonymous sets the rules' lookups read.
pub fn try_ruleset_with_sets<'a, T, C, R>(
    tables: T,
    chains: C,
    sets: &SetIndex,
) -> Result<Ruleset, nflens_wire::DecodeError>
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
{
    build(tables, chains, sets, |s, r| {
        s.try_rule(&r, sets).map_err(|failed| failed.1)
    })
}

/// [`try_ruleset_with_sets`] on up to `threads` threads: the chains are
/// split into runs with about as many rules each, each run lowered on a
/// scoped thread of its own (joined before this returns), and put back
/// in order. The model is the same as the one-thread one, and so is the
/// error: the first rule in order whose expressions do not decode. Fewer
/// than 256 rules, or `threads <= 1`, run on the calling thread.
pub fn try_ruleset_threads<'a, T, C, R>(
    tables: T,
    chains: C,
    sets: &SetIndex,
    threads: usize,
) -> Result<Ruleset, nflens_wire::DecodeError>
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
    R::IntoIter: Send,
{
    // Each chain with its rules, not read yet, and how many there are
    // (the upper bound of the snapshot's iterator is the exact count).
    let chains: Vec<(nflens_wire::Chain<'a>, R::IntoIter, usize)> = chains
        .into_iter()
        .map(|(c, rules)| {
            let rules = rules.into_iter();
            let (lo, hi) = rules.size_hint();
            (c, rules, hi.unwrap_or(lo))
        })
        .collect();
    let total: usize = chains.iter().map(|c| c.2).sum();
    let threads = threads.clamp(1, 64);
    if threads == 1 || total < 256 {
        return try_ruleset_with_sets(tables, chains.into_iter().map(|(c, r, _)| (c, r)), sets);
    }
    // Contiguous runs of chains, a new one each time the rules so far pass
    // the next share.
    let share = total.div_ceil(threads);
    let mut runs: Vec<Vec<(nflens_wire::Chain<'a>, R::IntoIter, usize)>> = Vec::new();
    let mut filled = usize::MAX;
    for c in chains {
        if filled >= share {
            runs.push(Vec::new());
            filled = 0;
        }
        filled += c.2;
        if let Some(run) = runs.last_mut() {
            run.push(c);
        }
    }
    type Lowered<'a> = Vec<(
        nflens_wire::Chain<'a>,
        Result<Vec<Rule>, nflens_wire::DecodeError>,
    )>;
    let lowered: Vec<Lowered<'a>> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| {
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    let mut out = Vec::with_capacity(run.len());
                    for (c, rules, n) in run {
                        let one = chain_rules(&mut scratch, rules, n, |s, r| {
                            s.try_rule(&r, sets).map_err(|failed| failed.1)
                        });
                        let failed = one.is_err();
                        out.push((c, one));
                        // The rest of this run is not needed.
                        if failed {
                            break;
                        }
                    }
                    out
                })
            })
            .collect();
        // A lowering thread's panic (a bug) is this thread's, as it is
        // when lowering on one.
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    // A run cut short by an error ends the model there (every chain before
    // it is in place).
    let mut done = Vec::with_capacity(lowered.iter().map(Vec::len).sum());
    for (c, rules) in lowered.into_iter().flatten() {
        done.push((c, rules?));
    }
    Ok(assemble(tables, done, sets))
}

/// Lowers the rules of consecutive chains, each given as an iterator over
/// its rules whose size hint's upper bound is its length (as a snapshot's
/// are), and stops at the first rule whose expressions do not decode: the
/// work on a batch of chains while a snapshot is read
/// (`Snapshot::read_working`). [`ruleset_of_lowered`] puts the chains
/// back together.
pub fn try_lower_chains<'a, C, R>(
    chains: C,
    sets: &SetIndex,
) -> Result<Vec<Vec<Rule>>, nflens_wire::DecodeError>
where
    C: IntoIterator<Item = R>,
    R: IntoIterator<Item = nflens_wire::Rule<'a>>,
{
    let mut scratch = Scratch::default();
    chains
        .into_iter()
        .map(|rules| {
            let rules = rules.into_iter();
            let n = rules.size_hint().1.unwrap_or(0);
            chain_rules(&mut scratch, rules, n, |s, r| {
                s.try_rule(&r, sets).map_err(|failed| failed.1)
            })
        })
        .collect()
}

/// The ruleset of `tables` and of `chains` whose rules are lowered already
/// ([`try_lower_chains`]), in the kernel's order.
pub fn ruleset_of_lowered<'a, T, C>(tables: T, chains: C, sets: &SetIndex) -> Ruleset
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, Vec<Rule>)>,
{
    assemble(tables, chains.into_iter().collect(), sets)
}

/// The rules of one chain, lowered by `lower`; `n` is how many there are.
fn chain_rules<'a, X, E>(
    scratch: &mut Scratch<'a>,
    rules: impl Iterator<Item = X>,
    n: usize,
    mut lower: impl FnMut(&mut Scratch<'a>, X) -> Result<Rule, E>,
) -> Result<Vec<Rule>, E> {
    // Rules are large: no regrowth and copying.
    let mut out = Vec::with_capacity(n);
    for r in rules {
        out.push(lower(scratch, r)?);
    }
    Ok(out)
}

fn build<'a, T, C, R, X, E>(
    tables: T,
    chains: C,
    sets: &SetIndex,
    mut lower: impl FnMut(&mut Scratch<'a>, X) -> Result<Rule, E>,
) -> Result<Ruleset, E>
where
    T: IntoIterator<Item = nflens_wire::Table<'a>>,
    C: IntoIterator<Item = (nflens_wire::Chain<'a>, R)>,
    R: IntoIterator<Item = X>,
{
    let mut scratch = Scratch::default();
    let chains = chains.into_iter();
    // A chain with its rules is large: no regrowth and copying.
    let mut done = Vec::with_capacity(chains.size_hint().1.unwrap_or(0));
    for (c, rules) in chains {
        let rules = rules.into_iter();
        // The exact count (the upper bound of the snapshot's iterator).
        let n = rules.size_hint().1.unwrap_or(0);
        done.push((c, chain_rules(&mut scratch, rules, n, &mut lower)?));
    }
    Ok(assemble(tables, done, sets))
}

/// Tables with their sets and objects, and the chains with their lowered
/// rules, each in the table of its family and name.
fn assemble<'a>(
    tables: impl IntoIterator<Item = nflens_wire::Table<'a>>,
    chains: Vec<(nflens_wire::Chain<'a>, Vec<Rule>)>,
    sets: &SetIndex,
) -> Ruleset {
    let mut out: Vec<Table> = Vec::new();
    let mut index: std::collections::HashMap<(u8, Box<str>), usize> =
        std::collections::HashMap::new();
    for t in tables {
        index.insert((t.family, t.name.into()), out.len());
        out.push(Table {
            family: family(t.family).unwrap_or(Family::Inet),
            name: t.name.into(),
            handle: Some(t.handle),
            // NFT_TABLE_F_DORMANT
            dormant: t.flags & 1 != 0,
            sets: sets.named(t.family, t.name).cloned().collect(),
            objects: sets.objects(t.family, t.name).cloned().collect(),
            chains: Vec::new(),
        });
    }
    for (c, rules) in chains {
        let mut ch = chain(&c);
        ch.rules = rules;
        let i = *index.entry((c.family, c.table.into())).or_insert_with(|| {
            out.push(Table {
                family: family(c.family).unwrap_or(Family::Inet),
                name: c.table.into(),
                handle: None,
                dormant: false,
                sets: sets.named(c.family, c.table).cloned().collect(),
                objects: sets.objects(c.family, c.table).cloned().collect(),
                chains: Vec::new(),
            });
            out.len() - 1
        });
        if let Some(t) = out.get_mut(i) {
            t.chains.push(ch);
        }
    }
    let fam = match out.first() {
        Some(t) if out.iter().all(|x| x.family == t.family) => t.family,
        Some(_) => Family::Inet,
        None => Family::Ipv4,
    };
    Ruleset {
        family: fam,
        backend: Backend::NfTables,
        writer: None,
        tables: out,
        diagnostics: Vec::new(),
    }
}

/// A register's bytes as a number: big-endian, or in host order for a key
/// the kernel holds that way; `None` past 16 bytes.
fn reg_num(b: &[u8], host: bool) -> Option<u128> {
    if b.len() > 16 {
        return None;
    }
    let acc = |a: u128, x: &u8| (a << 8) | u128::from(*x);
    Some(if host && cfg!(target_endian = "little") {
        b.iter().rev().fold(0, acc)
    } else {
        b.iter().fold(0, acc)
    })
}

/// A register read as a [`Key`]: the key, and how the register's bytes
/// become the key's value.
struct Keyed {
    key: Key,
    /// Bits below the key's in the register (a sub-byte header field).
    shift: u32,
    /// The key's bits in the register.
    fmask: u128,
    /// The `bitwise` mask, in the register's bits.
    mask: Option<u128>,
    /// The register holds a host-order integer.
    host: bool,
    /// The value's width in bytes.
    width: usize,
}

/// What the conditions so far say about the header a payload load of
/// `base` reads (`meta l4proto tcp` makes `th+14` `tcp window`).
fn payload_ctx(fam: Family, base: PayloadBase, matches: &[Match]) -> crate::field::PayloadCtx {
    let header = match base {
        PayloadBase::Nh => crate::field::network_header(fam),
        PayloadBase::Th => match l4proto(matches) {
            Some(p) => Header::of_l4proto(p),
            None => Some(Header::Th),
        },
        _ => None,
    };
    // `ether type 8021q` puts a tag after the Ethernet header; `vlan type
    // 8021q` after it, a second.
    let ll_vlans = matches
        .iter()
        .filter_map(|m| match &m.kind {
            MatchKind::Field {
                key: Key::Header(h),
                test:
                    FieldTest::Cmp {
                        op: CmpOp::Eq,
                        value,
                    },
            } if !m.negated
                && h.name() == "type"
                && matches!(value.as_u128(), Some(0x8100 | 0x88a8)) =>
            {
                match h.header() {
                    Header::Ether => Some(1),
                    Header::Vlan => Some(2),
                    _ => None,
                }
            }
            _ => None,
        })
        .max()
        .unwrap_or(0);
    // nft names an ICMP field by the type matched before it (one type,
    // compared equal).
    let icmp_type = matches.iter().rev().find_map(|m| match m.kind {
        MatchKind::Icmp { ty, .. } if !m.negated && ty != 0xff => Some(ty),
        _ => None,
    });
    crate::field::PayloadCtx {
        header,
        ll_vlans,
        icmp_type,
    }
}

/// [`payload_ctx`] inside `tunnel`: what the conditions on the
/// encapsulated packet so far say about its headers (nft's dependencies
/// inside the tunnel: `meta protocol ip`, `ether type ip`, `meta l4proto
/// udp`).
fn inner_ctx(tunnel: Tunnel, base: PayloadBase, matches: &[Match]) -> crate::field::PayloadCtx {
    let mut ctx = crate::field::PayloadCtx::default();
    for m in matches.iter().filter(|m| !m.negated) {
        let MatchKind::Field {
            key: Key::Inner { tunnel: t, key },
            test:
                FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value,
                },
        } = &m.kind
        else {
            continue;
        };
        if *t != tunnel {
            continue;
        }
        let n = value.as_u128().unwrap_or(u128::MAX);
        let ethertype = |n: u128| match n {
            0x0800 => Some(Header::Ip),
            0x86dd => Some(Header::Ip6),
            0x0806 => Some(Header::Arp),
            _ => None,
        };
        match (base, *key) {
            (PayloadBase::Nh, InnerKey::Meta(MetaKey(NFT_META_PROTOCOL))) => {
                ctx.header = ethertype(n).or(ctx.header);
            }
            (PayloadBase::Nh, InnerKey::Header(h))
                if h.header() == Header::Ether && h.name() == "type" =>
            {
                ctx.header = ethertype(n).or(ctx.header);
            }
            (PayloadBase::Ll, InnerKey::Header(h))
                if h.header() == Header::Ether
                    && h.name() == "type"
                    && matches!(n, 0x8100 | 0x88a8) =>
            {
                ctx.ll_vlans = 1;
            }
            (PayloadBase::Th, InnerKey::Meta(MetaKey(NFT_META_L4PROTO))) => {
                ctx.header = u8::try_from(n).ok().and_then(Header::of_l4proto);
            }
            (PayloadBase::Th, InnerKey::Header(h))
                if h.name() == "type" && matches!(h.header(), Header::Icmp | Header::Icmpv6) =>
            {
                ctx.icmp_type = u8::try_from(n).ok();
            }
            _ => {}
        }
    }
    if base == PayloadBase::Th && ctx.header.is_none() {
        ctx.header = Some(Header::Th);
    }
    ctx
}

impl Keyed {
    /// What a register holds, as a key, with the conditions so far giving
    /// the protocol context (`meta l4proto tcp` makes `th+14` `tcp window`).
    fn of(fam: Family, slot: &Slot<'_>, matches: &[Match]) -> Option<Keyed> {
        if slot.opaque {
            return None;
        }
        // A field moved to the right edge: the field as its mask names it,
        // its value a host-order number, and any mask since in host order.
        if let Align::Done(field) = slot.align {
            let plain = Slot {
                mask: Some(field),
                align: Align::None,
                ..slot.clone()
            };
            let k = Keyed::of(fam, &plain, matches)?;
            return Some(Keyed {
                shift: 0,
                fmask: k.fmask >> k.shift,
                mask: match slot.mask {
                    Some(m) => Some(reg_num(m, true)?),
                    None => None,
                },
                host: true,
                ..k
            });
        }
        // Payload and exthdr loads are network order; a mask is in the
        // loaded bytes' order.
        let net_mask = || match slot.mask {
            Some(m) => reg_num(m, false).map(Some),
            None => Some(None),
        };
        let bits = |pk: crate::field::PayloadKey, mask: Option<u128>| Keyed {
            key: pk.key,
            shift: pk.shift,
            fmask: pk.field_mask,
            mask,
            host: false,
            width: pk.bits.div_ceil(8) as usize,
        };
        match slot.load {
            Load::Payload { base, offset, len } => {
                let base = PayloadBase::from_kernel(base)?;
                let ctx = payload_ctx(fam, base, matches);
                let mask = net_mask()?;
                let pk = crate::field::payload_key(ctx, base, offset, len, mask)?;
                Some(bits(pk, mask))
            }
            Load::Exthdr {
                hdr,
                offset,
                len,
                present,
            } => {
                let mask = net_mask()?;
                let pk = crate::field::exthdr_key(hdr, offset, len, mask, present)?;
                Some(bits(pk, mask))
            }
            Load::InnerPayload {
                tunnel,
                base,
                offset,
                len,
            } => {
                let mask = net_mask()?;
                let pk = match PayloadBase::from_kernel(base) {
                    Some(base) => {
                        let ctx = inner_ctx(tunnel, base, matches);
                        let pk = crate::field::payload_key(ctx, base, offset, len, mask)?;
                        match pk.key {
                            Key::Raw { .. } if mask.is_none() => {
                                crate::field::prefix_key(ctx, base, offset, len).unwrap_or(pk)
                            }
                            _ => pk,
                        }
                    }
                    // The tunnel header: its named fields only.
                    None if base == NFT_PAYLOAD_TUN_HEADER => {
                        crate::field::tunnel_key(tunnel, offset, len, mask)?
                    }
                    None => return None,
                };
                let key = Key::Inner {
                    tunnel,
                    key: InnerKey::of(pk.key)?,
                };
                Some(bits(crate::field::PayloadKey { key, ..pk }, mask))
            }
            Load::Meta(k) => Keyed::plain(Key::Meta(MetaKey(k)), slot),
            Load::Gen(k) => Keyed::plain(k, slot),
            Load::Ct { key, dir } => Keyed::plain(
                Key::Ct {
                    key: CtKey(key),
                    reply: dir.map(|d| d == 1),
                },
                slot,
            ),
            _ => None,
        }
    }

    fn plain(key: Key, slot: &Slot<'_>) -> Option<Keyed> {
        let host = key.host_order() && !slot.hton;
        let width = key.width();
        let mask = match slot.mask {
            // Masked in host order, then turned: the mask's number is the
            // same either way.
            Some(m) if slot.mask_host => Some(reg_num(m, true)?),
            Some(m) => Some(reg_num(m, host)?),
            None => None,
        };
        Some(Keyed {
            key,
            shift: 0,
            fmask: u128::MAX,
            mask,
            host,
            width,
        })
    }

    /// Whether the register holds the whole key, unmasked and unshifted.
    fn whole(&self) -> bool {
        let all = self.fmask == u128::MAX || self.fmask.count_ones() as usize == self.width * 8;
        self.shift == 0 && self.mask.is_none() && all
    }

    /// A compared value as the key's value; `None` when it has bits
    /// outside the key's (a test nflens would misstate).
    fn value(&self, b: &[u8]) -> Option<Value> {
        // A whole register compared where the kernel stored a socket key
        // of fewer bytes, zeroing the rest (nft 1.1 compares `socket
        // transparent` in four bytes): the key's bytes.
        let b = match b.split_at_checked(self.width) {
            Some((key, rest))
                if b.len() == 4
                    && !key.is_empty()
                    && matches!(self.key, Key::Socket { .. })
                    && rest.iter().all(|&x| x == 0) =>
            {
                key
            }
            _ => b,
        };
        if self.width != 0 && b.len() != self.width && self.shift == 0 && self.fmask == u128::MAX {
            return None;
        }
        let n = reg_num(b, self.host)?;
        if n & !self.fmask != 0 {
            return None;
        }
        let width = if self.width == 0 { b.len() } else { self.width };
        Some(Value::from_u128((n & self.fmask) >> self.shift, width))
    }

    /// Whether the register's byte order is its numeric order (what `cmp
    /// lt` and `range` compare).
    fn ordered(&self) -> bool {
        !self.host || self.width == 1
    }

    /// The key as a lookup reads it: masked when the mask is narrower.
    fn expr(&self) -> KeyExpr {
        match self.narrower_mask() {
            Some(mask) => KeyExpr::Masked {
                key: self.key,
                mask,
            },
            None => KeyExpr::Key(self.key),
        }
    }

    /// The mask, when it is narrower than the key (`ip frag-off & 0x2000`).
    fn narrower_mask(&self) -> Option<Value> {
        let width = self.width.max(1);
        let full = match self.fmask {
            u128::MAX if width < 16 => (1u128 << (8 * width)) - 1,
            f => f,
        };
        let m = self.mask? & full;
        (m != full).then(|| Value::from_u128(m >> self.shift, width))
    }
}

/// `cmp` of a register as a [`MatchKind::Field`].
fn field_cmp(fam: Family, slot: &Slot<'_>, c: &Cmp<'_>, matches: &[Match]) -> Option<Match> {
    let k = Keyed::of(fam, slot, matches)?;
    let v = data_bytes(&c.data)?;
    let (negated, op) = match c.op {
        NFT_CMP_EQ => (false, CmpOp::Eq),
        NFT_CMP_NEQ => (true, CmpOp::Eq),
        NFT_CMP_LT => (false, CmpOp::Lt),
        NFT_CMP_LTE => (false, CmpOp::Le),
        NFT_CMP_GT => (false, CmpOp::Gt),
        NFT_CMP_GTE => (false, CmpOp::Ge),
        _ => return None,
    };
    // A compare of the first bytes only: a prefix (`ipsec in ip saddr
    // 192.168.1.0/24` compares three bytes).
    if op == CmpOp::Eq
        && !k.host
        && k.shift == 0
        && k.fmask == u128::MAX
        && k.mask.is_none()
        && (1..=16).contains(&k.width)
        && !v.is_empty()
        && v.len() < k.width
        && matches!(
            k.key.datatype(),
            Datatype::Ipv4 | Datatype::Ipv6 | Datatype::IpAddr
        )
    {
        let mut full = v.to_vec();
        full.resize(k.width, 0);
        let mut mask = vec![0xff; v.len()];
        mask.resize(k.width, 0);
        let test = FieldTest::Masked {
            mask: Value(mask.into()),
            value: Value(full.into()),
        };
        return Some(Match::new(negated, MatchKind::Field { key: k.key, test }));
    }
    let test = match k.narrower_mask() {
        Some(mask) if op == CmpOp::Eq => {
            let value = k.value(v)?;
            if value.as_u128()? & !mask.as_u128()? != 0 {
                return None;
            }
            FieldTest::Masked { mask, value }
        }
        // `ip saddr & 0.0.0.255 < 0.0.0.127`.
        Some(mask) if k.ordered() => FieldTest::Bits {
            mask,
            test: Box::new(FieldTest::Cmp {
                op,
                value: k.value(v)?,
            }),
        },
        Some(_) => return None,
        None if op != CmpOp::Eq && !k.ordered() => return None,
        None => FieldTest::Cmp {
            op,
            value: k.value(v)?,
        },
    };
    // `meta random & 0x7fffffff < p`: xt statistic's random sample, as
    // iptables-translate writes it (`>=` is its inverse).
    if let (Key::Meta(MetaKey(NFT_META_PRANDOM)), FieldTest::Bits { mask, test }) = (k.key, &test) {
        if let (Some(0x7fff_ffff), FieldTest::Cmp { op, value }) = (mask.as_u128(), &**test) {
            let p = value.as_u128().and_then(|p| u32::try_from(p).ok());
            match (op, p) {
                (CmpOp::Lt, Some(p)) => return Some(Match::new(false, MatchKind::Random { p })),
                (CmpOp::Ge, Some(p)) => return Some(Match::new(true, MatchKind::Random { p })),
                _ => {}
            }
        }
    }
    let m = Match::new(negated, MatchKind::Field { key: k.key, test });
    // A field moved to the right edge and then masked with all its bits
    // (nft 1.1 writes `ip dscp 1/6` so): the same test, which nft lists
    // with the mask (`ip dscp & 0x3f == lephb`).
    Some(match (slot.align, k.mask) {
        (Align::Done(_), Some(mask)) if op == CmpOp::Eq => {
            m.spelled(Spelling::WholeMask(mask & (k.fmask >> k.shift)))
        }
        _ => m,
    })
}

/// `range` of a register as a [`MatchKind::Field`].
fn field_range(
    fam: Family,
    slot: &Slot<'_>,
    negated: bool,
    lo: &[u8],
    hi: &[u8],
    matches: &[Match],
) -> Option<Match> {
    let k = Keyed::of(fam, slot, matches)?;
    if !k.ordered() {
        return None;
    }
    let test = FieldTest::Range {
        lo: k.value(lo)?,
        hi: k.value(hi)?,
    };
    Some(Match::new(
        negated,
        MatchKind::Field {
            key: k.key,
            test: masked_test(k.narrower_mask(), test),
        },
    ))
}

/// `test` of the key's bits under `mask`, if there is a mask.
fn masked_test(mask: Option<Value>, test: FieldTest) -> FieldTest {
    match mask {
        Some(mask) => FieldTest::Bits {
            mask,
            test: Box::new(test),
        },
        None => test,
    }
}

/// One element of a set, as the kernel holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetElement {
    /// The key, in register format (`NFTA_SET_ELEM_KEY`).
    pub key: Box<[u8]>,
    /// The end of a range, for sets that store both ends in one element.
    pub key_end: Option<Box<[u8]>>,
    /// `NFTA_SET_ELEM_FLAGS` (`NFT_SET_ELEM_INTERVAL_END`,
    /// `NFT_SET_ELEM_CATCHALL`).
    pub flags: u32,
    /// What a map's element maps to (`NFTA_SET_ELEM_DATA`).
    pub data: Option<ElemData>,
    /// The object an object map's element names (`NFTA_SET_ELEM_OBJREF`).
    pub objref: Option<Box<str>>,
    /// `NFTA_SET_ELEM_TIMEOUT`, milliseconds.
    pub timeout: Option<u64>,
    /// `NFTA_SET_ELEM_EXPIRATION`, milliseconds left.
    pub expires: Option<u64>,
    /// The element's comment (userdata).
    pub comment: Option<Box<str>>,
}

impl SetElement {
    /// Whether it is the catch-all element `*` (`NFT_SET_ELEM_CATCHALL`).
    pub fn is_catchall(&self) -> bool {
        self.flags & NFT_SET_ELEM_CATCHALL != 0
    }
}

/// What a map element maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElemData {
    /// A value, in register format (a data map: `nat`, `meta mark set`).
    Value(Box<[u8]>),
    /// A verdict (a verdict map): `NF_ACCEPT`, `NFT_JUMP`, ...
    Verdict {
        /// `NFTA_VERDICT_CODE`.
        code: i32,
        /// The chain of a jump or goto.
        chain: Option<Box<str>>,
    },
}

impl From<&Data<'_>> for ElemData {
    fn from(d: &Data<'_>) -> ElemData {
        match d {
            Data::Value(v) => ElemData::Value((*v).into()),
            Data::Verdict(v) => ElemData::Verdict {
                code: v.code,
                chain: v.chain.map(Into::into),
            },
        }
    }
}

/// A set's flags and elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetContents {
    /// `NFTA_SET_FLAGS` (`NFT_SET_INTERVAL`, `NFT_SET_CONCAT`, ...).
    pub flags: u32,
    /// `NFTA_SET_KEY_LEN`, when known. Without it (a set read from
    /// libnftnl's debug text, which prints keys as whole 32-bit words), a
    /// key longer than one register's worth of the lookup's width is taken
    /// for a concatenation.
    pub key_len: Option<u32>,
    /// The elements.
    pub elems: Vec<SetElement>,
    /// `NFTA_SET_DATA_LEN`: the width of a map's data, when known.
    pub data_len: Option<u32>,
    /// `NFTA_SET_OBJ_TYPE`: the type of the objects an object map's
    /// elements name (`NFT_OBJECT_*`).
    pub obj_type: Option<u32>,
    /// `NFTA_SET_DESC_SIZE`: the most elements it holds, when given.
    pub size: Option<u32>,
}

impl SetContents {
    /// The elements of a set whose keys are values of `widths` bytes
    /// (one, or a concatenation: each in whole 32-bit words), in the
    /// kernel's order (key order for a set of intervals of one key, which
    /// nft lists sorted), the catch-all last: per key an inclusive `(first, last)`
    /// range (none for the catch-all), and what the element maps to.
    /// `None` when the keys are not of that shape.
    pub(crate) fn entries(&self, widths: &[usize]) -> Option<Vec<Entry<'_>>> {
        if widths.is_empty() || widths.iter().any(|&w| w == 0 || w > 16) {
            return None;
        }
        let words: usize = widths.iter().map(|w| w.div_ceil(4) * 4).sum();
        let single = widths.len() == 1;
        // The set's key must be what the lookup reads, no more: a longer
        // key is a concatenation the lookup does not say.
        let fits = |k: &[u8]| match self.key_len {
            Some(n) => {
                (n as usize == words || single && n as usize == widths[0]) && k.len() == n as usize
            }
            None => k.len() >= widths.iter().sum() && k.len() <= words,
        };
        let split = |b: &[u8]| -> Option<Vec<Vec<u8>>> {
            let mut at = 0;
            let mut out = Vec::with_capacity(widths.len());
            for &w in widths {
                out.push(b.get(at..at + w)?.to_vec());
                at += w.div_ceil(4) * 4;
            }
            Some(out)
        };
        let mut out: Vec<Entry<'_>> = Vec::new();
        let mut tail = Vec::new();
        for e in self.elems.iter().filter(|e| e.is_catchall()) {
            tail.push((Vec::new(), e));
        }
        let elems = self.elems.iter().filter(|e| !e.is_catchall());
        if self.flags & NFT_SET_INTERVAL == 0 || !single {
            for e in elems {
                if !fits(&e.key) || e.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
                    return None;
                }
                let lo = split(&e.key)?;
                let hi = match &e.key_end {
                    Some(end) if fits(end) => split(end)?,
                    Some(_) => return None,
                    None => lo.clone(),
                };
                out.push((lo.into_iter().zip(hi).collect(), e));
            }
        } else {
            let width = widths[0];
            let key = |b: &[u8]| {
                fits(b)
                    .then(|| b.get(..width).map(<[u8]>::to_vec))
                    .flatten()
            };
            let mut elems: Vec<(Vec<u8>, &SetElement)> = elems
                .map(|e| key(&e.key).map(|k| (k, e)))
                .collect::<Option<_>>()?;
            // Adjacent ranges share a key: the end of one (its first key
            // past it) and the start of the next. The end goes first.
            let end = |e: &SetElement| e.flags & NFT_SET_ELEM_INTERVAL_END != 0;
            elems.sort_by(|a, b| a.0.cmp(&b.0).then(end(b.1).cmp(&end(a.1))));
            let mut open: Option<(Vec<u8>, &SetElement)> = None;
            for (k, e) in elems {
                if let Some(end) = &e.key_end {
                    out.push((vec![(k, key(end)?)], e));
                    continue;
                }
                if e.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
                    // The end is the first key past the range.
                    if let Some((lo, data)) = open.take() {
                        out.push((vec![(lo, be_dec(&k)?)], data));
                    }
                } else {
                    if let Some((lo, data)) = open.take() {
                        // A start with no end before the next start: the
                        // range ends just below it.
                        out.push((vec![(lo, be_dec(&k)?)], data));
                    }
                    open = Some((k, e));
                }
            }
            if let Some((lo, data)) = open {
                // A start with no end: up to the largest key.
                out.push((vec![(lo, vec![0xff; width])], data));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out.dedup_by(|a, b| a.0 == b.0);
        }
        out.extend(tail);
        Some(out)
    }
}

/// One element read by [`SetContents::entries`]: per key the first and
/// last bytes, and the element (the start of an interval).
pub(crate) type Entry<'s> = (Vec<(Vec<u8>, Vec<u8>)>, &'s SetElement);

/// `b - 1` as a big-endian number of the same width; `None` for zero.
fn be_dec(b: &[u8]) -> Option<Vec<u8>> {
    let mut v = b.to_vec();
    for x in v.iter_mut().rev() {
        if *x > 0 {
            *x -= 1;
            return Some(v);
        }
        *x = 0xff;
    }
    None
}

/// The sets rules look up, by family, table and name: what a lookup of an
/// anonymous set (`tcp dport { 22, 80 }`) is lowered with, and the named
/// sets and maps of each table ([`Table::sets`]).
#[derive(Debug, Clone, Default)]
pub struct SetIndex {
    sets: std::collections::HashMap<(u8, Box<str>, Box<str>), SetContents>,
    /// The named sets, in the kernel's order, with their table.
    named: Vec<(u8, Box<str>, NamedSet)>,
    /// The stateful objects, in the kernel's order, with their table.
    objects: Vec<(u8, Box<str>, NamedObject)>,
}

impl SetIndex {
    /// An empty index: lookups stay [`MatchKind::Nft`].
    pub fn new() -> SetIndex {
        SetIndex::default()
    }

    /// Adds a set.
    pub fn insert(&mut self, family: u8, table: &str, name: &str, contents: SetContents) {
        self.sets
            .insert((family, table.into(), name.into()), contents);
    }

    /// Adds a named set of a table, as [`Table::sets`] lists it.
    pub fn insert_named(&mut self, family: u8, table: &str, set: NamedSet) {
        self.named.push((family, table.into(), set));
    }

    /// The sets of a snapshot's sets and element messages
    /// (`Snapshot::sets_with_elems`): every set's contents for the rules'
    /// lookups, and the named ones as the model's [`NamedSet`]s. Fails at
    /// the first element that does not decode.
    pub fn from_sets<'a, S, E>(sets: S) -> Result<SetIndex, nflens_wire::DecodeError>
    where
        S: IntoIterator<Item = (nflens_wire::Set<'a>, E)>,
        E: IntoIterator<Item = nflens_wire::SetElems<'a>>,
    {
        let mut out = SetIndex::new();
        for (set, msgs) in sets {
            let mut contents = SetContents {
                flags: set.flags,
                key_len: Some(set.key_len),
                elems: Vec::new(),
                data_len: set.data_len,
                obj_type: set.obj_type,
                size: set.size,
            };
            for m in msgs {
                for e in m.iter() {
                    let e = e?;
                    let bytes = |d: Option<Data<'_>>| match d {
                        Some(Data::Value(v)) => Some(Box::<[u8]>::from(v)),
                        _ => None,
                    };
                    // A catch-all element (no key) is not a value: the set
                    // is then not read inline.
                    let key = bytes(e.key).unwrap_or_default();
                    let comment = e.udata().ok().and_then(|u| u.comment).map(Into::into);
                    contents.elems.push(SetElement {
                        key,
                        key_end: bytes(e.key_end),
                        flags: e.flags,
                        data: e.data.as_ref().map(ElemData::from),
                        objref: e.objref.map(Into::into),
                        timeout: e.timeout,
                        expires: e.expiration,
                        comment,
                    });
                }
            }
            if !set.is_anonymous() {
                let named = crate::set::named_set(&set, &contents)
                    .unwrap_or_else(|| crate::set::unread_set(&set, &contents));
                out.insert_named(set.family, set.table, named);
            }
            out.insert(set.family, set.table, set.name, contents);
        }
        Ok(out)
    }

    /// The named sets of one table, in the kernel's order.
    pub fn named(&self, family: u8, table: &str) -> impl Iterator<Item = &NamedSet> + '_ {
        let table: Box<str> = table.into();
        self.named
            .iter()
            .filter(move |(f, t, _)| *f == family && *t == table)
            .map(|(_, _, s)| s)
    }

    /// Adds a snapshot's stateful objects (`Snapshot::objs`), as
    /// [`Table::objects`] lists them. An object's comment that does not
    /// decode is left out.
    pub fn add_objects<'a>(&mut self, objs: impl IntoIterator<Item = nflens_wire::Obj<'a>>) {
        for o in objs {
            self.objects
                .push((o.family, o.table.into(), named_object(&o)));
        }
    }

    /// The stateful objects of a table, in the kernel's order.
    pub fn objects(&self, family: u8, table: &str) -> impl Iterator<Item = &NamedObject> + '_ {
        let table: Box<str> = table.into();
        self.objects
            .iter()
            .filter(move |(f, t, _)| *f == family && *t == table)
            .map(|(_, _, o)| o)
    }

    fn get(&self, family: u8, table: &str, name: &str) -> Option<&SetContents> {
        self.sets.get(&(family, table.into(), name.into()))
    }

    /// Whether it holds no set.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// A `dynset`: of a named set, the keys (and a map's data keys) read from
/// its registers; of an anonymous one, nft's `meter`. With the statements
/// each element carries (`update @m { ip saddr limit rate 10/second }`).
fn set_update<'a>(
    fam: Family,
    regs: &Regs<'_>,
    d: &nflens_wire::expr::Dynset<'a>,
    set: &SetContents,
    matches: &[Match],
    (r, sets): (&nflens_wire::Rule<'a>, &SetIndex),
) -> Option<ActionKind> {
    let op = match d.op {
        NFT_DYNSET_OP_ADD => SetOp::Add,
        NFT_DYNSET_OP_UPDATE => SetOp::Update,
        NFT_DYNSET_OP_DELETE => SetOp::Delete,
        _ => return None,
    };
    let stmts = elem_stmts(r, &d.exprs, sets)?;
    if !named(Some(set)) {
        // A meter: nft names its set, and it has statements.
        if stmts.is_empty() || d.sreg_data.is_some() || op == SetOp::Delete {
            return None;
        }
        return Some(ActionKind::Meter {
            op,
            name: d.set_name.into(),
            size: set.size?,
            keys: dynset_keys(fam, regs, d.sreg_key, set, matches)?,
            timeout: d.timeout.filter(|&t| t != 0),
            stmts,
        });
    }
    let data = match d.sreg_data {
        Some(reg) => {
            let data = SetContents {
                key_len: Some(set.data_len?),
                ..SetContents::default()
            };
            // A map's data is written from keys as they are (`update @m
            // { ip saddr : meta mark }`).
            dynset_keys(fam, regs, reg, &data, matches)?
                .iter()
                .map(KeyExpr::as_key)
                .collect::<Option<_>>()?
        }
        None => Vec::new(),
    };
    Some(ActionKind::SetUpdate {
        op,
        keys: dynset_keys(fam, regs, d.sreg_key, set, matches)?,
        set: d.set_name.into(),
        data,
        timeout: d.timeout.filter(|&t| t != 0),
        stmts,
    })
}

/// The statements a `dynset` attaches to each element: a counter, or
/// what a limit, quota, connlimit or last lowers to in a rule. `None`
/// for anything else, or one that does not decode.
fn elem_stmts<'a>(
    r: &nflens_wire::Rule<'a>,
    exprs: &nflens_wire::expr::Exprs<'a>,
    sets: &SetIndex,
) -> Option<Vec<ElemStmt>> {
    let mut out = Vec::new();
    for e in exprs {
        let e = e.ok()?;
        match e {
            Expr::Counter(_) => out.push(ElemStmt::Counter),
            Expr::Limit(_) | Expr::Quota(_) | Expr::Connlimit(_) | Expr::Last(_) => {
                let one = lower_exprs(
                    r,
                    std::slice::from_ref(&e),
                    new_rule(r),
                    &mut Regs::default(),
                    sets,
                );
                let m = match (one.matches.len(), one.action) {
                    (1, None) => one.matches.into_iter().next()?,
                    (0, Some(a)) => Match::new(false, MatchKind::Statement(Box::new(a.kind))),
                    _ => return None,
                };
                if matches!(m.kind, MatchKind::Nft { .. }) {
                    return None;
                }
                out.push(ElemStmt::Match(m));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// What a lookup of a named set reads: keys as they are, masked, or a
/// hash (the elements are the table's, not read here).
fn named_keys(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
) -> Option<Vec<KeyExpr>> {
    if let Some((h, _)) = hashed_key(regs, sreg, set) {
        return Some(vec![KeyExpr::Jhash(h)]);
    }
    dynset_keys(fam, regs, sreg, set, matches)
}

/// The keys a `dynset` adds from register `sreg`, each as the set's key
/// reads it: masked when the mask is narrower (`add @s { ip saddr &
/// 255.255.255.0 }`, what `-m connlimit --connlimit-mask 24` translates
/// to).
fn dynset_keys(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
) -> Option<Vec<KeyExpr>> {
    Some(
        set_keys(fam, regs, sreg, set, matches, true)?
            .into_iter()
            .map(|k| k.0.expr())
            .collect(),
    )
}

/// Two registers joined bit by bit ([`Load::Combined`]), then maybe
/// masked or xored, as a value for `key`: a 32-bit host-order key, each
/// operand a number of its bits. A run of the same operation is one
/// [`Source::Combined`].
fn combined_source(
    fam: Family,
    regs: &Regs<'_>,
    src: &Slot<'_>,
    idx: u32,
    key: Key,
    matches: &[Match],
) -> Option<Source> {
    if !key.host_order() || key.width() != 4 || src.hton || src.ops.is_some() {
        return None;
    }
    let (op, l, r, _) = regs.combined.get(idx as usize)?;
    let joined = |op: Combine, parts: [Source; 2]| {
        let mut operands = Vec::new();
        for s in parts {
            match s {
                Source::Combined {
                    op: o,
                    operands: inner,
                } if o == op => operands.extend(inner),
                s => operands.push(s),
            }
        }
        Source::Combined { op, operands }
    };
    let inner = joined(
        *op,
        [
            source_of(fam, regs, l, key, matches)?,
            source_of(fam, regs, r, key, matches)?,
        ],
    );
    // What a mask-and-xor after it does, as one operation with a constant.
    let word = |n: u32| value_of(key, &n.to_ne_bytes()).map(Source::Value);
    let (and, xor) = match (src.mask, src.xor) {
        (None, None) if !src.opaque => return Some(inner),
        (Some(m), None) if !src.opaque => (host_u32(m)?, 0),
        (None, Some((m, x))) => (host_u32(m)?, host_u32(x)?),
        _ => return None,
    };
    let (op, with) = if xor == 0 {
        (Combine::And, and)
    } else if and == !xor {
        (Combine::Or, xor)
    } else if and == u32::MAX {
        (Combine::Xor, xor)
    } else {
        return None;
    };
    Some(joined(op, [inner, word(with)?]))
}

/// `ops` on a 32-bit number of which only the bits of `possible` can be
/// set, each mask cleared where no bit can be: what a mask does to a bit
/// that is 0 is the same either way, so `bitwise` steps of any width that
/// compute the same numbers lower to the same steps.
fn canonical_ops(mut possible: u32, ops: Vec<BitOp>) -> Vec<BitOp> {
    ops.into_iter()
        .map(|op| match op {
            BitOp::Shl(n) => {
                possible = possible.checked_shl(n).unwrap_or(0);
                op
            }
            BitOp::Shr(n) => {
                possible = possible.checked_shr(n).unwrap_or(0);
                op
            }
            BitOp::MaskXor { and, xor } => {
                let and = and & possible;
                possible = and | xor;
                BitOp::MaskXor { and, xor }
            }
        })
        .collect()
}

/// The hash a lookup of register `sreg` reads, when the register holds
/// one (`jhash ip saddr mod 2 map { … }`): a 32-bit number, so the set's
/// key is 4 bytes; host order unless turned to network order for an
/// interval map (`{ 0 : 1, 1-3 : 2 }`).
fn hashed_key(regs: &Regs<'_>, sreg: Reg, set: &SetContents) -> Option<(Jhash, Hashed)> {
    let slot = regs.get(sreg)?;
    let Load::Jhash {
        input,
        modulus,
        seed,
        offset,
    } = slot.load
    else {
        return None;
    };
    let plain = !slot.opaque && slot.mask.is_none() && slot.ops.is_none() && slot.xor.is_none();
    if !plain || key_len(set) != Some(4) {
        return None;
    }
    let h = Jhash {
        input: regs.hashed.get(input as usize)?.clone(),
        modulus,
        seed,
        offset,
    };
    Some((h, Hashed { host: !slot.hton }))
}

/// Whether a set is a named one (rules refer to it by name; its elements
/// are listed with the table).
fn named(set: Option<&SetContents>) -> bool {
    set.is_some_and(|s| s.flags & NFT_SET_ANONYMOUS == 0)
}

/// The keys a lookup of register `sreg` reads from a set of `set`'s
/// key length: one register's key, or a concatenation of the registers
/// that follow it (each value in whole 32-bit words), with the width of
/// each value in the registers.
/// A masked key only where `masked` says the caller reads its mask.
fn set_keys(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
    masked: bool,
) -> Option<Vec<(Keyed, usize)>> {
    reg_keys(fam, regs, sreg, key_len(set)?, matches, masked)
}

/// A set's key length: as declared, or its first element's.
fn key_len(set: &SetContents) -> Option<usize> {
    match set.key_len {
        Some(n) => Some(n as usize),
        None => set.elems.iter().map(|e| e.key.len()).find(|&n| n > 0),
    }
}

/// The keys `total` bytes of registers from `sreg` on hold: one key, or
/// a concatenation (each value in whole 32-bit words), with the width of
/// each value in the registers.
fn reg_keys(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    total: usize,
    matches: &[Match],
    masked: bool,
) -> Option<Vec<(Keyed, usize)>> {
    let start = reg_offset(sreg.0)?;
    let mut keys = Vec::new();
    let mut at = 0;
    while at < total && keys.len() < 16 {
        let slot = regs.at_offset(start.checked_add(u32::try_from(at).ok()?)?)?;
        let k = Keyed::of(fam, slot, matches)?;
        if !masked && k.narrower_mask().is_some() {
            return None;
        }
        let width = match slot.load {
            Load::Payload { len, .. } | Load::Exthdr { len, .. } if slot.align == Align::None => {
                len as usize
            }
            _ => k.width,
        };
        keys.push((k, width));
        at = at.saturating_add(width.div_ceil(4).saturating_mul(4));
    }
    // A single key's set may say its exact width (2 for a port).
    let exact = at == total || keys.len() == 1 && keys[0].1 == total;
    exact.then_some(keys)
}

/// An element as its keys' values (per key an inclusive range; none for
/// the catch-all), and what it maps to.
type Valued<'s> = (Vec<(Value, Value)>, &'s SetElement);

/// The elements of `set` looked up with `keys`, as the keys' values:
/// per key an inclusive range (none for the catch-all), and the element.
fn set_values<'s, K: ElemKey>(
    keys: &[(K, usize)],
    set: &'s SetContents,
) -> Option<Vec<Valued<'s>>> {
    let widths: Vec<usize> = keys.iter().map(|k| k.1).collect();
    // Ranges of a host-order key would be ordered by its bytes, not by
    // its value: nft turns such keys to network order first.
    let interval = set.flags & NFT_SET_INTERVAL != 0;
    if keys.iter().any(|(k, w)| k.host() && interval && *w > 1) {
        return None;
    }
    let mut entries = set.entries(&widths)?;
    // nft lists a set's elements sorted by value: one key's value, or a
    // concatenation's bytes read as one host-order number (its last byte
    // the most significant), the catch-all last.
    if keys.len() > 1 {
        entries.sort_by_cached_key(|(ranges, _)| {
            let mut k: Vec<u8> = ranges
                .iter()
                .rev()
                .flat_map(|(lo, _)| lo.iter().rev().copied())
                .collect();
            k.insert(0, u8::from(ranges.is_empty()));
            k
        });
    }
    let mut values: Vec<Valued<'s>> = entries
        .into_iter()
        .map(|(ranges, e)| {
            let values = ranges
                .iter()
                .zip(keys)
                .map(|((lo, hi), (k, _))| Some((k.value(lo)?, k.value(hi)?)))
                .collect::<Option<Vec<_>>>()?;
            Some((values, e))
        })
        .collect::<Option<_>>()?;
    if keys.len() == 1 {
        if keys[0].0.datatype() == Datatype::String {
            // A name is a host-order number to nft: its last byte is the
            // most significant (`{ "lo", "dummy0" }`).
            values.sort_by_cached_key(|(v, _)| {
                let last: Vec<u8> = v
                    .first()
                    .map_or_else(Vec::new, |(lo, _)| lo.0.iter().rev().copied().collect());
                (v.is_empty(), last)
            });
        } else if matches!(
            keys[0].0.datatype(),
            Datatype::TcpFlags | Datatype::CtState | Datatype::CtStatus | Datatype::CtEvent
        ) {
            // nft sorts flags by the first flag it names (`syn | ack` by
            // `syn`), equal ones in the reverse of the kernel's order.
            values.reverse();
            values.sort_by_cached_key(|(v, _)| {
                let n = v.first().and_then(|(lo, _)| lo.as_u128()).unwrap_or(0);
                (v.is_empty(), n & n.wrapping_neg())
            });
        } else {
            values.sort_by(|a, b| (a.0.is_empty(), &a.0).cmp(&(b.0.is_empty(), &b.0)));
        }
    }
    Some(values)
}

/// A lookup of an anonymous set read inline: transport ports as
/// [`MatchKind::Port`] (what `-m multiport` lowers to), a concatenation
/// as [`MatchKind::Concat`], anything else as a [`FieldTest::In`] of the
/// register's key.
fn lookup_match(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    negated: bool,
    matches: &[Match],
) -> Option<Match> {
    let keys = set_keys(fam, regs, sreg, set, matches, true)?;
    let elems: Vec<Vec<(Value, Value)>> = set_values(&keys, set)?
        .into_iter()
        .map(|(key, _)| (!key.is_empty()).then_some(key))
        .collect::<Option<_>>()?;
    if elems.is_empty() {
        return None;
    }
    // One masked key: `tcp flags & (syn | ack) == { syn, ack }`; in a
    // concatenation each key may be (`ip saddr & 0.0.0.255 . tcp dport`).
    let mask = match &keys[..] {
        [(k, _)] => k.narrower_mask(),
        _ => None,
    };
    if let Some(mask) = mask {
        let elems = elems.into_iter().flatten().collect();
        return Some(Match::new(
            negated,
            MatchKind::Field {
                key: keys[0].0.key,
                test: masked_test(Some(mask), FieldTest::In(elems)),
            },
        ));
    }
    if let Some(ranges) = either_port(&keys, &elems) {
        return Some(Match::new(
            negated,
            MatchKind::Port {
                dir: Dir::Either,
                ranges,
            },
        ));
    }
    if keys.len() > 1 {
        return Some(Match::new(
            negated,
            MatchKind::Concat {
                keys: keys.iter().map(|k| k.0.expr()).collect(),
                elems,
            },
        ));
    }
    let key = keys[0].0.key;
    let elems: Vec<(Value, Value)> = elems.into_iter().flatten().collect();
    if let Key::Header(h) = key {
        let dir = match h.name() {
            "sport" => Some(Dir::Src),
            "dport" => Some(Dir::Dst),
            _ => None,
        };
        if let Some(dir) = dir {
            let ranges = elems
                .iter()
                .map(|(lo, hi)| {
                    Some(Span32 {
                        lo: u32::try_from(lo.as_u128()?).ok()?,
                        hi: u32::try_from(hi.as_u128()?).ok()?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            return Some(Match::new(negated, MatchKind::Port { dir, ranges }));
        }
    }
    Some(Match::new(
        negated,
        MatchKind::Field {
            key,
            test: FieldTest::In(elems),
        },
    ))
}

/// `sport . dport { R . 0-65535, 0-65535 . R, ... }`, how nft spells
/// `-m multiport --ports R,...` (either port in a range): the ranges.
fn either_port(keys: &[(Keyed, usize)], elems: &[Vec<(Value, Value)>]) -> Option<Vec<Span32>> {
    let [(
        Keyed {
            key: Key::Header(s),
            ..
        },
        _,
    ), (
        Keyed {
            key: Key::Header(d),
            ..
        },
        _,
    )] = keys
    else {
        return None;
    };
    if s.header() != d.header() || s.name() != "sport" || d.name() != "dport" {
        return None;
    }
    if keys.iter().any(|(k, _)| k.narrower_mask().is_some()) {
        return None;
    }
    let span = |(lo, hi): &(Value, Value)| -> Option<Span32> {
        Some(Span32 {
            lo: u32::try_from(lo.as_u128()?).ok()?,
            hi: u32::try_from(hi.as_u128()?).ok()?,
        })
    };
    let any = Span32 { lo: 0, hi: 0xffff };
    let (mut src, mut dst) = (Vec::new(), Vec::new());
    for e in elems {
        match e.as_slice() {
            [a, b] => match (span(a)?, span(b)?) {
                (r, x) if x == any => src.push(r),
                (x, r) if x == any => dst.push(r),
                _ => return None,
            },
            _ => return None,
        }
    }
    src.sort_unstable_by_key(|r| (r.lo, r.hi));
    dst.sort_unstable_by_key(|r| (r.lo, r.hi));
    // Both sides for each range: `0-65535 . 0-65535` alone is a source
    // range of all ports and a destination one at once.
    (src == dst && !src.is_empty() && elems.len() == 2 * src.len()).then_some(src)
}

/// A map looked up with register `sreg`: its keys and elements, each
/// element's data turned by `data` (`None` for one it does not take: the
/// map is then not read).
fn map_elems<T>(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
    data: impl Fn(&SetElement) -> Option<T>,
) -> Option<(Vec<KeyExpr>, Vec<MapElem<T>>)> {
    let (keys, values) = match hashed_key(regs, sreg, set) {
        Some((h, codec)) => (vec![KeyExpr::Jhash(h)], set_values(&[(codec, 4)], set)?),
        None => {
            let keys = set_keys(fam, regs, sreg, set, matches, true)?;
            let values = set_values(&keys, set)?;
            (keys.iter().map(|k| k.0.expr()).collect(), values)
        }
    };
    let elems = values
        .into_iter()
        .map(|(key, e)| {
            Some(MapElem {
                key,
                data: data(e)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((keys, elems))
}

/// How a lookup's key reads a set's element bytes: [`Keyed`], or
/// [`Hashed`].
trait ElemKey {
    /// The element's bytes as a value of the key.
    fn value(&self, b: &[u8]) -> Option<Value>;
    /// The register holds a host-order number.
    fn host(&self) -> bool;
    /// How the values print (and so how nft sorts them).
    fn datatype(&self) -> Datatype;
}

impl ElemKey for Keyed {
    fn value(&self, b: &[u8]) -> Option<Value> {
        Keyed::value(self, b)
    }
    fn host(&self) -> bool {
        self.host
    }
    fn datatype(&self) -> Datatype {
        self.key.datatype()
    }
}

/// A `jhash`'s result: a 32-bit integer, in host order unless turned.
struct Hashed {
    host: bool,
}

impl ElemKey for Hashed {
    fn value(&self, b: &[u8]) -> Option<Value> {
        if b.len() != 4 {
            return None;
        }
        Some(Value::from_u128(reg_num(b, self.host)?, 4))
    }
    fn host(&self) -> bool {
        self.host
    }
    fn datatype(&self) -> Datatype {
        Datatype::Integer
    }
}

/// A data map looked up with register `sreg`: the keys and, per element,
/// the data (a map's elements all map to a value).
fn data_map(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
) -> Option<DataMap> {
    let (keys, elems) = map_elems(fam, regs, sreg, set, matches, |e| {
        match e.data.as_ref()? {
            ElemData::Value(v) => Some(v.clone()),
            ElemData::Verdict { .. } => None,
        }
    })?;
    Some(DataMap {
        keys,
        elems,
        named: None,
    })
}

/// `b`, register bytes written to `key`, as a value of `key`: its width
/// of them (the rest must be zero), in network order.
fn value_of(key: Key, b: &[u8]) -> Option<Value> {
    let width = key.width();
    if width == 0 || width > 16 || b.len() < width || b[width..].iter().any(|&x| x != 0) {
        return None;
    }
    let mut v = b[..width].to_vec();
    if key.host_order() {
        v.reverse();
    }
    Some(Value(v.into()))
}

/// nft's objref: a named object, or the one a map gives.
fn objref(
    fam: Family,
    regs: &Regs<'_>,
    sets: &SetIndex,
    r: &nflens_wire::Rule<'_>,
    o: &nflens_wire::expr::Objref<'_>,
    matches: &[Match],
) -> Option<MatchKind> {
    if let (Some(ty), Some(name)) = (o.imm_type, o.imm_name) {
        return Some(MatchKind::ObjRef {
            ty,
            target: ObjTarget::Name(name.into()),
        });
    }
    let (sreg, name) = (o.set_sreg?, o.set_name?);
    let set = sets.get(r.family, r.table, name)?;
    let ty = set.obj_type?;
    let target = if named(Some(set)) {
        ObjTarget::MapRef {
            keys: named_keys(fam, regs, sreg, set, matches)?,
            map: name.into(),
        }
    } else {
        let (keys, elems) = map_elems(fam, regs, sreg, set, matches, |e| e.objref.clone())?;
        ObjTarget::Map { keys, elems }
    };
    Some(MatchKind::ObjRef { ty, target })
}

/// nft's `queue`: to a queue or a range of them, or to the number a
/// register holds (`queue to symhash mod 2`).
fn queue_stmt(
    fam: Family,
    regs: &Regs<'_>,
    q: &nflens_wire::expr::Queue,
    src: Option<&Slot<'_>>,
    matches: &[Match],
) -> Option<ActionKind> {
    let flags = q.flags.unwrap_or(0);
    if flags & !(NFT_QUEUE_FLAG_BYPASS | NFT_QUEUE_FLAG_CPU_FANOUT) != 0 {
        return None;
    }
    let (num, last, to) = match q.sreg_qnum {
        None => {
            let num = q.num.unwrap_or(0);
            let total = q.total.unwrap_or(1);
            (num, num.saturating_add(total.saturating_sub(1)), None)
        }
        Some(_) => {
            let src = src?;
            // The number's width in the register: 16 bits from a map, 32
            // from a hash; the key only gives width and byte order.
            let key = match src.width() {
                Some(2) => Key::Ct {
                    key: CtKey(NFT_CT_ZONE),
                    reply: None,
                },
                _ => Key::Meta(MetaKey(NFT_META_CPU)),
            };
            (0, 0, Some(source_of(fam, regs, src, key, matches)?))
        }
    };
    Some(ActionKind::Queue {
        num,
        last,
        bypass: flags & NFT_QUEUE_FLAG_BYPASS != 0,
        fanout: flags & NFT_QUEUE_FLAG_CPU_FANOUT != 0,
        to,
    })
}

/// A statement that writes register `src` to `key`: a constant, another
/// key of the same width, or a data map's result, as [`ActionKind::Set`].
fn set_stmt(
    fam: Family,
    regs: &Regs<'_>,
    src: &Slot<'_>,
    key: Key,
    matches: &[Match],
) -> Option<ActionKind> {
    Some(ActionKind::Set {
        key,
        value: source_of(fam, regs, src, key, matches)?,
    })
}

/// What register `src` holds, as a value for `key` (a statement's
/// operand): a constant of the key's width, another key of the same width
/// and byte order, or a data map's result.
fn source_of(
    fam: Family,
    regs: &Regs<'_>,
    src: &Slot<'_>,
    key: Key,
    matches: &[Match],
) -> Option<Source> {
    // A value computed from a key (`ct mark >> 8`), or a key's bits set
    // (`ct mark set meta mark | 0x10`, `dnat to ip daddr & 255.255.255.0 |
    // 0.0.0.7`).
    if let Load::Combined { idx, .. } = src.load {
        return combined_source(fam, regs, src, idx, key, matches);
    }
    let moved = matches!(src.align, Align::Done(_));
    let host32 = matches!(src.load, Load::Meta(_) | Load::Ct { .. }) && !src.hton;
    let ops = match (&src.ops, src.xor) {
        (Some(ops), _) => Some(ops.clone()),
        // A field moved to the right edge, or a 32-bit host-order key,
        // then masked (`ct mark set ip6 dscp & 0x3c`, `ct mark set meta
        // mark & 0xffff`).
        (None, None) if (moved || host32) && !src.opaque => src
            .mask
            .and_then(host_u32)
            .map(|and| vec![BitOp::MaskXor { and, xor: 0 }]),
        (None, Some((and, xor))) if !matches!(src.load, Load::Imm(_)) => {
            let num = |b: &[u8]| match key.host_order() {
                true => host_u32(b),
                false => Some(u32::from_be_bytes(b.try_into().ok()?)),
            };
            Some(vec![BitOp::MaskXor {
                and: num(and)?,
                xor: num(xor)?,
            }])
        }
        _ => None,
    };
    if let Some(ops) = ops {
        let plain = Slot {
            opaque: false,
            xor: None,
            ops: None,
            ..src.clone()
        };
        let k = Keyed::of(fam, &plain, matches)?;
        // A host-order 32-bit value, or a whole 32-bit header field as a
        // big-endian number (its mask and xor only), or a header field
        // moved to the right edge, a host-order number (nft 1.1's `meta
        // mark set ip dscp << 2 | 0x10`).
        let host = k.host && key.host_order() && k.width == 4 && k.key.width() == 4;
        let net = !k.host && !key.host_order() && k.whole() && src.ops.is_none();
        let net = net && k.key.width() == 4;
        let moved = moved && key.host_order() && k.key.bits() <= 32;
        if !(host || net || moved) || key.width() != 4 {
            return None;
        }
        if moved {
            // Only the field's bits can be set: the steps as nft writes
            // them whatever the width of each `bitwise`.
            let field = u32::MAX >> (32 - k.key.bits().clamp(1, 32));
            return Some(Source::Computed {
                key: k.key,
                ops: canonical_ops(field, ops),
            });
        }
        return Some(Source::Computed { key: k.key, ops });
    }
    // A byteorder conversion is only a copy into a network-order key.
    if src.opaque || src.mask.is_some() || src.hton && key.host_order() {
        return None;
    }
    // A 32-bit host-order value given to a network-order operand without
    // a conversion (nft before 1.1: `dnat to numgen inc mod 2 offset
    // 167772161`): the kernel reads its bytes as they lie.
    let unconverted = !src.hton && !key.host_order() && key.width() <= 4;
    if let Load::Jhash {
        input,
        modulus,
        seed,
        offset,
    } = src.load
    {
        let h = Source::Jhash(Jhash {
            input: regs.hashed.get(input as usize)?.clone(),
            modulus,
            seed,
            offset,
        });
        // A host-order key takes it as it is, a network-order one through
        // a conversion.
        return if key.width() == 4 && key.host_order() != src.hton {
            Some(h)
        } else if unconverted {
            Some(Source::HostBytes(Box::new(h)))
        } else {
            None
        };
    }
    Some(match src.load {
        _ if src.hton => {
            let k = Keyed::of(
                fam,
                &Slot {
                    hton: false,
                    ..src.clone()
                },
                matches,
            )?;
            if !k.key.host_order() || k.key.width() != key.width() || k.shift != 0 {
                return None;
            }
            Source::Key(k.key)
        }
        Load::Imm(v) => Source::Value(value_of(key, v)?),
        Load::Map { idx, .. } => {
            let map = regs.maps.get(idx as usize)?;
            if let Some(name) = &map.named {
                return Some(Source::MapRef {
                    keys: map.keys.clone(),
                    map: name.clone(),
                });
            }
            Source::Map {
                keys: map.keys.clone(),
                elems: map
                    .elems
                    .iter()
                    .map(|e| {
                        Some(MapElem {
                            key: e.key.clone(),
                            data: value_of(key, &e.data)?,
                        })
                    })
                    .collect::<Option<_>>()?,
            }
        }
        // A header field moved to the right edge, given whole to a 32-bit
        // host-order key (`meta mark set ip dscp`).
        Load::Payload { .. } | Load::Exthdr { .. } if matches!(src.align, Align::Done(_)) => {
            let k = Keyed::of(fam, src, matches)?;
            if src.mask.is_some() || !key.host_order() || key.width() != 4 || k.key.bits() > 32 {
                return None;
            }
            Source::Key(k.key)
        }
        _ => {
            let k = Keyed::of(fam, src, matches)?;
            if !k.whole() {
                return None;
            }
            if unconverted && k.key.host_order() && k.key.width() == 4 {
                return Some(Source::HostBytes(Box::new(Source::Key(k.key))));
            }
            if k.key.width() != key.width() || k.key.host_order() != key.host_order() {
                return None;
            }
            Source::Key(k.key)
        }
    })
}

/// The key a statement's operand is read as: an address of `v6`'s
/// family, a transport port, or an interface index.
fn operand_key(what: Operand) -> Key {
    let field = |s: &str| s.parse::<Key>().ok();
    match what {
        Operand::Addr { v6: false } => field("ip daddr"),
        Operand::Addr { v6: true } => field("ip6 daddr"),
        Operand::Port => field("th dport"),
        Operand::Dev => Some(Key::Meta(MetaKey(NFT_META_OIF))),
    }
    .unwrap_or(Key::Meta(MetaKey(NFT_META_OIF)))
}

#[derive(Clone, Copy)]
enum Operand {
    Addr { v6: bool },
    Port,
    Dev,
}

/// The operand a statement reads from `reg` (`dup to`, `fwd to`, `tproxy
/// to`); `Err` when the register holds what nflens does not read.
fn operand(
    fam: Family,
    regs: &Regs<'_>,
    reg: Option<Reg>,
    what: Operand,
    matches: &[Match],
) -> Result<Option<Source>, ()> {
    let Some(reg) = reg else {
        return Ok(None);
    };
    let slot = regs.get(reg).ok_or(())?;
    source_of(fam, regs, slot, operand_key(what), matches)
        .map(Some)
        .ok_or(())
}

/// `tproxy`, `dup` and `fwd`: their operands read from the registers.
fn redirect_stmt(
    fam: Family,
    regs: &Regs<'_>,
    e: &Expr<'_>,
    matches: &[Match],
) -> Option<ActionKind> {
    let family_of = |nfproto: u32| match nfproto as u8 {
        NFPROTO_IPV4 => Some(Family::Ipv4),
        NFPROTO_IPV6 => Some(Family::Ipv6),
        _ => None,
    };
    let table = Some(fam).filter(|f| matches!(f, Family::Ipv4 | Family::Ipv6));
    // An address register, read as an address of `family`; none without
    // a family to read it as.
    let addr = |reg: Option<Reg>, family: Option<Family>| match (reg, family) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(()),
        (r, Some(f)) => operand(
            fam,
            regs,
            r,
            Operand::Addr {
                v6: f == Family::Ipv6,
            },
            matches,
        ),
    };
    let dev = |reg| operand(fam, regs, reg, Operand::Dev, matches);
    match e {
        Expr::Tproxy(t) => {
            let family = family_of(t.family);
            Some(ActionKind::Tproxy {
                family,
                addr: addr(t.reg_addr, family.or(table)).ok()?,
                port: operand(fam, regs, t.reg_port, Operand::Port, matches).ok()?,
            })
        }
        Expr::Dup(d) => Some(ActionKind::Dup {
            addr: addr(d.sreg_addr, table).ok()?,
            dev: dev(d.sreg_dev).ok()?,
        }),
        Expr::Fwd(f) => {
            let family = f.nfproto.and_then(family_of);
            Some(ActionKind::Fwd {
                family,
                addr: addr(f.sreg_addr, family).ok()?,
                dev: dev(f.sreg_dev).ok()?,
            })
        }
        _ => None,
    }
}

/// A payload or exthdr write of register `src`: a header field set to a constant,
/// written whole (`tcp dport set 80`) or, for a field of part of its
/// bytes, as the bytes loaded, the field's bits cleared and the value
/// xored in (`ip dscp set cs1`).
/// `load`: the bytes written, as a load of them would be.
fn field_write(
    fam: Family,
    regs: &Regs<'_>,
    src: &Slot<'_>,
    load: Load<'_>,
    len: u32,
    matches: &[Match],
) -> Option<ActionKind> {
    let zeros = [0u8; 16];
    let (field_mask, value): (Option<Vec<u8>>, &[u8]) = match (src.load, src.xor, src.mask) {
        (Load::Imm(v), _, None) if !src.opaque && !src.hton => (None, v),
        (l, Some((keep, xor)), _) if l == load => (Some(keep.iter().map(|b| !b).collect()), xor),
        // The field's bits cleared, none set: `ip dscp set cs0`.
        (l, None, Some(keep)) if l == load && !src.opaque && keep.len() <= zeros.len() => (
            Some(keep.iter().map(|b| !b).collect()),
            &zeros[..keep.len()],
        ),
        // The whole field set from another key (`tcp option maxseg size
        // set rt mtu`).
        _ => {
            let k = Keyed::of(fam, &Slot::loaded(0, load, 0), matches)?;
            let whole = k.fmask == u128::MAX || k.fmask.count_ones() == len * 8;
            if k.shift != 0 || !whole || k.key.width() != len as usize {
                return None;
            }
            return set_stmt(fam, regs, src, k.key, matches);
        }
    };
    let written = Slot {
        mask: field_mask.as_deref(),
        ..Slot::loaded(0, load, 0)
    };
    let k = Keyed::of(fam, &written, matches)?;
    let b = value.get(..len as usize)?;
    if value[len as usize..].iter().any(|&x| x != 0) {
        return None;
    }
    let v = k.value(b)?;
    // Some of the field's bits written, the rest kept: the field set from
    // itself (`ip ecn set ip ecn | ect0`, `ip hdrlength set ip hdrlength &
    // 1`).
    if let Some(written) = k.narrower_mask() {
        let field = match k.key.bits() {
            n @ 1..=32 => u32::MAX >> (32 - n),
            _ => return None,
        };
        let written = u32::try_from(written.as_u128()?).ok()?;
        let xor = u32::try_from(v.as_u128()?).ok()?;
        if xor & !written != 0 {
            return None;
        }
        return Some(ActionKind::Set {
            key: k.key,
            value: Source::Computed {
                key: k.key,
                ops: vec![BitOp::MaskXor {
                    and: field & !written,
                    xor,
                }],
            },
        });
    }
    Some(ActionKind::Set {
        key: k.key,
        value: Source::Value(v),
    })
}

/// A verdict map looked up with register `sreg`: the keys and, per
/// element, the verdict.
fn vmap_action(
    fam: Family,
    regs: &Regs<'_>,
    sreg: Reg,
    set: &SetContents,
    matches: &[Match],
) -> Option<ActionKind> {
    let (keys, elems) = map_elems(fam, regs, sreg, set, matches, |e| {
        match e.data.as_ref()? {
            ElemData::Verdict { code, chain } => elem_verdict(*code, chain.as_deref()),
            ElemData::Value(_) => None,
        }
    })?;
    Some(ActionKind::Vmap { keys, elems })
}

/// A stateful object as the model holds it.
fn named_object(o: &nflens_wire::Obj<'_>) -> NamedObject {
    use nflens_wire::ObjData as D;
    let kind = match o.data {
        D::Counter { packets, bytes } => ObjectKind::Counter { packets, bytes },
        D::Quota {
            bytes,
            consumed,
            flags,
        } => ObjectKind::Quota {
            bytes,
            used: consumed,
            over: flags & NFT_QUOTA_F_INV != 0,
        },
        D::Limit {
            rate,
            unit,
            burst,
            ty,
            flags,
        } if ty <= NFT_LIMIT_PKT_BYTES => ObjectKind::Limit {
            rate,
            unit,
            burst,
            bytes: ty == NFT_LIMIT_PKT_BYTES,
            over: flags & NFT_LIMIT_F_INV != 0,
        },
        D::CtHelper {
            name,
            l3proto,
            l4proto,
        } => ObjectKind::CtHelper {
            helper: name.into(),
            l3proto,
            l4proto,
        },
        D::CtTimeout {
            l3proto,
            l4proto,
            timeouts,
        } => match ct_timeouts(timeouts) {
            Some(timeouts) => ObjectKind::CtTimeout {
                l3proto,
                l4proto,
                timeouts,
            },
            None => ObjectKind::Other { ty: o.obj_type },
        },
        D::CtExpect {
            l3proto,
            l4proto,
            dport,
            timeout,
            size,
        } => ObjectKind::CtExpect {
            l3proto,
            l4proto,
            dport,
            timeout,
            size,
        },
        D::Synproxy { mss, wscale, flags } => ObjectKind::Synproxy { mss, wscale, flags },
        D::Secmark { ctx } => ObjectKind::Secmark { ctx: ctx.into() },
        _ => ObjectKind::Other { ty: o.obj_type },
    };
    NamedObject {
        name: o.name.into(),
        handle: Some(o.handle),
        comment: o.udata().ok().and_then(|u| u.comment).map(Into::into),
        kind,
    }
}

/// `NFTA_CT_TIMEOUT_DATA`'s attributes: per state, its timeout (a
/// big-endian u32 of seconds); `None` when they do not read so.
fn ct_timeouts(data: &[u8]) -> Option<Vec<(u16, u32)>> {
    nflens_wire::AttrIter::new(data, 0)
        .map(|a| {
            let a = a.ok()?;
            Some((a.kind(), a.value_u32_be().ok()?))
        })
        .collect()
}
