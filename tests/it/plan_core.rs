//! The planner on in-memory live states (no cloud): what each kind of
//! difference between the file and the account becomes in the plan.

use std::collections::BTreeMap;

use serde_json::json;

use wway::plan::{self, Action, PlanError};
use wway::state::desired::{DesiredState, desired};
use wway::state::live::{Health, LiveResource, LiveState, Unhealthy, Unowned};
use wway::state::{Kind, ResourceAddr};

use crate::emulator::topology;

fn wonderway() -> DesiredState {
    desired(&topology("topologies/wonderway.yaml")).expect("package the edge function")
}

fn addr(text: &str) -> ResourceAddr {
    ResourceAddr::new(text)
}

fn actions(plan: &plan::Plan) -> BTreeMap<String, Action> {
    plan.changes.iter().map(|c| (c.address.to_string(), c.action)).collect()
}

#[test]
fn an_empty_account_gets_every_resource_created_in_dependency_order() {
    let desired = wonderway();
    let plan = plan::plan(&desired, &LiveState::default()).unwrap();
    assert_eq!(plan.changes.len(), desired.resources.len());
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));
    let position = |a: &str| plan.changes.iter().position(|c| c.address.as_str() == a).unwrap();
    assert!(position("us-east-1/vpc") < position("us-east-1/subnet/us-east-1a"));
    assert!(position("us-east-1/subnet/us-east-1c") < position("us-east-1/eks-cluster"));
    assert!(position("us-east-1/eks-cluster") < position("us-east-1/node-group/general"));
    assert!(position("us-east-1/edge-function/edge-router") < position("global/distribution"));
    assert!(position("global/distribution") < position("global/record/cdn/simple"));
    assert!(
        position("global/health-check/eu-west-1")
            < position("global/record/api/failover-secondary")
    );
    let summary = plan.summary();
    assert_eq!(
        (summary.create, summary.update, summary.replace, summary.delete),
        (desired.resources.len(), 0, 0, 0)
    );
}

#[test]
fn the_wonderway_topology_has_the_resources_the_spec_names() {
    let desired = wonderway();
    let count = |kind: Kind| desired.resources.values().filter(|r| r.kind == kind).count();
    assert_eq!(count(Kind::Vpc), 3);
    // A private and a public subnet in each of 3 zones of 3 regions.
    assert_eq!(count(Kind::Subnet), 18);
    assert_eq!((count(Kind::InternetGateway), count(Kind::VpcEndpoint)), (3, 3));
    // A NAT gateway with its IP per zone, a public table and one per zone.
    assert_eq!((count(Kind::ElasticIp), count(Kind::NatGateway)), (9, 9));
    assert_eq!(count(Kind::RouteTable), 12);
    assert_eq!((count(Kind::EksCluster), count(Kind::AccessEntry)), (3, 3));
    assert_eq!(count(Kind::NodeGroup), 6);
    assert_eq!(count(Kind::HealthCheck), 3);
    // failover 2 + geolocation 18 + latency 3 + cdn alias 1
    assert_eq!(count(Kind::Record), 24);
    assert_eq!(
        (count(Kind::Zone), count(Kind::EdgeFunction), count(Kind::Distribution)),
        (1, 1, 1)
    );
    for name in [
        "global/record/api/failover-primary",
        "global/record/geo.api/geo-default",
        "global/record/geo.api/geo-JP",
    ] {
        assert!(desired.resources.contains_key(&addr(name)), "{name}");
    }
}

#[test]
fn an_applied_account_needs_nothing() {
    let desired = wonderway();
    let plan = plan::plan(&desired, &LiveState::as_applied(&desired)).unwrap();
    assert!(plan.is_empty(), "{:?}", actions(&plan));
    assert_eq!(plan.fingerprints.len(), desired.resources.len());
}

