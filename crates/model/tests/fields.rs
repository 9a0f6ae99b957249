//! Header fields, raw payload bits and meta/ct keys with no narrower kind
//! lower to `MatchKind::Field` with the value in the field's own bits, and
//! render as nft lists them. Expressions are written in libnftnl's debug
//! syntax (what `nft --debug=netlink` prints) and read by the test-only
//! parser.

use nflens_model::render::nft::{self as render, Options};
use nflens_model::{nft, CmpOp, Family, FieldTest, Key, MatchKind, Rule, Value};
use nflens_testutil::nftdebug;

fn lower(family: u8, lines: &[&str]) -> Rule {
    let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let exprs = nftdebug::parse(&lines, family).expect("debug lines parse");
    nft::rule_decoded(&nftdebug::bare_rule(family), &exprs)
}

fn text(r: &Rule, family: Family) -> String {
    let mut out = String::new();
    render::rule(r, family, Options::default(), &mut out).expect("renders");
    out
}

#[test]
fn test_sub_byte_field_holds_its_own_bits() {
    // ip dscp cs1: the byte at nh+1 masked with 0xfc, compared with 0x20.
    let r = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ cmp eq reg 1 0x00000020 ]",
        ],
    );
    assert_eq!(
        r.matches[0].kind,
        MatchKind::Field {
            key: "ip dscp".parse::<Key>().expect("a key"),
            test: FieldTest::Cmp {
                op: CmpOp::Eq,
                value: Value(Box::new([0x08])),
            },
        }
    );
    assert_eq!(text(&r, Family::Ipv4), "ip dscp cs1");
    // The same field read with a wider load and mask is the same value.
    let wide = lower(
        2,
        &[
            "[ payload load 2b @ network header + 0 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x0000fc00 ) ^ 0x00000000 ]",
            "[ cmp eq reg 1 0x00002000 ]",
        ],
    );
    assert_eq!(wide.matches, r.matches);
}

#[test]
fn test_transport_fields_follow_the_protocol_and_hide_it() {
    let r = lower(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ payload load 2b @ transport header + 14 => reg 1 ]",
            "[ range neq reg 1 0x00002100 0x00002d00 ]",
        ],
    );
    assert_eq!(text(&r, Family::Ipv4), "tcp window != 33-45");
    // Without a protocol the same bytes are raw bits.
    let raw = lower(
        2,
        &[
            "[ payload load 2b @ transport header + 14 => reg 1 ]",
            "[ cmp eq reg 1 0x00002100 ]",
        ],
    );
    assert_eq!(text(&raw, Family::Ipv4), "@th,112,16 33");
}

#[test]
fn test_meta_and_ct_keys_in_host_order() {
    let r = lower(
        2,
        &[
            "[ meta load priority => reg 1 ]",
            "[ cmp eq reg 1 0xaabb0000 ]",
            "[ ct load zone => reg 1 ]",
            "[ cmp neq reg 1 0x00000017 ]",
            "[ meta load iifgroup => reg 1 ]",
            "[ cmp eq reg 1 0x00000000 ]",
        ],
    );
    assert_eq!(
        text(&r, Family::Ipv4),
        "meta priority aabb:0 ct zone != 23 iifgroup \"default\""
    );
    // A host-order value compared with `cmp gt` without `byteorder` is a
    // byte-wise compare, not numeric order: not typed.
    let unordered = lower(
        2,
        &["[ meta load cpu => reg 1 ]", "[ cmp gt reg 1 0x00000001 ]"],
    );
    assert!(matches!(unordered.matches[0].kind, MatchKind::Nft { .. }));
}

#[test]
fn test_masked_part_of_a_field() {
    let r = lower(
        2,
        &[
            "[ payload load 2b @ network header + 6 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x00000020 ) ^ 0x00000000 ]",
            "[ cmp neq reg 1 0x00000000 ]",
        ],
    );
    // nft 1.0 prints the fragment field in decimal, 1.1 in hex.
    assert_eq!(text(&r, Family::Ipv4), "ip frag-off & 8192 != 0");
}

/// What nft 1.0 and nft 1.1 print differently, each as that nft lists it
/// (1.0 as nft 1.0.6 on this machine does; 1.1 as the newer test suite's
/// expected listings say).
#[test]
fn test_dialects_spell_as_their_nft() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[
                "[ payload load 2b @ network header + 6 => reg 1 ]",
                "[ cmp eq reg 1 0x0000de00 ]",
            ],
            "ip frag-off 222",
            "ip frag-off 0xde",
        ),
        (
            &[
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x00000003 ) ^ 0x00000000 ]",
                "[ cmp neq reg 1 0x00000002 ]",
            ],
            "tcp flags != syn / fin,syn",
            "tcp flags & (fin | syn) != syn",
        ),
        (
            &[
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x00000012 ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000000 ]",
            ],
            "tcp flags ! syn,ack",
            "tcp flags ! syn,ack",
        ),
        (
            &[
                "[ payload load 1b @ transport header + 13 => reg 1 ]",
                "[ cmp eq reg 1 0x00000002 ]",
            ],
            "tcp flags == syn",
            "tcp flags == syn",
        ),
    ];
    for (lines, v1_0, v1_1) in cases {
        let mut lines = lines.to_vec();
        if lines[0].contains("transport") {
            lines.splice(
                0..0,
                [
                    "[ meta load l4proto => reg 1 ]",
                    "[ cmp eq reg 1 0x00000006 ]",
                ],
            );
        }
        let r = lower(2, &lines);
        assert_eq!(text(&r, Family::Ipv4), *v1_0);
        let mut out = String::new();
        let opts = Options {
            dialect: render::Dialect::Nft1_1,
            ..Options::default()
        };
        render::rule(&r, Family::Ipv4, opts, &mut out).expect("renders");
        assert_eq!(out, *v1_1);
    }
}

