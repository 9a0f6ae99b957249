//! The model's types.

use std::net::IpAddr;

use bitflags::bitflags;

use crate::field::{FieldTest, Key, Value};
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// Address family of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Family {
    /// IPv4 (`iptables`, nft `ip`).
    Ipv4,
    /// IPv6 (`ip6tables`, nft `ip6`).
    Ipv6,
    /// nft `inet` (both).
    Inet,
    /// nft `arp`.
    Arp,
    /// nft `bridge`.
    Bridge,
    /// nft `netdev`.
    Netdev,
}

/// Where a ruleset came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum Backend {
    /// iptables-save text (legacy or nft variant, not told apart by the text alone
    /// unless its header says so).
    XtablesText,
    /// nf_tables read over netlink.
    NfTables,
    /// Legacy xtables tables read from the kernel (`IPT_SO_GET_ENTRIES`).
    XtablesKernel,
}

/// A whole ruleset.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Ruleset {
    /// The family of its tables (from the input, or inferred).
    pub family: Family,
    /// Where it came from.
    pub backend: Backend,
    /// The tool and version that wrote it, from an iptables-save header
    /// (`iptables-save v1.8.9 (nf_tables)`), if any.
    pub writer: Option<Writer>,
    /// Its tables, in input order.
    pub tables: Vec<Table>,
    /// What the input said about itself (iptables-nft's warnings).
    pub diagnostics: Vec<Diagnostic>,
}

impl Ruleset {
    /// The kernel indexes of the ipsets its rules refer to but do not name
    /// yet (xt `set` blobs), sorted, each once.
    pub fn ipset_indexes(&self) -> Vec<u16> {
        let mut out: Vec<u16> = self
            .tables
            .iter()
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
            .flat_map(|r| {
                let set = r.matches.iter().filter_map(|m| match &m.kind {
                    MatchKind::Set { index: Some(i), .. } => Some(*i),
                    _ => None,
                });
                let target = match r.action.as_ref().map(|a| &a.kind) {
                    Some(ActionKind::Ipset { add, del, map, .. }) => [add, del, map]
                        .into_iter()
                        .filter_map(|r| r.as_ref().and_then(|r| r.index))
                        .collect(),
                    _ => Vec::new(),
                };
                set.chain(target)
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Names the ipsets known only by kernel index, with `name(index)` (as
    /// iptables does when it lists such a rule: it asks the kernel). A
    /// reference `name` does not know keeps its index.
    pub fn resolve_ipsets<'n>(&mut self, name: impl Fn(u16) -> Option<&'n str>) {
        let rules = self
            .tables
            .iter_mut()
            .flat_map(|t| &mut t.chains)
            .flat_map(|c| &mut c.rules);
        for r in rules {
            r.resolve_ipsets(&name);
        }
    }
}

/// The program that printed an iptables-save file, from its header comment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Writer {
    /// `iptables-save`, `ip6tables-save`, `iptables-legacy-save`, ...
    pub program: Box<str>,
    /// `1.8.9`.
    pub version: Box<str>,
    /// `nf_tables` or `legacy`, when the header says.
    pub variant: Option<Box<str>>,
}

/// A warning iptables-nft printed into its output.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case", tag = "kind")
)]
pub enum Diagnostic {
    /// The table is incompatible with iptables-nft: its rules were not printed.
    TableIncompatible {
        /// The table.
        table: Box<str>,
        /// Line of the comment.
        line: u32,
    },
    /// Some base chains of the table are hidden from the listing (1.8.8+).
    IncompatibleBaseChains {
        /// The table.
        table: Box<str>,
        /// Line of the comment.
        line: u32,
    },
    /// Legacy tables exist besides the nf_tables ones.
    LegacyTablesPresent {
        /// Line of the comment.
        line: u32,
    },
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Table {
    /// Family.
    pub family: Family,
    /// Name (`filter`, `nat`, ...).
    pub name: Box<str>,
    /// The nf_tables handle (`nft -a`); `None` for iptables text.
    #[cfg_attr(feature = "serde", serde(default))]
    pub handle: Option<u64>,
    /// nf_tables `flags dormant`: the table is loaded but none of its base
    /// chains see packets.
    #[cfg_attr(feature = "serde", serde(default))]
    pub dormant: bool,
    /// Named sets and maps, in the kernel's order (nf_tables only).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub sets: Vec<NamedSet>,
    /// Named stateful objects, in the kernel's order (nf_tables only).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Vec::is_empty")
    )]
    pub objects: Vec<NamedObject>,
    /// Chains, in declaration order.
    pub chains: Vec<Chain>,
}

/// A named stateful object of an nf_tables table (`counter c1 { }`,
/// `quota q { over 25 mbytes }`, `ct helper ftp { type "ftp" protocol tcp
/// }`), which rules use by name ([`MatchKind::ObjRef`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct NamedObject {
    /// Name.
    pub name: Box<str>,
    /// The nf_tables handle (`nft -a`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub handle: Option<u64>,
    /// Comment.
    #[cfg_attr(feature = "serde", serde(default))]
    pub comment: Option<Box<str>>,
    /// What it is, and its state.
    pub kind: ObjectKind,
}

/// What a [`NamedObject`] is. Protocol families are the kernel's
/// `NFPROTO_*` numbers (2 `ip`, 10 `ip6`, 1 `inet`), protocols IP
/// protocol numbers.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case", tag = "type")
)]
#[non_exhaustive]
pub enum ObjectKind {
    /// `counter`: what it counted.
    Counter {
        /// Packets.
        packets: u64,
        /// Bytes.
        bytes: u64,
    },
    /// `quota`: a byte budget.
    Quota {
        /// The budget.
        bytes: u64,
        /// What is used of it.
        used: u64,
        /// `over`: the rule matches once it is used up.
        over: bool,
    },
    /// `limit`: a rate.
    Limit {
        /// Packets or bytes per `unit` seconds.
        rate: u64,
        /// The period, in seconds.
        unit: u64,
        /// Burst (packets or bytes).
        burst: u32,
        /// A byte rate.
        bytes: bool,
        /// `over`: the rule matches above the rate.
        over: bool,
    },
    /// `ct helper`: a conntrack helper to assign.
    CtHelper {
        /// The helper (`ftp`).
        helper: Box<str>,
        /// Family (`NFPROTO_*`).
        l3proto: u16,
        /// Protocol.
        l4proto: u8,
    },
    /// `ct timeout`: a timeout policy to assign.
    CtTimeout {
        /// Family (`NFPROTO_*`).
        l3proto: u16,
        /// Protocol.
        l4proto: u8,
        /// Per conntrack state of the protocol (the kernel's
        /// `CTA_TIMEOUT_*` number, from 1), its timeout in seconds.
        timeouts: Vec<(u16, u32)>,
    },
    /// `ct expectation`: an expectation to create.
    CtExpect {
        /// Family (`NFPROTO_*`).
        l3proto: u16,
        /// Protocol.
        l4proto: u8,
        /// Destination port.
        dport: u16,
        /// Timeout, in milliseconds.
        timeout: u32,
        /// How many expectations at most.
        size: u8,
    },
    /// `synproxy`: the TCP options a SYN proxy announces.
    Synproxy {
        /// MSS.
        mss: u16,
        /// Window scale.
        wscale: u8,
        /// `NF_SYNPROXY_OPT_*` (4 `sack-perm`, 8 `timestamp`).
        flags: u32,
    },
    /// `secmark`: a security context.
    Secmark {
        /// The context.
        ctx: Box<str>,
    },
    /// Another type (`NFT_OBJECT_*`), not read.
    Other {
        /// The type.
        ty: u32,
    },
}

impl ObjectKind {
    /// The kernel's `NFT_OBJECT_*` type.
    pub fn type_number(&self) -> u32 {
        match self {
            ObjectKind::Counter { .. } => 1,
            ObjectKind::Quota { .. } => 2,
            ObjectKind::CtHelper { .. } => 3,
            ObjectKind::Limit { .. } => 4,
            ObjectKind::CtTimeout { .. } => 7,
            ObjectKind::Secmark { .. } => 8,
            ObjectKind::CtExpect { .. } => 9,
            ObjectKind::Synproxy { .. } => 10,
            ObjectKind::Other { ty } => *ty,
        }
    }
}

