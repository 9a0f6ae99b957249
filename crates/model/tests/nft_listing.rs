//! Our nft fixtures (testdata/nft/): named sets and maps, socket and osf
//! keys, loaded with `nft` in a throwaway namespace: nflens lists them
//! exactly as `nft list ruleset` does (`-s`, `-s -a`, `-s -n`), and the
//! model holds what they mean (rules refer to sets by name).

use nflens_model::render::nft::{self as render, Options as NftOptions};
use nflens_model::{
    ActionKind, ElemValue, Jhash, Key, KeyExpr, MatchKind, SetField, SetOp, Source,
};
use nflens_testutil::netns;

const RULESET: &str = include_str!("../../../testdata/nft/named-sets.nft");
const SOCKET_OSF: &str = include_str!("../../../testdata/nft/socket-osf.nft");
const TPROXY_DUP_FWD: &str = include_str!("../../../testdata/nft/tproxy-dup-fwd.nft");
const SPELLINGS: &str = include_str!("../../../testdata/nft/spellings.nft");
const GENERATED: &str = include_str!("../../../testdata/nft/generated-numbers.nft");
const OBJECTS: &str = include_str!("../../../testdata/nft/objects.nft");
const ROUTES_STATEMENTS: &str = include_str!("../../../testdata/nft/routes-statements.nft");
const NAT_MAPS: &str = include_str!("../../../testdata/nft/nat-maps.nft");
const MASKS_VLANS_METERS: &str = include_str!("../../../testdata/nft/masks-vlans-meters.nft");
const COMPUTED_LOOKUPS: &str = include_str!("../../../testdata/nft/computed-lookups.nft");
const NAT_COMPUTED: &str = include_str!("../../../testdata/nft/nat-computed.nft");

/// Loads `ruleset` in a throwaway namespace; asserts that nflens lists it
/// as `nft -s`, `nft -s -a` and `nft -s -n` do; returns the model.
fn listed_as_nft(ruleset: &str) -> nflens_model::Ruleset {
    let held = netns::Held::new(&format!("nft -f - <<'EOF'\n{ruleset}\nEOF")).expect("setup");
    let listings: Vec<(&str, NftOptions)> = vec![
        (
            "-s",
            NftOptions {
                stateless: true,
                ..NftOptions::default()
            },
        ),
        (
            "-s -a",
            NftOptions {
                stateless: true,
                handles: true,
                ..NftOptions::default()
            },
        ),
        (
            "-s -n",
            NftOptions {
                stateless: true,
                numeric: true,
                ..NftOptions::default()
            },
        ),
    ];
    let theirs: Vec<String> = listings
        .iter()
        .map(|(flags, _)| {
            let r = held.run(&format!("nft {flags} list ruleset"));
            assert_eq!(r.code, 0, "nft {flags} list ruleset: {}", r.stderr);
            r.stdout
        })
        .collect();
    let model = super::nft_native::lowered(held);
    for ((flags, opts), theirs) in listings.iter().zip(&theirs) {
        let out = render::ruleset(&model, *opts);
        assert!(
            out.unrepresentable.is_empty(),
            "{flags}: {:?}",
            out.unrepresentable
        );
        assert_eq!(out.text, *theirs, "nft {flags} list ruleset");
    }
    model
}

#[test]
fn socket_and_osf_keys_list_as_nft_lists_them() {
    if !netns::available("socket_and_osf_keys_list_as_nft_lists_them", &["nft"]) {
        return;
    }
    let model = listed_as_nft(SOCKET_OSF);
    let rules = &model.tables[0].chains[0].rules;
    assert_eq!(
        rules[2].matches[0].kind,
        MatchKind::Field {
            key: Key::Socket { key: 1, level: 0 },
            test: nflens_model::FieldTest::Cmp {
                op: nflens_model::CmpOp::Eq,
                value: nflens_model::Value::from_u128(5, 4),
            },
        }
    );
    assert_eq!(
        rules[6].matches[0].kind,
        MatchKind::Field {
            key: Key::Osf {
                version: false,
                ttl: 1
            },
            test: nflens_model::FieldTest::Cmp {
                op: nflens_model::CmpOp::Eq,
                value: nflens_model::Value(b"Linux\0\0\0\0\0\0\0\0\0\0\0".to_vec().into()),
            },
        }
    );
}

