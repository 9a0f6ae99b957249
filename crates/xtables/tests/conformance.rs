//! Conformance on the external corpus (`../shared/corpus`, never copied here):
//! iptables' own `extensions/*.t` save lines and real `iptables-save` dumps.

use nflens_testutil::corpus;

fn check_xt_t(file: &str) {
    let Some(dir) = corpus::dir(file) else { return };
    let lines = corpus::xt_t_save_lines(&dir, file);
    assert!(
        lines.len() > 2000,
        "too few records read from {file}: {}",
        lines.len()
    );
    let mut failures = Vec::new();
    for l in &lines {
        match nflens_xtables::parse_command(&l.line) {
            Ok(c) if c.to_string() == l.line => {}
            Ok(c) => failures.push(format!(
                "{}: printed back differently\n  in:  {}\n  out: {c}",
                l.id, l.line
            )),
            Err(e) => failures.push(format!("{}: {}\n{e}", l.id, e.short())),
        }
    }
    corpus::report(
        &format!("{file} (save lines that parse and print back identical)"),
        lines.len(),
        &failures,
    );
}

#[test]
fn xt_t_head_save_lines_round_trip() {
    check_xt_t("xt_t.jsonl");
}

#[test]
fn xt_t_v1_8_9_save_lines_round_trip() {
    check_xt_t("xt_t_v1.8.9.jsonl");
}

#[test]
fn every_dump_parses() {
    let Some(dir) = corpus::dir("every_dump_parses") else {
        return;
    };
    let mut n = 0;
    let mut rules = 0;
    for p in corpus::dump_files(&dir, false) {
        let text = std::fs::read_to_string(&p).expect("read dump");
        let dump = nflens_xtables::parse(&text)
            .unwrap_or_else(|e| panic!("{}:{}\n{e}", p.display(), e.short()));
        rules += dump
            .lines
            .iter()
            .filter(|l| matches!(l.kind, nflens_xtables::LineKind::Command(_)))
            .count();
        n += 1;
    }
    eprintln!("conformance dumps/: {n}/{n} dumps parse ({rules} commands)");
    assert_eq!(n, 18, "expected the 18 dumps of dumps/");
}

#[test]
fn canonical_dumps_round_trip_byte_for_byte() {
    let Some(dir) = corpus::dir("canonical_dumps_round_trip") else {
        return;
    };
    let mut n = 0;
    for e in
        std::fs::read_dir(dir.join("dumps/canonical-iptables-1.8.9-nft")).expect("canonical dir")
    {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).expect("read dump");
        let dump = nflens_xtables::parse(&text)
            .unwrap_or_else(|e| panic!("{}:{}\n{e}", p.display(), e.short()));
        let out = dump.to_string();
        if out != text {
            let (a, b) = out
                .lines()
                .zip(text.lines())
                .find(|(a, b)| a != b)
                .unwrap_or(("<length differs>", ""));
            panic!(
                "{} does not round-trip:\n  in:  {b}\n  out: {a}",
                p.display()
            );
        }
        n += 1;
    }
    eprintln!("conformance canonical-iptables-1.8.9-nft: {n}/{n} files round-trip byte for byte");
    assert_eq!(n, 16);
}
