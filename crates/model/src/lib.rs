//! One normalised, owned rule model for both firewall backends.
//!
//! nflens reads rules from two places: iptables-save text (legacy xtables or
//! iptables-nft) and, later, nf_tables over netlink, where the same match
//! arrives either as an xt `match` blob or as native expressions. This crate
//! is where they meet: [`lower`] turns a parsed tree into a [`Ruleset`], and
//! equal meaning gives equal values:
//!
//! ```
//! use nflens_model::{lower, CtState, MatchKind};
//! let a = nflens_xtables::parse("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n").unwrap();
//! let b = nflens_xtables::parse("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n").unwrap();
//! let (a, b) = (lower::from_xtables(&a, None).unwrap(), lower::from_xtables(&b, None).unwrap());
//! let rule_a = &a.tables[0].chains[0].rules[0];
//! let rule_b = &b.tables[0].chains[0].rules[0];
//! assert_eq!(rule_a.matches, rule_b.matches);
//! assert_eq!(rule_a.matches[0].kind, MatchKind::CtState(CtState::ESTABLISHED | CtState::RELATED));
//! // `ct state 0x2,0x4` in nft is the same bits.
//! assert_eq!(CtState::from_bits_retain(0x2 | 0x4), CtState::ESTABLISHED | CtState::RELATED);
//! ```
//!
//! The model is lossy on purpose (like regex-syntax's `Hir`): spelling,
//! option order and module choice are gone; the meaning stays. What nflens
//! does not normalise yet is kept as [`MatchKind::Xt`] / [`ActionKind::Xt`]
//! with its canonical iptables text, never dropped.
//!
//! # Features
//! - `serde`: `Serialize`/`Deserialize` for every type.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![doc(test(attr(deny(warnings))))]

pub mod diff;
mod exthdr;
mod field;
pub mod legacy;
pub mod lower;
pub mod nft;
pub mod render;
mod set;
mod types;
mod xt_native;
mod xt_save;

pub use field::{
    CmpOp, CtKey, Datatype, ExtHdr, ExtKind, FieldTest, Header, HeaderField, InnerKey, Key,
    MetaKey, PayloadBase, Tunnel, Value,
};
pub use set::NftType;
pub use types::*;
