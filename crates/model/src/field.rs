//! Named header fields and packet keys: what an nf_tables rule compares
//! when the model has no narrower kind for it (`ip dscp cs1`,
//! `tcp window 8`, `meta priority 1:2`, `ct zone 23`, `@nh,8,8 0x10`).
//!
//! A [`Key`] names what is read as nft names it; a [`FieldTest`] says how
//! it is compared. Values are big-endian bytes of the key's width, with a
//! sub-byte field shifted down to its own bits (`ip dscp cs1` holds `0x08`,
//! not the `0x20` the kernel compares in the header's second byte), so
//! equal meaning is an equal value however the rule was written.
//!
//! The header layouts are the protocols' own (RFC 791, 8200, 793, ...), in
//! the bit offsets nft's protocol templates use.

use std::fmt;

pub use crate::exthdr::{ExtHdr, ExtKind};

#[cfg(feature = "serde")]
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where a payload offset counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum PayloadBase {
    /// The link-layer header (`@ll`).
    Ll,
    /// The network header (`@nh`).
    Nh,
    /// The transport header (`@th`).
    Th,
    /// The inner header of a tunnel (`@ih`).
    Ih,
}

impl PayloadBase {
    /// The kernel's `NFT_PAYLOAD_*_HEADER` number.
    pub fn from_kernel(base: u32) -> Option<PayloadBase> {
        Some(match base {
            0 => PayloadBase::Ll,
            1 => PayloadBase::Nh,
            2 => PayloadBase::Th,
            3 => PayloadBase::Ih,
            _ => return None,
        })
    }

    /// nft's token (`ll`, `nh`, `th`, `ih`).
    pub fn token(self) -> &'static str {
        match self {
            PayloadBase::Ll => "ll",
            PayloadBase::Nh => "nh",
            PayloadBase::Th => "th",
            PayloadBase::Ih => "ih",
        }
    }
}

/// How nft prints a key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Datatype {
    /// Decimal.
    Integer,
    /// `0x` hexadecimal.
    Hex,
    /// The IPv4 fragment field: decimal in nft 1.0, `0x` hexadecimal from
    /// nft 1.1 on.
    FragOff,
    /// A mark: `0x%08x`.
    Mark,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// An IPv4 or IPv6 address, by the value's width.
    IpAddr,
    /// An Ethernet address.
    Ether,
    /// An IP protocol number (`tcp`, or the number with `-p`).
    InetProto,
    /// A transport port.
    InetService,
    /// An Ethernet protocol (`ip`, `8021q`, else `0x%04x`).
    EtherType,
    /// A DiffServ code point (`cs1`, `af41`, else `0x%02x`).
    Dscp,
    /// An ECN codepoint (`not-ect`, `ect1`, `ect0`, `ce`).
    Ecn,
    /// An ICMP type.
    IcmpType,
    /// An ICMPv6 type.
    Icmpv6Type,
    /// An ICMP code (`frag-needed`; nft names eight of them).
    IcmpCode,
    /// An ICMPv6 code (`port-unreachable`).
    Icmpv6Code,
    /// An IGMP type.
    IgmpType,
    /// TCP flags.
    TcpFlags,
    /// An ARP operation.
    ArpOp,
    /// A DCCP packet type.
    DccpType,
    /// A device type (`ether`, `ppp`, ...: ARPHRD_*).
    IfType,
    /// A netfilter family (`ipv4`, `ipv6`).
    NfProto,
    /// A traffic-control handle (`1:2`, `root`, `none`).
    TcHandle,
    /// A device group (`"default"`, else the number).
    DevGroup,
    /// A routing realm (`"cosmos"` for 0, iproute2's default
    /// `rt_realms`, else the number).
    Realm,
    /// A route's address type (`local`, `broadcast`: `RTN_*`).
    FibAddrType,
    /// An interface index (`"lo"` for 1, else the number).
    IfIndex,
    /// An interface or other name, quoted.
    String,
    /// Nanoseconds since the epoch (`"2019-06-21 17:00:00"`, UTC).
    Time,
    /// A day of the week (`"Saturday"`).
    Day,
    /// Seconds since midnight (`"17:00"`, UTC).
    Hour,
    /// `exists` / `missing`.
    Boolean,
    /// A packet type (`host`, `broadcast`, ...).
    PktType,
    /// Conntrack states (`established,related`).
    CtState,
    /// Conntrack status bits (`assured,dying`).
    CtStatus,
    /// Conntrack events (`new,destroy`).
    CtEvent,
    /// Conntrack labels: a bitmap, bit `n` in byte `n / 8` (nft prints
    /// the bit numbers, or names from connlabel.conf).
    CtLabel,
    /// A conntrack direction (`original`, `reply`).
    CtDir,
    /// Milliseconds, printed as nft prints a time (`3m53s`).
    Millis,
    /// IPv6 mobility header type (`binding-update`).
    MhType,
    /// MPTCP option subtype (`mp-join`).
    MptcpSubtype,
}

/// A protocol header nft names fields of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Header {
    /// Ethernet.
    Ether,
    /// 802.1Q VLAN tag (after an Ethernet header).
    Vlan,
    /// A second VLAN tag, after the first (802.1ad "QinQ": `ether type
    /// 8021ad vlan id 1 vlan type 8021q vlan id 2`). nft names its fields
    /// as the first's (`vlan id`); serialized as `vlan2 id`.
    Vlan2,
    /// ARP (Ethernet/IPv4).
    Arp,
    /// IPv4.
    Ip,
    /// IPv6.
    Ip6,
    /// ICMP.
    Icmp,
    /// ICMPv6.
    Icmpv6,
    /// IGMP.
    Igmp,
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// UDP-Lite.
    Udplite,
    /// SCTP.
    Sctp,
    /// DCCP.
    Dccp,
    /// IPsec AH.
    Ah,
    /// IPsec ESP.
    Esp,
    /// IP compression.
    Comp,
    /// GRE.
    Gre,
    /// The ports of any transport protocol (`th`).
    Th,
    /// A VXLAN header, read inside the tunnel ([`Key::Inner`]): `vxlan
    /// vni`.
    Vxlan,
    /// A Geneve header, read inside the tunnel: `geneve vni`.
    Geneve,
}

impl Header {
    /// nft's name (`ip`, `icmpv6`, `th`).
    pub fn name(self) -> &'static str {
        match self {
            Header::Ether => "ether",
            Header::Vlan | Header::Vlan2 => "vlan",
            Header::Arp => "arp",
            Header::Ip => "ip",
            Header::Ip6 => "ip6",
            Header::Icmp => "icmp",
            Header::Icmpv6 => "icmpv6",
            Header::Igmp => "igmp",
            Header::Tcp => "tcp",
            Header::Udp => "udp",
            Header::Udplite => "udplite",
            Header::Sctp => "sctp",
            Header::Dccp => "dccp",
            Header::Ah => "ah",
            Header::Esp => "esp",
            Header::Comp => "comp",
            Header::Gre => "gre",
            Header::Th => "th",
            Header::Vxlan => "vxlan",
            Header::Geneve => "geneve",
        }
    }

    /// The header a transport protocol number has.
    pub fn of_l4proto(p: u8) -> Option<Header> {
        Some(match p {
            1 => Header::Icmp,
            2 => Header::Igmp,
            6 => Header::Tcp,
            17 => Header::Udp,
            33 => Header::Dccp,
            47 => Header::Gre,
            50 => Header::Esp,
            51 => Header::Ah,
            58 => Header::Icmpv6,
            108 => Header::Comp,
            132 => Header::Sctp,
            136 => Header::Udplite,
            _ => return None,
        })
    }

    /// The transport protocol number this header is, if one.
    pub fn l4proto(self) -> Option<u8> {
        Some(match self {
            Header::Icmp => 1,
            Header::Igmp => 2,
            Header::Tcp => 6,
            Header::Udp => 17,
            Header::Dccp => 33,
            Header::Gre => 47,
            Header::Esp => 50,
            Header::Ah => 51,
            Header::Icmpv6 => 58,
            Header::Comp => 108,
            Header::Sctp => 132,
            Header::Udplite => 136,
            _ => return None,
        })
    }

    /// The payload base its offsets count from.
    pub fn base(self) -> PayloadBase {
        match self {
            Header::Ether | Header::Vlan | Header::Vlan2 => PayloadBase::Ll,
            Header::Arp | Header::Ip | Header::Ip6 => PayloadBase::Nh,
            _ => PayloadBase::Th,
        }
    }
}

struct FieldDef {
    header: Header,
    name: &'static str,
    /// Bits from the base.
    offset: u16,
    /// Bits.
    len: u16,
    ty: Datatype,
}

