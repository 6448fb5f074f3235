//! The subnet's cloud half: made in its VPC and zone with its tags (found
//! again by them after a lost answer), retagged in place, deleted.

use super::Ec2;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Subnet;

impl CloudKind for Subnet {
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
