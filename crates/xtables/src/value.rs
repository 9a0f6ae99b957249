//! Typed option values: what they parse from, and how iptables-save prints them.
//!
//! Each value type has a nom parser (`parse_*`, taking the whole word) and a
//! `Display` that prints the canonical form iptables-save uses, so that
//! `-s 10.1.2.3/255.0.0.0` prints as `-s 10.0.0.0/8` and `--sport 1024:` as
//! `--sport 1024:65535`.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, digit1, hex_digit1};
use nom::combinator::{all_consuming, map_res, opt};
use nom::sequence::{preceded, tuple};
use nom::IResult;

/// Printing into any [`fmt::Write`] without going through `core::fmt`'s
/// argument machinery on the hot path: [`String`] output inlines to
/// `push_str`, and `Display` impls call the same code with a `Formatter`.
pub trait Print {
    /// Writes the canonical text.
    fn print<W: fmt::Write + ?Sized>(&self, w: &mut W) -> fmt::Result;
}

/// Implements `Display` through [`Print`].
macro_rules! display_via_print {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                $crate::value::Print::print(self, f)
            }
        }
    )*};
}
pub(crate) use display_via_print;

/// "000" to "999", for printing numbers three digits at a time without
/// `core::fmt` (and without checking a digit buffer is UTF-8 each time).
// Built at compile time: an index out of range fails the build, not a run.
#[allow(clippy::indexing_slicing)]
const DIGITS3: &str = {
    const BYTES: [u8; 3000] = {
        let mut b = [0u8; 3000];
        let mut i = 0;
        while i < 1000 {
            b[3 * i] = b'0' + (i / 100) as u8;
            b[3 * i + 1] = b'0' + (i / 10 % 10) as u8;
            b[3 * i + 2] = b'0' + (i % 10) as u8;
            i += 1;
        }
        b
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("digits are ASCII"),
    }
};

/// `n` (below 1000) in decimal, without leading zeros.
fn digits3(n: u64) -> &'static str {
    let i = (n % 1000) as usize * 3;
    let skip = match n {
        0..=9 => 2,
        10..=99 => 1,
        _ => 0,
    };
    DIGITS3.get(i + skip..i + 3).unwrap_or("0")
}

/// `n` (below 1000) as exactly three digits.
fn digits3_padded(n: u64) -> &'static str {
    let i = (n % 1000) as usize * 3;
    DIGITS3.get(i..i + 3).unwrap_or("000")
}

/// Writes `n` in decimal.
pub fn put_u64<W: fmt::Write + ?Sized>(w: &mut W, n: u64) -> fmt::Result {
    if n < 1000 {
        return w.write_str(digits3(n));
    }
    put_u64(w, n / 1000)?;
    w.write_str(digits3_padded(n % 1000))
}

/// Writes `0x` and `n` in lower-case hex, at least `width` digits.
pub fn put_hex<W: fmt::Write + ?Sized>(w: &mut W, n: u64, width: usize) -> fmt::Result {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [b'0'; 16];
    let mut i = buf.len();
    let mut m = n;
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = DIGITS.get((m & 0xf) as usize).copied().unwrap_or(b'0');
        }
        m >>= 4;
        if m == 0 || i == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width.min(16)));
    w.write_str("0x")?;
    w.write_str(std::str::from_utf8(buf.get(start..).unwrap_or(&[])).unwrap_or(""))
}

/// Writes an address as `Display` does; IPv4 without `core::fmt`.
pub fn put_ip<W: fmt::Write + ?Sized>(w: &mut W, a: &IpAddr) -> fmt::Result {
    match a {
        IpAddr::V4(v4) => {
            // Four table lookups into one buffer, written once.
            let mut buf = [0u8; 15];
            let mut len = 0;
            for (i, o) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    if let Some(c) = buf.get_mut(len) {
                        *c = b'.';
                    }
                    len += 1;
                }
                // Byte by byte: at most three, where a copy would call memcpy.
                for &d in digits3(u64::from(o)).as_bytes() {
                    if let Some(c) = buf.get_mut(len) {
                        *c = d;
                    }
                    len += 1;
                }
            }
            w.write_str(std::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or(""))
        }
        IpAddr::V6(v6) => put_ipv6(w, v6),
    }
}

