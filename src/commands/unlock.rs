//! `wway force-unlock ID`: clear the lock of a run that died, naming the id
//! the refusal message gave, so that a live run's lock is never cleared by
//! accident.

use std::path::Path;
use std::process::ExitCode;

use super::Context;
use super::run::state_dir;
use crate::exec::lock::force_unlock;

pub fn run(id: &str, topology: &Path, context: &Context) -> ExitCode {
    match force_unlock(&state_dir(topology, context.state_dir.as_deref()), id) {
        Ok(holder) => {
            println!("Lock {id} cleared ({} by {}@{}).", holder.command, holder.user, holder.host);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