/// A named set or map of an nf_tables table (`set blocked { type
/// ipv4_addr; flags interval; elements = { 10.0.0.0/8 } }`), which rules
/// refer to by name (`ip saddr @blocked`, [`MatchKind::InSet`]).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct NamedSet {
    /// Name.
    pub name: Box<str>,
    /// The nf_tables handle (`nft -a`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub handle: Option<u64>,
    /// The key: one part, or the parts of a concatenation, in order.
    pub key: Vec<SetField>,
    /// What a map's elements map to; `None` for a set.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub data: Option<SetData>,
    /// `NFT_SET_*` flags: `constant`, `interval`, `timeout`, `dynamic`, ...
    pub flags: SetFlags,
    /// `policy memory` (the default is `performance`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub policy_memory: bool,
    /// `size`: the most elements it holds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub size: Option<u32>,
    /// `timeout`: how long an element stays by default, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub timeout: Option<u64>,
    /// `gc-interval`, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub gc_interval: Option<u64>,
    /// `auto-merge`: adjacent and overlapping intervals are merged.
    #[cfg_attr(feature = "serde", serde(default))]
    pub auto_merge: bool,
    /// `comment`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub comment: Option<Box<str>>,
    /// The elements, sorted as nft lists them.
    pub elems: Vec<SetElem>,
}

/// One part of a named set's key or map's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum SetField {
    /// A datatype, declared with `type` (`ipv4_addr`).
    Type(crate::set::NftType),
    /// A key, declared with `typeof` (`typeof ip saddr`): its values are
    /// the key's.
    Typeof(Key),
}

/// What a named map's elements map to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum SetData {
    /// A verdict: a verdict map (`type ipv4_addr : verdict`).
    Verdict,
    /// Values of these parts (`: ipv4_addr . inet_service`); `interval`
    /// when each is a range.
    Values {
        /// The parts.
        parts: Vec<SetField>,
        /// `: interval ...`.
        #[cfg_attr(feature = "serde", serde(default))]
        interval: bool,
    },
    /// Stateful objects of this `NFT_OBJECT_*` type (`: counter`).
    Object(u32),
}

bitflags! {
    /// A set's `NFT_SET_*` flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct SetFlags: u32 {
        /// Anonymous (never a named set).
        const ANONYMOUS = 0x1;
        /// `constant`: no element is added or removed once it is made.
        const CONSTANT = 0x2;
        /// `interval`: elements are ranges.
        const INTERVAL = 0x4;
        /// A map.
        const MAP = 0x8;
        /// `timeout`: elements may expire.
        const TIMEOUT = 0x10;
        /// `dynamic`: rules add elements (`add @set { ... }`).
        const DYNAMIC = 0x20;
        /// An object map.
        const OBJECT = 0x40;
        /// A concatenation of ranges.
        const CONCAT = 0x80;
    }
}

/// One element of a named set or map.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct SetElem {
    /// Per part of the key, an inclusive range (a single value is a range
    /// of one); empty for the catch-all element `*`.
    pub key: Vec<(Value, Value)>,
    /// What a map's element maps to.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub data: Option<ElemValue>,
    /// The element's own timeout, in milliseconds.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub timeout: Option<u64>,
    /// Milliseconds until it expires, when read. State, as counters are:
    /// not part of what the set holds ([`NamedSet::same_meaning`]).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub expires: Option<u64>,
    /// `comment`.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub comment: Option<Box<str>>,
}

/// What a map element maps to.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum ElemValue {
    /// A verdict: [`Accept`](ActionKind::Accept), `Drop`, `Continue`,
    /// `Return`, `Jump`, `Goto` or `Queue`.
    Verdict(ActionKind),
    /// Per part of the map's data, an inclusive range (a single value is
    /// a range of one).
    Values(Vec<(Value, Value)>),
    /// The name of a stateful object.
    Object(Box<str>),
}

impl NamedObject {
    /// Whether the two are the same object: the same name, type,
    /// settings and comment. What a counter counted and what a quota used
    /// are state, not meaning (as for rules' counters), and the handle is
    /// the kernel's; `counters` compares the state too.
    pub fn same_meaning(&self, other: &NamedObject, counters: bool) -> bool {
        let strip = |o: &NamedObject| {
            let mut o = o.clone();
            o.handle = None;
            if !counters {
                match &mut o.kind {
                    ObjectKind::Counter { packets, bytes } => {
                        *packets = 0;
                        *bytes = 0;
                    }
                    ObjectKind::Quota { used, .. } => *used = 0,
                    _ => {}
                }
            }
            o
        };
        strip(self) == strip(other)
    }
}

impl NamedSet {
    /// Whether the two hold the same: equal but for when elements expire.
    pub fn same_meaning(&self, other: &NamedSet) -> bool {
        let strip = |s: &NamedSet| {
            let mut s = s.clone();
            for e in &mut s.elems {
                e.expires = None;
            }
            s
        };
        strip(self) == strip(other)
    }
}

/// Netfilter hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Hook {
    /// PREROUTING.
    Prerouting,
    /// INPUT.
    Input,
    /// FORWARD.
    Forward,
    /// OUTPUT.
    Output,
    /// POSTROUTING.
    Postrouting,
    /// netdev ingress.
    Ingress,
    /// netdev egress.
    Egress,
}

impl Hook {
    /// The hook of an iptables built-in chain name.
    pub fn from_xtables_chain(name: &str) -> Option<Hook> {
        Some(match name {
            "PREROUTING" => Hook::Prerouting,
            "INPUT" => Hook::Input,
            "FORWARD" => Hook::Forward,
            "OUTPUT" => Hook::Output,
            "POSTROUTING" => Hook::Postrouting,
            _ => return None,
        })
    }
}

/// A base chain's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Policy {
    /// Accept.
    Accept,
    /// Drop.
    Drop,
}

/// A chain.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Chain {
    /// Name.
    pub name: Box<str>,
    /// The nf_tables handle (`nft -a`); `None` for iptables text.
    #[cfg_attr(feature = "serde", serde(default))]
    pub handle: Option<u64>,
    /// The hook, for a base chain.
    pub hook: Option<Hook>,
    /// The policy, for a base chain.
    pub policy: Option<Policy>,
    /// nf_tables base chain type (`filter`, `nat`, `route`) and priority;
    /// `None` for iptables text, where the table implies them.
    pub base: Option<BaseChain>,
    /// Chain counters, if known.
    pub counters: Option<Counters>,
    /// Rules in order.
    pub rules: Vec<Rule>,
}

/// What an nf_tables base chain declares besides its hook.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct BaseChain {
    /// `filter`, `nat` or `route`.
    pub kind: Box<str>,
    /// Priority.
    pub priority: i32,
    /// Devices (netdev family).
    pub devices: Vec<Box<str>>,
}

/// Packet and byte counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
    /// Where nft's counter statement sits (iptables rules count at the
    /// end). It changes what is counted, not what the rule does.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "CounterAt::is_end")
    )]
    pub at: CounterAt,
}

/// Where a counter statement sits among a rule's parts: a counter counts
/// the packets that reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
#[non_exhaustive]
pub enum CounterAt {
    /// After every condition, before the statement: where iptables
    /// counts, and where nft puts `counter` unless told otherwise.
    #[default]
    End,
    /// After the first `n` conditions (`ip protocol tcp counter tcp dport
    /// 22`).
    After(u32),
    /// After the statement: packets a verdict map let through (`ip dscp
    /// vmap { cs1 : accept } counter`).
    AfterStatement,
}

impl CounterAt {
    /// Whether it is [`CounterAt::End`].
    pub fn is_end(&self) -> bool {
        *self == CounterAt::End
    }
}

