//! The distribution's cloud half: made with an idempotency token (its
//! caller reference) and its tags, waited on until Deployed; updated with
//! the ETag it was read with; disabled, waited on and deleted. Once made it
//! gives its domain name, which alias records point at.

use super::CloudFront;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::kinds::cloudfront::distribution::DOMAIN_NAME;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Distribution;

impl CloudKind for Distribution {
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let r = read(target);
            let (id, domain) = cloudfront.create_distribution(call.scope, &r, call.ids).await?;
            cloudfront.deployed(&id, call.progress).await?;
            Ok(Made { id, outputs: [(DOMAIN_NAME.to_string(), domain)].into() })
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let r = read(target);
            let updated =
                cloudfront.update_distribution(id, &r, call.ids, before, call.progress).await;
            updated.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let cloudfront =
            CloudFront::new(call.clients.cloudfront.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            cloudfront.delete_distribution(id, call.progress).await.map(|()| Deleted::Gone)
        })
    }
}
