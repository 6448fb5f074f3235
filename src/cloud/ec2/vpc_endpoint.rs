//! The VPC endpoint's cloud half: read by the topology's tag (pages of
//! DescribeVpcEndpoints, those being deleted left out), with its route
//! tables, subnets and security groups by address; made with an
//! idempotency token and waited on until available; its route tables,
//! subnets and groups changed in place (ModifyVpcEndpoint adds and removes
//! them, and AWS a gateway's routes and an interface's network
//! interfaces); deleted and waited on until gone.

use std::time::Duration;

use serde_json::json;

use aws_sdk_ec2::types::{Filter, ResourceType, VpcEndpointType};

use super::{Ec2, SERVICE, owned_by, ownership_filter, sdk_error, tag_specification};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::live;
use crate::cloud::paging::all_pages;
use crate::cloud::read::ReadCall;
use crate::cloud::wait::{Poll, absent, not_found, until};
use crate::cloud::{CloudError, Found};
use crate::kinds::ec2::vpc_endpoint::GATEWAY;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct VpcEndpoint;

/// terraform-provider-aws: 10 minutes to create or delete.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

impl CloudKind for VpcEndpoint {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Vpc, Kind::RouteTable, Kind::Subnet, Kind::SecurityGroup]
    }

    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let living =
                Filter::builder().name("vpc-endpoint-state").values("pending").values("available");
            let filters = vec![ownership_filter(call.topology), living.build()];
            let endpoints =
                all_pages(SERVICE, "DescribeVpcEndpoints", |token: Option<String>| async {
                    let page =
                        ec2.client.describe_vpc_endpoints().set_filters(Some(filters.clone()));
                    let page = page.set_next_token(token).send().await.map_err(sdk_error)?;
                    Ok((page.vpc_endpoints().to_vec(), page.next_token().map(str::to_string)))
                })
                .await?;
            let earlier =
                call.found(&[Kind::Vpc, Kind::RouteTable, Kind::Subnet, Kind::SecurityGroup]);
            let earlier = earlier.await?;
            let mut found = Found::default();
            for (addr, id, tags, endpoint) in owned_by(&endpoints, call.topology) {
                let vpc = endpoint.vpc_id().unwrap_or_default();
                let groups: Vec<&str> =
                    endpoint.groups().iter().filter_map(|g| g.group_id()).collect();
                let tables = endpoint.route_table_ids().iter().map(String::as_str);
                let subnets = endpoint.subnet_ids().iter().map(String::as_str);
                let deps = std::iter::once(earlier.addr_of(Kind::Vpc, vpc))
                    .chain(tables.map(|t| earlier.addr_of(Kind::RouteTable, t)))
                    .chain(subnets.map(|s| earlier.addr_of(Kind::Subnet, s)))
                    .chain(groups.iter().map(|g| earlier.addr_of(Kind::SecurityGroup, g)));
                let deps = deps.flatten().cloned().collect();
                let endpoint_type = endpoint.vpc_endpoint_type().map(|t| t.as_str());
                let fields = [
                    ("vpc".to_string(), earlier.reference(Kind::Vpc, vpc)),
                    ("service".to_string(), json!(endpoint.service_name())),
                    ("type".to_string(), json!(endpoint_type)),
                    (
                        "route_tables".to_string(),
                        earlier.references(Kind::RouteTable, endpoint.route_table_ids()),
                    ),
                    (
                        "subnets".to_string(),
                        earlier.references(Kind::Subnet, endpoint.subnet_ids()),
                    ),
                    (
                        "security_groups".to_string(),
                        earlier.references(Kind::SecurityGroup, &groups),
                    ),
                    (
                        "private_dns".to_string(),
                        json!(endpoint.private_dns_enabled().unwrap_or(false)),
                    ),
                ]
                .into();
                found.owned.insert(addr, live(Kind::VpcEndpoint, id, fields, tags, deps, None));
            }
            Ok(found)
        })
    }

    /// Never twice: the create's token is the same for every retry of the run.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let ec2 = Ec2::new(call.clients.ec2.clone());
        Box::pin(async move {
            let r = read(target);
            let create = ec2
                .client
                .create_vpc_endpoint()
                .vpc_id(call.id_of(&r, "vpc")?)
                .service_name(r.str("service")?)
                .client_token(call.scope.token(&target.addr))
                .tag_specifications(tag_specification(ResourceType::VpcEndpoint, &r)?);
            let create = match r.str("type")? {
                GATEWAY => create
                    .vpc_endpoint_type(VpcEndpointType::Gateway)
                    .set_route_table_ids(Some(call.ids.all(&r.strings("route_tables")?)?)),
                _ => create
                    .vpc_endpoint_type(VpcEndpointType::Interface)
                    .set_subnet_ids(Some(call.ids.all(&r.strings("subnets")?)?))
                    .set_security_group_ids(Some(call.ids.all(&r.strings("security_groups")?)?))
                    .private_dns_enabled(r.get("private_dns") == Some(&json!(true))),
            };
            let made = create.send().await.map_err(sdk_error)?;
            let id = made.vpc_endpoint().and_then(|e| e.vpc_endpoint_id()).unwrap_or_default();
            let id = id.to_string();
            ec2.endpoint_settled(call, &id, false).await.map_err(|e| e.made(&id))?;
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
            let described = ec2.client.describe_vpc_endpoints().vpc_endpoint_ids(id).send().await;
            let described = described.map_err(sdk_error)?;
            let Some(now) = described.vpc_endpoints().first() else {
                return Err(CloudError::Internal(format!("VPC endpoint {id} is not there")));
            };
            let groups: Vec<String> =
                now.groups().iter().filter_map(|g| g.group_id()).map(str::to_string).collect();
            let tables =
                Change::of(now.route_table_ids(), call.ids.all(&r.strings("route_tables")?)?);
            let subnets = Change::of(now.subnet_ids(), call.ids.all(&r.strings("subnets")?)?);
            let groups = Change::of(&groups, call.ids.all(&r.strings("security_groups")?)?);
            if !(tables.is_none() && subnets.is_none() && groups.is_none()) {
                ec2.client
                    .modify_vpc_endpoint()
                    .vpc_endpoint_id(id)
                    .set_add_route_table_ids(tables.add)
                    .set_remove_route_table_ids(tables.remove)
                    .set_add_subnet_ids(subnets.add)
                    .set_remove_subnet_ids(subnets.remove)
                    .set_add_security_group_ids(groups.add)
                    .set_remove_security_group_ids(groups.remove)
                    .send()
                    .await
                    .map_err(sdk_error)?;
            }
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
            let deleted = ec2.client.delete_vpc_endpoints().vpc_endpoint_ids(id).send().await;
            let deleted = deleted.map_err(sdk_error)?;
            if let Some(refused) = deleted.unsuccessful().iter().find_map(|u| u.error())
                && !not_found(refused.code().unwrap_or_default())
            {
                return Err(CloudError::Api {
                    service: SERVICE,
                    code: refused.code().unwrap_or("Unknown").to_string(),
                    message: refused.message().unwrap_or_default().to_string(),
                });
            }
            ec2.endpoint_settled(call, id, true).await.map(|()| Deleted::Gone)
        })
    }
}

