//! wway's integration tests, compiled into one binary (as ripgrep does):
//! the CLI run as a process, rendered diagnostics of bad topologies, the JSON
//! Schema, and the cloud layer against the real AWS wire protocol of a local
//! emulator.

mod addons;
mod api_models;
mod apply_emulator;
mod aws_wiring;
mod backend_emulator;
mod cli;
mod diagnostics;
mod drift_emulator;
mod drill;
mod emulator;
mod export;
mod fake;
mod faults;
mod fuzz;
mod kinds;
mod layers;
mod network;
mod plan_core;
mod plan_emulator;
mod present;
mod quotas;
mod real_aws;
mod resilience;
mod safety;
mod schema;
mod secrets;
mod walker;
