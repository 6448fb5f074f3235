//! The VPC's cloud half: read by the topology's tag (one call per region,
//! with its blocks, and its two DNS attributes); made with its tags (found
//! again by them after a lost answer), then its second blocks added and
//! waited on, and its DNS set; blocks added, DNS set and retagged in place;
//! deleted.

use serde_json::json;

use std::time::Duration;

use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType, VpcAttributeName, VpcCidrBlockStateCode,
};

use super::{
    Ec2, SERVICE, adopted, delete_when_unused, made_by, owned_by, ownership_filter, sdk_error,
    sent_once, tag_specification,
};
use crate::cloud::fields::Read;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::{Poll, until};
use crate::cloud::{CloudError, Found};
use crate::kinds::ec2::vpc::{ASSOCIATIONS, SECONDARY};
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Vpc;

/// How long a second block may take to associate (seconds, on AWS).
const BLOCK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

impl CloudKind for Vpc {
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let vpcs = all_pages(SERVICE, "DescribeVpcs", |token: Option<String>| async {
                let page = ec2.client.describe_vpcs().filters(ownership_filter(call.topology));
                let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                Ok((page.vpcs().to_vec(), page.next_token().map(str::to_string)))
            })
            .await?;
            let mut found = Found::default();
            for (addr, id, tags, vpc) in owned_by(&vpcs, call.topology) {
                let (support, hostnames) =
                    tokio::try_join!(ec2.dns(id, DNS_SUPPORT), ec2.dns(id, DNS_HOSTNAMES))?;
                let blocks = secondary(vpc);
                let associations: serde_json::Map<String, serde_json::Value> =
                    blocks.iter().map(|(block, id)| (block.to_string(), json!(id))).collect();
                let blocks: Vec<&str> = blocks.iter().map(|(block, _)| *block).collect();
                let fields = [
                    ("cidr".to_string(), json!(vpc.cidr_block())),
                    (SECONDARY.to_string(), json!(blocks)),
                    (ASSOCIATIONS.to_string(), json!(associations)),
                    (DNS_SUPPORT.to_string(), json!(support)),
                    (DNS_HOSTNAMES.to_string(), json!(hostnames)),
                ]
                .into();
                found.owned.insert(addr, live(Kind::Vpc, id, fields, tags, vec![], None));
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's VPC is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let lookup =
                ec2.client.describe_vpcs().set_filters(Some(made_by(&call.scope, &target.addr)));
            let earlier = lookup.send().await.map_err(sdk_error)?;
            let r = read(target);
            let id = match adopted(call, &target.addr, earlier.vpcs()) {
                Some(id) => id,
                None => {
                    let create = ec2.client.create_vpc().cidr_block(r.str("cidr")?);
                    let create =
                        create.tag_specifications(tag_specification(ResourceType::Vpc, &r)?);
                    let made = create.customize().config_override(sent_once()).send().await;
                    let made = made.map_err(sdk_error)?;
                    made.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string()
                }
            };
            let set = async {
                tokio::try_join!(ec2.add_blocks(call, &id, &r, None), ec2.set_dns(&id, &r, None))
            };
            set.await.map_err(|error| error.made(&id))?;
            Ok(Made::id(id))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            ec2.add_blocks(call, id, &r, Some(before)).await?;
            ec2.set_dns(id, &r, Some(before)).await?;
            ec2.tag(id, &r).await.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let delete = || async {
                let deleted = ec2.client.delete_vpc().vpc_id(id).send().await;
                deleted.map(|_| ()).map_err(sdk_error)
            };
            delete_when_unused(call, &format!("VPC {id}"), delete).await
        })
    }
}

/// A VPC's second blocks (associated, or being associated) with their
/// association ids, sorted.
fn secondary(vpc: &aws_sdk_ec2::types::Vpc) -> Vec<(&str, &str)> {
    let mut blocks: Vec<(&str, &str)> = vpc
        .cidr_block_association_set()
        .iter()
        .filter(|a| {
            let state = a.cidr_block_state().and_then(|s| s.state());
            matches!(
                state,
                Some(VpcCidrBlockStateCode::Associated | VpcCidrBlockStateCode::Associating)
            )
        })
        .filter_map(|a| Some((a.cidr_block()?, a.association_id()?)))
        .filter(|(block, _)| Some(*block) != vpc.cidr_block())
        .collect();
    blocks.sort();
    blocks
}

