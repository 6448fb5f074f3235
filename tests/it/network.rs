//! A network that works on a real account (issue 13): what each region's
//! VPC needs for EKS nodes to join and for load balancers to be made, as the
//! reference modules (terraform-aws-vpc, terraform-aws-eks) make it.

use crate::apply_emulator::{Applied, plan_changes, wonderway_applied, wonderway_edited};

/// The DNS attributes of a VPC: (support, hostnames).
async fn dns_attributes(ec2: &aws_sdk_ec2::Client, vpc: &str) -> (bool, bool) {
    use aws_sdk_ec2::types::VpcAttributeName;
    let asked = |name| ec2.describe_vpc_attribute().vpc_id(vpc).attribute(name).send();
    let support = asked(VpcAttributeName::EnableDnsSupport).await.unwrap();
    let hostnames = asked(VpcAttributeName::EnableDnsHostnames).await.unwrap();
    let on = |value: Option<&aws_sdk_ec2::types::AttributeBooleanValue>| {
        value.and_then(|v| v.value()).unwrap_or(false)
    };
    (on(support.enable_dns_support()), on(hostnames.enable_dns_hostnames()))
}

/// The topology's VPC in `region`.
async fn owned_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let filter =
        aws_sdk_ec2::types::Filter::builder().name("tag:wway:topology").values("wonderway");
    let vpcs = ec2.describe_vpcs().filters(filter.build()).send().await.unwrap();
    vpcs.vpcs()[0].vpc_id().unwrap().to_string()
}

/// EKS nodes register by their private DNS names, which a VPC gives only
/// with DNS support and DNS hostnames on; a new VPC has hostnames off. Each
/// region's VPC has both on, and a VPC an earlier wway made with hostnames
/// off is changed in place, not replaced.
#[tokio::test]
async fn a_regions_vpc_has_dns_support_and_hostnames_on() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk(region).await);
        let vpc = owned_vpc(&ec2).await;
        assert_eq!(dns_attributes(&ec2, &vpc).await, (true, true), "{region}");
    }

    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk("eu-west-1").await);
    let vpc = owned_vpc(&ec2).await;
    let off = aws_sdk_ec2::types::AttributeBooleanValue::builder().value(false).build();
    ec2.modify_vpc_attribute().vpc_id(&vpc).enable_dns_hostnames(off).send().await.unwrap();
    let changes = plan_changes(emulator, account.state.path(), &account.base);
    assert_eq!(changes, [("eu-west-1/vpc".to_string(), "update".to_string())]);
    crate::apply_emulator::applied(emulator, account.state.path(), &account.base);
    assert_eq!(dns_attributes(&ec2, &vpc).await, (true, true));
}

/// WonderWay with `setting` added to its first `count` clusters (us-east-1,
/// eu-west-1, ap-southeast-1 in the file's order): the copy's path.
fn clusters_with(account: &Applied, setting: &str, count: usize) -> String {
    let version = "      version: \"1.34\"\n";
    wonderway_edited(account, "edited.yaml", |t| {
        t.replacen(version, &format!("{version}      {setting}\n"), count)
    })
}

/// The us-east-1 cluster as EKS describes it.
async fn us_east_cluster(eks: &aws_sdk_eks::Client) -> aws_sdk_eks::types::Cluster {
    let described = eks.describe_cluster().name("wonderway-us-east-1").send().await.unwrap();
    described.cluster().cloned().unwrap()
}

/// WonderWay applied with `setting` on its us-east-1 cluster, which the plan
/// changes in place and alone: the copy's path.
fn updated_in_place(account: &Applied, setting: &str) -> String {
    let edited = clusters_with(account, setting, 1);
    let changes = plan_changes(&account.emulator, account.state.path(), &edited);
    assert_eq!(changes, [("us-east-1/eks-cluster".to_string(), "update".to_string())]);
    crate::apply_emulator::applied(&account.emulator, account.state.path(), &edited);
    edited
}

/// The log types a cluster sends to CloudWatch Logs, sorted.
async fn cluster_logs(eks: &aws_sdk_eks::Client, name: &str) -> Vec<String> {
    let cluster = eks.describe_cluster().name(name).send().await.unwrap();
    let logging = cluster.cluster().and_then(|c| c.logging()).unwrap();
    let mut on: Vec<String> = logging
        .cluster_logging()
        .iter()
        .filter(|setup| setup.enabled() == Some(true))
        .flat_map(|setup| setup.types().iter().map(|t| t.as_str().to_string()))
        .collect();
    on.sort();
    on
}

/// A cluster sends the control plane's API, audit and authenticator logs
/// unless its file says otherwise (`logs:`); a change of them is made in
/// place (UpdateClusterConfig, followed by its update id).
#[tokio::test]
async fn a_cluster_sends_its_control_plane_logs_and_they_change_in_place() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("eu-west-1").await);
    let name = "wonderway-eu-west-1";
    assert_eq!(cluster_logs(&eks, name).await, ["api", "audit", "authenticator"]);

    let edited = &clusters_with(&account, "logs: [audit, scheduler]", 2);
    let mut changes = plan_changes(emulator, account.state.path(), edited);
    changes.sort();
    let update = |region: &str| (format!("{region}/eks-cluster"), "update".to_string());
    assert_eq!(changes, [update("eu-west-1"), update("us-east-1")]);
    crate::apply_emulator::applied(emulator, account.state.path(), edited);
    assert_eq!(cluster_logs(&eks, name).await, ["audit", "scheduler"]);
    assert!(plan_changes(emulator, account.state.path(), edited).is_empty());
}

/// A cluster is on EKS's standard support unless its file says otherwise:
/// without an upgrade policy EKS moves a cluster past its standard support
/// into extended support, billed at six times the hourly price, without a
/// word. The policy changes in place.
#[tokio::test]
async fn a_cluster_stays_on_standard_support_unless_asked() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let support = || async {
        let policy = us_east_cluster(&eks).await.upgrade_policy().cloned();
        policy.and_then(|p| p.support_type().map(|s| s.as_str().to_string()))
    };
    assert_eq!(support().await.as_deref(), Some("STANDARD"));
    updated_in_place(&account, "upgrade_policy: extended");
    assert_eq!(support().await.as_deref(), Some("EXTENDED"));
}

/// A cluster's API answers inside its VPC as well as on the internet
/// (nodes reach the control plane without leaving the VPC), from the blocks
/// the file lists; the access changes in place and the subnets stay.
#[tokio::test]
async fn a_clusters_api_answers_privately_and_publicly_from_the_blocks_listed() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let access = || async {
        let config = us_east_cluster(&eks).await.resources_vpc_config().cloned().unwrap();
        let cidrs = config.public_access_cidrs().to_vec();
        (
            config.endpoint_private_access(),
            config.endpoint_public_access(),
            cidrs,
            config.subnet_ids().len(),
        )
    };
    assert_eq!(access().await, (true, true, vec!["0.0.0.0/0".to_string()], 3));

    let setting = "endpoint: {public_cidrs: [203.0.113.0/24, 198.51.100.0/24]}";
    let edited = &updated_in_place(&account, setting);
    let blocks = vec!["198.51.100.0/24".to_string(), "203.0.113.0/24".to_string()];
    let (private, public, mut cidrs, subnets) = access().await;
    cidrs.sort();
    assert_eq!((private, public, cidrs, subnets), (true, true, blocks, 3));
    assert!(plan_changes(emulator, account.state.path(), edited).is_empty());
}
