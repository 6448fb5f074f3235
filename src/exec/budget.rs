//! Rate budgets per AWS service, so that parallel steps stay within what AWS
//! allows and are not throttled into retries (Route 53 takes five requests a
//! second per account). Each step takes a slot from its service's budget
//! before it starts; slots are handed out evenly spaced in time.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::state::Service;

pub struct Budget {
    next: Mutex<BTreeMap<Service, Instant>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { next: Mutex::new(BTreeMap::new()) }
    }
}

/// Requests per second wway allows itself per service (below AWS's limits).
pub fn rate(service: Service) -> u32 {
    match service {
        Service::Route53 => 5,
        Service::CloudFront => 5,
        Service::Eks => 10,
        Service::Lambda => 10,
        Service::Ec2 => 20,
    }
}

impl Budget {
    /// Waits for the next free slot of `service`.
    pub async fn take(&self, service: Service) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.get(&service).copied().unwrap_or(now).max(now);
            next.insert(service, slot + Duration::from_secs(1) / rate(service));
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real time, not a paused clock: tokio's `test-util` feature would
    /// change tokio's features for the whole dependency tree and make
    /// `cargo test` rebuild every crate that `cargo build` already built.
    #[tokio::test]
    async fn route53_steps_are_spaced_to_five_a_second() {
        let budget = Budget::default();
        let started = Instant::now();
        for _ in 0..6 {
            budget.take(Service::Route53).await;
        }
        let spent = started.elapsed();
        assert!(spent >= Duration::from_secs(1), "six slots span a second, took {spent:?}");
        assert!(spent < Duration::from_millis(1900), "slots wait no longer than needed: {spent:?}");
        let ec2 = Instant::now();
        budget.take(Service::Ec2).await;
        assert!(ec2.elapsed() < Duration::from_millis(100), "budgets are per service");
    }
}
