//! IPv4 address blocks: parsing `10.10.0.0/16`, overlap, and carving a block
//! evenly into one subnet per availability zone, and what a carve leaves.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ipv4Net {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CidrError {
    /// Not of the form a.b.c.d/n.
    Syntax,
    /// The address has bits set past the prefix; the block that was probably meant.
    HostBits(Ipv4Net),
}

impl Ipv4Net {
    fn mask(prefix: u8) -> u32 {
        if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
    }

    pub fn first(&self) -> u32 {
        u32::from(self.addr)
    }

    pub fn last(&self) -> u32 {
        self.first() | !Self::mask(self.prefix)
    }

    pub fn overlaps(&self, other: &Ipv4Net) -> bool {
        self.first() <= other.last() && other.first() <= self.last()
    }

    pub fn contains(&self, other: &Ipv4Net) -> bool {
        self.first() <= other.first() && other.last() <= self.last()
    }

    /// What [`Ipv4Net::carve`] of `count` leaves free at the block's end, as
    /// one block the size of a subnet: `None` when the subnets fill it.
    pub fn left_by_carve(&self, count: usize, smallest: u8) -> Option<Ipv4Net> {
        let last = *self.carve(count, smallest)?.last()?;
        let next = last.last().checked_add(1)?;
        let free = Ipv4Net { addr: Ipv4Addr::from(next), prefix: last.prefix };
        (next <= self.last()).then_some(free)
    }

    /// `count` equal subnets, each as large as a power of two allows.
    /// `None` when they would be smaller than `min_prefix` allows (AWS: /28).
    pub fn carve(&self, count: usize, smallest: u8) -> Option<Vec<Ipv4Net>> {
        let bits = usize::BITS - count.saturating_sub(1).leading_zeros();
        let prefix = self.prefix + u8::try_from(bits).ok()?;
        if prefix > smallest {
            return None;
        }
        let size = 1u32 << (32 - u32::from(prefix));
        Some(
            (0..count as u32)
                .map(|i| Ipv4Net { addr: Ipv4Addr::from(self.first() + i * size), prefix })
                .collect(),
        )
    }
}

impl FromStr for Ipv4Net {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, CidrError> {
        let (addr, prefix) = text.split_once('/').ok_or(CidrError::Syntax)?;
        let addr: Ipv4Addr = addr.parse().map_err(|_| CidrError::Syntax)?;
        let prefix: u8 = prefix.parse().map_err(|_| CidrError::Syntax)?;
        if prefix > 32 || !prefix.to_string().eq(text.split_once('/').map_or("", |p| p.1)) {
            return Err(CidrError::Syntax);
        }
        let masked = Ipv4Addr::from(u32::from(addr) & Self::mask(prefix));
        if masked != addr {
            return Err(CidrError::HostBits(Ipv4Net { addr: masked, prefix }));
        }
        Ok(Ipv4Net { addr, prefix })
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_rejects_host_bits() {
        assert_eq!(net("10.10.0.0/16").to_string(), "10.10.0.0/16");
        assert_eq!(
            "10.10.1.0/16".parse::<Ipv4Net>(),
            Err(CidrError::HostBits(net("10.10.0.0/16")))
        );
        for bad in ["10.10.0.0", "10.10.0.0/33", "10.10.0/16", "10.10.0.0/016", "a/16"] {
            assert_eq!(bad.parse::<Ipv4Net>(), Err(CidrError::Syntax), "{bad}");
        }
    }

    #[test]
    fn overlap_is_symmetric_and_exact() {
        assert!(net("10.0.0.0/8").overlaps(&net("10.20.0.0/16")));
        assert!(net("10.20.0.0/16").overlaps(&net("10.0.0.0/8")));
        assert!(!net("10.10.0.0/16").overlaps(&net("10.11.0.0/16")));
    }

    #[test]
    fn carves_evenly_by_powers_of_two() {
        let three = net("10.10.0.0/16").carve(3, 28).unwrap();
        assert_eq!(three, vec![net("10.10.0.0/18"), net("10.10.64.0/18"), net("10.10.128.0/18")]);
        let two = net("10.10.0.0/24").carve(2, 28).unwrap();
        assert_eq!(two, vec![net("10.10.0.0/25"), net("10.10.0.128/25")]);
        assert_eq!(net("10.10.0.0/24").carve(6, 28).unwrap()[5], net("10.10.0.160/27"));
        assert!(net("10.10.0.0/27").carve(4, 28).is_none());
    }

    #[test]
    fn a_carve_leaves_its_unused_slot() {
        let three = net("10.10.0.0/16");
        assert_eq!(three.left_by_carve(3, 28), Some(net("10.10.192.0/18")));
        assert_eq!(net("10.10.0.0/16").left_by_carve(5, 28), Some(net("10.10.160.0/19")));
        assert_eq!(net("10.10.0.0/16").left_by_carve(2, 28), None);
        assert_eq!(net("10.10.0.0/16").left_by_carve(4, 28), None);
        assert!(net("10.0.0.0/8").contains(&net("10.10.192.0/20")));
        assert!(!net("10.10.0.0/16").contains(&net("10.0.0.0/8")));
    }
}
