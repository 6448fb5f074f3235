//! `wway export terraform`: every repository topology exports to HCL that
//! HashiCorp's own parser (hcl-rs) reads, byte for byte the same on every
//! run, one AWS resource per declared resource (and per ownership TXT
//! record); a golden snapshot of the WonderWay export; import blocks with
//! the real ids after an apply to the emulator; stale files of an earlier
//! export removed, others left alone.

use std::collections::BTreeMap;
use std::path::Path;

use crate::apply_emulator::{Applied, wonderway_applied, wway};
use crate::emulator::project_root;

const TOPOLOGIES: [&str; 4] = [
    "topologies/wonderway.yaml",
    "tests/topologies/good/shop.yaml",
    "tests/topologies/good/edge-cases.yaml",
    "tests/topologies/good/gateway.yaml",
];

/// The export's files, by name. The folder is inside the repository, so the
/// edge functions' code folders are at a relative path any checkout shares.
fn exported(file: &str, out: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let mut args = vec!["export", "terraform", file, "--out", out.to_str().unwrap()];
    args.extend(extra);
    let run = assert_cmd::Command::cargo_bin("wway")
        .unwrap()
        .current_dir(project_root())
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(run.status.success(), "{file}: {}", String::from_utf8_lossy(&run.stderr));
    std::fs::read_dir(out)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            Some((
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).ok()?,
            ))
        })
        .collect()
}

fn resource_blocks(text: &str) -> Vec<(String, String)> {
    let body: hcl::Body = hcl::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    body.blocks()
        .filter(|b| b.identifier() == "resource")
        .map(|b| (b.labels()[0].as_str().to_string(), b.labels()[1].as_str().to_string()))
        .collect()
}

#[test]
fn every_topology_exports_parseable_identical_hcl_with_every_resource() {
    for file in TOPOLOGIES {
        let first = tempfile::tempdir_in(project_root()).unwrap();
        let second = tempfile::tempdir_in(project_root()).unwrap();
        let files = exported(file, first.path(), &[]);
        assert_eq!(files, exported(file, second.path(), &[]), "{file}: the same bytes twice");
        let resources: Vec<(String, String)> =
            files.values().flat_map(|text| resource_blocks(text)).collect();
        let topology = crate::emulator::topology(file);
        let desired = wway::state::desired::desired(&topology).unwrap();
        let names: std::collections::BTreeSet<&str> = desired
            .resources
            .values()
            .filter(|r| r.kind == wway::state::Kind::Record)
            .map(|r| r.fields["name"].as_str().unwrap())
            .collect();
        // Besides each resource: a route table's subnet associations, a
        // VPC's second blocks, an access entry's policy and a key's alias
        // are blocks of their own.
        let list =
            |r: &wway::kinds::Resource, field: &str| r.fields[field].as_array().unwrap().len();
        let shared: usize = (desired.resources.values())
            .map(|r| match r.kind {
                wway::state::Kind::RouteTable => list(r, "subnets"),
                wway::state::Kind::Vpc => list(r, "secondary_cidrs"),
                wway::state::Kind::AccessEntry | wway::state::Kind::KmsKey => 1,
                _ => 0,
            })
            .sum();
        let expected = desired.resources.len() + names.len() + shared;
        assert_eq!(resources.len(), expected, "{file}: {resources:?}");
        let unique: std::collections::BTreeSet<&(String, String)> = resources.iter().collect();
        assert_eq!(unique.len(), resources.len(), "{file}: names are unique");
        for text in files.values() {
            assert!(!text.contains('\t') && !text.contains(" \n"), "{file}: formatted");
        }
    }
}

#[test]
fn the_wonderway_export_is_stable() {
    let out = tempfile::tempdir_in(project_root()).unwrap();
    let files = exported("topologies/wonderway.yaml", out.path(), &[]);
    let mut all = String::new();
    for (name, text) in &files {
        all.push_str(&format!("==> {name} <==\n{text}\n"));
    }
    insta::assert_snapshot!("wonderway_terraform", all);
}

#[test]
fn imports_carry_the_real_ids_and_stale_files_go() {
    let Applied { emulator, state, dir: _dir, base: _ } = wonderway_applied();
    let out = tempfile::tempdir_in(project_root()).unwrap();
    let path = out.path().to_str().unwrap();
    std::fs::write(out.path().join("backend.tf"), "terraform {}\n").unwrap();
    let args =
        ["export", "terraform", "topologies/wonderway.yaml", "--out", path, "--with-imports"];
    let run = wway(&emulator, state.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("142 import blocks for the 114 declared resources that exist.\n"),
        "{}",
        run.stdout
    );
    let imports = std::fs::read_to_string(out.path().join("imports.tf")).unwrap();
    let body: hcl::Body = hcl::parse(&imports).unwrap();
    let ids: BTreeMap<String, String> = body
        .blocks()
        .map(|b| {
            let attr = |key: &str| {
                b.body().attributes().find(|a| a.key() == key).unwrap().expr().to_string()
            };
            (attr("to"), attr("id").trim_matches('"').to_string())
        })
        .collect();
    assert!(ids["aws_vpc.us_east_1"].starts_with("vpc-"), "{ids:?}");
    assert_eq!(ids["aws_eks_node_group.eu_west_1_general"], "wonderway-eu-west-1:general");
    assert_eq!(ids["aws_lambda_function.edge_router"], "wonderway-edge-router");
    let zone = &ids["aws_route53_zone.wonderway_com"];
    assert_eq!(
        ids["aws_route53_record.api_failover_primary"],
        format!("{zone}_api.wonderway.com_CNAME_failover-primary")
    );
    assert_eq!(
        ids["aws_route53_record.owner_api_wonderway_com"],
        format!("{zone}__wway.api.wonderway.com_TXT")
    );

    let again = wway(
        &emulator,
        state.path(),
        &["export", "terraform", "topologies/wonderway.yaml", "--out", path],
    );
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        !out.path().join("imports.tf").exists(),
        "the stale imports.tf of the first export is gone"
    );
    assert!(out.path().join("backend.tf").exists(), "a file wway did not write is left alone");
}

#[test]
fn a_bad_topology_exports_nothing() {
    let out = tempfile::tempdir().unwrap();
    let run = assert_cmd::Command::cargo_bin("wway")
        .unwrap()
        .current_dir(project_root())
        .args(["export", "terraform", "tests/topologies/bad/min-over-desired.yaml", "--out"])
        .arg(out.path().join("tf"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(!out.path().join("tf").exists());
}

#[tokio::test]
async fn an_existing_zone_wway_uses_without_owning_is_imported_not_made_twice() {
    let emulator = crate::emulator::Emulator::start();
    let route53 = aws_sdk_route53::Client::new(&emulator.sdk("us-east-1").await);
    let made = route53
        .create_hosted_zone()
        .name("wonderway.com")
        .caller_reference("made-by-hand")
        .send()
        .await
        .unwrap();
    let zone = made.hosted_zone().unwrap().id().trim_start_matches("/hostedzone/").to_string();
    let state = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir_in(project_root()).unwrap();
    let path = out.path().to_str().unwrap();
    let args =
        ["export", "terraform", "topologies/wonderway.yaml", "--out", path, "--with-imports"];
    let run = wway(&emulator, state.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let imports = std::fs::read_to_string(out.path().join("imports.tf")).unwrap();
    let expected = format!("  to = aws_route53_zone.wonderway_com\n  id = \"{zone}\"\n");
    assert!(imports.contains(&expected), "{imports}");
    assert_eq!(imports.matches("import {").count(), 1, "nothing else exists yet: {imports}");
}
