//! The team backend: journals, the lock and the scope as objects in an S3
//! bucket, under `<prefix>/<topology>/`. The lock is a put with
//! `If-None-Match: *`, which S3 refuses with 412 when the object exists (as
//! Terraform 1.10+ locks its state). S3 cannot append, so a journal entry is
//! a put of the whole journal with `If-Match` on the ETag of the last put:
//! a write that another writer raced is refused, never lost. Each put returns
//! once S3 has stored it durably.

use std::collections::HashMap;
use std::io;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use futures_util::FutureExt;
use tokio::sync::Mutex;

use super::{Store, Stored};
use crate::cloud::error::sdk_errors;
use crate::cloud::paging::all_pages;
use crate::cloud::{CloudError, Settings, config};
use crate::topology::backend::S3Location;

sdk_errors!("s3");

fn failed(error: CloudError) -> io::Error {
    io::Error::other(error)
}

/// How often a conditional put is tried again when S3 answers 409
/// (ConditionalRequestConflict: another conditional write to the key was in
/// flight) before giving up.
const CONFLICT_ATTEMPTS: u32 = 3;

pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// `<prefix>/<topology>`: this topology's folder in the bucket.
    root: String,
    /// The objects this process appends to: their bytes and last ETag.
    appending: Mutex<HashMap<String, (Vec<u8>, String)>>,
}

/// The region of the bucket: the URL's `?region=`, else the one the AWS
/// chain gives (environment, profile), else us-east-1.
async fn bucket_region(location: &S3Location, settings: &Settings) -> String {
    if let Some(region) = &location.region {
        return region.clone();
    }
    let mut chain = aws_config::default_provider::region::Builder::default();
    if let Some(profile) = &settings.profile {
        chain = chain.profile_name(profile);
    }
    chain
        .build()
        .region()
        .await
        .map_or_else(|| crate::kinds::GLOBAL_REGION.into(), |r| r.to_string())
}

enum Put {
    Stored(String),
    PreconditionFailed,
}

impl S3Store {
    pub async fn new(location: &S3Location, topology: &str, settings: &Settings) -> S3Store {
        let sdk = config(settings, &bucket_region(location, settings).await).await;
        // An emulator on a custom endpoint has no per-bucket host names.
        let path_style = sdk.endpoint_url().is_some();
        let client = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk).force_path_style(path_style).build(),
        );
        let root = match location.prefix.as_str() {
            "" => topology.to_string(),
            prefix => format!("{prefix}/{topology}"),
        };
        S3Store { client, bucket: location.bucket.clone(), root, appending: Mutex::default() }
    }

    fn object(&self, key: &str) -> String {
        format!("{}/{key}", self.root)
    }

    async fn get(&self, key: &str) -> io::Result<Option<(Vec<u8>, String)>> {
        let answer = self.client.get_object().bucket(&self.bucket).key(self.object(key)).send();
        match answer.await {
            Ok(output) => {
                let etag = output.e_tag().unwrap_or_default().to_string();
                let bytes = output.body.collect().await.map_err(io::Error::other)?.into_bytes();
                Ok(Some((bytes.to_vec(), etag)))
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
            Err(error) => Err(failed(sdk_error(error))),
        }
    }

    /// A put with a condition: `If-None-Match: *` without an ETag, else
    /// `If-Match` on it.
    async fn put(&self, key: &str, body: Vec<u8>, after: Option<&str>) -> io::Result<Put> {
        let mut attempt = 0;
        loop {
            let request = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(self.object(key))
                .content_type("application/json")
                .body(ByteStream::from(body.clone()));
            let request = match after {
                None => request.if_none_match("*"),
                Some(etag) => request.if_match(etag),
            };
            match request.send().await {
                Ok(output) => return Ok(Put::Stored(output.e_tag().unwrap_or_default().into())),
                Err(error) => match error.code() {
                    Some("PreconditionFailed") => return Ok(Put::PreconditionFailed),
                    Some("ConditionalRequestConflict") if attempt + 1 < CONFLICT_ATTEMPTS => {
                        attempt += 1;
                    }
                    _ => return Err(failed(sdk_error(error))),
                },
            }
        }
    }
}

impl Store for S3Store {
    fn identity(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.root)
    }

    fn location(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.object(key))
    }

    fn read(&self, key: &str) -> Stored<'_, Option<Vec<u8>>> {
        let key = key.to_string();
        async move { Ok(self.get(&key).await?.map(|(bytes, _)| bytes)) }.boxed()
    }

    fn create(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool> {
        let key = key.to_string();
        async move {
            match self.put(&key, body.clone(), None).await? {
                Put::Stored(etag) => {
                    self.appending.lock().await.insert(key, (body, etag));
                    Ok(true)
                }
                Put::PreconditionFailed => Ok(false),
            }
        }
        .boxed()
    }

    fn append(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()> {
        let key = key.to_string();
        async move {
            let mut appending = self.appending.lock().await;
            let (mut body, etag) = match appending.remove(&key) {
                Some(known) => known,
                None => self
                    .get(&key)
                    .await?
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, self.location(&key)))?,
            };
            body.extend_from_slice(&bytes);
            match self.put(&key, body.clone(), Some(&etag)).await? {
                Put::Stored(etag) => {
                    appending.insert(key, (body, etag));
                    Ok(())
                }
                Put::PreconditionFailed => Err(io::Error::other(format!(
                    "{} was changed by another writer; this run's entry was not written",
                    self.location(&key)
                ))),
            }
        }
        .boxed()
    }

    fn replace(&self, key: &str, body: Vec<u8>) -> Stored<'_, ()> {
        let key = key.to_string();
        async move {
            let request = self.client.put_object().bucket(&self.bucket).key(self.object(&key));
            request.body(ByteStream::from(body)).send().await.map_err(|e| failed(sdk_error(e)))?;
            Ok(())
        }
        .boxed()
    }

    fn remove(&self, key: &str) -> Stored<'_, ()> {
        let key = key.to_string();
        async move {
            let request = self.client.delete_object().bucket(&self.bucket).key(self.object(&key));
            request.send().await.map_err(|e| failed(sdk_error(e)))?;
            self.appending.lock().await.remove(&key);
            Ok(())
        }
        .boxed()
    }

    fn remove_if(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool> {
        let key = key.to_string();
        async move {
            let Some((held, etag)) = self.get(&key).await? else { return Ok(false) };
            if held != body {
                return Ok(false);
            }
            let request = self.client.delete_object().bucket(&self.bucket).key(self.object(&key));
            match request.if_match(etag).send().await {
                Ok(_) => Ok(true),
                Err(error) if error.code() == Some("PreconditionFailed") => Ok(false),
                Err(error) => Err(failed(sdk_error(error))),
            }
        }
        .boxed()
    }

    fn list(&self, folder: &str) -> Stored<'_, Vec<String>> {
        let prefix = format!("{}/", self.object(folder));
        async move {
            let keys = all_pages("s3", "ListObjectsV2", |token: Option<String>| {
                let request = self
                    .client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(&prefix)
                    .set_continuation_token(token);
                async move {
                    let page = request.send().await.map_err(sdk_error)?;
                    let keys: Vec<String> =
                        page.contents().iter().filter_map(|o| o.key().map(String::from)).collect();
                    Ok((keys, page.next_continuation_token().map(String::from)))
                }
            })
            .await
            .map_err(failed)?;
            let root = format!("{}/", self.root);
            let mut keys: Vec<String> =
                keys.iter().filter_map(|k| k.strip_prefix(&root).map(String::from)).collect();
            keys.sort();
            Ok(keys)
        }
        .boxed()
    }
}
