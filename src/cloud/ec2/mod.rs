//! EC2 for one region: what its kinds (the VPC, subnets, gateways, elastic
//! IPs, route tables, security groups, endpoints) share: ownership filters and tags, the lookup of what a lost
//! create made; and the region's facts: its availability zones and which
//! instance types it offers.

pub mod elastic_ip;
pub mod internet_gateway;
pub mod nat_gateway;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod vpc;
pub mod vpc_endpoint;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::config::retry::RetryConfig;
use aws_sdk_ec2::types::{
    Filter, LocationType, NetworkInterfaceStatus, ResourceType, Tag, TagSpecification,
};

use crate::cloud::fields::Read;
use crate::cloud::kind::{Answer, Call, Deleted, read};
use crate::cloud::owned::{Mark, Tags, adopt, owner, tags};
use crate::cloud::paging::all_pages;
use crate::cloud::wait::{Poll, gone, until};
use crate::cloud::{CloudError, RunScope};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::{ID_TAG, ResourceAddr, TOPOLOGY_TAG};
use crate::topology::zones::Offered;

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

/// The filters that find what a create of `addr` made: its topology and
/// address tags, which the create itself sets. EC2's creates take no
/// idempotency token, so each EC2 create first looks with these for what an
/// earlier attempt made, and adopts it ([`crate::cloud::owned::adopt`]).
fn made_by(scope: &RunScope<'_>, addr: &ResourceAddr) -> Vec<Filter> {
    vec![
        Filter::builder().name(format!("tag:{TOPOLOGY_TAG}")).values(scope.topology).build(),
        Filter::builder().name(format!("tag:{ID_TAG}")).values(addr.as_str()).build(),
    ]
}

/// The configuration of a create the SDK must not resend on its own: with no
/// idempotency token, a resent create whose answer was lost would make a
/// second resource. The executor retries the step instead, and the create
/// looks first ([`made_by`]).
fn sent_once() -> aws_sdk_ec2::config::Builder {
    aws_sdk_ec2::config::Config::builder().retry_config(RetryConfig::disabled())
}

/// An EC2 resource as a Describe call lists it: its id and its tags.
trait Described {
    fn id(&self) -> Option<&str>;
    fn tag_list(&self) -> &[Tag];
}

macro_rules! described {
    ($($resource:ident => $id:ident),* $(,)?) => {$(
        impl Described for aws_sdk_ec2::types::$resource {
            fn id(&self) -> Option<&str> {
                self.$id()
            }
            fn tag_list(&self) -> &[Tag] {
                self.tags()
            }
        }
    )*};
}

described!(
    Vpc => vpc_id,
    Subnet => subnet_id,
    InternetGateway => internet_gateway_id,
    Address => allocation_id,
    NatGateway => nat_gateway_id,
    RouteTable => route_table_id,
    SecurityGroup => group_id,
    VpcEndpoint => vpc_endpoint_id,
);

/// The resources of `found` that `topology` owns: each with its address,
/// its id and its tags.
fn owned_by<'r, T: Described>(
    found: &'r [T],
    topology: &'r str,
) -> impl Iterator<Item = (ResourceAddr, &'r str, Tags, &'r T)> {
    found.iter().filter_map(move |resource| {
        let tags = tag_map(resource.tag_list());
        Some((owner(&tags, topology)?, resource.id()?, tags, resource))
    })
}

