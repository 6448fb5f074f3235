//! Appending to an S3 object, which S3 cannot do, at the cost of what is
//! appended rather than of the whole object each time (a journal of 300
//! entries was 16 MB of puts for 109 KB).
//!
//! The object at a key (its head) holds what has been folded into it. An
//! open object's metadata `wway-parts: <generation> <folded>` says that
//! parts `.parts/<key>/<generation>/<n>` follow it, n from `folded + 1` on,
//! in order. An append puts one new part with `If-None-Match: *`, so that
//! of two writers only one gets a number. When the unfolded parts hold as
//! much as the head, they are folded into it first (a head put with
//! `If-Match` that names the last part folded), so the bytes sent stay
//! within a few times the object's size. Closing puts the last part, then
//! the whole object as a plain head (read again in one GET), then deletes
//! the parts. A fold or close cut short leaves parts that the head already
//! counts as folded, or names no more: readers pass them over.

use std::io;
use std::time::{SystemTime, UNIX_EPOCH};

use super::{Put, S3Store, Unless};
use futures_util::{StreamExt, TryStreamExt, stream};

use crate::cloud::paging::DESCRIBES_IN_FLIGHT;
use crate::store::Store;

/// The metadata key of an open object: `<generation> <folded>`.
const PARTS: &str = "wway-parts";

/// How often a read starts again when a fold removed a part it listed.
const READ_ATTEMPTS: u32 = 3;

/// An object this process appends to, as it last wrote or read it.
pub(super) struct Appended {
    /// Every byte, the parts' included.
    bytes: Vec<u8>,
    /// The head's ETag.
    etag: String,
    open: Option<Open>,
}

/// Where an open object's parts are.
struct Open {
    generation: String,
    /// The parts up to this number are in the head.
    folded: u32,
    /// The head's size.
    head: usize,
    /// The number of the next part.
    next: u32,
}

impl Open {
    fn metadata(&self) -> (&'static str, String) {
        (PARTS, format!("{} {}", self.generation, self.folded))
    }
}

impl Appended {
    pub(super) fn whole(bytes: Vec<u8>, etag: String) -> Appended {
        Appended { bytes, etag, open: None }
    }

    pub(super) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// A name for the parts of an object opened now by this process.
fn new_generation() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{nanos:x}-{}", std::process::id())
}

fn parts_of(key: &str) -> String {
    format!(".parts/{key}")
}

fn part(key: &str, generation: &str, number: u32) -> String {
    format!("{}/{generation}/{number:08}", parts_of(key))
}

impl S3Store {
    fn raced(&self, key: &str) -> io::Error {
        io::Error::other(format!(
            "{} was changed by another writer; this run's entry was not written",
            self.location(key)
        ))
    }

    fn damaged(&self, key: &str, why: &str) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", self.location(key)))
    }

    /// The object at `key` with its parts, or `None` when there is none.
    pub(super) async fn fetch(&self, key: &str) -> io::Result<Option<Appended>> {
        for _ in 0..READ_ATTEMPTS {
            let Some(head) = self.get(key).await? else { return Ok(None) };
            let Some(said) = head.metadata.get(PARTS) else {
                return Ok(Some(Appended::whole(head.bytes, head.etag)));
            };
            let (generation, folded) = said
                .split_once(' ')
                .and_then(|(g, n)| Some((g.to_string(), n.parse::<u32>().ok()?)))
                .ok_or_else(|| self.damaged(key, &format!("its {PARTS} is {said:?}")))?;
            let listed = self.keys_under(&format!("{}/{generation}", parts_of(key))).await?;
            let numbers: Vec<u32> = listed
                .iter()
                .filter_map(|k| k.rsplit('/').next()?.parse::<u32>().ok())
                .filter(|n| *n > folded)
                .collect();
            if numbers.iter().zip(folded + 1..).any(|(n, expected)| *n != expected) {
                return Err(self.damaged(key, "a part of it is missing"));
            }
            let parts: Vec<_> = stream::iter(numbers)
                .map(|n| {
                    let part = part(key, &generation, n);
                    async move { self.get(&part).await }
                })
                .buffered(DESCRIBES_IN_FLIGHT)
                .try_collect()
                .await?;
            if parts.iter().any(Option::is_none) {
                continue; // folded and deleted while this read ran
            }
            let next = folded + 1 + parts.len() as u32;
            let head_size = head.bytes.len();
            let mut bytes = head.bytes;
            parts.into_iter().flatten().for_each(|p| bytes.extend(p.bytes));
            let open = Open { generation, folded, head: head_size, next };
            return Ok(Some(Appended { bytes, etag: head.etag, open: Some(open) }));
        }
        Err(io::Error::other(format!("{} kept changing while it was read", self.location(key))))
    }

    /// Puts the head: `bytes`, open with `open` or plain without, if it is
    /// still the one this process saw.
    async fn put_head(
        &self,
        key: &str,
        object: &mut Appended,
        open: Option<&Open>,
    ) -> io::Result<()> {
        let metadata = open.map(Open::metadata);
        match self.put(key, &object.bytes, metadata, Unless::Changed(&object.etag)).await? {
            Put::Stored(etag) => {
                object.etag = etag;
                Ok(())
            }
            Put::PreconditionFailed => Err(self.raced(key)),
        }
    }

    /// Appends `bytes` to the object at `key`; with `last`, leaves it whole.
    pub(super) async fn add(&self, key: &str, bytes: Vec<u8>, last: bool) -> io::Result<()> {
        let mut appending = self.appending.lock().await;
        let mut object = match appending.remove(key) {
            Some(known) => known,
            None => self
                .fetch(key)
                .await?
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, self.location(key)))?,
        };
        match object.open.take() {
            // A plain object is put whole again, opened for parts unless this
            // is its last append for now: one put the size of the object.
            None => {
                object.bytes.extend(bytes);
                let open = (!last).then(|| Open {
                    generation: new_generation(),
                    folded: 0,
                    head: object.bytes.len(),
                    next: 1,
                });
                self.put_head(key, &mut object, open.as_ref()).await?;
                object.open = open;
            }
            Some(mut open) => {
                if !last && object.bytes.len() - open.head >= open.head {
                    self.fold(key, &mut object, &mut open).await?;
                }
                let number = open.next;
                match self
                    .put(&part(key, &open.generation, number), &bytes, None, Unless::Exists)
                    .await?
                {
                    Put::Stored(_) => object.bytes.extend(bytes),
                    Put::PreconditionFailed => return Err(self.raced(key)),
                }
                open.next += 1;
                if last {
                    self.put_head(key, &mut object, None).await?;
                    let parts = self.keys_under(&parts_of(key)).await?;
                    self.delete_all(&parts).await?;
                } else {
                    object.open = Some(open);
                }
            }
        }
        appending.insert(key.to_string(), object);
        Ok(())
    }

    /// Puts every part written so far into the head, then deletes them.
    async fn fold(&self, key: &str, object: &mut Appended, open: &mut Open) -> io::Result<()> {
        let was = open.folded;
        open.folded = open.next - 1;
        open.head = object.bytes.len();
        self.put_head(key, object, Some(open)).await?;
        let folded: Vec<String> =
            (was + 1..=open.folded).map(|n| part(key, &open.generation, n)).collect();
        self.delete_all(&folded).await
    }
}
