//! EC2 for one region: what its kinds (the VPC, subnets, the internet
//! gateway) share: ownership filters and tags, the lookup of what a lost
//! create made; and the region's facts: its availability zones and which
//! instance types it offers.

pub mod internet_gateway;
pub mod subnet;
pub mod vpc;

use std::collections::BTreeSet;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::types::{Filter, LocationType, ResourceType, Tag, TagSpecification};

use crate::cloud::fields::Read;
use crate::cloud::kind::{Answer, Call, read};
use crate::cloud::owned::{Tags, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::gone;
use crate::cloud::{CloudError, Ids};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::{ID_TAG, ResourceAddr, TOPOLOGY_TAG};

const SERVICE: &str = "ec2";

pub struct Ec2 {
    client: Client,
}

crate::cloud::error::sdk_errors!(SERVICE);

/// The tags of an EC2 resource, as wway compares them.
fn tag_map(pairs: &[Tag]) -> Tags {
    tags(pairs.iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or(""))))
}

fn ownership_filter(topology: &str) -> Filter {
    Filter::builder().name(format!("tag:{TOPOLOGY_TAG}")).values(topology).build()
}

/// The filters that find what a create of `r` made: its topology and
/// address tags, which the create itself sets (so an EC2 resource that
/// carries them is provably the one an earlier attempt made).
fn made_by(r: &Read<'_>) -> Result<[Filter; 2], CloudError> {
    let topology = r.tags()?.get(TOPOLOGY_TAG).cloned().unwrap_or_default();
    Ok([
        Filter::builder().name(format!("tag:{TOPOLOGY_TAG}")).values(topology).build(),
        Filter::builder().name(format!("tag:{ID_TAG}")).values(r.addr.as_str()).build(),
    ])
}

/// The desired tags of `r`, as EC2 takes them.
fn ec2_tags(r: &Read) -> Result<Vec<Tag>, CloudError> {
    Ok(r.tags()?.into_iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect())
}

fn tag_specification(kind: ResourceType, r: &Read) -> Result<TagSpecification, CloudError> {
    Ok(TagSpecification::builder().resource_type(kind).set_tags(Some(ec2_tags(r)?)).build())
}

/// The update of an EC2 kind whose only fields that change in place are its
/// tags (the VPC, a subnet, the internet gateway): sets the desired tags.
fn retag<'a>(call: &Call<'a>, target: &'a Target, id: &'a str) -> Answer<'a, Outputs> {
    let ec2 = Ec2::new(call.clients.ec2.clone());
    Box::pin(async move { ec2.tag(id, &read(target)).await.map(|()| Outputs::new()) })
}

impl Ec2 {
    pub fn new(client: Client) -> Self {
        Ec2 { client }
    }

    /// Sets the desired tags on a resource.
    pub async fn tag(&self, id: &str, r: &Read<'_>) -> Result<(), CloudError> {
        self.client
            .create_tags()
            .resources(id)
            .set_tags(Some(ec2_tags(r)?))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    pub async fn delete_vpc(&self, id: &str) -> Result<(), CloudError> {
        gone(self.client.delete_vpc().vpc_id(id).send().await.map(|_| ()).map_err(sdk_error))
    }

    pub async fn delete_subnet(&self, id: &str) -> Result<(), CloudError> {
        gone(self.client.delete_subnet().subnet_id(id).send().await.map(|_| ()).map_err(sdk_error))
    }

    /// The id of the VPC or subnet that carries `addr` as its `wway:id`: one
    /// that an earlier attempt made though its answer never arrived.
    async fn made_before(
        &self,
        kind: ResourceType,
        r: &Read<'_>,
    ) -> Result<Option<String>, CloudError> {
        let [topology, id] = made_by(r)?;
        Ok(match kind {
            ResourceType::Subnet => {
                let found = self
                    .client
                    .describe_subnets()
                    .filters(topology)
                    .filters(id)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                found.subnets().first().and_then(|s| s.subnet_id()).map(str::to_string)
            }
            ResourceType::Vpc => {
                let found = self
                    .client
                    .describe_vpcs()
                    .filters(topology)
                    .filters(id)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                found.vpcs().first().and_then(|v| v.vpc_id()).map(str::to_string)
            }
            other => {
                return Err(CloudError::Internal(format!("no lookup of an EC2 {other:?} by tag")));
            }
        })
    }

    /// Creates a VPC with its tags; returns its id. CreateVpc takes no
    /// idempotency token, so the SDK must not resend it on its own (a lost
    /// answer would make a second VPC): a retry goes through the executor,
    /// which calls this again, and this first looks for the VPC by its tag.
    pub async fn create_vpc(&self, r: &Read<'_>) -> Result<String, CloudError> {
        if let Some(id) = self.made_before(ResourceType::Vpc, r).await? {
            return Ok(id);
        }
        let response = self
            .client
            .create_vpc()
            .cidr_block(r.str("cidr")?)
            .tag_specifications(tag_specification(ResourceType::Vpc, r)?)
            .customize()
            .config_override(
                aws_sdk_ec2::config::Config::builder().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(response.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string())
    }

    /// Creates a subnet in its VPC and zone, with its tags; returns its id
    /// (never twice: see [`Ec2::create_vpc`]).
    pub async fn create_subnet(&self, r: &Read<'_>, ids: &Ids) -> Result<String, CloudError> {
        if let Some(id) = self.made_before(ResourceType::Subnet, r).await? {
            return Ok(id);
        }
        let response = self
            .client
            .create_subnet()
            .vpc_id(ids.id(&ResourceAddr::new(r.str("vpc")?))?)
            .cidr_block(r.str("cidr")?)
            .availability_zone(r.str("availability_zone")?)
            .tag_specifications(tag_specification(ResourceType::Subnet, r)?)
            .customize()
            .config_override(
                aws_sdk_ec2::config::Config::builder().retry_config(RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(response.subnet().and_then(|s| s.subnet_id()).unwrap_or_default().to_string())
    }

    /// The names of the region's available zones, sorted.
    pub async fn availability_zones(&self) -> Result<Vec<String>, CloudError> {
        let response = self
            .client
            .describe_availability_zones()
            .filters(Filter::builder().name("state").values("available").build())
            .send()
            .await
            .map_err(sdk_error)?;
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
        let pages = all_pages(
            SERVICE,
            "DescribeInstanceTypeOfferings",
            |token: Option<String>| async move {
                let page = self
                    .client
                    .describe_instance_type_offerings()
                    .location_type(LocationType::Region)
                    .filters(
                        Filter::builder()
                            .name("instance-type")
                            .set_values(Some(types.to_vec()))
                            .build(),
                    )
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                let offered: Vec<String> = page
                    .instance_type_offerings()
                    .iter()
                    .filter_map(|o| o.instance_type().map(|t| t.as_str().to_string()))
                    .collect();
                Ok((offered, page.next_token().map(str::to_string)))
            },
        )
        .await?;
        Ok(pages.into_iter().collect())
    }
}
