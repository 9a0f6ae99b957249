//! The xtables blobs inside `match` and `target` expressions: the
//! `xt_*_info` structs iptables-nft stores (COMPAT.md §4.1), decoded per
//! (name, revision) with the size checked.
//!
//! The layouts are the kernel's UAPI structs (`linux/netfilter/xt_*.h`) as
//! laid out on a 64-bit kernel (x86_64, aarch64: `unsigned long` and
//! pointers are 8 bytes), host byte order except where the struct says
//! `__be16`/`__be32`. Every size and offset here was checked against the
//! headers with `offsetof`/`sizeof` (gcc, linux-libc-dev 6.1). The kernel
//! dumps each blob padded to `XT_ALIGN` (8); a blob between the struct size
//! and its aligned size is accepted, anything else is an error. A
//! (name, revision) this version does not know is [`XtMatch::Unknown`] /
//! [`XtTarget::Unknown`], never an error.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::sys::NFPROTO_IPV6;

/// Bounded reads from a blob whose size was checked.
#[derive(Clone, Copy)]
struct Rd<'a>(&'a [u8]);

impl<'a> Rd<'a> {
    fn bytes(&self, at: usize, n: usize) -> &'a [u8] {
        self.0.get(at..at.saturating_add(n)).unwrap_or(&[])
    }
    fn arr<const N: usize>(&self, at: usize) -> [u8; N] {
        self.bytes(at, N).try_into().unwrap_or([0; N])
    }
    fn u8(&self, at: usize) -> u8 {
        self.0.get(at).copied().unwrap_or(0)
    }
    fn u16(&self, at: usize) -> u16 {
        u16::from_ne_bytes(self.arr(at))
    }
    fn be16(&self, at: usize) -> u16 {
        u16::from_be_bytes(self.arr(at))
    }
    fn u32(&self, at: usize) -> u32 {
        u32::from_ne_bytes(self.arr(at))
    }
    fn u64(&self, at: usize) -> u64 {
        u64::from_ne_bytes(self.arr(at))
    }
    /// A fixed `char[n]` field, up to its first NUL.
    fn cstr(&self, at: usize, n: usize) -> Result<&'a str> {
        let b = self.bytes(at, n);
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        core::str::from_utf8(b.get(..end).unwrap_or(&[]))
            .map_err(|_| DecodeError::new(at, DecodeErrorKind::NotUtf8))
    }
    /// `union nf_inet_addr` at `at`, read as the family's address.
    fn addr(&self, at: usize, family: u8) -> IpAddr {
        if family == NFPROTO_IPV6 {
            IpAddr::V6(Ipv6Addr::from(self.arr::<16>(at)))
        } else {
            IpAddr::V4(Ipv4Addr::from(self.arr::<4>(at)))
        }
    }
}

/// Checks the blob is `size` bytes, or padded up to `XT_ALIGN(size)`.
fn sized(info: &[u8], size: usize) -> Result<Rd<'_>> {
    let aligned = (size + 7) & !7;
    if info.len() < size || info.len() > aligned {
        return Err(DecodeError::new(
            0,
            DecodeErrorKind::BadValueLen {
                expected: aligned as u32,
                found: info.len().min(u32::MAX as usize) as u32,
            },
        ));
    }
    Ok(Rd(info))
}

ser! {
/// `xt_conntrack_mtinfo1..3`.
pub struct Conntrack {
    /// Revision 1, 2 or 3.
    pub rev: u32,
    /// `origsrc_addr`/`mask`, `origdst_*`, `replsrc_*`, `repldst_*`.
    pub origsrc: (IpAddr, IpAddr),
    /// Original destination and mask.
    pub origdst: (IpAddr, IpAddr),
    /// Reply source and mask.
    pub replsrc: (IpAddr, IpAddr),
    /// Reply destination and mask.
    pub repldst: (IpAddr, IpAddr),
    /// `expires_min`, `expires_max`.
    pub expires: (u32, u32),
    /// `l4proto`.
    pub l4proto: u16,
    /// `origsrc_port` (and `_high` in rev 3), host order.
    pub origsrc_port: (u16, u16),
    /// Original destination port range.
    pub origdst_port: (u16, u16),
    /// Reply source port range.
    pub replsrc_port: (u16, u16),
    /// Reply destination port range.
    pub repldst_port: (u16, u16),
    /// `match_flags`: `XT_CONNTRACK_STATE` (1), `PROTO` (2), ... `DIRECTION` (0x1000).
    pub match_flags: u16,
    /// `invert_flags`.
    pub invert_flags: u16,
    /// `state_mask`: `XT_CONNTRACK_STATE_BIT(ctinfo)` bits: INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8, SNAT 0x100, DNAT 0x200, UNTRACKED 0x400.
    pub state_mask: u16,
    /// `status_mask`: `IPS_*` bits.
    pub status_mask: u16,
}

/// `xt_tcp`.
pub struct Tcp {
    /// `spts[2]`.
    pub spts: (u16, u16),
    /// `dpts[2]`.
    pub dpts: (u16, u16),
    /// `option`.
    pub option: u8,
    /// `flg_mask`.
    pub flg_mask: u8,
    /// `flg_cmp`.
    pub flg_cmp: u8,
    /// `invflags`: `XT_TCP_INV_SRCPT` 1, `DSTPT` 2, `FLAGS` 4, `OPTION` 8.
    pub invflags: u8,
}

/// `xt_udp`.
pub struct Udp {
    /// `spts[2]`.
    pub spts: (u16, u16),
    /// `dpts[2]`.
    pub dpts: (u16, u16),
    /// `invflags`: `XT_UDP_INV_SRCPT` 1, `DSTPT` 2.
    pub invflags: u8,
}

/// `ipt_icmp` / `ip6t_icmp`.
pub struct Icmp {
    /// `type`.
    pub ty: u8,
    /// `code[2]`: min and max.
    pub code: (u8, u8),
    /// `invflags`: `IPT_ICMP_INV` 1.
    pub invflags: u8,
}

/// `xt_multiport` (rev 0) and `xt_multiport_v1`.
pub struct Multiport {
    /// `flags`: `XT_MULTIPORT_SOURCE` 0, `DESTINATION` 1, `EITHER` 2.
    pub flags: u8,
    /// `count`.
    pub count: u8,
    /// `ports[15]`, host order (only `count` are used).
    pub ports: [u16; 15],
    /// `pflags[15]`: 1 where `ports[i]..ports[i+1]` is a range (rev 1).
    pub pflags: [u8; 15],
    /// `invert` (rev 1).
    pub invert: u8,
}

/// `xt_statistic_info`.
pub struct Statistic {
    /// `mode`: `XT_STATISTIC_MODE_RANDOM` 0, `NTH` 1.
    pub mode: u16,
    /// `flags`: `XT_STATISTIC_INVERT` 1.
    pub flags: u16,
    /// `u.random.probability` (0x80000000 = 0.5) or `u.nth.every`.
    pub probability_or_every: u32,
    /// `u.nth.packet`.
    pub packet: u32,
}

/// `xt_set_info` (`index` is the ipset id, not its name).
pub struct SetInfo {
    /// `index`.
    pub index: u16,
    /// `dim`.
    pub dim: u8,
    /// `flags`: `IPSET_SRC` 1, `DST` 2, `INV` 4, ... per dimension.
    pub flags: u8,
}

/// `xt_physdev_info`.
pub struct Physdev<'a> {
    /// `physindev`.
    pub physindev: &'a str,
    /// `physoutdev`.
    pub physoutdev: &'a str,
    /// `invert`.
    pub invert: u8,
    /// `bitmask`: `XT_PHYSDEV_OP_IN` 1, `OUT` 2, `BRIDGED` 4, `ISIN` 8, `ISOUT` 0x10.
    pub bitmask: u8,
}

/// `xt_iprange_mtinfo`.
pub struct Iprange {
    /// `src_min`, `src_max`.
    pub src: (IpAddr, IpAddr),
    /// `dst_min`, `dst_max`.
    pub dst: (IpAddr, IpAddr),
    /// `flags`: `IPRANGE_SRC` 1, `DST` 2, `SRC_INV` 0x10, `DST_INV` 0x20.
    pub flags: u8,
}

