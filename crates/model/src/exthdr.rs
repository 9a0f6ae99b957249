//! What the `exthdr` expression finds in a packet: IPv6 extension headers,
//! TCP options, IPv4 options, SCTP chunks and DCCP options, and the fields
//! nft names in them (`frag frag-off`, `tcp option maxseg size`,
//! `sctp chunk init num-inbound-streams`).
//!
//! The layouts are the protocols' own (RFC 8200, 6275 and 8754 for IPv6;
//! 9293, 7323, 8684 for TCP; 791 for IPv4; 9260 for SCTP), at the bit
//! offsets nft's exthdr, tcpopt, ipopt and sctp_chunk templates use, so a
//! field nflens names is the one nft lists.

use std::fmt;

use crate::field::Datatype;

/// Which family of headers or options an [`ExtHdr`] is one of: the
/// kernel's `NFT_EXTHDR_OP_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtKind {
    /// An IPv6 extension header, by next-header number
    /// (`NFT_EXTHDR_OP_IPV6`).
    Ipv6,
    /// A TCP option, by kind (`NFT_EXTHDR_OP_TCPOPT`).
    TcpOpt,
    /// An IPv4 option, by type (`NFT_EXTHDR_OP_IPV4`).
    IpOpt,
    /// An SCTP chunk, by type (`NFT_EXTHDR_OP_SCTP`).
    SctpChunk,
    /// A DCCP option, by type (`NFT_EXTHDR_OP_DCCP`).
    DccpOpt,
}

impl ExtKind {
    /// From `NFTA_EXTHDR_OP`.
    pub fn from_kernel(op: u32) -> Option<ExtKind> {
        Some(match op {
            0 => ExtKind::Ipv6,
            1 => ExtKind::TcpOpt,
            2 => ExtKind::IpOpt,
            3 => ExtKind::SctpChunk,
            4 => ExtKind::DccpOpt,
            _ => return None,
        })
    }

    /// `NFTA_EXTHDR_OP`.
    pub fn op(self) -> u32 {
        self as u32
    }

    /// The words nft writes before the header's name (`exthdr` only when
    /// it tests presence: `exthdr frag exists`, but `frag id 1`).
    fn prefix(self) -> &'static str {
        match self {
            ExtKind::Ipv6 => "exthdr",
            ExtKind::TcpOpt => "tcp option",
            ExtKind::IpOpt => "ip option",
            ExtKind::SctpChunk => "sctp chunk",
            ExtKind::DccpOpt => "dccp option",
        }
    }
}

/// One extension header, option or chunk type: `frag` (IPv6 next header
/// 44), TCP option `maxseg` (kind 2), SCTP chunk `init` (type 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtHdr {
    /// Which protocol's headers or options.
    pub kind: ExtKind,
    /// The type number (`NFTA_EXTHDR_TYPE`).
    pub num: u8,
}

const NAMES: &[(ExtKind, u8, &str)] = &[
    (ExtKind::Ipv6, 0, "hbh"),
    (ExtKind::Ipv6, 43, "rt"),
    (ExtKind::Ipv6, 44, "frag"),
    (ExtKind::Ipv6, 60, "dst"),
    (ExtKind::Ipv6, 135, "mh"),
    (ExtKind::TcpOpt, 0, "eol"),
    (ExtKind::TcpOpt, 1, "nop"),
    (ExtKind::TcpOpt, 2, "maxseg"),
    (ExtKind::TcpOpt, 3, "window"),
    (ExtKind::TcpOpt, 4, "sack-perm"),
    (ExtKind::TcpOpt, 5, "sack"),
    (ExtKind::TcpOpt, 8, "timestamp"),
    (ExtKind::TcpOpt, 19, "md5sig"),
    (ExtKind::TcpOpt, 30, "mptcp"),
    (ExtKind::TcpOpt, 34, "fastopen"),
    (ExtKind::IpOpt, 7, "rr"),
    (ExtKind::IpOpt, 131, "lsrr"),
    (ExtKind::IpOpt, 137, "ssrr"),
    (ExtKind::IpOpt, 148, "ra"),
    (ExtKind::SctpChunk, 0, "data"),
    (ExtKind::SctpChunk, 1, "init"),
    (ExtKind::SctpChunk, 2, "init-ack"),
    (ExtKind::SctpChunk, 3, "sack"),
    (ExtKind::SctpChunk, 4, "heartbeat"),
    (ExtKind::SctpChunk, 5, "heartbeat-ack"),
    (ExtKind::SctpChunk, 6, "abort"),
    (ExtKind::SctpChunk, 7, "shutdown"),
    (ExtKind::SctpChunk, 8, "shutdown-ack"),
    (ExtKind::SctpChunk, 9, "error"),
    (ExtKind::SctpChunk, 10, "cookie-echo"),
    (ExtKind::SctpChunk, 11, "cookie-ack"),
    (ExtKind::SctpChunk, 12, "ecne"),
    (ExtKind::SctpChunk, 13, "cwr"),
    (ExtKind::SctpChunk, 14, "shutdown-complete"),
    (ExtKind::SctpChunk, 128, "asconf-ack"),
    (ExtKind::SctpChunk, 192, "forward-tsn"),
    (ExtKind::SctpChunk, 193, "asconf"),
];

