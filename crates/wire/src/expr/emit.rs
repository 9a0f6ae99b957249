//! Encoding expressions back to netlink bytes: the inverse of
//! [`decode`](super::decode), so every decoder is round-trip tested
//! (`decode(emit(x)) == x`).

use super::*;
use crate::data::Data;

/// Appends one attribute, padded to 4 bytes.
pub fn put(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = (NLA_HDRLEN + value.len()) as u16;
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(crate::nl::align(out.len()), 0);
}

/// Appends a nested attribute built by `f`.
pub fn nest(out: &mut Vec<u8>, kind: u16, f: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
    f(out);
    let len = (out.len() - start) as u16;
    if let Some(h) = out.get_mut(start..start + 2) {
        h.copy_from_slice(&len.to_ne_bytes());
    }
}

fn cstr(out: &mut Vec<u8>, kind: u16, s: &str) {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    put(out, kind, &v);
}

fn data(out: &mut Vec<u8>, kind: u16, d: &Data<'_>) {
    nest(out, kind, |o| match d {
        Data::Value(v) => put(o, NFTA_DATA_VALUE, v),
        Data::Verdict(v) => nest(o, NFTA_DATA_VERDICT, |o| {
            put(o, NFTA_VERDICT_CODE, &(v.code as u32).to_be_bytes());
            if let Some(c) = v.chain {
                cstr(o, NFTA_VERDICT_CHAIN, c);
            }
        }),
    });
}

struct W<'o>(&'o mut Vec<u8>);

impl W<'_> {
    fn u32(&mut self, k: u16, v: u32) -> &mut Self {
        put(self.0, k, &v.to_be_bytes());
        self
    }
    fn o32(&mut self, k: u16, v: Option<u32>) -> &mut Self {
        if let Some(v) = v {
            self.u32(k, v);
        }
        self
    }
    fn reg(&mut self, k: u16, r: Reg) -> &mut Self {
        self.u32(k, r.0)
    }
    fn oreg(&mut self, k: u16, r: Option<Reg>) -> &mut Self {
        self.o32(k, r.map(|r| r.0))
    }
    fn u64(&mut self, k: u16, v: u64) -> &mut Self {
        put(self.0, k, &v.to_be_bytes());
        self
    }
    fn o64(&mut self, k: u16, v: Option<u64>) -> &mut Self {
        if let Some(v) = v {
            self.u64(k, v);
        }
        self
    }
    fn u16(&mut self, k: u16, v: Option<u16>) -> &mut Self {
        if let Some(v) = v {
            put(self.0, k, &v.to_be_bytes());
        }
        self
    }
    fn u8(&mut self, k: u16, v: Option<u8>) -> &mut Self {
        if let Some(v) = v {
            put(self.0, k, &[v]);
        }
        self
    }
    fn str(&mut self, k: u16, s: Option<&str>) -> &mut Self {
        if let Some(s) = s {
            cstr(self.0, k, s);
        }
        self
    }
    fn data(&mut self, k: u16, d: Option<&Data<'_>>) -> &mut Self {
        if let Some(d) = d {
            data(self.0, k, d);
        }
        self
    }
    fn exprs(&mut self, k: u16, e: &Exprs<'_>) -> &mut Self {
        if !e.is_empty() {
            put(self.0, k | NLA_F_NESTED, e.bytes());
        }
        self
    }
}

/// Appends `e` as one `NFTA_LIST_ELEM` (`NFTA_EXPR_NAME` + `NFTA_EXPR_DATA`).
pub fn emit(e: &Expr<'_>, out: &mut Vec<u8>) {
    nest(out, NFTA_LIST_ELEM, |o| {
        cstr(o, NFTA_EXPR_NAME, e.name());
        if matches!(e, Expr::Notrack) {
            return;
        }
        nest(o, NFTA_EXPR_DATA, |o| emit_data(e, &mut W(o)));
    });
}

