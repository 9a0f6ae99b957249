//! Zero-copy views and typed decoding of nf_tables netlink messages.
//!
//! No I/O here: the socket crate (`nflens-socket`) receives the bytes; this
//! crate reads them.
//!
//! # Layers
//! - [`nl`]: `nlmsghdr`, `nfgenmsg` and `nlattr` views with checked lengths
//!   ([`Msg`], [`MsgIter`], [`Attr`], [`AttrIter`]).
//! - [`msg`]: one repr per object the kernel dumps ([`Table`], [`Chain`],
//!   [`Rule`], [`Set`], [`SetElems`], [`Obj`], [`Flowtable`], [`Gen`]),
//!   borrowing names and bytes from the message.
//! - [`expr`]: one [`Expr`] variant per kernel expression; `Display` prints
//!   libnftnl's debug syntax, as `nft --debug=netlink` does.
//! - [`xt`]: the xtables `match`/`target` blobs iptables-nft stores.
//! - [`sys`]: the kernel's constants, names unchanged.
//!
//! # Guarantees
//! Decoding never panics and never allocates; errors are `Copy`
//! ([`DecodeError`]) and carry the byte offset. What a newer kernel adds (an
//! expression, attribute or key value) is kept raw, never an error.
//!
//! ```
//! use nflens_wire::{Expr, Exprs, AttrIter};
//! // NFTA_LIST_ELEM { NFTA_EXPR_NAME "counter", NFTA_EXPR_DATA { BYTES 0, PACKETS 0 } }
//! let bytes = nflens_wire::_testing::counter_list(3, 4);
//! let list = AttrIter::new(&bytes, 0).next().unwrap().unwrap();
//! let exprs = Exprs::list(&list);
//! let e = exprs.iter().next().unwrap().unwrap();
//! assert!(matches!(e, Expr::Counter(c) if c.packets == 3 && c.bytes == 4));
//! assert_eq!(e.to_string(), "[ counter pkts 3 bytes 4 ]");
//! ```
//!
//! # Features
//! - `serde`: `Serialize` for every repr (bytes as hex strings).
//!
//! MSRV: see `rust-version` in the workspace `Cargo.toml`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]
#![warn(clippy::indexing_slicing)]
#![doc(test(attr(deny(warnings))))]

/// Declares plain reprs: `Debug, Clone, Copy, PartialEq, Eq`, and
/// `Serialize` with the `serde` feature.
macro_rules! ser {
    ($($item:item)*) => { $(
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        $item
    )* };
}

/// [`ser!`] and `Default` (the value of a repr whose attributes are all
/// absent).
macro_rules! ser_default {
    ($($item:item)*) => { $(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize))]
        $item
    )* };
}

/// Reads the attributes of a nest in order, each straight into its
/// field: `$k => $place, $conv;` stores `$conv(&attr)?` in `$place` for an
/// attribute of type `$k`. Other types are skipped (a newer kernel's
/// attribute stays in the raw bytes); a repeated type: the last one wins,
/// as with libmnl's `mnl_attr_parse`. Every known attribute's length is
/// checked where it is met.
macro_rules! read {
    ($it:expr; $($k:path => $place:expr, $conv:ident;)*) => {
        for a in $it {
            let a = a?;
            #[allow(unreachable_patterns)]
            match a.kind() {
                $($k => $place = $conv(&a)?,)*
                _ => {}
            }
        }
    };
}

pub mod data;
pub mod error;
pub mod expr;
pub mod legacy;
pub mod msg;
pub mod nl;
pub mod sys;
pub mod udata;
pub mod xt;

pub use data::{Data, Reg, Verdict};
pub use error::{DecodeError, DecodeErrorKind};
pub use expr::{Expr, ExprAttr, Exprs, MAX_NEST};
pub use msg::{
    Chain, Elem, Flowtable, Gen, Hook, Obj, ObjData, Object, Rule, Set, SetElems, Table,
};
pub use nl::{Attr, AttrIter, Msg, MsgIter, NfGenMsg};

#[cfg(feature = "serde")]
pub(crate) mod hex {
    /// Serialises decoded items as a sequence; a decode error becomes a
    /// serialisation error.
    pub fn seq<T: serde::Serialize, S: serde::Serializer>(
        items: impl Iterator<Item = Result<T, crate::DecodeError>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        for item in items {
            seq.serialize_element(&item.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }

    pub fn serialize<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut out = String::with_capacity(b.len() * 2);
        for x in b {
            use core::fmt::Write;
            let _ = write!(out, "{x:02x}");
        }
        s.serialize_str(&out)
    }
}

/// Helpers for doctests and benches; not part of the API.
#[doc(hidden)]
pub mod _testing {
    /// An `NFTA_RULE_EXPRESSIONS` nest holding one `counter`.
    pub fn counter_list(packets: u64, bytes: u64) -> Vec<u8> {
        let mut data = Vec::new();
        put(&mut data, 1, &bytes.to_be_bytes()); // NFTA_COUNTER_BYTES
        put(&mut data, 2, &packets.to_be_bytes()); // NFTA_COUNTER_PACKETS
        let mut elem = Vec::new();
        put(&mut elem, 1, b"counter\0"); // NFTA_EXPR_NAME
        put(&mut elem, 2 | 0x8000, &data); // NFTA_EXPR_DATA
        let mut list = Vec::new();
        put(&mut list, 1 | 0x8000, &elem); // NFTA_LIST_ELEM
        let mut out = Vec::new();
        put(&mut out, 4 | 0x8000, &list); // NFTA_RULE_EXPRESSIONS
        out
    }

    pub use crate::expr::emit::put;
}
