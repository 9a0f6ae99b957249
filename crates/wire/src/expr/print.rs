//! libnftnl's debug syntax (`nftnl_expr_snprintf` with `NFTNL_OUTPUT_DEFAULT`),
//! as `nft --debug=netlink` prints it. The key and enum names are libnftnl
//! 1.2.4's; a value it has no name for prints as `unknown`, as it does.

use core::fmt;

use super::*;
use crate::data::{write_data, Data};

/// libnftnl's name for an `NFT_META_*` key.
pub fn meta_key(k: u32) -> Option<&'static str> {
    const N: [&str; 35] = [
        "len",
        "protocol",
        "priority",
        "mark",
        "iif",
        "oif",
        "iifname",
        "oifname",
        "iiftype",
        "oiftype",
        "skuid",
        "skgid",
        "nftrace",
        "rtclassid",
        "secmark",
        "nfproto",
        "l4proto",
        "bri_iifname",
        "bri_oifname",
        "pkttype",
        "cpu",
        "iifgroup",
        "oifgroup",
        "cgroup",
        "prandom",
        "secpath",
        "iifkind",
        "oifkind",
        "bri_iifpvid",
        "bri_iifvproto",
        "time",
        "day",
        "hour",
        "sdif",
        "sdifname",
    ];
    N.get(k as usize).copied()
}

/// libnftnl's name for an `NFT_CT_*` key.
pub fn ct_key(k: u32) -> Option<&'static str> {
    // libnftnl 1.2.4 stops at dst_ip6: `id` (Linux 5.4) prints as unknown.
    const N: [&str; 23] = [
        "state",
        "direction",
        "status",
        "mark",
        "secmark",
        "expiration",
        "helper",
        "l3protocol",
        "src",
        "dst",
        "protocol",
        "proto_src",
        "proto_dst",
        "label",
        "packets",
        "bytes",
        "avgpkt",
        "zone",
        "event",
        "src_ip",
        "dst_ip",
        "src_ip6",
        "dst_ip6",
    ];
    N.get(k as usize).copied()
}

/// libnftnl's name for a payload base.
pub fn payload_base(b: u32) -> Option<&'static str> {
    ["link", "network", "transport", "inner"]
        .get(b as usize)
        .copied()
}

/// libnftnl's name for a protocol family (`nftnl_family2str`).
pub fn family_name(f: u32) -> Option<&'static str> {
    Some(match f {
        1 => "inet",
        2 => "ip",
        3 => "arp",
        5 => "netdev",
        7 => "bridge",
        10 => "ip6",
        _ => return None,
    })
}

fn op_name(op: u32) -> &'static str {
    ["eq", "neq", "lt", "lte", "gt", "gte"]
        .get(op as usize)
        .copied()
        .unwrap_or("unknown")
}

fn rt_key(k: u32) -> &'static str {
    ["classid", "nexthop4", "nexthop6", "tcpmss", "ipsec"]
        .get(k as usize)
        .copied()
        .unwrap_or("unknown")
}

fn socket_key(k: u32) -> &'static str {
    ["transparent", "mark", "wildcard", "cgroupv2"]
        .get(k as usize)
        .copied()
        .unwrap_or("unknown")
}

fn xfrm_key(k: u32) -> &'static str {
    [
        "unspec", "daddr4", "daddr6", "saddr4", "saddr6", "reqid", "spi",
    ]
    .get(k as usize)
    .copied()
    .unwrap_or("unknown")
}

fn limit_unit(u: u64) -> &'static str {
    match u {
        1 => "second",
        60 => "minute",
        3600 => "hour",
        86400 => "day",
        604800 => "week",
        _ => "error",
    }
}

fn data(f: &mut dyn fmt::Write, d: &Data<'_>) -> fmt::Result {
    write_data(f, d, true)
}

/// Writes one expression as `[ NAME BODY]`, the way libnftnl prints it
/// inside a rule (without the leading two spaces and the newline).
pub fn write_expr(f: &mut dyn fmt::Write, e: &Expr<'_>) -> fmt::Result {
    write!(f, "[ {} ", e.name())?;
    write_expr_body(f, e)?;
    f.write_str("]")
}

