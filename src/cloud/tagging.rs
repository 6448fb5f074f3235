//! Finding owned resources by tag with the Resource Groups Tagging API: one
//! paginated call answers "which distributions (or functions) carry
//! wway:topology = NAME", where the services' own APIs would need a tag
//! read per resource in the account.

use aws_sdk_resourcegroupstagging::Client;
use aws_sdk_resourcegroupstagging::types::TagFilter;

use super::CloudError;
use super::owned::{Tags, tags};
use super::paging::all_pages;
use crate::state::TOPOLOGY_TAG;

const SERVICE: &str = "tagging";

/// ARNs and tags of the resources of `resource_type` (e.g. `lambda:function`)
/// that carry this topology's ownership tag.
pub async fn tagged(
    client: &Client,
    topology: &str,
    resource_type: &str,
) -> Result<Vec<(String, Tags)>, CloudError> {
    all_pages(SERVICE, "GetResources", |token: Option<String>| async move {
        let page = client
            .get_resources()
            .tag_filters(TagFilter::builder().key(TOPOLOGY_TAG).values(topology).build())
            .resource_type_filters(resource_type)
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|e| CloudError::from_sdk(SERVICE, e))?;
        let found = page
            .resource_tag_mapping_list()
            .iter()
            .filter_map(|m| {
                let pairs = m.tags().iter().map(|t| (t.key(), t.value()));
                Some((m.resource_arn()?.to_string(), tags(pairs)))
            })
            .collect();
        let next = page.pagination_token().filter(|t| !t.is_empty()).map(str::to_string);
        Ok((found, next))
    })
    .await
}