/// Where a rule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case", tag = "kind")
)]
pub enum Origin {
    /// A line of text.
    Text {
        /// 1-based line.
        line: u32,
        /// Byte offset of the line.
        offset: usize,
    },
    /// An nf_tables rule handle.
    Handle {
        /// The handle.
        handle: u64,
    },
    /// A legacy xtables entry, by its byte offset in the table.
    Entry {
        /// Byte offset.
        offset: u32,
    },
}

/// One rule: all matches must hold, then the action runs.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Rule {
    /// The conditions, in input order.
    pub matches: Vec<Match>,
    /// What happens when they hold; `None` for a rule that only counts.
    pub action: Option<Action>,
    /// The rule's comment (`-m comment` or nft rule userdata).
    pub comment: Option<Box<str>>,
    /// Counters, if known.
    pub counters: Option<Counters>,
    /// Where it came from.
    pub origin: Origin,
}

/// A condition, possibly inverted.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Match {
    /// `!`.
    pub negated: bool,
    /// What is tested.
    pub kind: MatchKind,
    /// Which of the forms nft lists differently the kernel held; never
    /// part of the meaning (not serialized, and any two compare equal).
    #[cfg_attr(feature = "serde", serde(skip))]
    pub spelling: Spelling,
}

impl Match {
    /// A match in its usual spelling.
    pub fn new(negated: bool, kind: MatchKind) -> Match {
        Match {
            negated,
            kind,
            spelling: Spelling::Plain,
        }
    }

    /// The same match, spelled `spelling`.
    pub fn spelled(self, spelling: Spelling) -> Match {
        Match { spelling, ..self }
    }
}

/// How the kernel's form of a match was written, where two forms of one
/// meaning list differently in nft: `tcp dport > 1023` and `tcp dport
/// 1024-65535`, `ip protocol tcp` and `meta l4proto tcp`, `ct original
/// protocol` and `ct protocol`. It is kept only to list a rule as nft
/// does: any two spellings compare equal, so rules that mean the same are
/// equal however they were written.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub enum Spelling {
    /// The usual form, or not known.
    #[default]
    Plain,
    /// A one-sided compare (`tcp dport > 1023`, `th sport <= 1024`).
    Cmp(crate::field::CmpOp),
    /// The protocol from the network header (`ip protocol tcp`).
    Header,
    /// With the original direction (`ct original protocol tcp`).
    Original,
    /// With the reply direction (`ct reply protocol tcp`).
    Reply,
    /// A mark's bits set before the compare (`meta mark | 0x3 == 0x1`,
    /// what [`MatchKind::Mark`] holds as `mark & !0x3 == 0x2`).
    Or,
    /// A mask that keeps every bit of the field, written before the
    /// compare: `ip dscp & 0x3f == lephb`, how nft 1.1 lists `ip dscp
    /// 1/6` (the same test as `ip dscp lephb`). The mask, as a number of
    /// the field.
    WholeMask(u128),
}

impl PartialEq for Spelling {
    /// Always: a spelling is not part of a match's meaning.
    fn eq(&self, _: &Spelling) -> bool {
        true
    }
}

impl Eq for Spelling {}

/// An address with a mask (contiguous or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct IpNet {
    /// The address, masked.
    pub addr: IpAddr,
    /// The mask.
    pub mask: IpAddr,
}

/// An interface name; `wildcard` for a trailing `+` (prefix match).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Iface {
    /// The name without the `+`.
    pub name: Box<str>,
    /// Prefix match.
    pub wildcard: bool,
}

/// An inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Span32 {
    /// Low end.
    pub lo: u32,
    /// High end.
    pub hi: u32,
}

/// Which side of a packet or connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum Dir {
    /// Source.
    Src,
    /// Destination.
    Dst,
    /// Either (multiport `--ports`).
    Either,
}

bitflags! {
    /// Conntrack states. The low bits are the kernel's `NF_CT_STATE_*_BIT`
    /// values, what nft `ct state` compares (`ct state 0x2,0x4` is
    /// `ESTABLISHED | RELATED`). `SNAT` and `DNAT` are the conntrack match's
    /// virtual states (they test the connection's NAT status); they have no
    /// nft state bit, so nflens gives them bits 8 and 9.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct CtState: u16 {
        /// INVALID.
        const INVALID = 0x01;
        /// ESTABLISHED.
        const ESTABLISHED = 0x02;
        /// RELATED.
        const RELATED = 0x04;
        /// NEW.
        const NEW = 0x08;
        /// UNTRACKED.
        const UNTRACKED = 0x40;
        /// conntrack's virtual SNAT state.
        const SNAT = 0x100;
        /// conntrack's virtual DNAT state.
        const DNAT = 0x200;
    }
}

bitflags! {
    /// Conntrack status bits (kernel `IPS_*`), as `--ctstatus` and nft `ct status`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct CtStatus: u32 {
        /// EXPECTED.
        const EXPECTED = 0x01;
        /// SEEN_REPLY.
        const SEEN_REPLY = 0x02;
        /// ASSURED.
        const ASSURED = 0x04;
        /// CONFIRMED.
        const CONFIRMED = 0x08;
    }
}

bitflags! {
    /// TCP flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct TcpFlags: u8 {
        /// FIN.
        const FIN = 0x01;
        /// SYN.
        const SYN = 0x02;
        /// RST.
        const RST = 0x04;
        /// PSH.
        const PSH = 0x08;
        /// ACK.
        const ACK = 0x10;
        /// URG.
        const URG = 0x20;
        /// ECE.
        const ECE = 0x40;
        /// CWR.
        const CWR = 0x80;
    }
}

