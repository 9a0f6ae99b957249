//! Name tables iptables uses when reading and printing: protocols, ICMP
//! types, TCP flags and conntrack states. Ours, from the public
//! definitions (IANA protocol numbers as in netbase's /etc/protocols, RFC 792
//! and RFC 4443 type names as iptables spells them).

/// Protocol numbers and the name iptables-save prints for them (the first
/// name of each number), plus the extra input spellings iptables accepts.
pub static PROTOCOLS: &[(&str, u8)] = &[
    ("icmp", 1),
    ("igmp", 2),
    ("ipencap", 4),
    ("tcp", 6),
    ("egp", 8),
    ("igp", 9),
    ("pup", 12),
    ("udp", 17),
    ("hmp", 20),
    ("xns-idp", 22),
    ("rdp", 27),
    ("iso-tp4", 29),
    ("dccp", 33),
    ("xtp", 36),
    ("ddp", 37),
    ("idpr-cmtp", 38),
    ("ipv6", 41),
    ("ipv6-route", 43),
    ("ipv6-frag", 44),
    ("idrp", 45),
    ("rsvp", 46),
    ("gre", 47),
    ("esp", 50),
    ("ah", 51),
    ("skip", 57),
    ("ipv6-icmp", 58),
    ("ipv6-nonxt", 59),
    ("ipv6-opts", 60),
    ("rspf", 73),
    ("vmtp", 81),
    ("eigrp", 88),
    ("ospf", 89),
    ("ax.25", 93),
    ("ipip", 94),
    ("etherip", 97),
    ("encap", 98),
    ("pim", 103),
    ("ipcomp", 108),
    ("vrrp", 112),
    ("l2tp", 115),
    ("isis", 124),
    ("sctp", 132),
    ("fc", 133),
    ("mobility-header", 135),
    ("udplite", 136),
    ("mpls-in-ip", 137),
    ("manet", 138),
    ("hip", 139),
    ("shim6", 140),
    ("wesp", 141),
    ("rohc", 142),
    ("ethernet", 143),
    // Input-only spellings (iptables' own table and /etc/protocols aliases).
    ("icmpv6", 58),
    ("ipv6-mh", 135),
    ("mh", 135),
    ("ospfigp", 89),
];

/// The protocol number of a name or decimal number; `all` is 0.
pub fn proto_number(s: &str) -> Option<u8> {
    if s == "all" {
        return Some(0);
    }
    if let Ok(n) = s.parse::<u8>() {
        return Some(n);
    }
    // Case-insensitive without building a lower-case copy (this runs once per rule).
    PROTOCOLS
        .iter()
        .find(|p| p.0.eq_ignore_ascii_case(s))
        .map(|p| p.1)
}

/// The name iptables-save prints for a protocol number, if it has one.
pub fn proto_name(n: u8) -> Option<&'static str> {
    PROTOCOLS.iter().find(|p| p.1 == n).map(|p| p.0)
}

/// ICMP (v4) type names: (name, type, code range).
pub static ICMP_TYPES: &[(&str, u8, u8, u8)] = &[
    ("any", 0xff, 0, 0xff),
    ("echo-reply", 0, 0, 0xff),
    ("pong", 0, 0, 0xff),
    ("destination-unreachable", 3, 0, 0xff),
    ("network-unreachable", 3, 0, 0),
    ("host-unreachable", 3, 1, 1),
    ("protocol-unreachable", 3, 2, 2),
    ("port-unreachable", 3, 3, 3),
    ("fragmentation-needed", 3, 4, 4),
    ("source-route-failed", 3, 5, 5),
    ("network-unknown", 3, 6, 6),
    ("host-unknown", 3, 7, 7),
    ("network-prohibited", 3, 9, 9),
    ("host-prohibited", 3, 10, 10),
    ("TOS-network-unreachable", 3, 11, 11),
    ("TOS-host-unreachable", 3, 12, 12),
    ("communication-prohibited", 3, 13, 13),
    ("host-precedence-violation", 3, 14, 14),
    ("precedence-cutoff", 3, 15, 15),
    ("source-quench", 4, 0, 0xff),
    ("redirect", 5, 0, 0xff),
    ("network-redirect", 5, 0, 0),
    ("host-redirect", 5, 1, 1),
    ("TOS-network-redirect", 5, 2, 2),
    ("TOS-host-redirect", 5, 3, 3),
    ("echo-request", 8, 0, 0xff),
    ("ping", 8, 0, 0xff),
    ("router-advertisement", 9, 0, 0xff),
    ("router-solicitation", 10, 0, 0xff),
    ("time-exceeded", 11, 0, 0xff),
    ("ttl-exceeded", 11, 0, 0xff),
    ("ttl-zero-during-transit", 11, 0, 0),
    ("ttl-zero-during-reassembly", 11, 1, 1),
    ("parameter-problem", 12, 0, 0xff),
    ("ip-header-bad", 12, 0, 0),
    ("required-option-missing", 12, 1, 1),
    ("timestamp-request", 13, 0, 0xff),
    ("timestamp-reply", 14, 0, 0xff),
    ("address-mask-request", 17, 0, 0xff),
    ("address-mask-reply", 18, 0, 0xff),
];

