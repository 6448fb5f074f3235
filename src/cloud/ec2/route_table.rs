//! The route table's cloud half: read by the topology's tag (pages of
//! DescribeRouteTables, each with its routes and associations), the default
//! route's target and the subnets by address; made with its tags (found
//! again by them after a lost answer); then, as on every update, its
//! default route and its subnets are made what the target says, from one
//! read of the table; deleted after its subnets are let go.

use serde_json::Value;

use aws_sdk_ec2::types::{ResourceType, RouteTable as Table};

use super::{
    Ec2, SERVICE, adopted, delete_when_unused, made_by, owned_by, ownership_filter, sdk_error,
    sent_once, tag_specification,
};
use crate::cloud::fields::Read;
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::{absent, gone};
use crate::cloud::{CloudError, Found};
use crate::kinds::{Fields, Kind, ResourceAddr};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::topology::model::ANYWHERE;

pub struct RouteTable;

const READS_AFTER: [Kind; 4] = [Kind::Vpc, Kind::Subnet, Kind::InternetGateway, Kind::NatGateway];

impl CloudKind for RouteTable {
    fn reads_after(&self) -> &'static [Kind] {
        &READS_AFTER
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let tables = all_pages(SERVICE, "DescribeRouteTables", |token: Option<String>| async {
                let page =
                    ec2.client.describe_route_tables().filters(ownership_filter(call.topology));
                let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                Ok((page.route_tables().to_vec(), page.next_token().map(str::to_string)))
            })
            .await?;
            let earlier = call.found(&READS_AFTER).await?;
            let mut found = Found::default();
            for (addr, id, tags, table) in owned_by(&tables, call.topology) {
                let vpc = table.vpc_id().unwrap_or_default();
                let route = default_route(table);
                let gateway = route.and_then(|r| r.gateway_id()).filter(|g| g.starts_with("igw-"));
                let nat = route.and_then(|r| r.nat_gateway_id());
                let subnets: Vec<&str> = associated(table).into_iter().map(|(_, s)| s).collect();
                let mut deps: Vec<ResourceAddr> = [
                    earlier.addr_of(Kind::Vpc, vpc),
                    gateway.and_then(|g| earlier.addr_of(Kind::InternetGateway, g)),
                    nat.and_then(|n| earlier.addr_of(Kind::NatGateway, n)),
                ]
                .into_iter()
                .flatten()
                .cloned()
                .collect();
                deps.extend(
                    subnets.iter().filter_map(|s| earlier.addr_of(Kind::Subnet, s)).cloned(),
                );
                let fields = [
                    ("vpc".to_string(), earlier.reference(Kind::Vpc, vpc)),
                    (
                        "internet_gateway".to_string(),
                        gateway
                            .map_or(Value::Null, |g| earlier.reference(Kind::InternetGateway, g)),
                    ),
                    (
                        "nat_gateway".to_string(),
                        nat.map_or(Value::Null, |n| earlier.reference(Kind::NatGateway, n)),
                    ),
                    ("subnets".to_string(), earlier.references(Kind::Subnet, &subnets)),
                ]
                .into();
                found.owned.insert(addr, live(Kind::RouteTable, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    /// Never twice: an earlier attempt's table is found by its tags first.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let filters = made_by(&call.scope, &target.addr);
            let earlier =
                ec2.client.describe_route_tables().set_filters(Some(filters)).send().await;
            let earlier = earlier.map_err(sdk_error)?;
            let r = read(target);
            let id = match adopted(call, &target.addr, earlier.route_tables()) {
                Some(id) => id,
                None => {
                    let vpc = call.id_of(&r, "vpc")?;
                    let tags = tag_specification(ResourceType::RouteTable, &r)?;
                    let create =
                        ec2.client.create_route_table().vpc_id(vpc).tag_specifications(tags);
                    let made = create.customize().config_override(sent_once()).send().await;
                    let made = made.map_err(sdk_error)?;
                    let id = made.route_table().and_then(|t| t.route_table_id());
                    id.unwrap_or_default().to_string()
                }
            };
            ec2.converge_table(call, &id, &r).await.map_err(|e| e.made(&id))?;
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
            ec2.converge_table(call, id, &r).await?;
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
            let Some(table) = ec2.table(id).await? else { return Ok(Deleted::Gone) };
            for (association, _) in associated(&table) {
                ec2.disassociate(association).await?;
            }
            let delete = || async {
                let deleted = ec2.client.delete_route_table().route_table_id(id).send().await;
                deleted.map(|_| ()).map_err(sdk_error)
            };
            delete_when_unused(call, &format!("route table {id}"), delete).await
        })
    }
}

