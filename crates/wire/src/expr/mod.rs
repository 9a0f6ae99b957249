//! Kernel expressions: one [`Expr`] variant per nf_tables expression.
//!
//! The variant is chosen by `NFTA_EXPR_NAME` after all `NFTA_EXPR_*`
//! attributes are read, so their order does not matter. Inside each
//! expression the attributes are read in one pass, each straight into its
//! field, so their order does not matter either (a repeated type: the last
//! one wins, as with libmnl's `mnl_attr_parse`). Field names are the kernel's
//! `NFTA_<EXPR>_<FIELD>` in lower case. Fields whose presence changes the
//! meaning (a `meta` with `sreg` is a set, with `dreg` a load) are `Option`s;
//! others default to 0 when absent, as in libnftnl.
//!
//! What this version does not know stays raw and is never an error: an
//! unknown expression is [`Expr::Unknown`]; an unknown attribute is skipped
//! (the bytes stay in [`ExprAttr::data`]); an unknown key or enum value
//! keeps its number (`Meta::key` is the raw `NFT_META_*`, and the printer
//! says `unknown` as libnftnl does).
//!
//! `Display` prints libnftnl's debug syntax, as `nft --debug=netlink`
//! shows it: `[ payload load 4b @ network header + 12 => reg 1 ]`.

pub mod emit;
mod print;

use crate::data::{Data, Reg};
use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::nl::conv::*;
use crate::nl::{need, Attr, AttrIter};
use crate::sys::*;

pub use print::{ct_key, family_name, meta_key, payload_base, write_expr, write_expr_body};

/// How deep expressions may nest (dynset and inner hold expressions).
pub const MAX_NEST: u32 = 4;

type Opt<T> = Option<T>;

ser_default! {
/// `bitwise` (net/netfilter/nft_bitwise.c): `dreg = (sreg & mask) ^ xor`, or a shift.
pub struct Bitwise<'a> {
    /// `NFTA_BITWISE_SREG`.
    pub sreg: Reg,
    /// `NFTA_BITWISE_DREG`.
    pub dreg: Reg,
    /// `NFTA_BITWISE_LEN`, bytes.
    pub len: u32,
    /// `NFTA_BITWISE_OP`: `NFT_BITWISE_MASK_XOR` (0, also when absent: kernels before 5.6), `LSHIFT`, `RSHIFT`,
    /// or, with `sreg2`, `AND`, `OR`, `XOR`.
    pub op: u32,
    /// `NFTA_BITWISE_SREG2`: the second operand's register, for `AND`, `OR` and `XOR` (`dreg = sreg | sreg2`).
    pub sreg2: Opt<Reg>,
    /// `NFTA_BITWISE_MASK`.
    pub mask: Opt<Data<'a>>,
    /// `NFTA_BITWISE_XOR`.
    pub xor: Opt<Data<'a>>,
    /// `NFTA_BITWISE_DATA`: the shift amount.
    pub data: Opt<Data<'a>>,
}

/// `byteorder` (nft_byteorder.c).
pub struct Byteorder {
    /// `NFTA_BYTEORDER_SREG`.
    pub sreg: Reg,
    /// `NFTA_BYTEORDER_DREG`.
    pub dreg: Reg,
    /// `NFTA_BYTEORDER_OP`: `NFT_BYTEORDER_NTOH` or `HTON`.
    pub op: u32,
    /// `NFTA_BYTEORDER_LEN`.
    pub len: u32,
    /// `NFTA_BYTEORDER_SIZE`: 2, 4 or 8.
    pub size: u32,
}

/// `cmp` (nft_cmp.c).
pub struct Cmp<'a> {
    /// `NFTA_CMP_SREG`.
    pub sreg: Reg,
    /// `NFTA_CMP_OP`: `NFT_CMP_EQ`..`GTE`.
    pub op: u32,
    /// `NFTA_CMP_DATA`.
    pub data: Data<'a>,
}

/// `connlimit` (nft_connlimit.c).
pub struct Connlimit {
    /// `NFTA_CONNLIMIT_COUNT`.
    pub count: u32,
    /// `NFTA_CONNLIMIT_FLAGS`: `NFT_CONNLIMIT_F_INV`.
    pub flags: u32,
}

/// `counter` (nft_counter.c).
pub struct Counter {
    /// `NFTA_COUNTER_BYTES`.
    pub bytes: u64,
    /// `NFTA_COUNTER_PACKETS`.
    pub packets: u64,
}

/// `ct` (nft_ct.c): load a conntrack key, or set one.
pub struct Ct {
    /// `NFTA_CT_DREG` (a load).
    pub dreg: Opt<Reg>,
    /// `NFTA_CT_KEY`: `NFT_CT_*`.
    pub key: u32,
    /// `NFTA_CT_DIRECTION`: `IP_CT_DIR_ORIGINAL` (0) or `REPLY` (1).
    pub direction: Opt<u8>,
    /// `NFTA_CT_SREG` (a set).
    pub sreg: Opt<Reg>,
}

/// `dup` (nft_dup_netdev.c, nft_dup_ipv4.c, nft_dup_ipv6.c).
pub struct Dup {
    /// `NFTA_DUP_SREG_ADDR`.
    pub sreg_addr: Opt<Reg>,
    /// `NFTA_DUP_SREG_DEV`.
    pub sreg_dev: Opt<Reg>,
}

/// `dynset` (nft_dynset.c): add or update an element of a set from the packet path.
pub struct Dynset<'a> {
    /// `NFTA_DYNSET_SET_NAME`.
    pub set_name: &'a str,
    /// `NFTA_DYNSET_SET_ID`.
    pub set_id: Opt<u32>,
    /// `NFTA_DYNSET_OP`: `NFT_DYNSET_OP_ADD`, `UPDATE`, `DELETE`.
    pub op: u32,
    /// `NFTA_DYNSET_SREG_KEY`.
    pub sreg_key: Reg,
    /// `NFTA_DYNSET_SREG_DATA`.
    pub sreg_data: Opt<Reg>,
    /// `NFTA_DYNSET_TIMEOUT`, milliseconds.
    pub timeout: Opt<u64>,
    /// `NFTA_DYNSET_FLAGS`.
    pub flags: Opt<u32>,
    /// `NFTA_DYNSET_EXPR` / `NFTA_DYNSET_EXPRESSIONS`: expressions attached to the new element.
    pub exprs: Exprs<'a>,
}

