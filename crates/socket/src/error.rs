//! Errors of the socket layer.

use std::io;

use nflens_wire::DecodeError;

/// Why a snapshot could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The kernel has no nf_tables netlink interface.
    #[error(
        "this kernel has no nf_tables (NETLINK_NETFILTER or its nf_tables subsystem is missing)"
    )]
    NoNfTables,
    /// The kernel refused: reading needs `CAP_NET_ADMIN`.
    #[error("permission denied reading nf_tables{}: needs CAP_NET_ADMIN in that network namespace (run as root)", .netns.as_deref().map(|n| format!(" in {n}")).unwrap_or_default())]
    PermissionDenied {
        /// The namespace asked for, if not the caller's.
        netns: Option<String>,
    },
    /// The namespace could not be opened or entered.
    #[error("cannot enter network namespace {path}: {source}{}", if source.kind() == io::ErrorKind::PermissionDenied { " (entering a namespace needs CAP_SYS_ADMIN)" } else { "" })]
    Netns {
        /// The namespace path.
        path: String,
        /// What went wrong.
        source: io::Error,
    },
    /// The kernel answered a request with an error.
    #[error("kernel refused {request}: {}", io::Error::from_raw_os_error(*.errno))]
    Kernel {
        /// The request (`NFT_MSG_GET*`).
        request: &'static str,
        /// The errno.
        errno: i32,
    },
    /// The socket's receive queue overflowed (`ENOBUFS`).
    #[error("netlink receive queue overflowed (ENOBUFS)")]
    NoBufs,
    /// The ruleset changed during every attempt.
    #[error("the ruleset changed during each of {attempts} attempts to read it; try again when it holds still")]
    Unstable {
        /// How many snapshots were tried.
        attempts: u32,
    },
    /// A reply could not be decoded.
    #[error("bad netlink reply: {0}")]
    Decode(#[from] DecodeError),
    /// A system call failed.
    #[error("{op}: {source}")]
    Io {
        /// The call.
        op: &'static str,
        /// The error.
        source: io::Error,
    },
}

impl Error {
    pub(crate) fn io(op: &'static str, source: io::Error) -> Self {
        Error::Io { op, source }
    }

    pub(crate) fn kernel(msg: u32, errno: i32) -> Self {
        use nflens_wire::sys::*;
        if errno == libc_eperm() {
            return Error::PermissionDenied { netns: None };
        }
        let request = match msg {
            NFT_MSG_GETTABLE => "NFT_MSG_GETTABLE",
            NFT_MSG_GETCHAIN => "NFT_MSG_GETCHAIN",
            NFT_MSG_GETRULE => "NFT_MSG_GETRULE",
            NFT_MSG_GETSET => "NFT_MSG_GETSET",
            NFT_MSG_GETSETELEM => "NFT_MSG_GETSETELEM",
            NFT_MSG_GETGEN => "NFT_MSG_GETGEN",
            NFT_MSG_GETOBJ => "NFT_MSG_GETOBJ",
            NFT_MSG_GETFLOWTABLE => "NFT_MSG_GETFLOWTABLE",
            _ => "request",
        };
        Error::Kernel { request, errno }
    }
}

fn libc_eperm() -> i32 {
    rustix::io::Errno::PERM.raw_os_error()
}
