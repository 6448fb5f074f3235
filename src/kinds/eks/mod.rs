//! EKS kinds: a region's cluster and its node groups.

pub mod cluster;
pub mod node_group;
