#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| nflens_fuzz::xtables_parse::run(data));