#[cfg(feature = "serde")]
#[test]
fn test_field_json_round_trip() {
    let r = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ cmp eq reg 1 0x00000020 ]",
        ],
    );
    let json = serde_json::to_string(&r.matches[0]).expect("serializes");
    assert_eq!(
        json,
        r#"{"negated":false,"kind":{"match":"field","value":{"key":"ip dscp","test":{"cmp":{"op":"eq","value":"0x08"}}}}}"#
    );
    let back: nflens_model::Match = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, r.matches[0]);
}

fn with_set(family: u8, lines: &[&str], flags: u32, elems: &[&str]) -> Rule {
    let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let exprs = nftdebug::parse(&lines, family).expect("debug lines parse");
    let elems = elems
        .iter()
        .map(|l| {
            let e = nftdebug::element(l).expect("element line");
            nft::SetElement {
                key: e.key.into(),
                key_end: e.end.map(Into::into),
                flags: e.flags,
                data: e.data.as_ref().map(Into::into),
                ..Default::default()
            }
        })
        .collect();
    let mut sets = nft::SetIndex::new();
    sets.insert(
        family,
        "t",
        "__set0",
        nft::SetContents {
            flags,
            key_len: None,
            elems,
            data_len: None,
            obj_type: None,
            size: None,
        },
    );
    nft::rule_decoded_with_sets(&nftdebug::bare_rule(family), &exprs, &sets)
}

#[test]
fn test_port_set_is_multiport() {
    // tcp dport { 22, 80 } (an anonymous set, flags constant|anonymous).
    let set = with_set(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ payload load 2b @ transport header + 2 => reg 1 ]",
            "[ lookup reg 1 set __set0 ]",
        ],
        0x3,
        &["element 00001600  : 0 [end]", "element 00005000  : 0 [end]"],
    );
    let text = nflens_xtables::parse(
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m multiport --dports 80,22\nCOMMIT\n",
    )
    .expect("parses");
    let rs = nflens_model::lower::from_xtables(&text, None).expect("lowers");
    let multiport = &rs.tables[0].chains[0].rules[0];
    assert!(set.same_meaning(multiport), "{set:?}\n{multiport:?}");
    assert_eq!(text_of(&set), "tcp dport { 22, 80 }");
}

fn text_of(r: &Rule) -> String {
    text(r, Family::Ipv4)
}

#[test]
fn test_interval_set_ends_are_exclusive() {
    // meta length { 33-55, 67-88 } negated: an interval set (flags
    // constant|anonymous|interval) after byteorder; each range's end
    // element holds the first value past it, the leading 0 closes nothing.
    let r = with_set(
        2,
        &[
            "[ meta load len => reg 1 ]",
            "[ byteorder reg 1 = hton(reg 1, 4, 4) ]",
            "[ lookup reg 1 set __set0 0x1 ]",
        ],
        0x7,
        &[
            "element 00000000  : 1 [end]",
            "element 21000000  : 0 [end]",
            "element 38000000  : 1 [end]",
            "element 43000000  : 0 [end]",
            "element 59000000  : 1 [end]",
        ],
    );
    assert_eq!(text_of(&r), "meta length != { 33-55, 67-88 }");
}

#[test]
fn test_concatenated_set_is_one_condition_over_both_keys() {
    // iif . oif { "lo" . "lo" }: the key is two registers; reading it as
    // `iif { "lo" }` would change what the rule matches.
    let r = with_set(
        2,
        &[
            "[ meta load iif => reg 1 ]",
            "[ meta load oif => reg 9 ]",
            "[ lookup reg 1 set __set0 ]",
        ],
        0x3,
        &["element 00000001 00000001  : 0 [end]"],
    );
    let MatchKind::Concat { keys, elems } = &r.matches[0].kind else {
        panic!("not a concatenation: {r:?}");
    };
    assert_eq!(keys.len(), 2);
    assert_eq!(elems.len(), 1);
    assert_eq!(text_of(&r), r#"iif . oif { "lo" . "lo" }"#);
}

#[test]
fn test_concatenation_of_ranges_keeps_each_range() {
    // ip daddr . tcp dport { 10.0.0.0/8 . 10-23 }: a set of concatenated
    // ranges holds each element's first and last key.
    let r = with_set(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ payload load 4b @ network header + 16 => reg 1 ]",
            "[ payload load 2b @ transport header + 2 => reg 9 ]",
            "[ lookup reg 1 set __set0 ]",
        ],
        0x87,
        &["element 0000000a 00000a00 - ffffff0a 00001700  : 0 [end]"],
    );
    assert_eq!(text_of(&r), "ip daddr . tcp dport { 10.0.0.0/8 . 10-23 }");
}

#[test]
fn test_a_key_shorter_than_the_set_key_stays_raw_with_every_load() {
    // The set's key is 8 bytes, but only one 4-byte register was loaded
    // before the lookup: nflens does not guess the rest, and the raw text
    // names what it read.
    let r = with_set(
        2,
        &["[ meta load iif => reg 1 ]", "[ lookup reg 1 set __set0 ]"],
        0x3,
        &["element 00000001 00000001  : 0 [end]"],
    );
    let MatchKind::Nft { exprs } = &r.matches[0].kind else {
        panic!("lowered: {r:?}");
    };
    assert!(
        exprs.contains("meta load iif") && exprs.contains("lookup"),
        "{exprs}"
    );
}

