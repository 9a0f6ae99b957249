//! Views over netlink framing: `nlmsghdr`, `nfgenmsg` and `nlattr`.
//!
//! Contract (as smoltcp's `wire`): a view is only made by a checked
//! constructor or an iterator that checked the lengths; after that no accessor
//! panics. Headers are host-endian (netlink is host-local); `NFTA_*` integer
//! values are big-endian, and the accessor names say so (`value_u32_be`).
//! Every view remembers its byte offset in the caller's buffer, so errors say
//! where they happened.

use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::sys::*;

/// Rounds up to the 4-byte alignment netlink uses for messages and attributes.
#[inline]
pub const fn align(n: usize) -> usize {
    (n + 3) & !3
}

#[inline]
fn ne_u16(b: &[u8], at: usize) -> u16 {
    match b.get(at..at + 2) {
        Some(&[x, y]) => u16::from_ne_bytes([x, y]),
        _ => 0,
    }
}

#[inline]
fn ne_u32(b: &[u8], at: usize) -> u32 {
    match b.get(at..at + 4) {
        Some(&[a, b_, c, d]) => u32::from_ne_bytes([a, b_, c, d]),
        _ => 0,
    }
}

/// One netlink message: a checked `nlmsghdr` and its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Msg<'a> {
    buf: &'a [u8],
    offset: usize,
}

impl<'a> Msg<'a> {
    /// Checks that `buf` starts with a whole message and returns a view of it
    /// (trailing bytes after `nlmsg_len` are not part of the view).
    pub fn new_checked(buf: &'a [u8]) -> Result<Self> {
        Self::at(buf, 0)
    }

    fn at(buf: &'a [u8], offset: usize) -> Result<Self> {
        if buf.len() < NLMSG_HDRLEN {
            return Err(DecodeError::truncated(offset, NLMSG_HDRLEN));
        }
        let len = ne_u32(buf, 0) as usize;
        if len < NLMSG_HDRLEN {
            return Err(DecodeError::new(offset, DecodeErrorKind::BadLength));
        }
        match buf.get(..len) {
            Some(buf) => Ok(Msg { buf, offset }),
            None => Err(DecodeError::truncated(offset, len)),
        }
    }

    /// `nlmsg_len`.
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    /// Always false: a message has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }
    /// `nlmsg_type`.
    pub fn kind(&self) -> u16 {
        ne_u16(self.buf, 4)
    }
    /// `nlmsg_flags`.
    pub fn flags(&self) -> u16 {
        ne_u16(self.buf, 6)
    }
    /// `nlmsg_seq`.
    pub fn seq(&self) -> u32 {
        ne_u32(self.buf, 8)
    }
    /// `nlmsg_pid`.
    pub fn pid(&self) -> u32 {
        ne_u32(self.buf, 12)
    }
    /// Byte offset of this message in the buffer it was read from.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// The whole message, header included.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }
    /// The payload after the header.
    pub fn payload(&self) -> &'a [u8] {
        self.buf.get(NLMSG_HDRLEN..).unwrap_or(&[])
    }
    /// For an `nf_tables` message: the subsystem message number
    /// (`NFT_MSG_*`), or `None` for another subsystem or a control message.
    pub fn nft_msg(&self) -> Option<u32> {
        let t = self.kind();
        (t >> 8 == NFNL_SUBSYS_NFTABLES).then_some(u32::from(t & 0xff))
    }
    /// For `NLMSG_ERROR`: the error code (0 is an acknowledgement, otherwise a
    /// positive errno).
    pub fn error_code(&self) -> Option<i32> {
        if self.kind() != NLMSG_ERROR {
            return None;
        }
        Some(ne_u32(self.payload(), 0) as i32).map(|e| e.wrapping_neg())
    }
    /// The `nfgenmsg` header of an nfnetlink message.
    pub fn nfgen(&self) -> Result<NfGenMsg> {
        match self.payload().get(..NFGENMSG_LEN) {
            Some(&[family, version, a, b]) => Ok(NfGenMsg {
                family,
                version,
                res_id: u16::from_be_bytes([a, b]),
            }),
            _ => Err(DecodeError::truncated(
                self.offset + NLMSG_HDRLEN,
                NFGENMSG_LEN,
            )),
        }
    }
    /// The attributes after the `nfgenmsg` header.
    pub fn attrs(&self) -> AttrIter<'a> {
        let start = NLMSG_HDRLEN + NFGENMSG_LEN;
        AttrIter::new(self.buf.get(start..).unwrap_or(&[]), self.offset + start)
    }
}

