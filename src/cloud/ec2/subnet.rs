//! The subnet's cloud half: read by the topology's tag (one call per
//! region, after the VPCs, whose ids it names by address); made in its VPC
//! and zone with its tags (found again by them after a lost answer),
//! retagged in place, deleted once nothing is in it (the network
//! interfaces a deleted cluster left behind are removed).

use serde_json::json;

use aws_sdk_ec2::types::ResourceType;

use super::{
    Ec2, adopted, delete_when_free, made_by, owned_by, sdk_error, sent_once, tag_specification,
};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::read::ReadCall;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Subnet;

impl CloudKind for Subnet {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Vpc]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let placed = call.clients.placed_subnets.lock().await.take();
            let subnets = match placed {
                Some(subnets) => subnets,
                None => ec2.owned_subnets(call.topology).await?,
            };
            let earlier = call.found(&[Kind::Vpc]).await?;
            let mut found = Found::default();
            for (addr, id, tags, subnet) in owned_by(&subnets, call.topology) {
                let vpc_id = subnet.vpc_id().unwrap_or_default();
                let deps = earlier.addr_of(Kind::Vpc, vpc_id).cloned().into_iter().collect();
                let fields = [
                    ("vpc".to_string(), earlier.reference(Kind::Vpc, vpc_id)),
                    ("availability_zone".to_string(), json!(subnet.availability_zone())),
                    ("cidr".to_string(), json!(subnet.cidr_block())),
                ]
                .into();
                found.owned.insert(addr, live(Kind::Subnet, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's subnet is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let filters = made_by(&call.scope, &target.addr);
            let earlier = ec2.client.describe_subnets().set_filters(Some(filters)).send().await;
            let earlier = earlier.map_err(sdk_error)?;
            if let Some(id) = adopted(call, &target.addr, earlier.subnets()) {
                return Ok(Made::id(id));
            }
            let r = read(target);
            let create = ec2
                .client
                .create_subnet()
                .vpc_id(call.id_of(&r, "vpc")?)
                .cidr_block(r.str("cidr")?)
                .availability_zone(r.str("availability_zone")?)
                .tag_specifications(tag_specification(ResourceType::Subnet, &r)?);
            let made = create.customize().config_override(sent_once()).send().await;
            let made = made.map_err(sdk_error)?;
            Ok(Made::id(made.subnet().and_then(|s| s.subnet_id()).unwrap_or_default().to_string()))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        super::retag(call, target, id)
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let delete = || async {
                let deleted = ec2.client.delete_subnet().subnet_id(id).send().await;
                deleted.map(|_| ()).map_err(sdk_error)
            };
            let leftovers = || ec2.remove_leftover_interfaces(id, &call.clients.eks);
            delete_when_free(call, &format!("subnet {id}"), delete, leftovers).await
        })
    }
}
