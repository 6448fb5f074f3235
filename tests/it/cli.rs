//! The `wway` binary run as a process, as users and CI run it: exit codes,
//! what goes to stdout and what to stderr.

use std::net::TcpListener;

use assert_cmd::Command;

use crate::emulator::project_root;

fn wway() -> Command {
    let mut command = Command::cargo_bin("wway").expect("the wway binary");
    command
        .current_dir(project_root())
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("WWAY_STATE_DIR");
    command
}

fn stdout_of(command: &mut Command) -> String {
    String::from_utf8(command.assert().get_output().stdout.clone()).unwrap()
}

#[test]
fn validate_accepts_the_wonderway_topology_and_summarises_it() {
    let mut command = wway();
    command.args(["validate", "topologies/wonderway.yaml"]);
    // Its resilience goals it does not meet are warnings: the file stands.
    let assert = command.assert().success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.ends_with("warning: 8 warnings in topologies/wonderway.yaml\n"), "{stderr}");
    assert!(stderr.lines().all(|l| !l.contains("topology::")), "only resilience: {stderr}");
    insta::assert_snapshot!(stdout_of(&mut command));
}

/// A cluster without `admins` is one only its creator can reach: the file
/// stands, and validate says so on stderr.
#[test]
fn validate_warns_of_a_cluster_without_admins_and_accepts_it() {
    let assert = wway().args(["validate", "tests/topologies/good/shop.yaml"]).assert().success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!assert.get_output().stdout.is_empty(), "the summary");
    insta::assert_snapshot!(stderr);
}

/// The resilience report (issue 14): with `resilience:`, validate says
/// how long traffic takes to leave a failed region against the rto, where
/// each routed name's users go when each region fails, and what each other
/// region then carries at the spike; what falls short is a warning at the
/// line to change, and the file stands.
#[test]
fn validate_reports_what_losing_each_region_does() {
    let assert =
        wway().args(["validate", "tests/topologies/good/resilience.yaml"]).assert().success();
    let output = assert.get_output();
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let report = &stdout[stdout.find("\nresilience (").expect("the report")..];
    insta::assert_snapshot!("resilience_report", report);
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    insta::assert_snapshot!("resilience_findings", stderr);
}

/// The edge router's routing.json is the topology's, written by `wway
/// export edge-routing`: a change to the geolocation map that is not
/// carried to the CDN fails here (and `wway validate` warns of it).
#[test]
fn the_edge_routers_routing_is_written_from_the_topology() {
    let assert =
        wway().args(["export", "edge-routing", "topologies/wonderway.yaml"]).assert().success();
    let written = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let committed =
        std::fs::read_to_string(project_root().join("templates/edge-router/routing.json")).unwrap();
    assert_eq!(written, committed, "regenerate it with `wway export edge-routing`");
    let routing: serde_json::Value = serde_json::from_str(&written).unwrap();
    // Vietnam: its own record, then the default (no Asia record), then the rest.
    assert_eq!(
        routing["countries"]["VN"],
        serde_json::json!(["ap-southeast-1", "us-east-1", "eu-west-1"])
    );
    // The US is the default's region: no order of its own.
    assert!(routing["countries"].get("US").is_none(), "{written}");
    assert_eq!(routing["default"], serde_json::json!(["us-east-1", "eu-west-1", "ap-southeast-1"]));
}

/// DNS moved Vietnam to eu-west-1, the edge router's routing did not
/// follow: validate says so at the edge function's folder, and how to mend it.
#[test]
fn validate_says_where_the_cdn_and_dns_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let file = crate::apply_emulator::topology_copy(
        dir.path(),
        "topologies/wonderway.yaml",
        "moved.yaml",
        |t| t.replace("VN: ap-southeast-1", "VN: eu-west-1"),
    );
    let assert = wway().args(["validate", file.to_str().unwrap()]).assert().success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    // The report wraps its lines: compare the words.
    let words = stderr.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("resilience::edge-routing"), "{stderr}");
    assert!(
        words.contains("VN: DNS eu-west-1 > us-east-1 > ap-southeast-1, the CDN ap-southeast-1 > us-east-1 > eu-west-1"),
        "{stderr}"
    );
    assert!(words.contains("wway export edge-routing TOPOLOGY > SOURCE/routing.json"), "{stderr}");
    // The repository's own topology and template agree.
    let assert = wway().args(["validate", "topologies/wonderway.yaml"]).assert().success();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(!stderr.contains("edge-routing"), "{stderr}");
}

