//! The node group's cloud half: read from each owned cluster's groups;
//! made with an idempotency token and waited on until ACTIVE; scaled,
//! relabelled and retagged in place; deleted and waited on until gone.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Eks, State, tag_map, unowned};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{live, owner, sorted};
use crate::cloud::read::ReadCall;
use crate::kinds::eks::node_group::replacement_name;
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct NodeGroup;

impl CloudKind for NodeGroup {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::EksCluster, Kind::Subnet]
    }

    /// The groups of every cluster the topology owns in the region.
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let earlier = call.found(&[Kind::EksCluster, Kind::Subnet]).await?;
            let mut found = Found::default();
            for (cluster_addr, cluster) in earlier.owned(Kind::EksCluster) {
                let groups = eks.groups(&cluster.id).await?;
                for group in groups {
                    let name = group.nodegroup_name().unwrap_or_default().to_string();
                    let tags = tag_map(group.tags());
                    let Some(addr) = owner(&tags, call.topology) else {
                        let in_cluster = json!(cluster.id);
                        let wanted = call.declared.iter().any(|d| {
                            d.name == name && d.fields.get("cluster") == Some(&in_cluster)
                        });
                        if wanted {
                            found.unowned.push(unowned(Kind::NodeGroup, name, &tags));
                        }
                        continue;
                    };
                    let scaling = group.scaling_config();
                    let labels: BTreeMap<&String, &String> =
                        group.labels().into_iter().flatten().collect();
                    let fields = [
                        ("cluster".to_string(), json!(cluster.id)),
                        ("name".to_string(), json!(name)),
                        ("instance_types".to_string(), sorted(group.instance_types().to_vec())),
                        (
                            "capacity_type".to_string(),
                            json!(group.capacity_type().map(|c| c.as_str())),
                        ),
                        ("min_size".to_string(), json!(scaling.and_then(|s| s.min_size()))),
                        ("desired_size".to_string(), json!(scaling.and_then(|s| s.desired_size()))),
                        ("max_size".to_string(), json!(scaling.and_then(|s| s.max_size()))),
                        ("labels".to_string(), json!(labels)),
                        ("node_role_arn".to_string(), json!(group.node_role())),
                        ("subnets".to_string(), earlier.references(Kind::Subnet, group.subnets())),
                        ("version".to_string(), json!(group.version())),
                        (
                            "max_unavailable".to_string(),
                            json!(group.update_config().and_then(|u| u.max_unavailable())),
                        ),
                        (
                            "max_unavailable_percentage".to_string(),
                            json!(
                                group.update_config().and_then(|u| u.max_unavailable_percentage())
                            ),
                        ),
                        ("arn".to_string(), json!(group.nodegroup_arn())),
                    ]
                    .into();
                    let deps: Vec<ResourceAddr> = vec![cluster_addr.clone()];
                    let mut live = live(Kind::NodeGroup, &name, fields, tags, deps, None);
                    live.unhealthy = State::of_group(&group).unhealthy();
                    found.owned.insert(addr, live);
                }
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let r = read(target);
            let declared = r.str("name")?;
            let name = match call.replaces {
                None => declared.to_string(),
                Some(_) => replacement_name(declared, &call.scope.token(&target.addr)),
            };
            // EKS takes node groups only into an ACTIVE cluster; the cluster
            // may still be CREATING when a run that was stopped is resumed.
            let cluster = r.str("cluster")?;
            eks.cluster_active(cluster, call.wait()).await?;
            let name = eks.create_node_group(call.scope, &r, &name, call.ids).await?;
            let ready = eks.node_group_active(cluster, &name, call.wait()).await;
            ready.map_err(|error| error.made(&name))?;
            Ok(Made::id(name))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let updated = eks.update_node_group(id, &read(target), before, call.wait()).await;
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
            eks.delete_node_group(&cluster, id, call.wait()).await.map(|()| Deleted::Gone)
        })
    }
}
