//! The `regions:` section: per region a network (see [`super::network`]), an
//! EKS cluster with its node groups, and an optional public origin.

use std::collections::BTreeMap;

use super::addons::addons;
use super::catalog::REGIONS;
use super::decode::{Decoder, Seen, did_you_mean};
use super::model::{
    ANYWHERE, CapacityType, Cluster, DEFAULT_LOGS, DEFAULT_MAX_UNAVAILABLE, Endpoint, LOG_TYPES,
    MaxUnavailable, Nat, NodeGroup, Region, SecretsKey, Spanned, UPGRADE_POLICIES, principal_name,
};
use super::net::Ipv4Net;
use super::network::{Blocks, ipv4_block, network};
use super::problem::{Problem, Span};
use super::refs::DeclaredRegion;
use super::secrets::secrets_key;
use super::values::{self, check_region_code, hostname, name};
use super::yaml::{Entry, Node, Value};

/// The valid regions, and every region the file names (valid or not), so that
/// references to a region with a defect are not reported twice.
pub fn decode(d: &mut Decoder, node: &Node, topology: &str) -> (Vec<Region>, Vec<DeclaredRegion>) {
    let Some(entries) = d.entries(node, "`regions`") else {
        return Default::default();
    };
    if entries.is_empty() {
        d.report(
            Problem::new(
                "topology::no-regions",
                "`regions` is empty",
                node.span.start_only(),
                "no region here",
            )
            .help("declare at least one region, e.g. `us-east-1:` with its network and cluster"),
        );
    }
    let mut blocks = Blocks::new();
    let regions =
        entries.iter().filter_map(|entry| region(d, entry, topology, &mut blocks)).collect();
    let declared = entries.iter().filter_map(declared).collect();
    (regions, declared)
}

fn declared(entry: &Entry) -> Option<DeclaredRegion> {
    let has_origin = match &entry.value.value {
        Value::Map(fields) => {
            fields.iter().any(|f| f.key.as_key() == Some("origin") && !f.value.is_null())
        }
        _ => false,
    };
    let name = entry.key.as_key()?.to_string();
    let meant = match REGIONS.binary_search(&name.as_str()) {
        Ok(_) => None,
        Err(_) => did_you_mean(&name, REGIONS.iter().copied()).map(str::to_string),
    };
    Some(DeclaredRegion { name: Spanned { value: name, span: entry.key.span }, has_origin, meant })
}

fn region(d: &mut Decoder, entry: &Entry, topology: &str, blocks: &mut Blocks) -> Option<Region> {
    let name = d.string(&entry.key, "a region name")?;
    let known = check_region_code(d, &name);
    let what = format!("region `{}`", name.value);
    let fields =
        d.fields(&entry.value, entry.key.span, &what, &["network", "cluster", "origin"])?;
    let network = fields
        .required(d, "network")
        .and_then(|n| network(d, n, fields.key_span("network"), &name, blocks));
    let cluster = fields
        .required(d, "cluster")
        .and_then(|n| cluster(d, n, fields.key_span("cluster"), &name, topology));
    let origin = fields.get("origin").and_then(|n| hostname(d, n, "origin host name"));
    let (network, cluster) = (network?, cluster?);
    if network.nat == Nat::None && !cluster.endpoint.private {
        d.report(
            Problem::new(
                "topology::no-way-out",
                "with `nat: none` the nodes can only register with the cluster inside the VPC, and its private endpoint is off",
                network.nat_at,
                "no NAT",
            )
            .help("set the cluster's `endpoint.private: true` (the default), or give the network a NAT"),
        );
        return None;
    }
    Some(Region { name, network, cluster, origin }).filter(|_| known)
}

