//! nf_tables objects as the kernel dumps them: tables, chains, rules, sets,
//! set elements, stateful objects, flowtables and the generation.
//!
//! Each is a repr that borrows from the message: names are `&'a str`,
//! expression lists and nested lists stay bytes and are decoded while
//! iterating. [`Object::parse`] picks the type from the message header.

use core::fmt;

use crate::data::{write_words, Data};
use crate::error::{DecodeError, DecodeErrorKind, Result};
use crate::expr::{write_expr, Exprs};
use crate::nl::conv::*;
use crate::nl::{need, Attr, Msg};
use crate::sys::*;

fn u32_at(a: Option<Attr<'_>>) -> Result<Option<u32>> {
    a.map(|a| a.value_u32_be()).transpose()
}
fn u64_at(a: Option<Attr<'_>>) -> Result<Option<u64>> {
    a.map(|a| a.value_u64_be()).transpose()
}
fn str_at<'a>(a: Option<Attr<'a>>) -> Result<Option<&'a str>> {
    a.map(|a| a.value_cstr()).transpose()
}
fn bytes_at<'a>(a: Option<Attr<'a>>) -> Option<&'a [u8]> {
    a.map(|a| a.value())
}

#[cfg(feature = "serde")]
pub(crate) fn ser_opt_hex<S: serde::Serializer>(
    v: &Option<&[u8]>,
    s: S,
) -> core::result::Result<S::Ok, S::Error> {
    match v {
        Some(b) => crate::hex::serialize(b, s),
        None => s.serialize_none(),
    }
}

/// The name nft uses for a protocol family (`ip`, `ip6`, `inet`, `arp`,
/// `bridge`, `netdev`), `None` for others.
pub fn family_name(f: u8) -> Option<&'static str> {
    crate::expr::family_name(u32::from(f))
}

/// A table (`NFT_MSG_NEWTABLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Table<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_TABLE_NAME`.
    pub name: &'a str,
    /// `NFTA_TABLE_FLAGS`: `NFT_TABLE_F_DORMANT`, `NFT_TABLE_F_OWNER`.
    pub flags: u32,
    /// `NFTA_TABLE_USE`: how many chains, sets, ... it holds.
    pub use_count: u32,
    /// `NFTA_TABLE_HANDLE`.
    pub handle: u64,
    /// `NFTA_TABLE_USERDATA`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
    /// `NFTA_TABLE_OWNER`: the netlink port id of the owning process.
    pub owner: Option<u32>,
}

impl<'a> Table<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_TABLE_COMMENT`); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::CommentUdata<'a>> {
        crate::udata::CommentUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes a table message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<8>()?;
        Ok(Table {
            family: msg.nfgen()?.family,
            name: need(tb.get(NFTA_TABLE_NAME), msg.offset(), "NFTA_TABLE_NAME")?.value_cstr()?,
            flags: u32_at(tb.get(NFTA_TABLE_FLAGS))?.unwrap_or(0),
            use_count: u32_at(tb.get(NFTA_TABLE_USE))?.unwrap_or(0),
            handle: u64_at(tb.get(NFTA_TABLE_HANDLE))?.unwrap_or(0),
            userdata: bytes_at(tb.get(NFTA_TABLE_USERDATA)),
            owner: u32_at(tb.get(NFTA_TABLE_OWNER))?,
        })
    }
}

/// A list of device names (`NFTA_HOOK_DEVS`, `NFTA_FLOWTABLE_HOOK_DEVS`),
/// decoded while iterating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Devices<'a> {
    attrs: Option<Attr<'a>>,
}

impl<'a> Devices<'a> {
    /// The device names.
    pub fn iter(&self) -> impl Iterator<Item = Result<&'a str>> + 'a {
        self.attrs
            .into_iter()
            .flat_map(|a| a.nested())
            .map(|a| a.and_then(|a| a.value_cstr()))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Devices<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        crate::hex::seq(self.iter(), s)
    }
}

