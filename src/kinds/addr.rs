//! [`ResourceAddr`]: the stable, readable name of a resource in plans,
//! journals and output, e.g. `us-east-1/subnet/us-east-1a` or
//! `global/record/api/failover-primary`. It is also the value of the
//! `wway:id` ownership tag.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResourceAddr(String);

/// The scope of resources that are not regional (Route 53, CloudFront).
pub const GLOBAL: &str = "global";

impl ResourceAddr {
    pub fn new(text: impl Into<String>) -> Self {
        ResourceAddr(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the address matches `pattern`, where `*` stands for any run
    /// of characters within one `/`-separated part and `**` for any run at
    /// all (`*/node-group/*`, `global/record/**`).
    pub fn matches(&self, pattern: &str) -> bool {
        glob(pattern.as_bytes(), self.0.as_bytes())
    }

    /// The `i`th `/`-separated part (empty past the end).
    pub fn part(&self, i: usize) -> &str {
        self.0.split('/').nth(i).unwrap_or_default()
    }

    /// The region part, or `global`.
    pub fn scope(&self) -> &str {
        self.0.split('/').next().unwrap_or(GLOBAL)
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=text.len()).any(|skip| glob(rest, &text[skip..])),
        [b'*', rest @ ..] => {
            let part = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=part).any(|skip| glob(rest, &text[skip..]))
        }
        [c, rest @ ..] => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_the_spec_writes_them() {
        assert_eq!(
            ResourceAddr::new("us-east-1/subnet/us-east-1a").as_str(),
            "us-east-1/subnet/us-east-1a"
        );
        assert_eq!(
            ResourceAddr::new("global/record/api/failover-primary").as_str(),
            "global/record/api/failover-primary"
        );
        assert_eq!(ResourceAddr::new("global/zone/wonderway.com").scope(), "global");
        assert_eq!(ResourceAddr::new("eu-west-1/node-group/general").scope(), "eu-west-1");
    }

    #[test]
    fn patterns_match_within_a_part_or_across_parts() {
        let group = ResourceAddr::new("eu-west-1/node-group/general");
        let record = ResourceAddr::new("global/record/geo.api/geo-VN");
        assert!(group.matches("eu-west-1/node-group/general"));
        assert!(group.matches("*/node-group/*"));
        assert!(group.matches("**"));
        assert!(!group.matches("*"));
        assert!(!group.matches("*/node-group"));
        assert!(record.matches("global/record/**"));
        assert!(record.matches("global/record/geo.*/geo-*"));
        assert!(!record.matches("global/record/*"));
    }
}
