//! Conformance on the external corpus (`../shared/corpus`, never copied here):
//! iptables' own `extensions/*.t` save lines and real `iptables-save` dumps.

use nflens_testutil::corpus;
use serde_json::Value as Json;

/// Every expected save line of an `OK` record for iptables/ip6tables.
pub fn xt_t_save_lines(file: &str) -> Option<Vec<(String, String)>> {
    let dir = corpus::dir(file)?;
    let mut out = Vec::new();
    for line in corpus::lines(&dir.join(file)) {
        let r: Json = serde_json::from_str(&line).expect("jsonl record");
        if r["expected_result"] != "OK" {
            continue;
        }
        for pc in r["per_chain"].as_array().into_iter().flatten() {
            let Some(map) = pc["expected_save_line"].as_object() else {
                continue;
            };
            for (tool, l) in map {
                if tool == "iptables" || tool == "ip6tables" {
                    let id = format!("{} {}", r["id"].as_str().unwrap_or("?"), tool);
                    out.push((id, l.as_str().expect("save line").to_owned()));
                }
            }
        }
    }
    Some(out)
}

fn check_xt_t(file: &str) {
    let Some(lines) = xt_t_save_lines(file) else {
        return;
    };
    let mut failures = Vec::new();
    for (id, line) in &lines {
        match nflens_xtables::parse_command(line) {
            Ok(c) if c.to_string() == *line => {}
            Ok(c) => failures.push(format!(
                "{id}: printed back differently\n  in:  {line}\n  out: {c}"
            )),
            Err(e) => failures.push(format!("{id}: {}\n{e}", e.short())),
        }
    }
    eprintln!(
        "conformance {file}: {}/{} save lines parse and print back identical",
        lines.len() - failures.len(),
        lines.len()
    );
    assert!(
        lines.len() > 400,
        "too few records read from {file}: {}",
        lines.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
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
    for e in std::fs::read_dir(dir.join("dumps")).expect("dumps/") {
        let p = e.expect("entry").path();
        if !p.is_file() || p.extension().is_some_and(|x| x == "tsv") {
            continue;
        }
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
