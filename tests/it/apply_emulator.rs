//! `wway apply`, `destroy`, `rollback` and the lock as processes against the
//! emulator: converging, exact edits, rolling back a failure, leaving what
//! wway does not own alone, and counting Route 53 change batches.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::emulator::{Emulator, project_root, topology};

/// A copy of a repository topology in `dir`, edited by `edit`, with its edge
/// function folder made absolute so the copy finds it.
pub(crate) fn topology_copy(
    dir: &Path,
    file: &str,
    name: &str,
    edit: impl Fn(String) -> String,
) -> PathBuf {
    let text = std::fs::read_to_string(project_root().join(file)).unwrap();
    let templates = project_root().join("templates");
    let text = text
        .replace("../templates", templates.to_str().unwrap())
        .replace("../../../templates", templates.to_str().unwrap());
    let path = dir.join(name);
    std::fs::write(&path, edit(text)).unwrap();
    path
}

/// A copy in `dir` of the edge router's folder with its code changed, for a
/// topology copy to name in place of the original: `(original, copy)`.
pub(crate) fn edited_router(dir: &Path) -> (String, String) {
    let original = project_root().join("templates/edge-router");
    let copy = dir.join("edge-router");
    std::fs::create_dir(&copy).unwrap();
    for file in ["index.js", "routing.json"] {
        std::fs::copy(original.join(file), copy.join(file)).unwrap();
    }
    let code = std::fs::read_to_string(copy.join("index.js")).unwrap();
    std::fs::write(copy.join("index.js"), code + "\n// edited\n").unwrap();
    (original.to_str().unwrap().into(), copy.to_str().unwrap().into())
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The local store in `state`, as wway keeps it.
fn folder(state: &Path) -> std::sync::Arc<dyn wway::store::Store> {
    std::sync::Arc::new(wway::store::Folder { root: state.into() })
}

pub(crate) fn wway(emulator: &Emulator, state: &Path, args: &[&str]) -> Run {
    // Bounded, so that a wait that never ends fails its test instead of CI.
    let mut command = emulator.wway();
    command.env("WWAY_STATE_DIR", state).args(args).timeout(std::time::Duration::from_secs(300));
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub(crate) fn plan_changes(emulator: &Emulator, state: &Path, file: &str) -> Vec<(String, String)> {
    let run = wway(emulator, state, &["plan", file, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan: Value = serde_json::from_str(&run.stdout).unwrap();
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (c["address"].as_str().unwrap().to_string(), c["action"].as_str().unwrap().to_string())
        })
        .collect()
}

/// The run said that the WonderWay edge function's delete (its step named
/// with `prefix`) waits for a later run: CloudFront used it, and AWS lets a
/// Lambda@Edge function go only hours after that (the emulator's patch 14).
pub(crate) fn edge_function_deferred(stdout: &str, prefix: &str) {
    let said =
        format!("Deferred until a later run (1): {prefix}us-east-1/edge-function/edge-router.");
    assert!(stdout.contains(&said), "{stdout}");
}

pub(crate) fn applied(emulator: &Emulator, state: &Path, file: &str) -> Run {
    let run = wway(emulator, state, &["apply", file, "--auto-approve"]);
    assert_eq!(run.code, 0, "apply {file}:\n{}\n{}", run.stdout, run.stderr);
    run
}

/// An emulator with a copy of the WonderWay topology (`base`, in `dir`) applied.
pub(crate) struct Applied {
    pub emulator: Emulator,
    pub state: tempfile::TempDir,
    pub dir: tempfile::TempDir,
    pub base: String,
}

/// A copy of WonderWay beside `account`'s, edited by `edit`: its path.
pub(crate) fn wonderway_edited(
    account: &Applied,
    name: &str,
    edit: impl Fn(String) -> String,
) -> String {
    let file = topology_copy(account.dir.path(), "topologies/wonderway.yaml", name, edit);
    file.to_str().unwrap().to_string()
}

pub(crate) fn wonderway_applied() -> Applied {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = topology_copy(dir.path(), "topologies/wonderway.yaml", "base.yaml", |t| t);
    let base = base.to_str().unwrap().to_string();
    applied(&emulator, state.path(), &base);
    Applied { emulator, state, dir, base }
}

#[tokio::test]
async fn apply_converges_and_destroy_leaves_what_others_own() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    // Someone else's VPC, cluster and zone with a record, in the same account.
    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk("us-east-1").await);
    let vpc = ec2.create_vpc().cidr_block("10.200.0.0/16").send().await.unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_string();
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("eu-west-1").await);
    eks.create_cluster()
        .name("payments")
        .role_arn("arn:aws:iam::123456789012:role/payments")
        .resources_vpc_config(
            aws_sdk_eks::types::VpcConfigRequest::builder().subnet_ids("subnet-1").build(),
        )
        .send()
        .await
        .unwrap();

    emulator.start_recording();
    let run = applied(&emulator, state.path(), "topologies/wonderway.yaml");
    let calls = emulator.recorded_calls();
    // 76 changes, and the wait for the distribution's deployment.
    assert!(run.stdout.starts_with("Apply complete: 92 steps in "), "{}", run.stdout);
    assert!(run.stderr.contains("Plan: 114 to create"), "the plan is shown on stderr");
    let left = plan_changes(&emulator, state.path(), "topologies/wonderway.yaml");
    assert!(left.is_empty(), "{left:?}");
    eprintln!("apply of the WonderWay topology: {calls:?}");

    let run =
        wway(&emulator, state.path(), &["destroy", "topologies/wonderway.yaml", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("Destroy complete: 90 steps"), "{}", run.stdout);
    edge_function_deferred(&run.stdout, "");
    assert_eq!(plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").len(), 113);
    // Route 53 allows an account 10 requests a second (the emulator
    // throttles past it): wway keeps below, polls and retries included.
    let throttled: Vec<String> =
        emulator.refusals().into_iter().filter(|r| r.contains("Throttling")).collect();
    assert!(throttled.is_empty(), "{throttled:?}");
    // Hours later AWS has let go of the replicas: the next destroy deletes it.
    emulator.advance_clock(3 * 3600);
    let run =
        wway(&emulator, state.path(), &["destroy", "topologies/wonderway.yaml", "--auto-approve"]);
    assert!(run.stdout.starts_with("Destroy complete: 1 steps"), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").len(), 114);
    let vpcs = ec2.describe_vpcs().vpc_ids(&vpc_id).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1, "the unowned VPC is still there");
    assert!(
        eks.describe_cluster().name("payments").send().await.is_ok(),
        "the unowned cluster is still there"
    );
}

#[test]
fn edits_are_planned_exactly_and_applied_in_one_record_batch() {
    let Applied { emulator, state, dir, base } = wonderway_applied();
    let base = base.as_str();

    // Scale eu-west-1's general node group, add a cache behavior, move GB to
    // us-east-1 and drop VN from the geo map, remove the latency record.
    let edited = topology_copy(dir.path(), "topologies/wonderway.yaml", "edited.yaml", |t| {
        let t = t.replacen("          max: 50\n", "          max: 60\n", 2).replacen(
            "          max: 60\n",
            "          max: 50\n",
            1,
        );
        let t = t
            .replace("        GB: eu-west-1\n", "        GB: us-east-1\n")
            .replace("        VN: ap-southeast-1\n", "");
        let t = t.replace("    - name: fast.api\n      policy: latency\n", "");
        t.replace(
            "    - path: /api/*\n",
            "    - path: /images/*\n      origin: api\n      methods: read\n      ttl: {min: 0, default: 3600, max: 86400}\n    - path: /api/*\n",
        )
    });
    let edited = edited.to_str().unwrap();
    let mut changes = plan_changes(&emulator, state.path(), edited);
    changes.sort();
    let expected: Vec<(String, String)> = [
        ("eu-west-1/node-group/general", "update"),
        ("global/distribution", "update"),
        ("global/record/fast.api/latency-ap-southeast-1", "delete"),
        ("global/record/fast.api/latency-eu-west-1", "delete"),
        ("global/record/fast.api/latency-us-east-1", "delete"),
        ("global/record/geo.api/geo-GB", "update"),
        ("global/record/geo.api/geo-VN", "delete"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .into();
    assert_eq!(changes, expected);

    emulator.start_recording();
    applied(&emulator, state.path(), edited);
    let recording = emulator.recorded_calls();
    assert!(plan_changes(&emulator, state.path(), edited).is_empty(), "converged after the edit");
    // Every record change of the run went to Route 53 in one batch: the
    // recorder counts ChangeResourceRecordSets among the Route 53 calls.
    assert!(recording["route53"] >= 1);
    let batches = emulator_change_batches(&emulator);
    assert_eq!(batches, 1, "record changes in one ChangeResourceRecordSets call");

    // And back: rollback undoes the edit, records included.
    let run = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let left = plan_changes(&emulator, state.path(), base);
    assert!(left.is_empty(), "back to the base topology, but: {left:?}\n{}", run.stderr);
}

/// ChangeResourceRecordSets calls in the last recording.
fn emulator_change_batches(emulator: &Emulator) -> usize {
    emulator
        .recorded_requests()
        .iter()
        .filter(|r| r.contains("\"POST\"") && r.contains("/rrset"))
        .count()
}

#[test]
fn a_failed_step_rolls_back_what_the_run_did() {
    let Applied { emulator, state, dir, base } = wonderway_applied();
    let base = base.as_str();

    // Scale a node group and add a record (they succeed), and add a node
    // group whose instances fail to join (AWS makes it, then says
    // CREATE_FAILED).
    let broken = topology_copy(dir.path(), "topologies/wonderway.yaml", "broken.yaml", |t| {
        let t = t.replacen("          min: 2\n", "          min: 3\n", 1);
        let t = t.replace(
            "    - name: cdn\n",
            "    - name: us.api\n      policy: simple\n      region: us-east-1\n    - name: cdn\n",
        );
        t.replacen(
            "      node_groups:\n",
            "      node_groups:\n        batch:\n          instance_types: [m5.2xlarge]\n          min: 1\n          desired: 1\n          max: 2\n",
            1,
        )
    });
    emulator.fail_next("nodegroup", "batch", "NodeCreationFailure", "Instances failed to join");
    let run = wway(&emulator, state.path(), &["apply", broken.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("Apply failed: us-east-1/node-group/batch: node group batch CREATE_FAILED"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Rolled back the "), "{}", run.stdout);
    assert!(run.stdout.contains("the account is as it was"), "{}", run.stdout);
    let left = plan_changes(&emulator, state.path(), base);
    assert!(
        left.is_empty(),
        "the account is back to the base topology, but: {left:?}\n{}",
        run.stderr
    );
}

#[test]
fn rollback_undoes_the_last_apply_and_the_lock_admits_one_run() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    applied(&emulator, state.path(), "topologies/wonderway.yaml");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lock = runtime.block_on(wway::exec::lock::Lock::acquire(folder(state.path()), "apply"));
    let lock = lock.unwrap();
    let refused = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.starts_with("error: another run holds the lock: apply by "),
        "{}",
        refused.stderr
    );
    let unlock = wway(&emulator, state.path(), &["force-unlock", &lock.holder.id]);
    assert_eq!(unlock.code, 0, "{}", unlock.stderr);

    let run = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("Rollback complete: 90 steps"), "{}", run.stdout);
    edge_function_deferred(&run.stdout, "undo:");
    assert_eq!(plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").len(), 113);
    let again = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(again.code, 1, "nothing left to undo: {}", again.stderr);
    assert!(again.stderr.contains("no apply to undo"), "{}", again.stderr);
}

#[test]
fn without_a_terminal_apply_needs_auto_approve() {
    let emulator = Emulator::start();
    let state = tempfile::tempdir().unwrap();
    let run = wway(&emulator, state.path(), &["apply", "topologies/wonderway.yaml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.ends_with(
            "error: standard input is not a terminal, so nobody can confirm: pass --auto-approve\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").len() == 114,
        "nothing was applied"
    );
}

/// Counts the VPCs and subnets carrying the topology's ownership tag.
async fn owned_network(emulator: &Emulator, region: &str) -> (usize, usize) {
    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk(region).await);
    let owned = || {
        aws_sdk_ec2::types::Filter::builder().name("tag:wway:topology").values("wonderway").build()
    };
    let vpcs = ec2.describe_vpcs().filters(owned()).send().await.unwrap().vpcs().len();
    let subnets = ec2.describe_subnets().filters(owned()).send().await.unwrap().subnets().len();
    (vpcs, subnets)
}

#[tokio::test]
async fn a_create_repeated_after_a_lost_answer_finds_what_the_first_made() {
    use wway::cloud::{Aws, Cloud};
    use wway::plan::steps::{Op, Step, Target};
    let emulator = Emulator::start();
    let desired = wway::state::desired::desired(&topology("topologies/wonderway.yaml")).unwrap();
    let aws = Aws::new(emulator.settings());
    let mut ids = wway::state::live::Ids::default();
    for addr in ["us-east-1/vpc", "us-east-1/subnet/us-east-1a"] {
        let resource = &desired.resources[&wway::state::ResourceAddr::new(addr)];
        let target = Target {
            addr: resource.addr.clone(),
            kind: resource.kind,
            region: resource.region.clone(),
            fields: resource.fields.clone(),
            source: None,
        };
        let step = Step {
            name: wway::plan::steps::StepName::resource(&resource.addr),
            service: resource.kind.service(),
            region: resource.region.clone(),
            op: Op::Create { target, replaces: None },
            deps: Default::default(),
        };
        let first = aws.apply_step("wonderway", &step, &ids, &|_| {}).await.unwrap();
        // The same step again, as the executor retries one whose answer was lost.
        let second = aws.apply_step("wonderway", &step, &ids, &|_| {}).await.unwrap();
        assert_eq!(first.ids, second.ids, "{addr}");
        ids.absorb(&first);
    }
    assert_eq!(owned_network(&emulator, "us-east-1").await, (1, 1), "nothing made twice");
}

/// `wway apply` of WonderWay as a process of its own, two steps at a time,
/// its output piped.
pub(crate) fn apply_process(emulator: &Emulator, state: &Path) -> std::process::Child {
    let args = ["apply", "topologies/wonderway.yaml", "--auto-approve", "--parallelism", "2"];
    wway_process(emulator, state, &args)
}

/// `wway ARGS` started against `emulator` with its state in `state`, its
/// output piped, for a test that signals or kills it.
pub(crate) fn wway_process(
    emulator: &Emulator,
    state: &Path,
    args: &[&str],
) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("wway"))
        .current_dir(project_root())
        .env("AWS_ENDPOINT_URL", &emulator.url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("WWAY_STATE_DIR", state)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (a minute at most) until the journals in `state` hold `steps` done steps.
pub(crate) fn until_done(state: &Path, steps: usize) {
    let journal_dir = state.join("journal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let done = std::fs::read_dir(&journal_dir)
            .into_iter()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .map(|text| text.matches("\"event\":\"done\"").count())
            .sum::<usize>();
        if done >= steps || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// An emulator and a state folder in which `wway apply` of WonderWay was
/// killed (SIGKILL: no chance to clean up) once a few steps were journaled.
fn killed_apply() -> (Emulator, tempfile::TempDir) {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    let mut child = apply_process(&emulator, state.path());
    until_done(state.path(), 6);
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the apply was killed before it finished");
    (emulator, state)
}

#[tokio::test]
async fn an_apply_killed_midway_converges_when_run_again_without_duplicates() {
    let (emulator, state) = killed_apply();
    // The killed run left its lock; it died on this host, so the next run
    // takes the lock over and says so.
    let holder = wway::exec::lock::read_holder(folder(state.path()).as_ref()).await.unwrap();
    assert!(holder.is_some(), "the dead run's lock");
    let run = applied(&emulator, state.path(), "topologies/wonderway.yaml");
    assert!(run.stderr.contains("The lock was left by apply (process "), "{}", run.stderr);
    assert!(plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").is_empty());
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        assert_eq!(owned_network(&emulator, region).await, (1, 6), "{region}: nothing made twice");
    }
}

#[tokio::test]
async fn an_apply_killed_midway_is_undone_by_rollback() {
    let (emulator, state) = killed_apply();
    let holder = wway::exec::lock::read_holder(folder(state.path()).as_ref()).await.unwrap();
    assert_eq!(wway(&emulator, state.path(), &["force-unlock", &holder.unwrap().id]).code, 0);
    let undo = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(undo.code, 0, "{}\n{}", undo.stdout, undo.stderr);
    let left = plan_changes(&emulator, state.path(), "topologies/wonderway.yaml");
    assert_eq!(left.len(), 114, "nothing the killed run made is left: {left:?}");
    assert!(left.iter().all(|(_, action)| action == "create"), "{left:?}");
}

/// A journal as a kill -9 leaves it when the create call of `step` had been
/// answered but its outcome not yet written: `wway rollback` finds what the
/// step made by its ownership and undoes it with the rest.
#[test]
fn rollback_undoes_a_step_the_journal_never_saw_finish() {
    let Applied { emulator, state, dir: _dir, base } = wonderway_applied();
    let journal = std::fs::read_dir(state.path().join("journal")).unwrap().next().unwrap();
    let journal = journal.unwrap().path();
    let step = "\"step\":\"us-east-1/node-group/general\"";
    let text = std::fs::read_to_string(&journal).unwrap();
    let cut: Vec<&str> = text
        .lines()
        .filter(|l| !(l.contains("\"event\":\"done\"") && l.contains(step)))
        .filter(|l| !l.contains("\"event\":\"end\""))
        .collect();
    assert_eq!(cut.len() + 2, text.lines().count());
    std::fs::write(&journal, cut.join("\n") + "\n").unwrap();

    let undo = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(undo.code, 0, "{}\n{}", undo.stdout, undo.stderr);
    assert!(
        undo.stderr
            .contains("us-east-1/node-group/general was not seen to finish, but it took effect"),
        "{}",
        undo.stderr
    );
    assert!(undo.stdout.starts_with("Rollback complete: 90 steps"), "{}", undo.stdout);
    edge_function_deferred(&undo.stdout, "undo:");
    assert_eq!(plan_changes(&emulator, state.path(), &base).len(), 113);
}

#[tokio::test]
async fn a_saved_plan_applies_as_saved_and_a_stale_one_is_refused() {
    let Applied { emulator, state, dir, base: _ } = wonderway_applied();
    let scaled = topology_copy(dir.path(), "topologies/wonderway.yaml", "scaled.yaml", |t| {
        t.replacen("          max: 20\n", "          max: 30\n", 1)
    });
    let saved = dir.path().join("scaled.plan.json");
    let plan = wway(
        &emulator,
        state.path(),
        &["plan", scaled.to_str().unwrap(), "--out", saved.to_str().unwrap()],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);

    // The account moves before the plan is applied: the plan is refused.
    let route53 = aws_sdk_route53::Client::new(&emulator.sdk("us-east-1").await);
    let checks = route53.list_health_checks().send().await.unwrap();
    route53
        .update_health_check()
        .health_check_id(checks.health_checks()[0].id())
        .failure_threshold(9)
        .send()
        .await
        .unwrap();
    let stale = wway(&emulator, state.path(), &["apply", saved.to_str().unwrap()]);
    assert_eq!(
        stale.code,
        i32::from(wway::commands::apply::STALE_PLAN),
        "{}\n{}",
        stale.stdout,
        stale.stderr
    );
    assert!(
        stale.stderr.starts_with(
            "error: the plan is stale: it is not what was reviewed, or the account moved since it was made (global/health-check/"
        ),
        "{}",
        stale.stderr
    );

    // A fresh plan applies as saved, without a question, and converges.
    let plan = wway(
        &emulator,
        state.path(),
        &["plan", scaled.to_str().unwrap(), "--out", saved.to_str().unwrap()],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let run = wway(&emulator, state.path(), &["apply", saved.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.starts_with("Apply complete: 2 steps"), "{}", run.stdout);
    assert!(plan_changes(&emulator, state.path(), scaled.to_str().unwrap()).is_empty());
}

#[test]
fn destroy_then_apply_again_in_the_same_account() {
    // AWS refuses a caller reference that a deleted health check used: every
    // run must use tokens of its own (the emulator enforces this, patch 5).
    let Applied { emulator, state, dir: _dir, base } = wonderway_applied();
    let run = wway(&emulator, state.path(), &["destroy", &base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    applied(&emulator, state.path(), &base);
    assert!(plan_changes(&emulator, state.path(), &base).is_empty());
}

#[test]
fn a_region_and_a_zone_dropped_from_the_file_are_cleaned_up() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("tests/topologies/good/edge-cases.yaml"));
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let both =
        topology_copy(dir.path(), "tests/topologies/good/edge-cases.yaml", "both.yaml", |t| t);
    applied(&emulator, state.path(), both.to_str().unwrap());

    // The file drops us-west-2 and its whole dns section: what wway made
    // there is found (from the regions and zones runs have used) and deleted.
    let fewer =
        topology_copy(dir.path(), "tests/topologies/good/edge-cases.yaml", "fewer.yaml", |t| {
            // From the us-west-2 block to `cdn:`: the region and the dns section.
            let (region, cdn) = (t.find("  us-west-2:\n").unwrap(), t.find("cdn:\n").unwrap());
            format!("{}{}", &t[..region], &t[cdn..])
        });
    let changes = plan_changes(&emulator, state.path(), fewer.to_str().unwrap());
    let deleted: Vec<&str> =
        changes.iter().filter(|(_, a)| a == "delete").map(|(addr, _)| addr.as_str()).collect();
    assert!(
        deleted.contains(&"us-west-2/vpc") && deleted.contains(&"us-west-2/eks-cluster"),
        "{changes:?}"
    );
    assert!(deleted.contains(&"global/zone/example.org"), "{changes:?}");
    assert!(deleted.iter().any(|a| a.starts_with("global/record/")), "{changes:?}");
    applied(&emulator, state.path(), fewer.to_str().unwrap());
    assert!(plan_changes(&emulator, state.path(), fewer.to_str().unwrap()).is_empty());
}

#[test]
fn a_zones_batches_go_back_to_back_and_are_waited_for_together() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("tests/topologies/good/shop.yaml"));
    let (state, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // 600 names, each a record and its ownership record: 1,200 records, more
    // than Route 53's 1,000 in one batch.
    let many: String = (0..600)
        .map(|n| format!("    - name: r{n}\n      policy: simple\n      region: us-east-1\n"))
        .collect();
    let file = topology_copy(dir.path(), "tests/topologies/good/shop.yaml", "many.yaml", |t| {
        t.replace("  records:\n", &format!("  records:\n{many}"))
    });
    emulator.start_recording();
    applied(&emulator, state.path(), file.to_str().unwrap());
    let requests = emulator.recorded_requests();
    let batch = |r: &String| r.contains("\"POST\"") && r.contains("/rrset");
    let first = requests.iter().position(batch).unwrap();
    let last = requests.iter().rposition(batch).unwrap();
    assert!(requests.iter().filter(|r| batch(r)).count() >= 2, "the records take two batches");
    let waits: Vec<&String> =
        requests[first..last].iter().filter(|r| r.contains("/change/")).collect();
    assert!(waits.is_empty(), "a batch waited for the one before it: {waits:?}");
}
