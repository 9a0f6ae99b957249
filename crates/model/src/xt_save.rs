//! The option text iptables-save prints for xt blobs the model has no typed
//! kind for: what each extension's `save` function in iptables 1.8.9 prints
//! (without the leading blank), so that a blob read from the kernel and the
//! same options read as iptables text lower to one `MatchKind::Xt` /
//! `ActionKind::Xt` value.

use std::fmt::Write as _;

use nflens_wire::sys::NFPROTO_IPV6;
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
    /// Each name whose bit is in `bits`, in the table's order.
    fn flags(&mut self, bits: u32, names: &[(u32, &str)]) -> &mut Self {
        for (bit, name) in names {
            if bits & bit != 0 {
                self.opt(name);
            }
        }
        self
    }
    /// `[!] NAME lo[:hi]`, unless the range is all of `u32` (no condition),
    /// as the ah, ipcomp and frag matches print their SPIs and ids.
    fn id_range(&mut self, name: &str, (lo, hi): (u32, u32), invert: bool) -> &mut Self {
        if (lo, hi) != (0, u32::MAX) {
            self.not(invert).opt(name).opt(&range(lo, hi));
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
pub(crate) fn match_args(name: &str, x: &XtMatch<'_>, nfproto: u8) -> Option<String> {
    let mut a = Args::default();
    match x {
        XtMatch::Sctp(s) => return sctp(s),
        XtMatch::Recent(r) => return Some(recent_args(r)),
        XtMatch::Hashlimit(h) => return Some(hashlimit_args(h, nfproto)),
        XtMatch::Connlimit {
            rev,
            mask,
            limit,
            flags,
        } => {
            // libxt_connlimit's save: the mask as a prefix length.
            let bits = match mask {
                std::net::IpAddr::V4(m) => u32::from(*m).count_ones(),
                std::net::IpAddr::V6(m) => u128::from(*m).count_ones(),
            };
            let above = if flags & 1 != 0 { "upto" } else { "above" };
            a.opt(&format!(
                "--connlimit-{above} {limit} --connlimit-mask {bits}"
            ));
            if *rev >= 1 {
                a.opt(if flags & 2 != 0 {
                    "--connlimit-daddr"
                } else {
                    "--connlimit-saddr"
                });
            }
        }

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
            a.id_range("--fragid", *ids, invflags & 1 != 0);
            if flags & 2 != 0 {
                a.not(invflags & 2 != 0).opt(&format!("--fraglen {hdrlen}"));
            }
            a.flags(
                (*flags).into(),
                &[
                    (4, "--fragres"),
                    (8, "--fragfirst"),
                    (0x10, "--fragmore"),
                    (0x20, "--fraglast"),
                ],
            );
        }
        XtMatch::Ah { spis, invflags } => {
            a.id_range("--ahspi", *spis, invflags & 1 != 0);
        }
        XtMatch::Socket { rev, flags } => {
            let names: &[(u32, &str)] = match rev {
                0 => &[],
                1 => &[(1, "--transparent")],
                2 => &[(1, "--transparent"), (2, "--nowildcard")],
                _ => &[
                    (1, "--transparent"),
                    (2, "--nowildcard"),
                    (4, "--restore-skmark"),
                ],
            };
            a.flags((*flags).into(), names);
        }
        XtMatch::Rpfilter { flags } => {
            a.flags(
                (*flags).into(),
                &[
                    (1, "--loose"),
                    (2, "--validmark"),
                    (4, "--accept-local"),
                    (8, "--invert"),
                ],
            );
        }
        XtMatch::Owner(o) => {
            let items = [
                (4, "--socket-exists", None),
                (1, "--uid-owner", Some(o.uid)),
                (2, "--gid-owner", Some(o.gid)),
                (8, "--suppl-groups", None),
            ];
            for (bit, name, ids) in items {
                if o.matched & bit != 0 {
                    a.not(o.invert & bit != 0).opt(name);
                    if let Some((lo, hi)) = ids {
                        a.opt(&if lo == hi {
                            lo.to_string()
                        } else {
                            format!("{lo}-{hi}")
                        });
                    }
                }
            }
        }
        XtMatch::Physdev(p) => {
            let items = [
                (8, "--physdev-is-in", None),
                (1, "--physdev-in", Some(p.physindev)),
                (0x10, "--physdev-is-out", None),
                (2, "--physdev-out", Some(p.physoutdev)),
                (4, "--physdev-is-bridged", None),
            ];
            for (bit, name, dev) in items {
                if p.bitmask & bit != 0 {
                    a.not(p.invert & bit != 0).opt(name);
                    if let Some(d) = dev {
                        a.opt(d);
                    }
                }
            }
        }
        XtMatch::Srh(h) => srh(&mut a, h),
        XtMatch::Opts(o) => {
            // `hbh` and `dst` print the same options under their own prefix.
            let pfx = if name == "dst" { "dst" } else { "hbh" };
            if o.flags & 1 != 0 {
                a.not(o.invflags & 1 != 0)
                    .opt(&format!("--{pfx}-len {}", o.hdrlen));
            }
            if o.flags & 2 != 0 {
                a.opt(&format!("--{pfx}-opts"));
            }
            let list: Vec<String> = o
                .opts
                .iter()
                .take(usize::from(o.optsnr))
                .map(|v| match v & 0xff {
                    0xff => (v >> 8).to_string(),
                    len => format!("{}:{len}", v >> 8),
                })
                .collect();
            if !list.is_empty() {
                a.opt(&list.join(","));
            }
            if o.flags & 4 != 0 {
                a.opt(&format!("--{pfx}-not-strict"));
            }
        }
        XtMatch::Mh { types, invflags } => {
            if *types != (0, 0xff) {
                a.not(invflags & 1 != 0)
                    .opt("--mh-type")
                    .opt(&range(types.0.into(), types.1.into()));
            }
        }
        XtMatch::Ipv6header {
            matchflags,
            invflags,
            modeflag,
        } => {
            // libip6t_ipv6header's order, named as /etc/protocols names them
            // (hop-by-hop options, 0, from its own table).
            let names = [
                (0x80, "hop-by-hop"),
                (0x20, "ipv6-route"),
                (0x10, "ipv6-frag"),
                (0x40, "ipv6-opts"),
                (8, "ah"),
                (4, "esp"),
                (2, "ipv6-nonxt"),
                (1, "protocol"),
            ];
            let list: Vec<&str> = names
                .iter()
                .filter(|(bit, _)| matchflags & bit != 0)
                .map(|(_, n)| *n)
                .collect();
            a.not(*invflags != 0)
                .opt("--header")
                .opt(&if list.is_empty() {
                    "NONE".to_owned()
                } else {
                    list.join(",")
                });
            if *modeflag != 0 {
                a.opt("--soft");
            }
        }
        XtMatch::Ipcomp {
            spis,
            invflags,
            hdrres,
        } => {
            a.id_range("--ipcompspi", *spis, invflags & 1 != 0);
            if *hdrres != 0 {
                a.opt("--compres");
            }
        }
        XtMatch::Time(t) => time(&mut a, t),
        XtMatch::Policy(p) => policy(&mut a, p),
        XtMatch::Realm { id, mask, invert } => {
            // Realm names come from the host's rt_realms: numbers here.
            a.not(*invert != 0)
                .opt("--realm")
                .opt(&if *mask == u32::MAX {
                    format!("{id:#x}")
                } else {
                    format!("{id:#x}/{mask:#x}")
                });
        }
        XtMatch::Helper { invert, name } => {
            let mut n = String::new();
            let _ = nflens_xtables::value::write_string(
                &mut n,
                name,
                nflens_xtables::value::Quote::IfNeeded,
            );
            a.not(*invert != 0).opt("--helper").opt(&n);
        }
        XtMatch::Cluster {
            total_nodes,
            node_mask,
            hash_seed,
            flags,
        } => {
            a.not(flags & 1 != 0).opt(&format!(
                "--cluster-local-nodemask {node_mask:#010x} --cluster-total-nodes {total_nodes} --cluster-hash-seed {hash_seed:#010x}"
            ));
        }
        XtMatch::Empty => {}
        XtMatch::U32(x) => {
            let mut u = String::from("\"");
            for i in 0..usize::from(x.ntests) {
                let t = x.test(i);
                if i > 0 {
                    u.push_str("&&");
                }
                for (j, (number, op)) in t.location.iter().take(usize::from(t.nnums)).enumerate() {
                    if j > 0 {
                        u.push_str(match op {
                            0 => "&",
                            1 => "<<",
                            2 => ">>",
                            3 => "@",
                            _ => "",
                        });
                    }
                    let _ = write!(u, "{number:#x}");
                }
                u.push('=');
                for (j, (lo, hi)) in t.value.iter().take(usize::from(t.nvalues)).enumerate() {
                    if j > 0 {
                        u.push(',');
                    }
                    let _ = write!(u, "{lo:#x}");
                    if lo != hi {
                        let _ = write!(u, ":{hi:#x}");
                    }
                }
            }
            u.push('"');
            a.not(x.invert != 0).opt("--u32").opt(&u);
        }
        XtMatch::Bpf {
            mode,
            program,
            path,
        } => match mode {
            0 => {
                let mut b = format!("\"{}", program.len() / 8);
                for ins in program.chunks_exact(8) {
                    let (code, jt, jf) = (u16::from_ne_bytes([ins[0], ins[1]]), ins[2], ins[3]);
                    let k = u32::from_ne_bytes([ins[4], ins[5], ins[6], ins[7]]);
                    let _ = write!(b, ",{code} {jt} {jf} {k}");
                }
                b.push('"');
                a.opt("--bytecode").opt(&b);
            }
            3 => {
                a.opt("--object-pinned").opt(path);
            }
            _ => return None,
        },
        XtMatch::Osf {
            genre,
            flags,
            loglevel,
            ttl,
        } => {
            a.not(flags & 8 != 0).opt("--genre").opt(genre);
            if flags & 2 != 0 {
                a.opt(&format!("--ttl {ttl}"));
            }
            if flags & 4 != 0 {
                a.opt(&format!("--log {loglevel}"));
            }
        }
        _ => return None,
    }
    Some(a.done())
}

/// libip6t_srh's save.
fn srh(a: &mut Args, h: &xt::Srh) {
    let nums = [
        (1, "--srh-next-hdr", h.next_hdr),
        (2, "--srh-hdr-len-eq", h.hdr_len),
        (4, "--srh-hdr-len-gt", h.hdr_len),
        (8, "--srh-hdr-len-lt", h.hdr_len),
        (0x10, "--srh-segs-left-eq", h.segs_left),
        (0x20, "--srh-segs-left-gt", h.segs_left),
        (0x40, "--srh-segs-left-lt", h.segs_left),
        (0x80, "--srh-last-entry-eq", h.last_entry),
        (0x100, "--srh-last-entry-gt", h.last_entry),
        (0x200, "--srh-last-entry-lt", h.last_entry),
    ];
    for (bit, name, v) in nums {
        if h.flags & bit != 0 {
            a.not(h.invflags & bit != 0).opt(name).opt(&v.to_string());
        }
    }
    if h.flags & 0x400 != 0 {
        a.not(h.invflags & 0x400 != 0)
            .opt("--srh-tag")
            .opt(&h.tag.to_string());
    }
    for (bit, name, (addr, mask)) in [
        (0x800, "--srh-psid", h.psid),
        (0x1000, "--srh-nsid", h.nsid),
        (0x2000, "--srh-lsid", h.lsid),
    ] {
        if h.flags & bit != 0 {
            let len = u128::from(mask).leading_ones();
            a.not(h.invflags & bit != 0)
                .opt(name)
                .opt(&format!("{addr}/{len}"));
        }
    }
}

/// A day count since 1970-01-01 as (year, month, day) (proleptic Gregorian).
pub(crate) fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// libxt_time's save.
fn time(a: &mut Args, t: &xt::Time) {
    let hms = |s: u32| format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if t.daytime != (0, 24 * 60 * 60 - 1) {
        a.opt("--timestart").opt(&hms(t.daytime.0));
        a.opt("--timestop").opt(&hms(t.daytime.1));
    }
    if t.monthdays != 0xffff_fffe {
        let days: Vec<String> = (1..=31)
            .filter(|d| t.monthdays & (1 << d) != 0)
            .map(|d: u32| d.to_string())
            .collect();
        a.opt("--monthdays").opt(&days.join(","));
    }
    if t.weekdays != 0xfe {
        const DAYS: [&str; 8] = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days: Vec<&str> = (1..8)
            .filter(|d| t.weekdays & (1 << d) != 0)
            .filter_map(|d| DAYS.get(d).copied())
            .collect();
        a.opt("--weekdays").opt(&days.join(","));
    }
    // 0 is no bound; iptables' own default stop, INT_MAX, is printed (it
    // compares against LONG_MAX).
    for (name, date) in [("--datestart", t.date.0), ("--datestop", t.date.1)] {
        if date != 0 {
            let secs = i64::from(date);
            let (y, m, d) = civil(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400) as u32;
            a.opt(name).opt(&format!("{y:04}-{m:02}-{d:02}T{}", hms(s)));
        }
    }
    if t.flags & 1 != 0 {
        a.opt("--kerneltz");
    }
    if t.flags & 2 != 0 {
        a.opt("--contiguous");
    }
}

/// libxt_policy's save.
fn policy(a: &mut Args, p: &xt::Policy<'_>) {
    a.opt(if p.flags & 1 != 0 {
        "--dir in"
    } else {
        "--dir out"
    });
    a.opt(if p.flags & 4 != 0 {
        "--pol none"
    } else {
        "--pol ipsec"
    });
    if p.flags & 8 != 0 {
        a.opt("--strict");
    }
    let net = |(addr, mask): (std::net::IpAddr, std::net::IpAddr)| match prefix_len(mask) {
        Some(bits) => format!("{addr}/{bits}"),
        None => format!("{addr}/{mask}"),
    };
    for i in 0..usize::from(p.len) {
        let e = p.elem(i);
        if i > 0 {
            a.opt("--next");
        }
        let on = |bit: u8| e.matched & bit != 0;
        let inv = |bit: u8| e.invert & bit != 0;
        if on(0x20) {
            a.not(inv(0x20)).opt(&format!("--reqid {}", e.reqid));
        }
        if on(0x10) {
            a.not(inv(0x10)).opt(&format!("--spi {:#x}", e.spi));
        }
        if on(4) {
            let proto = nflens_xtables::names::proto_name(e.proto)
                .map_or_else(|| e.proto.to_string(), str::to_owned);
            a.not(inv(4)).opt("--proto").opt(&proto);
        }
        if on(8) {
            a.not(inv(8)).opt(if e.mode == 1 {
                "--mode tunnel"
            } else {
                "--mode transport"
            });
        }
        if on(2) {
            a.not(inv(2)).opt("--tunnel-dst").opt(&net(e.daddr));
        }
        if on(1) {
            a.not(inv(1)).opt("--tunnel-src").opt(&net(e.saddr));
        }
    }
}

/// `--ctevents a,b` / `--expevents new`.
fn ct_events(a: &mut Args, opt: &str, names: &[&str], mask: u32) {
    let list: Vec<&str> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    a.opt(opt).opt(&list.join(","));
}

/// libxt_CT's save (rev 1, 2; rev 0 has no timeout).
fn ct(c: &xt::Ct<'_>) -> String {
    let mut a = Args::default();
    if c.flags & 1 != 0 {
        a.opt("--notrack");
    }
    if !c.helper.is_empty() {
        a.opt("--helper").opt(c.helper);
    }
    if !c.timeout.is_empty() {
        a.opt("--timeout").opt(c.timeout);
    }
    if c.ct_events != 0 {
        ct_events(
            &mut a,
            "--ctevents",
            nflens_xtables::spec::CT_EVENTS,
            c.ct_events,
        );
    }
    if c.exp_events != 0 {
        ct_events(&mut a, "--expevents", &["new"], c.exp_events);
    }
    // XT_CT_ZONE_DIR_ORIG 4, _REPL 8, XT_CT_ZONE_MARK 16.
    if c.flags & 16 != 0 || c.zone != 0 {
        let dir = match c.flags & 12 {
            4 => "-orig",
            8 => "-reply",
            _ => "",
        };
        if c.flags & 16 != 0 {
            a.opt(&format!("--zone{dir} mark"));
        } else {
            a.opt(&format!("--zone{dir} {}", c.zone));
        }
    }
    a.done()
}

/// The prefix length of a contiguous mask, or `None`.
fn prefix_len(mask: std::net::IpAddr) -> Option<u32> {
    let (bits, ones) = match mask {
        std::net::IpAddr::V4(m) => {
            let v = u32::from(m);
            (v.leading_ones(), v.count_ones())
        }
        std::net::IpAddr::V6(m) => {
            let v = u128::from(m);
            (v.leading_ones(), v.count_ones())
        }
    };
    (bits == ones).then_some(bits)
}

/// libxt_HMARK's save (`--hmark-src-prefix` is the mask's prefix length).
fn hmark(t: &XtTarget<'_>) -> Option<String> {
    let XtTarget::Hmark {
        src_mask,
        dst_mask,
        port_mask,
        port_set,
        flags,
        proto_mask,
        hashrnd,
        modulus,
        offset,
    } = t
    else {
        return None;
    };
    let has = |bit: u32| flags & (1 << bit) != 0;
    let mut a = Args::default();
    if has(0) {
        a.opt(&format!("--hmark-src-prefix {}", prefix_len(*src_mask)?));
    }
    if has(1) {
        a.opt(&format!("--hmark-dst-prefix {}", prefix_len(*dst_mask)?));
    }
    // The ports are the two network-order halves of the word.
    let (mask_src, mask_dst) = (port_mask >> 16, port_mask & 0xffff);
    let (set_src, set_dst) = (port_set >> 16, port_set & 0xffff);
    let pieces = [
        (6, format!("--hmark-sport-mask {mask_src:#06x}")),
        (7, format!("--hmark-dport-mask {mask_dst:#06x}")),
        (3, format!("--hmark-spi-mask {port_mask:#010x}")),
        (4, format!("--hmark-sport {set_src:#06x}")),
        (5, format!("--hmark-dport {set_dst:#06x}")),
        (2, format!("--hmark-spi {port_set:#010x}")),
        (8, format!("--hmark-proto-mask {proto_mask:#04x}")),
        (9, format!("--hmark-rnd {hashrnd:#010x}")),
        (10, format!("--hmark-mod {modulus}")),
        (11, format!("--hmark-offset {offset}")),
        (12, "--hmark-tuple ct".to_owned()),
    ];
    for (bit, text) in &pieces {
        if has(*bit) {
            a.opt(text);
        }
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
        XtTarget::Ct(c) => ct(c),
        XtTarget::Synproxy {
            options,
            wscale,
            mss,
        } => {
            let mut a = Args::default();
            a.flags((*options).into(), &[(4, "--sack-perm"), (8, "--timestamp")]);
            if options & 2 != 0 {
                a.opt(&format!("--wscale {wscale}"));
            }
            if options & 1 != 0 {
                a.opt(&format!("--mss {mss}"));
            }
            a.flags((*options).into(), &[(0x10, "--ecn")]);
            a.done()
        }
        XtTarget::Npt {
            src_pfx,
            dst_pfx,
            src_len,
            dst_len,
        } => {
            let mut a = Args::default();
            if *src_len != 0 {
                a.opt(&format!("--src-pfx {src_pfx}/{src_len}"));
            }
            if *dst_len != 0 {
                a.opt(&format!("--dst-pfx {dst_pfx}/{dst_len}"));
            }
            a.done()
        }
        XtTarget::Tproxy {
            mark_mask,
            mark_value,
            laddr,
            lport,
        } => format!(
            "--on-port {lport} --on-ip {laddr} --tproxy-mark {mark_value:#x}/{mark_mask:#x}"
        ),
        XtTarget::Hmark { .. } => hmark(t)?,
        XtTarget::Tcpoptstrip { strip_bmap } => {
            let list: Vec<String> = (0..256u32)
                .filter(|i| {
                    strip_bmap
                        .get((i / 32) as usize)
                        .is_some_and(|w| w & (1 << (i % 32)) != 0)
                })
                .map(|i| i.to_string())
                .collect();
            if list.is_empty() {
                String::new()
            } else {
                format!("--strip-options {}", list.join(","))
            }
        }
        XtTarget::Idletimer {
            timeout,
            label,
            timer_type,
        } => {
            let mut s = format!("--timeout {timeout} --label {label}");
            if *timer_type == 1 {
                s.push_str(" --alarm");
            }
            s
        }
        XtTarget::Nat(r) if name == "NETMAP" => {
            let (std::net::IpAddr::V4(lo), std::net::IpAddr::V4(hi)) = (r.min_addr, r.max_addr)
            else {
                return None;
            };
            let mask = !(u32::from(lo) ^ u32::from(hi));
            match prefix_len(std::net::IpAddr::V4(mask.into())) {
                Some(bits) => format!("--to {lo}/{bits}"),
                None => format!("--to {lo}/{}", std::net::Ipv4Addr::from(mask)),
            }
        }
        _ => return None,
    })
}

