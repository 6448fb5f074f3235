//! EC2 kinds: a region's network.

pub mod internet_gateway;
pub mod subnet;
pub mod vpc;
