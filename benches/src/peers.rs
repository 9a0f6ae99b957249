//! The C peers, called through FFI: the only `unsafe` in the workspace
//! outside the socket crate's sys module, and never in a shipped crate.
#![allow(unsafe_code)]

use nftnl_sys as sys;
use std::ffi::{c_int, c_void, CString};

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
    in_netns(netns, || {
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
}

/// What the libnftnl dump peer parsed: tables, chains and rules, each an
/// `nftnl_*` object as nft and iptables-nft keep them in their caches.
struct NftnlCache {
    tables: Vec<*mut sys::nftnl_table>,
    chains: Vec<*mut sys::nftnl_chain>,
    rules: Vec<*mut sys::nftnl_rule>,
    failed: bool,
}

impl Drop for NftnlCache {
    fn drop(&mut self) {
        for &t in self.tables.iter().filter(|p| !p.is_null()) {
            // SAFETY: allocated by nftnl_table_alloc, freed once, here.
            unsafe { sys::nftnl_table_free(t) };
        }
        for &c in self.chains.iter().filter(|p| !p.is_null()) {
            // SAFETY: allocated by nftnl_chain_alloc, freed once, here.
            unsafe { sys::nftnl_chain_free(c) };
        }
        for &r in self.rules.iter().filter(|p| !p.is_null()) {
            // SAFETY: allocated by nftnl_rule_alloc, freed once, here.
            unsafe { sys::nftnl_rule_free(r) };
        }
    }
}

/// Which object a dump's callback parses.
#[derive(Clone, Copy)]
enum What {
    Table,
    Chain,
    Rule,
}

struct CbData<'a> {
    what: What,
    cache: &'a mut NftnlCache,
}