#[test]
fn the_autoscaler_and_others_tags_are_not_changes() {
    let desired = wonderway();
    let mut live = LiveState::as_applied(&desired);
    let group = live.owned.get_mut(&addr("us-east-1/node-group/general")).unwrap();
    group.fields.insert("desired_size".into(), json!(37));
    let vpc = live.owned.get_mut(&addr("eu-west-1/vpc")).unwrap();
    vpc.fields.get_mut("tags").unwrap()["cost-center"] = json!("1234");
    assert!(plan::plan(&desired, &live).unwrap().is_empty());

    // Outside [min, max] the desired size is wrong again.
    let group = live.owned.get_mut(&addr("us-east-1/node-group/general")).unwrap();
    group.fields.insert("desired_size".into(), json!(80));
    let plan = plan::plan(&desired, &live).unwrap();
    assert_eq!(
        actions(&plan),
        BTreeMap::from([("us-east-1/node-group/general".to_string(), Action::Update)])
    );
    assert_eq!(plan.changes[0].changed[0].field, "desired_size");
}

#[test]
fn in_place_changes_update_and_fixed_fields_replace() {
    let desired = wonderway();
    let mut live = LiveState::as_applied(&desired);
    live.owned
        .get_mut(&addr("eu-west-1/node-group/general"))
        .unwrap()
        .fields
        .insert("max_size".into(), json!(40));
    live.owned
        .get_mut(&addr("ap-southeast-1/node-group/compute-intensive"))
        .unwrap()
        .fields
        .insert("instance_types".into(), json!(["c5.2xlarge"]));
    let plan = plan::plan(&desired, &live).unwrap();
    let update =
        plan.changes.iter().find(|c| c.address.as_str() == "eu-west-1/node-group/general").unwrap();
    assert_eq!(update.action, Action::Update);
    assert_eq!(
        (update.changed[0].before.clone(), update.changed[0].after.clone()),
        (json!(40), json!(50))
    );
    let replace = plan
        .changes
        .iter()
        .find(|c| c.kind == Kind::NodeGroup && c.action == Action::Replace)
        .unwrap();
    assert_eq!(replace.replace_because, ["instance_types"]);
    assert!(replace.create_before_destroy);
}

#[test]
fn a_replaced_vpc_replaces_what_is_built_on_it() {
    let desired = wonderway();
    let mut live = LiveState::as_applied(&desired);
    live.owned
        .get_mut(&addr("us-east-1/vpc"))
        .unwrap()
        .fields
        .insert("cidr".into(), json!("10.99.0.0/16"));
    let plan = plan::plan(&desired, &live).unwrap();
    let replaced: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Replace)
        .map(|c| c.address.as_str())
        .collect();
    // The VPC, its gateway, 6 subnets, the 3 NAT gateways in them (their
    // addresses stay), 4 route tables, the endpoint, the cluster, its admin's
    // entry, 2 groups, 4 add-ons.
    assert_eq!(replaced.len(), 1 + 1 + 6 + 3 + 4 + 1 + 1 + 1 + 2 + 4, "{replaced:?}");
    assert!(replaced.iter().all(|a| a.starts_with("us-east-1/")));
    let subnet =
        plan.changes.iter().find(|c| c.address.as_str() == "us-east-1/subnet/us-east-1b").unwrap();
    assert_eq!(subnet.replace_because, ["us-east-1/vpc is replaced"]);
    assert!(subnet.before.is_some());
}

#[test]
fn owned_resources_no_longer_declared_are_deleted_dependents_first() {
    let desired = wonderway();
    let mut live = LiveState::as_applied(&desired);
    let extra = [
        ("us-west-2/vpc", Kind::Vpc, vec![]),
        ("us-west-2/subnet/us-west-2a", Kind::Subnet, vec!["us-west-2/vpc"]),
    ];
    for (a, kind, deps) in extra {
        let deps = deps.into_iter().map(addr).collect();
        live.owned.insert(
            addr(a),
            LiveResource {
                kind,
                id: a.into(),
                fields: Default::default(),
                deps,
                fingerprint: "f".into(),
                unhealthy: None,
            },
        );
    }
    let plan = plan::plan(&desired, &live).unwrap();
    let order: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(order, ["us-west-2/subnet/us-west-2a", "us-west-2/vpc"]);
    assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
    assert_eq!(plan.changes[1].depends_on, [addr("us-west-2/subnet/us-west-2a")]);
}

