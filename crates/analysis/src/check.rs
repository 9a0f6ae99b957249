//! The per-version analysis of the nf_tables side (Gate 1, base chains,
//! Gate 2, invisible chains, predicted save text).

use nflens_model::render::{iptables as ipt_render, nft as nft_render};
use nflens_model::{nft as lower, Family, Table};
use nflens_wire::sys::*;
use nflens_wire::Expr;

use crate::parse::{parse, Parsed, Problem};
use crate::{Finding, Report, TableReport, TableStatus, Verdict, Version};

/// The nf_tables side of a namespace: tables, and chains with their rules
/// in order (what `nflens_socket::Snapshot` gives).
#[derive(Debug, Default)]
pub struct NftInput<'a> {
    /// Tables.
    pub tables: Vec<nflens_wire::Table<'a>>,
    /// Chains with their rules.
    pub chains: Vec<(nflens_wire::Chain<'a>, Vec<nflens_wire::Rule<'a>>)>,
}

/// iptables' tables, in `iptables-nft-save` order.
pub(crate) const TABLES: [&str; 5] = ["raw", "mangle", "filter", "security", "nat"];

/// Whether the analysis reads (and so decodes every rule expression of) the
/// nf_tables table `name` of `family` (`NFPROTO_*`): iptables-nft's and
/// ip6tables-nft's built-in tables.
pub fn reads_table(family: u8, name: &str) -> bool {
    matches!(family, 2 | 10) && TABLES.contains(&name)
}

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

