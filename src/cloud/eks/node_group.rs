//! The node group's cloud half: made with an idempotency token and waited
//! on until ACTIVE; scaled, relabelled and retagged in place; deleted and
//! waited on until gone.

use super::Eks;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::kinds::Fields;
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct NodeGroup;

impl CloudKind for NodeGroup {
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let r = read(target);
            let name = eks.create_node_group(call.scope, &r, call.ids).await?;
            eks.node_group_active(r.str("cluster")?, &name, call.progress).await?;
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
            let updated = eks.update_node_group(&read(target), before, call.progress).await;
            updated.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let cluster = read(target).str("cluster")?.to_string();
            eks.delete_node_group(&cluster, id, call.progress).await.map(|()| Deleted::Gone)
        })
    }
}
