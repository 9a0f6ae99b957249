//! nflens-wire integration tests.
mod roundtrip;
