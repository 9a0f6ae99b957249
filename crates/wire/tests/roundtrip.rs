//! `decode(emit(x)) == x` for every expression variant (proptest), and the
//! printer never panics on what decodes.

use nflens_wire::expr::{self, emit::emit, *};
use nflens_wire::sys::{NFTA_CMP_DATA, NFTA_CMP_OP, NFTA_CMP_SREG};
use nflens_wire::{AttrIter, Data, Expr, ExprAttr, Exprs, Reg, Verdict};
use proptest::prelude::*;

/// Owned parts an expression is built from (expressions borrow).
#[derive(Debug, Clone)]
struct Parts {
    kind: usize,
    n: [u32; 12],
    wide: [u64; 3],
    some: u16,
    bytes: Vec<u8>,
    name: String,
    verdict: (i32, bool),
    nested: Vec<u8>,
    nested_list: Vec<u8>,
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        0..41usize,
        any::<[u32; 12]>(),
        any::<[u64; 3]>(),
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..24),
        "[a-zA-Z0-9_.-]{1,16}",
        (
            prop_oneof![
                Just(1),
                Just(0),
                Just(-1),
                Just(-3),
                Just(-4),
                Just(-5),
                any::<i32>()
            ],
            any::<bool>(),
        ),
    )
        .prop_map(|(kind, n, wide, some, bytes, name, verdict)| {
            // A nested list with one counter, for dynset and inner.
            let mut nested = Vec::new();
            emit(
                &Expr::Counter(Counter {
                    bytes: wide[0],
                    packets: wide[1],
                }),
                &mut nested,
            );
            let mut nested_list = Vec::new();
            expr::emit::put(&mut nested_list, 10 | 0x8000, &nested);
            Parts {
                kind,
                n,
                wide,
                some,
                bytes,
                name,
                verdict,
                nested,
                nested_list,
            }
        })
}

