//! Where a team keeps journals and the lock: the topology's `backend:` (or
//! `--backend`), an `s3://bucket/prefix` URL with an optional `?region=` for
//! the bucket's region. Parsing only; the store itself is in `cloud::s3`.

use super::catalog::REGIONS;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// Key prefix without leading or trailing slashes; may be empty.
    pub prefix: String,
    /// The bucket's region, when it is not the one the AWS chain gives.
    pub region: Option<String>,
}

impl std::fmt::Display for S3Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)?;
        match &self.region {
            Some(region) => write!(f, "?region={region}"),
            None => Ok(()),
        }
    }
}

/// S3's rules for a general purpose bucket's name.
fn is_bucket_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..")
}

/// Parses `s3://bucket[/prefix][?region=REGION]`; the error says what is wrong.
pub fn parse(text: &str) -> Result<S3Location, String> {
    let Some(rest) = text.strip_prefix("s3://") else {
        return Err("a backend is an S3 URL: s3://bucket/prefix".into());
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    if !is_bucket_name(bucket) {
        return Err(format!(
            "`{bucket}` is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
        ));
    }
    let prefix = prefix.trim_matches('/');
    if prefix.split('/').any(|part| part.is_empty()) && !prefix.is_empty() {
        return Err(format!("the prefix `{prefix}` has an empty part (`//`)"));
    }
    let region = match query {
        "" => None,
        _ => match query.strip_prefix("region=") {
            Some(region) if REGIONS.contains(&region) => Some(region.to_string()),
            Some(region) => return Err(format!("`{region}` is not an AWS region")),
            None => return Err(format!("`?{query}`: the only option is `?region=REGION`")),
        },
    };
    Ok(S3Location { bucket: bucket.into(), prefix: prefix.into(), region })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_and_bad_ones_say_why() {
        let plain = parse("s3://team-state/wway/").unwrap();
        assert_eq!(
            (plain.bucket.as_str(), plain.prefix.as_str(), plain.region),
            ("team-state", "wway", None)
        );
        let regional = parse("s3://team-state?region=eu-west-1").unwrap();
        assert_eq!((regional.prefix.as_str(), regional.region.as_deref()), ("", Some("eu-west-1")));
        assert_eq!(regional.to_string(), "s3://team-state/?region=eu-west-1");
        for (bad, says) in [
            ("team-state/wway", "an S3 URL"),
            ("s3://Team/wway", "not an S3 bucket name"),
            ("s3://ab", "not an S3 bucket name"),
            ("s3://state/a//b", "empty part"),
            ("s3://state/a?region=mars-1", "not an AWS region"),
            ("s3://state/a?acl=private", "only option"),
        ] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
