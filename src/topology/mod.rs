//! The topology file: reading it ([`Source`]), parsing it with spans, and
//! decoding it into the validated [`Topology`] or into [`Problems`] that point
//! at the user's lines. Pure: no cloud calls, no SDK; the only I/O is reading
//! the file and checking that edge-function folders exist.

mod addons;
pub mod backend;
pub mod catalog;
mod cdn;
pub mod code;
mod decode;
mod dns;
mod drift;
pub mod edge;
pub mod model;
pub mod net;
mod network;
pub mod problem;
mod refs;
mod regions;
mod resilience;
pub mod schema;
mod secrets;
mod values;
mod yaml;
pub mod zones;

use std::path::{Path, PathBuf};

use miette::NamedSource;

use decode::Decoder;
pub use model::Topology;
pub use problem::Problems;
use problem::{Problem, Span};
use refs::Declared;

/// The format version this wway reads.
pub const FORMAT_VERSION: i64 = 1;

/// A topology file's text, the name it is shown under, and the folder that
/// relative paths in it (edge function sources) are resolved against.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
    pub dir: PathBuf,
}

/// The largest topology file wway reads: a topology of a thousand records
/// is well under a megabyte.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

impl Source {
    /// Reads a topology file: a regular file (not a FIFO or a device, which
    /// could block or never end) of at most [`MAX_FILE_BYTES`], in UTF-8.
    pub fn read(path: &Path) -> std::io::Result<Source> {
        use std::io::{Error, ErrorKind, Read};
        let metadata = std::fs::metadata(path)?;
        if !metadata.is_file() {
            let what = if metadata.is_dir() { "a directory" } else { "not a regular file" };
            return Err(Error::new(ErrorKind::InvalidInput, format!("it is {what}")));
        }
        let too_large = |size: u64| {
            Error::new(
                ErrorKind::InvalidData,
                format!("it is {size} bytes; a topology file is at most {MAX_FILE_BYTES} bytes"),
            )
        };
        if metadata.len() > MAX_FILE_BYTES {
            return Err(too_large(metadata.len()));
        }
        let mut bytes = Vec::new();
        std::fs::File::open(path)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(bytes.len() as u64));
        }
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let last = valid.rsplit(|b| *b == b'\n').next().unwrap_or_default();
            let column = std::str::from_utf8(last).map_or(0, |l| l.chars().count()) + 1;
            Error::new(
                ErrorKind::InvalidData,
                format!("line {line}, column {column}: the file is not UTF-8 there"),
            )
        })?;
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(Source { name: path.display().to_string(), text, dir })
    }
}

/// Parses and validates a topology. Every problem in the file is reported, in
/// the order of the file.
pub fn load(source: &Source) -> Result<Topology, Problems> {
    let mut d = Decoder::default();
    let topology = yaml::parse(&source.text, &mut d.problems)
        .and_then(|root| decode_root(&mut d, &root, source));
    // Warnings are said with a file that stands; a file with errors has
    // enough to say.
    let (warnings, errors): (Vec<Problem>, Vec<Problem>) =
        std::mem::take(&mut d.problems).into_iter().partition(|p| p.warning);
    d.problems = errors;
    if d.problems.is_empty()
        && let Some(mut topology) = topology
    {
        topology.warnings = warnings;
        return Ok(topology);
    }
    if d.problems.is_empty() {
        d.report(
            Problem::new("topology::empty", "the file holds no topology", Span::default(), "empty file")
                .help("start with `version: 1`, `name:` and `regions:`; `wway schema` describes the format"),
        );
    }
    d.problems.sort_by_key(|p| p.span.offset);
    Err(Problems {
        source: NamedSource::new(&source.name, std::sync::Arc::from(source.text.as_str())),
        problems: d.problems,
    })
}