/// A base chain's hook (`NFTA_CHAIN_HOOK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Hook<'a> {
    /// `NFTA_HOOK_HOOKNUM`: `NF_INET_*` or `NF_NETDEV_*`.
    pub num: u32,
    /// `NFTA_HOOK_PRIORITY` (signed).
    pub priority: i32,
    /// `NFTA_HOOK_DEV` (netdev family, one device).
    pub dev: Option<&'a str>,
    /// `NFTA_HOOK_DEVS` (netdev family, several devices).
    pub devs: Devices<'a>,
}

impl<'a> Hook<'a> {
    fn parse(a: &Attr<'a>) -> Result<Self> {
        let tb = a.nested().table::<5>()?;
        Ok(Hook {
            num: u32_at(tb.get(NFTA_HOOK_HOOKNUM))?.unwrap_or(0),
            priority: u32_at(tb.get(NFTA_HOOK_PRIORITY))?.unwrap_or(0) as i32,
            dev: str_at(tb.get(NFTA_HOOK_DEV))?,
            devs: Devices {
                attrs: tb.get(NFTA_HOOK_DEVS),
            },
        })
    }
}

/// A chain (`NFT_MSG_NEWCHAIN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Chain<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_CHAIN_TABLE`.
    pub table: &'a str,
    /// `NFTA_CHAIN_NAME`.
    pub name: &'a str,
    /// `NFTA_CHAIN_HANDLE`.
    pub handle: u64,
    /// `NFTA_CHAIN_HOOK`: present on base chains.
    pub hook: Option<Hook<'a>>,
    /// `NFTA_CHAIN_POLICY`: `NF_ACCEPT` or `NF_DROP` (base chains).
    pub policy: Option<u32>,
    /// `NFTA_CHAIN_TYPE`: `filter`, `nat`, `route`.
    pub chain_type: Option<&'a str>,
    /// `NFTA_CHAIN_COUNTERS`: (packets, bytes).
    pub counters: Option<(u64, u64)>,
    /// `NFTA_CHAIN_FLAGS`: `NFT_CHAIN_BASE`, `HW_OFFLOAD`, `BINDING`.
    pub flags: Option<u32>,
    /// `NFTA_CHAIN_USE`: how many rules jump here.
    pub use_count: Option<u32>,
    /// `NFTA_CHAIN_USERDATA`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
}

impl<'a> Chain<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_CHAIN_COMMENT`); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::CommentUdata<'a>> {
        crate::udata::CommentUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes a chain message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<13>()?;
        let at = msg.offset();
        let counters = match tb.get(NFTA_CHAIN_COUNTERS) {
            Some(c) => {
                // struct nft_counter_attributes: BYTES = 1, PACKETS = 2.
                let ct = c.nested().table::<3>()?;
                Some((
                    u64_at(ct.get(2))?.unwrap_or(0),
                    u64_at(ct.get(1))?.unwrap_or(0),
                ))
            }
            None => None,
        };
        Ok(Chain {
            family: msg.nfgen()?.family,
            table: need(tb.get(NFTA_CHAIN_TABLE), at, "NFTA_CHAIN_TABLE")?.value_cstr()?,
            name: need(tb.get(NFTA_CHAIN_NAME), at, "NFTA_CHAIN_NAME")?.value_cstr()?,
            handle: u64_at(tb.get(NFTA_CHAIN_HANDLE))?.unwrap_or(0),
            hook: tb
                .get(NFTA_CHAIN_HOOK)
                .map(|h| Hook::parse(&h))
                .transpose()?,
            policy: u32_at(tb.get(NFTA_CHAIN_POLICY))?,
            chain_type: str_at(tb.get(NFTA_CHAIN_TYPE))?,
            counters,
            flags: u32_at(tb.get(NFTA_CHAIN_FLAGS))?,
            use_count: u32_at(tb.get(NFTA_CHAIN_USE))?,
            userdata: bytes_at(tb.get(NFTA_CHAIN_USERDATA)),
        })
    }
}

