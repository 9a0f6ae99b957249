//! The option text iptables-save prints for xt blobs the model has no typed
//! kind for: what each extension's `save` function in iptables 1.8.9 prints
//! (without the leading blank), so that a blob read from the kernel and the
//! same options read as iptables text lower to one `MatchKind::Xt` /
//! `ActionKind::Xt` value.

use std::fmt::Write as _;

use nflens_wire::xt::{self, XtMatch, XtTarget};

/// Option text being built: each piece is preceded by one blank, as the
/// libxt save functions print them, and the first blank is dropped.
#[derive(Default)]
struct Args(String);

impl Args {
    fn opt(&mut self, s: &str) -> &mut Self {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(s);
        self
    }
    /// `" !"` when `invert`.
    fn not(&mut self, invert: bool) -> &mut Self {
        if invert {
            self.opt("!");
        }
        self
    }
    fn done(self) -> String {
        self.0
    }
}

/// `lo` or `lo:hi`.
fn range(lo: u32, hi: u32) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}:{hi}")
    }
}

/// libxt_sctp's chunk names: (name, type, valid flags from bit 7 down).
const SCTP_CHUNKS: [(&str, u8, &[u8; 8]); 22] = [
    ("DATA", 0, b"----IUBE"),
    ("INIT", 1, b"--------"),
    ("INIT_ACK", 2, b"--------"),
    ("SACK", 3, b"--------"),
    ("HEARTBEAT", 4, b"--------"),
    ("HEARTBEAT_ACK", 5, b"--------"),
    ("ABORT", 6, b"-------T"),
    ("SHUTDOWN", 7, b"--------"),
    ("SHUTDOWN_ACK", 8, b"--------"),
    ("ERROR", 9, b"--------"),
    ("COOKIE_ECHO", 10, b"--------"),
    ("COOKIE_ACK", 11, b"--------"),
    ("ECN_ECNE", 12, b"--------"),
    ("ECN_CWR", 13, b"--------"),
    ("SHUTDOWN_COMPLETE", 14, b"-------T"),
    ("I_DATA", 64, b"----IUBE"),
    ("RE_CONFIG", 130, b"--------"),
    ("PAD", 132, b"--------"),
    ("ASCONF", 193, b"--------"),
    ("ASCONF_ACK", 128, b"--------"),
    ("FORWARD_TSN", 192, b"--------"),
    ("I_FORWARD_TSN", 194, b"--------"),
];

fn sctp(s: &xt::Sctp<'_>) -> Option<String> {
    let mut a = Args::default();
    for (bit, name, (lo, hi)) in [(1, "--sport", s.spts), (2, "--dport", s.dpts)] {
        if s.flags & bit != 0 {
            a.not(s.invflags & bit != 0)
                .opt(name)
                .opt(&range(lo.into(), hi.into()));
        }
    }
    if s.flags & 4 != 0 {
        a.not(s.invflags & 4 != 0).opt("--chunk-types");
        a.opt(match s.chunk_match_type {
            1 => "any",
            2 => "all",
            4 => "only",
            _ => return None,
        });
        if s.chunkmap_is(false) {
            a.opt("NONE");
        } else if s.chunkmap_is(true) {
            a.opt("ALL");
        } else {
            let mut list = String::new();
            for t in 0..=255u8 {
                if !s.has_chunk(t) {
                    continue;
                }
                if !list.is_empty() {
                    list.push(',');
                }
                // A type libxt_sctp has no name for prints as nothing.
                if let Some((name, _, _)) = SCTP_CHUNKS.iter().find(|c| c.1 == t) {
                    list.push_str(name);
                }
                // Flags are kept by the table index libxt_sctp stored,
                // which is the type for the types below 15.
                let flags = s
                    .flag_info
                    .iter()
                    .take(usize::from(s.flag_count))
                    .filter(|f| f.0 == t);
                for &(_, flag, mask) in flags {
                    let valid = SCTP_CHUNKS.get(usize::from(t))?.2;
                    if mask != 0 {
                        list.push(':');
                    }
                    for i in (0..8).rev() {
                        if mask & (1 << i) != 0 {
                            let c = char::from(*valid.get(7 - i)?);
                            list.push(if flag & (1 << i) != 0 {
                                c
                            } else {
                                c.to_ascii_lowercase()
                            });
                        }
                    }
                }
            }
            a.opt(&list);
        }
    }
    Some(a.done())
}

/// libxt_string's save: printable text quoted, anything else as `|hex|`.
fn string(s: &xt::StringMatch<'_>) -> String {
    let mut a = Args::default();
    a.not(s.flags & 1 != 0);
    let p = s.pattern;
    let printable = |b: &u8| (0x20..0x7f).contains(b);
    if p.iter().all(printable) && p.last() != Some(&b'\\') {
        let mut q = String::from("\"");
        for &b in p {
            if b == b'"' || b == b'\\' {
                q.push('\\');
            }
            q.push(char::from(b));
        }
        q.push('"');
        a.opt("--string").opt(&q);
    } else {
        let mut q = String::from("\"|");
        for b in p {
            let _ = write!(q, "{b:02x}");
        }
        q.push_str("|\"");
        a.opt("--hex-string").opt(&q);
    }
    a.opt("--algo").opt(s.algo);
    if s.offsets.0 != 0 {
        a.opt(&format!("--from {}", s.offsets.0));
    }
    if s.offsets.1 != u16::MAX {
        a.opt(&format!("--to {}", s.offsets.1));
    }
    if s.flags & 2 != 0 {
        a.opt("--icase");
    }
    a.done()
}

