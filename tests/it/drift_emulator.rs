//! `wway drift` against the emulator: quiet after an apply; each kind of
//! out-of-band edit made with the SDK (a node group's max size, a deleted
//! record, a CloudFront TTL, a deleted node group, a stray resource carrying
//! the ownership tag) found and classified, the autoscaler's desired size
//! not; ignore rules keep their reasons; the three formats; quiet again
//! after `wway apply`.

use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, Tag};
use serde_json::Value;

use crate::apply_emulator::{Applied, applied, topology_copy, wonderway_applied, wway};
use crate::emulator::Emulator;

/// Sets the general node group's scaling in `region`, as someone with the
/// console (or the cluster autoscaler) would.
async fn scale(emulator: &Emulator, region: &str, (min, desired, max): (i32, i32, i32)) {
    let eks = aws_sdk_eks::Client::new(&emulator.sdk(region).await);
    let scaling = aws_sdk_eks::types::NodegroupScalingConfig::builder()
        .min_size(min)
        .desired_size(desired)
        .max_size(max)
        .build();
    eks.update_nodegroup_config()
        .cluster_name(format!("wonderway-{region}"))
        .nodegroup_name("general")
        .scaling_config(scaling)
        .send()
        .await
        .unwrap();
}

async fn edit_behind_wways_back(emulator: &Emulator) {
    scale(emulator, "eu-west-1", (5, 10, 80)).await;
    // The autoscaler's move, inside [min, max]: not drift.
    scale(emulator, "us-east-1", (5, 37, 50)).await;
    let eks_ap = aws_sdk_eks::Client::new(&emulator.sdk("ap-southeast-1").await);
    eks_ap
        .delete_nodegroup()
        .cluster_name("wonderway-ap-southeast-1")
        .nodegroup_name("compute-intensive")
        .send()
        .await
        .unwrap();

    let route53 = aws_sdk_route53::Client::new(&emulator.sdk("us-east-1").await);
    let zones = route53.list_hosted_zones().send().await.unwrap();
    let zone = zones.hosted_zones().iter().find(|z| z.name() == "wonderway.com.").unwrap();
    let records =
        route53.list_resource_record_sets().hosted_zone_id(zone.id()).send().await.unwrap();
    let vietnam = records
        .resource_record_sets()
        .iter()
        .find(|r| r.set_identifier() == Some("geo-VN"))
        .expect("the VN record")
        .clone();
    let delete = Change::builder().action(ChangeAction::Delete).resource_record_set(vietnam);
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone.id())
        .change_batch(ChangeBatch::builder().changes(delete.build().unwrap()).build().unwrap())
        .send()
        .await
        .unwrap();
    // Someone copies a health check, ownership tags and all.
    let config = aws_sdk_route53::types::HealthCheckConfig::builder()
        .r#type(aws_sdk_route53::types::HealthCheckType::Https)
        .fully_qualified_domain_name("stray.api.wonderway.com")
        .port(443)
        .resource_path("/health")
        .build()
        .unwrap();
    let stray = route53
        .create_health_check()
        .caller_reference("copied-by-hand")
        .health_check_config(config)
        .send()
        .await
        .unwrap();
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build();
    route53
        .change_tags_for_resource()
        .resource_type(aws_sdk_route53::types::TagResourceType::Healthcheck)
        .resource_id(stray.health_check().unwrap().id())
        .add_tags(tag("wway:topology", "wonderway"))
        .add_tags(tag("wway:id", "global/health-check/stray"))
        .send()
        .await
        .unwrap();

    let cloudfront = aws_sdk_cloudfront::Client::new(&emulator.sdk("us-east-1").await);
    let listed = cloudfront.list_distributions().send().await.unwrap();
    let id = listed.distribution_list().unwrap().items()[0].id().to_string();
    let current = cloudfront.get_distribution_config().id(&id).send().await.unwrap();
    let mut config = current.distribution_config().unwrap().clone();
    let mut behavior = config.default_cache_behavior.clone().unwrap();
    // The legacy TTL fields, which wway's distributions use (no cache policy).
    #[allow(deprecated)]
    {
        behavior.default_ttl = Some(60);
    }
    config.default_cache_behavior = Some(behavior);
    cloudfront
        .update_distribution()
        .id(&id)
        .if_match(current.e_tag().unwrap())
        .distribution_config(config)
        .send()
        .await
        .unwrap();
}

fn classes(report: &Value) -> Vec<(String, String)> {
    let items = report["items"].as_array().unwrap();
    items
        .iter()
        .map(|i| (i["address"].as_str().unwrap().into(), i["class"].as_str().unwrap().into()))
        .collect()
}

