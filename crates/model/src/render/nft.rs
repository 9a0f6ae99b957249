//! Model → nft syntax, as `nft list ruleset` prints it.
//!
//! Tables, chains (type, hook, devices, priority by its standard name with
//! an offset, policy), and rules whose conditions and actions have typed
//! kinds. The model is lossy: a protocol test prints as `meta l4proto`
//! unless a port or flag test of the same protocol follows (nft drops such
//! a dependency when it lists); a counter prints before the verdict, where
//! iptables-nft puts it. What nflens only holds as raw expressions
//! ([`MatchKind::Nft`], [`ActionKind::Nft`]) has no nft spelling yet: the
//! rule is printed as a `#` comment with its expressions and listed in
//! [`Output::unrepresentable`].

use std::fmt::Write as _;
use std::net::IpAddr;

use nflens_xtables::value::Ntop;

use super::field::{
    expr_types, exprs_text, field_text, jhash_text, keys_text, tuple_text, value_text, ValueOpts,
};
use super::{neg, one_line, ports_text, Output, Unrepresentable};
use crate::field::{
    CmpOp, Datatype, FieldTest, Header, InnerKey, Key, MetaKey, PayloadBase, Tunnel, Value,
};
use crate::types::*;

/// Which nft's listing to reproduce: nft 1.1 changed a few spellings
/// (`ip frag-off 0xde` for `222`, `tcp flags & (fin | syn) != syn` for
/// `tcp flags != syn / fin,syn`, MPTCP subtypes by name, `burst 5
/// packets` always, `meta mark & 0xffffff00 == 0xffffff00` for `meta mark
/// 0xffffff00/24`, a negated `meta hour` range the other way round) and
/// keeps a `meta nfproto` before `ct protocol` that 1.0 leaves out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dialect {
    /// nft 1.0.x (Debian 12, Ubuntu 22.04 and 24.04, RHEL 9).
    #[default]
    Nft1_0,
    /// nft 1.1 and later.
    Nft1_1,
}

/// Listing options, as `nft` takes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// `-s`: omit stateful information (counter values).
    pub stateless: bool,
    /// `-n`: fully numeric (protocols, priorities, symbolic constants).
    pub numeric: bool,
    /// `-p`: layer-4 protocols as numbers.
    pub numeric_proto: bool,
    /// `-y`: chain priorities as numbers.
    pub numeric_prio: bool,
    /// `-T`: times as seconds (`ct expiration 90s`).
    pub numeric_time: bool,
    /// `-a`: `# handle N` after tables, chains and rules.
    pub handles: bool,
    /// Seconds east of UTC that `meta time` and `meta hour` values print
    /// in (nft prints them in the local time zone; 0 prints UTC).
    pub utc_offset: i32,
    /// Which nft's spelling.
    pub dialect: Dialect,
}

impl Options {
    fn num_proto(&self) -> bool {
        self.numeric || self.numeric_proto
    }
    fn num_prio(&self) -> bool {
        self.numeric || self.numeric_prio
    }
    fn values(&self) -> ValueOpts {
        ValueOpts {
            numeric: self.numeric,
            numeric_proto: self.num_proto(),
            numeric_time: self.numeric || self.numeric_time,
            utc_offset: self.utc_offset,
            dialect: self.dialect,
            stateless: self.stateless,
        }
    }
}

/// The nft name of a family.
pub fn family_name(f: Family) -> &'static str {
    match f {
        Family::Ipv4 => "ip",
        Family::Ipv6 => "ip6",
        Family::Inet => "inet",
        Family::Arp => "arp",
        Family::Bridge => "bridge",
        Family::Netdev => "netdev",
    }
}

fn hook_name(h: Hook) -> &'static str {
    match h {
        Hook::Prerouting => "prerouting",
        Hook::Input => "input",
        Hook::Forward => "forward",
        Hook::Output => "output",
        Hook::Postrouting => "postrouting",
        Hook::Ingress => "ingress",
        Hook::Egress => "egress",
    }
}

/// A priority as nft prints it: a standard name within 10 of the value
/// (`filter + 10`, `srcnat`), when that name is valid for the family and
/// hook (nftables' `std_prio_family_hook_compat`), else the number.
pub fn priority_text(family: Family, hook: Option<Hook>, prio: i32, numeric: bool) -> String {
    if !numeric {
        let table: &[(i32, &str)] = if family == Family::Bridge {
            &[
                (-300, "dstnat"),
                (-200, "filter"),
                (100, "out"),
                (300, "srcnat"),
            ]
        } else {
            &[
                (-300, "raw"),
                (-150, "mangle"),
                (-100, "dstnat"),
                (0, "filter"),
                (50, "security"),
                (100, "srcnat"),
            ]
        };
        let inet = matches!(family, Family::Ipv4 | Family::Ipv6 | Family::Inet);
        for &(std, name) in table {
            let off = i64::from(prio) - i64::from(std);
            if off.abs() > 10 {
                continue;
            }
            let ok = match (family, name) {
                (Family::Bridge, "dstnat") => hook == Some(Hook::Prerouting),
                (Family::Bridge, "filter") => true,
                (Family::Bridge, "out") => hook == Some(Hook::Output),
                (Family::Bridge, "srcnat") => hook == Some(Hook::Postrouting),
                (_, "filter") => inet || matches!(family, Family::Arp | Family::Netdev),
                (_, "raw" | "mangle" | "security") => inet,
                (_, "dstnat") => inet && matches!(hook, Some(Hook::Prerouting | Hook::Output)),
                (_, "srcnat") => inet && matches!(hook, Some(Hook::Input | Hook::Postrouting)),
                _ => false,
            };
            if !ok {
                continue;
            }
            return match off {
                0 => name.to_owned(),
                o if o > 0 => format!("{name} + {o}"),
                o => format!("{name} - {}", -o),
            };
        }
    }
    prio.to_string()
}

/// Renders a whole ruleset.
pub fn ruleset(rs: &Ruleset, opts: Options) -> Output {
    let mut out = Output::default();
    for t in &rs.tables {
        table(t, opts, &mut out);
    }
    out
}

fn handle(opts: Options, h: Option<u64>, out: &mut String) {
    if let (true, Some(h)) = (opts.handles, h) {
        let _ = write!(out, " # handle {h}");
    }
}

/// Renders one table.
pub fn table(t: &Table, opts: Options, out: &mut Output) {
    let _ = write!(out.text, "table {} {} {{", family_name(t.family), t.name);
    handle(opts, t.handle, &mut out.text);
    out.text.push('\n');
    if t.dormant {
        out.text.push_str("\tflags dormant\n");
    }
    // Objects, then sets, as nft lists them; one it cannot spell is a
    // `#` line.
    let objects = t
        .objects
        .iter()
        .map(|ob| ("object", &*ob.name, object_block(ob, opts)));
    let sets = t.sets.iter().map(|s| ("set", &*s.name, set_block(s, opts)));
    for (i, (what, name, block)) in objects.chain(sets).enumerate() {
        if i > 0 || t.dormant {
            out.text.push('\n');
        }
        match block {
            Ok(text) => out.text.push_str(&text),
            Err(reason) => {
                let _ = writeln!(
                    out.text,
                    "\t# nflens: {what} {name} has no nft spelling yet: {reason}"
                );
                out.unrepresentable.push(Unrepresentable {
                    table: t.name.clone(),
                    chain: "".into(),
                    index: None,
                    origin: None,
                    reason: format!("{what} {name}: {reason}").into(),
                });
            }
        }
    }
    for (ci, c) in t.chains.iter().enumerate() {
        if ci > 0 || t.dormant || !t.sets.is_empty() || !t.objects.is_empty() {
            out.text.push('\n');
        }
        let _ = write!(out.text, "\tchain {} {{", c.name);
        handle(opts, c.handle, &mut out.text);
        out.text.push('\n');
        if let Some(h) = c.hook {
            let (kind, prio, devices) = match &c.base {
                Some(b) => (&*b.kind, b.priority, &b.devices[..]),
                None => ("filter", xtables_priority(&t.name, h), &[][..]),
            };
            let _ = write!(out.text, "\t\ttype {kind} hook {}", hook_name(h));
            match devices {
                [] => {}
                [d] => {
                    let _ = write!(out.text, " device \"{d}\"");
                }
                ds => {
                    out.text.push_str(" devices = { ");
                    for (i, d) in ds.iter().enumerate() {
                        if i > 0 {
                            out.text.push_str(", ");
                        }
                        out.text.push_str(d);
                    }
                    out.text.push_str(" }");
                }
            }
            let _ = writeln!(
                out.text,
                " priority {}; policy {};",
                priority_text(t.family, Some(h), prio, opts.num_prio()),
                if c.policy == Some(Policy::Drop) {
                    "drop"
                } else {
                    "accept"
                }
            );
        }
        for (i, r) in c.rules.iter().enumerate() {
            let mut line = String::from("\t\t");
            match rule(r, t.family, opts, &mut line) {
                Ok(()) => {
                    if let Origin::Handle { handle: h } = r.origin {
                        handle(opts, Some(h), &mut line);
                    }
                    out.text.push_str(&line);
                    out.text.push('\n');
                }
                Err(reason) => {
                    let _ = writeln!(
                        out.text,
                        "\t\t# nflens: rule {} has no nft spelling yet: {reason}",
                        i + 1
                    );
                    out.unrepresentable.push(Unrepresentable {
                        table: t.name.clone(),
                        chain: c.name.clone(),
                        index: Some(i),
                        origin: Some(r.origin),
                        reason: reason.into(),
                    });
                }
            }
        }
        out.text.push_str("\t}\n");
    }
    out.text.push_str("}\n");
}

/// A set's key or a map's data as its declaration says it: `ipv4_addr .
/// inet_service`, or with `typeof`, `ip saddr . tcp dport`.
fn set_fields_text(fields: &[SetField]) -> Result<String, String> {
    let parts: Vec<String> = fields
        .iter()
        .map(|f| match f {
            SetField::Type(t) => t
                .name()
                .map(str::to_owned)
                .ok_or_else(|| format!("nft datatype {} nflens does not name", t.0)),
            SetField::Typeof(k) => Ok(k.to_string()),
        })
        .collect::<Result<_, _>>()?;
    Ok(parts.join(" . "))
}