/// The VPC's DNS attributes, as fields and as EC2 names them.
const DNS_SUPPORT: &str = "dns_support";
const DNS_HOSTNAMES: &str = "dns_hostnames";

impl Ec2 {
    /// Adds to VPC `id` the second blocks `r` asks for that it lacks, and
    /// waits until they are associated (a subnet in one is refused before).
    /// Asks nothing when `before` (the VPC as read) holds them all already.
    async fn add_blocks(
        &self,
        call: &Call<'_>,
        id: &str,
        r: &Read<'_>,
        before: Option<&Fields>,
    ) -> Result<(), CloudError> {
        let wanted = r.strings(SECONDARY)?;
        let had = before.and_then(|b| b.get(SECONDARY)).and_then(serde_json::Value::as_array);
        let held_before = |block: &String| had.is_some_and(|h| h.contains(&json!(block)));
        if wanted.iter().all(held_before) {
            return Ok(());
        }
        let held = || async {
            let described =
                self.client.describe_vpcs().vpc_ids(id).send().await.map_err(sdk_error)?;
            let vpc = described.vpcs().first().cloned();
            let all = vpc.iter().flat_map(|v| v.cidr_block_association_set().to_vec());
            Ok::<_, CloudError>(all.collect::<Vec<_>>())
        };
        let state_of = |held: &[aws_sdk_ec2::types::VpcCidrBlockAssociation], block: &str| {
            let found = held.iter().find(|a| {
                let state = a.cidr_block_state().and_then(|s| s.state());
                a.cidr_block() == Some(block)
                    && !matches!(
                        state,
                        Some(VpcCidrBlockStateCode::Disassociated | VpcCidrBlockStateCode::Failed)
                    )
            });
            found.and_then(|a| a.cidr_block_state()?.state().cloned())
        };
        let now = held().await?;
        for block in wanted.iter().filter(|b| state_of(&now, b).is_none()) {
            let associate = self.client.associate_vpc_cidr_block().vpc_id(id).cidr_block(block);
            if let Err(error) = associate.send().await.map_err(sdk_error) {
                // The SDK's retry of an association whose answer was lost
                // is refused: done if the block is the VPC's now.
                if state_of(&held().await?, block).is_none() {
                    return Err(error);
                }
            }
        }
        let wait = call.wait();
        let poll = || async {
            let now = held().await?;
            let waiting: Vec<&String> = wanted
                .iter()
                .filter(|b| state_of(&now, b) != Some(VpcCidrBlockStateCode::Associated))
                .collect();
            Ok(match waiting.first() {
                None => Poll::Done,
                Some(block) => Poll::Waiting(format!("associating {block}")),
            })
        };
        until(&format!("VPC {id}'s blocks"), wait.limit(BLOCK_TIMEOUT), wait.progress, poll).await
    }

    /// The DNS attribute `field` of VPC `id`.
    async fn dns(&self, id: &str, field: &str) -> Result<bool, CloudError> {
        let name = match field {
            DNS_SUPPORT => VpcAttributeName::EnableDnsSupport,
            _ => VpcAttributeName::EnableDnsHostnames,
        };
        let asked = self.client.describe_vpc_attribute().vpc_id(id).attribute(name).send().await;
        let answer = asked.map_err(sdk_error)?;
        let value = match field {
            DNS_SUPPORT => answer.enable_dns_support(),
            _ => answer.enable_dns_hostnames(),
        };
        Ok(value.and_then(|v| v.value()).unwrap_or(false))
    }

    /// Sets the DNS attributes `r` asks for that differ from `before` (all of
    /// them without it): EC2 takes one attribute a call. Support goes first,
    /// since EC2 takes host names only with it.
    async fn set_dns(
        &self,
        id: &str,
        r: &Read<'_>,
        before: Option<&Fields>,
    ) -> Result<(), CloudError> {
        for field in [DNS_SUPPORT, DNS_HOSTNAMES] {
            let wanted = r.get(field).and_then(serde_json::Value::as_bool).unwrap_or(true);
            if before.is_some_and(|b| b.get(field) == Some(&json!(wanted))) {
                continue;
            }
            let value = AttributeBooleanValue::builder().value(wanted).build();
            let modify = self.client.modify_vpc_attribute().vpc_id(id);
            let modify = match field {
                DNS_SUPPORT => modify.enable_dns_support(value),
                _ => modify.enable_dns_hostnames(value),
            };
            modify.send().await.map_err(sdk_error)?;
        }
        Ok(())
    }
}
