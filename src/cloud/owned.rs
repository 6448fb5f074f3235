//! Recognising what wway owns from a resource's tags, taking up what a
//! create whose answer was lost made ([`adopt`]), and turning an AWS
//! resource into a [`LiveResource`] with a fingerprint.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::RunScope;
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

/// What marks a resource as the one a create made: the ownership tags the
/// create set, or the caller reference it sent.
#[derive(Debug, Clone, Copy)]
pub enum Mark<'a> {
    Tags(&'a Tags),
    CallerReference(&'a str),
}

/// The one rule for a create whose answer was lost (AWS then says "already
/// exists", or wway looks first where a create takes no token): of the
/// resources `found`, the first that is provably the one an earlier attempt
/// made for `addr` (this topology's ownership tags naming `addr`, or the
/// caller reference this run gives `addr`). None: what holds the name is
/// someone else's, and the create fails. A replacement leaves the resource it
/// replaces out of `found` (`Call::replaces`): it carries the same marks.
pub fn adopt<'m, T>(
    scope: &RunScope<'_>,
    addr: &ResourceAddr,
    found: impl IntoIterator<Item = (T, Mark<'m>)>,
) -> Option<T> {
    let ours = |mark: &Mark<'_>| match mark {
        Mark::Tags(tags) => owner(tags, scope.topology).as_ref() == Some(addr),
        Mark::CallerReference(reference) => *reference == scope.owned_reference(addr),
    };
    found.into_iter().find(|(_, mark)| ours(mark)).map(|(item, _)| item)
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
    LiveResource { kind, id: id.to_string(), fields, deps, fingerprint, unhealthy: None }
}

pub fn sorted(mut items: Vec<String>) -> Value {
    items.sort();
    json!(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_provably_this_resource_is_adopted() {
        let run = RunScope { topology: "wonderway", salt: "run-1" };
        let addr = ResourceAddr::new("eu-west-1/vpc");
        let marked = |topology: &str, id: &str| -> Tags {
            [(TOPOLOGY_TAG.to_string(), topology.to_string()), (ID_TAG.to_string(), id.to_string())]
                .into()
        };
        let (ours, other_topology, other_addr) = (
            marked("wonderway", "eu-west-1/vpc"),
            marked("staging", "eu-west-1/vpc"),
            marked("wonderway", "us-east-1/vpc"),
        );
        let untagged = Tags::new();
        let found = [
            ("theirs", Mark::Tags(&other_topology)),
            ("elsewhere", Mark::Tags(&other_addr)),
            ("bare", Mark::Tags(&untagged)),
            ("ours", Mark::Tags(&ours)),
        ];
        assert_eq!(adopt(&run, &addr, found), Some("ours"));
        assert_eq!(adopt(&run, &addr, [("theirs", Mark::Tags(&other_topology))]), None);

        let reference = run.owned_reference(&addr);
        let another_run = RunScope { salt: "run-2", ..run }.owned_reference(&addr);
        let found = [
            ("old", Mark::CallerReference(&another_run)),
            ("made", Mark::CallerReference(&reference)),
        ];
        assert_eq!(adopt(&run, &addr, found), Some("made"));
        let other = run.owned_reference(&ResourceAddr::new("global/zone/other.example"));
        assert_eq!(adopt(&run, &addr, [("other", Mark::CallerReference(&other))]), None);
    }
}
