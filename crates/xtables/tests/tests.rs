//! Integration tests of nflens-xtables (one binary: see STYLE.md §5).
mod conformance;
mod errors;
mod kernel;
mod roundtrip;