/// `xt_owner_match_info`.
pub struct Owner {
    /// `uid_min`, `uid_max`.
    pub uid: (u32, u32),
    /// `gid_min`, `gid_max`.
    pub gid: (u32, u32),
    /// `match`: `XT_OWNER_UID` 1, `GID` 2, `SOCKET` 4, `SUPPL_GROUPS` 8.
    pub matched: u8,
    /// `invert`.
    pub invert: u8,
}

/// `xt_string_info`.
pub struct StringMatch<'a> {
    /// `from_offset`, `to_offset`.
    pub offsets: (u16, u16),
    /// `algo`: `bm` or `kmp`.
    pub algo: &'a str,
    /// `pattern[patlen]`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub pattern: &'a [u8],
    /// `u.v1.flags` (rev 1: `XT_STRING_FLAG_INVERT` 1, `IGNORECASE` 2) or `u.v0.invert`.
    pub flags: u8,
}

/// `xt_recent_mtinfo` (rev 0) and `_v1`.
pub struct Recent<'a> {
    /// `seconds`.
    pub seconds: u32,
    /// `hit_count`.
    pub hit_count: u32,
    /// `check_set`: `XT_RECENT_CHECK` 1, `SET` 2, `UPDATE` 4, `REMOVE` 8, `TTL` 16, `REAP` 32.
    pub check_set: u8,
    /// `invert`.
    pub invert: u8,
    /// `name`.
    pub name: &'a str,
    /// `side`: `XT_RECENT_SOURCE` 0, `DEST` 1.
    pub side: u8,
    /// `mask` (rev 1).
    pub mask: Option<IpAddr>,
}

/// `xt_hashlimit_mtinfo1..3`.
pub struct Hashlimit<'a> {
    /// Revision.
    pub rev: u32,
    /// `name`.
    pub name: &'a str,
    /// `cfg.mode`: `XT_HASHLIMIT_HASH_DIP` 1, `DPT` 2, `SIP` 4, `SPT` 8, `INVERT` 0x10, `BYTES` 0x20, `RATE_MATCH` 0x40.
    pub mode: u32,
    /// `cfg.avg`.
    pub avg: u64,
    /// `cfg.burst`.
    pub burst: u64,
    /// `cfg.size`.
    pub size: u32,
    /// `cfg.max`.
    pub max: u32,
    /// `cfg.gc_interval`.
    pub gc_interval: u32,
    /// `cfg.expire`.
    pub expire: u32,
    /// `cfg.interval` (rev 3).
    pub interval: u32,
    /// `cfg.srcmask`.
    pub srcmask: u8,
    /// `cfg.dstmask`.
    pub dstmask: u8,
}

/// `union nf_conntrack_man_proto`-based NAT ranges: `nf_nat_ipv4_multi_range_compat`
/// (rev 0, MASQUERADE, REDIRECT), `nf_nat_range` (rev 1), `nf_nat_range2` (rev 2).
pub struct NatRange {
    /// `flags`: `NF_NAT_RANGE_MAP_IPS` 1, `PROTO_SPECIFIED` 2, `PROTO_RANDOM` 4, `PERSISTENT` 8, `PROTO_RANDOM_FULLY` 0x10, `PROTO_OFFSET` 0x20, `NETMAP` 0x40.
    pub flags: u32,
    /// `min_addr`/`min_ip`.
    pub min_addr: IpAddr,
    /// `max_addr`/`max_ip`.
    pub max_addr: IpAddr,
    /// `min_proto` (network order on the wire; host order here).
    pub min_proto: u16,
    /// `max_proto`.
    pub max_proto: u16,
    /// `base_proto` (rev 2).
    pub base_proto: u16,
}

/// `xt_ct_target_info` (rev 0) and `_v1` (rev 1, 2).
pub struct Ct<'a> {
    /// `flags`: `XT_CT_NOTRACK` 1, `USERSPACE_HELPER` 2, `ZONE_DIR_ORIG` 4, `REPL` 8, `ZONE_MARK` 16.
    pub flags: u16,
    /// `zone`.
    pub zone: u16,
    /// `ct_events`.
    pub ct_events: u32,
    /// `exp_events`.
    pub exp_events: u32,
    /// `helper`.
    pub helper: &'a str,
    /// `timeout` (rev 1, 2).
    pub timeout: &'a str,
}

/// `ip6t_srh` (rev 0) and `ip6t_srh1` (rev 1: the segment ids and masks).
pub struct Srh {
    /// Revision.
    pub rev: u32,
    /// `next_hdr`.
    pub next_hdr: u8,
    /// `hdr_len`.
    pub hdr_len: u8,
    /// `segs_left`.
    pub segs_left: u8,
    /// `last_entry`.
    pub last_entry: u8,
    /// `tag`.
    pub tag: u16,
    /// `psid_addr`, `psid_msk`.
    pub psid: (Ipv6Addr, Ipv6Addr),
    /// `nsid_addr`, `nsid_msk`.
    pub nsid: (Ipv6Addr, Ipv6Addr),
    /// `lsid_addr`, `lsid_msk`.
    pub lsid: (Ipv6Addr, Ipv6Addr),
    /// `mt_flags`: `IP6T_SRH_NEXTHDR` 1, `LEN_EQ` 2, `LEN_GT` 4, `LEN_LT` 8,
    /// `SEGS_EQ` 0x10, `_GT` 0x20, `_LT` 0x40, `LAST_EQ` 0x80, `_GT` 0x100,
    /// `_LT` 0x200, `TAG` 0x400, `PSID` 0x800, `NSID` 0x1000, `LSID` 0x2000.
    pub flags: u16,
    /// `mt_invflags`, the same bits.
    pub invflags: u16,
}

/// `ip6t_opts` (the `hbh` and `dst` matches).
pub struct Opts {
    /// `hdrlen`.
    pub hdrlen: u32,
    /// `flags`: `IP6T_OPTS_LEN` 1, `OPTS` 2, `NSTRICT` 4.
    pub flags: u8,
    /// `invflags`: `IP6T_OPTS_INV_LEN` 1.
    pub invflags: u8,
    /// `opts[..optsnr]`: type in the high byte, length in the low (0xff: any).
    pub opts: [u16; 16],
    /// `optsnr` (at most 16 are read).
    pub optsnr: u8,
}

/// `xt_time_info`.
pub struct Time {
    /// `date_start`, `date_stop` (seconds since the epoch, UTC).
    pub date: (u32, u32),
    /// `daytime_start`, `daytime_stop` (seconds in the day).
    pub daytime: (u32, u32),
    /// `monthdays_match`: day `d` at bit `d`.
    pub monthdays: u32,
    /// `weekdays_match`: Monday at bit 1 .. Sunday at bit 7.
    pub weekdays: u8,
    /// `flags`: `XT_TIME_LOCAL_TZ` 1, `CONTIGUOUS` 2.
    pub flags: u8,
}

/// One `xt_policy_elem`.
pub struct PolicyElem {
    /// `saddr`, `smask`.
    pub saddr: (IpAddr, IpAddr),
    /// `daddr`, `dmask`.
    pub daddr: (IpAddr, IpAddr),
    /// `spi` (as iptables stores it: not byte-swapped).
    pub spi: u32,
    /// `reqid`.
    pub reqid: u32,
    /// `proto`.
    pub proto: u8,
    /// `mode`: `XT_POLICY_MODE_TRANSPORT` 0, `TUNNEL` 1.
    pub mode: u8,
    /// `match` bits: saddr 1, daddr 2, proto 4, mode 8, spi 0x10, reqid 0x20.
    pub matched: u8,
    /// `invert`, the same bits.
    pub invert: u8,
}

/// `xt_policy_info`, read in place: [`Policy::elem`] decodes one element.
pub struct Policy<'a> {
    /// The blob.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub raw: &'a [u8],
    /// The address family the elements' addresses are read in.
    pub family: u8,
    /// `len` (at most 4).
    pub len: u8,
    /// `flags`: `XT_POLICY_MATCH_IN` 1, `OUT` 2, `NONE` 4, `STRICT` 8.
    pub flags: u16,
}

