//! The EKS cluster's cloud half: read from the region's clusters (after the
//! subnets, which it names by address); made with an idempotency token and
//! waited on until ACTIVE; upgraded and retagged in place; deleted and
//! waited on until gone.

use serde_json::json;

use super::{Eks, SERVICE, State, logs_of, sdk_error, tag_map, unowned};
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{live, owner, sorted};
use crate::cloud::paging::{all_pages, describe_each};
use crate::cloud::read::ReadCall;
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Cluster;

impl CloudKind for Cluster {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Subnet, Kind::KmsKey]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let names = all_pages(SERVICE, "ListClusters", |token: Option<String>| async {
                let page = eks.client.list_clusters().set_next_token(token).send().await;
                let page = page.map_err(sdk_error)?;
                Ok((page.clusters().to_vec(), page.next_token().map(str::to_string)))
            })
            .await?;
            let described = describe_each(names, |name| {
                let asked = eks.client.describe_cluster().name(&name).send();
                async move { Ok((name, asked.await.map_err(sdk_error)?)) }
            });
            let described = described.await?;
            let earlier = call.found(&[Kind::Subnet, Kind::KmsKey]).await?;
            let mut found = Found::default();
            for (name, response) in described {
                let Some(cluster) = response.cluster() else { continue };
                let tags = tag_map(cluster.tags());
                let Some(addr) = owner(&tags, call.topology) else {
                    if call.declared.iter().any(|d| d.name == name) {
                        found.unowned.push(unowned(Kind::EksCluster, name, &tags));
                    }
                    continue;
                };
                let config = cluster.resources_vpc_config();
                let access = cluster.access_config();
                let subnet_ids = config.map(|c| c.subnet_ids().to_vec()).unwrap_or_default();
                let deps: Vec<ResourceAddr> = subnet_ids
                    .iter()
                    .filter_map(|id| earlier.addr_of(Kind::Subnet, id).cloned())
                    .collect();
                let fields = [
                    ("name".to_string(), json!(name)),
                    ("version".to_string(), json!(cluster.version())),
                    ("role_arn".to_string(), json!(cluster.role_arn())),
                    ("logs".to_string(), logs_of(cluster)),
                    (
                        "endpoint_private".to_string(),
                        json!(config.is_some_and(|c| c.endpoint_private_access())),
                    ),
                    (
                        "endpoint_public".to_string(),
                        json!(config.is_some_and(|c| c.endpoint_public_access())),
                    ),
                    (
                        "public_access_cidrs".to_string(),
                        sorted(
                            config.map(|c| c.public_access_cidrs().to_vec()).unwrap_or_default(),
                        ),
                    ),
                    // EKS keeps a cluster made without a policy on extended support.
                    (
                        "support_type".to_string(),
                        json!(
                            cluster
                                .upgrade_policy()
                                .and_then(|p| p.support_type())
                                .map_or("EXTENDED", |s| s.as_str())
                        ),
                    ),
                    ("subnets".to_string(), earlier.references(Kind::Subnet, &subnet_ids)),
                    // EKS makes a cluster CONFIG_MAP, its creator an admin,
                    // unless asked otherwise.
                    (
                        "authentication_mode".to_string(),
                        json!(
                            access
                                .and_then(|a| a.authentication_mode())
                                .map_or("CONFIG_MAP", |m| m.as_str())
                        ),
                    ),
                    (
                        "bootstrap_creator_admin".to_string(),
                        json!(
                            access
                                .and_then(|a| a.bootstrap_cluster_creator_admin_permissions())
                                .unwrap_or(true)
                        ),
                    ),
                    // The key wway made by its address, another by its ARN.
                    ("secrets_key".to_string(), {
                        let configs = cluster.encryption_config().iter();
                        let mut arns = configs.filter_map(|c| c.provider()?.key_arn());
                        let arn = arns.next();
                        let ours = arn.and_then(|arn| earlier.addr_of(Kind::KmsKey, arn));
                        ours.map_or(json!(arn), |addr| json!(addr))
                    }),
                    // Not compared (the file does not declare it): for the executor.
                    ("arn".to_string(), json!(cluster.arn())),
                ]
                .into();
                let mut live = live(Kind::EksCluster, &name, fields, tags, deps, None);
                live.unhealthy = State::of_cluster(cluster).unhealthy();
                found.owned.insert(addr, live);
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let name = eks.create_cluster(call.scope, &read(target), call.ids).await?;
            eks.cluster_active(&name, call.wait()).await.map_err(|error| error.made(&name))?;
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
            let updated = eks.update_cluster(&read(target), before, call.ids, call.wait()).await;
            updated.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move { eks.delete_cluster(id, call.wait()).await.map(|()| Deleted::Gone) })
    }
}
