//! xtables blobs (placeholder until decoders land).
