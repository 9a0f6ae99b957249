//! Legacy xtables tables as the kernel hands them out: the reply to
//! `IPT_SO_GET_INFO` / `IPT_SO_GET_ENTRIES` (and the `IP6T_` forms), a flat
//! array of `ipt_entry` / `ip6t_entry`, each with its matches and target.
//!
//! [`Table::decode`] turns the array back into chains the way libiptc does:
//! a built-in chain starts at its `hook_entry` offset and ends with its
//! `underflow` entry (the policy); a user chain starts with an `ERROR`
//! target naming it and ends with an unconditional `RETURN` (its foot); an
//! `ERROR` target named `ERROR` ends the table. A standard target's
//! verdict is either a kernel verdict (`-NF_ACCEPT - 1`, ...) or the byte
//! offset of the entry to jump to, which is resolved to the chain there.
//!
//! The match and target payloads are the same `xt_*_info` blobs
//! iptables-nft stores in nf_tables `match`/`target` expressions: decode
//! them with [`crate::xt`].
//!
//! Layouts (x86_64 and every 64-bit Linux ABI; from
//! `linux/netfilter_ipv4/ip_tables.h` and `linux/netfilter_ipv6/ip6_tables.h`,
//! checked with `sizeof`/`offsetof`): `ipt_getinfo` 84 bytes,
//! `ipt_get_entries` header 40, `ipt_entry` 112, `ip6t_entry` 168,
//! `xt_entry_match`/`xt_entry_target` header 32.

use crate::error::{DecodeError, DecodeErrorKind, Result};

/// `IPT_SO_GET_INFO` / `IP6T_SO_GET_INFO` (level `IPPROTO_IP` / `IPPROTO_IPV6`).
pub const SO_GET_INFO: i32 = 64;
/// `IPT_SO_GET_ENTRIES` / `IP6T_SO_GET_ENTRIES`.
pub const SO_GET_ENTRIES: i32 = 65;
/// `sizeof(struct ipt_getinfo)` (the same for IPv6).
pub const GETINFO_LEN: usize = 84;
/// `sizeof(struct ipt_get_entries)`: the name, the size, and padding to the
/// 8-byte alignment of the entries that follow.
pub const GET_ENTRIES_HDR: usize = 40;
/// `XT_TABLE_MAXNAMELEN`.
pub const TABLE_MAXNAMELEN: usize = 32;
/// `NF_INET_NUMHOOKS`.
pub const NUMHOOKS: usize = 5;

/// Which of the two legacy families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Family {
    /// `ip_tables` (iptables).
    V4,
    /// `ip6_tables` (ip6tables).
    V6,
}

impl Family {
    /// The `NFPROTO_*` number the xt payload decoders take.
    pub fn nfproto(self) -> u8 {
        match self {
            Family::V4 => 2,
            Family::V6 => 10,
        }
    }
    fn entry_len(self) -> usize {
        match self {
            Family::V4 => 112,
            Family::V6 => 168,
        }
    }
}

/// The reply to `IPT_SO_GET_INFO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Info {
    /// Bit `h` set: hook `h` (`NF_INET_PRE_ROUTING` = 0 ... `POST_ROUTING` = 4) is used.
    pub valid_hooks: u32,
    /// Offset of each hook's first entry.
    pub hook_entry: [u32; NUMHOOKS],
    /// Offset of each hook's policy entry.
    pub underflow: [u32; NUMHOOKS],
    /// Number of entries.
    pub num_entries: u32,
    /// Size of the entries in bytes: what `IPT_SO_GET_ENTRIES` must ask for.
    pub size: u32,
}

struct Rd<'a>(&'a [u8]);

impl<'a> Rd<'a> {
    fn bytes(&self, at: usize, n: usize) -> Result<&'a [u8]> {
        at.checked_add(n)
            .and_then(|end| self.0.get(at..end))
            .ok_or_else(|| DecodeError::truncated(at, n))
    }
    fn arr<const N: usize>(&self, at: usize) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(at, N)?);
        Ok(a)
    }
    fn u8(&self, at: usize) -> Result<u8> {
        Ok(self.arr::<1>(at)?[0])
    }
    fn u16(&self, at: usize) -> Result<u16> {
        Ok(u16::from_ne_bytes(self.arr(at)?))
    }
    fn u32(&self, at: usize) -> Result<u32> {
        Ok(u32::from_ne_bytes(self.arr(at)?))
    }
    fn u64(&self, at: usize) -> Result<u64> {
        Ok(u64::from_ne_bytes(self.arr(at)?))
    }
    /// A NUL-terminated name in a fixed field.
    fn name(&self, at: usize, n: usize) -> Result<&'a str> {
        let b = self.bytes(at, n)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        core::str::from_utf8(b.get(..end).unwrap_or_default())
            .map_err(|_| DecodeError::new(at, DecodeErrorKind::NotUtf8))
    }
}

