#![no_main]
//! Fuzz target; the logic is in `src/lib.rs` (`expr_decode::run`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| nflens_fuzz::expr_decode::run(data));
