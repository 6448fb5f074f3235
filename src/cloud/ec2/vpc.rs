//! The VPC's cloud half: read by the topology's tag (one call per region);
//! made with its tags (found again by them after a lost answer), retagged
//! in place, deleted.

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

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move { ec2.create_vpc(&read(target)).await.map(Made::id) })
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
        Box::pin(async move { ec2.delete_vpc(id).await.map(|()| Deleted::Gone) })
    }
}
