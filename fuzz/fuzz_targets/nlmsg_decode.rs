#![no_main]
//! Fuzz target; the logic is in `src/lib.rs` (`nlmsg_decode::run`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| nflens_fuzz::nlmsg_decode::run(data));