/// Writes an IPv6 address as glibc's `inet_ntop` does (what iptables and
/// nft print): like Rust's `Display` (RFC 5952: the first longest run of
/// two or more zero groups as `::`, lower-case hex), except that an
/// IPv4-compatible address (`::a.b.c.d`: the first six groups zero, the
/// seventh not) also ends in dotted IPv4, as an IPv4-mapped one does.
pub fn put_ipv6<W: fmt::Write + ?Sized>(w: &mut W, a: &Ipv6Addr) -> fmt::Result {
    let g = a.segments();
    if g[..6] == [0; 6] && g[6] != 0 {
        let [_, _, _, _, _, _, _, _, _, _, _, _, b0, b1, b2, b3] = a.octets();
        return write!(w, "::{b0}.{b1}.{b2}.{b3}");
    }
    write!(w, "{a}")
}

/// An address that displays as [`put_ip`] writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ntop(pub IpAddr);

impl fmt::Display for Ntop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        put_ip(f, &self.0)
    }
}

/// Runs `p` over the whole of `s`; `None` when it fails or leaves input.
fn whole<'a, O>(s: &'a str, p: impl FnMut(&'a str) -> IResult<&'a str, O>) -> Option<O> {
    all_consuming(p)(s).ok().map(|(_, o)| o)
}

fn dec_u64(s: &str) -> IResult<&str, u64> {
    map_res(digit1, str::parse::<u64>)(s)
}

fn hex_u64(s: &str) -> IResult<&str, u64> {
    map_res(
        preceded(alt((tag("0x"), tag("0X"))), hex_digit1),
        |h: &str| u64::from_str_radix(h, 16),
    )(s)
}

/// A number the way `strtoul(s, NULL, 0)` reads it: `0x` hex or decimal.
pub fn num(s: &str) -> IResult<&str, u64> {
    alt((hex_u64, dec_u64))(s)
}

/// A whole word as an unsigned number no greater than `max`.
pub fn parse_uint(s: &str, max: u64) -> Option<u64> {
    // Up to 19 decimal digits cannot overflow: the common case, in a loop.
    if !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n = s.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
        return (n <= max).then_some(n);
    }
    whole(s, num).filter(|&n| n <= max)
}

/// Parses an IP address as `str::parse::<IpAddr>` does (the same strings
/// accepted and refused), dotted IPv4 in one pass over the bytes.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    match parse_ipv4(s.as_bytes()) {
        Some(a) => Some(IpAddr::V4(a)),
        None => s.parse().ok(),
    }
}

/// Dotted-quad IPv4 as `Ipv4Addr::from_str` reads it: four decimal octets
/// of one to three digits, no leading zero, each at most 255.
fn parse_ipv4(s: &[u8]) -> Option<std::net::Ipv4Addr> {
    let mut octets = [0u8; 4];
    let (mut k, mut v, mut digits) = (0usize, 0u32, 0u32);
    for &c in s {
        if c == b'.' {
            if digits == 0 {
                return None;
            }
            *octets.get_mut(k)? = u8::try_from(v).ok()?;
            (k, v, digits) = (k + 1, 0, 0);
        } else if c.is_ascii_digit() {
            if digits == 1 && v == 0 {
                return None;
            }
            digits += 1;
            v = v * 10 + u32::from(c - b'0');
            if digits > 3 || v > 255 {
                return None;
            }
        } else {
            return None;
        }
    }
    if k != 3 || digits == 0 {
        return None;
    }
    *octets.get_mut(3)? = u8::try_from(v).ok()?;
    Some(std::net::Ipv4Addr::from(octets))
}