/// Writes the body of an expression (what follows the name).
pub fn write_expr_body(f: &mut dyn fmt::Write, e: &Expr<'_>) -> fmt::Result {
    match e {
        Expr::Bitwise(b) => match (b.op, b.sreg2) {
            // libnftnl: `reg 1 = ( reg 1 | reg 2 ) `.
            (NFT_BITWISE_AND | NFT_BITWISE_OR | NFT_BITWISE_XOR, Some(r2)) => {
                let o = match b.op {
                    NFT_BITWISE_AND => '&',
                    NFT_BITWISE_OR => '|',
                    _ => '^',
                };
                write!(f, "reg {} = ( reg {} {o} reg {r2} ) ", b.dreg, b.sreg)
            }
            (NFT_BITWISE_LSHIFT | NFT_BITWISE_RSHIFT, _) => {
                let o = if b.op == NFT_BITWISE_LSHIFT {
                    "<<"
                } else {
                    ">>"
                };
                write!(f, "reg {} = ( reg {} {o} ", b.dreg, b.sreg)?;
                if let Some(d) = &b.data {
                    data(f, d)?;
                }
                f.write_str(") ")
            }
            _ => {
                write!(f, "reg {} = ( reg {} & ", b.dreg, b.sreg)?;
                if let Some(d) = &b.mask {
                    data(f, d)?;
                }
                f.write_str(") ^ ")?;
                if let Some(d) = &b.xor {
                    data(f, d)?;
                }
                Ok(())
            }
        },
        Expr::Byteorder(b) => {
            let op = match b.op {
                NFT_BYTEORDER_NTOH => "ntoh",
                NFT_BYTEORDER_HTON => "hton",
                _ => "unknown",
            };
            write!(
                f,
                "reg {} = {op}(reg {}, {}, {}) ",
                b.dreg, b.sreg, b.size, b.len
            )
        }
        Expr::Cmp(c) => {
            write!(f, "{} reg {} ", op_name(c.op), c.sreg)?;
            data(f, &c.data)
        }
        Expr::Connlimit(c) => write!(f, "count {} flags {:x} ", c.count, c.flags),
        Expr::Counter(c) => write!(f, "pkts {} bytes {} ", c.packets, c.bytes),
        Expr::Ct(c) => {
            let key = ct_key(c.key).unwrap_or("unknown");
            match (c.sreg, c.dreg) {
                (Some(s), _) => write!(f, "set {key} with reg {s} ")?,
                (None, d) => write!(f, "load {key} => reg {} ", d.unwrap_or_default())?,
            }
            if let Some(d) = c.direction {
                let d = match d {
                    0 => "original",
                    1 => "reply",
                    _ => "unknown",
                };
                write!(f, ", dir {d} ")?;
            }
            Ok(())
        }
        Expr::Dup(d) => {
            if let Some(r) = d.sreg_addr {
                write!(f, "sreg_addr {r} ")?;
            }
            if let Some(r) = d.sreg_dev {
                write!(f, "sreg_dev {r} ")?;
            }
            Ok(())
        }
        Expr::Dynset(d) => {
            let op = match d.op {
                NFT_DYNSET_OP_ADD => "add",
                NFT_DYNSET_OP_UPDATE => "update",
                NFT_DYNSET_OP_DELETE => "delete",
                _ => "unknown",
            };
            write!(f, "{op} reg_key {} set {} ", d.sreg_key, d.set_name)?;
            if let Some(r) = d.sreg_data {
                write!(f, "sreg_data {r} ")?;
            }
            if let Some(t) = d.timeout {
                write!(f, "timeout {t}ms ")?;
            }
            for e in d.exprs.iter() {
                match e {
                    Ok(e) => {
                        write!(f, "expr [ {} ", e.name())?;
                        write_expr_body(f, &e)?;
                        f.write_str("] ")?;
                    }
                    Err(_) => f.write_str("expr [ ? ] ")?,
                }
            }
            Ok(())
        }
        Expr::Exthdr(x) => {
            let op = match x.op {
                NFT_EXTHDR_OP_TCPOPT => " tcpopt",
                NFT_EXTHDR_OP_IPV4 => " ipv4",
                NFT_EXTHDR_OP_IPV6 => " ipv6",
                // libnftnl 1.2.4 has no name for the SCTP and DCCP ops.
                _ => "",
            };
            if let Some(d) = x.dreg {
                let present = if x.flags & NFT_EXTHDR_F_PRESENT != 0 {
                    " present"
                } else {
                    ""
                };
                write!(
                    f,
                    "load{op} {}b @ {} + {}{present} => reg {d} ",
                    x.len, x.ty, x.offset
                )
            } else if let Some(s) = x.sreg {
                write!(
                    f,
                    "write{op} reg {s} => {}b @ {} + {} ",
                    x.len, x.ty, x.offset
                )
            } else if x.op == NFT_EXTHDR_OP_TCPOPT {
                write!(f, "reset tcpopt {} ", x.ty)
            } else {
                write!(
                    f,
                    "op {} len {} type {} offset {} ",
                    x.op, x.len, x.ty, x.offset
                )
            }
        }
        Expr::Fib(x) => {
            let mut first = true;
            for (bit, name) in [
                (1, "saddr"),
                (2, "daddr"),
                (4, "mark"),
                (8, "iif"),
                (16, "oif"),
            ] {
                if x.flags & bit != 0 {
                    write!(f, "{}{name}", if first { "" } else { " . " })?;
                    first = false;
                }
            }
            let rest = x.flags & !(0x1f | NFTA_FIB_F_PRESENT);
            if rest != 0 {
                write!(f, "unknown 0x{rest:x}")?;
            }
            let result = match x.result {
                NFT_FIB_RESULT_OIF => "oif",
                NFT_FIB_RESULT_OIFNAME => "oifname",
                NFT_FIB_RESULT_ADDRTYPE => "type",
                _ => "unknown",
            };
            let present = if x.flags & NFTA_FIB_F_PRESENT != 0 {
                " present"
            } else {
                ""
            };
            write!(f, " {result}{present} => reg {} ", x.dreg)
        }
        Expr::FlowOffload(x) => write!(f, "flowtable {} ", x.table_name),
        Expr::Fwd(x) => {
            if let Some(r) = x.sreg_dev {
                write!(f, "sreg_dev {r} ")?;
            }
            if let Some(r) = x.sreg_addr {
                write!(f, "sreg_addr {r} ")?;
            }
            if let Some(p) = x.nfproto {
                write!(f, "nfproto {p} ")?;
            }
            Ok(())
        }
        Expr::Hash(h) => {
            if h.ty == NFT_HASH_SYM {
                write!(f, "reg {} = symhash() % mod {} ", h.dreg, h.modulus)?;
            } else {
                write!(
                    f,
                    "reg {} = jhash(reg {}, {}, 0x{:x}) % mod {} ",
                    h.dreg,
                    h.sreg.unwrap_or_default(),
                    h.len,
                    h.seed.unwrap_or(0),
                    h.modulus
                )?;
            }
            if h.offset != 0 {
                write!(f, "offset {} ", h.offset)?;
            }
            Ok(())
        }
        Expr::Immediate(i) => {
            write!(f, "reg {} ", i.dreg)?;
            data(f, &i.data)
        }
        Expr::Inner(i) => {
            write!(
                f,
                "type {} hdrsize {} flags {:x} ",
                i.ty, i.hdrsize, i.flags
            )?;
            for e in i.expr.iter().flatten() {
                write!(f, "[ {} ", e.name())?;
                write_expr_body(f, &e)?;
                f.write_str("] ")?;
            }
            Ok(())
        }
        Expr::Last(l) => {
            if l.set == 0 {
                f.write_str("never ")
            } else {
                write!(f, "{} ", l.msecs)
            }
        }
        Expr::Limit(l) => {
            let ty = match l.ty {
                NFT_LIMIT_PKTS => "packets",
                NFT_LIMIT_PKT_BYTES => "bytes",
                _ => "unknown",
            };
            write!(
                f,
                "rate {}/{} burst {} type {ty} flags 0x{:x} ",
                l.rate,
                limit_unit(l.unit),
                l.burst,
                l.flags
            )
        }
        Expr::Log(l) => {
            if let Some(p) = l.prefix {
                write!(f, "prefix {p} ")?;
            }
            if let Some(g) = l.group {
                write!(
                    f,
                    "group {g} snaplen {} qthreshold {} ",
                    l.snaplen.unwrap_or(0),
                    l.qthreshold.unwrap_or(0)
                )
            } else {
                if let Some(v) = l.level {
                    write!(f, "level {v} ")?;
                }
                if let Some(fl) = l.flags {
                    for (bit, name) in [
                        (1, "tcpseq "),
                        (2, "tcpopt "),
                        (4, "ipopt "),
                        (8, "uid "),
                        (0x20, "macdecode "),
                    ] {
                        if fl & bit != 0 {
                            f.write_str(name)?;
                        }
                    }
                }
                Ok(())
            }
        }
        Expr::Lookup(l) => {
            write!(f, "reg {} set {} ", l.sreg, l.set)?;
            if let Some(d) = l.dreg {
                write!(f, "dreg {d} ")?;
            }
            if let Some(fl) = l.flags {
                write!(f, "0x{fl:x} ")?;
            }
            Ok(())
        }
        Expr::Masq(m) | Expr::Redir(m) => {
            if let Some(r) = m.reg_proto_min {
                write!(f, "proto_min reg {r} ")?;
            }
            if let Some(r) = m.reg_proto_max {
                write!(f, "proto_max reg {r} ")?;
            }
            if let Some(fl) = m.flags {
                write!(f, "flags 0x{fl:x} ")?;
            }
            Ok(())
        }
        Expr::Match(x) | Expr::Target(x) => write!(f, "name {} rev {} ", x.name, x.rev),
        Expr::Meta(m) => {
            let key = meta_key(m.key).unwrap_or("unknown");
            match (m.sreg, m.dreg) {
                (Some(s), _) => write!(f, "set {key} with reg {s} "),
                (None, d) => write!(f, "load {key} => reg {} ", d.unwrap_or_default()),
            }
        }
        Expr::Nat(n) => {
            let ty = match n.ty {
                NFT_NAT_SNAT => "snat",
                NFT_NAT_DNAT => "dnat",
                _ => "unknown",
            };
            write!(f, "{ty} {} ", family_name(n.family).unwrap_or("unknown"))?;
            for (name, r) in [
                ("addr_min", n.reg_addr_min),
                ("addr_max", n.reg_addr_max),
                ("proto_min", n.reg_proto_min),
                ("proto_max", n.reg_proto_max),
            ] {
                if let Some(r) = r {
                    write!(f, "{name} reg {r} ")?;
                }
            }
            if let Some(fl) = n.flags {
                write!(f, "flags 0x{fl:x} ")?;
            }
            Ok(())
        }
        Expr::Notrack => Ok(()),
        Expr::Numgen(n) => {
            let ty = match n.ty {
                NFT_NG_INCREMENTAL => "inc",
                NFT_NG_RANDOM => "random",
                _ => "unknown",
            };
            write!(f, "reg {} = {ty} mod {} ", n.dreg, n.modulus)?;
            if n.offset != 0 {
                write!(f, "offset {} ", n.offset)?;
            }
            Ok(())
        }
        Expr::Objref(o) => {
            if let Some(t) = o.imm_type {
                write!(f, "type {t} name {} ", o.imm_name.unwrap_or(""))
            } else {
                write!(
                    f,
                    "sreg {} set {} ",
                    o.set_sreg.unwrap_or_default(),
                    o.set_name.unwrap_or("")
                )
            }
        }
        Expr::Osf(o) => {
            // libnftnl 1.2.4 prints only the register.
            write!(f, "dreg {} ", o.dreg)
        }
        Expr::Payload(p) => {
            let base = payload_base(p.base).unwrap_or("unknown");
            if let Some(s) = p.sreg {
                write!(
                    f,
                    "write reg {s} => {}b @ {base} header + {} csum_type {} csum_off {} csum_flags 0x{:x} ",
                    p.len, p.offset, p.csum_type, p.csum_offset, p.csum_flags
                )
            } else {
                write!(
                    f,
                    "load {}b @ {base} header + {} => reg {} ",
                    p.len,
                    p.offset,
                    p.dreg.unwrap_or_default()
                )
            }
        }
        Expr::Queue(q) => {
            if let Some(n) = q.num {
                write!(f, "num {n}")?;
                let total = q.total.unwrap_or(1);
                if total > 1 {
                    write!(f, "-{}", u32::from(n) + u32::from(total) - 1)?;
                }
                f.write_str(" ")?;
            }
            if let Some(r) = q.sreg_qnum {
                write!(f, "sreg_qnum {r} ")?;
            }
            if let Some(fl) = q.flags {
                if fl & 1 != 0 {
                    f.write_str("bypass ")?;
                }
                if fl & 2 != 0 {
                    f.write_str("fanout ")?;
                }
            }
            Ok(())
        }
        Expr::Quota(q) => write!(
            f,
            "bytes {} consumed {} flags {} ",
            q.bytes, q.consumed, q.flags
        ),
        Expr::Range(r) => {
            let op = if r.op == NFT_RANGE_NEQ {
                "neq"
            } else if r.op == NFT_RANGE_EQ {
                "eq"
            } else {
                "unknown"
            };
            write!(f, "{op} reg {} ", r.sreg)?;
            data(f, &r.from)?;
            data(f, &r.to)
        }
        Expr::Reject(r) => write!(f, "type {} code {} ", r.ty, r.code),
        Expr::Rt(r) => write!(f, "load {} => reg {} ", rt_key(r.key), r.dreg),
        Expr::Socket(s) => {
            write!(f, "load {} => reg {} ", socket_key(s.key), s.dreg)?;
            if let Some(l) = s.level.filter(|_| s.key == NFT_SOCKET_CGROUPV2) {
                write!(f, "level {l} ")?;
            }
            Ok(())
        }
        Expr::Synproxy(s) => {
            write!(f, "mss {} wscale {} ", s.mss, s.wscale)?;
            Ok(())
        }
        Expr::Tproxy(t) => {
            write!(f, "{} ", family_name(t.family).unwrap_or("unknown"))?;
            if let Some(r) = t.reg_addr {
                write!(f, "addr reg {r} ")?;
            }
            if let Some(r) = t.reg_port {
                write!(f, "port reg {r} ")?;
            }
            Ok(())
        }
        Expr::Tunnel(t) => {
            let k = match t.key {
                NFT_TUNNEL_PATH => "path",
                NFT_TUNNEL_ID => "id",
                _ => "unknown",
            };
            write!(f, "load {k} => reg {} ", t.dreg)
        }
        Expr::Xfrm(x) => {
            let dir = match x.dir {
                0 => "in",
                1 => "out",
                _ => "unknown",
            };
            write!(
                f,
                "load {dir} {} {} => reg {} ",
                x.spnum,
                xfrm_key(x.key),
                x.dreg
            )
        }
        Expr::Unknown { .. } => Ok(()),
    }
}

