//! libnftnl userdata: the `NFTA_*_USERDATA` bytes the kernel stores for
//! tables, chains, rules, sets, set elements and objects without reading
//! them. nft and iptables-nft write TLVs there (`struct nftnl_udata`: u8
//! type, u8 length, value; types from libnftnl's `udata.h`), which this
//! module reads into one repr per object.
//!
//! The bytes are whatever the writer put there, so every accessor is
//! checked: a TLV that runs past the end, a number that is not 4 bytes or a
//! comment that is not UTF-8 is an error whose offset counts from the first
//! byte of the userdata. A type this version does not know is skipped, as
//! libnftnl's parsers skip it. Numbers are in host order
//! (`nftnl_udata_put_u32`).

use crate::error::{DecodeError, DecodeErrorKind, Result};

/// `NFTNL_UDATA_TABLE_COMMENT`, `NFTNL_UDATA_CHAIN_COMMENT`,
/// `NFTNL_UDATA_RULE_COMMENT`, `NFTNL_UDATA_OBJ_COMMENT`,
/// `NFTNL_UDATA_SET_ELEM_COMMENT`.
pub const NFTNL_UDATA_COMMENT: u8 = 0;
/// `NFTNL_UDATA_RULE_EBTABLES_POLICY`.
pub const NFTNL_UDATA_RULE_EBTABLES_POLICY: u8 = 1;
/// `NFTNL_UDATA_SET_KEYBYTEORDER`.
pub const NFTNL_UDATA_SET_KEYBYTEORDER: u8 = 0;
/// `NFTNL_UDATA_SET_DATABYTEORDER`.
pub const NFTNL_UDATA_SET_DATABYTEORDER: u8 = 1;
/// `NFTNL_UDATA_SET_MERGE_ELEMENTS`.
pub const NFTNL_UDATA_SET_MERGE_ELEMENTS: u8 = 2;
/// `NFTNL_UDATA_SET_KEY_TYPEOF`.
pub const NFTNL_UDATA_SET_KEY_TYPEOF: u8 = 3;
/// `NFTNL_UDATA_SET_DATA_TYPEOF`.
pub const NFTNL_UDATA_SET_DATA_TYPEOF: u8 = 4;
/// `NFTNL_UDATA_SET_EXPR`.
pub const NFTNL_UDATA_SET_EXPR: u8 = 5;
/// `NFTNL_UDATA_SET_DATA_INTERVAL`.
pub const NFTNL_UDATA_SET_DATA_INTERVAL: u8 = 6;
/// `NFTNL_UDATA_SET_COMMENT`.
pub const NFTNL_UDATA_SET_COMMENT: u8 = 7;
/// `NFTNL_UDATA_SET_TYPEOF_EXPR`.
pub const NFTNL_UDATA_SET_TYPEOF_EXPR: u8 = 0;
/// `NFTNL_UDATA_SET_TYPEOF_DATA`.
pub const NFTNL_UDATA_SET_TYPEOF_DATA: u8 = 1;
/// `NFTNL_UDATA_SET_ELEM_FLAGS`.
pub const NFTNL_UDATA_SET_ELEM_FLAGS: u8 = 1;
/// `NFTNL_SET_ELEM_F_INTERVAL_OPEN`: the element is a half-open range.
pub const NFTNL_SET_ELEM_F_INTERVAL_OPEN: u32 = 1;

/// One TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Udata<'a> {
    /// The type.
    pub kind: u8,
    /// The value.
    pub value: &'a [u8],
    /// Offset of the TLV's first byte from the start of the userdata.
    pub offset: usize,
}

impl<'a> Udata<'a> {
    fn err(&self, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(self.offset + 2, kind)
    }
    fn u32(&self) -> Result<u32> {
        let b: [u8; 4] = self.value.try_into().map_err(|_| {
            self.err(DecodeErrorKind::BadValueLen {
                expected: 4,
                found: self.value.len() as u32,
            })
        })?;
        Ok(u32::from_ne_bytes(b))
    }
    /// A NUL-terminated string (`nftnl_udata_put_strz`; a missing NUL is
    /// accepted), checked to be UTF-8.
    pub(crate) fn strz(&self) -> Result<&'a str> {
        let v = self.value;
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        core::str::from_utf8(v.get(..end).unwrap_or(&[]))
            .map_err(|_| self.err(DecodeErrorKind::NotUtf8))
    }
    /// The TLVs nested in this one.
    fn nested(&self) -> UdataIter<'a> {
        UdataIter {
            buf: self.value,
            pos: 0,
            base: self.offset + 2,
        }
    }
}

/// The first TLV of type `kind`, if there is one before the first TLV that
/// runs past the end.
pub(crate) fn find(userdata: &[u8], kind: u8) -> Option<Udata<'_>> {
    UdataIter::new(userdata)
        .map_while(Result::ok)
        .find(|t| t.kind == kind)
}

