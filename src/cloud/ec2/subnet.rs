//! The subnet's cloud half: read by the topology's tag (one call per
//! region, after the VPCs, whose ids it names by address); made in its VPC
//! and zone with its tags (found again by them after a lost answer),
//! retagged in place, deleted.

use serde_json::json;

use super::{Ec2, SERVICE, ownership_filter, sdk_error, tag_map};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{live, owner};
use crate::cloud::paging::all_pages;
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
            let subnets = all_pages(SERVICE, "DescribeSubnets", |token: Option<String>| async {
                let page = ec2.client.describe_subnets().filters(ownership_filter(call.topology));
                let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                Ok((page.subnets().to_vec(), page.next_token().map(str::to_string)))
            })
            .await?;
            let mut found = Found::default();
            for subnet in &subnets {
                let tags = tag_map(subnet.tags());
                let (Some(addr), Some(id)) = (owner(&tags, call.topology), subnet.subnet_id())
                else {
                    continue;
                };
                let vpc_id = subnet.vpc_id().unwrap_or_default();
                let deps = call.earlier.addr_of(Kind::Vpc, vpc_id).cloned().into_iter().collect();
                let fields = [
                    ("vpc".to_string(), call.earlier.reference(Kind::Vpc, vpc_id)),
                    ("availability_zone".to_string(), json!(subnet.availability_zone())),
                    ("cidr".to_string(), json!(subnet.cidr_block())),
                ]
                .into();
                found.owned.insert(addr, live(Kind::Subnet, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move { ec2.create_subnet(&read(target), call.ids).await.map(Made::id) })
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
        Box::pin(async move { ec2.delete_subnet(id).await.map(|()| Deleted::Gone) })
    }
}
