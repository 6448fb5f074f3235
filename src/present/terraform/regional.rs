//! A region's resources: the VPC and its subnets (`<region>-network.tf`),
//! the EKS cluster and its node groups (`<region>-eks.tf`). The node groups'
//! desired size is left to the cluster autoscaler, as wway leaves it.

use super::variables::Variables;
use super::{Refs, map, number, strings, text};
use crate::present::hcl::{Block, Expr};
use crate::state::Kind;
use crate::state::desired::DesiredResource;

pub fn blocks(r: &DesiredResource, refs: &Refs, variables: &Variables) -> Vec<Block> {
    let f = &r.fields;
    let block = match r.kind {
        Kind::Vpc => refs
            .resource(r)
            .attr("cidr_block", Expr::Str(text(f, "cidr")))
            .attr("tags", map(f, "tags")),
        Kind::Subnet => refs
            .resource(r)
            .attr("vpc_id", refs.attribute(&text(f, "vpc"), "id"))
            .attr("cidr_block", Expr::Str(text(f, "cidr")))
            .attr("availability_zone", Expr::Str(text(f, "availability_zone")))
            .attr("tags", map(f, "tags")),
        Kind::EksCluster => refs
            .resource(r)
            .attr("name", Expr::Str(text(f, "name")))
            .attr("role_arn", variables.cluster_role(&r.region))
            .attr("version", Expr::Str(text(f, "version")))
            .attr("tags", map(f, "tags"))
            .block(Block::new("vpc_config", &[]).attr("subnet_ids", refs.ids(f, "subnets"))),
        Kind::NodeGroup => {
            let cluster = format!("{}/eks-cluster", r.region);
            refs.resource(r)
                .attr("cluster_name", refs.attribute(&cluster, "name"))
                .attr("node_group_name", Expr::Str(text(f, "name")))
                .attr("node_role_arn", variables.node_role(&r.region))
                .attr("subnet_ids", refs.ids(f, "subnets"))
                .attr("instance_types", Expr::strs(strings(f, "instance_types")))
                .attr("capacity_type", Expr::Str(text(f, "capacity_type")))
                .attr("labels", map(f, "labels"))
                .attr("tags", map(f, "tags"))
                .block(
                    Block::new("scaling_config", &[])
                        .attr("desired_size", number(f, "desired_size"))
                        .attr("max_size", number(f, "max_size"))
                        .attr("min_size", number(f, "min_size")),
                )
                // The cluster autoscaler owns the desired size once the group exists.
                .block(Block::new("lifecycle", &[]).attr(
                    "ignore_changes",
                    Expr::List(vec![Expr::raw("scaling_config[0].desired_size")]),
                ))
        }
        _ => return Vec::new(),
    };
    vec![block]
}
