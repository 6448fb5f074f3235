//! A region's `network:`: its VPC block and zones, and the network they
//! make. Per zone, a private subnet carved evenly from the block (where
//! earlier versions of wway put it, so it is never replaced) and a public
//! one carved from what the private subnets leave free, or, when they fill
//! the block, from a second block of the VPC. Also the rule across regions:
//! their blocks must not overlap.

use std::net::Ipv4Addr;

use super::catalog::REGIONS;
use super::decode::Decoder;
use super::model::{
    GATEWAY_ENDPOINTS, INTERFACE_ENDPOINTS, NAT_CHOICES, NODE_ENDPOINTS, Nat, Network,
    PRIVATE_ENDPOINTS, Spanned, Subnet,
};
use super::net::{CidrError, Ipv4Net};
use super::problem::{Problem, Span};
use super::yaml::{Node, Value};

/// The smallest subnet AWS allows.
const SMALLEST_SUBNET: u8 = 28;

/// Where the public subnets go when the private ones fill the VPC's block
/// and the file names no `public_cidr`: a block of the shared address space
/// (100.64.0.0/10), which AWS lets any VPC add as a second block.
const SHARED_PUBLIC_BLOCK: Ipv4Net = Ipv4Net { addr: Ipv4Addr::new(100, 64, 0, 0), prefix: 22 };

/// The ranges a VPC's second block may come from, besides the shared
/// address space: the private range its first block is in.
const PRIVATE_RANGES: [Ipv4Net; 3] = [
    Ipv4Net { addr: Ipv4Addr::new(10, 0, 0, 0), prefix: 8 },
    Ipv4Net { addr: Ipv4Addr::new(172, 16, 0, 0), prefix: 12 },
    Ipv4Net { addr: Ipv4Addr::new(192, 168, 0, 0), prefix: 16 },
];
const SHARED_RANGE: Ipv4Net = Ipv4Net { addr: Ipv4Addr::new(100, 64, 0, 0), prefix: 10 };

/// The blocks of the regions decoded so far, where, and whose.
pub type Blocks = Vec<(Ipv4Net, Span, String)>;

pub fn network(
    d: &mut Decoder,
    node: &Node,
    at: Span,
    region: &Spanned<String>,
    blocks: &mut Blocks,
) -> Option<Network> {
    let what = format!("the network of `{}`", region.value);
    let known =
        ["cidr", "availability_zones", "public_cidr", "internet_gateway", "nat", "endpoints"];
    let fields = d.fields(node, at, &what, &known)?;
    let cidr = fields.required(d, "cidr").and_then(|n| cidr(d, n));
    let way_out = fields.get("internet_gateway").is_none_or(|n| internet_gateway(d, n));
    let (nat, nat_at) = match fields.get("nat") {
        Some(node) => (d.choice(node, "NAT layout", &NAT_CHOICES), node.span),
        None => (Some(Nat::PerZone), at),
    };
    let endpoints = match (fields.get("endpoints"), nat) {
        (Some(node), _) => endpoints(d, node, nat),
        (None, Some(Nat::None)) => Some(PRIVATE_ENDPOINTS.map(String::from).to_vec()),
        (None, _) => Some(vec!["s3".to_string()]),
    };
    let asked = fields.get("public_cidr").map(|node| {
        let text = d.string(node, "`public_cidr`")?;
        Some((ipv4_block(d, &text)?, text.span))
    });
    let zones = fields.required(d, "availability_zones").and_then(|n| zones(d, n, region));
    let (cidr, cidr_span) = cidr?;
    if let Some((other, span, other_region)) = blocks.iter().find(|(b, ..)| b.overlaps(&cidr)) {
        d.report(
            Problem::new(
                "topology::cidr-overlap",
                format!("the network of `{}` ({cidr}) overlaps that of `{other_region}` ({other})", region.value),
                cidr_span,
                "overlaps",
            )
            .also(*span, format!("{other_region} uses this block"))
            .help("give every region a block of its own, e.g. 10.10.0.0/16, 10.20.0.0/16, 10.30.0.0/16"),
        );
    }
    blocks.push((cidr, cidr_span, region.value.clone()));
    let (zones, zones_span, zone_count) = zones?;
    let Some(private) = cidr.carve(zones.len(), SMALLEST_SUBNET) else {
        d.report(
            Problem::new(
                "topology::cidr-too-small",
                format!(
                    "{cidr} is too small for {} subnets of at least /{SMALLEST_SUBNET}",
                    zones.len()
                ),
                zones_span,
                "too many zones for the block",
            )
            .help("use a larger block or fewer availability zones"),
        );
        return None;
    };
    let asked = asked.map_or(Some(None), |asked| asked.map(Some))?;
    let (secondary_cidr, public) = public_blocks(d, cidr, &private, asked)?;
    let subnets = zones
        .into_iter()
        .zip(private.into_iter().zip(public))
        .map(|(availability_zone, (cidr, public_cidr))| Subnet {
            availability_zone,
            cidr,
            public_cidr,
        })
        .collect();
    way_out.then_some(())?;
    let (nat, endpoints) = (nat?, endpoints?);
    Some(Network { cidr, secondary_cidr, subnets, nat, nat_at, endpoints, zone_count })
}

