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

    // Regression: with the public endpoint off, EKS still answers the
    // blocks it had (0.0.0.0/0 by default), and the plan kept finding an
    // update that changed nothing.
    let edited = &updated_in_place(&account, "endpoint: {public: false}");
    let (private, public, _, _) = access().await;
    assert_eq!((private, public), (true, false));
    assert!(plan_changes(emulator, account.state.path(), edited).is_empty());
}

/// The topology's resources in one region's account, as EC2 describes them.
struct Network {
    vpc: aws_sdk_ec2::types::Vpc,
    subnets: Vec<aws_sdk_ec2::types::Subnet>,
    tables: Vec<aws_sdk_ec2::types::RouteTable>,
    gateways: Vec<aws_sdk_ec2::types::NatGateway>,
    addresses: Vec<aws_sdk_ec2::types::Address>,
    endpoints: Vec<aws_sdk_ec2::types::VpcEndpoint>,
    internet_gateways: Vec<aws_sdk_ec2::types::InternetGateway>,
    security_groups: Vec<aws_sdk_ec2::types::SecurityGroup>,
}

/// What `region` holds of the WonderWay topology (NAT gateways and
/// endpoints being deleted or deleted left out).
async fn network(ec2: &aws_sdk_ec2::Client) -> Network {
    let owned = || {
        let filter = aws_sdk_ec2::types::Filter::builder().name("tag:wway:topology");
        filter.values("wonderway").build()
    };
    let vpcs = ec2.describe_vpcs().filters(owned()).send().await.unwrap();
    let subnets = ec2.describe_subnets().filters(owned()).send().await.unwrap();
    let tables = ec2.describe_route_tables().filters(owned()).send().await.unwrap();
    let gateways = ec2.describe_nat_gateways().filter(owned()).send().await.unwrap();
    let addresses = ec2.describe_addresses().filters(owned()).send().await.unwrap();
    let endpoints = ec2.describe_vpc_endpoints().filters(owned()).send().await.unwrap();
    let internet = ec2.describe_internet_gateways().filters(owned()).send().await.unwrap();
    let groups = ec2.describe_security_groups().filters(owned()).send().await.unwrap();
    let living = |state: &str| !matches!(state.to_lowercase().as_str(), "deleting" | "deleted");
    Network {
        vpc: vpcs
            .vpcs()
            .first()
            .cloned()
            .unwrap_or_else(|| aws_sdk_ec2::types::Vpc::builder().build()),
        subnets: subnets.subnets().to_vec(),
        tables: tables.route_tables().to_vec(),
        gateways: (gateways.nat_gateways().iter())
            .filter(|g| g.state().is_some_and(|s| living(s.as_str())))
            .cloned()
            .collect(),
        addresses: addresses.addresses().to_vec(),
        endpoints: (endpoints.vpc_endpoints().iter())
            .filter(|e| e.state().is_some_and(|s| living(s.as_str())))
            .cloned()
            .collect(),
        internet_gateways: internet.internet_gateways().to_vec(),
        security_groups: groups.security_groups().to_vec(),
    }
}

impl Network {
    /// The subnets tagged for `role` (`elb`: public, `internal-elb`: private).
    fn subnets_for(&self, role: &str) -> Vec<&aws_sdk_ec2::types::Subnet> {
        let key = format!("kubernetes.io/role/{role}");
        let tagged =
            |s: &&aws_sdk_ec2::types::Subnet| s.tags().iter().any(|t| t.key() == Some(&key));
        self.subnets.iter().filter(tagged).collect()
    }

    /// Where the table of `subnet` (its own, explicitly) sends 0.0.0.0/0:
    /// (gateway id, NAT gateway id).
    fn way_out(&self, subnet: &str) -> (Option<String>, Option<String>) {
        let table = self
            .tables
            .iter()
            .find(|t| t.associations().iter().any(|a| a.subnet_id() == Some(subnet)));
        let table = table.unwrap_or_else(|| panic!("subnet {subnet} is in no table of its own"));
        let route = table.routes().iter().find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
        let route = route.unwrap_or_else(|| panic!("subnet {subnet}'s table has no way out"));
        (route.gateway_id().map(str::to_string), route.nat_gateway_id().map(str::to_string))
    }

    fn zone_of(&self, subnet: &str) -> &str {
        let found = self.subnets.iter().find(|s| s.subnet_id() == Some(subnet)).unwrap();
        found.availability_zone().unwrap()
    }
}