/// What a condition tests. Equal meaning is an equal value, whichever module
/// or expression it came from.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case", tag = "match", content = "value")
)]
#[non_exhaustive]
pub enum MatchKind {
    /// Network-layer source or destination address (`-s`, `ip saddr`).
    Addr {
        /// Which.
        dir: Dir,
        /// Network.
        net: IpNet,
    },
    /// An address range (`-m iprange`).
    AddrRange {
        /// Which.
        dir: Dir,
        /// First.
        lo: IpAddr,
        /// Last.
        hi: IpAddr,
    },
    /// Input interface (`-i`, `meta iifname`).
    InIface(Iface),
    /// Output interface (`-o`, `meta oifname`).
    OutIface(Iface),
    /// Layer-4 protocol (`-p`, `meta l4proto`, `ip protocol`).
    Protocol(u8),
    /// A non-first fragment (`-f`).
    Fragment,
    /// Transport ports (`--sport`/`--dport`, multiport, `th dport`): any range holds.
    Port {
        /// Which.
        dir: Dir,
        /// The ranges.
        ranges: Vec<Span32>,
    },
    /// TCP flags: of `mask`, exactly `set` are set.
    TcpFlags {
        /// Flags examined.
        mask: TcpFlags,
        /// Flags that must be set.
        set: TcpFlags,
    },
    /// Conntrack state (`-m state`, `-m conntrack --ctstate`, `ct state`).
    CtState(CtState),
    /// Conntrack status.
    CtStatus(CtStatus),
    /// Conntrack direction: `true` for REPLY.
    CtDirReply(bool),
    /// Conntrack layer-4 protocol.
    CtProto(u8),
    /// A conntrack tuple address.
    CtAddr {
        /// Reply tuple rather than original.
        reply: bool,
        /// Which.
        dir: Dir,
        /// Network.
        net: IpNet,
    },
    /// A conntrack tuple port range.
    CtPort {
        /// Reply tuple rather than original.
        reply: bool,
        /// Which.
        dir: Dir,
        /// Range.
        range: Span32,
    },
    /// Remaining conntrack lifetime in seconds.
    CtExpire(Span32),
    /// Packet mark: `(mark & mask) == value` (`-m mark`, `meta mark`).
    Mark {
        /// Value.
        value: u32,
        /// Mask.
        mask: u32,
    },
    /// Connection mark: `(ctmark & mask) == value`.
    ConnMark {
        /// Value.
        value: u32,
        /// Mask.
        mask: u32,
    },
    /// ICMP / ICMPv6 type and code range.
    Icmp {
        /// ICMPv6.
        v6: bool,
        /// Type (255 with all codes = any, v4).
        ty: u8,
        /// Code range.
        codes: (u8, u8),
    },
    /// Address type of source and/or destination.
    AddrType {
        /// Source types, as written (`LOCAL,BROADCAST`).
        src: Option<Box<str>>,
        /// Destination types.
        dst: Option<Box<str>>,
        /// Only on the input interface.
        limit_iface_in: bool,
        /// Only on the output interface.
        limit_iface_out: bool,
        /// `!` per side (src, dst).
        inverted: (bool, bool),
    },
    /// A token bucket (`-m limit`, nft `limit rate`): one packet per `period`
    /// 1/10,000ths of a second, bursts of `burst`.
    Limit {
        /// Period in 1/10,000 s.
        period: u64,
        /// Burst.
        burst: u32,
    },
    /// nft's `limit` where [`Limit`](MatchKind::Limit) cannot hold it: a
    /// byte rate (`limit rate 1025 kbytes/second`), or a packet rate that
    /// is no whole number of 1/10,000 s periods (`limit rate 1023/second`;
    /// xt limit, which holds periods, cannot say it). Lowering gives
    /// `Limit` for every rate `Limit` holds, so the two never say the same.
    /// Negated: `limit rate over`.
    NftLimit {
        /// Packets, or bytes, per `unit`.
        rate: u64,
        /// Seconds (nft's units: 1, 60, 3600, 86400, 604800).
        unit: u64,
        /// Burst, in packets or bytes.
        burst: u32,
        /// A byte rate.
        bytes: bool,
    },
    /// nft's `quota`: true until `bytes` have passed it (negated: `quota
    /// over`, true from then on).
    Quota {
        /// The quota.
        bytes: u64,
        /// Bytes it has counted so far. State, as counters are: not part
        /// of what the rule means ([`Match::same_meaning`] ignores it).
        used: u64,
    },
    /// A statement that runs where it stands among the conditions and
    /// always holds: nft's statements before the rule's last one (`log`
    /// before `drop`, `meta mark set 1` before `accept`, a verdict map
    /// before `masquerade`). An iptables rule has one target and none.
    Statement(Box<ActionKind>),
    /// nft's `ct count`: true while the connections this rule has seen
    /// (still tracked) number at most `count` (negated: `ct count over`).
    /// nft's own list of connections, not xt connlimit's per-address groups.
    CtCount {
        /// The limit.
        count: u32,
    },
    /// A random sample: true with probability `p / 2^31`.
    Random {
        /// Fixed-point probability.
        p: u32,
    },
    /// Every `every`th packet, starting at `packet`.
    Nth {
        /// Period.
        every: u32,
        /// Phase.
        packet: u32,
    },
    /// An ipset lookup.
    Set {
        /// Set name (empty while only `index` is known).
        name: Box<str>,
        /// Direction flags (`src,dst`).
        flags: Box<str>,
        /// The kernel's index of the set, as an xt `set` blob holds it, until
        /// [`Ruleset::resolve_ipsets`] names it (`None` once named, and
        /// for sets read from text).
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        index: Option<u16>,
        /// The further options, as libxt_set saves them: `--return-nomatch`,
        /// `! --update-counters`, `! --update-subcounters`, then the packet
        /// and byte counter conditions (`--packets-gt 5`, `! --bytes-eq 0`);
        /// empty when none.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "str::is_empty")
        )]
        opts: Box<str>,
    },
    /// Socket owner uid range.
    Uid(Span32),
    /// Socket owner gid range.
    Gid(Span32),
    /// Packet length range.
    Length(Span32),
    /// Packet type (unicast, broadcast, multicast).
    PktType(Box<str>),
    /// Both transport ports at once: `sport == sport && dport == dport`, as
    /// one 4-byte compare of the transport header. Negated it is
    /// NOT(sport AND dport), what the kernel evaluates for a `!=` compare
    /// (not `! --sport a ! --dport b`, which iptables 1.8.8–1.8.10 show).
    PortPair {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
    },
    /// A header field, raw payload bits, or a `meta` or `ct` key compared
    /// with a value, when no narrower kind above says it (`ip dscp cs1`,
    /// `tcp window 8`, `meta priority 1:2`, `ct zone 23`).
    Field {
        /// What is read.
        key: Key,
        /// How it is compared.
        test: FieldTest,
    },
    /// A concatenation of keys in an anonymous set (`ip saddr . tcp dport
    /// { 10.0.0.1 . 22, 10.0.0.0/8 . 80-443 }`): true when some element
    /// holds every key, each in its range.
    Concat {
        /// The keys, in the order they are joined (each as it is or
        /// masked: `ip saddr & 0.0.0.255 . tcp dport { … }`).
        keys: Vec<KeyExpr>,
        /// The elements: per key, an inclusive range (a single value is a
        /// range of one); sorted.
        elems: Vec<Vec<(Value, Value)>>,
    },
    /// Uses a named stateful object of the table (nft's objref: `counter
    /// name "c1"`, `quota name "q1"`, `ct helper set "ftp"`, `ct timeout
    /// set ip saddr map { … }`): it counts, assigns, or (a quota or limit)
    /// stops the rule. A condition so that it keeps its place among them.
    ObjRef {
        /// The object's type (`NFT_OBJECT_*`).
        ty: u32,
        /// Which object.
        target: ObjTarget,
    },
    /// A lookup in a named set of the table (`ip saddr @blocked`, `ip
    /// saddr . tcp dport @allowed`): true when the keys' values are an
    /// element of it ([`Table::sets`]).
    InSet {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The set's name.
        set: Box<str>,
    },
    /// A native nf_tables condition nflens has no dedicated kind for yet:
    /// the expressions it came from, in libnftnl's debug syntax (one
    /// `[ ... ]` per expression). Never dropped.
    Nft {
        /// The expressions.
        exprs: Box<str>,
    },
    /// A match nflens does not normalise yet: the module and its options in
    /// canonical iptables syntax (`--every 3 --packet 0`). Never dropped.
    Xt {
        /// Module name.
        module: Box<str>,
        /// Canonical option text.
        args: Box<str>,
    },
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Action {
    /// The action.
    pub kind: ActionKind,
}

/// A NAT range (addresses and/or ports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct NatTo {
    /// First and last address.
    pub addrs: Option<(IpAddr, IpAddr)>,
    /// First and last port.
    pub ports: Option<(u16, u16)>,
    /// Base port of a port shift (DNAT `:1000-2000/1000`, revision 2).
    #[cfg_attr(feature = "serde", serde(default))]
    pub base: Option<u16>,
}

bitflags! {
    /// What a LOG target or nft `log` statement adds to the message
    /// (the kernel's `NF_LOG_*` bits, the same for both).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct LogFlags: u8 {
        /// TCP sequence numbers (`--log-tcp-sequence`, `flags tcp sequence`).
        const TCP_SEQUENCE = 0x01;
        /// TCP options.
        const TCP_OPTIONS = 0x02;
        /// IP options.
        const IP_OPTIONS = 0x04;
        /// The socket's uid.
        const UID = 0x08;
        /// The MAC header, decoded.
        const MAC_DECODE = 0x20;
    }
}