/// The public subnets' blocks, carved evenly from `asked` or from what the
/// private subnets leave of `cidr`, and the second block of the VPC they
/// need when they are outside `cidr`.
fn public_blocks(
    d: &mut Decoder,
    cidr: Ipv4Net,
    private: &[Ipv4Net],
    asked: Option<(Ipv4Net, Span)>,
) -> Option<(Option<Ipv4Net>, Vec<Ipv4Net>)> {
    let count = private.len();
    let Some((block, span)) = asked else {
        let free = cidr.left_by_carve(count, SMALLEST_SUBNET);
        let inside = free.and_then(|free| free.carve(count, SMALLEST_SUBNET));
        return Some(match inside {
            Some(public) => (None, public),
            None => (Some(SHARED_PUBLIC_BLOCK), SHARED_PUBLIC_BLOCK.carve(count, SMALLEST_SUBNET)?),
        });
    };
    let problem = |message: String, label: &str| {
        Problem::new("topology::public-cidr", message, span, label.to_string())
    };
    if let Some(taken) = private.iter().find(|p| p.overlaps(&block)) {
        let free = cidr.left_by_carve(count, SMALLEST_SUBNET);
        let help = match free {
            Some(free) => format!("{free} is free in {cidr}; or name a block outside it"),
            None => format!(
                "the private subnets fill {cidr}: name a block outside it, e.g. {SHARED_PUBLIC_BLOCK}"
            ),
        };
        d.report(
            problem(format!("{block} overlaps the private subnet {taken}"), "taken").help(help),
        );
        return None;
    }
    let outside = !cidr.contains(&block);
    if outside && block.overlaps(&cidr) {
        d.report(
            problem(format!("{block} is partly inside the VPC's block {cidr}"), "straddles")
                .help("name a block inside it or wholly outside it"),
        );
        return None;
    }
    let same_range = PRIVATE_RANGES.iter().any(|r| r.contains(&cidr) && r.contains(&block));
    if outside && !(same_range || SHARED_RANGE.contains(&block)) {
        d.report(
            problem(
                format!("AWS does not add {block} to a VPC whose block is {cidr}"),
                "not allowed as a second block",
            )
            .help(format!(
                "a second block comes from the private range of the first, or from {SHARED_RANGE}"
            )),
        );
        return None;
    }
    if outside && !(16..=SMALLEST_SUBNET).contains(&block.prefix) {
        d.report(
            problem(
                format!("a VPC's second block must be /16 to /28, {block} is /{}", block.prefix),
                "wrong size",
            )
            .help("use a block from /16 to /28"),
        );
        return None;
    }
    let Some(public) = block.carve(count, SMALLEST_SUBNET) else {
        d.report(
            problem(
                format!("{block} is too small for {count} subnets of at least /{SMALLEST_SUBNET}"),
                "too small",
            )
            .help("use a larger block"),
        );
        return None;
    };
    Some((outside.then_some(block), public))
}

/// `internet_gateway`: true, as it is without it. Whether it holds.
fn internet_gateway(d: &mut Decoder, node: &Node) -> bool {
    match d.boolean(node, "`internet_gateway`") {
        Some(true) => true,
        Some(false) => {
            d.report(
                Problem::new(
                    "topology::no-way-out",
                    "without an internet gateway the region's nodes have no way out",
                    node.span,
                    "no way out",
                )
                .help("remove `internet_gateway: false`: the public subnets' load balancers and the NAT gateways go out through it"),
            );
            false
        }
        None => false,
    }
}