/// nft's name of a stateful object type (`NFT_OBJECT_*`: `counter`, `ct helper`).
pub fn object_type_name(n: u32) -> Option<&'static str> {
    Some(match n {
        1 => "counter",
        2 => "quota",
        3 => "ct helper",
        4 => "limit",
        7 => "ct timeout",
        8 => "secmark",
        9 => "ct expectation",
        10 => "synproxy",
        _ => return None,
    })
}

/// nft's objref statement: `counter name "c1"`, `ct helper set "ftp"`,
/// `quota name ip saddr map { 10.0.0.1 : "q1" }`.
fn objref_text(ty: u32, target: &ObjTarget, o: ValueOpts) -> Result<String, String> {
    let verb = match ty {
        3 => "ct helper set".to_owned(),
        7 => "ct timeout set".to_owned(),
        8 => "meta secmark set".to_owned(),
        9 => "ct expectation set".to_owned(),
        _ => match object_type_name(ty) {
            Some(name) => format!("{name} name"),
            None => return Err(format!("an object of type {ty}")),
        },
    };
    let what = match target {
        ObjTarget::Name(name) => quoted(name),
        ObjTarget::Map { keys, elems } => map_text(keys, elems, "map", o, |n| Ok(quoted(n)))?,
        ObjTarget::MapRef { keys, map } => format!("{} map @{map}", exprs_text(keys, o)),
    };
    Ok(format!("{verb} {what}"))
}

/// A stateful object as `nft list ruleset` prints it, tab-indented within
/// its table.
fn object_block(ob: &NamedObject, opts: Options) -> Result<String, String> {
    let ty = ob.kind.type_number();
    let type_name = object_type_name(ty).ok_or_else(|| format!("object type {ty}"))?;
    let mut t = format!("\t{type_name} {} {{", ob.name);
    handle(opts, ob.handle, &mut t);
    if let Some(c) = &ob.comment {
        let _ = write!(t, "\n\t\tcomment {}", quoted(c));
    }
    let mut lines: Vec<String> = Vec::new();
    match &ob.kind {
        ObjectKind::Counter { packets, bytes } => {
            if !opts.stateless {
                lines.push(format!("packets {packets} bytes {bytes}"));
            }
        }
        ObjectKind::Quota { bytes, used, over } => {
            let mut l = format!("{}{}", if *over { "over " } else { "" }, bytes_text(*bytes));
            if !opts.stateless && *used != 0 {
                let _ = write!(l, " used {}", bytes_text(*used));
            }
            lines.push(l);
        }
        ObjectKind::Limit {
            rate,
            unit,
            burst,
            bytes,
            over,
        } => {
            // nft 1.1 still leaves out an object's default burst of 5.
            lines.push(
                rate_text(*rate, *unit, *burst, *bytes, *over, Dialect::Nft1_0)
                    .ok_or_else(|| format!("a limit per {unit} s"))?,
            );
        }
        ObjectKind::CtHelper {
            helper,
            l3proto,
            l4proto,
        } => {
            lines.push(format!(
                "type {} protocol {}",
                quoted(helper),
                proto_name(*l4proto)
            ));
            lines.push(format!("l3proto {}", nfproto_name(*l3proto)?));
        }
        ObjectKind::CtTimeout {
            l3proto,
            l4proto,
            timeouts,
        } => {
            lines.push(format!("protocol {}", proto_name(*l4proto)));
            lines.push(format!("l3proto {}", nfproto_name(*l3proto)?));
            lines.push(format!(
                "policy = {{ {} }}",
                timeout_policy(*l4proto, timeouts)?
            ));
        }
        ObjectKind::CtExpect {
            l3proto,
            l4proto,
            dport,
            timeout,
            size,
        } => {
            lines.push(format!("protocol {}", proto_name(*l4proto)));
            lines.push(format!("dport {dport}"));
            lines.push(format!(
                "timeout {}",
                ms_text(u64::from(*timeout), opts.values())
            ));
            lines.push(format!("size {size}"));
            lines.push(format!("l3proto {}", nfproto_name(*l3proto)?));
        }
        ObjectKind::Synproxy { mss, wscale, flags } => {
            lines.push(format!("mss {mss}"));
            lines.push(format!("wscale {wscale}"));
            // NF_SYNPROXY_OPT_TIMESTAMP, NF_SYNPROXY_OPT_SACK_PERM
            let ts = if flags & 0x08 != 0 { "timestamp" } else { "" };
            let sack = if flags & 0x04 != 0 { "sack-perm" } else { "" };
            if flags & 0x0c != 0 {
                lines.push(format!("{ts} {sack}"));
            }
        }
        ObjectKind::Secmark { ctx } => lines.push(quoted(ctx)),
        ObjectKind::Other { ty } => return Err(format!("object type {ty}")),
    }
    for l in lines {
        let _ = write!(t, "\n\t\t{l}");
    }
    t.push_str("\n\t}\n");
    Ok(t)
}

/// An object's protocol: by name even with `-n` and `-p`, as nft prints
/// it.
fn proto_name(p: u8) -> String {
    proto_text(p, Options::default())
}

/// nft's name of a protocol family (`NFPROTO_*`), as `l3proto` prints it.
fn nfproto_name(n: u16) -> Result<&'static str, String> {
    u8::try_from(n)
        .ok()
        .and_then(crate::nft::family)
        .map(family_name)
        .ok_or_else(|| format!("l3proto {n}"))
}

/// The conntrack states nft names in a timeout policy, and the timeout
/// nft gives each when the policy leaves it out (nft prints the others),
/// per protocol: the kernel's `CTA_TIMEOUT_*` attribute is the index + 1.
fn timeout_states(l4proto: u8) -> Option<&'static [(&'static str, u32)]> {
    Some(match l4proto {
        6 => &[
            ("syn_sent", 120),
            ("syn_recv", 60),
            ("established", 432_000),
            ("fin_wait", 120),
            ("close_wait", 60),
            ("last_ack", 30),
            ("time_wait", 120),
            ("close", 10),
            ("syn_sent2", 120),
            ("retransmit", 300),
            ("unacknowledged", 300),
        ],
        17 => &[("unreplied", 30), ("replied", 120)],
        _ => return None,
    })
}

/// `state : seconds, ...` of the states whose timeout is not nft's default.
fn timeout_policy(l4proto: u8, timeouts: &[(u16, u32)]) -> Result<String, String> {
    let states =
        timeout_states(l4proto).ok_or_else(|| format!("a timeout policy of protocol {l4proto}"))?;
    let mut items = Vec::new();
    for &(attr, secs) in timeouts {
        let Some(&(name, default)) = usize::from(attr).checked_sub(1).and_then(|i| states.get(i))
        else {
            return Err(format!("timeout state {attr} of protocol {l4proto}"));
        };
        if secs != default {
            items.push(format!("{name} : {secs}"));
        }
    }
    Ok(items.join(", "))
}

/// A named set or map as `nft list ruleset` prints it, tab-indented
/// within its table.
fn set_block(s: &NamedSet, opts: Options) -> Result<String, String> {
    let o = opts.values();
    let mut t = String::new();
    let is_map = s.data.is_some();
    let _ = write!(t, "\t{} {} {{", if is_map { "map" } else { "set" }, s.name);
    handle(opts, s.handle, &mut t);
    let typeof_ = s.key.iter().any(|f| matches!(f, SetField::Typeof(_)));
    let _ = write!(
        t,
        "\n\t\t{} {}",
        if typeof_ { "typeof" } else { "type" },
        set_fields_text(&s.key)?
    );
    match &s.data {
        None => {}
        Some(SetData::Verdict) => t.push_str(" : verdict"),
        Some(SetData::Values { parts, interval }) => {
            let _ = write!(
                t,
                " : {}{}",
                if *interval { "interval " } else { "" },
                set_fields_text(parts)?
            );
        }
        Some(SetData::Object(n)) => {
            let name = object_type_name(*n).ok_or_else(|| format!("object type {n}"))?;
            let _ = write!(t, " : {name}");
        }
    }
    t.push('\n');
    if !s.flags.contains(SetFlags::CONSTANT) {
        if s.policy_memory {
            t.push_str("\t\tpolicy memory\n");
        }
        if let Some(n) = s.size.filter(|&n| n > 0) {
            let _ = writeln!(t, "\t\tsize {n}");
        }
    }
    let shown = [
        (SetFlags::CONSTANT, "constant"),
        (SetFlags::DYNAMIC, "dynamic"),
        (SetFlags::INTERVAL, "interval"),
        (SetFlags::TIMEOUT, "timeout"),
    ];
    // `timeout` alone goes without saying with a default timeout; with
    // another flag nft prints it anyway (it tests the stripped flags for
    // the line, the set's for each word).
    let mut line = s.flags;
    if s.timeout.is_some_and(|t| t > 0) {
        line.remove(SetFlags::TIMEOUT);
    }
    let words: Vec<&str> = shown
        .iter()
        .filter(|(f, _)| s.flags.contains(*f))
        .map(|(_, w)| *w)
        .collect();
    if shown.iter().any(|(f, _)| line.contains(*f)) {
        let _ = writeln!(t, "\t\tflags {}", words.join(","));
    }
    if s.auto_merge {
        t.push_str("\t\tauto-merge\n");
    }
    if let Some(ms) = s.timeout.filter(|&t| t > 0) {
        let _ = writeln!(t, "\t\ttimeout {}", ms_text(ms, o));
    }
    if let Some(ms) = s.gc_interval.filter(|&t| t > 0) {
        let _ = writeln!(t, "\t\tgc-interval {}", ms_text(ms, o));
    }
    if let Some(c) = &s.comment {
        let _ = writeln!(t, "\t\tcomment {}", quoted(c));
    }
    if !s.elems.is_empty() {
        t.push_str("\t\telements = { ");
        // nft puts several short values on a line: five numbers, two
        // addresses or states, else one (`calculate_delim`).
        let per_line = match &s.key[..] {
            [SetField::Type(ty)] => match ty.name() {
                Some(
                    "nf_proto" | "integer" | "arp_op" | "inet_proto" | "inet_service" | "tcp_flag"
                    | "dccp_pkttype" | "mark" | "iface_index" | "classid" | "uid" | "gid"
                    | "ct_dir",
                ) => 5,
                Some("ipv4_addr" | "ct_state" | "ct_status" | "pkt_type") => 2,
                _ => 1,
            },
            // With `typeof`, the key's datatype decides the same way.
            [SetField::Typeof(k)] => match k.datatype() {
                Datatype::Integer
                | Datatype::InetProto
                | Datatype::InetService
                | Datatype::TcpFlags
                | Datatype::Mark
                | Datatype::ArpOp
                | Datatype::NfProto
                | Datatype::DccpType
                | Datatype::IfIndex
                | Datatype::TcHandle
                | Datatype::CtDir => 5,
                Datatype::Ipv4 | Datatype::CtState | Datatype::CtStatus | Datatype::PktType => 2,
                _ => 1,
            },
            _ => 1,
        };
        for (i, e) in s.elems.iter().enumerate() {
            if i > 0 {
                t.push_str(if i % per_line == 0 {
                    ",\n\t\t\t     "
                } else {
                    ", "
                });
            }
            t.push_str(&set_elem_text(s, e, opts, o)?);
        }
        t.push_str(" }\n");
    }
    t.push_str("\t}\n");
    Ok(t)
}

