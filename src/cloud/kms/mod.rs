//! KMS for one region: the calls of the secrets key's cloud half. A
//! region's keys are found by their aliases (ListAliases, one call) and by
//! their tags (the tagging API, one call, which also finds a key whose
//! alias was never made); each owned key then costs a describe and a look
//! at its rotation.

pub mod key;

use aws_sdk_kms::Client;
use aws_sdk_kms::types::{AliasListEntry, KeyMetadata, KeyState, Tag};

use crate::cloud::CloudError;
use crate::cloud::fields::Read;
use crate::cloud::owned::{Tags, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::{absent, gone};

const SERVICE: &str = "kms";

crate::cloud::error::sdk_errors!(SERVICE);

pub struct Kms {
    client: Client,
}

/// The desired tags of `r`, as KMS takes them.
fn kms_tags(r: &Read<'_>) -> Result<Vec<Tag>, CloudError> {
    let tags = r.tags()?.into_iter().map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build());
    let tags: Result<Vec<Tag>, _> = tags.collect();
    tags.map_err(|e| CloudError::Internal(e.to_string()))
}

/// The key id at the end of a key's ARN (`arn:aws:kms:...:key/<id>`).
fn key_id(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Kms {
    pub fn new(client: Client) -> Self {
        Kms { client }
    }

    /// Every alias of the region's keys.
    async fn aliases(&self) -> Result<Vec<AliasListEntry>, CloudError> {
        all_pages(SERVICE, "ListAliases", |marker: Option<String>| async move {
            let page = self.client.list_aliases().set_marker(marker).send().await;
            let page = page.map_err(sdk_error)?;
            let next = page.truncated().then(|| page.next_marker().map(str::to_string)).flatten();
            Ok((page.aliases().to_vec(), next))
        })
        .await
    }

    /// A key, unless it is gone or its deletion is scheduled.
    async fn key(&self, id: &str) -> Result<Option<KeyMetadata>, CloudError> {
        let asked = self.client.describe_key().key_id(id).send().await.map_err(sdk_error);
        let key = absent(asked)?.and_then(|a| a.key_metadata().cloned());
        let going = |k: &KeyMetadata| {
            matches!(
                k.key_state(),
                Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
            )
        };
        Ok(key.filter(|k| !going(k)))
    }

    /// A key's tags.
    async fn tags(&self, id: &str) -> Result<Tags, CloudError> {
        let listed = all_pages(SERVICE, "ListResourceTags", |marker: Option<String>| async move {
            let page = self.client.list_resource_tags().key_id(id).set_marker(marker).send().await;
            let page = page.map_err(sdk_error)?;
            let next = page.truncated().then(|| page.next_marker().map(str::to_string)).flatten();
            Ok((page.tags().to_vec(), next))
        })
        .await?;
        Ok(tags(listed.iter().map(|t| (t.tag_key(), t.tag_value()))))
    }

    async fn rotation(&self, id: &str) -> Result<bool, CloudError> {
        let asked = self.client.get_key_rotation_status().key_id(id).send().await;
        Ok(asked.map_err(sdk_error)?.key_rotation_enabled())
    }

    /// Turns yearly rotation on or off.
    async fn rotate(&self, id: &str, on: bool) -> Result<(), CloudError> {
        match on {
            true => {
                let sent = self.client.enable_key_rotation().key_id(id).send().await;
                sent.map(|_| ()).map_err(sdk_error)
            }
            false => {
                let sent = self.client.disable_key_rotation().key_id(id).send().await;
                sent.map(|_| ()).map_err(sdk_error)
            }
        }
    }

    /// Points `alias` at key `id`. An alias that already names it was made
    /// by this call's own resend after a lost answer.
    async fn alias(&self, alias: &str, id: &str) -> Result<(), CloudError> {
        let asked = self.client.create_alias().alias_name(alias).target_key_id(id).send().await;
        match asked.map(|_| ()).map_err(sdk_error) {
            Err(CloudError::Api { code, .. })
                if code == "AlreadyExistsException" && self.aliased(alias, id).await? =>
            {
                Ok(())
            }
            other => other,
        }
    }

    /// Whether `alias` names key `id` (an id or an ARN).
    async fn aliased(&self, alias: &str, id: &str) -> Result<bool, CloudError> {
        let aliases = self.aliases().await?;
        let named = |a: &AliasListEntry| {
            a.alias_name() == Some(alias) && a.target_key_id() == Some(key_id(id))
        };
        Ok(aliases.iter().any(named))
    }

    /// The ARNs of the region's keys that carry `tags` (every one of them),
    /// asked of KMS itself, key by key: after a create whose answer was
    /// lost, where the tagging API may not list the new key yet.
    async fn tagged_exactly(&self, wanted: &Tags) -> Result<Vec<String>, CloudError> {
        let keys = all_pages(SERVICE, "ListKeys", |marker: Option<String>| async move {
            let page = self.client.list_keys().set_marker(marker).send().await;
            let page = page.map_err(sdk_error)?;
            let next = page.truncated().then(|| page.next_marker().map(str::to_string)).flatten();
            Ok((page.keys().to_vec(), next))
        })
        .await?;
        let mut found = Vec::new();
        for key in keys {
            let (Some(id), Some(arn)) = (key.key_id(), key.key_arn()) else { continue };
            // AWS's own keys refuse the call; they are not ours either.
            let Ok(tags) = self.tags(id).await else { continue };
            if wanted.iter().all(|(k, v)| tags.get(k) == Some(v)) {
                found.push(arn.to_string());
            }
        }
        Ok(found)
    }

    /// Sets the desired tags of key `id` (others' tags stay).
    async fn tag(&self, id: &str, r: &Read<'_>) -> Result<(), CloudError> {
        let asked = self.client.tag_resource().key_id(id).set_tags(Some(kms_tags(r)?)).send().await;
        asked.map(|_| ()).map_err(sdk_error)
    }

    /// Frees `alias` and schedules the deletion of key `id` after `days`.
    async fn delete(&self, alias: &str, id: &str, days: i32) -> Result<(), CloudError> {
        let freed = self.client.delete_alias().alias_name(alias).send().await;
        gone(freed.map(|_| ()).map_err(sdk_error))?;
        let asked = self.client.schedule_key_deletion().key_id(id).pending_window_in_days(days);
        match asked.send().await.map(|_| ()).map_err(sdk_error) {
            // Already scheduled: as good as gone.
            Err(CloudError::Api { code, .. }) if code == "KMSInvalidStateException" => Ok(()),
            other => gone(other),
        }
    }
}
