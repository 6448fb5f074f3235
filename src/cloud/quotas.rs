//! The account's values of the quotas a region's resources count against
//! (Service Quotas' GetServiceQuota, one call per quota and region), for
//! the plan's quota warnings. A quota the account cannot be asked for (no
//! permission, a quota Service Quotas does not know) is left out: the plan
//! then says it used AWS's documented default. Asking never fails a plan.

use std::collections::BTreeMap;

use aws_sdk_servicequotas::Client;

use crate::kinds::quota::QuotaDef;

/// The value of each of `quotas` (by code) the account could be asked for.
pub async fn values(
    client: &Client,
    quotas: &BTreeMap<&'static str, &'static QuotaDef>,
) -> BTreeMap<String, u64> {
    let asked = quotas.values().map(|quota| async move {
        let asked = client.get_service_quota().service_code(quota.service).quota_code(quota.code);
        let value = asked.send().await.ok()?.quota()?.value()?;
        Some((quota.code.to_string(), value.max(0.0) as u64))
    });
    futures_util::future::join_all(asked).await.into_iter().flatten().collect()
}
