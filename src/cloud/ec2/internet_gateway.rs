//! The internet gateway's cloud half: read by the topology's tag (one call
//! per region, with the VPC it is attached to); made with its tags (found
//! again by them after a lost answer, never made twice) and attached to its
//! VPC; retagged in place; detached from every VPC and deleted.

use aws_sdk_ec2::types::{InternetGateway as Gateway, ResourceType};

use super::{
    Ec2, SERVICE, adopted, made_by, owned_by, ownership_filter, sdk_error, sent_once,
    tag_specification,
};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::gone;
use crate::cloud::{CloudError, Found};
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct InternetGateway;

impl CloudKind for InternetGateway {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Vpc]
    }

    /// With the VPC each is attached to, by address.
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let gateways =
                all_pages(SERVICE, "DescribeInternetGateways", |token: Option<String>| async {
                    let page = ec2.client.describe_internet_gateways();
                    let page = page.filters(ownership_filter(call.topology)).set_next_token(token);
                    let page = page.send().await.map_err(sdk_error)?;
                    Ok((page.internet_gateways().to_vec(), page.next_token().map(str::to_string)))
                })
                .await?;
            let earlier = call.found(&[Kind::Vpc]).await?;
            let mut found = Found::default();
            for (addr, id, tags, gateway) in owned_by(&gateways, call.topology) {
                let vpc = attached(gateway).first().copied();
                let deps = vpc.and_then(|v| earlier.addr_of(Kind::Vpc, v)).cloned();
                let vpc = vpc.map(|v| earlier.reference(Kind::Vpc, v)).unwrap_or_default();
                let fields = [("vpc".to_string(), vpc)].into();
                let deps = deps.into_iter().collect();
                found.owned.insert(addr, live(Kind::InternetGateway, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            let vpc = call.id_of(&r, "vpc")?.to_string();
            let filters = made_by(&call.scope, &target.addr);
            let lookup = ec2.client.describe_internet_gateways().set_filters(Some(filters));
            let earlier = lookup.send().await.map_err(sdk_error)?;
            let gateways = earlier.internet_gateways();
            let ours = adopted(call, &target.addr, gateways);
            let ours = gateways.iter().find(|g| g.internet_gateway_id() == ours.as_deref());
            let gateway = match ours {
                Some(gateway) => gateway.clone(),
                None => {
                    let tags = tag_specification(ResourceType::InternetGateway, &r)?;
                    let create = ec2.client.create_internet_gateway().tag_specifications(tags);
                    let made = create.customize().config_override(sent_once()).send().await;
                    let made = made.map_err(sdk_error)?;
                    made.internet_gateway().cloned().unwrap_or_else(|| Gateway::builder().build())
                }
            };
            let id = gateway.internet_gateway_id().unwrap_or_default().to_string();
            if !attached(&gateway).contains(&vpc.as_str()) {
                let attach =
                    ec2.client.attach_internet_gateway().internet_gateway_id(&id).vpc_id(&vpc);
                match attach.send().await.map_err(sdk_error) {
                    // The SDK's retry of an attach whose answer was lost:
                    // done if the gateway is on this VPC now.
                    Err(CloudError::Api { code, .. }) if code == "Resource.AlreadyAssociated" => {
                        let now = ec2.client.describe_internet_gateways().internet_gateway_ids(&id);
                        let now = now.send().await.map_err(sdk_error)?;
                        let on_vpc = now
                            .internet_gateways()
                            .iter()
                            .any(|g| attached(g).contains(&vpc.as_str()));
                        if !on_vpc {
                            let why = format!(
                                "internet gateway {id} is attached to another VPC than {vpc}"
                            );
                            return Err(CloudError::Internal(why).made(&id));
                        }
                    }
                    other => {
                        other.map_err(|error| error.made(&id))?;
                    }
                }
            }
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
            let described =
                ec2.client.describe_internet_gateways().internet_gateway_ids(id).send().await;
            let gateways = match described.map_err(sdk_error) {
                Ok(found) => found.internet_gateways().to_vec(),
                Err(error) => return gone(Err(error)).map(|()| Deleted::Gone),
            };
            for vpc in gateways.iter().flat_map(attached) {
                let detach =
                    ec2.client.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc);
                match detach.send().await.map_err(sdk_error) {
                    Err(CloudError::Api { code, .. }) if code == "Gateway.NotAttached" => {}
                    other => gone(other.map(|_| ()))?,
                }
            }
            let deleted = ec2.client.delete_internet_gateway().internet_gateway_id(id).send().await;
            gone(deleted.map(|_| ()).map_err(sdk_error)).map(|()| Deleted::Gone)
        })
    }
}

/// The VPCs a gateway is attached to (or being attached to).
fn attached(gateway: &Gateway) -> Vec<&str> {
    gateway.attachments().iter().filter_map(|a| a.vpc_id()).collect()
}