/// One element of a named set or map: key, data, timeout, expiry, comment.
fn set_elem_text(s: &NamedSet, e: &SetElem, opts: Options, o: ValueOpts) -> Result<String, String> {
    let tuple = |fields: &[SetField], vals: &[(Value, Value)]| -> String {
        if vals.is_empty() {
            return "*".into();
        }
        let parts: Vec<String> = fields
            .iter()
            .zip(vals)
            .map(|(f, (lo, hi))| super::field::element_text(f.datatype(), lo, hi, o))
            .collect();
        parts.join(" . ")
    };
    let mut t = tuple(&s.key, &e.key);
    if let Some(ms) = e.timeout.filter(|&ms| Some(ms) != s.timeout && ms > 0) {
        let _ = write!(t, " timeout {}", ms_text(ms, o));
    }
    if let (false, Some(ms)) = (opts.stateless, e.expires.filter(|&ms| ms > 0)) {
        let _ = write!(t, " expires {}", ms_text(ms, o));
    }
    if let Some(c) = &e.comment {
        let _ = write!(t, " comment {}", quoted(c));
    }
    match (&s.data, &e.data) {
        (_, None) => {}
        (_, Some(ElemValue::Verdict(v))) => {
            let _ = write!(t, " : {}", action(v, Family::Inet, o)?);
        }
        (Some(SetData::Values { parts, .. }), Some(ElemValue::Values(v))) => {
            let _ = write!(t, " : {}", tuple(parts, v));
        }
        (_, Some(ElemValue::Object(name))) => {
            let _ = write!(t, " : {}", quoted(name));
        }
        (_, Some(ElemValue::Values(_))) => return Err("data of a map with no data type".into()),
    }
    Ok(t)
}

/// The priority iptables-nft gives a built-in chain of a table.
fn xtables_priority(table: &str, hook: Hook) -> i32 {
    match (table, hook) {
        ("raw", _) => -300,
        ("mangle", _) => -150,
        ("nat", Hook::Prerouting | Hook::Output) => -100,
        ("nat", _) => 100,
        ("security", _) => 50,
        _ => 0,
    }
}

fn proto_text(p: u8, opts: Options) -> String {
    if opts.num_proto() {
        return p.to_string();
    }
    match nflens_xtables::names::proto_name(p) {
        Some(n) => n.to_owned(),
        None => p.to_string(),
    }
}

fn addr_text(net: &IpNet) -> (String, Option<String>) {
    let v = nflens_xtables::value::Net {
        addr: net.addr,
        mask: net.mask,
    };
    match v.prefix_len() {
        Some(32) if net.addr.is_ipv4() => (Ntop(net.addr).to_string(), None),
        Some(128) if net.addr.is_ipv6() => (Ntop(net.addr).to_string(), None),
        Some(len) => (format!("{}/{len}", Ntop(net.addr)), None),
        None => (Ntop(net.addr).to_string(), Some(Ntop(net.mask).to_string())),
    }
}

fn ip_word(a: &IpAddr) -> &'static str {
    if a.is_ipv4() {
        "ip"
    } else {
        "ip6"
    }
}

fn cmp(negated: bool) -> &'static str {
    if negated {
        "!= "
    } else {
        ""
    }
}

fn span_text(s: Span32) -> String {
    if s.lo == s.hi {
        s.lo.to_string()
    } else {
        format!("{}-{}", s.lo, s.hi)
    }
}

pub(crate) const CT_STATE_NAMES: [(u16, &str); 5] = [
    (0x01, "invalid"),
    (0x02, "established"),
    (0x04, "related"),
    (0x08, "new"),
    (0x40, "untracked"),
];
pub(crate) const CT_STATUS_NAMES: [(u32, &str); 7] = [
    (0x01, "expected"),
    (0x02, "seen-reply"),
    (0x04, "assured"),
    (0x08, "confirmed"),
    (0x10, "snat"),
    (0x20, "dnat"),
    (0x200, "dying"),
];
pub(crate) const TCP_FLAG_NAMES: [(u8, &str); 8] = [
    (0x01, "fin"),
    (0x02, "syn"),
    (0x04, "rst"),
    (0x08, "psh"),
    (0x10, "ack"),
    (0x20, "urg"),
    (0x40, "ecn"),
    (0x80, "cwr"),
];

/// `(tcp flags & mask) == set` (`!=` when `negated`) as nft lists it: a
/// flag test (`tcp flags syn,ack`: any of them; `tcp flags ! syn`: none),
/// an equality when the mask is every flag (`tcp flags == syn`), one flag
/// tested against itself (`tcp flags & syn == syn`), else the value under
/// the mask (`tcp flags != syn / fin,syn` in nft 1.0, `tcp flags & (fin |
/// syn) != syn` from 1.1 on).
fn tcp_flags_text(mask: u8, set: u8, negated: bool, opts: Options) -> String {
    let names = |b: u8| bits_text(u64::from(b), &TCP_FLAG_NAMES, opts.numeric);
    let bar = |b: u8| names(b).replace(',', " | ");
    let op = if negated { "!=" } else { "==" };
    match (mask, set) {
        (0xff, v) => {
            let v = if v.count_ones() == 1 {
                names(v)
            } else {
                format!("{v:#x}")
            };
            format!("tcp flags {op} {v}")
        }
        (m, 0) if negated => format!("tcp flags {}", names(m)),
        (m, 0) => format!("tcp flags ! {}", names(m)),
        (m, v) if v == m && m.count_ones() == 1 => {
            format!("tcp flags & {} {op} {}", names(m), names(v))
        }
        (m, v) if opts.dialect == Dialect::Nft1_0 => {
            let ne = if negated { "!= " } else { "" };
            format!("tcp flags {ne}{} / {}", names(v), names(m))
        }
        (m, v) => {
            let m = if m.count_ones() == 1 {
                names(m)
            } else {
                format!("({})", bar(m))
            };
            format!("tcp flags & {m} {op} {}", bar(v))
        }
    }
}

/// Bits as nft lists a bitmask: names in bit order, or `0xN` each when
/// numeric; bits without a name always as hex.
pub(crate) fn bits_text<T: Copy + Into<u64>>(
    bits: u64,
    names: &[(T, &str)],
    numeric: bool,
) -> String {
    let mut parts = Vec::new();
    let mut rest = bits;
    for &(b, name) in names {
        let b: u64 = b.into();
        if bits & b != 0 {
            parts.push(if numeric {
                format!("{b:#x}")
            } else {
                name.to_owned()
            });
            rest &= !b;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        return "0x0".to_owned();
    }
    parts.join(",")
}

/// nft's time units, in seconds.
const UNITS: [(u64, &str); 5] = [
    (1, "second"),
    (60, "minute"),
    (3600, "hour"),
    (86400, "day"),
    (604800, "week"),
];

fn unit_name(secs: u64) -> Option<&'static str> {
    UNITS.iter().find(|u| u.0 == secs).map(|u| u.1)
}

fn limit_text(period: u64) -> String {
    for (secs, unit) in UNITS {
        let scaled = secs * 10_000;
        if period != 0 && scaled % period == 0 {
            return format!("{}/{unit}", scaled / period);
        }
    }
    format!("{}/week", 604800 * 10_000 / period.max(1))
}

/// The compare a port match was written as, if it still says what the
/// match does (`tcp dport > 1023` for `1024-65535`).
fn one_sided(spelling: Spelling, ranges: &[Span32]) -> Option<(CmpOp, Span32)> {
    let (Spelling::Cmp(op), &[s]) = (spelling, ranges) else {
        return None;
    };
    let fits = match op {
        CmpOp::Gt => s.hi == 0xffff && s.lo > 0,
        CmpOp::Ge => s.hi == 0xffff,
        CmpOp::Lt => s.lo == 0 && s.hi < 0xffff,
        CmpOp::Le => s.lo == 0,
        CmpOp::Eq => false,
    };
    fits.then_some((op, s))
}

/// A one-sided port compare: `> 1023`.
fn op_text(op: CmpOp, s: Span32) -> String {
    match op {
        CmpOp::Gt => format!("> {}", s.lo - 1),
        CmpOp::Ge => format!(">= {}", s.lo),
        CmpOp::Lt => format!("< {}", s.hi + 1),
        CmpOp::Le => format!("<= {}", s.hi),
        CmpOp::Eq => span_text(s),
    }
}