const fn f(header: Header, name: &'static str, offset: u16, len: u16, ty: Datatype) -> FieldDef {
    FieldDef {
        header,
        name,
        offset,
        len,
        ty,
    }
}

use Datatype as D;
use Header as H;

/// Every named field, in the order a lookup prefers them (where two
/// overlap, as ICMPv6's do, the first is the one nft names without more
/// context). VLAN offsets count from the link-layer base, after the 14
/// bytes of the Ethernet header.
const FIELDS: &[FieldDef] = &[
    f(H::Ether, "daddr", 0, 48, D::Ether),
    f(H::Ether, "saddr", 48, 48, D::Ether),
    f(H::Ether, "type", 96, 16, D::EtherType),
    f(H::Vlan, "pcp", 112, 3, D::Integer),
    f(H::Vlan, "dei", 115, 1, D::Integer),
    f(H::Vlan, "id", 116, 12, D::Integer),
    f(H::Vlan, "type", 128, 16, D::EtherType),
    f(H::Vlan2, "pcp", 144, 3, D::Integer),
    f(H::Vlan2, "dei", 147, 1, D::Integer),
    f(H::Vlan2, "id", 148, 12, D::Integer),
    f(H::Vlan2, "type", 160, 16, D::EtherType),
    f(H::Arp, "htype", 0, 16, D::Integer),
    f(H::Arp, "ptype", 16, 16, D::EtherType),
    f(H::Arp, "hlen", 32, 8, D::Integer),
    f(H::Arp, "plen", 40, 8, D::Integer),
    f(H::Arp, "operation", 48, 16, D::ArpOp),
    f(H::Arp, "saddr ether", 64, 48, D::Ether),
    f(H::Arp, "saddr ip", 112, 32, D::Ipv4),
    f(H::Arp, "daddr ether", 144, 48, D::Ether),
    f(H::Arp, "daddr ip", 192, 32, D::Ipv4),
    f(H::Ip, "version", 0, 4, D::Integer),
    f(H::Ip, "hdrlength", 4, 4, D::Integer),
    f(H::Ip, "dscp", 8, 6, D::Dscp),
    f(H::Ip, "ecn", 14, 2, D::Ecn),
    f(H::Ip, "length", 16, 16, D::Integer),
    f(H::Ip, "id", 32, 16, D::Integer),
    f(H::Ip, "frag-off", 48, 16, D::FragOff),
    f(H::Ip, "ttl", 64, 8, D::Integer),
    f(H::Ip, "protocol", 72, 8, D::InetProto),
    f(H::Ip, "checksum", 80, 16, D::Integer),
    f(H::Ip, "saddr", 96, 32, D::Ipv4),
    f(H::Ip, "daddr", 128, 32, D::Ipv4),
    f(H::Ip6, "version", 0, 4, D::Integer),
    f(H::Ip6, "dscp", 4, 6, D::Dscp),
    f(H::Ip6, "ecn", 10, 2, D::Ecn),
    f(H::Ip6, "flowlabel", 12, 20, D::Integer),
    f(H::Ip6, "length", 32, 16, D::Integer),
    f(H::Ip6, "nexthdr", 48, 8, D::InetProto),
    f(H::Ip6, "hoplimit", 56, 8, D::Integer),
    f(H::Ip6, "saddr", 64, 128, D::Ipv6),
    f(H::Ip6, "daddr", 192, 128, D::Ipv6),
    f(H::Icmp, "type", 0, 8, D::IcmpType),
    f(H::Icmp, "code", 8, 8, D::IcmpCode),
    f(H::Icmp, "checksum", 16, 16, D::Integer),
    f(H::Icmp, "id", 32, 16, D::Integer),
    f(H::Icmp, "sequence", 48, 16, D::Integer),
    f(H::Icmp, "gateway", 32, 32, D::Integer),
    f(H::Icmp, "mtu", 48, 16, D::Integer),
    f(H::Icmpv6, "type", 0, 8, D::Icmpv6Type),
    f(H::Icmpv6, "code", 8, 8, D::Icmpv6Code),
    f(H::Icmpv6, "checksum", 16, 16, D::Integer),
    f(H::Icmpv6, "parameter-problem", 32, 32, D::Integer),
    f(H::Icmpv6, "mtu", 32, 32, D::Integer),
    f(H::Icmpv6, "id", 32, 16, D::Integer),
    f(H::Icmpv6, "sequence", 48, 16, D::Integer),
    f(H::Icmpv6, "max-delay", 32, 16, D::Integer),
    f(H::Icmpv6, "taddr", 64, 128, D::Ipv6),
    f(H::Icmpv6, "daddr", 192, 128, D::Ipv6),
    f(H::Igmp, "type", 0, 8, D::IgmpType),
    f(H::Igmp, "mrt", 8, 8, D::Integer),
    f(H::Igmp, "checksum", 16, 16, D::Integer),
    f(H::Igmp, "group", 32, 32, D::Integer),
    f(H::Tcp, "sport", 0, 16, D::InetService),
    f(H::Tcp, "dport", 16, 16, D::InetService),
    f(H::Tcp, "sequence", 32, 32, D::Integer),
    f(H::Tcp, "ackseq", 64, 32, D::Integer),
    f(H::Tcp, "doff", 96, 4, D::Integer),
    f(H::Tcp, "reserved", 100, 4, D::Integer),
    f(H::Tcp, "flags", 104, 8, D::TcpFlags),
    f(H::Tcp, "window", 112, 16, D::Integer),
    f(H::Tcp, "checksum", 128, 16, D::Integer),
    f(H::Tcp, "urgptr", 144, 16, D::Integer),
    f(H::Udp, "sport", 0, 16, D::InetService),
    f(H::Udp, "dport", 16, 16, D::InetService),
    f(H::Udp, "length", 32, 16, D::Integer),
    f(H::Udp, "checksum", 48, 16, D::Integer),
    f(H::Udplite, "sport", 0, 16, D::InetService),
    f(H::Udplite, "dport", 16, 16, D::InetService),
    f(H::Udplite, "csumcov", 32, 16, D::Integer),
    f(H::Udplite, "checksum", 48, 16, D::Integer),
    f(H::Sctp, "sport", 0, 16, D::InetService),
    f(H::Sctp, "dport", 16, 16, D::InetService),
    f(H::Sctp, "vtag", 32, 32, D::Integer),
    f(H::Sctp, "checksum", 64, 32, D::Integer),
    f(H::Dccp, "sport", 0, 16, D::InetService),
    f(H::Dccp, "dport", 16, 16, D::InetService),
    f(H::Dccp, "type", 67, 4, D::DccpType),
    f(H::Ah, "nexthdr", 0, 8, D::InetProto),
    f(H::Ah, "hdrlength", 8, 8, D::Integer),
    f(H::Ah, "reserved", 16, 16, D::Integer),
    f(H::Ah, "spi", 32, 32, D::Integer),
    f(H::Ah, "sequence", 64, 32, D::Integer),
    f(H::Esp, "spi", 0, 32, D::Integer),
    f(H::Esp, "sequence", 32, 32, D::Integer),
    f(H::Comp, "nexthdr", 0, 8, D::InetProto),
    f(H::Comp, "flags", 8, 8, D::Hex),
    f(H::Comp, "cpi", 16, 16, D::Integer),
    f(H::Gre, "flags", 0, 5, D::Integer),
    f(H::Gre, "version", 13, 3, D::Integer),
    f(H::Gre, "protocol", 16, 16, D::EtherType),
    f(H::Vxlan, "flags", 0, 8, D::Hex),
    f(H::Vxlan, "vni", 32, 24, D::Integer),
    f(H::Geneve, "type", 16, 16, D::EtherType),
    f(H::Geneve, "vni", 32, 24, D::Integer),
    f(H::Th, "sport", 0, 16, D::InetService),
    f(H::Th, "dport", 16, 16, D::InetService),
];

/// A named header field (`ip dscp`, `vlan id`, `arp saddr ip`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderField(u8);

