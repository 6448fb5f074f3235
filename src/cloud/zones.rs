//! Reading what [`crate::topology::zones::place`] chooses from: the zones
//! each region offers (read once per run, and kept for the plan's read of
//! the region's facts) and the zones the topology's subnets use there (the
//! subnets kept for the read of the account that follows).

use std::collections::{BTreeMap, BTreeSet};

use super::{Aws, CloudError, ec2::Ec2, read};
use crate::topology::Topology;
use crate::topology::zones::{self, Offered as Zone};

/// The zones of each region read so far.
#[derive(Default)]
pub struct OfferedZones(tokio::sync::Mutex<BTreeMap<String, Vec<Zone>>>);

impl OfferedZones {
    /// The zones `region` offers, read through `ec2` the first time.
    pub async fn of(&self, region: &str, ec2: &Ec2) -> Result<Vec<Zone>, CloudError> {
        if let Some(zones) = self.0.lock().await.get(region) {
            return Ok(zones.clone());
        }
        let zones = read::patiently(|| ec2.offered_zones()).await?;
        self.0.lock().await.insert(region.to_string(), zones.clone());
        Ok(zones)
    }
}

impl Aws {
    /// Places the subnets of every region whose zones the file gives as a
    /// count on zones the region offers ([`zones::place`]), the regions read
    /// at once.
    pub async fn place_zones(&self, topology: &mut Topology) -> Result<(), String> {
        let counted: Vec<String> = topology
            .regions
            .iter()
            .filter(|r| r.network.zone_count.is_some())
            .map(|r| r.name.value.clone())
            .collect();
        let reads = counted.iter().map(|region| self.zones(region, &topology.name));
        let found = futures_util::future::try_join_all(reads)
            .await
            .map_err(|e| format!("cannot read the availability zones: {e}"))?;
        let regions = topology.regions.iter_mut().filter(|r| r.network.zone_count.is_some());
        for (region, (offered, in_use)) in regions.zip(found) {
            zones::place(&mut region.network, &region.name.value, &offered, &in_use)?;
        }
        Ok(())
    }

    /// The zones `region` offers, and those the subnets of `topology` use.
    async fn zones(
        &self,
        region: &str,
        topology: &str,
    ) -> Result<(Vec<Zone>, BTreeSet<String>), CloudError> {
        let clients = self.clients(region).await;
        let ec2 = Ec2::new(clients.ec2.clone());
        let (offered, subnets) = tokio::try_join!(
            self.offered_zones.of(region, &ec2),
            read::patiently(|| ec2.owned_subnets(topology))
        )?;
        let in_use = subnets.iter().filter_map(|s| s.availability_zone().map(str::to_string));
        let in_use = in_use.collect();
        *clients.placed_subnets.lock().await = Some(subnets);
        Ok((offered, in_use))
    }
}
