//! The logic of each fuzz target, kept here so the normal test suite can
//! run every target over its seed corpus (see the smoke tests below).

/// `xtables_parse`: any bytes as text through the parser, and whatever
/// parses through Display (which must parse again to the same text) and
/// lowering (which may refuse, never panic).
pub mod xtables_parse {
    /// Runs the target on one input.
    pub fn run(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else { return };
        // As a whole file, and as the body of a table.
        check(text);
        check(&format!("*filter\n:INPUT ACCEPT [0:0]\n{text}\nCOMMIT\n"));
        // The streaming parser agrees with the whole-file one.
        let streamed: Result<Vec<_>, _> = nflens_xtables::Parser::new(text).collect();
        assert_eq!(streamed.is_ok(), nflens_xtables::parse(text).is_ok());
    }

    fn check(text: &str) {
        let Ok(dump) = nflens_xtables::parse(text) else { return };
        let printed = dump.to_string();
        let again = nflens_xtables::parse(&printed)
            .unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{printed}"));
        assert_eq!(again.to_string(), printed, "printing is not stable");
        let _ = nflens_model::lower::from_xtables(&dump, None);
    }
}

#[cfg(test)]
mod smoke {
    use std::path::Path;

    fn corpus(target: &str) -> Vec<Vec<u8>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
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
    #[test]
    fn xtables_parse_smoke() {
        let seeds = corpus("xtables_parse");
        let mut runs = 0;
        for s in &seeds {
            super::xtables_parse::run(s);
            runs += 1;
            for cut in (0..s.len()).step_by((s.len() / 64).max(1)) {
                super::xtables_parse::run(&s[..cut]);
                let mut m = s.clone();
                m[cut] = m[cut].wrapping_add(1 + (cut as u8 % 7));
                super::xtables_parse::run(&m);
                runs += 2;
            }
        }
        eprintln!("xtables_parse smoke: {runs} runs over {} seeds", seeds.len());
    }
}
