//! The logic of each fuzz target, kept here so the normal test suite can
//! run every target over its seed corpus (see the smoke tests below).

/// `xtables_parse`: any bytes as text through the parser, and whatever
/// parses through Display (which must parse again to the same text) and
/// lowering (which may refuse, never panic).
pub mod xtables_parse {
    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        // As a whole file, and as the body of a table.
        check(text);
        check(&format!("*filter\n:INPUT ACCEPT [0:0]\n{text}\nCOMMIT\n"));
        // The streaming parser agrees with the whole-file one.
        let streamed: Result<Vec<_>, _> = nflens_xtables::Parser::new(text).collect();
        assert_eq!(streamed.is_ok(), nflens_xtables::parse(text).is_ok());
    }

    fn check(text: &str) {
        let Ok(dump) = nflens_xtables::parse(text) else {
            return;
        };
        let printed = dump.to_string();
        let again = nflens_xtables::parse(&printed)
            .unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{printed}"));
        assert_eq!(again.to_string(), printed, "printing is not stable");
        let _ = nflens_model::lower::from_xtables(&dump, None);
    }
}

/// `nlmsg_decode`: any bytes as a buffer of netlink messages (a dump as
/// the kernel sends it): messages and objects decode or fail cleanly, every
/// expression prints, every xt blob decodes or fails cleanly, and the
/// snapshot builder either accepts the bytes or returns an error.
pub mod nlmsg_decode {
    use std::fmt::Write;

    use nflens_wire::{MsgIter, Object};

    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        let mut out = String::new();
        for m in MsgIter::new(data, 0) {
            let Ok(m) = m else { break };
            let _ = m.nfgen();
            match Object::parse(&m) {
                Ok(Object::Rule(r)) => {
                    let _ = r.write_debug(&mut out);
                    let _ = r.comment();
                    let _ = r.udata();
                    for e in r.exprs.iter().flatten() {
                        super::expr_decode::exercise(&e, r.family, &mut out);
                    }
                }
                Ok(Object::SetElems(s)) => {
                    for e in s.iter().flatten() {
                        let _ = e.write_debug(&mut out);
                        let _ = e.udata();
                        for x in e.exprs.iter().flatten() {
                            let _ = write!(out, "{x}");
                        }
                    }
                }
                Ok(Object::Set(s)) => {
                    let _ = s.udata();
                    for x in s.exprs.iter().flatten() {
                        let _ = write!(out, "{x}");
                    }
                }
                Ok(Object::Flowtable(f)) => {
                    for d in f.devs.iter() {
                        let _ = d;
                    }
                }
                Ok(Object::Table(t)) => {
                    let _ = t.udata();
                }
                Ok(Object::Obj(o)) => {
                    let _ = o.udata();
                }
                Ok(Object::Chain(c)) => {
                    let _ = c.udata();
                    if let Some(h) = c.hook {
                        for d in h.devs.iter() {
                            let _ = d;
                        }
                    }
                }
                _ => {}
            }
            out.clear();
        }
        if let Ok(snap) = nflens_socket::Snapshot::from_bytes(data.to_vec()) {
            let _ = snap.write_debug(&mut out);
            // What from_bytes accepted re-serialises and decodes again the same.
            let again = nflens_socket::Snapshot::from_bytes(snap.messages())
                .expect("re-serialised snapshot decodes");
            let mut out2 = String::new();
            let _ = again.write_debug(&mut out2);
            assert_eq!(out, out2);
        }
    }
}

/// `expr_decode`: any bytes as an expression list (`NFTA_RULE_EXPRESSIONS`'
/// value): every element decodes or fails cleanly, decoded expressions
/// print, xt blobs decode for both families.
pub mod expr_decode {
    use std::fmt::Write;

