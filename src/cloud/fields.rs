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
