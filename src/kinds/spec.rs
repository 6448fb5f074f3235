//! Typed specs and the uniform [`Fields`]: a kind's spec is a serde struct,
//! and these turn it into the field map that diffs, journals and plan JSON
//! carry, and back. Field names and their shapes are written once, in the
//! spec.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Fields;

/// Fields that do not read as a kind's spec: a bug in wway, or a saved plan
/// or journal from another version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the fields are not a {kind}: {why}")]
pub struct SpecError {
    pub kind: &'static str,
    pub why: String,
}

/// A spec's fields.
pub fn fields<S: Serialize>(spec: &S) -> Fields {
    match serde_json::to_value(spec) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        // A spec is a struct: it always serializes to an object.
        _ => Fields::new(),
    }
}

/// Fields read as spec `S` of `kind`.
pub fn read<S: DeserializeOwned>(kind: &'static str, fields: &Fields) -> Result<S, SpecError> {
    let object: serde_json::Map<String, Value> =
        fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    serde_json::from_value(Value::Object(object))
        .map_err(|e| SpecError { kind, why: e.to_string() })
}

/// Fields read as spec `S` and written back.
pub fn check<S: Serialize + DeserializeOwned>(
    kind: &'static str,
    fields: &Fields,
) -> Result<Fields, SpecError> {
    read::<S>(kind, fields).map(|spec| self::fields(&spec))
}

/// The tags a fixture at `addr` carries (topology `demo`).
pub fn fixture_tags(addr: &super::ResourceAddr) -> std::collections::BTreeMap<String, String> {
    super::tags("demo", &Default::default(), addr, &[])
}
