//! Request budgets: every request wway sends waits for a slot of its
//! service's rate in its region (Route 53's and CloudFront's region is
//! always us-east-1, so theirs is the account's) and of its operation's
//! where it has one of its own (Route 53's CreateHealthCheck). The slots sit
//! in the HTTP connector, under the SDK, so that a step's every request, its
//! polls and the SDK's own retries are counted, not only the step's start;
//! parallel steps then stay within AWS's limits instead of being throttled
//! into backoffs. Each lane is a token bucket, as AWS's are: a few requests
//! at once (its burst), then evenly spaced at its rate.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_runtime_api::client::runtime_plugin::RuntimePlugin;
use tokio::time::Instant;

/// What a budget counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Lane {
    /// A service's requests in a region (its signing name and region).
    Service(String, String),
    /// One operation's requests, where it has a limit of its own.
    Operation(&'static str),
}

/// A lane's allowance: requests a second, and how many may go at once.
#[derive(Debug, Clone, Copy)]
struct Rate {
    per_second: f64,
    burst: u32,
}

const fn rate(per_second: f64, burst: u32) -> Option<Rate> {
    Some(Rate { per_second, burst })
}

/// What wway allows itself of a service in a region: below AWS's limits
/// (Route 53: 10 requests a second an account since 2026-07-30; EC2's
/// buckets hold 100 describes and refill 20 a second), with room for the
/// account's other clients. A burst lets a read's first calls of a service
/// go together instead of a tenth of a second apart.
fn service_rate(service: &str) -> Option<Rate> {
    match service {
        "route53" => rate(8.0, 1),
        "cloudfront" => rate(5.0, 2),
        "eks" | "lambda" => rate(10.0, 5),
        "ec2" => rate(20.0, 10),
        "tagging" => rate(5.0, 2),
        _ => None,
    }
}

/// The lanes a request takes a slot of, each with its rate: its service's,
/// and its operation's where that has a limit of its own.
fn lanes(method: &str, path: &str, authorization: &str) -> Vec<(Lane, Rate)> {
    // "AWS4-HMAC-SHA256 Credential=KEY/DAY/REGION/SERVICE/aws4_request, ..."
    let scope: Vec<&str> =
        authorization.split("Credential=").nth(1).unwrap_or_default().split('/').collect();
    let (Some(region), Some(service)) = (scope.get(2), scope.get(3)) else { return Vec::new() };
    let mut lanes = Vec::new();
    if let Some(rate) = service_rate(service) {
        lanes.push((Lane::Service(service.to_string(), region.to_string()), rate));
    }
    // Route 53 takes CreateHealthCheck (POST /2013-04-01/healthcheck) one
    // every two seconds per account; wway leaves a tenth more, for the
    // jitter of the way there.
    if *service == "route53"
        && method == "POST"
        && path.trim_end_matches('/').ends_with("/2013-04-01/healthcheck")
    {
        lanes
            .push((Lane::Operation("CreateHealthCheck"), Rate { per_second: 1.0 / 2.2, burst: 1 }));
    }
    lanes
}

/// Each lane's theoretical arrival time (GCRA): when its next request would
/// go were requests evenly spaced; a burst may go that much earlier.
#[derive(Debug, Default)]
pub struct Budget {
    due: Mutex<BTreeMap<Lane, Instant>>,
}

impl Budget {
    /// The moment a request may go: the first that every lane it takes allows.
    fn slot(&self, lanes: Vec<(Lane, Rate)>) -> Instant {
        let now = Instant::now();
        let Ok(mut due) = self.due.lock() else { return now };
        let spacing = |rate: &Rate| Duration::from_secs_f64(1.0 / rate.per_second);
        let slot = lanes
            .iter()
            .filter_map(|(lane, rate)| {
                let early = spacing(rate) * rate.burst.saturating_sub(1);
                Some(due.get(lane)?.checked_sub(early).unwrap_or(now))
            })
            .fold(now, Instant::max);
        for (lane, rate) in lanes {
            let after = due.get(&lane).copied().unwrap_or(slot).max(slot);
            due.insert(lane, after + spacing(&rate));
        }
        slot
    }
}

/// The process's one budget: AWS counts an account's requests, whichever
/// client or region of wway sends them.
static BUDGET: LazyLock<Arc<Budget>> = LazyLock::new(Arc::default);

