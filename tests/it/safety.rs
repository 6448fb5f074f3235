//! Attacks of a careful operator and a careless one, each pinned by the
//! defect it found: damaged journals, edited saved plans, changed edge code,
//! records someone else made. Each test failed on the main branch it was
//! written against, and passes with the fix.

use std::path::{Path, PathBuf};

use crate::apply_emulator::{Applied, plan_changes, topology_copy, wonderway_applied, wway};

/// The journal files in a state folder, oldest first.
fn journals(state: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(state.join("journal"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Regression: a damaged, emptied or deleted newest journal was taken for
/// "nothing to undo", and `wway rollback` undid the apply before it (two
/// thirds of the VPCs and clusters, the distribution, the function).
#[test]
fn rollback_refuses_a_damaged_newest_journal_instead_of_undoing_an_older_run() {
    let Applied { emulator, state, dir, base } = wonderway_applied();
    let scaled = topology_copy(dir.path(), "topologies/wonderway.yaml", "scaled.yaml", |t| {
        t.replacen("          max: 20\n", "          max: 30\n", 1)
    });
    let scaled = scaled.to_str().unwrap();
    let run = wway(&emulator, state.path(), &["apply", scaled, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let newest = journals(state.path()).pop().unwrap();
    let whole = std::fs::read_to_string(&newest).unwrap();
    let (begin, rest) = whole.split_once('\n').unwrap();
    let name = newest.file_name().unwrap().to_string_lossy().into_owned();

    let damages: [(&str, Option<String>, &str); 4] = [
        ("a garbage line", Some(format!("{begin}\nxx\n{rest}")), "is damaged at line 2"),
        ("emptied", Some(String::new()), "is damaged at line 1: it is empty"),
        ("torn in its first entry", Some(begin[..20].to_string()), "is damaged at line 1"),
        ("deleted", None, "the journal of the newest run"),
    ];
    for (what, text, said) in damages {
        match &text {
            Some(text) => std::fs::write(&newest, text).unwrap(),
            None => std::fs::remove_file(&newest).unwrap(),
        }
        let refused = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
        assert_eq!(refused.code, 1, "{what}: {}\n{}", refused.stdout, refused.stderr);
        assert!(refused.stderr.contains(said), "{what}: {}", refused.stderr);
        assert!(refused.stderr.contains(&name), "{what}: names the file: {}", refused.stderr);
        assert!(
            refused.stderr.contains("`wway rollback wway.yaml --journal RUN --state-dir "),
            "{what}: a command that works as given: {}",
            refused.stderr
        );
        assert!(
            plan_changes(&emulator, state.path(), scaled).is_empty(),
            "{what}: nothing was undone"
        );
        std::fs::write(&newest, &whole).unwrap();
    }

    // A journal killed mid-write (its last line without a newline) is still
    // the newest run: its steps are undone, not the run before.
    std::fs::write(&newest, format!("{whole}{{\"event\":\"do")).unwrap();
    let undo = wway(&emulator, state.path(), &["rollback", "--auto-approve"]);
    assert_eq!(undo.code, 0, "{}\n{}", undo.stdout, undo.stderr);
    assert!(undo.stderr.contains("last line was cut short"), "{}", undo.stderr);
    assert!(undo.stdout.starts_with("Rollback complete: 1 steps"), "{}", undo.stdout);
    assert!(plan_changes(&emulator, state.path(), &base).is_empty(), "back to the base");
}

/// A saved plan of a one-field change to the applied WonderWay topology.
fn saved_plan(applied: &Applied, topology: &Path) -> PathBuf {
    let saved = applied.dir.path().join("reviewed.plan.json");
    let plan = wway(
        &applied.emulator,
        applied.state.path(),
        &["plan", topology.to_str().unwrap(), "--out", saved.to_str().unwrap()],
    );
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    saved
}

/// Applies `saved` and expects it refused as stale, saying `why`.
fn refused(applied: &Applied, saved: &Path, why: &str) {
    let run = wway(&applied.emulator, applied.state.path(), &["apply", saved.to_str().unwrap()]);
    let stale = i32::from(wway::commands::apply::STALE_PLAN);
    assert_eq!(run.code, stale, "{why}: {}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(why), "{}", run.stderr);
    assert!(plan_changes(&applied.emulator, applied.state.path(), &applied.base).is_empty());
}

/// Regression: a saved plan was carried out as written: an edited `action`
/// deleted a node group, an edited target acted on another resource.
#[test]
fn an_edited_saved_plan_is_refused_even_with_its_digest_made_anew() {
    use wway::present::plan_json::PlanDocument;
    use wway::state::digest::sha256_hex;
    let applied = wonderway_applied();
    let scaled = topology_copy(applied.dir.path(), "topologies/wonderway.yaml", "s.yaml", |t| {
        t.replacen("          max: 20\n", "          max: 30\n", 1)
    });
    let saved = saved_plan(&applied, &scaled);
    let reviewed = std::fs::read_to_string(&saved).unwrap();
    assert!(reviewed.contains("\"action\": \"update\""), "{reviewed}");

    // A careless edit: the digest no longer matches.
    std::fs::write(&saved, reviewed.replace("\"action\": \"update\"", "\"action\": \"delete\""))
        .unwrap();
    refused(&applied, &saved, "the plan file was edited after `wway plan --out` wrote it");

    // A careful one makes the digest anew: the plan is still not what a plan
    // of its topology against the account gives now.
    let mut document: PlanDocument = serde_json::from_str(&reviewed).unwrap();
    let update = document.changes.iter().position(|c| c.action == wway::plan::Action::Update);
    let update = update.expect("the plan updates the node group");
    document.changes[update].action = wway::plan::Action::Delete;
    document.digest = None;
    document.digest = Some(sha256_hex(&serde_json::to_vec(&document).unwrap()));
    std::fs::write(&saved, serde_json::to_string_pretty(&document).unwrap()).unwrap();
    let address = document.changes[update].address.to_string();
    refused(&applied, &saved, &format!("the plan would delete {address}, a plan now would update"));

    // The topology file changed after the plan.
    std::fs::write(&saved, &reviewed).unwrap();
    let text = std::fs::read_to_string(&scaled).unwrap();
    std::fs::write(&scaled, text.replacen("max: 30", "max: 31", 1)).unwrap();
    refused(&applied, &saved, "changed");
}

/// Regression: the edge code was packaged again at apply time, so code that
/// changed after the plan shipped unreviewed, and the next plan said
/// "No changes".
#[test]
fn edge_code_changed_after_the_plan_is_not_shipped() {
    let applied = wonderway_applied();
    let code = applied.dir.path().join("edge-router");
    std::fs::create_dir(&code).unwrap();
    for file in ["index.js", "routing.json"] {
        std::fs::copy(
            crate::emulator::project_root().join("templates/edge-router").join(file),
            code.join(file),
        )
        .unwrap();
    }
    let templates = crate::emulator::project_root().join("templates/edge-router");
    let moved = topology_copy(applied.dir.path(), "topologies/wonderway.yaml", "m.yaml", |t| {
        t.replace(templates.to_str().unwrap(), code.to_str().unwrap())
    });
    std::fs::write(
        code.join("index.js"),
        "exports.handler = async (e) => e.Records[0].cf.request;\n",
    )
    .unwrap();
    let saved = saved_plan(&applied, &moved);
    let reviewed = std::fs::read_to_string(&saved).unwrap();
    assert!(reviewed.contains("\"packages\""), "the plan names the package it uploads");

    std::fs::write(code.join("index.js"), "exports.handler = async () => ({status: '500'});\n")
        .unwrap();
    refused(&applied, &saved, "the code package of us-east-1/edge-function/edge-router changed");
}

/// The record batch that adds `us.api` (a CNAME to the us-east-1 origin) to
/// the applied WonderWay topology, planned against the account as it is.
async fn adding_a_record(
    applied: &Applied,
) -> (wway::cloud::Aws, wway::plan::steps::Step, wway::state::live::Ids) {
    use wway::cloud::{Aws, Cloud};
    let file = topology_copy(applied.dir.path(), "topologies/wonderway.yaml", "us.yaml", |t| {
        t.replace(
            "    - name: cdn\n",
            "    - name: us.api\n      policy: simple\n      region: us-east-1\n    - name: cdn\n",
        )
    });
    let source = wway::topology::Source::read(&file).unwrap();
    let desired = applied.emulator.desired(wway::topology::load(&source).unwrap()).await;
    let aws = Aws::new(applied.emulator.settings());
    let live = aws.snapshot(&desired).await.unwrap();
    let plan = wway::plan::plan(&desired, &live).unwrap();
    let mut steps = wway::plan::steps::steps(plan, &desired, &live);
    assert_eq!(steps.len(), 1, "{steps:?}");
    (aws, steps.remove(0), live.ids())
}

/// Regression: when Route 53 answered "already exists", the batch was sent
/// again as UPSERTs, overwriting a record someone else had made between
/// the plan and the apply.
#[tokio::test]
async fn a_record_someone_else_made_after_the_plan_is_not_overwritten() {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    use wway::cloud::Cloud;
    let applied = tokio::task::spawn_blocking(wonderway_applied).await.unwrap();
    let (aws, step, ids) = adding_a_record(&applied).await;
    let route53 = aws_sdk_route53::Client::new(&applied.emulator.sdk("us-east-1").await);
    let zone = route53.list_hosted_zones().send().await.unwrap().hosted_zones()[0].id().to_string();
    let theirs = ResourceRecordSet::builder()
        .name("us.api.wonderway.com.")
        .r#type(RrType::Cname)
        .ttl(300)
        .resource_records(ResourceRecord::builder().value("payments.example.net").build().unwrap())
        .build()
        .unwrap();
    let change = |action| {
        ChangeBatch::builder()
            .changes(
                Change::builder()
                    .action(action)
                    .resource_record_set(theirs.clone())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    let send = |action| {
        route53
            .change_resource_record_sets()
            .hosted_zone_id(&zone)
            .change_batch(change(action))
            .send()
    };
    send(ChangeAction::Create).await.unwrap();

    let error = aws.apply_step("wonderway", &step, &ids, &|_| {}).await.unwrap_err().to_string();
    assert!(
        error.contains("us.api.wonderway.com. CNAME (held by no wway ownership record)")
            && error.contains("does not overwrite"),
        "{error}"
    );
    let now = route53
        .list_resource_record_sets()
        .hosted_zone_id(&zone)
        .start_record_name("us.api.wonderway.com.")
        .start_record_type(RrType::Cname)
        .max_items(1)
        .send()
        .await
        .unwrap();
    let values: Vec<&str> =
        now.resource_record_sets()[0].resource_records().iter().map(|r| r.value()).collect();
    assert_eq!(values, ["payments.example.net"], "their record is untouched");

    // Theirs gone, the batch lands; sent again (its answer lost), it finds
    // itself landed and succeeds without a second change.
    send(ChangeAction::Delete).await.unwrap();
    aws.apply_step("wonderway", &step, &ids, &|_| {}).await.unwrap();
    aws.apply_step("wonderway", &step, &ids, &|_| {}).await.unwrap();
    let left = plan_changes(&applied.emulator, applied.state.path(), &applied.base);
    assert_eq!(left.len(), 1, "the record is there, once, and owned: {left:?}");
    assert_eq!(left[0].1, "delete", "{left:?}");
}

/// Regression: `--profile NAME` was ignored when keys were in the
/// environment (the default chain reads them first), so a run could go to
/// another account than the one named; an unknown profile was not an error.
#[test]
fn a_named_profile_wins_over_keys_in_the_environment() {
    let emulator = crate::emulator::Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("asked");
    let config = dir.path().join("config");
    let script = dir.path().join("credentials.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}'\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIDTEAM\", \"SecretAccessKey\": \"team\"}}'\n",
            marker.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(&config, format!("[profile team]\ncredential_process = {}\n", script.display()))
        .unwrap();
    let run = |profile: &str| {
        emulator
            .wway()
            .env("AWS_CONFIG_FILE", &config)
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
            .env("WWAY_STATE_DIR", dir.path().join("state"))
            .args(["plan", "topologies/wonderway.yaml", "--profile", profile])
            .output()
            .unwrap()
    };
    let unknown = run("nobody");
    assert_eq!(unknown.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("--profile nobody: no such profile"), "{stderr}");

    let team = run("team");
    let stderr = String::from_utf8_lossy(&team.stderr);
    assert_eq!(team.status.code(), Some(0), "{stderr}");
    assert!(marker.exists(), "the profile's credentials were used, not the environment's");
}

/// `wway validate` of a WonderWay copy whose edge function's code is
/// `folder` (the `source:` line) and whose router runs on `event`.
fn validate_with_code(dir: &Path, source: &str, event: &str) -> (i32, String) {
    let templates = crate::emulator::project_root().join("templates/edge-router");
    let file = topology_copy(dir, "topologies/wonderway.yaml", "edge.yaml", |t| {
        t.replace(templates.to_str().unwrap(), source)
            .replace("origin-request: edge-router", &format!("{event}: edge-router"))
    });
    validate(&file)
}

/// `wway validate FILE`: its exit status and what it said on stderr.
fn validate(file: &Path) -> (i32, String) {
    let output = assert_cmd::Command::cargo_bin("wway")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Regression: a link in an edge function's folder to a file outside it
/// was zipped and uploaded; `source: /` shipped the disk; a package over
/// Lambda@Edge's size limits went to AWS to be refused there.
#[test]
fn an_edge_folder_ships_its_own_files_within_the_limits_or_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let code = dir.path().join("code");
    std::fs::create_dir(&code).unwrap();
    std::fs::copy(
        crate::emulator::project_root().join("templates/edge-router/index.js"),
        code.join("index.js"),
    )
    .unwrap();
    std::fs::write(dir.path().join("credentials"), "aws_secret_access_key = x\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("credentials"), code.join("config.js")).unwrap();

    let (status, stderr) = validate_with_code(dir.path(), code.to_str().unwrap(), "origin-request");
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("`config.js` is a link"), "{stderr}");
    assert!(stderr.contains("outside the folder"), "{stderr}");
    assert!(
        stderr.contains(&format!("source: {}", code.display())),
        "points at the line: {stderr}"
    );

    let (status, stderr) = validate_with_code(dir.path(), "/", "origin-request");
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("holds the topology file itself"), "{stderr}");

    std::fs::remove_file(code.join("config.js")).unwrap();
    let big: String = (0..1_100_000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    std::fs::write(code.join("data.js"), big).unwrap();
    let (status, stderr) = validate_with_code(dir.path(), code.to_str().unwrap(), "origin-request");
    assert_eq!(status, 0, "an origin event takes it: {stderr}");
    let (status, stderr) = validate_with_code(dir.path(), code.to_str().unwrap(), "viewer-request");
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("is a package of 1103488 bytes zipped, over the 1048576"), "{stderr}");
}

/// Sends `signal` (a `kill` name: INT, TERM) to process `pid`.
fn signal(pid: u32, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Regression: Ctrl-C and SIGTERM killed wway in milliseconds: it said
/// nothing, left the lock and an unfinished journal (12 of 12 runs).
#[test]
fn an_interrupted_apply_finishes_its_steps_in_flight_lets_go_of_the_lock_and_says_so() {
    use crate::apply_emulator::{apply_process, until_done};
    let emulator = crate::emulator::Emulator::start();
    emulator.seed_roles(&crate::emulator::topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    let child = apply_process(&emulator, state.path());
    until_done(state.path(), 3);
    signal(child.id(), "INT");
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(stderr.contains("Stopping: no new step starts"), "{stderr}");
    assert!(stdout.starts_with("Apply interrupted: "), "{stdout}");
    assert!(stdout.contains("`wway rollback topologies/wonderway.yaml --state-dir "), "{stdout}");
    assert!(!state.path().join("lock.json").exists(), "the lock is released");

    let store = wway::store::Folder { root: state.path().into() };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let run = runtime.block_on(wway::exec::journal::head(&store)).unwrap().unwrap();
    let read = runtime.block_on(wway::exec::journal::read(&store, &run)).unwrap();
    assert!(read.ended() && !read.torn, "the journal was finished");
    use wway::exec::journal::Entry;
    let started = read.entries.iter().filter(|e| matches!(e, Entry::Intent { .. })).count();
    let ended =
        read.entries.iter().filter(|e| matches!(e, Entry::Done { .. } | Entry::Failed { .. }));
    assert_eq!(started, ended.count(), "every step started was seen to its end");

    // The next apply carries on from there and converges.
    let base = "topologies/wonderway.yaml";
    crate::apply_emulator::applied(&emulator, state.path(), base);
    assert!(plan_changes(&emulator, state.path(), base).is_empty());
}

/// A second signal aborts at once; the journal it leaves lets the next run
/// carry on (taking over the lock the aborted run left on this host).
#[test]
fn a_second_signal_aborts_at_once_and_the_next_run_carries_on() {
    use crate::apply_emulator::{apply_process, until_done};
    let emulator = crate::emulator::Emulator::start();
    emulator.seed_roles(&crate::emulator::topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    let mut child = apply_process(&emulator, state.path());
    until_done(state.path(), 3);
    // Two different signals at once (two of the same would merge into one
    // while pending): the second is handled microseconds after the first,
    // long before the steps in flight could finish.
    signal(child.id(), "INT");
    signal(child.id(), "TERM");
    let status = child.wait().unwrap();
    assert!(matches!(status.code(), Some(130 | 143)), "{status:?}");
    let base = "topologies/wonderway.yaml";
    let run = crate::apply_emulator::applied(&emulator, state.path(), base);
    assert!(run.stderr.contains("The lock was left by apply"), "{}", run.stderr);
    assert!(plan_changes(&emulator, state.path(), base).is_empty());
}

/// Regression: a hosted zone that exists and that wway does not own (the
/// normal case on a real account) made every apply fail ("UnresolvedReference:
/// global/zone/... has no AWS id yet"), then roll back.
#[test]
fn an_existing_zone_that_wway_does_not_own_is_used_as_it_is() {
    let emulator = crate::emulator::Emulator::start();
    emulator.seed_roles(&crate::emulator::topology("topologies/wonderway.yaml"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let route53 = aws_sdk_route53::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let zones = |route53: aws_sdk_route53::Client| async move {
        let zones = route53.list_hosted_zones().send().await.unwrap();
        zones.hosted_zones().iter().map(|z| z.id().to_string()).collect::<Vec<_>>()
    };
    runtime
        .block_on(
            route53.create_hosted_zone().name("wonderway.com").caller_reference("theirs").send(),
        )
        .unwrap();
    let theirs = runtime.block_on(zones(route53.clone()));
    let state = tempfile::tempdir().unwrap();
    let base = "topologies/wonderway.yaml";
    let changes = plan_changes(&emulator, state.path(), base);
    assert!(!changes.iter().any(|(a, _)| a.starts_with("global/zone/")), "{changes:?}");

    crate::apply_emulator::applied(&emulator, state.path(), base);
    assert!(plan_changes(&emulator, state.path(), base).is_empty());
    assert_eq!(runtime.block_on(zones(route53.clone())), theirs, "no second zone");
    let run = wway(&emulator, state.path(), &["destroy", base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(runtime.block_on(zones(route53)), theirs, "their zone is left");
}

/// Regression: a record name that another topology holds in the same zone
/// was refused, but the message said it had no wway ownership record, and
/// a failover CNAME was said to clash with the other set identifier's.
#[test]
fn a_record_another_topology_holds_is_refused_naming_that_topology() {
    let emulator = crate::emulator::Emulator::start();
    emulator.seed_roles(&crate::emulator::topology("tests/topologies/good/shop.yaml"));
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shop = topology_copy(dir.path(), "tests/topologies/good/shop.yaml", "shop.yaml", |t| t);
    crate::apply_emulator::applied(&emulator, state.path(), shop.to_str().unwrap());
    let outlet = topology_copy(dir.path(), "tests/topologies/good/shop.yaml", "outlet.yaml", |t| {
        t.replace("name: shop\n", "name: outlet\n")
    });
    let other_state = tempfile::tempdir().unwrap();
    let run = wway(&emulator, other_state.path(), &["plan", outlet.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("api.shop.example."), "{}", run.stderr);
    assert!(run.stderr.contains("topology `shop`)"), "{}", run.stderr);
    let secondary = "`api.shop.example. CNAME failover-secondary` is held by a resource wway does \
                     not own (api.shop.example. CNAME failover-secondary, topology `shop`)";
    assert!(run.stderr.contains(secondary), "each clash names its own holder: {}", run.stderr);
    assert!(!run.stderr.contains("no wway ownership record"), "{}", run.stderr);
}

/// Regression: an unowned CloudFront distribution holding the topology's
/// alias was not found (the plan compared the alias with the distribution's
/// own name); CloudFront would refuse the create halfway through an apply.
#[test]
fn a_distribution_holding_the_alias_is_a_clash_naming_both() {
    use wway::plan::PlanError;
    use wway::state::live::{LiveState, Unowned};
    let topology = crate::emulator::topology("topologies/wonderway.yaml");
    let desired = wway::state::desired::desired(&topology).unwrap();
    let mut live = LiveState::default();
    live.unowned.push(Unowned {
        kind: wway::state::Kind::Distribution,
        name: "cdn.wonderway.com".into(),
        id: "E2THEIRS".into(),
        holder: "another distribution".into(),
        wanted_by: None,
    });
    let errors = wway::plan::plan(&desired, &live).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        matches!(&errors[0], PlanError::Clash { address, .. } if address.as_str() == "global/distribution")
    );
    let message = errors[0].to_string();
    assert!(message.contains("cdn.wonderway.com") && message.contains("E2THEIRS"), "{message}");
}

/// Regression: a zone or health check made but not yet tagged when a run
/// stopped (Ctrl-C, a lost journal, a denied tag call) was never seen again:
/// the next apply made a second one, and destroy and drift did not see it.
#[test]
fn a_zone_and_a_health_check_made_but_not_tagged_are_still_this_topologys() {
    use aws_sdk_route53::types::{HealthCheckConfig, HealthCheckType};
    let emulator = crate::emulator::Emulator::start();
    emulator.seed_roles(&crate::emulator::topology("topologies/wonderway.yaml"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let route53 = aws_sdk_route53::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    // As a run leaves them that stopped between each create and its tags.
    let stopped = wway::cloud::RunScope { topology: "wonderway", salt: "a-run-that-stopped" };
    let zone = route53.create_hosted_zone().name("wonderway.com").caller_reference(
        stopped.owned_reference(&wway::kinds::route53::zone::addr("wonderway.com")),
    );
    runtime.block_on(zone.send()).unwrap();
    let config = HealthCheckConfig::builder()
        .r#type(HealthCheckType::Https)
        .fully_qualified_domain_name("us-east-1.api.wonderway.com")
        .port(443)
        .resource_path("/health")
        .request_interval(30)
        .failure_threshold(3)
        .build()
        .unwrap();
    let check = route53
        .create_health_check()
        .caller_reference(
            stopped.owned_reference(&wway::kinds::route53::health_check::addr("us-east-1")),
        )
        .health_check_config(config);
    runtime.block_on(check.send()).unwrap();

    let state = tempfile::tempdir().unwrap();
    let base = "topologies/wonderway.yaml";
    let changes = plan_changes(&emulator, state.path(), base);
    for addr in ["global/zone/wonderway.com", "global/health-check/us-east-1"] {
        let action = changes.iter().find(|(a, _)| a == addr).map(|(_, action)| action.as_str());
        assert_eq!(action, Some("update"), "{addr} is found and tagged, not made again");
    }
    crate::apply_emulator::applied(&emulator, state.path(), base);
    assert!(plan_changes(&emulator, state.path(), base).is_empty());
    let counts = |route53: &aws_sdk_route53::Client| {
        let zones = runtime.block_on(route53.list_hosted_zones().send()).unwrap();
        let checks = runtime.block_on(route53.list_health_checks().send()).unwrap();
        (zones.hosted_zones().len(), checks.health_checks().len())
    };
    assert_eq!(counts(&route53), (1, 3), "nothing made twice");
    let run = wway(&emulator, state.path(), &["destroy", base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(counts(&route53), (0, 0), "destroy sees them");
}

/// Regression: two state folders (or a folder and a bucket) on one account
/// each made everything (two zones, two distributions, six VPCs), and each
/// run's rollback deleted what the other adopted.
#[test]
fn a_second_backend_on_the_same_account_is_refused_naming_both() {
    let Applied { emulator, state, dir: _dir, base } = wonderway_applied();
    let other = tempfile::tempdir().unwrap();
    for command in [
        vec!["apply", &base, "--auto-approve"],
        vec!["plan", &base],
        vec!["destroy", &base, "--auto-approve"],
    ] {
        let run = wway(&emulator, other.path(), &command);
        assert_eq!(run.code, 1, "{command:?}: {}\n{}", run.stdout, run.stderr);
        let (theirs, ours) =
            (state.path().display().to_string(), other.path().display().to_string());
        assert!(
            run.stderr.contains("keeps its journals and lock in local://")
                && run.stderr.contains(&theirs)
                && run.stderr.contains(&ours),
            "{command:?} names both: {}",
            run.stderr
        );
    }
    assert!(plan_changes(&emulator, state.path(), &base).is_empty(), "nothing changed");

    // Once the first backend destroyed what it made, the account is free.
    let run = wway(&emulator, state.path(), &["destroy", &base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    crate::apply_emulator::applied(&emulator, other.path(), &base);
    assert!(plan_changes(&emulator, other.path(), &base).is_empty());
}

/// Regression: a hostile file's megabytes came back in its diagnostics (a
/// long scalar in the message and in the source line shown).
#[test]
fn a_huge_value_is_not_echoed_back_in_its_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.yaml");
    std::fs::write(&file, format!("version: 1\nname: {}\nregions: {{}}\n", "n".repeat(5_000_000)))
        .unwrap();
    let (status, stderr) = validate(&file);
    assert_eq!(status, 1, "{}", &stderr[..stderr.len().min(2000)]);
    assert!(stderr.len() < 10_000, "{} bytes of diagnostics", stderr.len());
    assert!(stderr.contains("huge.yaml:2:7; the line is too long to show"), "{stderr}");
}
