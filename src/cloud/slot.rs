//! A step's place among the run's `--parallelism`, given up while the step
//! only waits. On AWS an apply is mostly waiting (a cluster about 10
//! minutes, each node group about 5, CloudFront minutes per change): a step
//! that held its place while it slept between polls kept others from
//! starting, so 90 node groups ran in nine waves instead of one. The walker
//! gives each step a [`Slot`] (through the task-local [`SLOT`], so that no
//! cloud call has to carry it); [`pause`] lets it go for the sleep and takes
//! a place again before the next request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Slot {
    places: Arc<Semaphore>,
    held: Mutex<Option<OwnedSemaphorePermit>>,
}

tokio::task_local! {
    /// The slot of the step being run, where the walker runs one.
    pub static SLOT: Arc<Slot>;
}

impl Slot {
    pub fn new(places: Arc<Semaphore>, held: OwnedSemaphorePermit) -> Arc<Slot> {
        Arc::new(Slot { places, held: Mutex::new(Some(held)) })
    }

    fn give_up(&self) {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    async fn take_again(&self) {
        let permit = self.places.clone().acquire_owned().await.ok();
        *self.held.lock().unwrap_or_else(|e| e.into_inner()) = permit;
    }
}

/// Sleeps for `pause` without holding the step's place, if it has one.
pub async fn pause(pause: Duration) {
    let slot = SLOT.try_with(Arc::clone).ok();
    if let Some(slot) = &slot {
        slot.give_up();
    }
    tokio::time::sleep(pause).await;
    if let Some(slot) = &slot {
        slot.take_again().await;
    }
}
