//! Lambda reads (us-east-1, where Lambda@Edge functions live): the functions
//! this topology owns, their published versions (a distribution points at a
//! version), and any function of someone else under a name the topology wants.

use std::collections::BTreeMap;

use aws_sdk_lambda::Client;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, Runtime};
use serde_json::json;

use super::fields::Read;
use super::owned::{Tags, holder, live, owner, tags};
use super::paging::all_pages;
use super::tagging::tagged;
use super::{CloudError, Found};
use crate::state::Kind;
use crate::state::live::Unowned;

const SERVICE: &str = "lambda";

fn sdk_error<E, R>(error: aws_sdk_lambda::error::SdkError<E, R>) -> CloudError
where
    E: aws_sdk_lambda::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    CloudError::from_sdk(SERVICE, error)
}

/// Published version ARN -> the code it runs (base64 SHA-256).
pub type Versions = BTreeMap<String, String>;

pub struct Lambda {
    client: Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
}

impl Lambda {
    pub fn new(client: Client, tagging: aws_sdk_resourcegroupstagging::Client) -> Self {
        Lambda { client, tagging }
    }

    /// `wanted`: the function names the topology declares.
    pub async fn functions(
        &self,
        topology: &str,
        wanted: &[String],
    ) -> Result<(Found, Versions), CloudError> {
        let mut found = Found::default();
        let mut versions = Versions::new();
        let mut owned_names = Vec::new();
        for (arn, tags) in tagged(&self.tagging, topology, "lambda:function").await? {
            let Some(addr) = owner(&tags, topology) else { continue };
            let response =
                self.client.get_function().function_name(&arn).send().await.map_err(sdk_error)?;
            let Some(config) = response.configuration() else { continue };
            let name = config.function_name().unwrap_or_default().to_string();
            let fields = [
                ("function_name".to_string(), json!(name)),
                ("runtime".to_string(), json!(config.runtime().map(|r| r.as_str()))),
                ("handler".to_string(), json!(config.handler())),
                ("role_arn".to_string(), json!(config.role())),
                ("memory_size".to_string(), json!(config.memory_size())),
                ("timeout".to_string(), json!(config.timeout())),
                ("code_sha256".to_string(), json!(config.code_sha256())),
            ]
            .into();
            let published = self.versions(&name).await?;
            let mut fields: crate::state::Fields = fields;
            // Not compared (the file does not declare them): for the executor.
            fields.insert("arn".into(), json!(config.function_arn()));
            let latest = published.keys().max_by_key(|arn| arn.rsplit(':').next().and_then(|v| v.parse::<u64>().ok()));
            fields.insert("published_version_arn".into(), json!(latest));
            versions.extend(published);
            found.owned.insert(addr, live(Kind::EdgeFunction, &name, fields, tags, vec![], None));
            owned_names.push(name);
        }
        for name in wanted.iter().filter(|w| !owned_names.contains(w)) {
            match self.client.get_function().function_name(name).send().await {
                Ok(response) => {
                    let tags: Tags = tags(
                        response
                            .tags()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| (k.as_str(), v.as_str())),
                    );
                    let id = response
                        .configuration()
                        .and_then(|c| c.function_arn())
                        .unwrap_or(name)
                        .to_string();
                    found.unowned.push(Unowned {
                        kind: Kind::EdgeFunction,
                        name: name.clone(),
                        id,
                        holder: holder(&tags),
                    });
                }
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_resource_not_found_exception()) => {}
                Err(error) => return Err(sdk_error(error)),
            }
        }
        Ok((found, versions))
    }

    /// Creates the function from its code archive and publishes version 1;
    /// returns the function name and the published version's ARN.
    pub async fn create_function(
        &self,
        r: &Read<'_>,
        code: Vec<u8>,
    ) -> Result<(String, String), CloudError> {
        let response = self
            .client
            .create_function()
            .function_name(r.str("function_name")?)
            .runtime(Runtime::from(r.str("runtime")?))
            .handler(r.str("handler")?)
            .role(r.str("role_arn")?)
            .memory_size(r.int32("memory_size")?)
            .timeout(r.int32("timeout")?)
            .code(FunctionCode::builder().zip_file(Blob::new(code)).build())
            .set_tags(Some(r.tags()?.into_iter().collect()))
            .publish(true)
            .send()
            .await
            .map_err(sdk_error)?;
        let name = response.function_name().unwrap_or_default().to_string();
        let arn = response.function_arn().unwrap_or_default();
        let version = response.version().unwrap_or("1");
        // The unqualified ARN plus the version is the version's ARN.
        let arn = arn.strip_suffix(&format!(":{version}")).unwrap_or(arn);
        Ok((name, format!("{arn}:{version}")))
    }

    async fn versions(&self, name: &str) -> Result<Versions, CloudError> {
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
        Ok(configs
            .iter()
            .filter(|c| c.version() != Some("$LATEST"))
            .filter_map(|c| Some((c.function_arn()?.to_string(), c.code_sha256()?.to_string())))
            .collect())
    }
}
