//! The JSON Schema checked as an editor uses it (jsonschema and PyYAML from the
//! emulator's virtualenv): every good topology passes, and the bad ones whose
//! defect a schema can express are rejected. Cross-references (an undeclared
//! region, overlapping blocks) are the validator's job, not the schema's.

use std::collections::BTreeMap;
use std::process::Command;

use crate::emulator::project_root;

const REJECTED: &[&str] = &[
    "certificate-region",
    "cidr-size",
    "empty",
    "error-page-code",
    "format-version",
    "health-check-interval",
    "instance-type",
    "list-expected",
    "missing-field",
    "quoted-number",
    "reserved-tag",
    "role-arn",
    "several-defects",
    "tab-indentation",
    "unknown-field",
    "unknown-methods",
    "unquoted-version",
    "wrong-root-type",
];

#[test]
fn the_schema_accepts_good_topologies_and_rejects_what_it_can_express() {
    let root = project_root();
    let good = [
        "topologies/wonderway.yaml",
        "tests/topologies/good/shop.yaml",
        "tests/topologies/good/edge-cases.yaml",
    ];
    let bad: Vec<String> =
        REJECTED.iter().map(|n| format!("tests/topologies/bad/{n}.yaml")).collect();
    let output = Command::new(root.join(".emulator/venv/bin/python"))
        .current_dir(root)
        .arg("tests/tools/check_schema.py")
        .arg("src/topology/schema.json")
        .args(good)
        .args(&bad)
        .output()
        .expect("run check_schema.py (scripts/emulator.sh install sets up its virtualenv)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdicts: BTreeMap<String, String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(f, v)| (f.to_string(), v.to_string())))
        .collect();
    for file in good {
        assert_eq!(verdicts[file], "ok", "{file}");
    }
    for file in &bad {
        assert_ne!(verdicts[file.as_str()], "ok", "{file} passes the schema");
    }
}
