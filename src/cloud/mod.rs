//! The cloud layer: AWS SDK clients and the calls wway makes with them, one
//! module per service, behind the [`Cloud`] trait. SDK types stop here:
//! callers get wway's own [`LiveState`] and [`CloudError`].
//!
//! Credentials come from the standard AWS chain (environment, profiles, SSO,
//! IMDS). `AWS_ENDPOINT_URL` (read by the SDK) or [`Settings::endpoint_url`]
//! points every client at an emulator. Route 53, CloudFront and Lambda@Edge
//! are read in us-east-1.

mod apply;
pub mod backend_marker;
mod budget;
pub mod calls;
pub mod cloudfront;
pub mod ec2;
pub mod eks;
pub(crate) mod error;
pub mod fields;
pub mod kind;
pub mod kms;
pub mod lambda;
mod owned;
pub(crate) mod paging;
pub mod probe;
mod quotas;
pub mod read;
pub mod route53;
pub mod slot;
mod tagging;
pub mod timeouts;
pub mod wait;
mod zones;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures_util::future::try_join_all;

pub use error::CloudError;
pub use timeouts::Timeouts;

use crate::kinds::Placement;
use crate::plan::steps::Step;
use crate::state::desired::DesiredState;
use crate::state::digest::sha256_hex;
pub use crate::state::live::Ids;
use crate::state::live::Outcome;
use crate::state::live::{LiveResource, LiveState, RegionFacts, Unowned};
use crate::state::{Kind, ResourceAddr};
use calls::CallCounter;

pub use crate::kinds::GLOBAL_REGION;

/// How to reach AWS: plain settings from flags and environment.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
    /// How long one attempt of a request may take before the SDK asks again
    /// (default [`READ_TIMEOUT`]).
    pub read_timeout: Option<Duration>,
}

/// How long one attempt of a request may take by default: an answer that
/// does not come (a connection dropped without a word) is asked again, as
/// the AWS CLI does after its 60 s read timeout.
pub const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// How often the SDK tries one request (throttling and transient failures,
/// with exponential backoff) before wway sees the error. The SDK's default of
/// 3 gives up in an account busy enough to throttle; the executor retries
/// whole steps on top of this.
const ATTEMPTS_PER_REQUEST: u32 = 8;

/// The SDK configuration for one region.
pub async fn config(settings: &Settings, region: &str) -> SdkConfig {
    let retry = aws_config::retry::RetryConfig::standard().with_max_attempts(ATTEMPTS_PER_REQUEST);
    let attempt = settings.read_timeout.unwrap_or(READ_TIMEOUT);
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        // The SDK's own default, which a whole TimeoutConfig replaces.
        .connect_timeout(Duration::from_millis(3100))
        .operation_attempt_timeout(attempt)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(profile) = &settings.profile {
        // A profile named on the command line wins over keys in the
        // environment, as with the AWS CLI: the default chain would take
        // the environment's first and talk to another account.
        let credentials = aws_config::profile::ProfileFileCredentialsProvider::builder()
            .profile_name(profile)
            .build();
        loader = loader.profile_name(profile).credentials_provider(credentials);
    }
    if let Some(client) = budget::budgeted_client() {
        loader = loader.http_client(client);
    }
    loader.load().await
}

/// Whether profile `name` is defined in the AWS config or credentials file
/// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/`).
pub fn profile_defined(name: &str) -> bool {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    let file = |variable: &str, default: &str| {
        std::env::var_os(variable).map_or_else(|| home.join(".aws").join(default), Into::into)
    };
    let sections = |path: std::path::PathBuf| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']').map(str::trim))
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let config = sections(file("AWS_CONFIG_FILE", "config"));
    let credentials = sections(file("AWS_SHARED_CREDENTIALS_FILE", "credentials"));
    config.iter().any(|s| *s == format!("profile {name}") || (name == "default" && s == "default"))
        || credentials.iter().any(|s| s == name)
}

/// What the planner and the executor need from a cloud.
pub trait Cloud {
    /// Reads what the account holds for the topology of `desired`: the
    /// resources it owns, others' resources under names it wants, region facts.
    fn snapshot(
        &self,
        desired: &DesiredState,
    ) -> impl Future<Output = Result<LiveState, CloudError>>;