#[test]
fn named_sets_list_as_nft_lists_them() {
    if !netns::available("named_sets_list_as_nft_lists_them", &["nft"]) {
        return;
    }
    let model = listed_as_nft(RULESET);

    // The model itself: sets by name, keys typed, rules referring to them.
    let t = &model.tables[0];
    let set = |name: &str| t.sets.iter().find(|s| &*s.name == name).expect(name);
    assert_eq!(t.sets.len(), 19);
    let d = set("d");
    assert_eq!(
        d.key,
        vec![
            SetField::Typeof("ip saddr".parse::<Key>().unwrap()),
            SetField::Typeof("tcp dport".parse::<Key>().unwrap()),
        ]
    );
    assert_eq!(d.elems.len(), 2);
    let m1 = set("m1");
    assert_eq!(
        m1.elems.last().and_then(|e| e.data.clone()),
        Some(ElemValue::Verdict(ActionKind::Jump { chain: "x".into() }))
    );
    let h2 = set("h2");
    assert_eq!(h2.timeout, Some(60_000));
    assert_eq!(h2.elems[1].timeout, Some(30_000));
    assert_eq!(h2.elems[1].comment.as_deref(), Some("c"));
    let input = t.chains.iter().find(|c| &*c.name == "input").unwrap();
    let saddr: Key = "ip saddr".parse().unwrap();
    assert_eq!(
        input.rules[0].matches.last().map(|m| (m.negated, &m.kind)),
        Some((
            false,
            &MatchKind::InSet {
                keys: vec![saddr.into()],
                set: "a".into()
            }
        ))
    );
    assert!(input.rules[1].matches.last().unwrap().negated);
    let action = |i: usize| input.rules[i].action.as_ref().map(|a| a.kind.clone());
    assert_eq!(
        action(3),
        Some(ActionKind::VmapRef {
            keys: vec!["ip daddr".parse::<Key>().unwrap().into()],
            map: "m1".into()
        })
    );
    assert_eq!(
        action(4),
        Some(ActionKind::Set {
            key: "meta mark".parse().unwrap(),
            value: Source::MapRef {
                keys: vec!["ip daddr".parse::<Key>().unwrap().into()],
                map: "m3".into()
            }
        })
    );
    assert_eq!(
        action(6),
        Some(ActionKind::SetUpdate {
            op: SetOp::Update,
            keys: vec![saddr.into()],
            set: "h".into(),
            data: Vec::new(),
            timeout: Some(10_000),
            stmts: Vec::new(),
        })
    );

    // A diff sees sets: one with an element fewer, one gone; not when
    // elements only expire later.
    let mut other = model.clone();
    for s in other.tables[0].sets.iter_mut() {
        for e in &mut s.elems {
            e.expires = e.expires.map(|ms| ms + 1000);
        }
    }
    assert!(nflens_model::diff::diff(&model, &other, Default::default()).is_empty());
    let sets_b = &mut other.tables[0].sets;
    sets_b
        .iter_mut()
        .find(|s| &*s.name == "a")
        .unwrap()
        .elems
        .pop();
    sets_b.retain(|s| &*s.name != "k");
    let found: Vec<(String, bool, bool)> =
        nflens_model::diff::diff(&model, &other, Default::default())
            .into_iter()
            .map(|d| match d {
                nflens_model::diff::Difference::Set { name, a, b, .. } => {
                    (name.to_string(), a.is_some(), b.is_some())
                }
                d => panic!("unexpected {d:?}"),
            })
            .collect();
    assert_eq!(
        found,
        vec![("a".to_owned(), true, true), ("k".to_owned(), true, false)]
    );
}

#[test]
fn tproxy_dup_and_fwd_list_as_nft_lists_them() {
    if !netns::available("tproxy_dup_and_fwd_list_as_nft_lists_them", &["nft"]) {
        return;
    }
    let model = listed_as_nft(TPROXY_DUP_FWD);
    let action = |t: usize, r: usize| {
        model.tables[t].chains[0].rules[r]
            .action
            .as_ref()
            .map(|a| a.kind.clone())
    };
    let value = |n: u128, w: usize| Source::Value(nflens_model::Value::from_u128(n, w));
    assert_eq!(
        action(0, 1),
        Some(ActionKind::Tproxy {
            family: Some(nflens_model::Family::Ipv4),
            addr: Some(value(0xc000_0201, 4)),
            port: Some(value(50080, 2)),
        })
    );
    assert_eq!(
        action(3, 2),
        Some(ActionKind::Fwd {
            family: Some(nflens_model::Family::Ipv4),
            addr: Some(value(0xc0a8_02c8, 4)),
            // The interface's index: lo is 1.
            dev: Some(value(1, 4)),
        })
    );
}

