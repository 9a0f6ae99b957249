//! xt modules whose meaning is a header field, `meta` key or field write
//! nft names: their canonical option text (as `iptables-save` prints it,
//! what both the text and the xt blob lower to) as the same conditions
//! and actions the native forms lower to, and back.
//!
//! `-m ttl --ttl-lt 5` is `ip ttl < 5`, `-m rt --rt-type 0` is `rt type 0`,
//! `-j DSCP --set-dscp 0x01` is `ip dscp set 0x01`: one value whichever
//! way the rule was written. Options with no native equal (`-m frag
//! --fragres`, which tests the reserved bits as well as the reserved byte;
//! `-m rt --rt-0-addrs`) keep the whole module as text.

use crate::types::*;
use crate::{CmpOp, ExtHdr, ExtKind, FieldTest, Header, HeaderField, Key, MetaKey, Value};

/// IPv6 routing header (`NEXTHDR_ROUTING`) and fragment header
/// (`NEXTHDR_FRAGMENT`).
const RT: ExtHdr = ExtHdr {
    kind: ExtKind::Ipv6,
    num: 43,
};
const FRAG: ExtHdr = ExtHdr {
    kind: ExtKind::Ipv6,
    num: 44,
};

/// `NFT_META_PRIORITY`, `NFT_META_RTCLASSID`.
const META_PRIORITY: u32 = 2;
const META_RTCLASSID: u32 = 13;
/// `NFT_META_IIFTYPE`, and its value for an Ethernet device.
const META_IIFTYPE: u32 = 8;
const ARPHRD_ETHER: u128 = 1;
/// `NFT_META_SECPATH`, `NFT_RT_XFRM`, `NFT_CT_LABELS`.
const META_SECPATH: u32 = 25;
const RT_XFRM: u32 = 4;
const CT_LABELS: u32 = 13;

/// The connection's labels: 128 bits, bit `n` in byte `n / 8`.
fn ct_labels() -> Key {
    Key::Ct {
        key: crate::CtKey(CT_LABELS),
        reply: None,
    }
}

/// Label `n`'s bit, as `ct label` holds it.
fn label_bit(n: u128) -> Option<Value> {
    let n = usize::try_from(n).ok().filter(|&n| n < 128)?;
    let mut b = [0u8; 16];
    b[n / 8] = 1 << (n % 8);
    Some(Value(Box::new(b)))
}

/// The label whose bit `v` alone holds.
fn bit_label(v: &Value) -> Option<usize> {
    if v.0.len() != 16 || v.0.iter().map(|b| b.count_ones()).sum::<u32>() != 1 {
        return None;
    }
    let i = v.0.iter().position(|&b| b != 0)?;
    Some(i * 8 + v.0[i].trailing_zeros() as usize)
}

/// The options of a canonical option text: `(negated, name, argument)`.
/// `None` when the text is not options each with at most one argument.
fn opts(args: &str) -> Option<Vec<(bool, &str, Option<&str>)>> {
    let mut out = Vec::new();
    let mut it = args.split_whitespace().peekable();
    let mut neg = false;
    while let Some(t) = it.next() {
        if t == "!" {
            if neg {
                return None;
            }
            neg = true;
            continue;
        }
        let name = t.strip_prefix("--")?;
        let arg = match it.peek() {
            Some(a) if !a.starts_with("--") && *a != "!" => it.next(),
            _ => None,
        };
        out.push((neg, name, arg));
        neg = false;
    }
    (!neg).then_some(out)
}