/// An inclusive range of numbers, printed `lo` or `lo{sep}hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    /// Low end.
    pub lo: u32,
    /// High end (>= lo).
    pub hi: u32,
    /// The separator iptables prints (`:` for ports and lengths, `-` for uids).
    pub sep: char,
}

impl Range {
    /// Parses `a`, `a:b`, `a:` (up to `max`) and `:b` (from 0); `-` may stand
    /// for `:` as iptables allows. `sep` is only what Display prints.
    /// `name` resolves a non-numeric end (service names for ports).
    pub fn parse(s: &str, sep: char, max: u32, name: fn(&str) -> Option<u32>) -> Option<Range> {
        let end = |t: &str| -> Option<u32> {
            match parse_uint(t, u64::from(max)) {
                Some(n) => u32::try_from(n).ok(),
                None => name(t),
            }
        };
        // A whole word that is a number or name (`ftp-data`) is one value;
        // otherwise iptables accepts `:` and `-` alike between the ends.
        let (lo, hi) = if let Some(n) = end(s) {
            (n, n)
        } else {
            let (a, b) = s.split_once([':', '-'])?;
            let lo = if a.is_empty() { 0 } else { end(a)? };
            let hi = if b.is_empty() { max } else { end(b)? };
            (lo, hi)
        };
        if lo > hi {
            return None;
        }
        Some(Range { lo, hi, sep })
    }
}

impl Print for Range {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        put_u64(f, u64::from(self.lo))?;
        if self.lo != self.hi {
            f.write_char(self.sep)?;
            put_u64(f, u64::from(self.hi))?;
        }
        Ok(())
    }
}
display_via_print!(Range);

/// Well-known service names (the ones real rulesets use), as in /etc/services.
/// iptables resolves names with getservbyname(); we do not read /etc/services
/// so that a parse means the same on every host.
pub fn service_port(name: &str) -> Option<u32> {
    Some(match name {
        "ftp-data" => 20,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        "tftp" => 69,
        "http" | "www" => 80,
        "pop3" => 110,
        "sunrpc" => 111,
        "ntp" => 123,
        "netbios-ns" => 137,
        "netbios-dgm" => 138,
        "netbios-ssn" => 139,
        "imap2" | "imap" => 143,
        "snmp" => 161,
        "ldap" => 389,
        "https" => 443,
        "microsoft-ds" => 445,
        "isakmp" => 500,
        "syslog" => 514,
        "submission" => 587,
        "ipp" => 631,
        "imaps" => 993,
        "pop3s" => 995,
        "openvpn" => 1194,
        "mysql" => 3306,
        "ipsec-nat-t" => 4500,
        "postgresql" => 5432,
        _ => return None,
    })
}

/// No names: a numeric field only.
pub fn no_names(_: &str) -> Option<u32> {
    None
}

/// An address with a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Net {
    /// The address, already masked.
    pub addr: IpAddr,
    /// The mask, of the same family.
    pub mask: IpAddr,
}

impl Net {
    /// The prefix length if the mask is contiguous.
    pub fn prefix_len(&self) -> Option<u8> {
        let (bits, width) = match self.mask {
            IpAddr::V4(m) => (u128::from(u32::from(m)) << 96, 32u32),
            IpAddr::V6(m) => (u128::from(m), 128),
        };
        let ones = bits.leading_ones();
        if bits.checked_shl(ones).unwrap_or(0) != 0 {
            return None;
        }
        u8::try_from(ones.min(width)).ok()
    }

    /// Whether the mask covers the whole address.
    pub fn is_host(&self) -> bool {
        matches!(self.prefix_len(), Some(32) if self.addr.is_ipv4())
            || matches!(self.prefix_len(), Some(128) if self.addr.is_ipv6())
    }

