//! KMS kinds: the key that encrypts a region's EKS secrets.

pub mod key;