/// `rate [over ]N/UNIT[ burst B]` of a limit statement or object: packets,
/// or bytes in the largest unit that divides them; `None` when the period
/// is not one nft names.
fn rate_text(
    rate: u64,
    unit: u64,
    burst: u32,
    bytes: bool,
    over: bool,
    dialect: Dialect,
) -> Option<String> {
    let per = unit_name(unit)?;
    let over = if over { "over " } else { "" };
    Some(if bytes {
        let mut t = format!("rate {over}{}/{per}", bytes_text(rate));
        if burst != 0 {
            let _ = write!(t, " burst {}", bytes_text(u64::from(burst)));
        }
        t
    } else {
        format!("rate {over}{rate}/{per}{}", packets_burst(burst, dialect))
    })
}

/// ` burst N packets`, unless N is unset (0) or, before nft 1.1, nft's
/// default (5): nft 1.1 prints the burst of every packet limit.
fn packets_burst(burst: u32, dialect: Dialect) -> String {
    if burst == 0 || (burst == 5 && dialect == Dialect::Nft1_0) {
        String::new()
    } else {
        format!(" burst {burst} packets")
    }
}

/// A byte count as nft prints one: in the largest of bytes, kbytes and
/// mbytes that divides it (`1025 kbytes`).
fn bytes_text(mut n: u64) -> String {
    let mut unit = "bytes";
    for next in ["kbytes", "mbytes"] {
        if n == 0 || n % 1024 != 0 {
            break;
        }
        n /= 1024;
        unit = next;
    }
    format!("{n} {unit}")
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Renders one rule's statements. Fails with the reason when a part of it
/// has no nft spelling in nflens yet.
pub fn rule(r: &Rule, family: Family, opts: Options, out: &mut String) -> Result<(), String> {
    let mut parts: Vec<String> = Vec::new();
    let l4 = r.matches.iter().find_map(crate::field::l4_fixed);
    let l4_name = |p: Option<u8>| match p {
        Some(6) => Some("tcp"),
        Some(17) => Some("udp"),
        Some(132) => Some("sctp"),
        Some(33) => Some("dccp"),
        Some(136) => Some("udplite"),
        _ => None,
    };
    // The protocol test is an implicit dependency of a later header test of
    // that protocol: nft leaves it out when listing.
    let implies_l4 = |m: &Match| {
        matches!(
            m.kind,
            MatchKind::Port { .. } | MatchKind::PortPair { .. } | MatchKind::TcpFlags { .. }
        ) && l4_name(l4).is_some()
            || matches!(m.kind, MatchKind::Icmp { .. })
    };
    let implied = r.matches.iter().any(implies_l4)
        || l4 == Some(6)
        && matches!(family, Family::Ipv4 | Family::Ipv6)
        // `reject with tcp reset` needs TCP, and nft adds the test itself
        // (and hides it in ip and ip6 tables only).
        && matches!(&r.action, Some(a) if matches!(&a.kind, ActionKind::Reject { with: Some(w) } if &**w == "tcp-reset"));
    let vopts = opts.values();
    // nft's counter sits where the kernel counts.
    let counter_after = match r.counters.map(|c| c.at) {
        Some(CounterAt::After(n)) => Some(n as usize),
        _ => None,
    };
    let mut counter_part = None;
    for (i, m) in r.matches.iter().enumerate() {
        if counter_after == Some(i) {
            counter_part = Some(parts.len());
        }
        let n = m.negated;
        let text = match &m.kind {
            MatchKind::Addr { dir, net } => {
                let field = if *dir == Dir::Src { "saddr" } else { "daddr" };
                match addr_text(net) {
                    (a, None) => format!("{} {field} {}{a}", ip_word(&net.addr), cmp(n)),
                    (a, Some(mask)) => format!(
                        "{} {field} & {mask} {} {a}",
                        ip_word(&net.addr),
                        if n { "!=" } else { "==" }
                    ),
                }
            }
            MatchKind::AddrRange { dir, lo, hi } => {
                let field = if *dir == Dir::Src { "saddr" } else { "daddr" };
                format!(
                    "{} {field} {}{}-{}",
                    ip_word(lo),
                    cmp(n),
                    Ntop(*lo),
                    Ntop(*hi)
                )
            }
            MatchKind::InIface(i) => format!("iifname {}{}", cmp(n), iface_text(i)),
            MatchKind::OutIface(i) => format!("oifname {}{}", cmp(n), iface_text(i)),
            MatchKind::Protocol(p) => {
                // A counter between it and what implies it keeps it.
                let kept = counter_after.is_some_and(|c| {
                    c > i
                        && !r.matches[i + 1..c.min(r.matches.len())]
                            .iter()
                            .any(implies_l4)
                });
                if !n && !kept && (implied || header_follows(r, i, |h| h.l4proto() == Some(*p))) {
                    continue;
                }
                let key = match (m.spelling, family) {
                    (Spelling::Header, Family::Ipv4) => "ip protocol",
                    _ => "meta l4proto",
                };
                format!("{key} {}{}", cmp(n), proto_text(*p, opts))
            }
            MatchKind::Fragment => match family {
                Family::Ipv4 | Family::Inet => {
                    format!("ip frag-off & 8191 {} 0", if n { "==" } else { "!=" })
                }
                _ => return Err("-f outside IPv4".into()),
            },
            MatchKind::Port { dir, ranges } => {
                let proto = l4_name(l4).unwrap_or("th");
                let field = match dir {
                    Dir::Src => "sport",
                    Dir::Dst => "dport",
                    Dir::Either => {
                        parts.push(either_ports_text(proto, ranges, n));
                        continue;
                    }
                };
                let value = if let Some((op, s)) = one_sided(m.spelling, ranges) {
                    op_text(op, s)
                } else if let [s] = ranges[..] {
                    span_text(s)
                } else {
                    let items: Vec<String> = ranges.iter().map(|s| span_text(*s)).collect();
                    format!("{{ {} }}", items.join(", "))
                };
                format!("{proto} {field} {}{value}", cmp(n))
            }
            MatchKind::PortPair { sport, dport } => {
                if n {
                    return Err("a negated port pair".into());
                }
                let proto = l4_name(l4).unwrap_or("th");
                format!("{proto} sport {sport} {proto} dport {dport}")
            }
            MatchKind::TcpFlags { mask, set } => tcp_flags_text(mask.bits(), set.bits(), n, opts),
            MatchKind::CtState(s) => {
                let b = u64::from(s.bits());
                if b & 0x300 == 0 {
                    format!(
                        "ct state {}{}",
                        cmp(n),
                        bits_text(b, &CT_STATE_NAMES, opts.numeric)
                    )
                } else if b & !0x300 == 0 {
                    // conntrack's SNAT/DNAT states are ct status bits.
                    format!(
                        "ct status {}{}",
                        neg(n),
                        bits_text(b >> 4, &CT_STATUS_NAMES, opts.numeric)
                    )
                } else {
                    return Err(
                        "conntrack's SNAT/DNAT states with other states (ct status and ct state in nft)"
                            .into(),
                    );
                }
            }
            MatchKind::CtStatus(s) => format!(
                "ct status {}{}",
                neg(n),
                bits_text(u64::from(s.bits()), &CT_STATUS_NAMES, opts.numeric)
            ),
            MatchKind::CtDirReply(reply) => {
                let d = match (reply, opts.numeric) {
                    (true, false) => "reply",
                    (false, false) => "original",
                    (true, true) => "1",
                    (false, true) => "0",
                };
                format!("ct direction {}{d}", cmp(n))
            }
            MatchKind::CtProto(p) => {
                let dir = match m.spelling {
                    Spelling::Original => "original ",
                    Spelling::Reply => "reply ",
                    _ => "",
                };
                format!("ct {dir}protocol {}{}", cmp(n), proto_text(*p, opts))
            }
            MatchKind::CtAddr { reply, dir, net } => {
                let side = if *reply { "reply" } else { "original" };
                let field = if *dir == Dir::Src { "saddr" } else { "daddr" };
                match addr_text(net) {
                    (a, None) => format!("ct {side} {} {field} {}{a}", ip_word(&net.addr), cmp(n)),
                    _ => return Err("a conntrack address with a non-contiguous mask".into()),
                }
            }
            MatchKind::CtPort { reply, dir, range } => {
                let side = if *reply { "reply" } else { "original" };
                let field = if *dir == Dir::Src {
                    "proto-src"
                } else {
                    "proto-dst"
                };
                format!("ct {side} {field} {}{}", cmp(n), span_text(*range))
            }
            MatchKind::CtExpire(s) => format!("ct expiration {}{}", cmp(n), span_text(*s)),
            MatchKind::Mark { value, mask } => {
                mark_text("meta mark", *value, *mask, n, m.spelling, opts.dialect)
            }
            MatchKind::ConnMark { value, mask } => {
                mark_text("ct mark", *value, *mask, n, m.spelling, opts.dialect)
            }
            MatchKind::Icmp { v6, ty, codes } => {
                // `icmp mtu 22` implies `icmp type destination-unreachable`.
                let implied_by_field = r.matches[i + 1..].iter().any(|m| {
                    matches!(&m.kind, MatchKind::Field { key: Key::Header(h), .. }
                        if h.implies_icmp_type(*ty))
                });
                if !n && *codes == (0, 0xff) && implied_by_field {
                    continue;
                }
                let word = if *v6 { "icmpv6" } else { "icmp" };
                let mut t = String::new();
                if *ty != 0xff || *v6 {
                    let _ = write!(
                        t,
                        "{word} type {}{}",
                        cmp(n),
                        icmp_type_text(*v6, *ty, opts.numeric)
                    );
                }
                if *codes != (0, 0xff) {
                    if !t.is_empty() {
                        t.push(' ');
                    }
                    if codes.0 == codes.1 {
                        let ty = if *v6 {
                            Datatype::Icmpv6Code
                        } else {
                            Datatype::IcmpCode
                        };
                        let code = value_text(ty, &Value::from_u128(u128::from(codes.0), 1), vopts);
                        let _ = write!(t, "{word} code {code}");
                    } else {
                        let _ = write!(t, "{word} code {}-{}", codes.0, codes.1);
                    }
                }
                if t.is_empty() {
                    format!("meta l4proto {word}")
                } else {
                    t
                }
            }
            MatchKind::PktType(t) => {
                let t = t.to_ascii_lowercase();
                let v = match (opts.numeric, &*t) {
                    (true, "host" | "unicast") => "0".to_owned(),
                    (true, "broadcast") => "1".to_owned(),
                    (true, "multicast") => "2".to_owned(),
                    (true, "other") => "3".to_owned(),
                    (false, "unicast") => "host".to_owned(),
                    _ => t,
                };
                format!("meta pkttype {}{v}", cmp(n))
            }
            MatchKind::Length(s) => format!("meta length {}{}", cmp(n), span_text(*s)),
            MatchKind::Uid(s) => format!("meta skuid {}{}", cmp(n), span_text(*s)),
            MatchKind::Gid(s) => format!("meta skgid {}{}", cmp(n), span_text(*s)),
            MatchKind::Limit { period, burst } => {
                let mut t = format!(
                    "limit rate {}{}",
                    if n { "over " } else { "" },
                    limit_text(*period)
                );
                t.push_str(&packets_burst(*burst, opts.dialect));
                t
            }
            MatchKind::NftLimit {
                rate,
                unit,
                burst,
                bytes,
            } => {
                let rate = rate_text(*rate, *unit, *burst, *bytes, n, opts.dialect)
                    .ok_or_else(|| format!("limit rate {rate} per {unit} s (no nft unit)"))?;
                format!("limit {rate}")
            }
            MatchKind::Quota { bytes, used } => {
                let mut t = format!(
                    "quota {}{}",
                    if n { "over " } else { "" },
                    bytes_text(*bytes)
                );
                if !opts.stateless && *used != 0 {
                    let _ = write!(t, " used {}", bytes_text(*used));
                }
                t
            }
            MatchKind::CtCount { count } => {
                format!("ct count {}{count}", if n { "over " } else { "" })
            }
            // As iptables-translate writes `-m statistic --mode random`.
            MatchKind::Random { p } => {
                format!(
                    "meta random & 2147483647 {} {p}",
                    if n { ">=" } else { "<" }
                )
            }
            MatchKind::Nth { .. } => return Err("statistic --mode nth (numgen inc in nft)".into()),
            MatchKind::AddrType {
                src,
                dst,
                limit_iface_in,
                limit_iface_out,
                inverted,
            } => {
                let iface = match (limit_iface_in, limit_iface_out) {
                    (false, false) => "",
                    (true, false) => " . iif",
                    (false, true) => " . oif",
                    _ => return Err("addrtype limited to both interfaces".into()),
                };
                let mut t = Vec::new();
                for (dir, names, inv) in [("saddr", src, inverted.0), ("daddr", dst, inverted.1)] {
                    let Some(names) = names else { continue };
                    let bits = crate::nft::addrtype_bits(names)
                        .ok_or_else(|| format!("addrtype {names}"))?;
                    let values: Vec<String> = (0..16u16)
                        .filter(|i| bits & (1 << i) != 0)
                        .map(|i| {
                            let v = Value::from_u128(u128::from(i), 4);
                            value_text(Datatype::FibAddrType, &v, vopts)
                        })
                        .collect();
                    let value = match &values[..] {
                        [one] => one.clone(),
                        _ => format!("{{ {} }}", values.join(", ")),
                    };
                    t.push(format!(
                        "fib {dir}{iface} type {}{value}",
                        if inv ^ n { "!= " } else { "" }
                    ));
                }
                t.join(" ")
            }
            MatchKind::Set { name, .. } => {
                return Err(format!("the ipset {name} (not an nf_tables set)"))
            }
            MatchKind::Xt { module, args } => {
                return Err(format!(
                    "the xt match {module} {args} (nft shows it via libxtables)"
                ))
            }
            MatchKind::Field { key, test } => {
                if !n && dependency_hidden(r, i, opts.dialect) {
                    continue;
                }
                match (m.spelling, test) {
                    (
                        Spelling::WholeMask(mask),
                        FieldTest::Cmp {
                            op: CmpOp::Eq,
                            value,
                        },
                    ) => {
                        let masked = FieldTest::Masked {
                            mask: Value::from_u128(mask, value.0.len()),
                            value: value.clone(),
                        };
                        field_text(key, &masked, n, vopts)
                    }
                    _ => field_text(key, test, n, vopts),
                }
            }
            MatchKind::Concat { keys, elems } => {
                let types = expr_types(keys);
                let items: Vec<String> =
                    elems.iter().map(|e| tuple_text(&types, e, vopts)).collect();
                format!(
                    "{} {}{{ {} }}",
                    exprs_text(keys, vopts),
                    if n { "!= " } else { "" },
                    items.join(", ")
                )
            }
            MatchKind::InSet { keys, set } => {
                // nft prints the operator after a binop (`ip saddr &
                // 255.255.255.0 == @nets`).
                let op = match (n, keys.as_slice()) {
                    (true, _) => "!= ",
                    (false, [KeyExpr::Masked { .. }]) => "== ",
                    _ => "",
                };
                format!("{} {op}@{set}", exprs_text(keys, vopts))
            }
            MatchKind::ObjRef { ty, target } => objref_text(*ty, target, vopts)?,
            MatchKind::Statement(a) => action(a, family, vopts)?,
            MatchKind::Nft { exprs } => return Err(format!("raw expressions {}", one_line(exprs))),
        };
        parts.push(text);
    }
    let counter = r.counters.map(|k| {
        if opts.stateless {
            "counter".to_owned()
        } else {
            format!("counter packets {} bytes {}", k.packets, k.bytes)
        }
    });
    let after_statement = r
        .counters
        .is_some_and(|c| c.at == CounterAt::AfterStatement);
    if let Some(c) = counter.clone().filter(|_| !after_statement) {
        parts.insert(counter_part.unwrap_or(parts.len()), c);
    }
    if let Some(a) = &r.action {
        parts.push(action(&a.kind, family, vopts)?);
    }
    if let Some(c) = counter.filter(|_| after_statement) {
        parts.push(c);
    }
    if let Some(c) = &r.comment {
        parts.push(format!("comment {}", quoted(c)));
    }
    out.push_str(&parts.join(" "));
    Ok(())
}

/// Whether a header field of a header `pred` accepts is read after
/// condition `at`: by a later condition or by the rule's statement (a
/// verdict map's keys, a field it sets or reads).
fn header_follows(r: &Rule, at: usize, pred: impl Fn(Header) -> bool) -> bool {
    later_keys(r, at).any(|k| match k {
        Key::Header(h) => pred(h.header()),
        // A tunnel implies its outer protocol: `gre ip saddr` implies
        // `meta l4proto gre`.
        Key::Inner { tunnel, .. } => pred(match tunnel {
            Tunnel::Vxlan | Tunnel::Geneve => Header::Udp,
            Tunnel::Gre | Tunnel::Gretap => Header::Gre,
        }),
        _ => false,
    })
}

/// [`header_follows`] inside `tunnel`: a later key reads a header of the
/// encapsulated packet that `pred` accepts.
fn inner_follows(r: &Rule, at: usize, tunnel: Tunnel, pred: impl Fn(Header) -> bool) -> bool {
    later_keys(r, at).any(|k| match *k {
        Key::Inner {
            tunnel: t,
            key: InnerKey::Header(h),
        } => t == tunnel && pred(h.header()),
        _ => false,
    })
}

/// The keys read after condition `at`: by later conditions or by the
/// rule's statement (a NAT map's keys excepted: nft keeps `meta l4proto
/// tcp` before `redirect to :tcp dport map { ... }`).
fn later_keys(r: &Rule, at: usize) -> impl Iterator<Item = &Key> + '_ {
    let later = r
        .matches
        .iter()
        .skip(at + 1)
        .flat_map(|m| -> Box<dyn Iterator<Item = &Key>> {
            match &m.kind {
                MatchKind::Field { key, .. } => Box::new(std::iter::once(key)),
                MatchKind::Concat { keys, .. } | MatchKind::InSet { keys, .. } => {
                    Box::new(keys.iter().flat_map(KeyExpr::keys))
                }
                // `counter name tcp dport map { ... }`.
                MatchKind::ObjRef { target, .. } => Box::new(target.keys()),
                MatchKind::Statement(a) => Box::new(a.keys()),
                _ => Box::new(std::iter::empty()),
            }
        });
    // A NAT statement's keys do not: nft keeps `meta l4proto tcp` before
    // `redirect to :tcp dport map { ... }` and `dnat to 10.0.0.1:tcp sport`.
    let stmt = r
        .action
        .iter()
        .filter(|a| {
            !matches!(
                a.kind,
                ActionKind::NatMap { .. } | ActionKind::NatFrom { .. }
            )
        })
        .flat_map(|a| a.kind.keys());
    later.chain(stmt)
}