fn build(p: &Parts) -> Expr<'_> {
    let n = p.n;
    let on = |bit: u16| p.some & (1 << bit) != 0;
    let o32 = |bit: u16, v: u32| on(bit).then_some(v);
    let oreg = |bit: u16, v: u32| on(bit).then_some(Reg(v));
    let o16 = |bit: u16, v: u32| on(bit).then_some(v as u16);
    let val = Data::Value(&p.bytes);
    let data = if on(9) {
        Data::Verdict(Verdict {
            code: p.verdict.0,
            chain: p.verdict.1.then_some(p.name.as_str()),
        })
    } else {
        val
    };
    let name = p.name.as_str();
    // One counter, as a single nest (`NFTA_DYNSET_EXPR`, `NFTA_INNER_EXPR`)
    // or as a list (`NFTA_DYNSET_EXPRESSIONS`).
    let single = Exprs::single(&AttrIter::new(&p.nested, 0).next().unwrap().unwrap());
    let list = Exprs::list(&AttrIter::new(&p.nested_list, 0).next().unwrap().unwrap());
    match p.kind {
        0 => Expr::Bitwise(Bitwise {
            sreg: Reg(n[0]),
            dreg: Reg(n[1]),
            len: n[2],
            op: n[3] % 6,
            mask: on(0).then_some(val),
            xor: on(1).then_some(val),
            data: on(2).then_some(data),
            sreg2: on(3).then_some(Reg(n[4])),
        }),
        1 => Expr::Byteorder(Byteorder {
            sreg: Reg(n[0]),
            dreg: Reg(n[1]),
            op: n[2],
            len: n[3],
            size: n[4],
        }),
        2 => Expr::Cmp(Cmp {
            sreg: Reg(n[0]),
            op: n[1],
            data,
        }),
        3 => Expr::Connlimit(Connlimit {
            count: n[0],
            flags: n[1],
        }),
        4 => Expr::Counter(Counter {
            bytes: p.wide[0],
            packets: p.wide[1],
        }),
        5 => Expr::Ct(Ct {
            dreg: oreg(0, n[0]),
            key: n[1],
            direction: on(1).then_some(n[2] as u8),
            sreg: oreg(2, n[3]),
        }),
        6 => Expr::Dup(Dup {
            sreg_addr: oreg(0, n[0]),
            sreg_dev: oreg(1, n[1]),
        }),
        7 => Expr::Dynset(Dynset {
            set_name: name,
            set_id: o32(0, n[0]),
            op: n[1],
            sreg_key: Reg(n[2]),
            sreg_data: oreg(1, n[3]),
            timeout: on(2).then_some(p.wide[2]),
            flags: o32(3, n[4]),
            exprs: match (on(4), on(10)) {
                (false, _) => Exprs::default(),
                (true, true) => single,
                (true, false) => list,
            },
        }),
        8 => Expr::Exthdr(Exthdr {
            dreg: oreg(0, n[0]),
            sreg: oreg(1, n[1]),
            ty: n[2] as u8,
            offset: n[3],
            len: n[4],
            flags: n[5],
            op: n[6],
        }),
        9 => Expr::Fib(Fib {
            dreg: Reg(n[0]),
            result: n[1],
            flags: n[2],
        }),
        10 => Expr::FlowOffload(FlowOffload { table_name: name }),
        11 => Expr::Fwd(Fwd {
            sreg_dev: oreg(0, n[0]),
            sreg_addr: oreg(1, n[1]),
            nfproto: o32(2, n[2]),
        }),
        12 => Expr::Hash(Hash {
            sreg: oreg(0, n[0]),
            dreg: Reg(n[1]),
            len: n[2],
            modulus: n[3],
            seed: o32(4, n[4]),
            offset: n[5],
            ty: n[6],
            set_name: on(1).then_some(name),
        }),
        13 => Expr::Immediate(Immediate {
            dreg: Reg(n[0]),
            data,
        }),
        14 => Expr::Inner(Inner {
            num: n[0],
            ty: n[1],
            flags: n[2],
            hdrsize: n[3],
            expr: if on(0) { single } else { Exprs::default() },
        }),
        15 => Expr::Last(Last {
            set: n[0],
            msecs: p.wide[0],
        }),
        16 => Expr::Limit(Limit {
            rate: p.wide[0],
            unit: p.wide[1],
            burst: n[0],
            ty: n[1],
            flags: n[2],
        }),
        17 => Expr::Log(Log {
            prefix: on(0).then_some(name),
            group: o16(1, n[0]),
            snaplen: o32(2, n[1]),
            qthreshold: o16(3, n[2]),
            level: o32(4, n[3]),
            flags: o32(5, n[4]),
        }),
        18 => Expr::Lookup(Lookup {
            set: name,
            set_id: o32(0, n[0]),
            sreg: Reg(n[1]),
            dreg: oreg(1, n[2]),
            flags: o32(2, n[3]),
        }),
        19 | 31 => {
            let m = Masq {
                flags: o32(0, n[0]),
                reg_proto_min: oreg(1, n[1]),
                reg_proto_max: oreg(2, n[2]),
            };
            if p.kind == 19 {
                Expr::Masq(m)
            } else {
                Expr::Redir(m)
            }
        }
        20 | 36 => {
            let x = Xt {
                name,
                rev: n[0],
                info: &p.bytes,
            };
            if p.kind == 20 {
                Expr::Match(x)
            } else {
                Expr::Target(x)
            }
        }
        21 => Expr::Meta(Meta {
            key: n[0],
            dreg: oreg(0, n[1]),
            sreg: oreg(1, n[2]),
        }),
        22 => Expr::Nat(Nat {
            ty: n[0],
            family: n[1],
            reg_addr_min: oreg(0, n[2]),
            reg_addr_max: oreg(1, n[3]),
            reg_proto_min: oreg(2, n[4]),
            reg_proto_max: oreg(3, n[5]),
            flags: o32(4, n[6]),
        }),
        23 => Expr::Notrack,
        24 => Expr::Numgen(Numgen {
            dreg: Reg(n[0]),
            modulus: n[1],
            ty: n[2],
            offset: n[3],
        }),
        25 => Expr::Objref(Objref {
            imm_type: o32(0, n[0]),
            imm_name: on(1).then_some(name),
            set_sreg: oreg(2, n[1]),
            set_name: on(3).then_some(name),
            set_id: o32(4, n[2]),
        }),
        26 => Expr::Osf(Osf {
            dreg: Reg(n[0]),
            ttl: on(0).then_some(n[1] as u8),
            flags: o32(1, n[2]),
        }),
        27 => Expr::Payload(Payload {
            dreg: oreg(0, n[0]),
            base: n[1],
            offset: n[2],
            len: n[3],
            sreg: oreg(1, n[4]),
            csum_type: n[5],
            csum_offset: n[6],
            csum_flags: n[7],
        }),
        28 => Expr::Queue(Queue {
            num: o16(0, n[0]),
            total: o16(1, n[1]),
            flags: o16(2, n[2]),
            sreg_qnum: oreg(3, n[3]),
        }),
        29 => Expr::Quota(Quota {
            bytes: p.wide[0],
            consumed: p.wide[1],
            flags: n[0],
        }),
        30 => Expr::Range(Range {
            sreg: Reg(n[0]),
            op: n[1],
            from: val,
            to: data,
        }),
        32 => Expr::Reject(Reject {
            ty: n[0],
            code: n[1] as u8,
        }),
        33 => Expr::Rt(Rt {
            dreg: Reg(n[0]),
            key: n[1],
        }),
        34 => Expr::Socket(Socket {
            key: n[0],
            dreg: Reg(n[1]),
            level: o32(0, n[2]),
        }),
        35 => Expr::Synproxy(Synproxy {
            mss: n[0] as u16,
            wscale: n[1] as u8,
            flags: n[2],
        }),
        37 => Expr::Tproxy(Tproxy {
            family: n[0],
            reg_addr: oreg(0, n[1]),
            reg_port: oreg(1, n[2]),
        }),
        38 => Expr::Tunnel(Tunnel {
            key: n[0],
            dreg: Reg(n[1]),
            mode: o32(0, n[2]),
        }),
        39 => Expr::Xfrm(Xfrm {
            dreg: Reg(n[0]),
            key: n[1],
            dir: n[2] as u8,
            spnum: n[3],
        }),
        _ => Expr::Unknown {
            name: "nflens-test-unknown",
            data: &p.bytes,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn decode_emit_roundtrip(p in parts()) {
        let e = build(&p);
        let mut bytes = Vec::new();
        emit(&e, &mut bytes);
        let elem = AttrIter::new(&bytes, 0).next().unwrap().unwrap();
        let back = ExprAttr::parse(&elem).unwrap().decode().unwrap();
        prop_assert_eq!(back, e);
        // Printing never fails or panics.
        let _ = back.to_string();
        // And the same bytes decode as a one-element list.
        let mut list = Vec::new();
        expr::emit::put(&mut list, 4 | 0x8000, &bytes);
        let l = AttrIter::new(&list, 0).next().unwrap().unwrap();
        let all: Vec<_> = Exprs::list(&l).iter().collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(all, vec![e]);
        // Order does not matter, and a type this version does not know is
        // skipped: the element's and the expression's attributes reversed,
        // with an unknown type (`0x3fff`) first in each, decode the same.
        if !matches!(e, Expr::Unknown { .. }) {
            let shuffled = shuffle(&bytes);
            let elem = AttrIter::new(&shuffled, 0).next().unwrap().unwrap();
            let back = ExprAttr::parse(&elem).unwrap().decode().unwrap();
            prop_assert_eq!(back, e);
        }
    }
}

/// `attrs` (one attribute) with its nested attributes, and those of its
/// `NFTA_EXPR_DATA`, in reverse order behind an unknown attribute.
fn shuffle(attrs: &[u8]) -> Vec<u8> {
    fn reversed(buf: &[u8], depth: u32) -> Vec<u8> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        for a in AttrIter::new(buf, 0) {
            let a = a.unwrap();
            let mut out = Vec::new();
            let kind = a.kind() | if a.is_nested() { 0x8000 } else { 0 };
            if depth == 0 && a.kind() == 2 {
                // NFTA_EXPR_DATA: its attributes reversed too.
                expr::emit::put(&mut out, kind, &reversed(a.value(), 1));
            } else {
                expr::emit::put(&mut out, kind, a.value());
            }
            parts.push(out);
        }
        let mut out = Vec::new();
        expr::emit::put(&mut out, 0x3fff, &[1, 2, 3]);
        for p in parts.iter().rev() {
            out.extend_from_slice(p);
        }
        out
    }
    let elem = AttrIter::new(attrs, 0).next().unwrap().unwrap();
    let mut out = Vec::new();
    expr::emit::put(&mut out, elem.kind() | 0x8000, &reversed(elem.value(), 0));
    out
}

