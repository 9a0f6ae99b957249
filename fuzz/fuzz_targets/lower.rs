#![no_main]
//! Fuzz target; the logic is in `src/lib.rs` (`lower::run`). Seeds: the
//! `expr_decode` and `nlmsg_decode` corpora (`cargo fuzz run lower
//! fuzz/corpus/expr_decode fuzz/corpus/nlmsg_decode`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| nflens_fuzz::lower::run(data));
