//! EC2 reads: the availability zones of a region and which instance types it
//! offers. Each is one paginated call per region, whatever the topology's size.

use std::collections::BTreeSet;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{Filter, LocationType};

use super::CloudError;

const SERVICE: &str = "ec2";

pub struct Ec2 {
    client: Client,
}

impl Ec2 {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Ec2 { client: Client::new(config) }
    }

    /// The names of the region's available zones, sorted.
    pub async fn availability_zones(&self) -> Result<Vec<String>, CloudError> {
        let response = self
            .client
            .describe_availability_zones()
            .filters(Filter::builder().name("state").values("available").build())
            .send()
            .await
            .map_err(|e| CloudError::from_sdk(SERVICE, e))?;
        let mut zones: Vec<String> = response
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect();
        zones.sort();
        Ok(zones)
    }

    /// Which of `types` the region offers.
    pub async fn offered_instance_types(
        &self,
        types: &[String],
    ) -> Result<BTreeSet<String>, CloudError> {
        let mut pages = self
            .client
            .describe_instance_type_offerings()
            .location_type(LocationType::Region)
            .filters(
                Filter::builder().name("instance-type").set_values(Some(types.to_vec())).build(),
            )
            .into_paginator()
            .send();
        let mut offered = BTreeSet::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| CloudError::from_sdk(SERVICE, e))?;
            offered.extend(
                page.instance_type_offerings()
                    .iter()
                    .filter_map(|o| o.instance_type().map(|t| t.as_str().to_string())),
            );
        }
        Ok(offered)
    }
}
