//! The validated topology: what the user declared, after every rule of
//! spec/TOPOLOGY.md held. Values that later stages may need to point back at
//! (names that other sections refer to) keep their [`Spanned`] source position.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::net::Ipv4Net;
use super::problem::Span;

/// A value and where the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

#[derive(Debug, Clone)]
pub struct Topology {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    /// Where journals and the lock live, when not in the local `.wway/`.
    pub backend: Option<super::backend::S3Location>,
    /// What `wway drift` does not report.
    pub drift_ignores: Vec<DriftIgnore>,
    pub regions: Vec<Region>,
    pub dns: Option<Dns>,
    pub cdn: Option<Cdn>,
    pub edge_functions: Vec<EdgeFunction>,
    /// The failover budget and the spike the regions must hold.
    pub resilience: Option<Resilience>,
    /// What the file should say and does not, said by `wway validate`
    /// (a cluster without admins).
    pub warnings: Vec<super::problem::Problem>,
}

impl Topology {
    pub fn region(&self, name: &str) -> Option<&Region> {
        self.regions.iter().find(|r| *r.name == name)
    }

    /// Each region with an `origin`, and that origin: where its records point.
    pub fn origins(&self) -> BTreeMap<String, String> {
        let with_origin =
            self.regions.iter().filter_map(|r| Some((r.name.value.clone(), r.origin.clone()?)));
        with_origin.collect()
    }
}

/// `resilience:`: how long traffic may take to leave a failed region, and
/// how many times its usual load each region must hold in a spike.
#[derive(Debug, Clone)]
pub struct Resilience {
    /// Seconds.
    pub rto: Spanned<u32>,
    pub spike: Option<Spanned<u32>>,
}

/// A `drift.ignore` rule: resources matching `address` (a pattern), only
/// `fields` of them when some are named, are not drift, for `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftIgnore {
    pub address: String,
    pub fields: Vec<String>,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub name: Spanned<String>,
    pub network: Network,
    pub cluster: Cluster,
    /// The region's public API host name, where DNS or the CDN points at it.
    pub origin: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub cidr: Ipv4Net,
    /// A second block of the VPC, where the public subnets are carved when
    /// `cidr` has no room left beside the private ones.
    pub secondary_cidr: Option<Ipv4Net>,
    /// One private and one public subnet per availability zone.
    pub subnets: Vec<Subnet>,
    /// Where the private subnets' traffic to the internet goes out.
    pub nat: Nat,
    /// Where the file sets `nat` (the network, when it does not).
    pub nat_at: Span,
    /// The AWS services reached through VPC endpoints, sorted: gateway
    /// endpoints (`s3`, `dynamodb`) from every subnet, interface endpoints
    /// (the others) from the private subnets; without the NAT.
    pub endpoints: Vec<String>,
    /// `availability_zones: N`: the file names no zone, and the subnets'
    /// zones (a, b, c... of the region until then) are placed by a command
    /// that reads the region on N zones it offers (see [`super::zones`]).
    pub zone_count: Option<usize>,
}

impl Network {
    /// The zones that have a NAT gateway, in the file's order.
    pub fn nat_zones(&self) -> Vec<&str> {
        let zones = self.subnets.iter().map(|s| s.availability_zone.as_str());
        match self.nat {
            Nat::PerZone => zones.collect(),
            Nat::Single => zones.take(1).collect(),
            Nat::None => Vec::new(),
        }
    }

    /// The zone of the NAT gateway the private subnet of `zone` goes out
    /// through, if it has one.
    pub fn nat_of<'a>(&'a self, zone: &'a str) -> Option<&'a str> {
        match self.nat {
            Nat::PerZone => Some(zone),
            Nat::Single => self.subnets.first().map(|s| s.availability_zone.as_str()),
            Nat::None => None,
        }
    }

    /// The services reached through gateway endpoints.
    pub fn gateway_endpoints(&self) -> impl Iterator<Item = &str> {
        self.endpoints.iter().map(String::as_str).filter(|e| GATEWAY_ENDPOINTS.contains(e))
    }

