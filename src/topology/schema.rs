//! The JSON Schema of the topology format, for editors (`wway schema`).
//! It mirrors the decoder's field lists; a test keeps the two in step.

pub const JSON_SCHEMA: &str = include_str!("schema.json");