#[test]
fn spellings_list_as_written_and_compare_by_meaning() {
    if !netns::available("spellings_list_as_written_and_compare_by_meaning", &["nft"]) {
        return;
    }
    let model = listed_as_nft(SPELLINGS);
    let rules = &model.tables[0].chains[0].rules;
    // `tcp dport >= 1024` and `tcp dport 1024-65535` list as written and
    // are one value.
    let port = |r: usize| rules[r].matches.last().expect("a port match");
    assert_eq!(port(1), port(4));
    assert_eq!(
        port(1).kind,
        MatchKind::Port {
            dir: nflens_model::Dir::Dst,
            ranges: vec![nflens_model::Span32 {
                lo: 1024,
                hi: 65535
            }],
        }
    );
    // `ip protocol 17` (negated here) and `meta l4proto 17`.
    assert_eq!(rules[6].matches[0].kind, rules[7].matches[0].kind);
    assert!(rules[6].matches[0].negated && !rules[7].matches[0].negated);
    // `meta mark | 0x3 == 0x1` and `meta mark & 0xfffffffc == 0x2`.
    assert_eq!(rules[9].matches, rules[10].matches);
    assert_eq!(
        rules[9].matches[0].kind,
        MatchKind::Mark {
            value: 2,
            mask: 0xffff_fffc
        }
    );
    // `meta mark set ct mark >> 8`: computed from the conntrack mark.
    assert!(matches!(
        rules[12].action.as_ref().map(|a| &a.kind),
        Some(ActionKind::Set {
            value: Source::Computed { ops, .. },
            ..
        }) if ops == &[nflens_model::BitOp::Shr(8)]
    ));
    // `ct mark set meta mark & 0xffff`: a mask alone is a step too.
    assert_eq!(
        rules[15].action.as_ref().map(|a| &a.kind),
        Some(&ActionKind::Set {
            key: "ct mark".parse().unwrap(),
            value: Source::Computed {
                key: "meta mark".parse().unwrap(),
                ops: vec![nflens_model::BitOp::MaskXor {
                    and: 0xffff,
                    xor: 0
                }],
            },
        })
    );
    // `ct protocol` after `meta nfproto` keeps both conditions.
    let inet = &model.tables[1].chains[0].rules;
    assert_eq!(inet[0].matches.len(), 2);
    assert_eq!(inet[0].matches[1].kind, MatchKind::CtProto(6));
    assert_eq!(inet[2].matches[0].kind, MatchKind::CtProto(17));
}

#[test]
fn numgen_and_hashes_list_as_nft_lists_them() {
    if !netns::available("numgen_and_hashes_list_as_nft_lists_them", &["nft"]) {
        return;
    }
    let model = listed_as_nft(GENERATED);
    let chain = |name: &str| {
        let c = model.tables[0].chains.iter().find(|c| &*c.name == name);
        c.expect("chain").rules.clone()
    };
    let action = |r: &nflens_model::Rule| r.action.as_ref().map(|a| a.kind.clone());
    // kube-proxy's endpoint pick.
    let Some(ActionKind::Vmap { keys, elems }) = action(&chain("svc-a")[0]) else {
        panic!("a vmap");
    };
    assert_eq!(
        keys,
        vec![KeyExpr::Key(Key::Numgen {
            random: true,
            modulus: 2,
            offset: 0
        })]
    );
    assert_eq!(elems.len(), 2);
    let marks = chain("marks");
    assert_eq!(
        action(&marks[1]),
        Some(ActionKind::Set {
            key: "ct mark".parse().expect("key"),
            value: Source::Key(Key::Symhash {
                modulus: 2,
                offset: 100
            }),
        })
    );
    let Some(ActionKind::SetMark { .. } | ActionKind::Set { .. }) = action(&marks[2]) else {
        panic!("a mark set");
    };
    let Some(ActionKind::Set {
        value:
            Source::Jhash(Jhash {
                input,
                modulus: 4,
                seed: None,
                offset: 0,
            }),
        ..
    }) = action(&marks[3])
    else {
        panic!("ct mark set jhash");
    };
    assert_eq!(input, vec!["ip saddr".parse::<Key>().expect("key")]);
    // `numgen inc mod 10 < 5`: a compare of the generated number.
    assert_eq!(
        marks[4].matches[0].kind,
        MatchKind::Field {
            key: Key::Numgen {
                random: false,
                modulus: 10,
                offset: 0
            },
            test: nflens_model::FieldTest::Cmp {
                op: nflens_model::CmpOp::Lt,
                value: nflens_model::Value::from_u128(5, 4),
            },
        }
    );
}

