//! The cloud layer: AWS SDK clients and the calls wway makes with them, one
//! module per service. SDK types stop here; callers get wway's own types.

pub mod ec2;