/// One `xt_u32_test`: `location[..nnums]` as (number, nextop: `XT_U32_AND`
/// 0, `LEFTSH` 1, `RIGHTSH` 2, `AT` 3) and `value[..nvalues]` as (min, max).
pub struct U32Test {
    /// `location[..nnums]`.
    pub location: [(u32, u8); 11],
    /// `nnums` (at most 11 are read).
    pub nnums: u8,
    /// `value[..nvalues]`.
    pub value: [(u32, u32); 11],
    /// `nvalues` (at most 11 are read).
    pub nvalues: u8,
}

/// `xt_u32`, read in place: [`U32::test`] decodes one test.
pub struct U32<'a> {
    /// The blob (its size was checked).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub raw: &'a [u8],
    /// `ntests` (at most 11).
    pub ntests: u8,
    /// `invert`.
    pub invert: u8,
}

/// `xt_sctp_info`.
pub struct Sctp<'a> {
    /// `dpts`: min, max.
    pub dpts: (u16, u16),
    /// `spts`: min, max.
    pub spts: (u16, u16),
    /// `chunkmap`: 64 host-order `u32`s, chunk type `t` at bit `t % 32` of word `t / 32`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub chunkmap: &'a [u8],
    /// `chunk_match_type`: `SCTP_CHUNK_MATCH_ANY` 1, `ALL` 2, `ONLY` 4.
    pub chunk_match_type: u32,
    /// `flag_info[..flag_count]`: (chunk type, flag, flag mask).
    pub flag_info: [(u8, u8, u8); 4],
    /// `flag_count` (at most 4 are read).
    pub flag_count: u8,
    /// `flags`: `XT_SCTP_SRC_PORTS` 1, `DEST_PORTS` 2, `CHUNK_TYPES` 4.
    pub flags: u32,
    /// `invflags`, the same bits.
    pub invflags: u32,
}

/// `xt_cgroup_info_v0..v2` (rev 0 has only a class id).
pub struct Cgroup<'a> {
    /// Revision.
    pub rev: u32,
    /// `has_path` (rev 1, 2).
    pub has_path: bool,
    /// `has_classid` (always for rev 0).
    pub has_classid: bool,
    /// `invert_path`.
    pub invert_path: bool,
    /// `invert_classid` (rev 0: `invert`).
    pub invert_classid: bool,
    /// `path`, when `has_path`.
    pub path: &'a str,
    /// `classid` (rev 0: `id`).
    pub classid: u32,
}
}

impl Policy<'_> {
    /// `pol[i]`, `i` below 4.
    pub fn elem(&self, i: usize) -> PolicyElem {
        let r = Rd(self.raw);
        let at = 76 * i.min(3);
        PolicyElem {
            saddr: (r.addr(at, self.family), r.addr(at + 16, self.family)),
            daddr: (r.addr(at + 32, self.family), r.addr(at + 48, self.family)),
            spi: r.u32(at + 64),
            reqid: r.u32(at + 68),
            proto: r.u8(at + 72),
            mode: r.u8(at + 73),
            matched: r.u8(at + 74),
            invert: r.u8(at + 75),
        }
    }
}

impl U32<'_> {
    /// `tests[i]`, `i` below 11.
    pub fn test(&self, i: usize) -> U32Test {
        let r = Rd(self.raw);
        let at = 180 * i.min(10);
        let mut t = U32Test {
            location: [(0, 0); 11],
            nnums: r.u8(at + 176).min(11),
            value: [(0, 0); 11],
            nvalues: r.u8(at + 177).min(11),
        };
        for (j, l) in t.location.iter_mut().enumerate() {
            *l = (r.u32(at + 8 * j), r.u8(at + 8 * j + 4));
        }
        for (j, v) in t.value.iter_mut().enumerate() {
            *v = (r.u32(at + 88 + 8 * j), r.u32(at + 92 + 8 * j));
        }
        t
    }
}

impl Sctp<'_> {
    /// Whether chunk type `t` is in `chunkmap`.
    pub fn has_chunk(&self, t: u8) -> bool {
        let at = usize::from(t / 32) * 4;
        let word = self
            .chunkmap
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_ne_bytes);
        word & (1 << (t % 32)) != 0
    }

    /// The words of `chunkmap` that are all zero (`NONE`) or all ones (`ALL`).
    pub fn chunkmap_is(&self, all: bool) -> bool {
        let want = if all { 0xff } else { 0 };
        self.chunkmap.len() == 256 && self.chunkmap.iter().all(|&b| b == want)
    }
}