#[test]
fn repeated_attribute_last_wins() {
    // cmp with two NFTA_CMP_OP: the second is the one read, as libmnl does.
    let mut data = Vec::new();
    expr::emit::put(&mut data, NFTA_CMP_SREG, &1u32.to_be_bytes());
    expr::emit::put(&mut data, NFTA_CMP_OP, &0u32.to_be_bytes());
    expr::emit::put(&mut data, NFTA_CMP_OP, &1u32.to_be_bytes());
    expr::emit::nest(&mut data, NFTA_CMP_DATA, |o| {
        expr::emit::put(o, 1, &[10, 0, 0, 1])
    });
    let mut elem = Vec::new();
    expr::emit::nest(&mut elem, 1, |o| {
        expr::emit::put(o, 1, b"cmp\0");
        expr::emit::put(o, 2 | 0x8000, &data);
    });
    let a = AttrIter::new(&elem, 0).next().unwrap().unwrap();
    let e = ExprAttr::parse(&a).unwrap().decode().unwrap();
    assert_eq!(
        e,
        Expr::Cmp(Cmp {
            sreg: Reg(1),
            op: 1,
            data: Data::Value(&[10, 0, 0, 1]),
        })
    );
}

#[test]
fn every_variant_is_generated() {
    // The strategy's `kind` covers all 40 decoders plus Unknown.
    assert_eq!(expr::KNOWN.len(), 40);
}
