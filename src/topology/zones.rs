//! Where `availability_zones: N` puts a region's subnets. The file names no
//! zone; a command that reads the region (plan, apply, drift, export with
//! imports) gives [`place`] the zones the region offers and the zones this
//! topology's subnets already use there, and the subnets get N of them.
//!
//! Zone letters name different places in different accounts, and regions
//! skip letters (ap-northeast-1 has a, c and d); zone IDs (`use1-az1`) are the
//! same place in every account. So the choice goes by zone ID, leaves out the
//! zones EKS does not serve (CreateCluster refuses their subnets), and keeps
//! first the zones already in use: the same zones on every run, and a
//! deployment made when wway took the letters a, b, c stays where it is.

use std::collections::BTreeSet;

use super::model::Network;

/// A zone a region offers: its name in this account and its ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offered {
    pub name: String,
    pub id: String,
}

/// Zone IDs where EKS places no control plane (the EKS user guide's subnet
/// requirements): CreateCluster answers UnsupportedAvailabilityZoneException.
pub const EKS_UNSERVED: [&str; 3] = ["use1-az3", "usw1-az2", "cac1-az3"];

/// Puts the subnets of a counted `network` in `region` on zones of `offered`:
/// those of `in_use` (zone names) first, then the lowest zone IDs, each
/// subnet's block going to the zones in name order. A network that lists its
/// zones is left as it is. Fails when the region has too few zones.
pub fn place(
    network: &mut Network,
    region: &str,
    offered: &[Offered],
    in_use: &BTreeSet<String>,
) -> Result<(), String> {
    let Some(count) = network.zone_count else {
        return Ok(());
    };
    let mut served: Vec<&Offered> =
        offered.iter().filter(|z| !EKS_UNSERVED.contains(&z.id.as_str())).collect();
    served.sort_by_key(|z| id_order(&z.id));
    let (used, unused): (Vec<&Offered>, Vec<&Offered>) =
        served.iter().partition(|z| in_use.contains(&z.name));
    let mut chosen: Vec<&str> =
        used.iter().chain(&unused).take(count).map(|z| z.name.as_str()).collect();
    if chosen.len() < count {
        let names: Vec<&str> = served.iter().map(|z| z.name.as_str()).collect();
        return Err(format!(
            "{region} offers {} zones that EKS serves ({}), and `availability_zones: {count}` asks for {count}",
            served.len(),
            names.join(", ")
        ));
    }
    chosen.sort();
    for (subnet, zone) in network.subnets.iter_mut().zip(chosen) {
        subnet.availability_zone = zone.to_string();
    }
    Ok(())
}

/// `use1-az10` after `use1-az9`: by the prefix, then the number.
fn id_order(id: &str) -> (&str, u32) {
    match id.rsplit_once("-az") {
        Some((prefix, number)) => (prefix, number.parse().unwrap_or(u32::MAX)),
        None => (id, u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::model::{Nat, Subnet};
    use crate::topology::net::Ipv4Net;

    fn network(zones: &[&str], count: Option<usize>) -> Network {
        let cidr: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let blocks = cidr.carve(zones.len(), 24).unwrap();
        let subnets = zones
            .iter()
            .zip(blocks)
            .map(|(z, cidr)| Subnet { availability_zone: z.to_string(), cidr, public_cidr: cidr })
            .collect();
        Network {
            cidr,
            secondary_cidr: None,
            subnets,
            nat: Nat::PerZone,
            nat_at: Default::default(),
            endpoints: Vec::new(),
            zone_count: count,
        }
    }

    /// us-east-1 as the emulator's account has it: letters and IDs crossed.
    fn us_east_1() -> Vec<Offered> {
        [("a", 6), ("b", 1), ("c", 2), ("d", 4), ("e", 3), ("f", 5)]
            .map(|(letter, n)| Offered {
                name: format!("us-east-1{letter}"),
                id: format!("use1-az{n}"),
            })
            .to_vec()
    }

    fn zones(network: &Network) -> Vec<&str> {
        network.subnets.iter().map(|s| s.availability_zone.as_str()).collect()
    }

    #[test]
    fn a_count_takes_the_lowest_zone_ids_that_eks_serves() {
        let mut net = network(&["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"], Some(4));
        let blocks: Vec<_> = net.subnets.iter().map(|s| s.cidr).collect();
        place(&mut net, "us-east-1", &us_east_1(), &BTreeSet::new()).unwrap();
        // az1, az2, az4, az5 (az3 is unserved): b, c, d, f; blocks in name order.
        assert_eq!(zones(&net), ["us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]);
        assert_eq!(net.subnets.iter().map(|s| s.cidr).collect::<Vec<_>>(), blocks);
    }

    #[test]
    fn zones_in_use_are_kept_first() {
        let mut net = network(&["us-east-1a", "us-east-1b", "us-east-1c"], Some(3));
        let in_use: BTreeSet<String> = ["us-east-1a".into(), "us-east-1c".into()].into();
        place(&mut net, "us-east-1", &us_east_1(), &in_use).unwrap();
        assert_eq!(zones(&net), ["us-east-1a", "us-east-1b", "us-east-1c"]);
    }

    #[test]
    fn listed_zones_stay_and_too_few_zones_is_an_error() {
        let mut listed = network(&["us-east-1e", "us-east-1a"], None);
        place(&mut listed, "us-east-1", &us_east_1(), &BTreeSet::new()).unwrap();
        assert_eq!(zones(&listed), ["us-east-1e", "us-east-1a"]);
        let mut six = network(&["a", "b", "c", "d", "e", "f"], Some(6));
        let error = place(&mut six, "us-east-1", &us_east_1(), &BTreeSet::new()).unwrap_err();
        assert!(
            error.starts_with("us-east-1 offers 5 zones that EKS serves (us-east-1b,"),
            "{error}"
        );
    }

    #[test]
    fn ids_order_by_number() {
        let mut ids = ["use1-az10", "use1-az9", "use1-az1"];
        ids.sort_by_key(|id| id_order(id));
        assert_eq!(ids, ["use1-az1", "use1-az9", "use1-az10"]);
    }
}