#[test]
fn test_verdict_map_with_catch_all() {
    let r = with_set(
        2,
        &[
            "[ payload load 4b @ network header + 12 => reg 1 ]",
            "[ lookup reg 1 set __set0 dreg 0 ]",
        ],
        0xb,
        &[
            "element 01010101  : drop 0 [end]",
            "element 02020202  : jump other 0 [end]",
            "element  : accept 2 [end]",
        ],
    );
    let Some(nflens_model::ActionKind::Vmap { keys, elems }) = r.action.as_ref().map(|a| &a.kind)
    else {
        panic!("no verdict map: {r:?}");
    };
    assert_eq!(keys.len(), 1);
    assert!(elems[2].key.is_empty(), "the catch-all is last: {elems:?}");
    assert_eq!(
        text_of(&r),
        "ip saddr vmap { 1.1.1.1 : drop, 2.2.2.2 : jump other, * : accept }"
    );
}

#[test]
fn test_verdict_map_of_a_masked_field_with_intervals() {
    // ip hdrlength vmap { 0-4 : drop, 5 : accept, 6 : continue }: an
    // interval map; each start element carries the verdict.
    let r = with_set(
        2,
        &[
            "[ payload load 1b @ network header + 0 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x0000000f ) ^ 0x00000000 ]",
            "[ lookup reg 1 set __set0 dreg 0 ]",
        ],
        0xf,
        &[
            "element 00000000  : drop 0 [end]",
            "element 00000005  : accept 0 [end]",
            "element 00000006  : continue 0 [end]",
            "element 00000007  : 1 [end]",
        ],
    );
    assert_eq!(
        text_of(&r),
        "ip hdrlength vmap { 0-4 : drop, 5 : accept, 6 : continue }"
    );
}

fn lower_op(family: u8, lines: &[&str], unnamed_op: u32) -> Rule {
    let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let exprs =
        nftdebug::parse_with_op(&lines, family, Some(unnamed_op)).expect("debug lines parse");
    nft::rule_decoded(&nftdebug::bare_rule(family), &exprs)
}

#[test]
fn test_extension_header_fields_hold_their_own_bits() {
    use nflens_model::{ExtHdr, ExtKind};
    // frag frag-off 22: 13 bits at bit 16 of the fragment header, loaded
    // as 2 bytes masked 0xfff8 and compared with 22 << 3.
    let r = lower(
        10,
        &[
            "[ exthdr load ipv6 2b @ 44 + 2 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x0000f8ff ) ^ 0x00000000 ]",
            "[ cmp eq reg 1 0x0000b000 ]",
        ],
    );
    let frag = ExtHdr {
        kind: ExtKind::Ipv6,
        num: 44,
    };
    assert_eq!(
        r.matches[0].kind,
        MatchKind::Field {
            key: Key::Ext {
                hdr: frag,
                offset: 16,
                len: 13
            },
            test: FieldTest::Cmp {
                op: CmpOp::Eq,
                value: Value(Box::new([0, 22])),
            },
        }
    );
    assert_eq!(text(&r, Family::Ipv6), "frag frag-off 22");
    // Presence: 1 is exists, 0 missing, != stays.
    for (line, want) in [
        ("[ cmp eq reg 1 0x00000001 ]", "exthdr frag exists"),
        ("[ cmp eq reg 1 0x00000000 ]", "exthdr frag missing"),
        ("[ cmp neq reg 1 0x00000001 ]", "exthdr frag != exists"),
    ] {
        let r = lower(
            10,
            &["[ exthdr load ipv6 1b @ 44 + 0 present => reg 1 ]", line],
        );
        assert_eq!(
            r.matches[0].kind,
            MatchKind::Field {
                key: Key::ExtPresent(frag),
                test: FieldTest::Cmp {
                    op: CmpOp::Eq,
                    value: Value(Box::new([u8::from(!want.ends_with("missing"))]))
                },
            }
        );
        assert_eq!(text(&r, Family::Ipv6), want);
    }
    // In an inet table the IPv6 dependency is implied, as nft lists it.
    let r = lower(
        1,
        &[
            "[ meta load nfproto => reg 1 ]",
            "[ cmp eq reg 1 0x0000000a ]",
            "[ exthdr load ipv6 1b @ 44 + 0 => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
        ],
    );
    assert_eq!(r.matches.len(), 1, "{r:?}");
    assert_eq!(text(&r, Family::Inet), "frag nexthdr tcp");
    // A routing header's bits past the generic four bytes are the segment
    // routing header's, as nft reads them.
    let r = lower(
        10,
        &[
            "[ exthdr load ipv6 16b @ 43 + 8 => reg 1 ]",
            "[ cmp eq reg 1 0x0000adde 0x00000000 0x00000000 0xefbe0000 ]",
        ],
    );
    assert_eq!(text(&r, Family::Ipv6), "srh sid[1] dead::beef");
}

