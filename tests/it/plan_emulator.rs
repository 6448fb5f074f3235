//! `wway plan` as a process against the emulator: what it plans, what it
//! costs in API calls (counted by the emulator's own recorder), what it
//! refuses, and how it fails.

use std::collections::BTreeMap;

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use serde_json::Value;

use crate::emulator::Emulator;

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

fn plan_json(emulator: &Emulator, file: &str) -> Value {
    let assert = emulator
        .wway()
        .args(["plan", file, "--format", "json", "--detailed-exitcode"])
        .assert()
        .code(2);
    serde_json::from_str(&stdout(&assert)).expect("JSON plan on stdout")
}

#[test]
fn an_empty_account_plans_every_resource_for_creation_in_a_few_calls() {
    let emulator = Emulator::start();
    emulator.start_recording();
    let assert = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "--format", "json", "-v"])
        .assert()
        .success();
    let calls = emulator.recorded_calls();

    let plan: Value = serde_json::from_str(&stdout(&assert)).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(plan["format_version"], 1);
    assert_eq!(changes.len(), 114);
    assert!(changes.iter().all(|c| c["action"] == "create" && c["before"].is_null()));
    assert_eq!(plan["summary"]["create"], 114);

    // Per region: EC2 zones, offerings, VPCs, subnets (read once, to place a
    // count of zones on those its subnets use, and kept for the read),
    // internet gateways, elastic IPs, NAT gateways, route tables, security
    // groups and endpoints; EKS
    // ListClusters, DescribeClusterVersions (the versions it offers) and
    // DescribeAddonVersions (the add-ons it offers for the version); KMS
    // ListAliases and the tagging API's keys (the secrets key); EC2's
    // vCPUs of the instance types and the three quotas the region's
    // resources count against (Service Quotas: standard vCPUs, elastic IPs,
    // NAT gateways per zone). Global:
    // two tagging look-ups (functions, distributions), one Lambda name check,
    // ListDistributions for alias clashes, ListHealthChecks and the zone look-up,
    // and the SSM parameter that says which backend holds the topology.
    // Before all of them, STS GetCallerIdentity: does AWS answer, does it
    // take the credentials (not part of the read that `-v` counts).
    let expected: BTreeMap<String, u64> = [
        ("cloudfront", 1),
        ("ec2", 33),
        ("eks", 9),
        ("kms", 3),
        ("lambda", 1),
        ("route53", 2),
        ("servicequotas", 9),
        ("ssm", 1),
        ("sts", 1),
        ("tagging", 5),
    ]
    .map(|(s, n)| (s.to_string(), n))
    .into();
    assert_eq!(calls, expected);
    let total: u64 = expected.values().sum::<u64>() - expected["sts"];
    assert!(stderr(&assert).contains(&format!(" s, {total} API calls (")), "{}", stderr(&assert));
}