impl Info {
    /// The hooks in use: (hook number, first entry, policy entry).
    pub fn hooks(&self) -> impl Iterator<Item = (u8, u32, u32)> + '_ {
        self.hook_entry
            .iter()
            .zip(self.underflow.iter())
            .enumerate()
            .filter(|(h, _)| self.valid_hooks & (1 << h) != 0)
            .map(|(h, (&e, &u))| (h as u8, e, u))
    }

    /// The hook whose chain starts at entry offset `off`.
    pub fn hook_at(&self, off: u32) -> Option<u8> {
        self.hooks().find(|&(_, e, _)| e == off).map(|(h, _, _)| h)
    }

    /// Whether the entry at `off` is a built-in chain's policy.
    pub fn is_underflow(&self, off: u32) -> bool {
        self.hooks().any(|(_, _, u)| u == off)
    }

    /// Decodes a `struct ipt_getinfo`.
    pub fn decode(b: &[u8]) -> Result<Info> {
        let r = Rd(b);
        let mut hook_entry = [0; NUMHOOKS];
        let mut underflow = [0; NUMHOOKS];
        for (h, (e, u)) in hook_entry.iter_mut().zip(underflow.iter_mut()).enumerate() {
            *e = r.u32(36 + 4 * h)?;
            *u = r.u32(56 + 4 * h)?;
        }
        Ok(Info {
            valid_hooks: r.u32(32)?,
            hook_entry,
            underflow,
            num_entries: r.u32(76)?,
            size: r.u32(80)?,
        })
    }
}

/// The IP header part of an entry (`struct ipt_ip` / `struct ip6t_ip6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IpHeader<'a> {
    /// Source address (4 or 16 bytes, network order).
    pub src: &'a [u8],
    /// Destination address.
    pub dst: &'a [u8],
    /// Source mask.
    pub smsk: &'a [u8],
    /// Destination mask.
    pub dmsk: &'a [u8],
    /// Input interface name (empty: any), without a wildcard's `+`.
    pub iniface: &'a str,
    /// A wildcard (`eth+`): only the name's bytes are compared.
    pub iniface_wildcard: bool,
    /// Output interface name.
    pub outiface: &'a str,
    /// Its mask.
    pub outiface_wildcard: bool,
    /// Protocol, `None` for any (IPv6: unless `IP6T_F_PROTO`).
    pub proto: Option<u8>,
    /// `IPT_F_FRAG` (IPv4 `-f`).
    pub fragment: bool,
    /// `IPT_F_GOTO` / `IP6T_F_GOTO`: `-g` rather than `-j`.
    pub goto: bool,
    /// `IPT_INV_*` bits.
    pub invflags: u8,
}

impl IpHeader<'_> {
    /// `IPT_INV_VIA_IN`.
    pub const INV_VIA_IN: u8 = 0x01;
    /// `IPT_INV_VIA_OUT`.
    pub const INV_VIA_OUT: u8 = 0x02;
    /// `IPT_INV_SRCIP`.
    pub const INV_SRCIP: u8 = 0x08;
    /// `IPT_INV_DSTIP`.
    pub const INV_DSTIP: u8 = 0x10;
    /// `IPT_INV_FRAG`.
    pub const INV_FRAG: u8 = 0x20;
    /// `IPT_INV_PROTO`.
    pub const INV_PROTO: u8 = 0x40;
}

/// A match or target payload: the xt extension's name, revision and info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct XtBlob<'a> {
    /// Extension name (`conntrack`, `MASQUERADE`; empty for the standard target).
    pub name: &'a str,
    /// Revision.
    pub rev: u8,
    /// The `xt_*_info` payload.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub info: &'a [u8],
}

