//! `Parser::split`: chunks of whole lines, parsed apart (as the CLI does on
//! several threads), give exactly the whole-input parser's lines and its
//! first error, at the same line and column.

use nflens_testutil::kube;
use nflens_xtables::{Line, ParseError, Parser};
use proptest::prelude::*;

/// The whole-input parser's lines, up to and including its first error.
fn whole(text: &str) -> Vec<Result<Line<'_>, ParseError>> {
    Parser::new(text).collect()
}

/// The chunks' lines in order, stopping at the first chunk that fails.
fn chunked(text: &str, n: usize) -> Vec<Result<Line<'_>, ParseError>> {
    let mut out = Vec::new();
    for p in Parser::split(text, n) {
        for l in p {
            let failed = l.is_err();
            out.push(l);
            if failed {
                return out;
            }
        }
    }
    out
}

fn assert_same(text: &str, n: usize) {
    let a = whole(text);
    let b = chunked(text, n);
    assert_eq!(a.len(), b.len(), "line count with {n} chunks");
    for (x, y) in a.iter().zip(&b) {
        match (x, y) {
            (Ok(x), Ok(y)) => assert_eq!(x, y),
            (Err(x), Err(y)) => assert_eq!(x.to_string(), y.to_string()),
            _ => panic!("{n} chunks: {x:?} against {y:?}"),
        }
    }
}

#[test]
fn split_kube_ruleset_reads_as_whole() {
    let text = kube::generate(300, 7).0;
    let parsers = Parser::split(&text, 4);
    assert_eq!(
        parsers.len(),
        4,
        "a 300-service ruleset has room for 4 chunks"
    );
    // Consecutive, covering the input.
    let mut at = 0;
    for p in &parsers {
        assert_eq!(p.range().0, at);
        at = p.range().1;
    }
    assert_eq!(at, text.len());
    for n in 1..=9 {
        assert_same(&text, n);
    }
}

#[test]
fn split_reports_a_late_error_where_the_whole_parser_does() {
    let mut text = kube::generate(200, 3).0;
    // A bad port near the end, and a second table after it.
    let at = text.rfind("--dport ").expect("a dport") + "--dport ".len();
    text.insert(at, 'x');
    text.push_str("*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n");
    let err = whole(&text)
        .pop()
        .expect("lines")
        .expect_err("the bad port");
    for n in 1..=6 {
        assert_same(&text, n);
        let last = chunked(&text, n).pop().expect("lines");
        assert_eq!(last.expect_err("an error").to_string(), err.to_string());
    }
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("*filter".to_owned()),
        Just("*nat".to_owned()),
        Just("COMMIT".to_owned()),
        Just("  COMMIT \r".to_owned()),
        Just(":INPUT ACCEPT [0:0]".to_owned()),
        Just("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT".to_owned()),
        Just("-A INPUT -m comment --comment \"a \\\" *b\" -j DROP".to_owned()),
        Just("# *not a table".to_owned()),
        Just(String::new()),
        "[ -~]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn split_of_any_text_reads_as_whole(lines in prop::collection::vec(line(), 0..60), n in 1usize..8) {
        let text = lines.join("\n");
        assert_same(&text, n);
    }
}
