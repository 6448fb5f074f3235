//! `wway force-unlock ID [TOPOLOGY]`: clear the lock of a run that died,
//! naming the id the refusal message gave, so that a live run's lock is never
//! cleared by accident.

use std::process::ExitCode;

use super::run::store_of_file;
use super::{Context, Status};
use crate::cli::UnlockArgs;
use crate::exec::lock::force_unlock;

pub fn run(args: &UnlockArgs, context: &Context) -> Status {
    let id = &args.id;
    let holder = context.block_on(async {
        let store = store_of_file(&args.topology, context).await?;
        force_unlock(store.as_ref(), id).await.map_err(super::Failure::from)
    })??;
    context.printer.line(match holder {
        Some(holder) => {
            format!("Lock {id} cleared ({} by {}@{}).", holder.command, holder.user, holder.host)
        }
        None => format!("Lock {id} cleared (it could not be read, so whose it was is not known)."),
    });
    Ok(ExitCode::SUCCESS)
}