fn decode_root(d: &mut Decoder, root: &yaml::Node, source: &Source) -> Option<Topology> {
    let known = [
        "version",
        "name",
        "tags",
        "backend",
        "drift",
        "regions",
        "dns",
        "cdn",
        "edge_functions",
        "resilience",
        decode::EXTENSIONS,
    ];
    let f = d.fields(root, root.span.start_only(), "the topology", &known)?;
    let version = f.required(d, "version").and_then(|n| version(d, n));
    let name = f.required(d, "name").and_then(|n| values::name(d, n, "topology name", 32));
    let tags = match f.get("tags") {
        Some(n) => tags(d, n, f.get("dns").is_some()),
        None => Some(Default::default()),
    };
    let backend = f.get("backend").map(|n| state_backend(d, n));
    let drift_ignores = match f.get("drift") {
        Some(n) => drift::decode(d, n, f.key_span("drift")),
        None => Some(Vec::new()),
    };
    let (regions, declared_regions) = match f.required(d, "regions") {
        Some(n) => regions::decode(d, n, name.as_ref().map_or("", |n| n.as_str())),
        None => Default::default(),
    };
    let (edge_functions, edge_function_names) = match f.get("edge_functions") {
        Some(n) => edge::decode(d, n, &source.dir, name.as_ref().map_or("", |n| n.as_str())),
        None => Default::default(),
    };
    let declared = Declared {
        regions: &declared_regions,
        edge_function_names,
        edge_functions: &edge_functions,
        cdn: f.get("cdn").map(|_| f.key_span("cdn")),
    };
    let cdn = f.get("cdn").map(|n| cdn::decode(d, n, f.key_span("cdn"), &declared));
    let dns = f.get("dns").map(|n| dns::decode(d, n, f.key_span("dns"), &declared));
    let resilience =
        f.get("resilience").map(|n| resilience::decode(d, n, f.key_span("resilience")));
    version?;
    Some(Topology {
        name: name?.value,
        tags: tags?,
        backend: backend.map(|b| b.ok_or(())).transpose().ok()?,
        drift_ignores: drift_ignores?,
        regions,
        dns: dns.map(|dns| dns.ok_or(())).transpose().ok()?,
        cdn: cdn.map(|cdn| cdn.ok_or(())).transpose().ok()?,
        edge_functions,
        resilience: resilience.map(|r| r.ok_or(())).transpose().ok()?,
        warnings: Vec::new(),
    })
}

/// Where journals and the lock live for a team: `s3://bucket/prefix`.
fn state_backend(d: &mut Decoder, node: &yaml::Node) -> Option<backend::S3Location> {
    let text = d.string(node, "`backend`")?;
    backend::parse(&text).map_err(|why| {
        d.report(
            Problem::new("topology::backend", why, node.span, "not a usable backend")
                .help("write `backend: s3://BUCKET/PREFIX` (optionally `?region=REGION`), or leave it out to keep state in `.wway/` beside the file"),
        );
    }).ok()
}

fn version(d: &mut Decoder, node: &yaml::Node) -> Option<()> {
    let version = d.integer(node, "`version`", i64::MIN..=i64::MAX)?;
    if version == FORMAT_VERSION {
        return Some(());
    }
    d.report(
        Problem::new(
            "topology::version",
            format!("format version {version} is not one this wway reads"),
            node.span,
            "unsupported version",
        )
        .help(format!(
            "this wway reads format {FORMAT_VERSION}: write `version: {FORMAT_VERSION}`"
        )),
    );
    None
}

/// How many tags of the file every resource can carry: Route 53 takes 10
/// per hosted zone and health check, and wway adds `wway:topology` and
/// `wway:id`; EC2, EKS, Lambda and CloudFront take 50, and a subnet also
/// gets `Name` and its load balancer role.
const MAX_TAGS_WITH_DNS: usize = 10 - 2;
const MAX_TAGS: usize = 50 - 4;

