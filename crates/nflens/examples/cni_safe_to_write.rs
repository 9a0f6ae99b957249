//! A CNI plugin deciding whether it may write its rules with iptables-nft.
//!
//! It is safe when the host's backend is nf_tables (or nothing yet), no
//! legacy tables would split the ruleset, and the iptables-nft version the
//! plugin ships can read every table it will touch (no incompatible,
//! hidden, unparseable or misread table).
//!
//! `cargo run -p nflens --example cni_safe_to_write -- [NETNS] [VERSION]`
use nflens::analysis::{Verdict, Version};
use nflens::socket::Netns;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let netns = args.next().map_or(Netns::Current, |n| Netns::named(&n));
    let version: Version = args
        .next()
        .as_deref()
        .unwrap_or("1.8.9")
        .parse()
        .expect("an iptables version such as 1.8.9");
    let check = match nflens::check(&netns, &[version]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot check: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let d = &check.detection[0];
    let mut reasons = Vec::new();
    if d.backend == "legacy" || d.split_brain {
        reasons.push(format!(
            "the host uses legacy xtables (backend {})",
            d.backend
        ));
    }
    for f in &check.report.findings {
        // Our tables are filter, nat and mangle; an invisible chain elsewhere
        // does not stop us writing, but it may drop our traffic: say so.
        if f.verdict == Verdict::Invisible {
            eprintln!(
                "note: {} {} {} decides packets iptables cannot see",
                f.family,
                f.table,
                f.chain.as_deref().unwrap_or("")
            );
            continue;
        }
        reasons.push(format!(
            "{} {} {}: {} ({})",
            f.verdict, f.family, f.table, f.reason, f.remedy
        ));
    }
    if reasons.is_empty() {
        println!("safe: iptables-nft {version} reads every table as the kernel runs it");
        std::process::ExitCode::SUCCESS
    } else {
        println!("not safe to write with iptables-nft {version}:");
        for r in reasons {
            println!("  - {r}");
        }
        std::process::ExitCode::from(1)
    }
}
