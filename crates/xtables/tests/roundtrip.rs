//! Property tests: Display → parse round-trips generated trees, and
//! arbitrary text never panics.

use nflens_testutil::strategy;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn display_then_parse_is_identity(rule in strategy::rule()) {
        let cmd = nflens_xtables::Command::Append { chain: "INPUT", rule: Box::new(rule) };
        let text = cmd.to_string();
        let parsed = nflens_xtables::parse_command(&text);
        prop_assert!(parsed.is_ok(), "{text}\n{}", parsed.unwrap_err());
        let mut parsed = parsed.unwrap();
        prop_assert_eq!(parsed.to_string(), text.clone());
        let nflens_xtables::Command::Append { rule: ref mut r, .. } = parsed else { unreachable!() };
        strategy::erase_spans(r);
        let nflens_xtables::Command::Append { rule: orig, .. } = cmd else { unreachable!() };
        prop_assert_eq!(r.clone(), orig, "{}", text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
        let _ = nflens_xtables::parse(&s);
        let _ = nflens_xtables::parse(&format!("*filter\n-A INPUT {s}\nCOMMIT\n"));
    }

    #[test]
    fn rule_like_text_never_panics(words in proptest::collection::vec(prop::sample::select(vec![
        "-s", "-d", "!", "-p", "tcp", "-m", "tcp", "--dport", "80:", "-j", "DNAT", "--to-destination",
        "[::1]:80", "1.2.3.4/33", "\"", "\\", "--ctstate", "conntrack", "NEW,BOGUS", "-g", "-c", "1", "x",
        "--comment", "comment", "--mark", "0x1/0x", "set", "--match-set", "s", "src,dst", "--syn",
    ]), 0..20)) {
        let line = format!("-A INPUT {}", words.join(" "));
        if let Ok(c) = nflens_xtables::parse_command(&line) {
            // Whatever parses prints something that parses to the same text.
            let printed = c.to_string();
            let again = nflens_xtables::parse_command(&printed);
            prop_assert!(again.is_ok(), "{line}\n{printed}");
            prop_assert_eq!(again.unwrap().to_string(), printed);
        }
    }
}
