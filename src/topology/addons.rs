//! A cluster's `addons:`: the EKS managed add-ons it runs. Every cluster
//! gets [`DEFAULT_ADDONS`] at the version EKS makes the default for its
//! Kubernetes version; the file may pin a version, choose how conflicts are
//! resolved, add another add-on by name, or leave a default one out with
//! `false`.

use super::decode::Decoder;
use super::model::{Addon, CONFLICT_CHOICES, DEFAULT_ADDONS};
use super::problem::Problem;
use super::yaml::{Node, Value};

/// The add-ons of a cluster whose file says `addons:` at `node`, or not.
pub fn addons(d: &mut Decoder, node: Option<&Node>) -> Option<Vec<Addon>> {
    let mut addons: Vec<Addon> = DEFAULT_ADDONS
        .iter()
        .map(|name| Addon { name: name.to_string(), version: None, conflicts: "NONE" })
        .collect();
    let Some(node) = node else { return Some(addons) };
    let entries = d.entries(node, "`addons`")?;
    let mut valid = true;
    for entry in entries {
        let Some(name) = addon_name(d, &entry.key) else {
            valid = false;
            continue;
        };
        let known = addons.iter().position(|a| a.name == name);
        match &entry.value.value {
            Value::Scalar(s) if s.plain && s.text == "false" => {
                match known {
                    Some(at) if DEFAULT_ADDONS.contains(&name.as_str()) => {
                        addons.remove(at);
                    }
                    _ => {
                        d.report(
                        Problem::new(
                            "topology::unknown-value",
                            format!("`{name}: false` leaves out an add-on no cluster runs by default"),
                            entry.value.span,
                            "nothing to leave out",
                        )
                        .help(format!(
                            "`false` leaves out one of {}; remove the line, or give the add-on \
                             `{{}}` to run it",
                            DEFAULT_ADDONS.join(", ")
                        )),
                    );
                        valid = false;
                    }
                }
            }
            _ => {
                let Some(addon) = settings(d, &entry.value, &entry.key, name) else {
                    valid = false;
                    continue;
                };
                match known {
                    Some(at) => addons[at] = addon,
                    None => addons.push(addon),
                }
            }
        }
    }
    valid.then_some(addons)
}

/// `{}` or null for EKS's defaults, else `version` and `conflicts`.
fn settings(d: &mut Decoder, node: &Node, key: &Node, name: String) -> Option<Addon> {
    let mut addon = Addon { name, version: None, conflicts: "NONE" };
    if node.is_null() {
        return Some(addon);
    }
    let what = format!("the add-on `{}`", addon.name);
    let fields = d.fields(node, key.span, &what, &["version", "conflicts"])?;
    let version = fields.get("version").map(|n| addon_version(d, n));
    let conflicts =
        fields.get("conflicts").map(|n| d.choice(n, "conflict resolution", &CONFLICT_CHOICES));
    if let Some(version) = version {
        addon.version = Some(version?);
    }
    if let Some(conflicts) = conflicts {
        addon.conflicts = conflicts?;
    }
    Some(addon)
}

/// EKS's add-on names: 1 to 100 lower-case letters, digits and `-`, starting
/// with a letter or digit (`vpc-cni`, `aws-ebs-csi-driver`).
fn addon_name(d: &mut Decoder, key: &Node) -> Option<String> {
    let name = d.string(key, "an add-on name")?;
    let mut chars = name.value.chars();
    let valid = name.value.len() <= 100
        && chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !valid {
        d.report(
            Problem::new(
                "topology::name",
                format!("`{}` is not an EKS add-on name", name.value),
                name.span,
                "invalid",
            )
            .help("EKS names add-ons in lower case, e.g. `vpc-cni` or `aws-ebs-csi-driver`"),
        );
    }
    valid.then_some(name.value)
}

/// An add-on version as DescribeAddonVersions lists it: `v`, then a
/// dotted version and EKS's build (`v1.19.2-eksbuild.1`).
fn addon_version(d: &mut Decoder, node: &Node) -> Option<String> {
    let version = d.string(node, "an add-on version")?;
    let text = &version.value;
    let valid = text.len() <= 100
        && text
            .strip_prefix('v')
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'));
    if !valid {
        d.report(
            Problem::new(
                "topology::version",
                format!("`{text}` is not an EKS add-on version"),
                version.span,
                "not vN.N.N-eksbuild.N",
            )
            .help("write a version `aws eks describe-addon-versions` lists, e.g. \"v1.19.2-eksbuild.1\", or leave `version` out for EKS's default"),
        );
    }
    valid.then_some(version.value)
}
