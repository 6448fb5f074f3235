//! The write side: one plan step at a time, dispatched to the service that
//! owns the resource. Creates return the new AWS id (and what dependents need:
//! a distribution's domain, a function's published version); deletes of what
//! is already gone succeed; record changes of a zone go as one batch with
//! their ownership TXT records.

use aws_sdk_route53::types::{Change, ChangeAction, TagResourceType};

use super::fields::Read;
use super::wait::Progress;
use super::{Aws, CloudError, Ids, RunScope, cloudfront, ec2, eks, lambda, route53};
use crate::plan::Action;
use crate::plan::steps::{Op, OwnerChange, RecordOp, Step, Target, record_name};
use crate::state::desired::owner_fqdn;
use crate::state::package::package;
use crate::state::{Kind, ResourceAddr};

/// `scope`: the topology and the run, for idempotency tokens and ownership.
pub async fn apply_step<'a>(
    aws: &Aws,
    scope: RunScope<'_>,
    step: &'a Step,
    ids: &Ids,
    progress: Progress<'_>,
) -> Result<crate::plan::steps::Outcome, CloudError> {
    let mut outcome = crate::plan::steps::Outcome::default();
    let on = |target: &'a Target| async move { (aws.clients(&target.region).await, target) };
    match &step.op {
        Op::Create { target } => {
            create(on(target).await, scope, ids, progress, &mut outcome).await?
        }
        Op::Update { target, id, before } => {
            update(on(target).await, id, before, ids, progress, &mut outcome).await?
        }
        Op::Delete { target, id } => {
            outcome.deferred = !delete(on(target).await, id, progress).await?;
            if !outcome.deferred {
                outcome.removed.push(target.addr.clone());
            }
        }
        Op::Records { zone, changes, owners } => {
            records(aws, scope.topology, zone, changes, owners, ids, progress).await?
        }
    }
    Ok(outcome)
}

fn code(target: &Target) -> Result<Vec<u8>, CloudError> {
    let folder = target.source.as_deref().ok_or_else(|| CloudError::Api {
        service: "wway",
        code: "Package".into(),
        message: format!("{}: no code folder", target.addr),
    })?;
    let package = package(folder).map_err(|e| CloudError::Api {
        service: "wway",
        code: "Package".into(),
        message: format!("{}: {e}", folder.display()),
    })?;
    // What is uploaded is what the plan showed: code changed in the folder
    // since then (the plan was reviewed, or saved) is refused, not shipped.
    let planned = target.fields.get("code_sha256").and_then(|v| v.as_str());
    if planned != Some(package.sha256.as_str()) {
        return Err(CloudError::Api {
            service: "wway",
            code: "PackageChanged".into(),
            message: format!(
                "{}: the code in {} changed since the plan: its package is {}, the plan showed {}; \
                 plan again and review the change",
                target.addr,
                folder.display(),
                package.sha256,
                planned.unwrap_or("none")
            ),
        });
    }
    Ok(package.bytes)
}

/// A step's resource with its region's clients.
type On<'t> = (super::Clients, &'t Target);

async fn create(
    (clients, target): On<'_>,
    scope: RunScope<'_>,
    ids: &Ids,
    progress: Progress<'_>,
    outcome: &mut crate::plan::steps::Outcome,
) -> Result<(), CloudError> {
    let r = Read { fields: &target.fields, addr: &target.addr };
    let id = match target.kind {
        Kind::Vpc => ec2::Ec2::new(clients.ec2).create_vpc(&r).await?,
        Kind::Subnet => ec2::Ec2::new(clients.ec2).create_subnet(&r, ids).await?,
        Kind::EksCluster => {
            let eks = eks::Eks::new(clients.eks);
            let name = eks.create_cluster(scope, &r, ids).await?;
            eks.cluster_active(&name, progress).await?;
            name
        }
        Kind::NodeGroup => {
            let eks = eks::Eks::new(clients.eks);
            let name = eks.create_node_group(scope, &r, ids).await?;
            eks.node_group_active(r.str("cluster")?, &name, progress).await?;
            name
        }
        Kind::Zone => route53::Route53::new(clients.route53).create_zone(scope, &r).await?,
        Kind::HealthCheck => {
            route53::Route53::new(clients.route53).create_health_check(scope, &r).await?
        }
        Kind::EdgeFunction => {
            let lambda = lambda::Lambda::new(clients.lambda, clients.tagging);
            let (name, version) = lambda.create_function(&r, code(target)?).await?;
            outcome.function_versions.insert(name.clone(), version);
            name
        }
        Kind::Distribution => {
            let cloudfront = cloudfront::CloudFront::new(clients.cloudfront, clients.tagging);
            let (id, domain) = cloudfront.create_distribution(scope, &r, ids).await?;
            cloudfront.deployed(&id, progress).await?;
            outcome.distribution_domain = Some(domain);
            id
        }
        Kind::Record => return Err(batched(&target.addr)),
    };
    outcome.ids.insert(target.addr.clone(), id);
    Ok(())
}

fn batched(addr: &ResourceAddr) -> CloudError {
    CloudError::Api {
        service: "wway",
        code: "Unsupported".into(),
        message: format!("{addr}: records go in batches"),
    }
}

