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

#[test]
fn a_bad_rule_is_reported_at_its_offset_in_the_buffer() {
    // The first `cmp` of the capture loses its NFTA_CMP_DATA: turn that
    // attribute's type into one `cmp` does not know, so it is skipped and
    // the required data is missing. The error points at the cmp's data nest
    // in the snapshot's buffer, not in its message.
    let path = corpus::workspace_root().join("testdata/netlink/iptables-nft.hex");
    let mut bytes = read_hex(&path);
    let snap = Snapshot::from_bytes(bytes.clone()).unwrap();
    let (at, data_at) = snap
        .rule_spans()
        .find_map(|(start, len)| {
            let msg = nflens_wire::Msg::new_checked(&snap.bytes()[start..start + len]).unwrap();
            let rule = nflens_wire::Rule::parse(&msg).unwrap();
            let list = rule.exprs;
            list.attrs().find_map(|a| {
                let a = a.unwrap();
                (a.name == "cmp").then(|| {
                    let d = a.data.unwrap();
                    // The nest holds SREG, OP, DATA; find DATA's header.
                    let data = d
                        .nested()
                        .map(|x| x.unwrap())
                        .find(|x| x.kind() == 3)
                        .unwrap();
                    (start + data.offset(), start + d.value_offset())
                })
            })
        })
        .expect("a cmp in the capture");
    assert_eq!(
        u16::from_ne_bytes([bytes[at + 2], bytes[at + 3]]) & 0x3fff,
        3
    );
    bytes[at + 2] = 0x3f;
    bytes[at + 3] &= 0xc0;
    let err = Snapshot::from_bytes(bytes).unwrap_err();
    assert_eq!(err.offset as usize, data_at, "{err}");
    assert!(err.to_string().contains("NFTA_CMP_DATA"), "{err}");
}
