//! Native nft rules, written with `nft` in a throwaway namespace, lowered:
//! the kinds iptables text has mean the same, and a statement before the
//! verdict is kept, not overwritten.

use nflens_model::{nft, ActionKind, CtState, Dir, Family, IpNet, MatchKind, Span32};
use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::netns;

/// The namespace's ruleset, read and lowered (with its anonymous sets, as
/// `nflens::model_of` lowers), the namespace then removed.
pub(crate) fn lowered(held: netns::Held) -> nflens_model::Ruleset {
    let snap = Snapshot::read(&Options {
        netns: Netns::Path(held.path()),
        ..Options::default()
    })
    .expect("snapshot");
    drop(held);
    let mut sets = nft::SetIndex::from_sets(snap.sets_with_elems()).expect("set elements decode");
    sets.add_objects(snap.objs());
    nft::ruleset_with_sets(snap.tables(), snap.chains_with_rules(), &sets)
}

#[test]
fn native_rules_lower_to_the_iptables_kinds() {
    if !netns::available("native_rules_lower_to_the_iptables_kinds", &["nft"]) {
        return;
    }
    let held = netns::Held::new(
        "nft add table ip t\n\
         nft add chain ip t c '{ type filter hook input priority 0; policy drop; }'\n\
         nft add chain ip t c2\n\
         nft add rule ip t c ct state established,related accept\n\
         nft add rule ip t c ip saddr 10.0.0.0/8 tcp dport 22 accept\n\
         nft add rule ip t c tcp sport 1000-2000 log prefix x drop\n\
         nft add rule ip t c meta mark and 0xff == 0x1 counter jump c2 comment '\"a note\"'",
    )
    .expect("setup");
    let rs = lowered(held);
    let t = &rs.tables[0];
    assert_eq!((t.family, &*t.name), (Family::Ipv4, "t"));
    let c = &t.chains[0];
    assert_eq!(c.policy, Some(nflens_model::Policy::Drop));
    assert_eq!(
        c.base.as_ref().map(|b| (&*b.kind, b.priority)),
        Some(("filter", 0))
    );
    let kinds = |i: usize| -> Vec<(bool, MatchKind)> {
        c.rules[i]
            .matches
            .iter()
            .map(|m| (m.negated, m.kind.clone()))
            .collect()
    };
    let action = |i: usize| c.rules[i].action.as_ref().map(|a| a.kind.clone());
    assert_eq!(
        kinds(0),
        vec![(
            false,
            MatchKind::CtState(CtState::ESTABLISHED | CtState::RELATED)
        )]
    );
    assert_eq!(action(0), Some(ActionKind::Accept));
    assert_eq!(
        kinds(1),
        vec![
            (
                false,
                MatchKind::Addr {
                    dir: Dir::Src,
                    net: IpNet {
                        addr: "10.0.0.0".parse().unwrap(),
                        mask: "255.0.0.0".parse().unwrap()
                    }
                }
            ),
            (false, MatchKind::Protocol(6)),
            (
                false,
                MatchKind::Port {
                    dir: Dir::Dst,
                    ranges: vec![Span32 { lo: 22, hi: 22 }]
                }
            ),
        ]
    );
    // `log` then `drop`: the log stays, as a statement among the conditions.
    let k2 = kinds(2);
    assert_eq!(
        k2[1],
        (
            false,
            MatchKind::Port {
                dir: Dir::Src,
                ranges: vec![Span32 { lo: 1000, hi: 2000 }]
            }
        )
    );
    assert!(
        matches!(&k2[2], (false, MatchKind::Statement(a)) if matches!(&**a, ActionKind::Log { prefix: Some(p), .. } if &**p == "x")),
        "{k2:?}"
    );
    assert_eq!(action(2), Some(ActionKind::Drop));
    assert_eq!(
        kinds(3),
        vec![(
            false,
            MatchKind::Mark {
                value: 1,
                mask: 0xff
            }
        )]
    );
    assert_eq!(action(3), Some(ActionKind::Jump { chain: "c2".into() }));
    assert_eq!(c.rules[3].comment.as_deref(), Some("a note"));
    assert!(c.rules[3].counters.is_some());
}

