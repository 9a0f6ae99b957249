//! The syntax tree of an iptables-save / iptables-restore file.
//!
//! The tree borrows from the input (`&'a str`); strings that had quotes or
//! escapes are the only owned parts. `Display` on every node prints the
//! canonical text iptables-save prints: for text that iptables-save itself
//! wrote, `parse(text).to_string() == text`.

use std::fmt;
use std::net::IpAddr;

use crate::error::Span;
use crate::lex::Word;
use crate::names;
use crate::value::{
    display_via_print, put_hex, put_ip, put_u64, write_string, Counters, Masked, NatRange, Net,
    Print, Probability, Quote, Range, Rate, Text,
};

/// A whole file: its lines in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dump<'a> {
    /// Every line, blank and comment lines included.
    pub lines: Vec<Line<'a>>,
}

/// One line and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<'a> {
    /// What the line says.
    pub kind: LineKind<'a>,
    /// Where it is (the whole line, without its newline).
    pub span: Span,
}

/// What a line says.
#[derive(Debug, Clone, PartialEq)]
pub enum LineKind<'a> {
    /// An empty line (or only white space).
    Blank,
    /// `# ...`: the text after `#`, verbatim.
    Comment(&'a str),
    /// A comment iptables-nft prints to say something about the ruleset.
    Diagnostic(Diagnostic<'a>),
    /// `*table`.
    Table(&'a str),
    /// `:CHAIN POLICY [p:b]`.
    Chain(ChainDecl<'a>),
    /// A command: `-A`, `-I`, `-N`, ...
    Command(Command<'a>),
    /// `COMMIT`.
    Commit,
}

/// The warnings iptables-nft writes into its save output as comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagnostic<'a> {
    /// ``# Table `T' is incompatible, use 'nft' tool.``: iptables-nft could
    /// not read the table, and printed nothing else of it.
    TableIncompatible {
        /// The table.
        table: &'a str,
    },
    /// ``# Table `T' contains incompatible base-chains, use 'nft' tool to list them.``:
    /// (1.8.8+) some base chains of the table are hidden from the listing.
    IncompatibleBaseChains {
        /// The table.
        table: &'a str,
    },
    /// `# Warning: iptables-legacy tables present, use iptables-legacy-save to see them`:
    /// the host has rules in the legacy backend too.
    LegacyTablesPresent,
}

impl fmt::Display for Diagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Diagnostic::TableIncompatible { table } => {
                write!(f, "# Table `{table}' is incompatible, use 'nft' tool.")
            }
            Diagnostic::IncompatibleBaseChains { table } => write!(
                f,
                "# Table `{table}' contains incompatible base-chains, use 'nft' tool to list them."
            ),
            Diagnostic::LegacyTablesPresent => f.write_str(
                "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them",
            ),
        }
    }
}

/// `:NAME POLICY [p:b]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainDecl<'a> {
    /// Chain name.
    pub name: &'a str,
    /// `ACCEPT`/`DROP`/... for a built-in chain, `None` for `-` (a user chain).
    pub policy: Option<&'a str>,
    /// The chain's counters, if printed.
    pub counters: Option<Counters>,
}

