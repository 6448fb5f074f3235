//! Every request wway sends, checked against AWS's own API models: the
//! WonderWay topology's whole life on the emulator (apply with the S3
//! backend, plan, drift, an edit that touches every kind, rollback,
//! destroy), recorded, then checked by `tests/tools/check_requests.py`
//! against botocore's models of each service. The emulator answers much
//! that AWS would refuse (a parameter it does not know, a value outside an
//! enum); this catches such a request before a real account does.

use std::process::Command;

use crate::apply_emulator::{applied, edited_router, topology_copy, wway};
use crate::emulator::{Emulator, project_root, topology};

/// The checker's verdict on `requests`: its report, and whether it found
/// nothing wrong.
fn checked(requests: &[String]) -> (String, bool) {
    let recording = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(recording.path(), requests.join("\n")).unwrap();
    let root = project_root();
    let output = Command::new(root.join(".emulator/venv/bin/python"))
        .current_dir(root)
        .arg("tests/tools/check_requests.py")
        .arg(recording.path())
        .output()
        .expect("run check_requests.py (scripts/emulator.sh install sets up its virtualenv)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (report, output.status.success())
}

#[tokio::test]
async fn every_request_of_a_lifecycle_is_one_the_aws_api_models_allow() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let sdk = emulator.sdk("us-east-1").await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build(),
    );
    s3.create_bucket().bucket("wonderway-state").send().await.unwrap();
    let (state, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let with_backend = |t: String| {
        t.replacen("name: wonderway\n", "name: wonderway\nbackend: s3://wonderway-state/wway\n", 1)
    };
    let base = topology_copy(dir.path(), "topologies/wonderway.yaml", "base.yaml", with_backend);
    let base = base.to_str().unwrap();
    // An edit of every kind but the network: a node group scaled, a cluster
    // upgraded, the edge function's code, a behavior added, the health
    // checks replaced (a new interval), records changed and removed.
    let (router, copy) = edited_router(dir.path());
    let edited = topology_copy(dir.path(), "topologies/wonderway.yaml", "edited.yaml", |t| {
        let t = with_backend(t)
            .replacen("          max: 50\n", "          max: 60\n", 1)
            .replacen("version: \"1.34\"", "version: \"1.35\"", 1)
            .replace(&router, &copy)
            .replace("    interval: 30\n", "    interval: 10\n")
            .replace("        VN: ap-southeast-1\n", "")
            .replace("    - name: fast.api\n      policy: latency\n", "");
        t.replace(
            "    - path: /api/*\n",
            "    - path: /images/*\n      origin: api\n      methods: read\n      ttl: {min: 0, default: 3600, max: 86400}\n    - path: /api/*\n",
        )
    });
    let edited = edited.to_str().unwrap();

    emulator.start_recording();
    applied(&emulator, state.path(), base);
    let out = dir.path().join("tf");
    let export = ["export", "terraform", base, "--with-imports", "--out", out.to_str().unwrap()];
    for args in [&["plan", base][..], &["drift", base], &export] {
        let run = wway(&emulator, state.path(), args);
        assert!(run.code == 0, "{args:?}: {}\n{}", run.stdout, run.stderr);
    }
    applied(&emulator, state.path(), edited);
    let run = wway(&emulator, state.path(), &["rollback", edited, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let run = wway(&emulator, state.path(), &["destroy", base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    emulator.advance_clock(3 * 3600);
    let run = wway(&emulator, state.path(), &["destroy", base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);

    let requests = emulator.recorded_requests();
    let (report, clean) = checked(&requests);
    eprintln!("{} requests:\n{report}", requests.len());
    assert!(clean, "requests AWS's models do not allow:\n{report}");
    for operation in [
        "ec2 CreateVpc",
        "eks CreateCluster",
        "eks UpdateClusterVersion",
        "eks CreateNodegroup",
        "lambda CreateFunction",
        "lambda UpdateFunctionCode",
        "lambda PublishVersion",
        "cloudfront CreateDistributionWithTags",
        "cloudfront UpdateDistribution",
        "route53 ChangeResourceRecordSets",
        "route53 CreateHealthCheck",
        "s3 PutObject",
        "tagging GetResources",
    ] {
        assert!(
            report.contains(&format!("{operation}: ")),
            "{operation} was not checked:\n{report}"
        );
    }
}

/// A recorded request as moto's recorder writes it, signed for `service`:
/// `target` is its X-Amz-Target, if any.
fn request(service: &str, method: &str, path: &str, target: Option<&str>, body: &str) -> String {
    let scope =
        format!("AWS4-HMAC-SHA256 Credential=AKID/20261202/us-east-1/{service}/aws4_request");
    let mut headers = serde_json::json!({"Authorization": scope});
    if let Some(target) = target {
        headers["X-Amz-Target"] = target.into();
    }
    let url = format!("http://127.0.0.1:5000{path}");
    serde_json::json!({"method": method, "url": url, "headers": headers, "body": body}).to_string()
}

fn ec2(body: &str) -> String {
    request("ec2", "POST", "/", None, &format!("Action={body}"))
}

fn tagging(body: &str) -> String {
    let target = "ResourceGroupsTaggingAPI_20170126.GetResources";
    request("tagging", "POST", "/", Some(target), body)
}

fn record_batch(kind: &str) -> String {
    let body = format!(
        "<ChangeResourceRecordSetsRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
         <ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet>\
         <Name>a.example.com</Name><Type>{kind}</Type><TTL>60</TTL><ResourceRecords>\
         <ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>\
         </ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
    );
    request("route53", "POST", "/2013-04-01/hostedzone/Z1/rrset/", None, &body)
}

#[test]
fn the_check_finds_what_the_models_do_not_allow() {
    let cluster = |body: &str| request("eks", "POST", "/clusters", None, body);
    let good = [
        ec2("CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16"),
        record_batch("A"),
        cluster(r#"{"name":"c","roleArn":"arn:r","resourcesVpcConfig":{"subnetIds":["s"]}}"#),
        tagging(r#"{"ResourceTypeFilters":["lambda:function"]}"#),
    ];
    let (report, clean) = checked(&good);
    assert!(clean, "{report}");
    let bad = [
        ec2("CreateVpc&Version=2016-11-15&CidrBlok=10.0.0.0%2F16"),
        ec2("CreateSubnet&Version=2016-11-15&CidrBlock=10.0.0.0%2F24"),
        ec2("CreateVpc&Version=2015-10-01&CidrBlock=10.0.0.0%2F16"),
        record_batch("AX"),
        cluster(r#"{"name":"c","roleArn":"arn:r","bogus":1}"#),
        request("eks", "GET", "/clusters?maxResult=5", None, ""),
        tagging(r#"{"ResourceTypeFilters":"lambda:function"}"#),
        request("lambda", "POST", "/2015-03-31/functions/f/nowhere", None, ""),
    ];
    let (report, clean) = checked(&bad);
    assert!(!clean, "{report}");
    for fault in [
        "fault: ec2 CreateVpc: parameter CidrBlok is not in CreateVpcRequest",
        "fault: ec2 CreateSubnet: required parameter VpcId is missing",
        "fault: ec2 CreateVpc: Version 2015-10-01, the model's 2016-11-15",
        "fault: route53 ChangeResourceRecordSets.ChangeBatch.Changes[0].ResourceRecordSet.Type: \
         'AX' is not one of",
        "fault: eks CreateCluster: body member bogus is not in the model",
        "fault: eks CreateCluster: required member resourcesVpcConfig is missing",
        "fault: eks ListClusters: query parameter maxResult is not in the model",
        "fault: tagging GetResources.ResourceTypeFilters: 'lambda:function' is not a list",
        "fault: lambda POST /2015-03-31/functions/f/nowhere: no operation has this path",
    ] {
        assert!(report.contains(fault), "{fault}\n{report}");
    }
}
