//! Reading desired [`Fields`] back into the plain values an SDK call takes.
//! A missing or mistyped field is a bug in wway (the desired state is built by
//! wway), reported as an error rather than a panic.

use std::collections::BTreeMap;

use serde_json::Value;

use super::CloudError;
use crate::state::{Fields, ResourceAddr};

pub struct Read<'a> {
    pub fields: &'a Fields,
    pub addr: &'a ResourceAddr,
}

impl Read<'_> {
    fn missing(&self, field: &str, kind: &str) -> CloudError {
        CloudError::Internal(format!("{}: field `{field}` is not {kind}", self.addr))
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).filter(|v| !v.is_null())
    }

    /// Whether `field` differs from its value in `before` (the live fields
    /// an update starts from): a null is no value on either side, as
    /// [`Read::get`] reads it.
    pub fn changed(&self, before: &Fields, field: &str) -> bool {
        before.get(field).filter(|v| !v.is_null()) != self.get(field)
    }

    pub fn str(&self, field: &str) -> Result<&str, CloudError> {
        self.get(field).and_then(Value::as_str).ok_or_else(|| self.missing(field, "a string"))
    }

    pub fn int(&self, field: &str) -> Result<i64, CloudError> {
        self.get(field).and_then(Value::as_i64).ok_or_else(|| self.missing(field, "a number"))
    }

    pub fn int32(&self, field: &str) -> Result<i32, CloudError> {
        i32::try_from(self.int(field)?).map_err(|_| self.missing(field, "a 32-bit number"))
    }

    pub fn strings(&self, field: &str) -> Result<Vec<String>, CloudError> {
        let items = self
            .get(field)
            .and_then(Value::as_array)
            .ok_or_else(|| self.missing(field, "a list"))?;
        Ok(items.iter().filter_map(Value::as_str).map(str::to_string).collect())
    }

    /// `field` as the type its kind's spec gives it.
    pub fn typed<T: serde::de::DeserializeOwned>(&self, field: &str) -> Result<T, CloudError> {
        let value = self.get(field).cloned().unwrap_or(Value::Null);
        serde_json::from_value(value).map_err(|e| self.missing(field, &format!("readable ({e})")))
    }

    pub fn map(&self, field: &str) -> Result<BTreeMap<String, String>, CloudError> {
        let object = self
            .get(field)
            .and_then(Value::as_object)
            .ok_or_else(|| self.missing(field, "a mapping"))?;
        Ok(object
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect())
    }

    pub fn tags(&self) -> Result<BTreeMap<String, String>, CloudError> {
        self.map("tags")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Regression: updates compared `before.get(f)` (a live null, e.g. a
    /// node group's `max_unavailable` when it takes a percentage) with
    /// `Read::get` (which reads a null as nothing), so such a field always
    /// looked changed and a version-only update also sent the group's
    /// configuration again.
    #[test]
    fn a_null_is_no_value_on_either_side() {
        let addr = ResourceAddr::new("eu-west-1/node-group/general");
        let fields: Fields =
            [("max_unavailable".to_string(), json!(null)), ("version".to_string(), json!("1.35"))]
                .into();
        let r = Read { fields: &fields, addr: &addr };
        let before: Fields = [
            ("max_unavailable".to_string(), json!(null)),
            ("version".to_string(), json!("1.34")),
            ("secrets_key".to_string(), json!(null)),
        ]
        .into();
        assert!(!r.changed(&before, "max_unavailable"));
        assert!(!r.changed(&before, "secrets_key"), "null and absent are alike");
        assert!(r.changed(&before, "version"));
        let set: Fields = [("max_unavailable".to_string(), json!(2))].into();
        assert!(Read { fields: &set, addr: &addr }.changed(&before, "max_unavailable"));
    }
}