async fn zone_with_unowned_records(
    emulator: &Emulator,
    zone_id: Option<String>,
    count: usize,
    from: usize,
) -> String {
    let route53 = aws_sdk_route53::Client::new(&emulator.sdk("us-east-1").await);
    let zone_id = match zone_id {
        Some(id) => id,
        None => {
            let created = route53
                .create_hosted_zone()
                .name("wonderway.com")
                .caller_reference("out-of-band")
                .send()
                .await
                .expect("create zone");
            created.hosted_zone().unwrap().id().to_string()
        }
    };
    let changes: Vec<Change> = (from..from + count)
        .map(|i| {
            let record = ResourceRecordSet::builder()
                .name(format!("host-{i:04}.wonderway.com"))
                .r#type(RrType::A)
                .ttl(300)
                .resource_records(
                    ResourceRecord::builder()
                        .value(format!("192.0.2.{}", i % 250))
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap();
            Change::builder()
                .action(ChangeAction::Create)
                .resource_record_set(record)
                .build()
                .unwrap()
        })
        .collect();
    route53
        .change_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .change_batch(ChangeBatch::builder().set_changes(Some(changes)).build().unwrap())
        .send()
        .await
        .expect("create records");
    zone_id
}

#[tokio::test]
async fn unowned_records_in_the_zone_cost_only_their_pages_and_are_left_alone() {
    let emulator = Emulator::start();
    let zone = zone_with_unowned_records(&emulator, None, 20, 0).await;
    emulator.start_recording();
    let small = plan_json(&emulator, "topologies/wonderway.yaml");
    let route53_small = emulator.recorded_calls()["route53"];

    zone_with_unowned_records(&emulator, Some(zone), 880, 20).await;
    emulator.start_recording();
    let large = plan_json(&emulator, "topologies/wonderway.yaml");
    let route53_large = emulator.recorded_calls()["route53"];

    // 20 + NS + SOA fit one page of 300; 900 + NS + SOA take four.
    assert_eq!(
        route53_large - route53_small,
        3,
        "{route53_small} then {route53_large} Route 53 calls"
    );
    for plan in [&small, &large] {
        let changes = plan["changes"].as_array().unwrap();
        assert!(!changes.iter().any(|c| c["address"].as_str().unwrap().contains("host-")));
        assert!(
            !changes.iter().any(|c| c["kind"] == "zone"),
            "an existing zone is used, not created"
        );
        assert_eq!(changes.len(), 113);
    }
}

#[tokio::test]
async fn a_cluster_name_held_by_someone_else_stops_the_plan() {
    let emulator = Emulator::start();
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("eu-west-1").await);
    eks.create_cluster()
        .name("wonderway-eu-west-1")
        .role_arn("arn:aws:iam::123456789012:role/someone-else")
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder().subnet_ids("subnet-1").build(),
        )
        .send()
        .await
        .expect("create someone else's cluster");
    let assert =
        emulator.wway().args(["plan", "topologies/wonderway.yaml"]).assert().code(1).stdout("");
    let stderr = stderr(&assert);
    assert!(
        stderr.contains(
            "error: eu-west-1/eks-cluster: the eks-cluster name `wonderway-eu-west-1` is held by a resource wway does not own (wonderway-eu-west-1, no wway tags)"
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: no plan: 1 problem(s) above\n"), "{stderr}");
}

#[test]
fn a_bad_topology_is_diagnosed_without_a_cloud_call() {
    let emulator = Emulator::start();
    emulator.start_recording();
    let assert = emulator
        .wway()
        .args(["plan", "tests/topologies/bad/several-defects.yaml"])
        .assert()
        .code(1)
        .stdout("");
    assert!(
        stderr(&assert).contains("error: 6 problems in tests/topologies/bad/several-defects.yaml")
    );
    assert!(emulator.recorded_calls().is_empty(), "a bad topology made cloud calls");
}

#[test]
fn an_unreachable_endpoint_is_one_line_and_exit_1() {
    let emulator = Emulator::start();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let assert = emulator
        .wway()
        .args([
            "plan",
            "topologies/wonderway.yaml",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .assert()
        .code(1)
        .stdout("");
    let stderr = stderr(&assert);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("cannot reach the endpoint"),
        "{stderr}"
    );
    // Regression: eight retries of the first read took 32 s to say so.
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(stderr.contains(&format!("http://127.0.0.1:{port}")), "names the endpoint: {stderr}");
}

#[test]
fn missing_credentials_are_one_line_and_exit_1() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let assert = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env("HOME", dir.path())
        .assert()
        .code(1)
        .stdout("");
    let stderr = stderr(&assert);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(": no credentials or not allowed: "), "{stderr}");
    assert!(stderr.contains("Tried: the environment"), "names the sources: {stderr}");
    assert!(stderr.contains("aws sso login"), "says what to do: {stderr}");
    assert!(!stderr.contains("testing"), "no credential material in output: {stderr}");
}

#[test]
fn a_plan_can_be_saved_with_the_fingerprints_it_read() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("wonderway.plan.json");
    emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "--out"])
        .arg(&out)
        .assert()
        .success();
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(saved["topology"], "wonderway");
    assert_eq!(saved["changes"].as_array().unwrap().len(), 114);
    assert!(saved["fingerprints"].as_object().unwrap().is_empty(), "nothing owned was read");
}

/// Creates everything a plan of an empty account lists with wway's own
/// executor, as `wway apply` does; returns the desired state and how many
/// Route 53 batch steps it took.
async fn create_everything(
    emulator: &Emulator,
    file: &str,
) -> (wway::state::desired::DesiredState, usize) {
    use wway::cloud::{Aws, Cloud};
    use wway::exec::{self, Options, journal::Journal};
    use wway::plan::steps::{Op, steps};

    let topology = crate::emulator::topology(file);
    emulator.seed_roles(&topology);
    let desired = wway::state::desired::desired(&topology).unwrap();
    let aws = Aws::new(emulator.settings());
    let live = aws.snapshot(&desired).await.unwrap();
    let plan = wway::plan::plan(&desired, &live).unwrap();
    let work = steps(plan, &desired, &live);
    let batches = work.iter().filter(|s| matches!(s.op, Op::Records { .. })).count();
    let state = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(wway::store::Folder { root: state.path().into() });
    let mut journal = Journal::create(store, &desired.topology, "apply").await.unwrap();
    let interrupt = wway::exec::interrupt::Interrupt::never();
    let options = Options { parallelism: 10, rollback: false, interrupt };
    let report = exec::execute(
        &aws,
        &desired.topology,
        work,
        live.ids(),
        options,
        &crate::emulator::Quiet,
        &mut journal,
    )
    .await
    .unwrap();
    assert!(report.succeeded(), "{:?}", report.applied.failed);
    (desired, batches)
}

#[tokio::test]
async fn every_good_topology_made_as_wway_makes_it_plans_as_no_change() {
    for file in ["tests/topologies/good/shop.yaml", "tests/topologies/good/edge-cases.yaml"] {
        let emulator = Emulator::start();
        let (desired, _) = create_everything(&emulator, file).await;
        let json = emulator
            .wway()
            .args(["plan", file, "--format", "json", "--detailed-exitcode"])
            .assert();
        let plan: Value = serde_json::from_str(&stdout(&json)).unwrap();
        assert_eq!(json.get_output().status.code(), Some(0), "{file}: {:#}", plan["changes"]);
        assert_eq!(
            plan["fingerprints"].as_object().unwrap().len(),
            desired.resources.len(),
            "{file}"
        );
    }
}