/// What a rule does when it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Target<'a> {
    /// `-j ACCEPT`.
    Accept,
    /// `-j DROP`.
    Drop,
    /// `-j QUEUE`.
    Queue,
    /// `-j RETURN`.
    Return,
    /// `-j CHAIN`.
    Jump(&'a str),
    /// `-g CHAIN`.
    Goto(&'a str),
    /// No target: the rule only counts (a standard jump to the next entry).
    None,
    /// An extension target (`-j MASQUERADE ...`).
    Xt(XtBlob<'a>),
    /// A standard verdict nflens cannot place (a jump to an offset that
    /// starts no chain): kept, never guessed.
    Verdict(i32),
}

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Entry<'a> {
    /// Byte offset in the table.
    pub offset: u32,
    /// The IP header part.
    pub ip: IpHeader<'a>,
    /// Packets, bytes.
    pub counters: (u64, u64),
    /// The matches, in order.
    pub matches: Vec<XtBlob<'a>>,
    /// The target.
    pub target: Target<'a>,
}

/// One chain.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Chain<'a> {
    /// `INPUT`, or the user chain's name.
    pub name: &'a str,
    /// The hook number of a built-in chain.
    pub hook: Option<u8>,
    /// A built-in chain's policy (`Target::Accept` or `Target::Drop`) and
    /// its counters.
    pub policy: Option<(Target<'a>, (u64, u64))>,
    /// The rules, in order.
    pub rules: Vec<Entry<'a>>,
}

/// A whole legacy table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Table<'a> {
    /// Which family.
    pub family: Family,
    /// The table's name.
    pub name: &'a str,
    /// Built-in chains in hook order, then user chains in table order
    /// (libiptc keeps them sorted by name).
    pub chains: Vec<Chain<'a>>,
}

/// The built-in chain name of a hook number.
pub fn hook_name(h: usize) -> &'static str {
    ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]
        .get(h)
        .copied()
        .unwrap_or("?")
}

const XT_RETURN: i32 = -5; // -NF_REPEAT - 1
const ERROR_TARGET: &str = "ERROR";

struct Raw<'a> {
    next: u32,
    entry: Entry<'a>,
    /// A standard target's raw verdict, an `ERROR` target's name.
    verdict: Option<i32>,
    error: Option<&'a str>,
}

fn unconditional(e: &Entry<'_>) -> bool {
    let zero = |b: &[u8]| b.iter().all(|&x| x == 0);
    let ip = &e.ip;
    e.matches.is_empty()
        && zero(ip.src)
        && zero(ip.dst)
        && zero(ip.smsk)
        && zero(ip.dmsk)
        && ip.iniface.is_empty()
        && ip.outiface.is_empty()
        && ip.proto.is_none()
        && !ip.fragment
        && ip.invflags == 0
}

/// The entry at `at`: its `target_offset` and `next_offset`, checked (the
/// target fits, the entry is in the buffer).
fn entry_offsets(fam: Family, r: &Rd<'_>, at: usize) -> Result<(usize, usize)> {
    let after_ip = if fam == Family::V6 { 136 } else { 84 };
    let target_offset = usize::from(r.u16(at + after_ip + 4)?);
    let next_offset = usize::from(r.u16(at + after_ip + 6)?);
    if target_offset < fam.entry_len() || next_offset < target_offset + 32 {
        return Err(DecodeError::new(
            at + after_ip + 4,
            DecodeErrorKind::BadLength,
        ));
    }
    r.bytes(at, next_offset)?;
    Ok((target_offset, next_offset))
}

