//! Terraform names for the exported resources, from their addresses (each
//! kind says how: `us-east-1/vpc` is `aws_vpc.us_east_1`,
//! `global/record/geo.api/geo-VN` is `aws_route53_record.geo_api_geo_vn`).
//! Names that would be the same in one resource type (`api-v2` and
//! `api.v2`) get `_2`, `_3`, ... in the order they are asked for, so names
//! are unique and stable.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::kinds::ResourceAddr;
use crate::state::desired::DesiredState;

pub struct Names {
    resources: BTreeMap<ResourceAddr, String>,
    taken: RefCell<BTreeSet<(&'static str, String)>>,
}

impl Names {
    /// The names of the declared resources, in address order.
    pub fn of(desired: &DesiredState) -> Names {
        let names = Names { resources: BTreeMap::new(), taken: RefCell::default() };
        let resources = desired
            .resources
            .values()
            .map(|r| {
                let def = r.kind.def();
                (r.addr.clone(), names.unique(def.terraform_type(), def.terraform_name(&r.addr)))
            })
            .collect();
        Names { resources, ..names }
    }

    /// `wanted`, or `wanted_2`, `wanted_3`, ...: the first one free in `resource_type`.
    pub fn unique(&self, resource_type: &'static str, wanted: String) -> String {
        let mut taken = self.taken.borrow_mut();
        let mut name = wanted.clone();
        let mut n = 1;
        while !taken.insert((resource_type, name.clone())) {
            n += 1;
            name = format!("{wanted}_{n}");
        }
        name
    }

    pub fn resource(&self, addr: &ResourceAddr) -> &str {
        self.resources.get(addr).map_or("unknown", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::route53::record;
    use crate::kinds::{Kind, Resource};
    use serde_json::json;

    #[test]
    fn names_that_would_clash_are_numbered_in_address_order() {
        let mut desired = DesiredState::default();
        for (name, fqdn) in [("api-v2", "api-v2.example.org."), ("api.v2", "api.v2.example.org.")] {
            let addr = record::addr(name, "simple");
            let resource = Resource {
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
        assert_eq!(names.resource(&record::addr("api-v2", "simple")), "api_v2_simple");
        assert_eq!(names.resource(&record::addr("api.v2", "simple")), "api_v2_simple_2");
        let owner = |fqdn: &str| {
            names.unique("aws_route53_record", crate::hcl::identifier(&format!("owner_{fqdn}")))
        };
        assert_eq!(owner("api-v2.example.org"), "owner_api_v2_example_org");
        assert_eq!(owner("api.v2.example.org"), "owner_api_v2_example_org_2");
    }
}
