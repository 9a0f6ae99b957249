//! `testdata/xtables/canonical.txt`: an input rule and the canonical text
//! iptables-save prints for it. Each `out:` must also be a fixed point.

#[test]
fn canonical_cases() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/xtables/canonical.txt");
    let text = std::fs::read_to_string(&path).expect("canonical.txt");
    let mut input = None;
    let (mut n, mut failures) = (0, Vec::new());
    for (i, line) in text.lines().enumerate() {
        if let Some(s) = line.strip_prefix("in:  ") {
            input = Some((i + 1, s));
        } else if let Some(want) = line.strip_prefix("out: ") {
            let (at, inp) = input.take().expect("out: without in:");
            n += 1;
            for (what, src) in [("input", inp), ("output", want)] {
                match nflens_xtables::parse_command(src) {
                    Ok(c) if c.to_string() == want => {}
                    Ok(c) => failures.push(format!("line {at} ({what}): got {c}\n  want {want}")),
                    Err(e) => failures.push(format!("line {at} ({what}): {e}")),
                }
            }
        } else {
            assert!(
                line.is_empty() || line.starts_with('#'),
                "canonical.txt:{}: bad line",
                i + 1
            );
        }
    }
    assert!(n >= 35, "only {n} cases read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
