//! Presentation: how results are shown to people (text, diagnostics) and to
//! machines (JSON). Nothing here decides anything; it renders what it is given.

pub mod diagnostics;
pub mod summary;