/// A rule (`NFT_MSG_NEWRULE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Rule<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_RULE_TABLE`.
    pub table: &'a str,
    /// `NFTA_RULE_CHAIN`.
    pub chain: &'a str,
    /// `NFTA_RULE_HANDLE`.
    pub handle: u64,
    /// `NFTA_RULE_POSITION`: the handle of the rule before this one (the
    /// kernel sends it for every rule but the first of its chain).
    pub position: Option<u64>,
    /// `NFTA_RULE_EXPRESSIONS`.
    pub exprs: Exprs<'a>,
    /// `NFTA_RULE_USERDATA`: TLVs (`NFTNL_UDATA_RULE_COMMENT` = 0, `EBTABLES_POLICY` = 1).
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
    /// `NFTA_RULE_COMPAT`: (`NFTA_RULE_COMPAT_PROTO`, `NFTA_RULE_COMPAT_FLAGS`), sent by old iptables-nft.
    pub compat: Option<(u32, u32)>,
}

impl<'a> Rule<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_RULE_*`: comment, ebtables policy); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::RuleUdata<'a>> {
        crate::udata::RuleUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes a rule message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let family = msg.nfgen()?.family;
        let (mut table, mut chain, mut exprs, mut userdata, mut compat) =
            (None, None, None, None, None);
        let (mut handle, mut position) = (0, None);
        // One pass, in order (every rule of a dump goes through here).
        read!(msg.attrs();
            NFTA_RULE_TABLE => table, o_str;
            NFTA_RULE_CHAIN => chain, o_str;
            NFTA_RULE_HANDLE => handle, u64v;
            NFTA_RULE_POSITION => position, o_u64;
            NFTA_RULE_EXPRESSIONS => exprs, o_attr;
            NFTA_RULE_USERDATA => userdata, o_bytes;
            NFTA_RULE_COMPAT => compat, o_attr;
        );
        let at = msg.offset();
        let compat = match compat {
            Some(c) => {
                let (mut proto, mut flags) = (0, 0);
                read!(c.nested();
                    NFTA_RULE_COMPAT_PROTO => proto, u32v;
                    NFTA_RULE_COMPAT_FLAGS => flags, u32v;
                );
                Some((proto, flags))
            }
            None => None,
        };
        Ok(Rule {
            family,
            table: need(table, at, "NFTA_RULE_TABLE")?,
            chain: need(chain, at, "NFTA_RULE_CHAIN")?,
            handle,
            position,
            exprs: exprs.map(|a| Exprs::list(&a)).unwrap_or_default(),
            userdata,
            compat,
        })
    }

    /// The comment stored in the userdata (`NFTNL_UDATA_RULE_COMMENT`), as
    /// nft and iptables-nft write it.
    pub fn comment(&self) -> Option<&'a str> {
        crate::udata::find(self.userdata?, crate::udata::NFTNL_UDATA_COMMENT)?
            .strz()
            .ok()
    }

    /// Writes the rule as `nft --debug=netlink` shows it: a header line
    /// `FAMILY TABLE CHAIN HANDLE [POSITION]`, one `  [ ... ]` line per
    /// expression, then `  userdata = { ... }` when there is userdata.
    pub fn write_debug(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            family_name(self.family).unwrap_or("unknown"),
            self.table,
            self.chain,
            self.handle
        )?;
        if let Some(p) = self.position {
            write!(f, " {p}")?;
        }
        f.write_str("\n")?;
        for e in self.exprs.iter() {
            match e {
                Ok(e) => {
                    f.write_str("  ")?;
                    write_expr(f, &e)?;
                    f.write_str("\n")?;
                }
                Err(e) => writeln!(f, "  [ error: {e} ]")?,
            }
        }
        if let Some(u) = self.userdata {
            f.write_str("  userdata = { ")?;
            write_udata(f, u)?;
            f.write_str(" }\n")?;
        }
        Ok(())
    }
}

/// Finds TLV `kind` in libnftnl userdata (`struct nftnl_udata`: u8 type,
/// u8 len, value); `None` when it is not there before the first TLV that
/// runs past the end.
pub fn udata_find(u: &[u8], kind: u8) -> Option<&[u8]> {
    crate::udata::find(u, kind).map(|t| t.value)
}