#[test]
fn test_options_and_chunks_render_as_nft_names_them() {
    use nflens_wire::sys::{NFT_EXTHDR_OP_DCCP, NFT_EXTHDR_OP_SCTP};
    let cases: &[(&[&str], u32, &str)] = &[
        (
            &[
                "[ exthdr load tcpopt 4b @ 5 + 18 => reg 1 ]",
                "[ cmp eq reg 1 0x01000000 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            "tcp option sack2 left 1",
        ),
        (
            &[
                "[ exthdr load tcpopt 1b @ 255 + 1 => reg 1 ]",
                "[ cmp eq reg 1 0x000000ff ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            "tcp option @255,8,8 255",
        ),
        (
            &[
                "[ exthdr load tcpopt 1b @ 6 + 0 present => reg 1 ]",
                "[ cmp eq reg 1 0x00000001 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            "tcp option 6 exists",
        ),
        (
            &[
                "[ exthdr load tcpopt 1b @ 30 + 2 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000000f0 ) ^ 0x00000000 ]",
                "[ cmp eq reg 1 0x00000010 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            // nft 1.0 prints the subtype's number (1.1: `mp-join`).
            "tcp option mptcp subtype 1",
        ),
        (
            &[
                "[ exthdr load 2b @ 2 + 12 => reg 1 ]",
                "[ cmp eq reg 1 0x00000300 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            "sctp chunk init-ack num-outbound-streams 3",
        ),
        (
            &[
                "[ exthdr load 1b @ 43 + 0 present => reg 1 ]",
                "[ cmp eq reg 1 0x00000000 ]",
            ],
            NFT_EXTHDR_OP_DCCP,
            "dccp option 43 missing",
        ),
        (
            &[
                "[ exthdr load ipv4 4b @ 7 + 3 => reg 1 ]",
                "[ cmp eq reg 1 0x01000000 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
            "ip option rr addr 1",
        ),
    ];
    for (lines, op, want) in cases {
        let r = lower_op(2, lines, *op);
        assert_eq!(text(&r, Family::Ipv4), *want);
        // The key reads back from its text.
        if let MatchKind::Field { key, .. } = &r.matches[0].kind {
            assert_eq!(key.to_string().parse::<Key>().as_ref(), Ok(key));
        } else {
            panic!("{want}: {:?}", r.matches);
        }
    }
    // What nft has no spelling for stays raw: bits of an IPv6 header type
    // nft does not know, a DCCP option's bytes, a 4-byte presence load.
    for (lines, op) in [
        (
            &[
                "[ exthdr load ipv6 1b @ 99 + 0 => reg 1 ]",
                "[ cmp eq reg 1 0x00000001 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
        ),
        (
            &[
                "[ exthdr load 1b @ 43 + 1 => reg 1 ]",
                "[ cmp eq reg 1 0x00000001 ]",
            ],
            NFT_EXTHDR_OP_DCCP,
        ),
        (
            &[
                "[ exthdr load tcpopt 4b @ 2 + 0 present => reg 1 ]",
                "[ cmp eq reg 1 0x00000001 ]",
            ],
            NFT_EXTHDR_OP_SCTP,
        ),
    ] {
        let r = lower_op(2, lines, op);
        assert!(
            matches!(r.matches[0].kind, MatchKind::Nft { .. }),
            "{lines:?}: {:?}",
            r.matches
        );
    }
}

#[test]
fn test_limits_and_quotas_lower_and_render_as_nft_lists_them() {
    // A packet rate of whole 1/10,000 s periods is `Limit`, as xt limit's.
    let r = lower(
        2,
        &["[ limit rate 400/minute burst 5 type packets flags 0x1 ]"],
    );
    assert!(r.matches[0].negated);
    assert_eq!(
        r.matches[0].kind,
        MatchKind::Limit {
            period: 1500,
            burst: 5
        }
    );
    assert_eq!(text(&r, Family::Ipv4), "limit rate over 400/minute");
    // 1023/second is no whole period; bytes are nft's own.
    for (line, kind, want) in [
        (
            "[ limit rate 1023/second burst 10 type packets flags 0x0 ]",
            MatchKind::NftLimit {
                rate: 1023,
                unit: 1,
                burst: 10,
                bytes: false,
            },
            "limit rate 1023/second burst 10 packets",
        ),
        (
            "[ limit rate 1074790400/second burst 1049600 type bytes flags 0x0 ]",
            MatchKind::NftLimit {
                rate: 1_074_790_400,
                unit: 1,
                burst: 1_049_600,
                bytes: true,
            },
            "limit rate 1025 mbytes/second burst 1025 kbytes",
        ),
    ] {
        let r = lower(2, &[line]);
        assert_eq!(r.matches[0].kind, kind);
        assert_eq!(text(&r, Family::Ipv4), want);
    }
    // A quota's used bytes are state: shown unless stateless, not meaning.
    let fresh = lower(2, &["[ quota bytes 1049600 consumed 0 flags 1 ]"]);
    let used = lower(2, &["[ quota bytes 1049600 consumed 2048 flags 1 ]"]);
    assert_eq!(text(&fresh, Family::Ipv4), "quota over 1025 kbytes");
    assert_eq!(
        text(&used, Family::Ipv4),
        "quota over 1025 kbytes used 2 kbytes"
    );
    let o = Options {
        stateless: true,
        ..Options::default()
    };
    let mut s = String::new();
    render::rule(&used, Family::Ipv4, o, &mut s).expect("renders");
    assert_eq!(s, "quota over 1025 kbytes");
    assert!(fresh.same_meaning(&used));
    let other = lower(2, &["[ quota bytes 1049600 consumed 0 flags 0 ]"]);
    assert!(!fresh.same_meaning(&other), "over and under differ");
}

#[test]
fn test_rejects_by_the_family_their_dependency_fixed() {
    use nflens_model::ActionKind;
    // bridge: `meta protocol ip` fixes IPv4 for the ICMP error; nft hides it.
    let r = lower(
        7,
        &[
            "[ meta load protocol => reg 1 ]",
            "[ cmp eq reg 1 0x00000008 ]",
            "[ reject type 0 code 1 ]",
        ],
    );
    assert!(r.matches.is_empty(), "{:?}", r.matches);
    assert_eq!(
        r.action.as_ref().map(|a| &a.kind),
        Some(&ActionKind::Reject {
            with: Some("icmp-host-unreachable".into())
        })
    );
    assert_eq!(
        text(&r, Family::Bridge),
        "reject with icmp host-unreachable"
    );
    // ICMPX needs no family; port-unreachable is nft's plain `reject`.
    for (code, want) in [(1, "reject"), (3, "reject with icmpx admin-prohibited")] {
        let line = format!("[ reject type 2 code {code} ]");
        let r = lower(1, &[line.as_str()]);
        assert_eq!(text(&r, Family::Inet), want);
    }
    // Without a family, an ICMP code means nothing in inet: raw.
    let r = lower(1, &["[ reject type 0 code 1 ]"]);
    assert!(matches!(
        r.action.as_ref().map(|a| &a.kind),
        Some(ActionKind::Nft { .. })
    ));
}

#[test]
fn test_eight_byte_host_values_turned_to_network_order_compare_by_order() {
    // ct bytes > 100000: the 64-bit host-order counter, hton'd, compared.
    let r = lower(
        2,
        &[
            "[ ct load bytes => reg 1 ]",
            "[ byteorder reg 1 = hton(reg 1, 8, 8) ]",
            "[ cmp gt reg 1 0x00000000 0xa0860100 ]",
        ],
    );
    assert_eq!(
        r.matches[0].kind,
        MatchKind::Field {
            key: "ct bytes".parse::<Key>().expect("a key"),
            test: FieldTest::Cmp {
                op: CmpOp::Gt,
                value: Value(Box::new([0, 0, 0, 0, 0, 1, 0x86, 0xa0])),
            },
        }
    );
    assert_eq!(text(&r, Family::Ipv4), "ct bytes > 100000");
}

fn lowered(family: u8, lines: &[&str]) -> Rule {
    let lines: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let exprs = nftdebug::parse(&lines, family).expect("debug lines parse");
    nft::rule_decoded(&nftdebug::bare_rule(family), &exprs)
}

#[test]
fn test_set_statements_of_constants_and_keys() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "[ immediate reg 1 0x00000001 ]",
                "[ ct set zone with reg 1 ]",
            ],
            "ct zone set 1",
        ),
        (
            &[
                "[ immediate reg 1 0xcafebeef ]",
                "[ meta set priority with reg 1 ]",
            ],
            "meta priority set cafe:beef",
        ),
        (
            &[
                "[ immediate reg 1 0x00000407 ]",
                "[ ct set event with reg 1 ]",
            ],
            "ct event set new,related,destroy,label",
        ),
        (
            &[
                "[ immediate reg 1 0x00000000 0x00000000 0x00000000 0x80000000 ]",
                "[ ct set label with reg 1 ]",
            ],
            "ct label set 127",
        ),
        (
            &["[ meta load mark => reg 1 ]", "[ ct set mark with reg 1 ]"],
            "ct mark set meta mark",
        ),
    ];
    for (lines, want) in cases {
        let r = lowered(2, lines);
        assert!(
            matches!(
                r.action.as_ref().map(|a| &a.kind),
                Some(nflens_model::ActionKind::Set { .. })
            ),
            "{r:?}"
        );
        assert_eq!(text_of(&r), want);
    }
}

#[test]
fn test_connmark_save_is_ct_mark_set_meta_mark() {
    let text = nflens_xtables::parse(
        "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\nCOMMIT\n",
    )
    .expect("parses");
    let rs = nflens_model::lower::from_xtables(&text, None).expect("lowers");
    let saved = &rs.tables[0].chains[0].rules[0];
    let native = lowered(
        2,
        &["[ meta load mark => reg 1 ]", "[ ct set mark with reg 1 ]"],
    );
    assert!(saved.same_meaning(&native), "{saved:?}\n{native:?}");
    // A partial mask is not the whole mark copied.
    let text = nflens_xtables::parse(
        "*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff\nCOMMIT\n",
    )
    .expect("parses");
    let rs = nflens_model::lower::from_xtables(&text, None).expect("lowers");
    assert!(!rs.tables[0].chains[0].rules[0].same_meaning(&native));
}

#[test]
fn test_payload_writes_set_header_fields() {
    let port = lowered(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ immediate reg 1 0x00005000 ]",
            "[ payload write reg 1 => 2b @ transport header + 2 csum_type 1 csum_off 16 csum_flags 0x0 ]",
        ],
    );
    assert_eq!(text_of(&port), "tcp dport set 80");
    // DSCP is the top six bits of a byte: the byte is loaded, its DSCP
    // bits cleared and the value xored in.
    let dscp = lowered(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x00000003 ) ^ 0x00000020 ]",
            "[ payload write reg 1 => 1b @ network header + 1 csum_type 1 csum_off 10 csum_flags 0x0 ]",
        ],
    );
    assert_eq!(text_of(&dscp), "ip dscp set cs1");
}

