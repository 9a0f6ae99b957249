//! proptest strategies for `nflens_xtables` rules, and a span eraser so
//! generated trees (no spans) compare with parsed ones.

use std::borrow::Cow;

use nflens_xtables::value::{Masked, NatRange, Net, Probability, Quote, Range, Rate};
use nflens_xtables::{MaskStyle, Match, Neg, Opt, Proto, Rule, Span, Target, Value};
use proptest::prelude::*;

const IFACES: &[&str] = &["eth0", "lo", "veth+", "br-1a2b3c", "wg0", "enp0s31f6"];
const CHAINS: &[&str] = &[
    "KUBE-SVC-ABCDEFGHIJKLMNOP",
    "DOCKER",
    "ufw-user-input",
    "my_chain",
];

fn net() -> impl Strategy<Value = Net> {
    prop_oneof![
        (any::<u32>(), 0u32..=32).prop_map(|(a, l)| {
            Net::parse(&format!("{}/{}", std::net::Ipv4Addr::from(a), l)).expect("valid v4 net")
        }),
        (any::<u128>(), 0u32..=128).prop_map(|(a, l)| {
            Net::parse(&format!("{}/{}", std::net::Ipv6Addr::from(a), l)).expect("valid v6 net")
        }),
    ]
}

fn neg<T: std::fmt::Debug + Clone>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Neg<T>> {
    (any::<bool>(), s).prop_map(|(negated, value)| Neg { negated, value })
}

fn port_range() -> impl Strategy<Value = Range> {
    (any::<u16>(), any::<u16>()).prop_map(|(a, b)| Range {
        lo: u32::from(a.min(b)),
        hi: u32::from(a.max(b)),
        sep: ':',
    })
}

/// Any text a comment may hold: printable, with quotes, backslashes and spaces.
fn text() -> impl Strategy<Value = String> {
    "[ -~]{1,40}"
}

fn opt(name: &'static str, negated: bool, value: Value<'static>) -> Opt<'static> {
    Opt {
        negated,
        name,
        value,
        span: Span::default(),
    }
}

fn module(name: &'static str, options: Vec<Opt<'static>>) -> Match<'static> {
    Match {
        name,
        known: true,
        options,
        span: Span::default(),
    }
}

fn a_match() -> impl Strategy<Value = Match<'static>> {
    prop_oneof![
        text().prop_map(|t| module(
            "comment",
            vec![opt(
                "comment",
                false,
                Value::Str(Cow::Owned(t), Quote::IfNeeded)
            )]
        )),
        (any::<bool>(), 1u16..0x3ff).prop_map(|(n, bits)| {
            let bits = bits & 0x34f;
            let bits = if bits == 0 { 0x2 } else { bits };
            module("conntrack", vec![opt("ctstate", n, Value::States(bits))])
        }),
        (
            any::<bool>(),
            any::<u32>(),
            proptest::option::of(any::<u32>())
        )
            .prop_map(|(n, v, m)| {
                module(
                    "mark",
                    vec![opt(
                        "mark",
                        n,
                        Value::Masked(
                            Masked {
                                value: v,
                                mask: m.filter(|&m| m != u32::MAX),
                            },
                            MaskStyle::Mark,
                        ),
                    )],
                )
            }),
        (
            proptest::option::of((any::<bool>(), port_range())),
            proptest::option::of((any::<bool>(), port_range()))
        )
            .prop_map(|(s, d)| {
                let mut o = Vec::new();
                if let Some((n, r)) = s {
                    o.push(opt("sport", n, Value::Range(r)));
                }
                if let Some((n, r)) = d {
                    o.push(opt("dport", n, Value::Range(r)));
                }
                module("tcp", o)
            }),
        proptest::collection::vec(port_range(), 1..7)
            .prop_map(|v| module("multiport", vec![opt("dports", false, Value::Ports(v))])),
        (
            1u64..100_000,
            prop::sample::select(vec!["sec", "min", "hour", "day"])
        )
            .prop_map(|(n, u)| {
                // Parse what the first parse prints: that is the canonical rate.
                let r = Rate::parse(&format!("{n}/{u}"), 10_000)
                    .and_then(|r| Rate::parse(&r.to_string(), 10_000))
                    .unwrap_or(Rate {
                        period: 10_000,
                        scale: 10_000,
                    });
                module("limit", vec![opt("limit", false, Value::Rate(r))])
            }),
        (0u32..=0x8000_0000).prop_map(|p| module(
            "statistic",
            vec![
                opt("mode", false, Value::Word("random")),
                opt("probability", false, Value::Probability(Probability(p))),
            ]
        )),
        // Modules whose meaning is a header field nft names (`ip ttl < 5`).
        (
            prop::sample::select(vec!["ttl-eq", "ttl-lt", "ttl-gt"]),
            any::<bool>(),
            any::<u8>()
        )
            .prop_map(|(o, n, v)| module(
                "ttl",
                vec![opt(o, n && o == "ttl-eq", Value::Uint(u64::from(v)))]
            )),
        (any::<bool>(), 0u64..64).prop_map(|(n, v)| module(
            "dscp",
            vec![opt("dscp", n, Value::Hex { value: v, width: 2 })]
        )),
        (
            any::<bool>(),
            "[A-Za-z0-9_-]{1,20}",
            prop::sample::select(vec!["src", "dst", "dst,dst", "src,dst"])
        )
            .prop_map(|(n, s, f)| {
                module(
                    "set",
                    vec![opt(
                        "match-set",
                        n,
                        Value::SetRef {
                            name: Cow::Owned(s),
                            flags: f,
                        },
                    )],
                )
            }),
    ]
}

