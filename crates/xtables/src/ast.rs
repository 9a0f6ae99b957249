//! The syntax tree of an iptables-save / iptables-restore file.
//!
//! The tree borrows from the input (`&'a str`); strings that had quotes or
//! escapes are the only owned parts. `Display` on every node prints the
//! canonical text iptables-save prints: for text that iptables-save itself
//! wrote, `parse(text).to_string() == text`.

use std::fmt::{self, Write as _};
use std::net::IpAddr;

use crate::error::Span;
use crate::lex::Word;
use crate::names;
use crate::value::{
    write_string, Counters, Masked, NatRange, Net, Probability, Quote, Range, Rate, Text,
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

/// A restore command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command<'a> {
    /// `-A CHAIN RULE`.
    Append {
        /// Chain.
        chain: &'a str,
        /// Rule.
        rule: Rule<'a>,
    },
    /// `-I CHAIN [N] RULE`.
    Insert {
        /// Chain.
        chain: &'a str,
        /// 1-based position, when given.
        index: Option<u32>,
        /// Rule.
        rule: Rule<'a>,
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
        rule: Rule<'a>,
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
    Rule(Rule<'a>),
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

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match names::proto_name(self.0) {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

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

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Flag => Ok(()),
            Value::Uint(n) => write!(f, "{n}"),
            Value::Hex { value, width } => write!(f, "0x{:0w$x}", value, w = *width as usize),
            Value::Range(r) => write!(f, "{r}"),
            Value::Ports(list) => {
                for (i, r) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
            Value::Net { net, bare_host } => {
                if *bare_host && net.is_host() {
                    write!(f, "{}", net.addr)
                } else {
                    write!(f, "{net}")
                }
            }
            Value::Addr(a) => write!(f, "{a}"),
            Value::AddrRange(a, b) => write!(f, "{a}-{b}"),
            Value::Masked(m, style) => match style {
                MaskStyle::Mark => match m.mask {
                    Some(mask) if mask != u32::MAX => write!(f, "0x{:x}/0x{:x}", m.value, mask),
                    _ => write!(f, "0x{:x}", m.value),
                },
                MaskStyle::XMark => {
                    write!(f, "0x{:x}/0x{:x}", m.value, m.mask.unwrap_or(u32::MAX))
                }
                MaskStyle::Tos => {
                    write!(f, "0x{:02x}/0x{:02x}", m.value, m.mask.unwrap_or(0xff))
                }
            },
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
            Value::Nat(n) => write!(f, "{n}"),
            Value::TcpFlags { mask, comp } => {
                write_tcp_flags(f, *mask)?;
                f.write_char(' ')?;
                write_tcp_flags(f, *comp)
            }
            Value::SetRef { name, flags } => {
                write_string(f, name, Quote::IfNeeded)?;
                write!(f, " {flags}")
            }
            Value::Icmp {
                ty,
                code_lo,
                code_hi,
                v6,
            } => {
                if !v6 && *ty == 0xff && *code_lo == 0 && *code_hi == 0xff {
                    f.write_str("any")
                } else if *code_lo == 0 && *code_hi == 0xff {
                    write!(f, "{ty}")
                } else if code_lo == code_hi {
                    write!(f, "{ty}/{code_lo}")
                } else {
                    write!(f, "{ty}/{code_lo}:{code_hi}")
                }
            }
            Value::Proto(p) => write!(f, "{p}"),
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

fn write_bits(f: &mut fmt::Formatter<'_>, bits: u16, table: &[(&str, u16)]) -> fmt::Result {
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

fn write_tcp_flags(f: &mut fmt::Formatter<'_>, bits: u8) -> fmt::Result {
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

impl fmt::Display for Opt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("! ")?;
        }
        write!(f, "--{}", self.name)?;
        match &self.value {
            Value::Flag => Ok(()),
            Value::Raw(w) if w.is_empty() => Ok(()),
            v => write!(f, " {v}"),
        }
    }
}

fn neg(f: &mut fmt::Formatter<'_>, negated: bool) -> fmt::Result {
    if negated {
        f.write_str(" !")?;
    }
    Ok(())
}

impl fmt::Display for Rule<'_> {
    /// The rule's options, each with a leading space, in iptables-save's order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.source {
            neg(f, s.negated)?;
            write!(f, " -s {}", s.value)?;
        }
        if let Some(d) = &self.destination {
            neg(f, d.negated)?;
            write!(f, " -d {}", d.value)?;
        }
        if let Some(i) = &self.in_iface {
            neg(f, i.negated)?;
            write!(f, " -i {}", i.value)?;
        }
        if let Some(o) = &self.out_iface {
            neg(f, o.negated)?;
            write!(f, " -o {}", o.value)?;
        }
        if let Some(p) = &self.protocol {
            neg(f, p.negated)?;
            write!(f, " -p {}", p.value)?;
        }
        if let Some(inv) = self.fragment {
            neg(f, inv)?;
            f.write_str(" -f")?;
        }
        for m in &self.matches {
            write!(f, " -m {}", m.name)?;
            for o in &m.options {
                write!(f, " {o}")?;
            }
        }
        if let Some(t) = &self.target {
            write!(f, " {} {}", if t.goto { "-g" } else { "-j" }, t.name)?;
            for o in &t.options {
                write!(f, " {o}")?;
            }
        }
        Ok(())
    }
}

fn opt_chain(f: &mut fmt::Formatter<'_>, cmd: &str, chain: &Option<&str>) -> fmt::Result {
    match chain {
        Some(c) => write!(f, "{cmd} {c}"),
        None => f.write_str(cmd),
    }
}

impl fmt::Display for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counters = |f: &mut fmt::Formatter<'_>, r: &Rule<'_>| -> fmt::Result {
            if let Some(c) = r.counters {
                write!(f, "{c} ")?;
            }
            Ok(())
        };
        match self {
            Command::Append { chain, rule } => {
                counters(f, rule)?;
                write!(f, "-A {chain}{rule}")
            }
            Command::Insert { chain, index, rule } => {
                counters(f, rule)?;
                write!(f, "-I {chain}")?;
                if let Some(i) = index {
                    write!(f, " {i}")?;
                }
                write!(f, "{rule}")
            }
            Command::Delete { chain, what } => match what {
                DeleteBy::Index(i) => write!(f, "-D {chain} {i}"),
                DeleteBy::Rule(rule) => {
                    counters(f, rule)?;
                    write!(f, "-D {chain}{rule}")
                }
            },
            Command::Replace { chain, index, rule } => {
                counters(f, rule)?;
                write!(f, "-R {chain} {index}{rule}")
            }
            Command::NewChain(c) => write!(f, "-N {c}"),
            Command::DeleteChain(c) => opt_chain(f, "-X", c),
            Command::Flush(c) => opt_chain(f, "-F", c),
            Command::Zero(c) => opt_chain(f, "-Z", c),
            Command::Policy { chain, policy } => write!(f, "-P {chain} {policy}"),
        }
    }
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LineKind::Blank => Ok(()),
            LineKind::Comment(c) => write!(f, "#{c}"),
            LineKind::Diagnostic(d) => write!(f, "{d}"),
            LineKind::Table(t) => write!(f, "*{t}"),
            LineKind::Chain(c) => {
                write!(f, ":{} {}", c.name, c.policy.unwrap_or("-"))?;
                if let Some(k) = c.counters {
                    write!(f, " {k}")?;
                }
                Ok(())
            }
            LineKind::Command(c) => write!(f, "{c}"),
            LineKind::Commit => f.write_str("COMMIT"),
        }
    }
}

impl fmt::Display for Dump<'_> {
    /// Every line followed by a newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}