#[test]
fn test_data_map_sets_the_mark() {
    let r = with_set(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ payload load 2b @ transport header + 2 => reg 1 ]",
            "[ lookup reg 1 set __set0 dreg 1 ]",
            "[ meta set mark with reg 1 ]",
        ],
        0xb,
        &[
            "element 00001600  : 00000001 0 [end]",
            "element 00005000  : 00000002 0 [end]",
        ],
    );
    assert_eq!(
        text_of(&r),
        "meta mark set tcp dport map { 22 : 0x00000001, 80 : 0x00000002 }"
    );
}

/// A counter counts where it sits: nft lists it there, and a family
/// dependency it separates from what implies it stays.
#[test]
fn test_counter_keeps_its_place() {
    let r = lower(
        1,
        &[
            "[ meta load nfproto => reg 1 ]",
            "[ cmp eq reg 1 0x00000002 ]",
            "[ counter pkts 0 bytes 0 ]",
            "[ payload load 4b @ network header + 12 => reg 1 ]",
            "[ cmp eq reg 1 0x04030201 ]",
        ],
    );
    assert_eq!(
        r.counters.map(|c| c.at),
        Some(nflens_model::CounterAt::After(1))
    );
    let mut out = String::new();
    let opts = Options {
        stateless: true,
        ..Options::default()
    };
    render::rule(&r, Family::Inet, opts, &mut out).expect("renders");
    assert_eq!(out, "meta nfproto ipv4 counter ip saddr 1.2.3.4");
    // At the end it is where every rule counts.
    let r = lower(
        2,
        &[
            "[ payload load 4b @ network header + 12 => reg 1 ]",
            "[ cmp eq reg 1 0x04030201 ]",
            "[ counter pkts 0 bytes 0 ]",
            "[ immediate reg 0 accept ]",
        ],
    );
    assert_eq!(r.counters.map(|c| c.at), Some(nflens_model::CounterAt::End));
}

