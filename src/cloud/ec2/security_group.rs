//! The security group's cloud half: read by the topology's tag (one call
//! per region, its rules with it); made in its VPC with its tags (found
//! again by them after a lost answer, never made twice) and its rules; its
//! rules converged in place (what is missing authorized, what is not asked
//! for revoked); deleted once no endpoint's network interface holds it.

use std::collections::BTreeSet;

use serde_json::json;

use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, SecurityGroup as Group};

use super::{
    Ec2, adopted, delete_when_unused, made_by, owned_by, ownership_filter, sdk_error, sent_once,
    tag_specification,
};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::{CloudError, Found};
use crate::kinds::ec2::security_group::Rule;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

use super::SERVICE;

pub struct SecurityGroup;

impl CloudKind for SecurityGroup {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Vpc]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let groups =
                all_pages(SERVICE, "DescribeSecurityGroups", |token: Option<String>| async {
                    let page = ec2.client.describe_security_groups();
                    let page = page.filters(ownership_filter(call.topology)).set_next_token(token);
                    let page = page.send().await.map_err(sdk_error)?;
                    Ok((page.security_groups().to_vec(), page.next_token().map(str::to_string)))
                })
                .await?;
            let earlier = call.found(&[Kind::Vpc]).await?;
            let mut found = Found::default();
            for (addr, id, tags, group) in owned_by(&groups, call.topology) {
                let vpc = group.vpc_id().unwrap_or_default();
                let deps = earlier.addr_of(Kind::Vpc, vpc).cloned().into_iter().collect();
                let fields = [
                    ("vpc".to_string(), earlier.reference(Kind::Vpc, vpc)),
                    ("name".to_string(), json!(group.group_name())),
                    ("description".to_string(), json!(group.description())),
                    ("ingress".to_string(), json!(rules(group))),
                ]
                .into();
                found.owned.insert(addr, live(Kind::SecurityGroup, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's group is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            let filters = made_by(&call.scope, &target.addr);
            let lookup = ec2.client.describe_security_groups().set_filters(Some(filters));
            let earlier = lookup.send().await.map_err(sdk_error)?;
            let id = match adopted(call, &target.addr, earlier.security_groups()) {
                Some(id) => id,
                None => {
                    let create = ec2
                        .client
                        .create_security_group()
                        .vpc_id(call.id_of(&r, "vpc")?)
                        .group_name(r.str("name")?)
                        .description(r.str("description")?)
                        .tag_specifications(tag_specification(ResourceType::SecurityGroup, &r)?);
                    let made = create.customize().config_override(sent_once()).send().await;
                    made.map_err(sdk_error)?.group_id().unwrap_or_default().to_string()
                }
            };
            ec2.converge_rules(&id, &r.typed::<Vec<Rule>>("ingress")?)
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
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            ec2.converge_rules(id, &r.typed::<Vec<Rule>>("ingress")?).await?;
            ec2.tag(id, &r).await.map(|()| Outputs::new())
        })
    }

    /// Once the network interfaces of the endpoints that used it are gone
    /// (AWS lets them go after the endpoint, and refuses until then).
    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let delete = || async {
                let deleted = ec2.client.delete_security_group().group_id(id).send().await;
                deleted.map(|_| ()).map_err(sdk_error)
            };
            delete_when_unused(call, &format!("security group {id}"), delete).await
        })
    }
}

/// One port range of one protocol from one block: how rules are compared.
type Grant = (String, i32, i32, String);

/// A group's ingress as rules: one per protocol and port range, sorted.
fn rules(group: &Group) -> Vec<Rule> {
    let mut rules: Vec<Rule> = group
        .ip_permissions()
        .iter()
        .map(|p| {
            let mut cidrs: Vec<String> =
                p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).map(str::to_string).collect();
            cidrs.sort();
            Rule {
                protocol: p.ip_protocol().unwrap_or_default().to_string(),
                from_port: p.from_port().unwrap_or(0),
                to_port: p.to_port().unwrap_or(0),
                cidrs,
            }
        })
        .collect();
    rules.sort();
    rules
}

fn grants(rules: &[Rule]) -> BTreeSet<Grant> {
    rules
        .iter()
        .flat_map(|r| {
            r.cidrs.iter().map(|c| (r.protocol.clone(), r.from_port, r.to_port, c.clone()))
        })
        .collect()
}

/// The permissions that grant `grants`, one per block.
fn permissions<'g>(grants: impl Iterator<Item = &'g Grant>) -> Vec<IpPermission> {
    grants
        .map(|(protocol, from, to, cidr)| {
            IpPermission::builder()
                .ip_protocol(protocol)
                .from_port(*from)
                .to_port(*to)
                .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
                .build()
        })
        .collect()
}

impl Ec2 {
    /// Makes group `id`'s ingress `wanted`: authorizes what is missing,
    /// revokes what is not asked for (a rule added by hand is drift).
    async fn converge_rules(&self, id: &str, wanted: &[Rule]) -> Result<(), CloudError> {
        let described = self.client.describe_security_groups().group_ids(id).send().await;
        let described = described.map_err(sdk_error)?;
        let now = described.security_groups().first().map(rules).unwrap_or_default();
        let (now, wanted) = (grants(&now), grants(wanted));
        let missing: Vec<&Grant> = wanted.difference(&now).collect();
        let extra: Vec<&Grant> = now.difference(&wanted).collect();
        if !missing.is_empty() {
            let asked = self.client.authorize_security_group_ingress().group_id(id);
            let asked = asked.set_ip_permissions(Some(permissions(missing.into_iter())));
            match asked.send().await.map_err(sdk_error) {
                // A resent authorize whose answer was lost.
                Err(CloudError::Api { code, .. }) if code == "InvalidPermission.Duplicate" => {}
                other => other.map(|_| ())?,
            }
        }
        if !extra.is_empty() {
            let asked = self.client.revoke_security_group_ingress().group_id(id);
            let asked = asked.set_ip_permissions(Some(permissions(extra.into_iter())));
            asked.send().await.map_err(sdk_error)?;
        }
        Ok(())
    }
}
