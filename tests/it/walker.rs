//! The executor on the in-memory cloud (`fake.rs`): how many steps run at
//! once, what a failure stops, the order a rollback undoes in, and a second
//! run finishing what a stopped one left. Fast, and never instead of the
//! emulator tests of the same paths (apply_emulator.rs, safety.rs).

use std::sync::Arc;
use std::time::Duration;

use wway::cloud::Cloud;
use wway::exec::interrupt::Interrupt;
use wway::exec::journal::Journal;
use wway::exec::{self, Options, Report};
use wway::plan::steps::{Op, steps};
use wway::present::progress::Silent;
use wway::state::desired::{DesiredState, desired};
use wway::store::{Folder, Store};

use crate::emulator::topology;
use crate::fake::FakeCloud;

fn shop() -> DesiredState {
    desired(&topology("tests/topologies/good/shop.yaml")).unwrap()
}

/// Plans `wanted` against the fake's account and carries the plan out.
async fn apply(
    cloud: &FakeCloud,
    wanted: &DesiredState,
    parallelism: usize,
    rollback: bool,
) -> Report {
    let live = cloud.snapshot(wanted).await.unwrap();
    let plan = wway::plan::plan(wanted, &live).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(Folder { root: dir.path().into() });
    let mut journal = Journal::create(store, &plan.topology, "apply").await.unwrap();
    let options = Options { parallelism, rollback, interrupt: Interrupt::never() };
    let work = steps(plan, wanted, &live);
    exec::execute(cloud, &wanted.topology, work, live.ids(), options, &Silent, &mut journal)
        .await
        .unwrap()
}

#[tokio::test]
async fn steps_run_in_parallel_within_the_bound() {
    let wanted = shop();
    // Long enough that the per-service rate budgets (EC2: a step each 50 ms)
    // do not keep steps apart.
    let cloud = FakeCloud::slow(Duration::from_millis(300));
    let report = apply(&cloud, &wanted, 3, true).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(cloud.owned().len(), wanted.resources.len());
    assert_eq!(cloud.most_in_flight(), 3, "independent steps fill the bound, never more");
}

/// Regression: a step held its place among the `--parallelism` while it
/// only polled (on AWS a node group is CREATING for about 5 minutes), so
/// 30 node groups ran in waves of 10. A step that waits gives its place up
/// between polls: more steps wait at once than the bound, while no more
/// than the bound make requests at once.
#[tokio::test]
async fn steps_that_only_wait_do_not_hold_their_place() {
    let wanted = shop();
    let cloud = FakeCloud::waiting(Duration::from_millis(600));
    let report = apply(&cloud, &wanted, 2, true).await;
    assert!(report.succeeded(), "{report:?}");
    assert_eq!(cloud.owned().len(), wanted.resources.len());
    assert!(cloud.most_in_flight() <= 2, "requests stay within the bound");
    assert!(cloud.most_waiting() > 2, "waits do not: {} at most", cloud.most_waiting());
}

#[tokio::test]
async fn a_failure_skips_its_dependents_and_rollback_undoes_dependents_first() {
    let wanted = shop();
    let cloud = FakeCloud::refusing(&["us-east-1/eks-cluster"]);
    let report = apply(&cloud, &wanted, 4, true).await;
    let failed: Vec<String> =
        report.applied.failed.iter().map(|(s, _)| s.name.to_string()).collect();
    assert_eq!(failed, ["us-east-1/eks-cluster"]);
    let skipped: Vec<String> = report.applied.skipped.iter().map(|s| s.name.to_string()).collect();
    assert!(skipped.contains(&"us-east-1/node-group/web".to_string()), "{skipped:?}");
    assert!(
        report.applied.done.iter().any(|(s, _)| s.name.as_str() == "eu-west-1/eks-cluster"),
        "a step that does not depend on the failure runs"
    );

    let undo = report.rolled_back.expect("a failed apply rolls back");
    assert!(undo.failed.is_empty(), "{undo:?}");
    assert!(cloud.owned().is_empty(), "everything the run made is gone: {:?}", cloud.owned());
    let log = cloud.log();
    let at = |name: &str| {
        log.iter().position(|n| n == name).unwrap_or_else(|| panic!("{name}: {log:?}"))
    };
    // A wait (`#settled`) changed nothing and has no undo.
    let undone: Vec<&wway::plan::steps::Step> = report
        .applied
        .done
        .iter()
        .map(|(s, _)| s)
        .filter(|s| !matches!(s.op, Op::Settle { .. }))
        .collect();
    for step in &undone {
        for dep in step.deps.iter().filter(|d| undone.iter().any(|s| s.name == **d)) {
            assert!(
                at(&format!("undo:{}", step.name)) < at(&format!("undo:{dep}")),
                "{} is undone before {dep}, which it needed: {log:?}",
                step.name
            );
        }
    }
}

#[tokio::test]
async fn a_run_stopped_by_a_failure_is_finished_by_the_next_without_doing_anything_twice() {
    let wanted = shop();
    let mut cloud = FakeCloud::refusing(&["eu-west-1/eks-cluster"]);
    let first = apply(&cloud, &wanted, 4, false).await;
    assert!(!first.succeeded() && first.rolled_back.is_none());
    let done_first = first.applied.done.len();
    assert!(done_first > 0 && cloud.owned().len() < wanted.resources.len());

    cloud.stop_refusing();
    let second = apply(&cloud, &wanted, 4, false).await;
    assert!(second.succeeded(), "{second:?}");
    let names: Vec<String> = cloud.log();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "no step was carried out twice: {names:?}");
    assert_eq!(cloud.owned().len(), wanted.resources.len());
    let live = cloud.snapshot(&wanted).await.unwrap();
    assert!(wway::plan::plan(&wanted, &live).unwrap().is_empty(), "the account matches the file");
}
