//! EKS for one region: the calls its kinds (the cluster, its access entries
//! and its node groups) make, and the waits on their states. EKS has no
//! batch describe: a read is one ListClusters, one DescribeCluster per
//! cluster in the region, and per owned cluster one ListNodegroups and one
//! DescribeNodegroup per group, one ListAccessEntries and, per entry, one
//! DescribeAccessEntry and one ListAssociatedAccessPolicies; one
//! ListAddons and one DescribeAddon per add-on, and one
//! DescribeAddonVersions per Kubernetes version (shared with the preflight).

pub mod access_entry;
pub mod addon;
pub mod cluster;
pub mod node_group;

use std::collections::HashMap;

use aws_sdk_eks::Client;
use aws_sdk_eks::operation::update_cluster_config::builders::UpdateClusterConfigFluentBuilder;
use aws_sdk_eks::types::{
    AuthenticationMode, CapacityTypes, Cluster, CreateAccessConfigRequest, EncryptionConfig,
    LogSetup, LogType, Logging, Nodegroup, NodegroupScalingConfig, NodegroupUpdateConfig, Provider,
    SupportType, UpdateAccessConfigRequest, UpdateLabelsPayload, UpgradePolicyRequest,
    VpcConfigRequest,
};
use std::time::Duration;

use serde_json::Value;

use crate::cloud::fields::Read;
use crate::cloud::owned::{Mark, Tags, adopt, holder, sorted};
use crate::cloud::paging::{all_pages, describe_each};
use crate::cloud::wait::{Poll, Progress, Wait, gone, until};
use crate::cloud::{CloudError, Ids, RunScope};
use crate::state::live::{Health, Unhealthy, Unowned};
use crate::state::{Fields, Kind};
use crate::topology::model::LOG_TYPES;

const SERVICE: &str = "eks";

crate::cloud::error::sdk_errors!(SERVICE);