async fn update(
    (clients, target): On<'_>,
    id: &str,
    before: &crate::state::Fields,
    ids: &Ids,
    progress: Progress<'_>,
    outcome: &mut crate::plan::steps::Outcome,
) -> Result<(), CloudError> {
    let r = Read { fields: &target.fields, addr: &target.addr };
    match target.kind {
        Kind::Vpc | Kind::Subnet => ec2::Ec2::new(clients.ec2).tag(id, &r).await,
        Kind::EksCluster => eks::Eks::new(clients.eks).update_cluster(&r, before, progress).await,
        Kind::NodeGroup => eks::Eks::new(clients.eks).update_node_group(&r, before, progress).await,
        Kind::Zone => {
            route53::Route53::new(clients.route53).tag(TagResourceType::Hostedzone, id, &r).await
        }
        Kind::HealthCheck => {
            route53::Route53::new(clients.route53).update_health_check(id, &r).await
        }
        Kind::EdgeFunction => {
            let lambda = lambda::Lambda::new(clients.lambda, clients.tagging);
            // The folder is packaged only when the code is to change.
            let new_code = before.get("code_sha256") != target.fields.get("code_sha256");
            let code = if new_code { Some(code(target)?) } else { None };
            let version = lambda.update_function(&r, before, code, progress).await?;
            outcome.function_versions.insert(r.str("function_name")?.to_string(), version);
            Ok(())
        }
        Kind::Distribution => {
            let cloudfront = cloudfront::CloudFront::new(clients.cloudfront, clients.tagging);
            cloudfront.update_distribution(id, &r, ids, before, progress).await
        }
        Kind::Record => Err(batched(&target.addr)),
    }
}

/// `Ok(false)` when the delete must wait for a later run.
async fn delete(
    (clients, target): On<'_>,
    id: &str,
    progress: Progress<'_>,
) -> Result<bool, CloudError> {
    let r = Read { fields: &target.fields, addr: &target.addr };
    match target.kind {
        Kind::Vpc => ec2::Ec2::new(clients.ec2).delete_vpc(id).await?,
        Kind::Subnet => ec2::Ec2::new(clients.ec2).delete_subnet(id).await?,
        Kind::EksCluster => eks::Eks::new(clients.eks).delete_cluster(id, progress).await?,
        Kind::NodeGroup => {
            eks::Eks::new(clients.eks).delete_node_group(r.str("cluster")?, id, progress).await?
        }
        Kind::Zone => route53::Route53::new(clients.route53).delete_zone(id).await?,
        Kind::HealthCheck => route53::Route53::new(clients.route53).delete_health_check(id).await?,
        Kind::EdgeFunction => {
            return lambda::Lambda::new(clients.lambda, clients.tagging).delete_function(id).await;
        }
        Kind::Distribution => {
            cloudfront::CloudFront::new(clients.cloudfront, clients.tagging)
                .delete_distribution(id, progress)
                .await?
        }
        Kind::Record => return Err(batched(&target.addr)),
    }
    Ok(true)
}

fn change(
    action: ChangeAction,
    set: aws_sdk_route53::types::ResourceRecordSet,
) -> Result<Change, CloudError> {
    Change::builder().action(action).resource_record_set(set).build().map_err(|e| CloudError::Api {
        service: "route53",
        code: "Build".into(),
        message: e.to_string(),
    })
}

async fn records(
    aws: &Aws,
    topology: &str,
    zone: &ResourceAddr,
    ops: &[RecordOp],
    owners: &[OwnerChange],
    ids: &Ids,
    progress: Progress<'_>,
) -> Result<(), CloudError> {
    // One group per record name: its record changes and its owner's change
    // go in the same batch.
    let zone_name = zone.as_str().trim_start_matches("global/zone/");
    let mut groups: std::collections::BTreeMap<String, Vec<Change>> = Default::default();
    for op in ops {
        let set = |fields: &Option<crate::state::Fields>| -> Result<_, CloudError> {
            let fields = fields.clone().unwrap_or_default();
            route53::record_set(&Read { fields: &fields, addr: &op.addr }, ids)
        };
        let group = groups.entry(owner_fqdn(record_name(&op.addr), zone_name)).or_default();
        match op.action {
            Action::Create => group.push(change(ChangeAction::Create, set(&op.after)?)?),
            Action::Update => group.push(change(ChangeAction::Upsert, set(&op.after)?)?),
            Action::Delete => group.push(change(ChangeAction::Delete, set(&op.before)?)?),
            Action::Replace => {
                group.push(change(ChangeAction::Delete, set(&op.before)?)?);
                group.push(change(ChangeAction::Create, set(&op.after)?)?);
            }
        }
    }
    for owner in owners {
        let action = match (owner.before.is_empty(), owner.after.is_empty()) {
            (_, true) => ChangeAction::Delete,
            (true, false) => ChangeAction::Create,
            (false, false) => ChangeAction::Upsert,
        };
        let owned = if owner.after.is_empty() { &owner.before } else { &owner.after };
        let set = route53::owner_set(&owner.fqdn, topology, owned)?;
        groups.entry(owner.fqdn.clone()).or_default().push(change(action, set)?);
    }
    let groups: Vec<Vec<Change>> = groups.into_values().collect();
    let clients = aws.clients(super::GLOBAL_REGION).await;
    route53::Route53::new(clients.route53).change_records(ids.id(zone)?, groups, progress).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: the code folder was packaged again at upload time and
    /// shipped whatever it held then, reviewed or not.
    #[test]
    fn code_that_changed_since_the_plan_is_not_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.js"), "exports.handler = 1;\n").unwrap();
        let planned = package(dir.path()).unwrap().sha256;
        let target = Target {
            addr: ResourceAddr::new("us-east-1/edge-function/router"),
            kind: Kind::EdgeFunction,
            region: "us-east-1".into(),
            fields: [("code_sha256".to_string(), serde_json::json!(planned))].into(),
            source: Some(dir.path().to_path_buf()),
        };
        assert_eq!(code(&target).unwrap(), package(dir.path()).unwrap().bytes);
        std::fs::write(dir.path().join("index.js"), "exports.handler = 2;\n").unwrap();
        let error = code(&target).unwrap_err().to_string();
        assert!(error.contains("changed since the plan"), "{error}");
    }
}
