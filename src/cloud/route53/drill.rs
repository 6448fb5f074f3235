//! What a failover drill asks of Route 53: turning a health check's
//! `Inverted` flag over (the one write, on checks wway owns), whether the
//! checkers see a check's endpoint healthy (GetHealthCheckStatus), and what
//! Route 53's name servers answer for a name from a client's address
//! (TestDNSAnswer, with the EDNS client subnet).

use super::{Route53, sdk_error};
use crate::cloud::wait::absent;
use crate::cloud::{Aws, CloudError, GLOBAL_REGION};

/// Route 53 counts an endpoint healthy when more than this share of its
/// checkers see it healthy (its developer guide: 18%).
const HEALTHY_SHARE: f64 = 0.18;

/// The mask of the client subnet a drill asks from (a resolver's usual /24).
const CLIENT_MASK: &str = "24";

impl Aws {
    /// Route 53, for a drill.
    pub async fn route53_drill(&self) -> Route53 {
        Route53::new(self.clients(GLOBAL_REGION).await.route53)
    }
}

impl Route53 {
    /// Sets the check's `Inverted` flag; `false` when the check is gone.
    pub async fn set_inverted(&self, id: &str, inverted: bool) -> Result<bool, CloudError> {
        let update = self.client.update_health_check().health_check_id(id).inverted(inverted);
        let sent = update.send().await.map(|_| ()).map_err(sdk_error);
        Ok(absent(sent)?.is_some())
    }

    /// Whether the check is inverted now (None: there is no such check).
    pub async fn inverted(&self, id: &str) -> Result<Option<bool>, CloudError> {
        let asked = self.client.get_health_check().health_check_id(id).send().await;
        let check = absent(asked.map_err(sdk_error))?;
        Ok(check.map(|c| {
            c.health_check().and_then(|c| c.health_check_config()).and_then(|c| c.inverted())
                == Some(true)
        }))
    }

    /// Whether the checkers see the endpoint healthy: what they observed,
    /// before any inversion.
    pub async fn endpoint_healthy(&self, id: &str) -> Result<bool, CloudError> {
        let status = self.client.get_health_check_status().health_check_id(id).send().await;
        let observations = status.map_err(sdk_error)?.health_check_observations;
        let seen = observations.len().max(1) as f64;
        let success = observations.iter().filter(|o| {
            o.status_report().and_then(|r| r.status()).is_some_and(|s| s.starts_with("Success"))
        });
        Ok(success.count() as f64 / seen > HEALTHY_SHARE)
    }

    /// What Route 53 answers for the CNAME `name` in zone `zone_id` (its
    /// record data), asked from `client` (an address; None: from Route
    /// 53's own resolver).
    pub async fn answer(
        &self,
        zone_id: &str,
        name: &str,
        client: Option<&str>,
    ) -> Result<Vec<String>, CloudError> {
        let mut ask = self
            .client
            .test_dns_answer()
            .hosted_zone_id(zone_id)
            .record_name(name)
            .record_type(aws_sdk_route53::types::RrType::Cname);
        if let Some(address) = client {
            ask = ask.edns0_client_subnet_ip(address).edns0_client_subnet_mask(CLIENT_MASK);
        }
        let answer = ask.send().await.map_err(sdk_error)?;
        let data = answer.record_data.iter().map(|d| d.trim_end_matches('.').to_string());
        Ok(data.collect())
    }
}
