//! The team backend: journals, the lock and the scope as objects in an S3
//! bucket, under `<prefix>/<topology>/`. The lock is a put with
//! `If-None-Match: *`, which S3 refuses with 412 when the object exists (as
//! Terraform 1.10+ locks its state). S3 cannot append: an appended object is
//! kept in parts ([`appended`]), so that an entry costs what it adds. Every
//! write is conditional on what this process last saw, so a write that
//! another writer raced is refused, never lost; each returns once S3 has
//! stored it durably.

mod appended;

use std::collections::HashMap;
use std::io;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use futures_util::FutureExt;
use tokio::sync::Mutex;

use super::{Store, Stored};
use crate::cloud::error::sdk_errors;
use crate::cloud::paging::all_pages;
use crate::cloud::{CloudError, Settings, config};
use crate::topology::backend::S3Location;
use appended::Appended;

sdk_errors!("s3");

fn failed(error: CloudError) -> io::Error {
    io::Error::other(error)
}

/// How often a conditional put is tried again when S3 answers 409
/// (ConditionalRequestConflict: another conditional write to the key was in
/// flight) before giving up.
const CONFLICT_ATTEMPTS: u32 = 3;

/// The most keys one DeleteObjects takes.
const DELETES_PER_CALL: usize = 1000;

pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// `<prefix>/<topology>`: this topology's folder in the bucket.
    root: String,
    /// The objects this process appends to, as it last wrote them.
    appending: Mutex<HashMap<String, Appended>>,
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

/// What a put is conditional on.
enum Unless<'a> {
    /// The key exists (`If-None-Match: *`).
    Exists,
    /// The object is no longer the one with this ETag (`If-Match`).
    Changed(&'a str),
}

enum Put {
    Stored(String),
    PreconditionFailed,
}

/// An object as read: its bytes, ETag and user metadata.
struct Got {
    bytes: Vec<u8>,
    etag: String,
    metadata: HashMap<String, String>,
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

    /// The object at `key` relative to this topology's folder.
    async fn get(&self, key: &str) -> io::Result<Option<Got>> {
        let answer = self.client.get_object().bucket(&self.bucket).key(self.object(key)).send();
        match answer.await {
            Ok(output) => {
                let etag = output.e_tag().unwrap_or_default().to_string();
                let metadata = output.metadata().cloned().unwrap_or_default();
                let bytes = output.body.collect().await.map_err(io::Error::other)?.into_bytes();
                Ok(Some(Got { bytes: bytes.to_vec(), etag, metadata }))
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
            Err(error) => Err(failed(sdk_error(error))),
        }
    }

    /// A put of `body` at `key`, with `metadata`, unless `unless` holds.
    async fn put(
        &self,
        key: &str,
        body: &[u8],
        metadata: Option<(&str, String)>,
        unless: Unless<'_>,
    ) -> io::Result<Put> {
        let mut attempt = 0;
        loop {
            let request = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(self.object(key))
                .content_type("application/json")
                .set_metadata(metadata.clone().map(|(k, v)| HashMap::from([(k.to_string(), v)])))
                .body(ByteStream::from(body.to_vec()));
            let request = match unless {
                Unless::Exists => request.if_none_match("*"),
                Unless::Changed(etag) => request.if_match(etag),
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

    /// The keys under `folder/`, sorted, relative to this topology's folder.
    async fn keys_under(&self, folder: &str) -> io::Result<Vec<String>> {
        let prefix = format!("{}/", self.object(folder));
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

    /// Deletes `keys` (relative to this topology's folder), a thousand a call.
    async fn delete_all(&self, keys: &[String]) -> io::Result<()> {
        for batch in keys.chunks(DELETES_PER_CALL) {
            let objects = batch
                .iter()
                .map(|k| ObjectIdentifier::builder().key(self.object(k)).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(io::Error::other)?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(io::Error::other)?;
            let request = self.client.delete_objects().bucket(&self.bucket).delete(delete);
            request.send().await.map_err(|e| failed(sdk_error(e)))?;
        }
        Ok(())
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
        async move { Ok(self.fetch(&key).await?.map(Appended::into_bytes)) }.boxed()
    }

    fn create(&self, key: &str, body: Vec<u8>) -> Stored<'_, bool> {
        let key = key.to_string();
        async move {
            match self.put(&key, &body, None, Unless::Exists).await? {
                Put::Stored(etag) => {
                    self.appending.lock().await.insert(key, Appended::whole(body, etag));
                    Ok(true)
                }
                Put::PreconditionFailed => Ok(false),
            }
        }
        .boxed()
    }

    fn append(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()> {
        let key = key.to_string();
        async move { self.add(&key, bytes, false).await }.boxed()
    }

    fn close(&self, key: &str, bytes: Vec<u8>) -> Stored<'_, ()> {
        let key = key.to_string();
        async move { self.add(&key, bytes, true).await }.boxed()
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
            let Some(held) = self.get(&key).await? else { return Ok(false) };
            if held.bytes != body {
                return Ok(false);
            }
            let request = self.client.delete_object().bucket(&self.bucket).key(self.object(&key));
            match request.if_match(held.etag).send().await {
                Ok(_) => Ok(true),
                Err(error) if error.code() == Some("PreconditionFailed") => Ok(false),
                Err(error) => Err(failed(sdk_error(error))),
            }
        }
        .boxed()
    }

    fn list(&self, folder: &str) -> Stored<'_, Vec<String>> {
        let folder = folder.to_string();
        async move { self.keys_under(&folder).await }.boxed()
    }
}
