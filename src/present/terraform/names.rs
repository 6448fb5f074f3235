//! Terraform names for the exported resources, from their addresses:
//! `us-east-1/vpc` is `aws_vpc.us_east_1`, `global/record/geo.api/geo-VN` is
//! `aws_route53_record.geo_api_geo_vn`. Addresses that would share a name
//! in one resource type (`api-v2` and `api.v2`) get `_2`, `_3`, ... in
//! address order, so names are unique and stable.

use std::collections::{BTreeMap, BTreeSet};

use super::resource_type;
use crate::present::hcl::identifier;
use crate::state::desired::DesiredState;
use crate::state::{Kind, ResourceAddr};

pub struct Names {
    resources: BTreeMap<ResourceAddr, String>,
    /// The ownership TXT record of each record name (a fully qualified name).
    owners: BTreeMap<String, String>,
}

fn base(addr: &ResourceAddr, kind: Kind) -> String {
    let parts: Vec<&str> = addr.as_str().split('/').collect();
    let part = |i: usize| parts.get(i).copied().unwrap_or_default();
    let name = match kind {
        Kind::Vpc | Kind::EksCluster => part(0).to_string(),
        Kind::NodeGroup => format!("{}_{}", part(0), part(2)),
        Kind::Record => {
            let name = if part(2) == "@" { "apex" } else { part(2) };
            format!("{name}_{}", part(3))
        }
        Kind::Distribution => "cdn".into(),
        _ => part(2).to_string(),
    };
    identifier(&name)
}

impl Names {
    pub fn of(desired: &DesiredState) -> Names {
        let mut taken: BTreeSet<(&'static str, String)> = BTreeSet::new();
        let mut unique = |kind: &'static str, wanted: String| {
            let mut name = wanted.clone();
            let mut n = 1;
            while !taken.insert((kind, name.clone())) {
                n += 1;
                name = format!("{wanted}_{n}");
            }
            name
        };
        let resources = desired
            .resources
            .values()
            .map(|r| (r.addr.clone(), unique(resource_type(r.kind), base(&r.addr, r.kind))))
            .collect();
        let fqdns = super::dns::owner_groups(desired).into_keys().map(|(fqdn, _)| fqdn);
        let owners = fqdns
            .map(|fqdn| {
                let wanted = identifier(&format!("owner_{}", fqdn.trim_end_matches('.')));
                (fqdn, unique("aws_route53_record", wanted))
            })
            .collect();
        Names { resources, owners }
    }

    pub fn resource(&self, addr: &ResourceAddr) -> &str {
        self.resources.get(addr).map_or("unknown", String::as_str)
    }

    pub fn owner(&self, fqdn: &str) -> &str {
        self.owners.get(fqdn).map_or("unknown", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::desired::DesiredResource;
    use serde_json::json;

    #[test]
    fn names_that_would_clash_are_numbered_in_address_order() {
        let mut desired = DesiredState::default();
        for (name, fqdn) in [("api-v2", "api-v2.example.org."), ("api.v2", "api.v2.example.org.")] {
            let addr = ResourceAddr::record(name, "simple");
            let resource = DesiredResource {
                addr: addr.clone(),
                kind: Kind::Record,
                region: "us-east-1".into(),
                name: fqdn.into(),
                fields: [("name".to_string(), json!(fqdn))].into(),
                deps: Vec::new(),
                source: None,
            };
            desired.resources.insert(addr, resource);
        }
        let names = Names::of(&desired);
        assert_eq!(names.resource(&ResourceAddr::record("api-v2", "simple")), "api_v2_simple");
        assert_eq!(names.resource(&ResourceAddr::record("api.v2", "simple")), "api_v2_simple_2");
        assert_eq!(names.owner("api-v2.example.org."), "owner_api_v2_example_org");
        assert_eq!(names.owner("api.v2.example.org."), "owner_api_v2_example_org_2");
    }
}
