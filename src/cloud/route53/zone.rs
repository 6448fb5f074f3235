//! The hosted zone's cloud half: made with an owned caller reference (so a
//! zone made but never tagged is still known as the topology's), retagged in
//! place, deleted.

use aws_sdk_route53::types::TagResourceType;

use super::Route53;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Zone;

impl CloudKind for Zone {
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.create_zone(call.scope, &read(target)).await.map(Made::id) })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            let tagged = route53.tag(TagResourceType::Hostedzone, id, &read(target)).await;
            tagged.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.delete_zone(id).await.map(|()| Deleted::Gone) })
    }
}
