//! nf_tables over netlink, with the peers measured in the same run.
//!
//! - `wire/decode/kube-N`: decode every rule message of a captured snapshot
//!   of N kube-proxy Services (loaded with `iptables-nft-restore`), nflens
//!   (`Rule::parse` + every `Expr`) against libnftnl's
//!   `nftnl_rule_nlmsg_parse` over the same bytes.
//! - `socket/snapshot/kube-N`: kernel -> decoded snapshot in a throwaway
//!   namespace holding that ruleset, against the floor (the same dumps,
//!   bytes only, no decoding), rustables, libnftnl over libmnl (tables,
//!   chains, one rule dump per chain, every message parsed into an
//!   `nftnl_*` object, one socket and thread), and the `iptables-nft-save`
//!   and `nft list ruleset` processes.
//!
//! Needs root (namespaces), iptables-nft, nft, libnftnl-dev and libmnl-dev. Captures are
//! cached in `target/bench-data/`.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nflens_benches::peers::{libnftnl_parse_rules, AlignedBuf};
use nflens_socket::{Netns, Options, Snapshot};
use nflens_testutil::{kube, netns::Held};
use nflens_wire::{Msg, Rule};

const SIZES: [usize; 3] = [1000, 3000, 10000];

fn held(services: usize) -> Held {
    let (text, _) = kube::generate(services, 1);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("kube-{services}.iptables"));
    std::fs::write(&path, text).unwrap();
    Held::new(&format!("iptables-nft-restore < {}", path.display()))
        .unwrap_or_else(|r| panic!("loading kube-{services} with iptables-nft-restore: {r:?}"))
}

fn snapshot(h: &Held) -> Snapshot {
    Snapshot::read(&Options {
        netns: Netns::Path(h.path()),
        ..Options::default()
    })
    .expect("snapshot")
}

fn decode(c: &mut Criterion) {
    let mut g = c.benchmark_group("wire/decode");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    for n in SIZES {
        let h = held(n);
        let snap = snapshot(&h);
        drop(h);
        let msgs = snap.messages();
        let snap = Snapshot::from_bytes(msgs).unwrap();
        let spans: Vec<(usize, usize)> = snap.rule_spans().collect();
        let bytes: usize = spans.iter().map(|s| s.1).sum();
        eprintln!(
            "kube-{n}: {} rules, {} bytes of rule messages",
            spans.len(),
            bytes
        );
        let buf = AlignedBuf::new(snap.bytes());
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(BenchmarkId::new("nflens", format!("kube-{n}")), |b| {
            b.iter(|| {
                let mut exprs = 0usize;
                for &(s, l) in &spans {
                    let msg = Msg::new_checked(&buf.bytes()[s..s + l]).unwrap();
                    let r = Rule::parse(&msg).unwrap();
                    for e in r.exprs.iter() {
                        black_box(e.unwrap());
                        exprs += 1;
                    }
                }
                exprs
            })
        });
        g.bench_function(BenchmarkId::new("libnftnl", format!("kube-{n}")), |b| {
            b.iter(|| {
                let ok = libnftnl_parse_rules(&buf, &spans);
                assert_eq!(ok, spans.len());
                ok
            })
        });
    }
    g.finish();
}

fn process(h: &Held, prog: &str) {
    let ok = Command::new("nsenter")
        .arg(format!("--net={}", h.path().display()))
        .args(["--", "sh", "-c", prog])
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "{prog} failed");
}

fn kernel(c: &mut Criterion) {
    let mut g = c.benchmark_group("socket/snapshot");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in SIZES {
        let h = held(n);
        let opts = Options {
            netns: Netns::Path(h.path()),
            ..Options::default()
        };
        let rules = snapshot(&h).rule_count();
        g.throughput(Throughput::Elements(rules as u64));
        g.bench_function(BenchmarkId::new("nflens", format!("kube-{n}")), |b| {
            b.iter(|| Snapshot::read(&opts).unwrap().rule_count())
        });
        g.bench_function(BenchmarkId::new("bytes-only", format!("kube-{n}")), |b| {
            b.iter(|| Snapshot::read_bytes_only(&opts).unwrap().bytes().len())
        });
        let path = h.path();
        assert_eq!(
            nflens_benches::peers::rustables_dump(&path),
            rules,
            "rustables reads every rule"
        );
        g.bench_function(BenchmarkId::new("rustables", format!("kube-{n}")), |b| {
            b.iter(|| nflens_benches::peers::rustables_dump(&path))
        });
        assert_eq!(
            nflens_benches::peers::libnftnl_dump(&path),
            rules,
            "libnftnl reads every rule"
        );
        g.bench_function(BenchmarkId::new("libnftnl", format!("kube-{n}")), |b| {
            b.iter(|| nflens_benches::peers::libnftnl_dump(&path))
        });
        g.bench_function(
            BenchmarkId::new("iptables-nft-save", format!("kube-{n}")),
            |b| b.iter(|| process(&h, "iptables-nft-save")),
        );
        if n <= 3000 || std::env::var_os("NFLENS_BENCH_NFT_10K").is_some() {
            g.bench_function(
                BenchmarkId::new("nft-list-ruleset", format!("kube-{n}")),
                |b| b.iter(|| process(&h, "nft list ruleset")),
            );
        }
    }
    g.finish();
}