fn write_udata(f: &mut dyn fmt::Write, u: &[u8]) -> fmt::Result {
    for &b in u {
        if b.is_ascii_graphic() || b == b' ' {
            f.write_char(char::from(b))?;
        } else {
            write!(f, "\\x{b:02x}")?;
        }
    }
    Ok(())
}

/// A set or map (`NFT_MSG_NEWSET`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Set<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_SET_TABLE`.
    pub table: &'a str,
    /// `NFTA_SET_NAME` (`__set%d` / `__map%d` for anonymous ones).
    pub name: &'a str,
    /// `NFTA_SET_HANDLE`.
    pub handle: u64,
    /// `NFTA_SET_FLAGS`: `NFT_SET_*`.
    pub flags: u32,
    /// `NFTA_SET_KEY_TYPE`: nft's datatype id (concatenations packed 6 bits each).
    pub key_type: u32,
    /// `NFTA_SET_KEY_LEN`.
    pub key_len: u32,
    /// `NFTA_SET_DATA_TYPE`: `NFT_DATA_VERDICT` for verdict maps.
    pub data_type: Option<u32>,
    /// `NFTA_SET_DATA_LEN`.
    pub data_len: Option<u32>,
    /// `NFTA_SET_OBJ_TYPE` (object maps).
    pub obj_type: Option<u32>,
    /// `NFTA_SET_POLICY`.
    pub policy: Option<u32>,
    /// `NFTA_SET_DESC` / `NFTA_SET_DESC_SIZE`.
    pub size: Option<u32>,
    /// `NFTA_SET_ID`.
    pub id: Option<u32>,
    /// `NFTA_SET_TIMEOUT`, milliseconds.
    pub timeout: Option<u64>,
    /// `NFTA_SET_GC_INTERVAL`, milliseconds.
    pub gc_interval: Option<u32>,
    /// `NFTA_SET_USERDATA`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
    /// `NFTA_SET_EXPR` / `NFTA_SET_EXPRESSIONS`: expressions every element gets.
    pub exprs: Exprs<'a>,
}

impl<'a> Set<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_SET_*`: byte orders, `typeof`, comment); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::SetUdata<'a>> {
        crate::udata::SetUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes a set message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<19>()?;
        let at = msg.offset();
        let size = match tb.get(NFTA_SET_DESC) {
            Some(d) => u32_at(d.nested().table::<3>()?.get(NFTA_SET_DESC_SIZE))?,
            None => None,
        };
        Ok(Set {
            family: msg.nfgen()?.family,
            table: need(tb.get(NFTA_SET_TABLE), at, "NFTA_SET_TABLE")?.value_cstr()?,
            name: need(tb.get(NFTA_SET_NAME), at, "NFTA_SET_NAME")?.value_cstr()?,
            handle: u64_at(tb.get(NFTA_SET_HANDLE))?.unwrap_or(0),
            flags: u32_at(tb.get(NFTA_SET_FLAGS))?.unwrap_or(0),
            key_type: u32_at(tb.get(NFTA_SET_KEY_TYPE))?.unwrap_or(0),
            key_len: u32_at(tb.get(NFTA_SET_KEY_LEN))?.unwrap_or(0),
            data_type: u32_at(tb.get(NFTA_SET_DATA_TYPE))?,
            data_len: u32_at(tb.get(NFTA_SET_DATA_LEN))?,
            obj_type: u32_at(tb.get(NFTA_SET_OBJ_TYPE))?,
            policy: u32_at(tb.get(NFTA_SET_POLICY))?,
            size,
            id: u32_at(tb.get(NFTA_SET_ID))?,
            timeout: u64_at(tb.get(NFTA_SET_TIMEOUT))?,
            gc_interval: u32_at(tb.get(NFTA_SET_GC_INTERVAL))?,
            userdata: bytes_at(tb.get(NFTA_SET_USERDATA)),
            exprs: Exprs::from_attrs(tb.get(NFTA_SET_EXPRESSIONS), tb.get(NFTA_SET_EXPR)),
        })
    }

    /// Whether nft made this set for one rule (`NFT_SET_ANONYMOUS`).
    pub fn is_anonymous(&self) -> bool {
        self.flags & NFT_SET_ANONYMOUS != 0
    }
}