/// The SDK's default HTTPS client, sending each request when its budget
/// allows (`None` if the SDK has no default client).
pub fn budgeted_client() -> Option<SharedHttpClient> {
    let version = aws_config::BehaviorVersion::latest();
    let plugin = aws_smithy_runtime::client::defaults::default_http_client_plugin_v2(version)?;
    let inner = plugin.runtime_components(&RuntimeComponentsBuilder::new("wway")).http_client()?;
    Some(SharedHttpClient::new(BudgetedClient { inner, budget: BUDGET.clone() }))
}

#[derive(Debug)]
struct BudgetedClient {
    inner: SharedHttpClient,
    budget: Arc<Budget>,
}

impl HttpClient for BudgetedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        SharedHttpConnector::new(Budgeted { inner, budget: self.budget.clone() })
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct Budgeted {
    inner: SharedHttpConnector,
    budget: Arc<Budget>,
}

impl HttpConnector for Budgeted {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let authorization = request.headers().get("authorization").unwrap_or_default();
        let path = request.uri().split('?').next().unwrap_or_default();
        let slot = self.budget.slot(lanes(request.method(), path, authorization));
        let inner = self.inner.clone();
        HttpConnectorFuture::new(async move {
            tokio::time::sleep_until(slot).await;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(region: &str, service: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20261202/{region}/{service}/aws4_request, SignedHeaders=host"
        )
    }

    /// Real time, not a paused clock: tokio's `test-util` feature would
    /// change tokio's features for the whole dependency tree and make
    /// `cargo test` rebuild every crate that `cargo build` already built.
    #[tokio::test]
    async fn route53_requests_are_spaced_to_eight_a_second_and_regions_do_not_wait_for_each_other()
    {
        let budget = Budget::default();
        let started = Instant::now();
        for _ in 0..9 {
            let slot = budget.slot(lanes(
                "GET",
                "/2013-04-01/hostedzone",
                &signed("us-east-1", "route53"),
            ));
            tokio::time::sleep_until(slot).await;
        }
        let spent = started.elapsed();
        assert!(spent >= Duration::from_secs(1), "nine slots span a second, took {spent:?}");
        assert!(spent < Duration::from_millis(1900), "slots wait no longer than needed: {spent:?}");

        let eks = Instant::now();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
            tokio::time::sleep_until(budget.slot(lanes(
                "POST",
                "/clusters",
                &signed(region, "eks"),
            )))
            .await;
        }
        assert!(eks.elapsed() < Duration::from_millis(100), "EKS counts per region");
    }

    #[test]
    fn health_checks_are_created_one_every_two_seconds_and_more_and_other_requests_go_on() {
        let budget = Budget::default();
        let route53 = signed("us-east-1", "route53");
        let first = budget.slot(lanes("POST", "http://host/2013-04-01/healthcheck", &route53));
        let other = budget.slot(lanes("GET", "/2013-04-01/healthcheck", &route53));
        let tags = budget.slot(lanes("POST", "/2013-04-01/tags/healthcheck", &route53));
        let second = budget.slot(lanes("POST", "/2013-04-01/healthcheck", &route53));
        let others = other.max(tags) - first;
        assert!(others < Duration::from_millis(500), "other Route 53 requests go on");
        assert!(second - first >= Duration::from_millis(2200), "the second create waits 2.2 s");
    }

    #[test]
    fn a_burst_goes_at_once_then_requests_are_spaced() {
        let budget = Budget::default();
        let ec2 = signed("eu-west-1", "ec2");
        let now = Instant::now();
        let slots: Vec<Instant> = (0..12).map(|_| budget.slot(lanes("POST", "/", &ec2))).collect();
        assert!(slots[..10].iter().all(|s| *s - now < Duration::from_millis(10)), "ten at once");
        assert!(slots[10] - now >= Duration::from_millis(45), "then 20 a second");
        assert!(slots[11] - slots[10] >= Duration::from_millis(45));
    }

    #[test]
    fn an_unsigned_request_or_an_unbudgeted_service_takes_no_slot() {
        assert!(lanes("GET", "/", "").is_empty());
        assert!(lanes("GET", "/", &signed("us-east-1", "sts")).is_empty());
    }
}