/// Nodes join a cluster only from subnets with a way out, or through
/// endpoints (the emulator fails a node group with NodeCreationFailure
/// otherwise, as AWS does): a region's network is a public and a private
/// subnet per zone, the public ones routed to the internet gateway, each
/// private one to a NAT gateway (its zone's, or the region's one with
/// `nat: single`) or, with `nat: none`, to nothing but interface endpoints,
/// and an S3 gateway endpoint in every table. Two zones fill a /16 with
/// private subnets: the public ones go in a second block. Destroy leaves no
/// address, endpoint or security group behind.
#[tokio::test]
async fn a_regions_nodes_join_through_the_network_wway_builds_and_destroy_releases_it() {
    use crate::apply_emulator::{applied, topology_copy, wway};
    use crate::emulator::{Emulator, topology};

    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let file = topology_copy(dir.path(), "topologies/wonderway.yaml", "network.yaml", |t| {
        let t = t.replacen("      availability_zones: 3\n", "      availability_zones: 2\n", 1);
        t.replace("      cidr: 10.20.0.0/16\n", "      cidr: 10.20.0.0/16\n      nat: single\n")
            .replace("      cidr: 10.30.0.0/16\n", "      cidr: 10.30.0.0/16\n      nat: none\n")
    });
    let file = file.to_str().unwrap();
    emulator.seed_roles(&topology(file));
    let state = tempfile::tempdir().unwrap();
    applied(&emulator, state.path(), file);

    for (region, zones, nat) in
        [("us-east-1", 2, "per-az"), ("eu-west-1", 3, "single"), ("ap-southeast-1", 3, "none")]
    {
        let single = nat == "single";
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk(region).await);
        let net = network(&ec2).await;
        let vpc = net.vpc.vpc_id().unwrap();
        let (public, private) = (net.subnets_for("elb"), net.subnets_for("internal-elb"));
        assert_eq!((public.len(), private.len()), (zones, zones), "{region}");
        if zones == 2 {
            let blocks: Vec<&str> = net
                .vpc
                .cidr_block_association_set()
                .iter()
                .filter_map(|a| a.cidr_block())
                .collect();
            assert!(blocks.contains(&"100.64.0.0/22"), "{region}: {blocks:?}");
            assert!(public.iter().all(|s| s.cidr_block().unwrap().starts_with("100.64.")));
        }
        let [igw] = net.internet_gateways.as_slice() else { panic!("{region}: one gateway") };
        let attached = igw.attachments().iter().any(|a| a.vpc_id() == Some(vpc));
        assert!(attached, "{region}: the gateway is attached to the VPC");
        for subnet in &public {
            let out = net.way_out(subnet.subnet_id().unwrap());
            assert_eq!(out, (igw.internet_gateway_id().map(str::to_string), None), "{region}");
        }
        let gateways = match nat {
            "none" => 0,
            "single" => 1,
            _ => zones,
        };
        assert_eq!(net.gateways.len(), gateways, "{region}");
        assert_eq!(net.addresses.len(), net.gateways.len(), "{region}: an address each");
        let (gateway_endpoints, interfaces): (Vec<_>, Vec<_>) = net
            .endpoints
            .iter()
            .partition(|e| e.vpc_endpoint_type().unwrap().as_str() == "Gateway");
        if nat == "none" {
            private_way(&net, &private, &interfaces, region, "10.30.0.0/16");
        } else {
            assert!(interfaces.is_empty(), "{region}: no interface endpoint unless asked");
        }
        for subnet in private.iter().filter(|_| nat != "none") {
            let (_, nat) = net.way_out(subnet.subnet_id().unwrap());
            let nat = net.gateways.iter().find(|g| g.nat_gateway_id() == nat.as_deref()).unwrap();
            assert_eq!(nat.state().map(|s| s.as_str()), Some("available"), "{region}");
            let home = net.zone_of(nat.subnet_id().unwrap());
            assert!(public.iter().any(|p| p.subnet_id() == nat.subnet_id()), "{region}: public");
            if !single {
                assert_eq!(home, subnet.availability_zone().unwrap(), "{region}: its zone's");
            }
            let ip = nat.nat_gateway_addresses()[0].allocation_id();
            assert!(net.addresses.iter().any(|a| a.allocation_id() == ip), "{region}: owned IP");
        }
        let [endpoint] = gateway_endpoints.as_slice() else {
            panic!("{region}: one gateway endpoint")
        };
        assert_eq!(endpoint.service_name(), Some(format!("com.amazonaws.{region}.s3").as_str()));
        let mut in_tables = endpoint.route_table_ids().to_vec();
        in_tables.sort();
        let mut tables: Vec<String> =
            net.tables.iter().map(|t| t.route_table_id().unwrap().to_string()).collect();
        tables.sort();
        assert_eq!((in_tables, tables.len()), (tables, zones + 1), "{region}: every table");
        let eks = aws_sdk_eks::Client::new(&emulator.sdk(region).await);
        let cluster = format!("wonderway-{region}");
        for group in ["general", "compute-intensive"] {
            let described = eks.describe_nodegroup().cluster_name(&cluster).nodegroup_name(group);
            let described = described.send().await.unwrap();
            let status = described.nodegroup().and_then(|g| g.status()).unwrap();
            assert_eq!(status.as_str(), "ACTIVE", "{region}/{group}: its nodes joined");
        }
    }

    // eu-west-1 gives up its NAT gateway: its private tables lose their
    // default route, the gateway goes and its address is released, and the
    // endpoints nodes need are made.
    let edited = std::fs::read_to_string(file).unwrap().replace("nat: single", "nat: none");
    std::fs::write(file, edited).unwrap();
    applied(&emulator, state.path(), file);
    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk("eu-west-1").await);
    let net = network(&ec2).await;
    assert_eq!((net.gateways.len(), net.addresses.len()), (0, 0), "no NAT gateway, no address");
    let private = net.subnets_for("internal-elb");
    let interfaces: Vec<_> = (net.endpoints.iter())
        .filter(|e| e.vpc_endpoint_type().unwrap().as_str() == "Interface")
        .collect();
    private_way(&net, &private, &interfaces, "eu-west-1", "10.20.0.0/16");
    assert!(crate::apply_emulator::plan_changes(&emulator, state.path(), file).is_empty());

    let destroy = wway(&emulator, state.path(), &["destroy", file, "--auto-approve"]);
    assert_eq!(destroy.code, 0, "{}\n{}", destroy.stdout, destroy.stderr);
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk(region).await);
        let left = network(&ec2).await;
        let counts = (left.addresses.len(), left.gateways.len(), left.tables.len());
        assert_eq!(counts, (0, 0, 0), "{region}: no address, NAT gateway or table left");
        assert!(left.endpoints.is_empty() && left.subnets.is_empty(), "{region}");
        assert!(left.security_groups.is_empty(), "{region}: no security group left");
    }
}