/// A table's route for the internet's traffic, if it has one.
fn default_route(table: &Table) -> Option<&aws_sdk_ec2::types::Route> {
    table.routes().iter().find(|r| r.destination_cidr_block() == Some(ANYWHERE))
}

/// A table's subnets: (association id, subnet id) of each, the main
/// association (which names no subnet) left out.
fn associated(table: &Table) -> Vec<(&str, &str)> {
    let each = table.associations().iter();
    each.filter_map(|a| Some((a.route_table_association_id()?, a.subnet_id()?))).collect()
}

impl Ec2 {
    /// Route table `id`, if it exists.
    async fn table(&self, id: &str) -> Result<Option<Table>, CloudError> {
        let described = self.client.describe_route_tables().route_table_ids(id).send().await;
        let answer = absent(described.map_err(sdk_error))?;
        Ok(answer.and_then(|a| a.route_tables().first().cloned()))
    }

    async fn disassociate(&self, association: &str) -> Result<(), CloudError> {
        let asked = self.client.disassociate_route_table().association_id(association);
        gone(asked.send().await.map(|_| ()).map_err(sdk_error))
    }

    /// Makes table `id`'s default route and subnets those `r` asks for.
    async fn converge_table(
        &self,
        call: &Call<'_>,
        id: &str,
        r: &Read<'_>,
    ) -> Result<(), CloudError> {
        let table = self.table(id).await?.ok_or_else(|| {
            CloudError::Internal(format!("route table {id} is not there after it was made"))
        })?;
        let target = |field: &str| -> Result<Option<String>, CloudError> {
            let Some(addr) = r.get(field).and_then(Value::as_str) else { return Ok(None) };
            Ok(Some(call.ids.id(&ResourceAddr::new(addr))?.to_string()))
        };
        let (gateway, nat) = (target("internet_gateway")?, target("nat_gateway")?);
        let route = default_route(&table);
        let now = route.and_then(|r| r.gateway_id().or(r.nat_gateway_id()));
        let wanted = gateway.as_deref().or(nat.as_deref());
        if now != wanted {
            let replace = || {
                let asked = self.client.replace_route().route_table_id(id);
                let asked = asked.destination_cidr_block(ANYWHERE);
                asked.set_gateway_id(gateway.clone()).set_nat_gateway_id(nat.clone()).send()
            };
            match (route.is_some(), wanted) {
                (true, None) => {
                    let asked = self.client.delete_route().route_table_id(id);
                    asked.destination_cidr_block(ANYWHERE).send().await.map_err(sdk_error)?;
                }
                (true, Some(_)) => {
                    replace().await.map_err(sdk_error)?;
                }
                (false, Some(_)) => {
                    let asked = self.client.create_route().route_table_id(id);
                    let asked = asked.destination_cidr_block(ANYWHERE);
                    let asked =
                        asked.set_gateway_id(gateway.clone()).set_nat_gateway_id(nat.clone());
                    match asked.send().await.map_err(sdk_error) {
                        // The SDK's retry of a create whose answer was lost:
                        // the route is there, and is set as wanted.
                        Err(CloudError::Api { code, .. }) if code == "RouteAlreadyExists" => {
                            replace().await.map_err(sdk_error)?;
                        }
                        other => {
                            other?;
                        }
                    }
                }
                (false, None) => {}
            }
        }
        let wanted = call.ids.all(&r.strings("subnets")?)?;
        let associations = associated(&table);
        for (association, subnet) in &associations {
            if !wanted.iter().any(|w| w == subnet) {
                self.disassociate(association).await?;
            }
        }
        for subnet in wanted.iter().filter(|w| !associations.iter().any(|(_, s)| s == w)) {
            let asked = self.client.associate_route_table().route_table_id(id).subnet_id(subnet);
            match asked.send().await.map_err(sdk_error) {
                // The SDK's retry of an association whose answer was lost:
                // done if the subnet is in this table now.
                Err(CloudError::Api { code, .. }) if code == "Resource.AlreadyAssociated" => {
                    let now = self.table(id).await?;
                    let held = now
                        .as_ref()
                        .is_some_and(|t| associated(t).iter().any(|(_, s)| s == subnet));
                    if !held {
                        return Err(CloudError::Internal(format!(
                            "subnet {subnet} is in another route table than {id}"
                        )));
                    }
                }
                other => {
                    other?;
                }
            }
        }
        Ok(())
    }
}
