//! Resource kinds, the unit of wway's code. Each kind has a pure half here
//! (`kinds/<service>/<kind>.rs`): its typed spec, which builds and reads the
//! uniform [`Fields`] that the diff, journals and plan JSON carry; where it
//! lives and which service owns it; which fields force a replacement and
//! which refer to other resources; what others may change without it being
//! a difference; its plan-time preflight; the names it could clash under;
//! how its changes are batched; the values it gives others once made; its
//! Terraform block with its import id; its addresses; and how it is lowered
//! from the topology ([`lower`]). Its cloud half (reads, creates, updates,
//! deletes and waits) is in `cloud/<service>/<kind>.rs`.
//!
//! [`Kind::def`] is the one registry: the engine asks a kind's [`KindDef`]
//! and never matches on a kind itself. Adding a kind costs its files, a
//! variant here and its registry line; a piece left out does not compile.

pub mod addr;
pub mod cloudfront;
pub mod ec2;
pub mod eks;
pub mod kms;
pub mod lambda;
pub mod lower;
pub mod quota;
pub mod route53;
pub mod spec;
pub mod terraform;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use addr::ResourceAddr;
pub use lower::Lowering;
pub use spec::SpecError;
pub use terraform::Exporter;

use crate::hcl::Block;

/// A resource's settings, by field name.
pub type Fields = BTreeMap<String, Value>;

/// The ownership tags every taggable resource wway creates carries.
pub const TOPOLOGY_TAG: &str = "wway:topology";
pub const ID_TAG: &str = "wway:id";

/// The region of the global services' APIs (Route 53, CloudFront, Lambda@Edge).
pub const GLOBAL_REGION: &str = "us-east-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Vpc,
    Subnet,
    InternetGateway,
    ElasticIp,
    NatGateway,
    RouteTable,
    SecurityGroup,
    VpcEndpoint,
    KmsKey,
    EksCluster,
    AccessEntry,
    NodeGroup,
    EksAddon,
    Zone,
    HealthCheck,
    Record,
    EdgeFunction,
    Distribution,
}

impl Kind {
    /// Every kind, in the order plans and exports list them.
    pub const ALL: [Kind; 18] = [
        Kind::Vpc,
        Kind::Subnet,
        Kind::InternetGateway,
        Kind::ElasticIp,
        Kind::NatGateway,
        Kind::RouteTable,
        Kind::SecurityGroup,
        Kind::VpcEndpoint,
        Kind::KmsKey,
        Kind::EksCluster,
        Kind::AccessEntry,
        Kind::NodeGroup,
        Kind::EksAddon,
        Kind::Zone,
        Kind::HealthCheck,
        Kind::Record,
        Kind::EdgeFunction,
        Kind::Distribution,
    ];

    /// The registry: what each kind is.
    pub fn def(self) -> &'static dyn KindDef {
        match self {
            Kind::Vpc => &ec2::vpc::Vpc,
            Kind::Subnet => &ec2::subnet::Subnet,
            Kind::InternetGateway => &ec2::internet_gateway::InternetGateway,
            Kind::ElasticIp => &ec2::elastic_ip::ElasticIp,
            Kind::NatGateway => &ec2::nat_gateway::NatGateway,
            Kind::RouteTable => &ec2::route_table::RouteTable,
            Kind::SecurityGroup => &ec2::security_group::SecurityGroup,
            Kind::VpcEndpoint => &ec2::vpc_endpoint::VpcEndpoint,
            Kind::KmsKey => &kms::key::KmsKey,
            Kind::EksCluster => &eks::cluster::Cluster,
            Kind::AccessEntry => &eks::access_entry::AccessEntry,
            Kind::NodeGroup => &eks::node_group::NodeGroup,
            Kind::EksAddon => &eks::addon::Addon,
            Kind::Zone => &route53::zone::Zone,
            Kind::HealthCheck => &route53::health_check::HealthCheck,
            Kind::Record => &route53::record::Record,
            Kind::EdgeFunction => &lambda::edge_function::EdgeFunction,
            Kind::Distribution => &cloudfront::distribution::Distribution,
        }
    }

    pub fn name(self) -> &'static str {
        self.def().name()
    }

    pub fn service(self) -> Service {
        self.def().service()
    }
}

