//! Captured kernel replies (`testdata/netlink/*.hex`, made by
//! `scripts/capture-netlink`) decode to what libnftnl printed for the same
//! namespace at capture time (`*.hex.expr`), and re-serialise to the same
//! bytes.

use std::path::Path;

use nflens_socket::Snapshot;
use nflens_testutil::{corpus, nftpy};
use nflens_wire::xt::{decode_match, decode_target, XtMatch, XtTarget};
use nflens_wire::Expr;

fn read_hex(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let b = line.trim().as_bytes();
        assert!(b.len() % 2 == 0, "{}: odd hex line", path.display());
        for pair in b.chunks(2) {
            let s = std::str::from_utf8(pair).unwrap();
            out.push(
                u8::from_str_radix(s, 16)
                    .unwrap_or_else(|_| panic!("{}: bad hex {s}", path.display())),
            );
        }
    }
    out
}

fn sorted(b: nftpy::DebugBlocks) -> (Vec<String>, Vec<String>) {
    let mut sets: Vec<String> = b
        .sets
        .into_iter()
        .map(|(k, l)| format!("{k:?} {l:?}"))
        .collect();
    let mut rules: Vec<String> = b
        .rules
        .into_iter()
        .map(|(k, l)| format!("{k:?} {l:?}"))
        .collect();
    sets.sort();
    rules.sort();
    (sets, rules)
}

#[test]
fn captures_decode_like_libnftnl() {
    let dir = corpus::workspace_root().join("testdata/netlink");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !matches!(path.extension(), Some(e) if e == "hex") {
            continue;
        }
        cases += 1;
        let bytes = read_hex(&path);
        let snap = Snapshot::from_bytes(bytes.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            snap.messages(),
            bytes,
            "{}: re-serialised bytes differ",
            path.display()
        );
        let mut ours = String::new();
        snap.write_debug(&mut ours).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("hex.expr")).unwrap();
        let (theirs, mine) = (
            sorted(nftpy::debug_blocks(&expected)),
            sorted(nftpy::debug_blocks(&ours)),
        );
        assert!(
            !theirs.1.is_empty(),
            "{}: no rules in the golden file",
            path.display()
        );
        assert_eq!(
            mine,
            theirs,
            "{}: decoded output differs from libnftnl's",
            path.display()
        );
        // Every xt blob iptables-nft stored decodes to a known struct.
        for rule in snap.rules() {
            for e in rule.exprs.iter() {
                let unknown = match e.unwrap() {
                    Expr::Match(x) => matches!(
                        decode_match(x.name, x.rev, x.info, rule.family),
                        Ok(XtMatch::Unknown { .. }) | Err(_)
                    ),
                    Expr::Target(x) => matches!(
                        decode_target(x.name, x.rev, x.info, rule.family),
                        Ok(XtTarget::Unknown { .. }) | Err(_)
                    ),
                    _ => false,
                };
                assert!(
                    !unknown,
                    "{}: rule {} has an xt blob that does not decode",
                    path.display(),
                    rule.handle
                );
            }
        }
    }
    assert!(cases >= 2, "expected the captures in {}", dir.display());
}