#[tokio::test]
async fn out_of_band_edits_are_found_classified_and_gone_after_apply() {
    let Applied { emulator, state, dir, base } = wonderway_applied();
    let quiet = wway(&emulator, state.path(), &["drift", &base]);
    assert_eq!(quiet.code, 0, "{}\n{}", quiet.stdout, quiet.stderr);
    assert_eq!(quiet.stdout, "No drift: the account matches topology `wonderway`.\n");

    edit_behind_wways_back(&emulator).await;
    let human = wway(&emulator, state.path(), &["drift", &base]);
    assert_eq!(human.code, 2, "{}\n{}", human.stdout, human.stderr);
    insta::assert_snapshot!("drift_human", human.stdout);

    let json = wway(&emulator, state.path(), &["drift", &base, "--format", "json"]);
    assert_eq!(json.code, 2);
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let expected = [
        ("ap-southeast-1/node-group/compute-intensive", "missing"),
        ("eu-west-1/node-group/general", "changed"),
        ("global/distribution", "changed"),
        ("global/health-check/stray", "unmanaged"),
        ("global/record/geo.api/geo-VN", "missing"),
    ];
    let expected: Vec<(String, String)> =
        expected.iter().map(|(a, c)| (a.to_string(), c.to_string())).collect();
    assert_eq!(classes(&report), expected, "{:#}", report);
    let group = &report["items"][1]["fields"];
    assert_eq!(group, &serde_json::json!([{"path": "max_size", "declared": 50, "live": 80}]));
    let ttl = &report["items"][2]["fields"];
    assert_eq!(
        ttl,
        &serde_json::json!([{"path": "default_behavior.default_ttl", "declared": 300, "live": 60}])
    );
    assert_eq!(report["summary"]["changed"], 2);
    assert_eq!(report["format_version"], 1);

    // A rule for what the team scales by hand: ignored, with its reason.
    let ruled = topology_copy(dir.path(), "topologies/wonderway.yaml", "ruled.yaml", |t| {
        t.replacen(
            "\nregions:",
            "\ndrift:\n  ignore:\n    - address: \"*/node-group/general\"\n      fields: [max_size]\n      reason: on-call raises the ceiling in incidents\n\nregions:",
            1,
        )
    });
    let ruled = ruled.to_str().unwrap();
    let run = wway(&emulator, state.path(), &["drift", ruled]);
    assert_eq!(run.code, 2, "the other drift remains: {}", run.stderr);
    assert!(
        run.stdout.contains(
            "    max_size: declared 50, live 80 (ignored: on-call raises the ceiling in incidents)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("(1 changed, 2 missing, 1 unmanaged, 0 unhealthy); 1 ignored by rules.\n")
    );

    let metrics = dir.path().join("wway.prom");
    let metrics_arg = metrics.to_str().unwrap();
    let prom = ["drift", &base, "--format", "prometheus", "--output", metrics_arg];
    assert_eq!(wway(&emulator, state.path(), &prom).code, 2);
    let text = std::fs::read_to_string(&metrics).unwrap();
    for line in [
        "wway_drift_resources{topology=\"wonderway\",kind=\"node-group\",class=\"changed\"} 1\n",
        "wway_drift_resources{topology=\"wonderway\",kind=\"node-group\",class=\"missing\"} 1\n",
        "wway_drift_resources{topology=\"wonderway\",kind=\"record\",class=\"missing\"} 1\n",
        "wway_drift_resources{topology=\"wonderway\",kind=\"health-check\",class=\"unmanaged\"} 1\n",
        "wway_drift_resources{topology=\"wonderway\",kind=\"vpc\",class=\"changed\"} 0\n",
        "wway_drift_check_success{topology=\"wonderway\"} 1\n",
        "# TYPE wway_drift_last_run_timestamp_seconds gauge\n",
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3, "no temporary file left");

    applied(&emulator, state.path(), &base);
    let after = wway(&emulator, state.path(), &["drift", &base]);
    assert_eq!(after.code, 0, "{}", after.stdout);
}

#[test]
fn a_check_that_cannot_run_exits_1_and_says_so_in_its_metrics() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("wway.prom");
    let args = [
        "drift",
        "topologies/wonderway.yaml",
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--format",
        "prometheus",
        "--output",
        metrics.to_str().unwrap(),
    ];
    let run = wway(&emulator, dir.path(), &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    let text = std::fs::read_to_string(&metrics).unwrap();
    assert!(text.contains("wway_drift_check_success{topology=\"wonderway\"} 0\n"), "{text}");
    assert!(!text.contains("wway_drift_resources"), "{text}");
}