/// The `nfgenmsg` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfGenMsg {
    /// `nfgen_family`: `NFPROTO_*`.
    pub family: u8,
    /// `version`: `NFNETLINK_V0`.
    pub version: u8,
    /// `res_id`, big-endian on the wire: nf_tables puts the low 16 bits of
    /// the ruleset generation here in dump replies.
    pub res_id: u16,
}

/// Iterates over the messages in a datagram. Stops for good after the first
/// error.
#[derive(Debug, Clone)]
pub struct MsgIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> MsgIter<'a> {
    /// Messages in `buf`, whose first byte is at offset `base` of the
    /// caller's buffer.
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        MsgIter { buf, pos: 0, base }
    }
}

impl<'a> Iterator for MsgIter<'a> {
    type Item = Result<Msg<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        match Msg::at(rest, self.base + self.pos) {
            Ok(m) => {
                self.pos = self.pos.saturating_add(align(m.len()));
                Some(Ok(m))
            }
            Err(e) => {
                self.pos = self.buf.len();
                Some(Err(e))
            }
        }
    }
}

/// One `nlattr`: its type (flags masked off), whether it is nested, and its
/// value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    kind: u16,
    raw_kind: u16,
    value: &'a [u8],
    offset: usize,
}

impl<'a> Attr<'a> {
    /// The attribute type without `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER`.
    pub fn kind(&self) -> u16 {
        self.kind
    }
    /// Whether the kernel set `NLA_F_NESTED`.
    pub fn is_nested(&self) -> bool {
        self.raw_kind & NLA_F_NESTED != 0
    }
    /// The value bytes (no header, no padding).
    pub fn value(&self) -> &'a [u8] {
        self.value
    }
    /// Byte offset of the attribute header in the caller's buffer.
    pub fn offset(&self) -> usize {
        self.offset
    }
    /// Byte offset of the value.
    pub fn value_offset(&self) -> usize {
        self.offset + NLA_HDRLEN
    }

    #[cold]
    fn bad_len(&self, expected: usize) -> DecodeError {
        DecodeError::attr(
            self.value_offset(),
            self.kind,
            DecodeErrorKind::BadValueLen {
                expected: expected as u32,
                found: self.value.len().min(u32::MAX as usize) as u32,
            },
        )
    }

    fn fixed<const N: usize>(&self) -> Result<[u8; N]> {
        self.value.try_into().map_err(|_| self.bad_len(N))
    }

    /// A one-byte value.
    pub fn value_u8(&self) -> Result<u8> {
        self.fixed::<1>().map(|[b]| b)
    }
    /// A big-endian `u16`.
    pub fn value_u16_be(&self) -> Result<u16> {
        self.fixed().map(u16::from_be_bytes)
    }
    /// A big-endian `u32` (most `NFTA_*` integers).
    pub fn value_u32_be(&self) -> Result<u32> {
        self.fixed().map(u32::from_be_bytes)
    }
    /// A host-order `u32` (the few attributes the kernel puts with
    /// `nla_put_u32`, such as `NFTA_CT_EXPECT_TIMEOUT`).
    pub fn value_u32_ne(&self) -> Result<u32> {
        self.fixed().map(u32::from_ne_bytes)
    }
    /// A big-endian `u64` (counters, handles, timeouts).
    pub fn value_u64_be(&self) -> Result<u64> {
        self.fixed().map(u64::from_be_bytes)
    }
    /// A NUL-terminated string (the NUL and anything after it is dropped;
    /// a missing NUL is accepted), checked to be UTF-8.
    pub fn value_cstr(&self) -> Result<&'a str> {
        let v = self.value;
        let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
        let s = v.get(..end).unwrap_or(&[]);
        core::str::from_utf8(s).map_err(|_| {
            DecodeError::attr(self.value_offset(), self.kind, DecodeErrorKind::NotUtf8)
        })
    }
    /// The attributes nested in this one.
    pub fn nested(&self) -> AttrIter<'a> {
        AttrIter::new(self.value, self.value_offset())
    }
}

