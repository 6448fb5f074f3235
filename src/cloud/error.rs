//! [`CloudError`]: what went wrong with an AWS call, in wway's terms, so that
//! the executor can retry throttling and the CLI can print one clear line.

use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    #[error("{service}: throttled by AWS ({code})")]
    Throttled { service: &'static str, code: String },
    #[error("{service}: no credentials or not allowed: {message}")]
    Credentials { service: &'static str, message: String },
    #[error("{service}: AWS answered {status} ({code}), a passing failure")]
    Unavailable { service: &'static str, status: u16, code: String },
    #[error("{service}: cannot reach the endpoint: {message}")]
    Unreachable { service: &'static str, message: String },
    #[error("{service}: {code}: {message}")]
    Api { service: &'static str, code: String, message: String },
    /// A wait that ran out of time.
    #[error("{what} still {status} after {seconds} s")]
    Timeout { what: String, status: String, seconds: u64 },
    /// A wait that AWS ended: the resource or update failed, for `reason`
    /// (the state and what AWS gave as the cause).
    #[error("{what} {reason}")]
    Failed { what: String, reason: String },
    /// A create that made its resource (`id`), which then did not become
    /// ready: the resource is there, and a rollback deletes it.
    #[error("{error}")]
    MadeThenFailed { id: String, error: Box<CloudError> },
    /// A code package that is not what the plan showed.
    #[error("{0}")]
    Package(String),
    /// A reference to what has no AWS id yet (a bug in the steps' order).
    #[error("wway: {0}")]
    Unresolved(#[from] crate::state::live::Unresolved),
    /// A fault of wway's own (fields that do not read as their kind's).
    #[error("wway: {0}")]
    Internal(String),
}

/// Defines `sdk_error`, which turns an SDK error of the service `$service`
/// into a [`CloudError`]: one line per service module instead of a copy of
/// the generic bounds in each.
macro_rules! sdk_errors {
    ($service:expr) => {
        fn sdk_error<E>(
            error: aws_smithy_runtime_api::client::result::SdkError<
                E,
                aws_smithy_runtime_api::client::orchestrator::HttpResponse,
            >,
        ) -> $crate::cloud::CloudError
        where
            E: aws_smithy_types::error::metadata::ProvideErrorMetadata
                + std::error::Error
                + 'static,
        {
            $crate::cloud::CloudError::from_sdk($service, error)
        }
    };
}
pub(crate) use sdk_errors;

const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "PriorRequestNotComplete",
    "SlowDown",
];

/// Whether an answer the SDK could not parse into an error code is a
/// throttle: a 429, or a body that says so in any protocol's words. Being
/// wrong here costs a retry; being wrong the other way fails the run.
fn unparsed_throttle(status: u16, body: &[u8]) -> bool {
    let body = String::from_utf8_lossy(body).to_ascii_lowercase();
    status == 429
        || ["throttl", "rate exceeded", "slowdown", "too many requests"]
            .iter()
            .any(|w| body.contains(w))
}

const CREDENTIALS: &[&str] = &[
    "AuthFailure",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AccessDenied",
    "AccessDeniedException",
];

/// What services answer while something made moments ago has not reached
/// them yet: (error code, words of the message). An IAM role Lambda cannot
/// assume yet (AWS gives no other signal; terraform-provider-aws retries on
/// the same words); a hosted zone Route 53 does not find yet, seconds after
/// CreateHostedZone made it (a zone that is really gone fails after the
/// same wait).
const NOT_PROPAGATED: &[(&str, &str)] = &[
    ("InvalidParameterValueException", "cannot be assumed by Lambda"),
    ("NoSuchHostedZone", "No hosted zone found"),
];

impl CloudError {
    /// Whether a service refused what was made moments ago and has not
    /// reached it yet (an IAM role, a hosted zone): it passes within seconds
    /// to minutes.
    pub fn not_propagated(&self) -> bool {
        matches!(self.cause(), CloudError::Api { code, message, .. }
            if NOT_PROPAGATED.iter().any(|(c, words)| code == c && message.contains(words)))
    }

    /// Whether asking again later may succeed: a throttle, a 5xx, a
    /// connection that dropped (after the SDK's own attempts).
    pub fn may_pass(&self) -> bool {
        match self.cause() {
            CloudError::Throttled { .. }
            | CloudError::Unavailable { .. }
            | CloudError::Unreachable { .. } => true,
            CloudError::Api { code, .. } => {
                matches!(code.as_str(), "ServiceUnavailable" | "InternalError" | "InternalFailure")
            }
            CloudError::Credentials { .. }
            | CloudError::Timeout { .. }
            | CloudError::Failed { .. }
            | CloudError::MadeThenFailed { .. }
            | CloudError::Package(_)
            | CloudError::Unresolved(_)
            | CloudError::Internal(_) => false,
        }
    }

    /// This failure, of a create that made `id` before it failed.
    pub fn made(self, id: &str) -> CloudError {
        match self {
            made @ CloudError::MadeThenFailed { .. } => made,
            error => CloudError::MadeThenFailed { id: id.to_string(), error: Box::new(error) },
        }
    }

    /// The failure itself, without what a create left behind.
    pub fn cause(&self) -> &CloudError {
        match self {
            CloudError::MadeThenFailed { error, .. } => error.cause(),
            other => other,
        }
    }

    /// Classifies an SDK error of any service.
    pub fn from_sdk<E>(service: &'static str, error: SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match &error {
            SdkError::ServiceError(inner) => {
                let err = inner.err();
                let code = err.code().unwrap_or("Unknown").to_string();
                let message = err.message().unwrap_or_default().to_string();
                let status = inner.raw().status().as_u16();
                let body = inner.raw().body().bytes().unwrap_or_default();
                if THROTTLING.contains(&code.as_str())
                    || (err.code().is_none() && unparsed_throttle(status, body))
                {
                    CloudError::Throttled { service, code }
                } else if status >= 500 {
                    CloudError::Unavailable { service, status, code }
                } else if CREDENTIALS.contains(&code.as_str()) {
                    CloudError::Credentials { service, message: format!("{code}: {message}") }
                } else {
                    CloudError::Api { service, code, message }
                }
            }
            // The SDK loads credentials while it dispatches a request.
            SdkError::DispatchFailure(_) if causes(&error).any(|c| c.contains("credentials")) => {
                CloudError::Credentials {
                    service,
                    message: format!(
                        "no usable credentials in the AWS chain (environment, profile, SSO, IMDS): {}",
                        innermost(&error)
                    ),
                }
            }
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => {
                CloudError::Unreachable { service, message: innermost(&error) }
            }
            _ => {
                let message = innermost(&error);
                if message.contains("credentials") {
                    CloudError::Credentials { service, message }
                } else {
                    CloudError::Api { service, code: "Client".into(), message }
                }
            }
        }
    }
}

/// The messages of an error and of each of its causes, outermost first.
fn causes(error: &dyn std::error::Error) -> impl Iterator<Item = String> + '_ {
    std::iter::successors(Some(error), |e| e.source()).map(ToString::to_string)
}

/// The deepest cause's message: the SDK's outer layers only say "dispatch failure".
fn innermost(error: &dyn std::error::Error) -> String {
    causes(error).last().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_resourcegroupstagging::operation::get_resources::GetResourcesError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn answered(status: u16, code: Option<&str>, body: &'static str) -> CloudError {
        let mut meta = ErrorMetadata::builder();
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let error = GetResourcesError::generic(meta.build());
        let status = aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap();
        let raw = HttpResponse::new(status, SdkBody::from(body));
        CloudError::from_sdk("tagging", SdkError::service_error(error, raw))
    }

    /// Regression: a throttle in a format the client could not parse (XML
    /// to the tagging API's JSON client) stopped the run as "tagging: Unknown".
    #[test]
    fn a_throttle_is_retryable_however_it_is_worded() {
        let xml = "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>";
        assert!(matches!(answered(400, None, xml), CloudError::Throttled { .. }));
        assert!(matches!(answered(429, None, ""), CloudError::Throttled { .. }));
        assert!(matches!(
            answered(400, Some("ThrottledException"), ""),
            CloudError::Throttled { .. }
        ));
        assert!(matches!(answered(503, Some("SlowDown"), ""), CloudError::Throttled { .. }));
        assert!(matches!(answered(400, None, "{}"), CloudError::Api { .. }));
        assert!(matches!(
            answered(400, Some("InvalidParameterException"), "rate exceeded"),
            CloudError::Api { .. }
        ));
    }
}
