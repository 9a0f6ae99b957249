//! Lowering on several threads gives the model (and the first error) that
//! lowering on one gives.

use nflens_model::nft::{self, SetIndex};
use nflens_wire::nl::AttrIter;
use nflens_wire::{Chain, DecodeError, Exprs, Rule, Table};

fn table() -> Table<'static> {
    Table {
        family: 2,
        name: "t",
        flags: 0,
        use_count: 0,
        handle: 1,
        userdata: None,
        owner: None,
    }
}

fn chain(name: &'static str) -> Chain<'static> {
    Chain {
        family: 2,
        table: "t",
        name,
        handle: 1,
        hook: None,
        policy: None,
        chain_type: None,
        counters: None,
        flags: None,
        use_count: None,
        userdata: None,
    }
}

/// A rule whose comment (`NFTNL_UDATA_RULE_COMMENT` TLV) is `udata`'s and
/// whose expressions are `exprs` (a list attribute, or none).
fn rule<'a>(chain: &'a str, handle: u64, udata: &'a [u8], exprs: Option<&'a [u8]>) -> Rule<'a> {
    let exprs = exprs
        .and_then(|b| AttrIter::new(b, 0).next())
        .and_then(Result::ok)
        .map_or_else(Exprs::default, |a| Exprs::list(&a));
    Rule {
        family: 2,
        table: "t",
        chain,
        handle,
        position: None,
        exprs,
        userdata: Some(udata),
        compat: None,
    }
}

/// `NFTA_RULE_EXPRESSIONS` holding one list element that claims `claim`
/// bytes of which only 4 are there: a truncated expression.
fn truncated(claim: u16) -> Vec<u8> {
    let mut b = vec![8, 0, 4, 0x80];
    b.extend_from_slice(&claim.to_le_bytes());
    b.extend_from_slice(&[1, 0x80]);
    b
}

fn comment(i: usize) -> Vec<u8> {
    let text = format!("rule {i}\0");
    let mut b = vec![0, text.len() as u8];
    b.extend_from_slice(text.as_bytes());
    b
}

type Lowered = Result<nflens_model::Ruleset, DecodeError>;

fn lowered(rules: &[Rule<'_>], names: &[&'static str], threads: usize) -> Lowered {
    let chains: Vec<(Chain<'_>, Vec<Rule<'_>>)> = names
        .iter()
        .map(|&n| {
            let of_chain = rules.iter().filter(|r| r.chain == n).copied().collect();
            (chain(n), of_chain)
        })
        .collect();
    nft::try_ruleset_threads([table()], chains, &SetIndex::new(), threads)
}

#[test]
fn threads_lower_to_the_one_thread_model() {
    let names = ["a", "b", "c"];
    let udata: Vec<Vec<u8>> = (0..900).map(comment).collect();
    let rules: Vec<Rule<'_>> = udata
        .iter()
        .enumerate()
        .map(|(i, u)| rule(names[i * 3 / 900], i as u64, u, None))
        .collect();
    let one = lowered(&rules, &names, 1).expect("lowers");
    let n: usize = one.tables[0].chains.iter().map(|c| c.rules.len()).sum();
    assert_eq!(n, 900);
    assert_eq!(
        one.tables[0].chains[1].rules[0].comment.as_deref(),
        Some("rule 300")
    );
    for threads in [2, 3, 4, 7, 64, 1000] {
        assert_eq!(
            lowered(&rules, &names, threads),
            Ok(one.clone()),
            "{threads}"
        );
    }
}

#[test]
fn threads_report_the_first_error_in_order() {
    let names = ["a", "b", "c"];
    let udata: Vec<Vec<u8>> = (0..900).map(comment).collect();
    // Rule 700 (a later run) and rule 350 fail, each its own way.
    let (early, late) = (truncated(200), truncated(100));
    let rules: Vec<Rule<'_>> = udata
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let bad = match i {
                350 => Some(early.as_slice()),
                700 => Some(late.as_slice()),
                _ => None,
            };
            rule(names[i * 3 / 900], i as u64, u, bad)
        })
        .collect();
    let one = lowered(&rules, &names, 1).expect_err("rule 350 does not decode");
    let without_early: Vec<Rule<'_>> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == 350 {
                rule(r.chain, 350, &udata[350], None)
            } else {
                *r
            }
        })
        .collect();
    let other = lowered(&without_early, &names, 1).expect_err("rule 700 does not decode");
    assert_ne!(one, other, "the two errors differ");
    for threads in [2, 3, 4, 8] {
        assert_eq!(lowered(&rules, &names, threads), Err(one), "{threads}");
        assert_eq!(
            lowered(&without_early, &names, threads),
            Err(other),
            "{threads}"
        );
    }
}
