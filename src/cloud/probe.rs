//! The first call of a run: does AWS answer, and does it take the
//! credentials? One STS GetCallerIdentity, not retried by the SDK, with short
//! timeouts, asked again for about three seconds when the failure may pass,
//! so that a wrong endpoint or missing credentials are said within seconds
//! and name what to check. The reads after it retry every request eight
//! times (half a minute of backoff against an endpoint that is not there).

use std::time::Duration;

use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;

use super::{CloudError, Settings, config};

/// How long the probe waits to connect, and for its whole answer.
const CONNECT: Duration = Duration::from_secs(2);
const ANSWER: Duration = Duration::from_secs(10);
/// How often the probe asks before it says what went wrong: the waits
/// between are 0.4, 0.8 and 1.6 s.
const ATTEMPTS: u32 = 4;

/// The account the credentials belong to, or why AWS cannot be used.
pub async fn probe(settings: &Settings) -> Result<String, CloudError> {
    let sdk = config(settings, super::GLOBAL_REGION).await;
    let timeouts =
        TimeoutConfig::builder().connect_timeout(CONNECT).operation_timeout(ANSWER).build();
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts)
            .build(),
    );
    let mut attempt = 1;
    let answer = loop {
        match sts.get_caller_identity().send().await.map_err(|e| CloudError::from_sdk("sts", e)) {
            // A throttle, a 5xx or a dropped connection may pass: asked
            // again, for about three seconds in all. Credentials that do not
            // work are said at once.
            Err(
                CloudError::Throttled { .. }
                | CloudError::Unavailable { .. }
                | CloudError::Unreachable { .. },
            ) if attempt < ATTEMPTS => {
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                attempt += 1;
            }
            answer => break answer,
        }
    };
    match answer {
        Ok(identity) => Ok(identity.account().unwrap_or_default().to_string()),
        Err(error) => Err(match error {
            CloudError::Unreachable { service, message } => CloudError::Unreachable {
                service,
                message: format!(
                    "{} ({message}); check the endpoint (--endpoint-url, AWS_ENDPOINT_URL) and \
                     the network",
                    endpoint(settings)
                ),
            },
            CloudError::Credentials { service, message } => CloudError::Credentials {
                service,
                message: format!(
                    "{}. Tried: the environment (AWS_ACCESS_KEY_ID), the profile ({}) \
                     in ~/.aws/config and ~/.aws/credentials, SSO, web identity, and the \
                     container and instance metadata. Set AWS_PROFILE or --profile, run \
                     `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
                    message.trim_end_matches('.'),
                    settings.profile.as_deref().unwrap_or("AWS_PROFILE, else default")
                ),
            },
            other => other,
        }),
    }
}

/// Where the probe went: the endpoint the user set, or AWS's own.
fn endpoint(settings: &Settings) -> String {
    settings
        .endpoint_url
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_else(|| "https://sts.amazonaws.com (AWS)".into())
}