/// libxt_recent's save text.
fn recent_args(r: &xt::Recent<'_>) -> String {
    let mut a = Args::default();
    a.not(r.invert != 0).flags(
        r.check_set.into(),
        &[
            (2, "--set"),
            (1, "--rcheck"),
            (4, "--update"),
            (8, "--remove"),
        ],
    );
    if r.seconds != 0 {
        a.opt(&format!("--seconds {}", r.seconds));
    }
    a.flags(r.check_set.into(), &[(32, "--reap")]);
    if r.hit_count != 0 {
        a.opt(&format!("--hitcount {}", r.hit_count));
    }
    a.flags(r.check_set.into(), &[(16, "--rttl")]);
    a.opt(&format!("--name {}", r.name));
    if let Some(mask) = r.mask {
        a.opt(&format!("--mask {mask}"));
    }
    match r.side {
        0 => a.opt("--rsource"),
        1 => a.opt("--rdest"),
        _ => &mut a,
    };
    a.done()
}

/// libxt_hashlimit's save text (revisions 1 to 3).
fn hashlimit_args(h: &xt::Hashlimit<'_>, nfproto: u8) -> String {
    const GCINTERVAL: u32 = 1000;
    let (scale, dmask) = (
        if h.rev == 1 { 10_000u64 } else { 1_000_000 },
        // The default prefix of the table's family.
        if nfproto == NFPROTO_IPV6 { 128 } else { 32 },
    );
    let mut a = String::from(if h.mode & 0x10 != 0 {
        "--hashlimit-above"
    } else {
        "--hashlimit-upto"
    });
    let quantum: u64 = if h.mode & 0x20 != 0 {
        hashlimit_bytes(&mut a, h.avg, h.burst)
    } else {
        let q = hashlimit_rate(&mut a, h.avg, scale);
        let _ = write!(a, " --hashlimit-burst {}", h.burst);
        q
    };
    if h.mode & 0x0f != 0 {
        a.push_str(" --hashlimit-mode ");
        let modes: Vec<&str> = [(4, "srcip"), (8, "srcport"), (1, "dstip"), (2, "dstport")]
            .into_iter()
            .filter(|(bit, _)| h.mode & bit != 0)
            .map(|(_, n)| n)
            .collect();
        a.push_str(&modes.join(","));
    }
    let _ = write!(a, " --hashlimit-name {}", h.name);
    if h.size != 0 {
        let _ = write!(a, " --hashlimit-htable-size {}", h.size);
    }
    if h.max != 0 {
        let _ = write!(a, " --hashlimit-htable-max {}", h.max);
    }
    if h.gc_interval != GCINTERVAL {
        let _ = write!(a, " --hashlimit-htable-gcinterval {}", h.gc_interval);
    }
    if u64::from(h.expire) != quantum {
        let _ = write!(a, " --hashlimit-htable-expire {}", h.expire);
    }
    if h.srcmask != dmask {
        let _ = write!(a, " --hashlimit-srcmask {}", h.srcmask);
    }
    if h.dstmask != dmask {
        let _ = write!(a, " --hashlimit-dstmask {}", h.dstmask);
    }
    if h.rev == 3 && h.mode & 0x40 != 0 {
        a.push_str(" --hashlimit-rate-match");
        if h.interval != 1 {
            let _ = write!(a, " --hashlimit-rate-interval {}", h.interval);
        }
    }
    a
}

