//! The secrets key's cloud half: read by alias and by tag; made once (an
//! earlier attempt's key is found by its alias or its tags first: CreateKey
//! takes no idempotency token, so it is sent once and never resent by the
//! SDK), then aliased and rotated; its description, rotation, alias and tags
//! set in place; deleted by freeing its alias and scheduling its deletion.

use std::collections::BTreeMap;

use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType};
use aws_smithy_types::retry::RetryConfig;
use serde_json::{Value, json};

use super::{Kms, key_id, kms_tags, sdk_error};
use crate::cloud::CloudError;
use crate::cloud::Found;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Mark, Tags, adopt, holder, live, owner};
use crate::cloud::paging::describe_each;
use crate::cloud::read::ReadCall;
use crate::cloud::tagging::tagged;
use crate::kinds::kms::key::{DELETION_WINDOW_DAYS, alias_prefix};
use crate::kinds::{Fields, ID_TAG, Kind, ResourceAddr, TOPOLOGY_TAG};
use crate::plan::steps::Target;
use crate::state::live::{Health, Outputs, Unhealthy, Unowned};

pub struct KmsKey;

/// What the region holds of the topology's keys: by key id, its tags where
/// the tagging API gave them, and its alias of the topology's.
type Seen = BTreeMap<String, (Option<Tags>, Option<String>)>;

