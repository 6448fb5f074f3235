//! The cloud half of a kind, behind one small trait: read, create, update
//! and delete (each write waiting until AWS has finished), implemented per
//! kind in `cloud/<service>/<kind>.rs`. [`cloud`] is the registry that pairs each
//! kind with its cloud half; a kind without one does not compile.

use futures_util::future::BoxFuture;

use super::fields::Read;
use super::read::ReadCall;
use super::wait::Progress;
use super::{Clients, CloudError, Found, Ids, RunScope};
use crate::kinds::{Fields, Kind};
use crate::plan::steps::Target;
use crate::state::live::Outputs;

/// What a call on a kind has: its region's clients, the run (for tokens and
/// ownership), the ids made so far, and where waits report progress.
pub struct Call<'a> {
    pub(crate) clients: Clients,
    pub scope: RunScope<'a>,
    pub ids: &'a Ids,
    pub progress: Progress<'a>,
    /// For the create of a replacement: the AWS id of the resource it
    /// replaces, which carries the same ownership tags and must never be
    /// taken up as the new one (nor share its name, where AWS names are
    /// unique).
    pub replaces: Option<&'a str>,
    /// The user's limit on this step's waits (`--timeout`), if any.
    pub limit: Option<std::time::Duration>,
}

impl<'a> Call<'a> {
    /// The AWS id of the resource whose address `r`'s `field` holds (a
    /// subnet's VPC, an access entry's cluster).
    pub fn id_of(&self, r: &Read<'_>, field: &str) -> Result<&'a str, CloudError> {
        Ok(self.ids.id(&crate::kinds::ResourceAddr::new(r.str(field)?))?)
    }

    /// What the step's waits need.
    pub fn wait(&self) -> crate::cloud::wait::Wait<'a> {
        crate::cloud::wait::Wait { progress: self.progress, limit: self.limit }
    }
}

/// What a create made: the new resource's AWS id, and its outputs.
pub struct Made {
    pub id: String,
    pub outputs: Outputs,
}

impl Made {
    pub fn id(id: String) -> Made {
        Made { id, outputs: Outputs::new() }
    }
}

/// How a delete ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    Gone,
    /// AWS cannot delete it yet; a later run retries (a Lambda@Edge
    /// function whose replicas CloudFront still holds).
    Deferred,
}

pub type Answer<'a, T> = BoxFuture<'a, Result<T, CloudError>>;

pub trait CloudKind: Sync {
    /// Kinds whose reads this one's needs first, to name what it refers to
    /// by address (a subnet's VPC) or what it sits in (a record's zone).
    fn reads_after(&self) -> &'static [Kind] {
        &[]
    }

    /// What the account holds of this kind for the topology: the resources
    /// it owns (found in a few calls, not one per resource), and others'
    /// resources that hold a name it declares.
    fn read<'a>(&'a self, call: &'a ReadCall<'a>) -> Answer<'a, Found>;

    /// Makes the resource; an answer lost on the way must not make a second.
    fn create<'a>(&'a self, call: &'a Call<'a>, target: &'a Target) -> Answer<'a, Made>;

    /// Changes what can change in place, from `before` to the target's fields.
    fn update<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
        before: &'a Fields,
    ) -> Answer<'a, Outputs>;

    /// Deletes it; one already gone is deleted.
    fn delete<'a>(
        &'a self,
        call: &'a Call<'a>,
        target: &'a Target,
        id: &'a str,
    ) -> Answer<'a, Deleted>;

    /// Waits until AWS has finished the last write, for a kind that
    /// [`settles`](crate::kinds::KindDef::settles).
    fn settle<'a>(
        &'a self,
        _call: &'a Call<'a>,
        _target: &'a Target,
        _id: &'a str,
    ) -> Answer<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

/// The registry of cloud halves.
pub fn cloud(kind: Kind) -> &'static dyn CloudKind {
    match kind {
        Kind::Vpc => &super::ec2::vpc::Vpc,
        Kind::Subnet => &super::ec2::subnet::Subnet,
        Kind::InternetGateway => &super::ec2::internet_gateway::InternetGateway,
        Kind::ElasticIp => &super::ec2::elastic_ip::ElasticIp,
        Kind::NatGateway => &super::ec2::nat_gateway::NatGateway,
        Kind::RouteTable => &super::ec2::route_table::RouteTable,
        Kind::SecurityGroup => &super::ec2::security_group::SecurityGroup,
        Kind::VpcEndpoint => &super::ec2::vpc_endpoint::VpcEndpoint,
        Kind::KmsKey => &super::kms::key::KmsKey,
        Kind::EksCluster => &super::eks::cluster::Cluster,
        Kind::AccessEntry => &super::eks::access_entry::AccessEntry,
        Kind::NodeGroup => &super::eks::node_group::NodeGroup,
        Kind::EksAddon => &super::eks::addon::Addon,
        Kind::Zone => &super::route53::zone::Zone,
        Kind::HealthCheck => &super::route53::health_check::HealthCheck,
        Kind::Record => &super::route53::record::Record,
        Kind::EdgeFunction => &super::lambda::edge_function::EdgeFunction,
        Kind::Distribution => &super::cloudfront::distribution::Distribution,
    }
}

/// A target's fields, read for an SDK call.
pub fn read(target: &Target) -> Read<'_> {
    Read { fields: &target.fields, addr: &target.addr }
}