/// A region with `nat: none`: its private subnets have no default route,
/// and reach EC2, ECR, STS and EKS Auth through interface endpoints (one
/// network interface per private subnet, private DNS on, behind the
/// endpoints' group that lets HTTPS in from the VPC).
fn private_way(
    net: &Network,
    private: &[&aws_sdk_ec2::types::Subnet],
    interfaces: &[&aws_sdk_ec2::types::VpcEndpoint],
    region: &str,
    block: &str,
) {
    for subnet in private {
        let table = net
            .tables
            .iter()
            .find(|t| t.associations().iter().any(|a| a.subnet_id() == subnet.subnet_id()));
        let routes = table.unwrap().routes();
        let out = routes.iter().find(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
        assert!(out.is_none(), "{region}: a private subnet has no way out");
    }
    let mut services: Vec<&str> = interfaces
        .iter()
        .map(|e| e.service_name().unwrap().rsplit_once(&format!("{region}.")).unwrap().1)
        .collect();
    services.sort();
    assert_eq!(services, ["ec2", "ecr.api", "ecr.dkr", "eks-auth", "sts"], "{region}");
    let [group] = net.security_groups.as_slice() else { panic!("{region}: one group") };
    let [rule] = group.ip_permissions() else { panic!("{region}: one rule") };
    let from: Vec<&str> = rule.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect();
    assert_eq!((rule.from_port(), rule.to_port(), from), (Some(443), Some(443), vec![block]));
    let mut subnets: Vec<&str> = private.iter().map(|s| s.subnet_id().unwrap()).collect();
    subnets.sort();
    for endpoint in interfaces {
        let mut in_subnets: Vec<&str> = endpoint.subnet_ids().iter().map(String::as_str).collect();
        in_subnets.sort();
        assert_eq!(in_subnets, subnets, "{region}: every private subnet");
        assert_eq!(endpoint.private_dns_enabled(), Some(true), "{region}");
        let groups: Vec<&str> = endpoint.groups().iter().filter_map(|g| g.group_id()).collect();
        assert_eq!(groups, [group.group_id().unwrap()], "{region}");
        assert_eq!(endpoint.state().map(|s| s.as_str()), Some("available"), "{region}");
    }
}

/// An account an earlier wway made (a VPC with private subnets and a
/// cluster, no way out, no add-ons) plans only the network's and the
/// add-ons' additions: the private
/// subnets and the clusters stay, nothing is replaced or deleted. The
/// account is made so by applying WonderWay and taking away, as its owner
/// could, what earlier versions did not make.
#[tokio::test]
async fn an_account_made_before_the_network_plans_only_its_additions() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk(region).await);
        let net = network(&ec2).await;
        for endpoint in &net.endpoints {
            let id = endpoint.vpc_endpoint_id().unwrap();
            ec2.delete_vpc_endpoints().vpc_endpoint_ids(id).send().await.unwrap();
        }
        for table in &net.tables {
            for association in table.associations() {
                let id = association.route_table_association_id().unwrap();
                ec2.disassociate_route_table().association_id(id).send().await.unwrap();
            }
            let id = table.route_table_id().unwrap();
            ec2.delete_route_table().route_table_id(id).send().await.unwrap();
        }
        for gateway in &net.gateways {
            let id = gateway.nat_gateway_id().unwrap();
            ec2.delete_nat_gateway().nat_gateway_id(id).send().await.unwrap();
        }
        emulator.advance_clock(120);
        for address in &net.addresses {
            let id = address.allocation_id().unwrap();
            ec2.release_address().allocation_id(id).send().await.unwrap();
        }
        for subnet in net.subnets_for("elb") {
            ec2.delete_subnet().subnet_id(subnet.subnet_id().unwrap()).send().await.unwrap();
        }
        for igw in &net.internet_gateways {
            let (id, vpc) = (igw.internet_gateway_id().unwrap(), net.vpc.vpc_id().unwrap());
            ec2.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await.unwrap();
            ec2.delete_internet_gateway().internet_gateway_id(id).send().await.unwrap();
        }
        let eks = aws_sdk_eks::Client::new(&emulator.sdk(region).await);
        let cluster = format!("wonderway-{region}");
        let listed = eks.list_addons().cluster_name(&cluster).send().await.unwrap();
        for addon in listed.addons() {
            eks.delete_addon().cluster_name(&cluster).addon_name(addon).send().await.unwrap();
        }
    }
    emulator.advance_clock(120);

    let changes = plan_changes(emulator, account.state.path(), &account.base);
    assert_eq!(changes.len(), 3 * 19, "{changes:?}");
    let additions = [
        "eks-addon",
        "internet-gateway",
        "public-subnet",
        "elastic-ip",
        "nat-gateway",
        "route-table",
        "vpc-endpoint",
    ];
    for (address, action) in &changes {
        let kind = address.split('/').nth(1).unwrap();
        assert!(action == "create" && additions.contains(&kind), "{address}: {action}");
    }
    crate::apply_emulator::applied(emulator, account.state.path(), &account.base);
    assert!(plan_changes(emulator, account.state.path(), &account.base).is_empty());
}