#[test]
fn objects_and_their_use_list_as_nft_lists_them() {
    use nflens_model::{ObjTarget, ObjectKind};
    if !netns::available("objects_and_their_use_list_as_nft_lists_them", &["nft"]) {
        return;
    }
    let model = listed_as_nft(OBJECTS);
    let t = &model.tables[0];
    let names: Vec<&str> = t.objects.iter().map(|o| &*o.name).collect();
    assert_eq!(
        names,
        [
            "c1", "c2", "q1", "q2", "l1", "l2", "l3", "h1", "h2", "tt", "tu", "e1", "s1", "s2",
            "s3"
        ]
    );
    let kind = |name: &str| {
        let o = t.objects.iter().find(|o| &*o.name == name);
        o.expect("object").kind.clone()
    };
    assert_eq!(
        kind("c2"),
        ObjectKind::Counter {
            packets: 5,
            bytes: 300
        }
    );
    assert_eq!(
        kind("q1"),
        ObjectKind::Quota {
            bytes: 25 * 1024 * 1024,
            used: 10 * 1024,
            over: true
        }
    );
    assert_eq!(
        kind("e1"),
        ObjectKind::CtExpect {
            l3proto: 10,
            l4proto: 17,
            dport: 1234,
            timeout: 3_602_000,
            size: 12
        }
    );
    let ObjectKind::CtTimeout { timeouts, .. } = kind("tt") else {
        panic!("a ct timeout");
    };
    // CTA_TIMEOUT_TCP_ESTABLISHED and _CLOSE.
    assert!(timeouts.contains(&(3, 100)) && timeouts.contains(&(8, 5)));
    assert_eq!(t.objects[0].comment.as_deref(), Some("a counter"));
    let rules = &t.chains[0].rules;
    assert_eq!(
        rules[0].matches[0].kind,
        MatchKind::ObjRef {
            ty: 1,
            target: ObjTarget::Name("c1".into())
        }
    );
    let MatchKind::ObjRef {
        ty: 1,
        target: ObjTarget::Map { keys, elems },
    } = &rules[6].matches[0].kind
    else {
        panic!("a counter map");
    };
    assert_eq!(keys, &vec![KeyExpr::Key("ip saddr".parse().expect("key"))]);
    assert_eq!(elems[1].data, "c2".into());
    assert_eq!(
        rules[7].matches.last().map(|m| m.kind.clone()),
        Some(MatchKind::ObjRef {
            ty: 1,
            target: ObjTarget::MapRef {
                keys: vec![KeyExpr::Key("ip saddr".parse().expect("key"))],
                map: "cmap".into()
            }
        })
    );

    // A diff sees objects: not what a counter counted or a quota used
    // (unless asked), but a changed setting and one gone.
    use nflens_model::diff::{diff, Difference, Options as DiffOptions};
    let mut other = model.clone();
    let objs = &mut other.tables[0].objects;
    for o in objs.iter_mut() {
        match &mut o.kind {
            ObjectKind::Counter { packets, .. } => *packets += 7,
            ObjectKind::Quota { used, .. } => *used += 1,
            _ => {}
        }
    }
    assert_eq!(diff(&model, &other, DiffOptions::default()), vec![]);
    let counted = diff(&model, &other, DiffOptions { counters: true });
    let names: Vec<&str> = counted
        .iter()
        .map(|d| match d {
            Difference::Object {
                name,
                a: Some(_),
                b: Some(_),
                ..
            } => &**name,
            d => panic!("{d:?}"),
        })
        .collect();
    assert_eq!(names, ["c1", "c2", "q1", "q2"]);
    let objs = &mut other.tables[0].objects;
    if let ObjectKind::Quota { bytes, .. } = &mut objs[3].kind {
        *bytes += 1;
    }
    objs.retain(|o| &*o.name != "h2");
    let found = diff(&model, &other, DiffOptions::default());
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(matches!(
        &found[0],
        Difference::Object { name, a: Some(_), b: Some(_), .. } if &**name == "q2"
    ));
    assert!(matches!(
        &found[1],
        Difference::Object { name, a: Some(_), b: None, .. } if &**name == "h2"
    ));
}

