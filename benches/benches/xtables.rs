//! `xtables/*`: parsing iptables-save text.
//!
//! - `xtables/parse/{real,kube-10k}` and `xtables/parse_rules/...`: the
//!   in-process parser (bytes/s and rules/s), with `newline_count` over the
//!   same bytes as the floor.
//! - `xtables/parse_kube/{1000..10000}`: growth with the number of Services.
//! - `xtables/lower/kube-10k`: parse + lowering to the model.
//! - `xtables/process/...`: whole processes on the same file, side by side:
//!   `nflens parse FILE` against the peer `iptables-legacy-restore --test
//!   FILE`, both started the same way, with `nsenter` into one throwaway
//!   network namespace held for the bench, so neither pays for making a
//!   namespace; `nsenter true` is the cost of starting a process that way.

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nflens_benches::{count_rules, nflens_binary, real_dump};
use nflens_testutil::kube;

fn inputs() -> Vec<(String, String)> {
    let mut v = Vec::new();
    if let Some(r) = real_dump() {
        v.push(r);
    }
    v.push(("kube-10k".into(), kube::generate(10_000, 1).0));
    v
}

fn parse(c: &mut Criterion) {
    let inputs = inputs();
    let mut g = c.benchmark_group("xtables/parse");
    for (name, text) in &inputs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("nflens", name), text, |b, t| {
            b.iter(|| nflens_xtables::parse(black_box(t)).map(|d| d.lines.len()))
        });
        g.bench_with_input(BenchmarkId::new("newline_count", name), text, |b, t| {
            b.iter(|| {
                black_box(t)
                    .as_bytes()
                    .iter()
                    .filter(|&&c| c == b'\n')
                    .count()
            })
        });
        g.bench_with_input(BenchmarkId::new("nflens_streaming", name), text, |b, t| {
            b.iter(|| {
                nflens_xtables::Parser::new(black_box(t))
                    .filter(|l| l.is_ok())
                    .count()
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("xtables/parse_rules");
    for (name, text) in &inputs {
        g.throughput(Throughput::Elements(count_rules(text)));
        g.bench_with_input(BenchmarkId::new("nflens", name), text, |b, t| {
            b.iter(|| nflens_xtables::parse(black_box(t)).map(|d| d.lines.len()))
        });
    }
    g.finish();
}

fn scale(c: &mut Criterion) {
    let mut g = c.benchmark_group("xtables/parse_kube");
    for n in [1_000, 2_500, 5_000, 10_000] {
        let text = kube::generate(n, 1).0;
        g.throughput(Throughput::Elements(count_rules(&text)));
        g.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, t| {
            b.iter(|| nflens_xtables::parse(black_box(t)).map(|d| d.lines.len()))
        });
    }
    g.finish();
    let text = kube::generate(10_000, 1).0;
    let mut g = c.benchmark_group("xtables/lower");
    g.throughput(Throughput::Elements(count_rules(&text)));
    g.bench_function("kube-10k", |b| {
        b.iter(|| {
            let d = nflens_xtables::parse(black_box(&text)).expect("parse");
            nflens_model::lower::from_xtables(&d, None)
                .expect("lower")
                .tables
                .len()
        })
    });
    g.finish();
}

/// Runs `program` in the namespace `ns` (`nsenter --net=`), output
/// discarded; whether it succeeded.
fn run_in(ns: &std::path::Path, program: &[&str]) -> bool {
    Command::new("nsenter")
        .arg(format!("--net={}", ns.display()))
        .arg("--")
        .args(program)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

fn process(c: &mut Criterion) {
    let held = match nflens_testutil::netns::Held::new("true") {
        Ok(h) => h,
        Err(e) => {
            eprintln!("SKIPPED xtables/process: cannot make a network namespace: {e:?}");
            return;
        }
    };
    let ns = held.path();
    let empty = std::env::temp_dir().join("nflens-bench-empty.rules");
    std::fs::write(&empty, "*filter\nCOMMIT\n").expect("write input");
    let peer_ok = run_in(
        &ns,
        &[
            "iptables-legacy-restore",
            "--test",
            empty.to_str().expect("utf-8 path"),
        ],
    );
    if !peer_ok {
        eprintln!(
            "SKIPPED xtables/process: cannot run iptables-legacy-restore in a network namespace"
        );
        return;
    }
    let bin = nflens_binary();
    let bin = bin.to_str().expect("utf-8 path").to_owned();
    let mut g = c.benchmark_group("xtables/process");
    g.sample_size(10);
    g.bench_function("nsenter_true", |b| {
        b.iter(|| assert!(run_in(&ns, &["true"])))
    });
    for n in [1_000, 10_000] {
        let text = kube::generate(n, 1).0;
        let file = std::env::temp_dir().join(format!("nflens-bench-kube-{n}.rules"));
        std::fs::write(&file, &text).expect("write input");
        let file = file.to_str().expect("utf-8 path").to_owned();
        assert!(
            run_in(&ns, &[&bin, "parse", &file]),
            "nflens refused the input"
        );
        assert!(
            run_in(&ns, &["iptables-legacy-restore", "--test", &file]),
            "the peer refused the input"
        );
        g.throughput(Throughput::Elements(count_rules(&text)));
        g.bench_function(BenchmarkId::new("nflens_parse", n), |b| {
            b.iter(|| assert!(run_in(&ns, &[&bin, "parse", &file])))
        });
        g.bench_function(BenchmarkId::new("iptables-legacy-restore_test", n), |b| {
            b.iter(|| assert!(run_in(&ns, &["iptables-legacy-restore", "--test", &file])))
        });
    }
    g.finish();
    drop(held);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = parse, scale, process
}
criterion_main!(benches);