    /// Carries out one step of a plan (waiting until AWS has finished it),
    /// resolving references through `ids`; says what it made.
    fn apply_step(
        &self,
        topology: &str,
        step: &Step,
        ids: &Ids,
        progress: wait::Progress<'_>,
    ) -> impl Future<Output = Result<Outcome, CloudError>>;
}

/// Resources one read found.
#[derive(Debug, Default, Clone)]
pub struct Found {
    pub owned: BTreeMap<ResourceAddr, LiveResource>,
    pub unowned: Vec<Unowned>,
    pub record_owners: BTreeMap<String, Vec<ResourceAddr>>,
}

impl Found {
    pub(crate) fn absorb(&mut self, other: Found) {
        self.owned.extend(other.owned);
        self.unowned.extend(other.unowned);
        self.record_owners.extend(other.record_owners);
    }
}

/// What makes a run's creates its own: the topology and a salt new for
/// every run.
#[derive(Debug, Clone, Copy)]
pub struct RunScope<'a> {
    pub topology: &'a str,
    pub salt: &'a str,
}

impl RunScope<'_> {
    /// The idempotency token (EKS clientRequestToken, CloudFront
    /// CallerReference) for creating `addr`: the same within a run, so a
    /// retry after a lost answer cannot make a second resource; new for
    /// every run, since AWS refuses a token used before (Route 53 even after
    /// the health check is deleted), so a destroy then an apply must not
    /// reuse one.
    pub fn token(&self, addr: &ResourceAddr) -> String {
        let digest = sha256_hex(format!("{}\n{}\n{addr}", self.topology, self.salt).as_bytes());
        format!("wway-{}", &digest[..32])
    }

    /// The Route 53 caller reference for creating `addr`, a token as above
    /// that also names the topology and the resource:
    /// `wway1.<topology>.<address digest>.<run digest>` (61 characters at
    /// most; health checks take 64). A zone or health check that a run made
    /// but did not tag (it stopped between the two calls, or the tag call was
    /// refused) is still known as this topology's by it.
    pub fn owned_reference(&self, addr: &ResourceAddr) -> String {
        let run = &sha256_hex(self.salt.as_bytes())[..10];
        format!("wway1.{}.{}.{run}", self.topology, address_digest(addr))
    }
}

/// The short digest of an address that owned caller references carry.
pub fn address_digest(addr: &ResourceAddr) -> String {
    sha256_hex(addr.as_str().as_bytes())[..10].to_string()
}

/// The topology and the address digest an owned caller reference names.
pub fn reference_owner(reference: &str) -> Option<(&str, &str)> {
    let mut parts = reference.strip_prefix("wway1.")?.rsplitn(3, '.');
    let (_run, digest, topology) = (parts.next()?, parts.next()?, parts.next()?);
    Some((topology, digest))
}

/// The real AWS (or an emulator of it).
pub struct Aws {
    settings: Settings,
    calls: CallCounter,
    /// Makes this run's idempotency tokens its own (see [`RunScope`]).
    salt: String,
    clients: tokio::sync::Mutex<BTreeMap<String, Clients>>,
    /// Regions earlier runs used, and names of resources found by name
    /// (hosted zones), read besides the file's own.
    remembered_regions: BTreeSet<String>,
    remembered_names: BTreeSet<String>,
    /// The user's limits on waits, per kind.
    timeouts: Timeouts,
    /// The zones each region offers, once read (placing zones reads them
    /// before the plan's read, which needs them again).
    offered_zones: zones::OfferedZones,
}

/// One region's service clients, each counting its calls.
#[derive(Clone)]
pub(crate) struct Clients {
    ec2: aws_sdk_ec2::Client,
    eks: aws_sdk_eks::Client,
    kms: aws_sdk_kms::Client,
    quotas: aws_sdk_servicequotas::Client,
    route53: aws_sdk_route53::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    lambda: aws_sdk_lambda::Client,
    tagging: aws_sdk_resourcegroupstagging::Client,
    ssm: aws_sdk_ssm::Client,
    /// The topology's subnets as the placement of its zones read them,
    /// for the account's read that follows it (taken once, so that no
    /// later read sees them).
    placed_subnets: Arc<tokio::sync::Mutex<Option<Vec<aws_sdk_ec2::types::Subnet>>>>,
    /// EKS's add-on catalog by Kubernetes version, once asked in the run.
    addon_catalogs: Arc<tokio::sync::Mutex<BTreeMap<String, crate::kinds::AddonCatalog>>>,
}

