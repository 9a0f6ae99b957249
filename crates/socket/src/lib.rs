//! Reads nf_tables from the kernel: a pure-Rust `NETLINK_NETFILTER` socket
//! (through `rustix`; no C library, no subprocess, no async runtime) and a
//! generation-consistent [`Snapshot`] of the whole ruleset, in any network
//! namespace.
//!
//! This is the only nflens crate that makes system calls. It never writes:
//! every request is a `GET`.
//!
//! ```no_run
//! use nflens_socket::{Options, Snapshot, Netns};
//! let snap = Snapshot::read(&Options { netns: Netns::named("blue"), ..Options::default() })?;
//! for rule in snap.rules() {
//!     println!("{} {} {} handle {}", rule.family, rule.table, rule.chain, rule.handle);
//! }
//! # Ok::<(), nflens_socket::Error>(())
//! ```
//!
//! MSRV: see `rust-version` in the workspace `Cargo.toml`.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod error;
mod legacy;
mod netns;
mod snapshot;
mod sock;
mod sys;

pub use error::Error;
pub use legacy::{ipset_names, Legacy, LegacyTable};
pub use netns::Netns;
pub use snapshot::{Options, RuleBatch, RuleWork, Snapshot, Stats};
pub use sock::{DumpInfo, Socket, RECV_SPACE};
