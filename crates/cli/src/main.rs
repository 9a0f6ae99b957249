//! `nflens`: the command-line front end. Glue only: parsing and analysis
//! live in the library crates.
#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use nflens::model::{lower, Family};

mod canonical;
mod check;

#[derive(Parser)]
#[command(
    name = "nflens",
    version,
    about = "Read Linux firewall rulesets the way the kernel holds them"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Parse iptables-save / iptables-restore text; print it canonically or as the model in JSON.
    Parse {
        /// The file to read; `-` or nothing for standard input.
        file: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Iptables)]
        format: Format,
        /// Address family of the model (`--format json`): inferred from the
        /// content when not given, ipv4 when nothing tells.
        #[arg(long, value_enum)]
        family: Option<FamilyArg>,
    },
    /// Read the nf_tables ruleset from the kernel (one consistent snapshot) and print it.
    Dump {
        /// Network namespace: an `ip netns` name, or a path such as
        /// `/proc/PID/ns/net`. Default: this process's namespace.
        #[arg(long)]
        netns: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DumpFormat::Debug)]
        format: DumpFormat,
        #[command(flatten)]
        list: ListArgs,
    },
    /// Check what iptables-nft (1.8.7 to 1.8.11) cannot read or shows wrongly,
    /// and which backend (legacy or nf_tables) the host really uses. Exits 0
    /// when clean, 1 with findings, 2 on error. Read-only.
    Check {
        /// Network namespace: an `ip netns` name, or a path such as
        /// `/proc/PID/ns/net`. Default: this process's namespace.
        #[arg(long)]
        netns: Option<String>,
        /// Only this iptables version (1.8.7, 1.8.8, 1.8.9, 1.8.10, 1.8.11);
        /// default: all five.
        #[arg(long = "iptables-version")]
        version: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Check a saved iptables-save file instead of the kernel (no
        /// privileges needed; `-` for standard input).
        #[arg(long)]
        save: Option<String>,
        /// Also print the `iptables-nft-save` and `ip6tables-nft-save` text
        /// each version would print (in JSON: `predicted_save`).
        #[arg(long, conflicts_with = "save")]
        predict_save: bool,
    },
    /// Compare two rulesets by meaning: rules on one side only, rules that
    /// differ, rules that moved, and named sets and objects. Exits 0 when they are the same, 1 when they
    /// differ, 2 on error (as diff(1) does).
    Diff {
        /// Side A: an iptables-save file, `-` for standard input, or
        /// `netns:NAME` / `netns:PATH` for the nf_tables ruleset of a network
        /// namespace (`netns:` alone: this process's namespace).
        a: String,
        /// Side B, the same way.
        b: String,
        /// Also compare counter values (rules', named counters' and what
        /// named quotas used).
        #[arg(long)]
        counters: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// A report for people.
    Text,
    /// The report as JSON (docs/CHECK.md).
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum DumpFormat {
    /// The kernel's expressions as `nft --debug=netlink list ruleset` shows them.
    Debug,
    /// The normalised model as JSON (docs/MODEL.md).
    Json,
    /// The decoded netlink snapshot as JSON (every message and expression).
    WireJson,
    /// nft syntax, as `nft list ruleset` prints it.
    Nft,
    /// iptables-save syntax, as `iptables-nft-save` prints it (the `ip`
    /// tables, then the `ip6` tables, unless `--family` picks one).
    Iptables,
}

/// Listing options, spelled as `nft` and `iptables-save` spell them.
#[derive(clap::Args, Clone, Copy)]
struct ListArgs {
    /// nft: omit stateful information (counter values).
    #[arg(short = 's', long)]
    stateless: bool,
    /// nft: fully numeric output.
    #[arg(short = 'n', long)]
    numeric: bool,
    /// nft: layer-4 protocols as numbers.
    #[arg(short = 'p', long)]
    numeric_protocol: bool,
    /// nft: chain priorities as numbers.
    #[arg(short = 'y', long)]
    numeric_priority: bool,
    /// nft: times as seconds.
    #[arg(short = 'T', long)]
    numeric_time: bool,
    /// nft: list as this nft version does (1.1 changed a few spellings).
    #[arg(long, value_enum, default_value = "1.0")]
    nft_version: NftVersion,
    /// nft: print handles.
    #[arg(short = 'a', long)]
    handle: bool,
    /// nft: print `meta time` and `meta hour` values this many seconds
    /// east of UTC (nft uses the local time zone; nflens reads no time
    /// zone database, so the default is UTC).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    utc_offset: i32,
    /// iptables: print `[packets:bytes]` before each rule.
    #[arg(short = 'c', long)]
    counters: bool,
    /// iptables: only this family's tables.
    #[arg(long, value_enum)]
    family: Option<FamilyArg>,
}

impl ListArgs {
    fn nft(&self) -> nflens::model::render::nft::Options {
        nflens::model::render::nft::Options {
            stateless: self.stateless,
            numeric: self.numeric,
            numeric_proto: self.numeric_protocol,
            numeric_prio: self.numeric_priority,
            numeric_time: self.numeric_time,
            dialect: match self.nft_version {
                NftVersion::V1_0 => nflens::model::render::nft::Dialect::Nft1_0,
                NftVersion::V1_1 => nflens::model::render::nft::Dialect::Nft1_1,
            },
            handles: self.handle,
            utc_offset: self.utc_offset,
        }
    }
}

/// The nft whose listing `--format nft` reproduces.
#[derive(Clone, Copy, ValueEnum)]
enum NftVersion {
    /// nft 1.0.x.
    #[value(name = "1.0")]
    V1_0,
    /// nft 1.1 and later.
    #[value(name = "1.1")]
    V1_1,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Canonical iptables-save text.
    Iptables,
    /// The normalised model as JSON.
    Json,
    /// The model as nft syntax (`nft list ruleset` style).
    Nft,
}

#[derive(Clone, Copy, ValueEnum)]
enum FamilyArg {
    Ipv4,
    Ipv6,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Parse {
            file,
            format,
            family,
        } => match parse(file, format, family) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nflens: {e:#}");
                ExitCode::from(1)
            }
        },
        Cmd::Check {
            netns,
            version,
            format,
            save,
            predict_save,
        } => match check::run(netns, version, format, save, predict_save) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nflens: {e:#}");
                ExitCode::from(2)
            }
        },
        Cmd::Diff { a, b, counters } => match diff(&a, &b, counters) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nflens: {e:#}");
                ExitCode::from(2)
            }
        },
        Cmd::Dump {
            netns,
            format,
            list,
        } => match dump(netns, format, list) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nflens: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

