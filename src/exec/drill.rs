//! A drill's record in the store (`drill.json`): the health checks a
//! failover drill inverted, written (durably) before the first is inverted
//! and removed once every one is restored. A drill that was killed leaves
//! it behind; the next drill, apply, destroy or rollback reads it and puts
//! the checks back before it does anything else.

use std::io;

use serde::{Deserialize, Serialize};

use super::journal::now;
use crate::state::ResourceAddr;
use crate::store::{Store, this_host};

/// The record's key in the store.
pub const KEY: &str = "drill.json";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub topology: String,
    /// The region the drill took down.
    pub region: String,
    /// The checks it inverted: their addresses and Route 53 ids.
    pub checks: Vec<(ResourceAddr, String)>,
    pub host: String,
    pub pid: u32,
    pub at: u64,
}

impl Record {
    pub fn new(topology: &str, region: &str, checks: Vec<(ResourceAddr, String)>) -> Record {
        let (host, pid, at) = (this_host(), std::process::id(), now());
        Record { topology: topology.into(), region: region.into(), checks, host, pid, at }
    }
}

/// Writes the record; durable on return.
pub async fn write(store: &dyn Store, record: &Record) -> io::Result<()> {
    let body = serde_json::to_vec_pretty(record).map_err(io::Error::other)?;
    store.replace(KEY, body).await
}

/// The record a drill left, if one did; damage is an error that names the
/// object (a drill cannot be restored from what cannot be read).
pub async fn read(store: &dyn Store) -> io::Result<Option<Record>> {
    let Some(body) = store.read(KEY).await? else { return Ok(None) };
    serde_json::from_slice(&body).map(Some).map_err(|error| {
        let location = store.location(KEY);
        io::Error::other(format!("the drill's record {location} cannot be read: {error}"))
    })
}

pub async fn remove(store: &dyn Store) -> io::Result<()> {
    store.remove(KEY).await
}