/// Iterates over a stream of attributes. Yields `Err` once and then stops
/// for good if a header or length is bad (smoltcp's `hit_error`).
#[derive(Debug, Clone)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> AttrIter<'a> {
    /// Attributes in `buf`, whose first byte is at offset `base` of the
    /// caller's buffer.
    pub fn new(buf: &'a [u8], base: usize) -> Self {
        AttrIter { buf, pos: 0, base }
    }

    /// Reads every attribute into a table indexed by type, as libmnl's
    /// `mnl_attr_parse` does (a repeated type: the last one wins). Types
    /// `>= N` are skipped: they stay in the raw bytes.
    pub fn table<const N: usize>(self) -> Result<AttrTable<'a, N>> {
        let mut tb = [None; N];
        for a in self {
            let a = a?;
            if let Some(slot) = tb.get_mut(usize::from(a.kind)) {
                *slot = Some(a);
            }
        }
        Ok(AttrTable(tb))
    }
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<Attr<'a>>;
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let at = self.base + self.pos;
        let fail = |it: &mut Self, e| {
            it.pos = it.buf.len();
            Some(Err(e))
        };
        if rest.len() < NLA_HDRLEN {
            return fail(self, DecodeError::truncated(at, NLA_HDRLEN));
        }
        let len = usize::from(ne_u16(rest, 0));
        let raw_kind = ne_u16(rest, 2);
        if len < NLA_HDRLEN {
            return fail(
                self,
                DecodeError::attr(at, raw_kind & NLA_TYPE_MASK, DecodeErrorKind::BadLength),
            );
        }
        let Some(value) = rest.get(NLA_HDRLEN..len) else {
            return fail(
                self,
                DecodeError::attr(
                    at,
                    raw_kind & NLA_TYPE_MASK,
                    DecodeErrorKind::Truncated { needed: len as u32 },
                ),
            );
        };
        self.pos = self.pos.saturating_add(align(len));
        Some(Ok(Attr {
            kind: raw_kind & NLA_TYPE_MASK,
            raw_kind,
            value,
            offset: at,
        }))
    }
}

/// Attributes indexed by type (see [`AttrIter::table`]).
#[derive(Debug, Clone, Copy)]
pub struct AttrTable<'a, const N: usize>([Option<Attr<'a>>; N]);

impl<'a, const N: usize> AttrTable<'a, N> {
    /// The attribute of type `kind`, if present (and `kind < N`).
    #[inline]
    pub fn get(&self, kind: u16) -> Option<Attr<'a>> {
        self.0.get(usize::from(kind)).copied().flatten()
    }
}

/// Looks up a required attribute in a table made by [`AttrIter::table`].
#[inline]
pub(crate) fn need<T>(a: Option<T>, at: usize, name: &'static str) -> Result<T> {
    a.ok_or_else(|| DecodeError::new(at, DecodeErrorKind::MissingAttr(name)))
}

/// Attribute value conversions for [`read!`]: `Result<T>` of one attribute.
pub(crate) mod conv {
    use super::Attr;
    use crate::data::{Data, Reg};
    use crate::error::Result;

