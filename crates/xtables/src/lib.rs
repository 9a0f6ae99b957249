//! Zero-copy parser and canonical printer for `iptables-save` /
//! `ip6tables-save` output and `iptables-restore` input.
//!
//! # Layers
//! - [`lex`] splits a line into words the way `iptables-restore` does.
//! - [`parse`] / [`Parser`] turn text into a [`Dump`]: lines, tables, chain
//!   declarations and commands, each rule with typed option values
//!   ([`Value`]) for the matches and targets nflens knows ([`spec`]).
//!   Modules it does not know are kept verbatim, never an error.
//! - `Display` on every node prints canonical iptables-save text, so for
//!   text iptables-save printed, `parse(t)?.to_string() == t`.
//!
//! The tree borrows from the input; only strings that had quotes or
//! escapes are copied. [`Parser`] streams one line at a time for inputs too
//! large to hold a tree of.
//!
//! # Errors
//! [`ParseError`] carries line, column and byte offset, and displays the
//! line with a caret under the problem:
//!
//! ```
//! let err = nflens_xtables::parse("*filter\n-A INPUT -p tcp --dport 80x -j DROP\n").unwrap_err();
//! assert_eq!(err.short(), "2:25: bad --dport \"80x\": expected a port or range");
//! ```
//!
//! No input makes the parser panic (fuzzed: `fuzz/fuzz_targets/xtables_parse.rs`).
//!
//! MSRV: see `rust-version` in the workspace `Cargo.toml`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![warn(clippy::indexing_slicing)]
#![doc(test(attr(deny(warnings))))]

pub mod ast;
pub mod error;
pub mod lex;
pub mod names;
mod parse;
pub mod spec;
pub mod value;

pub use ast::*;
pub use error::{ErrorKind, ParseError, Position, Span};
pub use parse::{cut, parse, parse_command, utf8, Parser};
pub use value::Print;