/// One side of `nflens diff`: the model, and the text it came from (to
/// quote rules by line).
fn side(spec: &str) -> anyhow::Result<(nflens::model::Ruleset, Option<String>)> {
    use nflens::socket::{Netns, Options};
    if let Some(ns) = spec.strip_prefix("netns:") {
        let netns = if ns.is_empty() {
            Netns::Current
        } else {
            Netns::named(ns)
        };
        let (_, mut model) = nflens::read_model(&Options {
            netns: netns.clone(),
            ..Options::default()
        })?;
        nflens::resolve_ipsets(&netns, &mut model)?;
        return Ok((model, None));
    }
    let text = if spec == "-" {
        let mut t = String::new();
        std::io::stdin().read_to_string(&mut t)?;
        t
    } else {
        read_file(spec).map_err(|e| anyhow::anyhow!("{spec}: {e}"))?
    };
    let rs = nflens::read_iptables_save(&text, None).map_err(|e| anyhow::anyhow!("{spec}:{e}"))?;
    Ok((rs, Some(text)))
}

fn diff(a: &str, b: &str, counters: bool) -> anyhow::Result<ExitCode> {
    use nflens::model::diff::{self, Difference, Place};
    use nflens::model::{Origin, Rule};
    if a == "-" && b == "-" {
        anyhow::bail!("only one side can be standard input");
    }
    let (ma, ta) = side(a)?;
    let (mb, tb) = side(b)?;
    let diffs = diff::diff(&ma, &mb, diff::Options { counters });
    if diffs.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let describe = |r: &Rule, text: &Option<String>| -> String {
        match (r.origin, text) {
            (Origin::Text { offset, line }, Some(t)) => {
                let l = t.get(offset..).and_then(|s| s.lines().next()).unwrap_or("");
                format!("line {line}: {l}")
            }
            (Origin::Handle { handle }, _) => {
                // As iptables-nft-save would print it, else as nft lists it.
                let mut t = String::new();
                if nflens::model::render::iptables::rule(r, Family::Ipv4, &mut t).is_ok() {
                    return format!("handle {handle}:{t}");
                }
                let mut t = String::new();
                match nflens::model::render::nft::rule(r, Family::Inet, Default::default(), &mut t)
                {
                    Ok(()) => format!("handle {handle}: {t}"),
                    Err(why) => format!("handle {handle}: ({why})"),
                }
            }
            (o, _) => format!("{o:?}"),
        }
    };
    let at = |p: &Place| {
        let fam = format!("{:?}", p.family).to_lowercase();
        match &p.chain {
            Some(c) => format!("{fam} {} {c}", p.table),
            None => format!("{fam} {}", p.table),
        }
    };
    let side_name = |in_a: bool| if in_a { a } else { b };
    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
    writeln!(w, "--- {a}\n+++ {b}")?;
    for d in &diffs {
        match d {
            Difference::Table { place, in_a } => writeln!(
                w,
                "{} table {}: only in {}",
                if *in_a { '-' } else { '+' },
                at(place),
                side_name(*in_a)
            )?,
            Difference::Chain { place, in_a } => writeln!(
                w,
                "{} chain {}: only in {}",
                if *in_a { '-' } else { '+' },
                at(place),
                side_name(*in_a)
            )?,
            Difference::Policy {
                place,
                a: pa,
                b: pb,
            } => writeln!(w, "! chain {}: policy {pa:?} / {pb:?}", at(place))?,
            Difference::Set {
                place,
                name,
                a: sa,
                b: sb,
            } => match (sa, sb) {
                (Some(_), Some(_)) => writeln!(w, "! {} set {name} differs", at(place))?,
                (sa, _) => writeln!(
                    w,
                    "{} {} set {name}: only in {}",
                    if sa.is_some() { '-' } else { '+' },
                    at(place),
                    side_name(sa.is_some())
                )?,
            },
            Difference::Object {
                place,
                name,
                a: oa,
                b: ob,
            } => {
                let kind = |o: &nflens::model::NamedObject| {
                    nflens::model::render::nft::object_type_name(o.kind.type_number())
                        .unwrap_or("object")
                };
                match (oa, ob) {
                    (Some(x), Some(_)) => {
                        writeln!(w, "! {} {} {name} differs", at(place), kind(x))?
                    }
                    (x, y) => {
                        let o = x.as_ref().or(y.as_ref()).map_or("object", |o| kind(o));
                        writeln!(
                            w,
                            "{} {} {o} {name}: only in {}",
                            if x.is_some() { '-' } else { '+' },
                            at(place),
                            side_name(x.is_some())
                        )?
                    }
                }
            }
            Difference::Rule {
                place,
                in_a,
                index,
                rule,
            } => {
                let t = if *in_a { &ta } else { &tb };
                writeln!(
                    w,
                    "{} {} rule {}: {}",
                    if *in_a { '-' } else { '+' },
                    at(place),
                    index + 1,
                    describe(rule, t)
                )?
            }
            Difference::Changed {
                place,
                a: (ia, ra),
                b: (ib, rb),
            } => {
                writeln!(w, "! {} rule {} differs:", at(place), ia + 1)?;
                writeln!(w, "  - {}", describe(ra, &ta))?;
                writeln!(w, "  + rule {}: {}", ib + 1, describe(rb, &tb))?;
            }
            Difference::Moved {
                place,
                a: ia,
                b: ib,
                rule,
            } => writeln!(
                w,
                "~ {} rule moved from {} to {}: {}",
                at(place),
                ia + 1,
                ib + 1,
                describe(rule, &ta)
            )?,
        }
    }
    w.flush()?;
    Ok(ExitCode::from(1))
}

