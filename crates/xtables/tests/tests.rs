//! Integration tests of nflens-xtables (one binary: see STYLE.md §5).
mod conformance;
mod errors;
mod golden;
mod kernel;
mod roundtrip;
mod split;
