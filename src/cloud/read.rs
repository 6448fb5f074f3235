//! The read side: what an account holds for a topology, one kind at a time.
//! Each kind reads itself (`CloudKind::read`, in its cloud half); this runs
//! the reads of one scope (a region, or the global services) all at once. A
//! kind that names what others hold (a subnet its VPC, a record its health
//! check) makes its own calls first, then waits for those kinds' reads
//! alone ([`ReadCall::found`]): the read of a scope takes its longest chain
//! of calls that truly follow one another, not the sum of every kind's.

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
    kind: Kind,
    reads: &'a Reads,
}

impl ReadCall<'_> {
    /// What the reads of `kinds` (among those this kind reads after) found
    /// in this scope, once they have all finished.
    pub async fn found(&self, kinds: &[Kind]) -> Result<Earlier, CloudError> {
        let after = cloud(self.kind).reads_after();
        if let Some(other) = kinds.iter().find(|k| !after.contains(k)) {
            return Err(CloudError::Internal(format!(
                "the read of {:?} waits for {other:?}, which it does not read after",
                self.kind
            )));
        }
        self.reads.finished(kinds).await
    }
}

/// The reads of one scope as they finish: what they found, and which kinds
/// are done.
#[derive(Default)]
struct Reads {
    state: std::sync::Mutex<(Earlier, BTreeSet<Kind>)>,
    changed: tokio::sync::Notify,
}

impl Reads {
    fn done(&self, kind: Kind, found: Found) {
        if let Ok(mut state) = self.state.lock() {
            state.0.absorb(found);
            state.1.insert(kind);
        }
        self.changed.notify_waiters();
    }

    /// What was found, once every one of `kinds` is done.
    async fn finished(&self, kinds: &[Kind]) -> Result<Earlier, CloudError> {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            {
                let state = self
                    .state
                    .lock()
                    .map_err(|_| CloudError::Internal("a read panicked".into()))?;
                if kinds.iter().all(|k| state.1.contains(k)) {
                    return Ok(state.0.clone());
                }
            }
            changed.await;
        }
    }
}

/// What the reads of a scope have found so far, with owned resources
/// findable by their AWS id.
#[derive(Default, Clone)]
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

    /// `ids` as a sorted list field: owned resources' addresses, and the
    /// ids of others as they are.
    pub fn references<S: AsRef<str>>(&self, kind: Kind, ids: &[S]) -> serde_json::Value {
        let each = ids.iter().map(|id| {
            let id = id.as_ref();
            self.addr_of(kind, id).map_or_else(|| id.to_string(), ResourceAddr::to_string)
        });
        super::owned::sorted(each.collect())
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
    in_order(kinds)?;
    let none = BTreeSet::new();
    let reads = Reads::default();
    // A kind another reads after that is not read here holds nothing here.
    let elsewhere =
        kinds.iter().flat_map(|k| cloud(*k).reads_after()).filter(|k| !kinds.contains(k));
    for kind in elsewhere.copied().collect::<BTreeSet<Kind>>() {
        reads.done(kind, Found::default());
    }
    let calls: Vec<ReadCall> = kinds
        .iter()
        .map(|&kind| {
            let declared = desired.resources.values();
            let declared = declared.filter(|r| r.kind == kind && r.region == region).collect();
            ReadCall {
                clients: clients.clone(),
                topology: &desired.topology,
                declared,
                remembered: if kind.def().found_by_name() { remembered } else { &none },
                kind,
                reads: &reads,
            }
        })
        .collect();
    let each = calls.iter().map(|call| async {
        let found = patiently(|| cloud(call.kind).read(call)).await?;
        reads.done(call.kind, found);
        Ok::<(), CloudError>(())
    });
    try_join_all(each).await?;
    drop(calls);
    let (earlier, _) =
        reads.state.into_inner().map_err(|_| CloudError::Internal("a read panicked".into()))?;
    Ok(earlier.found)
}

/// Refuses kinds whose reads would wait for each other in a circle.
fn in_order(kinds: &[Kind]) -> Result<(), CloudError> {
    let mut left: Vec<Kind> = kinds.to_vec();
    while !left.is_empty() {
        let before = left.len();
        let waiting = left.clone();
        left.retain(|k| cloud(*k).reads_after().iter().any(|after| waiting.contains(after)));
        if left.len() == before {
            return Err(CloudError::Internal(format!("the reads of {left:?} wait on each other")));
        }
    }
    Ok(())
}