    pub(crate) fn u8v(a: &Attr<'_>) -> Result<u8> {
        a.value_u8()
    }
    pub(crate) fn u16v(a: &Attr<'_>) -> Result<u16> {
        a.value_u16_be()
    }
    pub(crate) fn u32v(a: &Attr<'_>) -> Result<u32> {
        a.value_u32_be()
    }
    pub(crate) fn u64v(a: &Attr<'_>) -> Result<u64> {
        a.value_u64_be()
    }
    pub(crate) fn reg(a: &Attr<'_>) -> Result<Reg> {
        a.value_u32_be().map(Reg)
    }
    pub(crate) fn o_u8(a: &Attr<'_>) -> Result<Option<u8>> {
        a.value_u8().map(Some)
    }
    pub(crate) fn o_u16(a: &Attr<'_>) -> Result<Option<u16>> {
        a.value_u16_be().map(Some)
    }
    pub(crate) fn o_u32(a: &Attr<'_>) -> Result<Option<u32>> {
        a.value_u32_be().map(Some)
    }
    pub(crate) fn o_u64(a: &Attr<'_>) -> Result<Option<u64>> {
        a.value_u64_be().map(Some)
    }
    pub(crate) fn o_reg(a: &Attr<'_>) -> Result<Option<Reg>> {
        a.value_u32_be().map(|r| Some(Reg(r)))
    }
    pub(crate) fn cstr<'a>(a: &Attr<'a>) -> Result<&'a str> {
        a.value_cstr()
    }
    pub(crate) fn o_str<'a>(a: &Attr<'a>) -> Result<Option<&'a str>> {
        a.value_cstr().map(Some)
    }
    pub(crate) fn o_data<'a>(a: &Attr<'a>) -> Result<Option<Data<'a>>> {
        Data::parse(a).map(Some)
    }
    pub(crate) fn bytes<'a>(a: &Attr<'a>) -> Result<&'a [u8]> {
        Ok(a.value())
    }
    pub(crate) fn o_bytes<'a>(a: &Attr<'a>) -> Result<Option<&'a [u8]>> {
        Ok(Some(a.value()))
    }
    pub(crate) fn o_attr<'a>(a: &Attr<'a>) -> Result<Option<Attr<'a>>> {
        Ok(Some(*a))
    }
}

#[cfg(test)]
mod test {
    use super::*;

    // nlattr: len 8, type 3 | NLA_F_NESTED, value: nlattr len 8 type 1 value be32 7
    const NESTED: [u8; 12] = [
        12, 0, 3, 0x80, // outer header: len 12, type 3 nested
        8, 0, 1, 0, // inner header: len 8, type 1
        0, 0, 0, 7, // be32 7
    ];

    #[test]
    fn test_deconstruct() {
        let a = AttrIter::new(&NESTED, 100).next().unwrap().unwrap();
        assert_eq!(a.kind(), 3);
        assert!(a.is_nested());
        assert_eq!(a.offset(), 100);
        let inner = a.nested().next().unwrap().unwrap();
        assert_eq!((inner.kind(), inner.offset()), (1, 104));
        assert_eq!(inner.value_u32_be(), Ok(7));
        assert!(inner.value_u16_be().is_err());
    }

    #[test]
    fn test_impossible_len() {
        // len 2 < header, then nothing more is yielded
        let mut it = AttrIter::new(&[2, 0, 1, 0, 8, 0, 1, 0], 0);
        assert_eq!(
            it.next().unwrap().unwrap_err().kind,
            DecodeErrorKind::BadLength
        );
        assert!(it.next().is_none());
        // len past the end
        let mut it = AttrIter::new(&[9, 0, 1, 0, 1, 2, 3, 4], 40);
        let e = it.next().unwrap().unwrap_err();
        assert_eq!(e.offset, 40);
        assert!(matches!(e.kind, DecodeErrorKind::Truncated { .. }));
    }

    #[test]
    fn test_msg() {
        #[rustfmt::skip]
        let m = [
            20, 0, 0, 0, // nlmsg_len 20
            1, 10, // nlmsg_type: NFT_MSG_GETTABLE | NFNL_SUBSYS_NFTABLES << 8
            0, 0, // flags
            0, 0, 0, 0, // seq
            0, 0, 0, 0, // pid
            2, 0, 0x12, 0x34, // nfgenmsg: family ip, version 0, res_id be16 0x1234
        ];
        let msg = Msg::new_checked(&m).unwrap();
        assert_eq!(msg.nft_msg(), Some(1));
        assert_eq!(
            msg.nfgen().unwrap(),
            NfGenMsg {
                family: 2,
                version: 0,
                res_id: 0x1234
            }
        );
        assert_eq!(msg.attrs().count(), 0);
        assert!(Msg::new_checked(&m[..19]).is_err());
    }
}