impl HeaderField {
    fn def(self) -> &'static FieldDef {
        // The index is only ever made from a position in FIELDS.
        &FIELDS[usize::from(self.0) % FIELDS.len()]
    }
    /// The header.
    pub fn header(self) -> Header {
        self.def().header
    }
    /// The field's name within its header (`dscp`, `saddr ip`).
    pub fn name(self) -> &'static str {
        self.def().name
    }
    /// Offset in bits from the header's base.
    pub fn bit_offset(self) -> u32 {
        u32::from(self.def().offset)
    }
    /// Width in bits.
    pub fn bit_len(self) -> u32 {
        u32::from(self.def().len)
    }
    /// How values print.
    pub fn datatype(self) -> Datatype {
        self.def().ty
    }
    /// The field by header and name.
    pub fn lookup(header: Header, name: &str) -> Option<HeaderField> {
        FIELDS
            .iter()
            .position(|d| d.header == header && d.name == name)
            .and_then(|i| u8::try_from(i).ok())
            .map(HeaderField)
    }
    /// The ICMP or ICMPv6 types whose messages carry this field (`icmp
    /// mtu` is in destination-unreachable messages); `None` for a field of
    /// every message, or of another header. nft names a field by the type
    /// the rule has matched, and a test of such a field implies its type.
    pub fn icmp_types(self) -> Option<&'static [u8]> {
        // Most fields are of neither header: no name is compared for them.
        if !matches!(self.header(), Header::Icmp | Header::Icmpv6) {
            return None;
        }
        let types: &'static [u8] = match (self.header(), self.name()) {
            (Header::Icmp, "id" | "sequence") => &[0, 8],
            (Header::Icmp, "gateway") => &[5],
            (Header::Icmp, "mtu") => &[3],
            (Header::Icmpv6, "id" | "sequence") => &[128, 129],
            (Header::Icmpv6, "parameter-problem") => &[4],
            (Header::Icmpv6, "mtu") => &[2],
            (Header::Icmpv6, "max-delay") => &[130],
            (Header::Icmpv6, "taddr") => &[130, 131, 132, 135, 136, 137],
            (Header::Icmpv6, "daddr") => &[137],
            _ => return None,
        };
        Some(types)
    }
    /// Whether a test of this field implies `icmp type ty` so that nft
    /// leaves that test out when listing: the field belongs to that type
    /// alone (`icmpv6 daddr` to nd-redirect; `icmpv6 taddr` belongs to six
    /// types, so nft keeps `icmpv6 type nd-neighbor-solicit` before it),
    /// and it is not an echo (nft keeps `icmp type echo-request` before
    /// `icmp id`).
    pub fn implies_icmp_type(self, ty: u8) -> bool {
        self.icmp_types() == Some(&[ty][..]) && !matches!(ty, 0 | 8 | 128 | 129)
    }
    fn all() -> impl Iterator<Item = HeaderField> {
        (0..FIELDS.len()).filter_map(|i| u8::try_from(i).ok().map(HeaderField))
    }
}

impl fmt::Debug for HeaderField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.header().name(), self.name())
    }
}

/// A `meta` key, by the kernel's `NFT_META_*` number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetaKey(pub u32);

struct KeyDef {
    num: u32,
    name: &'static str,
    /// Bytes; 0 for as long as the value.
    width: u8,
    /// Held in host byte order in the register.
    host: bool,
    ty: Datatype,
}

const fn k(num: u32, name: &'static str, width: u8, host: bool, ty: Datatype) -> KeyDef {
    KeyDef {
        num,
        name,
        width,
        host,
        ty,
    }
}

const META: &[KeyDef] = &[
    k(0, "length", 4, true, D::Integer),
    k(1, "protocol", 2, false, D::EtherType),
    k(2, "priority", 4, true, D::TcHandle),
    k(3, "mark", 4, true, D::Mark),
    k(4, "iif", 4, true, D::IfIndex),
    k(5, "oif", 4, true, D::IfIndex),
    k(6, "iifname", 16, false, D::String),
    k(7, "oifname", 16, false, D::String),
    k(8, "iiftype", 2, true, D::IfType),
    k(9, "oiftype", 2, true, D::IfType),
    k(10, "skuid", 4, true, D::Integer),
    k(11, "skgid", 4, true, D::Integer),
    k(12, "nftrace", 1, false, D::Integer),
    k(13, "rtclassid", 4, true, D::Realm),
    k(14, "secmark", 4, true, D::Integer),
    k(15, "nfproto", 1, false, D::NfProto),
    k(16, "l4proto", 1, false, D::InetProto),
    k(17, "ibrname", 16, false, D::String),
    k(18, "obrname", 16, false, D::String),
    k(19, "pkttype", 1, false, D::PktType),
    k(20, "cpu", 4, true, D::Integer),
    k(21, "iifgroup", 4, true, D::DevGroup),
    k(22, "oifgroup", 4, true, D::DevGroup),
    k(23, "cgroup", 4, true, D::Integer),
    k(24, "random", 4, false, D::Integer),
    k(25, "ipsec", 1, false, D::Boolean),
    k(26, "iifkind", 16, false, D::String),
    k(27, "oifkind", 16, false, D::String),
    k(28, "ibrpvid", 2, true, D::Integer),
    k(29, "ibrvproto", 2, false, D::EtherType),
    k(30, "time", 8, true, D::Time),
    k(31, "day", 1, false, D::Day),
    k(32, "hour", 4, true, D::Hour),
    k(33, "sdif", 4, true, D::IfIndex),
    k(34, "sdifname", 16, false, D::String),
    k(35, "broute", 1, false, D::Integer),
];

const CT: &[KeyDef] = &[
    k(0, "state", 4, true, D::CtState),
    k(1, "direction", 1, false, D::CtDir),
    k(2, "status", 4, true, D::CtStatus),
    k(3, "mark", 4, true, D::Mark),
    k(4, "secmark", 4, true, D::Integer),
    k(5, "expiration", 4, true, D::Millis),
    k(6, "helper", 0, false, D::String),
    k(7, "l3proto", 1, false, D::NfProto),
    k(8, "saddr", 0, false, D::IpAddr),
    k(9, "daddr", 0, false, D::IpAddr),
    k(10, "protocol", 1, false, D::InetProto),
    k(11, "proto-src", 2, false, D::InetService),
    k(12, "proto-dst", 2, false, D::InetService),
    k(13, "label", 16, false, D::CtLabel),
    k(14, "packets", 8, true, D::Integer),
    k(15, "bytes", 8, true, D::Integer),
    k(16, "avgpkt", 8, true, D::Integer),
    k(17, "zone", 2, true, D::Integer),
    k(18, "event", 4, true, D::CtEvent),
    k(19, "ip saddr", 4, false, D::Ipv4),
    k(20, "ip daddr", 4, false, D::Ipv4),
    k(21, "ip6 saddr", 16, false, D::Ipv6),
    k(22, "ip6 daddr", 16, false, D::Ipv6),
    k(23, "id", 4, false, D::Integer),
];

/// A key's number by its name in `table`, or as a number (what nft
/// prints for a key it does not name).
fn key_num(table: &[KeyDef], name: &str) -> Option<u32> {
    table
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.num)
        .or_else(|| name.parse().ok())
}

fn key_def(table: &'static [KeyDef], num: u32) -> Option<&'static KeyDef> {
    table.iter().find(|d| d.num == num)
}

impl MetaKey {
    /// nft's name (`priority`), if the key is known.
    pub fn name(self) -> Option<&'static str> {
        key_def(META, self.0).map(|d| d.name)
    }
    /// Whether nft lists it without `meta` (`iifname`, `oif`, `iifgroup`).
    pub fn unqualified(self) -> bool {
        matches!(self.0, 4..=7 | 21 | 22)
    }
}

/// A conntrack key, by the kernel's `NFT_CT_*` number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CtKey(pub u32);

impl CtKey {
    /// nft's name (`zone`), if the key is known.
    pub fn name(self) -> Option<&'static str> {
        key_def(CT, self.0).map(|d| d.name)
    }
}