/// A restore command. Rules are boxed: a rule is large (about 300 bytes)
/// and most other lines are small, so a `Vec<Line>` stays compact and moving
/// a line costs a pointer.
#[derive(Debug, Clone, PartialEq)]
pub enum Command<'a> {
    /// `-A CHAIN RULE`.
    Append {
        /// Chain.
        chain: &'a str,
        /// Rule.
        rule: Box<Rule<'a>>,
    },
    /// `-I CHAIN [N] RULE`.
    Insert {
        /// Chain.
        chain: &'a str,
        /// 1-based position, when given.
        index: Option<u32>,
        /// Rule.
        rule: Box<Rule<'a>>,
    },
    /// `-D CHAIN N` or `-D CHAIN RULE`.
    Delete {
        /// Chain.
        chain: &'a str,
        /// What to delete.
        what: DeleteBy<'a>,
    },
    /// `-R CHAIN N RULE`.
    Replace {
        /// Chain.
        chain: &'a str,
        /// 1-based position.
        index: u32,
        /// Rule.
        rule: Box<Rule<'a>>,
    },
    /// `-N CHAIN`.
    NewChain(&'a str),
    /// `-X [CHAIN]`.
    DeleteChain(Option<&'a str>),
    /// `-F [CHAIN]`.
    Flush(Option<&'a str>),
    /// `-Z [CHAIN]`.
    Zero(Option<&'a str>),
    /// `-P CHAIN POLICY`.
    Policy {
        /// Chain.
        chain: &'a str,
        /// Policy.
        policy: &'a str,
    },
}

/// What `-D` deletes.
#[derive(Debug, Clone, PartialEq)]
pub enum DeleteBy<'a> {
    /// A position.
    Index(u32),
    /// The first rule equal to this one.
    Rule(Box<Rule<'a>>),
}

/// A value that may be inverted with `!`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Neg<T> {
    /// Whether `!` came before the option.
    pub negated: bool,
    /// The value.
    pub value: T,
}

/// A protocol given with `-p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Proto(pub u8);

impl Print for Proto {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match names::proto_name(self.0) {
            Some(n) => f.write_str(n),
            None => put_u64(f, u64::from(self.0)),
        }
    }
}
display_via_print!(Proto);

/// One rule: the basic matches, the `-m` matches and the target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rule<'a> {
    /// `[p:b]` before the command, or `-c P B` in it.
    pub counters: Option<Counters>,
    /// `-s`.
    pub source: Option<Neg<Net>>,
    /// `-d`.
    pub destination: Option<Neg<Net>>,
    /// `-i`.
    pub in_iface: Option<Neg<&'a str>>,
    /// `-o`.
    pub out_iface: Option<Neg<&'a str>>,
    /// `-p`.
    pub protocol: Option<Neg<Proto>>,
    /// `-f` (`Some(true)` for `! -f`).
    pub fragment: Option<bool>,
    /// `-m NAME ...`, in order.
    pub matches: Vec<Match<'a>>,
    /// `-j`/`-g`.
    pub target: Option<Target<'a>>,
    /// Where the rule's words are (from the first option to the end of line).
    pub span: Span,
}

/// `-m NAME OPTIONS`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<'a> {
    /// The module name.
    pub name: &'a str,
    /// Whether the module is one nflens knows (typed options).
    pub known: bool,
    /// Its options, in order.
    pub options: Vec<Opt<'a>>,
    /// Where `-m NAME` is.
    pub span: Span,
}

/// `-j NAME OPTIONS` or `-g CHAIN`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target<'a> {
    /// `-g` rather than `-j`.
    pub goto: bool,
    /// The target or chain name.
    pub name: &'a str,
    /// Whether the target is one nflens knows (verdict, chain-less options typed).
    pub known: bool,
    /// Its options, in order.
    pub options: Vec<Opt<'a>>,
    /// Where `-j NAME` is.
    pub span: Span,
}

/// One option of a match or target.
#[derive(Debug, Clone, PartialEq)]
pub struct Opt<'a> {
    /// `!` before it.
    pub negated: bool,
    /// Its canonical long name, without dashes.
    pub name: &'a str,
    /// Its value.
    pub value: Value<'a>,
    /// Where it is, from the `!` or the dashes to the end of its value.
    pub span: Span,
}

