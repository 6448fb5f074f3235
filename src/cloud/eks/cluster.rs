//! The EKS cluster's cloud half: made with an idempotency token and waited
//! on until ACTIVE; upgraded and retagged in place; deleted and waited on
//! until gone.

use super::Eks;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Cluster;

impl CloudKind for Cluster {
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let name = eks.create_cluster(call.scope, &read(target), call.ids).await?;
            eks.cluster_active(&name, call.progress).await?;
            Ok(Made::id(name))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        _id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            eks.update_cluster(&read(target), before, call.progress).await.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move { eks.delete_cluster(id, call.progress).await.map(|()| Deleted::Gone) })
    }
}
