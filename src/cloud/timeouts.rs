//! How long a step may wait for AWS, per kind, where the user says so
//! (`--timeout node-group=90m`). Each kind's cloud half has its own
//! defaults, sized for real AWS as terraform-provider-aws sizes them (a
//! cluster 30 minutes to create, a node group 60, a distribution 30); an
//! account that is slower, or a pipeline that must fail sooner, sets its own.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::kinds::Kind;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeouts(BTreeMap<Kind, Duration>);

impl Timeouts {
    /// The user's limit for `kind`'s waits, if they set one.
    pub fn get(&self, kind: Kind) -> Option<Duration> {
        self.0.get(&kind).copied()
    }

    /// Parses `KIND=DURATION` (a kind's name as plans show it, and a
    /// number followed by s, m or h).
    pub fn parse(settings: &[String]) -> Result<Timeouts, String> {
        let mut timeouts = BTreeMap::new();
        for setting in settings {
            let (kind, duration) = setting
                .split_once('=')
                .ok_or_else(|| format!("{setting}: expected KIND=DURATION, e.g. node-group=90m"))?;
            let kind = Kind::ALL.into_iter().find(|k| k.name() == kind).ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!("{setting}: no kind `{kind}` (kinds: {})", names.join(", "))
            })?;
            timeouts
                .insert(kind, duration_of(duration).map_err(|why| format!("{setting}: {why}"))?);
        }
        Ok(Timeouts(timeouts))
    }
}

fn duration_of(text: &str) -> Result<Duration, String> {
    let unit = text.chars().last().ok_or("an empty duration")?;
    let scale = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        _ => return Err(format!("`{text}` needs a unit: s, m or h (e.g. 90m)")),
    };
    let number: u64 = text[..text.len() - 1]
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of {unit}"))?;
    Ok(Duration::from_secs(number.saturating_mul(scale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_takes_the_users_limit_and_others_keep_their_default() {
        let set = ["node-group=90m".to_string(), "distribution=45s".to_string()];
        let timeouts = Timeouts::parse(&set).unwrap();
        assert_eq!(timeouts.get(Kind::NodeGroup), Some(Duration::from_secs(90 * 60)));
        assert_eq!(timeouts.get(Kind::Distribution), Some(Duration::from_secs(45)));
        assert_eq!(timeouts.get(Kind::EksCluster), None);
    }

    #[test]
    fn a_bad_setting_says_what_is_wrong() {
        let error = |s: &str| Timeouts::parse(&[s.to_string()]).unwrap_err();
        assert_eq!(error("node-group"), "node-group: expected KIND=DURATION, e.g. node-group=90m");
        assert!(error("nodes=1m").starts_with("nodes=1m: no kind `nodes` (kinds: vpc, subnet,"));
        assert_eq!(
            error("node-group=90"),
            "node-group=90: `90` needs a unit: s, m or h (e.g. 90m)"
        );
        assert_eq!(error("node-group=xm"), "node-group=xm: `xm` is not a whole number of m");
    }
}