/// The AWS service that owns a kind: API budgets and call counts are per service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    Ec2,
    Eks,
    Kms,
    Route53,
    CloudFront,
    Lambda,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Eks => "eks",
            Service::Kms => "kms",
            Service::Route53 => "route53",
            Service::CloudFront => "cloudfront",
            Service::Lambda => "lambda",
        }
    }
}

/// Where a kind lives: in a region the topology names, or in a global
/// service (whose API is in [`GLOBAL_REGION`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Regional,
    Global,
}

/// What changing a field in place means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InPlace {
    /// It can be changed back: a rollback restores it.
    Reversible,
    /// It cannot be changed back (an EKS upgrade): the plan says so, and a
    /// rollback leaves it as it is.
    OneWay(String),
    /// AWS refuses it (an EKS downgrade): the plan stops with the reason.
    Refused(String),
}

/// A stop on an update's way: the resource as it is once that step is done,
/// and the key that stop shares with the stops of what it depends on and
/// what depends on it (an EKS minor version: the cluster's `1.33`, then its
/// node groups' `1.33`, then the cluster's `1.34`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub key: String,
    pub fields: Fields,
}

/// What a plan does when a resource of someone else's holds a name it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnClash {
    /// Stop with a clash error naming the holder.
    Refuse,
    /// Use it as it is without owning it (an existing hosted zone).
    Use,
}

/// Facts about an account's region that a plan checks before it plans.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionFacts {
    pub availability_zones: Vec<String>,
    /// Of the instance types the topology asks for, those the region offers.
    pub offered_instance_types: Vec<String>,
    /// The Kubernetes versions EKS offers a new cluster or an upgrade
    /// (DescribeClusterVersions), where the region has a cluster.
    #[serde(default)]
    pub eks_versions: Vec<String>,
    /// The day of the read (UTC, `YYYY-MM-DD`), for the calendars AWS keeps
    /// without an API to ask (Lambda's runtime deprecations).
    #[serde(default)]
    pub today: String,
    /// The add-ons EKS offers for the Kubernetes version the region's
    /// cluster is to run, where the region has add-ons.
    #[serde(default)]
    pub addons: Option<AddonCatalog>,
    /// The vCPUs of each instance type the topology asks for.
    #[serde(default)]
    pub vcpus: BTreeMap<String, u32>,
    /// The account's value of each quota the topology counts against
    /// (Service Quotas), by quota code, where the account could be asked.
    #[serde(default)]
    pub quotas: BTreeMap<String, u64>,
}

/// An add-on EKS offers for one Kubernetes version (DescribeAddonVersions).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OfferedAddon {
    /// The versions that run on it, newest first.
    pub versions: Vec<String>,
    /// The one EKS installs when a create names none.
    pub default: Option<String>,
}

/// The add-ons EKS offers for one Kubernetes version, by name.
pub type AddonCatalog = BTreeMap<String, OfferedAddon>;

/// A declared resource: what a kind's spec lowers to.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub addr: ResourceAddr,
    pub kind: Kind,
    /// The AWS region whose API manages it (us-east-1 for the global services).
    pub region: String,
    /// Its name in AWS, where it has one that another resource could hold.
    pub name: String,
    pub fields: Fields,
    pub deps: Vec<ResourceAddr>,
    /// An edge function's code folder (kept out of `fields`: paths are not
    /// settings, and the code's hash is).
    pub source: Option<PathBuf>,
}

