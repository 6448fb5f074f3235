//! The access entry's cloud half: read from each owned cluster whose
//! authentication mode takes access entries (ListAccessEntries, then per
//! entry its tags and its policies, both at once: EKS has no batch read); made with an
//! idempotency token once the cluster is ACTIVE, then its policy
//! associated; its policy and tags changed in place; deleted.

use serde_json::{Value, json};

use aws_sdk_eks::types::{AccessEntry as Entry, AccessScope, AccessScopeType};

use super::{Eks, SERVICE, clash, made_or_ours, sdk_error, tag_map};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{live, owner};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::{absent, gone};
use crate::cloud::{CloudError, Found};
use crate::kinds::eks::access_entry::CLUSTER_ADMIN;
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct AccessEntry;

impl CloudKind for AccessEntry {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::EksCluster]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let earlier = call.found(&[Kind::EksCluster]).await?;
            let mut found = Found::default();
            for (cluster_addr, cluster) in earlier.owned(Kind::EksCluster) {
                // A CONFIG_MAP cluster has no access entries (EKS refuses to list them).
                let mode = cluster.fields.get("authentication_mode").and_then(Value::as_str);
                if matches!(mode, None | Some("CONFIG_MAP")) {
                    continue;
                }
                for principal in eks.access_entries(&cluster.id).await? {
                    // Both at once: the entry's tags say whose it is, and a
                    // plan's longest chain of reads runs through here.
                    let (entry, policies) = tokio::join!(
                        eks.access_entry(&cluster.id, &principal),
                        eks.access_policies(&cluster.id, &principal)
                    );
                    let Some(entry) = entry? else { continue };
                    let tags = tag_map(entry.tags());
                    let Some(addr) = owner(&tags, call.topology) else {
                        let named = ("principal_arn", principal.as_str());
                        let clash = clash(call, Kind::AccessEntry, named, cluster_addr, &tags);
                        found.unowned.extend(clash);
                        continue;
                    };
                    let policies = policies?;
                    // The admin policy where it is among them: others may add theirs.
                    let policy = policies.iter().find(|p| *p == CLUSTER_ADMIN).or(policies.first());
                    let fields = [
                        ("cluster".to_string(), json!(cluster_addr)),
                        ("principal_arn".to_string(), json!(principal)),
                        ("policy".to_string(), json!(policy)),
                        ("arn".to_string(), json!(entry.access_entry_arn())),
                    ]
                    .into();
                    let deps = vec![cluster_addr.clone()];
                    found.owned.insert(
                        addr,
                        live(Kind::AccessEntry, &principal, fields, tags, deps, None),
                    );
                }
            }
            Ok(found)
        })
    }

    /// Never twice: the create's token is the same for every retry of the
    /// run, and an entry an earlier run made is known by its tags.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let r = read(target);
            let cluster = call.id_of(&r, "cluster")?;
            let principal = r.str("principal_arn")?;
            // EKS takes entries only into an ACTIVE cluster (its mode may
            // still be changing).
            eks.cluster_active(cluster, call.wait()).await?;
            let create = eks
                .client
                .create_access_entry()
                .cluster_name(cluster)
                .principal_arn(principal)
                .set_tags(Some(r.tags()?.into_iter().collect()))
                .client_request_token(call.scope.token(&target.addr));
            let sent = create.send().await;
            made_or_ours(&call.scope, &target.addr, principal, sent, || async {
                Ok(tag_map(
                    eks.access_entry(cluster, principal).await?.as_ref().and_then(Entry::tags),
                ))
            })
            .await?;
            let associated = eks.associate(cluster, principal, r.str("policy")?).await;
            associated.map_err(|error| error.made(principal))?;
            Ok(Made::id(principal.to_string()))
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
            let r = read(target);
            let cluster = call.id_of(&r, "cluster")?;
            let policy = r.str("policy")?;
            let old = before.get("policy").and_then(Value::as_str);
            if old != Some(policy) {
                eks.associate(cluster, id, policy).await?;
                if let Some(old) = old {
                    let asked = eks.client.disassociate_access_policy().cluster_name(cluster);
                    let asked = asked.principal_arn(id).policy_arn(old).send().await;
                    gone(asked.map(|_| ()).map_err(sdk_error))?;
                }
            }
            eks.retag(&r, before).await.map(|()| Outputs::new())
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
            // An entry lives in its cluster: with no cluster, it is gone.
            let cluster = ResourceAddr::new(read(target).str("cluster")?);
            let Ok(cluster) = call.ids.id(&cluster) else { return Ok(Deleted::Gone) };
            let asked = eks.client.delete_access_entry().cluster_name(cluster).principal_arn(id);
            gone(asked.send().await.map(|_| ()).map_err(sdk_error)).map(|()| Deleted::Gone)
        })
    }
}

impl Eks {
    /// The principals with an access entry on `cluster`.
    async fn access_entries(&self, cluster: &str) -> Result<Vec<String>, CloudError> {
        all_pages(SERVICE, "ListAccessEntries", |token: Option<String>| async move {
            let page =
                self.client.list_access_entries().cluster_name(cluster).set_next_token(token);
            let page = page.send().await.map_err(sdk_error)?;
            Ok((page.access_entries().to_vec(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// The access entry of `principal` on `cluster`, if it is there.
    async fn access_entry(
        &self,
        cluster: &str,
        principal: &str,
    ) -> Result<Option<Entry>, CloudError> {
        let asked =
            self.client.describe_access_entry().cluster_name(cluster).principal_arn(principal);
        let answer = absent(asked.send().await.map_err(sdk_error))?;
        Ok(answer.and_then(|a| a.access_entry().cloned()))
    }

    /// The access policies associated with `principal`'s entry on `cluster`.
    async fn access_policies(
        &self,
        cluster: &str,
        principal: &str,
    ) -> Result<Vec<String>, CloudError> {
        all_pages(SERVICE, "ListAssociatedAccessPolicies", |token: Option<String>| async move {
            let page = self.client.list_associated_access_policies().cluster_name(cluster);
            let page = page.principal_arn(principal).set_next_token(token).send().await;
            let page = page.map_err(sdk_error)?;
            let policies = page.associated_access_policies().iter();
            let arns = policies.filter_map(|p| p.policy_arn().map(str::to_string)).collect();
            Ok((arns, page.next_token().map(str::to_string)))
        })
        .await
    }

    /// Associates `policy` with `principal`'s entry on the whole of `cluster`.
    async fn associate(
        &self,
        cluster: &str,
        principal: &str,
        policy: &str,
    ) -> Result<(), CloudError> {
        let scope = AccessScope::builder().r#type(AccessScopeType::Cluster).build();
        let asked = self.client.associate_access_policy().cluster_name(cluster);
        let asked = asked.principal_arn(principal).policy_arn(policy).access_scope(scope);
        asked.send().await.map(|_| ()).map_err(sdk_error)
    }
}