impl ExtHdr {
    /// From `NFTA_EXTHDR_OP` and `NFTA_EXTHDR_TYPE`.
    pub fn from_kernel(op: u32, ty: u8) -> Option<ExtHdr> {
        ExtKind::from_kernel(op).map(|kind| ExtHdr { kind, num: ty })
    }

    /// nft's name for the type (`frag`, `sack-perm`, `init-ack`); DCCP
    /// options and types nft does not know have none.
    pub fn name(self) -> Option<&'static str> {
        NAMES
            .iter()
            .find(|(k, n, _)| *k == self.kind && *n == self.num)
            .map(|(_, _, s)| *s)
    }

    fn by_name(kind: ExtKind, s: &str) -> Option<ExtHdr> {
        NAMES
            .iter()
            .find(|(k, _, name)| *k == kind && *name == s)
            .map(|&(kind, num, _)| ExtHdr { kind, num })
            .or_else(|| {
                // A number where nft prints one (`tcp option 6`,
                // `dccp option 43`); never for a type nft names.
                let num: u8 = s.parse().ok()?;
                let h = ExtHdr { kind, num };
                h.name().is_none().then_some(h)
            })
    }
}

/// A field nft names inside an extension header, option or chunk.
struct ExtField {
    kind: ExtKind,
    /// The type it is in; `None`: every type of `kind` nft names (the
    /// common type, flags and length of an SCTP chunk; kind and length of
    /// a TCP option).
    num: Option<u8>,
    /// The name nft prints for the header when it is not the type's own:
    /// `srh` and `rt0` for routing-header layouts, `sack1` for the second
    /// SACK block.
    desc: Option<&'static str>,
    name: &'static str,
    /// Bits from the start of the header, option or chunk.
    offset: u16,
    /// Bits.
    len: u16,
    ty: Datatype,
}

const fn x(
    kind: ExtKind,
    num: Option<u8>,
    desc: Option<&'static str>,
    name: &'static str,
    offset: u16,
    len: u16,
    ty: Datatype,
) -> ExtField {
    ExtField {
        kind,
        num,
        desc,
        name,
        offset,
        len,
        ty,
    }
}

use Datatype as D;
use ExtKind as K;