/// A decoded xtables match blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "match", rename_all = "snake_case"))]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum XtMatch<'a> {
    Conntrack(Conntrack),
    /// `xt_state_info.statemask` (the same bits as conntrack's `state_mask`).
    State {
        statemask: u32,
    },
    Comment {
        comment: &'a str,
    },
    Tcp(Tcp),
    Udp(Udp),
    Icmp(Icmp),
    Icmp6(Icmp),
    Multiport(Multiport),
    /// `xt_mark_mtinfo1`.
    Mark {
        mark: u32,
        mask: u32,
        invert: u8,
    },
    /// `xt_connmark_mtinfo1`.
    Connmark {
        mark: u32,
        mask: u32,
        invert: u8,
    },
    /// `xt_addrtype_info_v1`: `source`, `dest` are `XT_ADDRTYPE_*` bits; `flags` `XT_ADDRTYPE_INVERT_SOURCE` 1, `INVERT_DEST` 2, `LIMIT_IFACE_IN` 4, `OUT` 8.
    Addrtype {
        source: u16,
        dest: u16,
        flags: u32,
    },
    Statistic(Statistic),
    /// `xt_rateinfo`: `avg` in `XT_LIMIT_SCALE` (10000) units per second, `burst`.
    Limit {
        avg: u32,
        burst: u32,
    },
    /// `xt_set_info_match_v1..v4` (counters of v3/v4 as (op, value)).
    Set {
        rev: u32,
        set: SetInfo,
        packets: Option<(u8, u64)>,
        bytes: Option<(u8, u64)>,
        flags: u32,
    },
    Physdev(Physdev<'a>),
    /// `xt_mac_info`.
    Mac {
        addr: [u8; 6],
        invert: i32,
    },
    Iprange(Iprange),
    Owner(Owner),
    /// `xt_pkttype_info`.
    Pkttype {
        pkttype: i32,
        invert: i32,
    },
    /// `ipt_ttl_info`: `mode` `IPT_TTL_EQ` 0, `NE` 1, `LT` 2, `GT` 3.
    Ttl {
        mode: u8,
        ttl: u8,
    },
    /// `ip6t_hl_info`: the same modes.
    Hl {
        mode: u8,
        hl: u8,
    },
    /// `xt_length_info`.
    Length {
        min: u16,
        max: u16,
        invert: u8,
    },
    /// `xt_socket_mtinfo1..3` (rev 0 has no data: flags 0).
    Socket {
        rev: u32,
        flags: u8,
    },
    /// `xt_rpfilter_info`: `XT_RPFILTER_LOOSE` 1, `VALID_MARK` 2, `ACCEPT_LOCAL` 4, `INVERT` 8.
    Rpfilter {
        flags: u8,
    },
    String(StringMatch<'a>),
    Recent(Recent<'a>),
    Hashlimit(Hashlimit<'a>),
    /// `xt_connlimit_info` (rev 0 and 1): `flags` `XT_CONNLIMIT_INVERT` 1,
    /// `DADDR` 2 (rev 1).
    Connlimit {
        rev: u32,
        mask: IpAddr,
        limit: u32,
        flags: u32,
    },
    Sctp(Sctp<'a>),
    Srh(Srh),
    /// `hbh` or `dst` (which one is the expression's name).
    Opts(Opts),
    /// `ip6t_mh`: `invflags` `IP6T_MH_INV_TYPE` 1.
    Mh {
        types: (u8, u8),
        invflags: u8,
    },
    /// `ip6t_ipv6header_info`: `MASK_HOPOPTS` 0x80, `DSTOPTS` 0x40,
    /// `ROUTING` 0x20, `FRAGMENT` 0x10, `AH` 8, `ESP` 4, `NONE` 2, `PROTO` 1.
    Ipv6header {
        matchflags: u8,
        invflags: u8,
        modeflag: u8,
    },
    /// `xt_ipcomp`: `invflags` `XT_IPCOMP_INV_SPI` 1.
    Ipcomp {
        spis: (u32, u32),
        invflags: u8,
        hdrres: u8,
    },
    Time(Time),
    Policy(Policy<'a>),
    /// `xt_realm_info`.
    Realm {
        id: u32,
        mask: u32,
        invert: u8,
    },
    /// `xt_helper_info`.
    Helper {
        invert: i32,
        name: &'a str,
    },
    /// `xt_cluster_match_info`: `flags` `XT_CLUSTER_F_INV` 1.
    Cluster {
        total_nodes: u32,
        node_mask: u32,
        hash_seed: u32,
        flags: u32,
    },
    U32(U32<'a>),
    /// `xt_bpf_info` (rev 0) and `_v1`: `mode` `XT_BPF_MODE_BYTECODE` 0,
    /// `FD_PINNED` 1, `FD_ELF` 2, `PATH_PINNED` 3. `program` is
    /// `bpf_program[..num_elem]` (8 bytes each: u16 code, u8 jt, u8 jf, u32 k).
    Bpf {
        mode: u16,
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        program: &'a [u8],
        path: &'a str,
    },
    /// `xt_osf_info`: `flags` `XT_OSF_GENRE` 1, `TTL` 2, `LOG` 4, `INVERT` 8.
    Osf {
        genre: &'a str,
        flags: u32,
        loglevel: u32,
        ttl: u32,
    },
    /// Matches without options (`eui64`).
    Empty,
    /// `xt_tos_match_info` (rev 1).
    Tos {
        value: u8,
        mask: u8,
        invert: u8,
    },
    /// `xt_dscp_info`.
    Dscp {
        dscp: u8,
        invert: u8,
    },
    /// `xt_connbytes_info`: `what` `XT_CONNBYTES_PKTS` 0, `BYTES` 1,
    /// `AVGPKT` 2; `direction` `ORIGINAL` 0, `REPLY` 1, `BOTH` 2.
    Connbytes {
        from: u64,
        to: u64,
        what: u8,
        direction: u8,
    },
    /// `xt_quota_info`: `flags` `XT_QUOTA_INVERT` 1.
    Quota {
        flags: u32,
        quota: u64,
    },
    /// `xt_connlabel_mtinfo`: `options` `XT_CONNLABEL_OP_INVERT` 1, `SET` 2.
    Connlabel {
        bit: u16,
        options: u16,
    },
    Cgroup(Cgroup<'a>),
    /// `xt_cpu_info`.
    Cpu {
        cpu: u32,
        invert: u32,
    },
    /// `ip6t_frag`: `flags` `IP6T_FRAG_IDS` 1, `LEN` 2, `RES` 4, `FST` 8,
    /// `MF` 0x10, `NMF` 0x20; `invflags` `INV_IDS` 1, `INV_LEN` 2.
    Frag {
        ids: (u32, u32),
        hdrlen: u32,
        flags: u8,
        invflags: u8,
    },
    /// `ipt_ah`: `invflags` `IPT_AH_INV_SPI` 1.
    Ah {
        spis: (u32, u32),
        invflags: u8,
    },
    /// A (name, revision) this version does not decode.
    Unknown {
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        info: &'a [u8],
    },
}

/// A decoded xtables target blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "target", rename_all = "snake_case"))]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum XtTarget<'a> {
    /// SNAT, DNAT, MASQUERADE, REDIRECT (which one is the expression's name).
    Nat(NatRange),
    /// `xt_mark_tginfo2`: `mark = (mark & ~mask) ^ value`.
    Mark {
        mark: u32,
        mask: u32,
    },
    /// `xt_connmark_tginfo1`/`2`: `mode` `XT_CONNMARK_SET` 0, `SAVE` 1, `RESTORE` 2.
    Connmark {
        ctmark: u32,
        ctmask: u32,
        nfmask: u32,
        mode: u8,
        shift_dir: u8,
        shift_bits: u8,
    },
    /// `xt_log_info`.
    Log {
        level: u8,
        logflags: u8,
        prefix: &'a str,
    },
    /// `xt_nflog_info`.
    Nflog {
        len: u32,
        group: u16,
        threshold: u16,
        flags: u16,
        prefix: &'a str,
    },
    /// `ipt_reject_info` / `ip6t_reject_info`: `with` per family (`IPT_ICMP_*` / `IP6T_ICMP6_*`, `TCP_RESET`).
    Reject {
        with: u32,
    },
    /// NOTRACK and TRACE have no data.
    Empty,
    Ct(Ct<'a>),
    /// `xt_tcpmss_info`: 0xffff = `--clamp-mss-to-pmtu`.
    Tcpmss {
        mss: u16,
    },
    /// `xt_tproxy_target_info` / `_v1`.
    Tproxy {
        mark_mask: u32,
        mark_value: u32,
        laddr: IpAddr,
        lport: u16,
    },
    /// `xt_CHECKSUM_info`: `XT_CHECKSUM_OP_FILL` 1.
    Checksum {
        operation: u8,
    },
    /// `xt_NFQ_info*`: rev 0 only `queuenum`; rev 1 `queues_total`; rev 2 `bypass`; rev 3 `flags`.
    Nfqueue {
        queuenum: u16,
        queues_total: u16,
        flags: u16,
    },
    /// `xt_set_info_target_v1..v3`.
    Set {
        add: SetInfo,
        del: SetInfo,
        map: Option<SetInfo>,
        flags: u32,
        timeout: u32,
    },
    /// `xt_classify_target_info`: `priority` = major:minor.
    Classify {
        priority: u32,
    },
    /// `xt_synproxy_info`: `options` `XT_SYNPROXY_OPT_MSS` 1, `WSCALE` 2,
    /// `SACK_PERM` 4, `TIMESTAMP` 8, `ECN` 0x10.
    Synproxy {
        options: u8,
        wscale: u8,
        mss: u16,
    },
    /// `ip6t_npt_tginfo` (SNPT and DNPT).
    Npt {
        src_pfx: Ipv6Addr,
        dst_pfx: Ipv6Addr,
        src_len: u8,
        dst_len: u8,
    },
    /// `xt_tos_target_info` (rev 1): `tos = (tos & ~mask) ^ value`.
    Tos {
        value: u8,
        mask: u8,
    },
    /// `xt_DSCP_info`.
    Dscp {
        dscp: u8,
    },
    /// `xt_audit_info`: `XT_AUDIT_TYPE_ACCEPT` 0, `DROP` 1, `REJECT` 2.
    Audit {
        kind: u8,
    },
    /// `xt_connsecmark_target_info`: `CONNSECMARK_SAVE` 1, `RESTORE` 2.
    Connsecmark {
        mode: u8,
    },
    /// `ipt_TTL_info` / `ip6t_HL_info`: `mode` `SET` 0, `INC` 1, `DEC` 2.
    Ttl {
        mode: u8,
        value: u8,
    },
    /// `xt_hmark_info`: `flags` are `1 << XT_HMARK_*`; the port and SPI
    /// masks and values are kept as the network-order numbers they are.
    Hmark {
        src_mask: IpAddr,
        dst_mask: IpAddr,
        port_mask: u32,
        port_set: u32,
        flags: u32,
        proto_mask: u16,
        hashrnd: u32,
        modulus: u32,
        offset: u32,
    },
    /// `xt_tcpoptstrip_target_info.strip_bmap`: option `i` at bit `i % 32` of word `i / 32`.
    Tcpoptstrip {
        strip_bmap: [u32; 8],
    },
    /// `idletimer_tg_info` (rev 0) and `_v1` (`timer_type` `XT_IDLETIMER_ALARM`
    /// 1, after the `send_nl_msg` byte the kernel's v1 struct has and older
    /// UAPI headers lack).
    Idletimer {
        timeout: u32,
        label: &'a str,
        timer_type: u8,
    },
    /// The standard target (`""`): a verdict, or a jump offset.
    Standard {
        verdict: i32,
    },
    /// A (name, revision) this version does not decode.
    Unknown {
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        info: &'a [u8],
    },
}

fn addr_pair(r: Rd<'_>, at: usize, family: u8) -> (IpAddr, IpAddr) {
    (r.addr(at, family), r.addr(at + 16, family))
}

fn set_info(r: Rd<'_>, at: usize) -> SetInfo {
    SetInfo {
        index: r.u16(at),
        dim: r.u8(at + 2),
        flags: r.u8(at + 3),
    }
}

/// The name of an xt extension iptables knows, as a `'static` str, found
/// without a UTF-8 check (the expression decoder's fast path for
/// `NFTA_MATCH_NAME` / `NFTA_TARGET_NAME`); `None` for any other name.
pub fn known_name(name: &[u8]) -> Option<&'static str> {
    Some(match name {
        b"AUDIT" => "AUDIT",
        b"CHECKSUM" => "CHECKSUM",
        b"CLASSIFY" => "CLASSIFY",
        b"CONNMARK" => "CONNMARK",
        b"CONNSECMARK" => "CONNSECMARK",
        b"CT" => "CT",
        b"DNAT" => "DNAT",
        b"DNPT" => "DNPT",
        b"DSCP" => "DSCP",
        b"HL" => "HL",
        b"HMARK" => "HMARK",
        b"IDLETIMER" => "IDLETIMER",
        b"LED" => "LED",
        b"LOG" => "LOG",
        b"MARK" => "MARK",
        b"MASQUERADE" => "MASQUERADE",
        b"NETMAP" => "NETMAP",
        b"NFLOG" => "NFLOG",
        b"NFQUEUE" => "NFQUEUE",
        b"NOTRACK" => "NOTRACK",
        b"RATEEST" => "RATEEST",
        b"REDIRECT" => "REDIRECT",
        b"REJECT" => "REJECT",
        b"SECMARK" => "SECMARK",
        b"SET" => "SET",
        b"SNAT" => "SNAT",
        b"SNPT" => "SNPT",
        b"SYNPROXY" => "SYNPROXY",
        b"TCPMSS" => "TCPMSS",
        b"TCPOPTSTRIP" => "TCPOPTSTRIP",
        b"TEE" => "TEE",
        b"TOS" => "TOS",
        b"TPROXY" => "TPROXY",
        b"TRACE" => "TRACE",
        b"TTL" => "TTL",
        b"addrtype" => "addrtype",
        b"ah" => "ah",
        b"bpf" => "bpf",
        b"cgroup" => "cgroup",
        b"cluster" => "cluster",
        b"comment" => "comment",
        b"connbytes" => "connbytes",
        b"connlabel" => "connlabel",
        b"connlimit" => "connlimit",
        b"connmark" => "connmark",
        b"conntrack" => "conntrack",
        b"cpu" => "cpu",
        b"dccp" => "dccp",
        b"devgroup" => "devgroup",
        b"dscp" => "dscp",
        b"dst" => "dst",
        b"ecn" => "ecn",
        b"esp" => "esp",
        b"eui64" => "eui64",
        b"frag" => "frag",
        b"hashlimit" => "hashlimit",
        b"hbh" => "hbh",
        b"helper" => "helper",
        b"hl" => "hl",
        b"icmp" => "icmp",
        b"icmp6" => "icmp6",
        b"ipcomp" => "ipcomp",
        b"iprange" => "iprange",
        b"ipv6header" => "ipv6header",
        b"ipvs" => "ipvs",
        b"length" => "length",
        b"limit" => "limit",
        b"mac" => "mac",
        b"mark" => "mark",
        b"mh" => "mh",
        b"multiport" => "multiport",
        b"nfacct" => "nfacct",
        b"osf" => "osf",
        b"owner" => "owner",
        b"physdev" => "physdev",
        b"pkttype" => "pkttype",
        b"policy" => "policy",
        b"quota" => "quota",
        b"rateest" => "rateest",
        b"realm" => "realm",
        b"recent" => "recent",
        b"rpfilter" => "rpfilter",
        b"rt" => "rt",
        b"sctp" => "sctp",
        b"set" => "set",
        b"socket" => "socket",
        b"srh" => "srh",
        b"state" => "state",
        b"statistic" => "statistic",
        b"string" => "string",
        b"tcp" => "tcp",
        b"tcpmss" => "tcpmss",
        b"time" => "time",
        b"tos" => "tos",
        b"ttl" => "ttl",
        b"u32" => "u32",
        b"udp" => "udp",
        _ => return None,
    })
}

/// Decodes a match blob. `family` is the table's (`NFPROTO_IPV4`/`IPV6`):
/// it says how to read `union nf_inet_addr`.
pub fn decode_match<'a>(name: &str, rev: u32, info: &'a [u8], family: u8) -> Result<XtMatch<'a>> {
    Ok(match (name, rev) {
        ("conntrack", 1..=3) => {
            let size = match rev {
                1 => 152,
                2 => 156,
                _ => 164,
            };
            let r = sized(info, size)?;
            let (state_mask, status_mask) = if rev == 1 {
                (u16::from(r.u8(150)), u16::from(r.u8(151)))
            } else {
                (r.u16(150), r.u16(152))
            };
            // Rev 1 and 2 compare one port in network order; rev 3 compares
            // a range, both ends in host order (despite the `__be16` in the
            // header: xt_conntrack.c `port_match(..., ntohs(port))`).
            let high = |at: usize, low: u16| if rev == 3 { r.u16(at) } else { low };
            let port = |at: usize| if rev == 3 { r.u16(at) } else { r.be16(at) };
            let (os, od, rs, rd) = (port(138), port(140), port(142), port(144));
            XtMatch::Conntrack(Conntrack {
                rev,
                origsrc: addr_pair(r, 0, family),
                origdst: addr_pair(r, 32, family),
                replsrc: addr_pair(r, 64, family),
                repldst: addr_pair(r, 96, family),
                expires: (r.u32(128), r.u32(132)),
                l4proto: r.u16(136),
                origsrc_port: (os, high(154, os)),
                origdst_port: (od, high(156, od)),
                replsrc_port: (rs, high(158, rs)),
                repldst_port: (rd, high(160, rd)),
                match_flags: r.u16(146),
                invert_flags: r.u16(148),
                state_mask,
                status_mask,
            })
        }
        ("state", 0) => XtMatch::State {
            statemask: sized(info, 4)?.u32(0),
        },
        ("comment", 0) => XtMatch::Comment {
            comment: sized(info, 256)?.cstr(0, 256)?,
        },
        ("tcp", 0) => {
            let r = sized(info, 12)?;
            XtMatch::Tcp(Tcp {
                spts: (r.u16(0), r.u16(2)),
                dpts: (r.u16(4), r.u16(6)),
                option: r.u8(8),
                flg_mask: r.u8(9),
                flg_cmp: r.u8(10),
                invflags: r.u8(11),
            })
        }
        ("udp", 0) => {
            let r = sized(info, 10)?;
            XtMatch::Udp(Udp {
                spts: (r.u16(0), r.u16(2)),
                dpts: (r.u16(4), r.u16(6)),
                invflags: r.u8(8),
            })
        }
        ("icmp" | "icmp6", 0) => {
            let r = sized(info, 4)?;
            let i = Icmp {
                ty: r.u8(0),
                code: (r.u8(1), r.u8(2)),
                invflags: r.u8(3),
            };
            if name == "icmp" {
                XtMatch::Icmp(i)
            } else {
                XtMatch::Icmp6(i)
            }
        }
        ("multiport", 0 | 1) => {
            let r = sized(info, if rev == 0 { 32 } else { 48 })?;
            let mut ports = [0u16; 15];
            for (i, p) in ports.iter_mut().enumerate() {
                *p = r.u16(2 + 2 * i);
            }
            let (pflags, invert) = if rev == 1 {
                (r.arr::<15>(32), r.u8(47))
            } else {
                ([0; 15], 0)
            };
            XtMatch::Multiport(Multiport {
                flags: r.u8(0),
                count: r.u8(1),
                ports,
                pflags,
                invert,
            })
        }
        ("mark" | "connmark", 1) => {
            let r = sized(info, 12)?;
            let (mark, mask, invert) = (r.u32(0), r.u32(4), r.u8(8));
            if name == "mark" {
                XtMatch::Mark { mark, mask, invert }
            } else {
                XtMatch::Connmark { mark, mask, invert }
            }
        }
        ("addrtype", 1) => {
            let r = sized(info, 8)?;
            XtMatch::Addrtype {
                source: r.u16(0),
                dest: r.u16(2),
                flags: r.u32(4),
            }
        }
        ("statistic", 0) => {
            let r = sized(info, 24)?;
            XtMatch::Statistic(Statistic {
                mode: r.u16(0),
                flags: r.u16(2),
                probability_or_every: r.u32(4),
                packet: r.u32(8),
            })
        }
        ("limit", 0) => {
            let r = sized(info, 40)?;
            XtMatch::Limit {
                avg: r.u32(0),
                burst: r.u32(4),
            }
        }
        ("set", 1..=4) => {
            let (size, counters) = if rev <= 2 { (4, false) } else { (48, true) };
            let r = sized(info, size)?;
            // v3: `ip_set_counter_match0 { u8 op; u64 value }`; v4: `{ u64 value; u8 op }`.
            let counter = |at: usize| {
                counters.then(|| {
                    if rev == 3 {
                        (r.u8(at), r.u64(at + 8))
                    } else {
                        (r.u8(at + 8), r.u64(at))
                    }
                })
            };
            XtMatch::Set {
                rev,
                set: set_info(r, 0),
                packets: counter(8),
                bytes: counter(24),
                flags: if counters { r.u32(40) } else { 0 },
            }
        }
        ("physdev", 0) => {
            let r = sized(info, 66)?;
            XtMatch::Physdev(Physdev {
                physindev: r.cstr(0, 16)?,
                physoutdev: r.cstr(32, 16)?,
                invert: r.u8(64),
                bitmask: r.u8(65),
            })
        }
        ("mac", 0) => {
            let r = sized(info, 12)?;
            XtMatch::Mac {
                addr: r.arr(0),
                invert: r.u32(8) as i32,
            }
        }
        ("iprange", 1) => {
            let r = sized(info, 68)?;
            XtMatch::Iprange(Iprange {
                src: addr_pair(r, 0, family),
                dst: addr_pair(r, 32, family),
                flags: r.u8(64),
            })
        }
        ("owner", 1) => {
            let r = sized(info, 20)?;
            XtMatch::Owner(Owner {
                uid: (r.u32(0), r.u32(4)),
                gid: (r.u32(8), r.u32(12)),
                matched: r.u8(16),
                invert: r.u8(17),
            })
        }
        ("pkttype", 0) => {
            let r = sized(info, 8)?;
            XtMatch::Pkttype {
                pkttype: r.u32(0) as i32,
                invert: r.u32(4) as i32,
            }
        }
        ("ttl", 0) => {
            let r = sized(info, 2)?;
            XtMatch::Ttl {
                mode: r.u8(0),
                ttl: r.u8(1),
            }
        }
        ("hl", 0) => {
            let r = sized(info, 2)?;
            XtMatch::Hl {
                mode: r.u8(0),
                hl: r.u8(1),
            }
        }
        ("length", 0) => {
            let r = sized(info, 6)?;
            XtMatch::Length {
                min: r.u16(0),
                max: r.u16(2),
                invert: r.u8(4),
            }
        }
        ("socket", 0) => {
            sized(info, 0)?;
            XtMatch::Socket { rev, flags: 0 }
        }
        ("socket", 1..=3) => XtMatch::Socket {
            rev,
            flags: sized(info, 1)?.u8(0),
        },
        ("rpfilter", 0) => XtMatch::Rpfilter {
            flags: sized(info, 1)?.u8(0),
        },
        ("string", 0 | 1) => {
            let r = sized(info, 160)?;
            let patlen = usize::from(r.u8(148)).min(128);
            XtMatch::String(StringMatch {
                offsets: (r.u16(0), r.u16(2)),
                algo: r.cstr(4, 16)?,
                pattern: r.bytes(20, patlen),
                flags: r.u8(149),
            })
        }
        ("recent", 0 | 1) => {
            let r = sized(info, if rev == 0 { 212 } else { 228 })?;
            XtMatch::Recent(Recent {
                seconds: r.u32(0),
                hit_count: r.u32(4),
                check_set: r.u8(8),
                invert: r.u8(9),
                name: r.cstr(10, 200)?,
                side: r.u8(210),
                mask: (rev == 1).then(|| r.addr(212, family)),
            })
        }
        ("connlimit", 0 | 1) => {
            // The kernel's `data` pointer (8-aligned, at 24) is not copied
            // out: it reads as zero.
            let r = sized(info, 32)?;
            XtMatch::Connlimit {
                rev,
                mask: r.addr(0, family),
                limit: r.u32(16),
                flags: r.u32(20),
            }
        }
        ("hashlimit", 1..=3) => {
            let (size, name_len, cfg) = match rev {
                1 => (56, 16, 16),
                2 => (304, 255, 256),
                _ => (312, 255, 256),
            };
            let r = sized(info, size)?;
            let name = r.cstr(0, name_len)?;
            XtMatch::Hashlimit(if rev == 1 {
                // struct hashlimit_cfg1: u32 mode, avg, burst, size, max, gc_interval, expire; u8 srcmask, dstmask.
                Hashlimit {
                    rev,
                    name,
                    mode: r.u32(cfg),
                    avg: u64::from(r.u32(cfg + 4)),
                    burst: u64::from(r.u32(cfg + 8)),
                    size: r.u32(cfg + 12),
                    max: r.u32(cfg + 16),
                    gc_interval: r.u32(cfg + 20),
                    expire: r.u32(cfg + 24),
                    interval: 0,
                    srcmask: r.u8(cfg + 28),
                    dstmask: r.u8(cfg + 29),
                }
            } else {
                // struct hashlimit_cfg2/3: u64 avg, burst; u32 mode, size, max, gc_interval, expire[, interval]; u8 srcmask, dstmask.
                let masks = if rev == 2 { cfg + 36 } else { cfg + 40 };
                Hashlimit {
                    rev,
                    name,
                    avg: r.u64(cfg),
                    burst: r.u64(cfg + 8),
                    mode: r.u32(cfg + 16),
                    size: r.u32(cfg + 20),
                    max: r.u32(cfg + 24),
                    gc_interval: r.u32(cfg + 28),
                    expire: r.u32(cfg + 32),
                    interval: if rev == 3 { r.u32(cfg + 36) } else { 0 },
                    srcmask: r.u8(masks),
                    dstmask: r.u8(masks + 1),
                }
            })
        }
        ("srh", 0 | 1) => {
            // rev 1: the addresses are 4-aligned, so they start at 8.
            let r = sized(info, if rev == 0 { 10 } else { 108 })?;
            let a6 = |at: usize| Ipv6Addr::from(r.arr::<16>(at));
            let flags_at = if rev == 0 { 6 } else { 104 };
            let (psid, nsid, lsid) = if rev == 0 {
                let z = (Ipv6Addr::UNSPECIFIED, Ipv6Addr::UNSPECIFIED);
                (z, z, z)
            } else {
                ((a6(8), a6(56)), (a6(24), a6(72)), (a6(40), a6(88)))
            };
            XtMatch::Srh(Srh {
                rev,
                next_hdr: r.u8(0),
                hdr_len: r.u8(1),
                segs_left: r.u8(2),
                last_entry: r.u8(3),
                tag: r.u16(4),
                psid,
                nsid,
                lsid,
                flags: r.u16(flags_at),
                invflags: r.u16(flags_at + 2),
            })
        }
        ("hbh" | "dst", 0) => {
            let r = sized(info, 39)?;
            let mut opts = [0u16; 16];
            for (i, o) in opts.iter_mut().enumerate() {
                *o = r.u16(6 + 2 * i);
            }
            XtMatch::Opts(Opts {
                hdrlen: r.u32(0),
                flags: r.u8(4),
                invflags: r.u8(5),
                opts,
                optsnr: r.u8(38).min(16),
            })
        }
        ("mh", 0) => {
            let r = sized(info, 3)?;
            XtMatch::Mh {
                types: (r.u8(0), r.u8(1)),
                invflags: r.u8(2),
            }
        }
        ("ipv6header", 0) => {
            let r = sized(info, 3)?;
            XtMatch::Ipv6header {
                matchflags: r.u8(0),
                invflags: r.u8(1),
                modeflag: r.u8(2),
            }
        }
        ("ipcomp", 0) => {
            let r = sized(info, 12)?;
            XtMatch::Ipcomp {
                spis: (r.u32(0), r.u32(4)),
                invflags: r.u8(8),
                hdrres: r.u8(9),
            }
        }
        ("time", 0) => {
            let r = sized(info, 24)?;
            XtMatch::Time(Time {
                date: (r.u32(0), r.u32(4)),
                daytime: (r.u32(8), r.u32(12)),
                monthdays: r.u32(16),
                weekdays: r.u8(20),
                flags: r.u8(21),
            })
        }
        ("policy", 0) => {
            let r = sized(info, 308)?;
            XtMatch::Policy(Policy {
                raw: r.0,
                family,
                flags: r.u16(304),
                len: u8::try_from(r.u16(306)).unwrap_or(4).min(4),
            })
        }
        ("realm", 0) => {
            let r = sized(info, 12)?;
            XtMatch::Realm {
                id: r.u32(0),
                mask: r.u32(4),
                invert: r.u8(8),
            }
        }
        ("helper", 0) => {
            let r = sized(info, 36)?;
            XtMatch::Helper {
                invert: r.u32(0) as i32,
                name: r.cstr(4, 30)?,
            }
        }
        ("cluster", 0) => {
            let r = sized(info, 16)?;
            XtMatch::Cluster {
                total_nodes: r.u32(0),
                node_mask: r.u32(4),
                hash_seed: r.u32(8),
                flags: r.u32(12),
            }
        }
        ("u32", 0) => {
            let r = sized(info, 1982)?;
            XtMatch::U32(U32 {
                raw: r.0,
                ntests: r.u8(1980).min(11),
                invert: r.u8(1981),
            })
        }
        ("bpf", 0 | 1) => {
            // The kernel's `filter` pointer follows at 520, 8-aligned.
            let r = sized(info, 528)?;
            let (mode, n, prog_at) = if rev == 0 {
                (0, r.u16(0), 4)
            } else {
                (r.u16(0), r.u16(2), 8)
            };
            let program = r.bytes(prog_at, usize::from(n.min(64)) * 8);
            XtMatch::Bpf {
                mode,
                program: if mode == 0 { program } else { &[] },
                path: if mode == 3 { r.cstr(8, 512)? } else { "" },
            }
        }
        ("osf", 0) => {
            let r = sized(info, 48)?;
            XtMatch::Osf {
                genre: r.cstr(0, 32)?,
                flags: r.u32(36),
                loglevel: r.u32(40),
                ttl: r.u32(44),
            }
        }
        ("eui64", 0) => {
            // libip6t_eui64 sends an unused int.
            sized(info, 4)?;
            XtMatch::Empty
        }
        ("sctp", 0) => {
            let r = sized(info, 292)?;
            let mut flag_info = [(0u8, 0u8, 0u8); 4];
            for (i, f) in flag_info.iter_mut().enumerate() {
                *f = (r.u8(268 + 3 * i), r.u8(269 + 3 * i), r.u8(270 + 3 * i));
            }
            XtMatch::Sctp(Sctp {
                dpts: (r.u16(0), r.u16(2)),
                spts: (r.u16(4), r.u16(6)),
                chunkmap: r.bytes(8, 256),
                chunk_match_type: r.u32(264),
                flag_info,
                flag_count: u8::try_from(r.u32(280)).unwrap_or(4).min(4),
                flags: r.u32(284),
                invflags: r.u32(288),
            })
        }
        ("tos", 1) => {
            let r = sized(info, 3)?;
            XtMatch::Tos {
                mask: r.u8(0),
                value: r.u8(1),
                invert: r.u8(2),
            }
        }
        ("dscp", 0) => {
            let r = sized(info, 2)?;
            XtMatch::Dscp {
                dscp: r.u8(0),
                invert: r.u8(1),
            }
        }
        ("connbytes", 0) => {
            let r = sized(info, 18)?;
            XtMatch::Connbytes {
                from: r.u64(0),
                to: r.u64(8),
                what: r.u8(16),
                direction: r.u8(17),
            }
        }
        ("quota", 0) => {
            // The kernel's `master` pointer (at 16) is not copied out.
            let r = sized(info, 24)?;
            XtMatch::Quota {
                flags: r.u32(0),
                quota: r.u64(8),
            }
        }
        ("connlabel", 0) => {
            let r = sized(info, 4)?;
            XtMatch::Connlabel {
                bit: r.u16(0),
                options: r.u16(2),
            }
        }
        ("cgroup", 0) => {
            let r = sized(info, 8)?;
            XtMatch::Cgroup(Cgroup {
                rev,
                has_path: false,
                has_classid: true,
                invert_path: false,
                invert_classid: r.u32(4) != 0,
                path: "",
                classid: r.u32(0),
            })
        }
        ("cgroup", 1 | 2) => {
            // v1: path[4096] then classid; v2: a union of path[512] and
            // classid. The kernel's `priv` pointer follows, 8-aligned.
            let (size, path_len, classid_at) = if rev == 1 {
                (4112, 4096, 4100)
            } else {
                (528, 512, 4)
            };
            let r = sized(info, size)?;
            let has_path = r.u8(0) != 0;
            XtMatch::Cgroup(Cgroup {
                rev,
                has_path,
                has_classid: r.u8(1) != 0,
                invert_path: r.u8(2) != 0,
                invert_classid: r.u8(3) != 0,
                path: if has_path { r.cstr(4, path_len)? } else { "" },
                classid: r.u32(classid_at),
            })
        }
        ("cpu", 0) => {
            let r = sized(info, 8)?;
            XtMatch::Cpu {
                cpu: r.u32(0),
                invert: r.u32(4),
            }
        }
        ("frag", 0) => {
            let r = sized(info, 16)?;
            XtMatch::Frag {
                ids: (r.u32(0), r.u32(4)),
                hdrlen: r.u32(8),
                flags: r.u8(12),
                invflags: r.u8(13),
            }
        }
        ("ah", 0) => {
            let r = sized(info, 12)?;
            XtMatch::Ah {
                spis: (r.u32(0), r.u32(4)),
                invflags: r.u8(8),
            }
        }
        _ => XtMatch::Unknown { info },
    })
}

/// Decodes a target blob (`family` as for [`decode_match`]).
pub fn decode_target<'a>(name: &str, rev: u32, info: &'a [u8], family: u8) -> Result<XtTarget<'a>> {
    Ok(match (name, rev) {
        // nf_nat_ipv4_multi_range_compat: rangesize, then range[0]: flags, min_ip, max_ip, min, max.
        ("MASQUERADE" | "REDIRECT" | "SNAT" | "DNAT" | "NETMAP", 0) if family != NFPROTO_IPV6 => {
            let r = sized(info, 20)?;
            XtTarget::Nat(NatRange {
                flags: r.u32(4),
                min_addr: r.addr(8, family),
                max_addr: r.addr(12, family),
                min_proto: r.be16(16),
                max_proto: r.be16(18),
                base_proto: 0,
            })
        }
        // nf_nat_range (IPv6 MASQUERADE/REDIRECT rev 0 too) and nf_nat_range2.
        ("MASQUERADE" | "REDIRECT", 0) | ("SNAT" | "DNAT", 1 | 2) => {
            let r = sized(info, if rev == 2 { 44 } else { 40 })?;
            XtTarget::Nat(NatRange {
                flags: r.u32(0),
                min_addr: r.addr(4, family),
                max_addr: r.addr(20, family),
                min_proto: r.be16(36),
                max_proto: r.be16(38),
                base_proto: if rev == 2 { r.be16(40) } else { 0 },
            })
        }
        ("MARK", 2) => {
            let r = sized(info, 8)?;
            XtTarget::Mark {
                mark: r.u32(0),
                mask: r.u32(4),
            }
        }
        ("CONNMARK", 1 | 2) => {
            let r = sized(info, if rev == 1 { 13 } else { 15 })?;
            XtTarget::Connmark {
                ctmark: r.u32(0),
                ctmask: r.u32(4),
                nfmask: r.u32(8),
                // tginfo1 ends with `mode`; tginfo2 with `shift_dir,
                // shift_bits, mode`.
                mode: if rev == 2 { r.u8(14) } else { r.u8(12) },
                shift_dir: if rev == 2 { r.u8(12) } else { 0 },
                shift_bits: if rev == 2 { r.u8(13) } else { 0 },
            }
        }
        ("LOG", 0) => {
            let r = sized(info, 32)?;
            XtTarget::Log {
                level: r.u8(0),
                logflags: r.u8(1),
                prefix: r.cstr(2, 30)?,
            }
        }
        ("NFLOG", 0) => {
            let r = sized(info, 76)?;
            XtTarget::Nflog {
                len: r.u32(0),
                group: r.u16(4),
                threshold: r.u16(6),
                flags: r.u16(8),
                prefix: r.cstr(12, 64)?,
            }
        }
        ("REJECT", 0) => XtTarget::Reject {
            with: sized(info, 4)?.u32(0),
        },
        ("NOTRACK" | "TRACE", 0) => {
            sized(info, 0)?;
            XtTarget::Empty
        }
        ("CT", 0..=2) => {
            let r = sized(info, if rev == 0 { 40 } else { 72 })?;
            XtTarget::Ct(Ct {
                flags: r.u16(0),
                zone: r.u16(2),
                ct_events: r.u32(4),
                exp_events: r.u32(8),
                helper: r.cstr(12, 16)?,
                timeout: if rev == 0 { "" } else { r.cstr(28, 32)? },
            })
        }
        ("TCPMSS", 0) => XtTarget::Tcpmss {
            mss: sized(info, 2)?.u16(0),
        },
        ("TPROXY", 0) => {
            let r = sized(info, 14)?;
            XtTarget::Tproxy {
                mark_mask: r.u32(0),
                mark_value: r.u32(4),
                laddr: r.addr(8, family),
                lport: r.be16(12),
            }
        }
        ("TPROXY", 1) => {
            let r = sized(info, 26)?;
            XtTarget::Tproxy {
                mark_mask: r.u32(0),
                mark_value: r.u32(4),
                laddr: r.addr(8, family),
                lport: r.be16(24),
            }
        }
        ("CHECKSUM", 0) => XtTarget::Checksum {
            operation: sized(info, 1)?.u8(0),
        },
        ("NFQUEUE", 0..=3) => {
            let r = sized(
                info,
                match rev {
                    0 => 2,
                    1 => 4,
                    _ => 6,
                },
            )?;
            XtTarget::Nfqueue {
                queuenum: r.u16(0),
                queues_total: if rev >= 1 { r.u16(2) } else { 1 },
                flags: if rev >= 2 { r.u16(4) } else { 0 },
            }
        }
        ("SET", 1..=3) => {
            let r = sized(
                info,
                match rev {
                    1 => 8,
                    2 => 16,
                    _ => 20,
                },
            )?;
            let (map, flags_at) = if rev == 3 {
                (Some(set_info(r, 8)), 12)
            } else {
                (None, 8)
            };
            XtTarget::Set {
                add: set_info(r, 0),
                del: set_info(r, 4),
                map,
                flags: if rev >= 2 { r.u32(flags_at) } else { 0 },
                // Revision 1 has no timeout: the "none" of later ones.
                timeout: if rev >= 2 {
                    r.u32(flags_at + 4)
                } else {
                    u32::MAX
                },
            }
        }
        ("CLASSIFY", 0) => XtTarget::Classify {
            priority: sized(info, 4)?.u32(0),
        },
        ("SYNPROXY", 0) => {
            let r = sized(info, 4)?;
            XtTarget::Synproxy {
                options: r.u8(0),
                wscale: r.u8(1),
                mss: r.u16(2),
            }
        }
        ("SNPT" | "DNPT", 0) => {
            let r = sized(info, 36)?;
            XtTarget::Npt {
                src_pfx: Ipv6Addr::from(r.arr::<16>(0)),
                dst_pfx: Ipv6Addr::from(r.arr::<16>(16)),
                src_len: r.u8(32),
                dst_len: r.u8(33),
            }
        }
        ("TOS", 1) => {
            let r = sized(info, 2)?;
            XtTarget::Tos {
                value: r.u8(0),
                mask: r.u8(1),
            }
        }
        ("DSCP", 0) => XtTarget::Dscp {
            dscp: sized(info, 1)?.u8(0),
        },
        ("AUDIT", 0) => XtTarget::Audit {
            kind: sized(info, 1)?.u8(0),
        },
        ("CONNSECMARK", 0) => XtTarget::Connsecmark {
            mode: sized(info, 1)?.u8(0),
        },
        ("TTL" | "HL", 0) => {
            let r = sized(info, 2)?;
            XtTarget::Ttl {
                mode: r.u8(0),
                value: r.u8(1),
            }
        }
        ("HMARK", 0) => {
            let r = sized(info, 60)?;
            XtTarget::Hmark {
                src_mask: r.addr(0, family),
                dst_mask: r.addr(16, family),
                port_mask: u32::from_be_bytes(r.arr(32)),
                port_set: u32::from_be_bytes(r.arr(36)),
                flags: r.u32(40),
                proto_mask: r.u16(44),
                hashrnd: r.u32(48),
                modulus: r.u32(52),
                offset: r.u32(56),
            }
        }
        ("TCPOPTSTRIP", 0) => {
            let r = sized(info, 32)?;
            let mut strip_bmap = [0u32; 8];
            for (i, w) in strip_bmap.iter_mut().enumerate() {
                *w = r.u32(4 * i);
            }
            XtTarget::Tcpoptstrip { strip_bmap }
        }
        ("IDLETIMER", 0 | 1) => {
            // The kernel's `timer` pointer follows, 8-aligned.
            let r = sized(info, if rev == 0 { 40 } else { 48 })?;
            XtTarget::Idletimer {
                timeout: r.u32(0),
                label: r.cstr(4, 28)?,
                timer_type: if rev == 0 { 0 } else { r.u8(33) },
            }
        }
        ("", 0) => XtTarget::Standard {
            verdict: sized(info, 4)?.u32(0) as i32,
        },
        _ => XtTarget::Unknown { info },
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_sizes_checked() {
        assert!(decode_match("tcp", 0, &[0; 12], 2).is_ok());
        assert!(decode_match("tcp", 0, &[0; 16], 2).is_ok());
        assert!(decode_match("tcp", 0, &[0; 11], 2).is_err());
        assert!(decode_match("tcp", 0, &[0; 17], 2).is_err());
        assert!(matches!(
            decode_match("tcp", 7, &[0; 3], 2),
            Ok(XtMatch::Unknown { .. })
        ));
    }

    #[test]
    fn test_parse_tcp() {
        // spts 0..65535, dpts 22..22, option 0, flg_mask SYN|ACK|RST|FIN, flg_cmp SYN, invflags 0
        let mut b = Vec::new();
        for p in [0u16, 65535, 22, 22] {
            b.extend_from_slice(&p.to_ne_bytes());
        }
        b.extend_from_slice(&[0, 0x17, 0x02, 0, 0, 0, 0, 0]);
        let XtMatch::Tcp(t) = decode_match("tcp", 0, &b, 2).unwrap() else {
            panic!("not tcp")
        };
        assert_eq!((t.dpts, t.flg_mask, t.flg_cmp), ((22, 22), 0x17, 0x02));
    }
}
