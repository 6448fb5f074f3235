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

    #[tokio::test(start_paused = true)]
    async fn route53_steps_are_spaced_to_five_a_second() {
        let budget = Budget::default();
        let started = Instant::now();
        for _ in 0..11 {
            budget.take(Service::Route53).await;
        }
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        let ec2 = Instant::now();
        budget.take(Service::Ec2).await;
        assert_eq!(ec2.elapsed(), Duration::ZERO, "budgets are per service");
    }
}
