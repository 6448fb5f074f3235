//! Value kinds that recur across sections of the format: lower-case names, DNS
//! host names, IAM role ARNs and region references. Each reads a node through
//! the [`Decoder`] and reports what is wrong with it.

use super::catalog::{COUNTRIES, COUNTRY_SLIPS, REGIONS};
use super::decode::{Decoder, did_you_mean};
use super::model::Spanned;
use super::problem::Problem;
use super::yaml::Node;

/// `[a-z][a-z0-9-]{0,max-1}`: topology, node group and origin names.
pub fn is_name(text: &str, max: usize) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && text.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub fn name(d: &mut Decoder, node: &Node, what: &str, max: usize) -> Option<Spanned<String>> {
    let name = d.string(node, what)?;
    if is_name(&name, max) {
        return Some(name);
    }
    d.report(
        Problem::new("topology::name", format!("`{}` is not a valid {what}", name.value), name.span, "invalid name")
            .help(format!(
                "start with a lower-case letter; then lower-case letters, digits and `-`; at most {max} characters"
            )),
    );
    None
}

/// A fully qualified DNS host name (no scheme, no path, no trailing dot).
pub fn is_hostname(text: &str) -> bool {
    text.len() <= 253
        && text.contains('.')
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

pub fn hostname(d: &mut Decoder, node: &Node, what: &str) -> Option<String> {
    let host = d.string(node, what)?;
    if is_hostname(&host) {
        return Some(host.value.to_ascii_lowercase());
    }
    let help = if host.contains("://") || host.contains('/') {
        "write the host name alone, without a scheme or a path".to_string()
    } else {
        "write a host name such as api.example.com".to_string()
    };
    d.report(
        Problem::new(
            "topology::hostname",
            format!("`{}` is not a valid {what}", host.value),
            host.span,
            "not a host name",
        )
        .help(help),
    );
    None
}

/// `arn:aws:iam::123456789012:role/name` (also the aws-cn and aws-us-gov partitions).
pub fn role_arn(d: &mut Decoder, node: &Node, what: &str) -> Option<String> {
    iam_arn(d, node, what, &["role"]).map(|arn| arn.value)
}

/// The ARN of an IAM principal of one of `kinds` (`role`, `user`).
pub fn iam_arn(
    d: &mut Decoder,
    node: &Node,
    what: &str,
    kinds: &[&str],
) -> Option<Spanned<String>> {
    let arn = d.string(node, what)?;
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let named = |resource: &str| {
        let (kind, name) = resource.split_once('/')?;
        (kinds.contains(&kind) && !name.is_empty() && !name.ends_with('/')).then_some(())
    };
    let valid = matches!(parts.as_slice(),
        ["arn", "aws" | "aws-cn" | "aws-us-gov", "iam", "", account, resource]
            if account.len() == 12
                && account.chars().all(|c| c.is_ascii_digit())
                && named(resource).is_some());
    if valid {
        return Some(arn);
    }
    let kinds_said = kinds.join(" or ");
    d.report(
        Problem::new(
            "topology::arn",
            format!("`{}` is not an IAM {kinds_said} ARN", arn.value),
            arn.span,
            format!("not a {kinds_said} ARN"),
        )
        .help(match kinds {
            [kind] => {
                format!("write the {kind}'s ARN: arn:aws:iam::<12-digit account>:{kind}/<name>")
            }
            _ => format!(
                "write the principal's ARN: arn:aws:iam::<12-digit account>:{}/<name>",
                kinds.join("/<name> or ")
            ),
        }),
    );
    None
}

/// Reports an AWS region code that does not exist.
pub fn check_region_code(d: &mut Decoder, name: &Spanned<String>) -> bool {
    if REGIONS.binary_search(&name.as_str()).is_ok() {
        return true;
    }
    let help = match did_you_mean(name, REGIONS.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "use an AWS region code such as us-east-1 or eu-west-1".into(),
    };
    d.report(
        Problem::new(
            "topology::region",
            format!("`{}` is not an AWS region", name.value),
            name.span,
            "unknown region",
        )
        .help(help),
    );
    false
}

/// An ISO 3166-1 alpha-2 country code.
pub fn country_code(d: &mut Decoder, node: &Node, what: &str) -> Option<String> {
    let code = d.string(node, what)?;
    if COUNTRIES.binary_search(&code.as_str()).is_ok() {
        return Some(code.value);
    }
    let upper = code.to_ascii_uppercase();
    let help = match COUNTRY_SLIPS.iter().find(|(slip, _)| *slip == upper) {
        Some((_, meant)) => format!("the ISO code is `{meant}`"),
        None if COUNTRIES.binary_search(&upper.as_str()).is_ok() => {
            format!("write it in capitals: `{upper}`")
        }
        None => "use an ISO 3166-1 alpha-2 code such as US, GB or JP".into(),
    };
    d.report(
        Problem::new(
            "topology::country",
            format!("`{}` is not an ISO country code", code.value),
            code.span,
            "unknown country",
        )
        .help(help),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_hosts() {
        assert!(is_name("compute-intensive", 63));
        assert!(
            !is_name("Compute", 63)
                && !is_name("1st", 63)
                && !is_name("", 63)
                && !is_name("a_b", 63)
        );
        assert!(is_hostname("us-east-1.api.wonderway.com"));
        assert!(
            !is_hostname("https://api.wonderway.com")
                && !is_hostname("localhost")
                && !is_hostname("a..b")
        );
    }
}
