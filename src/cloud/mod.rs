//! The cloud layer: AWS SDK clients and the calls wway makes with them, one
//! module per service. SDK types stop here: callers get wway's own types and
//! [`CloudError`].
//!
//! Credentials come from the standard AWS chain (environment, profiles, SSO,
//! IMDS). `AWS_ENDPOINT_URL` (read by the SDK) or [`Settings::endpoint_url`]
//! points every client at an emulator.

pub mod ec2;
mod error;

pub use error::CloudError;

use aws_config::{BehaviorVersion, Region, SdkConfig};

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
