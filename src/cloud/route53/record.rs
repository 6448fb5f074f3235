//! The record set's cloud half: records change only in their zone's batch
//! (`Op::Records`, carried out by [`super::Route53::change_records`]); a
//! step that asks for one record alone is a bug in the plan's steps.

use crate::cloud::CloudError;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Record;

fn batched(target: &Target) -> CloudError {
    CloudError::Internal(format!("{}: records change in their zone's batch", target.addr))
}

impl CloudKind for Record {
    fn create<'a>(&'a self, _call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        Box::pin(async move { Err(batched(target)) })
    }

    fn update<'a>(
        &'a self,
        _call: &'a Call<'a>,
        target: &'a Target,
        _id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        Box::pin(async move { Err(batched(target)) })
    }

    fn delete<'a>(
        &'a self,
        _call: &'a Call<'a>,
        target: &'a Target,
        _id: &'a str,
    ) -> Answer<'a, Deleted> {
        Box::pin(async move { Err(batched(target)) })
    }
}
