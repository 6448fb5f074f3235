//! The gateway endpoint's cloud half: read by the topology's tag (pages of
//! DescribeVpcEndpoints, those being deleted left out), with its route
//! tables by address; made with an idempotency token and waited on until
//! available; its route tables changed in place (ModifyVpcEndpoint adds and
//! removes them, and AWS their routes); deleted and waited on until gone.

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
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

pub struct VpcEndpoint;

/// terraform-provider-aws: 10 minutes to create or delete.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

impl CloudKind for VpcEndpoint {
    fn reads_after(&self) -> &'static [Kind] {
        &[Kind::Vpc, Kind::RouteTable]
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
            let earlier = call.found(&[Kind::Vpc, Kind::RouteTable]).await?;
            let mut found = Found::default();
            for (addr, id, tags, endpoint) in owned_by(&endpoints, call.topology) {
                let vpc = endpoint.vpc_id().unwrap_or_default();
                let deps = std::iter::once(earlier.addr_of(Kind::Vpc, vpc)).chain(
                    endpoint.route_table_ids().iter().map(|t| earlier.addr_of(Kind::RouteTable, t)),
                );
                let deps = deps.flatten().cloned().collect();
                let fields = [
                    ("vpc".to_string(), earlier.reference(Kind::Vpc, vpc)),
                    ("service".to_string(), json!(endpoint.service_name())),
                    (
                        "route_tables".to_string(),
                        earlier.references(Kind::RouteTable, endpoint.route_table_ids()),
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
                .vpc_endpoint_type(VpcEndpointType::Gateway)
                .vpc_id(call.id_of(&r, "vpc")?)
                .service_name(r.str("service")?)
                .set_route_table_ids(Some(call.ids.all(&r.strings("route_tables")?)?))
                .client_token(call.scope.token(&target.addr))
                .tag_specifications(tag_specification(ResourceType::VpcEndpoint, &r)?);
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
            let wanted = call.ids.all(&r.strings("route_tables")?)?;
            let described = ec2.client.describe_vpc_endpoints().vpc_endpoint_ids(id).send().await;
            let described = described.map_err(sdk_error)?;
            let now: Vec<String> = described
                .vpc_endpoints()
                .iter()
                .flat_map(|e| e.route_table_ids().iter().cloned())
                .collect();
            let add: Vec<String> = wanted.iter().filter(|t| !now.contains(t)).cloned().collect();
            let remove: Vec<String> = now.iter().filter(|t| !wanted.contains(t)).cloned().collect();
            if !(add.is_empty() && remove.is_empty()) {
                let modify = ec2.client.modify_vpc_endpoint().vpc_endpoint_id(id);
                let modify = modify.set_add_route_table_ids(Some(add).filter(|a| !a.is_empty()));
                let modify =
                    modify.set_remove_route_table_ids(Some(remove).filter(|r| !r.is_empty()));
                modify.send().await.map_err(sdk_error)?;
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
