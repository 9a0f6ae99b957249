//! The per-version analysis of the nf_tables side (Gate 1, base chains,
//! Gate 2, invisible chains, predicted save text).

use nflens_model::render::{iptables as ipt_render, nft as nft_render};
use nflens_model::{nft as lower, Family, Table};
use nflens_wire::sys::*;
use nflens_wire::Expr;

use crate::parse::{parse, Problem};
use crate::{Finding, Report, TableReport, Verdict, Version};

/// The nf_tables side of a namespace: tables, and chains with their rules
/// in order (what `nflens_socket::Snapshot` gives).
#[derive(Debug, Default)]
pub struct NftInput<'a> {
    /// Tables.
    pub tables: Vec<nflens_wire::Table<'a>>,
    /// Chains with their rules.
    pub chains: Vec<(nflens_wire::Chain<'a>, Vec<nflens_wire::Rule<'a>>)>,
}

/// What [`analyse`] reads.
#[derive(Debug)]
pub struct Input<'a> {
    /// The nf_tables side.
    pub nft: &'a NftInput<'a>,
}

/// iptables' tables, in `iptables-nft-save` order.
pub(crate) const TABLES: [&str; 5] = ["raw", "mangle", "filter", "security", "nat"];

/// iptables' built-in chain of `table` on hook `hook` (NF_INET_*): name,
/// type, priority (COMPAT.md §1.2).
fn builtin(table: &str, hook: u32) -> Option<(&'static str, &'static str, i32)> {
    const NAMES: [&str; 5] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];
    let name = *NAMES.get(hook as usize)?;
    let (ty, prio) = match (table, hook) {
        ("raw", 0 | 3) => ("filter", -300),
        ("mangle", 3) => ("route", -150),
        ("mangle", 0..=4) => ("filter", -150),
        ("filter", 1..=3) => ("filter", 0),
        ("security", 1..=3) => ("filter", 150),
        ("nat", 0 | 3) => ("nat", -100),
        ("nat", 1 | 4) => ("nat", 100),
        _ => return None,
    };
    Some((name, ty, prio))
}

fn fam_name(f: u8) -> &'static str {
    match f {
        2 => "ip",
        10 => "ip6",
        1 => "inet",
        3 => "arp",
        7 => "bridge",
        5 => "netdev",
        _ => "unknown",
    }
}

fn prog(v6: bool) -> &'static str {
    if v6 {
        "ip6tables"
    } else {
        "iptables"
    }
}

/// Gate 1: is this expression on version `v`'s whitelist (COMPAT.md §1.4)?
fn whitelisted(v: Version, e: &Expr<'_>) -> bool {
    match e {
        Expr::Match(_)
        | Expr::Target(_)
        | Expr::Payload(_)
        | Expr::Meta(_)
        | Expr::Cmp(_)
        | Expr::Counter(_)
        | Expr::Immediate(_)
        | Expr::Lookup(_)
        | Expr::Bitwise(_) => true,
        Expr::Range(_) => v >= Version::V1_8_8,
        Expr::Limit(l) => l.ty == NFT_LIMIT_PKTS && l.flags == 0,
        Expr::Log(l) => v >= Version::V1_8_8 && l.group.is_some(),
        _ => false,
    }
}

fn expr_text(e: &Expr<'_>) -> String {
    let mut s = String::new();
    let _ = nflens_wire::expr::write_expr(&mut s, e);
    s
}

fn nl_if_old(v: Version) -> &'static str {
    if v <= Version::V1_8_8 {
        "\n"
    } else {
        ""
    }
}

fn table_msg(v: Version, v6: bool, t: &str) -> String {
    format!(
        "{} v{v} (nf_tables): table `{t}' is incompatible, use 'nft' tool.{}",
        prog(v6),
        nl_if_old(v)
    )
}

fn chain_msg(v: Version, v6: bool, t: &str, c: &str) -> String {
    format!(
        "{} v{v} (nf_tables): chain `{c}' in table `{t}' is incompatible, use 'nft' tool.{}",
        prog(v6),
        nl_if_old(v)
    )
}