/// Iterates over TLVs; yields `Err` once and stops if one runs past the end.
#[derive(Debug, Clone)]
pub struct UdataIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> UdataIter<'a> {
    /// The TLVs of `userdata`.
    pub fn new(userdata: &'a [u8]) -> Self {
        UdataIter {
            buf: userdata,
            pos: 0,
            base: 0,
        }
    }
}

impl<'a> Iterator for UdataIter<'a> {
    type Item = Result<Udata<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        let offset = self.base + self.pos;
        let [kind, len, value @ ..] = rest else {
            if rest.is_empty() {
                return None;
            }
            self.pos = self.buf.len();
            return Some(Err(DecodeError::truncated(offset, 2)));
        };
        let Some(value) = value.get(..usize::from(*len)) else {
            self.pos = self.buf.len();
            return Some(Err(DecodeError::truncated(offset, 2 + usize::from(*len))));
        };
        self.pos += 2 + value.len();
        Some(Ok(Udata {
            kind: *kind,
            value,
            offset,
        }))
    }
}

ser! {
/// Table, chain or object userdata: only a comment
/// (`NFTNL_UDATA_{TABLE,CHAIN,OBJ}_COMMENT`).
pub struct CommentUdata<'a> {
    /// `comment "..."`.
    pub comment: Option<&'a str>,
}

/// Rule userdata.
pub struct RuleUdata<'a> {
    /// `NFTNL_UDATA_RULE_COMMENT`: nft's `comment "..."`; iptables-nft
    /// stores `-m comment` here too when it writes natively.
    pub comment: Option<&'a str>,
    /// `NFTNL_UDATA_RULE_EBTABLES_POLICY`: the policy of an ebtables-nft
    /// user chain, on its last rule.
    pub ebtables_policy: Option<u32>,
}

/// Set element userdata.
pub struct ElemUdata<'a> {
    /// `NFTNL_UDATA_SET_ELEM_COMMENT`.
    pub comment: Option<&'a str>,
    /// `NFTNL_UDATA_SET_ELEM_FLAGS`: [`NFTNL_SET_ELEM_F_INTERVAL_OPEN`].
    pub flags: Option<u32>,
}

/// A set's `typeof` key or data, as nft stores it to list the set the way
/// it was written (`typeof ip saddr . tcp dport`).
pub struct Typeof<'a> {
    /// `NFTNL_UDATA_SET_TYPEOF_EXPR`: nft's own expression type number
    /// (`enum expr_types` of the nft that wrote it; not a kernel value).
    pub expr: Option<u32>,
    /// `NFTNL_UDATA_SET_TYPEOF_DATA`: that expression's TLVs, nft's own
    /// per expression (for a concatenation, one nest per part).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
    pub data: &'a [u8],
}

/// Set userdata.
pub struct SetUdata<'a> {
    /// `NFTNL_UDATA_SET_KEYBYTEORDER`: 1 host, 2 big endian (nft's
    /// `enum byteorder`).
    pub key_byteorder: Option<u32>,
    /// `NFTNL_UDATA_SET_DATABYTEORDER`.
    pub data_byteorder: Option<u32>,
    /// `NFTNL_UDATA_SET_MERGE_ELEMENTS`: `auto-merge`.
    pub merge_elements: Option<bool>,
    /// `NFTNL_UDATA_SET_KEY_TYPEOF`.
    pub key_typeof: Option<Typeof<'a>>,
    /// `NFTNL_UDATA_SET_DATA_TYPEOF`.
    pub data_typeof: Option<Typeof<'a>>,
    /// `NFTNL_UDATA_SET_EXPR`: nft's own value, kept as bytes.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::msg::ser_opt_hex"))]
    pub expr: Option<&'a [u8]>,
    /// `NFTNL_UDATA_SET_DATA_INTERVAL`: the map's data are intervals.
    pub data_interval: Option<bool>,
    /// `NFTNL_UDATA_SET_COMMENT`.
    pub comment: Option<&'a str>,
}
}

impl<'a> CommentUdata<'a> {
    /// Reads table, chain or object userdata.
    pub fn parse(userdata: &'a [u8]) -> Result<Self> {
        let mut u = CommentUdata { comment: None };
        for t in UdataIter::new(userdata) {
            let t = t?;
            if t.kind == NFTNL_UDATA_COMMENT {
                u.comment = Some(t.strz()?);
            }
        }
        Ok(u)
    }
}

impl<'a> RuleUdata<'a> {
    /// Reads rule userdata.
    pub fn parse(userdata: &'a [u8]) -> Result<Self> {
        let mut u = RuleUdata {
            comment: None,
            ebtables_policy: None,
        };
        for t in UdataIter::new(userdata) {
            let t = t?;
            match t.kind {
                NFTNL_UDATA_COMMENT => u.comment = Some(t.strz()?),
                NFTNL_UDATA_RULE_EBTABLES_POLICY => u.ebtables_policy = Some(t.u32()?),
                _ => {}
            }
        }
        Ok(u)
    }
}

