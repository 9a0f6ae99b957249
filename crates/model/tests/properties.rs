//! Lowering never panics, and what lowers from generated rules is stable.

use nflens_testutil::strategy;
use proptest::prelude::*;

proptest! {
    #[test]
    fn lower_never_panics(rule in strategy::rule()) {
        let text = format!("*filter\n:INPUT ACCEPT [0:0]\n{}\nCOMMIT\n", nflens_xtables::Command::Append { chain: "INPUT", rule: Box::new(rule) });
        let dump = nflens_xtables::parse(&text).unwrap();
        // Mixed families are an error, never a panic.
        let _ = nflens_model::lower::from_xtables(&dump, None);
        let _ = nflens_model::lower::from_xtables(&dump, Some(nflens_model::Family::Ipv6));
    }
}

/// A generated rule as an `iptables-save` dump of one `filter INPUT` rule.
fn dump_text(rule: &str) -> String {
    format!("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT{rule}\nCOMMIT\n")
}

/// The one rule of a one-rule dump, lowered.
fn lowered(text: &str) -> (nflens_model::Family, nflens_model::Rule) {
    let dump = nflens_xtables::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let rs =
        nflens_model::lower::from_xtables(&dump, None).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let rule = rs.tables[0].chains[0].rules[0].clone();
    (rs.family, rule)
}

/// render → parse → lower: a generated iptables rule, lowered, rendered as
/// iptables-nft-save prints it, parsed again and lowered again, means the
/// same. A rule the renderer refuses must say why; at least 90% render.
#[test]
fn render_parse_lower_round_trips() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let (total, valid, rendered) = (Cell::new(0u32), Cell::new(0u32), Cell::new(0u32));
    let reasons = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let mut runner = TestRunner::new(Config::with_cases(3000));
    runner
        .run(&strategy::rule(), |rule| {
            total.set(total.get() + 1);
            let text = format!(
                "*filter\n:INPUT ACCEPT [0:0]\n{}\nCOMMIT\n",
                nflens_xtables::Command::Append {
                    chain: "INPUT",
                    rule: Box::new(rule)
                }
            );
            // The generator mixes IPv4 and IPv6 addresses, and `-p` with
            // another protocol's `-m tcp`/`-m udp`, at random: such a rule is
            // refused (FamilyMismatch, ProtocolMismatch), as the kernel
            // refuses it, and is not one to round-trip.
            let dump = nflens_xtables::parse(&text).unwrap();
            let Ok(rs) = nflens_model::lower::from_xtables(&dump, None) else {
                return Ok(());
            };
            valid.set(valid.get() + 1);
            let (family, first) = (rs.family, rs.tables[0].chains[0].rules[0].clone());
            let mut out = String::new();
            match nflens_model::render::iptables::rule(&first, family, &mut out) {
                Ok(()) => {
                    rendered.set(rendered.get() + 1);
                    let again = dump_text(&out);
                    let (_, second) = lowered(&again);
                    prop_assert!(
                        first.same_meaning(&second),
                        "{text}rendered as{out}\n{first:#?}\n{second:#?}"
                    );
                }
                Err(reason) => {
                    prop_assert!(!reason.is_empty());
                    *reasons.borrow_mut().entry(reason).or_insert(0u32) += 1;
                }
            }
            Ok(())
        })
        .unwrap();
    for (reason, n) in reasons.borrow().iter() {
        eprintln!("  not rendered ({n}): {reason}");
    }
    assert!(
        valid.get() * 2 >= total.get() && rendered.get() * 10 >= valid.get() * 9,
        "only {} of {} valid generated rules ({} in all) render as iptables",
        rendered.get(),
        valid.get(),
        total.get()
    );
    eprintln!(
        "render -> parse -> lower: {}/{} valid generated rules ({} in all) rendered and round-tripped",
        rendered.get(),
        valid.get(),
        total.get()
    );
}