/// The principals with access entries on `cluster`, and the policies of each.
async fn access(eks: &aws_sdk_eks::Client, cluster: &str) -> Vec<(String, Vec<String>)> {
    let listed = eks.list_access_entries().cluster_name(cluster).send().await.unwrap();
    let mut entries = Vec::new();
    for principal in listed.access_entries() {
        let asked = eks.list_associated_access_policies().cluster_name(cluster);
        let policies = asked.principal_arn(principal).send().await.unwrap();
        let arns = policies.associated_access_policies().iter();
        let arns = arns.filter_map(|p| p.policy_arn().map(str::to_string)).collect();
        entries.push((principal.clone(), arns));
    }
    entries
}

/// A cluster is reached through access entries (authentication mode
/// API_AND_CONFIG_MAP): each of `admins` gets one with the cluster admin
/// policy, and the creator is then not an invisible admin; a cluster
/// without admins keeps EKS's default (its creator), which wway leaves
/// alone. An admin taken out of the file loses the entry.
#[tokio::test]
async fn a_clusters_admins_get_access_entries_and_its_creator_is_not_one() {
    use crate::apply_emulator::{applied, topology_copy};
    use crate::emulator::{Emulator, topology};

    let admin = "arn:aws:iam::123456789012:role/wonderway-platform-admins";
    let policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
    let line = format!("      admins: [{admin}]\n");
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    // WonderWay, its eu-west-1 cluster without admins.
    let file = topology_copy(dir.path(), "topologies/wonderway.yaml", "admins.yaml", |t| {
        let (at, _) = t.match_indices(&line).nth(1).unwrap();
        format!("{}{}", &t[..at], &t[at + line.len()..])
    });
    let file = file.to_str().unwrap();
    emulator.seed_roles(&topology(file));
    let state = tempfile::tempdir().unwrap();
    applied(&emulator, state.path(), file);

    let us = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let cluster = us_east_cluster(&us).await;
    let config = cluster.access_config().unwrap();
    assert_eq!(config.authentication_mode().map(|m| m.as_str()), Some("API_AND_CONFIG_MAP"));
    assert_eq!(config.bootstrap_cluster_creator_admin_permissions(), Some(false));
    let entries = access(&us, "wonderway-us-east-1").await;
    assert_eq!(entries, [(admin.to_string(), vec![policy.to_string()])], "the admin alone");

    let eu = aws_sdk_eks::Client::new(&emulator.sdk("eu-west-1").await);
    let entries = access(&eu, "wonderway-eu-west-1").await;
    let creator = "arn:aws:iam::123456789012:user/moto";
    assert_eq!(entries, [(creator.to_string(), vec![policy.to_string()])], "EKS's default");
    assert!(plan_changes(&emulator, state.path(), file).is_empty(), "the creator's is EKS's");

    let text = std::fs::read_to_string(file).unwrap();
    let without = dir.path().join("none.yaml");
    std::fs::write(&without, text.replacen(&line, "      admins: []\n", 1)).unwrap();
    let without = without.to_str().unwrap();
    let changes = plan_changes(&emulator, state.path(), without);
    let gone = "us-east-1/access-entry/wonderway-platform-admins";
    assert_eq!(changes, [(gone.to_string(), "delete".to_string())]);
    applied(&emulator, state.path(), without);
    assert!(access(&us, "wonderway-us-east-1").await.is_empty());
}