fn num(s: &str) -> Option<u128> {
    match s.strip_prefix("0x") {
        Some(h) => u128::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// `N` or `N:M` as a test of a key `width` bytes wide.
fn num_test(s: &str, width: usize) -> Option<FieldTest> {
    let v = |s: &str| Some(Value::from_u128(num(s)?, width));
    Some(match s.split_once(':') {
        Some((lo, hi)) if lo == hi => FieldTest::Cmp {
            op: CmpOp::Eq,
            value: v(lo)?,
        },
        Some((lo, hi)) => FieldTest::Range {
            lo: v(lo)?,
            hi: v(hi)?,
        },
        None => FieldTest::Cmp {
            op: CmpOp::Eq,
            value: v(s)?,
        },
    })
}

fn header(h: Header, name: &str) -> Option<Key> {
    HeaderField::lookup(h, name).map(Key::Header)
}

fn field(negated: bool, key: Key, test: FieldTest) -> Match {
    Match::new(negated, MatchKind::Field { key, test })
}

fn eq(negated: bool, key: Key, v: u128, width: usize) -> Match {
    field(
        negated,
        key,
        FieldTest::Cmp {
            op: CmpOp::Eq,
            value: Value::from_u128(v, width),
        },
    )
}

fn ext(offset: u32, len: u32, hdr: ExtHdr) -> Key {
    Key::Ext { hdr, offset, len }
}

/// The conditions xt match `module` with canonical options `args` means,
/// as nft's native forms lower to; `None` to keep it as text.
pub(crate) fn match_of(module: &str, args: &str, family: Family) -> Option<Vec<Match>> {
    // Most xt matches are none of these: no parsing for them.
    if !matches!(
        module,
        "ttl" | "hl" | "dscp" | "esp" | "rt" | "frag" | "mac" | "realm" | "connlabel" | "policy"
    ) {
        return None;
    }
    let o = opts(args)?;
    let v6 = match family {
        Family::Ipv4 => false,
        Family::Ipv6 => true,
        _ => return None,
    };
    let mut out = Vec::new();
    match module {
        // `--ttl-eq 5`, `! --ttl-eq 5`, `--ttl-lt 5`, `--ttl-gt 5`.
        "ttl" | "hl" => {
            let key = match (module, v6) {
                ("ttl", false) => header(Header::Ip, "ttl")?,
                ("hl", true) => header(Header::Ip6, "hoplimit")?,
                _ => return None,
            };
            let [(neg, name, Some(arg))] = o[..] else {
                return None;
            };
            let op = match name.strip_prefix(module)? {
                "-eq" => CmpOp::Eq,
                "-lt" if !neg => CmpOp::Lt,
                "-gt" if !neg => CmpOp::Gt,
                _ => return None,
            };
            let value = Value::from_u128(num(arg).filter(|&n| n <= 255)?, 1);
            out.push(field(neg, key, FieldTest::Cmp { op, value }));
        }
        // `--dscp 0x32`: the DSCP bits of the IPv4 TOS or IPv6 traffic class.
        "dscp" => {
            let [(neg, "dscp", Some(arg))] = o[..] else {
                return None;
            };
            let key = header(if v6 { Header::Ip6 } else { Header::Ip }, "dscp")?;
            out.push(eq(neg, key, num(arg).filter(|&n| n < 64)?, 1));
        }
        // `--espspi 500` or `500:600` (after `-p esp`; not in a non-first
        // fragment, where nft's transport header load fails too).
        "esp" => {
            let [(neg, "espspi", Some(arg))] = o[..] else {
                return None;
            };
            out.push(field(neg, header(Header::Esp, "spi")?, num_test(arg, 4)?));
        }
        // `rt type`, `rt seg-left`, `rt hdrlength`, in libip6t_rt's order.
        "rt" if v6 => {
            for (neg, name, arg) in o {
                let (key, test) = match (name, arg) {
                    ("rt-type", Some(a)) => (ext(16, 8, RT), num_test(a, 1)?),
                    ("rt-segsleft", Some(a)) => (ext(24, 8, RT), num_test(a, 1)?),
                    // The header's length in bytes (ip6t_rt compares
                    // ipv6_optlen), not the field: `(hdrlength + 1) * 8`.
                    ("rt-len", Some(a)) => {
                        let n = num(a).filter(|n| n % 8 == 0 && (8..=2048).contains(n))?;
                        (ext(8, 8, RT), num_test(&(n / 8 - 1).to_string(), 1)?)
                    }
                    _ => return None,
                };
                if matches!(test, FieldTest::Range { .. }) && name != "rt-segsleft" {
                    return None;
                }
                out.push(field(neg, key, test));
            }
        }
        // `frag id`, `frag frag-off 0`, `frag more-fragments`.
        "frag" if v6 => {
            for (neg, name, arg) in o {
                let m = match (name, arg, neg) {
                    ("fragid", Some(a), _) => field(neg, ext(32, 32, FRAG), num_test(a, 4)?),
                    ("fragfirst", None, false) => eq(false, ext(16, 13, FRAG), 0, 2),
                    ("fragmore", None, false) => eq(false, ext(31, 1, FRAG), 1, 1),
                    ("fraglast", None, false) => eq(false, ext(31, 1, FRAG), 0, 1),
                    _ => return None,
                };
                out.push(m);
            }
        }
        // `--mac-source X`: an Ethernet device, and the frame's source
        // (nft adds the device test itself: `meta iiftype ether ether
        // saddr X`; both fail where there is no MAC header).
        "mac" => {
            let [(neg, "mac-source", Some(arg))] = o[..] else {
                return None;
            };
            let mut mac = 0u128;
            let mut n = 0;
            for b in arg.split(':') {
                if b.len() != 2 {
                    return None;
                }
                mac = mac << 8 | u128::from(u8::from_str_radix(b, 16).ok()?);
                n += 1;
            }
            if n != 6 {
                return None;
            }
            out.push(eq(false, Key::Meta(MetaKey(META_IIFTYPE)), ARPHRD_ETHER, 2));
            out.push(eq(neg, header(Header::Ether, "saddr")?, mac, 6));
        }
        // A label of the connection: `ct label 40`. Not `! --label`: xt
        // holds it for a packet with no connection, where `ct label`
        // breaks (xt_connlabel.c, nft_ct.c); not `--set`, which sets the
        // label and then holds, but holds not where the connection has no
        // room for labels.
        "connlabel" => {
            let [(false, "label", Some(arg))] = o[..] else {
                return None;
            };
            out.push(field(
                true,
                ct_labels(),
                FieldTest::Masked {
                    mask: label_bit(num(arg)?)?,
                    value: Value(Box::new([0u8; 16])),
                },
            ));
        }
        // No policy elements: whether the packet came in through IPsec
        // (`meta secpath`: xt_policy.c's match_policy_in finds no sec_path)
        // or goes out through it (`rt ipsec`: no xfrm on the route). Not
        // `--dir in --pol ipsec`: its empty element matches a sec_path
        // holding one transform or more, `meta secpath exists` any.
        "policy" => {
            let mut dir = None;
            let mut pol = None;
            for (neg, name, arg) in o {
                match (neg, name, arg) {
                    (false, "dir", Some(d @ ("in" | "out"))) if dir.is_none() => dir = Some(d),
                    (false, "pol", Some(p @ ("none" | "ipsec"))) if pol.is_none() => pol = Some(p),
                    _ => return None,
                }
            }
            let (key, present) = match (dir?, pol?) {
                ("in", "none") => (Key::Meta(MetaKey(META_SECPATH)), 0),
                ("out", "none") => (Key::Rt { key: RT_XFRM }, 0),
                ("out", "ipsec") => (Key::Rt { key: RT_XFRM }, 1),
                _ => return None,
            };
            out.push(eq(false, key, present, 1));
        }
        // The route's realm: `(tclassid & mask) == id`, `meta rtclassid`.
        "realm" if !v6 => {
            let [(neg, "realm", Some(arg))] = o[..] else {
                return None;
            };
            let key = Key::Meta(MetaKey(META_RTCLASSID));
            let (id, mask) = match arg.split_once('/') {
                Some((id, mask)) => (num(id)?, num(mask)?),
                None => (num(arg)?, 0xffff_ffff),
            };
            if id > 0xffff_ffff || mask > 0xffff_ffff || id & !mask != 0 {
                return None;
            }
            out.push(if mask == 0xffff_ffff {
                eq(neg, key, id, 4)
            } else {
                field(
                    neg,
                    key,
                    FieldTest::Masked {
                        mask: Value::from_u128(mask, 4),
                        value: Value::from_u128(id, 4),
                    },
                )
            });
        }
        _ => return None,
    }
    (!out.is_empty()).then_some(out)
}

/// The action xt target `target` with canonical options `args` means, as
/// nft's native form lowers to; `None` to keep it as text.
pub(crate) fn target_of(target: &str, args: &str, family: Family) -> Option<ActionKind> {
    if !matches!(target, "DSCP" | "CLASSIFY" | "AUDIT") {
        return None;
    }
    let o = opts(args)?;
    match (target, &o[..]) {
        ("AUDIT", [(false, "type", Some(t))]) => Some(ActionKind::Audit {
            kind: match *t {
                "accept" => AuditKind::Accept,
                "drop" => AuditKind::Drop,
                "reject" => AuditKind::Reject,
                _ => return None,
            },
        }),
        // Sets the DSCP bits, keeps ECN's: `ip dscp set 0x01`.
        ("DSCP", [(false, "set-dscp", Some(v))]) => {
            let h = match family {
                Family::Ipv4 => Header::Ip,
                Family::Ipv6 => Header::Ip6,
                _ => return None,
            };
            Some(ActionKind::Set {
                key: header(h, "dscp")?,
                value: Source::Value(Value::from_u128(num(v).filter(|&n| n < 64)?, 1)),
            })
        }
        // skb->priority: `meta priority set 1:234`.
        ("CLASSIFY", [(false, "set-class", Some(v))]) => {
            let (maj, min) = v.split_once(':')?;
            let maj = u32::from_str_radix(maj, 16).ok().filter(|&n| n <= 0xffff)?;
            let min = u32::from_str_radix(min, 16).ok().filter(|&n| n <= 0xffff)?;
            Some(ActionKind::Set {
                key: Key::Meta(MetaKey(META_PRIORITY)),
                value: Source::Value(Value::from_u128(u128::from(maj << 16 | min), 4)),
            })
        }
        _ => None,
    }
}

/// A condition as an option of the xt module [`match_of`] reads it from:
/// the module, the option's place in the module's save order, its text.
/// `Ok(None)` when the condition is not one of theirs; `Err` when it is
/// but the module cannot say it (`! --ttl-lt`).
pub(crate) fn match_opt(
    m: &Match,
    family: Family,
) -> Result<Option<(&'static str, u8, String)>, String> {
    let MatchKind::Field { key, test } = &m.kind else {
        return Ok(None);
    };
    let n = m.negated;
    let not = if n { "! " } else { "" };
    let value = |v: &Value| v.as_u128().unwrap_or(0);
    let nums = |t: &FieldTest| match t {
        FieldTest::Cmp {
            op: CmpOp::Eq,
            value: v,
        } => Some(value(v).to_string()),
        FieldTest::Range { lo, hi } => Some(format!("{}:{}", value(lo), value(hi))),
        _ => None,
    };
    let cant = |what: &str| Err(format!("{key} {what} (the xt module cannot say it)"));
    // `ct label 40`: `-m connlabel --label 40`.
    if *key == ct_labels() {
        return Ok(match test {
            FieldTest::Masked { mask, value } if n && value.0.iter().all(|&b| b == 0) => {
                bit_label(mask).map(|l| ("connlabel", 0, format!("--label {l}")))
            }
            _ => None,
        });
    }
    // `meta secpath missing`, `rt ipsec exists` / `missing`: `-m policy`.
    let policy = match key {
        Key::Meta(MetaKey(META_SECPATH)) => Some("in"),
        Key::Rt { key: RT_XFRM } => Some("out"),
        _ => None,
    };
    if let Some(dir) = policy {
        let FieldTest::Cmp {
            op: CmpOp::Eq,
            value: v,
        } = test
        else {
            return Ok(None);
        };
        let present = (value(v) != 0) != n;
        return Ok(match (dir, present) {
            (_, false) => Some(("policy", 0, format!("--dir {dir} --pol none"))),
            ("out", true) => Some(("policy", 0, "--dir out --pol ipsec".into())),
            _ => None,
        });
    }
    Ok(Some(match key {
        Key::Header(h) => match (h.header(), h.name(), family) {
            (Header::Ip, "ttl", Family::Ipv4) | (Header::Ip6, "hoplimit", Family::Ipv6) => {
                let module = if h.header() == Header::Ip {
                    "ttl"
                } else {
                    "hl"
                };
                let FieldTest::Cmp { op, value: v } = test else {
                    return cant("tested so");
                };
                let op = match (op, n) {
                    (CmpOp::Eq, _) => "eq",
                    (CmpOp::Lt, false) => "lt",
                    (CmpOp::Gt, false) => "gt",
                    _ => return cant("compared so"),
                };
                (module, 0, format!("{not}--{module}-{op} {}", value(v)))
            }
            (Header::Ip, "dscp", Family::Ipv4) | (Header::Ip6, "dscp", Family::Ipv6) => {
                let FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value: v,
                } = test
                else {
                    return cant("tested so");
                };
                ("dscp", 0, format!("{not}--dscp 0x{:02x}", value(v)))
            }
            (Header::Esp, "spi", _) => match nums(test) {
                Some(t) => ("esp", 0, format!("{not}--espspi {t}")),
                None => return cant("tested so"),
            },
            _ => return Ok(None),
        },
        Key::Meta(MetaKey(META_RTCLASSID)) if family == Family::Ipv4 => match test {
            FieldTest::Cmp {
                op: CmpOp::Eq,
                value: v,
            } => ("realm", 0, format!("{not}--realm {:#x}", value(v))),
            FieldTest::Masked { mask, value: v } => (
                "realm",
                0,
                format!("{not}--realm {:#x}/{:#x}", value(v), value(mask)),
            ),
            _ => return cant("tested so"),
        },
        Key::Ext { hdr, offset, len } if *hdr == RT && family == Family::Ipv6 => {
            let (key, name) = match (offset, len) {
                (16, 8) => (0, "rt-type"),
                (24, 8) => (1, "rt-segsleft"),
                (8, 8) => (2, "rt-len"),
                _ => return Ok(None),
            };
            match (key, test) {
                (
                    2,
                    FieldTest::Cmp {
                        op: CmpOp::Eq,
                        value: v,
                    },
                ) => ("rt", key, format!("{not}--{name} {}", (value(v) + 1) * 8)),
                (0 | 1, t) => match nums(t) {
                    Some(t) if key == 1 || !t.contains(':') => {
                        ("rt", key, format!("{not}--{name} {t}"))
                    }
                    _ => return cant("tested so"),
                },
                _ => return cant("tested so"),
            }
        }
        Key::Ext { hdr, offset, len } if *hdr == FRAG && family == Family::Ipv6 => {
            let flag = match (offset, len, test) {
                (32, 32, t) => match nums(t) {
                    Some(t) => return Ok(Some(("frag", 0, format!("{not}--fragid {t}")))),
                    None => return cant("tested so"),
                },
                (
                    16,
                    13,
                    FieldTest::Cmp {
                        op: CmpOp::Eq,
                        value: v,
                    },
                ) if value(v) == 0 => (3, "fragfirst"),
                (
                    31,
                    1,
                    FieldTest::Cmp {
                        op: CmpOp::Eq,
                        value: v,
                    },
                ) if value(v) == 1 => (4, "fragmore"),
                (
                    31,
                    1,
                    FieldTest::Cmp {
                        op: CmpOp::Eq,
                        value: v,
                    },
                ) if value(v) == 0 => (5, "fraglast"),
                _ => return Ok(None),
            };
            if n {
                return cant("negated");
            }
            ("frag", flag.0, format!("--{}", flag.1))
        }
        _ => return Ok(None),
    }))
}

/// `meta iiftype ether` then `[!=] ether saddr X` (what `-m mac` lowers
/// to) as the option of `-m mac`, when `a` and `b` are those two.
pub(crate) fn mac_opt(a: &Match, b: &Match) -> Option<String> {
    let (
        MatchKind::Field {
            key: Key::Meta(MetaKey(META_IIFTYPE)),
            test:
                FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value: ty,
                },
        },
        MatchKind::Field {
            key: Key::Header(h),
            test:
                FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value: mac,
                },
        },
    ) = (&a.kind, &b.kind)
    else {
        return None;
    };
    if a.negated
        || ty.as_u128() != Some(ARPHRD_ETHER)
        || *h != HeaderField::lookup(Header::Ether, "saddr")?
    {
        return None;
    }
    let hex: Vec<String> = mac.0.iter().map(|b| format!("{b:02X}")).collect();
    let not = if b.negated { "! " } else { "" };
    Some(format!("{not}--mac-source {}", hex.join(":")))
}