#[test]
fn test_keys_inside_a_tunnel_lower_and_list_as_nft_lists_them() {
    use nflens_model::{InnerKey, Tunnel};
    // `udp dport 4789 vxlan ip saddr 10.141.11.0/24`: the inner `meta
    // protocol ip` is a dependency nft hides; three bytes are a prefix.
    let r = lower(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000011 ]",
            "[ payload load 2b @ transport header + 2 => reg 1 ]",
            "[ cmp eq reg 1 0x0000b512 ]",
            "[ inner type 1 hdrsize 8 flags f [ meta load protocol => reg 1 ] ]",
            "[ cmp eq reg 1 0x00000008 ]",
            "[ inner type 1 hdrsize 8 flags f [ payload load 3b @ network header + 12 => reg 1 ] ]",
            "[ cmp eq reg 1 0x000b8d0a ]",
        ],
    );
    let saddr: Key = "vxlan ip saddr".parse().expect("a key");
    assert!(matches!(
        saddr,
        Key::Inner {
            tunnel: Tunnel::Vxlan,
            key: InnerKey::Header(_)
        }
    ));
    assert_eq!(
        r.matches.last().map(|m| &m.kind),
        Some(&MatchKind::Field {
            key: saddr,
            test: FieldTest::Masked {
                mask: Value(Box::new([255, 255, 255, 0])),
                value: Value(Box::new([10, 141, 11, 0])),
            },
        })
    );
    assert_eq!(
        text(&r, Family::Ipv4),
        "udp dport 4789 vxlan ip saddr 10.141.11.0/24"
    );
    // The tunnel header's own field, and GRE's: the outer `meta l4proto
    // gre` is implied by what is read inside.
    let r = lower(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000011 ]",
            "[ payload load 2b @ transport header + 2 => reg 1 ]",
            "[ cmp eq reg 1 0x0000c117 ]",
            "[ inner type 2 hdrsize 8 flags f [ payload load 3b @ tunnel header + 4 => reg 1 ] ]",
            "[ cmp eq reg 1 0x000a0000 ]",
        ],
    );
    assert_eq!(text(&r, Family::Ipv4), "udp dport 6081 geneve vni 10");
    let r = lower(
        2,
        &[
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x0000002f ]",
            "[ inner type 3 hdrsize 4 flags c [ meta load l4proto => reg 1 ] ]",
            "[ cmp eq reg 1 0x00000011 ]",
            "[ inner type 3 hdrsize 4 flags c [ payload load 2b @ transport header + 0 => reg 1 ] ]",
            "[ cmp eq reg 1 0x0000b822 ]",
        ],
    );
    assert_eq!(text(&r, Family::Ipv4), "gre udp sport 8888");
    // An `inner` nft does not describe stays raw, and is listed.
    let r = lower(
        2,
        &[
            "[ inner type 9 hdrsize 8 flags f [ payload load 3b @ tunnel header + 4 => reg 1 ] ]",
            "[ cmp eq reg 1 0x000a0000 ]",
        ],
    );
    assert!(matches!(
        r.matches[..],
        [nflens_model::Match {
            kind: MatchKind::Nft { .. },
            ..
        }]
    ));
    // Keys spell and read back; `gre protocol` is the packet's own GRE
    // header, `gre ip saddr` inside the tunnel.
    for k in [
        "vxlan ip saddr",
        "geneve vni",
        "vxlan vlan id",
        "gretap ether saddr",
        "gre ip saddr",
        "gre meta l4proto",
        "gre protocol",
    ] {
        let key: Key = k.parse().unwrap_or_else(|e| panic!("{k}: {e}"));
        assert_eq!(key.to_string(), k);
    }
    assert!(matches!("gre protocol".parse::<Key>(), Ok(Key::Header(_))));
}

