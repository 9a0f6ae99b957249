//! Legacy xtables tables, read from the kernel without any binary.
//!
//! `/proc/net/ip_tables_names` and `/proc/net/ip6_tables_names` list the
//! tables that exist; only those are asked for, because asking
//! `IPT_SO_GET_INFO` for a table by name autoloads its module and creates
//! it (COMPAT.md §3.4). A missing file means the module is not loaded: no
//! legacy tables, and nothing is loaded by looking.
//!
//! Each table is read with `IPT_SO_GET_INFO` (its size) then
//! `IPT_SO_GET_ENTRIES`; if the table changed in between the kernel answers
//! `EAGAIN` and the pair is retried.

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{AsFd, OwnedFd};

use nflens_wire::legacy::{self, Family, Info, GETINFO_LEN, GET_ENTRIES_HDR, TABLE_MAXNAMELEN};
use nflens_wire::DecodeError;
use rustix::net::{ipproto, socket_with, AddressFamily, SocketFlags, SocketType};

use crate::error::Error;
use crate::netns::Netns;
use crate::sys::getsockopt_buf;

/// One legacy table as the kernel handed it out (owned bytes; decode with
/// [`LegacyTable::decode`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyTable {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The table's name.
    pub name: String,
    /// Its `IPT_SO_GET_INFO` reply.
    pub info: Info,
    /// Its entries (the `IPT_SO_GET_ENTRIES` reply after the header).
    pub entries: Vec<u8>,
}

impl LegacyTable {
    /// Its chains and rules.
    pub fn decode(&self) -> Result<legacy::Table<'_>, DecodeError> {
        legacy::Table::decode(self.family, &self.name, &self.info, &self.entries)
    }

    /// Each chain's name and number of rules, without decoding the rules
    /// ([`legacy::Table::chain_sizes`]).
    pub fn chain_sizes(&self) -> Result<Vec<(&str, usize)>, DecodeError> {
        legacy::Table::chain_sizes(self.family, &self.info, &self.entries)
    }
}

/// The legacy side of a network namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Legacy {
    /// `/proc/net/ip_tables_names` (empty when the file is absent).
    pub names_v4: Vec<String>,
    /// `/proc/net/ip6_tables_names`.
    pub names_v6: Vec<String>,
    /// The tables listed there, read (IPv4 first, in /proc order).
    pub tables: Vec<LegacyTable>,
}

impl Legacy {
    /// Reads the table names only (no socket, no privilege needed).
    pub fn names(netns: &Netns<'_>) -> Result<Legacy, Error> {
        netns.run(|| {
            Ok(Legacy {
                names_v4: proc_names("ip_tables_names")?,
                names_v6: proc_names("ip6_tables_names")?,
                tables: Vec::new(),
            })
        })
    }

    /// Reads every legacy table that exists in `netns`. Needs
    /// `CAP_NET_ADMIN` there when any exists.
    pub fn read(netns: &Netns<'_>) -> Result<Legacy, Error> {
        netns
            .run(|| {
                let mut out = Legacy {
                    names_v4: proc_names("ip_tables_names")?,
                    names_v6: proc_names("ip6_tables_names")?,
                    tables: Vec::new(),
                };
                for (fam, names) in [(Family::V4, &out.names_v4), (Family::V6, &out.names_v6)] {
                    if names.is_empty() {
                        continue;
                    }
                    let fd = raw_ip_socket(fam)?;
                    for name in names {
                        out.tables.push(read_table(&fd, fam, name)?);
                    }
                }
                Ok(out)
            })
            .map_err(|e| match e {
                Error::PermissionDenied { .. } => Error::PermissionDenied {
                    netns: netns.describe(),
                },
                e => e,
            })
    }

    /// Whether any legacy table exists (what iptables-nft warns about).
    pub fn present(&self) -> bool {
        !self.names_v4.is_empty() || !self.names_v6.is_empty()
    }
}

/// Reads `/proc/thread-self/net/<file>`: one table name per line.
fn proc_names(file: &str) -> Result<Vec<String>, Error> {
    let path = format!("/proc/thread-self/net/{file}");
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(s
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("read /proc/net/ip*_tables_names", e)),
    }
}

fn raw_ip_socket(fam: Family) -> Result<OwnedFd, Error> {
    let af = match fam {
        Family::V4 => AddressFamily::INET,
        Family::V6 => AddressFamily::INET6,
    };
    socket_with(
        af,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        Some(ipproto::RAW),
    )
    .map_err(|e| {
        if e == rustix::io::Errno::PERM || e == rustix::io::Errno::ACCESS {
            Error::PermissionDenied { netns: None }
        } else {
            Error::io("socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", e.into())
        }
    })
}

fn sockopt_err(op: &'static str, e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => Error::PermissionDenied { netns: None },
        _ => Error::io(op, e),
    }
}

