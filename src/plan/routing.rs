//! Who gets what, before and after a plan, for each routed name it
//! touches: the plan carries it (text and JSON) for a reviewer; the
//! resilience layer works it out (`resilience::outcomes`).

use serde::{Deserialize, Serialize};

/// A routed name the plan changes, and who gets what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameRouting {
    pub name: String,
    pub policy: String,
    /// With every region up.
    pub shifts: Vec<Shift>,
    /// With one region lost, where that differs from `shifts`.
    pub under_failure: Vec<Shift>,
}

/// One group of users' answer before and after the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// The region lost (only under a failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost: Option<String>,
    /// `VN`, `default`, `continent EU`, `near eu-west-1`, `all`,
    /// `share of us-east-1`.
    pub users: String,
    pub before: String,
    pub after: String,
}
