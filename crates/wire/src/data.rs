//! `NFTA_DATA_*`: immediate values and verdicts, and registers.

use core::fmt;

use crate::error::Result;
use crate::nl::Attr;
use crate::sys::*;

/// A register number as the kernel has it: `NFT_REG_VERDICT` (0),
/// `NFT_REG_1..4` (1..4, 16 bytes each) or `NFT_REG32_00..15` (8..23, 4 bytes
/// each). Printed as the raw number, as libnftnl does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Reg(pub u32);

impl Reg {
    /// `NFT_REG_VERDICT`.
    pub const VERDICT: Reg = Reg(NFT_REG_VERDICT);

    /// The byte offset of this register in the kernel's register file
    /// (`struct nft_regs`: 4 x 16-byte registers aliased by 16 x 4-byte ones),
    /// or `None` for the verdict register or an out-of-range number.
    pub fn byte_offset(self) -> Option<u32> {
        match self.0 {
            1..=4 => Some(self.0 * 16),
            8..=23 => Some(16 + (self.0 - 8) * 4),
            _ => None,
        }
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A verdict (`NFTA_DATA_VERDICT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Verdict<'a> {
    /// `NFTA_VERDICT_CODE`: `NF_ACCEPT`, `NF_DROP`, `NFT_JUMP`, ...
    pub code: i32,
    /// `NFTA_VERDICT_CHAIN` for jump and goto.
    pub chain: Option<&'a str>,
}

impl Verdict<'_> {
    /// The verdict's name as libnftnl and nft print it; `None` when the
    /// code is one this version does not know.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self.code {
            NF_ACCEPT => "accept",
            NF_DROP => "drop",
            NF_STOLEN => "stolen",
            NF_QUEUE => "queue",
            NF_REPEAT => "repeat",
            NF_STOP => "stop",
            NFT_RETURN => "return",
            NFT_JUMP => "jump",
            NFT_GOTO => "goto",
            NFT_CONTINUE => "continue",
            NFT_BREAK => "break",
            _ => return None,
        })
    }
}

/// `NFTA_*_DATA`: a value (bytes as the kernel compares them, usually network
/// order) or a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Data<'a> {
    /// `NFTA_DATA_VALUE`.
    Value(#[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))] &'a [u8]),
    /// `NFTA_DATA_VERDICT`.
    Verdict(Verdict<'a>),
}

/// An empty value, as an empty nest decodes.
impl Default for Data<'_> {
    fn default() -> Self {
        Data::Value(&[])
    }
}

impl<'a> Data<'a> {
    /// Decodes a nested `NFTA_DATA_*` attribute. An empty nest (or one the
    /// kernel never sends) decodes as an empty value.
    pub fn parse(attr: &Attr<'a>) -> Result<Self> {
        // One pass, in order; a repeated type: the last one wins.
        let (mut value, mut verdict) = (None, None);
        for a in attr.nested() {
            let a = a?;
            match a.kind() {
                NFTA_DATA_VALUE => value = Some(a),
                NFTA_DATA_VERDICT => verdict = Some(a),
                _ => {}
            }
        }
        if let Some(v) = verdict {
            let (mut code, mut chain) = (0, None);
            for a in v.nested() {
                let a = a?;
                match a.kind() {
                    NFTA_VERDICT_CODE => code = a.value_u32_be()? as i32,
                    NFTA_VERDICT_CHAIN => chain = Some(a.value_cstr()?),
                    _ => {}
                }
            }
            return Ok(Data::Verdict(Verdict { code, chain }));
        }
        Ok(Data::Value(value.map_or(&[][..], |v| v.value())))
    }

    /// The value bytes; empty for a verdict.
    pub fn value(&self) -> &'a [u8] {
        match self {
            Data::Value(v) => v,
            Data::Verdict(_) => &[],
        }
    }
}

/// Writes `bytes` as libnftnl's `nftnl_data_reg_snprintf` does: one
/// `%.8x` per 32-bit word, the word read in host order (little-endian, as on
/// the machines the nftables test suite was written on), the last word
/// zero-padded, each followed by a space, with `0x` before each when
/// `prefix`.
pub fn write_words(f: &mut dyn fmt::Write, bytes: &[u8], prefix: bool) -> fmt::Result {
    let pfx = if prefix { "0x" } else { "" };
    for chunk in bytes.chunks(4) {
        let mut w = [0u8; 4];
        for (d, s) in w.iter_mut().zip(chunk) {
            *d = *s;
        }
        write!(f, "{pfx}{:08x} ", u32::from_le_bytes(w))?;
    }
    Ok(())
}

/// Writes data as libnftnl's debug output does: words with `0x` for values,
/// `NAME ` and `-> CHAIN ` for verdicts.
pub fn write_data(f: &mut dyn fmt::Write, d: &Data<'_>, prefix: bool) -> fmt::Result {
    match d {
        Data::Value(v) => write_words(f, v, prefix),
        Data::Verdict(v) => {
            write!(f, "{} ", v.name().unwrap_or("unknown"))?;
            if let (NFT_JUMP | NFT_GOTO, Some(c)) = (v.code, v.chain) {
                write!(f, "-> {c} ")?;
            }
            Ok(())
        }
    }
}