/// `exthdr` (nft_exthdr.c): IPv6 extension headers, TCP, IPv4, SCTP and DCCP options.
pub struct Exthdr {
    /// `NFTA_EXTHDR_DREG` (a load).
    pub dreg: Opt<Reg>,
    /// `NFTA_EXTHDR_SREG` (a write).
    pub sreg: Opt<Reg>,
    /// `NFTA_EXTHDR_TYPE`: header or option number.
    pub ty: u8,
    /// `NFTA_EXTHDR_OFFSET`.
    pub offset: u32,
    /// `NFTA_EXTHDR_LEN`.
    pub len: u32,
    /// `NFTA_EXTHDR_FLAGS`: `NFT_EXTHDR_F_PRESENT`.
    pub flags: u32,
    /// `NFTA_EXTHDR_OP`: `NFT_EXTHDR_OP_*`.
    pub op: u32,
}

/// `fib` (nft_fib.c).
pub struct Fib {
    /// `NFTA_FIB_DREG`.
    pub dreg: Reg,
    /// `NFTA_FIB_RESULT`: `NFT_FIB_RESULT_*`.
    pub result: u32,
    /// `NFTA_FIB_FLAGS`: `NFTA_FIB_F_*`.
    pub flags: u32,
}

/// `flow_offload` (nft_flow_offload.c).
pub struct FlowOffload<'a> {
    /// `NFTA_FLOW_TABLE_NAME`.
    pub table_name: &'a str,
}

/// `fwd` (nft_fwd_netdev.c).
pub struct Fwd {
    /// `NFTA_FWD_SREG_DEV`.
    pub sreg_dev: Opt<Reg>,
    /// `NFTA_FWD_SREG_ADDR`.
    pub sreg_addr: Opt<Reg>,
    /// `NFTA_FWD_NFPROTO`.
    pub nfproto: Opt<u32>,
}

/// `hash` (nft_hash.c): jhash or symhash.
pub struct Hash<'a> {
    /// `NFTA_HASH_SREG` (jhash only).
    pub sreg: Opt<Reg>,
    /// `NFTA_HASH_DREG`.
    pub dreg: Reg,
    /// `NFTA_HASH_LEN`.
    pub len: u32,
    /// `NFTA_HASH_MODULUS`.
    pub modulus: u32,
    /// `NFTA_HASH_SEED`; absent when the kernel chose one (jhash without
    /// `seed`).
    pub seed: Opt<u32>,
    /// `NFTA_HASH_OFFSET`.
    pub offset: u32,
    /// `NFTA_HASH_TYPE`: `NFT_HASH_JENKINS` or `NFT_HASH_SYM`.
    pub ty: u32,
    /// `NFTA_HASH_SET_NAME` (obsolete map lookup).
    pub set_name: Opt<&'a str>,
}

/// `immediate` (nft_immediate.c): load a constant or set the verdict.
pub struct Immediate<'a> {
    /// `NFTA_IMMEDIATE_DREG`.
    pub dreg: Reg,
    /// `NFTA_IMMEDIATE_DATA`.
    pub data: Data<'a>,
}

/// `inner` (nft_inner.c, Linux 6.2): match inside a tunnel header.
pub struct Inner<'a> {
    /// `NFTA_INNER_NUM`.
    pub num: u32,
    /// `NFTA_INNER_TYPE`: `NFT_INNER_UNSPEC`, `VXLAN`, `GENEVE`, `GRE`, ...
    pub ty: u32,
    /// `NFTA_INNER_FLAGS`.
    pub flags: u32,
    /// `NFTA_INNER_HDRSIZE`.
    pub hdrsize: u32,
    /// `NFTA_INNER_EXPR`: the payload or meta expression evaluated inside.
    pub expr: Exprs<'a>,
}

/// `last` (nft_last.c, Linux 5.14).
pub struct Last {
    /// `NFTA_LAST_SET`: 1 once a packet was seen.
    pub set: u32,
    /// `NFTA_LAST_MSECS`: milliseconds since then.
    pub msecs: u64,
}

/// `limit` (nft_limit.c).
pub struct Limit {
    /// `NFTA_LIMIT_RATE`.
    pub rate: u64,
    /// `NFTA_LIMIT_UNIT`, seconds.
    pub unit: u64,
    /// `NFTA_LIMIT_BURST`.
    pub burst: u32,
    /// `NFTA_LIMIT_TYPE`: `NFT_LIMIT_PKTS` or `NFT_LIMIT_PKT_BYTES`.
    pub ty: u32,
    /// `NFTA_LIMIT_FLAGS`: `NFT_LIMIT_F_INV`.
    pub flags: u32,
}

/// `log` (nft_log.c).
pub struct Log<'a> {
    /// `NFTA_LOG_PREFIX`.
    pub prefix: Opt<&'a str>,
    /// `NFTA_LOG_GROUP` (nflog).
    pub group: Opt<u16>,
    /// `NFTA_LOG_SNAPLEN`.
    pub snaplen: Opt<u32>,
    /// `NFTA_LOG_QTHRESHOLD`.
    pub qthreshold: Opt<u16>,
    /// `NFTA_LOG_LEVEL`.
    pub level: Opt<u32>,
    /// `NFTA_LOG_FLAGS`: `NF_LOG_*`.
    pub flags: Opt<u32>,
}

/// `lookup` (nft_lookup.c): set membership, or a map lookup into `dreg`.
pub struct Lookup<'a> {
    /// `NFTA_LOOKUP_SET`.
    pub set: &'a str,
    /// `NFTA_LOOKUP_SET_ID`.
    pub set_id: Opt<u32>,
    /// `NFTA_LOOKUP_SREG`.
    pub sreg: Reg,
    /// `NFTA_LOOKUP_DREG` (maps; 0 = verdict map).
    pub dreg: Opt<Reg>,
    /// `NFTA_LOOKUP_FLAGS`: `NFT_LOOKUP_F_INV`.
    pub flags: Opt<u32>,
}

/// `masq` (nft_masq.c) and `redir` (nft_redir.c).
pub struct Masq {
    /// `NFTA_MASQ_FLAGS` / `NFTA_REDIR_FLAGS`: `NF_NAT_RANGE_*`.
    pub flags: Opt<u32>,
    /// `NFTA_*_REG_PROTO_MIN`.
    pub reg_proto_min: Opt<Reg>,
    /// `NFTA_*_REG_PROTO_MAX`.
    pub reg_proto_max: Opt<Reg>,
}