impl<'a> ElemUdata<'a> {
    /// Reads set element userdata.
    pub fn parse(userdata: &'a [u8]) -> Result<Self> {
        let mut u = ElemUdata {
            comment: None,
            flags: None,
        };
        for t in UdataIter::new(userdata) {
            let t = t?;
            match t.kind {
                NFTNL_UDATA_COMMENT => u.comment = Some(t.strz()?),
                NFTNL_UDATA_SET_ELEM_FLAGS => u.flags = Some(t.u32()?),
                _ => {}
            }
        }
        Ok(u)
    }
}

impl<'a> Typeof<'a> {
    fn parse(t: &Udata<'a>) -> Result<Self> {
        let mut out = Typeof {
            expr: None,
            data: &[],
        };
        for n in t.nested() {
            let n = n?;
            match n.kind {
                NFTNL_UDATA_SET_TYPEOF_EXPR => out.expr = Some(n.u32()?),
                NFTNL_UDATA_SET_TYPEOF_DATA => out.data = n.value,
                _ => {}
            }
        }
        Ok(out)
    }
}

impl<'a> SetUdata<'a> {
    /// Reads set userdata.
    pub fn parse(userdata: &'a [u8]) -> Result<Self> {
        let mut u = SetUdata {
            key_byteorder: None,
            data_byteorder: None,
            merge_elements: None,
            key_typeof: None,
            data_typeof: None,
            expr: None,
            data_interval: None,
            comment: None,
        };
        for t in UdataIter::new(userdata) {
            let t = t?;
            match t.kind {
                NFTNL_UDATA_SET_KEYBYTEORDER => u.key_byteorder = Some(t.u32()?),
                NFTNL_UDATA_SET_DATABYTEORDER => u.data_byteorder = Some(t.u32()?),
                NFTNL_UDATA_SET_MERGE_ELEMENTS => u.merge_elements = Some(t.u32()? != 0),
                NFTNL_UDATA_SET_KEY_TYPEOF => u.key_typeof = Some(Typeof::parse(&t)?),
                NFTNL_UDATA_SET_DATA_TYPEOF => u.data_typeof = Some(Typeof::parse(&t)?),
                NFTNL_UDATA_SET_EXPR => u.expr = Some(t.value),
                NFTNL_UDATA_SET_DATA_INTERVAL => u.data_interval = Some(t.u32()? != 0),
                NFTNL_UDATA_SET_COMMENT => u.comment = Some(t.strz()?),
                _ => {}
            }
        }
        Ok(u)
    }
}

#[cfg(test)]
mod test {
    use super::*;

    fn tlv(out: &mut Vec<u8>, kind: u8, v: &[u8]) {
        out.push(kind);
        out.push(v.len() as u8);
        out.extend_from_slice(v);
    }

    #[test]
    fn test_set_udata() {
        let mut key = Vec::new();
        tlv(&mut key, NFTNL_UDATA_SET_TYPEOF_EXPR, &1u32.to_ne_bytes());
        tlv(&mut key, NFTNL_UDATA_SET_TYPEOF_DATA, &[9, 9]);
        let mut u = Vec::new();
        tlv(&mut u, NFTNL_UDATA_SET_KEYBYTEORDER, &2u32.to_ne_bytes());
        tlv(&mut u, NFTNL_UDATA_SET_MERGE_ELEMENTS, &1u32.to_ne_bytes());
        tlv(&mut u, NFTNL_UDATA_SET_KEY_TYPEOF, &key);
        tlv(&mut u, 200, b"future");
        tlv(&mut u, NFTNL_UDATA_SET_COMMENT, b"web\0");
        let s = SetUdata::parse(&u).unwrap();
        assert_eq!(s.key_byteorder, Some(2));
        assert_eq!(s.data_byteorder, None);
        assert_eq!(s.merge_elements, Some(true));
        assert_eq!(
            s.key_typeof,
            Some(Typeof {
                expr: Some(1),
                data: &[9, 9]
            })
        );
        assert_eq!(s.comment, Some("web"));
    }

    #[test]
    fn test_bad_udata_says_where() {
        // A comment, then a TLV that claims 9 bytes but has 2.
        let mut u = Vec::new();
        tlv(&mut u, NFTNL_UDATA_COMMENT, b"ok\0");
        u.extend_from_slice(&[1, 9, 0, 0]);
        let e = RuleUdata::parse(&u).unwrap_err();
        assert_eq!(e.offset, 5);
        // A policy that is not 4 bytes: the error points at its value.
        let mut u = Vec::new();
        tlv(&mut u, NFTNL_UDATA_RULE_EBTABLES_POLICY, &[1, 2]);
        let e = RuleUdata::parse(&u).unwrap_err();
        assert_eq!(e.offset, 2);
        // A comment that is not UTF-8.
        let mut u = Vec::new();
        tlv(&mut u, NFTNL_UDATA_COMMENT, &[0xff, 0]);
        assert!(CommentUdata::parse(&u).is_err());
        assert_eq!(ElemUdata::parse(&[]).unwrap().comment, None);
    }
}
