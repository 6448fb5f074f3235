//! The read side: what an account holds for a topology, one kind at a time.
//! Each kind reads itself (`CloudKind::read`, in its cloud half); this runs
//! the reads of one scope (a region, or the global services) in waves:
//! kinds whose reads need no other's go together, then those that name
//! what the first found (a subnet's VPC, a record's health check), and so on.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use futures_util::future::try_join_all;

use super::kind::cloud;
use super::{Clients, CloudError, Found};
use crate::kinds::{Kind, ResourceAddr};
use crate::state::desired::{DesiredResource, DesiredState};
use crate::state::live::{LiveResource, Unowned};

/// What a kind's read has besides its clients.
pub struct ReadCall<'a> {
    pub(crate) clients: Clients,
    pub topology: &'a str,
    /// The resources of this kind the file declares in this scope: the
    /// names someone else's resource could already hold.
    pub declared: Vec<&'a DesiredResource>,
    /// For a kind found by name (a hosted zone): the names earlier runs
    /// used, read besides the declared ones; empty for the others.
    pub remembered: &'a BTreeSet<String>,
    /// What the kinds read before this one found in this scope.
    pub earlier: &'a Earlier,
}

/// What the reads of a scope have found so far, with owned resources
/// findable by their AWS id.
#[derive(Default)]
pub struct Earlier {
    found: Found,
    by_id: HashMap<Kind, HashMap<String, ResourceAddr>>,
}

impl Earlier {
    fn absorb(&mut self, found: Found) {
        for (addr, resource) in &found.owned {
            let ids = self.by_id.entry(resource.kind).or_default();
            ids.insert(resource.id.clone(), addr.clone());
        }
        self.found.absorb(found);
    }

    /// The address of the owned resource of `kind` whose AWS id is `id`.
    pub fn addr_of(&self, kind: Kind, id: &str) -> Option<&ResourceAddr> {
        self.by_id.get(&kind)?.get(id)
    }

    /// `id` as a field value: the owned resource's address, else the id itself.
    pub fn reference(&self, kind: Kind, id: &str) -> serde_json::Value {
        self.addr_of(kind, id).map_or_else(|| serde_json::json!(id), |a| serde_json::json!(a))
    }

    /// The owned resources of `kind`.
    pub fn owned(&self, kind: Kind) -> impl Iterator<Item = (&ResourceAddr, &LiveResource)> {
        self.found.owned.iter().filter(move |(_, r)| r.kind == kind)
    }

    /// Resources of `kind` found that are not the topology's.
    pub fn unowned(&self, kind: Kind) -> impl Iterator<Item = &Unowned> {
        self.found.unowned.iter().filter(move |u| u.kind == kind)
    }
}

/// How often a kind's read is asked again after a failure that may pass,
/// beyond the SDK's own attempts, and the first pause (doubled each time):
/// a bad streak of throttles in a busy account fails a plan otherwise.
const READ_AGAIN: u32 = 4;
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// A read, asked again (it only reads) while its failure may pass.
pub(crate) async fn patiently<T, F, Fut>(mut read: F) -> Result<T, CloudError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, CloudError>>,
{
    let mut pause = FIRST_PAUSE;
    for _ in 0..READ_AGAIN {
        match read().await {
            Err(error) if error.may_pass() => {
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            done => return done,
        }
    }
    read().await
}

/// Reads `kinds` in one scope: `region` is where `declared` resources of
/// the scope are (their API region); `remembered`, the names earlier runs
/// used for kinds found by name.
pub(crate) async fn read(
    clients: &Clients,
    desired: &DesiredState,
    region: &str,
    kinds: &[Kind],
    remembered: &BTreeSet<String>,
) -> Result<Found, CloudError> {
    let none = BTreeSet::new();
    let mut earlier = Earlier::default();
    let mut left: Vec<Kind> = kinds.to_vec();
    while !left.is_empty() {
        let ready: Vec<Kind> = left
            .iter()
            .copied()
            .filter(|k| cloud(*k).reads_after().iter().all(|after| !left.contains(after)))
            .collect();
        if ready.is_empty() {
            return Err(CloudError::Internal(format!("the reads of {left:?} wait on each other")));
        }
        let calls: Vec<(Kind, ReadCall)> = ready
            .iter()
            .map(|&kind| {
                let declared = desired.resources.values();
                let declared = declared.filter(|r| r.kind == kind && r.region == region).collect();
                let call = ReadCall {
                    clients: clients.clone(),
                    topology: &desired.topology,
                    declared,
                    remembered: if kind.def().found_by_name() { remembered } else { &none },
                    earlier: &earlier,
                };
                (kind, call)
            })
            .collect();
        let reads = calls.iter().map(|(kind, call)| patiently(|| cloud(*kind).read(call)));
        let found = try_join_all(reads).await?;
        drop(calls);
        for found in found {
            earlier.absorb(found);
        }
        left.retain(|k| !ready.contains(k));
    }
    Ok(earlier.found)
}