#[test]
fn a_failed_resource_is_replaced_and_a_degraded_one_only_reported() {
    let desired = wonderway();
    let mut live = LiveState::as_applied(&desired);
    let said = |health, reason: &str| Some(Unhealthy { health, reason: reason.into() });
    let failed = addr("us-east-1/node-group/general");
    let degraded = addr("eu-west-1/node-group/general");
    live.owned.get_mut(&failed).unwrap().unhealthy = said(Health::Failed, "CREATE_FAILED");
    live.owned.get_mut(&degraded).unwrap().unhealthy = said(Health::Degraded, "DEGRADED");
    let plan = plan::plan(&desired, &live).unwrap();
    let changed: Vec<(&str, Action)> =
        plan.changes.iter().map(|c| (c.address.as_str(), c.action)).collect();
    assert_eq!(changed, [(failed.as_str(), Action::Replace)]);
    assert_eq!(plan.changes[0].replace_because, ["AWS says it failed: CREATE_FAILED"]);
    let reported: Vec<(&str, Health)> =
        plan.unhealthy.iter().map(|u| (u.address.as_str(), u.unhealthy.health)).collect();
    assert_eq!(
        reported,
        [(degraded.as_str(), Health::Degraded), (failed.as_str(), Health::Failed)]
    );
}

/// A function already on a runtime Lambda has closed is left alone while
/// nothing of it changes; a change to it, or a new one, is refused.
#[test]
fn a_closed_runtime_stops_only_the_plans_that_would_write_it() {
    let mut desired = wonderway();
    let function = addr("us-east-1/edge-function/edge-router");
    let fields = &mut desired.resources.get_mut(&function).unwrap().fields;
    fields.insert("runtime".into(), json!("nodejs20.x"));
    let mut live = LiveState::as_applied(&desired);
    let facts = wway::state::live::RegionFacts {
        availability_zones: ["a", "b", "c"].map(|z| format!("us-east-1{z}")).to_vec(),
        offered_instance_types: vec!["c5.4xlarge".into(), "m5.2xlarge".into()],
        eks_versions: vec!["1.34".into()],
        today: "2026-12-02".into(),
        addons: None,
        vcpus: Default::default(),
        quotas: Default::default(),
    };
    live.regions.insert("us-east-1".into(), facts);
    let unchanged = plan::plan(&desired, &live);
    assert!(unchanged.is_ok(), "an unchanged function is not refused: {unchanged:?}");

    let fields = &mut desired.resources.get_mut(&function).unwrap().fields;
    fields.insert("timeout".into(), json!(4));
    let errors = plan::plan(&desired, &live).unwrap_err();
    let said: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        said,
        [
            "us-east-1: Lambda takes no change to a function on nodejs20.x since 2026-09-30 (us-east-1/edge-function/edge-router): choose a newer runtime"
        ]
    );

    live.owned.remove(&function);
    let said = plan::plan(&desired, &live).unwrap_err()[0].to_string();
    assert!(said.contains("Lambda takes no new function on nodejs20.x since 2026-08-31"), "{said}");
}