/// Whether condition `at` is a dependency nft leaves out when it lists:
/// `meta iiftype ether` before an Ethernet field, `ether type 8021q`
/// before a VLAN field, in nft 1.0 `meta nfproto` before `ct protocol`.
fn dependency_hidden(r: &Rule, at: usize, dialect: Dialect) -> bool {
    let Some(MatchKind::Field {
        key,
        test: FieldTest::Cmp {
            op: crate::field::CmpOp::Eq,
            value,
        },
    }) = r.matches.get(at).map(|m| &m.kind)
    else {
        return false;
    };
    let v = value.as_u128();
    match key {
        Key::Meta(MetaKey(8)) if v == Some(1) => header_follows(r, at, |h| h == Header::Ether),
        Key::Header(h)
            if h.header() == Header::Ether && h.name() == "type" && v == Some(0x8100) =>
        {
            header_follows(r, at, |h| h == Header::Vlan)
        }
        // Inside a tunnel, nft's dependencies for a later field of the
        // encapsulated packet: `vxlan meta protocol ip` before `vxlan ip
        // saddr`, `vxlan meta l4proto udp` before `vxlan udp sport`,
        // `vxlan ether type ip` before `vxlan icmp type`.
        Key::Inner {
            tunnel,
            key: InnerKey::Meta(MetaKey(1)),
        } => inner_follows(r, at, *tunnel, |h| match v {
            Some(0x0800) => matches!(h, Header::Ip | Header::Icmp | Header::Igmp),
            Some(0x86dd) => matches!(h, Header::Ip6 | Header::Icmpv6),
            Some(0x0806) => matches!(h, Header::Arp),
            _ => false,
        }),
        Key::Inner {
            tunnel,
            key: InnerKey::Meta(MetaKey(16)),
        } => inner_follows(r, at, *tunnel, |h| {
            h.l4proto().is_some_and(|p| Some(u128::from(p)) == v)
        }),
        Key::Inner {
            tunnel,
            key: InnerKey::Header(e),
        } if e.header() == Header::Ether && e.name() == "type" => match v {
            Some(0x8100) => inner_follows(r, at, *tunnel, |h| h == Header::Vlan),
            Some(0x0800 | 0x86dd) => inner_follows(r, at, *tunnel, |h| h.base() != PayloadBase::Ll),
            _ => false,
        },
        // nft 1.0 takes `meta nfproto` for the dependency of a `ct
        // protocol` right after it; nft 1.1 lists both.
        Key::Meta(MetaKey(15)) => {
            dialect == Dialect::Nft1_0
                && r.matches
                    .get(at + 1)
                    .is_some_and(|m| !m.negated && matches!(m.kind, MatchKind::CtProto(_)))
        }
        _ => false,
    }
}

