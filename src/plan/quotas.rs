//! The plan's quota warnings: what the topology alone could take of each
//! account quota in a region (its node groups at their max, its elastic IPs,
//! its NAT gateways per zone), against the account's value where it could
//! be asked, else AWS's documented default. A warning, not an error: the
//! account may have room by the time traffic needs it, and others' use of
//! the same quota is not counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::kinds::quota::QuotaUse;
use crate::state::desired::DesiredState;
use crate::state::live::LiveState;

/// A warning of the plan: its region and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanWarning {
    pub region: String,
    pub message: String,
}

pub fn warnings(desired: &DesiredState, live: &LiveState) -> Vec<PlanWarning> {
    // By region, quota and zone: what takes it.
    let mut uses: BTreeMap<(&str, &str, Option<String>), Vec<QuotaUse>> = BTreeMap::new();
    for resource in desired.resources.values() {
        let Some(facts) = live.regions.get(&resource.region) else { continue };
        for used in resource.kind.def().quota_use(resource, facts) {
            let key = (resource.region.as_str(), used.quota.code, used.zone.clone());
            uses.entry(key).or_default().push(used);
        }
    }
    let mut warnings = Vec::new();
    for ((region, code, zone), used) in uses {
        let quota = used[0].quota;
        let total: u64 = used.iter().map(|u| u.amount).sum();
        let asked = live.regions.get(region).and_then(|f| f.quotas.get(code)).copied();
        let (limit, source) = match asked {
            Some(value) => (value, "the account's quota"),
            None => (quota.default, "AWS's default quota (the account's could not be read)"),
        };
        if total <= limit {
            continue;
        }
        let in_zone = zone.map(|z| format!(" in {z}")).unwrap_or_default();
        let what: Vec<&str> = used.iter().map(|u| u.what.as_str()).collect();
        warnings.push(PlanWarning {
            region: region.to_string(),
            message: format!(
                "{region}: the topology can take {total} {unit} of \"{name}\"{in_zone} ({}), \
                 over {source} of {limit} ({service} {code}): ask AWS for more (Service Quotas) \
                 before it needs them",
                what.join(", "),
                unit = quota.unit,
                name = quota.name,
                service = quota.service,
            ),
        });
    }
    warnings
}