#[test]
fn a_name_held_by_someone_else_is_an_error_and_an_existing_zone_is_used() {
    let desired = wonderway();
    let mut live = LiveState::default();
    live.unowned.push(Unowned {
        kind: Kind::EksCluster,
        name: "wonderway-eu-west-1".into(),
        id: "wonderway-eu-west-1".into(),
        holder: "no wway tags".into(),
        wanted_by: None,
    });
    live.unowned.push(Unowned {
        kind: Kind::Zone,
        name: "wonderway.com".into(),
        id: "Z123".into(),
        holder: "no wway tags".into(),
        wanted_by: Some(wway::kinds::route53::zone::addr("wonderway.com")),
    });
    let errors = plan::plan(&desired, &live).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        matches!(&errors[0], PlanError::Clash { address, .. } if address.as_str() == "eu-west-1/eks-cluster")
    );
    assert_eq!(
        errors[0].to_string(),
        "eu-west-1/eks-cluster: the eks-cluster name `wonderway-eu-west-1` is held by a resource wway does not own (wonderway-eu-west-1, no wway tags)"
    );

    live.unowned.remove(0);
    let plan = plan::plan(&desired, &live).unwrap();
    assert!(
        !plan.changes.iter().any(|c| c.kind == Kind::Zone),
        "an existing zone is used, not created"
    );
}

/// A converged WonderWay account, as wway read it from the emulator
/// (regenerate with `cargo test --test it regenerate_live_fixture -- --ignored`).
fn converged_fixture(desired: &DesiredState) -> LiveState {
    let path = crate::emulator::project_root().join("fixtures/live/wonderway-converged.json");
    let mut live: LiveState =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("a LiveState");
    // The fixture holds the edge router's code hash of the day it was made
    // (and the digest of the version the distribution runs, which includes
    // it); use today's, so editing the router does not make the fixture stale.
    let code =
        desired.resources[&addr("us-east-1/edge-function/edge-router")].fields["code_sha256"]
            .clone();
    let function = live.owned.get_mut(&addr("us-east-1/edge-function/edge-router")).unwrap();
    function.fields.insert("code_sha256".into(), code);
    let runs = |fields: &wway::kinds::Fields| {
        fields["default_behavior"]["edge_functions"][0]["version"].clone()
    };
    let version = runs(&desired.resources[&addr("global/distribution")].fields);
    let distribution = live.owned.get_mut(&addr("global/distribution")).unwrap();
    distribution.fields.get_mut("default_behavior").unwrap()["edge_functions"][0]["version"] =
        version;
    live
}

#[test]
fn a_converged_account_read_from_a_fixture_needs_nothing() {
    let desired = wonderway();
    let live = converged_fixture(&desired);
    assert_eq!(live.owned.len(), 114);
    let plan = plan::plan(&desired, &live).unwrap();
    assert!(plan.is_empty(), "{:?}", actions(&plan));
}

/// WonderWay with eu-west-1's general node group able to grow to 80, and
/// Vietnam dropped from the geolocation record.
fn scaled_without_vietnam() -> wway::topology::Topology {
    let mut topology = topology("topologies/wonderway.yaml");
    let region = topology.regions.iter_mut().find(|r| *r.name == "eu-west-1").unwrap();
    region.cluster.node_groups[0].max = 80;
    let dns = topology.dns.as_mut().unwrap();
    if let wway::topology::model::Routing::Geolocation(locations) = &mut dns.records[1].routing {
        locations.retain(|(location, _)| {
            *location != wway::topology::model::Location::Country("VN".into())
        });
    }
    topology
}

#[test]
fn file_edits_against_the_fixture_are_exactly_those_changes() {
    // Scale a node group, drop a geolocation entry, add a cache behavior.
    let mut topology = scaled_without_vietnam();
    let cdn = topology.cdn.as_mut().unwrap();
    let mut images = cdn.behaviors[0].clone();
    images.path = Some("/images/*".into());
    cdn.behaviors.push(images);

    let desired = desired(&topology).unwrap();
    let plan = plan::plan(&desired, &converged_fixture(&desired)).unwrap();
    assert_eq!(
        actions(&plan),
        BTreeMap::from([
            ("eu-west-1/node-group/general".to_string(), Action::Update),
            ("global/distribution".to_string(), Action::Update),
            ("global/record/geo.api/geo-VN".to_string(), Action::Delete),
        ])
    );
    let distribution = plan.changes.iter().find(|c| c.kind == Kind::Distribution).unwrap();
    let fields: Vec<&str> = distribution.changed.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["behaviors"]);
}