/// One message of set elements (`NFT_MSG_NEWSETELEM`): a batch of elements
/// of one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetElems<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_SET_ELEM_LIST_TABLE`.
    pub table: &'a str,
    /// `NFTA_SET_ELEM_LIST_SET`.
    pub set: &'a str,
    elems: Option<Attr<'a>>,
}

impl<'a> SetElems<'a> {
    /// Decodes a set element message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<5>()?;
        let at = msg.offset();
        Ok(SetElems {
            family: msg.nfgen()?.family,
            table: need(
                tb.get(NFTA_SET_ELEM_LIST_TABLE),
                at,
                "NFTA_SET_ELEM_LIST_TABLE",
            )?
            .value_cstr()?,
            set: need(tb.get(NFTA_SET_ELEM_LIST_SET), at, "NFTA_SET_ELEM_LIST_SET")?
                .value_cstr()?,
            elems: tb.get(NFTA_SET_ELEM_LIST_ELEMENTS),
        })
    }

    /// The elements, decoded while iterating.
    pub fn iter(&self) -> impl Iterator<Item = Result<Elem<'a>>> + 'a {
        self.elems
            .into_iter()
            .flat_map(|a| a.nested())
            .map(|a| a.and_then(|a| Elem::parse(&a)))
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for SetElems<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        crate::hex::seq(self.iter(), s)
    }
}

/// One set element (`NFTA_LIST_ELEM` of `NFTA_SET_ELEM_LIST_ELEMENTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Elem<'a> {
    /// `NFTA_SET_ELEM_KEY` (absent for the catch-all element).
    pub key: Option<Data<'a>>,
    /// `NFTA_SET_ELEM_KEY_END`: the end of a range, for sets of concatenated ranges.
    pub key_end: Option<Data<'a>>,
    /// `NFTA_SET_ELEM_DATA`: the mapped value or verdict.
    pub data: Option<Data<'a>>,
    /// `NFTA_SET_ELEM_FLAGS`: `NFT_SET_ELEM_INTERVAL_END`, `CATCHALL`.
    pub flags: u32,
    /// `NFTA_SET_ELEM_TIMEOUT`, milliseconds.
    pub timeout: Option<u64>,
    /// `NFTA_SET_ELEM_EXPIRATION`, milliseconds left.
    pub expiration: Option<u64>,
    /// `NFTA_SET_ELEM_USERDATA`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
    /// `NFTA_SET_ELEM_OBJREF` (object maps).
    pub objref: Option<&'a str>,
    /// `NFTA_SET_ELEM_EXPR` / `NFTA_SET_ELEM_EXPRESSIONS`.
    pub exprs: Exprs<'a>,
}

impl<'a> Elem<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_SET_ELEM_*`); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::ElemUdata<'a>> {
        crate::udata::ElemUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes one element.
    pub fn parse(a: &Attr<'a>) -> Result<Self> {
        let tb = a.nested().table::<12>()?;
        let data = |i: u16| tb.get(i).map(|d| Data::parse(&d)).transpose();
        Ok(Elem {
            key: data(NFTA_SET_ELEM_KEY)?,
            key_end: data(NFTA_SET_ELEM_KEY_END)?,
            data: data(NFTA_SET_ELEM_DATA)?,
            flags: u32_at(tb.get(NFTA_SET_ELEM_FLAGS))?.unwrap_or(0),
            timeout: u64_at(tb.get(NFTA_SET_ELEM_TIMEOUT))?,
            expiration: u64_at(tb.get(NFTA_SET_ELEM_EXPIRATION))?,
            userdata: bytes_at(tb.get(NFTA_SET_ELEM_USERDATA)),
            objref: str_at(tb.get(NFTA_SET_ELEM_OBJREF))?,
            exprs: Exprs::from_attrs(
                tb.get(NFTA_SET_ELEM_EXPRESSIONS),
                tb.get(NFTA_SET_ELEM_EXPR),
            ),
        })
    }

