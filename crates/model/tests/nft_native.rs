//! Native nft rules, written with `nft` in a throwaway namespace, lowered:
//! the kinds iptables text has mean the same, and a statement before the
//! verdict is kept, not overwritten.

use nflens_model::{nft, ActionKind, CtState, Dir, Family, IpNet, MatchKind, Span32};
use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::netns;

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
    let snap = Snapshot::read(&Options {
        netns: Netns::Path(held.path()),
        ..Options::default()
    })
    .expect("snapshot");
    drop(held);
    let rs = nft::ruleset(snap.tables(), snap.chains_with_rules());
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
        matches!(&k2[2], (false, MatchKind::Nft { exprs }) if exprs.starts_with("[ log prefix x ")),
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
