//! The only `unsafe` in nflens: `getsockopt(2)` into a caller's buffer, for
//! the legacy xtables interface (`IPT_SO_GET_INFO` / `IPT_SO_GET_ENTRIES`),
//! which no safe wrapper (rustix, nix) exposes because its option values are
//! variable-length structs.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `getsockopt(fd, level, name, buf, &len)` with `len = buf.len()`: the
/// kernel reads the request from `buf` and writes the reply over it.
/// Returns the reply's length.
pub(crate) fn getsockopt_buf(
    fd: BorrowedFd<'_>,
    level: i32,
    name: i32,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut len = libc::socklen_t::try_from(buf.len())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `buf` is a live, writable allocation of exactly `len` bytes for
    // the whole call (we hold `&mut` to it), and `len` is a valid `socklen_t`
    // on our stack. getsockopt(2) writes at most `len` bytes into `buf` and
    // stores the written length in `len`; `fd` is a valid open descriptor
    // borrowed for the call.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            buf.as_mut_ptr().cast::<libc::c_void>(),
            &mut len,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((len as usize).min(buf.len()))
}
