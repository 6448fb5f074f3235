//! The resilience report at plan time (issue 14): the plan reads each
//! instance type's vCPUs, so the load a region must hold when another fails
//! is counted in vCPUs, not nodes (a c5.4xlarge holds twice an m5.2xlarge).

use crate::emulator::Emulator;

#[test]
fn a_plan_warns_in_vcpus_where_a_region_cannot_hold_the_spike_with_a_lost_regions_users() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
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

/// A plan that moves Vietnam from ap-southeast-1 to eu-west-1 says who gets
/// what: VN's answer before and after, and, where a region's loss makes it
/// differ, the same with that region lost (text and JSON).
#[test]
fn a_plan_shows_who_gets_what_before_and_after_and_under_each_failure() {
    use crate::apply_emulator::{wonderway_applied, wonderway_edited, wway};
    let account = wonderway_applied();
    let moved = wonderway_edited(&account, "moved.yaml", |t| {
        t.replace("VN: ap-southeast-1", "VN: eu-west-1")
    });
    let run = wway(&account.emulator, account.state.path(), &["plan", &moved, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let routing = plan["routing"].as_array().unwrap();
    assert_eq!(routing.len(), 1, "only geo.api changes: {routing:#?}");
    let geo = &routing[0];
    assert_eq!(
        (geo["name"].as_str(), geo["policy"].as_str()),
        (Some("geo.api.wonderway.com"), Some("geolocation"))
    );
    let shift = |s: &serde_json::Value| {
        let lost = s["lost"].as_str().unwrap_or("-").to_string();
        let text = |k: &str| s[k].as_str().unwrap().to_string();
        (lost, text("users"), text("before"), text("after"))
    };
    let shifts: Vec<_> = geo["shifts"].as_array().unwrap().iter().map(shift).collect();
    assert_eq!(shifts, [("-".into(), "VN".into(), "ap-southeast-1".into(), "eu-west-1".into())]);
    let failures: Vec<_> = geo["under_failure"].as_array().unwrap().iter().map(shift).collect();
    assert_eq!(
        failures,
        [
            // ap-southeast-1 lost: VN went to the default before, stays in eu-west-1 after.
            ("ap-southeast-1".into(), "VN".into(), "us-east-1".into(), "eu-west-1".into()),
            // eu-west-1 lost: VN stayed in ap-southeast-1 before, falls to the default after.
            ("eu-west-1".into(), "VN".into(), "ap-southeast-1".into(), "us-east-1".into()),
        ]
    );
    let text = wway(&account.emulator, account.state.path(), &["plan", &moved]);
    assert!(text.stdout.contains("Routing (who gets what, before -> after):\n  geo.api.wonderway.com (geolocation)\n    VN: ap-southeast-1 -> eu-west-1\n    with ap-southeast-1 lost, VN: us-east-1 -> eu-west-1\n"), "{}", text.stdout);
}
