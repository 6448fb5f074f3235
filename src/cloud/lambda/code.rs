//! The code a function ran: Lambda keeps every published version's
//! package, and GetFunction of a version gives Code.Location, a presigned
//! S3 URL (it carries its own signature) from which the package comes with
//! a plain GET. It goes through the SDK's own HTTPS client, with the
//! client's timeouts; nothing else is fetched this way. An undo of a code
//! change uploads what the function ran before from here, since the folder
//! now holds the new code.

use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::byte_stream::ByteStream;

use super::{Lambda, SERVICE, sdk_error};
use crate::cloud::CloudError;
use crate::state::digest::sha256_base64;

impl Lambda {
    /// The package of a published version of `name` whose code has the
    /// SHA-256 `sha256` (Lambda's CodeSha256), if the function has one.
    pub async fn published_code(
        &self,
        name: &str,
        sha256: &str,
    ) -> Result<Option<Vec<u8>>, CloudError> {
        let versions = self.published(name).await?;
        let Some(version) =
            versions.iter().find(|v| v.code_sha256() == Some(sha256)).and_then(|v| v.version())
        else {
            return Ok(None);
        };
        let asked = self.client.get_function().function_name(name).qualifier(version);
        let function = asked.send().await.map_err(sdk_error)?;
        let location = function.code().and_then(|c| c.location()).ok_or_else(|| {
            CloudError::Internal(format!("Lambda gave no code location for {name}:{version}"))
        })?;
        let package = self.download(location).await?;
        if sha256_base64(&package) != sha256 {
            return Err(CloudError::Package(format!(
                "the code of {name}:{version} downloaded is not the code Lambda says it runs"
            )));
        }
        Ok(Some(package))
    }

    /// The bytes at a URL Lambda handed out.
    async fn download(&self, url: &str) -> Result<Vec<u8>, CloudError> {
        let config = self.client.config();
        let mut settings = HttpConnectorSettings::builder();
        if let Some(timeouts) = config.timeout_config() {
            settings.set_connect_timeout(timeouts.connect_timeout());
            settings.set_read_timeout(timeouts.operation_attempt_timeout());
        }
        let unreachable = |message: String| CloudError::Unreachable { service: SERVICE, message };
        let connector =
            aws_smithy_http_client::default_connector(&settings.build(), config.sleep_impl())
                .ok_or_else(|| CloudError::Internal("no HTTPS client to download with".into()))?;
        let request = HttpRequest::get(url).map_err(|e| unreachable(e.to_string()))?;
        let response = connector.call(request).await.map_err(|e| unreachable(e.to_string()))?;
        let status = response.status().as_u16();
        let body = ByteStream::new(response.into_body()).collect().await;
        let bytes = body.map_err(|e| unreachable(e.to_string()))?.into_bytes().to_vec();
        match status {
            200 => Ok(bytes),
            500..=599 => {
                Err(CloudError::Unavailable { service: SERVICE, status, code: "GetCode".into() })
            }
            _ => Err(CloudError::Api {
                service: SERVICE,
                code: format!("GetCode{status}"),
                message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            }),
        }
    }
}