/// A typed option value. `Display` prints it as iptables-save does,
/// without the leading space.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// No value.
    Flag,
    /// A decimal number.
    Uint(u64),
    /// A `0x` hex number, zero-padded to `width` digits.
    Hex {
        /// The number.
        value: u64,
        /// Minimum digits.
        width: u8,
    },
    /// A range.
    Range(Range),
    /// A multiport list.
    Ports(Vec<Range>),
    /// An address and mask; `bare_host` prints a host address without `/32`.
    Net {
        /// The network.
        net: Net,
        /// Print a host address without its prefix length.
        bare_host: bool,
    },
    /// A bare address.
    Addr(IpAddr),
    /// `A-B`.
    AddrRange(IpAddr, IpAddr),
    /// A value with a mask.
    Masked(Masked, MaskStyle),
    /// Conntrack states ([`names::CT_STATES`] bits).
    States(u16),
    /// Conntrack status ([`names::CT_STATUS`] bits).
    CtStatus(u16),
    /// A word (or comma list) checked against a set, printed as written.
    Word(&'a str),
    /// A string.
    Str(Text<'a>, Quote),
    /// A packet rate.
    Rate(Rate),
    /// A byte rate (hashlimit), printed as written.
    ByteRate(&'a str),
    /// A probability.
    Probability(Probability),
    /// A NAT range.
    Nat(NatRange),
    /// TCP flags: mask and the flags that must be set.
    TcpFlags {
        /// Flags examined.
        mask: u8,
        /// Of those, the ones that must be set.
        comp: u8,
    },
    /// An ipset reference: name and direction flags (`src,dst`).
    SetRef {
        /// Set name.
        name: Text<'a>,
        /// Direction flags as written.
        flags: &'a str,
    },
    /// An ICMP or ICMPv6 type with a code range; `any` is type 255, all codes.
    Icmp {
        /// Type.
        ty: u8,
        /// Lowest code.
        code_lo: u8,
        /// Highest code.
        code_hi: u8,
        /// ICMPv6 (no `any`).
        v6: bool,
    },
    /// A protocol.
    Proto(Proto),
    /// A MAC address.
    Mac([u8; 6]),
    /// A traffic-control class (major, minor).
    Class(u16, u16),
    /// The words of an option of a module nflens does not know, verbatim.
    Raw(Vec<Word<'a>>),
}

/// How a masked value prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaskStyle {
    /// `0xV`, or `0xV/0xM` when the mask is not all ones.
    Mark,
    /// `0xV/0xM` always; no mask given means all ones.
    XMark,
    /// `0xVV/0xMM` (two digits each); no mask given means 0xff.
    Tos,
}

impl Print for Value<'_> {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match self {
            Value::Flag => Ok(()),
            Value::Uint(n) => put_u64(f, *n),
            Value::Hex { value, width } => put_hex(f, *value, *width as usize),
            Value::Range(r) => r.print(f),
            Value::Ports(list) => {
                for (i, r) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    r.print(f)?;
                }
                Ok(())
            }
            Value::Net { net, bare_host } => {
                if *bare_host && net.is_host() {
                    put_ip(f, &net.addr)
                } else {
                    net.print(f)
                }
            }
            Value::Addr(a) => put_ip(f, a),
            Value::AddrRange(a, b) => {
                put_ip(f, a)?;
                f.write_char('-')?;
                put_ip(f, b)
            }
            Value::Masked(m, style) => {
                let (width, mask) = match style {
                    MaskStyle::Mark => (0, m.mask.filter(|&x| x != u32::MAX)),
                    MaskStyle::XMark => (0, Some(m.mask.unwrap_or(u32::MAX))),
                    MaskStyle::Tos => (2, Some(m.mask.unwrap_or(0xff))),
                };
                put_hex(f, u64::from(m.value), width)?;
                if let Some(mask) = mask {
                    f.write_char('/')?;
                    put_hex(f, u64::from(mask), width)?;
                }
                Ok(())
            }
            Value::States(bits) => write_bits(f, *bits, names::CT_STATES),
            Value::CtStatus(bits) => {
                if *bits == 0 {
                    f.write_str("NONE")
                } else {
                    write_bits(f, *bits, names::CT_STATUS)
                }
            }
            Value::Word(w) => f.write_str(w),
            Value::Str(s, q) => write_string(f, s, *q),
            Value::Rate(r) => write!(f, "{r}"),
            Value::ByteRate(r) => f.write_str(r),
            Value::Probability(p) => write!(f, "{p}"),
            Value::Nat(n) => n.print(f),
            Value::TcpFlags { mask, comp } => {
                write_tcp_flags(f, *mask)?;
                f.write_char(' ')?;
                write_tcp_flags(f, *comp)
            }
            Value::SetRef { name, flags } => {
                write_string(f, name, Quote::IfNeeded)?;
                f.write_char(' ')?;
                f.write_str(flags)
            }
            Value::Icmp {
                ty,
                code_lo,
                code_hi,
                v6,
            } => {
                if !v6 && *ty == 0xff && *code_lo == 0 && *code_hi == 0xff {
                    return f.write_str("any");
                }
                put_u64(f, u64::from(*ty))?;
                if *code_lo == 0 && *code_hi == 0xff {
                    return Ok(());
                }
                f.write_char('/')?;
                put_u64(f, u64::from(*code_lo))?;
                if code_lo != code_hi {
                    f.write_char(':')?;
                    put_u64(f, u64::from(*code_hi))?;
                }
                Ok(())
            }
            Value::Proto(p) => p.print(f),
            Value::Mac(m) => write!(
                f,
                "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
                m[0], m[1], m[2], m[3], m[4], m[5]
            ),
            Value::Class(major, minor) => write!(f, "{major:04x}:{minor:04x}"),
            Value::Raw(words) => {
                for (i, w) in words.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    f.write_str(w.raw)?;
                }
                Ok(())
            }
        }
    }
}