impl CloudKind for KmsKey {
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let kms = Kms::new(call.clients.kms.clone());
        Box::pin(async move {
            let prefix = alias_prefix(call.topology);
            let (by_tag, aliases) = tokio::try_join!(
                tagged(&call.clients.tagging, call.topology, "kms:key"),
                kms.aliases()
            )?;
            let mut seen = Seen::new();
            for (arn, tags) in by_tag {
                seen.entry(key_id(&arn).to_string()).or_default().0 = Some(tags);
            }
            for alias in aliases {
                let (Some(name), Some(key)) = (alias.alias_name(), alias.target_key_id()) else {
                    continue;
                };
                if name.starts_with(&prefix) {
                    seen.entry(key.to_string()).or_default().1 = Some(name.to_string());
                }
            }
            let described = describe_each(seen.into_iter().collect(), |(id, (tags, alias))| {
                let kms = &kms;
                async move {
                    // At once: a plan's longest chain of reads runs through
                    // the cluster, which names its key.
                    let tags = async {
                        match tags {
                            Some(tags) => Ok(tags),
                            None => kms.tags(&id).await,
                        }
                    };
                    let (key, tags, rotation) = tokio::join!(kms.key(&id), tags, kms.rotation(&id));
                    let Some(key) = key? else { return Ok(None) };
                    Ok(Some((key, tags?, alias, rotation?)))
                }
            });
            let mut found = Found::default();
            for (key, tags, alias, rotation) in described.await?.into_iter().flatten() {
                let arn = key.arn().unwrap_or_default().to_string();
                let Some(addr) = owner(&tags, call.topology) else {
                    // Someone else's key under the topology's alias.
                    let declared = call
                        .declared
                        .iter()
                        .find(|d| alias.is_some() && d.fields.get("alias") == Some(&json!(alias)));
                    if let Some(declared) = declared {
                        found.unowned.push(Unowned {
                            kind: Kind::KmsKey,
                            name: declared.name.clone(),
                            id: arn,
                            holder: holder(&tags),
                            wanted_by: None,
                        });
                    }
                    continue;
                };
                let fields = [
                    ("alias".to_string(), json!(alias)),
                    ("description".to_string(), json!(key.description())),
                    ("rotation".to_string(), json!(rotation)),
                    ("arn".to_string(), json!(arn)),
                ]
                .into();
                let mut made = live(Kind::KmsKey, &arn, fields, tags, vec![], None);
                if key.key_state() != Some(&KeyState::Enabled) {
                    let state = key.key_state().map(|s| s.as_str()).unwrap_or("Unknown");
                    made.unhealthy = Some(Unhealthy {
                        health: Health::Failed,
                        reason: format!("{state}: the cluster cannot read its secrets with it"),
                    });
                }
                found.owned.insert(addr, made);
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let kms = Kms::new(call.clients.kms.clone());
        Box::pin(async move {
            let r = read(target);
            let alias = r.str("alias")?;
            let arn = match kms.made_earlier(call, &target.addr, alias).await? {
                Some(arn) => arn,
                None => {
                    let tags = kms_tags(&r)?;
                    let create = kms
                        .client
                        .create_key()
                        .description(r.str("description")?)
                        .key_usage(KeyUsageType::EncryptDecrypt)
                        .key_spec(KeySpec::SymmetricDefault)
                        .set_tags(Some(tags));
                    let sent_once = aws_sdk_kms::config::Config::builder()
                        .retry_config(RetryConfig::disabled());
                    let made = create.customize().config_override(sent_once).send().await;
                    match made.map_err(sdk_error) {
                        Ok(made) => {
                            let arn = made.key_metadata().and_then(|k| k.arn());
                            arn.unwrap_or_default().to_string()
                        }
                        // The answer may be lost, not the key: KMS itself
                        // says whether it made one.
                        Err(
                            error @ (CloudError::Unavailable { .. }
                            | CloudError::Unreachable { .. }),
                        ) => {
                            let ours = kms.tagged_exactly(&made_by(call, &target.addr)).await?;
                            ours.into_iter().next().ok_or(error)?
                        }
                        Err(error) => return Err(error),
                    }
                }
            };
            let finish = async {
                kms.alias(alias, &arn).await?;
                let rotation = r.get("rotation").and_then(Value::as_bool).unwrap_or(true);
                kms.rotate(&arn, rotation).await
            };
            finish.await.map_err(|error| error.made(&arn))?;
            Ok(Made::id(arn))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let kms = Kms::new(call.clients.kms.clone());
        Box::pin(async move {
            let r = read(target);
            let changed = |f: &str| r.changed(before, f);
            if changed("alias") {
                kms.alias(r.str("alias")?, id).await?;
            }
            if changed("description") {
                let asked = kms.client.update_key_description().key_id(id);
                asked.description(r.str("description")?).send().await.map_err(sdk_error)?;
            }
            if changed("rotation") {
                kms.rotate(id, r.get("rotation").and_then(Value::as_bool).unwrap_or(true)).await?;
            }
            if changed("tags") {
                kms.tag(id, &r).await?;
            }
            Ok(Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let kms = Kms::new(call.clients.kms.clone());
        Box::pin(async move {
            let r = read(target);
            let days = r.get("deletion_window_days").and_then(Value::as_i64);
            let days = days.unwrap_or(i64::from(DELETION_WINDOW_DAYS)) as i32;
            kms.delete(r.str("alias")?, id, days).await.map(|()| Deleted::Gone)
        })
    }
}

impl Kms {
    /// The key an earlier attempt made for `addr`: the one its alias names,
    /// or, where the answer to CreateKey was lost before the alias was
    /// made, one the tagging API finds with its tags.
    async fn made_earlier(
        &self,
        call: &Call<'_>,
        addr: &ResourceAddr,
        alias: &str,
    ) -> Result<Option<String>, CloudError> {
        let aliases = self.aliases().await?;
        let named = aliases.iter().find(|a| a.alias_name() == Some(alias));
        if let Some(key) = named.and_then(|a| a.target_key_id()) {
            let Some(described) = self.key(key).await? else { return Ok(None) };
            let tags = self.tags(key).await?;
            let arn = described.arn().unwrap_or_default().to_string();
            return Ok(adopt(&call.scope, addr, [(arn, Mark::Tags(&tags))]));
        }
        let by_tag = tagged(&call.clients.tagging, call.scope.topology, "kms:key").await?;
        for (arn, tags) in by_tag {
            let ours = adopt(&call.scope, addr, [(arn.as_str(), Mark::Tags(&tags))]);
            if let Some(arn) = ours
                && self.key(key_id(arn)).await?.is_some()
            {
                return Ok(Some(arn.to_string()));
            }
        }
        Ok(None)
    }
}

/// The ownership tags of the resource at `addr`.
fn made_by(call: &Call<'_>, addr: &ResourceAddr) -> Tags {
    [(TOPOLOGY_TAG, call.scope.topology), (ID_TAG, addr.as_str())]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
