//! Writes the reply messages of one snapshot as hex (the format of
//! `testdata/netlink/*.hex`): `capture [NETNS] > out.hex`.
use nflens_socket::{Netns, Options, Snapshot};

fn main() {
    let netns = std::env::args()
        .nth(1)
        .map_or(Netns::Current, |n| Netns::named(&n));
    let snap = match Snapshot::read(&Options {
        netns,
        ..Options::default()
    }) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("capture: {e}");
            std::process::exit(2);
        }
    };
    let bytes = snap.messages();
    let mut out = String::with_capacity(bytes.len() * 2 + bytes.len() / 16);
    for line in bytes.chunks(32) {
        for b in line {
            out.push_str(&format!("{b:02x}"));
        }
        out.push('\n');
    }
    print!("{out}");
}
