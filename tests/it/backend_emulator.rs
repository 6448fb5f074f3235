//! The S3 backend against the emulator's S3: journals, the scope and the lock
//! as objects in a bucket (named by the file's `backend:` or `--backend`), a
//! lock refused by a conditional put and cleared by `force-unlock`, a rollback
//! and drift's history read from the bucket, and a journal append that lost a
//! race refused.

use std::sync::Arc;

use crate::apply_emulator::{applied, plan_changes, topology_copy, wway};
use crate::emulator::{Emulator, topology};
use wway::store::Store;
use wway::store::s3::S3Store;
use wway::topology::backend;

const BUCKET: &str = "team-state";

async fn s3(emulator: &Emulator) -> aws_sdk_s3::Client {
    let sdk = emulator.sdk("us-east-1").await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build(),
    )
}

async fn keys(client: &aws_sdk_s3::Client) -> Vec<String> {
    let listed = client.list_objects_v2().bucket(BUCKET).send().await.unwrap();
    listed.contents().iter().filter_map(|o| o.key().map(String::from)).collect()
}

async fn bucket(emulator: &Emulator) -> aws_sdk_s3::Client {
    let client = s3(emulator).await;
    client.create_bucket().bucket(BUCKET).send().await.unwrap();
    client
}

/// An emulator ready for the shop topology, with the state bucket, and an
/// empty local state folder.
async fn shop_with_bucket() -> (Emulator, aws_sdk_s3::Client, tempfile::TempDir) {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("tests/topologies/good/shop.yaml"));
    let client = bucket(&emulator).await;
    (emulator, client, tempfile::tempdir().unwrap())
}

#[tokio::test]
async fn the_files_backend_keeps_journals_and_scope_in_the_bucket_and_rollback_reads_them() {
    let (emulator, client, state) = shop_with_bucket().await;
    let dir = tempfile::tempdir().unwrap();
    let file = topology_copy(dir.path(), "tests/topologies/good/shop.yaml", "shop.yaml", |t| {
        t.replacen("name: shop\n", &format!("name: shop\nbackend: s3://{BUCKET}/teams/\n"), 1)
    });
    let file = file.to_str().unwrap();
    applied(&emulator, state.path(), file);

    let stored = keys(&client).await;
    let journals: Vec<&String> = stored.iter().filter(|k| k.ends_with("-apply.jsonl")).collect();
    assert_eq!(journals.len(), 1, "{stored:?}");
    assert!(journals[0].starts_with("teams/shop/journal/"), "{stored:?}");
    assert!(stored.contains(&"teams/shop/scope.json".to_string()), "{stored:?}");
    assert!(!stored.iter().any(|k| k.ends_with("lock.json")), "the lock is let go: {stored:?}");
    assert_eq!(std::fs::read_dir(state.path()).unwrap().count(), 0, "nothing is kept locally");
    let journal = client.get_object().bucket(BUCKET).key(journals[0]).send().await.unwrap();
    let journal = journal.body.collect().await.unwrap().into_bytes();
    let journal = String::from_utf8_lossy(&journal);
    assert!(journal.lines().last().unwrap().contains("\"status\":\"complete\""), "{journal}");
    assert!(plan_changes(&emulator, state.path(), file).is_empty());
    let drift = wway(&emulator, state.path(), &["drift", file, "--format", "json"]);
    assert_eq!(drift.code, 0, "{}\n{}", drift.stdout, drift.stderr);
    assert!(
        drift.stdout.contains("\"history\": true"),
        "the journals in the bucket: {}",
        drift.stdout
    );

    let undo = wway(&emulator, state.path(), &["rollback", file, "--auto-approve"]);
    assert_eq!(undo.code, 0, "{}\n{}", undo.stdout, undo.stderr);
    assert!(undo.stdout.starts_with("Rollback complete: "), "{}", undo.stdout);
    let journal = client.get_object().bucket(BUCKET).key(journals[0]).send().await.unwrap();
    let journal = journal.body.collect().await.unwrap().into_bytes();
    assert!(String::from_utf8_lossy(&journal).contains("\"event\":\"rolled-back-by\""));
    let all_to_create = plan_changes(&emulator, state.path(), file);
    assert!(all_to_create.iter().all(|(_, action)| action == "create"), "{all_to_create:?}");
}

#[tokio::test]
async fn a_lock_in_the_bucket_refuses_a_second_run_until_force_unlock() {
    let (emulator, client, state) = shop_with_bucket().await;
    let url = format!("s3://{BUCKET}/ci");
    let location = backend::parse(&url).unwrap();
    let store: Arc<dyn Store> =
        Arc::new(S3Store::new(&location, "shop", &emulator.settings()).await);
    let held = wway::exec::lock::Lock::acquire(store.clone(), "apply").await.unwrap();
    let second = wway::exec::lock::Lock::acquire(store.clone(), "destroy").await;
    assert!(second.is_err(), "the conditional put refuses a second holder");

    let file = "tests/topologies/good/shop.yaml";
    let apply = ["apply", file, "--auto-approve", "--backend", url.as_str()];
    let refused = wway(&emulator, state.path(), &apply);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.starts_with("error: another run holds the lock: apply by ")
            && refused.stderr.contains(&format!(
                "clear it with `wway force-unlock {} {file} --backend {url}`",
                held.holder.id
            )),
        "{}",
        refused.stderr
    );
    assert_eq!(keys(&client).await, ["ci/shop/lock.json"], "a refused run writes nothing");

    let unlock = ["force-unlock", &held.holder.id, file, "--backend", url.as_str()];
    let cleared = wway(&emulator, state.path(), &unlock);
    assert_eq!(cleared.code, 0, "{}", cleared.stderr);
    let run = wway(&emulator, state.path(), &apply);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[tokio::test]
