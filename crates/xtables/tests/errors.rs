//! Error messages: where, what was expected, the line with a caret.

fn err(text: &str) -> String {
    nflens_xtables::parse(text).unwrap_err().to_string()
}

#[test]
fn test_bad_port_names_option_and_expectation() {
    assert_eq!(
        err("*filter\n-A INPUT -p tcp -m tcp --dport 80x -j ACCEPT\n"),
        "2:32: bad --dport \"80x\": expected a port or range\n\
         -A INPUT -p tcp -m tcp --dport 80x -j ACCEPT\n\
         \x20                              ^^^"
    );
}

#[test]
fn test_unterminated_quote() {
    let e = nflens_xtables::parse("*filter\n-A INPUT -m comment --comment \"abc\n").unwrap_err();
    assert_eq!(
        e.short(),
        "2:31: unterminated quoted string: expected a closing `\"`"
    );
    assert_eq!(e.span.start.offset, 8 + 30);
}

#[test]
fn test_unknown_option_of_known_module_is_kept_verbatim() {
    // A newer iptables may add options to a module we know: keep them, typed as Raw.
    let t = "*filter\n-A INPUT -m conntrack --ctstate NEW --ctbogus 1 2 -j ACCEPT\nCOMMIT\n";
    let d = nflens_xtables::parse(t).unwrap();
    assert_eq!(d.to_string(), t);
    let nflens_xtables::LineKind::Command(nflens_xtables::Command::Append { rule, .. }) =
        &d.lines[1].kind
    else {
        panic!("not a rule")
    };
    assert!(
        matches!(&rule.matches[0].options[1].value, nflens_xtables::Value::Raw(w) if w.len() == 2)
    );
}

#[test]
fn test_unknown_basic_option() {
    let e = nflens_xtables::parse("*filter\n-A INPUT --bogus 1\n").unwrap_err();
    assert_eq!(e.short(), "2:10: unknown option \"--bogus\"");
}

#[test]
fn test_missing_value_and_outside_table() {
    assert_eq!(
        nflens_xtables::parse("*nat\n-A X -j DNAT --to-destination\n")
            .unwrap_err()
            .short(),
        "2:14: --to-destination needs a value: expected an address range and/or port range"
    );
    assert_eq!(
        nflens_xtables::parse("-A INPUT -j ACCEPT\n")
            .unwrap_err()
            .short(),
        "1:1: command outside a `*table` section"
    );
    assert_eq!(
        nflens_xtables::parse("*filter\n:INPUT ACCEPT [0:x]\n")
            .unwrap_err()
            .short(),
        "2:15: bad counters: expected `[packets:bytes]`"
    );
}

#[test]
fn test_unknown_module_kept_verbatim() {
    let t =
        "*filter\n-A INPUT -m frobnicate --level 3 --name \"a b\" ! --x -j FROB --y z\nCOMMIT\n";
    let d = nflens_xtables::parse(t).unwrap();
    assert_eq!(d.to_string(), t);
}

#[test]
fn test_canonicalisation() {
    let c = |s: &str| nflens_xtables::parse_command(s).unwrap().to_string();
    assert_eq!(
        c("-A INPUT -p tcp --dport 1024: -j ACCEPT"),
        "-A INPUT -p tcp -m tcp --dport 1024:65535 -j ACCEPT"
    );
    assert_eq!(
        c("-A INPUT -m tcp -p tcp -s 10.1.2.3/255.0.0.0 --syn"),
        "-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN"
    );
    assert_eq!(
        c("-A INPUT -s ! 1.2.3.4 -j DROP"),
        "-A INPUT ! -s 1.2.3.4/32 -j DROP"
    );
    assert_eq!(
        c("-A X -m mark --mark 0x00000001/0x000000ff -j SNAT --to 1.1.1.1"),
        "-A X -m mark --mark 0x1/0xff -j SNAT --to-source 1.1.1.1"
    );
    assert_eq!(
        c("[5:300] -A X -p 6 -m state --state ESTABLISHED,RELATED"),
        "[5:300] -A X -p tcp -m state --state RELATED,ESTABLISHED"
    );
    assert_eq!(
        c("-A X -m limit --limit 60/minute"),
        "-A X -m limit --limit 1/sec"
    );
}

#[test]
fn test_diagnostics_are_typed() {
    use nflens_xtables::{Diagnostic, LineKind};
    let t = "# Table `filter' is incompatible, use 'nft' tool.\n\
             # Table `nat' contains incompatible base-chains, use 'nft' tool to list them.\n\
             # Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n";
    let d = nflens_xtables::parse(t).unwrap();
    let kinds: Vec<_> = d.lines.iter().map(|l| l.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            LineKind::Diagnostic(Diagnostic::TableIncompatible { table: "filter" }),
            LineKind::Diagnostic(Diagnostic::IncompatibleBaseChains { table: "nat" }),
            LineKind::Diagnostic(Diagnostic::LegacyTablesPresent),
        ]
    );
    assert_eq!(d.to_string(), t);
}