/// `wway drill --dry-run`: the questions a drill of ap-northeast-1 would
/// ask and the answers predicted, with no cloud call (no endpoint is set).
#[test]
fn a_dry_run_drill_predicts_every_answer_without_calling_aws() {
    let assert = wway()
        .args(["drill", "ap-northeast-1", "tests/topologies/good/resilience.yaml", "--dry-run"])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .assert()
        .success();
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    insta::assert_snapshot!("drill_dry_run", stdout);
}

/// A drill that cannot be: a region the file lacks, a bad `--client`, a
/// region no record routes to; each exit 1 before any call.
#[test]
fn a_drill_that_cannot_be_says_why_before_any_call() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["drill", "us-west-2", "tests/topologies/good/resilience.yaml"],
            "us-west-2 is not a region of topology `resil` (it has us-east-1, eu-west-1, ap-northeast-1)",
        ),
        (
            &[
                "drill",
                "us-east-1",
                "tests/topologies/good/resilience.yaml",
                "--client",
                "XX=1.2.3.4",
            ],
            "--client XX=1.2.3.4: XX is not an ISO country code",
        ),
        (
            &["drill", "eu-west-1", "tests/topologies/good/gateway.yaml"],
            "eu-west-1 has no `origin`: no record routes users to it",
        ),
    ];
    for (args, said) in cases {
        let assert =
            wway().args(args).env("AWS_ENDPOINT_URL", "http://127.0.0.1:9").assert().code(1);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
}

/// The same report as data: each name's failover time, and per region lost
/// where users go and each other region's load.
#[test]
fn validate_gives_the_resilience_report_as_json() {
    let assert = wway()
        .args(["validate", "tests/topologies/good/resilience.yaml", "--format", "json"])
        .assert()
        .success();
    let document: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let report = &document["resilience"];
    assert_eq!((report["rto_seconds"].as_u64(), report["spike"].as_u64()), (Some(120), Some(3)));
    let api = &report["failover"][0];
    assert_eq!(api["name"], "api.resil.example");
    assert_eq!((api["seconds"].as_u64(), api["within_rto"].as_bool()), (Some(150), Some(false)));
    let losses = report["losses"].as_array().unwrap();
    let regions: Vec<&str> = losses.iter().map(|l| l["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["us-east-1", "eu-west-1", "ap-northeast-1"]);
    let tokyo_lost = &losses[2];
    // Latency goes to the nearest remaining region: Tokyo's users to
    // Ireland (about 9,600 km), not Virginia (about 10,900 km).
    let fast = tokyo_lost["routes"].as_array().unwrap().iter().find(|r| r["policy"] == "latency");
    assert_eq!(fast.unwrap()["moves"][0]["to"], "eu-west-1");
    // Geolocation falls back to the country's continent record.
    let geo =
        tokyo_lost["routes"].as_array().unwrap().iter().find(|r| r["policy"] == "geolocation");
    assert_eq!(
        geo.unwrap()["moves"][0],
        serde_json::json!({"users": "JP", "to": "eu-west-1", "share": 1.0})
    );
    let us_lost = &losses[0]["load"][0];
    assert_eq!(us_lost["region"], "eu-west-1");
    assert_eq!(report["unit"], "nodes");
    let numbers = ["baseline", "absorbed", "needed", "max"].map(|k| us_lost[k].as_u64().unwrap());
    assert_eq!(numbers, [6, 4, 30, 30], "3 x (6 + 4), each group's part rounded up");
    assert_eq!(us_lost["holds"], false, "batch needs 10 of its 6");
}

#[test]
fn validate_rejects_a_bad_topology_with_exit_1_and_diagnostics_on_stderr() {
    let assert = wway()
        .args(["validate", "tests/topologies/bad/min-over-desired.yaml"])
        .assert()
        .code(1)
        .stdout("");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("tests/topologies/bad/min-over-desired.yaml:"), "{stderr}");
    assert!(stderr.contains("`min` (3) is greater than `desired` (0)"), "{stderr}");
    assert!(
        stderr.ends_with("error: 1 problem in tests/topologies/bad/min-over-desired.yaml\n"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "no colour when stderr is not a terminal: {stderr:?}");
}

#[test]
fn validate_reads_wway_yaml_by_default_and_says_when_it_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let assert = wway().current_dir(dir.path()).arg("validate").assert().code(1).stdout("");
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(stderr.starts_with("error: cannot read wway.yaml: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one clear line: {stderr}");

    std::fs::copy(
        project_root().join("tests/topologies/bad/format-version.yaml"),
        dir.path().join("wway.yaml"),
    )
    .unwrap();
    wway().current_dir(dir.path()).arg("validate").assert().code(1);
}

#[test]
fn validate_makes_no_network_call() {
    // Every AWS endpoint and proxy points at a listener of ours; nothing may connect.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    for (file, code) in
        [("topologies/wonderway.yaml", 0), ("tests/topologies/bad/several-defects.yaml", 1)]
    {
        wway()
            .args(["validate", file])
            .env("AWS_ENDPOINT_URL", &url)
            .env("HTTPS_PROXY", &url)
            .env("HTTP_PROXY", &url)
            .assert()
            .code(code);
    }
    assert!(listener.accept().is_err(), "validate connected to the network");
}

#[test]
fn help_lists_the_commands() {
    insta::assert_snapshot!(stdout_of(wway().arg("--help")));
}

#[test]
fn schema_is_json_that_rejects_unknown_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(&stdout_of(wway().arg("schema"))).expect("JSON on stdout");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["additionalProperties"], false);
    let mut objects = 0;
    walk(&schema, &mut |node| {
        if node.get("properties").is_some() {
            objects += 1;
            assert_eq!(
                node["additionalProperties"], false,
                "an object that accepts unknown fields: {node}"
            );
        }
    });
    assert!(objects > 20, "{objects} objects");
}