/// `match` and `target` (nft_compat.c): an xtables extension with its binary blob.
pub struct Xt<'a> {
    /// `NFTA_MATCH_NAME` / `NFTA_TARGET_NAME`.
    pub name: &'a str,
    /// `NFTA_MATCH_REV` / `NFTA_TARGET_REV`.
    pub rev: u32,
    /// `NFTA_MATCH_INFO` / `NFTA_TARGET_INFO`: the `xt_*_info` struct, host order; see [`crate::xt`].
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub info: &'a [u8],
}

/// `meta` (nft_meta.c): load a meta key, or set one.
pub struct Meta {
    /// `NFTA_META_KEY`: `NFT_META_*`.
    pub key: u32,
    /// `NFTA_META_DREG` (a load).
    pub dreg: Opt<Reg>,
    /// `NFTA_META_SREG` (a set).
    pub sreg: Opt<Reg>,
}

/// `nat` (nft_nat.c): snat or dnat with the addresses and ports in registers.
pub struct Nat {
    /// `NFTA_NAT_TYPE`: `NFT_NAT_SNAT` or `NFT_NAT_DNAT`.
    pub ty: u32,
    /// `NFTA_NAT_FAMILY`: `NFPROTO_IPV4`, `IPV6` or `INET` (port only).
    pub family: u32,
    /// `NFTA_NAT_REG_ADDR_MIN`.
    pub reg_addr_min: Opt<Reg>,
    /// `NFTA_NAT_REG_ADDR_MAX`.
    pub reg_addr_max: Opt<Reg>,
    /// `NFTA_NAT_REG_PROTO_MIN`.
    pub reg_proto_min: Opt<Reg>,
    /// `NFTA_NAT_REG_PROTO_MAX`.
    pub reg_proto_max: Opt<Reg>,
    /// `NFTA_NAT_FLAGS`: `NF_NAT_RANGE_*`.
    pub flags: Opt<u32>,
}

/// `numgen` (nft_numgen.c).
pub struct Numgen {
    /// `NFTA_NG_DREG`.
    pub dreg: Reg,
    /// `NFTA_NG_MODULUS`.
    pub modulus: u32,
    /// `NFTA_NG_TYPE`: `NFT_NG_INCREMENTAL` or `NFT_NG_RANDOM`.
    pub ty: u32,
    /// `NFTA_NG_OFFSET`.
    pub offset: u32,
}

/// `objref` (nft_objref.c): use a named stateful object, directly or through a map.
pub struct Objref<'a> {
    /// `NFTA_OBJREF_IMM_TYPE`: `NFT_OBJECT_*`.
    pub imm_type: Opt<u32>,
    /// `NFTA_OBJREF_IMM_NAME`.
    pub imm_name: Opt<&'a str>,
    /// `NFTA_OBJREF_SET_SREG`.
    pub set_sreg: Opt<Reg>,
    /// `NFTA_OBJREF_SET_NAME`.
    pub set_name: Opt<&'a str>,
    /// `NFTA_OBJREF_SET_ID`.
    pub set_id: Opt<u32>,
}

/// `osf` (nft_osf.c): passive OS fingerprint.
pub struct Osf {
    /// `NFTA_OSF_DREG`.
    pub dreg: Reg,
    /// `NFTA_OSF_TTL`.
    pub ttl: Opt<u8>,
    /// `NFTA_OSF_FLAGS`: `NFT_OSF_F_VERSION`.
    pub flags: Opt<u32>,
}

/// `payload` (nft_payload.c): load header bytes, or write them (with checksum fix-up).
pub struct Payload {
    /// `NFTA_PAYLOAD_DREG` (a load).
    pub dreg: Opt<Reg>,
    /// `NFTA_PAYLOAD_BASE`: `NFT_PAYLOAD_LL_HEADER`, `NETWORK`, `TRANSPORT`, `INNER`.
    pub base: u32,
    /// `NFTA_PAYLOAD_OFFSET`.
    pub offset: u32,
    /// `NFTA_PAYLOAD_LEN`.
    pub len: u32,
    /// `NFTA_PAYLOAD_SREG` (a write).
    pub sreg: Opt<Reg>,
    /// `NFTA_PAYLOAD_CSUM_TYPE`.
    pub csum_type: u32,
    /// `NFTA_PAYLOAD_CSUM_OFFSET`.
    pub csum_offset: u32,
    /// `NFTA_PAYLOAD_CSUM_FLAGS`.
    pub csum_flags: u32,
}

/// `queue` (nft_queue.c).
pub struct Queue {
    /// `NFTA_QUEUE_NUM`.
    pub num: Opt<u16>,
    /// `NFTA_QUEUE_TOTAL`.
    pub total: Opt<u16>,
    /// `NFTA_QUEUE_FLAGS`: `NFT_QUEUE_FLAG_BYPASS`, `CPU_FANOUT`.
    pub flags: Opt<u16>,
    /// `NFTA_QUEUE_SREG_QNUM`.
    pub sreg_qnum: Opt<Reg>,
}

/// `quota` (nft_quota.c).
pub struct Quota {
    /// `NFTA_QUOTA_BYTES`.
    pub bytes: u64,
    /// `NFTA_QUOTA_CONSUMED`.
    pub consumed: u64,
    /// `NFTA_QUOTA_FLAGS`: `NFT_QUOTA_F_INV`, `DEPLETED`.
    pub flags: u32,
}

/// `range` (nft_range.c).
pub struct Range<'a> {
    /// `NFTA_RANGE_SREG`.
    pub sreg: Reg,
    /// `NFTA_RANGE_OP`: `NFT_RANGE_EQ` or `NEQ`.
    pub op: u32,
    /// `NFTA_RANGE_FROM_DATA`.
    pub from: Data<'a>,
    /// `NFTA_RANGE_TO_DATA`.
    pub to: Data<'a>,
}

/// `reject` (nft_reject.c).
pub struct Reject {
    /// `NFTA_REJECT_TYPE`: `NFT_REJECT_ICMP_UNREACH`, `TCP_RST`, `ICMPX_UNREACH`.
    pub ty: u32,
    /// `NFTA_REJECT_ICMP_CODE`.
    pub code: u8,
}

