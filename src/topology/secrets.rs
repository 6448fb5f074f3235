//! A cluster's `secrets_key`: the KMS key that encrypts its Kubernetes
//! secrets. By default one wway makes; the ARN of the user's own key (or
//! alias) in the cluster's region; or `false` for none.

use super::decode::Decoder;
use super::model::SecretsKey;
use super::problem::Problem;
use super::yaml::{Node, Value};

pub fn secrets_key(d: &mut Decoder, node: &Node, region: &str) -> Option<SecretsKey> {
    if let Value::Scalar(s) = &node.value
        && s.plain
        && s.text == "false"
    {
        return Some(SecretsKey::Off);
    }
    let arn = d.string(node, "`secrets_key`")?;
    let parts: Vec<&str> = arn.value.splitn(6, ':').collect();
    let (in_region, valid) = match parts.as_slice() {
        ["arn", "aws" | "aws-cn" | "aws-us-gov", "kms", at, account, resource]
            if account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) =>
        {
            let named = resource
                .split_once('/')
                .is_some_and(|(kind, name)| matches!(kind, "key" | "alias") && !name.is_empty());
            (*at == region, named)
        }
        _ => (true, false),
    };
    if valid && in_region {
        return Some(SecretsKey::Named(arn.value));
    }
    let problem = match valid {
        true => Problem::new(
            "topology::arn",
            format!("the secrets key of `{region}`'s cluster is not in {region}"),
            arn.span,
            "another region's key",
        )
        .help(format!(
            "EKS takes a KMS key of the cluster's region: name a key of {region}, or leave \
             `secrets_key` out for one wway makes there"
        )),
        false => Problem::new(
            "topology::arn",
            format!("`{}` is not a KMS key ARN", arn.value),
            arn.span,
            "not a KMS key ARN",
        )
        .help(format!(
            "write the key's ARN, arn:aws:kms:{region}:<12-digit account>:key/<key id> (or \
             :alias/<name>); leave `secrets_key` out for a key wway makes, or write `false` \
             for none"
        )),
    };
    d.report(problem);
    None
}