bitflags! {
    /// NAT flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    #[cfg_attr(feature = "serde", derive(Serialize, Deserialize), serde(transparent))]
    pub struct NatFlags: u8 {
        /// `--random`.
        const RANDOM = 0x1;
        /// `--random-fully`.
        const RANDOM_FULLY = 0x2;
        /// `--persistent`.
        const PERSISTENT = 0x4;
    }
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case", tag = "action", content = "value")
)]
#[non_exhaustive]
pub enum ActionKind {
    /// Accept.
    Accept,
    /// Drop.
    Drop,
    /// Return to the calling chain.
    Return,
    /// Queue to user space (QUEUE, NFQUEUE, nft's `queue`).
    Queue {
        /// First queue.
        num: u16,
        /// Last queue (balance).
        last: u16,
        /// Accept when no program listens.
        bypass: bool,
        /// Spread over `num..=last` by CPU rather than by flow
        /// (`--queue-cpu-fanout`, `flags fanout`).
        fanout: bool,
        /// The queue number read from the packet instead (`queue to
        /// symhash mod 2`, `queue to oifname map { … }`); `num` and
        /// `last` are 0.
        to: Option<Source>,
    },
    /// Jump to a chain.
    Jump {
        /// Chain.
        chain: Box<str>,
    },
    /// Go to a chain (no return).
    Goto {
        /// Chain.
        chain: Box<str>,
    },
    /// Reject with an ICMP error or TCP reset (as iptables names it).
    Reject {
        /// `icmp-port-unreachable`, `tcp-reset`, ...; `None` for the default.
        with: Option<Box<str>>,
    },
    /// Destination NAT.
    Dnat {
        /// To.
        to: NatTo,
        /// Flags.
        flags: NatFlags,
    },
    /// Source NAT.
    Snat {
        /// To.
        to: NatTo,
        /// Flags.
        flags: NatFlags,
    },
    /// Masquerade.
    Masquerade {
        /// Ports.
        ports: Option<(u16, u16)>,
        /// Flags.
        flags: NatFlags,
    },
    /// Redirect to the local machine.
    Redirect {
        /// Ports.
        ports: Option<(u16, u16)>,
        /// Flags.
        flags: NatFlags,
    },
    /// Set the packet mark: `mark = (mark & !mask) ^ value` (MARK, `meta mark set`).
    SetMark {
        /// Value XORed in.
        value: u32,
        /// Bits cleared first.
        mask: u32,
    },
    /// Set the connection mark the same way.
    SetConnMark {
        /// Value XORed in.
        value: u32,
        /// Bits cleared first.
        mask: u32,
    },
    /// Log to the kernel log.
    Log {
        /// Prefix.
        prefix: Option<Box<str>>,
        /// Syslog level 0–7, or 8 for nft's `audit`; `None` for the
        /// default, 4 (warning).
        level: Option<u8>,
        /// What else is logged.
        flags: LogFlags,
    },
    /// Log to a netlink group (NFLOG, nft `log group`).
    Nflog {
        /// Group.
        group: u16,
        /// Prefix.
        prefix: Option<Box<str>>,
        /// Bytes of each packet copied to user space (`--nflog-size`, nft
        /// `snaplen`); `None`: the whole packet.
        snaplen: Option<u32>,
        /// Packets queued in the kernel before they are sent
        /// (`--nflog-threshold`, nft `queue-threshold`); 0: the default.
        threshold: u16,
    },
    /// Go on with the next rule (nft `continue`; in a verdict map, what
    /// an element may say).
    Continue,
    /// A verdict map (`tcp dport vmap { 22 : accept, * : drop }`): the
    /// verdict of the element the keys are in; when none holds them, on
    /// with the next rule.
    Vmap {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The elements, sorted, the catch-all `*` (if any) last.
        elems: Vec<MapElem<ActionKind>>,
    },
    /// A verdict from a named verdict map of the table (`ip daddr vmap
    /// @services`): the verdict of the element the keys are in; when none
    /// holds them, on with the next rule.
    VmapRef {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The map's name.
        map: Box<str>,
    },
    /// Transparent proxying to a local socket (nft `tproxy to
    /// 192.0.2.1:50080`, TPROXY): the address and/or port.
    Tproxy {
        /// `tproxy ip` / `tproxy ip6` in an inet table; `None`: the
        /// table's family (a port alone in an inet table).
        family: Option<Family>,
        /// The address (`None`: the packet's destination).
        addr: Option<Source>,
        /// The port (`None`: the packet's destination port).
        port: Option<Source>,
    },
    /// Send a copy of the packet to an address and/or out of an interface
    /// (nft `dup to 10.0.0.1 device "eth0"`, TEE).
    Dup {
        /// The gateway the copy is sent to.
        addr: Option<Source>,
        /// The interface (its index).
        dev: Option<Source>,
    },
    /// Forward the packet out of an interface, to a neighbour address of
    /// `family` when given (netdev `fwd to "eth0"`, `fwd ip to 10.0.0.1
    /// device "eth0"`).
    Fwd {
        /// `fwd ip` / `fwd ip6`: the address's family.
        family: Option<Family>,
        /// The neighbour's address.
        addr: Option<Source>,
        /// The interface (its index).
        dev: Option<Source>,
    },
    /// Add the packet's keys to a named set, refresh them, or delete them
    /// (nft `add @seen { ip saddr }`, `update @m { ip saddr timeout 1m }`,
    /// `delete @seen { ip saddr }`); for a map, with the data.
    SetUpdate {
        /// What is done.
        op: SetOp,
        /// The keys: one, or a concatenation, each as the set's key reads
        /// it (`ip saddr & 255.255.255.0`).
        keys: Vec<KeyExpr>,
        /// The set's name.
        set: Box<str>,
        /// A map's data, from these keys (`: meta mark`).
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Vec::is_empty")
        )]
        data: Vec<Key>,
        /// The element's timeout, in milliseconds.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        timeout: Option<u64>,
        /// The statements the element carries, in order (`update @m {
        /// ip saddr limit rate 10/second counter }`). One that does not
        /// hold (a limit over its rate) stops the rule here.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Vec::is_empty")
        )]
        stmts: Vec<ElemStmt>,
    },
    /// nft's `meter`: add the packet's keys to a set of the rule's own,
    /// `name`, of at most `size` elements, each carrying `stmts` (`meter
    /// m size 65535 { ip saddr limit rate over 10/second } drop`). A
    /// [`SetUpdate`](ActionKind::SetUpdate) of a set only this rule uses
    /// (the kernel's set is anonymous; nft does not list it with the
    /// table). One of `stmts` that does not hold stops the rule here.
    Meter {
        /// `add`, or `update` (which refreshes the timeout); nft lists
        /// both as `meter`.
        op: SetOp,
        /// The meter's name.
        name: Box<str>,
        /// The set's size (`NFTA_SET_DESC_SIZE`).
        size: u32,
        /// The keys: one, or a concatenation, each as the set's key reads
        /// it (`ip daddr & 255.255.255.0`).
        keys: Vec<KeyExpr>,
        /// The element's timeout, in milliseconds.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none")
        )]
        timeout: Option<u64>,
        /// The statements each element carries, in order.
        stmts: Vec<ElemStmt>,
    },
    /// Set a `meta` or `ct` key or a header field (`ct zone set 1`, `meta
    /// priority set cafe:beef`, `ct mark set meta mark`, `meta mark set
    /// tcp dport map { 22 : 0x1 }`), where [`SetMark`](ActionKind::SetMark),
    /// [`SetConnMark`](ActionKind::SetConnMark) and
    /// [`Trace`](ActionKind::Trace) do not say it.
    Set {
        /// What is set.
        key: Key,
        /// To what.
        value: Source,
    },
    /// NAT to what a map gives for the packet (`snat ip to ip saddr map {
    /// 10.141.11.4 : 192.168.2.3 . 80 }`, `dnat to numgen inc mod 2 map {
    /// 0 : 10.0.0.1, 1 : 10.0.0.2 }`, `redirect to tcp dport map { 22 :
    /// 8022 }`); no element, no NAT. No iptables form.
    NatMap {
        /// Which NAT.
        kind: NatKind,
        /// IPv6 addresses.
        v6: bool,
        /// The map gives addresses (else ports only: `redirect to :tcp
        /// dport map { 22 : 8022 }`).
        addrs: bool,
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The map.
        to: NatMapTo,
        /// `prefix`: map the address's network part only (NETMAP).
        prefix: bool,
        /// Flags.
        flags: NatFlags,
    },
    /// NAT to an address and/or port read from the packet or computed
    /// (`dnat to numgen inc mod 7 offset 167772161`, `snat to jhash ip
    /// saddr mod 4 offset 167772161`, `dnat to 10.0.0.1:tcp sport`,
    /// `redirect to :numgen inc mod 7 offset 80`), where
    /// [`Dnat`](ActionKind::Dnat), [`Snat`](ActionKind::Snat) and
    /// [`Redirect`](ActionKind::Redirect) hold constants and
    /// [`NatMap`](ActionKind::NatMap) a map's data. A constant side is a
    /// [`Source::Value`]. No iptables form.
    NatFrom {
        /// Which NAT.
        kind: NatKind,
        /// IPv6 addresses.
        v6: bool,
        /// The address (one, not a range); `None`: ports only.
        addr: Option<Source>,
        /// The port (one, not a range); `None`: any.
        port: Option<Source>,
        /// Flags.
        flags: NatFlags,
    },
    /// `flow add @ft`: offload the packet's connection to the table's
    /// flowtable `flowtable` (nft's flow offload; iptables' FLOWOFFLOAD
    /// target, which needs no flowtable, is kept as its xt blob).
    FlowOffload {
        /// The flowtable's name.
        flowtable: Box<str>,
    },
    /// `last`: records when a packet last passed. State, as counters are:
    /// [`ActionKind::same_meaning`] ignores `used`.
    Last {
        /// Milliseconds since then, when one has (`last used 1s`); `None`
        /// for `last used never`.
        used: Option<u64>,
    },
    /// `synproxy`: answer a TCP SYN for the server, announcing these
    /// options (`NF_SYNPROXY_OPT_*`: `mss` 1, `wscale` 2, `sack-perm` 4,
    /// `timestamp` 8). nft's statement; iptables' SYNPROXY target is kept
    /// as its xt blob.
    Synproxy {
        /// MSS, with `NF_SYNPROXY_OPT_MSS`.
        mss: u16,
        /// Window scale, with `NF_SYNPROXY_OPT_WSCALE`.
        wscale: u8,
        /// `NF_SYNPROXY_OPT_*`.
        flags: u32,
    },
    /// `reset tcp option sack-perm`: the option, when the packet has it,
    /// overwritten with NOPs. `option` is the option's presence key
    /// ([`Key::ExtPresent`]); the kernel strips TCP options only.
    Reset {
        /// Which option.
        option: Key,
    },
    /// Send an audit record of the packet (AUDIT `--type accept|drop|
    /// reject`). Since Linux 4.12 xt_AUDIT no longer records the type: the
    /// record is the one nft's `log level audit` sends (`mark=`, addresses,
    /// protocol), and [`ActionKind::same_meaning`] takes the two, and any
    /// two types, for the same.
    Audit {
        /// `--type`.
        kind: AuditKind,
    },
    /// Do not track (NOTRACK, CT --notrack).
    Notrack,
    /// Trace (TRACE, nft `meta nftrace set 1`).
    Trace,
    /// A native nf_tables statement nflens has no dedicated kind for yet,
    /// in libnftnl's debug syntax.
    Nft {
        /// The expressions.
        exprs: Box<str>,
    },
    /// Add to, delete from or map from ipsets (`-j SET`).
    Ipset {
        /// `--add-set`.
        add: Option<IpsetRef>,
        /// `--del-set`.
        del: Option<IpsetRef>,
        /// `--map-set`.
        map: Option<IpsetRef>,
        /// `--exist`: re-adding refreshes the entry.
        exist: bool,
        /// `--timeout`, seconds.
        timeout: Option<u32>,
        /// `--map-mark`, `--map-prio`, `--map-queue`.
        map_mark: bool,
        /// See `map_mark`.
        map_prio: bool,
        /// See `map_mark`.
        map_queue: bool,
    },
    /// A target nflens does not normalise yet, with canonical option text.
    Xt {
        /// Target name.
        target: Box<str>,
        /// Canonical option text.
        args: Box<str>,
    },
}