/// A node group runs its cluster's version and an update configuration (a
/// third of its nodes at a time by default). A cluster upgrade takes its
/// groups and add-ons along in the same apply: the cluster first, then the
/// add-ons the nodes need, each group (UpdateNodegroupVersion, followed by
/// its update id), then the other add-ons, each to EKS's default for the
/// new version; each one way. A group's update configuration changes in
/// place.
#[tokio::test]
async fn a_cluster_upgrade_takes_its_node_groups_along_after_it() {
    let account = wonderway_applied();
    let emulator = &account.emulator;
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let group = |name: &'static str| {
        let asked =
            eks.describe_nodegroup().cluster_name("wonderway-us-east-1").nodegroup_name(name);
        async move { asked.send().await.unwrap().nodegroup().cloned().unwrap() }
    };
    let general = group("general").await;
    let config = general.update_config().unwrap();
    assert_eq!(general.version(), Some("1.34"));
    assert_eq!((config.max_unavailable(), config.max_unavailable_percentage()), (None, Some(33)));

    let upgraded = wonderway_edited(&account, "upgraded.yaml", |t| {
        t.replacen("version: \"1.34\"", "version: \"1.35\"", 1).replacen(
            "          labels: {workload: general}\n",
            "          labels: {workload: general}\n          max_unavailable: 2\n",
            1,
        )
    });
    let run = crate::apply_emulator::wway(
        emulator,
        account.state.path(),
        &["plan", &upgraded, "--format", "json"],
    );
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    let addresses: Vec<&str> = changes.iter().map(|c| c["address"].as_str().unwrap()).collect();
    assert_eq!(
        addresses,
        [
            "us-east-1/eks-cluster",
            "us-east-1/eks-addon/eks-pod-identity-agent",
            "us-east-1/eks-addon/vpc-cni",
            "us-east-1/node-group/compute-intensive",
            "us-east-1/node-group/general",
            "us-east-1/eks-addon/coredns",
            "us-east-1/eks-addon/kube-proxy",
        ],
        "the cluster first, then the add-ons nodes need, its groups, and the other add-ons"
    );
    for change in &changes[1..] {
        assert_eq!(change["action"], "update");
        let after = change["depends_on"].as_array().unwrap();
        assert!(after.contains(&serde_json::json!("us-east-1/eks-cluster")), "{change}");
    }
    for change in &changes[5..] {
        let after = change["depends_on"].as_array().unwrap();
        assert!(after.contains(&serde_json::json!("us-east-1/node-group/general")), "{change}");
    }
    crate::apply_emulator::applied(emulator, account.state.path(), &upgraded);
    let cluster = us_east_cluster(&eks).await;
    assert_eq!(cluster.version(), Some("1.35"));
    for name in ["general", "compute-intensive"] {
        assert_eq!(group(name).await.version(), Some("1.35"), "{name} follows its cluster");
    }
    assert_eq!(group("general").await.update_config().unwrap().max_unavailable(), Some(2));
    for name in ["vpc-cni", "eks-pod-identity-agent", "coredns", "kube-proxy"] {
        let asked = eks.describe_addon().cluster_name("wonderway-us-east-1").addon_name(name);
        let addon = asked.send().await.unwrap().addon().cloned().unwrap();
        let catalog = eks.describe_addon_versions().addon_name(name).kubernetes_version("1.35");
        let catalog = catalog.send().await.unwrap();
        let default = catalog.addons()[0].addon_versions().iter().find(|v| {
            v.compatibilities()
                .iter()
                .any(|c| c.cluster_version() == Some("1.35") && c.default_version())
        });
        assert_eq!(addon.addon_version(), default.unwrap().addon_version(), "{name} follows");
    }
    assert!(plan_changes(emulator, account.state.path(), &upgraded).is_empty());
}