/// What a ModifyVpcEndpoint adds to and removes from one of an endpoint's
/// lists (AWS takes no empty list).
struct Change {
    add: Option<Vec<String>>,
    remove: Option<Vec<String>>,
}

impl Change {
    fn of(now: &[String], wanted: Vec<String>) -> Change {
        let add: Vec<String> = wanted.iter().filter(|w| !now.contains(w)).cloned().collect();
        let remove: Vec<String> = now.iter().filter(|n| !wanted.contains(n)).cloned().collect();
        let some = |ids: Vec<String>| Some(ids).filter(|ids| !ids.is_empty());
        Change { add: some(add), remove: some(remove) }
    }

    fn is_none(&self) -> bool {
        self.add.is_none() && self.remove.is_none()
    }
}

impl Ec2 {
    /// Waits until endpoint `id` is available, or gone when `deleted`.
    async fn endpoint_settled(
        &self,
        call: &Call<'_>,
        id: &str,
        deleted: bool,
    ) -> Result<(), CloudError> {
        let wait = call.wait();
        let poll = || async {
            let described = self.client.describe_vpc_endpoints().vpc_endpoint_ids(id).send().await;
            let answer = absent(described.map_err(sdk_error))?;
            let endpoint = answer.and_then(|a| a.vpc_endpoints().first().cloned());
            // EC2 answers the states in lower case ("available"), not as
            // its API model spells them ("Available").
            let state =
                endpoint.as_ref().and_then(|e| e.state()).map(|s| s.as_str().to_lowercase());
            Ok(match (deleted, state.as_deref()) {
                (true, None | Some("deleted")) | (false, Some("available")) => Poll::Done,
                (false, Some(state @ ("failed" | "rejected"))) => Poll::Failed(state.to_string()),
                (_, Some(state)) => Poll::Waiting(state.to_string()),
                (_, None) => Poll::Waiting("not visible yet".into()),
            })
        };
        until(&format!("VPC endpoint {id}"), wait.limit(TIMEOUT), wait.progress, poll).await
    }
}
