//! The VPC's cloud half: read by the topology's tag (one call per region);
//! made with its tags (found again by them after a lost answer), retagged
//! in place, deleted.

use serde_json::json;

use aws_sdk_ec2::types::ResourceType;

use super::{
    Ec2, SERVICE, adopted, delete_when_free, made_by, ownership_filter, sdk_error, sent_once,
    tag_map, tag_specification,
};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Tags, live, owner};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Vpc;

impl CloudKind for Vpc {
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let vpcs = all_pages(SERVICE, "DescribeVpcs", |token: Option<String>| async {
                let page = ec2.client.describe_vpcs().filters(ownership_filter(call.topology));
                let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                Ok((page.vpcs().to_vec(), page.next_token().map(str::to_string)))
            })
            .await?;
            let mut found = Found::default();
            for vpc in &vpcs {
                let tags = tag_map(vpc.tags());
                let (Some(addr), Some(id)) = (owner(&tags, call.topology), vpc.vpc_id()) else {
                    continue;
                };
                let fields = [("cidr".to_string(), json!(vpc.cidr_block()))].into();
                found.owned.insert(addr, live(Kind::Vpc, id, fields, tags, vec![], None));
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's VPC is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let lookup =
                ec2.client.describe_vpcs().set_filters(Some(made_by(&call.scope, &target.addr)));
            let earlier = lookup.send().await.map_err(sdk_error)?;
            let earlier: Vec<(String, Tags)> = earlier
                .vpcs()
                .iter()
                .map(|v| (v.vpc_id().unwrap_or_default().to_string(), tag_map(v.tags())))
                .collect();
            if let Some(id) = adopted(call, &target.addr, &earlier) {
                return Ok(Made::id(id));
            }
            let r = read(target);
            let create = ec2.client.create_vpc().cidr_block(r.str("cidr")?);
            let create = create.tag_specifications(tag_specification(ResourceType::Vpc, &r)?);
            let made = create.customize().config_override(sent_once()).send().await;
            let made = made.map_err(sdk_error)?;
            Ok(Made::id(made.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string()))
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
                let deleted = ec2.client.delete_vpc().vpc_id(id).send().await;
                deleted.map(|_| ()).map_err(sdk_error)
            };
            let nothing = || async { Ok(()) };
            delete_when_free(call, &format!("VPC {id}"), delete, nothing).await
        })
    }
}
