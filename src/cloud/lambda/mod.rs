//! Lambda (us-east-1, where Lambda@Edge functions live): the calls of the
//! edge function's cloud half: creating, publishing, updating and deleting
//! functions, and listing their published versions (a distribution points
//! at a version).

mod code;
pub mod edge_function;

use std::collections::BTreeMap;

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, FunctionConfiguration, Runtime};

use crate::cloud::fields::Read;
use crate::cloud::owned::{Mark, Tags, adopt, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::{Poll, Wait, gone, until};
use crate::cloud::{CloudError, RunScope};
use crate::kinds::lambda::edge_function::version_digest;
use crate::state::live::{Health, Unhealthy};

const SERVICE: &str = "lambda";

crate::cloud::error::sdk_errors!(SERVICE);

/// Published version ARN -> what it runs (`edge_function::version_digest`).
pub type Versions = BTreeMap<String, String>;

/// A published version's ARN: the function's ARN (Lambda answers with or
/// without the version) qualified by the version.
fn version_arn(arn: Option<&str>, version: Option<&str>) -> String {
    let (arn, version) = (arn.unwrap_or_default(), version.unwrap_or("1"));
    format!("{}:{version}", arn.strip_suffix(&format!(":{version}")).unwrap_or(arn))
}

/// The ARN of the highest published version.
fn latest(versions: &Versions) -> Option<&String> {
    versions.keys().max_by_key(|arn| arn.rsplit(':').next().and_then(|v| v.parse::<u64>().ok()))
}

/// How long a function or version may stay Pending, or an update
/// InProgress: seconds on AWS, minutes at worst.
const READY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

pub struct Lambda {
    client: Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
}

/// What Lambda says of a function's state and of its last update.
pub struct Said<'a> {
    pub state: &'a str,
    pub state_reason: Option<&'a str>,
    pub update: &'a str,
    pub update_reason: Option<&'a str>,
}

impl Said<'_> {
    /// A function whose creation failed (State Failed) is failed for good;
    /// one whose last update failed still runs what it ran before: degraded.
    pub fn unhealthy(&self) -> Option<Unhealthy> {
        let (health, reason) = match (self.state, self.update) {
            ("Failed", _) => {
                (Health::Failed, format!("Failed: {}", self.state_reason.unwrap_or_default()))
            }
            (_, "Failed") => (
                Health::Degraded,
                format!("update Failed: {}", self.update_reason.unwrap_or_default()),
            ),
            _ => return None,
        };
        Some(Unhealthy { health, reason })
    }
}

impl Lambda {
    pub fn new(client: Client, tagging: aws_sdk_resourcegroupstagging::Client) -> Self {
        Lambda { client, tagging }
    }

    /// Creates the function from its code archive and publishes version 1;
    /// returns the function name and the published version's ARN.
    pub async fn create_function(
        &self,
        scope: RunScope<'_>,
        r: &Read<'_>,
        code: Vec<u8>,
    ) -> Result<(String, String), CloudError> {
        let name = r.str("function_name")?;
        let created = self
            .client
            .create_function()
            .function_name(name)
            .runtime(Runtime::from(r.str("runtime")?))
            .handler(r.str("handler")?)
            .role(r.str("role_arn")?)
            .memory_size(r.int32("memory_size")?)
            .timeout(r.int32("timeout")?)
            .code(FunctionCode::builder().zip_file(Blob::new(code)).build())
            .set_tags(Some(r.tags()?.into_iter().collect()))
            .publish(true)
            .send()
            .await;
        let response = match created {
            // The SDK resent a create whose answer was lost: the function is
            // there. Adopt it if it is this resource, by its ownership tag.
            Err(error)
                if error.as_service_error().is_some_and(|e| e.is_resource_conflict_exception()) =>
            {
                return self.adopt(scope, name, r).await?.ok_or_else(|| sdk_error(error));
            }
            other => other.map_err(sdk_error)?,
        };
        let version = version_arn(response.function_arn(), response.version());
        Ok((response.function_name().unwrap_or(name).to_string(), version))
    }