#[test]
fn routes_ipsec_and_statements_list_as_nft_lists_them() {
    if !netns::available(
        "routes_ipsec_and_statements_list_as_nft_lists_them",
        &["nft"],
    ) {
        return;
    }
    let model = listed_as_nft(ROUTES_STATEMENTS);
    let t = &model.tables[0];
    let rule = |chain: &str, n: usize| {
        let c = t.chains.iter().find(|c| &*c.name == chain).expect("chain");
        c.rules[n].clone()
    };
    // fib, rt and ipsec are keys, compared as any other.
    let keys: Vec<String> = t.chains[0]
        .rules
        .iter()
        .filter_map(|r| match &r.matches.first()?.kind {
            MatchKind::Field { key, .. } => Some(key.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        keys,
        [
            "fib saddr . iif oif",
            "fib daddr oif",
            "fib saddr . mark oifname",
            "fib daddr oif",
            "rt classid",
            "meta rtclassid",
            "ipsec in reqid",
            "ipsec in spnum 2 ip saddr",
            "ipsec in ip6 daddr",
        ]
    );
    // `fib daddr . iif type { local, broadcast }` is xt addrtype's test.
    assert_eq!(
        rule("c_pre", 2).matches[0].kind,
        MatchKind::AddrType {
            src: None,
            dst: Some("LOCAL,BROADCAST".into()),
            limit_iface_in: true,
            limit_iface_out: false,
            inverted: (false, false),
        }
    );
    // The presence test and the interface test are different keys.
    let (a, b) = (rule("c_pre", 3), rule("c_pre", 5));
    assert_ne!(a.matches[0], b.matches[0]);
    // `log prefix "x" drop`: the log runs, then the verdict.
    let r = rule("c_in", 6);
    assert!(
        matches!(&r.matches[..], [m] if matches!(&m.kind, MatchKind::Statement(a) if matches!(**a, ActionKind::Log { .. }))),
        "{r:?}"
    );
    assert!(matches!(r.action.map(|a| a.kind), Some(ActionKind::Drop)));
    // `reset tcp option sack-perm` strips the option.
    assert!(matches!(
        rule("c_in", 10).action.map(|a| a.kind),
        Some(ActionKind::Reset {
            option: Key::ExtPresent(_)
        })
    ));
    // `tcp option maxseg size set rt mtu`: a field set from a key.
    assert!(matches!(
        rule("c_fwd", 4).action.map(|a| a.kind),
        Some(ActionKind::Set {
            value: Source::Key(Key::Rt { key: 3 }),
            ..
        })
    ));
    // A statement with conditions after it stays before them: `meta mark
    // set 1 meta mark 1` tests the mark just set, and has no action.
    let order = &model.tables[2].chains[0].rules;
    for r in order {
        assert!(
            matches!(&r.matches[0].kind, MatchKind::Statement(_)),
            "{r:?}"
        );
    }
    assert!(order[0].action.is_none() && order[1].action.is_none());
    assert!(matches!(
        order[2].action.as_ref().map(|a| &a.kind),
        Some(ActionKind::Log { .. })
    ));
    assert!(matches!(
        &order[1].matches[1].kind,
        MatchKind::Field {
            key: Key::Ct { .. },
            ..
        }
    ));
}

#[test]
fn nat_to_map_data_lists_as_nft_lists_it() {
    use nflens_model::{NatKind, NatMapTo, NatTo};
    if !netns::available("nat_to_map_data_lists_as_nft_lists_it", &["nft"]) {
        return;
    }
    let model = listed_as_nft(NAT_MAPS);
    let action = |t: usize, c: usize, r: usize| {
        let rule = &model.tables[t].chains[c].rules[r];
        rule.action.as_ref().map(|a| a.kind.clone())
    };
    // `snat ip to ip saddr map { 10.141.11.4 : 192.168.2.3 . 80 }`.
    let Some(ActionKind::NatMap {
        kind: NatKind::Snat,
        addrs: true,
        to: NatMapTo::Elems(elems),
        ..
    }) = action(0, 0, 0)
    else {
        panic!("{:?}", action(0, 0, 0));
    };
    let a: std::net::IpAddr = "192.168.2.3".parse().unwrap();
    assert_eq!(
        elems[0].data,
        NatTo {
            addrs: Some((a, a)),
            ports: Some((80, 80)),
            base: None
        }
    );
    // `redirect to :tcp dport map { ... }`: ports only.
    assert!(matches!(
        action(0, 1, 2),
        Some(ActionKind::NatMap {
            kind: NatKind::Redirect,
            addrs: false,
            ..
        })
    ));
    // `dnat to ip daddr map @m`.
    assert!(matches!(
        action(2, 0, 0),
        Some(ActionKind::NatMap { to: NatMapTo::Named(m), .. }) if &*m == "m"
    ));
}

#[test]
fn nat_to_computed_addresses_lists_as_nft_lists_it() {
    use nflens_model::{BitOp, NatFlags, NatKind, Value};
    if !netns::available("nat_to_computed_addresses_lists_as_nft_lists_it", &["nft"]) {
        return;
    }
    let model = listed_as_nft(NAT_COMPUTED);
    let action = |t: usize, c: usize, r: usize| {
        let rule = &model.tables[t].chains[c].rules[r];
        rule.action.as_ref().map(|a| a.kind.clone())
    };
    let key = |s: &str| s.parse::<Key>().expect("key");
    let numgen = |offset: u32| {
        Source::HostBytes(Box::new(Source::Key(Key::Numgen {
            random: false,
            modulus: 7,
            offset,
        })))
    };
    // nft 1.0.6 hands numgen's host-order value to NAT unconverted.
    assert_eq!(
        action(0, 0, 0),
        Some(ActionKind::NatFrom {
            kind: NatKind::Dnat,
            v6: false,
            addr: Some(numgen(167772161)),
            port: None,
            flags: NatFlags::empty(),
        })
    );
    // A constant port beside a computed address.
    assert_eq!(
        action(0, 0, 1),
        Some(ActionKind::NatFrom {
            kind: NatKind::Dnat,
            v6: false,
            addr: Some(numgen(167772161)),
            port: Some(Source::Value(Value::from_u128(8080, 2))),
            flags: NatFlags::empty(),
        })
    );
    let Some(ActionKind::NatFrom {
        addr: Some(Source::Key(k)),
        port: None,
        ..
    }) = action(0, 0, 2)
    else {
        panic!("{:?}", action(0, 0, 2));
    };
    assert_eq!(k, key("ip daddr"));
    // `redirect to :tcp sport`: a port only.
    assert_eq!(
        action(0, 0, 5),
        Some(ActionKind::NatFrom {
            kind: NatKind::Redirect,
            v6: false,
            addr: None,
            port: Some(Source::Key(key("tcp sport"))),
            flags: NatFlags::empty(),
        })
    );
    // `dnat to ip daddr & 255.255.255.0 | 0.0.0.7`: the address as a
    // big-endian number.
    let Some(ActionKind::NatFrom {
        addr: Some(Source::Computed { key: k, ops }),
        ..
    }) = action(0, 0, 7)
    else {
        panic!("{:?}", action(0, 0, 7));
    };
    assert_eq!(k, key("ip daddr"));
    assert_eq!(
        ops,
        vec![BitOp::MaskXor {
            and: 0xffff_ff00,
            xor: 7
        }]
    );
    let Some(ActionKind::NatFrom {
        kind: NatKind::Snat,
        addr: Some(Source::HostBytes(h)),
        flags,
        ..
    }) = action(0, 1, 0)
    else {
        panic!("{:?}", action(0, 1, 0));
    };
    assert!(matches!(*h, Source::Jhash(Jhash { modulus: 4, .. })));
    assert_eq!(flags, NatFlags::PERSISTENT);
    // IPv6, and an inet table's `dnat ip6`.
    assert!(matches!(
        action(1, 0, 0),
        Some(ActionKind::NatFrom {
            v6: true,
            addr: Some(Source::Value(_)),
            port: Some(Source::Key(_)),
            ..
        })
    ));
    assert!(matches!(
        action(2, 0, 2),
        Some(ActionKind::NatFrom { v6: true, .. })
    ));
    // None has an iptables form.
    for c in &model.tables[0].chains {
        for r in &c.rules {
            let mut out = String::new();
            let why = nflens_model::render::iptables::rule(r, nflens_model::Family::Ipv4, &mut out);
            assert!(why.is_err_and(|w| w.contains("nf_tables only")), "{r:?}");
        }
    }
}

#[test]
fn masked_bits_vlan_stacks_and_meters_list_as_nft_lists_them() {
    use nflens_model::{CmpOp, ElemStmt, FieldTest, Match, Value};
    if !netns::available(
        "masked_bits_vlan_stacks_and_meters_list_as_nft_lists_them",
        &["nft"],
    ) {
        return;
    }
    let model = listed_as_nft(MASKS_VLANS_METERS);
    let rule = |t: usize, r: usize| &model.tables[t].chains[0].rules[r];
    let field = |t: usize, r: usize| {
        rule(t, r)
            .matches
            .iter()
            .rev()
            .find_map(|m| match &m.kind {
                MatchKind::Field { key, test } => Some((m.negated, key.to_string(), test.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{:?}", rule(t, r)))
    };
    // The second tag's id is its own key (ll+18), named as nft names it.
    let inner: Key = "vlan2 id".parse().unwrap();
    assert_eq!(inner.to_string(), "vlan id");
    assert_ne!(inner, "vlan id".parse::<Key>().unwrap());
    assert!(rule(0, 0).matches.iter().any(|m| matches!(
        &m.kind,
        MatchKind::Field { key, test: FieldTest::Cmp { op: CmpOp::Eq, value } }
            if *key == inner && value.as_u128() == Some(2)
    )));
    // `ip saddr & 0.0.0.255 < 0.0.0.127`: an order compare of the bits.
    let (_, key, test) = field(1, 0);
    assert_eq!(key, "ip saddr");
    assert_eq!(
        test,
        FieldTest::Bits {
            mask: Value(vec![0, 0, 0, 255].into()),
            test: Box::new(FieldTest::Cmp {
                op: CmpOp::Lt,
                value: Value(vec![0, 0, 0, 127].into()),
            }),
        }
    );
    // A masked port compare is no port range.
    let (_, key, test) = field(1, 6);
    assert_eq!(key, "tcp dport");
    assert!(matches!(test, FieldTest::Bits { .. }), "{test:?}");
    assert!(!rule(1, 6)
        .matches
        .iter()
        .any(|m| matches!(m.kind, MatchKind::Port { .. })));
    // A masked set is a set: its elements in any order are the same test.
    let (negated, key, test) = field(1, 5);
    let FieldTest::Bits {
        mask,
        test: inner_test,
    } = &test
    else {
        panic!("{test:?}");
    };
    let FieldTest::In(mut elems) = (**inner_test).clone() else {
        panic!("{inner_test:?}");
    };
    elems.reverse();
    let a = Match::new(
        negated,
        MatchKind::Field {
            key: key.parse().unwrap(),
            test: test.clone(),
        },
    );
    let b = Match::new(
        negated,
        MatchKind::Field {
            key: key.parse().unwrap(),
            test: FieldTest::Bits {
                mask: mask.clone(),
                test: Box::new(FieldTest::In(elems)),
            },
        },
    );
    assert_ne!(a, b);
    assert!(a.same_meaning(&b));
    // Set updates and meters carry their elements' statements.
    let action = |r: usize| rule(2, r).action.as_ref().map(|a| a.kind.clone());
    assert!(matches!(
        action(0),
        Some(ActionKind::SetUpdate { stmts, .. }) if stmts == vec![ElemStmt::Counter]
    ));
    // `meter m1 { ... } accept`: the meter is a statement before the
    // verdict.
    assert_eq!(action(3), Some(ActionKind::Accept));
    let meter = rule(2, 3).matches.iter().find_map(|m| match &m.kind {
        MatchKind::Statement(a) => Some((**a).clone()),
        _ => None,
    });
    let Some(ActionKind::Meter {
        op: SetOp::Add,
        name,
        size: 65535,
        keys,
        stmts,
        ..
    }) = meter
    else {
        panic!("{:?}", rule(2, 3));
    };
    assert_eq!(&*name, "m1");
    assert_eq!(keys.len(), 2);
    assert!(matches!(
        &stmts[..],
        [ElemStmt::Match(m)] if matches!(m.kind, MatchKind::Limit { .. }) && !m.negated
    ));
    // `meta random & 2147483647 < 214748365` is `-m statistic --mode
    // random --probability 0.1`; `>=` its inverse.
    for (r, negated) in [(7, false), (8, true)] {
        assert_eq!(
            rule(2, r).matches,
            vec![Match::new(negated, MatchKind::Random { p: 214_748_365 })]
        );
    }
    // `update @s { ip saddr limit rate over 10/second } drop`.
    let update = rule(2, 1).matches.iter().find_map(|m| match &m.kind {
        MatchKind::Statement(a) => Some((**a).clone()),
        _ => None,
    });
    assert!(matches!(
        update,
        Some(ActionKind::SetUpdate { stmts, .. })
            if matches!(&stmts[..], [ElemStmt::Match(m)] if m.negated)
    ));
    // Masked keys of a set update and a meter: `add @s3 { ip saddr &
    // 255.255.255.0 ct count 2 }`, `update @s4 { ip saddr & 255.255.0.0 .
    // tcp dport timeout 1m }`.
    let masked = |key: &str, mask: &[u8]| KeyExpr::Masked {
        key: key.parse().unwrap(),
        mask: Value(mask.into()),
    };
    // The counter after it is the rule's counter: the update is the action.
    let Some(ActionKind::SetUpdate {
        op: SetOp::Add,
        keys,
        stmts,
        ..
    }) = action(9)
    else {
        panic!("{:?}", rule(2, 9));
    };
    assert_eq!(keys, vec![masked("ip saddr", &[255, 255, 255, 0])]);
    assert!(
        matches!(&stmts[..], [ElemStmt::Match(m)] if matches!(m.kind, MatchKind::CtCount { count: 2 })),
        "{stmts:?}"
    );
    assert!(matches!(
        action(10),
        Some(ActionKind::SetUpdate { keys, timeout: Some(60_000), .. })
            if keys == vec![masked("ip saddr", &[255, 255, 0, 0]), "tcp dport".parse::<Key>().unwrap().into()]
    ));
    // A mark's mask is a value of the mark: right-aligned, four bytes.
    let meter = rule(2, 12).matches.iter().find_map(|m| match &m.kind {
        MatchKind::Statement(a) => Some((**a).clone()),
        _ => None,
    });
    assert!(
        matches!(&meter, Some(ActionKind::Meter { keys, .. }) if *keys == vec![masked("meta mark", &[0, 0, 0xff, 0])]),
        "{meter:?}"
    );
    // A masked key is not the key: the same meter of the whole address
    // keeps another set of counts.
    let whole = rule(2, 11).clone();
    let mut other = whole.clone();
    for m in &mut other.matches {
        if let MatchKind::Statement(a) = &mut m.kind {
            if let ActionKind::Meter { keys, .. } = &mut **a {
                keys[0] = "ip daddr".parse::<Key>().unwrap().into();
            }
        }
    }
    assert!(whole.same_meaning(&whole.clone()));
    assert!(!whole.same_meaning(&other));
}

#[test]
fn lookups_with_computed_keys_list_as_nft_lists_them() {
    use nflens_model::{NatMapTo, ObjTarget, Value};
    if !netns::available(
        "lookups_with_computed_keys_list_as_nft_lists_them",
        &["nft"],
    ) {
        return;
    }
    let model = listed_as_nft(COMPUTED_LOOKUPS);
    let rules = &model.tables[0].chains[0].rules;
    let action = |r: usize| rules[r].action.as_ref().map(|a| a.kind.clone());
    let saddr: Key = "ip saddr".parse().unwrap();
    // `dnat to jhash ip saddr mod 2 seed 0xdeadbeef map { 0 : …, 1 : … }`:
    // the hash's values are integers, 0 and 1.
    let hash = KeyExpr::Jhash(Jhash {
        input: vec![saddr],
        modulus: 2,
        seed: Some(0xdead_beef),
        offset: 0,
    });
    let Some(ActionKind::NatMap {
        keys,
        to: NatMapTo::Elems(elems),
        ..
    }) = action(0)
    else {
        panic!("a NAT map: {:?}", rules[0]);
    };
    assert_eq!(keys, vec![hash]);
    let firsts: Vec<Option<u128>> = elems.iter().map(|e| e.key[0].0.as_u128()).collect();
    assert_eq!(firsts, vec![Some(0), Some(1)]);
    // A masked address: the mask is a value of the key.
    let masked = KeyExpr::Masked {
        key: saddr,
        mask: Value(vec![255, 255, 0, 0].into()),
    };
    assert!(matches!(
        action(1),
        Some(ActionKind::Set { value: Source::Map { keys, .. }, .. }) if keys == vec![masked.clone()]
    ));
    assert!(matches!(
        action(2),
        Some(ActionKind::Vmap { keys, .. }) if keys == vec![masked]
    ));
    // An interval map of a hash turned to network order: 1-3 is a range.
    let Some(ActionKind::Set {
        value: Source::Map { keys, elems },
        ..
    }) = action(3)
    else {
        panic!("a data map: {:?}", rules[3]);
    };
    assert!(matches!(&keys[..], [KeyExpr::Jhash(h)] if h.input.len() == 2 && h.modulus == 4));
    let (lo, hi) = &elems[1].key[0];
    assert_eq!((lo.as_u128(), hi.as_u128()), (Some(1), Some(3)));
    // A host-order key's mask: `ct mark & 0x0000ff00`.
    assert!(matches!(
        action(4),
        Some(ActionKind::Vmap { keys, .. })
            if matches!(&keys[..], [KeyExpr::Masked { mask, .. }] if mask.as_u128() == Some(0xff00))
    ));
    assert!(matches!(
        &rules[6].matches[..],
        [m] if matches!(&m.kind, MatchKind::InSet { keys, .. } if matches!(&keys[..], [KeyExpr::Masked { .. }]))
    ));
    assert!(matches!(
        &rules[7].matches[..],
        [m] if matches!(&m.kind, MatchKind::ObjRef { target: ObjTarget::Map { keys, .. }, .. } if matches!(&keys[..], [KeyExpr::Jhash(_)]))
    ));
    // A concatenation with a masked part.
    let ti = model.tables.iter().find(|t| &*t.name == "ti").unwrap();
    assert!(matches!(
        &ti.chains[0].rules[0].matches[..],
        [.., m] if matches!(&m.kind, MatchKind::Concat { keys, .. }
            if matches!(&keys[..], [KeyExpr::Masked { .. }, KeyExpr::Key(_)]))
    ));
    // In JSON a plain key stays its spelling; a masked one and a hash are
    // tagged; both read back.
    for r in rules {
        let json = serde_json::to_string(r).unwrap();
        let back: nflens_model::Rule = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, r, "{json}");
    }
    let json = serde_json::to_string(&vec![KeyExpr::Key(saddr)]).unwrap();
    assert_eq!(json, r#"["ip saddr"]"#);
}