/// `endpoints`: VPC endpoints, each once; `[]` for none. Without a NAT
/// gateway they must hold what nodes need to join their cluster.
fn endpoints(d: &mut Decoder, node: &Node, nat: Option<Nat>) -> Option<Vec<String>> {
    let listed = d.strings(node, "`endpoints`")?;
    let known: Vec<&str> = GATEWAY_ENDPOINTS.iter().chain(&INTERFACE_ENDPOINTS).copied().collect();
    let mut valid = true;
    for name in &listed {
        if !known.contains(&name.as_str()) {
            d.unknown_name(name, "VPC endpoint", &known);
            valid = false;
        }
    }
    let mut names: Vec<String> = listed.into_iter().map(|n| n.value).collect();
    names.sort();
    let missing: Vec<&str> =
        NODE_ENDPOINTS.into_iter().filter(|e| !names.iter().any(|n| n == e)).collect();
    if nat == Some(Nat::None) && !missing.is_empty() {
        d.report(
            Problem::new(
                "topology::no-way-out",
                format!(
                    "with `nat: none` the nodes reach AWS only through endpoints, and these lack {}",
                    missing.join(", ")
                ),
                node.span,
                "nodes could not join",
            )
            .help(format!(
                "add {} (nodes need {}), or remove `endpoints` to take wway's list for `nat: none`",
                missing.join(", "),
                NODE_ENDPOINTS.join(", ")
            )),
        );
        valid = false;
    }
    valid.then_some(names)
}

fn cidr(d: &mut Decoder, node: &Node) -> Option<(Ipv4Net, Span)> {
    let text = d.string(node, "`cidr`")?;
    let net = ipv4_block(d, &text)?;
    if (16..=24).contains(&net.prefix) {
        return Some((net, text.span));
    }
    d.report(
        Problem::new("topology::cidr", format!("a VPC block must be /16 to /24, {net} is /{}", net.prefix), text.span, "wrong size")
            .help("AWS allows VPC blocks from /16 (65,536 addresses) to /28; wway wants room for subnets: /16 to /24"),
    );
    None
}

/// An IPv4 block, `a.b.c.d/n` with no address bits past the prefix.
pub(super) fn ipv4_block(d: &mut Decoder, text: &Spanned<String>) -> Option<Ipv4Net> {
    let problem = |message: String, label: &str| {
        Problem::new("topology::cidr", message, text.span, label.to_string())
    };
    match text.parse::<Ipv4Net>() {
        Ok(net) => return Some(net),
        Err(CidrError::HostBits(net)) => d.report(
            problem(
                format!("`{}` has address bits set past its prefix", text.value),
                "not a block start",
            )
            .help(format!("did you mean {net}?")),
        ),
        Err(CidrError::Syntax) => d.report(
            problem(format!("`{}` is not an IPv4 block", text.value), "not a CIDR block")
                .help("write an address and a prefix length, e.g. 10.10.0.0/16"),
        ),
    }
    None
}

fn zones(
    d: &mut Decoder,
    node: &Node,
    region: &Spanned<String>,
) -> Option<(Vec<String>, Span, Option<usize>)> {
    let what = "`availability_zones`";
    // The zones of a region that does not exist are not judged: its name is
    // the one problem (and likely a typo that the zones do not share).
    let known = REGIONS.binary_search(&region.as_str()).is_ok();
    if let Value::Seq(_) = node.value {
        let names = d.strings(node, what)?;
        let mut valid = true;
        for zone in &names {
            let suffix = zone.strip_prefix(region.as_str());
            let in_region =
                suffix.is_some_and(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_lowercase()));
            if known && !in_region {
                valid = false;
                d.report(
                    Problem::new(
                        "topology::availability-zone",
                        format!("`{}` is not an availability zone of {}", zone.value, region.value),
                        zone.span,
                        "not in this region",
                    )
                    .help(format!(
                        "zone names are the region and a letter, e.g. {}a",
                        region.value
                    )),
                );
            }
        }
        if !(2..=6).contains(&names.len()) {
            valid = false;
            d.report(
                Problem::new(
                    "topology::range",
                    format!("{what} lists {} zones", names.len()),
                    node.span.start_only(),
                    "2 to 6 zones",
                )
                .help("EKS needs subnets in at least two zones; list 2 to 6"),
            );
        }
        return valid.then(|| (names.into_iter().map(|z| z.value).collect(), node.span, None));
    }
    let count = d.integer(node, what, 2..=6)?;
    let zones =
        (b'a'..).take(count as usize).map(|c| format!("{}{}", region.value, c as char)).collect();
    Some((zones, node.span, Some(count as usize)))
}