    /// Writes the element as libnftnl's debug output does
    /// (`element 0000000a  : 0 [end]`), without the leading tab.
    pub fn write_debug(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        f.write_str("element ")?;
        if let Some(k) = &self.key {
            write_words(f, k.value(), false)?;
        }
        if let Some(k) = &self.key_end {
            f.write_str(" - ")?;
            write_words(f, k.value(), false)?;
        }
        f.write_str(" : ")?;
        match &self.data {
            Some(d @ Data::Verdict(_)) => crate::data::write_data(f, d, false)?,
            Some(Data::Value(v)) => write_words(f, v, false)?,
            None => {}
        }
        write!(f, "{} [end]", self.flags)?;
        if let Some(u) = self.userdata {
            f.write_str("  userdata = { ")?;
            write_udata(f, u)?;
            f.write_str(" }")?;
        }
        Ok(())
    }
}

/// A stateful object's type-specific data (`NFTA_OBJ_DATA`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "snake_case"))]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum ObjData<'a> {
    /// `NFT_OBJECT_COUNTER`.
    Counter { packets: u64, bytes: u64 },
    /// `NFT_OBJECT_QUOTA`.
    Quota {
        bytes: u64,
        consumed: u64,
        flags: u32,
    },
    /// `NFT_OBJECT_CT_HELPER`.
    CtHelper {
        name: &'a str,
        l3proto: u16,
        l4proto: u8,
    },
    /// `NFT_OBJECT_LIMIT`.
    Limit {
        rate: u64,
        unit: u64,
        burst: u32,
        ty: u32,
        flags: u32,
    },
    /// `NFT_OBJECT_CONNLIMIT`.
    Connlimit { count: u32, flags: u32 },
    /// `NFT_OBJECT_CT_TIMEOUT`: the per-state timeouts stay raw (`NFTA_CT_TIMEOUT_DATA`).
    CtTimeout {
        l3proto: u16,
        l4proto: u8,
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        timeouts: &'a [u8],
    },
    /// `NFT_OBJECT_SECMARK`.
    Secmark { ctx: &'a str },
    /// `NFT_OBJECT_CT_EXPECT`.
    CtExpect {
        l3proto: u16,
        l4proto: u8,
        dport: u16,
        timeout: u32,
        size: u8,
    },
    /// `NFT_OBJECT_SYNPROXY`.
    Synproxy { mss: u16, wscale: u8, flags: u32 },
    /// `NFT_OBJECT_TUNNEL` and types this version does not decode: the attributes, raw.
    Raw {
        #[cfg_attr(feature = "serde", serde(serialize_with = "crate::hex::serialize"))]
        data: &'a [u8],
    },
}

/// A stateful object (`NFT_MSG_NEWOBJ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Obj<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_OBJ_TABLE`.
    pub table: &'a str,
    /// `NFTA_OBJ_NAME`.
    pub name: &'a str,
    /// `NFTA_OBJ_TYPE`: `NFT_OBJECT_*`.
    pub obj_type: u32,
    /// `NFTA_OBJ_HANDLE`.
    pub handle: u64,
    /// `NFTA_OBJ_USE`.
    pub use_count: u32,
    /// `NFTA_OBJ_USERDATA`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "ser_opt_hex"))]
    pub userdata: Option<&'a [u8]>,
    /// `NFTA_OBJ_DATA`.
    pub data: ObjData<'a>,
}

impl<'a> Obj<'a> {
    /// The userdata's TLVs (`NFTNL_UDATA_OBJ_COMMENT`); all `None` without userdata. Error
    /// offsets count from the userdata's first byte.
    pub fn udata(&self) -> Result<crate::udata::CommentUdata<'a>> {
        crate::udata::CommentUdata::parse(self.userdata.unwrap_or(&[]))
    }
    /// Decodes an object message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<9>()?;
        let at = msg.offset();
        let obj_type = u32_at(tb.get(NFTA_OBJ_TYPE))?.unwrap_or(0);
        let data = match tb.get(NFTA_OBJ_DATA) {
            Some(d) => obj_data(obj_type, &d)?,
            None => ObjData::Raw { data: &[] },
        };
        Ok(Obj {
            family: msg.nfgen()?.family,
            table: need(tb.get(NFTA_OBJ_TABLE), at, "NFTA_OBJ_TABLE")?.value_cstr()?,
            name: need(tb.get(NFTA_OBJ_NAME), at, "NFTA_OBJ_NAME")?.value_cstr()?,
            obj_type,
            handle: u64_at(tb.get(NFTA_OBJ_HANDLE))?.unwrap_or(0),
            use_count: u32_at(tb.get(NFTA_OBJ_USE))?.unwrap_or(0),
            userdata: bytes_at(tb.get(NFTA_OBJ_USERDATA)),
            data,
        })
    }
}

