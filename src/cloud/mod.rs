//! The cloud layer: AWS SDK clients and the calls wway makes with them, one
//! module per service, behind the [`Cloud`] trait. SDK types stop here:
//! callers get wway's own [`LiveState`] and [`CloudError`].
//!
//! Credentials come from the standard AWS chain (environment, profiles, SSO,
//! IMDS). `AWS_ENDPOINT_URL` (read by the SDK) or [`Settings::endpoint_url`]
//! points every client at an emulator. Route 53, CloudFront and Lambda@Edge
//! are read in us-east-1.

pub mod calls;
pub mod cloudfront;
pub mod ec2;
pub mod eks;
mod error;
pub mod lambda;
mod owned;
mod paging;
pub mod route53;
mod tagging;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures_util::future::try_join_all;
use serde_json::Value;

pub use error::CloudError;

use crate::state::desired::DesiredState;
use crate::state::live::{LiveResource, LiveState, RegionFacts, Unowned};
use crate::state::{Kind, ResourceAddr};
use calls::CallCounter;

/// The region of the global services' APIs.
pub const GLOBAL_REGION: &str = "us-east-1";

/// How to reach AWS: plain settings from flags and environment.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
}

/// The SDK configuration for one region.
pub async fn config(settings: &Settings, region: &str) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.to_string()));
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    loader.load().await
}

/// What the planner needs from a cloud.
pub trait Cloud {
    /// Reads what the account holds for the topology of `desired`: the
    /// resources it owns, others' resources under names it wants, region facts.
    fn snapshot(
        &self,
        desired: &DesiredState,
    ) -> impl Future<Output = Result<LiveState, CloudError>>;
}

/// Resources one read found.
#[derive(Debug, Default)]
pub struct Found {
    pub owned: BTreeMap<ResourceAddr, LiveResource>,
    pub unowned: Vec<Unowned>,
}

impl Found {
    fn absorb(&mut self, other: Found) {
        self.owned.extend(other.owned);
        self.unowned.extend(other.unowned);
    }
}

/// The real AWS (or an emulator of it).
pub struct Aws {
    settings: Settings,
    calls: CallCounter,
}

impl Aws {
    pub fn new(settings: Settings) -> Self {
        Aws { settings, calls: CallCounter::default() }
    }

    /// API calls made so far, per service.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls.totals()
    }

    async fn region(
        &self,
        desired: &DesiredState,
        region: &str,
    ) -> Result<(Found, RegionFacts), CloudError> {
        let config = config(&self.settings, region).await;
        let ec2 = ec2::Ec2::new(aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::config::Builder::from(&config)
                .interceptor(self.calls.interceptor("ec2"))
                .build(),
        ));
        let eks = eks::Eks::new(aws_sdk_eks::Client::from_conf(
            aws_sdk_eks::config::Builder::from(&config)
                .interceptor(self.calls.interceptor("eks"))
                .build(),
        ));
        let in_region = || desired.resources.values().filter(move |r| r.region == region);
        let types: BTreeSet<String> = in_region()
            .filter(|r| r.kind == Kind::NodeGroup)
            .flat_map(|r| strings(&r.fields["instance_types"]))
            .collect();
        let types: Vec<String> = types.into_iter().collect();
        let (zones, offered, (network, subnet_ids)) = tokio::try_join!(
            ec2.availability_zones(),
            ec2.offered_instance_types(&types),
            ec2.network(&desired.topology)
        )?;
        let cluster = in_region().find(|r| r.kind == Kind::EksCluster).map(|r| r.name.clone());
        let groups: Vec<String> =
            in_region().filter(|r| r.kind == Kind::NodeGroup).map(|r| r.name.clone()).collect();
        let wanted = cluster.as_deref().map(|c| (c, groups.as_slice()));
        let mut found = network;
        found.absorb(eks.clusters(&desired.topology, wanted, &subnet_ids).await?);
        let facts = RegionFacts {
            availability_zones: zones,
            offered_instance_types: offered.into_iter().collect(),
        };
        Ok((found, facts))
    }

    async fn global(&self, desired: &DesiredState) -> Result<Found, CloudError> {
        let config = config(&self.settings, GLOBAL_REGION).await;
        let tagging = aws_sdk_resourcegroupstagging::Client::from_conf(
            aws_sdk_resourcegroupstagging::config::Builder::from(&config)
                .interceptor(self.calls.interceptor("tagging"))
                .build(),
        );
        let lambda = lambda::Lambda::new(
            aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&config)
                    .interceptor(self.calls.interceptor("lambda"))
                    .build(),
            ),
            tagging.clone(),
        );
        let cloudfront = cloudfront::CloudFront::new(
            aws_sdk_cloudfront::Client::from_conf(
                aws_sdk_cloudfront::config::Builder::from(&config)
                    .interceptor(self.calls.interceptor("cloudfront"))
                    .build(),
            ),
            tagging,
        );
        let route53 = route53::Route53::new(aws_sdk_route53::Client::from_conf(
            aws_sdk_route53::config::Builder::from(&config)
                .interceptor(self.calls.interceptor("route53"))
                .build(),
        ));

        let of = |kind: Kind| desired.resources.values().filter(move |r| r.kind == kind);
        let functions: Vec<String> = of(Kind::EdgeFunction).map(|r| r.name.clone()).collect();
        let aliases: Vec<String> =
            of(Kind::Distribution).flat_map(|r| strings(&r.fields["aliases"])).collect();
        let ((mut found, versions), (checks, check_ids)) = tokio::try_join!(
            lambda.functions(&desired.topology, &functions),
            route53.health_checks(&desired.topology)
        )?;
        found.absorb(checks);
        let (distributions, domain) =
            cloudfront.distributions(&desired.topology, &aliases, &versions).await?;
        found.absorb(distributions);
        if let Some(zone) = of(Kind::Zone).next() {
            let wanted: Vec<route53::WantedRecord> = of(Kind::Record)
                .map(|r| {
                    let field =
                        |k: &str| r.fields.get(k).and_then(Value::as_str).map(str::to_string);
                    (r.name.clone(), field("type").unwrap_or_default(), field("set_identifier"))
                })
                .collect();
            let context = route53::RecordContext {
                topology: &desired.topology,
                zone: &zone.name,
                wanted: &wanted,
                health_checks: &check_ids,
                distribution_domain: domain.as_deref(),
            };
            found.absorb(route53.zone(&context).await?);
        }
        Ok(found)
    }
}

impl Cloud for Aws {
    async fn snapshot(&self, desired: &DesiredState) -> Result<LiveState, CloudError> {
        let regional = [Kind::Vpc, Kind::Subnet, Kind::EksCluster, Kind::NodeGroup];
        let regions: BTreeSet<&str> = desired
            .resources
            .values()
            .filter(|r| regional.contains(&r.kind))
            .map(|r| r.region.as_str())
            .collect();
        let (per_region, global) = tokio::try_join!(
            try_join_all(regions.iter().map(|r| self.region(desired, r))),
            self.global(desired)
        )?;
        let mut state = LiveState::default();
        let mut found = global;
        for (region, (regional, facts)) in regions.iter().zip(per_region) {
            found.absorb(regional);
            state.regions.insert(region.to_string(), facts);
        }
        state.owned = found.owned;
        state.unowned = found.unowned;
        Ok(state)
    }
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}
