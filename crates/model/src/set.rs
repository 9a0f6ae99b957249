//! Named sets and maps: nft's datatypes, `typeof` keys, and a set read
//! from the kernel as a [`NamedSet`].

use std::fmt;

use nflens_wire::sys::*;
use nflens_wire::udata::Typeof;

use crate::field::{Datatype, Key, Value};
use crate::nft::SetContents;
use crate::types::*;

/// One of nft's datatypes, by the number nft stores in the kernel
/// (`NFTA_SET_KEY_TYPE`: `ipv4_addr` is 7, `inet_service` 13).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct NftType(pub u32);

struct TypeDef {
    id: u32,
    name: &'static str,
    /// Bytes.
    width: u8,
    /// Held in host byte order.
    host: bool,
    ty: Datatype,
}

const fn t(id: u32, name: &'static str, width: u8, host: bool, ty: Datatype) -> TypeDef {
    TypeDef {
        id,
        name,
        width,
        host,
        ty,
    }
}

/// nft 1.0's datatypes a set may be declared with (`enum datatypes` in
/// nft's datatype.h; numbers, widths and byte orders as nft 1.0.6 stores
/// them, checked against its sets).
const TYPES: &[TypeDef] = &[
    t(2, "nf_proto", 1, false, Datatype::NfProto),
    t(7, "ipv4_addr", 4, false, Datatype::Ipv4),
    t(8, "ipv6_addr", 16, false, Datatype::Ipv6),
    t(9, "ether_addr", 6, false, Datatype::Ether),
    t(10, "ether_type", 2, false, Datatype::EtherType),
    t(11, "arp_op", 2, false, Datatype::ArpOp),
    t(12, "inet_proto", 1, false, Datatype::InetProto),
    t(13, "inet_service", 2, false, Datatype::InetService),
    t(14, "icmp_type", 1, false, Datatype::IcmpType),
    t(15, "tcp_flag", 1, false, Datatype::TcpFlags),
    t(16, "dccp_pkttype", 1, false, Datatype::DccpType),
    t(17, "mh_type", 1, false, Datatype::MhType),
    t(18, "time", 4, true, Datatype::Millis),
    t(19, "mark", 4, true, Datatype::Mark),
    t(20, "iface_index", 4, true, Datatype::IfIndex),
    t(21, "iface_type", 2, true, Datatype::IfType),
    t(22, "realm", 4, true, Datatype::Integer),
    t(23, "classid", 4, true, Datatype::TcHandle),
    t(24, "uid", 4, true, Datatype::Integer),
    t(25, "gid", 4, true, Datatype::Integer),
    t(26, "ct_state", 4, true, Datatype::CtState),
    t(27, "ct_dir", 1, false, Datatype::CtDir),
    t(28, "ct_status", 4, true, Datatype::CtStatus),
    t(29, "icmpv6_type", 1, false, Datatype::Icmpv6Type),
    t(31, "pkt_type", 1, false, Datatype::PktType),
    t(32, "icmp_code", 1, false, Datatype::IcmpCode),
    t(33, "icmpv6_code", 1, false, Datatype::Icmpv6Code),
    t(35, "devgroup", 4, true, Datatype::DevGroup),
    t(36, "dscp", 1, false, Datatype::Dscp),
    t(37, "ecn", 1, false, Datatype::Ecn),
    t(39, "boolean", 1, false, Datatype::Boolean),
    t(41, "ifname", 16, false, Datatype::String),
    t(42, "igmp_type", 1, false, Datatype::IgmpType),
    t(46, "cgroupsv2", 8, true, Datatype::Integer),
];

/// nft's `TYPE_BITS`: a concatenated type packs each part's number in
/// this many bits, the first part highest.
const TYPE_BITS: u32 = 6;

impl NftType {
    fn def(self) -> Option<&'static TypeDef> {
        TYPES.iter().find(|d| d.id == self.0)
    }

    /// nft's name (`ipv4_addr`), when nflens knows the type.
    pub fn name(self) -> Option<&'static str> {
        self.def().map(|d| d.name)
    }

    /// The type named `name`.
    pub fn by_name(name: &str) -> Option<NftType> {
        TYPES.iter().find(|d| d.name == name).map(|d| NftType(d.id))
    }

    /// A value's width in bytes.
    pub fn width(self) -> Option<usize> {
        self.def().map(|d| usize::from(d.width))
    }

    /// Whether the kernel holds values of it in host byte order.
    pub fn host_order(self) -> bool {
        self.def().is_some_and(|d| d.host)
    }

    /// How its values print.
    pub fn datatype(self) -> Datatype {
        self.def().map_or(Datatype::Hex, |d| d.ty)
    }

    /// The parts of a (possibly concatenated) type number, first first.
    pub fn parts(n: u32) -> Vec<NftType> {
        let mut out = Vec::new();
        let mut n = n;
        while n != 0 && out.len() < 16 {
            out.push(NftType(n & ((1 << TYPE_BITS) - 1)));
            n >>= TYPE_BITS;
        }
        out.reverse();
        out
    }
}

