//! EKS kinds: a region's cluster, its admins' access entries and its node
//! groups.

pub mod access_entry;
pub mod cluster;
pub mod node_group;
