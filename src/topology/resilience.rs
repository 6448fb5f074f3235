//! `resilience:`: the failover budget (`rto`, how long traffic may take to
//! leave a failed region) and the spike the regions must hold (`spike`,
//! times their usual load). Here they are read and checked as values; the
//! report that judges the topology against them is a layer of its own.

use super::decode::Decoder;
use super::model::{Resilience, Spanned};
use super::problem::{Problem, Span};
use super::yaml::{Node, Value};

/// Route 53 cannot move traffic in less than its checks' fastest failure
/// (10 s x 1) and its propagation; an hour is longer than any budget of an
/// always-on service.
const RTO_RANGE: std::ops::RangeInclusive<u32> = 10..=3600;

pub fn decode(d: &mut Decoder, node: &Node, at: Span) -> Option<Resilience> {
    let f = d.fields(node, at, "`resilience`", &["rto", "spike"])?;
    let rto = f.required(d, "rto").and_then(|n| duration(d, n));
    let spike = f.get("spike").map(|n| {
        let times = d.integer(n, "`spike`", 1..=1000)?;
        Some(Spanned { value: times as u32, span: n.span })
    });
    Some(Resilience { rto: rto?, spike: spike.map(|s| s.ok_or(())).transpose().ok()? })
}

/// `90s`, `3m`, `2m30s`, or a number of seconds.
fn duration(d: &mut Decoder, node: &Node) -> Option<Spanned<u32>> {
    let Value::Scalar(word) = &node.value else {
        d.report(
            Problem::new(
                "topology::duration",
                "`rto` is not a duration",
                node.span,
                "not a duration",
            )
            .help("write a duration such as 90s, 3m or 2m30s"),
        );
        return None;
    };
    let Some(seconds) = seconds(&word.text) else {
        d.report(
            Problem::new(
                "topology::duration",
                format!("`{}` is not a duration", word.text),
                node.span,
                "not a duration",
            )
            .help("write seconds and minutes: 90s, 3m or 2m30s"),
        );
        return None;
    };
    if !RTO_RANGE.contains(&seconds) {
        d.report(
            Problem::new(
                "topology::range",
                format!("`rto` is {seconds} s, out of range"),
                node.span,
                "10 s to 1 h",
            )
            .help("Route 53 moves traffic in no less than about 10 s; give 10s to 60m"),
        );
        return None;
    }
    Some(Spanned { value: seconds, span: node.span })
}

/// The seconds of `90`, `90s`, `3m` or `2m30s`.
fn seconds(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    if let Ok(plain) = text.parse::<u32>() {
        return Some(plain);
    }
    let (minutes, rest) = match text.split_once('m') {
        Some((minutes, rest)) => (minutes.parse::<u32>().ok()?, rest),
        None => (0, text),
    };
    let secs = match rest {
        "" => 0,
        rest => rest.strip_suffix('s')?.parse::<u32>().ok()?,
    };
    minutes.checked_mul(60)?.checked_add(secs)
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn durations_read_as_seconds() {
        for (text, want) in [("90", Some(90)), ("90s", Some(90)), ("3m", Some(180))] {
            assert_eq!(seconds(text), want, "{text}");
        }
        assert_eq!(seconds("2m30s"), Some(150));
        for bad in ["", "m", "3h", "s", "1.5m", "-3m", "3m-1s"] {
            assert_eq!(seconds(bad), None, "{bad}");
        }
    }
}
