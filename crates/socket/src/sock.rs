//! The netlink socket: requests, dumps and replies.

use std::os::fd::{AsFd, OwnedFd};

use nflens_wire::sys::*;
use nflens_wire::{Msg, MsgIter};
use rustix::net::{
    bind, netlink, recv, sendto, socket_with, sockopt, AddressFamily, RecvFlags, SendFlags,
    SocketFlags, SocketType,
};

use crate::error::Error;

/// Receive buffer space offered to each `recv`. The kernel sizes dump
/// datagrams to the largest buffer a reader offered, up to 32 KiB (see
/// `netlink_dump` in net/netlink/af_netlink.c), so 64 KiB always holds one,
/// unless a single message is larger (then [`Socket::dump`] grows it and
/// asks again).
pub const RECV_SPACE: usize = 64 * 1024;

/// A `NETLINK_NETFILTER` socket bound to the namespace it was opened in.
#[derive(Debug)]
pub struct Socket {
    fd: OwnedFd,
    seq: u32,
    space: usize,
    req: Vec<u8>,
}

/// How a dump went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DumpInfo {
    /// Messages received (not counting `NLMSG_DONE`).
    pub messages: usize,
    /// The kernel set `NLM_F_DUMP_INTR`: the ruleset changed during the dump.
    pub interrupted: bool,
    /// `res_id` of the first message: the low 16 bits of the generation the
    /// dump saw.
    pub res_id: Option<u16>,
}

impl DumpInfo {
    /// Whether the ruleset moved away from generation `gen` during the dump
    /// (`NLM_F_DUMP_INTR`, or a reply stamped with another generation).
    pub fn moved(&self, gen: u32) -> bool {
        self.interrupted || self.res_id.is_some_and(|r| r != gen as u16)
    }
}

impl Socket {
    /// Opens a socket in the calling thread's network namespace.
    pub fn open() -> Result<Socket, Error> {
        Self::from_fd(raw_socket()?)
    }

    /// Uses an already opened `NETLINK_NETFILTER` socket (for example one
    /// opened in another namespace).
    pub fn from_fd(fd: OwnedFd) -> Result<Socket, Error> {
        bind(&fd, &netlink::SocketAddrNetlink::new(0, 0))
            .map_err(|e| Error::io("bind", e.into()))?;
        // A bigger queue only helps; failing to get one is not an error.
        let _ = sockopt::set_socket_recv_buffer_size(&fd, 1 << 20);
        Ok(Socket {
            fd,
            seq: 0,
            space: RECV_SPACE,
            req: Vec::with_capacity(256),
        })
    }

