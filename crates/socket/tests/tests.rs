//! nflens-socket integration tests (kernel tests run in throwaway namespaces).
mod golden;
mod nft_py;
mod parallel;
mod udata;
mod xt_blobs;