fn walk(node: &serde_json::Value, visit: &mut impl FnMut(&serde_json::Value)) {
    visit(node);
    match node {
        serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, visit)),
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, visit)),
        _ => {}
    }
}

/// Regression: `wway destroy ... 2>&1 | head -2` exited 101, a panic of
/// `println!` on the closed pipe. The reader going away is not a failure of
/// the command: it finishes with its own status.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    for args in [&["schema"][..], &["validate", "topologies/wonderway.yaml"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = std::process::Command::new(assert_cmd::cargo::cargo_bin("wway"))
            .current_dir(project_root())
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0), "wway {args:?} with its reader gone");
    }
}

/// Every flag of every command says what it does, and a command shows only
/// the flags it uses: no AWS endpoint or state folder on `validate`.
#[test]
fn every_flag_is_described_and_commands_show_only_their_own() {
    use clap::CommandFactory;
    fn check(command: &clap::Command, path: &str) {
        for arg in command.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "`{path}` has a flag without a description: {id}");
        }
        for sub in command.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()));
        }
    }
    let mut cli = wway::cli::Cli::command();
    cli.build();
    check(&cli, "wway");
    for offline in ["validate", "graph", "schema"] {
        let help = stdout_of(wway().args([offline, "--help"]));
        for cloud in ["--endpoint-url", "--profile", "--state-dir", "--backend", "--verbose"] {
            assert!(!help.contains(cloud), "`wway {offline} --help` shows {cloud}:\n{help}");
        }
    }
}

/// `rollback` and `force-unlock` take the topology where every other command
/// does, as the positional argument; the run to undo is an option.
#[test]
fn rollback_and_force_unlock_take_the_topology_as_their_argument() {
    let rollback = stdout_of(wway().args(["rollback", "--help"]));
    assert!(rollback.contains("Usage: wway rollback [OPTIONS] [TOPOLOGY]"), "{rollback}");
    assert!(rollback.contains("--journal <RUN>"), "{rollback}");
    let unlock = stdout_of(wway().args(["force-unlock", "--help"]));
    assert!(unlock.contains("Usage: wway force-unlock [OPTIONS] <ID> [TOPOLOGY]"), "{unlock}");
}