fn write_bits<W: fmt::Write + ?Sized>(f: &mut W, bits: u16, table: &[(&str, u16)]) -> fmt::Result {
    let mut first = true;
    for (name, bit) in table {
        if bits & bit != 0 {
            if !first {
                f.write_char(',')?;
            }
            f.write_str(name)?;
            first = false;
        }
    }
    Ok(())
}

fn write_tcp_flags<W: fmt::Write + ?Sized>(f: &mut W, bits: u8) -> fmt::Result {
    if bits == 0 {
        return f.write_str("NONE");
    }
    let mut first = true;
    for (name, bit) in names::TCP_FLAGS {
        if bits & bit != 0 {
            if !first {
                f.write_char(',')?;
            }
            f.write_str(name)?;
            first = false;
        }
    }
    Ok(())
}

impl Print for Opt<'_> {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        if self.negated {
            f.write_str("! ")?;
        }
        f.write_str("--")?;
        f.write_str(self.name)?;
        match &self.value {
            Value::Flag => Ok(()),
            Value::Raw(w) if w.is_empty() => Ok(()),
            v => {
                f.write_char(' ')?;
                v.print(f)
            }
        }
    }
}

impl Print for Rule<'_> {
    /// The rule's options, each with a leading space, in iptables-save's order.
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        fn neg<W: fmt::Write + ?Sized>(f: &mut W, negated: bool, opt: &str) -> fmt::Result {
            f.write_str(if negated { " ! " } else { " " })?;
            f.write_str(opt)
        }
        if let Some(s) = &self.source {
            neg(f, s.negated, "-s ")?;
            s.value.print(f)?;
        }
        if let Some(d) = &self.destination {
            neg(f, d.negated, "-d ")?;
            d.value.print(f)?;
        }
        if let Some(i) = &self.in_iface {
            neg(f, i.negated, "-i ")?;
            f.write_str(i.value)?;
        }
        if let Some(o) = &self.out_iface {
            neg(f, o.negated, "-o ")?;
            f.write_str(o.value)?;
        }
        if let Some(p) = &self.protocol {
            neg(f, p.negated, "-p ")?;
            p.value.print(f)?;
        }
        if let Some(inv) = self.fragment {
            neg(f, inv, "-f")?;
        }
        for m in &self.matches {
            f.write_str(" -m ")?;
            f.write_str(m.name)?;
            for o in &m.options {
                f.write_char(' ')?;
                o.print(f)?;
            }
        }
        if let Some(t) = &self.target {
            f.write_str(if t.goto { " -g " } else { " -j " })?;
            f.write_str(t.name)?;
            for o in &t.options {
                f.write_char(' ')?;
                o.print(f)?;
            }
        }
        Ok(())
    }
}

