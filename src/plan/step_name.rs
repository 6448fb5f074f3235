//! The name of a step in a run, in its journal and in its progress lines:
//! the address of the resource it acts on, `<address>#old` for the old half
//! of a replacement, `<address>#to-<key>` for a stop on the way of an update
//! AWS takes in steps (`us-east-1/eks-cluster#to-1.33`), `<address>#settled`
//! for the wait that follows a write
//! AWS goes on with, `records:<zone address>` for a zone's batch of record
//! changes, and `undo:<step>` for a rollback's inverse of a step. Written and
//! parsed here only; everywhere else a name is this type, and what it names
//! is asked of it, not cut out of its text.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::kinds::ResourceAddr;

/// A step's name. Compared and ordered by its text, which is what journals
/// keep.
#[derive(Debug, Clone)]
pub struct StepName {
    text: String,
    of: Of,
}

#[derive(Debug, Clone)]
enum Of {
    Resource(ResourceAddr),
    Old(ResourceAddr),
    Stage(ResourceAddr),
    Settled(ResourceAddr),
    Records(ResourceAddr),
    Undo(Box<StepName>),
}

const OLD: &str = "#old";
const SETTLED: &str = "#settled";
const STAGE: &str = "#to-";
const RECORDS: &str = "records:";
const UNDO: &str = "undo:";

impl StepName {
    /// The step that creates, updates or deletes `addr`.
    pub fn resource(addr: &ResourceAddr) -> Self {
        StepName { text: addr.to_string(), of: Of::Resource(addr.clone()) }
    }

    /// The old half of `addr`'s replacement: the delete of what it replaces.
    pub fn old(addr: &ResourceAddr) -> Self {
        StepName { text: format!("{addr}{OLD}"), of: Of::Old(addr.clone()) }
    }

    /// The stop `key` on the way of `addr`'s update (its last stop is
    /// [`StepName::resource`]).
    pub fn stage(addr: &ResourceAddr, key: &str) -> Self {
        StepName { text: format!("{addr}{STAGE}{key}"), of: Of::Stage(addr.clone()) }
    }

    /// The wait for AWS to finish the write to `addr`.
    pub fn settled(addr: &ResourceAddr) -> Self {
        StepName { text: format!("{addr}{SETTLED}"), of: Of::Settled(addr.clone()) }
    }

    /// The batch of record changes of the zone `zone`.
    pub fn records(zone: &ResourceAddr) -> Self {
        StepName { text: format!("{RECORDS}{zone}"), of: Of::Records(zone.clone()) }
    }

    /// The rollback's inverse of `step`.
    pub fn undo(step: &StepName) -> Self {
        StepName { text: format!("{UNDO}{step}"), of: Of::Undo(Box::new(step.clone())) }
    }

    /// Reads a name as [`fmt::Display`] wrote it.
    pub fn parse(text: &str) -> Self {
        if let Some(step) = text.strip_prefix(UNDO) {
            return StepName::undo(&StepName::parse(step));
        }
        if let Some(zone) = text.strip_prefix(RECORDS) {
            return StepName::records(&ResourceAddr::new(zone));
        }
        if let Some(addr) = text.strip_suffix(SETTLED) {
            return StepName::settled(&ResourceAddr::new(addr));
        }
        if let Some((addr, key)) = text.rsplit_once(STAGE) {
            return StepName::stage(&ResourceAddr::new(addr), key);
        }
        match text.strip_suffix(OLD) {
            Some(addr) => StepName::old(&ResourceAddr::new(addr)),
            None => StepName::resource(&ResourceAddr::new(text)),
        }
    }

    /// The resource the step acts on (the zone, for a batch; for an undo,
    /// what the undone step acted on).
    pub fn addr(&self) -> &ResourceAddr {
        match &self.of {
            Of::Resource(addr)
            | Of::Old(addr)
            | Of::Stage(addr)
            | Of::Settled(addr)
            | Of::Records(addr) => addr,
            Of::Undo(step) => step.addr(),
        }
    }

    /// Whether this is the old half of a replacement.
    pub fn is_old(&self) -> bool {
        matches!(self.of, Of::Old(_))
    }

    /// The step this one undoes, if it is an undo.
    pub fn undone(&self) -> Option<&StepName> {
        match &self.of {
            Of::Undo(step) => Some(step),
            Of::Resource(_) | Of::Old(_) | Of::Stage(_) | Of::Settled(_) | Of::Records(_) => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for StepName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for StepName {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for StepName {}

impl PartialOrd for StepName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for StepName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl std::hash::Hash for StepName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl Serialize for StepName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for StepName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| StepName::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_as_they_were_written() {
        let node_group = ResourceAddr::new("eu-west-1/node-group/web");
        let zone = ResourceAddr::new("global/zone/shop.example");
        let names = [
            StepName::resource(&node_group),
            StepName::old(&node_group),
            StepName::records(&zone),
            StepName::undo(&StepName::old(&node_group)),
            StepName::settled(&node_group),
            StepName::stage(&node_group, "1.33"),
        ];
        let texts: Vec<String> = names.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "eu-west-1/node-group/web",
                "eu-west-1/node-group/web#old",
                "records:global/zone/shop.example",
                "undo:eu-west-1/node-group/web#old",
                "eu-west-1/node-group/web#settled",
                "eu-west-1/node-group/web#to-1.33",
            ]
        );
        for name in &names {
            let read = StepName::parse(name.as_str());
            assert_eq!(read, *name);
            assert_eq!(read.addr(), name.addr());
            assert_eq!(read.is_old(), name.is_old());
        }
        assert_eq!(names[3].undone(), Some(&names[1]));
        assert_eq!(names[2].addr(), &zone);
        assert!(names[1].is_old() && !names[0].is_old());
    }
}
