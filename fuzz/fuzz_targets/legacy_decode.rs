#![no_main]
//! Fuzz target; the logic is in `src/lib.rs` (`legacy_decode::run`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| nflens_fuzz::legacy_decode::run(data));
