//! A ruleset with enough chains for the two-socket rule dumps reads the same
//! as one socket reading every chain, and as libnftnl prints it.

use nflens_socket::{Netns, Options, RuleBatch, RuleWork, Snapshot};
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
    for threads in [2, 3] {
        work_covers_every_chain_once(&opts, &two, threads);
    }
}

/// Records, per batch, where it starts and each chain's rule handles, and
/// what `prepare` saw.
struct Handles {
    prepared: Vec<(usize, usize)>,
}

impl RuleWork for Handles {
    type Out = (usize, Vec<Vec<u64>>);
    fn prepare(&mut self, snap: &Snapshot) {
        self.prepared
            .push((snap.chains().count(), snap.rule_count()));
    }
    fn batch(&self, batch: RuleBatch<'_>) -> Self::Out {
        let chains: Vec<Vec<u64>> = batch
            .chains()
            .map(|rules| rules.map(|r| r.handle).collect())
            .collect();
        assert_eq!(chains.len(), batch.len());
        (batch.first_chain(), chains)
    }
}

/// `read_working` hands out every chain once, in batches whose outputs come
/// back in chain order, with the rules the snapshot holds; `prepare` runs
/// before any rule is in.
fn work_covers_every_chain_once(opts: &Options<'_>, whole: &Snapshot, threads: usize) {
    let mut work = Handles {
        prepared: Vec::new(),
    };
    let (snap, outs) = Snapshot::read_working(opts, &mut work, threads).unwrap();
    let chains = whole.chains().count();
    assert_eq!(
        work.prepared,
        vec![(chains, 0)],
        "prepare: chains in, no rules yet"
    );
    assert!(outs.len() > 2, "{} batches", outs.len());
    let mut next = 0;
    let mut got = Vec::new();
    for (first, batch) in outs {
        assert_eq!(first, next, "batches in chain order, none left out");
        next += batch.len();
        got.extend(batch);
    }
    let want: Vec<Vec<u64>> = whole
        .chains_with_rules()
        .map(|(_, rules)| rules.map(|r| r.handle).collect())
        .collect();
    assert_eq!(got.len(), chains);
    assert_eq!(got, want, "{threads} threads");
    assert_eq!(snap.rule_count(), whole.rule_count());
}
