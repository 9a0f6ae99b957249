//! `nflens check`: the report for people and the JSON.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use nflens::analysis::{Finding, Version};
use nflens::model::{Diagnostic, Ruleset};
use nflens::socket::Netns;

use crate::{read_file, CheckFormat};

pub(crate) fn run(
    netns: Option<String>,
    version: Option<String>,
    format: CheckFormat,
    save: Option<String>,
    predict_save: bool,
) -> anyhow::Result<ExitCode> {
    let versions: Vec<Version> = match version {
        Some(v) => vec![v.parse().map_err(|e: String| anyhow::anyhow!(e))?],
        None => Version::ALL.to_vec(),
    };
    if let Some(file) = save {
        return run_save(&file, &versions, format);
    }
    let ns = match &netns {
        Some(n) => Netns::named(n),
        None => Netns::Current,
    };
    let c = nflens::check_with(
        &ns,
        nflens::CheckOptions {
            versions: &versions,
            predict_save,
        },
    )?;
    let clean = c.clean();
    let mut out = String::new();
    match format {
        CheckFormat::Json => {
            out = serde_json::to_string_pretty(&c)?;
            out.push('\n');
        }
        CheckFormat::Text => {
            text(&c, &mut out);
            predicted(&c, &mut out);
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(ExitCode::from(if clean { 0 } else { 1 }))
}

fn versions_text(vs: &[Version]) -> String {
    if vs.len() == Version::ALL.len() {
        return "all versions (1.8.7–1.8.11)".into();
    }
    vs.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
}

fn text(c: &nflens::Check, out: &mut String) {
    let ns = c.netns.as_deref().unwrap_or("this network namespace");
    let _ = writeln!(
        out,
        "nflens check: {ns} (nf_tables generation {})",
        c.generation
    );
    if let Some(d) = c.detection.last() {
        let _ = writeln!(out, "\nBackend: {}", d.backend);
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        let _ = writeln!(
            out,
            "  legacy tables (/proc/net/ip*_tables_names): {}",
            list(&d.legacy_tables)
        );
        let _ = writeln!(out, "  iptables' nf_tables tables: {}", list(&d.nft_tables));
        let _ = writeln!(
            out,
            "  rules: legacy {}, nf_tables {} in the kernel, {} shown by iptables-nft-save {}",
            d.legacy_rule_lines, d.nft_kernel_rules, d.nft_rule_lines, d.version
        );
        for h in &d.hints {
            let _ = writeln!(
                out,
                "  hint chain: {} {} {} {}{}",
                h.side,
                h.family,
                h.table,
                h.chain,
                if h.visible {
                    ""
                } else {
                    " (hidden: its table is incompatible)"
                }
            );
        }
        if d.split_brain {
            let _ = writeln!(
                out,
                "  ! split brain: both backends hold rules; packets go through both"
            );
        } else if d.mixed {
            let _ = writeln!(out, "  ! legacy tables exist next to iptables-nft's: every iptables-nft command warns, and count-based detectors may pick legacy");
        }
        if d.distorted {
            let _ = writeln!(
                out,
                "  ! tables iptables cannot read hide rules from rule-count detectors"
            );
        }
        let _ = writeln!(
            out,
            "  detectors (with iptables-nft {} counts){}:",
            d.version,
            if d.disagree { " DISAGREE" } else { "" }
        );
        for x in &d.detectors {
            let _ = writeln!(out, "    {:<24} {:<7} {}", x.detector, x.verdict, x.why);
        }
    }
    // Findings grouped across versions.
    let mut groups: Vec<(Vec<Version>, &Finding)> = Vec::new();
    for f in &c.report.findings {
        let same = |g: &Finding| {
            g.verdict == f.verdict
                && g.family == f.family
                && g.table == f.table
                && g.chain == f.chain
                && g.handle == f.handle
                && g.expression == f.expression
        };
        match groups.iter_mut().find(|(_, g)| same(g)) {
            Some((vs, g)) => {
                vs.push(f.version);
                *g = f;
            }
            None => groups.push((vec![f.version], f)),
        }
    }
    if groups.is_empty() {
        let _ = writeln!(
            out,
            "\nNo findings: iptables-nft {} reads every table as the kernel runs it.",
            versions_text(&c.report.versions)
        );
        return;
    }
    let _ = writeln!(out, "\nFindings: {}", groups.len());
    for (vs, f) in groups {
        let mut place = format!("{} {}", f.family, f.table);
        if let Some(ch) = &f.chain {
            let _ = write!(place, " {ch}");
        }
        if let Some(h) = f.handle {
            let _ = write!(place, " handle {h}");
        }
        let _ = writeln!(
            out,
            "\n[{}] {place} — iptables {}",
            f.verdict,
            versions_text(&vs)
        );
        let _ = writeln!(out, "  why: {}", f.reason);
        if let Some(e) = &f.expression {
            let _ = writeln!(out, "  expression: {e}");
        }
        if let Some(k) = &f.kernel {
            let _ = writeln!(out, "  kernel does: {}", k.trim());
        }
        if let Some(s) = &f.shown {
            let _ = writeln!(out, "  iptables shows: {s}");
        }
        if let Some(m) = &f.message {
            for l in m.trim_end().lines() {
                let _ = writeln!(out, "  iptables prints: {l}");
            }
        }
        let _ = writeln!(out, "  remedy: {}", f.remedy);
    }
}

/// `--predict-save`: each version's predicted save text.
fn predicted(c: &nflens::Check, out: &mut String) {
    for p in &c.predicted_save {
        let tool = if p.family == "ip6" {
            "ip6tables"
        } else {
            "iptables"
        };
        let _ = writeln!(
            out,
            "\n{tool}-nft-save of iptables {} would print (without its dated comments):",
            p.version
        );
        match &p.text {
            Some(t) => out.push_str(t),
            None => out.push_str("(a rule it shows has no spelling nflens knows)\n"),
        }
    }
}

/// `--save FILE`: what the saved text itself says (no kernel, no privilege).
fn run_save(file: &str, versions: &[Version], format: CheckFormat) -> anyhow::Result<ExitCode> {
    let text = if file == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)?;
        t
    } else {
        read_file(file).map_err(|e| anyhow::anyhow!("{file}: {e}"))?
    };
    let rs: Ruleset =
        nflens::read_iptables_save(&text, None).map_err(|e| anyhow::anyhow!("{file}:{e}"))?;
    let writer = rs.writer.as_ref();
    let variant = writer
        .and_then(|w| w.variant.as_deref())
        .unwrap_or("unknown");
    let wrote: Option<Version> = writer.and_then(|w| w.version.parse().ok());
    let rules: usize = rs
        .tables
        .iter()
        .flat_map(|t| &t.chains)
        .map(|c| c.rules.len())
        .sum();
    let hints: Vec<String> = rs
        .tables
        .iter()
        .flat_map(|t| t.chains.iter().map(move |c| (t, c)))
        .filter(|(_, c)| nflens::analysis::detect::HINT_CHAINS.contains(&&*c.name))
        .map(|(t, c)| format!("{} {}", t.name, c.name))
        .collect();
    let mut findings = Vec::new();
    for d in &rs.diagnostics {
        let (verdict, table, line, why) = match d {
            Diagnostic::TableIncompatible { table, line } => (
                "incompatible",
                table.to_string(),
                *line,
                "iptables-nft could not read this table: its rules are not in the file",
            ),
            Diagnostic::IncompatibleBaseChains { table, line } => (
                "tainted",
                table.to_string(),
                *line,
                "iptables-nft hid base chains of this table: they are not in the file",
            ),
            Diagnostic::LegacyTablesPresent { line } => (
                "mixed",
                String::new(),
                *line,
                "legacy tables exist next to the nf_tables ones: the file shows only one backend",
            ),
        };
        findings.push(serde_json::json!({
            "version": wrote.map(|v| v.as_str()),
            "verdict": verdict,
            "table": table,
            "line": line,
            "reason": why,
            "remedy": "run `nflens check` on the host (as root) to see the hidden rules and why",
        }));
    }
    let clean = findings.is_empty();
    let mut out = String::new();
    match format {
        CheckFormat::Json => {
            out = serde_json::to_string_pretty(&serde_json::json!({
                "file": file,
                "writer": writer.map(|w| format!("{} v{}", w.program, w.version)),
                "backend": variant,
                "versions": versions.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
                "rule_lines": rules,
                "hints": hints,
                "findings": findings,
            }))?;
            out.push('\n');
        }
        CheckFormat::Text => {
            let _ = writeln!(
                out,
                "nflens check: {file} (saved text; only what the text itself says)"
            );
            let _ = writeln!(
                out,
                "\nWritten by: {} (backend {variant})",
                writer
                    .map(|w| format!("{} v{}", w.program, w.version))
                    .unwrap_or_else(|| "unknown (no header)".into())
            );
            let _ = writeln!(out, "  rule lines: {rules}");
            for h in &hints {
                let _ = writeln!(out, "  hint chain: {h}");
            }
            if clean {
                let _ = writeln!(out, "\nNo findings in the text.");
            } else {
                let _ = writeln!(out, "\nFindings: {}", findings.len());
                for f in &findings {
                    let _ = writeln!(
                        out,
                        "\n[{}] line {} table {}\n  why: {}\n  remedy: {}",
                        f["verdict"].as_str().unwrap_or(""),
                        f["line"],
                        f["table"].as_str().unwrap_or(""),
                        f["reason"].as_str().unwrap_or(""),
                        f["remedy"].as_str().unwrap_or("")
                    );
                }
            }
        }
    }
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(ExitCode::from(if clean { 0 } else { 1 }))
}