impl Aws {
    pub fn new(settings: Settings) -> Self {
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let salt = format!("{:x}-{:x}", now.as_nanos(), std::process::id());
        Aws {
            settings,
            calls: CallCounter::default(),
            clients: Default::default(),
            salt,
            remembered_regions: BTreeSet::new(),
            remembered_names: BTreeSet::new(),
            timeouts: Timeouts::default(),
            offered_zones: Default::default(),
        }
    }

    /// Waits for AWS at most these long, per kind (`--timeout`).
    pub fn waiting(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Also reads these regions and names (ones earlier runs used), so that
    /// what the topology left there is found when the file no longer names them.
    pub fn remembering(mut self, regions: BTreeSet<String>, names: BTreeSet<String>) -> Self {
        self.remembered_regions = regions;
        self.remembered_names = names;
        self
    }

    /// API calls made so far, per service.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls.totals()
    }

    /// The account's record of which backend holds a topology's journals.
    pub async fn backend_marker(&self) -> backend_marker::BackendMarker {
        backend_marker::BackendMarker::new(self.clients(GLOBAL_REGION).await.ssm)
    }

    pub(crate) async fn clients(&self, region: &str) -> Clients {
        let mut cache = self.clients.lock().await;
        if let Some(clients) = cache.get(region) {
            return clients.clone();
        }
        let c = config(&self.settings, region).await;
        let counted = |service| self.calls.interceptor(service);
        let clients = Clients {
            ec2: aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(&c).interceptor(counted("ec2")).build(),
            ),
            eks: aws_sdk_eks::Client::from_conf(
                aws_sdk_eks::config::Builder::from(&c).interceptor(counted("eks")).build(),
            ),
            kms: aws_sdk_kms::Client::from_conf(
                aws_sdk_kms::config::Builder::from(&c).interceptor(counted("kms")).build(),
            ),
            quotas: aws_sdk_servicequotas::Client::from_conf(
                aws_sdk_servicequotas::config::Builder::from(&c)
                    .interceptor(counted("servicequotas"))
                    .build(),
            ),
            route53: aws_sdk_route53::Client::from_conf(
                aws_sdk_route53::config::Builder::from(&c).interceptor(counted("route53")).build(),
            ),
            cloudfront: aws_sdk_cloudfront::Client::from_conf(
                aws_sdk_cloudfront::config::Builder::from(&c)
                    .interceptor(counted("cloudfront"))
                    .build(),
            ),
            lambda: aws_sdk_lambda::Client::from_conf(
                aws_sdk_lambda::config::Builder::from(&c).interceptor(counted("lambda")).build(),
            ),
            tagging: aws_sdk_resourcegroupstagging::Client::from_conf(
                aws_sdk_resourcegroupstagging::config::Builder::from(&c)
                    .interceptor(counted("tagging"))
                    .build(),
            ),
            ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(&c).interceptor(counted("ssm")).build(),
            ),
            placed_subnets: Arc::default(),
            addon_catalogs: Arc::default(),
        };
        cache.insert(region.to_string(), clients.clone());
        clients
    }

    /// What a region holds: its kinds' resources and its facts.
    async fn region(
        &self,
        desired: &DesiredState,
        region: &str,
    ) -> Result<(Found, RegionFacts), CloudError> {
        let clients = self.clients(region).await;
        let ec2 = ec2::Ec2::new(clients.ec2.clone());
        let in_region = desired.resources.values().filter(|r| r.region == region);
        let types: BTreeSet<String> =
            in_region.flat_map(|r| r.kind.def().instance_types(&r.fields)).collect();
        let types: Vec<String> = types.into_iter().collect();
        let kinds = kinds_placed(Placement::Regional);
        let clusters =
            desired.resources.values().any(|r| r.region == region && r.kind == Kind::EksCluster);
        let eks = eks::Eks::new(clients.eks.clone());
        let versions = async {
            match clusters {
                true => read::patiently(|| eks.offered_versions()).await,
                false => Ok(Vec::new()),
            }
        };
        // The add-ons EKS offers for the version the cluster is to run.
        let addons_on = desired.resources.values().find_map(|r| {
            let on = r.region == region && r.kind == Kind::EksAddon;
            on.then(|| r.fields.get("kubernetes_version").and_then(|v| v.as_str()))?
        });
        let addons = async {
            match addons_on {
                Some(kubernetes) => eks::addon::catalog(&clients, kubernetes).await.map(Some),
                None => Ok(None),
            }
        };
        // The quotas its resources count against (which they are does not
        // depend on the facts being read).
        let blank = RegionFacts::default();
        let quotas: BTreeMap<&'static str, &'static crate::kinds::quota::QuotaDef> = desired
            .resources
            .values()
            .filter(|r| r.region == region)
            .flat_map(|r| r.kind.def().quota_use(r, &blank))
            .map(|used| (used.quota.code, used.quota))
            .collect();
        let vcpus = async {
            match types.is_empty() {
                true => Ok(BTreeMap::new()),
                false => read::patiently(|| ec2.instance_vcpus(&types)).await,
            }
        };
        let (zones, offered, eks_versions, addons, vcpus, quotas, found) = tokio::try_join!(
            self.offered_zones.of(region, &ec2),
            read::patiently(|| ec2.offered_instance_types(&types)),
            versions,
            addons,
            vcpus,
            async { Ok(quotas::values(&clients.quotas, &quotas).await) },
            read::read(&clients, desired, region, &kinds, &self.remembered_names)
        )?;
        let facts = RegionFacts {
            availability_zones: zones.into_iter().map(|z| z.name).collect(),
            offered_instance_types: offered.into_iter().collect(),
            eks_versions,
            addons,
            vcpus,
            quotas,
            // Set once for the whole read, in `snapshot`.
            today: String::new(),
        };
        Ok((found, facts))
    }

    /// What the global services hold (their API is in [`GLOBAL_REGION`]).
    async fn global(&self, desired: &DesiredState) -> Result<Found, CloudError> {
        let clients = self.clients(GLOBAL_REGION).await;
        let kinds = kinds_placed(Placement::Global);
        read::read(&clients, desired, GLOBAL_REGION, &kinds, &self.remembered_names).await
    }
}

