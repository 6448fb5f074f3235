//! The NAT gateway's cloud half: read by the topology's tag (pages of
//! DescribeNatGateways, those being deleted left out), with its subnet and
//! address by address; made with an idempotency token and waited on until
//! available (a failed one ends the wait with AWS's reason); retagged in
//! place; deleted and waited on until gone, so that its address can be
//! released and its subnet deleted.

use std::time::Duration;

use aws_sdk_ec2::types::{Filter, NatGateway as Gateway, NatGatewayState, ResourceType};

use super::{Ec2, SERVICE, owned_by, ownership_filter, sdk_error, tag_specification};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::{Poll, absent, until};
use crate::cloud::{CloudError, Found};
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct NatGateway;

/// terraform-provider-aws: 10 minutes to create, 30 to delete.
const CREATE_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

impl CloudKind for NatGateway {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Subnet, Kind::ElasticIp]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let living = Filter::builder().name("state").values("pending").values("available");
            let filters = vec![ownership_filter(call.topology), living.build()];
            let gateways =
                all_pages(SERVICE, "DescribeNatGateways", |token: Option<String>| async {
                    let page = ec2.client.describe_nat_gateways().set_filter(Some(filters.clone()));
                    let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                    Ok((page.nat_gateways().to_vec(), page.next_token().map(str::to_string)))
                })
                .await?;
            let earlier = call.found(&[Kind::Subnet, Kind::ElasticIp]).await?;
            let mut found = Found::default();
            for (addr, id, tags, gateway) in owned_by(&gateways, call.topology) {
                let subnet = gateway.subnet_id().unwrap_or_default();
                let allocation = allocation(gateway).unwrap_or_default();
                let deps = [
                    earlier.addr_of(Kind::Subnet, subnet),
                    earlier.addr_of(Kind::ElasticIp, allocation),
                ];
                let deps = deps.into_iter().flatten().cloned().collect();
                let fields = [
                    ("subnet".to_string(), earlier.reference(Kind::Subnet, subnet)),
                    ("elastic_ip".to_string(), earlier.reference(Kind::ElasticIp, allocation)),
                ]
                .into();
                found.owned.insert(addr, live(Kind::NatGateway, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    /// Never twice: the create's token is the same for every retry of the run.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            let subnet = call.id_of(&r, "subnet")?;
            let allocation = call.id_of(&r, "elastic_ip")?;
            let create = ec2
                .client
                .create_nat_gateway()
                .subnet_id(subnet)
                .allocation_id(allocation)
                .client_token(call.scope.token(&target.addr))
                .tag_specifications(tag_specification(ResourceType::Natgateway, &r)?);
            let made = create.send().await.map_err(sdk_error)?;
            let id = made.nat_gateway().and_then(|g| g.nat_gateway_id()).unwrap_or_default();
            let id = id.to_string();
            ec2.nat_settled(call, &id, NatGatewayState::Available)
                .await
                .map_err(|e| e.made(&id))?;
            Ok(Made::id(id))
        })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        super::retag(call, target, id)
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let deleted = ec2.client.delete_nat_gateway().nat_gateway_id(id).send().await;
            crate::cloud::wait::gone(deleted.map(|_| ()).map_err(sdk_error))?;
            ec2.nat_settled(call, id, NatGatewayState::Deleted).await.map(|()| Deleted::Gone)
        })
    }
}

/// The allocation id of a gateway's public address.
fn allocation(gateway: &Gateway) -> Option<&str> {
    gateway.nat_gateway_addresses().iter().find_map(|a| a.allocation_id())
}

impl Ec2 {
    /// Waits until NAT gateway `id` is in `state` (gone counts as deleted);
    /// a failed one ends the wait with AWS's reason.
    async fn nat_settled(
        &self,
        call: &Call<'_>,
        id: &str,
        state: NatGatewayState,
    ) -> Result<(), CloudError> {
        let wait = call.wait();
        let limit = match state {
            NatGatewayState::Deleted => DELETE_TIMEOUT,
            _ => CREATE_TIMEOUT,
        };
        let poll = || async {
            let described = self.client.describe_nat_gateways().nat_gateway_ids(id).send().await;
            let answer = absent(described.map_err(sdk_error))?;
            let gateway = answer.and_then(|a| a.nat_gateways().first().cloned());
            let Some(gateway) = gateway else {
                return Ok(match state {
                    NatGatewayState::Deleted => Poll::Done,
                    _ => Poll::Waiting("not visible yet".into()),
                });
            };
            let now = gateway.state().cloned().unwrap_or(NatGatewayState::Pending);
            Ok(match now {
                now if now == state => Poll::Done,
                NatGatewayState::Failed if state != NatGatewayState::Deleted => {
                    Poll::Failed(format!(
                        "failed: {} ({})",
                        gateway.failure_message().unwrap_or("no reason given"),
                        gateway.failure_code().unwrap_or("no code")
                    ))
                }
                now => Poll::Waiting(now.as_str().to_string()),
            })
        };
        until(&format!("NAT gateway {id}"), wait.limit(limit), wait.progress, poll).await
    }
}
