//! The resource kinds: every registered kind conforms to the contract the
//! engine relies on (its spec reads and writes its fields, its replace and
//! reference fields exist, its Terraform block parses and names an import
//! id), and the internet gateway, the kind added to prove the registry,
//! works end to end against the emulator.

use wway::kinds::terraform::{Exporter, Setting};
use wway::kinds::{Kind, Resource, ResourceAddr};

use crate::apply_emulator::{applied, plan_changes, wway};
use crate::emulator::{Emulator, topology};

/// An export of every kind's fixture that answers every live id with one.
struct Fixtures(Vec<Resource>);

impl Exporter for Fixtures {
    fn topology(&self) -> &str {
        "demo"
    }
    fn declared(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.0.iter().find(|r| &r.addr == addr)
    }
    fn all(&self, kind: Kind) -> Vec<&Resource> {
        self.0.iter().filter(|r| r.kind == kind).collect()
    }
    fn resource(&self, r: &Resource) -> wway::hcl::Block {
        wway::hcl::Block::new("resource", &[r.kind.def().terraform_type(), "this"])
    }
    fn provider(&self, _region: &str) -> wway::hcl::Expr {
        wway::hcl::Expr::raw("aws.this")
    }
    fn attribute(&self, _addr: &str, attribute: &str) -> wway::hcl::Expr {
        wway::hcl::Expr::raw(format!("aws_thing.other.{attribute}"))
    }
    fn name(&self, _addr: &ResourceAddr) -> String {
        "this".into()
    }
    fn unique_name(&self, _resource_type: &'static str, wanted: String) -> String {
        wanted
    }
    fn variable(&self, setting: Setting, _scope: &str) -> wway::hcl::Expr {
        wway::hcl::Expr::raw(format!("var.{}", setting.base))
    }
    fn source(&self, _addr: &ResourceAddr) -> String {
        ".".into()
    }
    fn live_id(&self, _addr: &ResourceAddr) -> Option<&str> {
        Some("live-id")
    }
    fn live_field(&self, _addr: &ResourceAddr, _field: &str) -> Option<&serde_json::Value> {
        None
    }
    fn used_id(&self, _kind: Kind, _name: &str) -> Option<&str> {
        None
    }
    fn has_owner_record(&self, _fqdn: &str) -> bool {
        true
    }
}

#[test]
fn every_registered_kind_conforms() {
    let mut names = std::collections::BTreeSet::new();
    let export = Fixtures(Kind::ALL.iter().map(|k| k.def().fixture()).collect());
    for kind in Kind::ALL {
        let def = kind.def();
        assert_eq!(def.kind(), kind, "the registry maps {kind:?} to its own definition");
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::json!(def.name()),
            "{kind:?}: its name is its serde name"
        );
        assert!(names.insert(def.name()), "{kind:?}: names are unique");
        let fixture = def.fixture();
        assert_eq!(fixture.kind, kind, "{kind:?}: its fixture is of its kind");
        assert_eq!(
            def.check(&fixture.fields).unwrap(),
            fixture.fields,
            "{kind:?}: the spec reads its fields and writes them back unchanged"
        );
        let fields = def.replace_fields().iter().chain(def.reference_fields());
        for field in fields.chain(def.pointer_fields()) {
            assert!(
                fixture.fields.contains_key(*field) || *field == "set_identifier",
                "{kind:?}: `{field}` is a field of its spec"
            );
        }
        let blocks = def.terraform(&fixture, &export).unwrap();
        assert!(!blocks.is_empty(), "{kind:?}: it exports to Terraform");
        let text = wway::hcl::document(&blocks);
        hcl::parse(&text).unwrap_or_else(|e| panic!("{kind:?}: {e}\n{text}"));
        assert!(
            text.contains(&format!("resource \"{}\"", def.terraform_type())),
            "{kind:?}: its block is an {}\n{text}",
            def.terraform_type()
        );
        assert!(def.import_id(&fixture, &export).is_some(), "{kind:?}: it has an import id");
    }
}

