//! `nflens`: the command-line front end. Glue only: parsing and analysis
//! live in the library crates.
#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use nflens::model::{lower, Family};
use nflens::xtables::Print;

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
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum DumpFormat {
    /// The kernel's expressions as `nft --debug=netlink list ruleset` shows them.
    Debug,
    /// The decoded snapshot as JSON.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Canonical iptables-save text.
    Iptables,
    /// The normalised model as JSON.
    Json,
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
        Cmd::Dump { netns, format } => match dump(netns, format) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("nflens: {e:#}");
                ExitCode::from(2)
            }
        },
    }
}

fn dump(netns: Option<String>, format: DumpFormat) -> anyhow::Result<ExitCode> {
    use nflens::socket::{Netns, Options, Snapshot};
    let netns = netns.as_deref().map_or(Netns::Current, Netns::named);
    let snap = Snapshot::read(&Options {
        netns,
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
        DumpFormat::Json => {
            serde_json::to_writer_pretty(&mut w, &snap)?;
            writeln!(w)?;
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn parse(
    file: Option<String>,
    format: Format,
    family: Option<FamilyArg>,
) -> anyhow::Result<ExitCode> {
    let name = file.clone().unwrap_or_else(|| "-".to_owned());
    let mut text = String::new();
    match file.as_deref() {
        None | Some("-") => {
            std::io::stdin().read_to_string(&mut text)?;
        }
        Some(p) => {
            text = std::fs::read_to_string(p).map_err(|e| anyhow::anyhow!("{p}: {e}"))?;
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Iptables => {
            // Stream: parse and print one line at a time into a buffer, with
            // no tree kept; the buffer is written only if the whole input parses.
            let mut buf = String::with_capacity(text.len() + text.len() / 8);
            for line in nflens::xtables::Parser::new(&text) {
                match line {
                    Ok(l) => {
                        l.print(&mut buf)?;
                        buf.push('\n');
                    }
                    Err(e) => {
                        // FILE:LINE:COL: message, then the line and a caret.
                        eprintln!("{name}:{e}");
                        return Ok(ExitCode::from(2));
                    }
                }
            }
            out.write_all(buf.as_bytes())?;
        }
        Format::Json => {
            let dump = match nflens::xtables::parse(&text) {
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
            serde_json::to_writer_pretty(&mut w, &ruleset)?;
            writeln!(w)?;
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
