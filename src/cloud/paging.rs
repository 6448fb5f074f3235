//! Paging through AWS list calls, and describing what a list named. Every
//! page is read; a continuation token that comes back a second time would
//! loop forever (the emulator has such a bug, and so can a service), so it
//! stops the read with a clear error. Where a service has no batch read (EKS
//! describes one cluster or node group a call), the describes run a few at
//! a time, not one after another.

use std::collections::HashSet;
use std::fmt::Debug;
use std::future::Future;
use std::hash::Hash;

use futures_util::{StreamExt, TryStreamExt, stream};

use super::CloudError;

/// How many describes of one list run at once: enough that a region's 30
/// node groups are read in a few round trips, few enough to stay well within
/// a service's rate in a region (EKS: 10 a second for reads, bursting more).
pub(crate) const DESCRIBES_IN_FLIGHT: usize = 8;

/// `describe` of each of `names`, a few at once, in the order of `names`.
pub async fn describe_each<N, T, F, Fut>(names: Vec<N>, describe: F) -> Result<Vec<T>, CloudError>
where
    F: Fn(N) -> Fut,
    Fut: Future<Output = Result<T, CloudError>>,
{
    stream::iter(names).map(describe).buffered(DESCRIBES_IN_FLIGHT).try_collect().await
}

/// Calls `fetch` with each page's token (`None` first) until it returns no
/// next token, and gathers the items.
pub async fn all_pages<T, K, F, Fut>(
    service: &'static str,
    operation: &str,
    mut fetch: F,
) -> Result<Vec<T>, CloudError>
where
    K: Eq + Hash + Clone + Debug,
    F: FnMut(Option<K>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<K>), CloudError>>,
{
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut token = None;
    loop {
        let (page, next) = fetch(token.clone()).await?;
        items.extend(page);
        match next {
            None => return Ok(items),
            Some(next) if !seen.insert(next.clone()) => {
                return Err(CloudError::Api {
                    service,
                    code: "PaginationLoop".into(),
                    message: format!(
                        "{operation} returned the page token {next:?} twice; stopped instead of looping"
                    ),
                });
            }
            Some(next) => token = Some(next),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_every_page_and_stops_on_a_repeated_token() {
        let pages = all_pages("test", "List", |token: Option<u32>| async move {
            let at = token.unwrap_or(0);
            Ok((vec![at], (at < 3).then_some(at + 1)))
        })
        .await
        .unwrap();
        assert_eq!(pages, [0, 1, 2, 3]);

        let error =
            all_pages("test", "List", |_token: Option<&str>| async { Ok((vec![1], Some("same"))) })
                .await
                .unwrap_err();
        assert!(
            error.to_string().contains("List returned the page token \"same\" twice"),
            "{error}"
        );
    }
}