    /// Gives up the socket's file descriptor.
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }

    /// The socket's file descriptor.
    pub fn fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn send(
        &mut self,
        msg: u32,
        flags: u16,
        family: u8,
        attrs: &[(u16, &[u8])],
    ) -> Result<u32, Error> {
        self.seq = self.seq.wrapping_add(1);
        let req = &mut self.req;
        req.clear();
        req.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_len, set below
        req.extend_from_slice(&((NFNL_SUBSYS_NFTABLES << 8) | msg as u16).to_ne_bytes());
        req.extend_from_slice(&(NLM_F_REQUEST | flags).to_ne_bytes());
        req.extend_from_slice(&self.seq.to_ne_bytes());
        req.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid: the kernel fills it in
        req.extend_from_slice(&[family, NFNETLINK_V0, 0, 0]); // nfgenmsg
        for (kind, value) in attrs {
            nflens_wire::expr::emit::put(req, *kind, value);
        }
        let len = req.len() as u32;
        if let Some(h) = req.get_mut(..4) {
            h.copy_from_slice(&len.to_ne_bytes());
        }
        sendto(
            &self.fd,
            req,
            SendFlags::empty(),
            &netlink::SocketAddrNetlink::new(0, 0),
        )
        .map_err(|e| Error::io("sendto", e.into()))?;
        Ok(self.seq)
    }

    /// Receives one datagram into the spare capacity of `out`. Returns its
    /// length, or `None` if it did not fit (it is lost: the caller retries
    /// with more space).
    fn recv_into(&mut self, out: &mut Vec<u8>) -> Result<Option<usize>, Error> {
        out.reserve(self.space);
        let before = out.len();
        loop {
            let spare = out.capacity() - out.len();
            match recv(
                &self.fd,
                rustix::buffer::spare_capacity(out),
                RecvFlags::TRUNC,
            ) {
                Ok((_, full)) if full > spare => {
                    out.truncate(before);
                    self.space = full.next_power_of_two();
                    return Ok(None);
                }
                Ok((n, _)) => return Ok(Some(n)),
                Err(rustix::io::Errno::INTR) => continue,
                Err(rustix::io::Errno::NOBUFS) => return Err(Error::NoBufs),
                Err(e) => return Err(Error::io("recv", e.into())),
            }
        }
    }

    /// Runs one dump request and appends every reply message to `out`; the
    /// start and length of each are pushed to `spans`. On `Err` or on
    /// `Ok(None)` (a datagram larger than the buffer: the caller should
    /// retry), `out` and `spans` may hold a partial dump.
    pub fn dump(
        &mut self,
        msg: u32,
        family: u8,
        attrs: &[(u16, &[u8])],
        out: &mut Vec<u8>,
        spans: &mut Vec<(u32, u32)>,
    ) -> Result<Option<DumpInfo>, Error> {
        let seq = self.send(msg, NLM_F_DUMP, family, attrs)?;
        let mut info = DumpInfo::default();
        loop {
            let start = out.len();
            let Some(n) = self.recv_into(out)? else {
                // The rest of the dump is still queued: drain it, then report.
                let mut scratch = Vec::with_capacity(self.space);
                loop {
                    scratch.clear();
                    match self.recv_into(&mut scratch)? {
                        None => continue,
                        Some(_) if ends_dump(&scratch, seq) => return Ok(None),
                        Some(_) => {}
                    }
                }
            };
            let mut done = false;
            let datagram = out.get(start..start + n).unwrap_or(&[]);
            for m in MsgIter::new(datagram, start) {
                let m = m.map_err(Error::Decode)?;
                if m.seq() != seq {
                    continue; // a stale reply to an earlier request
                }
                match m.kind() {
                    NLMSG_DONE => {
                        // nfnetlink puts the dump's return code after the header.
                        let code = m
                            .payload()
                            .get(..4)
                            .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        if code < 0 {
                            return Err(Error::kernel(msg, -code));
                        }
                        if m.flags() & NLM_F_DUMP_INTR != 0 {
                            info.interrupted = true;
                        }
                        done = true;
                    }
                    NLMSG_ERROR => match m.error_code() {
                        Some(0) | None => done = true,
                        Some(errno) => return Err(Error::kernel(msg, errno)),
                    },
                    NLMSG_NOOP => {}
                    _ => {
                        if m.flags() & NLM_F_DUMP_INTR != 0 {
                            info.interrupted = true;
                        }
                        if info.res_id.is_none() {
                            info.res_id = m.nfgen().ok().map(|g| g.res_id);
                        }
                        info.messages += 1;
                        spans.push((m.offset() as u32, m.len() as u32));
                    }
                }
            }
            if done {
                return Ok(Some(info));
            }
        }
    }

    /// Asks for the ruleset generation (`NFT_MSG_GETGEN`).
    pub fn generation(&mut self) -> Result<u32, Error> {
        let seq = self.send(NFT_MSG_GETGEN, 0, NFPROTO_UNSPEC, &[])?;
        let mut buf = Vec::with_capacity(4096);
        loop {
            buf.clear();
            let Some(n) = self.recv_into(&mut buf)? else {
                continue;
            };
            for m in MsgIter::new(buf.get(..n).unwrap_or(&[]), 0) {
                let m = m.map_err(Error::Decode)?;
                if m.seq() != seq {
                    continue;
                }
                if let Some(errno) = m.error_code() {
                    return Err(Error::kernel(NFT_MSG_GETGEN, errno));
                }
                if m.nft_msg() == Some(NFT_MSG_NEWGEN) {
                    return nflens_wire::Gen::parse(&m)
                        .map(|g| g.id)
                        .map_err(Error::Decode);
                }
            }
        }
    }
}

/// Creates an unbound `NETLINK_NETFILTER` socket in the calling thread's
/// namespace.
pub(crate) fn raw_socket() -> Result<OwnedFd, Error> {
    socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        Some(netlink::NETFILTER),
    )
    .map_err(|e| match e {
        rustix::io::Errno::PROTONOSUPPORT | rustix::io::Errno::AFNOSUPPORT => Error::NoNfTables,
        e => Error::io("socket(AF_NETLINK, NETLINK_NETFILTER)", e.into()),
    })
}

fn ends_dump(datagram: &[u8], seq: u32) -> bool {
    MsgIter::new(datagram, 0)
        .filter_map(|m| m.ok())
        .any(|m: Msg<'_>| m.seq() == seq && matches!(m.kind(), NLMSG_DONE | NLMSG_ERROR))
}
