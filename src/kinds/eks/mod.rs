//! EKS kinds: a region's cluster, its admins' access entries, its node
//! groups and its managed add-ons.

pub mod access_entry;
pub mod addon;
pub mod cluster;
pub mod node_group;