    /// The services reached through interface endpoints.
    pub fn interface_endpoints(&self) -> impl Iterator<Item = &str> {
        self.endpoints.iter().map(String::as_str).filter(|e| !GATEWAY_ENDPOINTS.contains(e))
    }
}

/// A zone's two subnets: a private one (nodes, internal load balancers) and
/// a public one (NAT gateways, internet-facing load balancers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub availability_zone: String,
    pub cidr: Ipv4Net,
    pub public_cidr: Ipv4Net,
}

/// The NAT gateways of a region's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nat {
    /// One in each zone, which the zone's private subnet goes out through:
    /// a zone's outage leaves the others their way out.
    PerZone,
    /// One, in the first zone, for every private subnet: cheaper, one zone.
    Single,
    /// None: the private subnets reach AWS through endpoints only
    /// ([`NODE_ENDPOINTS`]) and nothing else outside the VPC.
    None,
}

/// The `nat` values, as the file writes them.
pub const NAT_CHOICES: [(&str, Nat); 3] =
    [("per-az", Nat::PerZone), ("single", Nat::Single), ("none", Nat::None)];

/// The gateway endpoints AWS offers (every other service takes an
/// interface endpoint).
pub const GATEWAY_ENDPOINTS: [&str; 2] = ["dynamodb", "s3"];

/// The interface endpoints a topology may ask for: the AWS services a
/// cluster's nodes and their usual controllers call (sorted).
pub const INTERFACE_ENDPOINTS: [&str; 14] = [
    "autoscaling",
    "ec2",
    "ecr.api",
    "ecr.dkr",
    "eks",
    "eks-auth",
    "elasticloadbalancing",
    "kms",
    "logs",
    "monitoring",
    "secretsmanager",
    "ssm",
    "sts",
    "xray",
];

/// What nodes without a NAT gateway need to join their cluster (EKS user
/// guide, "Deploy private clusters with limited internet access"): EC2 (the
/// VPC CNI), ECR's API and registry, S3 (ECR's image layers) and STS.
pub const NODE_ENDPOINTS: [&str; 5] = ["ec2", "ecr.api", "ecr.dkr", "s3", "sts"];

/// The endpoints of a region with `nat: none` and no `endpoints:`: what its
/// nodes need, and EKS Auth for pods that take an identity from the pod
/// identity agent.
pub const PRIVATE_ENDPOINTS: [&str; 6] = ["ec2", "ecr.api", "ecr.dkr", "eks-auth", "s3", "sts"];

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub version: String,
    pub role_arn: String,
    pub node_role_arn: String,
    /// The control plane's log types sent to CloudWatch Logs, EKS's names.
    pub logs: Vec<String>,
    /// EKS's support the cluster may be kept on: `STANDARD` or `EXTENDED`.
    pub upgrade_policy: &'static str,
    pub endpoint: Endpoint,
    /// IAM principals (role and user ARNs) that administer the cluster
    /// through access entries with the cluster admin policy.
    pub admins: Vec<String>,
    /// The EKS managed add-ons it runs.
    pub addons: Vec<Addon>,
    /// The KMS key that encrypts its Kubernetes secrets.
    pub secrets_key: SecretsKey,
    pub node_groups: Vec<NodeGroup>,
}

/// The KMS key that encrypts a cluster's Kubernetes secrets (envelope
/// encryption of what etcd stores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsKey {
    /// One wway makes in the region, with rotation on.
    Made,
    /// The user's key (or alias) in the cluster's region, by ARN.
    Named(String),
    /// None: secrets are encrypted only by EKS's own disk encryption.
    Off,
}

/// An EKS managed add-on of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addon {
    pub name: String,
    /// The version asked for; none: the one EKS makes the default for the
    /// cluster's Kubernetes version, moved along when the cluster is upgraded.
    pub version: Option<String>,
    /// How EKS treats values someone changed on the cluster, as EKS names it
    /// (`NONE`: it keeps them and the change fails, `OVERWRITE`, `PRESERVE`).
    pub conflicts: &'static str,
}

