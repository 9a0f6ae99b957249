//! Integration tests of nflens-model.
mod conformance;
mod equal_meaning;
mod fields;
mod nft_listing;
mod nft_native;
mod nft_py_payload;
mod nft_render;
mod nft_xt;
mod properties;
mod threads;