/// A quoted interface name: a prefix match ends in `*`; a literal `*` in
/// an exact name is escaped (`"dummy\*"`), as nft lists it.
fn iface_text(i: &Iface) -> String {
    let mut name = quoted(&i.name);
    name.pop();
    if i.wildcard {
        name.push('*');
    } else if name.ends_with('*') {
        name.pop();
        name.push_str("\\*");
    }
    name.push('"');
    name
}

fn mark_text(
    what: &str,
    value: u32,
    mask: u32,
    n: bool,
    spelling: Spelling,
    dialect: Dialect,
) -> String {
    let ones = mask.leading_ones();
    if let Spelling::Or = spelling {
        // `(mark | !mask) == value ^ !mask`.
        let x = !mask;
        format!(
            "{what} | {x:#010x} {} {:#010x}",
            if n { "!=" } else { "==" },
            value ^ x
        )
    } else if mask == u32::MAX {
        format!("{what} {}{value:#010x}", cmp(n))
    } else if ones > 0 && mask.checked_shl(ones).unwrap_or(0) == 0 && dialect == Dialect::Nft1_0 {
        // A prefix mask lists as VALUE/LEN (nft 1.1 keeps that for
        // addresses).
        format!("{what} {}{value:#010x}/{ones}", cmp(n))
    } else {
        format!(
            "{what} & {mask:#010x} {} {value:#010x}",
            if n { "!=" } else { "==" }
        )
    }
}

pub(crate) fn icmp_type_text(v6: bool, ty: u8, numeric: bool) -> String {
    if numeric {
        return ty.to_string();
    }
    let names: &[(u8, &str)] = if v6 {
        &[
            (1, "destination-unreachable"),
            (2, "packet-too-big"),
            (3, "time-exceeded"),
            (4, "parameter-problem"),
            (128, "echo-request"),
            (129, "echo-reply"),
            (130, "mld-listener-query"),
            (131, "mld-listener-report"),
            (132, "mld-listener-done"),
            (133, "nd-router-solicit"),
            (134, "nd-router-advert"),
            (135, "nd-neighbor-solicit"),
            (136, "nd-neighbor-advert"),
            (137, "nd-redirect"),
            (138, "router-renumbering"),
            (141, "ind-neighbor-solicit"),
            (142, "ind-neighbor-advert"),
            (143, "mld2-listener-report"),
        ]
    } else {
        &[
            (0, "echo-reply"),
            (3, "destination-unreachable"),
            (4, "source-quench"),
            (5, "redirect"),
            (8, "echo-request"),
            (9, "router-advertisement"),
            (10, "router-solicitation"),
            (11, "time-exceeded"),
            (12, "parameter-problem"),
            (13, "timestamp-request"),
            (14, "timestamp-reply"),
            (15, "info-request"),
            (16, "info-reply"),
            (17, "address-mask-request"),
            (18, "address-mask-reply"),
        ]
    };
    names
        .iter()
        .find(|(t, _)| *t == ty)
        .map(|(_, n)| (*n).to_owned())
        .unwrap_or_else(|| ty.to_string())
}

/// The statement's keyword.
fn nat_word(kind: NatKind) -> &'static str {
    match kind {
        NatKind::Snat => "snat",
        NatKind::Dnat => "dnat",
        NatKind::Redirect => "redirect",
    }
}

fn nat_flags_text(flags: NatFlags) -> String {
    let mut f = Vec::new();
    if flags.contains(NatFlags::RANDOM) {
        f.push("random");
    }
    if flags.contains(NatFlags::RANDOM_FULLY) {
        f.push("fully-random");
    }
    if flags.contains(NatFlags::PERSISTENT) {
        f.push("persistent");
    }
    if f.is_empty() {
        String::new()
    } else {
        format!(" {}", f.join(","))
    }
}

fn nat_to_text(to: &NatTo, family: Family) -> String {
    let mut t = String::new();
    if let Some((a, b)) = to.addrs {
        if family == Family::Inet {
            t.push_str(ip_word(&a));
            t.push(' ');
        }
        t.push_str("to ");
        // An IPv6 address before a port is bracketed, each end of a range
        // on its own.
        t.push_str(&addr_span_text(a, b, a.is_ipv6() && to.ports.is_some()));
    } else {
        t.push_str("to ");
    }
    if let Some(p) = to.ports {
        let _ = write!(t, ":{}", ports_text(p));
    }
    t
}

/// A statement's `addr:port` operands (`192.0.2.1:50080`,
/// `[2001:db8::1]:80`, `10.0.0.1:tcp sport`, `:numgen inc mod 2`).
fn addr_port_text(
    addr: Option<&Source>,
    port: Option<&Source>,
    o: ValueOpts,
) -> Result<String, String> {
    let mut t = String::new();
    if let Some(a) = addr {
        let text = source_text(Datatype::IpAddr, a, o)?;
        if text.contains(':') && matches!(a, Source::Value(_)) {
            let _ = write!(t, "[{text}]");
        } else {
            t.push_str(&text);
        }
    }
    if let Some(p) = port {
        let _ = write!(t, ":{}", source_text(Datatype::InetService, p, o)?);
    }
    Ok(t)
}

/// One NAT map element's data as nft prints it: `192.168.2.3 . 80`,
/// `192.168.2.2-192.168.2.4`, `192.168.2.0/24`, `8080`.
fn nat_data_text(d: &NatTo) -> String {
    let mut t = String::new();
    if let Some((a, b)) = d.addrs {
        t.push_str(&addr_span_text(a, b, false));
    }
    if let Some(p) = d.ports {
        if !t.is_empty() {
            t.push_str(" . ");
        }
        t.push_str(&ports_text(p));
    }
    t
}

/// `a`, `a-b`, or the prefix when `a..=b` is one network (not when
/// `bracket`ed: `[a]-[b]`, an IPv6 range before a port).
fn addr_span_text(a: IpAddr, b: IpAddr, bracket: bool) -> String {
    let one = |x: IpAddr| {
        if bracket {
            format!("[{}]", Ntop(x))
        } else {
            Ntop(x).to_string()
        }
    };
    match prefix_of(a, b) {
        Some(len) if a != b && !bracket => format!("{}/{len}", Ntop(a)),
        _ if a != b => format!("{}-{}", one(a), one(b)),
        _ => one(a),
    }
}

/// The prefix length when `a..=b` is exactly one network (`a` its first
/// address, `b` its last).
fn prefix_of(a: IpAddr, b: IpAddr) -> Option<u32> {
    let (a, b, bits) = match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return None,
    };
    let host = a ^ b;
    // host bits: all ones below the prefix, a's all zero there.
    if host.checked_add(1)? & host != 0 || a & host != 0 {
        return None;
    }
    Some(bits - (128 - host.leading_zeros()))
}

fn reject_text(with: Option<&str>, family: Family, numeric: bool) -> Result<String, String> {
    let Some(w) = with else {
        return Ok("reject".to_owned());
    };
    let (kind, code, num) = match w {
        "tcp-reset" => return Ok("reject with tcp reset".to_owned()),
        "icmp-port-unreachable" if family == Family::Ipv4 => return Ok("reject".to_owned()),
        "icmp6-port-unreachable" if family == Family::Ipv6 => return Ok("reject".to_owned()),
        "icmp-net-unreachable" => ("icmp", "net-unreachable", 0),
        "icmp-host-unreachable" => ("icmp", "host-unreachable", 1),
        "icmp-port-unreachable" => ("icmp", "port-unreachable", 3),
        "icmp-proto-unreachable" => ("icmp", "prot-unreachable", 2),
        "icmp-net-prohibited" => ("icmp", "net-prohibited", 9),
        "icmp-host-prohibited" => ("icmp", "host-prohibited", 10),
        "icmp-admin-prohibited" => ("icmp", "admin-prohibited", 13),
        "icmp6-no-route" | "no-route" => ("icmpv6", "no-route", 0),
        "icmp6-adm-prohibited" | "adm-prohibited" => ("icmpv6", "admin-prohibited", 1),
        "icmp6-addr-unreachable" | "addr-unreach" => ("icmpv6", "addr-unreachable", 3),
        "icmp6-port-unreachable" | "port-unreach" => ("icmpv6", "port-unreachable", 4),
        "icmp6-policy-fail" => ("icmpv6", "policy-fail", 5),
        "icmp6-reject-route" => ("icmpv6", "reject-route", 6),
        "icmpx-port-unreachable" => return Ok("reject".to_owned()),
        "icmpx-no-route" => ("icmpx", "no-route", 0),
        "icmpx-host-unreachable" => ("icmpx", "host-unreachable", 2),
        "icmpx-admin-prohibited" => ("icmpx", "admin-prohibited", 3),
        other => return Err(format!("REJECT --reject-with {other}")),
    };
    // `-n` prints the code's number (`reject with icmp 3`).
    Ok(if numeric {
        format!("reject with {kind} {num}")
    } else {
        format!("reject with {kind} {code}")
    })
}