/// libxt_hashlimit's `print_rate`: the coarsest unit that keeps the rate
/// whole; returns that unit in milliseconds (the default expiry).
fn hashlimit_rate(a: &mut String, period: u64, scale: u64) -> u64 {
    if period == 0 {
        a.push_str(" inf");
        return 0;
    }
    let rates = [
        ("day", scale * 86_400),
        ("hour", scale * 3_600),
        ("min", scale * 60),
        ("sec", scale),
    ];
    let mut i = 1;
    while let Some(&(_, mult)) = rates.get(i) {
        if period > mult || mult / period < mult % period {
            break;
        }
        i += 1;
    }
    let (unit, mult) = rates.get(i - 1).copied().unwrap_or(("sec", scale));
    let _ = write!(a, " {}/{unit}", mult / period);
    mult / scale * 1000
}

/// libxt_hashlimit's `print_bytes` (`--hashlimit-above 1kb/s`).
fn hashlimit_bytes(a: &mut String, avg: u64, burst: u64) -> u64 {
    const SHIFT: u32 = 4;
    let cost_to_bytes = |cost: u64| -> u64 {
        let r = u64::from(u32::MAX)
            .checked_div(cost)
            .unwrap_or(u64::from(u32::MAX));
        (r.saturating_sub(1) << SHIFT) & u64::from(u32::MAX)
    };
    let bytes_to_cost = |bytes: u64| -> u64 { u64::from(u32::MAX) / ((bytes >> SHIFT) + 1) };
    let units = [("m", 1024 * 1024u64), ("k", 1024), ("", 1)];
    let r = cost_to_bytes(avg);
    let mut i = 0;
    while i + 1 < units.len() {
        let t = units.get(i).map_or(1, |u| u.1);
        if r >= t && bytes_to_cost(r & !(t - 1)) == avg {
            break;
        }
        i += 1;
    }
    let (name, t) = units.get(i).copied().unwrap_or(("", 1));
    let _ = write!(a, " {}{name}b/s", r / t);
    if burst == 0 {
        return 15 * 1000;
    }
    // u64 arithmetic wraps in libxt_hashlimit too.
    let rb = r.wrapping_mul(burst);
    let mut i = 0;
    while i + 1 < units.len() {
        if rb >= units.get(i).map_or(1, |u| u.1) {
            break;
        }
        i += 1;
    }
    let (name, t) = units.get(i).copied().unwrap_or(("", 1));
    let _ = write!(a, " --hashlimit-burst {}{name}b", rb / t);
    60 * 1000
}
