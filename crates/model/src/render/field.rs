//! nft's spelling of [`MatchKind::Field`](crate::MatchKind::Field) values,
//! by the key's [`Datatype`].

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::nft::{bits_text, CT_STATE_NAMES, CT_STATUS_NAMES, TCP_FLAG_NAMES};
use crate::field::{CmpOp, Datatype, FieldTest, Key, Value};
use crate::types::{Jhash, KeyExpr};
use crate::xt_save::civil;

/// What changes how values print.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ValueOpts {
    /// `-n`: symbolic constants as numbers.
    pub numeric: bool,
    /// `-p`: protocols as numbers.
    pub numeric_proto: bool,
    /// `-T`: times as seconds (`90s`, not `1m30s`).
    pub numeric_time: bool,
    /// Which nft's spelling.
    pub dialect: super::nft::Dialect,
    /// Seconds east of UTC that times and hours print in.
    pub utc_offset: i32,
    /// `-s`: no state (`last` without when).
    pub stateless: bool,
}

/// nft's `icmp_code` names.
const ICMP_CODE: &[(u128, &str)] = &[
    (0, "net-unreachable"),
    (1, "host-unreachable"),
    (2, "prot-unreachable"),
    (3, "port-unreachable"),
    (4, "frag-needed"),
    (9, "net-prohibited"),
    (10, "host-prohibited"),
    (13, "admin-prohibited"),
];

/// nft's `icmpv6_code` names.
const ICMPV6_CODE: &[(u128, &str)] = &[
    (0, "no-route"),
    (1, "admin-prohibited"),
    (3, "addr-unreachable"),
    (4, "port-unreachable"),
    (5, "policy-fail"),
    (6, "reject-route"),
];