    /// The function `name` and its latest published version, if a create
    /// of `r` in this run provably made it.
    async fn adopt(
        &self,
        scope: RunScope<'_>,
        name: &str,
        r: &Read<'_>,
    ) -> Result<Option<(String, String)>, CloudError> {
        let response =
            self.client.get_function().function_name(name).send().await.map_err(sdk_error)?;
        let tags: Tags =
            tags(response.tags().into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str())));
        if adopt(&scope, r.addr, [((), Mark::Tags(&tags))]).is_none() {
            return Ok(None);
        }
        let published = self.versions(name).await?;
        let version = match latest(&published) {
            Some(arn) => arn.clone(),
            None => {
                let published = self
                    .client
                    .publish_version()
                    .function_name(name)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                version_arn(published.function_arn(), published.version())
            }
        };
        Ok(Some((name.to_string(), version)))
    }

    /// Waits until the function (or one published version of it) is ready:
    /// State Active (a new function or version is Pending for seconds, and
    /// CloudFront refuses a version that is not Active) and no update
    /// InProgress (Lambda refuses the next change until then). A Failed
    /// state or update ends the wait with Lambda's reason.
    pub async fn ready(
        &self,
        name: &str,
        version: Option<&str>,
        wait: Wait<'_>,
    ) -> Result<(), CloudError> {
        let what = match version {
            Some(version) => format!("function {name} version {version}"),
            None => format!("function {name}"),
        };
        until(&what, wait.limit(READY), wait.progress, || async {
            let asked = self.client.get_function_configuration().function_name(name);
            let config = asked.set_qualifier(version.map(str::to_string)).send().await;
            let config = config.map_err(sdk_error)?;
            let state = config.state().map(|s| s.as_str()).unwrap_or("Active");
            let update = config.last_update_status().map(|s| s.as_str()).unwrap_or("Successful");
            let said = Said {
                state,
                state_reason: config.state_reason(),
                update,
                update_reason: config.last_update_status_reason(),
            };
            Ok(match (said.unhealthy(), state, update) {
                (Some(unhealthy), _, _) => Poll::Failed(unhealthy.reason),
                (None, "Active", "Successful") => Poll::Done,
                (None, "Active", update) => Poll::Waiting(update.to_string()),
                (None, state, _) => Poll::Waiting(state.to_string()),
            })
        })
        .await
    }

    /// Configuration, then code (when it changed), then a new published
    /// version (Lambda@Edge runs versions, never $LATEST); returns its ARN.
    pub async fn update_function(
        &self,
        r: &Read<'_>,
        before: &crate::state::Fields,
        code: Option<Vec<u8>>,
        wait: Wait<'_>,
    ) -> Result<String, CloudError> {
        let name = r.str("function_name")?;
        self.client
            .update_function_configuration()
            .function_name(name)
            .runtime(Runtime::from(r.str("runtime")?))
            .handler(r.str("handler")?)
            .role(r.str("role_arn")?)
            .memory_size(r.int32("memory_size")?)
            .timeout(r.int32("timeout")?)
            .send()
            .await
            .map_err(sdk_error)?;
        self.ready(name, None, wait).await?;
        if let Some(code) = code {
            self.client
                .update_function_code()
                .function_name(name)
                .zip_file(Blob::new(code))
                .send()
                .await
                .map_err(sdk_error)?;
            self.ready(name, None, wait).await?;
        }
        let published =
            self.client.publish_version().function_name(name).send().await.map_err(sdk_error)?;
        self.ready(name, published.version(), wait).await?;
        if let Some(arn) = before.get("arn").and_then(|a| a.as_str()) {
            let tags = r.tags()?.into_iter().collect();
            self.client
                .tag_resource()
                .resource(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(sdk_error)?;
        }
        Ok(version_arn(published.function_arn(), published.version()))
    }

    /// Deletes the function. While CloudFront still holds replicas of a
    /// Lambda@Edge function (for hours after a distribution lets go of it),
    /// Lambda refuses: that is `Ok(false)`, a deletion to retry on a later run.
    pub async fn delete_function(&self, name: &str) -> Result<bool, CloudError> {
        match gone(
            self.client
                .delete_function()
                .function_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(sdk_error),
        ) {
            Ok(()) => Ok(true),
            Err(CloudError::Api { message, .. }) if message.contains("replicated function") => {
                Ok(false)
            }
            Err(error) => Err(error),
        }
    }

    /// The configuration of each published version of the function (not
    /// of $LATEST).
    async fn published(&self, name: &str) -> Result<Vec<FunctionConfiguration>, CloudError> {
        let configs =
            all_pages(SERVICE, "ListVersionsByFunction", |token: Option<String>| async move {
                let page = self
                    .client
                    .list_versions_by_function()
                    .function_name(name)
                    .set_marker(token)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                Ok((page.versions().to_vec(), page.next_marker().map(str::to_string)))
            })
            .await?;
        Ok(configs.into_iter().filter(|c| c.version() != Some("$LATEST")).collect())
    }

    /// The function's published versions and the code each runs.
    async fn versions(&self, name: &str) -> Result<Versions, CloudError> {
        Ok(self
            .published(name)
            .await?
            .iter()
            .filter_map(|c| {
                let runtime = c.runtime().map(|r| r.as_str()).unwrap_or_default();
                let (memory, timeout) = (c.memory_size()?.into(), c.timeout()?.into());
                let (handler, role) =
                    (c.handler().unwrap_or_default(), c.role().unwrap_or_default());
                let runs =
                    version_digest(c.code_sha256()?, runtime, handler, role, memory, timeout);
                Some((c.function_arn()?.to_string(), runs))
            })
            .collect())
    }
}