/// The first of `found` (listed with [`made_by`]'s filters) that the create
/// `call` makes of `addr` provably made before, never the resource a
/// replacement replaces (it carries the same tags).
fn adopted<T: Described>(call: &Call<'_>, addr: &ResourceAddr, found: &[T]) -> Option<String> {
    let marked: Vec<(&str, Tags)> = found
        .iter()
        .filter_map(|r| Some((r.id()?, tag_map(r.tag_list()))))
        .filter(|(id, _)| Some(*id) != call.replaces)
        .collect();
    let ids = marked.iter().map(|(id, tags)| (id, Mark::Tags(tags)));
    adopt(&call.scope, addr, ids).map(|id| id.to_string())
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

/// How long a subnet's or a VPC's delete waits out DependencyViolation
/// unless the user says otherwise: what used it (a cluster's network
/// interfaces) can take minutes to go. terraform-provider-aws: 20 minutes.
const DELETE_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What EC2 answers a delete of something still in use: a subnet or VPC
/// with something in it, an address a NAT gateway holds.
const IN_USE: [&str; 2] = ["DependencyViolation", "InvalidIPAddress.InUse"];

/// Deletes with `delete` until AWS stops answering that it is in use, for
/// the delete's whole timeout; `between` runs after each refusal (a subnet
/// removes what AWS left behind in it). Gone already is done.
async fn delete_when_free<D, DF, B, BF>(
    call: &Call<'_>,
    what: &str,
    delete: D,
    between: B,
) -> Result<Deleted, CloudError>
where
    D: Fn() -> DF,
    DF: Future<Output = Result<(), CloudError>>,
    B: Fn() -> BF,
    BF: Future<Output = Result<(), CloudError>>,
{
    let wait = call.wait();
    let poll = || async {
        match gone(delete().await) {
            Ok(()) => Ok(Poll::Done),
            Err(CloudError::Api { code, message, .. }) if IN_USE.contains(&code.as_str()) => {
                between().await?;
                Ok(Poll::Waiting(format!("in use ({message})")))
            }
            Err(error) => Err(error),
        }
    };
    until(what, wait.limit(DELETE_TIMEOUT), wait.progress, poll).await.map(|()| Deleted::Gone)
}

/// Deletes with `delete` until AWS stops answering that it is in use
/// ([`delete_when_free`] with nothing to do between tries).
async fn delete_when_unused<D, DF>(
    call: &Call<'_>,
    what: &str,
    delete: D,
) -> Result<Deleted, CloudError>
where
    D: Fn() -> DF,
    DF: Future<Output = Result<(), CloudError>>,
{
    delete_when_free(call, what, delete, || async { Ok(()) }).await
}

impl Ec2 {
    /// Deletes the network interfaces AWS left behind in `subnet` for EKS
    /// clusters that are gone: available (attached to nothing), described
    /// "Amazon EKS <cluster>", and no such cluster any more. AWS removes them
    /// itself, minutes later; until then the subnet cannot be deleted.
    async fn remove_leftover_interfaces(
        &self,
        subnet: &str,
        eks: &aws_sdk_eks::Client,
    ) -> Result<(), CloudError> {
        let in_subnet = Filter::builder().name("subnet-id").values(subnet).build();
        let found = self.client.describe_network_interfaces().filters(in_subnet).send().await;
        for eni in found.map_err(sdk_error)?.network_interfaces() {
            let available = eni.status() == Some(&NetworkInterfaceStatus::Available);
            let cluster = eni.description().and_then(|d| d.strip_prefix("Amazon EKS "));
            let (true, Some(cluster), Some(id)) = (available, cluster, eni.network_interface_id())
            else {
                continue;
            };
            let described = eks.describe_cluster().name(cluster).send().await;
            let cluster_gone = matches!(&described, Err(e)
                if e.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
            if cluster_gone {
                let deleted = self.client.delete_network_interface().network_interface_id(id);
                gone(deleted.send().await.map(|_| ()).map_err(sdk_error))?;
            }
        }
        Ok(())
    }

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

    /// The region's available zones, by name and ID (sorted by name).
    pub async fn offered_zones(&self) -> Result<Vec<Offered>, CloudError> {
        let response = self
            .client
            .describe_availability_zones()
            .filters(Filter::builder().name("state").values("available").build())
            .send()
            .await
            .map_err(sdk_error)?;
        let mut zones: Vec<Offered> = response
            .availability_zones()
            .iter()
            .filter_map(|z| {
                let (name, id) = (z.zone_name()?, z.zone_id()?);
                Some(Offered { name: name.to_string(), id: id.to_string() })
            })
            .collect();
        zones.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(zones)
    }

    /// The subnets that carry `topology`'s ownership tag in the region.
    pub async fn owned_subnets(
        &self,
        topology: &str,
    ) -> Result<Vec<aws_sdk_ec2::types::Subnet>, CloudError> {
        all_pages(SERVICE, "DescribeSubnets", |token: Option<String>| async move {
            let page = self.client.describe_subnets().filters(ownership_filter(topology));
            let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
            Ok((page.subnets().to_vec(), page.next_token().map(str::to_string)))
        })
        .await
    }

    /// The vCPUs of each of `types` (DescribeInstanceTypes, filtered by
    /// name so that a type the region lacks is left out, not an error).
    pub async fn instance_vcpus(
        &self,
        types: &[String],
    ) -> Result<BTreeMap<String, u32>, CloudError> {
        let pages =
            all_pages(SERVICE, "DescribeInstanceTypes", |token: Option<String>| async move {
                let filter =
                    Filter::builder().name("instance-type").set_values(Some(types.to_vec()));
                let asked = self.client.describe_instance_types().filters(filter.build());
                let page = asked.set_next_token(token).send().await.map_err(sdk_error)?;
                let found: Vec<(String, u32)> = page
                    .instance_types()
                    .iter()
                    .filter_map(|t| {
                        let vcpus = t.v_cpu_info()?.default_v_cpus()?;
                        Some((t.instance_type()?.as_str().to_string(), vcpus.max(0) as u32))
                    })
                    .collect();
                Ok((found, page.next_token().map(str::to_string)))
            })
            .await?;
        Ok(pages.into_iter().collect())
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