/// `endpoint`: where the cluster's Kubernetes API answers, from inside the
/// VPC and from the internet (from the blocks `public_cidrs` lists).
fn endpoint(d: &mut Decoder, node: &Node, at: Span) -> Option<Endpoint> {
    let fields = d.fields(node, at, "`endpoint`", &["private", "public", "public_cidrs"])?;
    let flag = |d: &mut Decoder, key: &str| match fields.get(key) {
        Some(node) => d.boolean(node, &format!("`endpoint.{key}`")),
        None => Some(true),
    };
    let (private, public) = (flag(d, "private")?, flag(d, "public")?);
    let cidrs = match fields.get("public_cidrs") {
        Some(node) => {
            let listed = d.strings(node, "`public_cidrs`")?;
            if !public {
                d.report(
                    Problem::new(
                        "topology::endpoint-access",
                        "`public_cidrs` is set but the public endpoint is off",
                        node.span,
                        "not used",
                    )
                    .help("remove `public_cidrs`, or set `public: true`"),
                );
                return None;
            }
            let blocks: Vec<Option<Ipv4Net>> = listed.iter().map(|t| ipv4_block(d, t)).collect();
            blocks
                .into_iter()
                .collect::<Option<Vec<_>>>()?
                .iter()
                .map(ToString::to_string)
                .collect()
        }
        None if public => vec![ANYWHERE.to_string()],
        None => Vec::new(),
    };
    if !private && !public {
        d.report(
            Problem::new("topology::endpoint-access", "the cluster's API would answer from nowhere: neither its private nor its public endpoint is on", node.span, "both off")
                .help("set `private: true` (from inside the VPC) or `public: true`"),
        );
        return None;
    }
    Some(Endpoint { private, public, public_cidrs: cidrs })
}

/// `availability_zones`: a count (2..6; zones a, b, c, ... of the region
/// until a command that reads the region places them) or a list of zone
/// names of the region. The count, where it is one.
fn cluster(
    d: &mut Decoder,
    node: &Node,
    at: Span,
    region: &Spanned<String>,
    topology: &str,
) -> Option<Cluster> {
    let what = format!("the cluster of `{}`", region.value);
    let known = [
        "name",
        "version",
        "role_arn",
        "node_role_arn",
        "logs",
        "upgrade_policy",
        "endpoint",
        "admins",
        "addons",
        "secrets_key",
        "node_groups",
    ];
    let fields = d.fields(node, at, &what, &known)?;
    let name = match fields.get("name") {
        Some(node) => cluster_name(d, node),
        None => Some(format!("{topology}-{}", region.value)),
    };
    let version = fields.required(d, "version").and_then(|n| kubernetes_version(d, n));
    let role_arn =
        fields.required(d, "role_arn").and_then(|n| values::role_arn(d, n, "`role_arn`"));
    let node_role_arn =
        fields.required(d, "node_role_arn").and_then(|n| values::role_arn(d, n, "`node_role_arn`"));
    let logs = match fields.get("logs") {
        Some(node) => log_types(d, node),
        None => Some(DEFAULT_LOGS.map(str::to_string).to_vec()),
    };
    // Standard support by default: EKS would otherwise move a cluster into
    // extended support, and its price, without a word.
    let upgrade_policy = match fields.get("upgrade_policy") {
        Some(node) => d.choice(node, "upgrade policy", &UPGRADE_POLICIES),
        None => Some("STANDARD"),
    };
    let endpoint = match fields.entry("endpoint") {
        Some(entry) => endpoint(d, &entry.value, entry.key.span),
        None => Some(Endpoint::default()),
    };
    let admins = match fields.get("admins") {
        Some(node) => admins(d, node),
        None => {
            d.report(
                Problem::new(
                    "topology::no-admins",
                    format!("the cluster of `{}` names no admins", region.value),
                    at,
                    "no `admins`",
                )
                .help(
                    "only whoever runs the apply that makes it can reach it, and no access entry \
                     shows it: list the IAM roles or users that administer it in `admins:` (each \
                     gets an access entry with the cluster admin policy, and the creator is then \
                     not made an admin), or write `admins: []` to keep EKS's default (the creator alone) without this \
                     warning",
                )
                .warning(),
            );
            Some(Vec::new())
        }
    };
    let addons = addons(d, fields.get("addons"));
    let secrets_key = match fields.get("secrets_key") {
        Some(node) => secrets_key(d, node, &region.value),
        None => Some(SecretsKey::Made),
    };
    let node_groups = fields.required(d, "node_groups").map(|n| node_groups(d, n));
    Some(Cluster {
        name: name?,
        version: version?,
        role_arn: role_arn?,
        node_role_arn: node_role_arn?,
        logs: logs?,
        upgrade_policy: upgrade_policy?,
        endpoint: endpoint?,
        admins: admins?,
        addons: addons?,
        secrets_key: secrets_key?,
        node_groups: node_groups?,
    })
}

