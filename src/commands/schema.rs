//! `wway schema`: print the JSON Schema of the topology format (for the YAML
//! language server and other editors).

use std::process::ExitCode;

use crate::topology::schema::JSON_SCHEMA;

pub fn run() -> ExitCode {
    println!("{}", JSON_SCHEMA.trim_end());
    ExitCode::SUCCESS
}