fn dump(netns: Option<String>, format: DumpFormat, list: ListArgs) -> anyhow::Result<ExitCode> {
    use nflens::socket::{Netns, Options, Snapshot};
    let netns = netns.as_deref().map_or(Netns::Current, Netns::named);
    let snap = Snapshot::read(&Options {
        netns: netns.clone(),
        ..Options::default()
    })?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match format {
        DumpFormat::Debug => {
            let mut text = String::with_capacity(snap.bytes().len());
            snap.write_debug(&mut text)?;
            w.write_all(text.as_bytes())?;
        }
        DumpFormat::WireJson => {
            serde_json::to_writer_pretty(&mut w, &snap)?;
            writeln!(w)?;
        }
        DumpFormat::Json | DumpFormat::Nft | DumpFormat::Iptables => {
            let mut model = nflens::model_of(&snap);
            nflens::resolve_ipsets(&netns, &mut model)?;
            render(&model, format, list, &mut w)?;
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints a model as JSON, nft or iptables text; what has no spelling in
/// the chosen syntax is a `#` line in the text and a warning on stderr.
fn render(
    model: &nflens::model::Ruleset,
    format: DumpFormat,
    list: ListArgs,
    w: &mut impl Write,
) -> anyhow::Result<()> {
    use nflens::model::render;
    let out = match format {
        DumpFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, model)?;
            writeln!(w)?;
            return Ok(());
        }
        DumpFormat::Nft => render::nft::ruleset(model, list.nft()),
        _ => {
            let opts = render::iptables::Options {
                counters: list.counters,
            };
            let families: &[Family] = match list.family {
                Some(FamilyArg::Ipv4) => &[Family::Ipv4],
                Some(FamilyArg::Ipv6) => &[Family::Ipv6],
                None => &[Family::Ipv4, Family::Ipv6],
            };
            let mut all = render::Output::default();
            for f in families {
                if !model.tables.iter().any(|t| t.family == *f) {
                    continue;
                }
                let o = render::iptables::ruleset(model, *f, opts);
                if list.family.is_none() {
                    all.text.push_str(if *f == Family::Ipv4 {
                        "# iptables (ip tables)\n"
                    } else {
                        "# ip6tables (ip6 tables)\n"
                    });
                }
                all.text.push_str(&o.text);
                for u in o.unrepresentable {
                    if !all.unrepresentable.contains(&u) {
                        all.unrepresentable.push(u);
                    }
                }
            }
            all
        }
    };
    w.write_all(out.text.as_bytes())?;
    for u in &out.unrepresentable {
        match u.index {
            Some(i) => eprintln!(
                "nflens: table {} chain {} rule {}: not shown: {}",
                u.table,
                u.chain,
                i + 1,
                u.reason
            ),
            None => eprintln!("nflens: table {}: not shown: {}", u.table, u.reason),
        }
    }
    Ok(())
}

/// Reads a whole file as UTF-8.
fn read_file(path: &str) -> std::io::Result<String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()))
}