fn decode_entry<'a>(fam: Family, r: &Rd<'a>, at: usize) -> Result<(Raw<'a>, usize)> {
    let v6 = fam == Family::V6;
    let alen = if v6 { 16 } else { 4 };
    let (iface_at, proto_at, after_ip) = if v6 { (64, 128, 136) } else { (16, 80, 84) };
    let iface = |i: usize| -> Result<(&'a str, bool)> {
        let name = r.name(at + iface_at + 16 * i, 16)?;
        let mask = r.bytes(at + iface_at + 32 + 16 * i, 16)?;
        // An exact name's mask also covers its NUL; a wildcard's covers
        // the name without the `+`, which iptables keeps in the name.
        let wildcard = !name.is_empty() && mask.get(name.len() - 1).copied() == Some(0);
        Ok((
            name.strip_suffix('+').filter(|_| wildcard).unwrap_or(name),
            wildcard,
        ))
    };
    let (iniface, iniface_wildcard) = iface(0)?;
    let (outiface, outiface_wildcard) = iface(1)?;
    let proto = r.u16(at + proto_at)?;
    let (flags, invflags) = if v6 {
        (r.u8(at + 131)?, r.u8(at + 132)?)
    } else {
        (r.u8(at + 82)?, r.u8(at + 83)?)
    };
    let proto = match v6 {
        // IP6T_F_PROTO
        true => (flags & 0x01 != 0).then_some(proto as u8),
        false => (proto != 0).then_some(proto as u8),
    };
    let ip = IpHeader {
        src: r.bytes(at, alen)?,
        dst: r.bytes(at + alen, alen)?,
        smsk: r.bytes(at + 2 * alen, alen)?,
        dmsk: r.bytes(at + 3 * alen, alen)?,
        iniface,
        iniface_wildcard,
        outiface,
        outiface_wildcard,
        proto,
        fragment: !v6 && flags & 0x01 != 0,
        goto: flags & if v6 { 0x04 } else { 0x02 } != 0,
        invflags,
    };
    let (target_offset, next_offset) = entry_offsets(fam, r, at)?;
    // Counters are 8-aligned: 96 in ipt_entry, 152 in ip6t_entry.
    let counters_at = at + ((after_ip + 12 + 7) & !7);
    let counters = (r.u64(counters_at)?, r.u64(counters_at + 8)?);
    let elen = fam.entry_len();
    let blob = |p: usize, size: usize| -> Result<XtBlob<'a>> {
        Ok(XtBlob {
            name: r.name(p + 2, 29)?,
            rev: r.u8(p + 31)?,
            info: r.bytes(p + 32, size - 32)?,
        })
    };
    let mut matches = Vec::new();
    let mut p = at + elen;
    while p < at + target_offset {
        let size = usize::from(r.u16(p)?);
        if size < 32 || p + size > at + target_offset {
            return Err(DecodeError::new(p, DecodeErrorKind::BadLength));
        }
        matches.push(blob(p, size)?);
        p += size;
    }
    let tp = at + target_offset;
    let tsize = usize::from(r.u16(tp)?);
    if tsize < 32 || target_offset + tsize > next_offset {
        return Err(DecodeError::new(tp, DecodeErrorKind::BadLength));
    }
    let t = blob(tp, tsize)?;
    let (verdict, error) = match t.name {
        "" => (Some(r.u32(tp + 32)? as i32), None),
        ERROR_TARGET => (None, Some(r.name(tp + 32, 30)?)),
        _ => (None, None),
    };
    let target = match t.name {
        "" | ERROR_TARGET => Target::None,
        _ => Target::Xt(t),
    };
    let raw = Raw {
        next: (at + next_offset) as u32,
        entry: Entry {
            offset: at as u32,
            ip,
            counters,
            matches,
            target,
        },
        verdict,
        error,
    };
    Ok((raw, next_offset))
}