/// `rt` (nft_rt.c).
pub struct Rt {
    /// `NFTA_RT_DREG`.
    pub dreg: Reg,
    /// `NFTA_RT_KEY`: `NFT_RT_*`.
    pub key: u32,
}

/// `socket` (nft_socket.c).
pub struct Socket {
    /// `NFTA_SOCKET_KEY`: `NFT_SOCKET_*`.
    pub key: u32,
    /// `NFTA_SOCKET_DREG`.
    pub dreg: Reg,
    /// `NFTA_SOCKET_LEVEL` (cgroupv2).
    pub level: Opt<u32>,
}

/// `synproxy` (nft_synproxy.c).
pub struct Synproxy {
    /// `NFTA_SYNPROXY_MSS`.
    pub mss: u16,
    /// `NFTA_SYNPROXY_WSCALE`.
    pub wscale: u8,
    /// `NFTA_SYNPROXY_FLAGS`: `NF_SYNPROXY_OPT_*`.
    pub flags: u32,
}

/// `tproxy` (nft_tproxy.c).
pub struct Tproxy {
    /// `NFTA_TPROXY_FAMILY`.
    pub family: u32,
    /// `NFTA_TPROXY_REG_ADDR`.
    pub reg_addr: Opt<Reg>,
    /// `NFTA_TPROXY_REG_PORT`.
    pub reg_port: Opt<Reg>,
}

/// `tunnel` (nft_tunnel.c).
pub struct Tunnel {
    /// `NFTA_TUNNEL_KEY`: `NFT_TUNNEL_PATH` or `ID`.
    pub key: u32,
    /// `NFTA_TUNNEL_DREG`.
    pub dreg: Reg,
    /// `NFTA_TUNNEL_MODE`.
    pub mode: Opt<u32>,
}

/// `xfrm` (nft_xfrm.c): IPsec state.
pub struct Xfrm {
    /// `NFTA_XFRM_DREG`.
    pub dreg: Reg,
    /// `NFTA_XFRM_KEY`: `NFT_XFRM_KEY_*`.
    pub key: u32,
    /// `NFTA_XFRM_DIR`: `XFRM_POLICY_IN` (0) or `OUT` (1).
    pub dir: u8,
    /// `NFTA_XFRM_SPNUM`.
    pub spnum: u32,
}
}

/// One kernel expression, decoded. See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "expr", rename_all = "snake_case"))]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Expr<'a> {
    Bitwise(Bitwise<'a>),
    Byteorder(Byteorder),
    Cmp(Cmp<'a>),
    Connlimit(Connlimit),
    Counter(Counter),
    Ct(Ct),
    Dup(Dup),
    Dynset(Dynset<'a>),
    Exthdr(Exthdr),
    Fib(Fib),
    FlowOffload(FlowOffload<'a>),
    Fwd(Fwd),
    Hash(Hash<'a>),
    Immediate(Immediate<'a>),
    Inner(Inner<'a>),
    Last(Last),
    Limit(Limit),
    Log(Log<'a>),
    Lookup(Lookup<'a>),
    Masq(Masq),
    Match(Xt<'a>),
    Meta(Meta),
    Nat(Nat),
    Notrack,
    Numgen(Numgen),
    Objref(Objref<'a>),
    Osf(Osf),
    Payload(Payload),
    Queue(Queue),
    Quota(Quota),
    Range(Range<'a>),
    Redir(Masq),
    Reject(Reject),
    Rt(Rt),
    Socket(Socket),
    Synproxy(Synproxy),
    Target(Xt<'a>),
    Tproxy(Tproxy),
    Tunnel(Tunnel),
    Xfrm(Xfrm),
    /// An expression this version does not know, kept verbatim.
    Unknown {
        /// `NFTA_EXPR_NAME`.
        name: &'a str,
        /// `NFTA_EXPR_DATA`'s value (its attributes, undecoded).
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        data: &'a [u8],
    },
}

/// `v` without one trailing NUL.
fn strip_nul(v: &[u8]) -> &[u8] {
    match v {
        [rest @ .., 0] => rest,
        _ => v,
    }
}

/// An xt extension's name: the names iptables writes are found without a
/// UTF-8 check, any other is checked.
fn xt_name<'a>(a: &Attr<'a>) -> Result<&'a str> {
    // As in `expr_name`: a known name holds no NUL.
    match crate::xt::known_name(strip_nul(a.value())) {
        Some(n) => Ok(n),
        None => a.value_cstr(),
    }
}

/// One `NFTA_LIST_ELEM` of an expression list: the name, the raw data and
/// where they are; [`ExprAttr::decode`] gives the typed [`Expr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExprAttr<'a> {
    /// `NFTA_EXPR_NAME`.
    pub name: &'a str,
    /// `NFTA_EXPR_DATA` (absent for expressions without attributes, e.g. `notrack`).
    pub data: Option<Attr<'a>>,
    /// Byte offset of the list element.
    pub offset: usize,
    /// The kind, when `name` is one [`decode`] knows (found once, here).
    known: Option<K>,
}

impl<'a> ExprAttr<'a> {
    /// Reads one `NFTA_LIST_ELEM` (or a bare `NFTA_*_EXPR` nest).
    pub fn parse(elem: &Attr<'a>) -> Result<Self> {
        Self::from_nest(elem.value(), elem.offset(), elem.value_offset())
    }

    /// `NFTA_EXPR_NAME` and `NFTA_EXPR_DATA` from the attributes in `buf`
    /// (at `base`), in one pass; the element is at `offset`.
    fn from_nest(buf: &'a [u8], offset: usize, base: usize) -> Result<Self> {
        let (mut name, mut data) = (None, None);
        read!(AttrIter::new(buf, base);
            NFTA_EXPR_NAME => name, o_attr;
            NFTA_EXPR_DATA => data, o_attr;
        );
        let (name, known) = expr_name(need(name, offset, "NFTA_EXPR_NAME")?)?;
        Ok(ExprAttr {
            name,
            data,
            offset,
            known,
        })
    }

    /// Decodes the expression.
    pub fn decode(&self) -> Result<Expr<'a>> {
        decode_kind(self.known, self.name, self.data, self.offset, 0)
    }
}

/// An expression list (`NFTA_RULE_EXPRESSIONS`, `NFTA_DYNSET_EXPRESSIONS`,
/// `NFTA_SET_ELEM_EXPRESSIONS`, ...), kept as bytes and decoded while
/// iterating: no allocation.
#[derive(Debug, Clone, Copy, Eq, Default)]
pub struct Exprs<'a> {
    buf: &'a [u8],
    base: usize,
    /// A single expression nest (`NFTA_DYNSET_EXPR`) rather than a list.
    single: bool,
    depth: u32,
}

/// Two lists are equal when they hold the same bytes in the same form,
/// wherever they sit in their buffers.
impl PartialEq for Exprs<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.buf == other.buf && self.single == other.single
    }
}

impl<'a> Exprs<'a> {
    /// The list held by `attr` (a nest of `NFTA_LIST_ELEM`).
    pub fn list(attr: &Attr<'a>) -> Self {
        Exprs {
            buf: attr.value(),
            base: attr.value_offset(),
            single: false,
            depth: 0,
        }
    }
    /// A single expression nest (`NFTA_EXPR_NAME` + `NFTA_EXPR_DATA`).
    pub fn single(attr: &Attr<'a>) -> Self {
        Exprs {
            buf: attr.value(),
            base: attr.value_offset(),
            single: true,
            depth: 0,
        }
    }
    /// The expressions of an object that carries either a list
    /// (`NFTA_*_EXPRESSIONS`, preferred when both are there) or a single
    /// nest (`NFTA_*_EXPR`, older kernels), or none.
    pub fn from_attrs(list: Option<Attr<'a>>, single: Option<Attr<'a>>) -> Self {
        match (list, single) {
            (Some(l), _) => Exprs::list(&l),
            (None, Some(e)) => Exprs::single(&e),
            (None, None) => Exprs::default(),
        }
    }
    fn at_depth(mut self, depth: u32) -> Self {
        self.depth = depth;
        self
    }
    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
    /// The raw bytes of the list.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }
    /// The elements, undecoded.
    pub fn attrs(&self) -> ExprAttrIter<'a> {
        ExprAttrIter {
            inner: AttrIter::new(self.buf, self.base),
            single: self.single.then_some((self.buf, self.base)),
        }
    }
    /// The decoded expressions.
    pub fn iter(&self) -> ExprIter<'a> {
        ExprIter {
            attrs: self.attrs(),
            depth: self.depth,
        }
    }
}

impl<'a> IntoIterator for &Exprs<'a> {
    type Item = Result<Expr<'a>>;
    type IntoIter = ExprIter<'a>;
    fn into_iter(self) -> ExprIter<'a> {
        self.iter()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Exprs<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        crate::hex::seq(self.iter(), s)
    }
}

/// Iterator over the undecoded elements of an [`Exprs`].
#[derive(Debug, Clone)]
pub struct ExprAttrIter<'a> {
    inner: AttrIter<'a>,
    single: Option<(&'a [u8], usize)>,
}

impl<'a> Iterator for ExprAttrIter<'a> {
    type Item = Result<ExprAttr<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        if let Some((buf, base)) = self.single.take() {
            // The nest itself holds NAME and DATA.
            self.inner = AttrIter::new(&[], 0);
            return Some(ExprAttr::from_nest(buf, base, base));
        }
        let a = self.inner.next()?;
        Some(a.and_then(|a| ExprAttr::parse(&a)))
    }
}

/// Iterator over the decoded expressions of an [`Exprs`]. Stops after the
/// first error.
#[derive(Debug, Clone)]
pub struct ExprIter<'a> {
    attrs: ExprAttrIter<'a>,
    depth: u32,
}

