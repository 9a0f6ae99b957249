//! Integration tests of nflens-model.
mod conformance;
mod equal_meaning;
mod fields;
mod named_sets;
mod nft_native;
mod nft_py_payload;
mod nft_render;
mod nft_xt;
mod properties;
