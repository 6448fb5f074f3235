//! The write side: one plan step at a time. A resource's create, update or
//! delete goes to its kind's cloud half (`cloud/kind.rs`); the record
//! changes of a zone go as one batch with their ownership TXT records.

use aws_sdk_route53::types::{Change, ChangeAction};

use super::fields::Read;
use super::kind::{Call, Deleted, cloud};
use super::wait::Progress;
use super::{Aws, CloudError, Ids, RunScope, route53};
use crate::kinds::ResourceAddr;
use crate::kinds::route53::record::{owner_fqdn, record_name};
use crate::plan::Action;
use crate::plan::steps::{Op, OwnerChange, RecordOp, Step};
use crate::state::live::Outcome;

/// `scope`: the topology and the run, for idempotency tokens and ownership.
pub async fn apply_step(
    aws: &Aws,
    scope: RunScope<'_>,
    step: &Step,
    ids: &Ids,
    progress: Progress<'_>,
) -> Result<Outcome, CloudError> {
    let mut outcome = Outcome::default();
    let call = |clients, kind| {
        let limit = aws.timeouts.get(kind);
        Call { clients, scope, ids, progress, replaces: None, limit }
    };
    match &step.op {
        Op::Create { target, replaces } => {
            let clients = aws.clients(&target.region).await;
            let call = Call { replaces: replaces.as_deref(), ..call(clients, target.kind) };
            let made = cloud(target.kind).create(&call, target).await?;
            outcome.ids.insert(target.addr.clone(), made.id);
            if !made.outputs.is_empty() {
                outcome.outputs.insert(target.addr.clone(), made.outputs);
            }
        }
        Op::Update { target, id, before } => {
            let call = call(aws.clients(&target.region).await, target.kind);
            let outputs = cloud(target.kind).update(&call, target, id, before).await?;
            if !outputs.is_empty() {
                outcome.outputs.insert(target.addr.clone(), outputs);
            }
        }
        Op::Delete { target, id } => {
            let call = call(aws.clients(&target.region).await, target.kind);
            match cloud(target.kind).delete(&call, target, id).await? {
                Deleted::Gone => outcome.removed.push(target.addr.clone()),
                Deleted::Deferred => outcome.deferred = true,
            }
        }
        Op::Records { zone, changes, owners, read } => {
            let batch = Batch { zone, ops: changes, owners, read };
            records(aws, scope.topology, batch, ids, progress).await?
        }
        Op::Settle { target } => {
            let call = call(aws.clients(&target.region).await, target.kind);
            cloud(target.kind).settle(&call, target, ids.id(&target.addr)?).await?;
        }
    }
    Ok(outcome)
}

fn change(
    action: ChangeAction,
    set: aws_sdk_route53::types::ResourceRecordSet,
) -> Result<Change, CloudError> {
    Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .map_err(|e| CloudError::Internal(format!("a Route 53 change: {e}")))
}

/// The record changes of one zone, as the plan gave them.
struct Batch<'a> {
    zone: &'a ResourceAddr,
    ops: &'a [RecordOp],
    owners: &'a [OwnerChange],
    /// What the records' `before` refer to, as the plan read it.
    read: &'a Ids,
}

async fn records(
    aws: &Aws,
    topology: &str,
    batch: Batch<'_>,
    ids: &Ids,
    progress: Progress<'_>,
) -> Result<(), CloudError> {
    let Batch { zone, ops, owners, read } = batch;
    // A record is deleted as it is: named with the ids it was made with,
    // though this run may have replaced its health check since.
    let was = ids.overlaid(read);
    // One group per record name: its record changes and its owner's change
    // go in the same batch.
    let zone_name = zone.as_str().trim_start_matches("global/zone/");
    let mut groups: std::collections::BTreeMap<String, Vec<Change>> = Default::default();
    for op in ops {
        let set = |fields: &Option<crate::state::Fields>, ids: &Ids| -> Result<_, CloudError> {
            let fields = fields.clone().unwrap_or_default();
            route53::record_set(&Read { fields: &fields, addr: &op.addr }, ids)
        };
        let group = groups.entry(owner_fqdn(record_name(&op.addr), zone_name)).or_default();
        match op.action {
            Action::Create => group.push(change(ChangeAction::Create, set(&op.after, ids)?)?),
            Action::Update => group.push(change(ChangeAction::Upsert, set(&op.after, ids)?)?),
            Action::Delete => group.push(change(ChangeAction::Delete, set(&op.before, &was)?)?),
            Action::Replace => {
                group.push(change(ChangeAction::Delete, set(&op.before, &was)?)?);
                group.push(change(ChangeAction::Create, set(&op.after, ids)?)?);
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