impl<'a> Iterator for ExprIter<'a> {
    type Item = Result<Expr<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        let r = self
            .attrs
            .next()?
            .and_then(|a| decode_kind(a.known, a.name, a.data, a.offset, self.depth));
        if r.is_err() {
            self.attrs = ExprAttrIter {
                inner: AttrIter::new(&[], 0),
                single: None,
            };
        }
        Some(r)
    }
}

/// The expression names [`decode`] knows, with their kinds.
const KINDS: [(&str, K); 40] = [
    ("bitwise", K::Bitwise),
    ("byteorder", K::Byteorder),
    ("cmp", K::Cmp),
    ("connlimit", K::Connlimit),
    ("counter", K::Counter),
    ("ct", K::Ct),
    ("dup", K::Dup),
    ("dynset", K::Dynset),
    ("exthdr", K::Exthdr),
    ("fib", K::Fib),
    ("flow_offload", K::FlowOffload),
    ("fwd", K::Fwd),
    ("hash", K::Hash),
    ("immediate", K::Immediate),
    ("inner", K::Inner),
    ("last", K::Last),
    ("limit", K::Limit),
    ("log", K::Log),
    ("lookup", K::Lookup),
    ("masq", K::Masq),
    ("match", K::Match),
    ("meta", K::Meta),
    ("nat", K::Nat),
    ("notrack", K::Notrack),
    ("numgen", K::Numgen),
    ("objref", K::Objref),
    ("osf", K::Osf),
    ("payload", K::Payload),
    ("queue", K::Queue),
    ("quota", K::Quota),
    ("range", K::Range),
    ("redir", K::Redir),
    ("reject", K::Reject),
    ("rt", K::Rt),
    ("socket", K::Socket),
    ("synproxy", K::Synproxy),
    ("target", K::Target),
    ("tproxy", K::Tproxy),
    ("tunnel", K::Tunnel),
    ("xfrm", K::Xfrm),
];

/// The expression names [`decode`] knows.
#[allow(clippy::indexing_slicing)] // const evaluation: out of bounds fails the build
pub const KNOWN: [&str; 40] = {
    let mut names = [""; 40];
    let mut i = 0;
    while i < names.len() {
        names[i] = KINDS[i].0;
        i += 1;
    }
    names
};

/// The known expressions, as one value to dispatch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Bitwise,
    Byteorder,
    Cmp,
    Connlimit,
    Counter,
    Ct,
    Dup,
    Dynset,
    Exthdr,
    Fib,
    FlowOffload,
    Fwd,
    Hash,
    Immediate,
    Inner,
    Last,
    Limit,
    Log,
    Lookup,
    Masq,
    Match,
    Meta,
    Nat,
    Notrack,
    Numgen,
    Objref,
    Osf,
    Payload,
    Queue,
    Quota,
    Range,
    Redir,
    Reject,
    Rt,
    Socket,
    Synproxy,
    Target,
    Tproxy,
    Tunnel,
    Xfrm,
}

