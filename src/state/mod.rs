//! Resources as wway sees them, with no cloud SDK in sight: stable addresses,
//! kinds, the desired state derived from a topology, and the live state read
//! from an account (plain serde data that tests load from `fixtures/`).
//!
//! Both sides describe a resource by the same [`Fields`]: a map of field name
//! to JSON value, normalised so that equal settings compare equal.

#![deny(clippy::wildcard_enum_match_arm)]

pub mod desired;
pub mod digest;
pub mod live;
pub mod package;

pub use crate::kinds::{Fields, ID_TAG, Kind, ResourceAddr, Service, TOPOLOGY_TAG};