fn emit_data(e: &Expr<'_>, w: &mut W<'_>) {
    match e {
        Expr::Bitwise(b) => {
            w.reg(NFTA_BITWISE_SREG, b.sreg)
                .reg(NFTA_BITWISE_DREG, b.dreg)
                .u32(NFTA_BITWISE_LEN, b.len);
            w.u32(NFTA_BITWISE_OP, b.op)
                .data(NFTA_BITWISE_MASK, b.mask.as_ref());
            w.data(NFTA_BITWISE_XOR, b.xor.as_ref())
                .data(NFTA_BITWISE_DATA, b.data.as_ref())
                .oreg(NFTA_BITWISE_SREG2, b.sreg2);
        }
        Expr::Byteorder(b) => {
            w.reg(NFTA_BYTEORDER_SREG, b.sreg)
                .reg(NFTA_BYTEORDER_DREG, b.dreg)
                .u32(NFTA_BYTEORDER_OP, b.op);
            w.u32(NFTA_BYTEORDER_LEN, b.len)
                .u32(NFTA_BYTEORDER_SIZE, b.size);
        }
        Expr::Cmp(c) => {
            w.reg(NFTA_CMP_SREG, c.sreg)
                .u32(NFTA_CMP_OP, c.op)
                .data(NFTA_CMP_DATA, Some(&c.data));
        }
        Expr::Connlimit(c) => {
            w.u32(NFTA_CONNLIMIT_COUNT, c.count)
                .u32(NFTA_CONNLIMIT_FLAGS, c.flags);
        }
        Expr::Counter(c) => {
            w.u64(NFTA_COUNTER_BYTES, c.bytes)
                .u64(NFTA_COUNTER_PACKETS, c.packets);
        }
        Expr::Ct(c) => {
            w.oreg(NFTA_CT_DREG, c.dreg)
                .u32(NFTA_CT_KEY, c.key)
                .u8(NFTA_CT_DIRECTION, c.direction);
            w.oreg(NFTA_CT_SREG, c.sreg);
        }
        Expr::Dup(d) => {
            w.oreg(NFTA_DUP_SREG_ADDR, d.sreg_addr)
                .oreg(NFTA_DUP_SREG_DEV, d.sreg_dev);
        }
        Expr::Dynset(d) => {
            w.str(NFTA_DYNSET_SET_NAME, Some(d.set_name))
                .o32(NFTA_DYNSET_SET_ID, d.set_id);
            w.u32(NFTA_DYNSET_OP, d.op)
                .reg(NFTA_DYNSET_SREG_KEY, d.sreg_key)
                .oreg(NFTA_DYNSET_SREG_DATA, d.sreg_data);
            w.o64(NFTA_DYNSET_TIMEOUT, d.timeout)
                .o32(NFTA_DYNSET_FLAGS, d.flags);
            let k = if d.exprs.single {
                NFTA_DYNSET_EXPR
            } else {
                NFTA_DYNSET_EXPRESSIONS
            };
            w.exprs(k, &d.exprs);
        }
        Expr::Exthdr(x) => {
            w.oreg(NFTA_EXTHDR_DREG, x.dreg)
                .oreg(NFTA_EXTHDR_SREG, x.sreg)
                .u8(NFTA_EXTHDR_TYPE, Some(x.ty));
            w.u32(NFTA_EXTHDR_OFFSET, x.offset)
                .u32(NFTA_EXTHDR_LEN, x.len)
                .u32(NFTA_EXTHDR_FLAGS, x.flags);
            w.u32(NFTA_EXTHDR_OP, x.op);
        }
        Expr::Fib(x) => {
            w.reg(NFTA_FIB_DREG, x.dreg)
                .u32(NFTA_FIB_RESULT, x.result)
                .u32(NFTA_FIB_FLAGS, x.flags);
        }
        Expr::FlowOffload(x) => {
            w.str(NFTA_FLOW_TABLE_NAME, Some(x.table_name));
        }
        Expr::Fwd(x) => {
            w.oreg(NFTA_FWD_SREG_DEV, x.sreg_dev)
                .oreg(NFTA_FWD_SREG_ADDR, x.sreg_addr)
                .o32(NFTA_FWD_NFPROTO, x.nfproto);
        }
        Expr::Hash(h) => {
            w.oreg(NFTA_HASH_SREG, h.sreg)
                .reg(NFTA_HASH_DREG, h.dreg)
                .u32(NFTA_HASH_LEN, h.len);
            w.u32(NFTA_HASH_MODULUS, h.modulus)
                .o32(NFTA_HASH_SEED, h.seed)
                .u32(NFTA_HASH_OFFSET, h.offset);
            w.u32(NFTA_HASH_TYPE, h.ty)
                .str(NFTA_HASH_SET_NAME, h.set_name);
        }
        Expr::Immediate(i) => {
            w.reg(NFTA_IMMEDIATE_DREG, i.dreg)
                .data(NFTA_IMMEDIATE_DATA, Some(&i.data));
        }
        Expr::Inner(i) => {
            w.u32(NFTA_INNER_NUM, i.num)
                .u32(NFTA_INNER_TYPE, i.ty)
                .u32(NFTA_INNER_FLAGS, i.flags);
            w.u32(NFTA_INNER_HDRSIZE, i.hdrsize)
                .exprs(NFTA_INNER_EXPR, &i.expr);
        }
        Expr::Last(l) => {
            w.u32(NFTA_LAST_SET, l.set).u64(NFTA_LAST_MSECS, l.msecs);
        }
        Expr::Limit(l) => {
            w.u64(NFTA_LIMIT_RATE, l.rate)
                .u64(NFTA_LIMIT_UNIT, l.unit)
                .u32(NFTA_LIMIT_BURST, l.burst);
            w.u32(NFTA_LIMIT_TYPE, l.ty).u32(NFTA_LIMIT_FLAGS, l.flags);
        }
        Expr::Log(l) => {
            w.str(NFTA_LOG_PREFIX, l.prefix)
                .u16(NFTA_LOG_GROUP, l.group)
                .o32(NFTA_LOG_SNAPLEN, l.snaplen);
            w.u16(NFTA_LOG_QTHRESHOLD, l.qthreshold)
                .o32(NFTA_LOG_LEVEL, l.level)
                .o32(NFTA_LOG_FLAGS, l.flags);
        }
        Expr::Lookup(l) => {
            w.str(NFTA_LOOKUP_SET, Some(l.set))
                .o32(NFTA_LOOKUP_SET_ID, l.set_id)
                .reg(NFTA_LOOKUP_SREG, l.sreg);
            w.oreg(NFTA_LOOKUP_DREG, l.dreg)
                .o32(NFTA_LOOKUP_FLAGS, l.flags);
        }
        Expr::Masq(m) => {
            w.o32(NFTA_MASQ_FLAGS, m.flags)
                .oreg(NFTA_MASQ_REG_PROTO_MIN, m.reg_proto_min);
            w.oreg(NFTA_MASQ_REG_PROTO_MAX, m.reg_proto_max);
        }
        Expr::Redir(m) => {
            w.o32(NFTA_REDIR_FLAGS, m.flags)
                .oreg(NFTA_REDIR_REG_PROTO_MIN, m.reg_proto_min);
            w.oreg(NFTA_REDIR_REG_PROTO_MAX, m.reg_proto_max);
        }
        Expr::Match(x) | Expr::Target(x) => {
            w.str(NFTA_MATCH_NAME, Some(x.name))
                .u32(NFTA_MATCH_REV, x.rev);
            put(w.0, NFTA_MATCH_INFO, x.info);
        }
        Expr::Meta(m) => {
            w.u32(NFTA_META_KEY, m.key)
                .oreg(NFTA_META_DREG, m.dreg)
                .oreg(NFTA_META_SREG, m.sreg);
        }
        Expr::Nat(n) => {
            w.u32(NFTA_NAT_TYPE, n.ty)
                .u32(NFTA_NAT_FAMILY, n.family)
                .oreg(NFTA_NAT_REG_ADDR_MIN, n.reg_addr_min);
            w.oreg(NFTA_NAT_REG_ADDR_MAX, n.reg_addr_max)
                .oreg(NFTA_NAT_REG_PROTO_MIN, n.reg_proto_min);
            w.oreg(NFTA_NAT_REG_PROTO_MAX, n.reg_proto_max)
                .o32(NFTA_NAT_FLAGS, n.flags);
        }
        Expr::Notrack => {}
        Expr::Numgen(n) => {
            w.reg(NFTA_NG_DREG, n.dreg)
                .u32(NFTA_NG_MODULUS, n.modulus)
                .u32(NFTA_NG_TYPE, n.ty);
            w.u32(NFTA_NG_OFFSET, n.offset);
        }
        Expr::Objref(o) => {
            w.o32(NFTA_OBJREF_IMM_TYPE, o.imm_type)
                .str(NFTA_OBJREF_IMM_NAME, o.imm_name);
            w.oreg(NFTA_OBJREF_SET_SREG, o.set_sreg)
                .str(NFTA_OBJREF_SET_NAME, o.set_name);
            w.o32(NFTA_OBJREF_SET_ID, o.set_id);
        }
        Expr::Osf(o) => {
            w.reg(NFTA_OSF_DREG, o.dreg)
                .u8(NFTA_OSF_TTL, o.ttl)
                .o32(NFTA_OSF_FLAGS, o.flags);
        }
        Expr::Payload(p) => {
            w.oreg(NFTA_PAYLOAD_DREG, p.dreg)
                .u32(NFTA_PAYLOAD_BASE, p.base)
                .u32(NFTA_PAYLOAD_OFFSET, p.offset);
            w.u32(NFTA_PAYLOAD_LEN, p.len)
                .oreg(NFTA_PAYLOAD_SREG, p.sreg)
                .u32(NFTA_PAYLOAD_CSUM_TYPE, p.csum_type);
            w.u32(NFTA_PAYLOAD_CSUM_OFFSET, p.csum_offset)
                .u32(NFTA_PAYLOAD_CSUM_FLAGS, p.csum_flags);
        }
        Expr::Queue(q) => {
            w.u16(NFTA_QUEUE_NUM, q.num)
                .u16(NFTA_QUEUE_TOTAL, q.total)
                .u16(NFTA_QUEUE_FLAGS, q.flags);
            w.oreg(NFTA_QUEUE_SREG_QNUM, q.sreg_qnum);
        }
        Expr::Quota(q) => {
            w.u64(NFTA_QUOTA_BYTES, q.bytes)
                .u64(NFTA_QUOTA_CONSUMED, q.consumed)
                .u32(NFTA_QUOTA_FLAGS, q.flags);
        }
        Expr::Range(r) => {
            w.reg(NFTA_RANGE_SREG, r.sreg).u32(NFTA_RANGE_OP, r.op);
            w.data(NFTA_RANGE_FROM_DATA, Some(&r.from))
                .data(NFTA_RANGE_TO_DATA, Some(&r.to));
        }
        Expr::Reject(r) => {
            w.u32(NFTA_REJECT_TYPE, r.ty)
                .u8(NFTA_REJECT_ICMP_CODE, Some(r.code));
        }
        Expr::Rt(r) => {
            w.reg(NFTA_RT_DREG, r.dreg).u32(NFTA_RT_KEY, r.key);
        }
        Expr::Socket(s) => {
            w.u32(NFTA_SOCKET_KEY, s.key)
                .reg(NFTA_SOCKET_DREG, s.dreg)
                .o32(NFTA_SOCKET_LEVEL, s.level);
        }
        Expr::Synproxy(s) => {
            w.u16(NFTA_SYNPROXY_MSS, Some(s.mss))
                .u8(NFTA_SYNPROXY_WSCALE, Some(s.wscale));
            w.u32(NFTA_SYNPROXY_FLAGS, s.flags);
        }
        Expr::Tproxy(t) => {
            w.u32(NFTA_TPROXY_FAMILY, t.family)
                .oreg(NFTA_TPROXY_REG_ADDR, t.reg_addr);
            w.oreg(NFTA_TPROXY_REG_PORT, t.reg_port);
        }
        Expr::Tunnel(t) => {
            w.u32(NFTA_TUNNEL_KEY, t.key)
                .reg(NFTA_TUNNEL_DREG, t.dreg)
                .o32(NFTA_TUNNEL_MODE, t.mode);
        }
        Expr::Xfrm(x) => {
            w.reg(NFTA_XFRM_DREG, x.dreg)
                .u32(NFTA_XFRM_KEY, x.key)
                .u8(NFTA_XFRM_DIR, Some(x.dir));
            w.u32(NFTA_XFRM_SPNUM, x.spnum);
        }
        Expr::Unknown { data, .. } => w.0.extend_from_slice(data),
    }
}
