//! Writes a generated kube-proxy ruleset to stdout:
//! `cargo run -p nflens-testutil --example gen_kube -- SERVICES [SEED] > rules`.
fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let (text, stats) = nflens_testutil::kube::generate(n, seed);
    eprintln!(
        "{} services, {} rules, {} bytes",
        stats.services,
        stats.rules,
        text.len()
    );
    print!("{text}");
}