impl Expr<'_> {
    /// The kernel's name for the expression (`NFTA_EXPR_NAME`).
    pub fn name(&self) -> &str {
        match self {
            Expr::Bitwise(_) => "bitwise",
            Expr::Byteorder(_) => "byteorder",
            Expr::Cmp(_) => "cmp",
            Expr::Connlimit(_) => "connlimit",
            Expr::Counter(_) => "counter",
            Expr::Ct(_) => "ct",
            Expr::Dup(_) => "dup",
            Expr::Dynset(_) => "dynset",
            Expr::Exthdr(_) => "exthdr",
            Expr::Fib(_) => "fib",
            Expr::FlowOffload(_) => "flow_offload",
            Expr::Fwd(_) => "fwd",
            Expr::Hash(_) => "hash",
            Expr::Immediate(_) => "immediate",
            Expr::Inner(_) => "inner",
            Expr::Last(_) => "last",
            Expr::Limit(_) => "limit",
            Expr::Log(_) => "log",
            Expr::Lookup(_) => "lookup",
            Expr::Masq(_) => "masq",
            Expr::Match(_) => "match",
            Expr::Meta(_) => "meta",
            Expr::Nat(_) => "nat",
            Expr::Notrack => "notrack",
            Expr::Numgen(_) => "numgen",
            Expr::Objref(_) => "objref",
            Expr::Osf(_) => "osf",
            Expr::Payload(_) => "payload",
            Expr::Queue(_) => "queue",
            Expr::Quota(_) => "quota",
            Expr::Range(_) => "range",
            Expr::Redir(_) => "redir",
            Expr::Reject(_) => "reject",
            Expr::Rt(_) => "rt",
            Expr::Socket(_) => "socket",
            Expr::Synproxy(_) => "synproxy",
            Expr::Target(_) => "target",
            Expr::Tproxy(_) => "tproxy",
            Expr::Tunnel(_) => "tunnel",
            Expr::Xfrm(_) => "xfrm",
            Expr::Unknown { name, .. } => name,
        }
    }
}

impl fmt::Display for Expr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_expr(f, self)
    }
}
