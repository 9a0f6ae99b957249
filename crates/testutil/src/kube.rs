//! A generator of kube-proxy (iptables mode) rulesets, printed exactly as
//! `iptables-save` prints them, for benchmarks and scale tests.
//!
//! Shape, per Service (deterministic for a given count and seed):
//! - `KUBE-SERVICES`: `-d CLUSTERIP/32 -p tcp -m comment --comment "ns/svc:port cluster IP"
//!   -m tcp --dport P -j KUBE-SVC-<16 base32 chars>`;
//! - `KUBE-SVC-*`: one masquerade rule (`! -s 10.244.0.0/16 ... -j KUBE-MARK-MASQ`), then
//!   2 or 3 endpoints, all but the last chosen by `-m statistic --mode random --probability P`;
//! - `KUBE-SEP-*`: `-s EP/32 -j KUBE-MARK-MASQ` and `-p tcp -m tcp -j DNAT --to-destination EP:PORT`;
//! - about 10% have a NodePort (`KUBE-NODEPORTS`), about 2% have no endpoints and
//!   get a `REJECT` in the filter table instead.

use std::fmt::Write as _;

/// A small deterministic PRNG (xorshift64*), so no dependency is needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// kube-proxy's chain suffix: 16 characters of base32 of a hash.
fn chain_hash(kind: &str, id: &str) -> String {
    const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    // FNV-1a over kind and id, stretched to 80 bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes().chain(id.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut h2 = h ^ 0x5bd1_e995;
    let mut out = String::with_capacity(16);
    for i in 0..16 {
        let v = if i < 12 {
            h >> (i * 5)
        } else {
            h2 >> ((i - 12) * 5)
        } & 31;
        out.push(B32[v as usize] as char);
        if i == 11 {
            h2 = h2.wrapping_mul(0x0100_0000_01b3);
        }
    }
    out
}

/// Counts of what was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// `-A` lines.
    pub rules: usize,
    /// Services.
    pub services: usize,
}

