//! What each known match and target accepts: option names, aliases and value kinds.
//!
//! A module listed here gets typed values; an option it does not list is an
//! error. A module *not* listed here is kept verbatim (name and words), so
//! that a newer iptables extension never breaks a parse.

use crate::value::Quote;

/// How an option's value is read and printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// No value.
    Flag,
    /// An unsigned number up to the bound, printed in decimal.
    Uint(u64),
    /// An unsigned number up to the bound, printed `0x` hex, zero-padded to the width.
    Hex(u64, u8),
    /// An inclusive range `a[SEP b]` up to the bound, printed with the separator.
    Range(char, u32),
    /// A port or port range (`:`), service names allowed.
    Port,
    /// A comma list of ports or ranges (multiport).
    PortList,
    /// An address with optional mask, printed `ADDR/LEN` always.
    Net,
    /// An address with optional mask, printed without `/LEN` for a host mask.
    NetHost,
    /// A bare address (printed as is).
    Addr,
    /// `ADDR-ADDR`.
    AddrRange,
    /// `V[/M]`; printed `0xV` or `0xV/0xM`, the mask left out when it is all ones.
    Mark,
    /// `V[/M]`; printed `0xV/0xM` always (the mask all ones when not given).
    XMark,
    /// `V[/M]` byte values (TOS); printed `0xVV/0xMM`, mask 0xff when not given.
    Tos,
    /// A comma list of conntrack states (`-m state`, `--ctstate`).
    States,
    /// A comma list of conntrack status bits (`--ctstatus`).
    CtStatus,
    /// A comma list of words from the given set, printed as given.
    WordList(&'static [&'static str]),
    /// One word from the given set (empty set: any word), printed as given.
    Word(&'static [&'static str]),
    /// A string, printed with the given quoting.
    Str(Quote),
    /// A packet rate `N/unit` with the given scale (`limit`: 10,000).
    Rate(u64),
    /// A hashlimit rate: packets `N/unit` (scale 1,000,000) or bytes `Nkb/s`.
    HashRate,
    /// A probability from 0 to 1.
    Probability,
    /// A NAT range.
    Nat,
    /// `--tcp-flags MASK COMP`: two comma lists of TCP flags.
    TcpFlags,
    /// `--match-set NAME FLAGS` / `--add-set NAME FLAGS`.
    SetRef,
    /// An ICMP type name or `TYPE[/CODE]`.
    IcmpType,
    /// An ICMPv6 type name or `TYPE[/CODE]`.
    Icmp6Type,
    /// A protocol name or number, printed as a name.
    Proto,
    /// A protocol name or number, printed as a number (`--ctproto`).
    ProtoNum,
    /// A MAC address, printed lower-case hex.
    Mac,
    /// A traffic-control class `MAJOR:MINOR` (hex), printed `%04x:%04x`.
    Class,
}

/// One option of a module.
#[derive(Debug, Clone, Copy)]
pub struct OptSpec {
    /// The long name iptables-save prints, without dashes.
    pub name: &'static str,
    /// Other accepted long names (old or alternative spellings).
    pub aliases: &'static [&'static str],
    /// The value.
    pub kind: Kind,
}

/// A known match or target.
#[derive(Debug, Clone, Copy)]
pub struct ModuleSpec {
    /// The name after `-m` / `-j`.
    pub name: &'static str,
    /// Its options, in the order iptables-save prints them when `ordered`.
    pub opts: &'static [OptSpec],
    /// Whether iptables-save prints the options in `opts` order whatever
    /// order they were given in (so the parser sorts them). Only set where
    /// the print order is known; elsewhere the input order is kept.
    pub ordered: bool,
}

impl ModuleSpec {
    /// Finds an option by its exact name or an alias.
    pub fn find_exact(&self, name: &str) -> Option<&'static OptSpec> {
        let opts: &'static [OptSpec] = self.opts;
        opts.iter()
            .find(|o| o.name == name || o.aliases.contains(&name))
    }

    /// Finds an option by its exact name, an alias, or (like getopt_long) an
    /// unambiguous prefix of a name.
    pub fn find(&self, name: &str) -> Option<&'static OptSpec> {
        let opts: &'static [OptSpec] = self.opts;
        if let Some(o) = self.find_exact(name) {
            return Some(o);
        }
        if name.is_empty() {
            return None;
        }
        let mut found = None;
        for o in opts {
            if o.name.starts_with(name) || o.aliases.iter().any(|a| a.starts_with(name)) {
                if found.is_some() {
                    return None;
                }
                found = Some(o);
            }
        }
        found
    }
}

macro_rules! opts {
    ($($name:literal $([$($alias:literal),*])? => $kind:expr),* $(,)?) => {
        &[$(OptSpec { name: $name, aliases: &[$($($alias),*)?], kind: $kind }),*]
    };
}