/// ICMPv6 type names: (name, type, code range).
pub static ICMP6_TYPES: &[(&str, u8, u8, u8)] = &[
    ("destination-unreachable", 1, 0, 0xff),
    ("no-route", 1, 0, 0),
    ("communication-prohibited", 1, 1, 1),
    ("beyond-scope", 1, 2, 2),
    ("address-unreachable", 1, 3, 3),
    ("port-unreachable", 1, 4, 4),
    ("failed-policy", 1, 5, 5),
    ("reject-route", 1, 6, 6),
    ("packet-too-big", 2, 0, 0xff),
    ("time-exceeded", 3, 0, 0xff),
    ("ttl-exceeded", 3, 0, 0xff),
    ("ttl-zero-during-transit", 3, 0, 0),
    ("ttl-zero-during-reassembly", 3, 1, 1),
    ("parameter-problem", 4, 0, 0xff),
    ("bad-header", 4, 0, 0),
    ("unknown-header-type", 4, 1, 1),
    ("unknown-option", 4, 2, 2),
    ("echo-request", 128, 0, 0xff),
    ("ping", 128, 0, 0xff),
    ("echo-reply", 129, 0, 0xff),
    ("pong", 129, 0, 0xff),
    ("mld-listener-query", 130, 0, 0xff),
    ("mld-listener-report", 131, 0, 0xff),
    ("mld-listener-done", 132, 0, 0xff),
    ("mld-listener-reduction", 132, 0, 0xff),
    ("router-solicitation", 133, 0, 0xff),
    ("router-advertisement", 134, 0, 0xff),
    ("neighbour-solicitation", 135, 0, 0xff),
    ("neighbor-solicitation", 135, 0, 0xff),
    ("neighbour-advertisement", 136, 0, 0xff),
    ("neighbor-advertisement", 136, 0, 0xff),
    ("redirect", 137, 0, 0xff),
];

/// TCP flag names in the order iptables prints them.
pub static TCP_FLAGS: &[(&str, u8)] = &[
    ("FIN", 0x01),
    ("SYN", 0x02),
    ("RST", 0x04),
    ("PSH", 0x08),
    ("ACK", 0x10),
    ("URG", 0x20),
    ("ECE", 0x40),
    ("CWR", 0x80),
];

/// Parses a comma list of TCP flags; `ALL` is the six classic flags, `NONE` none.
pub fn tcp_flags(s: &str) -> Option<u8> {
    let mut bits = 0u8;
    for w in s.split(',') {
        bits |= if w.eq_ignore_ascii_case("ALL") {
            0x3f
        } else if w.eq_ignore_ascii_case("NONE") {
            0
        } else {
            TCP_FLAGS.iter().find(|f| f.0.eq_ignore_ascii_case(w))?.1
        };
    }
    Some(bits)
}

/// Conntrack states in the order iptables prints them, with nflens' bit for
/// each. The first five bits are the kernel's `NF_CT_STATE_*_BIT` values
/// (what nft `ct state` compares); SNAT and DNAT are conntrack-match-only
/// virtual states and get bits the kernel does not use for states.
pub static CT_STATES: &[(&str, u16)] = &[
    ("INVALID", 0x01),
    ("NEW", 0x08),
    ("RELATED", 0x04),
    ("ESTABLISHED", 0x02),
    ("UNTRACKED", 0x40),
    ("SNAT", 0x100),
    ("DNAT", 0x200),
];

/// Conntrack status bits (`--ctstatus`), kernel `IPS_*` values, in print order.
pub static CT_STATUS: &[(&str, u16)] = &[
    ("EXPECTED", 0x01),
    ("SEEN_REPLY", 0x02),
    ("ASSURED", 0x04),
    ("CONFIRMED", 0x08),
];

/// Parses a comma list of names from `table` (case-insensitive) into bits.
/// `NONE` alone is 0 when `none_ok`.
pub fn bit_list(s: &str, table: &[(&str, u16)], none_ok: bool) -> Option<u16> {
    if none_ok && s.eq_ignore_ascii_case("NONE") {
        return Some(0);
    }
    let mut bits = 0;
    for w in s.split(',') {
        bits |= table.iter().find(|e| e.0.eq_ignore_ascii_case(w))?.1;
    }
    Some(bits)
}

/// `-m addrtype` types, in the order of their bits (`RTN_*`: bit `i` is
/// type `i`), as `xt_addrtype_info_v1` stores them.
pub static ADDRTYPES: &[&str] = &[
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE",
];