/// `admins`: IAM roles and users, each once and each name once (an access
/// entry is named by the principal's name).
fn admins(d: &mut Decoder, node: &Node) -> Option<Vec<String>> {
    let items = d.list(node, "`admins`")?;
    let (mut admins, mut names, mut valid) = (Vec::new(), Seen::default(), true);
    for item in items {
        let Some(arn) = values::iam_arn(d, item, "an admin", &["role", "user"]) else {
            valid = false;
            continue;
        };
        let name = Spanned { value: principal_name(&arn).to_string(), span: arn.span };
        let problem = Problem::new(
            "topology::duplicate",
            format!("two admins are named `{}`", name.value),
            name.span,
            "named again here",
        )
        .help("list each principal once; wway names a principal's access entry by its name");
        valid &= d.unique(&mut names, &name, problem, "first named here");
        admins.push(arn.value);
    }
    valid.then_some(admins)
}

/// `logs`: control-plane log types, each once; `[]` for none.
fn log_types(d: &mut Decoder, node: &Node) -> Option<Vec<String>> {
    let what = "control-plane log type";
    let listed = d.strings(node, "`logs`")?;
    let mut valid = true;
    for log in &listed {
        if !LOG_TYPES.contains(&log.value.as_str()) {
            d.unknown_name(log, what, &LOG_TYPES);
            valid = false;
        }
    }
    valid.then(|| listed.into_iter().map(|l| l.value).collect())
}

/// EKS: 1 to 100 characters, a letter or digit first, then letters, digits, `-` and `_`.
fn cluster_name(d: &mut Decoder, node: &Node) -> Option<String> {
    let name = d.string(node, "a cluster name")?;
    let mut chars = name.chars();
    let valid = name.len() <= 100
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        d.report(
            Problem::new(
                "topology::name",
                format!("`{}` is not a valid EKS cluster name", name.value),
                name.span,
                "invalid",
            )
            .help("up to 100 letters, digits, `-` and `_`, starting with a letter or digit"),
        );
    }
    valid.then_some(name.value)
}

/// A quoted `"1.NN"`. An unquoted 1.30 is the float 1.3 to YAML, which is the
/// classic way to ask EKS for the wrong version; it gets its own diagnostic.
fn kubernetes_version(d: &mut Decoder, node: &Node) -> Option<String> {
    if let Value::Scalar(s) = &node.value
        && s.plain
        && let Ok(number) = s.text.parse::<f64>()
    {
        d.report(
            Problem::new(
                "topology::version-not-quoted",
                format!("the Kubernetes version {} is not quoted, so YAML reads it as the number {number}", s.text),
                node.span,
                format!("read as the number {number}"),
            )
            .help(format!("quote it: version: \"{}\"", s.text)),
        );
        return None;
    }
    let version = d.string(node, "`version`")?;
    let minor =
        version.strip_prefix("1.").filter(|m| m.len() == 2).and_then(|m| m.parse::<u32>().ok());
    if minor.is_some_and(|m| m >= 23) {
        return Some(version.value);
    }
    d.report(
        Problem::new(
            "topology::version",
            format!("`{}` is not an EKS Kubernetes version", version.value),
            version.span,
            "not 1.NN",
        )
        .help("write a version EKS offers, quoted, e.g. \"1.31\""),
    );
    None
}

fn node_groups(d: &mut Decoder, node: &Node) -> Vec<NodeGroup> {
    let Some(entries) = d.entries(node, "`node_groups`") else {
        return Vec::new();
    };
    entries.iter().filter_map(|entry| node_group(d, entry)).collect()
}

