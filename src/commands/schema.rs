//! `wway schema`: print the JSON Schema of the topology format (for the YAML
//! language server and other editors).

use std::process::ExitCode;

use super::{Printer, Status};
use crate::topology::schema::JSON_SCHEMA;

pub fn run(printer: &Printer) -> Status {
    printer.line(JSON_SCHEMA.trim_end());
    Ok(ExitCode::SUCCESS)
}