/// What a condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// A named header field.
    Header(HeaderField),
    /// Raw payload bits nft has no name for: `@nh,8,6`.
    Raw {
        /// Base.
        base: PayloadBase,
        /// Bit offset.
        offset: u32,
        /// Bit length.
        len: u32,
    },
    /// A `meta` key.
    Meta(MetaKey),
    /// Whether an IPv6 extension header, TCP or IPv4 option, SCTP chunk or
    /// DCCP option is in the packet (`exthdr frag`, `tcp option sack-perm`;
    /// a value of 1 is `exists`, 0 `missing`).
    ExtPresent(ExtHdr),
    /// Bits of one: a field nft names (`frag frag-off`, `tcp option maxseg
    /// size`, `sctp chunk data stream`) or raw bits (`tcp option
    /// @255,8,8`).
    Ext {
        /// The header, option or chunk.
        hdr: ExtHdr,
        /// Bit offset from its start.
        offset: u32,
        /// Bit length.
        len: u32,
    },
    /// A conntrack key; `reply` when a direction is given (`ct reply
    /// zone`), `None` for the connection as a whole.
    Ct {
        /// Key.
        key: CtKey,
        /// Direction: `Some(false)` original, `Some(true)` reply.
        reply: Option<bool>,
    },
    /// A property of the packet's socket (`socket transparent`, `socket
    /// mark`): the kernel's `NFT_SOCKET_*` key and, for `cgroupv2`, the
    /// ancestor level.
    Socket {
        /// `NFT_SOCKET_*`.
        key: u32,
        /// `socket cgroupv2 level N`; 0 otherwise.
        level: u32,
    },
    /// The operating system a TCP SYN's fingerprint names (`osf name`,
    /// `osf ttl loose version`): a name of up to 16 bytes.
    Osf {
        /// `osf version` (`Linux:3.0`) rather than `osf name` (`Linux`).
        version: bool,
        /// nft's TTL check (`NFTA_OSF_TTL`): 0 the TTL must match (the
        /// default), 1 `ttl loose`, 2 `ttl skip`.
        ttl: u8,
    },
    /// A number generated per packet, from `offset` up to `offset +
    /// modulus` (excluded): counting up (`numgen inc mod 2`) or at random
    /// (`numgen random mod 10 offset 100`).
    Numgen {
        /// `random` rather than `inc`.
        random: bool,
        /// Modulus.
        modulus: u32,
        /// Added to the number.
        offset: u32,
    },
    /// The symmetric hash of the packet's flow, the same both ways
    /// (`symhash mod 2 offset 100`).
    Symhash {
        /// Modulus.
        modulus: u32,
        /// Added to the hash.
        offset: u32,
    },
    /// A property of the packet's route (`rt classid`, `rt ip nexthop`,
    /// `rt mtu`, `rt ipsec`): the kernel's `NFT_RT_*` key.
    Rt {
        /// `NFT_RT_*`.
        key: u32,
    },
    /// A route lookup (`fib saddr . iif oif`, `fib daddr type`): what it
    /// looks up with and what it gives.
    Fib {
        /// `NFTA_FIB_F_*` (`saddr`, `daddr`, `mark`, `iif`, `oif`), less
        /// `NFTA_FIB_F_PRESENT`.
        flags: u32,
        /// `NFT_FIB_RESULT_*` (`oif`, `oifname`, `type`).
        result: u32,
        /// Whether there is a result (`fib daddr oif exists`) rather than
        /// what it is: `NFTA_FIB_F_PRESENT`.
        present: bool,
    },
    /// A key read inside a tunnel (nft's `inner`, Linux 6.2): the
    /// encapsulated packet's header fields and meta keys, or the tunnel
    /// header's own (`vxlan ip saddr`, `gre udp sport`, `geneve vni`).
    Inner {
        /// The tunnel.
        tunnel: Tunnel,
        /// What is read inside it.
        key: InnerKey,
    },
    /// A property of the IPsec state the packet was (`in`) or will be
    /// (`out`) processed by (`ipsec in reqid`, `ipsec out spnum 1 ip
    /// saddr`).
    Xfrm {
        /// `out` rather than `in` (`NFTA_XFRM_DIR`).
        out: bool,
        /// Which state of the path (`NFTA_XFRM_SPNUM`).
        spnum: u32,
        /// `NFT_XFRM_KEY_*`.
        key: u32,
    },
}

/// A tunnel nft reads inside with `inner`: how the kernel is told to find
/// the encapsulated packet (`NFTA_INNER_TYPE`, `HDRSIZE`, `FLAGS`), as
/// nft 1.1 describes each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tunnel {
    /// VXLAN (type 1, an 8-byte header, then Ethernet).
    Vxlan,
    /// Geneve (type 2, an 8-byte header and its options, then Ethernet).
    Geneve,
    /// GRE (type 3, a 4-byte header, then the network header).
    Gre,
    /// GRE carrying Ethernet (type 4, a 4-byte header, then Ethernet).
    Gretap,
}

/// `NFT_INNER_HDRSIZE`, `NFT_INNER_LL`, `NFT_INNER_NH`, `NFT_INNER_TH`.
const INNER_HDRSIZE: u32 = 1;
const INNER_LL: u32 = 2;
const INNER_NH: u32 = 4;
const INNER_TH: u32 = 8;

impl Tunnel {
    /// nft's name (`vxlan`).
    pub fn name(self) -> &'static str {
        match self {
            Tunnel::Vxlan => "vxlan",
            Tunnel::Geneve => "geneve",
            Tunnel::Gre => "gre",
            Tunnel::Gretap => "gretap",
        }
    }

    /// The tunnel an `inner` expression describes: its type, header size
    /// and flags as nft writes them for that tunnel; `None` for others.
    pub fn from_kernel(ty: u32, hdrsize: u32, flags: u32) -> Option<Tunnel> {
        [Tunnel::Vxlan, Tunnel::Geneve, Tunnel::Gre, Tunnel::Gretap]
            .into_iter()
            .find(|t| t.kernel() == (ty, hdrsize, flags))
    }

    /// `(NFTA_INNER_TYPE, NFTA_INNER_HDRSIZE, NFTA_INNER_FLAGS)`.
    pub fn kernel(self) -> (u32, u32, u32) {
        let all = INNER_HDRSIZE | INNER_LL | INNER_NH | INNER_TH;
        match self {
            Tunnel::Vxlan => (1, 8, all),
            Tunnel::Geneve => (2, 8, all),
            Tunnel::Gre => (3, 4, INNER_NH | INNER_TH),
            Tunnel::Gretap => (4, 4, INNER_LL | INNER_NH | INNER_TH),
        }
    }

    /// The tunnel header's own fields' header (`vxlan vni`); GRE's are
    /// the outer packet's transport header (`gre protocol`).
    pub fn header(self) -> Option<Header> {
        match self {
            Tunnel::Vxlan => Some(Header::Vxlan),
            Tunnel::Geneve => Some(Header::Geneve),
            Tunnel::Gre | Tunnel::Gretap => None,
        }
    }

    fn parse(word: &str) -> Option<Tunnel> {
        [Tunnel::Vxlan, Tunnel::Geneve, Tunnel::Gre, Tunnel::Gretap]
            .into_iter()
            .find(|t| t.name() == word)
    }
}

/// What [`Key::Inner`] reads inside a tunnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InnerKey {
    /// A header field of the encapsulated packet (`ip saddr`), or of the
    /// tunnel header (`vni`).
    Header(HeaderField),
    /// A meta key of the encapsulated packet (`meta l4proto`: nft's
    /// dependencies inside the tunnel).
    Meta(MetaKey),
    /// Raw bits of the encapsulated packet (`@nh,8,6`).
    Raw {
        /// Base.
        base: PayloadBase,
        /// Bit offset.
        offset: u32,
        /// Bit length.
        len: u32,
    },
}

impl InnerKey {
    /// The same key read from the packet itself: how its values print,
    /// its width and byte order.
    pub fn as_key(self) -> Key {
        match self {
            InnerKey::Header(h) => Key::Header(h),
            InnerKey::Meta(m) => Key::Meta(m),
            InnerKey::Raw { base, offset, len } => Key::Raw { base, offset, len },
        }
    }

    /// The inner key of `key`, when it is one that can be.
    pub fn of(key: Key) -> Option<InnerKey> {
        Some(match key {
            Key::Header(h) => InnerKey::Header(h),
            Key::Meta(m) => InnerKey::Meta(m),
            Key::Raw { base, offset, len } => InnerKey::Raw { base, offset, len },
            _ => return None,
        })
    }
}

/// nft's `rt` keys (`NFT_RT_*`): the words after `rt`, register width,
/// host order, how values print.
const RT: &[KeyDef] = &[
    k(0, "classid", 4, true, Datatype::Realm),
    k(1, "ip nexthop", 4, false, Datatype::Ipv4),
    k(2, "ip6 nexthop", 16, false, Datatype::Ipv6),
    k(3, "mtu", 2, true, Datatype::Integer),
    k(4, "ipsec", 1, false, Datatype::Boolean),
];

/// nft's `ipsec` keys (`NFT_XFRM_KEY_*`).
const XFRM: &[KeyDef] = &[
    k(1, "ip daddr", 4, false, Datatype::Ipv4),
    k(2, "ip6 daddr", 16, false, Datatype::Ipv6),
    k(3, "ip saddr", 4, false, Datatype::Ipv4),
    k(4, "ip6 saddr", 16, false, Datatype::Ipv6),
    k(5, "reqid", 4, true, Datatype::Integer),
    k(6, "spi", 4, false, Datatype::Integer),
];

/// `fib` results (`NFT_FIB_RESULT_*`), when not a presence test.
const FIB: &[KeyDef] = &[
    k(1, "oif", 4, true, Datatype::IfIndex),
    k(2, "oifname", 16, false, Datatype::String),
    k(3, "type", 4, true, Datatype::FibAddrType),
];

