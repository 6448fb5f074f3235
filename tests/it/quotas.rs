//! The plan warns where the topology alone could pass an account quota
//! (issue 13): its node groups at their max against the vCPU quota of
//! their instance class, its elastic IPs and its NAT gateways per zone,
//! with the numbers, from Service Quotas.

use crate::apply_emulator::wway;
use crate::emulator::Emulator;

/// The warnings of a plan of `file` (which succeeds: they are warnings).
pub(crate) fn plan_warnings(
    emulator: &Emulator,
    state: &std::path::Path,
    file: &str,
) -> Vec<String> {
    let run = wway(emulator, state, &["plan", file, "--format", "json"]);
    assert_eq!(run.code, 0, "a warning, not an error: {}\n{}", run.stdout, run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let warnings = plan["warnings"].as_array().unwrap().iter();
    warnings.map(|w| w["message"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_plan_warns_of_the_quotas_the_topology_could_pass_with_the_numbers() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    let run = wway(&emulator, state.path(), &["plan", file]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("quota"), "the account has room: {}", run.stdout);

    emulator.set("quota_L-1216C47A", 640.0);
    emulator.set("quota_L-0263D0A3", 2.0);
    let warnings = plan_warnings(&emulator, state.path(), file);
    let us: Vec<&String> =
        warnings.iter().filter(|w| w.starts_with("us-east-1:") && w.contains("quota")).collect();
    assert_eq!(us.len(), 2, "{warnings:#?}");
    assert!(
        us.iter().any(|w| w.contains("720 vCPUs of \"Running On-Demand Standard")
            && w.contains("general: 50 x m5.2xlarge (8 vCPUs)")
            && w.contains("compute-intensive: 20 x c5.4xlarge (16 vCPUs)")
            && w.contains("the account's quota of 640 (ec2 L-1216C47A)")),
        "{us:#?}"
    );
    assert!(
        us.iter().any(|w| w.contains("3 addresses of \"EC2-VPC Elastic IPs\"")
            && w.contains("quota of 2 (ec2 L-0263D0A3)")),
        "{us:#?}"
    );
    let run = wway(&emulator, state.path(), &["plan", file]);
    assert!(
        run.stdout.contains("  ! us-east-1: the topology can take 720 vCPUs"),
        "{}",
        run.stdout
    );
}