fn node_group(d: &mut Decoder, entry: &Entry) -> Option<NodeGroup> {
    // EKS takes 63 characters, and the group that replaces one is named
    // `<name>-<8 hex digits>` (kinds::eks::node_group::REPLACEMENT_SUFFIX).
    let name = name(d, &entry.key, "node group name", 54);
    let what = format!("node group `{}`", entry.key.as_key().unwrap_or_default());
    let known =
        ["instance_types", "min", "desired", "max", "capacity_type", "labels", "max_unavailable"];
    let fields = d.fields(&entry.value, entry.key.span, &what, &known)?;
    let instance_types = fields.required(d, "instance_types").and_then(|n| instance_types(d, n));
    let size = |d: &mut Decoder, key: &str| {
        let node = fields.required(d, key)?;
        Some((d.integer(node, &format!("`{key}`"), 0..=1000)? as u32, node.span))
    };
    let (min, desired, max) = (size(d, "min"), size(d, "desired"), size(d, "max"));
    let capacity_type = match fields.get("capacity_type") {
        Some(n) => d.choice(
            n,
            "capacity type",
            &[("on-demand", CapacityType::OnDemand), ("spot", CapacityType::Spot)],
        ),
        None => Some(CapacityType::OnDemand),
    };
    let labels = match fields.get("labels") {
        Some(n) => string_map(d, n, "`labels`"),
        None => Some(BTreeMap::new()),
    };
    let max_unavailable = match fields.get("max_unavailable") {
        Some(n) => max_unavailable(d, n),
        None => Some(DEFAULT_MAX_UNAVAILABLE),
    };
    let ((min, min_span), (desired, desired_span), (max, max_span)) = (min?, desired?, max?);
    let mut sizes_valid = true;
    let mut order = |low: (u32, Span, &str), high: (u32, Span, &str)| {
        if low.0 > high.0 {
            sizes_valid = false;
            d.report(
                Problem::new(
                    "topology::node-group-size",
                    format!(
                        "{what}: `{}` ({}) is greater than `{}` ({})",
                        low.2, low.0, high.2, high.0
                    ),
                    low.1,
                    format!("{} is {}", low.2, low.0),
                )
                .also(high.1, format!("{} is {}", high.2, high.0))
                .help("a node group needs min <= desired <= max"),
            );
        }
    };
    order((min, min_span, "min"), (desired, desired_span, "desired"));
    order((desired, desired_span, "desired"), (max, max_span, "max"));
    if max == 0 {
        sizes_valid = false;
        d.report(
            Problem::new(
                "topology::node-group-size",
                format!("{what}: `max` is 0"),
                max_span,
                "max is 0",
            )
            .help("EKS needs max >= 1"),
        );
    }
    Some(NodeGroup {
        name: name?.value,
        instance_types: instance_types?,
        min,
        desired,
        max,
        max_at: max_span,
        capacity_type: capacity_type?,
        labels: labels?,
        max_unavailable: max_unavailable?,
    })
    .filter(|_| sizes_valid)
}

/// `max_unavailable`: a number of nodes (1 to 100, as EKS takes) or a
/// percentage of them (`"33%"`, 1% to 100%).
fn max_unavailable(d: &mut Decoder, node: &Node) -> Option<MaxUnavailable> {
    let what = "`max_unavailable`";
    if let Value::Scalar(scalar) = &node.value
        && let Some(percent) = scalar.text.strip_suffix('%')
    {
        if let Ok(percent) = percent.parse::<u32>()
            && (1..=100).contains(&percent)
        {
            return Some(MaxUnavailable::Percent(percent));
        }
        d.report(
            Problem::new(
                "topology::range",
                format!("{what} is {}, not a percentage from 1% to 100%", scalar.text),
                node.span,
                "not 1% to 100%",
            )
            .help("write a number of nodes (1 to 100) or a percentage of them, e.g. \"33%\""),
        );
        return None;
    }
    d.integer(node, what, 1..=100).map(|n| MaxUnavailable::Nodes(n as u32))
}

/// EC2 instance type names: a family, a dot and a size (`m5.2xlarge`).
fn instance_types(d: &mut Decoder, node: &Node) -> Option<Vec<String>> {
    let types = d.strings(node, "`instance_types`")?;
    if types.is_empty() {
        d.report(
            Problem::new(
                "topology::instance-types",
                "`instance_types` is empty",
                node.span.start_only(),
                "empty list",
            )
            .help("list at least one EC2 instance type, e.g. [m5.2xlarge]"),
        );
        return None;
    }
    let mut valid = true;
    for t in &types {
        let shape = t.split_once('.').is_some_and(|(family, size)| {
            family.starts_with(|c: char| c.is_ascii_lowercase())
                && family.chars().any(|c| c.is_ascii_digit())
                && family.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !size.is_empty()
                && size.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        if !shape {
            valid = false;
            d.report(
                Problem::new(
                    "topology::instance-type",
                    format!("`{}` is not an EC2 instance type", t.value),
                    t.span,
                    "not an instance type",
                )
                .help("write a family and a size, e.g. m5.2xlarge or c5.4xlarge"),
            );
        }
    }
    valid.then(|| types.into_iter().map(|t| t.value).collect())
}

/// A mapping of strings to strings (tags, labels).
pub fn string_map(d: &mut Decoder, node: &Node, what: &str) -> Option<BTreeMap<String, String>> {
    let entries = d.entries(node, what)?;
    let mut map = BTreeMap::new();
    let mut valid = true;
    for entry in entries {
        let key = d.string(&entry.key, &format!("a key of {what}"));
        let value = d.string(&entry.value, &format!("a value of {what}"));
        match (key, value) {
            (Some(k), Some(v)) => {
                map.insert(k.value, v.value);
            }
            _ => valid = false,
        }
    }
    valid.then_some(map)
}