/// The proof of the registry: a kind added in its own files, planned,
/// applied (made, attached, tagged), read back as converged, exported with
/// its import, drift-checked, and detached and deleted by destroy.
#[tokio::test]
async fn an_internet_gateway_is_made_attached_read_back_exported_and_deleted() {
    let emulator = Emulator::start();
    let file = "tests/topologies/good/gateway.yaml";
    emulator.seed_roles(&topology(file));
    let state = tempfile::tempdir().unwrap();
    let planned = plan_changes(&emulator, state.path(), file);
    let gateway = ("eu-west-1/internet-gateway".to_string(), "create".to_string());
    assert!(planned.contains(&gateway), "{planned:?}");

    applied(&emulator, state.path(), file);
    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk("eu-west-1").await);
    let owned = |name: &str, value: &str| {
        aws_sdk_ec2::types::Filter::builder().name(format!("tag:{name}")).values(value).build()
    };
    let vpcs = ec2.describe_vpcs().filters(owned("wway:topology", "gateway")).send().await.unwrap();
    let vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    let gateways = ec2
        .describe_internet_gateways()
        .filters(owned("wway:id", "eu-west-1/internet-gateway"))
        .send()
        .await
        .unwrap();
    assert_eq!(gateways.internet_gateways().len(), 1, "one gateway, tagged with its address");
    let made = &gateways.internet_gateways()[0];
    let attached: Vec<&str> = made.attachments().iter().filter_map(|a| a.vpc_id()).collect();
    assert_eq!(attached, [vpc.as_str()], "attached to the topology's VPC");
    assert!(plan_changes(&emulator, state.path(), file).is_empty(), "read back as converged");

    let drift = wway(&emulator, state.path(), &["drift", file]);
    assert_eq!(drift.code, 0, "{}\n{}", drift.stdout, drift.stderr);
    let out = tempfile::tempdir().unwrap();
    let export = wway(
        &emulator,
        state.path(),
        &["export", "terraform", file, "--out", out.path().to_str().unwrap(), "--with-imports"],
    );
    assert_eq!(export.code, 0, "{}", export.stderr);
    let network = std::fs::read_to_string(out.path().join("eu-west-1-network.tf")).unwrap();
    assert!(network.contains("resource \"aws_internet_gateway\" \"eu_west_1\""), "{network}");
    let imports = std::fs::read_to_string(out.path().join("imports.tf")).unwrap();
    let id = made.internet_gateway_id().unwrap();
    assert!(imports.contains(&format!("id = \"{id}\"")), "{imports}");
    let graph = wway(&emulator, state.path(), &["graph", file]);
    assert!(graph.stdout.contains("eu-west-1/internet-gateway"), "{}", graph.stdout);

    let destroy = wway(&emulator, state.path(), &["destroy", file, "--auto-approve"]);
    assert_eq!(destroy.code, 0, "{}\n{}", destroy.stdout, destroy.stderr);
    let left = ec2.describe_internet_gateways().internet_gateway_ids(id).send().await;
    let left = left.map(|g| g.internet_gateways().len()).unwrap_or(0);
    assert_eq!(left, 0, "the gateway is detached and deleted");
}

/// Every kind's create and delete steps go through a cloud and come back as
/// the read says: made with the fixture's fields under its address, then
/// gone. On the in-memory cloud (`fake.rs`), which checks the steps' shape
/// for every kind; the emulator tests check each kind against AWS's protocol.
#[tokio::test]
async fn the_in_memory_cloud_creates_reads_and_deletes_every_kind() {
    use wway::cloud::Cloud;
    use wway::plan::steps::{Op, Step, StepName, Target};
    let cloud = crate::fake::FakeCloud::default();
    let nothing = wway::state::desired::DesiredState::default();
    let ids = wway::state::live::Ids::default();
    for kind in Kind::ALL {
        let fixture = kind.def().fixture();
        let target = Target {
            addr: fixture.addr.clone(),
            kind,
            region: fixture.region.clone(),
            fields: fixture.fields.clone(),
            source: None,
        };
        let step = |op: Op| Step {
            name: StepName::resource(&fixture.addr),
            service: kind.service(),
            region: fixture.region.clone(),
            op,
            deps: Default::default(),
        };
        let create = step(Op::Create { target: target.clone(), replaces: None });
        let made = cloud.apply_step("demo", &create, &ids, &|_| {}).await.unwrap();
        let live = cloud.snapshot(&nothing).await.unwrap();
        let read = &live.owned[&fixture.addr];
        assert_eq!((read.kind, &read.fields), (kind, &fixture.fields), "{kind:?}: read back");
        assert_eq!(made.ids.get(&fixture.addr), Some(&read.id), "{kind:?}: its id");
        let delete = step(Op::Delete { target, id: read.id.clone() });
        cloud.apply_step("demo", &delete, &ids, &|_| {}).await.unwrap();
        let live = cloud.snapshot(&nothing).await.unwrap();
        assert!(!live.owned.contains_key(&fixture.addr), "{kind:?}: deleted");
    }
}