    use nflens_wire::xt::{decode_match, decode_target};
    use nflens_wire::{AttrIter, Expr, ExprAttr};

    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        let mut out = String::new();
        for a in AttrIter::new(data, 0) {
            let Ok(a) = a else { break };
            let Ok(ea) = ExprAttr::parse(&a) else {
                continue;
            };
            if let Ok(e) = ea.decode() {
                exercise(&e, 2, &mut out);
                exercise(&e, 10, &mut out);
            }
            out.clear();
        }
    }

    /// Prints an expression and decodes what it holds.
    pub fn exercise(e: &Expr<'_>, family: u8, out: &mut String) {
        let _ = write!(out, "{e}");
        match e {
            Expr::Match(x) => {
                let _ = decode_match(x.name, x.rev, x.info, family);
            }
            Expr::Target(x) => {
                let _ = decode_target(x.name, x.rev, x.info, family);
            }
            Expr::Dynset(d) => {
                for x in d.exprs.iter().flatten() {
                    exercise(&x, family, out);
                }
            }
            Expr::Inner(i) => {
                for x in i.expr.iter().flatten() {
                    exercise(&x, family, out);
                }
            }
            _ => {}
        }
    }
}

/// `lower`: any bytes as a rule's expression list (`NFTA_RULE_EXPRESSIONS`'
/// value), wrapped in a rule message of each family, through the
/// delinearizer; and any bytes as a dump, lowered whole. Lowering never
/// panics: what it does not understand stays raw.
pub mod lower {
    use std::sync::OnceLock;

    use nflens_model::nft::{ElemData, SetContents, SetElement, SetIndex};
    use nflens_wire::_testing::put;
    use nflens_wire::{MsgIter, Object};

