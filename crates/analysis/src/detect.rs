//! Which backend a host really uses, and what each detector of the
//! Kubernetes ecosystem would decide (COMPAT.md §3).
//!
//! Nothing here runs a command or touches the kernel: the legacy side comes
//! from `/proc/net/ip*_tables_names` and the tables read natively, the
//! nf_tables side from the snapshot and the predicted `iptables-nft-save`
//! text of a [`Report`](crate::Report).

use crate::check::NftInput;
use crate::{Report, TableStatus, Version};

#[cfg(feature = "serde")]
use serde::Serialize;

/// The chains kubelet creates to say which backend it uses.
pub const HINT_CHAINS: [&str; 2] = ["KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY"];

/// The legacy side.
#[derive(Debug, Default, Clone, Copy)]
pub struct LegacyInput<'a> {
    /// `/proc/net/ip_tables_names`.
    pub names_v4: &'a [String],
    /// `/proc/net/ip6_tables_names`.
    pub names_v6: &'a [String],
    /// The tables read.
    pub tables: &'a [LegacyTable],
}

/// One legacy table: its chains and how many rules each holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyTable {
    /// `ip6tables` rather than `iptables`.
    pub ip6: bool,
    /// Table name.
    pub name: String,
    /// (chain, rules).
    pub chains: Vec<(String, usize)>,
}

/// A hint chain found on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Hint {
    /// `nft` or `legacy`.
    pub side: &'static str,
    /// `ip` or `ip6`.
    pub family: &'static str,
    /// Table.
    pub table: String,
    /// Chain name.
    pub chain: String,
    /// Whether `ip{,6}tables-{side}-save -t mangle` shows it (an
    /// incompatible mangle table hides it).
    pub visible: bool,
}

/// One detector's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct DetectorVerdict {
    /// Which detector.
    pub detector: &'static str,
    /// `nft`, `legacy` or `unknown`.
    pub verdict: &'static str,
    /// Why, step by step.
    pub why: String,
}

/// The backend verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Detection {
    /// The iptables version the nft-side counts were predicted for.
    pub version: Version,
    /// What the host really uses: `nft`, `legacy`, `both` or `none`.
    pub backend: &'static str,
    /// Legacy tables (`ip filter`, `ip6 mangle`), from /proc.
    pub legacy_tables: Vec<String>,
    /// iptables' nf_tables tables (`ip filter`, ...).
    pub nft_tables: Vec<String>,
    /// Rules in legacy tables: the `-A` lines `ip{,6}tables-legacy-save` print.
    pub legacy_rule_lines: usize,
    /// `-A` lines `ip{,6}tables-nft-save` of this version print.
    pub nft_rule_lines: usize,
    /// Rules the kernel holds in iptables' nf_tables tables.
    pub nft_kernel_rules: usize,
    /// Hint chains on either side.
    pub hints: Vec<Hint>,
    /// Each detector's verdict.
    pub detectors: Vec<DetectorVerdict>,
    /// Legacy tables exist next to iptables' nf_tables tables.
    pub mixed: bool,
    /// Both backends hold rules (split brain).
    pub split_brain: bool,
    /// The detectors do not agree.
    pub disagree: bool,
    /// Tables iptables cannot read hide rules from the counts
    /// (incompatible, tainted, or failing to parse).
    pub distorted: bool,
}

fn is_hint(name: &str) -> bool {
    HINT_CHAINS.contains(&name)
}