    /// Parses `ADDR`, `ADDR/LEN` or `ADDR/MASK`. Host names are not resolved.
    pub fn parse(s: &str) -> Option<Net> {
        let (a, m) = match s.split_once('/') {
            Some((a, m)) => (a, Some(m)),
            None => (s, None),
        };
        let addr = parse_ip(a)?;
        let width: u32 = if addr.is_ipv4() { 32 } else { 128 };
        let mask = match m {
            None => prefix_mask(addr.is_ipv4(), width)?,
            Some(m) => match parse_uint(m, u64::from(width)) {
                Some(len) if !m.starts_with("0x") => prefix_mask(addr.is_ipv4(), len as u32)?,
                _ => {
                    let mask = parse_ip(m)?;
                    if mask.is_ipv4() != addr.is_ipv4() {
                        return None;
                    }
                    mask
                }
            },
        };
        Some(Net {
            addr: and(addr, mask),
            mask,
        })
    }
}

/// The mask of `len` leading ones.
pub fn prefix_mask(v4: bool, len: u32) -> Option<IpAddr> {
    if v4 {
        let m = if len == 0 {
            0
        } else {
            u32::MAX.checked_shl(32u32.checked_sub(len)?)?
        };
        Some(IpAddr::V4(Ipv4Addr::from(m)))
    } else {
        let m = if len == 0 {
            0
        } else {
            u128::MAX.checked_shl(128u32.checked_sub(len)?)?
        };
        Some(IpAddr::V6(Ipv6Addr::from(m)))
    }
}

fn and(a: IpAddr, m: IpAddr) -> IpAddr {
    match (a, m) {
        (IpAddr::V4(a), IpAddr::V4(m)) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & u32::from(m))),
        (IpAddr::V6(a), IpAddr::V6(m)) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & u128::from(m))),
        (a, _) => a,
    }
}

impl Print for Net {
    /// `ADDR/LEN`, or `ADDR/MASK` for a non-contiguous mask: what `-s` prints.
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        put_ip(f, &self.addr)?;
        f.write_char('/')?;
        match self.prefix_len() {
            Some(len) => put_u64(f, u64::from(len)),
            None => put_ip(f, &self.mask),
        }
    }
}
display_via_print!(Net);

/// A value with an optional mask: marks, TOS, realms, device groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Masked {
    /// The value.
    pub value: u32,
    /// The mask, when one was given.
    pub mask: Option<u32>,
}

impl Masked {
    /// Parses `V` or `V/M`, each a number.
    pub fn parse(s: &str) -> Option<Masked> {
        let r = whole(s, tuple((num, opt(preceded(char('/'), num)))))?;
        let value = u32::try_from(r.0).ok()?;
        let mask = match r.1 {
            Some(m) => Some(u32::try_from(m).ok()?),
            None => None,
        };
        Some(Masked { value, mask })
    }
}

/// An iptables rate: `N/unit` stored as its period in units of 1/`scale` s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    /// Time between packets, in 1/scale seconds (the kernel's `avg`).
    pub period: u64,
    /// Periods per second: 10,000 for limit, 1,000,000 for hashlimit rev 2+.
    pub scale: u64,
}

impl Rate {
    /// Parses `N`, `N/second|sec|s|minute|min|m|hour|h|day|d`.
    pub fn parse(s: &str, scale: u64) -> Option<Rate> {
        let (n, unit) = match s.split_once('/') {
            Some((n, u)) => (n, u),
            None => (s, "sec"),
        };
        let n = whole(n, dec_u64)?;
        let secs = match unit {
            "second" | "sec" | "s" => 1,
            "minute" | "min" | "m" => 60,
            "hour" | "h" => 3600,
            "day" | "d" => 86400,
            _ => return None,
        };
        if n == 0 {
            return None;
        }
        let period = scale.checked_mul(secs)? / n;
        if period == 0 {
            return None;
        }
        Some(Rate { period, scale })
    }
}

impl fmt::Display for Rate {
    /// The largest unit that still prints a whole count, as libxt_limit does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let units = [
            ("day", self.scale.saturating_mul(86400)),
            ("hour", self.scale.saturating_mul(3600)),
            ("min", self.scale.saturating_mul(60)),
            ("sec", self.scale),
        ];
        let p = self.period.max(1);
        // The first unit after which the next smaller one no longer fits.
        let mut best = units[0];
        for &(name, m) in &units[1..] {
            if p > m || m / p < m % p {
                break;
            }
            best = (name, m);
        }
        write!(f, "{}/{}", best.1 / p, best.0)
    }
}