fn action(a: &ActionKind, family: Family, o: ValueOpts) -> Result<String, String> {
    // `dup` and `fwd` print a device by name even with `-n`.
    let named = ValueOpts {
        numeric: false,
        ..o
    };
    Ok(match a {
        ActionKind::Accept => "accept".to_owned(),
        ActionKind::Drop => "drop".to_owned(),
        ActionKind::Return => "return".to_owned(),
        ActionKind::Jump { chain } => format!("jump {chain}"),
        ActionKind::Goto { chain } => format!("goto {chain}"),
        ActionKind::Queue {
            num,
            last,
            bypass,
            fanout,
            to,
        } => {
            let mut t = String::from("queue");
            let flags: Vec<&str> = [(*bypass, "bypass"), (*fanout, "fanout")]
                .iter()
                .filter_map(|&(on, name)| on.then_some(name))
                .collect();
            if !flags.is_empty() {
                let _ = write!(t, " flags {}", flags.join(","));
            }
            match to {
                Some(src) => {
                    let _ = write!(t, " to {}", source_text(Datatype::Integer, src, o)?);
                }
                None if last > num => {
                    let _ = write!(t, " to {num}-{last}");
                }
                None => {
                    let _ = write!(t, " to {num}");
                }
            }
            t
        }
        ActionKind::Reject { with } => reject_text(with.as_deref(), family, o.numeric)?,
        ActionKind::Dnat { to, flags } => {
            format!("dnat {}{}", nat_to_text(to, family), nat_flags_text(*flags))
        }
        ActionKind::Snat { to, flags } => {
            format!("snat {}{}", nat_to_text(to, family), nat_flags_text(*flags))
        }
        ActionKind::NatMap {
            kind,
            v6,
            addrs,
            keys,
            to,
            prefix,
            flags,
        } => {
            let mut t = String::from(nat_word(*kind));
            // nft names the family in inet tables, and where the data is
            // more than one address (a range, a prefix, an address and a
            // port).
            let more = match to {
                NatMapTo::Elems(elems) => elems
                    .iter()
                    .any(|e| e.data.ports.is_some() || e.data.addrs.is_some_and(|(a, b)| a != b)),
                NatMapTo::Named(_) => false,
            };
            if *kind != NatKind::Redirect && (family == Family::Inet || more || *prefix) {
                t.push_str(if *v6 { " ip6" } else { " ip" });
            }
            if *prefix {
                t.push_str(" prefix");
            }
            // Ports only: `to :tcp dport map { ... }`.
            t.push_str(if *addrs { " to " } else { " to :" });
            t.push_str(&match to {
                NatMapTo::Elems(elems) => {
                    map_text(keys, elems, "map", o, |d| Ok(nat_data_text(d)))?
                }
                NatMapTo::Named(name) => format!("{} map @{name}", exprs_text(keys, o)),
            });
            t.push_str(&nat_flags_text(*flags));
            t
        }
        ActionKind::Masquerade { ports, flags } => {
            let mut t = String::from("masquerade");
            if let Some(p) = ports {
                let _ = write!(t, " to :{}", ports_text(*p));
            }
            t.push_str(&nat_flags_text(*flags));
            t
        }
        ActionKind::Redirect { ports, flags } => {
            let mut t = String::from("redirect");
            if let Some(p) = ports {
                let _ = write!(t, " to :{}", ports_text(*p));
            }
            t.push_str(&nat_flags_text(*flags));
            t
        }
        ActionKind::SetMark { value, mask } => set_mark_text("meta mark", *value, *mask),
        ActionKind::SetConnMark { value, mask } => set_mark_text("ct mark", *value, *mask),
        ActionKind::Log {
            prefix,
            level,
            flags,
        } => {
            let mut t = String::from("log");
            if let Some(p) = prefix {
                let _ = write!(t, " prefix {}", quoted(p));
            }
            if let Some(l) = level {
                const NAMES: [&str; 9] = [
                    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit",
                ];
                match NAMES.get(usize::from(*l)) {
                    Some(n) => {
                        let _ = write!(t, " level {n}");
                    }
                    None => {
                        let _ = write!(t, " level {l}");
                    }
                }
            }
            // nft prints `flags all` for every bit, else each group.
            if flags.contains(
                LogFlags::TCP_SEQUENCE
                    | LogFlags::TCP_OPTIONS
                    | LogFlags::IP_OPTIONS
                    | LogFlags::UID
                    | LogFlags::MAC_DECODE,
            ) {
                t.push_str(" flags all");
            } else {
                let tcp = match (
                    flags.contains(LogFlags::TCP_SEQUENCE),
                    flags.contains(LogFlags::TCP_OPTIONS),
                ) {
                    (true, true) => Some("tcp sequence,options"),
                    (true, false) => Some("tcp sequence"),
                    (false, true) => Some("tcp options"),
                    _ => None,
                };
                for (on, word) in [
                    (tcp.is_some(), tcp.unwrap_or("")),
                    (flags.contains(LogFlags::IP_OPTIONS), "ip options"),
                    (flags.contains(LogFlags::UID), "skuid"),
                    (flags.contains(LogFlags::MAC_DECODE), "ether"),
                ] {
                    if on {
                        let _ = write!(t, " flags {word}");
                    }
                }
            }
            t
        }
        ActionKind::Nflog {
            group,
            prefix,
            snaplen,
            threshold,
        } => {
            let mut t = String::from("log");
            if let Some(p) = prefix {
                let _ = write!(t, " prefix {}", quoted(p));
            }
            let _ = write!(t, " group {group}");
            if let Some(n) = snaplen {
                let _ = write!(t, " snaplen {n}");
            }
            if *threshold != 0 {
                let _ = write!(t, " queue-threshold {threshold}");
            }
            t
        }
        ActionKind::Continue => "continue".to_owned(),
        // A value computed from a narrower field, for a wider key (`meta
        // mark set ip dscp << 2 | 0x10`): the steps are on a number of the
        // key's bits.
        ActionKind::Set {
            key,
            value: Source::Computed { key: from, ops },
        } if bits_field(key.bits()) > bits_field(from.bits()) => {
            format!(
                "{key} set {}",
                computed_text(from, ops, Some(key.bits()), o)
            )
        }
        ActionKind::Set {
            key,
            value: Source::Combined { op, operands },
        } => format!(
            "{key} set {}",
            combined_text(*op, operands, key.bits(), key.datatype(), o)?
        ),
        ActionKind::Set { key, value } => {
            format!("{key} set {}", source_text(key.datatype(), value, o)?)
        }
        ActionKind::Tproxy {
            family: f,
            addr,
            port,
        } => {
            let mut t = String::from("tproxy");
            if let (Family::Inet | Family::Bridge | Family::Netdev, Some(f)) = (family, f) {
                let _ = write!(t, " {}", family_name(*f));
            }
            t.push_str(" to ");
            t.push_str(&addr_port_text(addr.as_ref(), port.as_ref(), o)?);
            t
        }
        ActionKind::NatFrom {
            kind,
            v6,
            addr,
            port,
            flags,
        } => {
            let mut t = String::from(nat_word(*kind));
            if family == Family::Inet && addr.is_some() {
                t.push_str(if *v6 { " ip6" } else { " ip" });
            }
            t.push_str(" to ");
            t.push_str(&addr_port_text(addr.as_ref(), port.as_ref(), o)?);
            t.push_str(&nat_flags_text(*flags));
            t
        }
        ActionKind::Dup { addr, dev } => match (addr, dev) {
            (Some(a), Some(d)) => format!(
                "dup to {} device {}",
                source_text(Datatype::IpAddr, a, o)?,
                source_text(Datatype::IfIndex, d, named)?
            ),
            (Some(a), None) => format!("dup to {}", source_text(Datatype::IpAddr, a, o)?),
            (None, Some(d)) => format!("dup to {}", source_text(Datatype::IfIndex, d, named)?),
            (None, None) => return Err("dup with no address and no device".into()),
        },
        ActionKind::Fwd {
            family: f,
            addr,
            dev,
        } => match (f, addr, dev) {
            (_, None, Some(d)) => format!("fwd to {}", source_text(Datatype::IfIndex, d, named)?),
            (Some(f), Some(a), Some(d)) => format!(
                "fwd {} to {} device {}",
                family_name(*f),
                source_text(Datatype::IpAddr, a, o)?,
                source_text(Datatype::IfIndex, d, named)?
            ),
            _ => return Err("fwd with an address and no device or family".into()),
        },
        ActionKind::Vmap { keys, elems } => map_text(keys, elems, "vmap", o, |v| match v {
            ActionKind::Vmap { .. } => Err("a verdict map inside a verdict map".into()),
            v => action(v, family, o),
        })?,
        ActionKind::VmapRef { keys, map } => format!("{} vmap @{map}", exprs_text(keys, o)),
        ActionKind::SetUpdate {
            op,
            keys,
            set,
            data,
            timeout,
            stmts,
        } => {
            let op = match op {
                SetOp::Add => "add",
                SetOp::Update => "update",
                SetOp::Delete => "delete",
            };
            let mut t = format!("{op} @{set} {{ {}", exprs_text(keys, o));
            if let Some(ms) = timeout {
                let _ = write!(t, " timeout {}", ms_text(*ms, o));
            }
            for s in stmts {
                let _ = write!(t, " {}", elem_stmt_text(s, family, o)?);
            }
            if !data.is_empty() {
                let _ = write!(t, " : {}", keys_text(data));
            }
            t.push_str(" }");
            t
        }
        // nft lists the first statement only.
        ActionKind::Meter {
            name,
            size,
            keys,
            timeout,
            stmts,
            ..
        } => {
            let mut t = format!("meter {name} size {size} {{ {}", exprs_text(keys, o));
            if let Some(ms) = timeout {
                let _ = write!(t, " timeout {}", ms_text(*ms, o));
            }
            if let Some(s) = stmts.first() {
                let _ = write!(t, " {}", elem_stmt_text(s, family, o)?);
            }
            t.push_str(" }");
            t
        }
        ActionKind::Notrack => "notrack".to_owned(),
        ActionKind::Reset { option } => format!("reset {option}"),
        ActionKind::FlowOffload { flowtable } => format!("flow add @{flowtable}"),
        ActionKind::Last { .. } if o.stateless => "last".into(),
        ActionKind::Last { used: None } => "last used never".into(),
        ActionKind::Last { used: Some(ms) } => format!("last used {}", ms_text(*ms, o)),
        ActionKind::Synproxy { mss, wscale, flags } => {
            // NF_SYNPROXY_OPT_MSS, _WSCALE, _SACK_PERM, _TIMESTAMP.
            // nft says both numbers when it has either.
            let mut t = "synproxy".to_owned();
            if flags & 3 != 0 {
                let _ = write!(t, " mss {mss} wscale {wscale}");
            }
            if flags & 8 != 0 {
                t.push_str(" timestamp");
            }
            if flags & 4 != 0 {
                t.push_str(" sack-perm");
            }
            t
        }
        ActionKind::Trace => "meta nftrace set 1".to_owned(),
        // What nft (and iptables-translate) says for it.
        ActionKind::Audit { .. } => "log level audit".to_owned(),
        ActionKind::Xt { target, args } => {
            return Err(format!(
                "the xt target {target} {args} (nft shows it via libxtables)"
            ))
        }
        ActionKind::Ipset { .. } => {
            return Err("the xt target SET (ipsets are not nf_tables sets)".into())
        }
        ActionKind::Nft { exprs } => return Err(format!("raw expressions {}", one_line(exprs))),
    })
}

