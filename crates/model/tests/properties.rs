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
