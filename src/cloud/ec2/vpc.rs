//! The VPC's cloud half: read by the topology's tag (one call per region,
//! and its two DNS attributes); made with its tags (found again by them
//! after a lost answer), then its DNS set; retagged and its DNS set in
//! place; deleted.

use serde_json::json;

use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType, VpcAttributeName};

use super::{
    Ec2, SERVICE, adopted, delete_when_free, made_by, ownership_filter, sdk_error, sent_once,
    tag_map, tag_specification,
};
use crate::cloud::fields::Read;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Tags, live, owner};
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::{CloudError, Found};
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct Vpc;

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
            for vpc in &vpcs {
                let tags = tag_map(vpc.tags());
                let (Some(addr), Some(id)) = (owner(&tags, call.topology), vpc.vpc_id()) else {
                    continue;
                };
                let (support, hostnames) =
                    tokio::try_join!(ec2.dns(id, DNS_SUPPORT), ec2.dns(id, DNS_HOSTNAMES))?;
                let fields = [
                    ("cidr".to_string(), json!(vpc.cidr_block())),
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
            let earlier: Vec<(String, Tags)> = earlier
                .vpcs()
                .iter()
                .map(|v| (v.vpc_id().unwrap_or_default().to_string(), tag_map(v.tags())))
                .collect();
            let r = read(target);
            let id = match adopted(call, &target.addr, &earlier) {
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
            let set = ec2.set_dns(&id, &r, None).await;
            set.map_err(|error| error.made(&id))?;
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
            let nothing = || async { Ok(()) };
            delete_when_free(call, &format!("VPC {id}"), delete, nothing).await
        })
    }
}

/// The VPC's DNS attributes, as fields and as EC2 names them.
const DNS_SUPPORT: &str = "dns_support";
const DNS_HOSTNAMES: &str = "dns_hostnames";

impl Ec2 {
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
