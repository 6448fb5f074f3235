//! The edge function's cloud half: read by the topology's tag (with its
//! published versions, the code each runs), and by its declared name where
//! the tagging API does not list it yet; made from its code package and
//! published, updated (code only when its hash changed) and published
//! again, deleted unless CloudFront's replicas still hold it. What is
//! uploaded is what the plan showed: the folder's package if its SHA-256 is
//! the plan's, else a published version's that is (an undo), else nothing.

use serde_json::json;

use super::{Lambda, Said, latest, sdk_error};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Tags, holder, live, owner, tags};
use crate::cloud::read::ReadCall;
use crate::cloud::tagging::tagged;
use crate::cloud::{CloudError, Found};
use crate::kinds::lambda::edge_function::PUBLISHED_VERSION;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::live::Unowned;
use crate::state::package::package;

pub struct EdgeFunction;

/// The live field (not compared: the file does not declare it) that lists
/// the function's published versions, ARN to what each runs (code and configuration), for the read of the
/// distribution that runs one of them.
pub const PUBLISHED_VERSIONS: &str = "published_versions";

fn published(version: String) -> Outputs {
    [(PUBLISHED_VERSION.to_string(), version)].into()
}

impl CloudKind for EdgeFunction {
    /// The functions the tagging API lists with this topology's tag; then
    /// each declared name it did not list (it lists a new function only a
    /// while after it was made): wway's when its own tags say so, else a
    /// clash with someone else's.
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let lambda = Lambda::new(call.clients.lambda.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let mut found = Found::default();
            let mut owned_names = Vec::new();
            for (arn, tags) in tagged(&lambda.tagging, call.topology, "lambda:function").await? {
                let Some(addr) = owner(&tags, call.topology) else { continue };
                let response = lambda
                    .client
                    .get_function()
                    .function_name(&arn)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let Some(config) = response.configuration() else { continue };
                let (name, live) = described(&lambda, config, tags).await?;
                found.owned.insert(addr, live);
                owned_names.push(name);
            }
            for name in call.declared.iter().map(|r| &r.name).filter(|w| !owned_names.contains(w)) {
                let response = match lambda.client.get_function().function_name(name).send().await {
                    Ok(response) => response,
                    Err(error)
                        if error
                            .as_service_error()
                            .is_some_and(|e| e.is_resource_not_found_exception()) =>
                    {
                        continue;
                    }
                    Err(error) => return Err(sdk_error(error)),
                };
                let pairs = response.tags().into_iter().flatten();
                let tags: Tags = tags(pairs.map(|(k, v)| (k.as_str(), v.as_str())));
                let Some(config) = response.configuration() else { continue };
                if let Some(addr) = owner(&tags, call.topology) {
                    found.owned.insert(addr, described(&lambda, config, tags).await?.1);
                    continue;
                }
                found.unowned.push(Unowned {
                    kind: Kind::EdgeFunction,
                    name: name.clone(),
                    id: config.function_arn().unwrap_or(name).to_string(),
                    holder: holder(&tags),
                    wanted_by: None,
                });
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let lambda = Lambda::new(call.clients.lambda.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let (name, version) =
                lambda.create_function(call.scope, &read(target), code(target)?).await?;
            // CloudFront takes the version only once Lambda has it Active.
            let number = version.rsplit(':').next();
            let ready = lambda.ready(&name, number, call.wait()).await;
            ready.map_err(|error| error.made(&name))?;
            Ok(Made { id: name, outputs: published(version) })
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let lambda = Lambda::new(call.clients.lambda.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            // The folder is packaged only when the code is to change.
            let new_code = before.get("code_sha256") != target.fields.get("code_sha256");
            let code = match new_code {
                true => Some(planned_code(&lambda, target, id).await?),
                false => None,
            };
            let r = read(target);
            lambda.update_function(&r, before, code, call.wait()).await.map(published)
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let lambda = Lambda::new(call.clients.lambda.clone(), call.clients.tagging.clone());
        Box::pin(async move {
            let gone = lambda.delete_function(id).await?;
            Ok(if gone { Deleted::Gone } else { Deleted::Deferred })
        })
    }
}

/// The package of the target's code folder, if it is the one the plan showed.
fn code(target: &Target) -> Result<Vec<u8>, CloudError> {
    let folder = target
        .source
        .as_deref()
        .ok_or_else(|| CloudError::Internal(format!("{}: no code folder", target.addr)))?;
    let package =
        package(folder).map_err(|e| CloudError::Package(format!("{}: {e}", folder.display())))?;
    // What is uploaded is what the plan showed: code changed in the folder
    // since then (the plan was reviewed, or saved) is refused, not shipped.
    let planned = target.fields.get("code_sha256").and_then(|v| v.as_str());
    if planned != Some(package.sha256.as_str()) {
        return Err(CloudError::Package(format!(
            "{}: the code in {} changed since the plan: its package is {}, the plan showed {}; \
             plan again and review the change",
            target.addr,
            folder.display(),
            package.sha256,
            planned.unwrap_or("none")
        )));
    }
    Ok(package.bytes)
}

/// The code the plan showed for the function `name`: the folder's package
/// when it is that code, else the package of a published version that runs
/// it. An undo of a code change is the second: the folder holds the new
/// code, and Lambda the code the function ran before.
async fn planned_code(lambda: &Lambda, target: &Target, name: &str) -> Result<Vec<u8>, CloudError> {
    let not_in_folder = match code(target) {
        Err(CloudError::Package(why)) => why,
        folder => return folder,
    };
    let planned = target.fields.get("code_sha256").and_then(|v| v.as_str());
    let published = match planned {
        Some(sha256) => lambda.published_code(name, sha256).await?,
        None => None,
    };
    published.ok_or(CloudError::Package(not_in_folder))
}

/// An owned function as the read reports it: its name, and its fields with
/// its published versions (one more call, ListVersionsByFunction).
async fn described(
    lambda: &Lambda,
    config: &aws_sdk_lambda::types::FunctionConfiguration,
    tags: Tags,
) -> Result<(String, crate::state::live::LiveResource), CloudError> {
    let name = config.function_name().unwrap_or_default().to_string();
    let mut fields: Fields = [
        ("function_name".to_string(), json!(name)),
        ("runtime".to_string(), json!(config.runtime().map(|r| r.as_str()))),
        ("handler".to_string(), json!(config.handler())),
        ("role_arn".to_string(), json!(config.role())),
        ("memory_size".to_string(), json!(config.memory_size())),
        ("timeout".to_string(), json!(config.timeout())),
        ("code_sha256".to_string(), json!(config.code_sha256())),
    ]
    .into();
    let published = lambda.versions(&name).await?;
    // Not compared (the file does not declare them): for the executor.
    fields.insert("arn".into(), json!(config.function_arn()));
    fields.insert("published_version_arn".into(), json!(latest(&published)));
    fields.insert(PUBLISHED_VERSIONS.into(), json!(published));
    let mut live = live(Kind::EdgeFunction, &name, fields, tags, vec![], None);
    live.unhealthy = Said {
        state: config.state().map_or("Active", |s| s.as_str()),
        state_reason: config.state_reason(),
        update: config.last_update_status().map_or("Successful", |s| s.as_str()),
        update_reason: config.last_update_status_reason(),
    }
    .unhealthy();
    Ok((name, live))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::{Kind, ResourceAddr};

    /// Regression: the code folder was packaged again at upload time and
    /// shipped whatever it held then, reviewed or not.
    #[test]
    fn code_that_changed_since_the_plan_is_not_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.js"), "exports.handler = 1;\n").unwrap();
        let planned = package(dir.path()).unwrap().sha256;
        let target = Target {
            addr: ResourceAddr::new("us-east-1/edge-function/router"),
            kind: Kind::EdgeFunction,
            region: "us-east-1".into(),
            fields: [("code_sha256".to_string(), serde_json::json!(planned))].into(),
            source: Some(dir.path().to_path_buf()),
        };
        assert_eq!(code(&target).unwrap(), package(dir.path()).unwrap().bytes);
        std::fs::write(dir.path().join("index.js"), "exports.handler = 2;\n").unwrap();
        let error = code(&target).unwrap_err().to_string();
        assert!(error.contains("changed since the plan"), "{error}");
    }
}
