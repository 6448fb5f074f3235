//! Counting API calls per service: an SDK interceptor added to every client,
//! so `wway plan -v` can say what a plan cost and tests can bound it. Each
//! request sent counts, retries included, as AWS would bill and throttle it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl CallCounter {
    /// An interceptor that counts the calls of one service's client.
    pub fn interceptor(&self, service: &'static str) -> Counting {
        Counting { service, counts: self.0.clone() }
    }

    pub fn totals(&self) -> BTreeMap<&'static str, u64> {
        self.0.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[derive(Debug)]
pub struct Counting {
    service: &'static str,
    counts: Arc<Mutex<BTreeMap<&'static str, u64>>>,
}

impl Intercept for Counting {
    fn name(&self) -> &'static str {
        "wway-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Ok(mut counts) = self.counts.lock() {
            *counts.entry(self.service).or_default() += 1;
        }
        Ok(())
    }
}
