//! A cluster's EKS managed add-ons (issue 13): every cluster runs vpc-cni,
//! eks-pod-identity-agent, coredns and kube-proxy at the versions EKS makes
//! the default for its Kubernetes version; the file pins versions, leaves
//! one out or adds others; a conflict with values someone changed on the
//! cluster is never silently overwritten.

use crate::apply_emulator::{plan_changes, wonderway_applied, wonderway_edited, wway};

const ADMINS: &str = "      admins: [arn:aws:iam::123456789012:role/wonderway-platform-admins]\n";

/// WonderWay with `addons` (its lines, indented under the cluster) in
/// us-east-1's cluster.
fn with_addons(text: String, addons: &str) -> String {
    text.replacen(ADMINS, &format!("{ADMINS}      addons:\n{addons}"), 1)
}

/// The add-ons of `cluster`: (name, version, status), by name.
async fn addons(eks: &aws_sdk_eks::Client, cluster: &str) -> Vec<(String, String, String)> {
    let listed = eks.list_addons().cluster_name(cluster).send().await.unwrap();
    let mut found = Vec::new();
    for name in listed.addons() {
        let asked = eks.describe_addon().cluster_name(cluster).addon_name(name);
        let addon = asked.send().await.unwrap().addon().cloned().unwrap();
        let status = addon.status().unwrap().as_str().to_string();
        found.push((name.clone(), addon.addon_version().unwrap().to_string(), status));
    }
    found
}

/// The version EKS installs of `addon` on `kubernetes`, by its catalog.
async fn default_version(eks: &aws_sdk_eks::Client, addon: &str, kubernetes: &str) -> String {
    let asked = eks.describe_addon_versions().addon_name(addon).kubernetes_version(kubernetes);
    let answer = asked.send().await.unwrap();
    let versions = answer.addons()[0].addon_versions().iter();
    let mut defaults = versions.filter(|v| {
        v.compatibilities()
            .iter()
            .any(|c| c.cluster_version() == Some(kubernetes) && c.default_version())
    });
    defaults.next().unwrap().addon_version().unwrap().to_string()
}

/// Every region's cluster runs the four add-ons at its version's defaults,
/// all ACTIVE: coredns, which runs as pods, was made after the node groups
/// (the emulator, as EKS, leaves it DEGRADED on a cluster without nodes,
/// which would have failed the apply). A pinned version moves the add-on
/// up, one way; `false` leaves one out.
#[tokio::test]
async fn a_clusters_add_ons_run_its_versions_defaults_and_follow_the_file() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let eks = aws_sdk_eks::Client::new(&emulator.sdk(region).await);
        let cluster = format!("wonderway-{region}");
        let found = addons(&eks, &cluster).await;
        let names: Vec<&str> = found.iter().map(|(name, _, _)| name.as_str()).collect();
        assert_eq!(names, ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
        for (name, version, status) in &found {
            assert_eq!(status, "ACTIVE", "{region}/{name}");
            assert_eq!(*version, default_version(&eks, name, "1.34").await, "{region}/{name}");
        }
    }

    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let newer = default_version(&eks, "coredns", "1.35").await;
    let pinned = wonderway_edited(&account, "pinned.yaml", |t| {
        let lines = format!(
            "        coredns: {{version: {newer}}}\n        eks-pod-identity-agent: false\n"
        );
        with_addons(t, &lines)
    });
    let run = wway(emulator, account.state.path(), &["plan", &pinned, "--detailed-exitcode"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("one way"), "{}", run.stdout);
    let changes = plan_changes(emulator, account.state.path(), &pinned);
    let expected = [
        ("us-east-1/eks-addon/coredns", "update"),
        ("us-east-1/eks-addon/eks-pod-identity-agent", "delete"),
    ];
    assert_eq!(changes, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    crate::apply_emulator::applied(emulator, account.state.path(), &pinned);
    let found = addons(&eks, "wonderway-us-east-1").await;
    let coredns = found.iter().find(|(name, _, _)| name == "coredns").unwrap();
    assert_eq!((&coredns.1, coredns.2.as_str()), (&newer, "ACTIVE"));
    assert!(found.iter().all(|(name, _, _)| name != "eks-pod-identity-agent"));
    assert!(plan_changes(emulator, account.state.path(), &pinned).is_empty());

    // A version that does not run on the cluster's stops the plan, with
    // the versions that do; so does an add-on the region does not offer.
    let old = default_version(&eks, "kube-proxy", "1.33").await;
    let wrong = wonderway_edited(&account, "wrong.yaml", |t| {
        let lines =
            format!("        kube-proxy: {{version: {old}}}\n        no-such-addon: {{}}\n");
        with_addons(t, &lines)
    });
    let run = wway(emulator, account.state.path(), &["plan", &wrong]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "kube-proxy {old} of us-east-1/eks-addon/kube-proxy does not run on Kubernetes 1.34"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("EKS offers no add-on no-such-addon"), "{}", run.stderr);
}

/// Someone changed an add-on's values on the cluster: made with the
/// default `conflicts: none`, EKS keeps them and the create fails with the
/// conflict and what the file can say; the apply is rolled back, the failed
/// add-on with it. With `conflicts: overwrite` the same add-on is made.
#[tokio::test]
async fn an_add_on_someone_changed_is_not_overwritten_unless_the_file_says_so() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    let added = wonderway_edited(&account, "added.yaml", |t| {
        with_addons(t, "        aws-ebs-csi-driver: {}\n")
    });
    let conflict = ("addon-conflict", "wonderway-us-east-1/aws-ebs-csi-driver");
    emulator.fail_next(conflict.0, conflict.1, "ConfigurationConflict", "edited");
    let run = wway(emulator, account.state.path(), &["apply", &added, "--auto-approve"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("CREATE_FAILED: ConfigurationConflict"), "{}", run.stdout);
    assert!(run.stdout.contains("set `conflicts: overwrite`"), "{}", run.stdout);
    assert!(run.stdout.contains("the account is as it was"), "{}\n{}", run.stdout, run.stderr);
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let names = |found: Vec<(String, String, String)>| -> Vec<String> {
        found.into_iter().map(|(name, _, _)| name).collect()
    };
    assert!(
        !names(addons(&eks, "wonderway-us-east-1").await).contains(&"aws-ebs-csi-driver".into())
    );

    let overwrite = wonderway_edited(&account, "overwrite.yaml", |t| {
        with_addons(t, "        aws-ebs-csi-driver: {conflicts: overwrite}\n")
    });
    emulator.fail_next(conflict.0, conflict.1, "ConfigurationConflict", "edited");
    crate::apply_emulator::applied(emulator, account.state.path(), &overwrite);
    let found = addons(&eks, "wonderway-us-east-1").await;
    let csi = found.iter().find(|(name, _, _)| name == "aws-ebs-csi-driver").unwrap();
    assert_eq!(csi.2, "ACTIVE");
    assert!(plan_changes(emulator, account.state.path(), &overwrite).is_empty());
}