impl ActionKind {
    /// Queue to queue `num`, no flags: the kernel's `NF_QUEUE` verdict,
    /// iptables' QUEUE.
    pub fn queue(num: u16) -> ActionKind {
        ActionKind::Queue {
            num,
            last: num,
            bypass: false,
            fanout: false,
            to: None,
        }
    }

    /// The keys the statement reads or writes: a map's keys, a set's key
    /// and data, the field it sets and what it sets it from.
    pub fn keys(&self) -> impl Iterator<Item = &Key> + '_ {
        let none: &[Key] = &[];
        let (looked, a, b): (&[KeyExpr], &[Key], &[Key]) = match self {
            ActionKind::Vmap { keys, .. }
            | ActionKind::VmapRef { keys, .. }
            | ActionKind::NatMap { keys, .. } => (keys, none, none),
            ActionKind::SetUpdate { keys, data, .. } => (keys, data, none),
            ActionKind::Meter { keys, .. } => (keys, none, none),
            ActionKind::Set { key, .. } => (&[], std::slice::from_ref(key), none),
            _ => (&[], none, none),
        };
        // What a value is read from.
        let src: [Option<&Source>; 2] = match self {
            ActionKind::Set { value, .. } => [Some(value), None],
            ActionKind::Queue { to, .. } => [to.as_ref(), None],
            ActionKind::NatFrom { addr, port, .. } => [addr.as_ref(), port.as_ref()],
            _ => [None, None],
        };
        exprs_keys(looked)
            .chain(a)
            .chain(b)
            .chain(src.into_iter().flatten().flat_map(Source::keys))
    }
}

impl Source {
    /// The keys the value is read from or looked up with.
    pub fn keys(&self) -> impl Iterator<Item = &Key> + '_ {
        let mut all = Vec::new();
        self.push_keys(&mut all);
        all.into_iter()
    }

    fn push_keys<'a>(&'a self, out: &mut Vec<&'a Key>) {
        let (looked, read): (&[KeyExpr], &[Key]) = match self {
            Source::Combined { operands, .. } => {
                for s in operands {
                    s.push_keys(out);
                }
                return;
            }
            Source::Computed { key, .. } | Source::Key(key) => (&[], std::slice::from_ref(key)),
            Source::Map { keys, .. } | Source::MapRef { keys, .. } => (keys, &[]),
            Source::Jhash(h) => (&[], &h.input),
            Source::HostBytes(s) => match &**s {
                Source::Key(key) => (&[], std::slice::from_ref(key)),
                Source::Jhash(h) => (&[], &h.input[..]),
                _ => (&[], &[]),
            },
            Source::Value(_) => (&[], &[]),
        };
        out.extend(exprs_keys(looked).chain(read));
    }
}

impl ObjTarget {
    /// The keys a map of objects is looked up with.
    pub fn keys(&self) -> impl Iterator<Item = &Key> + '_ {
        let looked: &[KeyExpr] = match self {
            ObjTarget::Map { keys, .. } | ObjTarget::MapRef { keys, .. } => keys,
            ObjTarget::Name(_) => &[],
        };
        exprs_keys(looked)
    }
}

/// One step of a value computed from a 32-bit host-order key (`ct mark
/// >> 8`, `(meta mark | 0x10) << 8`), or from a 32-bit header field read
/// as a big-endian number (`ip daddr & 255.255.255.0 | 0.0.0.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum BitOp {
    /// `(v & and) ^ xor`. nft lists the xor bits outside `and` as `|`,
    /// kept in the mask, the others as `^`: `& and` (no xor), `| xor`
    /// (`and` the other bits), `^ xor` (`and` all ones), `& 0xffffff07 |
    /// 0x7` for `(v & 0xffffff00) ^ 0x7`.
    MaskXor {
        /// Bits kept.
        and: u32,
        /// Bits flipped after.
        xor: u32,
    },
    /// `v << n`.
    Shl(u32),
    /// `v >> n`.
    Shr(u32),
}

/// The `--type` of an AUDIT target (`XT_AUDIT_TYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum AuditKind {
    /// `accept`.
    Accept,
    /// `drop`.
    Drop,
    /// `reject`.
    Reject,
}

/// Which NAT a [`NatMap`](ActionKind::NatMap) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum NatKind {
    /// `snat`.
    Snat,
    /// `dnat`.
    Dnat,
    /// `redirect` (ports only).
    Redirect,
}

/// What a [`NatMap`](ActionKind::NatMap) maps to.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum NatMapTo {
    /// An anonymous map's elements, sorted, the catch-all `*` (if any)
    /// last; each element's data the addresses and ports NAT takes.
    Elems(Vec<MapElem<NatTo>>),
    /// The table's named map.
    Named(Box<str>),
}

