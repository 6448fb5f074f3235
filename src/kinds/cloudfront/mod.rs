//! CloudFront kinds: the distribution.

pub mod distribution;