/// The facts of a kind.
pub struct About {
    /// The kind this describes (the registry's conformance test checks it).
    pub kind: Kind,
    /// Its name in addresses, plans and metrics (the serde name of [`Kind`]).
    pub name: &'static str,
    pub service: Service,
    pub placement: Placement,
    /// Fields AWS cannot change in place: a change to one replaces the resource.
    pub replace_fields: &'static [&'static str],
    /// Fields that hold the address of another resource, whose replacement
    /// therefore replaces this one too (a subnet of a replaced VPC).
    pub reference_fields: &'static [&'static str],
    /// Whether a replacement can create the new resource before deleting
    /// the old one (two may coexist under different names).
    pub create_before_destroy: bool,
}

/// What a kind is. Every method without a default is a piece each kind
/// must give; the defaults are the common case.
pub trait KindDef: Sync {
    /// What the kind is: its name, service, placement, and how it is replaced.
    fn about(&self) -> &'static About;

    fn kind(&self) -> Kind {
        self.about().kind
    }

    fn name(&self) -> &'static str {
        self.about().name
    }

    fn service(&self) -> Service {
        self.about().service
    }

    fn placement(&self) -> Placement {
        self.about().placement
    }

    fn replace_fields(&self) -> &'static [&'static str] {
        self.about().replace_fields
    }

    fn reference_fields(&self) -> &'static [&'static str] {
        self.about().reference_fields
    }

    fn create_before_destroy(&self) -> bool {
        self.about().create_before_destroy
    }

    /// Fields that name another resource by address and change in place
    /// (a record's health check): when that resource is replaced, this one
    /// is updated to point at the new one before the old one goes.
    fn pointer_fields(&self) -> &'static [&'static str] {
        &[]
    }

    /// Reads `fields` as this kind's typed spec and writes them back: the
    /// fields of a declared resource come back unchanged.
    fn check(&self, fields: &Fields) -> Result<Fields, SpecError>;

    /// The resources of this kind a topology declares, with the fields wway
    /// will set and what each depends on.
    fn lower(&self, from: &Lowering) -> Vec<Resource>;

    /// A declared resource of this kind, as the conformance test and the
    /// in-memory cloud use it.
    fn fixture(&self) -> Resource;

    /// Live fields a made resource gives the resources that refer to it (a
    /// distribution's domain name, a function's published version).
    fn outputs(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a live value satisfies the desired one. Tags others add are
    /// theirs; kinds add what else others own (an autoscaler's size).
    fn equivalent(&self, field: &str, desired: &Value, live: &Value, _declared: &Fields) -> bool {
        equivalent(field, desired, live)
    }

    /// What changing `field` in place from `before` to `after` means.
    fn in_place(&self, _field: &str, _before: &Value, _after: &Value) -> InPlace {
        InPlace::Reversible
    }

    /// The stops an update from `before` to `after` must make, in order,
    /// the last being `after`: AWS takes some changes one step at a time
    /// (an EKS cluster one minor version per update). Empty: one step.
    fn stages(&self, _before: &Fields, _after: &Fields) -> Vec<Stage> {
        Vec::new()
    }

    /// The names under which it could clash with a resource of someone else's.
    fn identities(&self, name: &str, _fields: &Fields) -> Vec<String> {
        vec![name.to_string()]
    }

    fn on_clash(&self) -> OnClash {
        OnClash::Refuse
    }

    /// Whether AWS goes on working after a write is taken (a distribution
    /// deploys for minutes): the write's step then ends when AWS took it,
    /// so what depends on the resource goes on, and a step of its own
    /// waits for AWS to finish (`settle`), which nothing waits for.
    fn settles(&self) -> bool {
        false
    }

    /// Whether the account is asked for it by name rather than found by
    /// tag (a hosted zone): then the names earlier runs used are read too,
    /// so that one the file no longer names is still found.
    fn found_by_name(&self) -> bool {
        false
    }

    /// The instance types it runs, which a plan asks the region about.
    fn instance_types(&self, _fields: &Fields) -> Vec<String> {
        Vec::new()
    }

    /// Problems with the region it would go in, found before anything is
    /// planned; `live`: its fields in the account, when it exists.
    fn preflight(
        &self,
        _resource: &Resource,
        _facts: &RegionFacts,
        _live: Option<&Fields>,
    ) -> Vec<String> {
        Vec::new()
    }

    /// What it takes of the account's quotas in its region, at most (a
    /// node group at its max). Which quotas it counts against must not
    /// depend on `facts` (the read asks for their values before it has
    /// facts); the amounts may.
    fn quota_use(&self, _resource: &Resource, _facts: &RegionFacts) -> Vec<quota::QuotaUse> {
        Vec::new()
    }

    /// The resource whose changes this one's join in one batch (a record's
    /// zone), when its changes are batched.
    fn batch(&self, _fields: &Fields) -> Option<ResourceAddr> {
        None
    }

    /// The Terraform resource type (`aws_vpc`).
    fn terraform_type(&self) -> &'static str;

    /// The file of the export its blocks go in.
    fn terraform_file(&self, region: &str) -> String;

    /// The readable part of its Terraform name, before it is made unique:
    /// by default its region and its name (`us_east_1_vpc_cni`).
    fn terraform_name(&self, addr: &ResourceAddr) -> String {
        crate::hcl::identifier(&format!("{}_{}", addr.scope(), addr.part(2)))
    }

    /// Its Terraform blocks.
    fn terraform(
        &self,
        resource: &Resource,
        export: &dyn Exporter,
    ) -> Result<Vec<Block>, SpecError>;

    /// The id the AWS provider imports it by, when the account holds it.
    fn import_id(&self, resource: &Resource, export: &dyn Exporter) -> Option<String>;

    /// Outputs of the export it gives (a cluster's endpoint).
    fn terraform_outputs(&self, _resource: &Resource, _export: &dyn Exporter) -> Vec<Block> {
        Vec::new()
    }

    /// Input variables of the export it uses: (setting, scope, value).
    fn terraform_variables(&self, _resource: &Resource) -> Vec<terraform::VariableUse> {
        Vec::new()
    }

    /// Blocks that belong to all resources of this kind together (the
    /// ownership TXT record of each record name), with their imports.
    fn terraform_shared(
        &self,
        _resources: &[&Resource],
        _export: &dyn Exporter,
    ) -> terraform::Shared {
        terraform::Shared::default()
    }
}