#[test]
fn steps_seen_half_done_are_judged_by_the_live_account() {
    use wway::exec::rollback::took_effect;
    use wway::plan::steps::steps;

    let wanted = wonderway();
    let empty = LiveState::default();
    let converged = converged_fixture(&wanted);
    let creates = steps(plan::plan(&wanted, &empty).unwrap(), &wanted, &empty);
    for step in &creates {
        assert_eq!(took_effect(step, &empty), None, "{}", step.name);
        if matches!(step.op, wway::plan::steps::Op::Settle { .. }) {
            // A wait changed nothing, so it has nothing to undo.
            assert_eq!(took_effect(step, &converged), None, "{}", step.name);
            continue;
        }
        let made = took_effect(step, &converged).unwrap_or_else(|| panic!("{}", step.name));
        if let Some((addr, id)) = made.ids.iter().next() {
            assert_eq!(id, &converged.owned[addr].id, "{}", step.name);
        }
    }
    let nothing = DesiredState { topology: wanted.topology.clone(), ..Default::default() };
    let deletes = steps(plan::plan(&nothing, &converged).unwrap(), &nothing, &converged);
    // As many as the creates but the wait for the distribution's deployment.
    assert_eq!(deletes.len(), creates.len() - 1);
    for step in &deletes {
        assert_eq!(took_effect(step, &converged), None, "{}", step.name);
        assert!(took_effect(step, &empty).is_some(), "{}", step.name);
    }

    // An edit: a node group scaled, a geolocation record removed.
    let edited = desired(&scaled_without_vietnam()).unwrap();
    let edits = steps(plan::plan(&edited, &converged).unwrap(), &edited, &converged);
    assert_eq!(edits.len(), 2, "{edits:?}");
    let mut after = converged.clone();
    let group = after.owned.get_mut(&addr("eu-west-1/node-group/general")).unwrap();
    group.fields.insert("max_size".into(), json!(80));
    after.owned.remove(&addr("global/record/geo.api/geo-VN"));
    for step in &edits {
        assert_eq!(took_effect(step, &converged), None, "{}", step.name);
        assert!(took_effect(step, &after).is_some(), "{}", step.name);
    }
}

#[test]
fn drift_tells_missing_from_unapplied_by_history_and_keeps_rule_reasons() {
    use std::collections::BTreeSet;
    use wway::plan::drift::{Class, drift};
    use wway::topology::model::DriftIgnore;

    let wanted = wonderway();
    let mut live = converged_fixture(&wanted);
    let gone = addr("eu-west-1/node-group/compute-intensive");
    live.owned.remove(&gone);
    let plan = plan::plan(&wanted, &live).unwrap();
    let everything: BTreeSet<ResourceAddr> = wanted.resources.keys().cloned().collect();
    let mut never_made = everything.clone();
    never_made.remove(&gone);
    let class = |made: Option<&BTreeSet<ResourceAddr>>| {
        let found = drift(&plan, made, &[]);
        assert_eq!(found.items.len(), 1);
        (found.items[0].class, found.drifted())
    };
    assert_eq!(class(Some(&everything)), (Class::Missing, true));
    assert_eq!(class(None), (Class::Missing, true), "no history: a deletion is not hidden");
    assert_eq!(class(Some(&never_made)), (Class::Unapplied, false));

    let rule = DriftIgnore {
        address: "*/node-group/*".into(),
        fields: Vec::new(),
        reason: "groups come and go with the batch jobs".into(),
    };
    let ruled = drift(&plan, Some(&everything), &[rule]);
    assert!(!ruled.drifted());
    assert_eq!(ruled.items[0].ignored.as_deref(), Some("groups come and go with the batch jobs"));
}
