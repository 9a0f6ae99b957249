//! Kernel expressions: one [`Expr`] variant per nf_tables expression.
//!
//! The variant is chosen by `NFTA_EXPR_NAME` after all `NFTA_EXPR_*`
//! attributes are read, so their order does not matter. Inside each
//! expression the attributes are read into a table by type (as libmnl does),
//! so their order does not matter either. Field names are the kernel's
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
use crate::nl::{need, Attr, AttrIter};
use crate::sys::*;

pub use print::{ct_key, family_name, meta_key, payload_base, write_expr, write_expr_body};

/// How deep expressions may nest (dynset and inner hold expressions).
pub const MAX_NEST: u32 = 4;

type Opt<T> = Option<T>;

fn u32_at(a: Option<Attr<'_>>) -> Result<Opt<u32>> {
    a.map(|a| a.value_u32_be()).transpose()
}
fn u64_at(a: Option<Attr<'_>>) -> Result<Opt<u64>> {
    a.map(|a| a.value_u64_be()).transpose()
}
fn reg_at(a: Option<Attr<'_>>) -> Result<Opt<Reg>> {
    Ok(u32_at(a)?.map(Reg))
}
fn str_at<'a>(a: Option<Attr<'a>>) -> Result<Opt<&'a str>> {
    a.map(|a| a.value_cstr()).transpose()
}
fn data_at<'a>(a: Option<Attr<'a>>) -> Result<Opt<Data<'a>>> {
    a.map(|a| Data::parse(&a)).transpose()
}
ser! {
/// `bitwise` (net/netfilter/nft_bitwise.c): `dreg = (sreg & mask) ^ xor`, or a shift.
pub struct Bitwise<'a> {
    /// `NFTA_BITWISE_SREG`.
    pub sreg: Reg,
    /// `NFTA_BITWISE_DREG`.
    pub dreg: Reg,
    /// `NFTA_BITWISE_LEN`, bytes.
    pub len: u32,
    /// `NFTA_BITWISE_OP`: `NFT_BITWISE_MASK_XOR` (0, also when absent: kernels before 5.6), `LSHIFT`, `RSHIFT`.
    pub op: u32,
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
    /// `NFTA_HASH_SEED`.
    pub seed: u32,
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
        let tb = elem.nested().table::<3>()?;
        let (name, known) = expr_name(need(
            tb.get(NFTA_EXPR_NAME),
            elem.offset(),
            "NFTA_EXPR_NAME",
        )?)?;
        Ok(ExprAttr {
            name,
            data: tb.get(NFTA_EXPR_DATA),
            offset: elem.offset(),
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
            let tb = match AttrIter::new(buf, base).table::<3>() {
                Ok(tb) => tb,
                Err(e) => return Some(Err(e)),
            };
            let (name, known) =
                match need(tb.get(NFTA_EXPR_NAME), base, "NFTA_EXPR_NAME").and_then(expr_name) {
                    Ok(n) => n,
                    Err(e) => return Some(Err(e)),
                };
            return Some(Ok(ExprAttr {
                name,
                data: tb.get(NFTA_EXPR_DATA),
                offset: base,
                known,
            }));
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

/// The expression names [`decode`] knows.
pub const KNOWN: [&str; 40] = [
    "bitwise",
    "byteorder",
    "cmp",
    "connlimit",
    "counter",
    "ct",
    "dup",
    "dynset",
    "exthdr",
    "fib",
    "flow_offload",
    "fwd",
    "hash",
    "immediate",
    "inner",
    "last",
    "limit",
    "log",
    "lookup",
    "masq",
    "match",
    "meta",
    "nat",
    "notrack",
    "numgen",
    "objref",
    "osf",
    "payload",
    "queue",
    "quota",
    "range",
    "redir",
    "reject",
    "rt",
    "socket",
    "synproxy",
    "target",
    "tproxy",
    "tunnel",
    "xfrm",
];

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
    let v = a.value();
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    match kind(v.get(..end).unwrap_or(&[])) {
        Some((n, k)) => Ok((n, Some(k))),
        None => Ok((a.value_cstr()?, None)),
    }
}

/// The kind of a known expression name, with the name as a `'static` str
/// (no UTF-8 check needed for a known name). The 40 names differ in
/// (length, first byte, last byte): one jump on that, then one compare.
fn kind(name: &[u8]) -> Option<(&'static str, K)> {
    let (&first, &last) = (name.first()?, name.last()?);
    let (n, k) = match (name.len(), first, last) {
        (7, b'b', b'e') => ("bitwise", K::Bitwise),
        (9, b'b', b'r') => ("byteorder", K::Byteorder),
        (3, b'c', b'p') => ("cmp", K::Cmp),
        (9, b'c', b't') => ("connlimit", K::Connlimit),
        (7, b'c', b'r') => ("counter", K::Counter),
        (2, b'c', b't') => ("ct", K::Ct),
        (3, b'd', b'p') => ("dup", K::Dup),
        (6, b'd', b't') => ("dynset", K::Dynset),
        (6, b'e', b'r') => ("exthdr", K::Exthdr),
        (3, b'f', b'b') => ("fib", K::Fib),
        (12, b'f', b'd') => ("flow_offload", K::FlowOffload),
        (3, b'f', b'd') => ("fwd", K::Fwd),
        (4, b'h', b'h') => ("hash", K::Hash),
        (9, b'i', b'e') => ("immediate", K::Immediate),
        (5, b'i', b'r') => ("inner", K::Inner),
        (4, b'l', b't') => ("last", K::Last),
        (5, b'l', b't') => ("limit", K::Limit),
        (3, b'l', b'g') => ("log", K::Log),
        (6, b'l', b'p') => ("lookup", K::Lookup),
        (4, b'm', b'q') => ("masq", K::Masq),
        (5, b'm', b'h') => ("match", K::Match),
        (4, b'm', b'a') => ("meta", K::Meta),
        (3, b'n', b't') => ("nat", K::Nat),
        (7, b'n', b'k') => ("notrack", K::Notrack),
        (6, b'n', b'n') => ("numgen", K::Numgen),
        (6, b'o', b'f') => ("objref", K::Objref),
        (3, b'o', b'f') => ("osf", K::Osf),
        (7, b'p', b'd') => ("payload", K::Payload),
        (5, b'q', b'e') => ("queue", K::Queue),
        (5, b'q', b'a') => ("quota", K::Quota),
        (5, b'r', b'e') => ("range", K::Range),
        (5, b'r', b'r') => ("redir", K::Redir),
        (6, b'r', b't') => ("reject", K::Reject),
        (2, b'r', b't') => ("rt", K::Rt),
        (6, b's', b't') => ("socket", K::Socket),
        (8, b's', b'y') => ("synproxy", K::Synproxy),
        (6, b't', b't') => ("target", K::Target),
        (6, b't', b'y') => ("tproxy", K::Tproxy),
        (6, b't', b'l') => ("tunnel", K::Tunnel),
        (4, b'x', b'm') => ("xfrm", K::Xfrm),
        _ => return None,
    };
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
    // Every known expression has fewer than 12 attribute types.
    let t = it.table::<12>()?;
    let t = |i: u16| t.get(i);
    let req = |i: u16, n: &'static str| need(t(i), at, n);
    let reg0 = |i: u16| -> Result<Reg> { Ok(reg_at(t(i))?.unwrap_or_default()) };
    let u32_0 = |i: u16| -> Result<u32> { Ok(u32_at(t(i))?.unwrap_or(0)) };
    let u64_0 = |i: u16| -> Result<u64> { Ok(u64_at(t(i))?.unwrap_or(0)) };
    Ok(match k {
        K::Bitwise => Expr::Bitwise(Bitwise {
            sreg: reg0(NFTA_BITWISE_SREG)?,
            dreg: reg0(NFTA_BITWISE_DREG)?,
            len: u32_0(NFTA_BITWISE_LEN)?,
            op: u32_0(NFTA_BITWISE_OP)?,
            mask: data_at(t(NFTA_BITWISE_MASK))?,
            xor: data_at(t(NFTA_BITWISE_XOR))?,
            data: data_at(t(NFTA_BITWISE_DATA))?,
        }),
        K::Byteorder => Expr::Byteorder(Byteorder {
            sreg: reg0(NFTA_BYTEORDER_SREG)?,
            dreg: reg0(NFTA_BYTEORDER_DREG)?,
            op: u32_0(NFTA_BYTEORDER_OP)?,
            len: u32_0(NFTA_BYTEORDER_LEN)?,
            size: u32_0(NFTA_BYTEORDER_SIZE)?,
        }),
        K::Cmp => Expr::Cmp(Cmp {
            sreg: reg0(NFTA_CMP_SREG)?,
            op: u32_0(NFTA_CMP_OP)?,
            data: Data::parse(&req(NFTA_CMP_DATA, "NFTA_CMP_DATA")?)?,
        }),
        K::Connlimit => Expr::Connlimit(Connlimit {
            count: u32_0(NFTA_CONNLIMIT_COUNT)?,
            flags: u32_0(NFTA_CONNLIMIT_FLAGS)?,
        }),
        K::Counter => Expr::Counter(Counter {
            bytes: u64_0(NFTA_COUNTER_BYTES)?,
            packets: u64_0(NFTA_COUNTER_PACKETS)?,
        }),
        K::Ct => Expr::Ct(Ct {
            dreg: reg_at(t(NFTA_CT_DREG))?,
            key: u32_0(NFTA_CT_KEY)?,
            direction: t(NFTA_CT_DIRECTION).map(|a| a.value_u8()).transpose()?,
            sreg: reg_at(t(NFTA_CT_SREG))?,
        }),
        K::Dup => Expr::Dup(Dup {
            sreg_addr: reg_at(t(NFTA_DUP_SREG_ADDR))?,
            sreg_dev: reg_at(t(NFTA_DUP_SREG_DEV))?,
        }),
        K::Dynset => Expr::Dynset(Dynset {
            set_name: str_at(t(NFTA_DYNSET_SET_NAME))?.unwrap_or(""),
            set_id: u32_at(t(NFTA_DYNSET_SET_ID))?,
            op: u32_0(NFTA_DYNSET_OP)?,
            sreg_key: reg0(NFTA_DYNSET_SREG_KEY)?,
            sreg_data: reg_at(t(NFTA_DYNSET_SREG_DATA))?,
            timeout: u64_at(t(NFTA_DYNSET_TIMEOUT))?,
            flags: u32_at(t(NFTA_DYNSET_FLAGS))?,
            exprs: Exprs::from_attrs(t(NFTA_DYNSET_EXPRESSIONS), t(NFTA_DYNSET_EXPR))
                .at_depth(depth + 1),
        }),
        K::Exthdr => Expr::Exthdr(Exthdr {
            dreg: reg_at(t(NFTA_EXTHDR_DREG))?,
            sreg: reg_at(t(NFTA_EXTHDR_SREG))?,
            ty: t(NFTA_EXTHDR_TYPE)
                .map(|a| a.value_u8())
                .transpose()?
                .unwrap_or(0),
            offset: u32_0(NFTA_EXTHDR_OFFSET)?,
            len: u32_0(NFTA_EXTHDR_LEN)?,
            flags: u32_0(NFTA_EXTHDR_FLAGS)?,
            op: u32_0(NFTA_EXTHDR_OP)?,
        }),
        K::Fib => Expr::Fib(Fib {
            dreg: reg0(NFTA_FIB_DREG)?,
            result: u32_0(NFTA_FIB_RESULT)?,
            flags: u32_0(NFTA_FIB_FLAGS)?,
        }),
        K::FlowOffload => Expr::FlowOffload(FlowOffload {
            table_name: str_at(t(NFTA_FLOW_TABLE_NAME))?.unwrap_or(""),
        }),
        K::Fwd => Expr::Fwd(Fwd {
            sreg_dev: reg_at(t(NFTA_FWD_SREG_DEV))?,
            sreg_addr: reg_at(t(NFTA_FWD_SREG_ADDR))?,
            nfproto: u32_at(t(NFTA_FWD_NFPROTO))?,
        }),
        K::Hash => Expr::Hash(Hash {
            sreg: reg_at(t(NFTA_HASH_SREG))?,
            dreg: reg0(NFTA_HASH_DREG)?,
            len: u32_0(NFTA_HASH_LEN)?,
            modulus: u32_0(NFTA_HASH_MODULUS)?,
            seed: u32_0(NFTA_HASH_SEED)?,
            offset: u32_0(NFTA_HASH_OFFSET)?,
            ty: u32_0(NFTA_HASH_TYPE)?,
            set_name: str_at(t(NFTA_HASH_SET_NAME))?,
        }),
        K::Immediate => Expr::Immediate(Immediate {
            dreg: reg0(NFTA_IMMEDIATE_DREG)?,
            data: Data::parse(&req(NFTA_IMMEDIATE_DATA, "NFTA_IMMEDIATE_DATA")?)?,
        }),
        K::Inner => Expr::Inner(Inner {
            num: u32_0(NFTA_INNER_NUM)?,
            ty: u32_0(NFTA_INNER_TYPE)?,
            flags: u32_0(NFTA_INNER_FLAGS)?,
            hdrsize: u32_0(NFTA_INNER_HDRSIZE)?,
            expr: t(NFTA_INNER_EXPR)
                .map(|e| Exprs::single(&e).at_depth(depth + 1))
                .unwrap_or_default(),
        }),
        K::Last => Expr::Last(Last {
            set: u32_0(NFTA_LAST_SET)?,
            msecs: u64_0(NFTA_LAST_MSECS)?,
        }),
        K::Limit => Expr::Limit(Limit {
            rate: u64_0(NFTA_LIMIT_RATE)?,
            unit: u64_0(NFTA_LIMIT_UNIT)?,
            burst: u32_0(NFTA_LIMIT_BURST)?,
            ty: u32_0(NFTA_LIMIT_TYPE)?,
            flags: u32_0(NFTA_LIMIT_FLAGS)?,
        }),
        K::Log => Expr::Log(Log {
            prefix: str_at(t(NFTA_LOG_PREFIX))?,
            group: t(NFTA_LOG_GROUP).map(|a| a.value_u16_be()).transpose()?,
            snaplen: u32_at(t(NFTA_LOG_SNAPLEN))?,
            qthreshold: t(NFTA_LOG_QTHRESHOLD)
                .map(|a| a.value_u16_be())
                .transpose()?,
            level: u32_at(t(NFTA_LOG_LEVEL))?,
            flags: u32_at(t(NFTA_LOG_FLAGS))?,
        }),
        K::Lookup => Expr::Lookup(Lookup {
            set: str_at(t(NFTA_LOOKUP_SET))?.unwrap_or(""),
            set_id: u32_at(t(NFTA_LOOKUP_SET_ID))?,
            sreg: reg0(NFTA_LOOKUP_SREG)?,
            dreg: reg_at(t(NFTA_LOOKUP_DREG))?,
            flags: u32_at(t(NFTA_LOOKUP_FLAGS))?,
        }),
        K::Masq => Expr::Masq(Masq {
            flags: u32_at(t(NFTA_MASQ_FLAGS))?,
            reg_proto_min: reg_at(t(NFTA_MASQ_REG_PROTO_MIN))?,
            reg_proto_max: reg_at(t(NFTA_MASQ_REG_PROTO_MAX))?,
        }),
        K::Redir => Expr::Redir(Masq {
            flags: u32_at(t(NFTA_REDIR_FLAGS))?,
            reg_proto_min: reg_at(t(NFTA_REDIR_REG_PROTO_MIN))?,
            reg_proto_max: reg_at(t(NFTA_REDIR_REG_PROTO_MAX))?,
        }),
        // NFTA_MATCH_NAME = NFTA_TARGET_NAME = 1, REV = 2, INFO = 3.
        K::Match | K::Target => {
            let xt = Xt {
                name: str_at(t(1))?.unwrap_or(""),
                rev: u32_0(2)?,
                info: t(3).map_or(&[][..], |a| a.value()),
            };
            if k == K::Match {
                Expr::Match(xt)
            } else {
                Expr::Target(xt)
            }
        }
        K::Meta => Expr::Meta(Meta {
            key: u32_0(NFTA_META_KEY)?,
            dreg: reg_at(t(NFTA_META_DREG))?,
            sreg: reg_at(t(NFTA_META_SREG))?,
        }),
        K::Nat => Expr::Nat(Nat {
            ty: u32_0(NFTA_NAT_TYPE)?,
            family: u32_0(NFTA_NAT_FAMILY)?,
            reg_addr_min: reg_at(t(NFTA_NAT_REG_ADDR_MIN))?,
            reg_addr_max: reg_at(t(NFTA_NAT_REG_ADDR_MAX))?,
            reg_proto_min: reg_at(t(NFTA_NAT_REG_PROTO_MIN))?,
            reg_proto_max: reg_at(t(NFTA_NAT_REG_PROTO_MAX))?,
            flags: u32_at(t(NFTA_NAT_FLAGS))?,
        }),
        K::Notrack => Expr::Notrack,
        K::Numgen => Expr::Numgen(Numgen {
            dreg: reg0(NFTA_NG_DREG)?,
            modulus: u32_0(NFTA_NG_MODULUS)?,
            ty: u32_0(NFTA_NG_TYPE)?,
            offset: u32_0(NFTA_NG_OFFSET)?,
        }),
        K::Objref => Expr::Objref(Objref {
            imm_type: u32_at(t(NFTA_OBJREF_IMM_TYPE))?,
            imm_name: str_at(t(NFTA_OBJREF_IMM_NAME))?,
            set_sreg: reg_at(t(NFTA_OBJREF_SET_SREG))?,
            set_name: str_at(t(NFTA_OBJREF_SET_NAME))?,
            set_id: u32_at(t(NFTA_OBJREF_SET_ID))?,
        }),
        K::Osf => Expr::Osf(Osf {
            dreg: reg0(NFTA_OSF_DREG)?,
            ttl: t(NFTA_OSF_TTL).map(|a| a.value_u8()).transpose()?,
            flags: u32_at(t(NFTA_OSF_FLAGS))?,
        }),
        K::Payload => Expr::Payload(Payload {
            dreg: reg_at(t(NFTA_PAYLOAD_DREG))?,
            base: u32_0(NFTA_PAYLOAD_BASE)?,
            offset: u32_0(NFTA_PAYLOAD_OFFSET)?,
            len: u32_0(NFTA_PAYLOAD_LEN)?,
            sreg: reg_at(t(NFTA_PAYLOAD_SREG))?,
            csum_type: u32_0(NFTA_PAYLOAD_CSUM_TYPE)?,
            csum_offset: u32_0(NFTA_PAYLOAD_CSUM_OFFSET)?,
            csum_flags: u32_0(NFTA_PAYLOAD_CSUM_FLAGS)?,
        }),
        K::Queue => Expr::Queue(Queue {
            num: t(NFTA_QUEUE_NUM).map(|a| a.value_u16_be()).transpose()?,
            total: t(NFTA_QUEUE_TOTAL).map(|a| a.value_u16_be()).transpose()?,
            flags: t(NFTA_QUEUE_FLAGS).map(|a| a.value_u16_be()).transpose()?,
            sreg_qnum: reg_at(t(NFTA_QUEUE_SREG_QNUM))?,
        }),
        K::Quota => Expr::Quota(Quota {
            bytes: u64_0(NFTA_QUOTA_BYTES)?,
            consumed: u64_0(NFTA_QUOTA_CONSUMED)?,
            flags: u32_0(NFTA_QUOTA_FLAGS)?,
        }),
        K::Range => Expr::Range(Range {
            sreg: reg0(NFTA_RANGE_SREG)?,
            op: u32_0(NFTA_RANGE_OP)?,
            from: Data::parse(&req(NFTA_RANGE_FROM_DATA, "NFTA_RANGE_FROM_DATA")?)?,
            to: Data::parse(&req(NFTA_RANGE_TO_DATA, "NFTA_RANGE_TO_DATA")?)?,
        }),
        K::Reject => Expr::Reject(Reject {
            ty: u32_0(NFTA_REJECT_TYPE)?,
            code: t(NFTA_REJECT_ICMP_CODE)
                .map(|a| a.value_u8())
                .transpose()?
                .unwrap_or(0),
        }),
        K::Rt => Expr::Rt(Rt {
            dreg: reg0(NFTA_RT_DREG)?,
            key: u32_0(NFTA_RT_KEY)?,
        }),
        K::Socket => Expr::Socket(Socket {
            key: u32_0(NFTA_SOCKET_KEY)?,
            dreg: reg0(NFTA_SOCKET_DREG)?,
            level: u32_at(t(NFTA_SOCKET_LEVEL))?,
        }),
        K::Synproxy => Expr::Synproxy(Synproxy {
            mss: t(NFTA_SYNPROXY_MSS)
                .map(|a| a.value_u16_be())
                .transpose()?
                .unwrap_or(0),
            wscale: t(NFTA_SYNPROXY_WSCALE)
                .map(|a| a.value_u8())
                .transpose()?
                .unwrap_or(0),
            flags: u32_0(NFTA_SYNPROXY_FLAGS)?,
        }),
        K::Tproxy => Expr::Tproxy(Tproxy {
            family: u32_0(NFTA_TPROXY_FAMILY)?,
            reg_addr: reg_at(t(NFTA_TPROXY_REG_ADDR))?,
            reg_port: reg_at(t(NFTA_TPROXY_REG_PORT))?,
        }),
        K::Tunnel => Expr::Tunnel(Tunnel {
            key: u32_0(NFTA_TUNNEL_KEY)?,
            dreg: reg0(NFTA_TUNNEL_DREG)?,
            mode: u32_at(t(NFTA_TUNNEL_MODE))?,
        }),
        K::Xfrm => Expr::Xfrm(Xfrm {
            dreg: reg0(NFTA_XFRM_DREG)?,
            key: u32_0(NFTA_XFRM_KEY)?,
            dir: t(NFTA_XFRM_DIR)
                .map(|a| a.value_u8())
                .transpose()?
                .unwrap_or(0),
            spnum: u32_0(NFTA_XFRM_SPNUM)?,
        }),
    })
}
