//! Account limits (Service Quotas) that a region's resources count
//! against, with the defaults AWS documents for an account that has not
//! asked for more: the plan warns where the topology alone could pass one
//! (its node groups at their max, its elastic IPs and NAT gateways).

/// One quota: where Service Quotas keeps it, what it is called, and its
/// documented default.
#[derive(Debug, PartialEq, Eq)]
pub struct QuotaDef {
    pub service: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub default: u64,
}

/// What a resource takes of a quota; `zone` for a quota per zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaUse {
    pub quota: &'static QuotaDef,
    pub amount: u64,
    pub zone: Option<String>,
    /// What takes it, for the warning: "general: 50 x m5.2xlarge (8 vCPUs)".
    pub what: String,
}

const fn ec2(code: &'static str, name: &'static str, default: u64) -> QuotaDef {
    QuotaDef { service: "ec2", code, name, unit: "vCPUs", default }
}

/// EC2's vCPU quotas by instance class, on demand and spot (the EC2 user
/// guide, "On-Demand Instance quotas" and "Spot Instance quotas"): an
/// account starts with 5 vCPUs of standard instances and none of the
/// others.
const ON_DEMAND: [QuotaDef; 9] = [
    ec2("L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 5),
    ec2("L-DB2E81BA", "Running On-Demand G and VT instances", 0),
    ec2("L-417A185B", "Running On-Demand P instances", 0),
    ec2("L-74FC7D96", "Running On-Demand F instances", 0),
    ec2("L-1945791B", "Running On-Demand Inf instances", 0),
    ec2("L-7295265B", "Running On-Demand X instances", 0),
    ec2("L-6E869C2A", "Running On-Demand DL instances", 0),
    ec2("L-2C3B7624", "Running On-Demand Trn instances", 0),
    ec2("L-43DA4232", "Running On-Demand High Memory instances", 0),
];
const SPOT: [QuotaDef; 8] = [
    ec2("L-34B43A08", "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests", 5),
    ec2("L-3819A6DF", "All G and VT Spot Instance Requests", 0),
    ec2("L-7212CCBC", "All P Spot Instance Requests", 0),
    ec2("L-88CF9481", "All F Spot Instance Requests", 0),
    ec2("L-B5D1601B", "All Inf Spot Instance Requests", 0),
    ec2("L-E3A00192", "All X Spot Instance Requests", 0),
    ec2("L-85EED4F7", "All DL Spot Instance Requests", 0),
    ec2("L-6B0D517C", "All Trn Spot Instance Requests", 0),
];

pub const ELASTIC_IPS: QuotaDef = QuotaDef {
    service: "ec2",
    code: "L-0263D0A3",
    name: "EC2-VPC Elastic IPs",
    unit: "addresses",
    default: 5,
};

pub const NAT_GATEWAYS_PER_ZONE: QuotaDef = QuotaDef {
    service: "vpc",
    code: "L-FE5A380F",
    name: "NAT gateways per Availability Zone",
    unit: "gateways",
    default: 5,
};

/// The vCPU quota an instance type counts against, on demand or spot:
/// its class is its family's letters (`m5.2xlarge`: M, standard; `inf2`,
/// `dl1`, `trn1`, `u-6tb1`: their own).
pub fn vcpus(instance_type: &str, spot: bool) -> Option<&'static QuotaDef> {
    let family = instance_type.split('.').next().unwrap_or_default();
    let class = match family {
        // Mac instances run on dedicated hosts, with quotas of their own.
        f if f.starts_with("mac") => return None,
        f if f.starts_with("u-") => 8,
        f if f.starts_with("inf") => 4,
        f if f.starts_with("dl") => 6,
        f if f.starts_with("trn") => 7,
        f if f.starts_with("vt") || f.starts_with('g') => 1,
        f if f.starts_with('p') => 2,
        f if f.starts_with('f') => 3,
        f if f.starts_with('x') => 5,
        f if f.starts_with(['a', 'c', 'd', 'h', 'i', 'm', 'r', 't', 'z']) => 0,
        _ => return None,
    };
    match spot {
        false => ON_DEMAND.get(class),
        true => SPOT.get(class),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instance_type_counts_against_its_classs_quota() {
        let code = |t: &str, spot: bool| vcpus(t, spot).map(|q| q.code);
        assert_eq!(code("m5.2xlarge", false), Some("L-1216C47A"));
        assert_eq!(code("c6i.4xlarge", true), Some("L-34B43A08"));
        assert_eq!(code("g5.xlarge", false), Some("L-DB2E81BA"));
        assert_eq!(code("inf2.xlarge", false), Some("L-1945791B"));
        assert_eq!(code("im4gn.large", false), Some("L-1216C47A"));
        assert_eq!(code("u-6tb1.metal", true), None, "no spot quota of high memory");
        assert_eq!(code("mac2.metal", false), None);
    }
}
