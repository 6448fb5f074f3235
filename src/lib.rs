//! wway: one YAML file declares a product's whole multi-region AWS footprint;
//! wway plans it against the live account, applies it, rolls it back, reports
//! drift and exports it as Terraform.
//!
//! The layers, each depending only on those above it in this list:
//! - [`topology`]: the file format, parsed with spans and validated (pure);
//! - [`hcl`]: a small HCL document model and writer (pure);
//! - [`kinds`]: each resource kind's pure half and the registry (pure);
//! - [`state`]: the desired state and the live state (pure);
//! - [`plan`]: the diff of the two, as an ordered graph of changes (pure);
//! - [`resilience`]: what losing a region does to routing and capacity (pure);
//! - [`cloud`]: the AWS SDK clients, one module per service;
//! - [`store`]: the state backend: a local folder, or S3 with conditional writes;
//! - [`exec`]: the executor: walks a plan's steps, journals, rolls back;
//! - [`export`]: the topology as Terraform, assembled from the kinds' blocks;
//! - [`present`]: how results are shown to people and machines;
//! - [`cli`]: the command line's clap types;
//! - [`commands`]: one module per subcommand, composing the above.

// Output goes through `present::printer::Printer`, which never panics on a
// closed pipe and knows `--quiet`.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod cloud;
pub mod commands;
pub mod exec;
pub mod export;
pub mod hcl;
pub mod kinds;
pub mod plan;
pub mod present;
pub mod resilience;
pub mod state;
pub mod store;
pub mod topology;
