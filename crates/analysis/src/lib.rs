//! What iptables-nft cannot represent, per version, and which firewall
//! backend a host really uses.
//!
//! The specification is `COMPAT.md` (iptables 1.8.7 to 1.8.11, read from
//! the iptables source and checked against real binaries). nflens never
//! runs iptables: [`analyse`] works on the decoded nf_tables rules and the
//! model only, and emulates what each version does when it lists them:
//!
//! - **Gate 1** ([`Verdict::Incompatible`]): an expression outside the
//!   version's whitelist anywhere in a built-in `ip`/`ip6` table makes the
//!   whole table unreadable (`table `filter' is incompatible, use 'nft' tool.`).
//! - **Base chains** ([`Verdict::Tainted`], 1.8.8+; 1.8.7: incompatible or
//!   [`Verdict::Crash`]): a base chain whose hook, name, type or priority is
//!   not iptables' is hidden from it.
//! - **Gate 2**, the rule parser: from 1.8.9 what it does not understand is
//!   an error ([`Verdict::ParseError`]); up to 1.8.8 it is dropped
//!   ([`Verdict::SilentDrop`]); some things are shown wrongly in every
//!   version ([`Verdict::Misrendered`]).
//! - Base chains iptables never looks at that hook the same points
//!   ([`Verdict::Invisible`]).
//!
//! For each table and version it also predicts the `iptables-nft-save`
//! text ([`predict_save`]). [`detect`] gives the backend verdict of
//! each detector the Kubernetes ecosystem uses (COMPAT.md §3).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod check;
pub mod detect;
mod parse;

pub use check::{
    analyse, analyse_parallel, predict_save, predict_save_with, reads_table, NftInput,
};
pub use detect::{detect, Detection, DetectorVerdict, LegacyInput, LegacyTable};

use std::fmt;

#[cfg(feature = "serde")]
use serde::Serialize;

/// An iptables release whose nf_tables reader nflens emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// 1.8.7 (2021-01).
    V1_8_7,
    /// 1.8.8 (2022-05).
    V1_8_8,
    /// 1.8.9 (2023-01).
    V1_8_9,
    /// 1.8.10 (2023-10).
    V1_8_10,
    /// 1.8.11 (2024-11).
    V1_8_11,
}

impl Version {
    /// All five, oldest first.
    pub const ALL: [Version; 5] = [
        Version::V1_8_7,
        Version::V1_8_8,
        Version::V1_8_9,
        Version::V1_8_10,
        Version::V1_8_11,
    ];

    /// `"1.8.9"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_8_7 => "1.8.7",
            Version::V1_8_8 => "1.8.8",
            Version::V1_8_9 => "1.8.9",
            Version::V1_8_10 => "1.8.10",
            Version::V1_8_11 => "1.8.11",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim_start_matches('v');
        Version::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown iptables version {s:?}: expected one of 1.8.7, 1.8.8, 1.8.9, 1.8.10, 1.8.11"))
    }
}

#[cfg(feature = "serde")]
impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The kind of a finding (COMPAT.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize), serde(rename_all = "kebab-case"))]
pub enum Verdict {
    /// Gate 1 refuses the table: iptables lists nothing of it.
    Incompatible,
    /// A base chain iptables drops from its cache (1.8.8+): hidden.
    Tainted,
    /// 1.8.9+: the rule parser fails; the listing stops with `Error: ...`.
    ParseError,
    /// Up to 1.8.8: part of a rule is dropped without a word.
    SilentDrop,
    /// Shown without warning, but meaning something else.
    Misrendered,
    /// A base chain iptables never looks at that hooks the same point.
    Invisible,
    /// 1.8.7 crashes (double free) on the table.
    Crash,
}

impl Verdict {
    /// `"parse-error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Incompatible => "incompatible",
            Verdict::Tainted => "tainted",
            Verdict::ParseError => "parse-error",
            Verdict::SilentDrop => "silent-drop",
            Verdict::Misrendered => "misrendered",
            Verdict::Invisible => "invisible",
            Verdict::Crash => "crash",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding, with its evidence and a remedy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Finding {
    /// The iptables version it applies to.
    pub version: Version,
    /// The table's family: `ip`, `ip6`, or (invisible chains) its own.
    pub family: String,
    /// Table.
    pub table: String,
    /// Chain, when it is about one.
    pub chain: Option<String>,
    /// Rule handle, when it is about one rule.
    pub handle: Option<u64>,
    /// What kind.
    pub verdict: Verdict,
    /// The expression it is about, in libnftnl's debug syntax.
    pub expression: Option<String>,
    /// What is wrong, in words.
    pub reason: String,
    /// What iptables prints (its error or warning), exactly.
    pub message: Option<String>,
    /// The rule as this iptables version shows it (`-A ...`), when it shows one.
    pub shown: Option<String>,
    /// What the kernel does, in nft syntax.
    pub kernel: Option<String>,
    /// What to do about it, with the exact command where there is one.
    pub remedy: String,
}

/// What one iptables-nft version makes of a table as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize), serde(rename_all = "kebab-case"))]
pub enum TableStatus {
    /// Listed (maybe with misrendered rules).
    Ok,
    /// Gate 1 (or, in 1.8.7, a base chain) refuses it: nothing is listed.
    Incompatible,
    /// Base chains are hidden; the rest is listed (1.8.8+).
    Tainted,
    /// A rule fails to parse; the listing stops there (1.8.9+).
    ParseError,
    /// 1.8.7 crashes on it.
    Crash,
}

impl TableStatus {
    /// Whether iptables lists nothing of the table.
    pub fn unreadable(self) -> bool {
        matches!(self, TableStatus::Incompatible | TableStatus::Crash)
    }
}

/// Per table and version: what iptables-nft makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct TableReport {
    /// Version.
    pub version: Version,
    /// `ip` or `ip6`.
    pub family: String,
    /// Table.
    pub table: String,
    /// What it makes of the table.
    pub status: TableStatus,
    /// Rule lines (`-A`) its `iptables-nft-save` prints: what rule-count
    /// detectors count.
    pub rule_lines: usize,
    /// Rules in the kernel.
    pub kernel_rules: usize,
}

/// The whole compatibility report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize))]
pub struct Report {
    /// The versions covered.
    pub versions: Vec<Version>,
    /// Findings, by version, table, chain, rule.
    pub findings: Vec<Finding>,
    /// Per table and version.
    pub tables: Vec<TableReport>,
    /// The first expression, in the tables the analysis reads
    /// ([`reads_table`]), that did not decode: that rule was analysed
    /// without it. `None` for a snapshot read with [`Snapshot::read`], which
    /// decodes everything first.
    ///
    /// [`Snapshot::read`]: https://docs.rs/nflens-socket
    #[cfg_attr(feature = "serde", serde(skip))]
    pub undecodable: Option<nflens_wire::DecodeError>,
}