fn tag_map(tags: Option<&HashMap<String, String>>) -> Tags {
    tags.map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// Someone else's cluster or node group under a name the topology declares.
fn unowned(kind: Kind, name: String, tags: &Tags) -> Unowned {
    Unowned { kind, name: name.clone(), id: name, holder: holder(tags), wanted_by: None }
}

/// Someone else's resource of `kind` (with `tags`) in the cluster at
/// `cluster`, when the topology declares one there whose `field` holds the
/// same value: a clash.
fn clash(
    call: &crate::cloud::read::ReadCall<'_>,
    kind: Kind,
    (field, value): (&str, &str),
    cluster: &crate::state::ResourceAddr,
    tags: &Tags,
) -> Option<Unowned> {
    let (named, in_cluster) = (serde_json::json!(value), serde_json::json!(cluster));
    let wanted = call.declared.iter().any(|d| {
        d.fields.get(field) == Some(&named) && d.fields.get("cluster") == Some(&in_cluster)
    });
    wanted.then(|| unowned(kind, value.to_string(), tags))
}

pub struct Eks {
    client: Client,
}

/// How long EKS may take, as terraform-provider-aws allows: a cluster is
/// made in about 10 minutes (users see 21), upgraded in 20 to 45, a node
/// group made or replaced in about 5 to 15.
const CLUSTER_CREATE: Duration = Duration::from_secs(30 * 60);
const CLUSTER_DELETE: Duration = Duration::from_secs(15 * 60);
const UPDATE: Duration = Duration::from_secs(60 * 60);
const NODE_GROUP: Duration = Duration::from_secs(60 * 60);
/// An add-on is made, updated or deleted in minutes (the provider allows 20).
const ADDON: Duration = Duration::from_secs(20 * 60);

/// States from which EKS does not reach ACTIVE by itself.
const FAILED: &[&str] = &["CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "FAILED", "DEGRADED"];

/// A cluster's or node group's state as EKS describes it: its status and
/// the issues its health names ("CODE: message").
#[derive(Default)]
struct State {
    status: String,
    issues: Vec<String>,
}

fn issue(code: Option<&str>, message: Option<&str>) -> String {
    format!("{}: {}", code.unwrap_or("Unknown"), message.unwrap_or_default())
}

impl State {
    fn of(status: Option<&str>, issues: impl Iterator<Item = String>) -> State {
        State { status: status.unwrap_or_default().to_string(), issues: issues.collect() }
    }

    fn of_cluster(cluster: &Cluster) -> State {
        let issues = cluster.health().map(|h| h.issues()).unwrap_or_default();
        let issues = issues.iter().map(|i| issue(i.code().map(|c| c.as_str()), i.message()));
        State::of(cluster.status().map(|s| s.as_str()), issues)
    }

    fn of_group(group: &Nodegroup) -> State {
        let issues = group.health().map(|h| h.issues()).unwrap_or_default();
        let issues = issues.iter().map(|i| issue(i.code().map(|c| c.as_str()), i.message()));
        State::of(group.status().map(|s| s.as_str()), issues)
    }

    fn of_addon(addon: &aws_sdk_eks::types::Addon) -> State {
        let issues = addon.health().map(|h| h.issues()).unwrap_or_default();
        let issues = issues.iter().map(|i| issue(i.code().map(|c| c.as_str()), i.message()));
        State::of(addon.status().map(|s| s.as_str()), issues)
    }

    /// What EKS says of a resource a read found, when it is not well: a
    /// DEGRADED group still runs and may heal, any other failure is for good.
    fn unhealthy(&self) -> Option<Unhealthy> {
        let health = match self.status.as_str() {
            "DEGRADED" => Health::Degraded,
            _ => Health::Failed,
        };
        self.failed().map(|reason| Unhealthy { health, reason })
    }

    /// The state and AWS's reasons, when EKS says it failed.
    fn failed(&self) -> Option<String> {
        FAILED.contains(&self.status.as_str()).then(|| match self.issues.is_empty() {
            true => self.status.clone(),
            false => format!("{}: {}", self.status, self.issues.join("; ")),
        })
    }

    /// A poll that waits for ACTIVE and ends at a failure.
    fn active(read: Result<State, CloudError>) -> Result<Poll, CloudError> {
        let state = read?;
        Ok(match state.failed() {
            _ if state.status == "ACTIVE" => Poll::Done,
            Some(reason) => Poll::Failed(reason),
            None => Poll::Waiting(state.status),
        })
    }

    /// A poll that waits for the resource to be not found, and ends at a
    /// failed delete.
    fn gone(read: Result<State, CloudError>) -> Result<Poll, CloudError> {
        match read {
            Ok(state) => Ok(state.failed().map_or(Poll::Waiting(state.status), Poll::Failed)),
            Err(error) => gone(Err(error)).map(|()| Poll::Done),
        }
    }
}

/// A create's answer, where EKS says the name is taken: the taken one is
/// this run's (an earlier attempt's answer was lost) when its tags, as
/// `tags` reads them, say so; anyone else's is the create's error.
async fn made_or_ours<T, E, Fut>(
    scope: &RunScope<'_>,
    addr: &crate::state::ResourceAddr,
    name: &str,
    sent: Result<
        T,
        aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        >,
    >,
    tags: impl FnOnce() -> Fut,
) -> Result<(), CloudError>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    Fut: std::future::Future<Output = Result<Tags, CloudError>>,
{
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    match sent {
        Err(error)
            if error.as_service_error().and_then(ProvideErrorMetadata::code)
                == Some("ResourceInUseException") =>
        {
            let tags = tags().await?;
            let ours = adopt(scope, addr, [(name, Mark::Tags(&tags))]);
            ours.map(|_| ()).ok_or_else(|| sdk_error(error))
        }
        other => other.map(|_| ()).map_err(sdk_error),
    }
}

/// What an update is of: the cluster itself, or one of its node groups
/// or add-ons (by name).
#[derive(Clone, Copy)]
enum UpdateOf<'a> {
    Cluster,
    NodeGroup(&'a str),
    Addon(&'a str),
}

/// Polls `state` until `poll` (`State::active` or `State::gone`) says done.
async fn until_state<F, Fut>(
    what: &str,
    timeout: Duration,
    progress: Progress<'_>,
    state: F,
    poll: fn(Result<State, CloudError>) -> Result<Poll, CloudError>,
) -> Result<(), CloudError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<State, CloudError>>,
{
    until(what, timeout, progress, || async { poll(state().await) }).await
}

impl Eks {
    pub fn new(client: Client) -> Self {
        Eks { client }
    }

    /// The Kubernetes versions EKS offers in the region (standard and
    /// extended support), oldest first.
    pub async fn offered_versions(&self) -> Result<Vec<String>, CloudError> {
        let mut versions =
            all_pages(SERVICE, "DescribeClusterVersions", |token: Option<String>| {
                let asked = self.client.describe_cluster_versions().set_next_token(token).send();
                async move {
                    let page = asked.await.map_err(sdk_error)?;
                    let versions = page.cluster_versions().iter();
                    let versions = versions.filter_map(|v| v.cluster_version().map(str::to_string));
                    Ok((versions.collect::<Vec<_>>(), page.next_token().map(str::to_string)))
                }
            })
            .await?;
        versions.sort_by_key(|v| {
            v.split('.').map(|n| n.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>()
        });
        Ok(versions)
    }

    /// Waits until a cluster is ACTIVE (EKS takes 10 to 15 minutes).
    pub async fn cluster_active(&self, name: &str, wait: Wait<'_>) -> Result<(), CloudError> {
        let what = format!("cluster {name}");
        let state = || self.cluster_state(name);
        until_state(&what, wait.limit(CLUSTER_CREATE), wait.progress, state, State::active).await
    }

    /// Waits until a node group is ACTIVE.
    pub async fn node_group_active(
        &self,
        cluster: &str,
        name: &str,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let what = format!("node group {name}");
        let state = || self.node_group_state(cluster, name);
        until_state(&what, wait.limit(NODE_GROUP), wait.progress, state, State::active).await
    }

    /// Follows an update (a version upgrade, a node group's new settings) by
    /// its id until it is Successful; Failed or Cancelled end the wait with
    /// the errors AWS gives.
    async fn update_done(
        &self,
        cluster: &str,
        of: UpdateOf<'_>,
        id: Option<&str>,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let id =
            id.ok_or_else(|| CloudError::Internal("EKS answered an update without id".into()))?;
        let (group, addon) = match of {
            UpdateOf::Cluster => (None, None),
            UpdateOf::NodeGroup(name) => (Some(name), None),
            UpdateOf::Addon(name) => (None, Some(name)),
        };
        let what = format!("update {id} of {}", group.or(addon).unwrap_or(cluster));
        until(&what, wait.limit(UPDATE), wait.progress, || async {
            let describe = self.client.describe_update().name(cluster).update_id(id);
            let describe = describe.set_addon_name(addon.map(str::to_string));
            let response = describe.set_nodegroup_name(group.map(str::to_string)).send().await;
            let response = response.map_err(sdk_error)?;
            let update = response.update();
            let errors: Vec<String> = update
                .map(|u| u.errors())
                .unwrap_or_default()
                .iter()
                .map(|e| issue(e.error_code().map(|c| c.as_str()), e.error_message()))
                .collect();
            Ok(match update.and_then(|u| u.status()).map(|s| s.as_str()).unwrap_or_default() {
                "Successful" => Poll::Done,
                status @ ("Failed" | "Cancelled") => {
                    Poll::Failed(format!("{status}: {}", errors.join("; ")))
                }
                status => Poll::Waiting(status.to_string()),
            })
        })
        .await
    }

    /// A version upgrade and the tags; subnets and role are replacements.
    pub async fn update_cluster(
        &self,
        r: &Read<'_>,
        before: &Fields,
        ids: &Ids,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let name = r.str("name")?;
        let version = r.str("version")?;
        if before.get("version").and_then(Value::as_str) != Some(version) {
            let upgrade = self.client.update_cluster_version().name(name).version(version);
            let response = upgrade.send().await.map_err(sdk_error)?;
            let id = response.update().and_then(|u| u.id());
            self.update_done(name, UpdateOf::Cluster, id, wait).await?;
        }
        // EKS takes one update of a cluster at a time: each configuration
        // that changed after the version, one after another.
        let changed = |fields: &[&str]| fields.iter().any(|f| r.changed(before, f));
        if changed(&["authentication_mode"]) {
            let mode = authentication_mode(r)?;
            let access = UpdateAccessConfigRequest::builder().authentication_mode(mode).build();
            self.configure(name, |change| change.access_config(access), wait).await?;
        }
        if changed(&["logs"]) {
            let logs = logging(&r.strings("logs")?);
            self.configure(name, |change| change.logging(logs), wait).await?;
        }
        if changed(&["endpoint_private", "endpoint_public", "public_access_cidrs"]) {
            let access = endpoint(r)?.build();
            self.configure(name, |change| change.resources_vpc_config(access), wait).await?;
        }
        if changed(&["support_type"]) {
            let policy = upgrade_policy(r)?;
            self.configure(name, |change| change.upgrade_policy(policy), wait).await?;
        }
        // Turned on once (the plan refuses a change of key).
        if let Some(config) = encryption(r, ids)?.filter(|_| changed(&["secrets_key"])) {
            let asked = self.client.associate_encryption_config().cluster_name(name);
            let asked = asked.encryption_config(config).send().await.map_err(sdk_error)?;
            let id = asked.update().and_then(|u| u.id());
            self.update_done(name, UpdateOf::Cluster, id, wait).await?;
        }
        self.retag(r, before).await
    }

    /// One UpdateClusterConfig of cluster `name`, as `change` fills it in,
    /// followed by its update id to its end.
    async fn configure(
        &self,
        name: &str,
        change: impl FnOnce(UpdateClusterConfigFluentBuilder) -> UpdateClusterConfigFluentBuilder,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let asked = change(self.client.update_cluster_config().name(name));
        let response = asked.send().await.map_err(sdk_error)?;
        self.update_done(name, UpdateOf::Cluster, response.update().and_then(|u| u.id()), wait)
            .await
    }

    /// Sets the desired tags where they differ from what the resource has.
    pub(super) async fn retag(&self, r: &Read<'_>, before: &Fields) -> Result<(), CloudError> {
        let wanted = r.tags()?;
        let has = before.get("tags").and_then(Value::as_object);
        let same = has.is_some_and(|has| {
            wanted.iter().all(|(k, v)| has.get(k).and_then(Value::as_str) == Some(v))
        });
        match before.get("arn").and_then(Value::as_str) {
            Some(arn) if !same => {
                let tags = wanted.into_iter().collect();
                self.client
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Scaling and labels in place. The desired size stays what the
    /// autoscaler made it, moved into the new [min, max] if it falls outside.
    /// `name`: the group's name in AWS.
    pub async fn update_node_group(
        &self,
        name: &str,
        r: &Read<'_>,
        before: &Fields,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let cluster = r.str("cluster")?;
        // EKS takes one update of a group at a time: its version (after the
        // cluster's, which the plan orders first), then its configuration.
        let version = r.str("version")?;
        if before.get("version").and_then(Value::as_str) != Some(version) {
            let upgrade = self.client.update_nodegroup_version().cluster_name(cluster);
            let upgrade = upgrade.nodegroup_name(name).version(version).send().await;
            let response = upgrade.map_err(sdk_error)?;
            let id = response.update().and_then(|u| u.id());
            self.update_done(cluster, UpdateOf::NodeGroup(name), id, wait).await?;
        }
        let changed = |fields: &[&str]| fields.iter().any(|f| r.changed(before, f));
        let configured = [
            "min_size",
            "max_size",
            "desired_size",
            "labels",
            "max_unavailable",
            "max_unavailable_percentage",
        ];
        if changed(&configured) {
            self.configure_node_group(cluster, name, r, before, wait).await?;
        }
        self.retag(r, before).await
    }

    /// Scaling, labels and the update configuration of group `name`, in one
    /// UpdateNodegroupConfig followed to its end.
    async fn configure_node_group(
        &self,
        cluster: &str,
        name: &str,
        r: &Read<'_>,
        before: &Fields,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let (min, max) = (r.int32("min_size")?, r.int32("max_size")?);
        let current = before
            .get("desired_size")
            .and_then(Value::as_i64)
            .map_or(r.int32("desired_size")?, |d| d as i32);
        let scaling = NodegroupScalingConfig::builder()
            .min_size(min)
            .max_size(max)
            .desired_size(current.clamp(min, max))
            .build();
        let wanted = r.map("labels")?;
        let had: Vec<String> = before
            .get("labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect();
        let labels = UpdateLabelsPayload::builder()
            .set_add_or_update_labels(Some(wanted.clone().into_iter().collect()))
            .set_remove_labels(Some(had.into_iter().filter(|k| !wanted.contains_key(k)).collect()))
            .build();
        let response = self
            .client
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .scaling_config(scaling)
            .labels(labels)
            .update_config(update_config(r))
            .send()
            .await
            .map_err(sdk_error)?;
        let id = response.update().and_then(|u| u.id());
        self.update_done(cluster, UpdateOf::NodeGroup(name), id, wait).await
    }

    /// Deletes a cluster and waits until it is gone.
    pub async fn delete_cluster(&self, name: &str, wait: Wait<'_>) -> Result<(), CloudError> {
        gone(self.client.delete_cluster().name(name).send().await.map(|_| ()).map_err(sdk_error))?;
        let what = format!("cluster {name}");
        let state = || self.cluster_state(name);
        until_state(&what, wait.limit(CLUSTER_DELETE), wait.progress, state, State::gone).await
    }

    /// Deletes a node group and waits until it is gone.
    pub async fn delete_node_group(
        &self,
        cluster: &str,
        name: &str,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let deleted =
            self.client.delete_nodegroup().cluster_name(cluster).nodegroup_name(name).send().await;
        gone(deleted.map(|_| ()).map_err(sdk_error))?;
        let what = format!("node group {name}");
        let state = || self.node_group_state(cluster, name);
        until_state(&what, wait.limit(NODE_GROUP), wait.progress, state, State::gone).await
    }

    /// A cluster's state, as DescribeCluster gives it.
    async fn cluster_state(&self, name: &str) -> Result<State, CloudError> {
        let response = self.client.describe_cluster().name(name).send().await.map_err(sdk_error)?;
        Ok(response.cluster().map(State::of_cluster).unwrap_or_default())
    }

    /// A node group's state, as DescribeNodegroup gives it.
    async fn node_group_state(&self, cluster: &str, name: &str) -> Result<State, CloudError> {
        let describe = self.client.describe_nodegroup().cluster_name(cluster).nodegroup_name(name);
        let response = describe.send().await.map_err(sdk_error)?;
        Ok(response.nodegroup().map(State::of_group).unwrap_or_default())
    }

    /// Creates a cluster on its subnets; returns its name.
    pub async fn create_cluster(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
        ids: &Ids,
    ) -> Result<String, CloudError> {
        let name = r.str("name")?;
        let subnets = ids.all(&r.strings("subnets")?)?;
        let created = self
            .client
            .create_cluster()
            .name(name)
            .version(r.str("version")?)
            .role_arn(r.str("role_arn")?)
            .resources_vpc_config(endpoint(r)?.set_subnet_ids(Some(subnets)).build())
            .logging(logging(&r.strings("logs")?))
            .upgrade_policy(upgrade_policy(r)?)
            .set_encryption_config(encryption(r, ids)?.map(|config| vec![config]))
            .access_config(
                CreateAccessConfigRequest::builder()
                    .authentication_mode(authentication_mode(r)?)
                    .bootstrap_cluster_creator_admin_permissions(
                        r.get("bootstrap_creator_admin").and_then(Value::as_bool).unwrap_or(true),
                    )
                    .build(),
            )
            .set_tags(Some(r.tags()?.into_iter().collect()))
            .client_request_token(scope.token(r.addr))
            .send()
            .await;
        made_or_ours(&scope, r.addr, name, created, || async {
            let response =
                self.client.describe_cluster().name(name).send().await.map_err(sdk_error)?;
            Ok(tag_map(response.cluster().and_then(|c| c.tags())))
        })
        .await
        .map(|()| name.to_string())
    }

    /// Creates a managed node group called `name` in AWS; returns its name.
    pub async fn create_node_group(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
        name: &str,
        ids: &Ids,
    ) -> Result<String, CloudError> {
        let scaling = NodegroupScalingConfig::builder()
            .min_size(r.int32("min_size")?)
            .desired_size(r.int32("desired_size")?)
            .max_size(r.int32("max_size")?)
            .build();
        let cluster = r.str("cluster")?;
        let created = self
            .client
            .create_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .scaling_config(scaling)
            .set_instance_types(Some(r.strings("instance_types")?))
            .capacity_type(CapacityTypes::from(r.str("capacity_type")?))
            .set_labels(Some(r.map("labels")?.into_iter().collect()))
            .node_role(r.str("node_role_arn")?)
            .set_subnets(Some(ids.all(&r.strings("subnets")?)?))
            .version(r.str("version")?)
            .update_config(update_config(r))
            .set_tags(Some(r.tags()?.into_iter().collect()))
            .client_request_token(scope.token(r.addr))
            .send()
            .await;
        made_or_ours(&scope, r.addr, name, created, || async {
            let describe =
                self.client.describe_nodegroup().cluster_name(cluster).nodegroup_name(name);
            let response = describe.send().await.map_err(sdk_error)?;
            Ok(tag_map(response.nodegroup().and_then(|g| g.tags())))
        })
        .await
        .map(|()| name.to_string())
    }

    /// The names of the node groups of `cluster`.
    async fn node_groups(&self, cluster: &str) -> Result<Vec<String>, CloudError> {
        all_pages(SERVICE, "ListNodegroups", |token: Option<String>| async move {
            let page = self.client.list_nodegroups().cluster_name(cluster).set_next_token(token);
            let page = page.send().await.map_err(sdk_error)?;
            Ok((page.nodegroups().to_vec(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// Every node group of `cluster`, described.
    async fn groups(&self, cluster: &str) -> Result<Vec<Nodegroup>, CloudError> {
        let names = self.node_groups(cluster).await?;
        let described = describe_each(names, |name| {
            let asked = self.client.describe_nodegroup().cluster_name(cluster).nodegroup_name(name);
            async move { Ok(asked.send().await.map_err(sdk_error)?.nodegroup().cloned()) }
        });
        Ok(described.await?.into_iter().flatten().collect())
    }
}

/// The control-plane logging that sends `logs` (EKS's log type names) and
/// no other type: one setup of the types turned on, one of those turned off.
fn logging(logs: &[String]) -> Logging {
    let (on, off): (Vec<&str>, Vec<&str>) =
        LOG_TYPES.iter().partition(|t| logs.iter().any(|l| l == *t));
    let setups = [(on, true), (off, false)]
        .into_iter()
        .filter(|(types, _)| !types.is_empty())
        .map(|(types, enabled)| {
            let types = types.into_iter().map(LogType::from).collect();
            LogSetup::builder().set_types(Some(types)).enabled(enabled).build()
        })
        .collect();
    Logging::builder().set_cluster_logging(Some(setups)).build()
}

/// A group's update configuration: a number of nodes or a percentage.
fn update_config(r: &Read<'_>) -> NodegroupUpdateConfig {
    let field = |name: &str| r.get(name).and_then(Value::as_i64).map(|n| n as i32);
    NodegroupUpdateConfig::builder()
        .set_max_unavailable(field("max_unavailable"))
        .set_max_unavailable_percentage(field("max_unavailable_percentage"))
        .build()
}

fn authentication_mode(r: &Read<'_>) -> Result<AuthenticationMode, CloudError> {
    Ok(AuthenticationMode::from(r.str("authentication_mode")?))
}

/// The encryption of the cluster's secrets with the key `r` names (the
/// address of the key wway made, whose id is its ARN, or the user's ARN).
fn encryption(r: &Read<'_>, ids: &Ids) -> Result<Option<EncryptionConfig>, CloudError> {
    let Some(key) = r.get("secrets_key").and_then(Value::as_str) else { return Ok(None) };
    let arn = match key.starts_with("arn:") {
        true => key,
        false => ids.id(&crate::state::ResourceAddr::new(key))?,
    };
    let provider = Provider::builder().key_arn(arn).build();
    Ok(Some(EncryptionConfig::builder().resources("secrets").provider(provider).build()))
}

/// The support EKS is to keep the cluster on, as `r` asks.
fn upgrade_policy(r: &Read<'_>) -> Result<UpgradePolicyRequest, CloudError> {
    let support = SupportType::from(r.str("support_type")?);
    Ok(UpgradePolicyRequest::builder().support_type(support).build())
}

/// The log types a cluster sends, as its field holds them (sorted).
pub(super) fn logs_of(cluster: &Cluster) -> Value {
    let setups = cluster.logging().map(|l| l.cluster_logging()).unwrap_or_default();
    let on = setups.iter().filter(|s| s.enabled() == Some(true)).flat_map(|s| s.types());
    sorted(on.map(|t| t.as_str().to_string()).collect())
}

/// Where the cluster's Kubernetes API answers, as `r` asks.
fn endpoint(
    r: &Read<'_>,
) -> Result<aws_sdk_eks::types::builders::VpcConfigRequestBuilder, CloudError> {
    let flag = |field: &str| r.get(field).and_then(Value::as_bool).unwrap_or(true);
    let builder = VpcConfigRequest::builder()
        .endpoint_private_access(flag("endpoint_private"))
        .endpoint_public_access(flag("endpoint_public"));
    Ok(match flag("endpoint_public") {
        true => builder.set_public_access_cidrs(Some(r.strings("public_access_cidrs")?)),
        false => builder,
    })
}