/// Where a [`Set`](ActionKind::Set) statement's value comes from.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum Source {
    /// A constant, of the set key's width.
    Value(Value),
    /// Another key's value (`ct mark set meta mark`).
    Key(Key),
    /// A value computed from a 32-bit host-order key, in order (`meta mark
    /// set ct mark >> 8`, `ct mark set (meta mark | 0x10) << 8`), or from
    /// a header field of at most 32 bits, its bits right-aligned (`ip ecn
    /// set ip ecn | ect0`).
    Computed {
        /// The key read.
        key: Key,
        /// What is done to it.
        ops: Vec<BitOp>,
    },
    /// What an anonymous data map gives for `keys` (`meta mark set tcp
    /// dport map { 22 : 0x1 }`); each element's data is a value of the set
    /// key. No element, no change.
    Map {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The elements, sorted, the catch-all `*` (if any) last.
        elems: Vec<MapElem<Value>>,
    },
    /// What the table's named map `map` gives for `keys` (`meta mark set
    /// ip saddr map @marks`). No element, no change.
    MapRef {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The map's name.
        map: Box<str>,
    },
    /// A Jenkins hash of keys (`ct mark set jhash ip saddr . ip daddr mod
    /// 2 seed 0xdeadbeef offset 100`).
    Jhash(Jhash),
    /// A 32-bit host-order value ([`Key`](Source::Key) or
    /// [`Jhash`](Source::Jhash)) given, with no byte-order conversion, to
    /// an operand the kernel reads in network order: the first bytes of
    /// the value as the machine holds it. nft before 1.1 writes `dnat to
    /// numgen inc mod 2 offset 167772161` so; on a little-endian machine
    /// that NATs to 1.0.0.10 and 1.0.0.11, not to 10.0.0.1 and 10.0.0.2.
    /// nft lists it as it lists the converted value.
    HostBytes(Box<Source>),
    /// Values joined bit by bit, left to right: `meta mark set meta mark |
    /// iif | meta cpu`, `ct mark set ct mark & 0xffff0000 | meta mark &
    /// 0x0000ffff` (nft 1.1's `bitwise` of two registers). Each operand is
    /// a 32-bit host-order number: a [`Key`](Source::Key), a
    /// [`Computed`](Source::Computed) value, a constant, or another
    /// `Combined` of a different `op`; a run of the same `op` is one
    /// `Combined`.
    Combined {
        /// How the operands are joined.
        op: Combine,
        /// Two or more.
        operands: Vec<Source>,
    },
}

/// How a [`Source::Combined`] joins its operands, bit by bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum Combine {
    /// `a & b`.
    And,
    /// `a | b`.
    Or,
    /// `a ^ b`.
    Xor,
}

/// The Jenkins hash of `input`'s values, from `offset` to `offset +
/// modulus - 1` (`jhash ip saddr . ip daddr mod 2 seed 0xdeadbeef offset
/// 100`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Jhash {
    /// The keys hashed: one, or a concatenation.
    pub input: Vec<Key>,
    /// Modulus.
    pub modulus: u32,
    /// The seed, unless the kernel chose one.
    pub seed: Option<u32>,
    /// Added to the hash.
    pub offset: u32,
}

/// What a set or map is looked up with: a key as it is, or a value nft
/// computes from keys first (`ip6 saddr & ::ffff map { … }`, `dnat to
/// jhash ip saddr mod 2 map { … }`). In JSON a plain key is its spelling,
/// as [`Key`] is; the others are tagged (`{"masked": {"key", "mask"}}`,
/// `{"jhash": {…}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum KeyExpr {
    /// The key's bits under `mask`, right-aligned as the key's values are
    /// (`ip6 saddr & ::ffff`, `meta mark & 0xff00`).
    Masked {
        /// The key read.
        key: Key,
        /// The bits kept: a value of the key, narrower than all of it.
        mask: Value,
    },
    /// A Jenkins hash of keys.
    Jhash(Jhash),
    /// A key as it is.
    #[cfg_attr(feature = "serde", serde(untagged))]
    Key(Key),
}

impl From<Key> for KeyExpr {
    fn from(k: Key) -> KeyExpr {
        KeyExpr::Key(k)
    }
}

impl KeyExpr {
    /// The packet keys it reads.
    pub fn keys(&self) -> &[Key] {
        match self {
            KeyExpr::Key(key) | KeyExpr::Masked { key, .. } => std::slice::from_ref(key),
            KeyExpr::Jhash(h) => &h.input,
        }
    }

    /// The key as it is, when it is one.
    pub fn as_key(&self) -> Option<Key> {
        match self {
            KeyExpr::Key(k) => Some(*k),
            _ => None,
        }
    }
}

/// Each key of `exprs`, in order.
pub(crate) fn exprs_keys(exprs: &[KeyExpr]) -> impl Iterator<Item = &Key> + '_ {
    exprs.iter().flat_map(KeyExpr::keys)
}

/// Which object an [`ObjRef`](MatchKind::ObjRef) uses.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum ObjTarget {
    /// One by name.
    Name(Box<str>),
    /// The one an anonymous map gives for `keys` (`counter name ip saddr
    /// map { 10.0.0.1 : "c1" }`); none, none used.
    Map {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The elements, sorted, the catch-all `*` (if any) last.
        elems: Vec<MapElem<Box<str>>>,
    },
    /// The one the table's named map `map` gives for `keys`.
    MapRef {
        /// The keys looked up: one, or a concatenation.
        keys: Vec<KeyExpr>,
        /// The map's name.
        map: Box<str>,
    },
}

/// A statement a set element carries, run on the element each time a
/// rule adds or updates it (`update @m { ip saddr counter }`, `meter m {
/// ip saddr limit rate 10/second }`): its state is the element's own.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "kebab-case")
)]
pub enum ElemStmt {
    /// `counter`: the element counts the packets and bytes that reach it.
    Counter,
    /// A statement that is a condition in a rule too: `limit rate`,
    /// `quota`, `ct count`, or `last` (a [`MatchKind::Statement`]).
    Match(Match),
}

impl ElemStmt {
    /// Whether the two do the same (a quota's use so far is state).
    pub fn same_meaning(&self, other: &ElemStmt) -> bool {
        match (self, other) {
            (ElemStmt::Match(a), ElemStmt::Match(b)) => a.same_meaning(b),
            (a, b) => a == b,
        }
    }
}

/// What a [`SetUpdate`](ActionKind::SetUpdate) does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "lowercase")
)]
pub enum SetOp {
    /// `add`: adds the element unless it is there.
    Add,
    /// `update`: adds it, or refreshes its timeout.
    Update,
    /// `delete`: removes it.
    Delete,
}

/// One element of a map: keys, and what they map to.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct MapElem<T> {
    /// Per key of the map, an inclusive range (a single value is a range
    /// of one); empty for the catch-all element `*`.
    pub key: Vec<(Value, Value)>,
    /// What the element maps to: in a verdict map, an
    /// [`Accept`](ActionKind::Accept), `Drop`, `Continue`, `Return`,
    /// `Jump`, `Goto` or `Queue`.
    pub data: T,
}

/// An ipset a `-j SET` action names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IpsetRef {
    /// Set name (empty while only `index` is known).
    pub name: Box<str>,
    /// Direction flags (`src,dst`).
    pub dirs: Box<str>,
    /// The kernel's index, until [`Ruleset::resolve_ipsets`] names it.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub index: Option<u16>,
}

impl IpsetRef {
    fn resolve<'n>(&mut self, name: &impl Fn(u16) -> Option<&'n str>) {
        if let Some(found) = self.index.and_then(name) {
            self.name = found.into();
            self.index = None;
        }
    }
}

