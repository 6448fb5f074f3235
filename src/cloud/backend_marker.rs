//! The account's word on which backend holds a topology's journals and lock:
//! an SSM parameter `/wway/<topology>/backend` in us-east-1 whose value names
//! the backend (`s3://bucket/prefix/topology`, or `local://host/path` for a
//! state folder). A run claims it before it changes anything; the parameter
//! is made only if absent (PutParameter without Overwrite), so of two runs
//! with two backends (two state folders, or a folder and a bucket) one wins
//! and the other is refused, instead of both making everything, each under
//! its own lock, and each rollback undoing what the other adopted.

use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::ParameterType;

use super::CloudError;

const SERVICE: &str = "ssm";

super::error::sdk_errors!(SERVICE);

/// Whose the topology's marker is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This backend's (claimed now, or before).
    Ours,
    /// No marker: nobody has claimed the topology in this account.
    Unclaimed,
    /// Another backend's, named.
    Theirs(String),
}

fn name(topology: &str) -> String {
    format!("/wway/{topology}/backend")
}

pub struct BackendMarker {
    client: Client,
}

impl BackendMarker {
    pub fn new(client: Client) -> Self {
        BackendMarker { client }
    }

    /// The backend the account names for `topology`, compared with `ours`.
    pub async fn read(&self, topology: &str, ours: &str) -> Result<Claim, CloudError> {
        let answer = self.client.get_parameter().name(name(topology)).send().await;
        match answer {
            Ok(output) => {
                let value = output.parameter().and_then(|p| p.value()).unwrap_or_default();
                Ok(if value == ours { Claim::Ours } else { Claim::Theirs(value.to_string()) })
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => {
                Ok(Claim::Unclaimed)
            }
            Err(error) => Err(sdk_error(error)),
        }
    }

    /// Claims `topology` for backend `ours` unless another backend has it.
    pub async fn claim(&self, topology: &str, ours: &str) -> Result<Claim, CloudError> {
        if let claim @ (Claim::Ours | Claim::Theirs(_)) = self.read(topology, ours).await? {
            return Ok(claim);
        }
        let put = self
            .client
            .put_parameter()
            .name(name(topology))
            .value(ours)
            .r#type(ParameterType::String)
            .description("wway: the backend that holds this topology's journals and lock")
            .overwrite(false)
            .send()
            .await;
        match put {
            Ok(_) => Ok(Claim::Ours),
            // Another run claimed it between the read and the put.
            Err(error)
                if error.as_service_error().is_some_and(|e| e.is_parameter_already_exists()) =>
            {
                self.read(topology, ours).await
            }
            Err(error) => Err(sdk_error(error)),
        }
    }

    /// Lets go of the claim (the topology owns nothing any more), if it is ours.
    pub async fn release(&self, topology: &str, ours: &str) -> Result<(), CloudError> {
        if self.read(topology, ours).await? != Claim::Ours {
            return Ok(());
        }
        match self.client.delete_parameter().name(name(topology)).send().await {
            Err(error) if !error.as_service_error().is_some_and(|e| e.is_parameter_not_found()) => {
                Err(sdk_error(error))
            }
            _ => Ok(()),
        }
    }
}
