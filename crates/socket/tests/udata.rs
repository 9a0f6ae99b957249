//! Userdata as nft 1.0.6 writes it (comments on a table, chain, rule, set,
//! element and object; a set's typeof key and byte order) reads back typed.

use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::netns;
use nflens_wire::udata::Typeof;

const RULESET: &str = r#"table inet t {
    comment "the table"
    counter c { comment "the counter" }
    set s {
        typeof ip saddr . tcp dport
        comment "the set"
        elements = { 10.0.0.1 . 22 comment "admin" }
    }
    set r {
        type ipv4_addr
        flags interval
        auto-merge
    }
    chain c {
        comment "the chain"
        ip saddr . tcp dport @s accept comment "the rule"
    }
}
"#;

#[test]
fn userdata_reads_typed() {
    if !netns::available("userdata_reads_typed", &["nft", "nsenter"]) {
        return;
    }
    let path = std::env::temp_dir().join(format!("nflens-udata-{}.nft", std::process::id()));
    std::fs::write(&path, RULESET).unwrap();
    let held = netns::Held::new(&format!("nft -f {}", path.display())).expect("load");
    let _ = std::fs::remove_file(&path);
    let snap = Snapshot::read(&Options {
        netns: Netns::Path(held.path()),
        ..Options::default()
    })
    .unwrap();
    let table = snap.tables().next().unwrap();
    assert_eq!(table.udata().unwrap().comment, Some("the table"));
    let chain = snap.chains().next().unwrap();
    assert_eq!(chain.udata().unwrap().comment, Some("the chain"));
    let rule = snap.rules().next().unwrap();
    let ru = rule.udata().unwrap();
    assert_eq!(ru.comment, Some("the rule"));
    assert_eq!(ru.ebtables_policy, None);
    assert_eq!(rule.comment(), Some("the rule"));
    let obj = snap.objs().next().unwrap();
    assert_eq!(obj.udata().unwrap().comment, Some("the counter"));

    let (mut s_seen, mut r_seen) = (false, false);
    for (set, elems) in snap.sets_with_elems() {
        let u = set.udata().unwrap();
        match set.name {
            "s" => {
                s_seen = true;
                assert_eq!(u.comment, Some("the set"));
                // nft keeps how the key was written: a concatenation, with
                // its parts nested in the data.
                let Some(Typeof {
                    expr: Some(_),
                    data,
                }) = u.key_typeof
                else {
                    panic!("no typeof key: {u:?}")
                };
                assert!(!data.is_empty());
                assert_eq!(u.data_typeof, None);
                let comments: Vec<_> = elems
                    .flat_map(|e| e.iter().map(|x| x.unwrap().udata().unwrap().comment))
                    .collect();
                assert_eq!(comments, [Some("admin")]);
            }
            "r" => {
                r_seen = true;
                // BYTEORDER_BIG_ENDIAN (2) for an IPv4 address key.
                assert_eq!(u.key_byteorder, Some(2));
                assert_eq!(u.merge_elements, Some(true));
                assert_eq!(u.comment, None);
            }
            _ => {}
        }
    }
    assert!(s_seen && r_seen);
}