impl Match {
    /// Whether the two conditions hold for the same packets: equal, or
    /// port tests of the same ranges in another order (`-m multiport
    /// --dports 80,22` and `tcp dport { 22, 80 }`).
    pub fn same_meaning(&self, other: &Match) -> bool {
        if self == other {
            return true;
        }
        match (&self.kind, &other.kind) {
            (MatchKind::Port { dir: a, ranges: ra }, MatchKind::Port { dir: b, ranges: rb })
                if a == b && self.negated == other.negated && ra.len() == rb.len() =>
            {
                let key = |s: &Span32| (s.lo, s.hi);
                let mut x: Vec<_> = ra.iter().map(key).collect();
                let mut y: Vec<_> = rb.iter().map(key).collect();
                x.sort_unstable();
                y.sort_unstable();
                x == y
            }
            // A set's elements in another order.
            (
                MatchKind::Field {
                    key: a,
                    test: FieldTest::In(x),
                },
                MatchKind::Field {
                    key: b,
                    test: FieldTest::In(y),
                },
            ) => a == b && self.negated == other.negated && same_elems(x, y),
            (
                MatchKind::Field {
                    key: a,
                    test: FieldTest::Bits { mask: ma, test: x },
                },
                MatchKind::Field {
                    key: b,
                    test: FieldTest::Bits { mask: mb, test: y },
                },
            ) => match (&**x, &**y) {
                (FieldTest::In(x), FieldTest::In(y)) => {
                    a == b && ma == mb && self.negated == other.negated && same_elems(x, y)
                }
                _ => false,
            },
            (MatchKind::Concat { keys: a, elems: x }, MatchKind::Concat { keys: b, elems: y }) => {
                a == b && self.negated == other.negated && same_elems(x, y)
            }
            (MatchKind::Quota { bytes: a, .. }, MatchKind::Quota { bytes: b, .. }) => {
                a == b && self.negated == other.negated
            }
            (MatchKind::Statement(a), MatchKind::Statement(b)) => a.same_meaning(b),
            // `tcp option 23 missing` is `tcp option 23 != exists`.
            (MatchKind::Field { .. }, MatchKind::Field { .. }) => {
                match (
                    crate::field::presence_of(self),
                    crate::field::presence_of(other),
                ) {
                    (Some(a), Some(b)) => a == b,
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

/// Whether two sets hold the same elements, in any order.
fn same_elems<T: Ord + Clone>(x: &[T], y: &[T]) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let (mut x, mut y) = (x.to_vec(), y.to_vec());
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

/// nft's `log level audit`.
const AUDIT_LOG: ActionKind = ActionKind::Log {
    prefix: None,
    level: Some(8),
    flags: LogFlags::empty(),
};

impl ActionKind {
    /// Whether the two actions do the same: equal, or verdict maps of the
    /// same elements in another order.
    pub fn same_meaning(&self, other: &ActionKind) -> bool {
        match (self, other) {
            (ActionKind::Vmap { keys: a, elems: x }, ActionKind::Vmap { keys: b, elems: y }) => {
                fn sorted(v: &[MapElem<ActionKind>]) -> Vec<&MapElem<ActionKind>> {
                    let mut v: Vec<&MapElem<ActionKind>> = v.iter().collect();
                    v.sort_by(|p, q| p.key.cmp(&q.key));
                    v
                }
                a == b
                    && x.len() == y.len()
                    && sorted(x)
                        .iter()
                        .zip(sorted(y))
                        .all(|(p, q)| p.key == q.key && p.data.same_meaning(&q.data))
            }
            (ActionKind::Last { .. }, ActionKind::Last { .. }) => true,
            // The kernel sends the same record for each (see `Audit`).
            (ActionKind::Audit { .. }, b) => {
                matches!(b, ActionKind::Audit { .. }) || *b == AUDIT_LOG
            }
            (a, ActionKind::Audit { .. }) => *a == AUDIT_LOG,
            (
                ActionKind::SetUpdate { stmts: x, .. } | ActionKind::Meter { stmts: x, .. },
                ActionKind::SetUpdate { stmts: y, .. } | ActionKind::Meter { stmts: y, .. },
            ) if !x.is_empty() && x.len() == y.len() => {
                let bare = |a: &ActionKind| {
                    let mut a = a.clone();
                    if let ActionKind::SetUpdate { stmts, .. } | ActionKind::Meter { stmts, .. } =
                        &mut a
                    {
                        stmts.clear();
                    }
                    a
                };
                bare(self) == bare(other) && x.iter().zip(y).all(|(a, b)| a.same_meaning(b))
            }
            _ => self == other,
        }
    }
}

impl MatchKind {
    /// Whether testing the condition changes state (a token bucket, a
    /// counter of packets): such conditions only hold their meaning in order.
    pub fn is_stateful(&self) -> bool {
        match self {
            MatchKind::Limit { .. }
            | MatchKind::NftLimit { .. }
            | MatchKind::Quota { .. }
            | MatchKind::CtCount { .. }
            | MatchKind::Statement(_)
            | MatchKind::Nth { .. } => true,
            MatchKind::Xt { module, .. } => matches!(
                &**module,
                "recent" | "hashlimit" | "quota" | "connlimit" | "connbytes" | "nfacct"
            ),
            MatchKind::Nft { exprs } => {
                exprs.contains("[ limit")
                    || exprs.contains("[ quota")
                    || exprs.contains("[ connlimit")
            }
            _ => false,
        }
    }
}

impl Rule {
    /// [`Ruleset::resolve_ipsets`] for one rule.
    pub fn resolve_ipsets<'n>(&mut self, name: impl Fn(u16) -> Option<&'n str>) {
        if let Some(Action {
            kind: ActionKind::Ipset { add, del, map, .. },
            ..
        }) = &mut self.action
        {
            for r in [add, del, map].into_iter().flatten() {
                r.resolve(&name);
            }
        }
        for m in &mut self.matches {
            if let MatchKind::Set {
                name: n,
                index: index @ Some(_),
                ..
            } = &mut m.kind
            {
                if let Some(found) = index.and_then(&name) {
                    *n = found.into();
                    *index = None;
                }
            }
        }
    }

    /// Whether two rules do the same to every packet: the same conditions
    /// (in any order, except that stateful ones keep theirs), the same
    /// action and the same comment. Counters and origin do not count, nor
    /// does a protocol condition another condition implies (`-p tcp
    /// --tcp-option 23` is `tcp option 23 exists`, which only a TCP packet
    /// passes). `continue` is no action: the next rule runs either way.
    pub fn same_meaning(&self, other: &Rule) -> bool {
        fn action(r: &Rule) -> Option<&ActionKind> {
            r.action
                .as_ref()
                .map(|a| &a.kind)
                .filter(|k| **k != ActionKind::Continue)
        }
        let same_action = match (action(self), action(other)) {
            (Some(a), Some(b)) => a.same_meaning(b),
            (a, b) => a == b,
        };
        if !same_action || self.comment != other.comment {
            return false;
        }
        let (mine, theirs) = (self.meaningful(), other.meaningful());
        if mine.len() != theirs.len() {
            return false;
        }
        // Stateful conditions keep their order.
        let stateful = |v: &[&'_ Match]| v.iter().filter(|m| m.kind.is_stateful()).count();
        if stateful(&mine) != stateful(&theirs)
            || !mine
                .iter()
                .filter(|m| m.kind.is_stateful())
                .zip(theirs.iter().filter(|m| m.kind.is_stateful()))
                .all(|(a, b)| a.same_meaning(b))
        {
            return false;
        }
        let mut used = vec![false; theirs.len()];
        mine.iter().all(|m| {
            let hit = theirs
                .iter()
                .enumerate()
                .find(|(i, o)| !used[*i] && o.same_meaning(m))
                .map(|(i, _)| i);
            match hit {
                Some(i) => {
                    used[i] = true;
                    true
                }
                None => false,
            }
        })
    }

    /// The conditions, without a positive protocol condition that another
    /// condition implies.
    fn meaningful(&self) -> Vec<&Match> {
        let implied = |p: u8| {
            self.matches
                .iter()
                .any(|m| crate::field::implies_l4(m) == Some(p))
        };
        self.matches
            .iter()
            .filter(|m| !matches!(m.kind, MatchKind::Protocol(p) if !m.negated && implied(p)))
            .collect()
    }
}
