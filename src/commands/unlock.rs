//! `wway force-unlock ID`: clear the lock of a run that died, naming the id
//! the refusal message gave, so that a live run's lock is never cleared by
//! accident.

use std::path::Path;
use std::process::ExitCode;

use super::Context;
use super::run::{runtime, store_of_file};
use crate::exec::lock::force_unlock;

pub fn run(id: &str, topology: &Path, context: &Context) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let cleared = runtime.block_on(async {
        let store = store_of_file(topology, context).await.map_err(Err)?;
        force_unlock(store.as_ref(), id).await.map_err(Ok)
    });
    match cleared {
        Ok(Some(holder)) => {
            println!("Lock {id} cleared ({} by {}@{}).", holder.command, holder.user, holder.host);
            ExitCode::SUCCESS
        }
        Ok(None) => {
            println!("Lock {id} cleared (it could not be read, so whose it was is not known).");
            ExitCode::SUCCESS
        }
        Err(Ok(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
        Err(Err(code)) => code,
    }
}
