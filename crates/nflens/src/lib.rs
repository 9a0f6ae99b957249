//! nflens: read Linux firewall rulesets the way the kernel holds them.
//!
//! This facade re-exports the layers:
//! - [`xtables`]: the iptables-save / iptables-restore text parser
//!   (zero-copy, canonical `Display`, located errors);
//! - [`model`]: the normalised rule model both backends share, and lowering;
//! - [`wire`]: zero-copy decoding of nf_tables netlink messages and kernel
//!   expressions (feature `netlink`);
//! - [`socket`]: reading a consistent nf_tables snapshot from the kernel, in
//!   any network namespace (feature `netlink`).
//!
//! ```
//! let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
//! let ruleset = nflens::read_iptables_save(text, None).unwrap();
//! let rule = &ruleset.tables[0].chains[0].rules[0];
//! assert_eq!(
//!     rule.matches[0].kind,
//!     nflens::model::MatchKind::CtState(nflens::model::CtState::ESTABLISHED | nflens::model::CtState::RELATED)
//! );
//! ```
//!
//! # Features
//! - `xtables` (default): the text reader.
//! - `netlink` (default): the nf_tables reader.
//! - `serde`: serialization of the model and of decoded messages.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

#[cfg(feature = "netlink")]
pub use nflens_analysis as analysis;
pub use nflens_model as model;
#[cfg(feature = "netlink")]
pub use nflens_socket as socket;
#[cfg(feature = "netlink")]
pub use nflens_wire as wire;
#[cfg(feature = "xtables")]
pub use nflens_xtables as xtables;