#[tokio::test]
async fn resources_made_as_wway_makes_them_plan_as_no_change() {
    let emulator = Emulator::start();
    let (_, batches) = create_everything(&emulator, "topologies/wonderway.yaml").await;
    assert_eq!(batches, 1, "every record change of the zone is one step");
    let assert =
        emulator.wway().args(["plan", "topologies/wonderway.yaml", "--detailed-exitcode"]).assert();
    let out = stdout(&assert);
    assert_eq!(assert.get_output().status.code(), Some(0), "{out}{}", stderr(&assert));
    // After the warnings (WonderWay's regions cannot hold 10x with another's
    // users: the resilience section), nothing to do.
    let (warnings, rest) = out.split_at(out.find("No changes.").unwrap_or(0));
    assert_eq!(rest, "No changes. The account matches topology `wonderway`.\n");
    assert!(warnings.lines().all(|l| l.is_empty() || l.contains(" lost and a 10x spike")), "{out}");

    // Every created resource was read back as owned (not merely missed).
    let json = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "--format", "json"])
        .assert()
        .success();
    let plan: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(plan["fingerprints"].as_object().unwrap().len(), 114);
    assert!(plan["changes"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_out_of_band_edit_is_planned_as_exactly_that_change() {
    let emulator = Emulator::start();
    create_everything(&emulator, "topologies/wonderway.yaml").await;
    let route53 = aws_sdk_route53::Client::new(&emulator.sdk("us-east-1").await);
    let checks = route53.list_health_checks().send().await.unwrap();
    let check = checks
        .health_checks()
        .iter()
        .find(|c| {
            c.health_check_config().and_then(|h| h.fully_qualified_domain_name())
                == Some("eu-west-1.api.wonderway.com")
        })
        .unwrap();
    route53
        .update_health_check()
        .health_check_id(check.id())
        .failure_threshold(7)
        .send()
        .await
        .unwrap();

    emulator.start_recording();
    let assert = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "--detailed-exitcode", "-v"])
        .assert()
        .code(2);
    let calls = emulator.recorded_calls();
    let out = stdout(&assert);
    assert!(
        out.contains("  ~ global/health-check/eu-west-1\n        failure_threshold: 7 -> 3\n"),
        "{out}"
    );
    assert!(out.ends_with("Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.\n"), "{out}");
    // A converged account of 114 resources: still a few calls per service; EKS
    // alone describes each cluster, node group and access entry (it has no
    // batch read).
    // 48: 45, and a look per region at the Kubernetes versions EKS offers
    // (the subnets placement read are the read's); 54: and each VPC's two
    // DNS attributes (EC2 gives them one a call); 66: and per region one
    // page each of elastic IPs, NAT gateways, route tables and endpoints;
    // 75: and per cluster its access entries, and per entry its tags and
    // its policies; 93: and per cluster its add-ons, each described, and
    // EKS's add-on catalog for its version (one call, shared with the
    // preflight); 105: and per region the secrets key, found by its alias
    // (ListAliases) and its tags (the tagging API), described, and its
    // rotation; 115: and per region the vCPUs of its instance types and
    // its three quotas; 118: and per region its security groups.
    let total: u64 = calls.values().sum();
    assert!(total <= 118, "{total} calls: {calls:?}");
    eprintln!("converged plan: {calls:?}; {}", stderr(&assert).trim());
}

/// Regenerates fixtures/live/wonderway-converged.json: the live state the
/// emulator holds once the WonderWay topology exists, as wway reads it.
/// Run: cargo test --test it regenerate_live_fixture -- --ignored
#[tokio::test]
#[ignore = "writes fixtures/live/wonderway-converged.json"]
async fn regenerate_live_fixture() {
    use wway::cloud::{Aws, Cloud};
    let emulator = Emulator::start();
    let (desired, _) = create_everything(&emulator, "topologies/wonderway.yaml").await;
    let live = Aws::new(emulator.settings()).snapshot(&desired).await.unwrap();
    let path = crate::emulator::project_root().join("fixtures/live/wonderway-converged.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&live).unwrap() + "\n").unwrap();
}

/// `--color always` colours the plan on stdout too (it coloured stderr
/// only), and `--quiet` leaves out the notes of `-v` but not the plan.
#[test]
fn color_always_colours_the_plan_and_quiet_keeps_only_the_result() {
    let emulator = Emulator::start();
    let coloured = emulator
        .wway()
        .args(["--color", "always", "plan", "topologies/wonderway.yaml"])
        .assert()
        .success();
    assert!(stdout(&coloured).contains("\u{1b}["), "no colour in:\n{}", stdout(&coloured));
    let quiet = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "-v", "--quiet"])
        .assert()
        .success();
    let output = quiet.get_output();
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout(&quiet).contains("us-east-1/vpc"), "{}", stdout(&quiet));
}
