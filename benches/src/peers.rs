//! The C peers, called through FFI: the only `unsafe` in the workspace
//! outside the socket crate's sys module, and never in a shipped crate.
#![allow(unsafe_code)]

use nftnl_sys as sys;

/// Parses each message (`spans` into `buf`) with libnftnl's
/// `nftnl_rule_nlmsg_parse`, as nft and iptables-nft do when they list, and
/// returns how many parsed. `buf` must hold whole, 4-byte aligned messages.
pub fn libnftnl_parse_rules(buf: &AlignedBuf, spans: &[(usize, usize)]) -> usize {
    let mut ok = 0;
    for &(start, len) in spans {
        let Some(msg) = buf.bytes().get(start..start + len) else {
            continue;
        };
        if msg.len() < 16 {
            continue;
        }
        // SAFETY: nftnl_rule_alloc returns a fresh rule or NULL (checked).
        let rule = unsafe { sys::nftnl_rule_alloc() };
        if rule.is_null() {
            continue;
        }
        // SAFETY: `msg` is a whole netlink message (its nlmsg_len is checked
        // by the caller's span), 4-byte aligned because `AlignedBuf` is
        // u32-backed and spans start at aligned offsets; libnftnl reads only
        // within nlmsg_len. `rule` is valid until freed below.
        let r = unsafe {
            sys::nftnl_rule_nlmsg_parse(msg.as_ptr().cast::<sys::libc::nlmsghdr>(), rule)
        };
        if r >= 0 {
            ok += 1;
        }
        // SAFETY: `rule` came from nftnl_rule_alloc and is freed once.
        unsafe { sys::nftnl_rule_free(rule) };
    }
    ok
}

/// A byte buffer with 4-byte alignment, as netlink messages need.
#[derive(Debug)]
pub struct AlignedBuf {
    words: Vec<u32>,
    len: usize,
}

impl AlignedBuf {
    /// Copies `b`.
    pub fn new(b: &[u8]) -> Self {
        let mut words = vec![0u32; b.len().div_ceil(4)];
        for (w, c) in words.iter_mut().zip(b.chunks(4)) {
            let mut x = [0u8; 4];
            x[..c.len()].copy_from_slice(c);
            *w = u32::from_ne_bytes(x);
        }
        AlignedBuf {
            words,
            len: b.len(),
        }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        let all: &[u8] = bytemuck_cast(&self.words);
        &all[..self.len]
    }
}

fn bytemuck_cast(w: &[u32]) -> &[u8] {
    // SAFETY: u32 has no padding and every bit pattern is a valid u8; the
    // length in bytes is exactly 4 * w.len(); alignment of u8 is 1.
    unsafe { std::slice::from_raw_parts(w.as_ptr().cast::<u8>(), w.len() * 4) }
}

/// rustables 0.9 dumping the namespace at `netns` as its API offers: the
/// tables, each table's chains, each chain's rules (one socket and one dump
/// per call, as rustables does), on a thread that enters the namespace and
/// ends, as nflens's own reader does. Returns the number of rules.
pub fn rustables_dump(netns: &std::path::Path) -> usize {
    use std::os::fd::AsFd;
    let ns = std::fs::File::open(netns).expect("open the namespace");
    std::thread::scope(|s| {
        s.spawn(|| {
            rustix::thread::move_into_link_name_space(
                ns.as_fd(),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )
            .expect("enter the namespace");
            let mut rules = 0;
            for t in rustables::list_tables().expect("rustables: tables") {
                for c in rustables::list_chains_for_table(&t).expect("rustables: chains") {
                    rules += rustables::list_rules_for_chain(&c)
                        .expect("rustables: rules")
                        .len();
                }
            }
            rules
        })
        .join()
        .expect("rustables thread")
    })
}
