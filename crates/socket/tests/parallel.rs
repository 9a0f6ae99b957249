//! A ruleset with enough chains for the two-socket rule dumps reads the same
//! as one socket reading every chain, and as libnftnl prints it.

use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::{kube, netns, nftpy};

#[test]
fn two_socket_rule_dumps_equal_one_socket_and_libnftnl() {
    if !netns::available(
        "two_socket_rule_dumps_equal_one_socket_and_libnftnl",
        &["iptables-nft-restore", "nft", "nsenter"],
    ) {
        return;
    }
    let (text, _) = kube::generate(300, 7);
    let path = std::env::temp_dir().join(format!("nflens-parallel-{}.rules", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let held =
        netns::Held::new(&format!("iptables-nft-restore < {}", path.display())).expect("load");
    let _ = std::fs::remove_file(&path);
    let opts = Options {
        netns: Netns::Path(held.path()),
        ..Options::default()
    };
    let two = Snapshot::read(&opts).unwrap();
    let one = Snapshot::read_with(&mut opts.netns.open_socket().unwrap(), 10).unwrap();
    assert!(
        two.chains().count() >= 512,
        "too few chains ({}) to use two sockets",
        two.chains().count()
    );
    let (mut a, mut b) = (String::new(), String::new());
    two.write_debug(&mut a).unwrap();
    one.write_debug(&mut b).unwrap();
    assert_eq!(a, b);
    assert_eq!(two.rule_count(), one.rule_count());
    let per_chain: Vec<usize> = two.chains_with_rules().map(|(_, r)| r.count()).collect();
    let per_chain_one: Vec<usize> = one.chains_with_rules().map(|(_, r)| r.count()).collect();
    assert_eq!(per_chain, per_chain_one);
    let nft = held.run("nft --debug=netlink list ruleset");
    let (theirs, mine) = (nftpy::debug_blocks(&nft.stdout), nftpy::debug_blocks(&a));
    let key = |b: &nftpy::DebugBlocks| {
        let mut v: Vec<String> = b.rules.iter().map(|r| format!("{r:?}")).collect();
        v.sort();
        v
    };
    assert_eq!(key(&mine), key(&theirs));
    assert!(two.rule_count() > 1000);
}