/// `fib` inputs (`NFTA_FIB_F_*`), in nft's order.
const FIB_FLAGS: [(u32, &str); 5] = [
    (1, "saddr"),
    (2, "daddr"),
    (4, "mark"),
    (8, "iif"),
    (16, "oif"),
];

/// nft's `socket` keys (`NFT_SOCKET_*`): name, register width, host order,
/// how values print.
const SOCKET: &[KeyDef] = &[
    k(0, "transparent", 1, false, Datatype::Integer),
    k(1, "mark", 4, true, Datatype::Mark),
    k(2, "wildcard", 1, false, Datatype::Integer),
    k(3, "cgroupv2", 8, true, Datatype::Integer),
];

/// `osf ...`: nft's names of its TTL checks.
const OSF_TTL: [&str; 3] = ["", "ttl loose ", "ttl skip "];

impl Key {
    /// How values of this key print.
    pub fn datatype(&self) -> Datatype {
        match *self {
            Key::Header(h) => h.datatype(),
            Key::Raw { .. } => Datatype::Integer,
            Key::ExtPresent(_) => Datatype::Boolean,
            Key::Ext { hdr, offset, len } => crate::exthdr::datatype(hdr, offset, len),
            Key::Meta(m) => key_def(META, m.0).map_or(Datatype::Hex, |d| d.ty),
            Key::Ct { key, .. } => key_def(CT, key.0).map_or(Datatype::Hex, |d| d.ty),
            Key::Socket { key, .. } => key_def(SOCKET, key).map_or(Datatype::Hex, |d| d.ty),
            Key::Osf { .. } => Datatype::String,
            Key::Numgen { .. } | Key::Symhash { .. } => Datatype::Integer,
            Key::Rt { key } => key_def(RT, key).map_or(Datatype::Hex, |d| d.ty),
            Key::Xfrm { key, .. } => key_def(XFRM, key).map_or(Datatype::Hex, |d| d.ty),
            Key::Fib { present: true, .. } => Datatype::Boolean,
            Key::Fib { result, .. } => key_def(FIB, result).map_or(Datatype::Hex, |d| d.ty),
            Key::Inner { key, .. } => key.as_key().datatype(),
        }
    }

    /// The value's width in bytes (0: as long as the value).
    pub fn width(&self) -> usize {
        match *self {
            Key::Header(h) => h.bit_len().div_ceil(8) as usize,
            Key::Raw { len, .. } | Key::Ext { len, .. } => len.div_ceil(8) as usize,
            Key::ExtPresent(_) => 1,
            Key::Meta(m) => key_def(META, m.0).map_or(0, |d| usize::from(d.width)),
            Key::Ct { key, .. } => key_def(CT, key.0).map_or(0, |d| usize::from(d.width)),
            Key::Socket { key, .. } => key_def(SOCKET, key).map_or(0, |d| usize::from(d.width)),
            Key::Osf { .. } => 16,
            Key::Numgen { .. } | Key::Symhash { .. } => 4,
            Key::Rt { key } => key_def(RT, key).map_or(0, |d| usize::from(d.width)),
            Key::Xfrm { key, .. } => key_def(XFRM, key).map_or(0, |d| usize::from(d.width)),
            // nft compares the whole 32-bit register (host order).
            Key::Fib { present: true, .. } => 4,
            Key::Fib { result, .. } => key_def(FIB, result).map_or(0, |d| usize::from(d.width)),
            Key::Inner { key, .. } => key.as_key().width(),
        }
    }

    /// The value's width in bits: a header field's or raw bits' own (`ip
    /// ecn` is 2), else its bytes'.
    pub(crate) fn bits(&self) -> u32 {
        match *self {
            Key::Header(h) => h.bit_len(),
            Key::Raw { len, .. } | Key::Ext { len, .. } => len,
            Key::Inner { key, .. } => key.as_key().bits(),
            _ => 8 * self.width() as u32,
        }
    }

    /// Whether the kernel holds the value in host byte order (meta and ct
    /// integers; payload is always network order).
    pub fn host_order(&self) -> bool {
        match *self {
            Key::Meta(m) => key_def(META, m.0).is_some_and(|d| d.host),
            Key::Ct { key, .. } => key_def(CT, key.0).is_some_and(|d| d.host),
            Key::Socket { key, .. } => key_def(SOCKET, key).is_some_and(|d| d.host),
            Key::Numgen { .. } | Key::Symhash { .. } => true,
            Key::Rt { key } => key_def(RT, key).is_some_and(|d| d.host),
            Key::Xfrm { key, .. } => key_def(XFRM, key).is_some_and(|d| d.host),
            Key::Fib { present: true, .. } => true,
            Key::Fib { result, .. } => key_def(FIB, result).is_some_and(|d| d.host),
            Key::Inner { key, .. } => key.as_key().host_order(),
            _ => false,
        }
    }
}

impl fmt::Display for Key {
    /// As nft lists it: `ip dscp`, `@nh,8,6`, `meta priority`, `iif`,
    /// `ct original zone`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Key::Header(h) => write!(f, "{} {}", h.header().name(), h.name()),
            Key::Raw { base, offset, len } => write!(f, "@{},{offset},{len}", base.token()),
            // The tunnel header's own field: `vxlan vni`.
            Key::Inner {
                tunnel,
                key: InnerKey::Header(h),
            } if tunnel.header() == Some(h.header()) => write!(f, "{} {}", tunnel.name(), h.name()),
            Key::Inner { tunnel, key } => write!(f, "{} {}", tunnel.name(), key.as_key()),
            Key::ExtPresent(h) => crate::exthdr::fmt_present(h, f),
            Key::Ext { hdr, offset, len } => crate::exthdr::fmt_field(hdr, offset, len, f),
            Key::Meta(m) => match (m.name(), m.unqualified()) {
                (Some(n), true) => f.write_str(n),
                (Some(n), false) => write!(f, "meta {n}"),
                (None, _) => write!(f, "meta {}", m.0),
            },
            Key::Ct { key, reply } => {
                f.write_str("ct ")?;
                match reply {
                    Some(false) => f.write_str("original ")?,
                    Some(true) => f.write_str("reply ")?,
                    None => {}
                }
                match key.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}", key.0),
                }
            }
            Key::Socket { key, level } => {
                match key_def(SOCKET, key) {
                    Some(d) => write!(f, "socket {}", d.name)?,
                    None => write!(f, "socket {key}")?,
                }
                if key == nflens_wire::sys::NFT_SOCKET_CGROUPV2 {
                    write!(f, " level {level}")?;
                }
                Ok(())
            }
            Key::Osf { version, ttl } => write!(
                f,
                "osf {}{}",
                OSF_TTL.get(usize::from(ttl)).copied().unwrap_or(""),
                if version { "version" } else { "name" }
            ),
            Key::Numgen {
                random,
                modulus,
                offset,
            } => {
                let mode = if random { "random" } else { "inc" };
                write!(f, "numgen {mode} mod {modulus}")?;
                fmt_offset(offset, f)
            }
            Key::Symhash { modulus, offset } => {
                write!(f, "symhash mod {modulus}")?;
                fmt_offset(offset, f)
            }
            Key::Rt { key } => match key_def(RT, key) {
                Some(d) => write!(f, "rt {}", d.name),
                None => write!(f, "rt {key}"),
            },
            Key::Xfrm { out, spnum, key } => {
                write!(f, "ipsec {}", if out { "out" } else { "in" })?;
                if spnum != 0 {
                    write!(f, " spnum {spnum}")?;
                }
                match key_def(XFRM, key) {
                    Some(d) => write!(f, " {}", d.name),
                    None => write!(f, " {key}"),
                }
            }
            Key::Fib { flags, result, .. } => {
                f.write_str("fib ")?;
                let mut rest = flags;
                for (bit, name) in FIB_FLAGS {
                    if rest & bit != 0 {
                        rest &= !bit;
                        f.write_str(name)?;
                        if rest != 0 {
                            f.write_str(" . ")?;
                        }
                    }
                }
                if rest != 0 {
                    write!(f, "{rest:#x}")?;
                }
                // A presence test reads as nft prints it, `fib daddr oif
                // exists`: the value says it (serialized, the key says
                // ` present` too, so that it reads back).
                match key_def(FIB, result) {
                    Some(d) => write!(f, " {}", d.name),
                    None => write!(f, " {result}"),
                }
            }
        }
    }
}

/// ` offset N` of a generated number, unless 0.
fn fmt_offset(offset: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if offset != 0 {
        write!(f, " offset {offset}")?;
    }
    Ok(())
}