unsafe extern "C" fn parse_cb(nlh: *const mnl_sys::libc::nlmsghdr, data: *mut c_void) -> c_int {
    // SAFETY: `data` is the `CbData` that `dump` passed to mnl_cb_run, alive
    // and not otherwise borrowed for the length of that call.
    let d = unsafe { &mut *data.cast::<CbData<'_>>() };
    let nlh = nlh.cast::<sys::libc::nlmsghdr>();
    // Each object is freshly allocated (NULL is checked), `nlh` is a whole
    // message that libmnl checked against the bytes received, and the
    // object belongs to the cache (which frees it) from the moment it is
    // pushed.
    let ok = match d.what {
        What::Table => {
            // SAFETY: see above.
            let t = unsafe { sys::nftnl_table_alloc() };
            d.cache.tables.push(t);
            // SAFETY: see above.
            !t.is_null() && (unsafe { sys::nftnl_table_nlmsg_parse(nlh, t) }) >= 0
        }
        What::Chain => {
            // SAFETY: see above.
            let c = unsafe { sys::nftnl_chain_alloc() };
            d.cache.chains.push(c);
            // SAFETY: see above.
            !c.is_null() && (unsafe { sys::nftnl_chain_nlmsg_parse(nlh, c) }) >= 0
        }
        What::Rule => {
            // SAFETY: see above.
            let r = unsafe { sys::nftnl_rule_alloc() };
            d.cache.rules.push(r);
            // SAFETY: see above.
            !r.is_null() && (unsafe { sys::nftnl_rule_nlmsg_parse(nlh, r) }) >= 0
        }
    };
    if ok {
        mnl_sys::MNL_CB_OK
    } else {
        d.cache.failed = true;
        mnl_sys::MNL_CB_ERROR
    }
}

const NFT_MSG_GETTABLE: u16 = 1;
const NFT_MSG_GETCHAIN: u16 = 4;
const NFT_MSG_GETRULE: u16 = 7;
const NLM_F_DUMP: u16 = 0x300;
const NETLINK_NETFILTER: c_int = 12;
/// libmnl's `MNL_SOCKET_DUMP_SIZE`, the receive buffer it recommends for dumps.
const DUMP_SIZE: usize = 32768;

/// An open, bound libmnl socket.
struct Mnl(*mut mnl_sys::mnl_socket);

impl Drop for Mnl {
    fn drop(&mut self) {
        // SAFETY: opened by mnl_socket_open, closed once, here.
        unsafe { mnl_sys::mnl_socket_close(self.0) };
    }
}

/// One dump: builds the request with libnftnl (`fill` adds the filter
/// attributes), sends it, and runs libmnl's callback loop over the replies.
fn dump(
    nl: &Mnl,
    buf: &mut [u8],
    seq: u32,
    msg: u16,
    family: u16,
    fill: impl FnOnce(*mut sys::libc::nlmsghdr),
    data: &mut CbData<'_>,
) -> bool {
    // SAFETY: `buf` is DUMP_SIZE bytes, far more than a request header and
    // the two names `fill` adds; nftnl_nlmsg_build_hdr writes into it.
    let nlh = unsafe {
        sys::nftnl_nlmsg_build_hdr(buf.as_mut_ptr().cast(), msg, family, NLM_F_DUMP, seq)
    };
    fill(nlh);
    // SAFETY: `nlh` points into `buf`; nlmsg_len is what libnftnl wrote.
    let len = unsafe { (*nlh).nlmsg_len } as usize;
    // SAFETY: the socket is open; the request is `len` bytes of `buf`.
    if unsafe { mnl_sys::mnl_socket_sendto(nl.0, buf.as_ptr().cast(), len) } < 0 {
        return false;
    }
    // SAFETY: the socket is open.
    let portid = unsafe { mnl_sys::mnl_socket_get_portid(nl.0) };
    loop {
        // SAFETY: receives at most `buf.len()` bytes into `buf`.
        let n = unsafe { mnl_sys::mnl_socket_recvfrom(nl.0, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            return false;
        }
        // SAFETY: the first `n` bytes of `buf` were received; `data` outlives
        // the call and parse_cb casts it back to `CbData`.
        let r = unsafe {
            mnl_sys::mnl_cb_run(
                buf.as_ptr().cast(),
                n as usize,
                seq,
                portid,
                Some(parse_cb),
                (data as *mut CbData<'_>).cast(),
            )
        };
        match r {
            r if r > 0 => continue,
            0 => return !data.cache.failed,
            _ => return false,
        }
    }
}

/// libnftnl over libmnl dumping the namespace at `netns` as nflens does:
/// tables, chains, then one rule dump per chain filtered with the chain's
/// family, table and name, every message parsed into an `nftnl_*` object
/// (kept until the end, as a cache is); one socket on one thread that
/// enters the namespace and ends. Returns the number of rules.
pub fn libnftnl_dump(netns: &std::path::Path) -> usize {
    in_netns(netns, || {
        // SAFETY: plain socket creation; NULL is checked.
        let nl = Mnl(unsafe { mnl_sys::mnl_socket_open(NETLINK_NETFILTER) });
        assert!(!nl.0.is_null(), "mnl_socket_open");
        // SAFETY: the socket is open.
        let bound = unsafe { mnl_sys::mnl_socket_bind(nl.0, 0, mnl_sys::MNL_SOCKET_AUTOPID) };
        assert!(bound >= 0, "mnl_socket_bind");
        let mut buf = vec![0u8; DUMP_SIZE];
        let mut cache = NftnlCache {
            tables: Vec::new(),
            chains: Vec::new(),
            rules: Vec::new(),
            failed: false,
        };
        let mut seq = 1;
        for what in [What::Table, What::Chain] {
            let msg = match what {
                What::Table => NFT_MSG_GETTABLE,
                _ => NFT_MSG_GETCHAIN,
            };
            let mut d = CbData {
                what,
                cache: &mut cache,
            };
            assert!(
                dump(&nl, &mut buf, seq, msg, 0, |_| {}, &mut d),
                "libnftnl dump"
            );
            seq += 1;
        }
        let keys: Vec<(u16, CString, CString)> = cache
            .chains
            .iter()
            .map(|&c| {
                // SAFETY: a parsed chain; the strings are copied before
                // the chain is freed (with the cache).
                unsafe {
                    (
                        sys::nftnl_chain_get_u32(c, sys::NFTNL_CHAIN_FAMILY as u16) as u16,
                        std::ffi::CStr::from_ptr(sys::nftnl_chain_get_str(
                            c,
                            sys::NFTNL_CHAIN_TABLE as u16,
                        ))
                        .to_owned(),
                        std::ffi::CStr::from_ptr(sys::nftnl_chain_get_str(
                            c,
                            sys::NFTNL_CHAIN_NAME as u16,
                        ))
                        .to_owned(),
                    )
                }
            })
            .collect();
        for (family, table, chain) in &keys {
            let fill = |nlh: *mut sys::libc::nlmsghdr| {
                // SAFETY: a fresh rule (NULL checked) holding copies of
                // the names; its payload goes into the request at `nlh`
                // (room checked by `dump`), then it is freed.
                unsafe {
                    let r = sys::nftnl_rule_alloc();
                    assert!(!r.is_null());
                    sys::nftnl_rule_set_str(r, sys::NFTNL_RULE_TABLE as u16, table.as_ptr());
                    sys::nftnl_rule_set_str(r, sys::NFTNL_RULE_CHAIN as u16, chain.as_ptr());
                    sys::nftnl_rule_nlmsg_build_payload(nlh, r);
                    sys::nftnl_rule_free(r);
                }
            };
            let mut d = CbData {
                what: What::Rule,
                cache: &mut cache,
            };
            assert!(
                dump(&nl, &mut buf, seq, NFT_MSG_GETRULE, *family, fill, &mut d),
                "libnftnl rule dump"
            );
            seq += 1;
        }
        cache.rules.len()
    })
}

/// Runs `f` on a thread that enters the network namespace at `netns` and
/// ends with it, as nflens's own reader does; the caller's thread never
/// changes namespace.
fn in_netns<T: Send>(netns: &std::path::Path, f: impl FnOnce() -> T + Send) -> T {
    use std::os::fd::AsFd;
    let ns = std::fs::File::open(netns).expect("open the namespace");
    std::thread::scope(|s| {
        s.spawn(|| {
            rustix::thread::move_into_link_name_space(
                ns.as_fd(),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )
            .expect("enter the namespace");
            f()
        })
        .join()
        .expect("peer thread")
    })
}