/// Native statements and matches added for the `xt_txlate` comparison:
/// each lowers to the value of the iptables option that means the same.
#[test]
fn native_nat_mark_reject_and_ct_lower_to_typed_kinds() {
    use nflens_model::NatFlags;
    if !netns::available(
        "native_nat_mark_reject_and_ct_lower_to_typed_kinds",
        &["nft"],
    ) {
        return;
    }
    let held = netns::Held::new(
        "nft add table ip t\n\
         nft add chain ip t post '{ type nat hook postrouting priority 100; }'\n\
         nft add chain ip t pre '{ type nat hook prerouting priority -100; }'\n\
         nft add chain ip t f '{ type filter hook input priority 0; }'\n\
         nft add rule ip t post ip protocol tcp snat to 1.2.3.4-1.2.3.6:1-1023 random,persistent\n\
         nft add rule ip t post ip protocol tcp masquerade to :10-20 fully-random\n\
         nft add rule ip t pre tcp dport 80 redirect to :8080\n\
         nft add rule ip t f meta mark set mark or 0x40\n\
         nft add rule ip t f ct mark set 0x5\n\
         nft add rule ip t f reject with icmp type host-unreachable\n\
         nft add rule ip t f meta length 40-100 ct original saddr 10.1.0.0/16 ct original protocol tcp ct reply proto-dst 80-90\n\
         nft add rule ip t f ip saddr 1.2.3.4-1.2.3.9 icmp type echo-request icmp code 0 ct status dnat",
    )
    .expect("setup");
    let rs = lowered(held);
    let chain = |name: &str| {
        rs.tables[0]
            .chains
            .iter()
            .find(|c| &*c.name == name)
            .expect("chain")
    };
    let action = |c: &str, i: usize| chain(c).rules[i].action.as_ref().map(|a| a.kind.clone());
    let kinds = |c: &str, i: usize| -> Vec<(bool, MatchKind)> {
        chain(c).rules[i]
            .matches
            .iter()
            .map(|m| (m.negated, m.kind.clone()))
            .collect()
    };
    let ip = |s: &str| -> std::net::IpAddr { s.parse().expect("address") };
    assert_eq!(
        action("post", 0),
        Some(ActionKind::Snat {
            to: nflens_model::NatTo {
                addrs: Some((ip("1.2.3.4"), ip("1.2.3.6"))),
                ports: Some((1, 1023)),
                base: None,
            },
            flags: NatFlags::RANDOM | NatFlags::PERSISTENT,
        })
    );
    assert_eq!(
        action("post", 1),
        Some(ActionKind::Masquerade {
            ports: Some((10, 20)),
            flags: NatFlags::RANDOM_FULLY,
        })
    );
    assert_eq!(
        action("pre", 0),
        Some(ActionKind::Redirect {
            ports: Some((8080, 8080)),
            flags: NatFlags::empty(),
        })
    );
    // mark = (mark & !0x40) ^ 0x40
    assert_eq!(
        action("f", 0),
        Some(ActionKind::SetMark {
            value: 0x40,
            mask: 0x40
        })
    );
    assert_eq!(
        action("f", 1),
        Some(ActionKind::SetConnMark {
            value: 5,
            mask: u32::MAX
        })
    );
    assert_eq!(
        action("f", 2),
        Some(ActionKind::Reject {
            with: Some("icmp-host-unreachable".into())
        })
    );
    assert_eq!(
        kinds("f", 3),
        vec![
            (false, MatchKind::Length(Span32 { lo: 40, hi: 100 })),
            (
                false,
                MatchKind::CtAddr {
                    reply: false,
                    dir: Dir::Src,
                    net: IpNet {
                        addr: ip("10.1.0.0"),
                        mask: ip("255.255.0.0")
                    }
                }
            ),
            (false, MatchKind::CtProto(6)),
            (
                false,
                MatchKind::CtPort {
                    reply: true,
                    dir: Dir::Dst,
                    range: Span32 { lo: 80, hi: 90 }
                }
            ),
        ]
    );
    assert_eq!(
        kinds("f", 4),
        vec![
            (
                false,
                MatchKind::AddrRange {
                    dir: Dir::Src,
                    lo: ip("1.2.3.4"),
                    hi: ip("1.2.3.9")
                }
            ),
            (false, MatchKind::Protocol(1)),
            (
                false,
                MatchKind::Icmp {
                    v6: false,
                    ty: 8,
                    codes: (0, 0)
                }
            ),
            (false, MatchKind::CtState(CtState::DNAT)),
        ]
    );
}