/// The save text of a match blob, when this module knows it.
pub(crate) fn match_args(x: &XtMatch<'_>) -> Option<String> {
    let mut a = Args::default();
    match x {
        XtMatch::Sctp(s) => return sctp(s),
        XtMatch::String(s) => return Some(string(s)),
        XtMatch::Tos {
            value,
            mask,
            invert,
        } => {
            a.not(*invert != 0)
                .opt(&format!("--tos {value:#04x}/{mask:#04x}"));
        }
        XtMatch::Dscp { dscp, invert } => {
            a.not(*invert != 0).opt(&format!("--dscp {dscp:#04x}"));
        }
        XtMatch::Connbytes {
            from,
            to,
            what,
            direction,
        } => {
            if from > to {
                a.opt("!").opt(&format!("--connbytes {to}:{from}"));
            } else {
                a.opt(&format!("--connbytes {from}:{to}"));
            }
            a.opt("--connbytes-mode").opt(match what {
                0 => "packets",
                1 => "bytes",
                2 => "avgpkt",
                _ => return None,
            });
            a.opt("--connbytes-dir").opt(match direction {
                0 => "original",
                1 => "reply",
                2 => "both",
                _ => return None,
            });
        }
        XtMatch::Quota { flags, quota } => {
            a.not(flags & 1 != 0).opt(&format!("--quota {quota}"));
        }
        XtMatch::Connlabel { bit, options } => {
            // iptables prints the label's name from connlabel.conf when that
            // file names the bit: that is host configuration, the bit is not.
            a.not(options & 1 != 0).opt(&format!("--label \"{bit}\""));
            if options & 2 != 0 {
                a.opt("--set");
            }
        }
        XtMatch::Cgroup(c) => {
            if c.has_path {
                let mut p = String::new();
                let _ = nflens_xtables::value::write_string(
                    &mut p,
                    c.path,
                    nflens_xtables::value::Quote::IfNeeded,
                );
                a.not(c.invert_path).opt("--path").opt(&p);
            }
            if c.has_classid {
                a.not(c.invert_classid)
                    .opt(&format!("--cgroup {}", c.classid));
            }
        }
        XtMatch::Cpu { cpu, invert } => {
            a.not(*invert != 0).opt(&format!("--cpu {cpu}"));
        }
        XtMatch::Frag {
            ids,
            hdrlen,
            flags,
            invflags,
        } => {
            if *ids != (0, u32::MAX) {
                a.not(invflags & 1 != 0)
                    .opt("--fragid")
                    .opt(&range(ids.0, ids.1));
            }
            if flags & 2 != 0 {
                a.not(invflags & 2 != 0).opt(&format!("--fraglen {hdrlen}"));
            }
            for (bit, name) in [
                (4, "--fragres"),
                (8, "--fragfirst"),
                (0x10, "--fragmore"),
                (0x20, "--fraglast"),
            ] {
                if flags & bit != 0 {
                    a.opt(name);
                }
            }
        }
        XtMatch::Ah { spis, invflags } => {
            if *spis != (0, u32::MAX) {
                a.not(invflags & 1 != 0)
                    .opt("--ahspi")
                    .opt(&range(spis.0, spis.1));
            }
        }
        XtMatch::Socket { rev, flags } => {
            let names: &[(u8, &str)] = match rev {
                0 => &[],
                1 => &[(1, "--transparent")],
                2 => &[(1, "--transparent"), (2, "--nowildcard")],
                _ => &[
                    (1, "--transparent"),
                    (2, "--nowildcard"),
                    (4, "--restore-skmark"),
                ],
            };
            for (bit, name) in names {
                if flags & bit != 0 {
                    a.opt(name);
                }
            }
        }
        XtMatch::Rpfilter { flags } => {
            for (bit, name) in [
                (1, "--loose"),
                (2, "--validmark"),
                (4, "--accept-local"),
                (8, "--invert"),
            ] {
                if flags & bit != 0 {
                    a.opt(name);
                }
            }
        }
        _ => return None,
    }
    Some(a.done())
}

/// The save text of a target blob, when this module knows it.
pub(crate) fn target_args(name: &str, t: &XtTarget<'_>) -> Option<String> {
    Some(match t {
        XtTarget::Tos { value, mask } => format!("--set-tos {value:#04x}/{mask:#04x}"),
        XtTarget::Dscp { dscp } => format!("--set-dscp {dscp:#04x}"),
        XtTarget::Audit { kind } => format!(
            "--type {}",
            match kind {
                0 => "accept",
                1 => "drop",
                2 => "reject",
                _ => return None,
            }
        ),
        XtTarget::Connsecmark { mode } => match mode {
            1 => "--save".into(),
            2 => "--restore".into(),
            _ => return None,
        },
        XtTarget::Ttl { mode, value } => {
            let opt = if name == "HL" { "hl" } else { "ttl" };
            let op = match mode {
                0 => "set",
                1 => "inc",
                2 => "dec",
                _ => return None,
            };
            format!("--{opt}-{op} {value}")
        }
        XtTarget::Checksum { operation } => {
            if operation & 1 != 0 {
                "--checksum-fill".into()
            } else {
                String::new()
            }
        }
        XtTarget::Classify { priority } => {
            format!(
                "--set-class {:04x}:{:04x}",
                priority >> 16,
                priority & 0xffff
            )
        }
        _ => return None,
    })
}