fn read_table(fd: &OwnedFd, fam: Family, name: &str) -> Result<LegacyTable, Error> {
    let level = match fam {
        Family::V4 => libc::IPPROTO_IP,
        Family::V6 => libc::IPPROTO_IPV6,
    };
    let name_bytes = name.as_bytes();
    if name_bytes.len() >= TABLE_MAXNAMELEN {
        return Err(Error::io(
            "legacy table name",
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("table name {name:?} too long"),
            ),
        ));
    }
    // The table may change between the two calls (the kernel then answers
    // EAGAIN to the second): retry a few times.
    for _ in 0..8 {
        let mut buf = [0u8; GETINFO_LEN];
        buf[..name_bytes.len()].copy_from_slice(name_bytes);
        let n = getsockopt_buf(fd.as_fd(), level, legacy::SO_GET_INFO, &mut buf)
            .map_err(|e| sockopt_err("getsockopt(IPT_SO_GET_INFO)", e))?;
        let info = Info::decode(buf.get(..n).unwrap_or_default())?;
        let size = info.size as usize;
        let mut req = vec![0u8; GET_ENTRIES_HDR + size];
        req[..name_bytes.len()].copy_from_slice(name_bytes);
        req[TABLE_MAXNAMELEN..TABLE_MAXNAMELEN + 4].copy_from_slice(&info.size.to_ne_bytes());
        match getsockopt_buf(fd.as_fd(), level, legacy::SO_GET_ENTRIES, &mut req) {
            Ok(_) => {
                req.drain(..GET_ENTRIES_HDR);
                return Ok(LegacyTable {
                    family: fam,
                    name: name.to_owned(),
                    info,
                    entries: req,
                });
            }
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => continue,
            Err(e) => return Err(sockopt_err("getsockopt(IPT_SO_GET_ENTRIES)", e)),
        }
    }
    Err(Error::Unstable { attempts: 8 })
}

/// `SO_IP_SET` (`linux/netfilter/ipset/ip_set.h`): ipset's getsockopt.
const SO_IP_SET: i32 = 83;
const IP_SET_OP_VERSION: u32 = 0x100;
const IP_SET_OP_GET_BYINDEX: u32 = 7;
const IPSET_MAXNAMELEN: usize = 32;

/// The names of the ipsets with kernel indexes `indexes` in `netns`, as
/// iptables asks for them when it lists an xt `set` match (which holds only
/// the index): `SO_IP_SET` with `IP_SET_OP_GET_BYINDEX`. An index with no
/// set is left out. Read-only; nothing is asked when `indexes` is empty, and
/// a kernel without ipset answers with no names.
pub fn ipset_names(netns: &Netns<'_>, indexes: &[u16]) -> Result<BTreeMap<u16, String>, Error> {
    if indexes.is_empty() {
        return Ok(BTreeMap::new());
    }
    netns.run(|| {
        let fd = raw_ip_socket(Family::V4)?;
        let level = libc::SOL_IP;
        // struct ip_set_req_version { unsigned op, version; }
        let mut req = [0u8; 8];
        req[..4].copy_from_slice(&IP_SET_OP_VERSION.to_ne_bytes());
        let version = match getsockopt_buf(fd.as_fd(), level, SO_IP_SET, &mut req) {
            Ok(_) => u32::from_ne_bytes([req[4], req[5], req[6], req[7]]),
            // No ip_set module: no set exists.
            Err(e) if e.raw_os_error() == Some(libc::ENOPROTOOPT) => return Ok(BTreeMap::new()),
            Err(e) => return Err(sockopt_err("getsockopt(SO_IP_SET, IP_SET_OP_VERSION)", e)),
        };
        let mut out = BTreeMap::new();
        for &index in indexes {
            // struct ip_set_req_get_set { unsigned op, version; union { char name[32]; u16 index; } }
            let mut req = [0u8; 8 + IPSET_MAXNAMELEN];
            req[..4].copy_from_slice(&IP_SET_OP_GET_BYINDEX.to_ne_bytes());
            req[4..8].copy_from_slice(&version.to_ne_bytes());
            req[8..10].copy_from_slice(&index.to_ne_bytes());
            match getsockopt_buf(fd.as_fd(), level, SO_IP_SET, &mut req) {
                Ok(_) => {}
                // Beyond the kernel's number of sets.
                Err(e) if e.raw_os_error() == Some(libc::EINVAL) => continue,
                Err(e) => {
                    return Err(sockopt_err(
                        "getsockopt(SO_IP_SET, IP_SET_OP_GET_BYINDEX)",
                        e,
                    ))
                }
            }
            let name = &req[8..];
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            if end > 0 {
                out.insert(index, String::from_utf8_lossy(&name[..end]).into_owned());
            }
        }
        Ok(out)
    })
}