/// In the order nft looks for a template: within one type first the
/// type's own, and for the routing header (43) the generic layout, then
/// the segment routing header (`srh`), then type 0 (`rt0`).
const FIELDS: &[ExtField] = &[
    x(K::Ipv6, Some(0), None, "nexthdr", 0, 8, D::InetProto),
    x(K::Ipv6, Some(0), None, "hdrlength", 8, 8, D::Integer),
    x(K::Ipv6, Some(43), None, "nexthdr", 0, 8, D::InetProto),
    x(K::Ipv6, Some(43), None, "hdrlength", 8, 8, D::Integer),
    x(K::Ipv6, Some(43), None, "type", 16, 8, D::Integer),
    x(K::Ipv6, Some(43), None, "seg-left", 24, 8, D::Integer),
    x(
        K::Ipv6,
        Some(43),
        Some("srh"),
        "last-entry",
        32,
        8,
        D::Integer,
    ),
    x(K::Ipv6, Some(43), Some("srh"), "flags", 40, 8, D::Integer),
    x(K::Ipv6, Some(43), Some("srh"), "tag", 48, 16, D::Integer),
    x(K::Ipv6, Some(43), Some("srh"), "sid[1]", 64, 128, D::Ipv6),
    x(K::Ipv6, Some(43), Some("srh"), "sid[2]", 192, 128, D::Ipv6),
    x(
        K::Ipv6,
        Some(43),
        Some("rt0"),
        "reserved",
        32,
        32,
        D::Integer,
    ),
    x(K::Ipv6, Some(44), None, "nexthdr", 0, 8, D::InetProto),
    x(K::Ipv6, Some(44), None, "reserved", 8, 8, D::Integer),
    x(K::Ipv6, Some(44), None, "frag-off", 16, 13, D::Integer),
    x(K::Ipv6, Some(44), None, "reserved2", 29, 2, D::Integer),
    x(K::Ipv6, Some(44), None, "more-fragments", 31, 1, D::Integer),
    x(K::Ipv6, Some(44), None, "id", 32, 32, D::Integer),
    x(K::Ipv6, Some(60), None, "nexthdr", 0, 8, D::InetProto),
    x(K::Ipv6, Some(60), None, "hdrlength", 8, 8, D::Integer),
    x(K::Ipv6, Some(135), None, "nexthdr", 0, 8, D::InetProto),
    x(K::Ipv6, Some(135), None, "hdrlength", 8, 8, D::Integer),
    x(K::Ipv6, Some(135), None, "type", 16, 8, D::MhType),
    x(K::Ipv6, Some(135), None, "reserved", 24, 8, D::Integer),
    x(K::Ipv6, Some(135), None, "checksum", 32, 16, D::Integer),
    x(K::TcpOpt, None, None, "kind", 0, 8, D::Integer),
    x(K::TcpOpt, None, None, "length", 8, 8, D::Integer),
    x(K::TcpOpt, Some(2), None, "size", 16, 16, D::Integer),
    x(K::TcpOpt, Some(3), None, "count", 16, 8, D::Integer),
    x(K::TcpOpt, Some(5), None, "left", 16, 32, D::Integer),
    x(K::TcpOpt, Some(5), None, "right", 48, 32, D::Integer),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack1"),
        "left",
        80,
        32,
        D::Integer,
    ),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack1"),
        "right",
        112,
        32,
        D::Integer,
    ),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack2"),
        "left",
        144,
        32,
        D::Integer,
    ),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack2"),
        "right",
        176,
        32,
        D::Integer,
    ),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack3"),
        "left",
        208,
        32,
        D::Integer,
    ),
    x(
        K::TcpOpt,
        Some(5),
        Some("sack3"),
        "right",
        240,
        32,
        D::Integer,
    ),
    x(K::TcpOpt, Some(8), None, "tsval", 16, 32, D::Integer),
    x(K::TcpOpt, Some(8), None, "tsecr", 48, 32, D::Integer),
    x(K::TcpOpt, Some(30), None, "subtype", 16, 4, D::MptcpSubtype),
    x(K::IpOpt, None, None, "type", 0, 8, D::Integer),
    x(K::IpOpt, None, None, "length", 8, 8, D::Integer),
    x(K::IpOpt, Some(7), None, "ptr", 16, 8, D::Integer),
    x(K::IpOpt, Some(7), None, "addr", 24, 32, D::Integer),
    x(K::IpOpt, Some(131), None, "ptr", 16, 8, D::Integer),
    x(K::IpOpt, Some(131), None, "addr", 24, 32, D::Integer),
    x(K::IpOpt, Some(137), None, "ptr", 16, 8, D::Integer),
    x(K::IpOpt, Some(137), None, "addr", 24, 32, D::Integer),
    x(K::IpOpt, Some(148), None, "value", 16, 16, D::Integer),
    x(K::SctpChunk, None, None, "type", 0, 8, D::Integer),
    x(K::SctpChunk, None, None, "flags", 8, 8, D::Integer),
    x(K::SctpChunk, None, None, "length", 16, 16, D::Integer),
    x(K::SctpChunk, Some(0), None, "tsn", 32, 32, D::Integer),
    x(K::SctpChunk, Some(0), None, "stream", 64, 16, D::Integer),
    x(K::SctpChunk, Some(0), None, "ssn", 80, 16, D::Integer),
    x(K::SctpChunk, Some(0), None, "ppid", 96, 32, D::Integer),
    x(K::SctpChunk, Some(1), None, "init-tag", 32, 32, D::Integer),
    x(K::SctpChunk, Some(1), None, "a-rwnd", 64, 32, D::Integer),
    x(
        K::SctpChunk,
        Some(1),
        None,
        "num-outbound-streams",
        96,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(1),
        None,
        "num-inbound-streams",
        112,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(1),
        None,
        "initial-tsn",
        128,
        32,
        D::Integer,
    ),
    x(K::SctpChunk, Some(2), None, "init-tag", 32, 32, D::Integer),
    x(K::SctpChunk, Some(2), None, "a-rwnd", 64, 32, D::Integer),
    x(
        K::SctpChunk,
        Some(2),
        None,
        "num-outbound-streams",
        96,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(2),
        None,
        "num-inbound-streams",
        112,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(2),
        None,
        "initial-tsn",
        128,
        32,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(3),
        None,
        "cum-tsn-ack",
        32,
        32,
        D::Integer,
    ),
    x(K::SctpChunk, Some(3), None, "a-rwnd", 64, 32, D::Integer),
    x(
        K::SctpChunk,
        Some(3),
        None,
        "num-gap-ack-blocks",
        96,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(3),
        None,
        "num-dup-tsns",
        112,
        16,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(7),
        None,
        "cum-tsn-ack",
        32,
        32,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(12),
        None,
        "lowest-tsn",
        32,
        32,
        D::Integer,
    ),
    x(
        K::SctpChunk,
        Some(13),
        None,
        "lowest-tsn",
        32,
        32,
        D::Integer,
    ),
    x(K::SctpChunk, Some(128), None, "seqno", 32, 32, D::Integer),
    x(
        K::SctpChunk,
        Some(192),
        None,
        "new-cum-tsn",
        32,
        32,
        D::Integer,
    ),
    x(K::SctpChunk, Some(193), None, "seqno", 32, 32, D::Integer),
];

