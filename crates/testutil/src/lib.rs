//! Test helpers shared by nflens' crates, benches and fuzz targets.
//!
//! - [`corpus`]: where `../shared/corpus` is, and the skip-or-fail rule of
//!   `NFLENS_CONFORMANCE`.
//! - [`netns`]: throwaway network namespaces for kernel tests, gated by
//!   `NFLENS_KERNEL_TESTS`.
//! - [`kube`]: a generator of kube-proxy-shaped iptables-save text.
//! - [`strategy`]: proptest strategies for `nflens_xtables` trees.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod corpus;
pub mod kube;
pub mod netns;
pub mod nftdebug;
pub mod nftpy;
pub mod strategy;