/// What is wrong with a base chain in a built-in table, if anything.
fn base_problem(
    table: &str,
    c: &nflens_wire::Chain<'_>,
    all: &[&nflens_wire::Chain<'_>],
) -> Option<(String, bool)> {
    let h = c.hook.as_ref()?;
    let ty = c.chain_type.unwrap_or("filter");
    let Some((name, bty, bprio)) = builtin(table, h.num) else {
        return Some((
            format!(
                "base chain `{}` hooks a point (hook {}) table {table} has no built-in chain for",
                c.name, h.num
            ),
            false,
        ));
    };
    if c.name != name {
        let dup = all
            .iter()
            .any(|o| o.name == name && o.hook.as_ref().is_some_and(|oh| oh.num == h.num));
        return Some((
            format!(
                "base chain `{}` on hook {} is not iptables' `{name}`{}",
                c.name,
                hook_word(h.num),
                if dup {
                    " (a second base chain on that hook)"
                } else {
                    ""
                }
            ),
            dup,
        ));
    }
    if ty != bty {
        return Some((
            format!(
                "base chain `{}` has type {ty}; iptables expects type {bty}",
                c.name
            ),
            false,
        ));
    }
    if h.priority != bprio {
        return Some((
            format!(
                "base chain `{}` has priority {}; iptables expects {bprio}",
                c.name, h.priority
            ),
            false,
        ));
    }
    None
}

fn hook_word(h: u32) -> &'static str {
    ["prerouting", "input", "forward", "output", "postrouting"]
        .get(h as usize)
        .copied()
        .unwrap_or("?")
}