/// `NFTA_EXPR_NAME`: a known name without a UTF-8 check, any other checked.
fn expr_name(a: Attr<'_>) -> Result<(&str, Option<K>)> {
    // A known name has no NUL, so if the bytes before the terminating NUL
    // are one, that NUL is the first.
    match kind(strip_nul(a.value())) {
        Some((n, k)) => Ok((n, Some(k))),
        None => Ok((a.value_cstr()?, None)),
    }
}

/// Where a name's kind is in [`BY_SLOT`]: a hash of (first byte, last
/// byte, length) that is perfect on the 40 known names (checked when
/// `BY_SLOT` is built), so one load and one compare find the kind.
const fn slot(first: u8, last: u8, len: usize) -> usize {
    (first as usize + last as usize * 9 + len * 30) & 127
}

/// The known names by [`slot`].
#[allow(clippy::indexing_slicing)] // const evaluation: out of bounds fails the build
const BY_SLOT: [Option<(&str, K)>; 128] = {
    let mut t = [None; 128];
    let mut i = 0;
    while i < KINDS.len() {
        let (n, k) = KINDS[i];
        let b = n.as_bytes();
        let s = slot(b[0], b[b.len() - 1], b.len());
        assert!(t[s].is_none(), "slot() is not perfect on the known names");
        t[s] = Some((n, k));
        i += 1;
    }
    t
};

/// The kind of a known expression name, with the name as a `'static` str
/// (no UTF-8 check needed for a known name).
fn kind(name: &[u8]) -> Option<(&'static str, K)> {
    let (&first, &last) = (name.first()?, name.last()?);
    let (n, k) = BY_SLOT
        .get(slot(first, last, name.len()))
        .copied()
        .flatten()?;
    (n.as_bytes() == name).then_some((n, k))
}

/// Decodes one expression from its name and `NFTA_EXPR_DATA`.
pub fn decode<'a>(
    name: &'a str,
    data: Option<Attr<'a>>,
    at: usize,
    depth: u32,
) -> Result<Expr<'a>> {
    decode_kind(kind(name.as_bytes()).map(|(_, k)| k), name, data, at, depth)
}

