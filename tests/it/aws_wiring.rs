//! The cloud layer against the emulator's real AWS wire protocol: the region
//! facts a plan checks first, for every region of the WonderWay topology.

use std::collections::BTreeSet;

use wway::cloud::{self, ec2::Ec2};

use crate::emulator::{Emulator, topology};

#[tokio::test]
async fn every_topology_region_has_the_zones_it_asks_for() {
    let emulator = Emulator::start();
    let topology = topology("topologies/wonderway.yaml");
    for region in &topology.regions {
        let config = cloud::config(&emulator.settings(), &region.name).await;
        let zones = Ec2::new(aws_sdk_ec2::Client::new(&config))
            .offered_zones()
            .await
            .expect("describe availability zones");
        let zones: Vec<String> = zones.into_iter().map(|z| z.name).collect();
        assert!(zones.iter().all(|z| z.starts_with(region.name.as_str())), "{zones:?}");
        for subnet in &region.network.subnets {
            assert!(
                zones.contains(&subnet.availability_zone),
                "{} not in {zones:?}",
                subnet.availability_zone
            );
        }
    }
}

#[tokio::test]
async fn the_topology_instance_types_are_offered_in_its_regions() {
    let emulator = Emulator::start();
    let topology = topology("topologies/wonderway.yaml");
    for region in &topology.regions {
        let wanted: BTreeSet<String> = region
            .cluster
            .node_groups
            .iter()
            .flat_map(|g| g.instance_types.iter().cloned())
            .collect();
        let config = cloud::config(&emulator.settings(), &region.name).await;
        let asked: Vec<String> =
            wanted.iter().cloned().chain(["m99.nonexistent".to_string()]).collect();
        let offered = Ec2::new(aws_sdk_ec2::Client::new(&config))
            .offered_instance_types(&asked)
            .await
            .expect("describe offerings");
        assert_eq!(offered, wanted, "in {}", region.name.value);
    }
}

#[tokio::test]
async fn roles_named_by_the_topology_are_seeded() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    // Seeding twice is harmless: the harness is used by many tests.
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
}

#[tokio::test]
async fn an_unreachable_endpoint_is_one_clear_error() {
    // A port that nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let settings = cloud::Settings {
        endpoint_url: Some(format!("http://127.0.0.1:{port}")),
        ..Default::default()
    };
    let config = cloud::config(&settings, "us-east-1").await;
    let error = Ec2::new(aws_sdk_ec2::Client::new(&config))
        .offered_zones()
        .await
        .expect_err("nothing listens there");
    assert!(matches!(error, cloud::CloudError::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().starts_with("ec2: cannot reach the endpoint"), "{error}");
}

/// The SDK finds the emulator through `AWS_ENDPOINT_URL` alone, as a user's
/// shell or CI would point it there. The variable is per process, and every
/// test has its own emulator, so the check runs in a child process: this test
/// binary again, running only the ignored test below with the variable set.
#[test]
fn clients_follow_aws_endpoint_url() {
    let emulator = Emulator::start();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "aws_wiring::child_reads_zones_through_the_environment",
            "--nocapture",
        ])
        .env("AWS_ENDPOINT_URL", &emulator.url)
        .output()
        .expect("run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("1 passed"), "the child test did not run: {stdout}");
}

#[tokio::test]
#[ignore = "run by clients_follow_aws_endpoint_url with AWS_ENDPOINT_URL set"]
async fn child_reads_zones_through_the_environment() {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL").is_some(),
        "run through clients_follow_aws_endpoint_url"
    );
    crate::emulator::fake_credentials();
    let config = cloud::config(&cloud::Settings::default(), "eu-west-1").await;
    let zones = Ec2::new(aws_sdk_ec2::Client::new(&config))
        .offered_zones()
        .await
        .expect("zones through AWS_ENDPOINT_URL");
    let zones: Vec<String> = zones.into_iter().map(|z| z.name).collect();
    assert_eq!(zones[0], "eu-west-1a");
}
