//! Rate budgets, so that parallel steps stay within what AWS allows and are
//! not throttled into retries. AWS counts most services per region (EKS,
//! EC2 and Lambda in one region do not slow another's) and Route 53 and
//! CloudFront per account (10 Route 53 requests a second since 2026-07-30);
//! some operations have a limit of their own (Route 53's CreateHealthCheck,
//! 0.5 a second). Each step takes a slot from every lane it uses before it
//! starts; slots are handed out evenly spaced in time.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::kinds::Kind;
use crate::plan::steps::{Op, Step};
use crate::state::Service;

/// What a budget counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Lane {
    /// A service's requests in a region (the API region, for a global one).
    Service(Service, String),
    /// A kind's creates, where they have a limit of their own.
    Creates(Kind),
}

impl Lane {
    /// Steps a second wway allows itself (below AWS's limits: a step makes
    /// a few requests, and its waits poll).
    fn rate(&self) -> f64 {
        match self {
            Lane::Service(service, _) => match service {
                Service::Route53 => 8.0,
                Service::CloudFront => 5.0,
                Service::Eks => 10.0,
                Service::Lambda => 10.0,
                Service::Ec2 => 20.0,
            },
            Lane::Creates(kind) => kind.def().creates_per_second().unwrap_or(f64::INFINITY),
        }
    }
}

fn lanes(step: &Step) -> Vec<Lane> {
    let mut lanes = vec![Lane::Service(step.service, step.region.clone())];
    if let Op::Create { target, .. } = &step.op
        && target.kind.def().creates_per_second().is_some()
    {
        lanes.push(Lane::Creates(target.kind));
    }
    lanes
}

#[derive(Default)]
pub struct Budget {
    next: Mutex<BTreeMap<Lane, Instant>>,
}

impl Budget {
    /// Waits for the next free slot of every lane `step` uses.
    pub async fn take(&self, step: &Step) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let lanes = lanes(step);
            let slot = lanes.iter().filter_map(|l| next.get(l)).copied().fold(now, Instant::max);
            for lane in lanes {
                let gap = Duration::from_secs_f64(1.0 / lane.rate());
                next.insert(lane, slot + gap);
            }
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::steps::{StepName, Target};
    use crate::state::ResourceAddr;

    fn create(kind: Kind, region: &str) -> Step {
        let target = Target {
            addr: ResourceAddr::new(format!("{region}/{}", kind.name())),
            kind,
            region: region.into(),
            fields: Default::default(),
            source: None,
        };
        Step {
            name: StepName::parse("a"),
            service: kind.service(),
            region: region.into(),
            op: Op::Create { target, replaces: None },
            deps: Default::default(),
        }
    }

    /// Real time, not a paused clock: tokio's `test-util` feature would
    /// change tokio's features for the whole dependency tree and make
    /// `cargo test` rebuild every crate that `cargo build` already built.
    #[tokio::test]
    async fn route53_steps_are_spaced_to_eight_a_second_and_regions_do_not_wait_for_each_other() {
        let budget = Budget::default();
        let started = Instant::now();
        for _ in 0..9 {
            budget.take(&create(Kind::Zone, "us-east-1")).await;
        }
        let spent = started.elapsed();
        assert!(spent >= Duration::from_secs(1), "nine slots span a second, took {spent:?}");
        assert!(spent < Duration::from_millis(1900), "slots wait no longer than needed: {spent:?}");

        let eks = Instant::now();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
            budget.take(&create(Kind::EksCluster, region)).await;
        }
        assert!(eks.elapsed() < Duration::from_millis(100), "EKS counts per region");
    }

    #[tokio::test]
    async fn health_checks_are_created_one_every_two_seconds() {
        let budget = Budget::default();
        let started = Instant::now();
        budget.take(&create(Kind::HealthCheck, "us-east-1")).await;
        budget.take(&create(Kind::Record, "us-east-1")).await;
        assert!(started.elapsed() < Duration::from_millis(500), "other Route 53 steps go on");
        budget.take(&create(Kind::HealthCheck, "us-east-1")).await;
        let spent = started.elapsed();
        assert!(spent >= Duration::from_secs(2), "the second check waits 2 s: {spent:?}");
    }
}