/// The day (UTC, `YYYY-MM-DD`), for the calendars AWS keeps without an API.
fn today() -> String {
    let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now());
    let stamp = now.fmt(aws_smithy_types::date_time::Format::DateTime).unwrap_or_default();
    stamp.chars().take(10).collect()
}

/// The kinds that live in a region, or in the global services.
fn kinds_placed(placement: Placement) -> Vec<Kind> {
    Kind::ALL.into_iter().filter(|k| k.def().placement() == placement).collect()
}

impl Cloud for Aws {
    async fn snapshot(&self, desired: &DesiredState) -> Result<LiveState, CloudError> {
        let mut regions: BTreeSet<&str> = desired
            .resources
            .values()
            .filter(|r| r.kind.def().placement() == Placement::Regional)
            .map(|r| r.region.as_str())
            .collect();
        regions.extend(self.remembered_regions.iter().map(String::as_str));
        let (per_region, global) = tokio::try_join!(
            try_join_all(regions.iter().map(|r| self.region(desired, r))),
            self.global(desired)
        )?;
        let mut state = LiveState::default();
        let mut found = global;
        for (region, (regional, facts)) in regions.iter().zip(per_region) {
            found.absorb(regional);
            state.regions.insert(region.to_string(), facts);
        }
        // One day for the whole read, the global services' calendars too.
        let today = today();
        state.regions.entry(GLOBAL_REGION.to_string()).or_default();
        for facts in state.regions.values_mut() {
            facts.today.clone_from(&today);
        }
        state.owned = found.owned;
        state.unowned = found.unowned;
        state.record_owners = found.record_owners;
        Ok(state)
    }

    async fn apply_step(
        &self,
        topology: &str,
        step: &Step,
        ids: &Ids,
        progress: wait::Progress<'_>,
    ) -> Result<Outcome, CloudError> {
        let scope = RunScope { topology, salt: &self.salt };
        apply::apply_step(self, scope, step, ids, progress).await
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn clients_retry_a_request_eight_times() {
        let config = super::config(&super::Settings::default(), "us-east-1").await;
        assert_eq!(
            config.retry_config().map(|r| r.max_attempts()),
            Some(super::ATTEMPTS_PER_REQUEST)
        );
    }
}
