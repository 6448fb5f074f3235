//! The elastic IP's cloud half: read by the topology's tag (one call per
//! region: DescribeAddresses does not page); allocated in the VPC domain
//! with its tags (found again by them after a lost answer, never allocated
//! twice); retagged in place; released once its NAT gateway has let go.

use aws_sdk_ec2::types::{DomainType, ResourceType};

use super::{
    Ec2, adopted, delete_when_unused, made_by, owned_by, ownership_filter, sdk_error, sent_once,
    tag_specification,
};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::read::ReadCall;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct ElasticIp;

impl CloudKind for ElasticIp {
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let asked = ec2.client.describe_addresses().filters(ownership_filter(call.topology));
            let answer = asked.send().await.map_err(sdk_error)?;
            let mut found = Found::default();
            for (addr, id, tags, _) in owned_by(answer.addresses(), call.topology) {
                let made = live(Kind::ElasticIp, id, Fields::new(), tags, vec![], None);
                found.owned.insert(addr, made);
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's address is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let filters = made_by(&call.scope, &target.addr);
            let earlier = ec2.client.describe_addresses().set_filters(Some(filters)).send().await;
            let earlier = earlier.map_err(sdk_error)?;
            if let Some(id) = adopted(call, &target.addr, earlier.addresses()) {
                return Ok(Made::id(id));
            }
            let r = read(target);
            let tags = tag_specification(ResourceType::ElasticIp, &r)?;
            let allocate =
                ec2.client.allocate_address().domain(DomainType::Vpc).tag_specifications(tags);
            let made = allocate.customize().config_override(sent_once()).send().await;
            let made = made.map_err(sdk_error)?;
            Ok(Made::id(made.allocation_id().unwrap_or_default().to_string()))
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

    /// Released once nothing holds it: a NAT gateway being deleted keeps
    /// its address until it is gone.
    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let release = || async {
                let released = ec2.client.release_address().allocation_id(id).send().await;
                released.map(|_| ()).map_err(sdk_error)
            };
            delete_when_unused(call, &format!("elastic IP {id}"), release).await
        })
    }
}