/// `mod N[ offset M]`: a generated number's modulus and offset.
fn mod_offset(s: &str) -> Option<(u32, u32)> {
    let rest = s.strip_prefix("mod ")?;
    Some(match rest.split_once(" offset ") {
        Some((m, o)) => (m.parse().ok()?, o.parse().ok()?),
        None => (rest.parse().ok()?, 0),
    })
}

impl std::str::FromStr for Key {
    type Err = String;
    /// Reads what [`Display`](fmt::Display) writes, and a `fib` presence
    /// test as serialized (`fib daddr oif present`).
    fn from_str(s: &str) -> Result<Key, String> {
        let bad = || format!("not a key nflens names: {s:?}");
        if let Some(raw) = s.strip_prefix('@') {
            let mut it = raw.split(',');
            let base = match it.next() {
                Some("ll") => PayloadBase::Ll,
                Some("nh") => PayloadBase::Nh,
                Some("th") => PayloadBase::Th,
                Some("ih") => PayloadBase::Ih,
                _ => return Err(bad()),
            };
            let offset = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
            let len = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
            return Ok(Key::Raw { base, offset, len });
        }
        if let Some(rest) = s.strip_prefix("socket ") {
            let (name, level) = match rest.split_once(" level ") {
                Some((n, l)) => (n, l.parse().map_err(|_| bad())?),
                None => (rest, 0),
            };
            let key = key_num(SOCKET, name).ok_or_else(bad)?;
            return Ok(Key::Socket { key, level });
        }
        if let Some(rest) = s.strip_prefix("numgen ") {
            let (random, rest) = match (rest.strip_prefix("inc "), rest.strip_prefix("random ")) {
                (Some(r), _) => (false, r),
                (_, Some(r)) => (true, r),
                _ => return Err(bad()),
            };
            let (modulus, offset) = mod_offset(rest).ok_or_else(bad)?;
            return Ok(Key::Numgen {
                random,
                modulus,
                offset,
            });
        }
        if let Some(rest) = s.strip_prefix("rt ") {
            let key = key_num(RT, rest).ok_or_else(bad)?;
            return Ok(Key::Rt { key });
        }
        if let Some(rest) = s.strip_prefix("ipsec ") {
            let (out, rest) = match (rest.strip_prefix("in "), rest.strip_prefix("out ")) {
                (Some(r), _) => (false, r),
                (_, Some(r)) => (true, r),
                _ => return Err(bad()),
            };
            let (spnum, name) = match rest.strip_prefix("spnum ") {
                Some(r) => {
                    let (n, name) = r.split_once(' ').ok_or_else(bad)?;
                    (n.parse().map_err(|_| bad())?, name)
                }
                None => (0, rest),
            };
            let key = key_num(XFRM, name).ok_or_else(bad)?;
            return Ok(Key::Xfrm { out, spnum, key });
        }
        if let Some(rest) = s.strip_prefix("fib ") {
            let (rest, present) = match rest.strip_suffix(" present") {
                Some(r) => (r, true),
                None => (rest, false),
            };
            let (inputs, res) = rest.rsplit_once(' ').ok_or_else(bad)?;
            let result = key_num(FIB, res).ok_or_else(bad)?;
            let mut flags = 0;
            for word in inputs.split(" . ") {
                flags |= match FIB_FLAGS.iter().find(|(_, n)| *n == word) {
                    Some((bit, _)) => *bit,
                    None => word
                        .strip_prefix("0x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .ok_or_else(bad)?,
                };
            }
            return Ok(Key::Fib {
                flags,
                result,
                present,
            });
        }
        // `vxlan ip saddr`, `geneve vni`; `gre ip saddr` (but `gre
        // protocol` is the packet's own GRE header).
        if let Some((word, rest)) = s.split_once(' ') {
            let outer = word == "gre" && HeaderField::lookup(Header::Gre, rest).is_some();
            if let (Some(tunnel), false) = (Tunnel::parse(word), outer) {
                let own = tunnel
                    .header()
                    .and_then(|h| HeaderField::lookup(h, rest))
                    .map(InnerKey::Header);
                let key = match own {
                    Some(k) => k,
                    None => InnerKey::of(rest.parse()?).ok_or_else(bad)?,
                };
                return Ok(Key::Inner { tunnel, key });
            }
        }
        if let Some(rest) = s.strip_prefix("symhash ") {
            let (modulus, offset) = mod_offset(rest).ok_or_else(bad)?;
            return Ok(Key::Symhash { modulus, offset });
        }
        if let Some(rest) = s.strip_prefix("osf ") {
            let (ttl, what) = match (
                rest.strip_prefix("ttl loose "),
                rest.strip_prefix("ttl skip "),
            ) {
                (Some(w), _) => (1, w),
                (_, Some(w)) => (2, w),
                _ => (0, rest),
            };
            let version = match what {
                "name" => false,
                "version" => true,
                _ => return Err(bad()),
            };
            return Ok(Key::Osf { version, ttl });
        }
        if let Some(rest) = s.strip_prefix("ct ") {
            let (reply, name) = if let Some(n) = rest.strip_prefix("original ") {
                (Some(false), n)
            } else if let Some(n) = rest.strip_prefix("reply ") {
                (Some(true), n)
            } else {
                (None, rest)
            };
            let key = key_num(CT, name).map(CtKey).ok_or_else(bad)?;
            return Ok(Key::Ct { key, reply });
        }
        let meta = |name: &str| key_num(META, name).map(MetaKey);
        if let Some(name) = s.strip_prefix("meta ") {
            return meta(name).map(Key::Meta).ok_or_else(bad);
        }
        if let Some(m) = meta(s).filter(|m| m.unqualified()) {
            return Ok(Key::Meta(m));
        }
        HeaderField::all()
            .find(|h| {
                let header = match h.header() {
                    Header::Vlan2 => "vlan2",
                    hd => hd.name(),
                };
                s.strip_prefix(header).and_then(|r| r.strip_prefix(' ')) == Some(h.name())
            })
            .map(Key::Header)
            .or_else(|| {
                crate::exthdr::parse(s).map(|(hdr, bits)| match bits {
                    None => Key::ExtPresent(hdr),
                    Some((offset, len)) => Key::Ext { hdr, offset, len },
                })
            })
            .ok_or_else(bad)
    }
}

#[cfg(feature = "serde")]
impl Serialize for Key {
    /// As [`Display`](fmt::Display) writes it; a `fib` presence test
    /// with ` present` after (`fib daddr oif present`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::Fib { present: true, .. } => s.collect_str(&format_args!("{self} present")),
            Key::Header(h) if h.header() == Header::Vlan2 => {
                s.collect_str(&format_args!("vlan2 {}", h.name()))
            }
            _ => s.collect_str(self),
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A value of a key: big-endian bytes of the key's width.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub Box<[u8]>);

impl Value {
    /// The value as an unsigned integer, when it fits.
    pub fn as_u128(&self) -> Option<u128> {
        if self.0.len() > 16 {
            return None;
        }
        Some(self.0.iter().fold(0u128, |a, &b| (a << 8) | u128::from(b)))
    }
    /// `n` in `width` big-endian bytes (its low bytes).
    pub fn from_u128(n: u128, width: usize) -> Value {
        let b = n.to_be_bytes();
        let width = width.clamp(1, 16);
        Value(b[16 - width..].into())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0.iter() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl Serialize for Value {
    /// As `0x` and the bytes in hex.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{self:?}"))
    }
}

#[cfg(feature = "serde")]
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let s = String::deserialize(d)?;
        let hex = s
            .strip_prefix("0x")
            .filter(|h| h.len() % 2 == 0 && h.is_ascii())
            .ok_or_else(|| serde::de::Error::custom("a value is 0x and bytes in hex"))?;
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Box<[u8]>, _>>()
            .map(Value)
            .map_err(serde::de::Error::custom)
    }
}

/// An order comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum CmpOp {
    /// `==` (`!=` is the negated match).
    Eq,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

/// How a key is compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum FieldTest {
    /// `key op value`.
    Cmp {
        /// Operator.
        op: CmpOp,
        /// Value.
        value: Value,
    },
    /// `lo <= key <= hi`.
    Range {
        /// First.
        lo: Value,
        /// Last.
        hi: Value,
    },
    /// `key & mask == value`, the mask narrower than the key.
    Masked {
        /// Mask.
        mask: Value,
        /// Value.
        value: Value,
    },
    /// The key is in one of these inclusive ranges (an anonymous set,
    /// `{ 1, 5-7 }`; a single value is a range of one): in the kernel's
    /// order, as nft lists them (sorted for a set of intervals).
    In(Vec<(Value, Value)>),
    /// The key's bits under `mask` (`key & mask`), tested by `test`: an
    /// order compare, a range or a set (`ip saddr & 0.0.0.255 <
    /// 0.0.0.127`, `tcp flags & (syn | ack) == { syn, ack }`). An
    /// equality of masked bits is [`Masked`](FieldTest::Masked), never
    /// this.
    Bits {
        /// Mask, a value of the key.
        mask: Value,
        /// The test of `key & mask`: never `Bits` or `Masked`.
        test: Box<FieldTest>,
    },
}

