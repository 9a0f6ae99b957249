//! Opening the socket in another network namespace.
//!
//! A helper thread enters the namespace (`setns(2)` with `CLONE_NEWNET`),
//! opens the socket there and hands it back; the thread then ends. A
//! netlink socket stays bound to the namespace it was created in, so the
//! caller reads that namespace while its own threads never move.

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{open, Mode, OFlags};
use rustix::thread::{move_into_link_name_space, LinkNameSpaceType};

use crate::error::Error;
use crate::sock::Socket;

/// Which network namespace to read.
#[derive(Debug, Clone, Default)]
pub enum Netns<'a> {
    /// The caller's own.
    #[default]
    Current,
    /// A namespace file: `/run/netns/NAME` (made by `ip netns add`) or
    /// `/proc/PID/ns/net`.
    Path(PathBuf),
    /// An open namespace file descriptor.
    Fd(BorrowedFd<'a>),
}

impl Netns<'_> {
    /// A namespace by `ip netns` name (`/run/netns/NAME`), or by path if the
    /// argument contains a `/`.
    pub fn named(name_or_path: &str) -> Netns<'static> {
        if name_or_path.contains('/') {
            Netns::Path(PathBuf::from(name_or_path))
        } else {
            Netns::Path(Path::new("/run/netns").join(name_or_path))
        }
    }

    /// How to name it in messages.
    pub fn describe(&self) -> Option<String> {
        match self {
            Netns::Current => None,
            Netns::Path(p) => Some(p.display().to_string()),
            Netns::Fd(fd) => Some(format!("namespace fd {fd:?}")),
        }
    }

    /// Opens a socket in this namespace.
    pub fn open_socket(&self) -> Result<Socket, Error> {
        let fd = match self {
            Netns::Current => return Socket::open(),
            Netns::Path(p) => {
                let f = open(p, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).map_err(|e| {
                    Error::Netns {
                        path: p.display().to_string(),
                        source: e.into(),
                    }
                })?;
                socket_in(f.as_fd(), &p.display().to_string())?
            }
            Netns::Fd(fd) => socket_in(*fd, &format!("fd {fd:?}"))?,
        };
        Socket::from_fd(fd)
    }
}

fn socket_in(ns: BorrowedFd<'_>, what: &str) -> Result<OwnedFd, Error> {
    let r = std::thread::scope(|s| {
        s.spawn(|| -> Result<OwnedFd, Error> {
            move_into_link_name_space(ns, Some(LinkNameSpaceType::Network)).map_err(|e| {
                Error::Netns {
                    path: what.to_owned(),
                    source: e.into(),
                }
            })?;
            crate::sock::raw_socket()
        })
        .join()
    });
    match r {
        Ok(r) => r,
        Err(_) => Err(Error::Netns {
            path: what.to_owned(),
            source: std::io::Error::other("helper thread failed"),
        }),
    }
}