fn a_target() -> impl Strategy<Value = Target<'static>> {
    let t = |name: &'static str, goto: bool, options: Vec<Opt<'static>>| Target {
        goto,
        name,
        known: true,
        options,
        span: Span::default(),
    };
    prop_oneof![
        prop::sample::select(vec!["ACCEPT", "DROP", "RETURN"]).prop_map(move |v| t(
            v,
            false,
            vec![]
        )),
        (any::<bool>(), prop::sample::select(CHAINS.to_vec())).prop_map(move |(g, c)| Target {
            known: false,
            ..t(c, g, vec![])
        }),
        (any::<[u8; 4]>(), proptest::option::of(port_range())).prop_map(move |(a, p)| {
            let a = std::net::IpAddr::from(a);
            t(
                "DNAT",
                false,
                vec![opt(
                    "to-destination",
                    false,
                    Value::Nat(NatRange {
                        addrs: Some((a, a)),
                        ports: p.map(|r| (r.lo as u16, r.hi as u16)),
                        base: None,
                    }),
                )],
            )
        }),
        (any::<u32>(), any::<u32>()).prop_map(move |(v, m)| t(
            "MARK",
            false,
            vec![opt(
                "set-xmark",
                false,
                Value::Masked(
                    Masked {
                        value: v,
                        mask: Some(m)
                    },
                    MaskStyle::XMark
                )
            )]
        )),
        (0u64..64).prop_map(move |v| t(
            "DSCP",
            false,
            vec![opt("set-dscp", false, Value::Hex { value: v, width: 2 })]
        )),
        text().prop_map(move |p| t(
            "LOG",
            false,
            vec![opt(
                "log-prefix",
                false,
                Value::Str(Cow::Owned(p), Quote::IfNeeded)
            )]
        )),
    ]
}

/// Rules as iptables-save would print them (canonical: every value in its
/// canonical form, options in save order).
pub fn rule() -> impl Strategy<Value = Rule<'static>> {
    (
        proptest::option::of(neg(net())),
        proptest::option::of(neg(net())),
        proptest::option::of(neg(prop::sample::select(IFACES.to_vec()))),
        proptest::option::of(neg(prop::sample::select(IFACES.to_vec()))),
        proptest::option::of(neg(
            prop::sample::select(vec![6u8, 17, 1, 58, 132, 47]).prop_map(Proto)
        )),
        proptest::collection::vec(a_match(), 0..4),
        proptest::option::of(a_target()),
    )
        .prop_map(
            |(source, destination, in_iface, out_iface, protocol, matches, target)| Rule {
                counters: None,
                source,
                destination,
                in_iface,
                out_iface,
                protocol,
                fragment: None,
                matches,
                target,
                span: Span::default(),
            },
        )
}

/// Sets every span in the rule to the default, so trees compare by content.
pub fn erase_spans(r: &mut Rule<'_>) {
    r.span = Span::default();
    for m in &mut r.matches {
        m.span = Span::default();
        for o in &mut m.options {
            o.span = Span::default();
        }
    }
    if let Some(t) = &mut r.target {
        t.span = Span::default();
        for o in &mut t.options {
            o.span = Span::default();
        }
    }
}
