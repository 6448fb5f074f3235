//! The health check's cloud half: made with an owned caller reference and
//! tagged, updated in place, deleted.

use super::Route53;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct HealthCheck;

impl CloudKind for HealthCheck {
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            route53.create_health_check(call.scope, &read(target)).await.map(Made::id)
        })
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
            route53.update_health_check(id, &read(target)).await.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.delete_health_check(id).await.map(|()| Deleted::Gone) })
    }
}