/// Whether a live value satisfies the desired one, for every kind: tags
/// others add (EKS, cost allocation, operators) are theirs.
pub fn equivalent(field: &str, desired: &Value, live: &Value) -> bool {
    match field {
        "tags" => subset(desired, live),
        _ => desired == live,
    }
}

/// Whether every key of `desired` is in `live` with the same value (tags).
pub fn subset(desired: &Value, live: &Value) -> bool {
    match (desired.as_object(), live.as_object()) {
        (Some(want), Some(have)) => want.iter().all(|(k, v)| have.get(k) == Some(v)),
        _ => desired == live,
    }
}

/// The addresses a reference field holds (one, or a list).
pub fn references(value: &Value) -> Vec<ResourceAddr> {
    match value {
        Value::String(s) => vec![ResourceAddr::new(s.clone())],
        Value::Array(items) => {
            items.iter().filter_map(Value::as_str).map(ResourceAddr::new).collect()
        }
        _ => Vec::new(),
    }
}

/// The region whose API manages a resource of `kind` at `addr`.
pub fn api_region(kind: Kind, addr: &ResourceAddr) -> String {
    match kind.def().placement() {
        Placement::Global => GLOBAL_REGION.to_string(),
        Placement::Regional => addr.scope().to_string(),
    }
}

/// The ownership tags and the topology's tags of a resource, with `extra`.
pub fn tags(
    topology: &str,
    common: &BTreeMap<String, String>,
    addr: &ResourceAddr,
    extra: &[(&str, String)],
) -> BTreeMap<String, String> {
    let mut tags = common.clone();
    tags.insert(TOPOLOGY_TAG.into(), topology.to_string());
    tags.insert(ID_TAG.into(), addr.to_string());
    tags.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    tags
}