/// `model/*`: lowering the kernel's rules to the model (issue 4): the
/// lowering alone over a snapshot in memory (rules/s), and kernel → model
/// end to end beside the dump that only receives bytes (the floor) and the
/// decoded snapshot, in the same run. `kernel-to-model` and `bytes-only`
/// time dropping what they made too; their `-kept` twins time only the
/// making (criterion's `iter_with_large_drop`): a caller keeps the model,
/// and freeing its rules is a cost of its own. `read-then-lower-kept` is
/// kernel → model the way `read_model` did it before it lowered while
/// reading (the snapshot, then the lowering on as many threads).
fn model(c: &mut Criterion) {
    let mut g = c.benchmark_group("model/lower");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [1000, 10000] {
        let h = held(n);
        let opts = Options {
            netns: Netns::Path(h.path()),
            ..Options::default()
        };
        let snap = snapshot(&h);
        let rules = snap.rule_count();
        g.throughput(Throughput::Elements(rules as u64));
        g.bench_function(BenchmarkId::new("lower-only", format!("kube-{n}")), |b| {
            b.iter(|| {
                nflens_model::nft::ruleset(snap.tables(), snap.chains_with_rules())
                    .tables
                    .len()
            })
        });
        g.bench_function(
            BenchmarkId::new("kernel-to-model", format!("kube-{n}")),
            |b| b.iter(|| nflens::read_model(&opts).unwrap().1.tables.len()),
        );
        g.bench_function(
            BenchmarkId::new("kernel-to-model-kept", format!("kube-{n}")),
            |b| b.iter_with_large_drop(|| nflens::read_model(&opts).unwrap()),
        );
        // What read_model did before it lowered while reading: the whole
        // snapshot first, then the lowering on as many threads.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        g.bench_function(
            BenchmarkId::new("read-then-lower-kept", format!("kube-{n}")),
            |b| {
                b.iter_with_large_drop(|| {
                    let snap = Snapshot::read_deferred(&opts).unwrap();
                    let mut sets =
                        nflens_model::nft::SetIndex::from_sets(snap.sets_with_elems()).unwrap();
                    sets.add_objects(snap.objs());
                    let rs = nflens_model::nft::try_ruleset_threads(
                        snap.tables(),
                        snap.chains_with_rules(),
                        &sets,
                        cpus,
                    )
                    .unwrap();
                    (snap, rs)
                })
            },
        );
        g.bench_function(BenchmarkId::new("snapshot", format!("kube-{n}")), |b| {
            b.iter(|| Snapshot::read(&opts).unwrap().rule_count())
        });
        g.bench_function(BenchmarkId::new("bytes-only", format!("kube-{n}")), |b| {
            b.iter(|| Snapshot::read_bytes_only(&opts).unwrap().bytes().len())
        });
        g.bench_function(
            BenchmarkId::new("bytes-only-kept", format!("kube-{n}")),
            |b| b.iter_with_large_drop(|| Snapshot::read_bytes_only(&opts).unwrap()),
        );
    }
    g.finish();
}

/// `check/*` (issue 5): `nflens check` (both backends read, five iptables
/// versions analysed, detection) on the kube-proxy ruleset loaded into both
/// backends, beside reading the nf_tables snapshot alone (the goal: within
/// 1.5x of it), in the same run.
fn check(c: &mut Criterion) {
    use nflens_analysis::Version;
    let mut g = c.benchmark_group("check");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    for n in [1000, 10000] {
        let (text, _) = kube::generate(n, 1);
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("kube-{n}.iptables"));
        std::fs::write(&path, text).unwrap();
        let h = Held::new(&format!(
            "iptables-nft-restore < {p}\niptables-legacy-restore < {p}",
            p = path.display()
        ))
        .expect("load both backends");
        let ns = Netns::Path(h.path());
        let opts = Options {
            netns: ns.clone(),
            ..Options::default()
        };
        let snap = snapshot(&h);
        g.throughput(Throughput::Elements(snap.rule_count() as u64));
        g.bench_function(
            BenchmarkId::new("check-all-versions", format!("kube-{n}")),
            |b| b.iter(|| nflens::check(&ns, &[]).unwrap().report.tables.len()),
        );
        g.bench_function(BenchmarkId::new("check-1.8.9", format!("kube-{n}")), |b| {
            b.iter(|| {
                nflens::check(&ns, &[Version::V1_8_9])
                    .unwrap()
                    .report
                    .tables
                    .len()
            })
        });
        g.bench_function(BenchmarkId::new("snapshot", format!("kube-{n}")), |b| {
            b.iter(|| Snapshot::read(&opts).unwrap().rule_count())
        });
        g.bench_function(BenchmarkId::new("legacy-read", format!("kube-{n}")), |b| {
            b.iter(|| nflens_socket::Legacy::read(&ns).unwrap().tables.len())
        });
        g.bench_function(
            BenchmarkId::new("analyse-all-versions", format!("kube-{n}")),
            |b| {
                let input = nflens::nft_input(&snap);
                b.iter(|| nflens_analysis::analyse(&input, &Version::ALL).tables.len())
            },
        );
    }
    g.finish();
}

criterion_group!(benches, decode, kernel, model, check);
criterion_main!(benches);