impl Print for Command<'_> {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        fn head<W: fmt::Write + ?Sized>(
            f: &mut W,
            r: &Rule<'_>,
            cmd: &str,
            chain: &str,
        ) -> fmt::Result {
            if let Some(c) = r.counters {
                c.print(f)?;
                f.write_char(' ')?;
            }
            f.write_str(cmd)?;
            f.write_str(chain)
        }
        fn opt_chain<W: fmt::Write + ?Sized>(
            f: &mut W,
            cmd: &str,
            chain: &Option<&str>,
        ) -> fmt::Result {
            f.write_str(cmd)?;
            if let Some(c) = chain {
                f.write_char(' ')?;
                f.write_str(c)?;
            }
            Ok(())
        }
        match self {
            Command::Append { chain, rule } => {
                head(f, rule, "-A ", chain)?;
                rule.print(f)
            }
            Command::Insert { chain, index, rule } => {
                head(f, rule, "-I ", chain)?;
                if let Some(i) = index {
                    f.write_char(' ')?;
                    put_u64(f, u64::from(*i))?;
                }
                rule.print(f)
            }
            Command::Delete { chain, what } => match what {
                DeleteBy::Index(i) => {
                    f.write_str("-D ")?;
                    f.write_str(chain)?;
                    f.write_char(' ')?;
                    put_u64(f, u64::from(*i))
                }
                DeleteBy::Rule(rule) => {
                    head(f, rule, "-D ", chain)?;
                    rule.print(f)
                }
            },
            Command::Replace { chain, index, rule } => {
                head(f, rule, "-R ", chain)?;
                f.write_char(' ')?;
                put_u64(f, u64::from(*index))?;
                rule.print(f)
            }
            Command::NewChain(c) => {
                f.write_str("-N ")?;
                f.write_str(c)
            }
            Command::DeleteChain(c) => opt_chain(f, "-X", c),
            Command::Flush(c) => opt_chain(f, "-F", c),
            Command::Zero(c) => opt_chain(f, "-Z", c),
            Command::Policy { chain, policy } => {
                f.write_str("-P ")?;
                f.write_str(chain)?;
                f.write_char(' ')?;
                f.write_str(policy)
            }
        }
    }
}

impl Print for Line<'_> {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        match &self.kind {
            LineKind::Blank => Ok(()),
            LineKind::Comment(c) => {
                f.write_char('#')?;
                f.write_str(c)
            }
            LineKind::Diagnostic(d) => write!(f, "{d}"),
            LineKind::Table(t) => {
                f.write_char('*')?;
                f.write_str(t)
            }
            LineKind::Chain(c) => {
                f.write_char(':')?;
                f.write_str(c.name)?;
                f.write_char(' ')?;
                f.write_str(c.policy.unwrap_or("-"))?;
                if let Some(k) = c.counters {
                    f.write_char(' ')?;
                    k.print(f)?;
                }
                Ok(())
            }
            LineKind::Command(c) => c.print(f),
            LineKind::Commit => f.write_str("COMMIT"),
        }
    }
}

impl Print for Dump<'_> {
    /// Every line followed by a newline.
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        for l in &self.lines {
            l.print(f)?;
            f.write_char('\n')?;
        }
        Ok(())
    }
}

impl Dump<'_> {
    /// The canonical text, built directly into a `String` (faster than
    /// `to_string()`, which goes through a `Formatter`).
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(self.lines.len() * 64);
        // Writing to a String cannot fail.
        let _ = self.print(&mut s);
        s
    }
}

display_via_print!(
    Value<'_>,
    Opt<'_>,
    Rule<'_>,
    Command<'_>,
    Line<'_>,
    Dump<'_>
);
