//! Exports: the topology handed to other tools. Today one, Terraform HCL for
//! the AWS provider; each kind writes its own blocks (`kinds/`), this layer
//! assembles them into files with providers, variables, outputs and imports.

#![deny(clippy::wildcard_enum_match_arm)]

pub mod terraform;
