//! The managed add-on's cloud half: read from each owned cluster
//! (ListAddons, then DescribeAddon per add-on: EKS has no batch read), with
//! whether its version runs on the cluster's Kubernetes version by EKS's
//! catalog (DescribeAddonVersions, asked once per Kubernetes version and
//! region in a run, and shared with the plan's preflight); made with an
//! idempotency token once the cluster is ACTIVE and waited on until ACTIVE;
//! moved to a new version through an update followed by its id; retagged;
//! deleted and waited on until gone.

use aws_sdk_eks::types::{Addon as Live, ResolveConflicts};
use serde_json::{Value, json};

use super::{Eks, SERVICE, State, UpdateOf, clash, made_or_ours, sdk_error, tag_map};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{live, owner};
use crate::cloud::paging::{all_pages, describe_each};
use crate::cloud::read::{ReadCall, patiently};
use crate::cloud::wait::{Poll, Wait, absent, gone, until};
use crate::cloud::{Clients, CloudError, Found};
use crate::kinds::{AddonCatalog, Fields, Kind, OfferedAddon, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Addon;

/// EKS's issue code for an add-on whose pods have no node to run on.
const WANTS_NODES: &str = "InsufficientNumberOfReplicas";

impl CloudKind for Addon {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::EksCluster]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let earlier = call.found(&[Kind::EksCluster]).await?;
            let mut found = Found::default();
            for (cluster_addr, cluster) in earlier.owned(Kind::EksCluster) {
                let kubernetes = cluster.fields.get("version").and_then(Value::as_str);
                let kubernetes = kubernetes.unwrap_or_default().to_string();
                let addons = eks.addons(&cluster.id).await?;
                if addons.is_empty() {
                    continue;
                }
                let catalog = catalog(&call.clients, &kubernetes).await?;
                for addon in addons {
                    let name = addon.addon_name().unwrap_or_default().to_string();
                    let tags = tag_map(addon.tags());
                    let Some(addr) = owner(&tags, call.topology) else {
                        let clash =
                            clash(call, Kind::EksAddon, ("name", &name), cluster_addr, &tags);
                        found.unowned.extend(clash);
                        continue;
                    };
                    let version = addon.addon_version().unwrap_or_default();
                    let runs =
                        catalog.get(&name).is_some_and(|o| o.versions.iter().any(|v| v == version));
                    let fields = [
                        ("cluster".to_string(), json!(cluster_addr)),
                        ("name".to_string(), json!(name)),
                        ("version".to_string(), json!(version)),
                        ("kubernetes_version".to_string(), json!(runs.then_some(&kubernetes))),
                        ("arn".to_string(), json!(addon.addon_arn())),
                    ]
                    .into();
                    let deps = vec![cluster_addr.clone()];
                    let mut live = live(Kind::EksAddon, &name, fields, tags, deps, None);
                    live.unhealthy = State::of_addon(&addon).unhealthy();
                    found.owned.insert(addr, live);
                }
            }
            Ok(found)
        })
    }

    /// Never twice: the create's token is the same for every retry of the
    /// run, and an add-on an earlier run made is known by its tags. A
    /// failed add-on is journaled as made, so that a rollback removes it.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let eks = Eks::new(call.clients.eks.clone());
        Box::pin(async move {
            let r = read(target);
            let cluster = call.id_of(&r, "cluster")?;
            let name = r.str("name")?;
            eks.cluster_active(cluster, call.wait()).await?;
            let create = eks
                .client
                .create_addon()
                .cluster_name(cluster)
                .addon_name(name)
                .set_addon_version(r.get("version").and_then(Value::as_str).map(str::to_string))
                .resolve_conflicts(ResolveConflicts::from(r.str("conflicts")?))
                .set_tags(Some(r.tags()?.into_iter().collect()))
                .client_request_token(call.scope.token(&target.addr));
            let sent = create.send().await;
            made_or_ours(&call.scope, &target.addr, name, sent, || async {
                Ok(tag_map(eks.addon(cluster, name).await?.as_ref().and_then(Live::tags)))
            })
            .await?;
            let ready = eks.addon_active(cluster, name, call.wait()).await;
            ready.map_err(|error| resolvable(error).made(name))?;
            Ok(Made::id(name.to_string()))
        })
    }

    /// A new version, the file's or EKS's default for the Kubernetes
    /// version, through an update followed to its end; then the tags.
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
            let changed = |f: &str| r.changed(before, f);
            if changed("version") || changed("kubernetes_version") {
                let version = match r.get("version").and_then(Value::as_str) {
                    Some(pinned) => pinned.to_string(),
                    None => {
                        default_version(&call.clients, id, r.str("kubernetes_version")?).await?
                    }
                };
                let asked = eks.client.update_addon().cluster_name(cluster).addon_name(id);
                let asked = asked
                    .addon_version(version)
                    .resolve_conflicts(ResolveConflicts::from(r.str("conflicts")?))
                    .client_request_token(call.scope.token(&target.addr));
                let response = asked.send().await.map_err(sdk_error)?;
                let update = response.update().and_then(|u| u.id());
                let done = eks.update_done(cluster, UpdateOf::Addon(id), update, call.wait()).await;
                done.map_err(resolvable)?;
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
            // An add-on lives in its cluster: with no cluster, it is gone.
            let cluster = ResourceAddr::new(read(target).str("cluster")?);
            let Ok(cluster) = call.ids.id(&cluster) else { return Ok(Deleted::Gone) };
            eks.delete_addon(cluster, id, call.wait()).await.map(|()| Deleted::Gone)
        })
    }
}