/// A statement's operand: a value of `ty`, a key, or a map's result.
/// A statement a set element carries, as nft lists it there: stateless
/// (`counter`, `quota over 10 mbytes`).
fn elem_stmt_text(s: &ElemStmt, family: Family, o: ValueOpts) -> Result<String, String> {
    let m = match s {
        ElemStmt::Counter => return Ok("counter".into()),
        ElemStmt::Match(m) => m,
    };
    let r = Rule {
        matches: vec![m.clone()],
        action: None,
        comment: None,
        counters: None,
        origin: Origin::Handle { handle: 0 },
    };
    let opts = Options {
        stateless: true,
        numeric: o.numeric,
        numeric_proto: o.numeric_proto,
        numeric_prio: false,
        numeric_time: o.numeric_time,
        handles: false,
        utc_offset: o.utc_offset,
        dialect: o.dialect,
    };
    let mut t = String::new();
    rule(&r, family, opts, &mut t)?;
    Ok(t)
}

fn source_text(ty: Datatype, s: &Source, o: ValueOpts) -> Result<String, String> {
    Ok(match s {
        Source::Value(v) => value_text(ty, v, o),
        Source::Key(k) => k.to_string(),
        Source::Computed { key, ops } => computed_text(key, ops, None, o),
        Source::Map { keys, elems } => {
            map_text(keys, elems, "map", o, |v| Ok(value_text(ty, v, o)))?
        }
        Source::MapRef { keys, map } => format!("{} map @{map}", exprs_text(keys, o)),
        Source::Jhash(h) => jhash_text(h),
        Source::HostBytes(s) => source_text(ty, s, o)?,
        Source::Combined { op, operands } => combined_text(*op, operands, 32, ty, o)?,
    })
}

/// `(meta mark | 0x00000010) << 8`: each step after the last, the value
/// so far in parentheses where nft puts them (an operator that binds less
/// tightly than the next one: shifts, then `&`, `^`, `|`).
fn computed_text(key: &Key, ops: &[BitOp], wider: Option<u32>, o: ValueOpts) -> String {
    computed_parts(key, ops, wider, o).0
}

/// [`computed_text`], and the rank of its last step's operator (shifts 0
/// and 1, `&` 2, `^` 3, `|` 4), if any.
fn computed_parts(
    key: &Key,
    ops: &[BitOp],
    wider: Option<u32>,
    o: ValueOpts,
) -> (String, Option<u8>) {
    // A field of fewer bits: its values, and its bits all ones. Given to a
    // wider key (`wider` its bits), the steps' numbers are the wider
    // key's, printed as nft prints them: in hex, at least as many digits
    // as the field's bytes take (`ct mark set ip6 dscp | 0x04`).
    let width = key.width().clamp(1, 4);
    let num = |n: u32| match wider {
        Some(_) => format!("{n:#0w$x}", w = 2 + 2 * width),
        None => value_text(key.datatype(), &Value::from_u128(u128::from(n), width), o),
    };
    // The bits the value can have so far: a mask need not say those it
    // keeps clear, nor a value those it sets.
    let mut possible = bits_field(key.bits());
    let mut steps: Vec<(u8, &str, String)> = Vec::new();
    for op in ops {
        match *op {
            BitOp::Shl(n) => {
                possible = possible.checked_shl(n).unwrap_or(0);
                steps.push((0, "<<", n.to_string()));
            }
            BitOp::Shr(n) => {
                possible = possible.checked_shr(n).unwrap_or(0);
                steps.push((1, ">>", n.to_string()));
            }
            // As nft splits `(v & and) ^ xor`: the xor bits outside `and`
            // are an OR, kept in the mask; the rest an XOR.
            BitOp::MaskXor { and, xor } => {
                let and = and & possible;
                let or = xor & !and;
                let (mask, xor_in) = (and | or, xor & and);
                if possible & !mask != 0 {
                    steps.push((2, "&", num(mask)));
                }
                if xor_in != 0 {
                    steps.push((3, "^", num(xor_in)));
                }
                if or != 0 {
                    steps.push((4, "|", num(or)));
                }
                possible = and | xor;
            }
        }
    }
    let mut text = key.to_string();
    let mut last: Option<u8> = None;
    for (rank, sym, mut arg) in steps {
        if last.is_some_and(|l| l > rank) {
            text = format!("({text})");
        }
        // Flags joined by `|` after another operator: `tcp flags & (fin |
        // syn)`.
        if sym != "|" && arg.contains(" | ") {
            arg = format!("({arg})");
        }
        text = format!("{text} {sym} {arg}");
        last = Some(rank);
    }
    (text, last)
}

/// A [`Source::Combined`] for a key of `bits` bits, as nft lists it:
/// operands joined by the operator, one in parentheses when its own
/// operator binds less tightly (`&`, then `^`, then `|`).
fn combined_text(
    op: Combine,
    operands: &[Source],
    bits: u32,
    ty: Datatype,
    o: ValueOpts,
) -> Result<String, String> {
    let (rank, sym) = match op {
        Combine::And => (2, "&"),
        Combine::Xor => (3, "^"),
        Combine::Or => (4, "|"),
    };
    let mut parts = Vec::with_capacity(operands.len());
    for s in operands {
        let (text, last) = match s {
            Source::Combined { op, operands } => {
                let inner = match op {
                    Combine::And => 2,
                    Combine::Xor => 3,
                    Combine::Or => 4,
                };
                (combined_text(*op, operands, bits, ty, o)?, Some(inner))
            }
            Source::Computed { key, ops } => {
                let wider = (bits_field(bits) > bits_field(key.bits())).then_some(bits);
                computed_parts(key, ops, wider, o)
            }
            s => (source_text(ty, s, o)?, None),
        };
        parts.push(match last {
            Some(l) if l > rank => format!("({text})"),
            _ => text,
        });
    }
    Ok(parts.join(&format!(" {sym} ")))
}

/// All ones in a field of `bits` bits, at most 32 (0: of 32).
fn bits_field(bits: u32) -> u32 {
    match bits {
        n @ 1..=31 => u32::MAX >> (32 - n),
        _ => u32::MAX,
    }
}

/// Milliseconds as nft prints a time (`1m30s`).
fn ms_text(ms: u64, o: ValueOpts) -> String {
    value_text(Datatype::Millis, &Value::from_u128(u128::from(ms), 8), o)
}

/// A map as nft lists it: `KEYS WORD { KEY : DATA, ... }`, each element's
/// data spelled by `data`.
fn map_text<T>(
    keys: &[KeyExpr],
    elems: &[MapElem<T>],
    word: &str,
    o: ValueOpts,
    data: impl Fn(&T) -> Result<String, String>,
) -> Result<String, String> {
    let types = expr_types(keys);
    let mut items = Vec::with_capacity(elems.len());
    for e in elems {
        items.push(format!(
            "{} : {}",
            tuple_text(&types, &e.key, o),
            data(&e.data)?
        ));
    }
    Ok(format!(
        "{} {word} {{ {} }}",
        exprs_text(keys, o),
        items.join(", ")
    ))
}

/// `-m multiport --ports` as nft spells it: either port in a range, a
/// concatenation with the other port any; elements sorted as nft sorts
/// them (the concatenation read as one host-order number).
fn either_ports_text(proto: &str, ranges: &[Span32], negated: bool) -> String {
    let any = Span32 { lo: 0, hi: 0xffff };
    let mut elems: Vec<(Span32, Span32)> =
        ranges.iter().flat_map(|r| [(*r, any), (any, *r)]).collect();
    let le = |p: u32| (p as u16).swap_bytes();
    elems.sort_by_key(|(s, d)| (le(d.lo), le(d.hi), le(s.lo), le(s.hi)));
    elems.dedup();
    let items: Vec<String> = elems
        .iter()
        .map(|(s, d)| format!("{} . {}", span_text(*s), span_text(*d)))
        .collect();
    format!(
        "{proto} sport . {proto} dport {}{{ {} }}",
        if negated { "!= " } else { "" },
        items.join(", ")
    )
}

fn set_mark_text(what: &str, value: u32, mask: u32) -> String {
    // As nft lists `mark = (mark & keep) ^ value`: a constant, `| v`
    // (keep == !v), `& k`, `^ v`, else both.
    let keep = !mask;
    match (keep, value) {
        (0, v) => format!("{what} set {v:#010x}"),
        (k, 0) => format!("{what} set {what} & {k:#010x}"),
        (k, v) if v == !k => format!("{what} set {what} | {v:#010x}"),
        (u32::MAX, v) => format!("{what} set {what} ^ {v:#010x}"),
        (k, v) => format!("{what} set {what} & {k:#010x} ^ {v:#010x}"),
    }
}