fn obj_data<'a>(ty: u32, d: &Attr<'a>) -> Result<ObjData<'a>> {
    let tb = d.nested().table::<8>()?;
    let u8_ = |i: u16| {
        tb.get(i)
            .map(|a| a.value_u8())
            .transpose()
            .map(|v| v.unwrap_or(0))
    };
    let u16_ = |i: u16| {
        tb.get(i)
            .map(|a| a.value_u16_be())
            .transpose()
            .map(|v| v.unwrap_or(0))
    };
    let u32_ = |i: u16| u32_at(tb.get(i)).map(|v| v.unwrap_or(0));
    let u64_ = |i: u16| u64_at(tb.get(i)).map(|v| v.unwrap_or(0));
    Ok(match ty {
        NFT_OBJECT_COUNTER => ObjData::Counter {
            bytes: u64_(1)?,
            packets: u64_(2)?,
        },
        NFT_OBJECT_QUOTA => ObjData::Quota {
            bytes: u64_(1)?,
            flags: u32_(2)?,
            consumed: u64_(4)?,
        },
        NFT_OBJECT_CT_HELPER => ObjData::CtHelper {
            name: str_at(tb.get(1))?.unwrap_or(""),
            l3proto: u16_(2)?,
            l4proto: u8_(3)?,
        },
        NFT_OBJECT_LIMIT => ObjData::Limit {
            rate: u64_(1)?,
            unit: u64_(2)?,
            burst: u32_(3)?,
            ty: u32_(4)?,
            flags: u32_(5)?,
        },
        NFT_OBJECT_CONNLIMIT => ObjData::Connlimit {
            count: u32_(1)?,
            flags: u32_(2)?,
        },
        NFT_OBJECT_CT_TIMEOUT => ObjData::CtTimeout {
            l3proto: u16_(1)?,
            l4proto: u8_(2)?,
            timeouts: bytes_at(tb.get(3)).unwrap_or(&[]),
        },
        NFT_OBJECT_SECMARK => ObjData::Secmark {
            ctx: str_at(tb.get(1))?.unwrap_or(""),
        },
        NFT_OBJECT_CT_EXPECT => ObjData::CtExpect {
            l3proto: u16_(1)?,
            l4proto: u8_(2)?,
            dport: u16_(3)?,
            // nft_ct.c puts it in host order (nla_put_u32).
            timeout: tb
                .get(4)
                .map(|a| a.value_u32_ne())
                .transpose()?
                .unwrap_or(0),
            size: u8_(5)?,
        },
        NFT_OBJECT_SYNPROXY => ObjData::Synproxy {
            mss: u16_(1)?,
            wscale: u8_(2)?,
            flags: u32_(3)?,
        },
        _ => ObjData::Raw { data: d.value() },
    })
}

/// A flowtable (`NFT_MSG_NEWFLOWTABLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Flowtable<'a> {
    /// `nfgen_family`.
    pub family: u8,
    /// `NFTA_FLOWTABLE_TABLE`.
    pub table: &'a str,
    /// `NFTA_FLOWTABLE_NAME`.
    pub name: &'a str,
    /// `NFTA_FLOWTABLE_HANDLE`.
    pub handle: u64,
    /// `NFTA_FLOWTABLE_HOOK_NUM`.
    pub hooknum: Option<u32>,
    /// `NFTA_FLOWTABLE_HOOK_PRIORITY`.
    pub priority: Option<i32>,
    /// `NFTA_FLOWTABLE_HOOK_DEVS`.
    pub devs: Devices<'a>,
    /// `NFTA_FLOWTABLE_FLAGS`.
    pub flags: u32,
    /// `NFTA_FLOWTABLE_USE`.
    pub use_count: u32,
}