impl fmt::Debug for NftType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "type {}", self.0),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for NftType {
    /// nft's name, or the number for a type nflens does not name.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u32(self.0),
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for NftType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NftType, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Name(String),
            Num(u32),
        }
        match Repr::deserialize(d)? {
            Repr::Num(n) => Ok(NftType(n)),
            Repr::Name(s) => NftType::by_name(&s)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown nft datatype {s:?}"))),
        }
    }
}

impl SetField {
    /// A value's width in bytes.
    pub fn width(&self) -> Option<usize> {
        match self {
            SetField::Type(t) => t.width(),
            SetField::Typeof(k) => Some(k.width()).filter(|&w| w > 0),
        }
    }

    /// Whether the kernel holds values in host byte order.
    pub fn host_order(&self) -> bool {
        match self {
            SetField::Type(t) => t.host_order(),
            SetField::Typeof(k) => k.host_order(),
        }
    }

    /// How its values print.
    pub fn datatype(&self) -> Datatype {
        match self {
            SetField::Type(t) => t.datatype(),
            SetField::Typeof(k) => k.datatype(),
        }
    }
}

/// nft's protocol descriptions (`enum proto_desc_id`) and their fields by
/// template index (from 1), as `typeof` stores a payload key. Only what
/// nft 1.0.6 was seen to store.
const TYPEOF_PAYLOAD: &[(u32, &str, &[&str])] = &[
    (4, "icmp", &["type", "code"]),
    (6, "udp", &["sport", "dport", "length", "checksum"]),
    (7, "udplite", &["sport", "dport"]),
    (
        8,
        "tcp",
        &[
            "sport", "dport", "sequence", "ackseq", "doff", "reserved", "flags", "window",
            "checksum", "urgptr",
        ],
    ),
    (9, "dccp", &["sport", "dport"]),
    (10, "sctp", &["sport", "dport", "vtag", "checksum"]),
    (11, "th", &["sport", "dport"]),
    (
        12,
        "ip",
        &[
            "version",
            "hdrlength",
            "dscp",
            "ecn",
            "length",
            "id",
            "frag-off",
            "ttl",
            "protocol",
            "checksum",
            "saddr",
            "daddr",
        ],
    ),
    (
        13,
        "ip6",
        &[
            "version",
            "dscp",
            "ecn",
            "flowlabel",
            "length",
            "nexthdr",
            "hoplimit",
            "saddr",
            "daddr",
        ],
    ),
    (14, "icmpv6", &["type", "code"]),
    (15, "arp", &["htype", "ptype", "hlen", "plen", "operation"]),
    (16, "vlan", &["pcp", "", "", "id"]),
    (17, "ether", &["daddr", "saddr", "type"]),
];

/// nft's expression numbers (`enum expr_types`) a `typeof` names.
const EXPR_PAYLOAD: u32 = 7;
const EXPR_META: u32 = 9;
const EXPR_CT: u32 = 12;
const EXPR_CONCAT: u32 = 13;

/// The `NFTNL_UDATA_*` TLVs of `b` (type, value), `None` if they do not
/// parse.
fn tlvs(b: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let ty = *b.get(at)?;
        let len = usize::from(*b.get(at + 1)?);
        out.push((ty, b.get(at + 2..at + 2 + len)?));
        at += 2 + len;
    }
    Some(out)
}

fn u32_le(b: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(b.try_into().ok()?))
}

/// One `typeof` expression as a key: payload, meta or ct.
fn typeof_one(expr: u32, data: &[u8]) -> Option<Key> {
    let attrs = tlvs(data)?;
    let attr = |n: u8| {
        attrs
            .iter()
            .find(|(t, _)| *t == n)
            .and_then(|(_, v)| u32_le(v))
    };
    match expr {
        EXPR_PAYLOAD => {
            let (desc, ty) = (attr(0)?, attr(1)?);
            let (_, header, fields) = TYPEOF_PAYLOAD.iter().find(|(d, _, _)| *d == desc)?;
            let field = fields.get(usize::try_from(ty).ok()?.checked_sub(1)?)?;
            if field.is_empty() {
                return None;
            }
            format!("{header} {field}").parse().ok()
        }
        EXPR_META => Some(Key::Meta(crate::MetaKey(attr(0)?))),
        EXPR_CT => {
            let reply = match attr(1)? {
                0 => Some(false),
                1 => Some(true),
                _ => None,
            };
            Some(Key::Ct {
                key: crate::CtKey(attr(0)?),
                reply,
            })
        }
        _ => None,
    }
}

