//! Resources as wway sees them, with no cloud SDK in sight: stable addresses,
//! kinds, the desired state derived from a topology, and the live state read
//! from an account (plain serde data that tests load from `fixtures/`).
//!
//! Both sides describe a resource by the same [`Fields`]: a map of field name
//! to JSON value, normalised so that equal settings compare equal.

pub mod addr;
pub mod desired;
pub mod digest;
pub mod live;
pub mod package;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use addr::ResourceAddr;

/// A resource's settings, by field name.
pub type Fields = BTreeMap<String, serde_json::Value>;

/// The ownership tags every taggable resource wway creates carries.
pub const TOPOLOGY_TAG: &str = "wway:topology";
pub const ID_TAG: &str = "wway:id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Vpc,
    Subnet,
    EksCluster,
    NodeGroup,
    Zone,
    HealthCheck,
    Record,
    EdgeFunction,
    Distribution,
}

/// The AWS service that owns a kind: API budgets and call counts are per service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Ec2,
    Eks,
    Route53,
    CloudFront,
    Lambda,
}

impl Kind {
    pub fn service(self) -> Service {
        match self {
            Kind::Vpc | Kind::Subnet => Service::Ec2,
            Kind::EksCluster | Kind::NodeGroup => Service::Eks,
            Kind::Zone | Kind::HealthCheck | Kind::Record => Service::Route53,
            Kind::EdgeFunction => Service::Lambda,
            Kind::Distribution => Service::CloudFront,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Vpc => "vpc",
            Kind::Subnet => "subnet",
            Kind::EksCluster => "eks-cluster",
            Kind::NodeGroup => "node-group",
            Kind::Zone => "zone",
            Kind::HealthCheck => "health-check",
            Kind::Record => "record",
            Kind::EdgeFunction => "edge-function",
            Kind::Distribution => "distribution",
        }
    }

    /// Fields AWS cannot change in place: a change to one replaces the resource.
    pub fn replace_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Vpc => &["cidr"],
            Kind::Subnet => &["vpc", "availability_zone", "cidr"],
            Kind::EksCluster => &["name", "role_arn", "subnets"],
            Kind::NodeGroup => {
                &["cluster", "name", "instance_types", "capacity_type", "node_role_arn", "subnets"]
            }
            Kind::Zone => &["name"],
            Kind::HealthCheck => &["type", "request_interval"],
            Kind::Record => &["name", "type", "set_identifier"],
            Kind::EdgeFunction => &["function_name"],
            Kind::Distribution => &[],
        }
    }

    /// Fields that hold the address of another resource, whose replacement
    /// therefore replaces this one too (a subnet of a replaced VPC).
    pub fn reference_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Subnet => &["vpc"],
            Kind::EksCluster | Kind::NodeGroup => &["subnets"],
            _ => &[],
        }
    }

    /// Whether a replacement can create the new resource before deleting the
    /// old one: two VPCs or health checks may coexist, and a new node group
    /// can join before the old one drains; but a subnet's new block would
    /// overlap the old one's in the same VPC, and a record or a function name
    /// cannot be held twice.
    pub fn create_before_destroy(self) -> bool {
        matches!(self, Kind::NodeGroup | Kind::HealthCheck | Kind::Vpc)
    }
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Eks => "eks",
            Service::Route53 => "route53",
            Service::CloudFront => "cloudfront",
            Service::Lambda => "lambda",
        }
    }
}
