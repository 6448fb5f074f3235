//! Presentation: how results are shown to people (text, diagnostics, graphs)
//! and to machines (JSON). Nothing here decides anything; it renders what it
//! is given.

pub mod diagnostics;
pub mod drift;
pub mod drill;
pub mod graph;
pub mod plan_json;
pub mod plan_text;
pub mod printer;
pub mod progress;
pub mod resilience;
pub mod summary;