/// An action as the xt target [`target_of`] reads it from: ` -j TARGET
/// options`. `None` when it is not one of theirs.
pub(crate) fn target_text(a: &ActionKind, family: Family) -> Option<String> {
    if let ActionKind::Audit { kind } = a {
        let t = match kind {
            AuditKind::Accept => "accept",
            AuditKind::Drop => "drop",
            AuditKind::Reject => "reject",
        };
        return Some(format!(" -j AUDIT --type {t}"));
    }
    let ActionKind::Set {
        key,
        value: Source::Value(v),
    } = a
    else {
        return None;
    };
    let n = v.as_u128()?;
    match key {
        Key::Header(h)
            if h.name() == "dscp"
                && matches!(
                    (h.header(), family),
                    (Header::Ip, Family::Ipv4) | (Header::Ip6, Family::Ipv6)
                ) =>
        {
            Some(format!(" -j DSCP --set-dscp 0x{n:02x}"))
        }
        Key::Meta(MetaKey(META_PRIORITY)) => Some(format!(
            " -j CLASSIFY --set-class {:04x}:{:04x}",
            n >> 16,
            n & 0xffff
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each module's canonical text lowers to native conditions and prints
    /// back the same; the options a native form cannot hold stay text.
    #[test]
    fn options_round_trip_through_native_forms() -> Result<(), String> {
        let cases = [
            ("ttl", "--ttl-eq 3", Family::Ipv4, "ip ttl"),
            ("ttl", "! --ttl-eq 3", Family::Ipv4, "ip ttl"),
            ("ttl", "--ttl-lt 64", Family::Ipv4, "ip ttl"),
            ("hl", "--hl-gt 3", Family::Ipv6, "ip6 hoplimit"),
            ("dscp", "! --dscp 0x32", Family::Ipv6, "ip6 dscp"),
            ("esp", "--espspi 500:600", Family::Ipv4, "esp spi"),
            ("realm", "--realm 0x5/0xf", Family::Ipv4, "meta rtclassid"),
            ("realm", "! --realm 0x32", Family::Ipv4, "meta rtclassid"),
            (
                "rt",
                "--rt-type 0 ! --rt-segsleft 2:5 --rt-len 24",
                Family::Ipv6,
                "rt type",
            ),
            (
                "frag",
                "! --fragid 100:200 --fraglast",
                Family::Ipv6,
                "frag id",
            ),
            ("frag", "--fragfirst", Family::Ipv6, "frag frag-off"),
            ("connlabel", "--label 40", Family::Ipv4, "ct label"),
            ("connlabel", "--label 127", Family::Ipv6, "ct label"),
            ("policy", "--dir in --pol none", Family::Ipv4, "meta ipsec"),
            ("policy", "--dir out --pol none", Family::Ipv6, "rt ipsec"),
            ("policy", "--dir out --pol ipsec", Family::Ipv4, "rt ipsec"),
        ];
        for (module, args, fam, first) in cases {
            let ms = match_of(module, args, fam).unwrap_or_else(|| panic!("{module} {args}"));
            let MatchKind::Field { key, .. } = &ms[0].kind else {
                panic!("{ms:?}");
            };
            assert_eq!(key.to_string(), first, "{module} {args}");
            let mut back: Vec<(u8, String)> = ms
                .iter()
                .map(|m| {
                    let (md, k, t) = match_opt(m, fam)?.ok_or(format!("{m:?}"))?;
                    assert_eq!(md, module);
                    Ok((k, t))
                })
                .collect::<Result<_, String>>()?;
            back.sort();
            let text: Vec<String> = back.into_iter().map(|(_, t)| t).collect();
            assert_eq!(text.join(" "), args, "{module}");
        }
        // `-m mac`: the device test and the address, and back.
        let ms = match_of("mac", "! --mac-source 0A:12:3E:4F:B2:C6", Family::Ipv4).ok_or("mac")?;
        assert_eq!(ms.len(), 2);
        assert_eq!(
            mac_opt(&ms[0], &ms[1]).as_deref(),
            Some("! --mac-source 0A:12:3E:4F:B2:C6")
        );
        assert_eq!(match_of("mac", "--mac-source 0A:12", Family::Ipv4), None);
        // `--rt-len` counts bytes: 24 is hdrlength 2.
        let ms = match_of("rt", "--rt-len 24", Family::Ipv6).ok_or("rt")?;
        assert!(matches!(
            &ms[0].kind,
            MatchKind::Field { test: FieldTest::Cmp { value, .. }, .. } if value.as_u128() == Some(2)
        ));
        for (module, args, fam) in [
            ("rt", "--rt-len 22", Family::Ipv6),
            ("frag", "--fragid 1 --fragres", Family::Ipv6),
            ("ttl", "--ttl-eq 3", Family::Ipv6),
            ("realm", "--realm 0x5/0x1", Family::Ipv4),
            ("realm", "--realm cosmos", Family::Ipv4),
            // Not what `ct label`, `meta secpath` and `rt ipsec` say.
            ("connlabel", "! --label 40", Family::Ipv4),
            ("connlabel", "--label 40 --set", Family::Ipv4),
            ("connlabel", "--label 128", Family::Ipv4),
            ("policy", "--dir in --pol ipsec", Family::Ipv4),
            ("policy", "--dir in --pol ipsec --proto esp", Family::Ipv4),
            (
                "policy",
                "--dir out --pol ipsec --strict --reqid 1",
                Family::Ipv4,
            ),
        ] {
            assert_eq!(match_of(module, args, fam), None, "{module} {args}");
        }
        // AUDIT: one action per type, back to its text, and the same
        // meaning as nft's `log level audit` whatever the type.
        let drop = target_of("AUDIT", "--type drop", Family::Ipv4).ok_or("AUDIT")?;
        let accept = target_of("AUDIT", "--type accept", Family::Ipv4).ok_or("AUDIT")?;
        assert_eq!(
            target_text(&drop, Family::Ipv4).as_deref(),
            Some(" -j AUDIT --type drop")
        );
        assert_ne!(drop, accept);
        assert!(drop.same_meaning(&accept));
        let log = ActionKind::Log {
            prefix: None,
            level: Some(8),
            flags: LogFlags::empty(),
        };
        assert!(drop.same_meaning(&log) && log.same_meaning(&drop));
        let warn = ActionKind::Log {
            prefix: None,
            level: Some(4),
            flags: LogFlags::empty(),
        };
        assert!(!drop.same_meaning(&warn));
        assert_eq!(target_of("AUDIT", "--type wrong", Family::Ipv4), None);
        // `! --ttl-lt` has no xt spelling.
        let m = Match::new(
            true,
            MatchKind::Field {
                key: header(Header::Ip, "ttl").ok_or("ip ttl")?,
                test: FieldTest::Cmp {
                    op: CmpOp::Lt,
                    value: Value::from_u128(5, 1),
                },
            },
        );
        assert!(match_opt(&m, Family::Ipv4).is_err());
        // Targets.
        for (target, args, fam, text) in [
            (
                "DSCP",
                "--set-dscp 0x01",
                Family::Ipv4,
                " -j DSCP --set-dscp 0x01",
            ),
            (
                "DSCP",
                "--set-dscp 0x2e",
                Family::Ipv6,
                " -j DSCP --set-dscp 0x2e",
            ),
            (
                "CLASSIFY",
                "--set-class 0001:0234",
                Family::Ipv4,
                " -j CLASSIFY --set-class 0001:0234",
            ),
        ] {
            let a = target_of(target, args, fam).ok_or(target)?;
            assert!(matches!(a, ActionKind::Set { .. }), "{a:?}");
            assert_eq!(target_text(&a, fam).as_deref(), Some(text));
        }
        Ok(())
    }
}
