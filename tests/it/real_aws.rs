//! Defects found by reviewing wway against how real AWS behaves
//! (REAL-AWS.md, section 2), each reproduced first against the emulator.

use crate::apply_emulator::{applied, plan_changes, wonderway_edited, wway};
use crate::emulator::{Emulator, topology};

/// The id of the one distribution in the account.
fn the_distribution(
    runtime: &tokio::runtime::Runtime,
    cloudfront: &aws_sdk_cloudfront::Client,
) -> String {
    let listed = runtime.block_on(cloudfront.list_distributions().send()).unwrap();
    listed.distribution_list().unwrap().items()[0].id().to_string()
}

/// The zones named `wonderway.com.`: (id, private, record sets).
fn zones_named(
    runtime: &tokio::runtime::Runtime,
    route53: &aws_sdk_route53::Client,
) -> Vec<(String, bool, usize)> {
    let zones = runtime.block_on(route53.list_hosted_zones().send()).unwrap();
    let named = zones.hosted_zones().iter().filter(|z| z.name() == "wonderway.com.");
    named
        .map(|z| {
            let sets = route53.list_resource_record_sets().hosted_zone_id(z.id());
            let sets = runtime.block_on(sets.send()).unwrap().resource_record_sets().len();
            let private = z.config().is_some_and(|c| c.private_zone());
            (z.id().to_string(), private, sets)
        })
        .collect()
}