/// `--probability`: stored as the kernel does, `p * 2^31` rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Probability(pub u32);

impl Probability {
    /// Parses a number from 0 to 1.
    pub fn parse(s: &str) -> Option<Probability> {
        let p: f64 = s.parse().ok()?;
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        let v = (p * 2147483648.0).round();
        Some(Probability(v.min(u32::MAX as f64) as u32))
    }

    /// The probability as a fraction.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 2147483648.0
    }
}

impl fmt::Display for Probability {
    /// As iptables prints it, `printf("%.11f", p)`: the exact value
    /// `v / 2^31` rounded to 11 decimals, ties to even, in integers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SCALE: u128 = 100_000_000_000;
        let x = u128::from(self.0) * SCALE;
        let (mut q, r) = (x >> 31, x & ((1 << 31) - 1));
        if r > 1 << 30 || (r == 1 << 30 && q & 1 == 1) {
            q += 1;
        }
        let (int, frac) = ((q / SCALE) as u64, (q % SCALE) as u64);
        put_u64(f, int)?;
        f.write_str(".")?;
        // 11 digits: two, then three groups of three.
        f.write_str(
            digits3_padded(frac / 1_000_000_000)
                .get(1..)
                .unwrap_or("00"),
        )?;
        let mut rest = frac % 1_000_000_000;
        for div in [1_000_000, 1_000, 1] {
            f.write_str(digits3_padded(rest / div))?;
            rest %= div;
        }
        Ok(())
    }
}

/// A NAT range: `ADDR[-ADDR][:PORT[-PORT][/BASE]]`, IPv6 in brackets when ports follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NatRange {
    /// First and last address, if any.
    pub addrs: Option<(IpAddr, IpAddr)>,
    /// First and last port, if any.
    pub ports: Option<(u16, u16)>,
    /// Base port for port shifting (DNAT revision 2), if any.
    pub base: Option<u16>,
}

impl NatRange {
    /// Parses a `--to-destination`/`--to-source` value.
    pub fn parse(s: &str) -> Option<NatRange> {
        let (addr_part, port_part) = if let Some(rest) = s.strip_prefix('[') {
            let (a, after) = rest.split_once(']')?;
            match after.strip_prefix(':') {
                Some(p) => (a, Some(p)),
                None if after.is_empty() => (a, None),
                None => return None,
            }
        } else {
            match s.split_once(':') {
                // A bare IPv6 address (or range) has more colons and no ports.
                Some((a, p)) if !p.contains(':') => (a, Some(p)),
                Some(_) => (s, None),
                None => (s, None),
            }
        };
        let addrs = if addr_part.is_empty() {
            None
        } else {
            let (a, b) = match addr_part.split_once('-') {
                Some((a, b)) => (
                    parse_ip(a.trim_matches(['[', ']']))?,
                    parse_ip(b.trim_matches(['[', ']']))?,
                ),
                None => {
                    let a = parse_ip(addr_part.trim_matches(['[', ']']))?;
                    (a, a)
                }
            };
            if a.is_ipv4() != b.is_ipv4() {
                return None;
            }
            Some((a, b))
        };
        let (ports, base) = match port_part {
            None => (None, None),
            Some(p) => {
                let (range, base) = match p.split_once('/') {
                    Some((r, b)) => (r, Some(u16::try_from(parse_uint(b, 65535)?).ok()?)),
                    None => (p, None),
                };
                let r = Range::parse(range, ':', 65535, no_names)?;
                (Some((r.lo as u16, r.hi as u16)), base)
            }
        };
        if addrs.is_none() && ports.is_none() {
            return None;
        }
        Some(NatRange { addrs, ports, base })
    }
}