/// Why iptables text could not be read.
#[derive(Debug)]
pub enum Error {
    /// The text does not parse.
    Parse(nflens_xtables::ParseError),
    /// It parses but does not describe a ruleset.
    Lower(nflens_model::lower::LowerError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Parse(e) => write!(f, "{e}"),
            Error::Lower(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

/// Parses and lowers iptables-save text (family inferred when `None`).
#[cfg(feature = "xtables")]
pub fn read_iptables_save(
    text: &str,
    family: Option<model::Family>,
) -> Result<model::Ruleset, Error> {
    let dump = nflens_xtables::parse(text).map_err(Error::Parse)?;
    nflens_model::lower::from_xtables(&dump, family).map_err(Error::Lower)
}

/// Lowers a snapshot read from the kernel to the model (every table, chain
/// and rule, in the kernel's order).
#[cfg(feature = "netlink")]
pub fn model_of(snapshot: &socket::Snapshot) -> model::Ruleset {
    // An element that does not decode leaves its set's lookups raw.
    let mut sets = model::nft::SetIndex::from_sets(snapshot.sets_with_elems()).unwrap_or_default();
    sets.add_objects(snapshot.objs());
    model::nft::ruleset_with_sets(snapshot.tables(), snapshot.chains_with_rules(), &sets)
}

/// Reads the nf_tables ruleset of `opts`' namespace and lowers it to the
/// model: [`model_of`] of [`socket::Snapshot::read`], with the rules'
/// expressions decoded once (by the lowering) instead of twice. A rule
/// that does not decode fails the read as [`socket::Snapshot::read`] would,
/// with its offset in the snapshot.
///
/// The rules are lowered while they are read
/// ([`socket::Snapshot::read_working`]): a thread that dumps rules lowers
/// them once its dumps are done, while the other may still be dumping, and
/// then helps with the rest; as many threads as the machine has CPUs work
/// (at most 8; [`std::thread::available_parallelism`]), all scoped and
/// joined before this returns: the same model, sooner.
/// [`read_model_threads`] chooses the number; 1 reads first and then
/// lowers on the calling thread.
#[cfg(feature = "netlink")]
pub fn read_model(
    opts: &socket::Options<'_>,
) -> Result<(socket::Snapshot, model::Ruleset), socket::Error> {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    read_model_threads(opts, cpus.min(8))
}

/// [`read_model`], lowering on up to `threads` threads, the one or two
/// that dump rules among them (1: read, then lower on the calling thread).
#[cfg(feature = "netlink")]
pub fn read_model_threads(
    opts: &socket::Options<'_>,
    threads: usize,
) -> Result<(socket::Snapshot, model::Ruleset), socket::Error> {
    if threads <= 1 {
        let snap = socket::Snapshot::read_deferred(opts)?;
        let sets = set_index(&snap)?;
        let lowered =
            model::nft::try_ruleset_threads(snap.tables(), snap.chains_with_rules(), &sets, 1);
        return match lowered {
            Ok(rs) => Ok((snap, rs)),
            Err(e) => Err(rule_error(&snap, e)),
        };
    }
    // The rules are lowered while they are read: each dump thread lowers
    // its chains once its dumps are done, then helps the other.
    let mut lower = Lower {
        sets: Ok(model::nft::SetIndex::new()),
    };
    let (snap, outs) = socket::Snapshot::read_working(opts, &mut lower, threads)?;
    let sets = lower.sets.map_err(socket::Error::from)?;
    let mut rules = Vec::with_capacity(snap.chains().size_hint().1.unwrap_or(0));
    for out in outs {
        rules.extend(out.map_err(|e| rule_error(&snap, e))?);
    }
    let rs = model::nft::ruleset_of_lowered(snap.tables(), snap.chains().zip(rules), &sets);
    Ok((snap, rs))
}

/// The sets and objects the rules of `snap` may read.
#[cfg(feature = "netlink")]
fn set_index(snap: &socket::Snapshot) -> Result<model::nft::SetIndex, socket::Error> {
    let mut sets = model::nft::SetIndex::from_sets(snap.sets_with_elems())?;
    sets.add_objects(snap.objs());
    Ok(sets)
}

/// The error of a read whose lowering met a rule that does not decode:
/// the one [`socket::Snapshot::read`] gives, with its offset in the
/// snapshot (`e`, whose offset is within the rule, if none is found).
#[cfg(feature = "netlink")]
fn rule_error(snap: &socket::Snapshot, e: wire::DecodeError) -> socket::Error {
    snap.check_rule_exprs(|_| true).err().unwrap_or(e).into()
}

/// Lowering a snapshot's rules while they are read.
#[cfg(feature = "netlink")]
struct Lower {
    sets: Result<model::nft::SetIndex, wire::DecodeError>,
}

#[cfg(feature = "netlink")]
impl socket::RuleWork for Lower {
    type Out = Result<Vec<Vec<model::Rule>>, wire::DecodeError>;
    fn prepare(&mut self, snap: &socket::Snapshot) {
        self.sets = model::nft::SetIndex::from_sets(snap.sets_with_elems()).map(|mut sets| {
            sets.add_objects(snap.objs());
            sets
        });
    }
    fn batch(&self, batch: socket::RuleBatch<'_>) -> Self::Out {
        // A set that did not decode fails the read: no work.
        match &self.sets {
            Ok(sets) => model::nft::try_lower_chains(batch.chains(), sets),
            Err(_) => Ok(Vec::new()),
        }
    }
}

/// Lowers the legacy tables of one family read from the kernel
/// ([`socket::Legacy::read`]) to the model, as `iptables-legacy-save`
/// (or `ip6tables-legacy-save`) would show them.
#[cfg(feature = "netlink")]
pub fn model_of_legacy(
    legacy: &socket::Legacy,
    family: wire::legacy::Family,
) -> Result<model::Ruleset, wire::DecodeError> {
    let tables = legacy
        .tables
        .iter()
        .filter(|t| t.family == family)
        .map(|t| t.decode())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(model::legacy::ruleset(family, &tables))
}

/// Names the ipsets a model refers to by kernel index only (xt `set`
/// blobs, from a legacy table or an iptables-nft rule), asking the kernel of
/// `netns` as iptables does when it lists them. Read-only.
#[cfg(feature = "netlink")]
pub fn resolve_ipsets(
    netns: &socket::Netns<'_>,
    ruleset: &mut model::Ruleset,
) -> Result<(), socket::Error> {
    let names = socket::ipset_names(netns, &ruleset.ipset_indexes())?;
    ruleset.resolve_ipsets(|i| names.get(&i).map(String::as_str));
    Ok(())
}

/// The kernel indexes of the ipsets that xt `set` matches in the tables
/// the analysis reads refer to, sorted, each once.
#[cfg(feature = "netlink")]
fn ipset_indexes(nft: &analysis::NftInput<'_>) -> Vec<u16> {
    let mut out: Vec<u16> = nft
        .chains
        .iter()
        .filter(|(c, _)| analysis::reads_table(c.family, c.table))
        .flat_map(|(c, rules)| rules.iter().map(move |r| (c.family, r)))
        .flat_map(|(family, r)| r.exprs.iter().flatten().map(move |e| (family, e)))
        .filter_map(|(family, e)| match e {
            wire::Expr::Match(x) if x.name == "set" => {
                match wire::xt::decode_match(x.name, x.rev, x.info, family) {
                    Ok(wire::xt::XtMatch::Set { set, .. }) => Some(set.index),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The `iptables-nft-save` (`ip6`: `ip6tables-nft-save`) text iptables
/// `version` would print for `snapshot`, read from `netns`, without the
/// dated comments ([`analysis::predict_save`]); ipset names are asked from
/// the kernel as iptables does. `Ok(None)` when a rule shown has no
/// spelling nflens knows.
#[cfg(feature = "netlink")]
pub fn predict_save(
    netns: &socket::Netns<'_>,
    snapshot: &socket::Snapshot,
    version: analysis::Version,
    ip6: bool,
    legacy_present: bool,
) -> Result<Option<String>, socket::Error> {
    let input = nft_input(snapshot);
    let names = socket::ipset_names(netns, &ipset_indexes(&input))?;
    Ok(analysis::predict_save_with(
        &input,
        version,
        ip6,
        legacy_present,
        |i| names.get(&i).map(String::as_str),
    ))
}

/// The nf_tables side of a snapshot as the analysis reads it.
#[cfg(feature = "netlink")]
pub fn nft_input(snapshot: &socket::Snapshot) -> analysis::NftInput<'_> {
    analysis::NftInput {
        tables: snapshot.tables().collect(),
        chains: snapshot
            .chains_with_rules()
            .map(|(c, r)| (c, r.collect()))
            .collect(),
    }
}

/// What `nflens check` reports about a network namespace.
#[cfg(feature = "netlink")]
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Check {
    /// The namespace, as given (`None`: the caller's).
    pub netns: Option<String>,
    /// The nf_tables generation the snapshot was read at.
    pub generation: u32,
    /// The backend verdict, one per version (oldest first).
    pub detection: Vec<analysis::Detection>,
    /// Findings and per-table predictions.
    pub report: analysis::Report,
    /// The `iptables-nft-save` / `ip6tables-nft-save` text each version
    /// would print (only when asked for: [`CheckOptions::predict_save`]).
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Vec::is_empty"))]
    pub predicted_save: Vec<PredictedSave>,
}

/// What one iptables version's `iptables-nft-save` (or
/// `ip6tables-nft-save`) would print, without its dated comments.
#[cfg(feature = "netlink")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PredictedSave {
    /// The iptables version.
    pub version: analysis::Version,
    /// `"ip"` (iptables-nft-save) or `"ip6"` (ip6tables-nft-save).
    pub family: &'static str,
    /// The text; `None` when a rule shown has no spelling nflens knows.
    pub text: Option<String>,
}

/// What [`check_with`] does beyond [`check`].
#[cfg(feature = "netlink")]
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions<'v> {
    /// The iptables versions to analyse (all five when empty).
    pub versions: &'v [analysis::Version],
    /// Also predict each version's `iptables-nft-save` and
    /// `ip6tables-nft-save` text ([`Check::predicted_save`]), naming ipsets
    /// as iptables does.
    pub predict_save: bool,
}

#[cfg(feature = "netlink")]
impl Check {
    /// Whether nothing needs attention: no finding, one backend.
    pub fn clean(&self) -> bool {
        self.report.findings.is_empty() && self.detection.iter().all(|d| !d.split_brain && !d.mixed)
    }
}

/// Why a check could not run.
#[cfg(feature = "netlink")]
#[derive(Debug)]
pub enum CheckError {
    /// Reading the kernel failed.
    Read(socket::Error),
    /// A legacy table did not decode.
    Decode(wire::DecodeError),
    /// An nf_tables rule expression did not decode.
    Nft(wire::DecodeError),
}

#[cfg(feature = "netlink")]
impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckError::Read(e) => write!(f, "{e}"),
            CheckError::Decode(e) => write!(f, "legacy table: {e}"),
            CheckError::Nft(e) => write!(f, "nf_tables rule: {e}"),
        }
    }
}

#[cfg(feature = "netlink")]
impl std::error::Error for CheckError {}

/// The chains of each legacy table and how many rules each holds.
#[cfg(feature = "netlink")]
fn legacy_input(legacy: &socket::Legacy) -> Result<Vec<analysis::LegacyTable>, wire::DecodeError> {
    legacy
        .tables
        .iter()
        .map(|t| {
            Ok(analysis::LegacyTable {
                ip6: t.family == wire::legacy::Family::V6,
                name: t.name.clone(),
                chains: t
                    .chain_sizes()?
                    .into_iter()
                    .map(|(name, rules)| (name.to_owned(), rules))
                    .collect(),
            })
        })
        .collect()
}

/// Reads both backends of a namespace (read-only: no rule written, no table
/// created) and analyses them for `versions` (all five when empty).
#[cfg(feature = "netlink")]
pub fn check(
    netns: &socket::Netns<'_>,
    versions: &[analysis::Version],
) -> Result<Check, CheckError> {
    check_with(
        netns,
        CheckOptions {
            versions,
            predict_save: false,
        },
    )
}

/// [`check`] with [`CheckOptions`].
#[cfg(feature = "netlink")]
pub fn check_with(netns: &socket::Netns<'_>, opts: CheckOptions<'_>) -> Result<Check, CheckError> {
    let versions = opts.versions;
    let versions = if versions.is_empty() {
        analysis::Version::ALL.to_vec()
    } else {
        versions.to_vec()
    };
    // The two backends are read at the same time (both are kernel-bound);
    // the legacy side is decoded on its own thread while the snapshot is
    // still being read.
    let (snap, legacy) = std::thread::scope(|sc| {
        let legacy = sc.spawn(|| -> Result<_, CheckError> {
            let legacy = socket::Legacy::read(netns).map_err(CheckError::Read)?;
            let tables = legacy_input(&legacy).map_err(CheckError::Decode)?;
            Ok((legacy, tables))
        });
        // The analysis decodes every rule expression of the tables it
        // reads (and fails on one that does not decode, below): the
        // snapshot does not decode them a first time.
        let snap = socket::Snapshot::read_deferred(&socket::Options {
            netns: netns.clone(),
            ..socket::Options::default()
        });
        let legacy = legacy.join().unwrap_or_else(|_| {
            Err(CheckError::Read(socket::Error::Io {
                op: "legacy reader thread",
                source: std::io::Error::other("panicked"),
            }))
        });
        (snap, legacy)
    });
    let snap = snap.map_err(CheckError::Read)?;
    let (legacy, tables) = legacy?;
    snap.check_rule_exprs(|c| !analysis::reads_table(c.family, c.table))
        .map_err(CheckError::Nft)?;
    let input = nft_input(&snap);
    // The analysis is CPU-bound: use the cores the snapshot read left idle.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let report = analysis::analyse_parallel(&input, &versions, threads);
    if let Some(e) = report.undecodable {
        return Err(CheckError::Nft(e));
    }
    let lin = analysis::LegacyInput {
        names_v4: &legacy.names_v4,
        names_v6: &legacy.names_v6,
        tables: &tables,
    };
    let detection = versions
        .iter()
        .map(|&v| analysis::detect(&report, v, &input, &lin))
        .collect();
    let mut predicted_save = Vec::new();
    if opts.predict_save {
        let names = socket::ipset_names(netns, &ipset_indexes(&input)).map_err(CheckError::Read)?;
        for &v in &versions {
            for (ip6, family, present) in [
                (false, "ip", !legacy.names_v4.is_empty()),
                (true, "ip6", !legacy.names_v6.is_empty()),
            ] {
                let fam = if ip6 { 10 } else { 2 };
                if !input
                    .tables
                    .iter()
                    .any(|t| analysis::reads_table(fam, t.name) && t.family == fam)
                {
                    continue;
                }
                let text = analysis::predict_save_with(&input, v, ip6, present, |i| {
                    names.get(&i).map(String::as_str)
                });
                predicted_save.push(PredictedSave {
                    version: v,
                    family,
                    text,
                });
            }
        }
    }
    Ok(Check {
        netns: netns.describe(),
        generation: snap.generation(),
        detection,
        report,
        predicted_save,
    })
}