/// [`decode`] with the name's kind already looked up.
fn decode_kind<'a>(
    known: Option<K>,
    name: &'a str,
    data: Option<Attr<'a>>,
    at: usize,
    depth: u32,
) -> Result<Expr<'a>> {
    if depth > MAX_NEST {
        return Err(DecodeError::new(at, DecodeErrorKind::NestTooDeep));
    }
    let Some(k) = known else {
        // Kept raw, even if its attributes would not parse.
        return Ok(Expr::Unknown {
            name,
            data: data.map_or(&[][..], |d| d.value()),
        });
    };
    let (it, at) = match data {
        Some(d) => (d.nested(), d.value_offset()),
        None => (AttrIter::new(&[], at), at),
    };
    Ok(match k {
        K::Bitwise => {
            let mut e = Bitwise::default();
            read!(it;
                NFTA_BITWISE_SREG => e.sreg, reg;
                NFTA_BITWISE_DREG => e.dreg, reg;
                NFTA_BITWISE_LEN => e.len, u32v;
                NFTA_BITWISE_OP => e.op, u32v;
                NFTA_BITWISE_MASK => e.mask, o_data;
                NFTA_BITWISE_XOR => e.xor, o_data;
                NFTA_BITWISE_DATA => e.data, o_data;
                NFTA_BITWISE_SREG2 => e.sreg2, o_reg;
            );
            Expr::Bitwise(e)
        }
        K::Byteorder => {
            let mut e = Byteorder::default();
            read!(it;
                NFTA_BYTEORDER_SREG => e.sreg, reg;
                NFTA_BYTEORDER_DREG => e.dreg, reg;
                NFTA_BYTEORDER_OP => e.op, u32v;
                NFTA_BYTEORDER_LEN => e.len, u32v;
                NFTA_BYTEORDER_SIZE => e.size, u32v;
            );
            Expr::Byteorder(e)
        }
        K::Cmp => {
            let (mut e, mut data) = (Cmp::default(), None);
            read!(it;
                NFTA_CMP_SREG => e.sreg, reg;
                NFTA_CMP_OP => e.op, u32v;
                NFTA_CMP_DATA => data, o_data;
            );
            e.data = need(data, at, "NFTA_CMP_DATA")?;
            Expr::Cmp(e)
        }
        K::Connlimit => {
            let mut e = Connlimit::default();
            read!(it;
                NFTA_CONNLIMIT_COUNT => e.count, u32v;
                NFTA_CONNLIMIT_FLAGS => e.flags, u32v;
            );
            Expr::Connlimit(e)
        }
        K::Counter => {
            let mut e = Counter::default();
            read!(it;
                NFTA_COUNTER_BYTES => e.bytes, u64v;
                NFTA_COUNTER_PACKETS => e.packets, u64v;
            );
            Expr::Counter(e)
        }
        K::Ct => {
            let mut e = Ct::default();
            read!(it;
                NFTA_CT_DREG => e.dreg, o_reg;
                NFTA_CT_KEY => e.key, u32v;
                NFTA_CT_DIRECTION => e.direction, o_u8;
                NFTA_CT_SREG => e.sreg, o_reg;
            );
            Expr::Ct(e)
        }
        K::Dup => {
            let mut e = Dup::default();
            read!(it;
                NFTA_DUP_SREG_ADDR => e.sreg_addr, o_reg;
                NFTA_DUP_SREG_DEV => e.sreg_dev, o_reg;
            );
            Expr::Dup(e)
        }
        K::Dynset => {
            let (mut e, mut list, mut single) = (Dynset::default(), None, None);
            read!(it;
                NFTA_DYNSET_SET_NAME => e.set_name, cstr;
                NFTA_DYNSET_SET_ID => e.set_id, o_u32;
                NFTA_DYNSET_OP => e.op, u32v;
                NFTA_DYNSET_SREG_KEY => e.sreg_key, reg;
                NFTA_DYNSET_SREG_DATA => e.sreg_data, o_reg;
                NFTA_DYNSET_TIMEOUT => e.timeout, o_u64;
                NFTA_DYNSET_FLAGS => e.flags, o_u32;
                NFTA_DYNSET_EXPRESSIONS => list, o_attr;
                NFTA_DYNSET_EXPR => single, o_attr;
            );
            e.exprs = Exprs::from_attrs(list, single).at_depth(depth + 1);
            Expr::Dynset(e)
        }
        K::Exthdr => {
            let mut e = Exthdr::default();
            read!(it;
                NFTA_EXTHDR_DREG => e.dreg, o_reg;
                NFTA_EXTHDR_SREG => e.sreg, o_reg;
                NFTA_EXTHDR_TYPE => e.ty, u8v;
                NFTA_EXTHDR_OFFSET => e.offset, u32v;
                NFTA_EXTHDR_LEN => e.len, u32v;
                NFTA_EXTHDR_FLAGS => e.flags, u32v;
                NFTA_EXTHDR_OP => e.op, u32v;
            );
            Expr::Exthdr(e)
        }
        K::Fib => {
            let mut e = Fib::default();
            read!(it;
                NFTA_FIB_DREG => e.dreg, reg;
                NFTA_FIB_RESULT => e.result, u32v;
                NFTA_FIB_FLAGS => e.flags, u32v;
            );
            Expr::Fib(e)
        }
        K::FlowOffload => {
            let mut e = FlowOffload::default();
            read!(it; NFTA_FLOW_TABLE_NAME => e.table_name, cstr;);
            Expr::FlowOffload(e)
        }
        K::Fwd => {
            let mut e = Fwd::default();
            read!(it;
                NFTA_FWD_SREG_DEV => e.sreg_dev, o_reg;
                NFTA_FWD_SREG_ADDR => e.sreg_addr, o_reg;
                NFTA_FWD_NFPROTO => e.nfproto, o_u32;
            );
            Expr::Fwd(e)
        }
        K::Hash => {
            let mut e = Hash::default();
            read!(it;
                NFTA_HASH_SREG => e.sreg, o_reg;
                NFTA_HASH_DREG => e.dreg, reg;
                NFTA_HASH_LEN => e.len, u32v;
                NFTA_HASH_MODULUS => e.modulus, u32v;
                NFTA_HASH_SEED => e.seed, o_u32;
                NFTA_HASH_OFFSET => e.offset, u32v;
                NFTA_HASH_TYPE => e.ty, u32v;
                NFTA_HASH_SET_NAME => e.set_name, o_str;
            );
            Expr::Hash(e)
        }
        K::Immediate => {
            let (mut e, mut data) = (Immediate::default(), None);
            read!(it;
                NFTA_IMMEDIATE_DREG => e.dreg, reg;
                NFTA_IMMEDIATE_DATA => data, o_data;
            );
            e.data = need(data, at, "NFTA_IMMEDIATE_DATA")?;
            Expr::Immediate(e)
        }
        K::Inner => {
            let (mut e, mut expr) = (Inner::default(), None);
            read!(it;
                NFTA_INNER_NUM => e.num, u32v;
                NFTA_INNER_TYPE => e.ty, u32v;
                NFTA_INNER_FLAGS => e.flags, u32v;
                NFTA_INNER_HDRSIZE => e.hdrsize, u32v;
                NFTA_INNER_EXPR => expr, o_attr;
            );
            if let Some(x) = expr {
                e.expr = Exprs::single(&x).at_depth(depth + 1);
            }
            Expr::Inner(e)
        }
        K::Last => {
            let mut e = Last::default();
            read!(it;
                NFTA_LAST_SET => e.set, u32v;
                NFTA_LAST_MSECS => e.msecs, u64v;
            );
            Expr::Last(e)
        }
        K::Limit => {
            let mut e = Limit::default();
            read!(it;
                NFTA_LIMIT_RATE => e.rate, u64v;
                NFTA_LIMIT_UNIT => e.unit, u64v;
                NFTA_LIMIT_BURST => e.burst, u32v;
                NFTA_LIMIT_TYPE => e.ty, u32v;
                NFTA_LIMIT_FLAGS => e.flags, u32v;
            );
            Expr::Limit(e)
        }
        K::Log => {
            let mut e = Log::default();
            read!(it;
                NFTA_LOG_PREFIX => e.prefix, o_str;
                NFTA_LOG_GROUP => e.group, o_u16;
                NFTA_LOG_SNAPLEN => e.snaplen, o_u32;
                NFTA_LOG_QTHRESHOLD => e.qthreshold, o_u16;
                NFTA_LOG_LEVEL => e.level, o_u32;
                NFTA_LOG_FLAGS => e.flags, o_u32;
            );
            Expr::Log(e)
        }
        K::Lookup => {
            let mut e = Lookup::default();
            read!(it;
                NFTA_LOOKUP_SET => e.set, cstr;
                NFTA_LOOKUP_SET_ID => e.set_id, o_u32;
                NFTA_LOOKUP_SREG => e.sreg, reg;
                NFTA_LOOKUP_DREG => e.dreg, o_reg;
                NFTA_LOOKUP_FLAGS => e.flags, o_u32;
            );
            Expr::Lookup(e)
        }
        K::Masq => {
            let mut e = Masq::default();
            read!(it;
                NFTA_MASQ_FLAGS => e.flags, o_u32;
                NFTA_MASQ_REG_PROTO_MIN => e.reg_proto_min, o_reg;
                NFTA_MASQ_REG_PROTO_MAX => e.reg_proto_max, o_reg;
            );
            Expr::Masq(e)
        }
        K::Redir => {
            let mut e = Masq::default();
            read!(it;
                NFTA_REDIR_FLAGS => e.flags, o_u32;
                NFTA_REDIR_REG_PROTO_MIN => e.reg_proto_min, o_reg;
                NFTA_REDIR_REG_PROTO_MAX => e.reg_proto_max, o_reg;
            );
            Expr::Redir(e)
        }
        K::Match | K::Target => {
            let mut e = Xt::default();
            // NFTA_MATCH_NAME = NFTA_TARGET_NAME = 1, REV = 2, INFO = 3.
            read!(it;
                NFTA_MATCH_NAME => e.name, xt_name;
                NFTA_MATCH_REV => e.rev, u32v;
                NFTA_MATCH_INFO => e.info, bytes;
            );
            if k == K::Match {
                Expr::Match(e)
            } else {
                Expr::Target(e)
            }
        }
        K::Meta => {
            let mut e = Meta::default();
            read!(it;
                NFTA_META_KEY => e.key, u32v;
                NFTA_META_DREG => e.dreg, o_reg;
                NFTA_META_SREG => e.sreg, o_reg;
            );
            Expr::Meta(e)
        }
        K::Nat => {
            let mut e = Nat::default();
            read!(it;
                NFTA_NAT_TYPE => e.ty, u32v;
                NFTA_NAT_FAMILY => e.family, u32v;
                NFTA_NAT_REG_ADDR_MIN => e.reg_addr_min, o_reg;
                NFTA_NAT_REG_ADDR_MAX => e.reg_addr_max, o_reg;
                NFTA_NAT_REG_PROTO_MIN => e.reg_proto_min, o_reg;
                NFTA_NAT_REG_PROTO_MAX => e.reg_proto_max, o_reg;
                NFTA_NAT_FLAGS => e.flags, o_u32;
            );
            Expr::Nat(e)
        }
        K::Notrack => Expr::Notrack,
        K::Numgen => {
            let mut e = Numgen::default();
            read!(it;
                NFTA_NG_DREG => e.dreg, reg;
                NFTA_NG_MODULUS => e.modulus, u32v;
                NFTA_NG_TYPE => e.ty, u32v;
                NFTA_NG_OFFSET => e.offset, u32v;
            );
            Expr::Numgen(e)
        }
        K::Objref => {
            let mut e = Objref::default();
            read!(it;
                NFTA_OBJREF_IMM_TYPE => e.imm_type, o_u32;
                NFTA_OBJREF_IMM_NAME => e.imm_name, o_str;
                NFTA_OBJREF_SET_SREG => e.set_sreg, o_reg;
                NFTA_OBJREF_SET_NAME => e.set_name, o_str;
                NFTA_OBJREF_SET_ID => e.set_id, o_u32;
            );
            Expr::Objref(e)
        }
        K::Osf => {
            let mut e = Osf::default();
            read!(it;
                NFTA_OSF_DREG => e.dreg, reg;
                NFTA_OSF_TTL => e.ttl, o_u8;
                NFTA_OSF_FLAGS => e.flags, o_u32;
            );
            Expr::Osf(e)
        }
        K::Payload => {
            let mut e = Payload::default();
            read!(it;
                NFTA_PAYLOAD_DREG => e.dreg, o_reg;
                NFTA_PAYLOAD_BASE => e.base, u32v;
                NFTA_PAYLOAD_OFFSET => e.offset, u32v;
                NFTA_PAYLOAD_LEN => e.len, u32v;
                NFTA_PAYLOAD_SREG => e.sreg, o_reg;
                NFTA_PAYLOAD_CSUM_TYPE => e.csum_type, u32v;
                NFTA_PAYLOAD_CSUM_OFFSET => e.csum_offset, u32v;
                NFTA_PAYLOAD_CSUM_FLAGS => e.csum_flags, u32v;
            );
            Expr::Payload(e)
        }
        K::Queue => {
            let mut e = Queue::default();
            read!(it;
                NFTA_QUEUE_NUM => e.num, o_u16;
                NFTA_QUEUE_TOTAL => e.total, o_u16;
                NFTA_QUEUE_FLAGS => e.flags, o_u16;
                NFTA_QUEUE_SREG_QNUM => e.sreg_qnum, o_reg;
            );
            Expr::Queue(e)
        }
        K::Quota => {
            let mut e = Quota::default();
            read!(it;
                NFTA_QUOTA_BYTES => e.bytes, u64v;
                NFTA_QUOTA_CONSUMED => e.consumed, u64v;
                NFTA_QUOTA_FLAGS => e.flags, u32v;
            );
            Expr::Quota(e)
        }
        K::Range => {
            let (mut e, mut from, mut to) = (Range::default(), None, None);
            read!(it;
                NFTA_RANGE_SREG => e.sreg, reg;
                NFTA_RANGE_OP => e.op, u32v;
                NFTA_RANGE_FROM_DATA => from, o_data;
                NFTA_RANGE_TO_DATA => to, o_data;
            );
            e.from = need(from, at, "NFTA_RANGE_FROM_DATA")?;
            e.to = need(to, at, "NFTA_RANGE_TO_DATA")?;
            Expr::Range(e)
        }
        K::Reject => {
            let mut e = Reject::default();
            read!(it;
                NFTA_REJECT_TYPE => e.ty, u32v;
                NFTA_REJECT_ICMP_CODE => e.code, u8v;
            );
            Expr::Reject(e)
        }
        K::Rt => {
            let mut e = Rt::default();
            read!(it;
                NFTA_RT_DREG => e.dreg, reg;
                NFTA_RT_KEY => e.key, u32v;
            );
            Expr::Rt(e)
        }
        K::Socket => {
            let mut e = Socket::default();
            read!(it;
                NFTA_SOCKET_KEY => e.key, u32v;
                NFTA_SOCKET_DREG => e.dreg, reg;
                NFTA_SOCKET_LEVEL => e.level, o_u32;
            );
            Expr::Socket(e)
        }
        K::Synproxy => {
            let mut e = Synproxy::default();
            read!(it;
                NFTA_SYNPROXY_MSS => e.mss, u16v;
                NFTA_SYNPROXY_WSCALE => e.wscale, u8v;
                NFTA_SYNPROXY_FLAGS => e.flags, u32v;
            );
            Expr::Synproxy(e)
        }
        K::Tproxy => {
            let mut e = Tproxy::default();
            read!(it;
                NFTA_TPROXY_FAMILY => e.family, u32v;
                NFTA_TPROXY_REG_ADDR => e.reg_addr, o_reg;
                NFTA_TPROXY_REG_PORT => e.reg_port, o_reg;
            );
            Expr::Tproxy(e)
        }
        K::Tunnel => {
            let mut e = Tunnel::default();
            read!(it;
                NFTA_TUNNEL_KEY => e.key, u32v;
                NFTA_TUNNEL_DREG => e.dreg, reg;
                NFTA_TUNNEL_MODE => e.mode, o_u32;
            );
            Expr::Tunnel(e)
        }
        K::Xfrm => {
            let mut e = Xfrm::default();
            read!(it;
                NFTA_XFRM_DREG => e.dreg, reg;
                NFTA_XFRM_KEY => e.key, u32v;
                NFTA_XFRM_DIR => e.dir, u8v;
                NFTA_XFRM_SPNUM => e.spnum, u32v;
            );
            Expr::Xfrm(e)
        }
    })
}
