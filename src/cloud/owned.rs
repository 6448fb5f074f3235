//! Recognising what wway owns from a resource's tags, and turning an AWS
//! resource into a [`LiveResource`] with a fingerprint.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::state::live::LiveResource;
use crate::state::{Fields, ID_TAG, Kind, ResourceAddr, TOPOLOGY_TAG};

/// A resource's tags as wway compares them.
pub type Tags = BTreeMap<String, String>;

pub fn tags<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Tags {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The address of a resource that carries this topology's ownership tags.
pub fn owner(tags: &Tags, topology: &str) -> Option<ResourceAddr> {
    (tags.get(TOPOLOGY_TAG).map(String::as_str) == Some(topology))
        .then(|| tags.get(ID_TAG).map(ResourceAddr::new))?
}

/// Who holds a resource wway does not own, for a clash message.
pub fn holder(tags: &Tags) -> String {
    match tags.get(TOPOLOGY_TAG) {
        Some(other) => format!("owned by wway topology `{other}`"),
        None => "no wway tags".into(),
    }
}

/// A live resource; with no ETag from AWS, the fingerprint is a hash of its fields.
pub fn live(
    kind: Kind,
    id: &str,
    mut fields: Fields,
    tags: Tags,
    deps: Vec<ResourceAddr>,
    etag: Option<&str>,
) -> LiveResource {
    fields.insert("tags".into(), json!(tags));
    let fingerprint = match etag {
        Some(etag) => etag.to_string(),
        None => {
            let text = serde_json::to_string(&fields).unwrap_or_default();
            crate::state::digest::sha256_hex(text.as_bytes())[..24].to_string()
        }
    };
    LiveResource { kind, id: id.to_string(), fields, deps, fingerprint }
}

pub fn sorted(mut items: Vec<String>) -> Value {
    items.sort();
    json!(items)
}