    /// A NEWRULE message of `family` in table `t`, chain `c`, holding `exprs`.
    fn rule_msg(family: u8, exprs: &[u8]) -> Vec<u8> {
        let mut attrs = Vec::new();
        put(&mut attrs, 1, b"t\0"); // NFTA_RULE_TABLE
        put(&mut attrs, 2, b"c\0"); // NFTA_RULE_CHAIN
        put(&mut attrs, 3, &7u64.to_be_bytes()); // NFTA_RULE_HANDLE
        put(&mut attrs, 4 | 0x8000, exprs); // NFTA_RULE_EXPRESSIONS
        let len = 16 + 4 + attrs.len();
        let mut m = Vec::with_capacity(len);
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&((10u16 << 8) | 6).to_ne_bytes()); // NFT_MSG_NEWRULE
        m.extend_from_slice(&0u16.to_ne_bytes());
        m.extend_from_slice(&[0; 8]);
        m.extend_from_slice(&[family, 0, 0, 0]);
        m.extend_from_slice(&attrs);
        m
    }

    /// Sets of every shape the lowering reads, named `a` to `f` in table
    /// `t` of each family, for lookups the input names: a hash set, an
    /// interval set, a set of concatenated ranges, a verdict map with a
    /// catch-all, a data map, a set of 16-byte keys; and named ones (`n`,
    /// `nc` of a concatenation, the map `nm`) that rules refer to by name
    /// and `dynset` updates.
    fn sets() -> &'static SetIndex {
        static SETS: OnceLock<SetIndex> = OnceLock::new();
        SETS.get_or_init(|| {
            let el =
                |key: &[u8], end: Option<&[u8]>, flags: u32, data: Option<ElemData>| SetElement {
                    key: key.into(),
                    key_end: end.map(Into::into),
                    flags,
                    data,
                    ..SetElement::default()
                };
            let verdict = |code: i32, chain: Option<&str>| {
                Some(ElemData::Verdict {
                    code,
                    chain: chain.map(Into::into),
                })
            };
            let shapes = [
                (
                    "a",
                    0x3,
                    4,
                    vec![
                        el(&[10, 0, 0, 1], None, 0, None),
                        el(&[0, 0, 0, 22], None, 0, None),
                    ],
                ),
                (
                    "b",
                    0x7,
                    2,
                    vec![
                        el(&[0, 0], None, 1, None),
                        el(&[0, 22], None, 0, None),
                        el(&[0, 80], None, 1, None),
                    ],
                ),
                (
                    "c",
                    0x87,
                    8,
                    vec![el(
                        &[10, 0, 0, 0, 0, 10, 0, 0],
                        Some(&[10, 255, 255, 255, 0, 23, 0, 0]),
                        0,
                        None,
                    )],
                ),
                (
                    "d",
                    0xb,
                    2,
                    vec![
                        el(&[0, 22], None, 0, verdict(-1, None)),
                        el(&[0, 23], None, 0, verdict(-3, Some("x"))),
                        el(&[], None, 2, verdict(1, None)),
                    ],
                ),
                (
                    "e",
                    0xb,
                    4,
                    vec![el(
                        &[1, 2, 3, 4],
                        None,
                        0,
                        Some(ElemData::Value([0, 0, 0, 7].into())),
                    )],
                ),
                ("f", 0x3, 16, vec![el(&[0xfe; 16], None, 0, None)]),
                // Named sets and maps: rules refer to them by name.
                ("n", 0x0, 4, vec![]),
                ("nc", 0x0, 8, vec![]),
                ("nm", 0x8, 4, vec![]),
                // A meter's set: anonymous, evaluated, named by nft.
                ("mt", 0x21, 4, vec![]),
            ];
            let mut index = SetIndex::new();
            for family in [2u8, 10, 1, 7, 5, 3] {
                for (name, flags, key_len, elems) in &shapes {
                    let contents = SetContents {
                        flags: *flags,
                        key_len: Some(*key_len),
                        elems: elems.clone(),
                        data_len: Some(4),
                        obj_type: None,
                        size: Some(100),
                    };
                    index.insert(family, "t", name, contents);
                }
            }
            index
        })
    }

    /// The input as the expressions of a rule of `family`, lowered with
    /// [`sets`] (`None` when the message does not parse).
    pub fn lowered(family: u8, data: &[u8]) -> Option<nflens_model::Rule> {
        let msg = rule_msg(family, data);
        let m = MsgIter::new(&msg, 0).flatten().next()?;
        let Ok(Object::Rule(r)) = Object::parse(&m) else {
            return None;
        };
        Some(match r.exprs.iter().collect::<Result<Vec<_>, _>>() {
            Ok(exprs) => nflens_model::nft::rule_decoded_with_sets(&r, &exprs, sets()),
            Err(_) => nflens_model::nft::rule(&r),
        })
    }

    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        if data.len() <= 60_000 {
            for family in [2u8, 10, 1, 7, 5, 3] {
                let Some(rule) = lowered(family, data) else {
                    continue;
                };
                // Whatever lowers renders (or says why it cannot).
                let fam = nflens_model::nft::family(family).unwrap_or(nflens_model::Family::Inet);
                for numeric in [false, true] {
                    let opts = nflens_model::render::nft::Options {
                        numeric,
                        utc_offset: -43_200,
                        ..Default::default()
                    };
                    let mut text = String::new();
                    let _ = nflens_model::render::nft::rule(&rule, fam, opts, &mut text);
                }
            }
        }
        if let Ok(snap) = nflens_socket::Snapshot::from_bytes(data.to_vec()) {
            let input = nflens_analysis::NftInput {
                tables: snap.tables().collect(),
                chains: snap
                    .chains_with_rules()
                    .map(|(c, r)| (c, r.collect()))
                    .collect(),
            };
            let _ = nflens_analysis::analyse(&input, &nflens_analysis::Version::ALL);
            let mut sets = SetIndex::from_sets(snap.sets_with_elems()).unwrap_or_default();
            sets.add_objects(snap.objs());
            let rs = nflens_model::nft::ruleset_with_sets(
                snap.tables(),
                snap.chains_with_rules(),
                &sets,
            );
            for r in rs
                .tables
                .iter()
                .flat_map(|t| &t.chains)
                .flat_map(|c| &c.rules)
            {
                assert!(r.same_meaning(r), "a rule means what it means");
            }
        }
    }
}