#[test]
fn test_flow_offload_lowers_and_lists_as_nft_lists_it() {
    use nflens_wire::expr::{Expr, FlowOffload};
    let exprs = [Expr::FlowOffload(FlowOffload { table_name: "ft" })];
    let r = nft::rule_decoded(&nftdebug::bare_rule(1), &exprs);
    assert_eq!(
        r.action.as_ref().map(|a| &a.kind),
        Some(&nflens_model::ActionKind::FlowOffload {
            flowtable: "ft".into()
        })
    );
    assert_eq!(text(&r, Family::Inet), "flow add @ft");
    let mut out = String::new();
    let e = nflens_model::render::iptables::rule(&r, Family::Ipv4, &mut out);
    assert!(
        e.as_ref().is_err_and(|why| why.contains("flow add")),
        "no iptables form: {e:?} {out}"
    );
}

#[test]
fn test_a_field_moved_to_the_right_edge_is_the_field() {
    use nflens_model::{ActionKind, BitOp, Source};
    // nft 1.1 moves a sub-byte field to the register's low bits before
    // it compares it or gives it to a statement: `& 0xfc; >> 2` (one
    // byte), `& 0x0fc0; ntoh; >> 6` (two bytes).
    let moved = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ bitwise reg 1 = ( reg 1 >> 0x00000002 ) ]",
            "[ cmp eq reg 1 0x00000008 ]",
        ],
    );
    let in_place = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ cmp eq reg 1 0x00000020 ]",
        ],
    );
    assert_eq!(moved.matches, in_place.matches);
    assert_eq!(text(&moved, Family::Ipv4), "ip dscp cs1");

    // Masked again after the move (how nft 1.1 writes `ip dscp 1/6`).
    let masked_again = |mask: &str| {
        let and = format!("[ bitwise reg 1 = ( reg 1 & {mask} ) ^ 0x00000000 ]");
        lower(
            2,
            &[
                "[ payload load 1b @ network header + 1 => reg 1 ]",
                "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
                "[ bitwise reg 1 = ( reg 1 >> 0x00000002 ) ]",
                &and,
                "[ cmp eq reg 1 0x00000008 ]",
            ],
        )
    };
    // With all the field's bits: the same test, listed with the mask as
    // nft lists it.
    let whole = masked_again("0x0000003f");
    assert_eq!(whole.matches, in_place.matches);
    assert_eq!(text(&whole, Family::Ipv4), "ip dscp & 0x3f == cs1");
    // A narrower mask is another test.
    let narrower = masked_again("0x0000003e");
    assert_ne!(narrower.matches, in_place.matches);
    assert_eq!(text(&narrower, Family::Ipv4), "ip dscp & 0x3e == cs1");

    // A shift that is not the field's offset moves nothing: kept raw.
    let off = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ bitwise reg 1 = ( reg 1 >> 0x00000001 ) ]",
            "[ cmp eq reg 1 0x00000010 ]",
        ],
    );
    assert!(
        matches!(off.matches[..], [ref m] if matches!(m.kind, MatchKind::Nft { .. })),
        "{off:?}"
    );

    let dscp6: Key = "ip6 dscp".parse().expect("a key");
    let set = |tail: &[&str]| {
        let mut lines = vec![
            "[ payload load 2b @ network header + 0 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x0000c00f ) ^ 0x00000000 ]",
            "[ byteorder reg 1 = ntoh(reg 1, 2, 2) ]",
            "[ bitwise reg 1 = ( reg 1 >> 0x00000006 ) ]",
        ];
        lines.extend_from_slice(tail);
        lower(10, &lines)
    };
    // `ct mark set ip6 dscp`: the field's value, not its bits in place.
    let r = set(&["[ ct set mark with reg 1 ]"]);
    let value = |r: &Rule| match r.action.as_ref().map(|a| &a.kind) {
        Some(ActionKind::Set { value, .. }) => value.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(value(&r), Source::Key(dscp6));
    assert_eq!(text(&r, Family::Ipv6), "ct mark set ip6 dscp");
    // `ct mark set ip6 dscp << 26 | 0x10`: steps on a 32-bit number.
    let r = set(&[
        "[ bitwise reg 1 = ( reg 1 << 0x0000001a ) ]",
        "[ bitwise reg 1 = ( reg 1 & 0xffffffef ) ^ 0x00000010 ]",
        "[ ct set mark with reg 1 ]",
    ]);
    assert_eq!(
        value(&r),
        Source::Computed {
            key: dscp6,
            // Only the field's bits, now at 26..32, can be set: the mask
            // keeps those.
            ops: vec![
                BitOp::Shl(26),
                BitOp::MaskXor {
                    and: 0xfc00_0000,
                    xor: 0x10
                }
            ],
        }
    );
    assert_eq!(text(&r, Family::Ipv6), "ct mark set ip6 dscp << 26 | 0x10");
    // An OR above the field, and a mask of its bits.
    let r = set(&[
        "[ bitwise reg 1 = ( reg 1 & 0x00ffffff ) ^ 0xff000000 ]",
        "[ ct set mark with reg 1 ]",
    ]);
    assert_eq!(text(&r, Family::Ipv6), "ct mark set ip6 dscp | 0xff000000");
    let r = set(&[
        "[ bitwise reg 1 = ( reg 1 & 0x0000003c ) ^ 0x00000000 ]",
        "[ ct set mark with reg 1 ]",
    ]);
    assert_eq!(text(&r, Family::Ipv6), "ct mark set ip6 dscp & 0x3c");
    // A mask one byte wide and one four bytes wide do the same to a
    // field moved to the low bits: the same value.
    let narrow = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ bitwise reg 1 = ( reg 1 >> 0x00000002 ) ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000bf ) ^ 0x00000040 ]",
            "[ meta set mark with reg 1 ]",
        ],
    );
    let wide = lower(
        2,
        &[
            "[ payload load 1b @ network header + 1 => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]",
            "[ bitwise reg 1 = ( reg 1 >> 0x00000002 ) ]",
            "[ bitwise reg 1 = ( reg 1 & 0xffffffbf ) ^ 0x00000040 ]",
            "[ meta set mark with reg 1 ]",
        ],
    );
    assert_eq!(narrow.action, wide.action);
    assert_eq!(text(&narrow, Family::Ipv4), "meta mark set ip dscp | 0x40");
}

