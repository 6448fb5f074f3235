//! The hosted zone's cloud half: read by name (each declared zone, and
//! those earlier runs used), owned by its tags or its caller reference, else
//! someone else's that wway uses as it is; made with an owned caller
//! reference (so a zone made but never tagged is still known as the
//! topology's), retagged in place, deleted.

use aws_sdk_route53::types::TagResourceType;
use serde_json::json;

use super::{Route53, sdk_error};
use crate::cloud::kind::{Answer, Call, CloudKind, Deleted, Made, read};
use crate::cloud::owned::{Tags, holder, live, owner, tags};
use crate::cloud::read::ReadCall;
use crate::cloud::{CloudError, Found, address_digest, reference_owner};
use crate::kinds::route53::zone as zone_kind;
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;
use crate::state::live::Unowned;

pub struct Zone;

impl CloudKind for Zone {
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            let declared = call.declared.iter().map(|z| z.name.as_str());
            let remembered = call.remembered.iter().map(String::as_str);
            let mut names: Vec<&str> = declared.collect();
            names.extend(remembered.filter(|z| !call.declared.iter().any(|d| d.name == *z)));
            let mut found = Found::default();
            for name in names {
                found.absorb(zone(&route53, call.topology, name).await?);
            }
            Ok(found)
        })
    }

    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.create_zone(call.scope, &read(target)).await.map(Made::id) })
    }

    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        _before: &'a Fields,
    ) -> Answer<'a, Outputs> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move {
            let tagged = route53.tag(TagResourceType::Hostedzone, id, &read(target)).await;
            tagged.map(|()| Outputs::new())
        })
    }

    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        _target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted> {
        let route53 = Route53::new(call.clients.route53.clone());
        Box::pin(async move { route53.delete_zone(id).await.map(|()| Deleted::Gone) })
    }
}

/// The public zone called `name`: the topology's (where several have the
/// name, the one it owns), else the first, someone else's, to use.
async fn zone(route53: &Route53, topology: &str, name: &str) -> Result<Found, CloudError> {
    let mut found = Found::default();
    let fqdn = format!("{name}.");
    let addr = zone_kind::addr(name);
    let mut first = None;
    for zone in route53.public_zones(&fqdn).await? {
        let id = zone.id().trim_start_matches("/hostedzone/").to_string();
        let tagged = route53.client.list_tags_for_resource();
        let tagged = tagged.resource_type(TagResourceType::Hostedzone).resource_id(&id);
        let response = tagged.send().await.map_err(sdk_error)?;
        let pairs = response.resource_tag_set().map(|s| s.tags()).unwrap_or_default();
        let tags: Tags =
            tags(pairs.iter().map(|t| (t.key().unwrap_or(""), t.value().unwrap_or(""))));
        // Made by this topology but not tagged yet: its caller reference tells.
        let untagged = reference_owner(zone.caller_reference())
            .filter(|(owner, digest)| *owner == topology && *digest == address_digest(&addr))
            .map(|_| addr.clone());
        if let Some(owned) = owner(&tags, topology).or(untagged) {
            let fields = [("name".to_string(), json!(fqdn))].into();
            found.owned.insert(owned, live(Kind::Zone, &id, fields, tags, vec![], None));
            return Ok(found);
        }
        first.get_or_insert((id, holder(&tags)));
    }
    if let Some((id, holder)) = first {
        let wanted_by = Some(addr);
        found.unowned.push(Unowned {
            kind: Kind::Zone,
            name: name.to_string(),
            id,
            holder,
            wanted_by,
        });
    }
    Ok(found)
}