/// A conflict EKS would not resolve, with what the file can say about it.
fn resolvable(error: CloudError) -> CloudError {
    match error {
        CloudError::Failed { what, reason } if reason.contains("ConfigurationConflict") => {
            let reason = format!(
                "{reason} (someone changed the add-on's values on the cluster: set `conflicts: \
                 overwrite` on the add-on to let EKS replace them, or `preserve` to keep them \
                 through updates)"
            );
            CloudError::Failed { what, reason }
        }
        other => other,
    }
}

/// The add-ons EKS offers for `kubernetes` in the region of `clients`,
/// asked once per run (the preflight and the read share it).
pub(crate) async fn catalog(
    clients: &Clients,
    kubernetes: &str,
) -> Result<AddonCatalog, CloudError> {
    let mut catalogs = clients.addon_catalogs.lock().await;
    if let Some(catalog) = catalogs.get(kubernetes) {
        return Ok(catalog.clone());
    }
    let eks = Eks::new(clients.eks.clone());
    let catalog = patiently(|| eks.addon_versions(kubernetes)).await?;
    catalogs.insert(kubernetes.to_string(), catalog.clone());
    Ok(catalog)
}

/// The version EKS installs of `addon` on `kubernetes`.
async fn default_version(
    clients: &Clients,
    addon: &str,
    kubernetes: &str,
) -> Result<String, CloudError> {
    let catalog = catalog(clients, kubernetes).await?;
    let offered = catalog.get(addon).and_then(|o| o.default.clone());
    offered.ok_or_else(|| CloudError::Failed {
        what: format!("add-on {addon}"),
        reason: format!("has no default version for Kubernetes {kubernetes}"),
    })
}

impl Eks {
    /// The add-ons of `cluster`, described.
    async fn addons(&self, cluster: &str) -> Result<Vec<Live>, CloudError> {
        let names = all_pages(SERVICE, "ListAddons", |token: Option<String>| async move {
            let page = self.client.list_addons().cluster_name(cluster).set_next_token(token);
            let page = page.send().await.map_err(sdk_error)?;
            Ok((page.addons().to_vec(), page.next_token().map(str::to_string)))
        })
        .await?;
        let described =
            describe_each(names, |name| async move { self.addon(cluster, &name).await });
        Ok(described.await?.into_iter().flatten().collect())
    }

    /// The add-on `name` of `cluster`, if it is there.
    async fn addon(&self, cluster: &str, name: &str) -> Result<Option<Live>, CloudError> {
        let asked = self.client.describe_addon().cluster_name(cluster).addon_name(name);
        let answer = absent(asked.send().await.map_err(sdk_error))?;
        Ok(answer.and_then(|a| a.addon().cloned()))
    }

    /// Every add-on EKS offers for `kubernetes`: the versions that run on
    /// it, newest first, and the default.
    async fn addon_versions(&self, kubernetes: &str) -> Result<AddonCatalog, CloudError> {
        let pages = all_pages(SERVICE, "DescribeAddonVersions", |token: Option<String>| {
            let asked = self.client.describe_addon_versions().kubernetes_version(kubernetes);
            let asked = asked.max_results(100).set_next_token(token).send();
            async move {
                let page = asked.await.map_err(sdk_error)?;
                Ok((page.addons().to_vec(), page.next_token().map(str::to_string)))
            }
        })
        .await?;
        let mut catalog = AddonCatalog::new();
        for addon in pages {
            let mut offered = OfferedAddon::default();
            for version in addon.addon_versions() {
                let Some(name) = version.addon_version() else { continue };
                let on = version
                    .compatibilities()
                    .iter()
                    .filter(|c| c.cluster_version() == Some(kubernetes));
                let on: Vec<_> = on.collect();
                if on.is_empty() {
                    continue;
                }
                if on.iter().any(|c| c.default_version()) {
                    offered.default = Some(name.to_string());
                }
                offered.versions.push(name.to_string());
            }
            if let Some(name) = addon.addon_name() {
                catalog.insert(name.to_string(), offered);
            }
        }
        Ok(catalog)
    }

    /// Waits until an add-on is ACTIVE, or, on a cluster without node
    /// groups, DEGRADED for want of nodes to run its pods on (coredns): it
    /// is made, and heals once nodes join; plan and drift show it degraded.
    async fn addon_active(
        &self,
        cluster: &str,
        name: &str,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let what = format!("add-on {name}");
        until(&what, wait.limit(super::ADDON), wait.progress, || async {
            let state = self.addon_state(cluster, name).await?;
            let no_room =
                !state.issues.is_empty() && state.issues.iter().all(|i| i.starts_with(WANTS_NODES));
            if state.status == "DEGRADED" && no_room && self.node_groups(cluster).await?.is_empty()
            {
                return Ok(Poll::Done);
            }
            State::active(Ok(state))
        })
        .await
    }

    /// Deletes an add-on and waits until it is gone.
    async fn delete_addon(
        &self,
        cluster: &str,
        name: &str,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let asked = self.client.delete_addon().cluster_name(cluster).addon_name(name).send().await;
        gone(asked.map(|_| ()).map_err(sdk_error))?;
        let what = format!("add-on {name}");
        let state = || self.addon_state(cluster, name);
        super::until_state(&what, wait.limit(super::ADDON), wait.progress, state, State::gone).await
    }

    /// An add-on's state, as DescribeAddon gives it.
    async fn addon_state(&self, cluster: &str, name: &str) -> Result<State, CloudError> {
        let asked = self.client.describe_addon().cluster_name(cluster).addon_name(name);
        let response = asked.send().await.map_err(sdk_error)?;
        Ok(response.addon().map(State::of_addon).unwrap_or_default())
    }
}