impl ExtField {
    /// Whether the field is one of `h`'s.
    fn of(&self, h: ExtHdr) -> bool {
        self.kind == h.kind
            && match self.num {
                Some(n) => n == h.num,
                // End of options and no-operation are a kind byte alone.
                None => {
                    h.name().is_some()
                        && !(h.kind == K::TcpOpt && h.num <= 1 && self.name == "length")
                }
            }
    }
}

/// The named fields of `h`, in lookup order: `(bit offset, bit length)`.
pub(crate) fn fields(h: ExtHdr) -> impl Iterator<Item = (u32, u32)> {
    FIELDS
        .iter()
        .filter(move |f| f.of(h))
        .map(|f| (u32::from(f.offset), u32::from(f.len)))
}

fn field(h: ExtHdr, offset: u32, len: u32) -> Option<&'static ExtField> {
    FIELDS
        .iter()
        .find(|f| f.of(h) && u32::from(f.offset) == offset && u32::from(f.len) == len)
}

/// How values of bits `offset`, `len` of `h` print.
pub(crate) fn datatype(h: ExtHdr, offset: u32, len: u32) -> Datatype {
    field(h, offset, len).map_or(D::Integer, |f| f.ty)
}

/// Whether nft has a spelling for raw bits of `h` (only TCP options:
/// `tcp option @255,8,8`).
pub(crate) fn raw_allowed(h: ExtHdr) -> bool {
    h.kind == K::TcpOpt
}

/// `exthdr frag`, `tcp option sack-perm`, `tcp option 6`: what is tested
/// for presence.
pub(crate) fn fmt_present(h: ExtHdr, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match h.name() {
        Some(n) => write!(f, "{} {n}", h.kind.prefix()),
        None => write!(f, "{} {}", h.kind.prefix(), h.num),
    }
}