/// A `typeof` as its keys (one, or a concatenation's); `None` for what
/// nflens does not read.
pub(crate) fn typeof_keys(t: &Typeof<'_>) -> Option<Vec<Key>> {
    let expr = t.expr?;
    if expr != EXPR_CONCAT {
        return Some(vec![typeof_one(expr, t.data)?]);
    }
    let mut out = Vec::new();
    for (_, part) in tlvs(t.data)? {
        let attrs = tlvs(part)?;
        let ty = attrs
            .iter()
            .find(|(t, _)| *t == 0)
            .and_then(|(_, v)| u32_le(v))?;
        let data = attrs.iter().find(|(t, _)| *t == 1).map(|(_, v)| *v)?;
        out.push(typeof_one(ty, data)?);
    }
    (!out.is_empty()).then_some(out)
}

/// The parts of a key or data: the `typeof` keys when nflens reads them
/// and they fill the length; else the datatypes of `ty`, when they do.
fn fields(ty: u32, len: u32, typeof_: Option<&Typeof<'_>>) -> Option<Vec<SetField>> {
    let fits = |widths: &[Option<usize>]| -> bool {
        let total: Option<usize> = match widths {
            [w] => *w,
            ws => ws.iter().map(|w| w.map(|w| w.div_ceil(4) * 4)).sum(),
        };
        total == Some(len as usize)
    };
    if let Some(keys) = typeof_.and_then(typeof_keys) {
        let widths: Vec<Option<usize>> = keys
            .iter()
            .map(|k| Some(k.width()).filter(|&w| w > 0))
            .collect();
        if fits(&widths) {
            return Some(keys.into_iter().map(SetField::Typeof).collect());
        }
    }
    let types = NftType::parts(ty);
    let widths: Vec<Option<usize>> = types.iter().map(|t| t.width()).collect();
    (!types.is_empty() && fits(&widths)).then(|| types.into_iter().map(SetField::Type).collect())
}

/// Bytes of one part as its value.
fn part_value(f: &SetField, b: &[u8]) -> Option<Value> {
    let width = f.width()?;
    let b = b.get(..width)?;
    let mut v = b.to_vec();
    if f.host_order() && f.datatype() != Datatype::String && cfg!(target_endian = "little") {
        v.reverse();
    }
    Some(Value(v.into()))
}

/// Register bytes of `parts` (each in whole 32-bit words when there are
/// several) as their values, each a range of one.
fn values(parts: &[SetField], b: &[u8]) -> Option<Vec<(Value, Value)>> {
    let mut at = 0;
    let mut out = Vec::with_capacity(parts.len());
    for f in parts {
        let w = f.width()?;
        let v = part_value(f, b.get(at..)?)?;
        out.push((v.clone(), v));
        at += if parts.len() > 1 {
            w.div_ceil(4) * 4
        } else {
            w
        };
    }
    Some(out)
}

/// A named set of the kernel as the model's [`NamedSet`]; `None` when
/// nflens cannot read its key (a datatype or `typeof` it does not know).
pub(crate) fn named_set(set: &nflens_wire::Set<'_>, contents: &SetContents) -> Option<NamedSet> {
    let udata = set.udata().ok();
    let key = fields(
        set.key_type,
        set.key_len,
        udata.as_ref().and_then(|u| u.key_typeof.as_ref()),
    )?;
    let data = if set.flags & NFT_SET_OBJECT != 0 {
        Some(SetData::Object(set.obj_type.unwrap_or(0)))
    } else if set.flags & NFT_SET_MAP != 0 {
        match set.data_type {
            Some(NFT_DATA_VERDICT) => Some(SetData::Verdict),
            Some(ty) => Some(SetData::Values {
                parts: fields(
                    ty,
                    set.data_len.unwrap_or(0),
                    udata.as_ref().and_then(|u| u.data_typeof.as_ref()),
                )?,
                interval: udata
                    .as_ref()
                    .and_then(|u| u.data_interval)
                    .unwrap_or(false),
            }),
            None => return None,
        }
    } else {
        None
    };
    let widths: Vec<usize> = key.iter().map(SetField::width).collect::<Option<_>>()?;
    let entries = contents.entries(&widths)?;
    let mut elems = Vec::with_capacity(entries.len());
    for (ranges, e) in entries {
        let key_vals = ranges
            .iter()
            .zip(&key)
            .map(|((lo, hi), f)| Some((part_value(f, lo)?, part_value(f, hi)?)))
            .collect::<Option<Vec<_>>>()?;
        let value = match (&data, &e.data) {
            (_, None) => None,
            (Some(SetData::Verdict), Some(crate::nft::ElemData::Verdict { code, chain })) => Some(
                ElemValue::Verdict(crate::nft::elem_verdict(*code, chain.as_deref())?),
            ),
            (Some(SetData::Values { parts, .. }), Some(crate::nft::ElemData::Value(b))) => {
                Some(ElemValue::Values(values(parts, b)?))
            }
            _ => return None,
        };
        let value = match (&data, &e.objref) {
            (Some(SetData::Object(_)), Some(name)) => Some(ElemValue::Object(name.clone())),
            _ => value,
        };
        elems.push(SetElem {
            key: key_vals,
            data: value,
            timeout: e.timeout,
            expires: e.expires,
            comment: e.comment.clone(),
        });
    }
    sort_elems(&key, &mut elems);
    Some(declared(set, udata.as_ref(), key, data, elems))
}