impl Print for NatRange {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        let v6 = matches!(self.addrs, Some((IpAddr::V6(_), _)));
        let bracket = v6 && self.ports.is_some();
        if bracket {
            f.write_str("[")?;
        }
        if let Some((a, b)) = self.addrs {
            put_ip(f, &a)?;
            if a != b {
                f.write_char('-')?;
                put_ip(f, &b)?;
            }
        }
        if bracket {
            f.write_str("]")?;
        }
        if let Some((lo, hi)) = self.ports {
            f.write_char(':')?;
            put_u64(f, u64::from(lo))?;
            if lo != hi {
                f.write_char('-')?;
                put_u64(f, u64::from(hi))?;
            }
            if let Some(b) = self.base {
                f.write_char('/')?;
                put_u64(f, u64::from(b))?;
            }
        }
        Ok(())
    }
}
display_via_print!(NatRange);

/// Counters `[packets:bytes]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Counters {
    /// Packets.
    pub packets: u64,
    /// Bytes.
    pub bytes: u64,
}

impl Counters {
    /// Parses `[P:B]`.
    pub fn parse(s: &str) -> Option<Counters> {
        let (p, b) = whole(
            s,
            tuple((char('['), dec_u64, char(':'), dec_u64, char(']'))),
        )
        .map(|(_, p, _, b, _)| (p, b))?;
        Some(Counters {
            packets: p,
            bytes: b,
        })
    }
}

impl Print for Counters {
    fn print<W: fmt::Write + ?Sized>(&self, f: &mut W) -> fmt::Result {
        f.write_char('[')?;
        put_u64(f, self.packets)?;
        f.write_char(':')?;
        put_u64(f, self.bytes)?;
        f.write_char(']')
    }
}
display_via_print!(Counters);

/// A name that iptables accepts as a chain, table or interface: printable, no spaces.
pub fn is_word(s: &str) -> bool {
    !s.is_empty() && !s.contains(char::is_whitespace)
}

/// How a string option is quoted when printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    /// Quoted only when it has characters other than `[A-Za-z0-9_-]`
    /// (`xtables_save_string`).
    IfNeeded,
    /// Always in double quotes, with `"` and `\` escaped.
    Always,
    /// Never quoted (the option's value cannot hold spaces, like SELinux contexts).
    Never,
    /// Like `IfNeeded`, after an extra space: libxt_nfacct prints
    /// `--nfacct-name  NAME` with two spaces (its format string ends in a
    /// space and `xtables_save_string` adds another).
    IfNeededSpaced,
}

/// Prints `s` as iptables-save would, quoting per `q`.
pub fn write_string<W: fmt::Write + ?Sized>(f: &mut W, s: &str, q: Quote) -> fmt::Result {
    // Bytes, not chars: a non-ASCII character is never safe, and its bytes
    // are all >= 0x80, so they are not safe either.
    let safe = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let q = if q == Quote::IfNeededSpaced {
        f.write_char(' ')?;
        Quote::IfNeeded
    } else {
        q
    };
    if q == Quote::Never || (q == Quote::IfNeeded && !s.is_empty() && s.bytes().all(safe)) {
        return f.write_str(s);
    }
    f.write_char('"')?;
    // Write runs between the characters that need a backslash whole.
    let mut rest = s;
    // The three are ASCII, so `i` is a char boundary.
    while let Some(i) = memchr::memchr3(b'"', b'\\', b'\'', rest.as_bytes()) {
        let (run, tail) = rest.split_at(i);
        f.write_str(run)?;
        f.write_char('\\')?;
        let (c, tail) = tail.split_at(1);
        f.write_str(c)?;
        rest = tail;
    }
    f.write_str(rest)?;
    f.write_char('"')
}

/// A string value that borrows unless it had quotes or escapes.
pub type Text<'a> = Cow<'a, str>;

#[cfg(test)]
mod test {
    use super::*;

