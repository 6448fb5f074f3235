//! The topology file: reading it ([`Source`]), parsing it with spans, and
//! decoding it into the validated [`Topology`] or into [`Problems`] that point
//! at the user's lines. Pure: no cloud calls, no SDK; the only I/O is reading
//! the file and checking that edge-function folders exist.

mod catalog;
mod cdn;
mod decode;
mod dns;
mod edge;
pub mod model;
pub mod net;
pub mod problem;
mod refs;
mod regions;
pub mod schema;
mod values;
mod yaml;

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

impl Source {
    pub fn read(path: &Path) -> std::io::Result<Source> {
        let text = std::fs::read_to_string(path)?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Ok(Source {
            name: path.display().to_string(),
            text,
            dir,
        })
    }
}

/// Parses and validates a topology. Every problem in the file is reported, in
/// the order of the file.
pub fn load(source: &Source) -> Result<Topology, Problems> {
    let mut d = Decoder::default();
    let topology = yaml::parse(&source.text, &mut d.problems)
        .and_then(|root| decode_root(&mut d, &root, source));
    if d.problems.is_empty()
        && let Some(topology) = topology
    {
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
        source: NamedSource::new(&source.name, source.text.clone()),
        problems: d.problems,
    })
}

fn decode_root(d: &mut Decoder, root: &yaml::Node, source: &Source) -> Option<Topology> {
    let known = [
        "version",
        "name",
        "tags",
        "regions",
        "dns",
        "cdn",
        "edge_functions",
    ];
    let f = d.fields(root, root.span.start_only(), "the topology", &known)?;
    let version = f.required(d, "version").and_then(|n| version(d, n));
    let name = f
        .required(d, "name")
        .and_then(|n| values::name(d, n, "topology name", 32));
    let tags = match f.get("tags") {
        Some(n) => tags(d, n),
        None => Some(Default::default()),
    };
    let (regions, declared_regions) = match f.required(d, "regions") {
        Some(n) => regions::decode(d, n, name.as_ref().map_or("", |n| n.as_str())),
        None => Default::default(),
    };
    let (edge_functions, edge_function_names) = match f.get("edge_functions") {
        Some(n) => edge::decode(d, n, &source.dir),
        None => Default::default(),
    };
    let declared = Declared {
        regions: &declared_regions,
        edge_function_names,
        edge_functions: &edge_functions,
        cdn: f.get("cdn").map(|_| f.key_span("cdn")),
    };
    let cdn = f
        .get("cdn")
        .map(|n| cdn::decode(d, n, f.key_span("cdn"), &declared));
    let dns = f
        .get("dns")
        .map(|n| dns::decode(d, n, f.key_span("dns"), &declared));
    version?;
    Some(Topology {
        name: name?.value,
        tags: tags?,
        regions,
        dns: dns.map(|dns| dns.ok_or(())).transpose().ok()?,
        cdn: cdn.map(|cdn| cdn.ok_or(())).transpose().ok()?,
        edge_functions,
    })
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

/// Tags added to every taggable resource. `wway:` keys are wway's own ownership
/// tags and `aws:` keys are AWS's; neither may be set here.
fn tags(d: &mut Decoder, node: &yaml::Node) -> Option<std::collections::BTreeMap<String, String>> {
    let tags = regions::string_map(d, node, "`tags`")?;
    let entries = d.entries(node, "`tags`")?;
    let mut valid = true;
    for entry in entries {
        let key = entry.key.as_key().unwrap_or_default();
        let value = tags.get(key).map_or(0, |v| v.chars().count());
        let problem = if key.starts_with("wway:") || key.to_ascii_lowercase().starts_with("aws:") {
            Some((
                format!("the tag key `{key}` is reserved"),
                "wway sets wway:topology and wway:id itself; AWS reserves aws:",
            ))
        } else if key.chars().count() > 128 || value > 256 {
            Some((
                format!("the tag `{key}` is too long"),
                "AWS allows keys of up to 128 characters and values of up to 256",
            ))
        } else {
            None
        };
        if let Some((message, help)) = problem {
            valid = false;
            d.report(Problem::new("topology::tag", message, entry.key.span, "this tag").help(help));
        }
    }
    valid.then_some(tags)
}