fn sym(table: &[(u128, &'static str)], n: u128) -> Option<&'static str> {
    table.iter().find(|(v, _)| *v == n).map(|(_, s)| *s)
}

const DSCP: &[(u128, &str)] = &[
    (0x00, "cs0"),
    (0x08, "cs1"),
    (0x10, "cs2"),
    (0x18, "cs3"),
    (0x20, "cs4"),
    (0x28, "cs5"),
    (0x30, "cs6"),
    (0x38, "cs7"),
    (0x01, "lephb"),
    (0x0a, "af11"),
    (0x0c, "af12"),
    (0x0e, "af13"),
    (0x12, "af21"),
    (0x14, "af22"),
    (0x16, "af23"),
    (0x1a, "af31"),
    (0x1c, "af32"),
    (0x1e, "af33"),
    (0x22, "af41"),
    (0x24, "af42"),
    (0x26, "af43"),
    (0x2c, "va"),
    (0x2e, "ef"),
];
const ECN: &[(u128, &str)] = &[(0, "not-ect"), (1, "ect1"), (2, "ect0"), (3, "ce")];
const ETHERTYPE: &[(u128, &str)] = &[
    (0x0800, "ip"),
    (0x0806, "arp"),
    (0x86dd, "ip6"),
    (0x8100, "8021q"),
    (0x88a8, "8021ad"),
];
const ARPOP: &[(u128, &str)] = &[
    (1, "request"),
    (2, "reply"),
    (3, "rrequest"),
    (4, "rreply"),
    (8, "inrequest"),
    (9, "inreply"),
    (10, "nak"),
];
const IFTYPE: &[(u128, &str)] = &[
    (1, "ether"),
    (512, "ppp"),
    (768, "ipip"),
    (769, "ipip6"),
    (772, "loopback"),
    (776, "sit"),
    (778, "ipgre"),
];
const NFPROTO: &[(u128, &str)] = &[(2, "ipv4"), (10, "ipv6")];
const MH_TYPE: &[(u128, &str)] = &[
    (0, "binding-refresh-request"),
    (1, "home-test-init"),
    (2, "careof-test-init"),
    (3, "home-test"),
    (4, "careof-test"),
    (5, "binding-update"),
    (6, "binding-acknowledgement"),
    (7, "binding-error"),
    (8, "fast-binding-update"),
    (9, "fast-binding-acknowledgement"),
    (10, "fast-binding-advertisement"),
    (11, "experimental-mobility-header"),
    (12, "home-agent-switch-message"),
];
const MPTCP_SUBTYPE: &[(u128, &str)] = &[
    (0, "mp-capable"),
    (1, "mp-join"),
    (2, "dss"),
    (3, "add-addr"),
    (4, "remove-addr"),
    (5, "mp-prio"),
    (6, "mp-fail"),
    (7, "mp-fastclose"),
    (8, "mp-tcprst"),
];
const IGMP: &[(u128, &str)] = &[
    (0x11, "membership-query"),
    (0x12, "membership-report-v1"),
    (0x16, "membership-report-v2"),
    (0x22, "membership-report-v3"),
    (0x17, "leave-group"),
];
const DCCP: &[(u128, &str)] = &[
    (0, "request"),
    (1, "response"),
    (2, "data"),
    (3, "ack"),
    (4, "dataack"),
    (5, "closereq"),
    (6, "close"),
    (7, "reset"),
    (8, "sync"),
    (9, "syncack"),
];
const PKTTYPE: &[(u128, &str)] = &[
    (0, "host"),
    (1, "broadcast"),
    (2, "multicast"),
    (3, "other"),
];
const DAYS: &[&str] = &[
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const CT_EVENTS: &[(u16, &str)] = &[
    (0x1, "new"),
    (0x2, "related"),
    (0x4, "destroy"),
    (0x8, "reply"),
    (0x10, "assured"),
    (0x20, "protoinfo"),
    (0x40, "helper"),
    (0x80, "mark"),
    (0x100, "seqadj"),
    (0x200, "secmark"),
    (0x400, "label"),
];

fn quoted_bytes(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    let s = String::from_utf8_lossy(&b[..end]);
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn millis_text(ms: u128) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, name) in [
        (86_400_000u128, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1000, "s"),
        (1, "ms"),
    ] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    out
}

/// One value as nft prints values of `ty`.
/// nft's names of route types (`RTN_*`).
const FIB_ADDRTYPES: &[(u128, &str)] = &[
    (0, "unspec"),
    (1, "unicast"),
    (2, "local"),
    (3, "broadcast"),
    (4, "anycast"),
    (5, "multicast"),
    (6, "blackhole"),
    (7, "unreachable"),
    (8, "prohibit"),
];

pub(crate) fn value_text(ty: Datatype, v: &Value, o: ValueOpts) -> String {
    let b = &v.0;
    let Some(n) = v.as_u128() else {
        // Wider than 128 bits: the bytes in hex.
        return format!("{v:?}");
    };
    let symbolic = |table: &[(u128, &'static str)], fallback: String| {
        if o.numeric {
            return fallback;
        }
        sym(table, n).map_or(fallback, str::to_owned)
    };
    match ty {
        Datatype::Integer | Datatype::InetService => n.to_string(),
        Datatype::Hex => format!("{n:#x}"),
        Datatype::FragOff if o.dialect == super::nft::Dialect::Nft1_0 => n.to_string(),
        Datatype::FragOff => format!("{n:#x}"),
        Datatype::Mark => format!("{n:#010x}"),
        Datatype::Ipv4 | Datatype::IpAddr if b.len() == 4 => {
            Ipv4Addr::from(u32::try_from(n).unwrap_or(0)).to_string()
        }
        Datatype::Ipv6 | Datatype::IpAddr if b.len() == 16 => {
            nflens_xtables::value::Ntop(Ipv6Addr::from(n).into()).to_string()
        }
        Datatype::Ether if b.len() == 6 => b
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        Datatype::InetProto => {
            let p = u8::try_from(n).unwrap_or(0);
            // nft names protocols from /etc/protocols, where 0 is `ip`
            // (iptables-save says `all`, which is not a protocol).
            let name = if p == 0 {
                Some("ip")
            } else {
                nflens_xtables::names::proto_name(p)
            };
            match name {
                Some(name) if !(o.numeric || o.numeric_proto) => name.to_owned(),
                _ => p.to_string(),
            }
        }
        Datatype::EtherType => symbolic(ETHERTYPE, format!("0x{n:04x}")),
        Datatype::Dscp => symbolic(DSCP, format!("0x{n:02x}")),
        Datatype::Ecn => symbolic(ECN, format!("0x{n:x}")),
        Datatype::ArpOp => symbolic(ARPOP, n.to_string()),
        Datatype::IfType => symbolic(IFTYPE, n.to_string()),
        Datatype::NfProto => symbolic(NFPROTO, n.to_string()),
        Datatype::IgmpType => symbolic(IGMP, n.to_string()),
        Datatype::IcmpCode => symbolic(ICMP_CODE, n.to_string()),
        Datatype::Icmpv6Code => symbolic(ICMPV6_CODE, n.to_string()),
        Datatype::DccpType => symbolic(DCCP, n.to_string()),
        Datatype::MhType => symbolic(MH_TYPE, n.to_string()),
        // nft 1.0 prints the subtype as a number.
        Datatype::MptcpSubtype if o.dialect == super::nft::Dialect::Nft1_0 => n.to_string(),
        Datatype::MptcpSubtype => symbolic(MPTCP_SUBTYPE, n.to_string()),
        Datatype::PktType => symbolic(PKTTYPE, n.to_string()),
        Datatype::IcmpType | Datatype::Icmpv6Type => super::nft::icmp_type_text(
            ty == Datatype::Icmpv6Type,
            u8::try_from(n).unwrap_or(0),
            o.numeric,
        ),
        // One value of several flags: `syn | ack` (in a set, `{ syn, syn | ack }`).
        Datatype::TcpFlags => bits_text(n as u64, &TCP_FLAG_NAMES, o.numeric).replace(',', " | "),
        Datatype::CtEvent => bits_text(n as u64, CT_EVENTS, o.numeric),
        Datatype::CtLabel => {
            let bits: Vec<String> = b
                .iter()
                .enumerate()
                .flat_map(|(i, &x)| {
                    (0..8)
                        .filter(move |j| x >> j & 1 != 0)
                        .map(move |j| i * 8 + j)
                })
                .map(|n| n.to_string())
                .collect();
            if bits.is_empty() {
                "0".into()
            } else {
                bits.join(",")
            }
        }
        Datatype::CtState => bits_text(n as u64, &CT_STATE_NAMES, o.numeric),
        Datatype::CtStatus => bits_text(n as u64, &CT_STATUS_NAMES, o.numeric),
        Datatype::TcHandle => match n {
            0xffff_ffff => "root".into(),
            0 => "none".into(),
            _ => format!("{:x}:{:x}", n >> 16, n & 0xffff),
        },
        Datatype::DevGroup if n == 0 && !o.numeric => "\"default\"".into(),
        // iproute2's rt_realms names 0 only.
        Datatype::Realm if n == 0 && !o.numeric => "\"cosmos\"".into(),
        Datatype::Realm => n.to_string(),
        Datatype::FibAddrType => symbolic(FIB_ADDRTYPES, n.to_string()),
        // nft names the interface even with `-n`.
        Datatype::IfIndex if n == 1 => "\"lo\"".into(),
        Datatype::DevGroup | Datatype::IfIndex => n.to_string(),
        Datatype::String => quoted_bytes(b),
        Datatype::Boolean if o.numeric => n.to_string(),
        Datatype::Boolean => if n != 0 { "exists" } else { "missing" }.into(),
        Datatype::CtDir => match (n, o.numeric) {
            (0, false) => "original".into(),
            (1, false) => "reply".into(),
            _ => n.to_string(),
        },
        Datatype::Day => DAYS
            .get(n as usize)
            .map_or_else(|| n.to_string(), |d| format!("\"{d}\"")),
        Datatype::Hour => {
            let s = (i64::try_from(n).unwrap_or(0) + i64::from(o.utc_offset)).rem_euclid(86_400);
            let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
            if sec == 0 {
                format!("\"{h:02}:{m:02}\"")
            } else {
                format!("\"{h:02}:{m:02}:{sec:02}\"")
            }
        }
        Datatype::Time => {
            let secs = i64::try_from(n / 1_000_000_000).unwrap_or(0) + i64::from(o.utc_offset);
            let (y, mo, d) = civil(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            format!(
                "\"{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}\"",
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        }
        Datatype::Millis if o.numeric_time => format!("{}s", n / 1000),
        Datatype::Millis => millis_text(n),
        // An address or Ethernet value of another width.
        _ => format!("{v:?}"),
    }
}

/// One set element: a value, a prefix (addresses), or a range.
pub(crate) fn element_text(ty: Datatype, lo: &Value, hi: &Value, o: ValueOpts) -> String {
    if lo == hi {
        return value_text(ty, lo, o);
    }
    if matches!(ty, Datatype::Ipv4 | Datatype::Ipv6 | Datatype::IpAddr) {
        if let (Some(a), Some(b)) = (lo.as_u128(), hi.as_u128()) {
            let bits = lo.0.len() as u32 * 8;
            let span = a ^ b;
            // A prefix: the differing bits are all the low ones, 0s in
            // `lo` and 1s in `hi`.
            if span.count_ones() == span.trailing_ones() && a & span == 0 {
                return format!("{}/{}", value_text(ty, lo, o), bits - span.count_ones());
            }
        }
    }
    range_text(ty, lo, hi, o)
}

/// The number of leading 1 bits of `mask`, when the rest are 0s.
fn prefix_len(mask: &Value) -> Option<u32> {
    let n = mask.as_u128()?;
    let bits = mask.0.len() as u32 * 8;
    let ones = (n << (128 - bits)).leading_ones();
    (n.count_ones() == ones).then_some(ones)
}

/// `lo-hi`: nft prints a range's ends fully numeric: symbols, protocols
/// and times (`meta l4proto 33-45`, not `dccp-idrp`; `60s-3600s`).
fn range_text(ty: Datatype, lo: &Value, hi: &Value, o: ValueOpts) -> String {
    let o = ValueOpts {
        numeric: true,
        numeric_proto: true,
        numeric_time: true,
        ..o
    };
    format!("{}-{}", value_text(ty, lo, o), value_text(ty, hi, o))
}

/// Keys joined as nft joins a concatenation (`ip saddr . tcp dport`).
pub(crate) fn keys_text(keys: &[Key]) -> String {
    let names: Vec<String> = keys.iter().map(Key::to_string).collect();
    names.join(" . ")
}

/// What a lookup reads, as nft lists it: keys joined as a concatenation,
/// each masked (`ip6 saddr & ::ffff`) or hashed (`jhash ip saddr mod 2`).
pub(crate) fn exprs_text(exprs: &[KeyExpr], o: ValueOpts) -> String {
    let names: Vec<String> = exprs
        .iter()
        .map(|e| match e {
            KeyExpr::Key(k) => k.to_string(),
            KeyExpr::Masked { key, mask } => masked(&key.to_string(), key.datatype(), mask, o),
            KeyExpr::Jhash(h) => jhash_text(h),
        })
        .collect();
    names.join(" . ")
}

/// How the values of what a lookup reads print: a key's as the key's, a
/// hash's as integers.
pub(crate) fn expr_types(exprs: &[KeyExpr]) -> Vec<Datatype> {
    exprs
        .iter()
        .map(|e| match e {
            KeyExpr::Key(key) | KeyExpr::Masked { key, .. } => key.datatype(),
            KeyExpr::Jhash(_) => Datatype::Integer,
        })
        .collect()
}

/// `jhash ip saddr . ip daddr mod 2 seed 0xdeadbeef offset 100`.
pub(crate) fn jhash_text(h: &Jhash) -> String {
    let mut t = format!("jhash {} mod {}", keys_text(&h.input), h.modulus);
    if let Some(seed) = h.seed {
        let _ = write!(t, " seed {seed:#x}");
    }
    if h.offset != 0 {
        let _ = write!(t, " offset {}", h.offset);
    }
    t
}

/// One element of a set or map whose keys' values print as `types`: per
/// key a value, prefix or range, joined with ` . `; `*` for the catch-all
/// (no ranges).
pub(crate) fn tuple_text(types: &[Datatype], elem: &[(Value, Value)], o: ValueOpts) -> String {
    if elem.is_empty() {
        return "*".into();
    }
    let parts: Vec<String> = types
        .iter()
        .zip(elem)
        .map(|(&ty, (lo, hi))| element_text(ty, lo, hi, o))
        .collect();
    parts.join(" . ")
}

/// `key test` as nft lists it; `negated` for `!=`.
pub(crate) fn field_text(key: &Key, test: &FieldTest, negated: bool, o: ValueOpts) -> String {
    let ty = key.datatype();
    match test {
        // A label bit set: `ct label 127`.
        FieldTest::Masked { mask, value }
            if ty == Datatype::CtLabel && negated && value.0.iter().all(|&b| b == 0) =>
        {
            format!("{key} {}", value_text(ty, mask, o))
        }
        // A prefix of an address: `ipsec in ip saddr 192.168.1.0/24`.
        FieldTest::Masked { mask, value }
            if matches!(ty, Datatype::Ipv4 | Datatype::Ipv6 | Datatype::IpAddr)
                && prefix_len(mask).is_some() =>
        {
            let ne = if negated { "!= " } else { "" };
            let bits = prefix_len(mask).unwrap_or(0);
            format!("{key} {ne}{}/{bits}", value_text(ty, value, o))
        }
        // nft prints the mask as a value of the key (`ip id & 255 == 1`,
        // `ip dscp & 0x3f == lephb`) and `==` after it, unless the value was
        // turned to network order first (`ct mark & 0x000000ff
        // 0x00000010-0x00000020`: a range or interval of a host-order key).
        FieldTest::Masked { mask, value } => format!(
            "{} {} {}",
            masked(&key.to_string(), ty, mask, o),
            if negated { "!=" } else { "==" },
            value_text(ty, value, o)
        ),
        FieldTest::Bits { mask, test } => {
            let turned = key.host_order()
                && key.width() > 1
                && match &**test {
                    FieldTest::Range { .. } => true,
                    FieldTest::In(elems) => elems.iter().any(|(lo, hi)| lo != hi),
                    _ => false,
                };
            let lhs = masked(&key.to_string(), ty, mask, o);
            test_text(&lhs, ty, test, negated, !turned, o)
        }
        _ => test_text(&key.to_string(), ty, test, negated, false, o),
    }
}

/// `lhs & mask`, the mask a value of the key; flags in parentheses (`tcp
/// flags & (syn | ack)`).
fn masked(lhs: &str, ty: Datatype, mask: &Value, o: ValueOpts) -> String {
    let m = value_text(ty, mask, o);
    if m.contains(" | ") {
        format!("{lhs} & ({m})")
    } else {
        format!("{lhs} & {m}")
    }
}

/// `lhs test`: `negated` for `!=`; `eq` prints `==` where nft otherwise
/// prints no operator.
fn test_text(
    lhs: &str,
    ty: Datatype,
    test: &FieldTest,
    negated: bool,
    eq: bool,
    o: ValueOpts,
) -> String {
    let ne = match (negated, eq) {
        (true, _) => "!= ",
        (false, true) => "== ",
        (false, false) => "",
    };
    match test {
        FieldTest::Cmp { op, value } => {
            let op = match op {
                CmpOp::Eq => ne,
                CmpOp::Lt => "< ",
                CmpOp::Le => "<= ",
                CmpOp::Gt => "> ",
                CmpOp::Ge => ">= ",
            };
            format!("{lhs} {op}{}", value_text(ty, value, o))
        }
        // nft 1.1 lists a negated hour range as the range the other way
        // round, as one crossing midnight is written (`meta hour
        // "21:00"-"02:00"` for `!= "02:00"-"21:00"`); the kernel's range
        // is in UTC, so which one the user wrote is not known.
        FieldTest::Range { lo, hi }
            if negated && ty == Datatype::Hour && o.dialect == super::nft::Dialect::Nft1_1 =>
        {
            format!("{lhs} {}", range_text(ty, hi, lo, o))
        }
        FieldTest::Range { lo, hi } => format!("{lhs} {ne}{}", range_text(ty, lo, hi, o)),
        FieldTest::In(elems) => {
            let items: Vec<String> = elems
                .iter()
                .map(|(lo, hi)| element_text(ty, lo, hi, o))
                .collect();
            format!("{lhs} {ne}{{ {} }}", items.join(", "))
        }
        // Not made by lowering (a mask of a mask): the inner test as if
        // it stood alone.
        FieldTest::Masked { mask, value } => format!(
            "{} {} {}",
            masked(lhs, ty, mask, o),
            if negated { "!=" } else { "==" },
            value_text(ty, value, o)
        ),
        FieldTest::Bits { mask, test } => {
            test_text(&masked(lhs, ty, mask, o), ty, test, negated, eq, o)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_nft_prints_them() {
        // 2019-06-21 15:00:00 UTC, in ns; nft's test suite runs at UTC+2.
        let v = Value::from_u128(0x15aa_3ebc_767d_6000, 8);
        let o = ValueOpts {
            utc_offset: 7200,
            ..ValueOpts::default()
        };
        assert_eq!(value_text(Datatype::Time, &v, o), "\"2019-06-21 17:00:00\"");
        let v = Value::from_u128(0xd2f0, 4);
        assert_eq!(value_text(Datatype::Hour, &v, o), "\"17:00\"");
        assert_eq!(millis_text(233_000), "3m53s");
        assert_eq!(
            value_text(Datatype::Dscp, &Value::from_u128(0x2, 1), o),
            "0x02"
        );
        assert_eq!(
            value_text(Datatype::TcHandle, &Value::from_u128(0xaabb_0000, 4), o),
            "aabb:0"
        );
    }
}