    /// The IPv4 fast path accepts and refuses what the general parser
    /// does, and `parse_uint` what `num` does.
    #[test]
    fn test_parse_ip_and_uint_match_the_general_parsers() {
        let mut cases: Vec<String> = [
            "",
            ".",
            "1.2.3",
            "1.2.3.4.",
            ".1.2.3.4",
            "1..2.3",
            "01.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3.0400",
            "1.2.3.4000",
            "00.1.1.1",
            "1.2.3.4",
            "10.96.0.10",
            "9999",
            "1.2.3.04",
            "::1",
            "::ffff:1.2.3.4",
            "1.2.3.4:80",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 16) as usize;
            let alphabet = b"0123456789..25";
            cases.push(
                (0..len)
                    .filter_map(|k| alphabet.get(((x >> (k * 4)) % 14) as usize))
                    .map(|&b| char::from(b))
                    .collect(),
            );
        }
        for c in &cases {
            assert_eq!(parse_ip(c), c.parse::<IpAddr>().ok(), "{c:?}");
            for max in [0, 255, 65535, u64::MAX] {
                assert_eq!(
                    parse_uint(c, max),
                    whole(c, num).filter(|&n| n <= max),
                    "{c:?}"
                );
            }
        }
        for n in [
            "18446744073709551615",
            "18446744073709551616",
            "0000000000000000000001",
            "0x10",
        ] {
            assert_eq!(parse_uint(n, u64::MAX), whole(n, num), "{n}");
        }
    }

    #[test]
    fn test_put_u64_and_ipv4_match_display() {
        let mut s = String::new();
        for n in (0..20_000u64).chain([999_999, 1_000_000, 1_000_001, u64::MAX, u64::MAX - 1]) {
            s.clear();
            put_u64(&mut s, n).unwrap();
            assert_eq!(s, n.to_string());
        }
        for a in [
            [0, 0, 0, 0],
            [255, 255, 255, 255],
            [10, 0, 9, 100],
            [1, 22, 133, 4],
        ] {
            s.clear();
            let ip = IpAddr::from(a);
            put_ip(&mut s, &ip).unwrap();
            assert_eq!(s, ip.to_string());
        }
    }

    /// printf's `%.11f`: exact, ties to even (the ties are `odd * 2^19`).
    #[test]
    fn test_probability_prints_as_printf() {
        let show = |v: u32| Probability(v).to_string();
        // From printf(1) and Python's '%.11f', which agree.
        assert_eq!(show(1 << 19), "0.00024414062");
        assert_eq!(show(3 << 19), "0.00073242188");
        assert_eq!(show(5 << 19), "0.00122070312");
        assert_eq!(show(0), "0.00000000000");
        assert_eq!(show(1 << 31), "1.00000000000");
        assert_eq!(show(715827883), "0.33333333349");
        // Away from ties, what the exact f64 formatter prints.
        for v in (0..=1u32 << 31).step_by(65_521) {
            if v % (1 << 19) != 0 {
                assert_eq!(
                    show(v),
                    format!("{:.11}", f64::from(v) / 2147483648.0),
                    "{v}"
                );
            }
        }
    }

    #[test]
    fn test_ipv6_as_inet_ntop() {
        // Expected: glibc inet_ntop (Python's socket.inet_ntop) on each input.
        for (input, ntop) in [
            ("::1234:1234", "::18.52.18.52"),
            ("::1", "::1"),
            ("::", "::"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::0:1:0:0", "::1:0:0"),
            ("1::", "1::"),
            ("::1:0:0:0", "::1:0:0:0"),
            ("::1234:0", "::18.52.0.0"),
            ("::102", "::102"),
            ("0:0:0:0:0:1:0:1", "::1:0:1"),
            ("fe80::1", "fe80::1"),
            ("2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329"),
            ("0:bd6a:0:0:0:f0c6:0:0", "0:bd6a::f0c6:0:0"),
            ("0:0:0:0:f20c:da97:0:0", "::f20c:da97:0:0"),
            ("0:0:8416:9a20:0:0:0:0", "0:0:8416:9a20::"),
            ("0:0:0:207d:0:0:0:0", "0:0:0:207d::"),
            ("dab2:0:1702:0:0:0:0:0", "dab2:0:1702::"),
            ("0:0:0:0:46d2:c0e5:0:8ae7", "::46d2:c0e5:0:8ae7"),
            ("0:0:0:5dd:0:0:0:0", "0:0:0:5dd::"),
            ("0:0:0:0:0:0:0:0", "::"),
        ] {
            let a: Ipv6Addr = input.parse().unwrap();
            let mut s = String::new();
            put_ipv6(&mut s, &a).unwrap();
            assert_eq!(s, ntop, "{input}");
        }
    }

    #[test]
    fn test_range() {
        let p = |s| Range::parse(s, ':', 65535, service_port).map(|r| r.to_string());
        assert_eq!(p("80").as_deref(), Some("80"));
        assert_eq!(p("1024:").as_deref(), Some("1024:65535"));
        assert_eq!(p(":80").as_deref(), Some("0:80"));
        assert_eq!(p("ssh").as_deref(), Some("22"));
        assert_eq!(p("80:22"), None);
        assert_eq!(p("65536"), None);
        assert_eq!(p("8x"), None);
    }

    #[test]
    fn test_net() {
        let n = |s| Net::parse(s).map(|n| n.to_string());
        assert_eq!(n("10.1.2.3").as_deref(), Some("10.1.2.3/32"));
        assert_eq!(n("10.1.2.3/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(n("10.1.2.3/255.255.0.0").as_deref(), Some("10.1.0.0/16"));
        assert_eq!(
            n("10.1.2.3/255.0.255.0").as_deref(),
            Some("10.0.2.0/255.0.255.0")
        );
        assert_eq!(n("fe80::1/10").as_deref(), Some("fe80::/10"));
        assert_eq!(n("::/0").as_deref(), Some("::/0"));
        assert_eq!(n("0.0.0.0/0").as_deref(), Some("0.0.0.0/0"));
        assert_eq!(n("1.2.3.4/33"), None);
        assert_eq!(n("example.com"), None);
    }

    #[test]
    fn test_rate() {
        let r = |s| Rate::parse(s, 10000).map(|r| r.to_string());
        assert_eq!(r("3/min").as_deref(), Some("3/min"));
        assert_eq!(r("1/second").as_deref(), Some("1/sec"));
        assert_eq!(r("1000/day").as_deref(), Some("1000/day"));
        assert_eq!(r("60/min").as_deref(), Some("1/sec"));
        assert_eq!(r("10000/sec").as_deref(), Some("10000/sec"));
        assert_eq!(r("0/sec"), None);
    }

    #[test]
    fn test_probability() {
        let p = Probability::parse("0.33333333349").unwrap();
        assert_eq!(p.to_string(), "0.33333333349");
        assert_eq!(
            Probability::parse("0.5").unwrap().to_string(),
            "0.50000000000"
        );
        assert_eq!(Probability::parse("1.5"), None);
    }

    #[test]
    fn test_nat_range() {
        for s in [
            "10.0.0.1",
            "10.0.0.1:80",
            "10.0.0.1-10.0.0.9:80-90",
            ":80",
            "dead::beef",
            "dead::beef-dead::fee7",
            "[dead::beef]:22",
            "[dead::beef-dead::fee7]:1000-2000/1000",
        ] {
            assert_eq!(NatRange::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(NatRange::parse("1.2.3.4:90-80"), None);
        assert_eq!(NatRange::parse(""), None);
    }

    #[test]
    fn test_write_string() {
        let w = |s, q| {
            let mut o = String::new();
            write_string(&mut o, s, q).unwrap();
            o
        };
        assert_eq!(w("kube-proxy_x", Quote::IfNeeded), "kube-proxy_x");
        assert_eq!(w("a b", Quote::IfNeeded), "\"a b\"");
        assert_eq!(w("\"", Quote::IfNeeded), "\"\\\"\"");
        assert_eq!(w("foo", Quote::Always), "\"foo\"");
    }
}