/// Legacy xtables entries as `IPT_SO_GET_ENTRIES` returns them: decode
/// into chains and lower to the model. Input: the 84-byte `ipt_getinfo`,
/// one family byte (0: IPv4), then the entries. Seeds were read from a
/// throwaway namespace with `nflens_socket::Legacy::read`.
pub mod legacy_decode {
    use nflens_wire::legacy::{Family, Info, Table, GETINFO_LEN};

    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        let Some(info) = data.get(..GETINFO_LEN).and_then(|b| Info::decode(b).ok()) else {
            return;
        };
        let fam = match data.get(GETINFO_LEN) {
            Some(0) => Family::V4,
            _ => Family::V6,
        };
        let entries = data.get(GETINFO_LEN + 1..).unwrap_or_default();
        if let Ok(t) = Table::decode(fam, "fuzz", &info, entries) {
            let m = nflens_model::legacy::table(&t);
            for r in m.chains.iter().flat_map(|c| &c.rules) {
                assert!(r.same_meaning(r));
            }
        }
    }
}

#[cfg(test)]
mod smoke {
    use std::path::Path;

    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus")
            .join(target);
        let mut v: Vec<Vec<u8>> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        assert!(!v.is_empty(), "empty seed corpus {}", dir.display());
        v.sort();
        v
    }

    /// Every seed, then cheap mutations of each (truncations, byte flips),
    /// so the suite exercises the target as a short fuzz run would.
    fn smoke(target: &str, run: fn(&[u8])) {
        let seeds = corpus(target);
        let mut runs = 0;
        for s in &seeds {
            run(s);
            runs += 1;
            for cut in (0..s.len()).step_by((s.len() / 64).max(1)) {
                run(&s[..cut]);
                let mut m = s.clone();
                m[cut] = m[cut].wrapping_add(1 + (cut as u8 % 7));
                run(&m);
                runs += 2;
            }
        }
        eprintln!("{target} smoke: {runs} runs over {} seeds", seeds.len());
    }

    #[test]
    fn xtables_parse_smoke() {
        smoke("xtables_parse", super::xtables_parse::run);
    }

    #[test]
    fn nlmsg_decode_smoke() {
        smoke("nlmsg_decode", super::nlmsg_decode::run);
    }

    #[test]
    fn expr_decode_smoke() {
        smoke("expr_decode", super::expr_decode::run);
    }

    #[test]
    fn legacy_decode_smoke() {
        smoke("legacy_decode", super::legacy_decode::run);
    }

    #[test]
    fn lower_smoke() {
        smoke("expr_decode", super::lower::run);
        smoke("nlmsg_decode", super::lower::run);
        smoke("lower_sets", super::lower::run);
    }

    /// The `lower_sets` seeds (hand-made lookups of the target's sets `a`
    /// to `f`: a set, an interval set, concatenated ranges, a verdict map,
    /// a data map read by `meta mark set`, 16-byte keys) lower to typed
    /// kinds, so fuzzing from them reaches the set and map code.
    #[test]
    fn lower_sets_seeds_reach_the_set_code() {
        for seed in corpus("lower_sets") {
            let rule = super::lower::lowered(2, &seed).expect("a rule");
            let raw = rule
                .matches
                .iter()
                .any(|m| matches!(m.kind, nflens_model::MatchKind::Nft { .. }))
                || matches!(
                    rule.action.as_ref().map(|a| &a.kind),
                    Some(nflens_model::ActionKind::Nft { .. })
                );
            assert!(
                !raw && (!rule.matches.is_empty() || rule.action.is_some()),
                "{rule:?}"
            );
        }
    }
}