/// Whether every service wway tags takes `c` in a tag: Unicode letters,
/// digits and spaces, and `_ . : / = + - @` (CloudFront, Lambda, EKS and
/// Route 53 refuse the rest; EC2 takes anything).
fn tag_character(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// Tags added to every taggable resource. `wway:` keys are wway's own ownership
/// tags and `aws:` keys are AWS's; neither may be set here. Their number and
/// characters are what every service they go to takes.
fn tags(
    d: &mut Decoder,
    node: &yaml::Node,
    uses_dns: bool,
) -> Option<std::collections::BTreeMap<String, String>> {
    let tags = regions::string_map(d, node, "`tags`")?;
    let entries = d.entries(node, "`tags`")?;
    let mut valid = true;
    for entry in entries {
        let key = entry.key.as_key().unwrap_or_default();
        let value = tags.get(key).map(String::as_str).unwrap_or_default();
        let refused = key.chars().chain(value.chars()).find(|c| !tag_character(*c));
        let problem = if key.starts_with("wway:") || key.to_ascii_lowercase().starts_with("aws:") {
            Some((
                format!("the tag key `{key}` is reserved"),
                "wway sets wway:topology and wway:id itself; AWS reserves aws:",
            ))
        } else if key.chars().count() > 128 || value.chars().count() > 256 {
            Some((
                format!("the tag `{key}` is too long"),
                "AWS allows keys of up to 128 characters and values of up to 256",
            ))
        } else {
            refused.map(|c| {
                (
                    format!("the tag `{key}` has a character AWS refuses: `{c}`"),
                    "CloudFront, Lambda, EKS and Route 53 take letters, digits, spaces and \
                     `_ . : / = + - @` in tag keys and values",
                )
            })
        };
        if let Some((message, help)) = problem {
            valid = false;
            d.report(Problem::new("topology::tag", message, entry.key.span, "this tag").help(help));
        }
    }
    let (most, why) = match uses_dns {
        true => (
            MAX_TAGS_WITH_DNS,
            "Route 53 takes 10 tags per hosted zone and health check, and wway adds \
             wway:topology and wway:id",
        ),
        false => (
            MAX_TAGS,
            "AWS takes 50 tags per resource, and wway adds wway:topology, wway:id, Name \
             and a subnet's load balancer role",
        ),
    };
    if let Some(over) = entries.get(most) {
        valid = false;
        let wording = if uses_dns { " when `dns:` is used" } else { "" };
        d.report(
            Problem::new(
                "topology::too-many-tags",
                format!("`tags` has {} tags; at most {most} fit{wording}", entries.len()),
                over.key.span,
                format!("tag {} of at most {most}", most + 1),
            )
            .help(why),
        );
    }
    valid.then_some(tags)
}

#[cfg(test)]
mod tests {
    use super::model::*;
    use super::*;

    /// Regression: a FIFO blocked `wway validate` forever, a device or a
    /// huge file was read whole, and invalid UTF-8 said nowhere where.
    #[test]
    fn only_a_regular_utf8_file_of_sane_size_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let error = |path: &Path| Source::read(path).expect_err("refused").to_string();
        let fifo = dir.path().join("fifo.yaml");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert_eq!(error(&fifo), "it is not a regular file");
        assert_eq!(error(Path::new("/dev/zero")), "it is not a regular file");
        assert_eq!(error(dir.path()), "it is a directory");
        let huge = dir.path().join("huge.yaml");
        std::fs::File::create(&huge).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(error(&huge).starts_with("it is 10485761 bytes; a topology file is at most"));
        let latin1 = dir.path().join("latin1.yaml");
        std::fs::write(&latin1, b"name: x\ncomment: Gr\xf6\xdfe\n").unwrap();
        assert_eq!(error(&latin1), "line 2, column 12: the file is not UTF-8 there");
    }

    fn shop() -> Topology {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/topologies/good/shop.yaml");
        load(&Source::read(&path).unwrap()).unwrap_or_else(|p| panic!("{p}"))
    }

    #[test]
    fn regions_carve_subnets_and_default_the_cluster_name() {
        let t = shop();
        let us = t.region("us-east-1").unwrap();
        let subnets: Vec<(String, String)> = us
            .network
            .subnets
            .iter()
            .map(|s| (s.availability_zone.clone(), s.cidr.to_string()))
            .collect();
        assert_eq!(
            subnets,
            [
                ("us-east-1a".into(), "10.1.0.0/17".into()),
                ("us-east-1b".into(), "10.1.128.0/17".into())
            ]
        );
        assert_eq!(us.cluster.name, "shop-us-east-1");
        assert_eq!(t.region("ap-southeast-1").unwrap().cluster.name, "shop-batch");
        assert_eq!(
            t.region("ap-southeast-1").unwrap().network.subnets[2].cidr.to_string(),
            "10.3.8.0/22"
        );
        let eu = t.region("eu-west-1").unwrap();
        assert_eq!(eu.cluster.node_groups[0].capacity_type, CapacityType::Spot);
        assert_eq!(us.cluster.node_groups[0].capacity_type, CapacityType::OnDemand);
    }

    #[test]
    fn dns_defaults_and_routing_policies() {
        let dns = shop().dns.unwrap();
        assert_eq!(dns.ttl, 60);
        let check = dns.health_check.unwrap();
        assert_eq!(
            (check.protocol, check.port, check.path.as_deref()),
            (HealthProtocol::Https, 443, Some("/health"))
        );
        let routing: Vec<&Routing> = dns.records.iter().map(|r| &r.routing).collect();
        assert_eq!(
            routing[0],
            &Routing::Failover { primary: "us-east-1".into(), secondary: "eu-west-1".into() }
        );
        assert_eq!(
            routing[1],
            &Routing::Geolocation(vec![
                (Location::Default, "us-east-1".into()),
                (Location::Country("US".into()), "us-east-1".into()),
                (Location::Country("DE".into()), "eu-west-1".into()),
                (Location::Continent("EU".into()), "eu-west-1".into()),
            ])
        );
        assert_eq!(
            routing[2],
            &Routing::Weighted(vec![("us-east-1".into(), 90), ("eu-west-1".into(), 10)])
        );
        assert_eq!(routing[3], &Routing::Latency(vec!["us-east-1".into(), "eu-west-1".into()]));
        assert_eq!(routing[5], &Routing::Simple(Target::Cdn));
    }

    #[test]
    fn cdn_behaviors_keep_their_order_and_defaults() {
        let cdn = shop().cdn.unwrap();
        let paths: Vec<_> = cdn.behaviors.iter().map(|b| b.path.clone().unwrap()).collect();
        assert_eq!(paths, ["/static/*", "/eu/*"]);
        assert_eq!(cdn.behaviors[0].forward, Forward::default());
        assert_eq!(
            cdn.default_behavior.edge_functions,
            [(EdgeEvent::OriginRequest, "router".to_string())]
        );
        assert_eq!(cdn.geo_restriction, GeoRestriction::Deny(vec!["KP".into()]));
        assert_eq!(cdn.logging.unwrap().prefix, "");
        assert_eq!(cdn.origins[1].target, OriginTarget::Region("eu-west-1".into()));
    }

    #[test]
    fn edge_function_defaults_and_resolved_source() {
        let function = &shop().edge_functions[0];
        assert_eq!((function.memory, function.timeout), (128, 10));
        assert!(function.source.join("index.js").is_file());
    }

    fn problems(text: &str) -> Vec<&'static str> {
        let source = Source { name: "t.yaml".into(), text: text.into(), dir: ".".into() };
        load(&source).err().map(|p| p.problems.iter().map(|p| p.code).collect()).unwrap_or_default()
    }

    #[test]
    fn a_failover_pair_needs_health_checks_and_regions_need_origins() {
        let text = "version: 1\nname: t\nregions:\n  us-east-1:\n    network: {cidr: 10.0.0.0/16, availability_zones: 2}\n    cluster: {version: \"1.31\", role_arn: \"arn:aws:iam::123456789012:role/a\", node_role_arn: \"arn:aws:iam::123456789012:role/b\", node_groups: {}}\n  eu-west-1:\n    network: {cidr: 10.1.0.0/16, availability_zones: 2}\n    cluster: {version: \"1.31\", role_arn: \"arn:aws:iam::123456789012:role/a\", node_role_arn: \"arn:aws:iam::123456789012:role/b\", node_groups: {}}\n    origin: eu.example.com\ndns:\n  zone: example.com\n  records:\n    - {name: api, policy: failover, primary: us-east-1, secondary: eu-west-1}\n    - {name: fast, policy: latency}\n";
        assert_eq!(
            problems(text),
            ["topology::failover-health-check", "topology::no-origin", "topology::no-origin"]
        );
    }
}