/// The add-ons every cluster runs unless its file leaves one out: what a
/// cluster needs to run pods (terraform-aws-eks's usual four).
pub const DEFAULT_ADDONS: [&str; 4] =
    ["vpc-cni", "eks-pod-identity-agent", "coredns", "kube-proxy"];

/// The add-ons nodes need from their first boot: they go before the node
/// groups (terraform-aws-eks's `before_compute`); the others run as pods on
/// the nodes and go after them.
pub const BEFORE_NODES: [&str; 2] = ["vpc-cni", "eks-pod-identity-agent"];

/// `conflicts` as the file writes it, and as EKS names it. `none` by
/// default: EKS never silently overwrites what someone changed.
pub const CONFLICT_CHOICES: [(&str, &str); 3] =
    [("none", "NONE"), ("overwrite", "OVERWRITE"), ("preserve", "PRESERVE")];

/// The name of an IAM principal: the last part of its ARN
/// (`arn:aws:iam::123456789012:role/teams/admins` is `admins`).
pub fn principal_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// The control-plane log types EKS can send to CloudWatch Logs.
pub const LOG_TYPES: [&str; 5] =
    ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/// Every IPv4 address: where a public endpoint answers from unless the file
/// lists blocks.
pub const ANYWHERE: &str = "0.0.0.0/0";

/// Where a cluster's Kubernetes API answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// From inside the VPC (nodes reach the control plane without leaving it).
    pub private: bool,
    /// From the internet, from `public_cidrs`.
    pub public: bool,
    pub public_cidrs: Vec<String>,
}

impl Default for Endpoint {
    /// Private and public, open to all: EKS's public endpoint as before, and
    /// the private one that keeps nodes' traffic to it inside the VPC.
    fn default() -> Endpoint {
        Endpoint { private: true, public: true, public_cidrs: vec![ANYWHERE.into()] }
    }
}

/// `upgrade_policy` as the file writes it, and as EKS names it.
pub const UPGRADE_POLICIES: [(&str, &str); 2] =
    [("standard", "STANDARD"), ("extended", "EXTENDED")];

/// The ones a cluster sends unless its file says otherwise: what
/// terraform-aws-eks turns on (who called the API, and who they were).
pub const DEFAULT_LOGS: [&str; 3] = ["api", "audit", "authenticator"];

#[derive(Debug, Clone)]
pub struct NodeGroup {
    pub name: String,
    pub instance_types: Vec<String>,
    pub min: u32,
    pub desired: u32,
    pub max: u32,
    /// Where the file sets `max`.
    pub max_at: Span,
    pub capacity_type: CapacityType,
    pub labels: BTreeMap<String, String>,
    /// How many nodes an update replaces at a time.
    pub max_unavailable: MaxUnavailable,
}

/// How many of a group's nodes an update may take down at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxUnavailable {
    Nodes(u32),
    Percent(u32),
}

/// A third of the nodes, as terraform-aws-eks: a 50-node group is updated
/// in 3 rounds, not 50 (EKS's own default is one node at a time).
pub const DEFAULT_MAX_UNAVAILABLE: MaxUnavailable = MaxUnavailable::Percent(33);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapacityType {
    OnDemand,
    Spot,
}