/// A payload load's bits resolved to a key: the field and how its value
/// sits in the loaded bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PayloadKey {
    pub key: Key,
    /// Bits below the field in the load.
    pub shift: u32,
    /// The field's bits in the load (before the shift).
    pub field_mask: u128,
    /// The field's width in bits.
    pub bits: u32,
}

/// What the conditions before a payload load say about the packet.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PayloadCtx {
    /// The header the load's base holds, if known.
    pub header: Option<Header>,
    /// The VLAN tags the link layer holds (802.1Q, 802.1ad): 0, 1 or 2.
    pub ll_vlans: u8,
    /// The ICMP or ICMPv6 type matched.
    pub icmp_type: Option<u8>,
}

/// The key a payload load of `len` bytes at byte `offset` from `base`,
/// masked with `mask`, reads: a named field of `header` when one fits the
/// loaded bits exactly (or the mask is a part of one), else raw bits.
/// `None` when the load is too wide to reason about in 128 bits.
pub(crate) fn payload_key(
    ctx: PayloadCtx,
    base: PayloadBase,
    offset: u32,
    len: u32,
    mask: Option<u128>,
) -> Option<PayloadKey> {
    let named = named_fields(ctx, base).map(|h| (h.bit_offset(), h.bit_len(), Key::Header(h)));
    fit_key(offset, len, mask, named, |offset, len| {
        Some(Key::Raw { base, offset, len })
    })
}

/// The address field a load of its first `len` bytes reads, unmasked: a
/// prefix (`vxlan ip saddr 10.141.11.0/24` loads 3 bytes). Its width is
/// the field's, so that the shorter compared value reads as a prefix.
pub(crate) fn prefix_key(
    ctx: PayloadCtx,
    base: PayloadBase,
    offset: u32,
    len: u32,
) -> Option<PayloadKey> {
    let at = offset.checked_mul(8)?;
    named_fields(ctx, base)
        .find(|h| {
            h.bit_offset() == at
                && h.bit_len() > len.saturating_mul(8)
                && matches!(h.datatype(), Datatype::Ipv4 | Datatype::Ipv6)
        })
        .map(|h| PayloadKey {
            key: Key::Header(h),
            shift: 0,
            field_mask: u128::MAX,
            bits: h.bit_len(),
        })
}

/// The key a load of the tunnel header reads (`vxlan vni`): one of its
/// named fields, or `None` (nft has no spelling for other bits there).
pub(crate) fn tunnel_key(
    tunnel: Tunnel,
    offset: u32,
    len: u32,
    mask: Option<u128>,
) -> Option<PayloadKey> {
    let named = tunnel
        .header()
        .into_iter()
        .flat_map(header_fields)
        .map(|h| (h.bit_offset(), h.bit_len(), Key::Header(h)));
    fit_key(offset, len, mask, named, |_, _| None)
}

/// How nft splits a load of `len` bytes at byte `offset` that it merged
/// from adjacent compares: from the first field at the load's start, the
/// next field at the end of the last, until the load is used up. `None`
/// unless that gives two or more whole, byte-aligned fields. (As nft does,
/// a field of a header comes before a longer one at the same offset:
/// `icmp id` and `icmp sequence`, not `icmp gateway`, unless the ICMP type
/// says otherwise.) Per field, its byte offset and length.
pub(crate) fn payload_split(
    ctx: PayloadCtx,
    base: PayloadBase,
    offset: u32,
    len: u32,
) -> Option<Vec<(u32, u32)>> {
    if len < 2 {
        return None;
    }
    let mut at = offset.checked_mul(8)?;
    let mut rest = len.checked_mul(8)?;
    let mut out = Vec::new();
    for h in named_fields(ctx, base) {
        if rest == 0 {
            break;
        }
        if h.bit_offset() != at {
            continue;
        }
        let n = h.bit_len();
        // One field that is the whole load is no split (and nothing is
        // allocated for the most common load there is).
        if n > rest || n % 8 != 0 || at % 8 != 0 || (out.is_empty() && n == rest) {
            return None;
        }
        out.push((at / 8, n / 8));
        at += n;
        rest -= n;
    }
    (rest == 0 && out.len() >= 2).then_some(out)
}

/// The fields a payload load of `base` may read, in nft's order.
fn named_fields(ctx: PayloadCtx, base: PayloadBase) -> impl Iterator<Item = HeaderField> {
    let headers = match base {
        PayloadBase::Ll => [
            Some(Header::Ether),
            (ctx.ll_vlans >= 1).then_some(Header::Vlan),
            (ctx.ll_vlans >= 2).then_some(Header::Vlan2),
        ],
        _ => [ctx.header.filter(|h| h.base() == base), None, None],
    };
    headers
        .into_iter()
        .flatten()
        .flat_map(header_fields)
        .filter(move |h| {
            // After `icmp type redirect`, bytes 4-7 are the gateway.
            match ctx.icmp_type {
                Some(t) => h.icmp_types().map_or(true, |types| types.contains(&t)),
                None => true,
            }
        })
}

/// A header's fields, in nft's order (FIELDS holds each header's fields
/// together; where each header's run starts and ends is worked out once).
fn header_fields(hd: Header) -> impl Iterator<Item = HeaderField> {
    static RUNS: std::sync::OnceLock<Vec<(Header, std::ops::Range<usize>)>> =
        std::sync::OnceLock::new();
    let runs = RUNS.get_or_init(|| {
        let mut runs: Vec<(Header, std::ops::Range<usize>)> = Vec::new();
        for (i, d) in FIELDS.iter().enumerate() {
            match runs.last_mut() {
                Some((h, r)) if *h == d.header => r.end = i + 1,
                _ => runs.push((d.header, i..i + 1)),
            }
        }
        runs
    });
    runs.iter()
        .filter(move |(h, _)| *h == hd)
        .flat_map(|(_, r)| r.clone())
        .filter_map(|i| u8::try_from(i).ok().map(HeaderField))
}

/// The key an `exthdr` load of `len` bytes at byte `offset` of `hdr` reads,
/// masked with `mask`; `present` for the load that says whether `hdr` is
/// there at all. `None` for bits nft has no spelling for.
pub(crate) fn exthdr_key(
    hdr: ExtHdr,
    offset: u32,
    len: u32,
    mask: Option<u128>,
    present: bool,
) -> Option<PayloadKey> {
    if present {
        // The kernel stores one byte, 1 or 0, and zeroes the rest of the
        // register's first word.
        return (len == 1 && mask.is_none()).then_some(PayloadKey {
            key: Key::ExtPresent(hdr),
            shift: 0,
            field_mask: 0xff,
            bits: 8,
        });
    }
    let named = crate::exthdr::fields(hdr)
        .map(|(offset, len)| (offset, len, Key::Ext { hdr, offset, len }));
    fit_key(offset, len, mask, named, |offset, len| {
        crate::exthdr::raw_allowed(hdr).then_some(Key::Ext { hdr, offset, len })
    })
}

/// The key a load of `len` bytes at byte `offset` reads, masked with
/// `mask`: the first of `named` (bit offset, bit length, key) that the
/// loaded bits are exactly, or that the mask is a part of; else `raw` of
/// the masked bits (from the mask's lowest set bit to its highest, so a
/// mask that is not one run of ones is a masked test of those bits).
fn fit_key(
    offset: u32,
    len: u32,
    mask: Option<u128>,
    named: impl Iterator<Item = (u32, u32, Key)>,
    raw: impl FnOnce(u32, u32) -> Option<Key>,
) -> Option<PayloadKey> {
    if len == 0 || len > 16 {
        return None;
    }
    let load_lo = offset.checked_mul(8)?;
    let load_bits = len * 8;
    let load_hi = load_lo.checked_add(load_bits)?;
    let run = |bits: u32| {
        if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        }
    };
    let m = mask.unwrap_or(u128::MAX) & run(load_bits);
    if m == 0 {
        return None;
    }
    for (fo, fl, key) in named {
        if fo < load_lo || fo + fl > load_hi {
            continue;
        }
        // Without a mask the load is the field (a wider load masked down
        // to a field reads that field, however many bytes it loaded).
        if mask.is_none() && (fo != load_lo || fl != load_bits) {
            continue;
        }
        let shift = load_hi - (fo + fl);
        let fmask = run(fl) << shift;
        if m & !fmask != 0 {
            continue;
        }
        return Some(PayloadKey {
            key,
            shift,
            field_mask: fmask,
            bits: fl,
        });
    }
    let shift = m.trailing_zeros();
    let bits = (128 - m.leading_zeros()) - shift;
    Some(PayloadKey {
        key: raw(load_hi - shift - bits, bits)?,
        shift,
        field_mask: run(bits) << shift,
        bits,
    })
}

