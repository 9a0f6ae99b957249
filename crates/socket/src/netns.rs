//! Opening the socket in another network namespace.
//!
//! A helper thread enters the namespace (`setns(2)` with `CLONE_NEWNET`),
//! opens the socket there and hands it back; the thread then ends. A
//! netlink socket stays bound to the namespace it was created in, so the
//! caller reads that namespace while its own threads never move.

use std::os::fd::{AsFd, BorrowedFd};
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
        Socket::from_fd(self.run(crate::sock::raw_socket)?)
    }

    /// Runs `f` in this namespace: on a helper thread that enters it (the
    /// caller's threads never move), or directly for [`Netns::Current`].
    /// Sockets `f` opens stay bound to the namespace; `/proc/thread-self/net`
    /// shows it.
    pub(crate) fn run<T: Send>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        match self {
            Netns::Current => f(),
            Netns::Path(p) => {
                let what = p.display().to_string();
                let ns = open(p, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).map_err(|e| {
                    Error::Netns {
                        path: what.clone(),
                        source: e.into(),
                    }
                })?;
                run_in(ns.as_fd(), &what, f)
            }
            Netns::Fd(fd) => run_in(*fd, &format!("fd {fd:?}"), f),
        }
    }
}

fn run_in<T: Send>(
    ns: BorrowedFd<'_>,
    what: &str,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let r = std::thread::scope(|s| {
        s.spawn(|| -> Result<T, Error> {
            move_into_link_name_space(ns, Some(LinkNameSpaceType::Network)).map_err(|e| {
                Error::Netns {
                    path: what.to_owned(),
                    source: e.into(),
                }
            })?;
            f()
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
