//! The resilience report at plan time (issue 14): the plan reads each
//! instance type's vCPUs, so the load a region must hold when another fails
//! is counted in vCPUs, not nodes (a c5.4xlarge holds twice an m5.2xlarge).

use crate::emulator::{Emulator, topology};

#[test]
fn a_plan_warns_in_vcpus_where_a_region_cannot_hold_the_spike_with_a_lost_regions_users() {
    let emulator = Emulator::start();
    let file = "topologies/wonderway.yaml";
    emulator.seed_roles(&topology(file));
    let state = tempfile::tempdir().unwrap();
    let warnings: Vec<String> = crate::quotas::plan_warnings(&emulator, state.path(), file)
        .into_iter()
        .filter(|m| m.contains(" lost and a "))
        .collect();
    // Each region: 10 m5.2xlarge (8 vCPUs) and 5 c5.4xlarge (16) desired,
    // 160 vCPUs; max 50 and 20, 720. With us-east-1 lost eu-west-1 takes
    // over all of its users (api fails over to it), 160 more: 10 x 320.
    let expected = "eu-west-1: with us-east-1 lost and a 10x spike it needs 3200 vCPUs \
                    (10 x (160 + 160 taken over)), its node groups' max give 720 (short: \
                    general 1600 of 400, compute-intensive 1600 of 320)";
    assert!(warnings.iter().any(|w| w == expected), "{warnings:#?}");
    assert_eq!(warnings.len(), 6, "every region short at 10x, for each loss: {warnings:#?}");
}