use Kind::*;
use Quote::{Always, IfNeeded};

/// The CT target's `--ctevents` names, the `IPCT_*` event at each bit.
pub const CT_EVENTS: &[&str] = &[
    "new",
    "related",
    "destroy",
    "reply",
    "assured",
    "protoinfo",
    "helper",
    "mark",
    "natseqinfo",
    "secmark",
];

/// Known matches.
pub static MATCHES: &[ModuleSpec] = &[
    ModuleSpec {
        ordered: false,
        name: "tcp",
        opts: opts! {
            "sport" ["source-port"] => Port, "dport" ["destination-port"] => Port,
            "tcp-flags" => TcpFlags, "syn" => Flag, "tcp-option" => Uint(255),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "udp",
        opts: opts! {
            "sport" ["source-port"] => Port, "dport" ["destination-port"] => Port,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "icmp",
        opts: opts! { "icmp-type" => IcmpType },
    },
    ModuleSpec {
        ordered: false,
        name: "icmp6",
        opts: opts! { "icmpv6-type" => Icmp6Type },
    },
    ModuleSpec {
        ordered: false,
        name: "conntrack",
        opts: opts! {
            "ctstate" => States, "ctproto" => ProtoNum, "ctstatus" => CtStatus,
            "ctorigsrc" => NetHost, "ctorigdst" => NetHost, "ctreplsrc" => NetHost, "ctrepldst" => NetHost,
            "ctorigsrcport" => Port, "ctorigdstport" => Port, "ctreplsrcport" => Port, "ctrepldstport" => Port,
            "ctexpire" => Range(':', u32::MAX), "ctdir" => Word(&["ORIGINAL", "REPLY"]),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "state",
        opts: opts! { "state" => States },
    },
    ModuleSpec {
        ordered: false,
        name: "comment",
        opts: opts! { "comment" => Str(IfNeeded) },
    },
    ModuleSpec {
        ordered: false,
        name: "multiport",
        opts: opts! {
            "sports" ["source-ports"] => PortList, "dports" ["destination-ports"] => PortList, "ports" => PortList,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "mark",
        opts: opts! { "mark" => Mark },
    },
    ModuleSpec {
        ordered: false,
        name: "connmark",
        opts: opts! { "mark" => Mark },
    },
    ModuleSpec {
        ordered: false,
        name: "addrtype",
        opts: opts! {
            "src-type" => WordList(crate::names::ADDRTYPES), "dst-type" => WordList(crate::names::ADDRTYPES),
            "limit-iface-in" => Flag, "limit-iface-out" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "statistic",
        opts: opts! {
            "mode" => Word(&["random", "nth"]), "probability" => Probability,
            "every" => Uint(u32::MAX as u64), "packet" => Uint(u32::MAX as u64),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "limit",
        opts: opts! { "limit" => Rate(10_000), "limit-burst" => Uint(u32::MAX as u64) },
    },
    ModuleSpec {
        ordered: false,
        name: "hashlimit",
        opts: opts! {
            "hashlimit-upto" ["hashlimit"] => HashRate, "hashlimit-above" => HashRate,
            "hashlimit-burst" => Word(&[]), "hashlimit-mode" => WordList(&["srcip", "srcport", "dstip", "dstport"]),
            "hashlimit-srcmask" => Uint(128), "hashlimit-dstmask" => Uint(128),
            "hashlimit-name" => Str(IfNeeded), "hashlimit-htable-size" => Uint(u32::MAX as u64),
            "hashlimit-htable-max" => Uint(u32::MAX as u64), "hashlimit-htable-expire" => Uint(u32::MAX as u64),
            "hashlimit-htable-gcinterval" => Uint(u32::MAX as u64), "hashlimit-rate-match" => Flag,
            "hashlimit-rate-interval" => Uint(u32::MAX as u64),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "recent",
        opts: opts! {
            "set" => Flag, "rcheck" => Flag, "update" => Flag, "remove" => Flag,
            "seconds" => Uint(u32::MAX as u64), "reap" => Flag, "hitcount" => Uint(u32::MAX as u64),
            "rttl" => Flag, "name" => Str(IfNeeded), "mask" => Addr, "rsource" => Flag, "rdest" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "set",
        opts: opts! {
            "match-set" ["set"] => SetRef, "return-nomatch" => Flag, "update-counters" => Flag,
            "update-subcounters" => Flag, "packets-eq" => Uint(u64::MAX), "packets-lt" => Uint(u64::MAX),
            "packets-gt" => Uint(u64::MAX), "bytes-eq" => Uint(u64::MAX), "bytes-lt" => Uint(u64::MAX),
            "bytes-gt" => Uint(u64::MAX),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "physdev",
        opts: opts! {
            "physdev-in" => Word(&[]), "physdev-out" => Word(&[]), "physdev-is-in" => Flag,
            "physdev-is-out" => Flag, "physdev-is-bridged" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "mac",
        opts: opts! { "mac-source" => Mac },
    },
    ModuleSpec {
        ordered: false,
        name: "iprange",
        opts: opts! { "src-range" => AddrRange, "dst-range" => AddrRange },
    },
    ModuleSpec {
        ordered: false,
        name: "owner",
        opts: opts! {
            "uid-owner" => Range('-', u32::MAX), "gid-owner" => Range('-', u32::MAX),
            "socket-exists" => Flag, "suppl-groups" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "length",
        opts: opts! { "length" => Range(':', 65535) },
    },
    ModuleSpec {
        ordered: false,
        name: "ttl",
        opts: opts! { "ttl-eq" => Uint(255), "ttl-gt" => Uint(255), "ttl-lt" => Uint(255) },
    },
    ModuleSpec {
        ordered: false,
        name: "hl",
        opts: opts! { "hl-eq" => Uint(255), "hl-gt" => Uint(255), "hl-lt" => Uint(255) },
    },
    ModuleSpec {
        ordered: false,
        name: "tos",
        opts: opts! { "tos" => Tos },
    },
    ModuleSpec {
        ordered: false,
        name: "dscp",
        opts: opts! { "dscp" => Hex(0x3f, 2), "dscp-class" => Word(&[]) },
    },
    ModuleSpec {
        ordered: false,
        name: "pkttype",
        opts: opts! { "pkt-type" => Word(&["unicast", "broadcast", "multicast", "host", "otherhost"]) },
    },
    ModuleSpec {
        ordered: false,
        name: "string",
        opts: opts! {
            "algo" => Word(&["bm", "kmp"]), "from" => Uint(65535), "to" => Uint(65535),
            "string" => Str(Always), "hex-string" => Str(Always), "icase" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "socket",
        opts: opts! {
            "transparent" => Flag, "nowildcard" => Flag, "restore-skmark" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "rpfilter",
        opts: opts! {
            "loose" => Flag, "validmark" => Flag, "accept-local" => Flag, "invert" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "policy",
        opts: opts! {
            "dir" => Word(&["in", "out"]), "pol" => Word(&["none", "ipsec"]), "strict" => Flag,
            "reqid" => Uint(u32::MAX as u64), "spi" => Hex(u32::MAX as u64, 0), "proto" => Word(&["ah", "esp", "ipcomp"]),
            "mode" => Word(&["tunnel", "transport"]), "tunnel-src" => Net, "tunnel-dst" => Net, "next" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "devgroup",
        opts: opts! { "src-group" => Mark, "dst-group" => Mark },
    },
    ModuleSpec {
        ordered: false,
        name: "cgroup",
        opts: opts! { "path" => Str(Always), "cgroup" => Uint(u32::MAX as u64) },
    },
    ModuleSpec {
        ordered: false,
        name: "helper",
        opts: opts! { "helper" => Str(IfNeeded) },
    },
    ModuleSpec {
        ordered: false,
        name: "nfacct",
        opts: opts! { "nfacct-name" => Str(Quote::IfNeededSpaced) },
    },
    ModuleSpec {
        ordered: false,
        name: "u32",
        opts: opts! { "u32" => Str(Always) },
    },
];

/// Known targets (besides the verdicts and user chains, which take no options).
pub static TARGETS: &[ModuleSpec] = &[
    ModuleSpec {
        ordered: false,
        name: "REJECT",
        opts: opts! { "reject-with" => Word(&[]) },
    },
    ModuleSpec {
        ordered: false,
        name: "DNAT",
        opts: opts! {
            "to-destination" => Nat, "random" => Flag, "persistent" => Flag, "random-fully" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "SNAT",
        opts: opts! {
            "to-source" => Nat, "random" => Flag, "persistent" => Flag, "random-fully" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "MASQUERADE",
        opts: opts! {
            "to-ports" => Range('-', 65535), "random" => Flag, "random-fully" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "REDIRECT",
        opts: opts! { "to-ports" => Range('-', 65535), "random" => Flag },
    },
    ModuleSpec {
        ordered: false,
        name: "MARK",
        opts: opts! {
            "set-xmark" => XMark, "set-mark" => Mark, "and-mark" => Mark, "or-mark" => Mark, "xor-mark" => Mark,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "CONNMARK",
        opts: opts! {
            "set-xmark" => XMark, "set-mark" => Mark, "and-mark" => Mark, "or-mark" => Mark, "xor-mark" => Mark,
            "save-mark" => Flag, "restore-mark" => Flag, "nfmask" => Mark, "ctmask" => Mark, "mask" => Mark,
        },
    },
    ModuleSpec {
        ordered: true,
        name: "LOG",
        opts: opts! {
            "log-prefix" => Str(IfNeeded), "log-level" => Word(&[]), "log-tcp-sequence" => Flag,
            "log-tcp-options" => Flag, "log-ip-options" => Flag, "log-uid" => Flag, "log-macdecode" => Flag,
        },
    },
    ModuleSpec {
        ordered: true,
        name: "NFLOG",
        opts: opts! {
            "nflog-prefix" => Str(IfNeeded), "nflog-group" => Uint(65535), "nflog-range" => Uint(u32::MAX as u64),
            "nflog-size" => Uint(u32::MAX as u64), "nflog-threshold" => Uint(65535),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "NFQUEUE",
        opts: opts! {
            "queue-num" => Uint(65535), "queue-balance" => Range(':', 65535), "queue-bypass" => Flag,
            "fail-open" => Flag, "queue-cpu-fanout" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "NOTRACK",
        opts: &[],
    },
    ModuleSpec {
        ordered: false,
        name: "CT",
        opts: opts! {
            "notrack" => Flag, "helper" => Str(IfNeeded), "ctevents" => WordList(CT_EVENTS),
            "expevents" => WordList(&["new"]), "zone" => Word(&[]), "zone-orig" => Word(&[]),
            "zone-reply" => Word(&[]), "timeout" => Str(IfNeeded),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "TCPMSS",
        opts: opts! { "set-mss" => Uint(65535), "clamp-mss-to-pmtu" => Flag },
    },
    ModuleSpec {
        ordered: false,
        name: "TPROXY",
        opts: opts! {
            "on-port" => Uint(65535), "on-ip" => Addr, "tproxy-mark" => Mark,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "TRACE",
        opts: &[],
    },
    ModuleSpec {
        ordered: false,
        name: "CHECKSUM",
        opts: opts! { "checksum-fill" => Flag },
    },
    ModuleSpec {
        ordered: false,
        name: "SET",
        opts: opts! {
            "add-set" => SetRef, "del-set" => SetRef, "map-set" => SetRef, "exist" => Flag,
            "timeout" => Uint(u32::MAX as u64), "map-mark" => Flag, "map-prio" => Flag, "map-queue" => Flag,
        },
    },
    ModuleSpec {
        ordered: false,
        name: "CLASSIFY",
        opts: opts! { "set-class" => Class },
    },
    ModuleSpec {
        ordered: false,
        name: "DSCP",
        opts: opts! { "set-dscp" => Hex(0x3f, 2), "set-dscp-class" => Word(&[]) },
    },
    ModuleSpec {
        ordered: false,
        name: "TOS",
        opts: opts! {
            "set-tos" => Tos, "and-tos" => Hex(0xff, 2), "or-tos" => Hex(0xff, 2), "xor-tos" => Hex(0xff, 2),
        },
    },
    ModuleSpec {
        ordered: false,
        name: "TTL",
        opts: opts! { "ttl-set" => Uint(255), "ttl-dec" => Uint(255), "ttl-inc" => Uint(255) },
    },
    ModuleSpec {
        ordered: false,
        name: "HL",
        opts: opts! { "hl-set" => Uint(255), "hl-dec" => Uint(255), "hl-inc" => Uint(255) },
    },
    ModuleSpec {
        ordered: false,
        name: "SECMARK",
        opts: opts! { "selctx" => Str(Quote::Never) },
    },
    ModuleSpec {
        ordered: false,
        name: "CONNSECMARK",
        opts: opts! { "save" => Flag, "restore" => Flag },
    },
    ModuleSpec {
        ordered: false,
        name: "TCPOPTSTRIP",
        opts: opts! { "strip-options" => Word(&[]) },
    },
    ModuleSpec {
        ordered: false,
        name: "AUDIT",
        opts: opts! { "type" => Word(&["accept", "drop", "reject"]) },
    },
];

/// The built-in verdicts, which take no options.
pub const VERDICTS: &[&str] = &["ACCEPT", "DROP", "RETURN", "QUEUE"];

/// Looks up a known match.
pub fn find_match(name: &str) -> Option<&'static ModuleSpec> {
    MATCHES.iter().find(|m| m.name == name)
}

/// Looks up a known target.
pub fn find_target(name: &str) -> Option<&'static ModuleSpec> {
    TARGETS.iter().find(|m| m.name == name)
}

/// The match module `-p PROTO` loads implicitly when one of its options is
/// used without `-m` (iptables does this for tcp, udp, icmp and icmpv6).
pub fn implicit_match(proto: u8) -> Option<&'static ModuleSpec> {
    match proto {
        6 => find_match("tcp"),
        17 => find_match("udp"),
        1 => find_match("icmp"),
        58 => find_match("icmp6"),
        _ => None,
    }
}