async fn a_journal_append_that_lost_a_race_is_refused_not_lost() {
    let emulator = Emulator::start();
    bucket(&emulator).await;
    let location = backend::parse(&format!("s3://{BUCKET}")).unwrap();
    let ours = S3Store::new(&location, "shop", &emulator.settings()).await;
    let theirs = S3Store::new(&location, "shop", &emulator.settings()).await;
    assert!(ours.create("journal/run.jsonl", b"1\n".to_vec()).await.unwrap());
    assert!(!theirs.create("journal/run.jsonl", b"x\n".to_vec()).await.unwrap());
    theirs.append("journal/run.jsonl", b"2\n".to_vec()).await.unwrap();
    let error = ours.append("journal/run.jsonl", b"3\n".to_vec()).await.unwrap_err();
    assert!(error.to_string().contains("changed by another writer"), "{error}");
    let stored = ours.read("journal/run.jsonl").await.unwrap().unwrap();
    assert_eq!(stored, b"1\n2\n");
    assert_eq!(ours.list("journal").await.unwrap(), ["journal/run.jsonl"]);
    assert_eq!(ours.location("journal/run.jsonl"), "s3://team-state/shop/journal/run.jsonl");
}

/// The bytes the emulator's S3 received in object puts since recording began.
fn bytes_put(emulator: &Emulator) -> u64 {
    emulator
        .recorded_requests()
        .iter()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|request| request["method"] == "PUT")
        .filter_map(|request| request["headers"]["Content-Length"].as_str()?.parse::<u64>().ok())
        .sum()
}

/// Puts back, under the open object `head`, what a fold or close cut short
/// leaves: a part the head already counts as folded, and a part of another
/// generation. Neither may be read.
async fn leave_parts_a_cut_short_fold_would(client: &aws_sdk_s3::Client, head: &str) {
    let got = client.get_object().bucket(BUCKET).key(head).send().await.unwrap();
    let said = got.metadata().unwrap()["wway-parts"].clone();
    let (generation, folded) = said.split_once(' ').unwrap();
    assert!(folded.parse::<u32>().unwrap() > 0, "the parts were folded: {said}");
    let (root, key) = head.split_once("/journal/").unwrap();
    for stale in [format!("{generation}/{folded:0>8}"), "0-1/00000099".to_string()] {
        let object = format!("{root}/.parts/journal/{key}/{stale}");
        let body = aws_sdk_s3::primitives::ByteStream::from_static(b"{\"stale\":true}\n");
        client.put_object().bucket(BUCKET).key(object).body(body).send().await.unwrap();
    }
}

#[tokio::test]
async fn a_journal_append_sends_what_it_appends_and_a_closed_journal_is_one_get() {
    let emulator = Emulator::start();
    let client = bucket(&emulator).await;
    let location = backend::parse(&format!("s3://{BUCKET}/teams")).unwrap();
    let writer = S3Store::new(&location, "shop", &emulator.settings()).await;
    let key = "journal/run.jsonl";
    let entry = |n: usize| format!("{{\"entry\":{n:04},\"pad\":\"{}\"}}\n", "x".repeat(340));
    let mut written = entry(0).into_bytes();
    emulator.start_recording();
    assert!(writer.create(key, written.clone()).await.unwrap());
    for n in 1..300 {
        writer.append(key, entry(n).into_bytes()).await.unwrap();
        written.extend(entry(n).into_bytes());
        if n == 150 {
            leave_parts_a_cut_short_fold_would(&client, "teams/shop/journal/run.jsonl").await;
            let reader = S3Store::new(&location, "shop", &emulator.settings()).await;
            let midway = reader.read(key).await.unwrap().unwrap();
            assert_eq!(midway, written, "another process reads every entry written so far");
        }
    }
    writer.close(key, b"{\"end\":true}\n".to_vec()).await.unwrap();
    written.extend(b"{\"end\":true}\n");
    let put = bytes_put(&emulator);
    let size = written.len() as u64;
    assert!(
        put <= 5 * size,
        "{put} bytes put for a journal of {size} bytes: the appends cost more than they append"
    );

    emulator.start_recording();
    let reader = S3Store::new(&location, "shop", &emulator.settings()).await;
    assert_eq!(reader.read(key).await.unwrap().unwrap(), written);
    assert_eq!(emulator.recorded_calls().values().sum::<u64>(), 1, "a closed journal is one GET");
    assert_eq!(reader.list("journal").await.unwrap(), [key], "the parts are not journals");
    assert_eq!(keys(&client).await, ["teams/shop/journal/run.jsonl"], "closing deletes the parts");

    // A later run appends to the closed journal, as `wway rollback` does.
    reader.close(key, b"{\"rolled-back-by\":\"r2\"}\n".to_vec()).await.unwrap();
    written.extend(b"{\"rolled-back-by\":\"r2\"}\n");
    assert_eq!(writer.read(key).await.unwrap().unwrap(), written);
}
