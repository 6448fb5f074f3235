//! What people see: the human plan and the dependency graphs, pinned as insta
//! snapshots (the edge function's code hash and the digest of the version a
//! distribution runs are filtered out, so editing the router's code does not
//! churn them).

use serde_json::json;

use wway::plan;
use wway::present::{graph, plan_text};
use wway::state::ResourceAddr;
use wway::state::desired::desired;
use wway::state::live::LiveState;

use crate::emulator::topology;

#[test]
fn a_plan_for_an_empty_account_reads_as_a_list_of_creates() {
    let desired = desired(&topology("tests/topologies/good/shop.yaml")).unwrap();
    let plan = plan::plan(&desired, &LiveState::default()).unwrap();
    let filters = vec![
        (r#""code_sha256":"[^"]+""#, r#""code_sha256":"[SHA256]""#),
        (r#""version":"[0-9a-f]+""#, r#""version":"[DIGEST]""#),
    ];
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(plan_text::render(&plan, false));
    });
}

#[test]
fn updates_replacements_and_deletes_show_their_fields() {
    let desired = desired(&topology("tests/topologies/good/shop.yaml")).unwrap();
    let mut live = LiveState::as_applied(&desired);
    let group = live.owned.get_mut(&ResourceAddr::new("us-east-1/node-group/web")).unwrap();
    group.fields.insert("max_size".into(), json!(8));
    group.fields.insert("desired_size".into(), json!(6));
    let subnet = live.owned.get_mut(&ResourceAddr::new("eu-west-1/subnet/eu-west-1b")).unwrap();
    subnet.fields.insert("cidr".into(), json!("10.2.192.0/18"));
    let mut gone = live.owned[&ResourceAddr::new("global/record/us/simple")].clone();
    gone.fields.insert("name".into(), json!("old.shop.example."));
    live.owned.insert(ResourceAddr::new("global/record/old/simple"), gone);
    let plan = plan::plan(&desired, &live).unwrap();
    insta::assert_snapshot!(plan_text::render(&plan, false));
}

/// Regression: a change inside a nested value (a distribution's behaviors,
/// a tag) was one line with both whole values, 971 characters for one
/// behavior removed. Each changed path is a line of its own, as in drift.
#[test]
fn a_change_inside_a_nested_value_shows_each_changed_path() {
    let desired = desired(&topology("tests/topologies/good/shop.yaml")).unwrap();
    let mut live = LiveState::as_applied(&desired);
    let cdn = live.owned.get_mut(&ResourceAddr::new("global/distribution")).unwrap();
    let behaviors = cdn.fields["behaviors"].as_array().unwrap().clone();
    let mut extra = behaviors[0].clone();
    extra["path"] = json!("/old/*");
    let mut live_behaviors = behaviors.clone();
    live_behaviors.push(extra);
    live_behaviors[0]["default_ttl"] = json!(5);
    cdn.fields.insert("behaviors".into(), json!(live_behaviors));
    cdn.fields.get_mut("tags").unwrap()["team"] = json!("web");
    let plan = plan::plan(&desired, &live).unwrap();
    let text = plan_text::render(&plan, false);
    let change: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("global/distribution"))
        .skip(1)
        .take_while(|l| l.starts_with("        "))
        .map(str::trim)
        .collect();
    let declared_ttl = &behaviors[0]["default_ttl"];
    let ttl = format!("behaviors[0].default_ttl: 5 -> {declared_ttl}");
    let removed = format!("behaviors[{}]: removed", behaviors.len());
    let tag = "tags.team: \"web\" -> \"storefront\"";
    assert_eq!(change, [ttl.as_str(), removed.as_str(), tag], "{text}");
    assert!(text.lines().all(|l| l.len() < 200), "{text}");
}

#[test]
fn graphs_in_dot_and_mermaid() {
    let desired = desired(&topology("tests/topologies/good/shop.yaml")).unwrap();
    insta::assert_snapshot!("dot", graph::dot(&desired));
    insta::assert_snapshot!("mermaid", graph::mermaid(&desired));
}