/// A cluster raised by two minor versions on the emulator, which refuses
/// UpdateClusterVersion while a node group is behind the cluster (as EKS
/// does): the apply goes the cluster to 1.34, its groups to 1.34, the
/// cluster to 1.35, its groups to 1.35, then its add-ons, and the account
/// ends converged. The plan shows the stops.
#[tokio::test]
async fn a_cluster_two_minor_versions_behind_is_raised_one_at_a_time_with_its_node_groups() {
    use crate::apply_emulator::{applied, topology_copy, wway};
    use crate::emulator::{Emulator, topology};

    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let at = |version: &str| {
        let file = topology_copy(dir.path(), "topologies/wonderway.yaml", "upgrade.yaml", |t| {
            t.replacen("version: \"1.34\"", &format!("version: \"{version}\""), 1)
        });
        file.to_str().unwrap().to_string()
    };
    let file = at("1.33");
    emulator.seed_roles(&topology(&file));
    let state = tempfile::tempdir().unwrap();
    applied(&emulator, state.path(), &file);

    let file = at("1.35");
    let plan = wway(&emulator, state.path(), &["plan", &file, "--format", "json"]);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    let cluster = changes.iter().find(|c| c["address"] == "us-east-1/eks-cluster").unwrap();
    assert_eq!(cluster["stages"], serde_json::json!(["1.34", "1.35"]), "{cluster}");
    let run = applied(&emulator, state.path(), &file);
    // The progress lines that start a step: `[  0.0s] update <step>`.
    let order: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.split_once("] update ").map(|(_, step)| step))
        .filter(|step| !step.contains(' '))
        .filter(|step| step.contains("eks-cluster") || step.contains("node-group/general"))
        .collect();
    assert_eq!(
        order,
        [
            "us-east-1/eks-cluster#to-1.34",
            "us-east-1/node-group/general#to-1.34",
            "us-east-1/eks-cluster",
            "us-east-1/node-group/general",
        ],
        "{}",
        run.stderr
    );
    let eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    assert_eq!(us_east_cluster(&eks).await.version(), Some("1.35"));
    for name in ["general", "compute-intensive"] {
        let asked =
            eks.describe_nodegroup().cluster_name("wonderway-us-east-1").nodegroup_name(name);
        let group = asked.send().await.unwrap().nodegroup().cloned().unwrap();
        assert_eq!(group.version(), Some("1.35"), "{name}");
    }
    assert!(crate::apply_emulator::plan_changes(&emulator, state.path(), &file).is_empty());
}