impl<'a> Table<'a> {
    /// Each chain's name and number of rules, as [`Table::decode`] gives
    /// them (`decode(..).chains`, name and `rules.len()`), without decoding
    /// the rules: only targets are read (and the last entry of each user
    /// chain, which may be its foot). For a caller that only counts.
    pub fn chain_sizes(
        fam: Family,
        info: &Info,
        entries: &'a [u8],
    ) -> Result<Vec<(&'a str, usize)>> {
        let r = Rd(entries);
        let mut out: Vec<(&'a str, usize)> = Vec::new();
        // The current chain is a user chain, and its last entry so far.
        let (mut user, mut last) = (false, None::<usize>);
        // A user chain's foot (an unconditional RETURN as its last entry)
        // is not a rule.
        let close =
            |out: &mut Vec<(&'a str, usize)>, user: bool, last: Option<usize>| -> Result<()> {
                if let (true, Some(at), Some(c)) = (user, last, out.last_mut()) {
                    let (raw, _) = decode_entry(fam, &r, at)?;
                    if raw.verdict == Some(XT_RETURN) && unconditional(&raw.entry) {
                        c.1 -= 1;
                    }
                }
                Ok(())
            };
        let mut at = 0;
        while at < entries.len() {
            let (target_offset, next) = entry_offsets(fam, &r, at)?;
            let tp = at + target_offset;
            if r.name(tp + 2, 29)? == ERROR_TARGET {
                close(&mut out, user, last)?;
                let name = r.name(tp + 32, 30)?;
                if name == ERROR_TARGET {
                    break;
                }
                out.push((name, 0));
                (user, last) = (true, None);
            } else {
                let off = at as u32;
                if let Some(h) = info.hook_at(off) {
                    close(&mut out, user, last)?;
                    out.push((hook_name(h.into()), 0));
                    (user, last) = (false, None);
                }
                let Some(c) = out.last_mut() else {
                    return Err(DecodeError::new(
                        at,
                        DecodeErrorKind::MissingAttr("chain head"),
                    ));
                };
                if user || !info.is_underflow(off) {
                    c.1 += 1;
                    last = Some(at);
                }
            }
            at += next;
        }
        Ok(out)
    }

    /// Decodes the entries (the bytes after the 40-byte `ipt_get_entries`
    /// header) of table `name`, with the hook offsets from `info`.
    pub fn decode(fam: Family, name: &'a str, info: &Info, entries: &'a [u8]) -> Result<Table<'a>> {
        let r = Rd(entries);
        let mut raws = Vec::with_capacity(info.num_entries.min(1 << 20) as usize);
        let mut at = 0;
        while at < entries.len() {
            let (raw, next) = decode_entry(fam, &r, at)?;
            raws.push(raw);
            at += next;
        }
        // Chain heads: the first entry of each chain, by offset.
        let mut starts: Vec<(u32, &'a str)> = Vec::new();
        for (h, first, _) in info.hooks() {
            starts.push((first, hook_name(h.into())));
        }
        for w in raws.iter() {
            if let Some(n) = w.error.filter(|&n| n != ERROR_TARGET) {
                starts.push((w.next, n));
            }
        }
        // By offset, for the jump lookups (thousands of chains in a
        // kube-proxy table: a linear search per entry would be quadratic).
        starts.sort_by_key(|s| s.0);
        let chain_at = |off: u32| {
            starts
                .binary_search_by_key(&off, |s| s.0)
                .ok()
                .and_then(|i| starts.get(i))
                .map(|s| s.1)
        };

        let mut chains: Vec<Chain<'a>> = Vec::new();
        // Whether the entry after each one is an ERROR entry (a user chain's
        // head or the table's end): then it is the last of its chain.
        let last: Vec<bool> = (0..raws.len())
            .map(|i| raws.get(i + 1).is_some_and(|w| w.error.is_some()))
            .collect();
        for (w, last) in raws.into_iter().zip(last) {
            if let Some(name) = w.error {
                if name == ERROR_TARGET {
                    break;
                }
                chains.push(Chain {
                    name,
                    hook: None,
                    policy: None,
                    rules: Vec::new(),
                });
                continue;
            }
            if let Some(h) = info.hook_at(w.entry.offset) {
                chains.push(Chain {
                    name: hook_name(h.into()),
                    hook: Some(h),
                    policy: None,
                    rules: Vec::new(),
                });
            }
            let mut entry = w.entry;
            if let Some(v) = w.verdict {
                entry.target = match v {
                    -1 => Target::Drop,
                    -2 => Target::Accept,
                    -4 => Target::Queue,
                    XT_RETURN => Target::Return,
                    v if v >= 0 && v as u32 == w.next && chain_at(v as u32).is_none() => {
                        Target::None
                    }
                    v if v >= 0 => match chain_at(v as u32) {
                        Some(c) if entry.ip.goto => Target::Goto(c),
                        Some(c) => Target::Jump(c),
                        None => Target::Verdict(v),
                    },
                    v => Target::Verdict(v),
                };
            }
            let Some(chain) = chains.last_mut() else {
                return Err(DecodeError::new(
                    entry.offset as usize,
                    DecodeErrorKind::MissingAttr("chain head"),
                ));
            };
            if chain.hook.is_some() && info.is_underflow(entry.offset) {
                chain.policy = Some((entry.target, entry.counters));
                continue;
            }
            // A user chain's foot: the unconditional RETURN that ends it.
            if chain.hook.is_none()
                && last
                && entry.target == Target::Return
                && unconditional(&entry)
            {
                continue;
            }
            chain.rules.push(entry);
        }
        Ok(Table {
            family: fam,
            name,
            chains,
        })
    }
}
