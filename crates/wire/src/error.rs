//! Decode errors: small `Copy` values that say where (byte offset from the
//! start of the buffer given to the decoder) and what.

use core::fmt;

/// Why some bytes could not be decoded, and where.
///
/// `Copy`, no heap: nothing is formatted unless the error is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the problem, counted from the start of the buffer the
    /// caller handed in (a whole datagram, message or attribute stream).
    pub offset: u32,
    /// The attribute type being read, when there is one.
    pub attr: Option<u16>,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

/// What went wrong while decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The buffer ends before a header or a length says it should.
    Truncated {
        /// How many bytes were needed from `offset`.
        needed: u32,
    },
    /// A length field is smaller than its own header.
    BadLength,
    /// An attribute's value has the wrong size for its type.
    BadValueLen {
        /// The size that was expected.
        expected: u32,
        /// The size found.
        found: u32,
    },
    /// A required attribute is absent.
    MissingAttr(&'static str),
    /// A string attribute is not valid UTF-8.
    NotUtf8,
    /// Nesting deeper than nflens follows (see [`MAX_NEST`](crate::MAX_NEST)).
    NestTooDeep,
    /// The message type is not the one expected here.
    UnexpectedMessage {
        /// The `nlmsg_type` found.
        found: u16,
    },
    /// The kernel answered with an error code (`NLMSG_ERROR`, a positive errno).
    Kernel {
        /// The errno the kernel returned.
        errno: i32,
    },
}

impl DecodeError {
    #[cold]
    pub(crate) fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError {
            offset: offset.min(u32::MAX as usize) as u32,
            attr: None,
            kind,
        }
    }

    #[cold]
    pub(crate) fn truncated(offset: usize, needed: usize) -> Self {
        Self::new(
            offset,
            DecodeErrorKind::Truncated {
                needed: needed.min(u32::MAX as usize) as u32,
            },
        )
    }

    #[cold]
    pub(crate) fn attr(offset: usize, attr: u16, kind: DecodeErrorKind) -> Self {
        DecodeError {
            attr: Some(attr),
            ..Self::new(offset, kind)
        }
    }

    /// The same error with its offset moved by `base` (used when a decoder
    /// ran over a slice that starts `base` bytes into the caller's buffer).
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        self.offset = self
            .offset
            .saturating_add(base.min(u32::MAX as usize) as u32);
        self
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DecodeErrorKind::Truncated { needed } => {
                write!(f, "truncated: {needed} more bytes needed")
            }
            DecodeErrorKind::BadLength => f.write_str("length field smaller than its header"),
            DecodeErrorKind::BadValueLen { expected, found } => {
                write!(f, "value is {found} bytes, expected {expected}")
            }
            DecodeErrorKind::MissingAttr(name) => write!(f, "missing attribute {name}"),
            DecodeErrorKind::NotUtf8 => f.write_str("string is not UTF-8"),
            DecodeErrorKind::NestTooDeep => f.write_str("attributes nested too deep"),
            DecodeErrorKind::UnexpectedMessage { found } => {
                write!(f, "unexpected message type 0x{found:04x}")
            }
            DecodeErrorKind::Kernel { errno } => write!(f, "kernel error {errno}"),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(a) = self.attr {
            write!(f, " (attribute {a})")?;
        }
        write!(f, " at byte 0x{:x}", self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// Result of a decoder.
pub type Result<T> = core::result::Result<T, DecodeError>;