#[derive(Debug, Clone)]
pub struct Dns {
    pub zone: String,
    pub health_check: Option<HealthCheck>,
    pub records: Vec<Record>,
    pub ttl: u32,
    /// Where the file sets `ttl` (`dns`, when it does not).
    pub ttl_at: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    pub protocol: HealthProtocol,
    pub path: Option<String>,
    pub port: u16,
    pub interval: u32,
    pub failure_threshold: u32,
    /// Where the file sets `interval` and `failure_threshold`.
    pub interval_at: Span,
    pub threshold_at: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthProtocol {
    Http,
    Https,
    Tcp,
}

#[derive(Debug, Clone)]
pub struct Record {
    /// Relative to the zone; "@" is the apex.
    pub name: String,
    pub routing: Routing,
    /// Where the file names it.
    pub at: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    Failover {
        primary: String,
        secondary: String,
    },
    /// In the file's order; `Location::Default` is Route 53's "*".
    Geolocation(Vec<(Location, String)>),
    Latency(Vec<String>),
    Weighted(Vec<(String, u8)>),
    Simple(Target),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Region(String),
    Cdn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Default,
    Country(String),
    Continent(String),
}

#[derive(Debug, Clone)]
pub struct Cdn {
    pub comment: String,
    pub aliases: Vec<String>,
    pub price_class: String,
    pub certificate_arn: Option<String>,
    pub minimum_protocol_version: String,
    pub origins: Vec<Origin>,
    pub default_behavior: Behavior,
    /// Ordered: the first whose path matches wins.
    pub behaviors: Vec<Behavior>,
    pub error_pages: Vec<(u16, String)>,
    pub logging: Option<Logging>,
    pub geo_restriction: GeoRestriction,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub id: String,
    pub target: OriginTarget,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginTarget {
    Domain(String),
    Region(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behavior {
    /// `None` for the default behavior.
    pub path: Option<String>,
    pub origin: String,
    pub methods: Methods,
    pub ttl: Ttl,
    pub forward: Forward,
    pub edge_functions: Vec<(EdgeEvent, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Methods {
    Read,
    ReadOptions,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl {
    pub min: u64,
    pub default: u64,
    pub max: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forward {
    pub query_string: bool,
    pub headers: Vec<String>,
    pub cookies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeEvent {
    ViewerRequest,
    ViewerResponse,
    OriginRequest,
    OriginResponse,
}

impl EdgeEvent {
    pub const ALL: [(&'static str, EdgeEvent); 4] = [
        ("viewer-request", EdgeEvent::ViewerRequest),
        ("viewer-response", EdgeEvent::ViewerResponse),
        ("origin-request", EdgeEvent::OriginRequest),
        ("origin-response", EdgeEvent::OriginResponse),
    ];

    pub fn name(self) -> &'static str {
        EdgeEvent::ALL.iter().find(|(_, e)| *e == self).map(|(n, _)| *n).unwrap_or_default()
    }

    /// Lambda@Edge quotas: viewer events 5 s and 128 MB, origin events 30 s and 10,240 MB.
    pub fn max_timeout(self) -> u32 {
        match self {
            EdgeEvent::ViewerRequest | EdgeEvent::ViewerResponse => 5,
            EdgeEvent::OriginRequest | EdgeEvent::OriginResponse => 30,
        }
    }

    pub fn max_memory(self) -> u32 {
        match self {
            EdgeEvent::ViewerRequest | EdgeEvent::ViewerResponse => 128,
            EdgeEvent::OriginRequest | EdgeEvent::OriginResponse => 10_240,
        }
    }

    /// The largest zipped package: 1 MB for viewer events, 50 MB for origin events.
    pub fn max_package_bytes(self) -> u64 {
        match self {
            EdgeEvent::ViewerRequest | EdgeEvent::ViewerResponse => 1024 * 1024,
            EdgeEvent::OriginRequest | EdgeEvent::OriginResponse => 50 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logging {
    pub bucket: String,
    pub prefix: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeoRestriction {
    None,
    Allow(Vec<String>),
    Deny(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct EdgeFunction {
    pub name: String,
    /// The code folder, resolved against the topology file's folder.
    pub source: PathBuf,
    /// Where the file names the folder.
    pub source_at: Span,
    pub runtime: String,
    pub handler: String,
    pub role_arn: String,
    pub memory: u32,
    pub timeout: u32,
    /// The size of its zipped package when the file was read.
    pub package_bytes: u64,
}