/// `frag frag-off`, `tcp option sack1 left`, `sctp chunk init flags`,
/// `tcp option @255,8,8` (raw bits, nft's spelling for TCP options and
/// nflens's for the others).
pub(crate) fn fmt_field(
    h: ExtHdr,
    offset: u32,
    len: u32,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    match (field(h, offset, len), h.name()) {
        (Some(d), Some(name)) => {
            let desc = d.desc.unwrap_or(name);
            match h.kind {
                K::Ipv6 => write!(f, "{desc} {}", d.name),
                k => write!(f, "{} {desc} {}", k.prefix(), d.name),
            }
        }
        _ => write!(f, "{} @{},{offset},{len}", h.kind.prefix(), h.num),
    }
}

/// What [`fmt_present`] (`present`) or [`fmt_field`] wrote, read back.
pub(crate) fn parse(s: &str) -> Option<(ExtHdr, Option<(u32, u32)>)> {
    for kind in [K::Ipv6, K::TcpOpt, K::IpOpt, K::SctpChunk, K::DccpOpt] {
        let Some(rest) = s
            .strip_prefix(kind.prefix())
            .and_then(|r| r.strip_prefix(' '))
        else {
            continue;
        };
        if let Some(raw) = rest.strip_prefix('@') {
            let mut it = raw.split(',').map(str::parse::<u32>);
            let (Some(Ok(num)), Some(Ok(offset)), Some(Ok(len)), None) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                return None;
            };
            let num = u8::try_from(num).ok()?;
            return Some((ExtHdr { kind, num }, Some((offset, len))));
        }
        if kind == K::Ipv6 {
            return ExtHdr::by_name(kind, rest).map(|h| (h, None));
        }
        return match rest.split_once(' ') {
            None => ExtHdr::by_name(kind, rest).map(|h| (h, None)),
            Some((desc, name)) => named(kind, desc, name),
        };
    }
    // An IPv6 header's field: `frag id`, `srh sid[1]`.
    let (desc, name) = s.split_once(' ')?;
    named(K::Ipv6, desc, name)
}

/// The field `name` of the header nft calls `desc` (`sack1`, `srh`).
fn named(kind: ExtKind, desc: &str, name: &str) -> Option<(ExtHdr, Option<(u32, u32)>)> {
    FIELDS.iter().find_map(|f| {
        if f.kind != kind || f.name != name {
            return None;
        }
        let h = match (f.desc, f.num) {
            (Some(d), Some(num)) if d == desc => ExtHdr { kind, num },
            (None, Some(num)) if (ExtHdr { kind, num }).name() == Some(desc) => {
                ExtHdr { kind, num }
            }
            (None, None) => ExtHdr::by_name(kind, desc).filter(|h| f.of(*h))?,
            _ => return None,
        };
        Some((h, Some((u32::from(f.offset), u32::from(f.len)))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Show(ExtHdr, Option<(u32, u32)>);
    impl fmt::Display for Show {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.1 {
                None => fmt_present(self.0, f),
                Some((o, l)) => fmt_field(self.0, o, l, f),
            }
        }
    }

    #[test]
    fn every_named_field_prints_and_reads_back() {
        let mut n = 0;
        for &(kind, num, _) in NAMES {
            let h = ExtHdr { kind, num };
            let s = Show(h, None).to_string();
            assert_eq!(parse(&s).map(|p| p.1), Some(None), "{s}");
            assert_eq!(parse(&s).map(|p| p.0), Some(h), "{s}");
            for (o, l) in fields(h) {
                let s = Show(h, Some((o, l))).to_string();
                assert_eq!(parse(&s), Some((h, Some((o, l)))), "{s}");
                n += 1;
            }
        }
        assert!(n > 100, "{n} fields");
        for s in [
            "exthdr frag",
            "frag frag-off",
            "srh sid[2]",
            "rt0 reserved",
            "tcp option sack1 left",
            "tcp option eol",
            "tcp option 6",
            "tcp option @255,8,8",
            "sctp chunk init-ack num-inbound-streams",
            "dccp option 43",
            "ip option ra value",
        ] {
            let (h, bits) = parse(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(Show(h, bits).to_string(), s);
        }
        // A named type is never a number, and eol has no length.
        assert_eq!(parse("tcp option 2"), None);
        assert_eq!(parse("tcp option eol length"), None);
    }
}