/// The chains of one table in iptables' order: built-in by hook, then user
/// chains by name.
fn ipt_order<'c, 'a>(chains: &mut [&'c (nflens_wire::Chain<'a>, Vec<nflens_wire::Rule<'a>>)]) {
    chains.sort_by(|a, b| {
        let ka = (
            a.0.hook.as_ref().map_or(9, |h| h.num),
            a.0.hook.is_none().then_some(a.0.name),
        );
        let kb = (
            b.0.hook.as_ref().map_or(9, |h| h.num),
            b.0.hook.is_none().then_some(b.0.name),
        );
        ka.cmp(&kb)
    });
}

/// The rule in nft syntax, or (when nflens cannot spell it yet) its
/// expressions in libnftnl's debug syntax.
fn nft_text(fam: Family, r: &nflens_wire::Rule<'_>) -> Option<String> {
    nft_syntax(fam, r).or_else(|| {
        let mut s = String::new();
        lower::write_exprs(r, &mut s);
        Some(s)
    })
}

fn nft_syntax(fam: Family, r: &nflens_wire::Rule<'_>) -> Option<String> {
    let model = lower::rule(r);
    let mut s = String::new();
    nft_render::rule(&model, fam, nft_render::Options::default(), &mut s).ok()?;
    Some(s)
}

/// The remedy for rule `r`, the `index`th (0-based) of chain `c`.
fn remedy_rule(
    fam: Family,
    v6: bool,
    table: &str,
    c: &nflens_wire::Chain<'_>,
    index: usize,
    r: &nflens_wire::Rule<'_>,
) -> String {
    let model = lower::rule(r);
    let f = fam_name(r.family);
    let mut ipt = String::new();
    if ipt_render::rule(&model, fam, &mut ipt).is_ok() {
        return format!(
            "add it through iptables-nft at its place, which stores it in a form iptables-nft reads back, then delete the native rule: `{}-nft -t {table} -I {} {}{ipt}` and `nft delete rule {f} {table} {} handle {}`",
            prog(v6), c.name, index + 1, c.name, r.handle
        );
    }
    let Some(nft) = nft_syntax(fam, r) else {
        return format!(
            "iptables cannot express it: move it to a table of its own (an `inet` table iptables never reads), with the same hook and the text `nft -a list chain {f} {table} {}` shows for handle {}, then `nft delete rule {f} {table} {} handle {}`",
            c.name, r.handle, c.name, r.handle
        );
    };
    let hook = c
        .hook
        .as_ref()
        .map(|h| format!("{} priority {}", hook_word(h.num), h.priority))
        .unwrap_or_else(|| "the hook whose chain jumps here".into());
    format!(
        "iptables cannot express it: move it to a table of its own, which iptables never reads: `nft add table inet nflens_{table}; nft add chain inet nflens_{table} {} '{{ type filter hook {hook}; }}'; nft add rule inet nflens_{table} {} {nft}` and `nft delete rule {f} {table} {} handle {}`",
        c.name, c.name, c.name, r.handle
    )
}

/// Analyses the nf_tables side for `versions`.
pub fn analyse(input: &Input<'_>, versions: &[Version]) -> Report {
    let nft = input.nft;
    let mut rep = Report {
        versions: versions.to_vec(),
        ..Report::default()
    };
    for &v in versions {
        for fam in [2u8, 10] {
            let v6 = fam == 10;
            let model_fam = if v6 { Family::Ipv6 } else { Family::Ipv4 };
            for tname in TABLES {
                let Some(table) = nft
                    .tables
                    .iter()
                    .find(|t| t.family == fam && t.name == tname)
                else {
                    continue;
                };
                table_report(&mut rep, v, v6, model_fam, tname, table, nft);
            }
        }
        invisible(&mut rep, v, nft);
    }
    rep
}

#[allow(clippy::too_many_arguments)]
fn table_report(
    rep: &mut Report,
    v: Version,
    v6: bool,
    model_fam: Family,
    tname: &str,
    table: &nflens_wire::Table<'_>,
    nft: &NftInput<'_>,
) {
    let fam = if v6 { 10 } else { 2 };
    let famname = fam_name(fam).to_owned();
    let mut chains: Vec<&(nflens_wire::Chain<'_>, Vec<nflens_wire::Rule<'_>>)> = nft
        .chains
        .iter()
        .filter(|(c, _)| c.family == fam && c.table == tname)
        .collect();
    ipt_order(&mut chains);
    let kernel_rules = chains.iter().map(|(_, r)| r.len()).sum();
    let all: Vec<&nflens_wire::Chain<'_>> = chains.iter().map(|(c, _)| c).collect();
    let finding = |verdict,
                   chain: Option<&str>,
                   handle,
                   expression,
                   reason: String,
                   message,
                   shown,
                   kernel,
                   remedy| Finding {
        version: v,
        family: famname.clone(),
        table: tname.to_owned(),
        chain: chain.map(str::to_owned),
        handle,
        verdict,
        expression,
        reason,
        message,
        shown,
        kernel,
        remedy,
    };
    let mut status = "ok";
    let mut hidden: Vec<&str> = Vec::new();
    let mut new = Vec::new();

    // Base chains.
    for (c, rules) in &chains {
        let Some((why, dup)) = base_problem(tname, c, &all) else {
            continue;
        };
        let h = c.hook.as_ref();
        let def = h
            .map(|h| {
                format!(
                    "type {} hook {} priority {}; policy {};",
                    c.chain_type.unwrap_or("filter"),
                    hook_word(h.num),
                    h.priority,
                    if c.policy == Some(NF_DROP as u32) {
                        "drop"
                    } else {
                        "accept"
                    }
                )
            })
            .unwrap_or_default();
        let remedy = format!(
            "move chain {} out of iptables' table into its own: `nft add table {famname} nflens_{}; nft add chain {famname} nflens_{} {} '{{ {def} }}'`, re-add its {} rule(s) there, then `nft delete chain {famname} {tname} {}`",
            c.name, c.name, c.name, c.name, rules.len(), c.name
        );
        if v == Version::V1_8_7 {
            let (verdict, msg) = if dup {
                (
                    Verdict::Crash,
                    "free(): double free detected in tcache 2 (exit 134)".to_owned(),
                )
            } else {
                (
                    Verdict::Incompatible,
                    format!(
                        "-L/-S: {}\n-save: # Table `{tname}' is incompatible, use 'nft' tool.",
                        table_msg(v, v6, tname)
                    ),
                )
            };
            status = if dup { "crash" } else { "incompatible" };
            new.push(finding(
                verdict,
                Some(c.name),
                None,
                None,
                why,
                Some(msg),
                None,
                None,
                remedy,
            ));
        } else {
            hidden.push(c.name);
            if status == "ok" {
                status = "tainted";
            }
            let policy_drop = c.policy == Some(NF_DROP as u32);
            let builtin_name = h
                .and_then(|h| builtin(tname, h.num))
                .is_some_and(|b| b.0 == c.name);
            let mut reason = format!("{why}: iptables hides it and its {} rule(s)", rules.len());
            if policy_drop {
                reason.push_str("; its policy drop is invisible to iptables");
            }
            if builtin_name {
                let errno = if c.chain_type.unwrap_or("filter")
                    != h.and_then(|h| builtin(tname, h.num)).map_or("", |b| b.1)
                {
                    "File exists"
                } else {
                    "Operation not supported"
                };
                reason.push_str(&format!(
                    "; iptables shows a fake empty `:{} ACCEPT [0:0]` and `{} -A {}` fails with `CHAIN_ADD failed ({errno}): chain {}`",
                    c.name, prog(v6), c.name, c.name
                ));
            }
            new.push(finding(
                Verdict::Tainted,
                Some(c.name),
                None,
                None,
                reason,
                Some(format!("# Table `{tname}' contains incompatible base-chains, use 'nft' tool to list them.")),
                None,
                None,
                remedy,
            ));
        }
    }
    let visible = |c: &nflens_wire::Chain<'_>| !hidden.contains(&c.name);

    // Gate 1.
    if status != "crash" {
        for (c, rules) in chains.iter().filter(|(c, _)| visible(c)) {
            for (index, r) in rules.iter().enumerate() {
                let bad = r
                    .exprs
                    .iter()
                    .filter_map(Result::ok)
                    .find(|e| !whitelisted(v, e));
                let Some(e) = bad else { continue };
                status = "incompatible";
                let ename = e.name();
                let why = match (ename, v) {
                    ("range", Version::V1_8_7) => "`range` is not on 1.8.7's whitelist (1.8.8 added it)".to_owned(),
                    ("log", _) if v >= Version::V1_8_8 => "`log` without a group (kernel log) is not on the whitelist; only nflog (`log group N`) is".to_owned(),
                    ("log", _) => "`log` is not on 1.8.7's whitelist (1.8.8 added `log group N`)".to_owned(),
                    ("limit", _) => "a `limit` in bytes or inverted (`over`) is not on the whitelist; only packet limits are".to_owned(),
                    (n, _) => format!("expression `{n}` is not on iptables-nft {v}'s whitelist"),
                };
                let msg = format!(
                    "-L/-S: {}\n-S {}: {}\n-save: # Table `{tname}' is incompatible, use 'nft' tool.",
                    table_msg(v, v6, tname),
                    c.name,
                    chain_msg(v, v6, tname, c.name)
                );
                new.push(finding(
                    Verdict::Incompatible,
                    Some(c.name),
                    Some(r.handle),
                    Some(expr_text(&e)),
                    why,
                    Some(msg),
                    None,
                    nft_text(model_fam, r),
                    remedy_rule(model_fam, v6, tname, c, index, r),
                ));
            }
        }
    }

    // Gate 2 and the predicted save text.
    let mut save = None;
    let mut rule_lines = 0;
    if status == "incompatible" || status == "crash" {
        save = Some(format!(
            "# Table `{tname}' is incompatible, use 'nft' tool.\n{}",
            nl_if_old(v)
        ));
    } else {
        if table.flags & 1 != 0 {
            new.push(finding(
                Verdict::Misrendered,
                None,
                None,
                None,
                "the table is dormant (flags dormant): none of its chains run, but iptables lists it as active".into(),
                None,
                None,
                None,
                format!("remove the flag (`nft add table {famname} {tname}` with no flags) or the table, so what iptables shows is what runs"),
            ));
        }
        let mut shown_table = Table {
            family: model_fam,
            name: tname.into(),
            handle: None,
            dormant: false,
            chains: Vec::new(),
        };
        let mut failed = false;
        let mut predictable = true;
        for (c, rules) in chains.iter().filter(|(c, _)| visible(c)) {
            let mut ch = lower::chain(c);
            for (index, r) in rules.iter().enumerate() {
                let p = parse(v, v6, r);
                let mut shown = format!("-A {}", c.name);
                let shown_ok = ipt_render::rule(&p.shown, model_fam, &mut shown).is_ok();
                if let Some((msg, expr)) = &p.error {
                    status = "parse-error";
                    new.push(finding(
                        Verdict::ParseError,
                        Some(c.name),
                        Some(r.handle),
                        Some(expr.clone()),
                        format!("iptables-nft {v} cannot parse this rule: {msg}; listing stops here (exit 3)"),
                        Some(format!(
                            "Error: {msg}\n{} v{v} (nf_tables): Parsing nftables rule failed\nPerhaps {} or your kernel needs to be upgraded.",
                            prog(v6),
                            prog(v6)
                        )),
                        None,
                        nft_text(model_fam, r),
                        remedy_rule(model_fam, v6, tname, c, index, r),
                    ));
                    failed = true;
                    continue;
                }
                for n in &p.notes {
                    let (verdict, reason) = match &n.problem {
                        Problem::Fails(msg) => (
                            Verdict::SilentDrop,
                            match n.native_since {
                                Some(since) => format!(
                                    "iptables-nft {v} does not understand this part and drops it without a word (1.8.9+ would say `Error: {msg}`); version skew: iptables-nft {since}+ writes it natively, so a rule written by a newer iptables is shown without it"
                                ),
                                None => format!(
                                    "iptables-nft {v} does not understand this part and drops it without a word (1.8.9+ would say `Error: {msg}`)"
                                ),
                            },
                        ),
                        Problem::Misread(why) => (Verdict::Misrendered, why.clone()),
                    };
                    new.push(finding(
                        verdict,
                        Some(c.name),
                        Some(r.handle),
                        Some(n.expr.clone()),
                        reason,
                        None,
                        shown_ok.then(|| shown.clone()),
                        nft_text(model_fam, r),
                        remedy_rule(model_fam, v6, tname, c, index, r),
                    ));
                }
                if !failed {
                    if !shown_ok {
                        predictable = false;
                    }
                    ch.rules.push(p.shown);
                }
            }
            shown_table.chains.push(ch);
            if failed {
                break;
            }
        }
        let tainted_line = if status == "tainted" {
            format!("# Table `{tname}' contains incompatible base-chains, use 'nft' tool to list them.\n")
        } else {
            String::new()
        };
        if predictable {
            let rs = nflens_model::Ruleset {
                family: model_fam,
                backend: nflens_model::Backend::NfTables,
                writer: None,
                tables: vec![shown_table],
                diagnostics: Vec::new(),
            };
            let out = ipt_render::ruleset(&rs, model_fam, ipt_render::Options::default());
            let mut text = out.text;
            if failed {
                // Output stops at the failing rule: no COMMIT.
                if let Some(s) = text.strip_suffix("COMMIT\n") {
                    text = s.to_owned();
                }
            }
            rule_lines = text.lines().filter(|l| l.starts_with('-')).count();
            save = Some(format!("{tainted_line}{text}"));
        } else {
            rule_lines = rep_rules(&chains, &hidden);
        }
    }
    rep.findings.extend(new);
    rep.tables.push(TableReport {
        version: v,
        family: famname,
        table: tname.to_owned(),
        status,
        rule_lines,
        save,
        kernel_rules,
    });
}

fn rep_rules(
    chains: &[&(nflens_wire::Chain<'_>, Vec<nflens_wire::Rule<'_>>)],
    hidden: &[&str],
) -> usize {
    chains
        .iter()
        .filter(|(c, _)| !hidden.contains(&c.name))
        .map(|(_, r)| r.len())
        .sum()
}

/// Base chains iptables never reads that hook the same points as its
/// tables (COMPAT.md §5, IPT_INVISIBLE).
fn invisible(rep: &mut Report, v: Version, nft: &NftInput<'_>) {
    for (c, rules) in &nft.chains {
        let Some(h) = c.hook.as_ref() else { continue };
        let in_scope = matches!(c.family, 2 | 10) && TABLES.contains(&c.table);
        if in_scope || !matches!(c.family, 1 | 2 | 10) || h.num > 4 {
            continue;
        }
        let drop = c.policy == Some(NF_DROP as u32);
        if !drop && rules.is_empty() {
            continue;
        }
        let fam = fam_name(c.family);
        let who = if c.family == 1 {
            "an inet table (iptables reads only ip and ip6)"
        } else {
            "a table iptables does not know (it reads raw, mangle, filter, security, nat)"
        };
        rep.findings.push(Finding {
            version: v,
            family: fam.into(),
            table: c.table.into(),
            chain: Some(c.name.into()),
            handle: None,
            verdict: Verdict::Invisible,
            expression: None,
            reason: format!(
                "base chain on hook {} priority {} in {who}: policy {}, {} rule(s); it decides packets iptables users never see",
                hook_word(h.num),
                h.priority,
                if drop { "drop" } else { "accept" },
                rules.len()
            ),
            message: None,
            shown: None,
            kernel: None,
            remedy: format!("when a packet is dropped and iptables shows no reason, look here too: `nft list chain {fam} {} {}`", c.table, c.name),
        });
    }
}