/// `hdr` is in the packet (`yes`) or is not: `tcp option 23 exists`,
/// `tcp option 23 missing`, as nft and xt tcp's `--tcp-option` say it.
pub(crate) fn presence(hdr: ExtHdr, yes: bool) -> crate::MatchKind {
    crate::MatchKind::Field {
        key: Key::ExtPresent(hdr),
        test: FieldTest::Cmp {
            op: CmpOp::Eq,
            value: Value(Box::new([u8::from(yes)])),
        },
    }
}

/// Whether a presence test holds when `hdr` is there: `Some(true)` for
/// `exists` and `!= missing`; `None` for a condition that is none.
pub(crate) fn presence_of(m: &crate::Match) -> Option<(ExtHdr, bool)> {
    match &m.kind {
        crate::MatchKind::Field {
            key: Key::ExtPresent(h),
            test:
                FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value,
                },
        } => match &*value.0 {
            [0] => Some((*h, m.negated)),
            [1] => Some((*h, !m.negated)),
            _ => None,
        },
        _ => None,
    }
}

/// The transport protocol a condition only holds for: a TCP option's, an
/// SCTP chunk's or a DCCP option's presence or bits (the kernel's exthdr
/// finds none in another protocol's packet, and breaks the rule when it
/// reads bits there, `!=` or not).
pub(crate) fn implies_l4(m: &crate::Match) -> Option<u8> {
    let l4 = |h: &ExtHdr| match h.kind {
        ExtKind::TcpOpt => Some(6),
        ExtKind::SctpChunk => Some(132),
        ExtKind::DccpOpt => Some(33),
        ExtKind::Ipv6 | ExtKind::IpOpt => None,
    };
    match &m.kind {
        crate::MatchKind::Field {
            key: Key::Ext { hdr, .. },
            ..
        } => l4(hdr),
        crate::MatchKind::Field { .. } => match presence_of(m) {
            Some((h, true)) => l4(&h),
            _ => None,
        },
        _ => None,
    }
}

/// The header a network-header load reads in a table of family `fam`
/// (after any dependency that fixed it).
pub(crate) fn network_header(fam: crate::Family) -> Option<Header> {
    match fam {
        crate::Family::Ipv4 => Some(Header::Ip),
        crate::Family::Ipv6 => Some(Header::Ip6),
        crate::Family::Arp => Some(Header::Arp),
        _ => None,
    }
}

/// The transport protocol a positive condition fixes: `meta l4proto`, or
/// an `ip protocol` / `ip6 nexthdr` compare.
pub(crate) fn l4_fixed(m: &crate::Match) -> Option<u8> {
    if m.negated {
        return None;
    }
    match &m.kind {
        crate::MatchKind::Protocol(p) => Some(*p),
        crate::MatchKind::Field {
            key: Key::Header(h),
            test:
                FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value,
                },
        } if matches!(
            (h.header(), h.name()),
            (Header::Ip, "protocol") | (Header::Ip6, "nexthdr")
        ) =>
        {
            value.as_u128().and_then(|v| u8::try_from(v).ok())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l4proto_numbers_and_headers_agree() {
        for p in 0..=255u8 {
            if let Some(h) = Header::of_l4proto(p) {
                assert_eq!(h.l4proto(), Some(p), "{h:?}");
            }
        }
        assert_eq!(Header::Th.l4proto(), None);
    }

    #[test]
    fn keys_print_and_parse_as_nft_names_them() {
        for s in [
            "ip dscp",
            "arp saddr ip",
            "vlan id",
            "@nh,8,6",
            "meta priority",
            "iif",
            "ct original zone",
            "ct event",
            "socket transparent",
            "socket mark",
            "socket cgroupv2 level 2",
            "osf name",
            "osf ttl loose name",
            "osf ttl skip version",
            "numgen inc mod 2",
            "numgen random mod 10 offset 100",
            "symhash mod 2 offset 100",
            "rt classid",
            "rt ip6 nexthop",
            "rt mtu",
            "ipsec in reqid",
            "ipsec out spnum 2 ip saddr",
            "fib saddr . iif oif",
            "fib daddr . mark type",
        ] {
            let k: Key = s.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(k.to_string(), s);
        }
        // A fib presence test lists as the result does (`fib daddr oif
        // exists`); it reads back from its serialized form.
        let present: Key = "fib daddr oif present"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(present.to_string(), "fib daddr oif");
        assert_ne!(
            present,
            "fib daddr oif"
                .parse::<Key>()
                .unwrap_or_else(|e| panic!("{e}"))
        );
        assert!("fib daddr nosuch".parse::<Key>().is_err());
        assert!("ipsec sideways reqid".parse::<Key>().is_err());
        assert!("ip nosuch".parse::<Key>().is_err());
        assert!("osf ttl wrong name".parse::<Key>().is_err());
        assert!("numgen inc mod".parse::<Key>().is_err());
        assert!("symhash mod 2 offset x".parse::<Key>().is_err());
        assert_eq!(
            "socket mark"
                .parse::<Key>()
                .map(|k| (k.width(), k.host_order())),
            Ok((4, true))
        );
    }

    fn ctx(header: Option<Header>, ll_vlan: bool) -> PayloadCtx {
        PayloadCtx {
            header,
            ll_vlans: u8::from(ll_vlan),
            icmp_type: None,
        }
    }

    #[test]
    fn icmp_fields_are_named_by_the_type_matched() {
        let at = |icmp_type, offset, len| {
            let c = PayloadCtx {
                header: Some(Header::Icmp),
                ll_vlans: 0,
                icmp_type,
            };
            payload_key(c, PayloadBase::Th, offset, len, None)
                .expect("a key")
                .key
                .to_string()
        };
        assert_eq!(at(None, 6, 2), "icmp sequence");
        assert_eq!(at(Some(3), 6, 2), "icmp mtu");
        assert_eq!(at(Some(8), 6, 2), "icmp sequence");
        assert_eq!(at(None, 4, 4), "icmp gateway");
        assert_eq!(at(Some(0), 4, 2), "icmp id");
        assert_eq!(at(Some(3), 4, 2), "@th,32,16");
        let f = |name| HeaderField::lookup(Header::Icmp, name).expect("a field");
        assert!(f("mtu").implies_icmp_type(3));
        assert!(!f("id").implies_icmp_type(8));
        assert!(!f("checksum").implies_icmp_type(3));
        let f6 =
            |name, ty| HeaderField::lookup(Header::Icmpv6, name).map(|h| h.implies_icmp_type(ty));
        assert_eq!(f6("daddr", 137), Some(true));
        // One of six types: the type test stays.
        assert_eq!(f6("taddr", 135), Some(false));
        assert_eq!(f6("taddr", 137), Some(false));
    }

    #[test]
    fn sub_byte_fields_resolve_from_the_mask() {
        // ip dscp: 1 byte at nh+1, & 0xfc.
        let k = payload_key(
            ctx(Some(Header::Ip), false),
            PayloadBase::Nh,
            1,
            1,
            Some(0xfc),
        )
        .expect("a key");
        assert_eq!(k.key.to_string(), "ip dscp");
        assert_eq!((k.shift, k.bits), (2, 6));
        // vlan id: 2 bytes at ll+14, & 0x0fff, only after an 802.1Q type.
        let k = payload_key(ctx(None, true), PayloadBase::Ll, 14, 2, Some(0x0fff)).expect("a key");
        assert_eq!(k.key.to_string(), "vlan id");
        let k = payload_key(ctx(None, false), PayloadBase::Ll, 14, 2, Some(0x0fff)).expect("a key");
        assert_eq!(k.key.to_string(), "@ll,116,12");
        // ip frag-off & 0x2000: part of the field.
        let k = payload_key(
            ctx(Some(Header::Ip), false),
            PayloadBase::Nh,
            6,
            2,
            Some(0x2000),
        )
        .expect("a key");
        assert_eq!(k.key.to_string(), "ip frag-off");
        // No protocol known: raw.
        let k = payload_key(ctx(None, false), PayloadBase::Th, 4, 4, None).expect("a key");
        assert_eq!(k.key.to_string(), "@th,32,32");
    }
}