/// Reads a whole file; a large regular file in two halves on two threads
/// (copying into fresh pages is most of a read's cost).
fn read_bytes(path: &str) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if !meta.is_file() || len < 1 << 20 || threads < 2 {
        let mut bytes = Vec::new();
        (&file).read_to_end(&mut bytes)?;
        return Ok(bytes);
    }
    let mut buf = vec![0u8; len];
    let mid = len / 2;
    let (a, b) = buf.split_at_mut(mid);
    std::thread::scope(|s| {
        let first = s.spawn(|| file.read_exact_at(a, 0));
        let second = file.read_exact_at(b, mid as u64);
        first
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
            .and(second)
    })?;
    // The file may have grown since its size was read: take the rest too.
    let mut file = file;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(len as u64))?;
    file.read_to_end(&mut buf)?;
    Ok(buf)
}

fn parse(
    file: Option<String>,
    format: Format,
    family: Option<FamilyArg>,
) -> anyhow::Result<ExitCode> {
    let name = file.clone().unwrap_or_else(|| "-".to_owned());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // A regular file is read in place (for the iptables format, through a
    // window per core); anything else, whole.
    let opened = match file.as_deref() {
        None | Some("-") => None,
        Some(p) => {
            let f = std::fs::File::open(p).map_err(|e| anyhow::anyhow!("{p}: {e}"))?;
            let meta = f.metadata().map_err(|e| anyhow::anyhow!("{p}: {e}"))?;
            Some((f, meta))
        }
    };
    let mut bytes = Vec::new();
    let src = match &opened {
        Some((f, meta)) if meta.is_file() && matches!(format, Format::Iptables) => {
            canonical::Source::File(f, usize::try_from(meta.len()).unwrap_or(usize::MAX))
        }
        Some((f, _)) => {
            let mut f = f;
            f.read_to_end(&mut bytes)
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            canonical::Source::Bytes(&bytes)
        }
        None => {
            std::io::stdin().read_to_end(&mut bytes)?;
            canonical::Source::Bytes(&bytes)
        }
    };
    match format {
        Format::Iptables => {
            // Parse and print one line at a time, with no tree kept, on all
            // cores; written only if the whole input parses.
            let pieces = match canonical::pieces(src) {
                Ok(p) => p,
                Err(canonical::Failure::Parse(e)) => {
                    // FILE:LINE:COL: message, then the line and a caret.
                    eprintln!("{name}:{e}");
                    return Ok(ExitCode::from(2));
                }
                Err(canonical::Failure::Io(e)) => return Err(anyhow::anyhow!("{name}: {e}")),
            };
            canonical::write(src, &pieces, &mut out).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        }
        Format::Json | Format::Nft => {
            let parsed = nflens::xtables::utf8(&bytes, 0, 0).and_then(nflens::xtables::parse);
            let dump = match parsed {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("{name}:{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let family = family.map(|f| match f {
                FamilyArg::Ipv4 => Family::Ipv4,
                FamilyArg::Ipv6 => Family::Ipv6,
            });
            let ruleset = match lower::from_xtables(&dump, family) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{name}:{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut out);
            let as_dump = if matches!(format, Format::Nft) {
                DumpFormat::Nft
            } else {
                DumpFormat::Json
            };
            let list = ListArgs {
                stateless: false,
                numeric: false,
                numeric_protocol: false,
                numeric_priority: false,
                numeric_time: false,
                nft_version: NftVersion::V1_0,
                handle: false,
                utc_offset: 0,
                counters: false,
                family: None,
            };
            render(&ruleset, as_dump, list, &mut w)?;
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
