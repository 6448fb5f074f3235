//! References between sections: DNS records and CDN origins name regions, CDN
//! behaviors name origins and edge functions. [`Declared`] holds what the file
//! declares (including entries that have defects of their own, so that a
//! reference to them is not reported a second time) and checks each reference.

use super::decode::{Decoder, did_you_mean};
use super::model::{EdgeEvent, EdgeFunction, Spanned};
use super::problem::{Problem, Span};
use super::yaml::Node;

#[derive(Debug, Clone)]
pub struct DeclaredRegion {
    pub name: Spanned<String>,
    pub has_origin: bool,
    /// For a name that is not an AWS region, the region it is closest to
    /// (`eu-wset-1`: `eu-west-1`). References to that region resolve to this
    /// one, so that a typo at the key is one problem, not one per reference.
    pub meant: Option<String>,
}

pub struct Declared<'a> {
    pub regions: &'a [DeclaredRegion],
    /// Names of every edge function in the file, and the valid ones' settings.
    pub edge_function_names: Vec<String>,
    pub edge_functions: &'a [EdgeFunction],
    /// Where the `cdn:` section is, when there is one.
    pub cdn: Option<Span>,
}

impl Declared<'_> {
    /// A region that DNS or the CDN points at: declared, and with an `origin`.
    pub fn origin_region(&self, d: &mut Decoder, node: &Node, what: &str) -> Option<String> {
        let name = d.string(node, what)?;
        let names = self.regions.iter().map(|r| r.name.as_str());
        let declares = |r: &&DeclaredRegion| {
            *r.name == name.value || r.meant.as_deref() == Some(name.value.as_str())
        };
        let Some(region) = self.regions.iter().find(declares) else {
            undeclared(d, &name, "region", "regions", names);
            return None;
        };
        if !region.has_origin {
            d.report(
                Problem::new(
                    "topology::no-origin",
                    format!("{what} points at `{}`, which has no `origin`", name.value),
                    name.span,
                    "points at a region without an origin",
                )
                .also(region.name.span, "declared here without `origin`")
                .help(format!("add `origin: <its API host name>` to region `{}`", name.value)),
            );
            return None;
        }
        Some(name.value)
    }

    /// An edge function for `event`: declared, and within the event's limits.
    pub fn edge_function(&self, d: &mut Decoder, node: &Node, event: EdgeEvent) -> Option<String> {
        let name = d.string(node, "an edge function name")?;
        if !self.edge_function_names.contains(&name.value) {
            let names = self.edge_function_names.iter().map(String::as_str);
            undeclared(d, &name, "edge function", "edge_functions", names);
            return None;
        }
        let function = self.edge_functions.iter().find(|f| f.name == name.value)?;
        let mut valid = true;
        let limits = [
            ("timeout", function.timeout, event.max_timeout(), "s"),
            ("memory", function.memory, event.max_memory(), " MB"),
        ];
        for (field, value, max, unit) in limits {
            if value > max {
                valid = false;
                d.report(
                    Problem::new(
                        "topology::edge-limit",
                        format!(
                            "edge function `{}` has {field} {value}{unit}, over the {max}{unit} Lambda@Edge allows for {} events",
                            name.value,
                            event.name()
                        ),
                        name.span,
                        format!("used on {} here", event.name()),
                    )
                    .help(format!("set `{field}` of `{}` to at most {max}", name.value)),
                );
            }
        }
        let max = event.max_package_bytes();
        if function.package_bytes > max {
            valid = false;
            d.report(
                Problem::new(
                    "topology::edge-limit",
                    format!(
                        "edge function `{}` is a package of {} bytes zipped, over the {max} Lambda@Edge allows for {} events",
                        name.value,
                        function.package_bytes,
                        event.name()
                    ),
                    name.span,
                    format!("used on {} here", event.name()),
                )
                .help("use it on an origin event (up to 50 MB), or make its folder smaller"),
            );
        }
        valid.then_some(name.value)
    }
}

/// Reports a reference to a name that `section` does not declare.
pub fn undeclared<'a>(
    d: &mut Decoder,
    name: &Spanned<String>,
    kind: &str,
    section: &str,
    names: impl Iterator<Item = &'a str> + Clone,
) {
    let help = match did_you_mean(name, names.clone()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => {
            let list: Vec<&str> = names.collect();
            if list.is_empty() {
                format!("declare it under `{section}`")
            } else {
                format!("declared under `{section}`: {}", list.join(", "))
            }
        }
    };
    d.report(
        Problem::new(
            "topology::undeclared",
            format!("{kind} `{}` is not declared", name.value),
            name.span,
            format!("no such {kind}"),
        )
        .help(help),
    );
}
