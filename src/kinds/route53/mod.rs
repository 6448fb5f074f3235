//! Route 53 kinds: the hosted zone, the health checks and the record sets
//! (changed in one batch per zone, each name beside its ownership TXT record).

pub mod health_check;
pub mod record;
pub mod zone;