/// A named set with its declaration as the kernel holds it: name,
/// handle, flags, policy, size, timeouts, and the userdata's auto-merge
/// and comment.
fn declared(
    set: &nflens_wire::Set<'_>,
    udata: Option<&nflens_wire::udata::SetUdata<'_>>,
    key: Vec<SetField>,
    data: Option<SetData>,
    elems: Vec<SetElem>,
) -> NamedSet {
    NamedSet {
        name: set.name.into(),
        handle: Some(set.handle),
        key,
        data,
        flags: SetFlags::from_bits_retain(set.flags),
        policy_memory: set.policy == Some(NFT_SET_POL_MEMORY),
        size: set.size,
        timeout: set.timeout,
        gc_interval: set.gc_interval.map(u64::from),
        auto_merge: udata.and_then(|u| u.merge_elements).unwrap_or(false),
        comment: udata.and_then(|u| u.comment).map(Into::into),
        elems,
    }
}

/// Sorts elements as nft lists them: by value (a name as a host-order
/// number; a concatenation's bytes as one host-order number, its last
/// byte the most significant), the catch-all last.
fn sort_elems(key: &[SetField], elems: &mut [SetElem]) {
    let by_bytes_reversed = key.len() > 1 || key[0].datatype() == Datatype::String;
    if by_bytes_reversed {
        elems.sort_by_cached_key(|e| {
            let mut k: Vec<u8> = e
                .key
                .iter()
                .rev()
                .flat_map(|(lo, _)| lo.0.iter().rev().copied())
                .collect();
            k.insert(0, u8::from(e.key.is_empty()));
            k
        });
    } else {
        elems.sort_by(|a, b| (a.key.is_empty(), &a.key).cmp(&(b.key.is_empty(), &b.key)));
    }
}

/// A named set whose key nflens cannot read (a datatype or `typeof` it
/// does not know): its type number, and each element's key and data as
/// one value of their bytes, so that nothing is dropped.
pub(crate) fn unread_set(set: &nflens_wire::Set<'_>, contents: &SetContents) -> NamedSet {
    let elems = contents
        .elems
        .iter()
        .map(|e| {
            let v = Value(e.key.clone());
            SetElem {
                key: if e.is_catchall() {
                    Vec::new()
                } else {
                    vec![(v.clone(), e.key_end.clone().map_or(v, Value))]
                },
                data: match &e.data {
                    Some(crate::nft::ElemData::Value(b)) => {
                        let v = Value(b.clone());
                        Some(ElemValue::Values(vec![(v.clone(), v)]))
                    }
                    Some(crate::nft::ElemData::Verdict { code, chain }) => {
                        crate::nft::elem_verdict(*code, chain.as_deref()).map(ElemValue::Verdict)
                    }
                    None => e.objref.clone().map(ElemValue::Object),
                },
                timeout: e.timeout,
                expires: e.expires,
                comment: e.comment.clone(),
            }
        })
        .collect();
    let data = (set.flags & NFT_SET_MAP != 0).then(|| match set.data_type {
        Some(NFT_DATA_VERDICT) => SetData::Verdict,
        ty => SetData::Values {
            parts: vec![SetField::Type(NftType(ty.unwrap_or(0)))],
            interval: false,
        },
    });
    declared(
        set,
        set.udata().ok().as_ref(),
        vec![SetField::Type(NftType(set.key_type))],
        data,
        elems,
    )
}