#[test]
fn test_registers_joined_bit_by_bit_are_one_value() {
    use nflens_model::{ActionKind, BitOp, Combine, Source};
    let value = |r: &Rule| match r.action.as_ref().map(|a| &a.kind) {
        Some(ActionKind::Set { value, .. }) => value.clone(),
        other => panic!("{other:?}"),
    };
    let key = |k: &str| Source::Key(k.parse::<Key>().expect("a key"));
    // nft 1.1's `bitwise` of two registers: `meta mark set meta mark |
    // iif | meta cpu` is one OR of three keys.
    let r = lower(
        2,
        &[
            "[ meta load mark => reg 1 ]",
            "[ meta load iif => reg 2 ]",
            "[ bitwise reg 1 = ( reg 1 | reg 2 ) ]",
            "[ meta load cpu => reg 2 ]",
            "[ bitwise reg 1 = ( reg 1 | reg 2 ) ]",
            "[ meta set mark with reg 1 ]",
        ],
    );
    assert_eq!(
        value(&r),
        Source::Combined {
            op: Combine::Or,
            operands: vec![key("meta mark"), key("iif"), key("meta cpu")],
        }
    );
    assert_eq!(
        text(&r, Family::Ipv4),
        "meta mark set meta mark | iif | meta cpu"
    );
    // Each operand masked first.
    let r = lower(
        2,
        &[
            "[ ct load mark => reg 1 ]",
            "[ bitwise reg 1 = ( reg 1 & 0xffff0000 ) ^ 0x00000000 ]",
            "[ meta load mark => reg 2 ]",
            "[ bitwise reg 2 = ( reg 2 & 0x0000ffff ) ^ 0x00000000 ]",
            "[ bitwise reg 1 = ( reg 1 | reg 2 ) ]",
            "[ ct set mark with reg 1 ]",
        ],
    );
    let Source::Combined { op, operands } = value(&r) else {
        panic!("{r:?}");
    };
    assert_eq!(op, Combine::Or);
    assert_eq!(
        operands[1],
        Source::Computed {
            key: "meta mark".parse().expect("a key"),
            ops: vec![BitOp::MaskXor {
                and: 0xffff,
                xor: 0
            }],
        }
    );
    assert_eq!(
        text(&r, Family::Ipv4),
        "ct mark set ct mark & 0xffff0000 | meta mark & 0x0000ffff"
    );
    // An OR with a constant after the join is one more operand; an AND
    // after an OR is its own step, the OR in parentheses.
    let joined = |tail: &str| {
        lower(
            2,
            &[
                "[ ct load mark => reg 1 ]",
                "[ meta load mark => reg 2 ]",
                "[ bitwise reg 1 = ( reg 1 ^ reg 2 ) ]",
                tail,
                "[ ct set mark with reg 1 ]",
            ],
        )
    };
    let r = joined("[ bitwise reg 1 = ( reg 1 & 0xfffffdff ) ^ 0x00000200 ]");
    assert_eq!(
        text(&r, Family::Ipv4),
        "ct mark set ct mark ^ meta mark | 0x00000200"
    );
    let r = joined("[ bitwise reg 1 = ( reg 1 & 0x0000ff00 ) ^ 0x00000000 ]");
    assert_eq!(
        value(&r),
        Source::Combined {
            op: Combine::And,
            operands: vec![
                Source::Combined {
                    op: Combine::Xor,
                    operands: vec![key("ct mark"), key("meta mark")],
                },
                Source::Value(nflens_model::Value(Box::new([0, 0, 0xff, 0]))),
            ],
        }
    );
    assert_eq!(
        text(&r, Family::Ipv4),
        "ct mark set (ct mark ^ meta mark) & 0x0000ff00"
    );
    // Joins of joins, each reading both sides, are kept raw past a depth
    // nft never writes (hostile bytes may chain any number).
    let mut lines = vec!["[ meta load mark => reg 1 ]"];
    lines.extend(["[ bitwise reg 1 = ( reg 1 | reg 1 ) ]"; 40]);
    lines.push("[ meta set mark with reg 1 ]");
    let r = lower(2, &lines);
    assert!(
        r.action
            .as_ref()
            .is_some_and(|a| matches!(a.kind, ActionKind::Nft { .. })),
        "{r:?}"
    );
    // A mask and an xor that are no one operation: not lowered.
    let r = joined("[ bitwise reg 1 = ( reg 1 & 0x0000ff00 ) ^ 0x00000001 ]");
    assert!(
        r.action
            .as_ref()
            .is_some_and(|a| matches!(a.kind, ActionKind::Nft { .. })),
        "{r:?}"
    );
}