impl<'a> Flowtable<'a> {
    /// Decodes a flowtable message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<8>()?;
        let at = msg.offset();
        let (hooknum, priority, devs) = match tb.get(NFTA_FLOWTABLE_HOOK) {
            Some(h) => {
                let ht = h.nested().table::<4>()?;
                (
                    u32_at(ht.get(NFTA_FLOWTABLE_HOOK_NUM))?,
                    u32_at(ht.get(NFTA_FLOWTABLE_HOOK_PRIORITY))?.map(|p| p as i32),
                    Devices {
                        attrs: ht.get(NFTA_FLOWTABLE_HOOK_DEVS),
                    },
                )
            }
            None => (None, None, Devices::default()),
        };
        Ok(Flowtable {
            family: msg.nfgen()?.family,
            table: need(tb.get(NFTA_FLOWTABLE_TABLE), at, "NFTA_FLOWTABLE_TABLE")?.value_cstr()?,
            name: need(tb.get(NFTA_FLOWTABLE_NAME), at, "NFTA_FLOWTABLE_NAME")?.value_cstr()?,
            handle: u64_at(tb.get(NFTA_FLOWTABLE_HANDLE))?.unwrap_or(0),
            hooknum,
            priority,
            devs,
            flags: u32_at(tb.get(NFTA_FLOWTABLE_FLAGS))?.unwrap_or(0),
            use_count: u32_at(tb.get(NFTA_FLOWTABLE_USE))?.unwrap_or(0),
        })
    }
}

/// The ruleset generation (`NFT_MSG_NEWGEN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Gen<'a> {
    /// `NFTA_GEN_ID`.
    pub id: u32,
    /// `NFTA_GEN_PROC_PID`: the process that made the last change.
    pub proc_pid: Option<u32>,
    /// `NFTA_GEN_PROC_NAME`.
    pub proc_name: Option<&'a str>,
}

impl<'a> Gen<'a> {
    /// Decodes a generation message.
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        let tb = msg.attrs().table::<4>()?;
        Ok(Gen {
            id: need(tb.get(NFTA_GEN_ID), msg.offset(), "NFTA_GEN_ID")?.value_u32_be()?,
            proc_pid: u32_at(tb.get(NFTA_GEN_PROC_PID))?,
            proc_name: str_at(tb.get(NFTA_GEN_PROC_NAME))?,
        })
    }
}

/// Any nf_tables object message, typed by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Object<'a> {
    Table(Table<'a>),
    Chain(Chain<'a>),
    Rule(Rule<'a>),
    Set(Set<'a>),
    SetElems(SetElems<'a>),
    Obj(Obj<'a>),
    Flowtable(Flowtable<'a>),
    Gen(Gen<'a>),
}

impl<'a> Object<'a> {
    /// Decodes an nf_tables `NEW*` message (what dumps return).
    pub fn parse(msg: &Msg<'a>) -> Result<Self> {
        Ok(match msg.nft_msg() {
            Some(NFT_MSG_NEWTABLE) => Object::Table(Table::parse(msg)?),
            Some(NFT_MSG_NEWCHAIN) => Object::Chain(Chain::parse(msg)?),
            Some(NFT_MSG_NEWRULE) => Object::Rule(Rule::parse(msg)?),
            Some(NFT_MSG_NEWSET) => Object::Set(Set::parse(msg)?),
            Some(NFT_MSG_NEWSETELEM) => Object::SetElems(SetElems::parse(msg)?),
            Some(NFT_MSG_NEWOBJ) => Object::Obj(Obj::parse(msg)?),
            Some(NFT_MSG_NEWFLOWTABLE) => Object::Flowtable(Flowtable::parse(msg)?),
            Some(NFT_MSG_NEWGEN) => Object::Gen(Gen::parse(msg)?),
            _ => {
                return Err(DecodeError::new(
                    msg.offset(),
                    DecodeErrorKind::UnexpectedMessage { found: msg.kind() },
                ))
            }
        })
    }
}