/// `ip`, `ip6`, `inet`, ... of an nf_tables family number.
fn fam_name(f: u8) -> &'static str {
    lower::family(f).map_or("unknown", nft_render::family_name)
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
fn ipt_order(chains: &mut [&(nflens_wire::Chain<'_>, Vec<nflens_wire::Rule<'_>>)]) {
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
fn nft_text(fam: Family, r: &nflens_wire::Rule<'_>, model: &nflens_model::Rule) -> Option<String> {
    nft_syntax(fam, model).or_else(|| {
        let mut s = String::new();
        lower::write_exprs(r, &mut s);
        Some(s)
    })
}

fn nft_syntax(fam: Family, model: &nflens_model::Rule) -> Option<String> {
    let mut s = String::new();
    nft_render::rule(model, fam, nft_render::Options::default(), &mut s).ok()?;
    Some(s)
}

/// The remedy for rule `r` (lowered: `model`), the `index`th (0-based) of
/// chain `c`.
fn remedy_rule(
    fam: Family,
    v6: bool,
    table: &str,
    c: &nflens_wire::Chain<'_>,
    index: usize,
    r: &nflens_wire::Rule<'_>,
    model: &nflens_model::Rule,
) -> String {
    let f = fam_name(r.family);
    let mut ipt = String::new();
    if ipt_render::rule(model, fam, &mut ipt).is_ok() {
        return format!(
            "add it through iptables-nft at its place, which stores it in a form iptables-nft reads back, then delete the native rule: `{}-nft -t {table} -I {} {}{ipt}` and `nft delete rule {f} {table} {} handle {}`",
            prog(v6), c.name, index + 1, c.name, r.handle
        );
    }
    let Some(nft) = nft_syntax(fam, model) else {
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

/// What every version's findings about one rule share, each made the first
/// time a finding needs it.
struct RuleTexts<'x, 'a> {
    v6: bool,
    table: &'x str,
    chain: &'x nflens_wire::Chain<'a>,
    /// The rule's place in its chain (0-based).
    index: usize,
    rule: &'x nflens_wire::Rule<'a>,
    /// Its expressions, when all of them decoded (not decoded again).
    exprs: Option<&'x [Expr<'a>]>,
    model: Option<nflens_model::Rule>,
    kernel: Option<Option<String>>,
    remedy: Option<String>,
}

impl RuleTexts<'_, '_> {
    fn fam(&self) -> Family {
        if self.v6 {
            Family::Ipv6
        } else {
            Family::Ipv4
        }
    }
    /// The rule lowered to the model, once.
    fn model(&mut self) -> &nflens_model::Rule {
        let (rule, exprs) = (self.rule, self.exprs);
        self.model.get_or_insert_with(|| match exprs {
            Some(e) => lower::rule_decoded(rule, e),
            None => lower::rule(rule),
        })
    }
    /// The rule in nft syntax ([`nft_text`]).
    fn kernel(&mut self) -> Option<String> {
        if self.kernel.is_none() {
            let (fam, rule) = (self.fam(), self.rule);
            let text = nft_text(fam, rule, self.model());
            self.kernel = Some(text);
        }
        self.kernel.clone().flatten()
    }
    /// How to fix it ([`remedy_rule`]).
    fn remedy(&mut self) -> String {
        if self.remedy.is_none() {
            let (fam, v6, table, chain, index, rule) = (
                self.fam(),
                self.v6,
                self.table,
                self.chain,
                self.index,
                self.rule,
            );
            let text = remedy_rule(fam, v6, table, chain, index, rule, self.model());
            self.remedy = Some(text);
        }
        self.remedy.clone().unwrap_or_default()
    }
}

type ChainRules<'r, 'a> = &'r (nflens_wire::Chain<'a>, Vec<nflens_wire::Rule<'a>>);

/// Analyses the nf_tables side for `versions`. Each rule's expressions are
/// decoded once and read as every version reads them.
pub fn analyse(nft: &NftInput<'_>, versions: &[Version]) -> Report {
    analyse_parallel(nft, versions, 1)
}

/// [`analyse`] on up to `threads` threads (scoped, joined before it
/// returns): a large table's chains are cut into runs of about the same
/// number of rules, each read by one thread, and the runs' results joined in
/// order. The report is the same as [`analyse`]'s.
pub fn analyse_parallel(nft: &NftInput<'_>, versions: &[Version], threads: usize) -> Report {
    let mut rep = Report {
        versions: versions.to_vec(),
        ..Report::default()
    };
    let mut per: Vec<Vec<TableReport>> = vec![Vec::new(); versions.len()];
    let mut found: Vec<Vec<Finding>> = vec![Vec::new(); versions.len()];
    for fam in [2u8, 10] {
        for tname in TABLES {
            let Some(table) = nft
                .tables
                .iter()
                .find(|t| t.family == fam && t.name == tname)
            else {
                continue;
            };
            let chains = table_chains(nft, fam, tname);
            let (outs, undecodable) =
                table_all_versions(versions, fam == 10, tname, table, &chains, threads);
            rep.undecodable = rep.undecodable.or(undecodable);
            for (i, (t, f)) in outs.into_iter().enumerate() {
                if let (Some(p), Some(fs)) = (per.get_mut(i), found.get_mut(i)) {
                    p.push(t);
                    fs.extend(f);
                }
            }
        }
    }
    for (i, &v) in versions.iter().enumerate() {
        if let (Some(p), Some(fs)) = (per.get_mut(i), found.get_mut(i)) {
            rep.tables.append(p);
            rep.findings.append(fs);
        }
        invisible(&mut rep, v, nft);
    }
    rep
}

/// The chains of one iptables table, in iptables' order.
fn table_chains<'r, 'a>(nft: &'r NftInput<'a>, fam: u8, tname: &str) -> Vec<ChainRules<'r, 'a>> {
    let mut chains: Vec<ChainRules<'r, 'a>> = nft
        .chains
        .iter()
        .filter(|(c, _)| c.family == fam && c.table == tname)
        .collect();
    ipt_order(&mut chains);
    chains
}

/// What Gates 0 (base chains) and 1 (whitelist) decide about a table.
struct Gate<'a> {
    status: TableStatus,
    hidden: Vec<&'a str>,
    findings: Vec<Finding>,
}

#[allow(clippy::too_many_arguments)]
fn finding(
    v: Version,
    v6: bool,
    table: &str,
    verdict: Verdict,
    chain: Option<&str>,
    handle: Option<u64>,
    expression: Option<String>,
    reason: String,
    message: Option<String>,
    shown: Option<String>,
    kernel: Option<String>,
    remedy: String,
) -> Finding {
    Finding {
        version: v,
        family: if v6 { "ip6" } else { "ip" }.into(),
        table: table.to_owned(),
        chain: chain.map(str::to_owned),
        handle,
        verdict,
        expression,
        reason,
        message,
        shown,
        kernel,
        remedy,
    }
}

fn gate<'a>(v: Version, v6: bool, tname: &str, chains: &[ChainRules<'_, 'a>]) -> Gate<'a> {
    let famname = if v6 { "ip6" } else { "ip" };
    let all: Vec<&nflens_wire::Chain<'_>> = chains.iter().map(|(c, _)| c).collect();
    let mut g = Gate {
        status: TableStatus::Ok,
        hidden: Vec::new(),
        findings: Vec::new(),
    };
    for (c, rules) in chains {
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
            g.status = if dup {
                TableStatus::Crash
            } else {
                TableStatus::Incompatible
            };
            g.findings.push(finding(
                v,
                v6,
                tname,
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
            g.hidden.push(c.name);
            if g.status == TableStatus::Ok {
                g.status = TableStatus::Tainted;
            }
            let policy_drop = c.policy == Some(NF_DROP as u32);
            let bdef = h.and_then(|h| builtin(tname, h.num));
            let mut reason = format!("{why}: iptables hides it and its {} rule(s)", rules.len());
            if policy_drop {
                reason.push_str("; its policy drop is invisible to iptables");
            }
            if bdef.is_some_and(|b| b.0 == c.name) {
                let errno = if Some(c.chain_type.unwrap_or("filter")) != bdef.map(|b| b.1) {
                    "File exists"
                } else {
                    "Operation not supported"
                };
                reason.push_str(&format!(
                    "; iptables shows a fake empty `:{} ACCEPT [0:0]` and `{} -A {}` fails with `CHAIN_ADD failed ({errno}): chain {}`",
                    c.name, prog(v6), c.name, c.name
                ));
            }
            g.findings.push(finding(
                v, v6, tname, Verdict::Tainted, Some(c.name), None, None, reason,
                Some(format!("# Table `{tname}' contains incompatible base-chains, use 'nft' tool to list them.")),
                None, None, remedy,
            ));
        }
    }
    g
}

/// Gate 1 for one rule: the first expression not on `v`'s whitelist.
fn gate1_finding(v: Version, exprs: &[Expr<'_>], texts: &mut RuleTexts<'_, '_>) -> Option<Finding> {
    let (v6, tname, c, r) = (texts.v6, texts.table, texts.chain, texts.rule);
    let e = exprs.iter().find(|e| !whitelisted(v, e))?;
    let why = match (e.name(), v) {
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
    Some(finding(
        v,
        v6,
        tname,
        Verdict::Incompatible,
        Some(c.name),
        Some(r.handle),
        Some(expr_text(e)),
        why,
        Some(msg),
        None,
        texts.kernel(),
        texts.remedy(),
    ))
}

/// Whether Gate 1 refuses a rule in version `v`.
fn refused(v: Version, r: &nflens_wire::Rule<'_>) -> bool {
    r.exprs
        .iter()
        .filter_map(Result::ok)
        .any(|e| !whitelisted(v, &e))
}

/// A slice of one chain's rules: the chain, and the index of the first
/// rule and the rules (`index` counts from the chain's first rule).
type Piece<'c, 'r, 'a> = (ChainRules<'r, 'a>, usize, &'c [nflens_wire::Rule<'a>]);

/// Cuts the rules of `chains`, in order, into `n` runs of about the same
/// number of rules (a long chain may be cut).
fn runs<'c, 'r, 'a>(chains: &'c [ChainRules<'r, 'a>], n: usize) -> Vec<Vec<Piece<'c, 'r, 'a>>> {
    let total: usize = chains.iter().map(|(_, r)| r.len()).sum();
    let per = total.div_ceil(n.max(1)).max(1);
    let mut out: Vec<Vec<Piece<'c, 'r, 'a>>> = vec![Vec::new()];
    let mut room = per;
    for &c in chains {
        let mut rest: &'c [nflens_wire::Rule<'a>] = &c.1;
        let mut start = 0;
        loop {
            let take = rest.len().min(room);
            let (now, later) = rest.split_at(take);
            if let Some(run) = out.last_mut() {
                run.push((c, start, now));
            }
            room -= take;
            start += take;
            rest = later;
            if room == 0 {
                out.push(Vec::new());
                room = per;
            }
            if rest.is_empty() {
                break;
            }
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// Gates 1 and 2 for every version over a run of chains.
fn scan<'a>(
    versions: &[Version],
    v6: bool,
    tname: &str,
    gates: &[Gate<'_>],
    run: &[Piece<'_, '_, 'a>],
) -> Vec<Scan> {
    let model_fam = if v6 { Family::Ipv6 } else { Family::Ipv4 };
    let mut scratch: Vec<Expr<'a>> = Vec::new();
    let mut sts: Vec<Scan> = versions.iter().map(|_| Scan::default()).collect();
    let mut texts_of = SharedTexts::default();
    for &((c, _), first, rules) in run {
        for (index, r) in (first..).zip(rules) {
            scratch.clear();
            let mut bad = None;
            scratch.extend(
                r.exprs
                    .iter()
                    .filter_map(|e| e.map_err(|e| bad = Some(e)).ok()),
            );
            bad = bad.or_else(|| scratch.iter().find_map(nested_error));
            let complete = bad.is_none();
            if bad.is_some() {
                for st in sts.iter_mut().filter(|st| st.undecodable.is_none()) {
                    st.undecodable = bad;
                }
            }
            let mut texts = RuleTexts {
                v6,
                table: tname,
                chain: c,
                index,
                rule: r,
                exprs: complete.then_some(&scratch[..]),
                model: None,
                kernel: None,
                remedy: None,
            };
            let mut shared: Option<Parsed> = None;
            for ((&v, st), g) in versions.iter().zip(sts.iter_mut()).zip(gates) {
                if g.status == TableStatus::Crash || g.hidden.contains(&c.name) {
                    continue;
                }
                if let Some(f) = gate1_finding(v, &scratch, &mut texts) {
                    st.gate1.push(f);
                    continue;
                }
                if !st.gate1.is_empty() {
                    // Incompatible already: iptables parses nothing of it.
                    continue;
                }
                // A parse the version did not decide is every version's.
                let p = match &shared {
                    Some(p) => Parsed::clone(p),
                    None => {
                        let p = parse(v, v6, r, &scratch, false);
                        if !p.versioned {
                            shared = Some(p.clone());
                        }
                        p
                    }
                };
                if let Some((msg, expr)) = &p.error {
                    st.gate2.push(finding(
                        v, v6, tname, Verdict::ParseError, Some(c.name), Some(r.handle), Some(expr.clone()),
                        format!("iptables-nft {v} cannot parse this rule: {msg}; listing stops here (exit 3)"),
                        Some(format!(
                            "Error: {msg}\n{} v{v} (nf_tables): Parsing nftables rule failed\nPerhaps {} or your kernel needs to be upgraded.",
                            prog(v6),
                            prog(v6)
                        )),
                        None, texts.kernel(), texts.remedy(),
                    ));
                    st.failed = true;
                    continue;
                }
                if !st.failed {
                    st.lines += 1;
                }
                if p.notes.is_empty() {
                    continue;
                }
                let full = parse(v, v6, r, &scratch, true);
                let mut shown = format!("-A {}", c.name);
                let shown_ok = ipt_render::rule(&full.shown, model_fam, &mut shown).is_ok();
                let kernel = texts.kernel();
                // Version skew: a newer iptables-nft wrote it natively; the
                // fix is the reader, not the rule.
                let skew = p.notes.iter().filter_map(|n| n.native_since).max();
                let remedy = match skew {
                    Some(since) if p.notes.iter().all(|n| n.native_since.is_some()) => {
                        texts_of.skew_remedy(v, since)
                    }
                    _ => texts.remedy(),
                };
                for n in &p.notes {
                    let (verdict, reason) = match &n.problem {
                        Problem::Fails(msg) => (
                            Verdict::SilentDrop,
                            texts_of.silent_reason(v, n.native_since, msg),
                        ),
                        Problem::Misread(why) => (Verdict::Misrendered, why.clone()),
                    };
                    st.gate2.push(finding(
                        v,
                        v6,
                        tname,
                        verdict,
                        Some(c.name),
                        Some(r.handle),
                        Some(n.expr.clone()),
                        reason,
                        None,
                        shown_ok.then(|| shown.clone()),
                        kernel.clone(),
                        remedy.clone(),
                    ));
                }
            }
        }
    }
    sts
}

/// The first error in the expressions nested in `e` (dynset's, inner's).
fn nested_error(e: &Expr<'_>) -> Option<nflens_wire::DecodeError> {
    let list = match e {
        Expr::Dynset(d) => d.exprs,
        Expr::Inner(i) => i.expr,
        _ => return None,
    };
    list.iter().find_map(|x| match x {
        Ok(x) => nested_error(&x),
        Err(e) => Some(e),
    })
}

/// A silent drop's version, the version that writes the part natively, and
/// iptables' message.
type SilentKey = (Version, Option<Version>, String);

/// Finding texts that depend only on the version and the problem, not on
/// the rule: made once per run (a large ruleset repeats them thousands of
/// times).
#[derive(Default)]
struct SharedTexts {
    skew: Vec<((Version, Version), String)>,
    silent: Vec<(SilentKey, String)>,
}

impl SharedTexts {
    fn skew_remedy(&mut self, v: Version, since: Version) -> String {
        if let Some((_, t)) = self.skew.iter().find(|(k, _)| *k == (v, since)) {
            return t.clone();
        }
        let t = format!(
            "use iptables-nft {since} or later everywhere this table is read or written (host and container images, e.g. kube-proxy): iptables-nft {since}+ wrote this rule in a form {v} cannot read"
        );
        self.skew.push(((v, since), t.clone()));
        t
    }

    fn silent_reason(&mut self, v: Version, since: Option<Version>, msg: &str) -> String {
        let hit = self
            .silent
            .iter()
            .find(|((kv, ks, km), _)| *kv == v && *ks == since && km == msg);
        if let Some((_, t)) = hit {
            return t.clone();
        }
        let t = match since {
            Some(since) => format!(
                "iptables-nft {v} does not understand this part and drops it without a word (1.8.9+ would say `Error: {msg}`); version skew: iptables-nft {since}+ writes it natively, so a rule written by a newer iptables is shown without it"
            ),
            None => format!(
                "iptables-nft {v} does not understand this part and drops it without a word (1.8.9+ would say `Error: {msg}`)"
            ),
        };
        self.silent.push(((v, since, msg.to_owned()), t.clone()));
        t
    }
}

/// What one version saw in a run of chains (Gates 1 and 2).
#[derive(Default)]
struct Scan {
    gate1: Vec<Finding>,
    gate2: Vec<Finding>,
    /// A rule failed to parse (≥ 1.8.9): listing stopped there.
    failed: bool,
    /// `-A` lines listed before that.
    lines: usize,
    /// The first expression that did not decode.
    undecodable: Option<nflens_wire::DecodeError>,
}

impl Scan {
    /// This run followed by the next one, as one pass over both would
    /// have seen them.
    fn then(mut self, next: Scan) -> Scan {
        self.gate1.extend(next.gate1);
        // Once Gate 1 refused a rule, Gate 2 findings are dropped anyway.
        self.gate2.extend(next.gate2);
        if !self.failed {
            self.lines += next.lines;
        }
        self.failed |= next.failed;
        self.undecodable = self.undecodable.or(next.undecodable);
        self
    }
}

/// Two runs' scans, version by version.
fn join_scans(a: Vec<Scan>, b: Vec<Scan>) -> Vec<Scan> {
    a.into_iter().zip(b).map(|(a, b)| a.then(b)).collect()
}

/// Below this many rules a table is read on one thread.
const PARALLEL_MIN_RULES: usize = 4096;

/// One table for every version: base chains, then one pass over the rules
/// (Gate 1 and Gate 2 for each version from one decoding), cut into up to
/// `threads` runs of whole chains.
fn table_all_versions<'a>(
    versions: &[Version],
    v6: bool,
    tname: &str,
    table: &nflens_wire::Table<'_>,
    chains: &[ChainRules<'_, 'a>],
    threads: usize,
) -> (
    Vec<(TableReport, Vec<Finding>)>,
    Option<nflens_wire::DecodeError>,
) {
    let famname = if v6 { "ip6" } else { "ip" };
    let gates: Vec<Gate<'_>> = versions
        .iter()
        .map(|&v| gate(v, v6, tname, chains))
        .collect();
    let total: usize = chains.iter().map(|(_, r)| r.len()).sum();
    let threads = if total < PARALLEL_MIN_RULES {
        1
    } else {
        threads.max(1)
    };
    // More runs than threads, taken in turn: findings (which cost most)
    // cluster in some chains, so equal runs of rules are not equal work.
    let runs = runs(chains, if threads < 2 { 1 } else { threads * 8 });
    let scans: Vec<Scan> = if threads < 2 || runs.len() < 2 {
        runs.iter()
            .map(|run| scan(versions, v6, tname, &gates, run))
            .reduce(join_scans)
            .unwrap_or_else(|| versions.iter().map(|_| Scan::default()).collect())
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(run) = runs.get(i) else { break };
                done.push((i, scan(versions, v6, tname, &gates, run)));
            }
            done
        };
        let mut parts: Vec<(usize, Vec<Scan>)> = std::thread::scope(|sc| {
            let helpers: Vec<_> = (1..threads).map(|_| sc.spawn(work)).collect();
            let mut parts = work();
            for h in helpers {
                // A helper that panicked (a bug) leaves its runs undone:
                // they are read again below.
                parts.extend(h.join().unwrap_or_default());
            }
            parts
        });
        parts.sort_by_key(|p| p.0);
        let mut joined: Option<Vec<Scan>> = None;
        for (i, run) in runs.iter().enumerate() {
            let done = parts
                .binary_search_by_key(&i, |p| p.0)
                .ok()
                .and_then(|k| parts.get_mut(k))
                .map(|p| std::mem::take(&mut p.1));
            let part = done.unwrap_or_else(|| scan(versions, v6, tname, &gates, run));
            joined = Some(match joined {
                Some(j) => join_scans(j, part),
                None => part,
            });
        }
        joined.unwrap_or_else(|| versions.iter().map(|_| Scan::default()).collect())
    };
    let kernel_rules = chains.iter().map(|(_, r)| r.len()).sum();
    let undecodable = scans.iter().find_map(|s| s.undecodable);
    let outs = versions
        .iter()
        .zip(gates)
        .zip(scans)
        .map(|((&v, g), st)| {
            let mut findings = g.findings;
            let mut status = g.status;
            let mut rule_lines = 0;
            if status == TableStatus::Crash {
            } else if !st.gate1.is_empty() {
                status = TableStatus::Incompatible;
                findings.extend(st.gate1);
            } else if status == TableStatus::Incompatible {
                // 1.8.7: a base chain made it incompatible.
            } else {
                if table.flags & 1 != 0 {
                    findings.push(finding(
                        v, v6, tname, Verdict::Misrendered, None, None, None,
                        "the table is dormant (flags dormant): none of its chains run, but iptables lists it as active".into(),
                        None, None, None,
                        format!("remove the flag (`nft add table {famname} {tname}` with no flags) or the table, so what iptables shows is what runs"),
                    ));
                }
                if st.failed {
                    status = TableStatus::ParseError;
                }
                findings.extend(st.gate2);
                rule_lines = st.lines;
            }
            (
                TableReport {
                    version: v,
                    family: famname.into(),
                    table: tname.to_owned(),
                    status,
                    rule_lines,
                    kernel_rules,
                },
                findings,
            )
        })
        .collect();
    (outs, undecodable)
}

/// The `iptables-nft-save` (`ip6 = false`) or `ip6tables-nft-save` output
/// version `v` would print for this ruleset, without the dated header and
/// footer comments. `None` when a rule it shows has no spelling nflens
/// knows (an xt extension nflens does not decode, say).
///
/// An ipset match (`-m set`) holds the set's kernel index, not its name:
/// without names such a rule has no spelling. [`predict_save_with`] takes
/// them (`nflens::predict_save` asks the kernel, as iptables does).
pub fn predict_save(
    nft: &NftInput<'_>,
    v: Version,
    ip6: bool,
    legacy_present: bool,
) -> Option<String> {
    predict_save_with(nft, v, ip6, legacy_present, |_| None)
}

/// [`predict_save`] with `ipset_name(index)` naming the ipsets rules refer
/// to by kernel index.
pub fn predict_save_with<'n>(
    nft: &NftInput<'_>,
    v: Version,
    ip6: bool,
    legacy_present: bool,
    ipset_name: impl Fn(u16) -> Option<&'n str>,
) -> Option<String> {
    let fam = if ip6 { 10 } else { 2 };
    let model_fam = if ip6 { Family::Ipv6 } else { Family::Ipv4 };
    let mut out = String::new();
    if legacy_present {
        out.push_str(&format!(
            "# Warning: iptables-legacy tables present, use {}-legacy-save to see them\n",
            prog(ip6)
        ));
    }
    let mut scratch = Vec::new();
    for tname in TABLES {
        if !nft
            .tables
            .iter()
            .any(|t| t.family == fam && t.name == tname)
        {
            continue;
        }
        let chains = table_chains(nft, fam, tname);
        let g = gate(v, ip6, tname, &chains);
        let refused_any = !g.status.unreadable()
            && chains
                .iter()
                .filter(|(c, _)| !g.hidden.contains(&c.name))
                .any(|(_, rules)| rules.iter().any(|r| refused(v, r)));
        if g.status.unreadable() || refused_any {
            out.push_str(&format!(
                "# Table `{tname}' is incompatible, use 'nft' tool.\n{}",
                nl_if_old(v)
            ));
            continue;
        }
        if g.status == TableStatus::Tainted {
            out.push_str(&format!("# Table `{tname}' contains incompatible base-chains, use 'nft' tool to list them.\n"));
        }
        let mut shown = Table {
            family: model_fam,
            name: tname.into(),
            handle: None,
            dormant: false,
            sets: Vec::new(),
            objects: Vec::new(),
            chains: Vec::new(),
        };
        let mut failed = false;
        for (c, rules) in chains.iter().filter(|(c, _)| !g.hidden.contains(&c.name)) {
            let mut ch = lower::chain(c);
            for r in rules {
                scratch.clear();
                scratch.extend(r.exprs.iter().filter_map(Result::ok));
                let mut p = parse(v, ip6, r, &scratch, true);
                if p.error.is_some() {
                    failed = true;
                    break;
                }
                p.shown.resolve_ipsets(&ipset_name);
                let mut probe = String::new();
                ipt_render::rule(&p.shown, model_fam, &mut probe).ok()?;
                ch.rules.push(p.shown);
            }
            shown.chains.push(ch);
            if failed {
                break;
            }
        }
        let rs = nflens_model::Ruleset {
            family: model_fam,
            backend: nflens_model::Backend::NfTables,
            writer: None,
            tables: vec![shown],
            diagnostics: Vec::new(),
        };
        let text = ipt_render::ruleset(&rs, model_fam, ipt_render::Options::default()).text;
        if failed {
            // The listing stops at the failing rule: no COMMIT, no more tables.
            out.push_str(text.strip_suffix("COMMIT\n").unwrap_or(&text));
            break;
        }
        out.push_str(&text);
    }
    Some(out)
}

/// Base chains iptables never reads that hook the same points as its
/// tables (COMPAT.md §5, IPT_INVISIBLE).
fn invisible(rep: &mut Report, v: Version, nft: &NftInput<'_>) {
    for (c, rules) in &nft.chains {
        let Some(h) = c.hook.as_ref() else { continue };
        let in_scope = reads_table(c.family, c.table);
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