/// Generates the `iptables-save` text of a node with `services` Services.
pub fn generate(services: usize, seed: u64) -> (String, Stats) {
    let mut rng = Rng::new(seed);
    let mut nat_chains = String::new();
    let mut nat_rules = String::new();
    let mut svc_rules = String::new();
    let mut nodeports = String::new();
    let mut filter_rules = String::new();
    let mut stats = Stats {
        services,
        ..Stats::default()
    };
    let mut ep_seq: u32 = 0;
    for i in 0..services {
        let ns = format!("ns{}", i % 97);
        let svc = format!("svc{i}");
        let port_name = if rng.below(3) == 0 { "https" } else { "http" };
        let port = [80u16, 443, 8080, 53, 9090][rng.below(5) as usize];
        let sp = format!("{ns}/{svc}:{port_name}");
        let cip = format!("10.96.{}.{}", (i / 250) % 256, i % 250 + 1);
        let no_endpoints = rng.below(50) == 0;
        if no_endpoints {
            let _ = writeln!(
                filter_rules,
                "-A KUBE-SERVICES -d {cip}/32 -p tcp -m comment --comment \"{sp} has no endpoints\" -m tcp --dport {port} -j REJECT --reject-with icmp-port-unreachable"
            );
            stats.rules += 1;
            continue;
        }
        let svc_chain = format!("KUBE-SVC-{}", chain_hash("svc", &sp));
        let _ = writeln!(nat_chains, ":{svc_chain} - [0:0]");
        let _ = writeln!(
            svc_rules,
            "-A KUBE-SERVICES -d {cip}/32 -p tcp -m comment --comment \"{sp} cluster IP\" -m tcp --dport {port} -j {svc_chain}"
        );
        stats.rules += 1;
        if rng.below(10) == 0 {
            let np = 30000 + (i % 2768);
            let _ = writeln!(
                nodeports,
                "-A KUBE-NODEPORTS -p tcp -m comment --comment \"{sp}\" -m tcp --dport {np} -j {svc_chain}"
            );
            stats.rules += 1;
        }
        let _ = writeln!(
            nat_rules,
            "-A {svc_chain} ! -s 10.244.0.0/16 -d {cip}/32 -p tcp -m comment --comment \"{sp} cluster IP\" -m tcp --dport {port} -j KUBE-MARK-MASQ"
        );
        stats.rules += 1;
        let n_ep = 2 + rng.below(2) as usize;
        let mut seps = String::new();
        for e in 0..n_ep {
            ep_seq += 1;
            let ep = format!("10.244.{}.{}", (ep_seq / 250) % 256, ep_seq % 250 + 1);
            let tport = 8000 + (rng.below(1000) as u16);
            let sep_chain = format!("KUBE-SEP-{}", chain_hash("sep", &format!("{sp}{ep}")));
            let _ = writeln!(nat_chains, ":{sep_chain} - [0:0]");
            let left = n_ep - e;
            if left > 1 {
                let _ = writeln!(
                    nat_rules,
                    "-A {svc_chain} -m comment --comment \"{sp} -> {ep}:{tport}\" -m statistic --mode random --probability {:.11} -j {sep_chain}",
                    probability(left)
                );
            } else {
                let _ = writeln!(
                    nat_rules,
                    "-A {svc_chain} -m comment --comment \"{sp} -> {ep}:{tport}\" -j {sep_chain}"
                );
            }
            let _ = writeln!(
                seps,
                "-A {sep_chain} -s {ep}/32 -m comment --comment \"{sp}\" -j KUBE-MARK-MASQ"
            );
            let _ = writeln!(
                seps,
                "-A {sep_chain} -p tcp -m comment --comment \"{sp}\" -m tcp -j DNAT --to-destination {ep}:{tport}"
            );
            stats.rules += 3;
        }
        nat_rules.push_str(&seps);
    }
    let mut out = String::with_capacity(nat_rules.len() + svc_rules.len() + 4096);
    out.push_str("# Generated by iptables-save v1.8.9 on Sat Nov 21 12:00:00 2026\n");
    out.push_str("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n");
    out.push_str("-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    out.push_str("-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
    stats.rules += 2;
    out.push_str(&filter_rules);
    out.push_str("COMMIT\n# Completed on Sat Nov 21 12:00:00 2026\n");
    out.push_str("# Generated by iptables-save v1.8.9 on Sat Nov 21 12:00:00 2026\n");
    out.push_str("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
    out.push_str(":KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n");
    out.push_str(&nat_chains);
    out.push_str(
        "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
    );
    out.push_str(
        "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
    );
    out.push_str("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n");
    out.push_str("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n");
    out.push_str("-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n");
    out.push_str("-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0\n");
    out.push_str("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n");
    stats.rules += 7;
    out.push_str(&nat_rules);
    out.push_str(&nodeports);
    out.push_str(&svc_rules);
    out.push_str("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
    stats.rules += 1;
    out.push_str("COMMIT\n# Completed on Sat Nov 21 12:00:00 2026\n");
    (out, stats)
}

/// kube-proxy's probability for the first of `left` endpoints: 1/left,
/// printed as iptables prints it (`%.11f` of the kernel's fixed-point value).
fn probability(left: usize) -> f64 {
    let fixed = (2147483648.0 / left as f64).round();
    fixed / 2147483648.0
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_shape() {
        let (text, stats) = generate(100, 1);
        assert_eq!(stats.services, 100);
        let rules = text.lines().filter(|l| l.starts_with("-A ")).count();
        assert_eq!(rules, stats.rules);
        assert!(
            text.contains("--probability 0.33333333349")
                || text.contains("--probability 0.50000000000")
        );
        assert_eq!(chain_hash("svc", "a").len(), 16);
        // Deterministic.
        assert_eq!(generate(100, 1).0, text);
        // Printed exactly as iptables-save prints it (canonical).
        assert_eq!(nflens_xtables::parse(&text).unwrap().to_string(), text);
    }
}