/// Regression: the zone lookup took the first zone of the name, which can be
/// a private zone (one a VPC resolves internally): the topology's records went
/// into it, where the internet never sees them, and no public zone was made.
#[test]
fn a_private_zone_of_the_same_name_is_never_picked() {
    use aws_sdk_route53::types::{HostedZoneConfig, Vpc, VpcRegion};
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = runtime.block_on(emulator.sdk("us-east-1"));
    let (route53, ec2) = (aws_sdk_route53::Client::new(&config), aws_sdk_ec2::Client::new(&config));
    let vpc = runtime.block_on(ec2.create_vpc().cidr_block("10.99.0.0/16").send()).unwrap();
    let vpc = vpc.vpc().and_then(|v| v.vpc_id()).unwrap().to_string();
    let private = route53
        .create_hosted_zone()
        .name("wonderway.com")
        .caller_reference("an-internal-zone")
        .vpc(Vpc::builder().vpc_region(VpcRegion::UsEast1).vpc_id(vpc).build())
        .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build());
    runtime.block_on(private.send()).unwrap();
    let before = zones_named(&runtime, &route53);
    assert_eq!(before.len(), 1);

    let state = tempfile::tempdir().unwrap();
    let base = "topologies/wonderway.yaml";
    let changes = plan_changes(&emulator, state.path(), base);
    let zone = changes.iter().find(|(a, _)| a == "global/zone/wonderway.com");
    assert_eq!(zone.map(|(_, action)| action.as_str()), Some("create"), "{changes:?}");

    applied(&emulator, state.path(), base);
    assert!(plan_changes(&emulator, state.path(), base).is_empty());
    let after = zones_named(&runtime, &route53);
    assert!(after.contains(&before[0]), "the private zone is as it was: {after:?}");
    let public: Vec<_> = after.iter().filter(|(_, private, _)| !private).collect();
    assert_eq!(public.len(), 1, "{after:?}");
    assert!(public[0].2 > 2, "the records are in the public zone: {after:?}");

    let run = wway(&emulator, state.path(), &["destroy", base, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(zones_named(&runtime, &route53), before, "destroy leaves the private zone");
}

/// The node groups of a cluster: (name, instance types).
fn node_groups(
    runtime: &tokio::runtime::Runtime,
    eks: &aws_sdk_eks::Client,
    cluster: &str,
) -> Vec<(String, Vec<String>)> {
    let names = runtime.block_on(eks.list_nodegroups().cluster_name(cluster).send()).unwrap();
    let mut groups: Vec<(String, Vec<String>)> = names
        .nodegroups()
        .iter()
        .map(|name| {
            let described = eks.describe_nodegroup().cluster_name(cluster).nodegroup_name(name);
            let group = runtime.block_on(described.send()).unwrap();
            let types = group.nodegroup().map(|g| g.instance_types().to_vec()).unwrap_or_default();
            (name.clone(), types)
        })
        .collect();
    groups.sort();
    groups
}

/// Regression: a node group replaced create-before-destroy kept its name, so
/// the create met the old group ("already exists"), took it up as the new
/// one by its tags, and the old group's delete then removed the only group:
/// the cluster was left without nodes. The new group now has a name of its
/// own (`general-<8 hex>`) and runs beside the old one until it goes.
#[test]
fn a_replaced_node_group_runs_beside_the_old_one_until_it_goes() {
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let edited = &wonderway_edited(&account, "edited.yaml", |t| {
        t.replacen("instance_types: [m5.2xlarge]", "instance_types: [m6i.2xlarge]", 1)
    });
    let changes = plan_changes(emulator, state, edited);
    assert_eq!(changes, [("us-east-1/node-group/general".to_string(), "replace".to_string())]);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let eks = aws_sdk_eks::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let cluster = "wonderway-us-east-1";
    applied(emulator, state, edited);
    let groups = node_groups(&runtime, &eks, cluster);
    assert_eq!(groups.len(), 2, "{groups:?}");
    let (name, types) = groups.iter().find(|(n, _)| n.starts_with("general")).unwrap();
    assert!(name.starts_with("general-") && name.len() == "general-".len() + 8, "{name}");
    assert_eq!(types, &["m6i.2xlarge".to_string()]);
    assert!(plan_changes(emulator, state, edited).is_empty(), "the replacement is the group");

    // Replaced again, from a suffixed name to another.
    let again = &wonderway_edited(&account, "again.yaml", |t| {
        t.replacen("instance_types: [m5.2xlarge]", "instance_types: [m7i.2xlarge]", 1)
    });
    applied(emulator, state, again);
    let after = node_groups(&runtime, &eks, cluster);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(!after.iter().any(|(n, _)| n == name), "the first replacement is gone: {after:?}");
    assert!(plan_changes(emulator, state, again).is_empty());
}

/// Regression: a VPC replaced create-before-destroy (a new address block)
/// looked for what an earlier attempt had made by its ownership tags, found
/// the old VPC (it carries the same ones), and took it up as the new one:
/// the subnets and the cluster were replaced inside the VPC that was then
/// deleted. A replacement never takes up the resource it replaces.
#[test]
fn a_replaced_vpc_is_a_new_vpc() {
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ec2 = aws_sdk_ec2::Client::new(&runtime.block_on(emulator.sdk("eu-west-1")));
    let vpcs = |ec2: &aws_sdk_ec2::Client| {
        let tagged =
            aws_sdk_ec2::types::Filter::builder().name("tag:wway:id").values("eu-west-1/vpc");
        let found = runtime.block_on(ec2.describe_vpcs().filters(tagged.build()).send()).unwrap();
        let vpcs = found.vpcs().iter();
        vpcs.map(|v| (v.vpc_id().unwrap().to_string(), v.cidr_block().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    let old = vpcs(&ec2);
    assert_eq!(old.len(), 1);
    let edited = &wonderway_edited(&account, "edited.yaml", |t| {
        t.replace("cidr: 10.20.0.0/16", "cidr: 10.21.0.0/16")
    });
    let changes = plan_changes(emulator, state, edited);
    let vpc = changes.iter().find(|(a, _)| a == "eu-west-1/vpc");
    assert_eq!(vpc.map(|(_, action)| action.as_str()), Some("replace"), "{changes:?}");

    applied(emulator, state, edited);
    let new = vpcs(&ec2);
    assert_eq!(new.len(), 1, "the old VPC is gone: {new:?}");
    assert_ne!(new[0].0, old[0].0, "a new VPC");
    assert_eq!(new[0].1, "10.21.0.0/16");
    let subnets = runtime
        .block_on(
            ec2.describe_subnets()
                .filters(
                    aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&new[0].0).build(),
                )
                .send(),
        )
        .unwrap();
    assert_eq!(subnets.subnets().len(), 6, "the subnets are in the new VPC");
    assert!(plan_changes(emulator, state, edited).is_empty());
}

/// Regression: a health check replaced (its interval cannot change in
/// place) was made anew and the old one deleted, but the records that used
/// it were not changed (their fields name the check by address, which stays
/// the same): they were left pointing at a deleted check. They now move to
/// the new check before the old one goes.
#[test]
fn records_move_to_a_replaced_health_check_before_the_old_one_goes() {
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let edited = &wonderway_edited(&account, "edited.yaml", |t| {
        t.replace("    interval: 30\n", "    interval: 10\n")
    });
    let changes = plan_changes(emulator, state, edited);
    assert!(
        changes
            .iter()
            .any(|(a, action)| a == "global/health-check/eu-west-1" && action == "replace"),
        "{changes:?}"
    );
    applied(emulator, state, edited);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let route53 = aws_sdk_route53::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let checks = runtime.block_on(route53.list_health_checks().send()).unwrap();
    let checks: Vec<String> = checks.health_checks().iter().map(|c| c.id().to_string()).collect();
    assert_eq!(checks.len(), 3, "the old checks are gone: {checks:?}");
    let zones = runtime.block_on(route53.list_hosted_zones().send()).unwrap();
    let zone = zones.hosted_zones()[0].id().to_string();
    let sets = runtime.block_on(route53.list_resource_record_sets().hosted_zone_id(zone).send());
    let used: Vec<String> = sets
        .unwrap()
        .resource_record_sets()
        .iter()
        .filter_map(|s| s.health_check_id().map(str::to_string))
        .collect();
    assert!(!used.is_empty());
    for id in &used {
        assert!(checks.contains(id), "a record points at the deleted check {id}: {checks:?}");
    }
    assert!(plan_changes(emulator, state, edited).is_empty());
}

/// Regression: an edge function whose configuration changed (its memory)
/// was published as a new version, but CloudFront kept running the old one,
/// and the next plan said there were no changes: the distribution's
/// association named the code, which had not changed, not the version. It
/// now names the function's published configuration, so a change of either
/// reaches CloudFront as the new version.
#[test]
fn an_edge_function_configuration_change_reaches_cloudfront() {
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let edited = &wonderway_edited(&account, "edited.yaml", |t| {
        t.replace("    memory: 128\n", "    memory: 256\n")
    });
    let changes = plan_changes(emulator, state, edited);
    let actions: Vec<&str> = changes.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["us-east-1/edge-function/edge-router", "global/distribution"]);
    applied(emulator, state, edited);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = runtime.block_on(emulator.sdk("us-east-1"));
    let lambda = aws_sdk_lambda::Client::new(&config);
    let versions = lambda.list_versions_by_function().function_name("wonderway-edge-router");
    let versions = runtime.block_on(versions.send()).unwrap();
    let latest = versions
        .versions()
        .iter()
        .filter(|v| v.version() != Some("$LATEST"))
        .max_by_key(|v| v.version().and_then(|n| n.parse::<u64>().ok()))
        .unwrap();
    assert_eq!(latest.memory_size(), Some(256));
    let cloudfront = aws_sdk_cloudfront::Client::new(&config);
    let id = the_distribution(&runtime, &cloudfront);
    let got = runtime.block_on(cloudfront.get_distribution_config().id(id).send()).unwrap();
    let behaviors = got.distribution_config().unwrap();
    let arns: Vec<String> =
        std::iter::once(behaviors.default_cache_behavior().unwrap().lambda_function_associations())
            .chain(
                behaviors
                    .cache_behaviors()
                    .map(|c| c.items())
                    .unwrap_or_default()
                    .iter()
                    .map(|b| b.lambda_function_associations()),
            )
            .flatten()
            .flat_map(|a| a.items().iter().map(|i| i.lambda_function_arn().to_string()))
            .collect();
    assert!(!arns.is_empty());
    let arn = latest.function_arn().unwrap();
    for used in &arns {
        assert!(
            arn.ends_with(&format!(":{}", latest.version().unwrap())) && used == arn,
            "{used} is not {arn}"
        );
    }
    assert!(plan_changes(emulator, state, edited).is_empty());
}

/// WonderWay with eu-west-1's cluster at `version`.
fn at_version(version: &str) -> wway::state::desired::DesiredState {
    let mut topology = topology("topologies/wonderway.yaml");
    let region = topology.regions.iter_mut().find(|r| *r.name == "eu-west-1").unwrap();
    region.cluster.version = version.into();
    wway::state::desired::desired(&topology).unwrap()
}

/// Regression: an EKS version upgrade was an ordinary update, so a rollback
/// "undid" it with a downgrade, which EKS refuses, and a plan asked for a
/// downgrade or a jump of two minor versions, which EKS refuses too. The
/// plan now marks an upgrade one way (apply says so before it starts, and a
/// rollback leaves the version as it is), and refuses a downgrade; a jump
/// goes one minor version at a time (see the next test).
#[test]
fn an_eks_upgrade_is_one_way_and_downgrades_are_refused() {
    use wway::plan::PlanError;
    let cluster = wway::state::ResourceAddr::new("eu-west-1/eks-cluster");
    let live = wway::state::live::LiveState::as_applied(&at_version("1.34"));

    let plan = wway::plan::plan(&at_version("1.35"), &live).unwrap();
    let change = plan.changes.iter().find(|c| c.address == cluster).unwrap();
    assert_eq!(change.action, wway::plan::Action::Update);
    assert_eq!(change.one_way(), ["EKS cannot downgrade: a rollback leaves the cluster at 1.35"]);
    let text = wway::present::plan_text::render(&plan, false);
    assert!(text.contains("! one way: EKS cannot downgrade"), "{text}");

    // Undone, the update keeps the version and restores the rest.
    let done: Vec<_> = wway::plan::steps::steps(plan, &at_version("1.35"), &live)
        .into_iter()
        .map(|step| (step, wway::state::live::Outcome::default()))
        .collect();
    let undo = wway::exec::rollback::inverse(&done);
    let of_cluster = undo.iter().find(|step| step.addr() == &cluster).unwrap();
    let wway::plan::steps::Op::Update { target, .. } = &of_cluster.op else { panic!("{undo:?}") };
    assert_eq!(target.fields["version"], "1.35");
    let left = wway::exec::rollback::not_undone(&done);
    let nodes = "EKS does not move nodes down a version: a rollback leaves them on 1.35";
    let addon = "EKS does not move an add-on back a version: a rollback leaves it on the version \
                 for 1.35";
    assert_eq!(
        left,
        [
            "eu-west-1/eks-cluster: EKS cannot downgrade: a rollback leaves the cluster at 1.35"
                .to_string(),
            format!("eu-west-1/eks-addon/eks-pod-identity-agent: {addon}"),
            format!("eu-west-1/eks-addon/vpc-cni: {addon}"),
            format!("eu-west-1/node-group/compute-intensive: {nodes}"),
            format!("eu-west-1/node-group/general: {nodes}"),
            format!("eu-west-1/eks-addon/coredns: {addon}"),
            format!("eu-west-1/eks-addon/kube-proxy: {addon}"),
        ]
    );

    // The cluster's refusal first (its groups' own after).
    let errors = wway::plan::plan(&at_version("1.33"), &live).unwrap_err();
    let why = "EKS cannot downgrade a cluster (1.34 to 1.33)";
    assert!(
        matches!(&errors[..], [PlanError::Refused { address, message }, ..] if *address == cluster && message.contains(why)),
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| matches!(e, PlanError::Refused { .. })), "{errors:?}");
}

/// Regression: a cluster raised by two minor versions stopped the plan ("set
/// 1.35, apply, then go on"). EKS raises a cluster one minor version at a
/// time, and only once its node groups are on its version ("Nodegroups ...
/// must be updated to match cluster version"): the apply now goes the way
/// an operator would, the cluster to 1.35, its node groups to 1.35, the
/// cluster to 1.36, its node groups to 1.36, then the add-ons; the plan
/// shows the stops, each one way.
#[test]
fn a_cluster_raised_two_minor_versions_goes_one_at_a_time_with_its_node_groups() {
    use wway::plan::steps::{Op, StepName, steps};
    use wway::state::ResourceAddr;
    let live = wway::state::live::LiveState::as_applied(&at_version("1.34"));
    let desired = at_version("1.36");
    let plan = wway::plan::plan(&desired, &live).unwrap();
    let cluster = ResourceAddr::new("eu-west-1/eks-cluster");
    let change = plan.changes.iter().find(|c| c.address == cluster).unwrap();
    assert_eq!(change.stages(), ["1.35", "1.36"]);
    assert!(change.one_way()[0].contains("1.34 -> 1.35 -> 1.36"), "{:?}", change.one_way());
    let text = wway::present::plan_text::render(&plan, false);
    assert!(text.contains("        in steps: 1.35, 1.36\n"), "{text}");

    let steps = steps(plan, &desired, &live);
    let step = |name: &str| {
        let found = steps.iter().find(|s| s.name.as_str() == name);
        found.unwrap_or_else(|| panic!("no step {name}: {steps:#?}"))
    };
    let version = |name: &str| match &step(name).op {
        Op::Update { target, before, .. } => (
            before["version"].as_str().unwrap().to_string(),
            target.fields["version"].as_str().unwrap().to_string(),
        ),
        other => panic!("{name}: {other:?}"),
    };
    let deps = |name: &str| -> Vec<&str> { step(name).deps.iter().map(StepName::as_str).collect() };
    let groups = ["eu-west-1/node-group/compute-intensive", "eu-west-1/node-group/general"];
    assert_eq!(version("eu-west-1/eks-cluster#to-1.35"), ("1.34".into(), "1.35".into()));
    assert_eq!(version("eu-west-1/eks-cluster"), ("1.35".into(), "1.36".into()));
    for group in groups {
        let stop = format!("{group}#to-1.35");
        assert_eq!(version(&stop), ("1.34".into(), "1.35".into()));
        assert_eq!(version(group), ("1.35".into(), "1.36".into()));
        assert_eq!(deps(&stop), ["eu-west-1/eks-cluster#to-1.35"], "after the cluster's 1.35");
        assert!(deps(group).contains(&"eu-west-1/eks-cluster"), "after the cluster's 1.36");
        assert!(deps(group).contains(&stop.as_str()), "after its own 1.35");
        assert!(deps("eu-west-1/eks-cluster").contains(&stop.as_str()), "1.36 after the groups");
    }
    assert!(deps("eu-west-1/eks-cluster").contains(&"eu-west-1/eks-cluster#to-1.35"));
    let addon = "eu-west-1/eks-addon/coredns";
    assert!(steps.iter().all(|s| !s.name.as_str().starts_with(&format!("{addon}#"))));
    assert!(deps(addon).contains(&"eu-west-1/eks-cluster"), "add-ons once, at the end");
}

/// Regression: a role a run uses can be minutes old on AWS or seconds old
/// (made by the same pipeline just before); Lambda refuses one IAM has not
/// propagated yet ("cannot be assumed by Lambda"), and wway failed the
/// apply where Terraform waits. The emulator refuses roles younger than 10 s
/// on its clock, which stands still until the refusal has happened.
#[test]
fn a_role_made_just_before_is_waited_for() {
    let emulator = Emulator::start();
    let state = tempfile::tempdir().unwrap();
    emulator.freeze_clock();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let run = std::thread::scope(|scope| {
        let apply = scope.spawn(|| applied(&emulator, state.path(), "topologies/wonderway.yaml"));
        emulator.await_refusal("lambda:CreateFunction");
        emulator.resume_clock();
        apply.join().unwrap()
    });
    assert!(run.stderr.contains("cannot be assumed by Lambda"), "the role was new: {}", run.stderr);
}

/// Regression: waits took CREATE_FAILED for "keep waiting" (40 minutes) and
/// rollback undid only finished steps, so a cluster whose node group failed
/// was left behind (EKS refuses to delete a cluster with node groups). The
/// wait ends when AWS says the group failed, with AWS's reason, and rollback
/// deletes the failed group, then its cluster.
#[test]
fn a_failed_node_group_ends_the_apply_at_once_with_its_reason_and_is_rolled_back() {
    let emulator = Emulator::start();
    let state = tempfile::tempdir().unwrap();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let why = "Instances failed to join the kubernetes cluster";
    emulator.fail_next("nodegroup", "general", "NodeCreationFailure", why);
    let started = std::time::Instant::now();
    let run =
        wway(&emulator, state.path(), &["apply", "topologies/wonderway.yaml", "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed().as_secs() < 120, "the wait ended when the group failed");
    assert!(
        run.stdout.contains(&format!("CREATE_FAILED: NodeCreationFailure: {why}")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("the account is as it was"), "{}\n{}", run.stdout, run.stderr);
    crate::apply_emulator::edge_function_deferred(&run.stdout, "undo:");
    let left = plan_changes(&emulator, state.path(), "topologies/wonderway.yaml");
    // As for an empty account but the edge function, which AWS keeps for
    // hours: every resource a create, the failed group too.
    assert!(left.iter().all(|(_, action)| action == "create"), "left behind: {left:?}");
    assert_eq!(left.len(), 113, "{left:?}");

    // Without the automatic rollback, `wway rollback` finds the failed group
    // in the journal and removes it before the cluster.
    emulator.fail_next("nodegroup", "general", "NodeCreationFailure", why);
    let apply = ["apply", "topologies/wonderway.yaml", "--auto-approve", "--no-rollback"];
    assert_eq!(wway(&emulator, state.path(), &apply).code, 1);
    let run =
        wway(&emulator, state.path(), &["rollback", "topologies/wonderway.yaml", "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(plan_changes(&emulator, state.path(), "topologies/wonderway.yaml").len(), 113);
}

/// Regression: an upgrade was followed by waiting for the cluster to be
/// ACTIVE again, which it is after a failed upgrade too (on its old
/// version): the apply said done and the next plan showed the upgrade still
/// to do. The update is followed by its id, and its failure is the step's,
/// with the errors AWS gives; the next apply carries the upgrade out.
#[test]
fn an_eks_upgrade_is_followed_by_its_update_id_and_its_failure_is_reported() {
    let account = crate::apply_emulator::wonderway_applied();
    let upgraded =
        wonderway_edited(&account, "upgraded.yaml", |t| t.replace("\"1.34\"", "\"1.35\""));
    let why = "the control plane could not reach the nodes";
    account.emulator.fail_next("upgrade", "wonderway-eu-west-1", "ClusterUnreachable", why);
    let run =
        wway(&account.emulator, account.state.path(), &["apply", &upgraded, "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = run.stdout.lines().find(|l| l.starts_with("Apply failed: eu-west-1/eks-cluster"));
    let failed = failed.unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(failed.contains("of wonderway-eu-west-1 Failed: ClusterUnreachable: "), "{failed}");
    assert!(failed.ends_with(why), "{failed}");
    // The cluster's groups and add-ons wait for it: still to do.
    let left = plan_changes(&account.emulator, account.state.path(), &upgraded);
    let left: Vec<&str> = left.iter().map(|(address, _)| address.as_str()).collect();
    let after_it = [
        "eu-west-1/eks-cluster",
        "eu-west-1/eks-addon/eks-pod-identity-agent",
        "eu-west-1/eks-addon/vpc-cni",
        "eu-west-1/node-group/compute-intensive",
        "eu-west-1/node-group/general",
        "eu-west-1/eks-addon/coredns",
        "eu-west-1/eks-addon/kube-proxy",
    ];
    assert_eq!(left, after_it);

    applied(&account.emulator, account.state.path(), &upgraded);
    assert!(plan_changes(&account.emulator, account.state.path(), &upgraded).is_empty());
}

/// Regression: a distribution update wrote the configuration wway builds
/// from the file, so every setting the file does not manage was dropped:
/// a WAF web ACL attached by the security team, IPv6, an origin's secret
/// header, a behavior's response headers policy. An update
/// now starts from the live configuration and changes only what wway owns.
#[test]
fn a_distribution_update_keeps_what_wway_does_not_manage() {
    use aws_sdk_cloudfront::types::{CustomHeaders, OriginCustomHeader};
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cloudfront = aws_sdk_cloudfront::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let id = the_distribution(&runtime, &cloudfront);
    let read = || runtime.block_on(cloudfront.get_distribution_config().id(&id).send()).unwrap();

    let web_acl = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/0f1e2d3c";
    let headers_policy = "67f7725c-6f97-4210-82d7-5512b31e9d03";
    let current = read();
    let mut config = current.distribution_config().unwrap().clone();
    config.web_acl_id = Some(web_acl.into());
    config.is_ipv6_enabled = Some(true);
    let header = OriginCustomHeader::builder()
        .header_name("X-Origin-Verify")
        .header_value("from-cloudfront")
        .build()
        .unwrap();
    let headers = CustomHeaders::builder().quantity(1).items(header).build().unwrap();
    if let Some(origins) = config.origins.as_mut() {
        origins.items[0].custom_headers = Some(headers);
    }
    if let Some(behavior) = config.default_cache_behavior.as_mut() {
        behavior.response_headers_policy_id = Some(headers_policy.into());
    }
    let update = cloudfront
        .update_distribution()
        .id(&id)
        .if_match(current.e_tag().unwrap())
        .distribution_config(config);
    runtime.block_on(update.send()).unwrap();

    let edited = wonderway_edited(&account, "edited.yaml", |t| {
        t.replace("price_class: PriceClass_All", "price_class: PriceClass_200")
    });
    applied(emulator, state, &edited);
    let after = read();
    let config = after.distribution_config().unwrap();
    assert_eq!(config.price_class().map(|p| p.as_str()), Some("PriceClass_200"), "wway's change");
    assert_eq!(config.web_acl_id(), Some(web_acl));
    assert_eq!(config.is_ipv6_enabled(), Some(true));
    let origin = &config.origins().unwrap().items()[0];
    let kept = origin.custom_headers().map(|h| h.items().len());
    assert_eq!(kept, Some(1), "the origin's header: {origin:?}");
    let behavior = config.default_cache_behavior().unwrap();
    assert_eq!(behavior.response_headers_policy_id(), Some(headers_policy));
    assert!(plan_changes(emulator, state, &edited).is_empty());
}

/// Regression: CloudFront was given the version CreateFunction had just
/// published while Lambda still had it Pending (seconds on AWS), and
/// CloudFront refuses such an association (InvalidLambdaFunctionAssociation:
/// "The function must be in an Active state"): a first apply failed now and
/// then. The emulator's clock stands still once the roles are old enough,
/// so the version stays Pending until the test lets time pass.
#[test]
fn cloudfront_gets_an_edge_function_version_once_it_is_active() {
    let emulator = Emulator::start();
    let state = tempfile::tempdir().unwrap();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    emulator.freeze_clock();
    emulator.advance_clock(60);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let lambda = aws_sdk_lambda::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let made = || {
        let asked = lambda.get_function().function_name("wonderway-edge-router").send();
        runtime.block_on(asked).is_ok()
    };
    std::thread::scope(|scope| {
        let apply = scope.spawn(|| applied(&emulator, state.path(), "topologies/wonderway.yaml"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !made() {
            assert!(std::time::Instant::now() < deadline, "the edge function was never made");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // Time enough for the apply to go on to CloudFront, were it to.
        std::thread::sleep(std::time::Duration::from_secs(2));
        emulator.resume_clock();
        apply.join().unwrap();
    });
}

/// Regression: a node group that AWS says failed (CREATE_FAILED, after an
/// apply that was not rolled back) has the fields the file asks for, so the
/// plan said "no changes" and the failure stayed. The read notes what AWS
/// says of a resource that failed for good, and the plan replaces it,
/// saying why; the next apply converges.
#[test]
fn a_failed_node_group_is_replaced_by_the_next_plan() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    let why = "Instances failed to join the kubernetes cluster";
    emulator.fail_next("nodegroup", "general", "NodeCreationFailure", why);
    let apply = ["apply", file, "--auto-approve", "--no-rollback"];
    assert_eq!(wway(&emulator, state.path(), &apply).code, 1);

    let run = wway(&emulator, state.path(), &["plan", file, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let replaced: Vec<&serde_json::Value> =
        plan["changes"].as_array().unwrap().iter().filter(|c| c["action"] == "replace").collect();
    assert_eq!(replaced.len(), 1, "{replaced:?}");
    assert!(replaced[0]["address"].as_str().unwrap().ends_with("/node-group/general"));
    let because = replaced[0]["replace_because"].to_string();
    assert!(
        because.contains(&format!("AWS says it failed: CREATE_FAILED: NodeCreationFailure: {why}")),
        "{because}"
    );

    let drift = wway(&emulator, state.path(), &["drift", file, "--format", "json"]);
    assert_eq!(drift.code, 2, "{}\n{}", drift.stdout, drift.stderr);
    let report: serde_json::Value = serde_json::from_str(&drift.stdout).unwrap();
    let unhealthy = report["items"].as_array().unwrap().iter().find(|i| i["class"] == "unhealthy");
    let unhealthy = unhealthy.unwrap_or_else(|| panic!("{report}"));
    assert!(
        unhealthy["reason"].as_str().unwrap().starts_with("CREATE_FAILED: NodeCreationFailure")
    );

    applied(&emulator, state.path(), file);
    assert!(plan_changes(&emulator, state.path(), file).is_empty());
}

/// Regression: AWS marks a node group DEGRADED when it can no longer launch
/// its instances; the group still exists and runs, and the file asks for
/// nothing different, so the plan said "No changes" and drift "No drift"
/// while a region ran short of nodes. Both now say what AWS says of it; the
/// plan changes nothing (a degraded group may heal, and replacing it would
/// take the nodes it still has), and drift counts it, so a cron alerts.
#[test]
fn a_degraded_node_group_is_reported_by_plan_and_drift() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    applied(&emulator, state.path(), file);
    let why = "Could not launch Spot Instances";
    emulator.fail_next("degrade", "compute-intensive", "AsgInstanceLaunchFailures", why);
    let said = format!("DEGRADED: AsgInstanceLaunchFailures: {why}");

    let run = wway(&emulator, state.path(), &["plan", file, "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["changes"], serde_json::json!([]));
    let unhealthy = plan["unhealthy"].as_array().unwrap();
    assert_eq!(unhealthy.len(), 1, "{unhealthy:?}");
    assert!(unhealthy[0]["address"].as_str().unwrap().ends_with("/node-group/compute-intensive"));
    assert_eq!(unhealthy[0]["health"], "degraded");
    assert_eq!(unhealthy[0]["reason"], said.as_str());

    let text = wway(&emulator, state.path(), &["plan", file]);
    let warned = text.stdout.lines().find(|l| l.contains("/node-group/compute-intensive"));
    let warned = warned.unwrap_or_else(|| panic!("{}", text.stdout));
    let says = format!("AWS says it is degraded: {said}");
    assert!(warned.starts_with("  ! ") && warned.ends_with(&says), "{warned}");

    let drift = wway(&emulator, state.path(), &["drift", file, "--format", "json"]);
    assert_eq!(drift.code, 2, "{}\n{}", drift.stdout, drift.stderr);
    let report: serde_json::Value = serde_json::from_str(&drift.stdout).unwrap();
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["class"], "unhealthy");
    assert_eq!(items[0]["reason"], said.as_str());
}

/// Regression: EKS creates no cluster on a Kubernetes version whose extended
/// support ended (1.31 on 2026-11-26), and Lambda takes no new function on a
/// runtime past its block date (nodejs20.x on 2026-08-31). The plan said
/// nothing, and the apply failed at CreateCluster with the networks already
/// made. The plan now checks the versions EKS lists (DescribeClusterVersions)
/// and Lambda's runtime calendar, and stops before anything is made.
#[test]
fn a_plan_refuses_a_version_or_runtime_aws_no_longer_takes() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    let dir = tempfile::tempdir().unwrap();
    let old = crate::apply_emulator::topology_copy(dir.path(), file, "old.yaml", |t| {
        t.replacen("version: \"1.34\"", "version: \"1.31\"", 1).replace("nodejs22.x", "nodejs20.x")
    });
    let run = wway(&emulator, state.path(), &["apply", old.to_str().unwrap(), "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let offered = "it offers 1.32, 1.33, 1.34, 1.35";
    let eks = format!(
        "us-east-1: EKS does not offer Kubernetes 1.31 for us-east-1/eks-cluster ({offered})"
    );
    assert!(run.stderr.contains(&eks), "{}", run.stderr);
    let lambda = "Lambda takes no new function on nodejs20.x since 2026-08-31";
    assert!(run.stderr.contains(lambda), "{}", run.stderr);
    let changes = plan_changes(&emulator, state.path(), file);
    assert!(changes.iter().all(|(_, action)| action == "create"), "nothing was made: {changes:?}");
}

/// Regression: the Resource Groups Tagging API, through which the plan finds
/// the functions and distributions it owns, finds a new resource only a
/// while after it was made. A plan right after an apply did not see them:
/// it took the function for someone else's (a name clash on wway's own
/// function) and would have made a second distribution. What the tagging
/// API does not list yet is found by its declared name (GetFunction) or by
/// the aliases it holds (ListDistributions), and is wway's when its own tags
/// say so.
#[test]
fn a_plan_right_after_an_apply_finds_what_the_tagging_api_does_not_list_yet() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    emulator.set("tagging_lag", 1e6);
    applied(&emulator, state.path(), file);
    let changes = plan_changes(&emulator, state.path(), file);
    assert!(changes.is_empty(), "{changes:?}");
}

/// Lambda says when an update of a function failed (LastUpdateStatus
/// Failed): the apply ends on it, and the function, which runs what it ran
/// before, is reported as degraded by the plan and by drift (the read of an
/// owned function already asks GetFunction, which says so).
#[test]
fn a_function_whose_update_failed_is_reported_as_degraded() {
    let account = crate::apply_emulator::wonderway_applied();
    let slower =
        wonderway_edited(&account, "slower.yaml", |t| t.replace("timeout: 5", "timeout: 4"));
    let why = "Lambda was unable to decrypt the environment variables";
    let name = "wonderway-edge-router";
    account.emulator.fail_next("function-update", name, "KMSAccessDenied", why);
    let apply = ["apply", &slower, "--auto-approve", "--no-rollback"];
    let run = wway(&account.emulator, account.state.path(), &apply);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains(&format!("update Failed: {why}")), "{}", run.stdout);

    let run = wway(&account.emulator, account.state.path(), &["plan", &slower, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let unhealthy = plan["unhealthy"].as_array().unwrap();
    assert_eq!(unhealthy.len(), 1, "{unhealthy:?}");
    assert_eq!(unhealthy[0]["address"], "us-east-1/edge-function/edge-router");
    assert_eq!(unhealthy[0]["health"], "degraded");
    assert_eq!(unhealthy[0]["reason"], format!("update Failed: {why}"));
}

/// A wait that runs out of time fails its step with what it waited for,
/// and the limit is the user's to set (`--timeout`): the defaults are sized
/// for real AWS (a cluster 30 minutes). The emulator's clock runs at 100
/// here, so a cluster is CREATING for 6 s, longer than the limit of 2 s.
/// The next apply takes up the clusters and finishes.
#[test]
fn a_wait_ends_at_the_users_timeout_and_the_next_apply_finishes() {
    let emulator = Emulator::start_at_speed(100);
    let state = tempfile::tempdir().unwrap();
    let file = "topologies/wonderway.yaml";
    emulator.seed_roles(&topology(file));
    let apply = ["apply", file, "--auto-approve", "--no-rollback", "--timeout", "eks-cluster=2s"];
    let started = std::time::Instant::now();
    let run = wway(&emulator, state.path(), &apply);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(started.elapsed().as_secs() < 60, "the wait ended at the limit");
    let failed = run.stdout.lines().find(|l| l.starts_with("Apply failed: us-east-1/eks-cluster"));
    let failed = failed.unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(failed.contains("cluster wonderway-us-east-1 still CREATING after "), "{failed}");

    applied(&emulator, state.path(), file);
    assert!(plan_changes(&emulator, state.path(), file).is_empty());

    let bad = wway(&emulator, state.path(), &["apply", file, "--timeout", "nodes=1m"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("--timeout nodes=1m: no kind `nodes`"), "{}", bad.stderr);
}

/// The zone IDs of the subnets wway made in `region`, sorted.
/// The zone IDs the topology's subnets are in (a private and a public one each).
fn subnet_zone_ids(emulator: &Emulator, region: &str) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ec2 = aws_sdk_ec2::Client::new(&runtime.block_on(emulator.sdk(region)));
    let owned =
        aws_sdk_ec2::types::Filter::builder().name("tag:wway:topology").values("zones").build();
    let found = runtime.block_on(ec2.describe_subnets().filters(owned).send()).unwrap();
    let mut ids: Vec<String> =
        found.subnets().iter().map(|s| s.availability_zone_id().unwrap().to_string()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Regression: `availability_zones: N` took the letters a, b, c... of the
/// region: ap-northeast-1 has no "b" zone (the plan refused), and the fifth
/// letter of us-east-1 is a zone EKS does not serve in many accounts (use1-az3
/// in the emulator's; CreateCluster refused it). A count now takes the first
/// N zone IDs the region offers that EKS serves, and keeps the zones its
/// subnets already use, so that nothing moves on a later run.
#[test]
fn a_count_of_zones_takes_zones_the_region_offers_and_eks_serves() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let cluster = "    cluster:\n      version: \"1.34\"\n      role_arn: arn:aws:iam::123456789012:role/eks\n      node_role_arn: arn:aws:iam::123456789012:role/nodes\n      node_groups: {}\n";
    let file = |name: &str, us_east_zones: &str| {
        let text = format!(
            "version: 1\nname: zones\nregions:\n  us-east-1:\n    network: {{cidr: 10.1.0.0/16, availability_zones: {us_east_zones}}}\n{cluster}  ap-northeast-1:\n    network: {{cidr: 10.2.0.0/16, availability_zones: 3}}\n{cluster}"
        );
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let state = tempfile::tempdir().unwrap();
    let counted = file("zones.yaml", "5");
    emulator.seed_roles(&topology(&counted));
    applied(&emulator, state.path(), &counted);
    assert_eq!(
        subnet_zone_ids(&emulator, "us-east-1"),
        ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"]
    );
    assert_eq!(
        subnet_zone_ids(&emulator, "ap-northeast-1"),
        ["apne1-az1", "apne1-az2", "apne1-az4"]
    );
    assert!(plan_changes(&emulator, state.path(), &counted).is_empty(), "the same zones again");

    // Subnets made in zones a, b, c (as wway chose before; by zone ID it
    // would take b, c, d) stay where they are.
    let other = tempfile::tempdir().unwrap();
    let named = file("named.yaml", "[us-east-1a, us-east-1b, us-east-1c]");
    let fresh = Emulator::start();
    fresh.seed_roles(&topology(&named));
    applied(&fresh, other.path(), &named);
    let counted = file("counted.yaml", "3");
    assert!(plan_changes(&fresh, other.path(), &counted).is_empty(), "the zones in use are kept");
}

/// Regression: a cluster leaves its network interfaces in its subnets after
/// it is gone, and AWS removes them only minutes later; meanwhile DeleteSubnet
/// answers DependencyViolation. The destroy retried for a few minutes of its
/// own and failed. It now removes what the deleted cluster left behind, and
/// waits out the refusal for the delete's whole timeout.
#[test]
fn a_destroy_removes_what_a_deleted_cluster_left_in_its_subnets() {
    let file = "tests/topologies/good/gateway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    applied(&emulator, state.path(), file);
    emulator.set("eni_linger", 1e9); // as good as never, in this test's time
    let run = wway(&emulator, state.path(), &["destroy", file, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    emulator.await_refusal("ec2:DeleteSubnet");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let ec2 = aws_sdk_ec2::Client::new(&runtime.block_on(emulator.sdk("eu-west-1")));
    let left = runtime.block_on(ec2.describe_network_interfaces().send()).unwrap();
    let left: Vec<_> = left.network_interfaces().iter().filter_map(|e| e.description()).collect();
    assert!(left.iter().all(|d| !d.starts_with("Amazon EKS")), "{left:?}");
}

/// Regression: the zone's record batch depended on the distribution's step,
/// which ended only when CloudFront said Deployed (3 to 15 minutes on AWS
/// for every change), so every record, the failover, geolocation and latency
/// ones too, waited for CloudFront. An alias to a distribution works as soon
/// as the distribution exists: the create now ends when CloudFront took it,
/// and a step of its own (`<address>#settled`) waits for Deployed, which
/// nothing waits for. Here CloudFront never deploys: the records are made
/// all the same, and only that wait fails, at the user's limit.
#[test]
fn records_do_not_wait_for_cloudfront_to_deploy() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    emulator.set("deploy_seconds", 1e9);
    let apply = ["apply", file, "--auto-approve", "--no-rollback", "--timeout", "distribution=5s"];
    let run = wway(&emulator, state.path(), &apply);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let failed = run.stdout.lines().find(|l| l.starts_with("Apply failed: "));
    let failed = failed.unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        failed.starts_with("Apply failed: global/distribution#settled: distribution "),
        "{failed}"
    );
    assert!(failed.contains("still InProgress after "), "{failed}");
    // Everything else is made, the records too: the account matches the file.
    assert!(plan_changes(&emulator, state.path(), file).is_empty());
}

/// Regression: seconds after CreateHostedZone, Route 53 can still answer
/// NoSuchHostedZone for the new zone, and the first record batch failed the
/// apply with it. It is now asked again, as a role that has not reached
/// Lambda yet is.
#[test]
fn a_zone_not_found_just_after_it_was_made_is_asked_again() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    emulator.set("zone_lag", 6000.0); // 10 s at the emulator's speed
    applied(&emulator, state.path(), file);
    emulator.await_refusal("route53: NoSuchHostedZone");
    assert!(plan_changes(&emulator, state.path(), file).is_empty());
}

/// Regression: a record deleted by the run that replaces its health check
/// was deleted naming the new check, and Route 53 deletes only a record
/// named exactly as it is ("the values provided do not match the current
/// values"): the apply failed and rolled back. The records' deletes name
/// what the plan read.
#[test]
fn a_record_deleted_while_its_health_check_is_replaced_is_deleted_as_it_is() {
    let account = crate::apply_emulator::wonderway_applied();
    let edited = wonderway_edited(&account, "edited.yaml", |t| {
        t.replace("    interval: 30\n", "    interval: 10\n")
            .replace("    - name: fast.api\n      policy: latency\n", "")
    });
    let (emulator, state) = (&account.emulator, account.state.path());
    let changes = plan_changes(emulator, state, &edited);
    assert!(changes.contains(&("global/health-check/us-east-1".into(), "replace".into())));
    assert!(
        changes.contains(&("global/record/fast.api/latency-us-east-1".into(), "delete".into()))
    );
    applied(emulator, state, &edited);
    assert!(plan_changes(emulator, state, &edited).is_empty(), "converged");
}

/// The code the function runs now ($LATEST), as Lambda's CodeSha256.
fn edge_code(emulator: &Emulator, runtime: &tokio::runtime::Runtime) -> String {
    let lambda = aws_sdk_lambda::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let asked = lambda.get_function().function_name("wonderway-edge-router").send();
    let function = runtime.block_on(asked).unwrap();
    function.configuration().unwrap().code_sha256().unwrap().to_string()
}

/// Regression: the undo of an edge function's code change packaged the
/// folder, which holds the new code, and refused it ("the code ... changed
/// since the plan"): neither `wway rollback` nor a failed apply's rollback
/// could undo a code change. The code the function ran is in Lambda, as the
/// published version CloudFront used: the undo uploads that.
#[test]
fn a_rollback_restores_an_edge_functions_code_from_its_published_version() {
    let account = crate::apply_emulator::wonderway_applied();
    let (emulator, state) = (&account.emulator, account.state.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let was = edge_code(emulator, &runtime);
    let (original, copy) = crate::apply_emulator::edited_router(account.dir.path());
    let edited = wonderway_edited(&account, "edited.yaml", |t| t.replace(&original, &copy));
    applied(emulator, state, &edited);
    assert_ne!(edge_code(emulator, &runtime), was, "the apply changed the code");

    let run = wway(emulator, state, &["rollback", &edited, "--auto-approve"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(edge_code(emulator, &runtime), was, "the code it ran before");
    let left = plan_changes(emulator, state, &account.base);
    let shown = wway(emulator, state, &["plan", &account.base]);
    assert!(
        left.is_empty(),
        "back to the base topology, but: {left:?}\n{}\n{}",
        shown.stdout,
        run.stderr
    );
}