/// Decides, for the nft-side counts of `version` in `report`.
pub fn detect(
    report: &Report,
    version: Version,
    nft: &NftInput<'_>,
    legacy: &LegacyInput<'_>,
) -> Detection {
    let mut legacy_tables = Vec::new();
    for (fam, names) in [("ip", legacy.names_v4), ("ip6", legacy.names_v6)] {
        legacy_tables.extend(names.iter().map(|n| format!("{fam} {n}")));
    }
    let mut legacy_lines = 0;
    let mut hints = Vec::new();
    for t in legacy.tables {
        for (c, n) in &t.chains {
            legacy_lines += n;
            if is_hint(c) {
                hints.push(Hint {
                    side: "legacy",
                    family: if t.ip6 { "ip6" } else { "ip" },
                    table: t.name.clone(),
                    chain: c.clone(),
                    visible: true,
                });
            }
        }
    }
    let tables = report.tables.iter().filter(|t| t.version == version);
    let mut nft_tables = Vec::new();
    let mut nft_lines = 0;
    let mut kernel = 0;
    let mut distorted = false;
    let mut stopped = [false, false];
    for t in tables {
        nft_tables.push(format!("{} {}", t.family, t.table));
        let i = usize::from(t.family == "ip6");
        if !stopped[i] {
            nft_lines += t.rule_lines;
        }
        if t.status == TableStatus::ParseError {
            // The whole save command stops at the failing rule.
            stopped[i] = true;
        }
        kernel += t.kernel_rules;
        if t.kernel_rules > t.rule_lines {
            distorted = true;
        }
    }
    for (c, _) in &nft.chains {
        if !matches!(c.family, 2 | 10) || c.table != "mangle" || !is_hint(c.name) {
            continue;
        }
        let fam = if c.family == 2 { "ip" } else { "ip6" };
        let visible = report
            .tables
            .iter()
            .find(|t| t.version == version && t.family == fam && t.table == "mangle")
            .is_some_and(|t| !t.status.unreadable());
        hints.push(Hint {
            side: "nft",
            family: fam,
            table: "mangle".into(),
            chain: c.name.into(),
            visible,
        });
    }
    let nft_hint = hints.iter().any(|h| h.side == "nft" && h.visible);
    let nft_hint_hidden = hints.iter().any(|h| h.side == "nft" && !h.visible);
    let legacy_hint = hints.iter().any(|h| h.side == "legacy");
    let legacy_mangle_hint = hints
        .iter()
        .any(|h| h.side == "legacy" && h.table == "mangle");
    let (l, n) = (legacy_lines, nft_lines);
    let counts = format!("legacy {l} rule lines, nft {n}");
    let mut d = Vec::new();
    let hidden_note = if nft_hint_hidden {
        " (an nft hint chain exists but its mangle table is incompatible, so `-save -t mangle` hides it)"
    } else {
        ""
    };
    d.push(if l >= 10 {
        DetectorVerdict {
            detector: "kubernetes-2019-wrapper",
            verdict: "legacy",
            why: format!("{l} legacy rule lines ≥ 10: nft is not even counted (a short-cut for iptables 1.8.3)"),
        }
    } else {
        DetectorVerdict {
            detector: "kubernetes-2019-wrapper",
            verdict: if l >= n { "legacy" } else { "nft" },
            why: format!("{counts}; legacy ≥ nft → legacy (ties go to legacy), else nft"),
        }
    });
    d.push(DetectorVerdict {
        detector: "iptables-wrappers-v1",
        verdict: if l >= n { "legacy" } else { "nft" },
        why: format!("{counts}; legacy ≥ nft → legacy, else nft"),
    });
    let hint_steps = |default: Option<&'static str>, strict: bool| -> (&'static str, String) {
        if nft_hint {
            return ("nft", "an nft hint chain in mangle".into());
        }
        if legacy_hint {
            return (
                "legacy",
                format!("no nft hint chain{hidden_note}; a legacy hint chain"),
            );
        }
        match default {
            Some(v) => (
                v,
                format!("no hint chain on either side{hidden_note}: default"),
            ),
            None => {
                let legacy = if strict { l > n } else { l >= n };
                (
                    if legacy { "legacy" } else { "nft" },
                    format!(
                        "no hint chain{hidden_note}; {counts}; legacy {} nft → legacy, else nft",
                        if strict { ">" } else { "≥" }
                    ),
                )
            }
        }
    };
    let (v2, w2) = hint_steps(None, true);
    d.push(DetectorVerdict {
        detector: "iptables-wrappers-v2",
        verdict: v2,
        why: w2,
    });
    let (v3, w3) = hint_steps(Some("nft"), true);
    d.push(DetectorVerdict {
        detector: "iptables-wrappers-v3",
        verdict: v3,
        why: w3,
    });
    let calico = if nft_hint {
        ("nft", "an nft hint chain in mangle".to_owned())
    } else if legacy_mangle_hint {
        (
            "legacy",
            format!("no nft hint chain{hidden_note}; a legacy hint chain in mangle"),
        )
    } else {
        let creates = if legacy.names_v4.iter().any(|n| n == "mangle") {
            ""
        } else {
            " (its `iptables-legacy-save -t mangle` creates the legacy mangle table when iptable_mangle autoloads)"
        };
        (
            if l >= n { "legacy" } else { "nft" },
            format!(
                "no hint chain in mangle{hidden_note}{creates}; {counts}; legacy ≥ nft → legacy"
            ),
        )
    };
    d.push(DetectorVerdict {
        detector: "calico-felix",
        verdict: calico.0,
        why: calico.1,
    });
    d.push(if l >= 10 {
        DetectorVerdict {
            detector: "k3s-root/rke2",
            verdict: "legacy",
            why: format!("{l} legacy rule lines ≥ 10"),
        }
    } else if l > n {
        DetectorVerdict {
            detector: "k3s-root/rke2",
            verdict: "legacy",
            why: format!("{counts}; legacy > nft"),
        }
    } else if n == 0 {
        DetectorVerdict {
            detector: "k3s-root/rke2",
            verdict: "unknown",
            why: format!("{counts}; nft = 0 → unknown: falls back to the container check, /etc/alternatives/iptables, then the OS"),
        }
    } else {
        DetectorVerdict {
            detector: "k3s-root/rke2",
            verdict: "nft",
            why: counts.clone(),
        }
    });
    let first = d.first().map(|x| x.verdict);
    let disagree = d.iter().any(|x| Some(x.verdict) != first);
    let backend = match (legacy_lines > 0, kernel > 0) {
        (true, true) => "both",
        (true, false) => "legacy",
        (false, true) => "nft",
        (false, false) if nft_hint || nft_hint_hidden => "nft",
        (false, false) if legacy_hint => "legacy",
        (false, false) => "none",
    };
    Detection {
        version,
        backend,
        mixed: !legacy_tables.is_empty() && !nft_tables.is_empty(),
        split_brain: legacy_lines > 0 && kernel > 0,
        legacy_tables,
        nft_tables,
        legacy_rule_lines: legacy_lines,
        nft_rule_lines: nft_lines,
        nft_kernel_rules: kernel,
        hints,
        detectors: d,
        disagree,
        distorted,
    }
}
