//! A cluster's Kubernetes secrets are encrypted with a KMS key (issue 13):
//! one wway makes in the region by default, the user's own where the file
//! names it, none with `secrets_key: false`. EKS turns encryption on once
//! and never changes its key.

use crate::apply_emulator::{applied, plan_changes, topology_copy, wway};
use crate::emulator::{Emulator, topology};

const ALIAS: &str = "alias/wway/wonderway/eks-secrets";

/// The key `alias` names in `kms`'s region: (ARN, state, rotation on).
async fn aliased(kms: &aws_sdk_kms::Client, alias: &str) -> Option<(String, String, bool)> {
    let aliases = kms.list_aliases().send().await.unwrap();
    let key = aliases.aliases().iter().find(|a| a.alias_name() == Some(alias))?;
    let id = key.target_key_id().unwrap();
    let described = kms.describe_key().key_id(id).send().await.unwrap();
    let meta = described.key_metadata().unwrap();
    let rotation = kms.get_key_rotation_status().key_id(id).send().await.unwrap();
    let state = meta.key_state().unwrap().as_str().to_string();
    Some((meta.arn().unwrap().to_string(), state, rotation.key_rotation_enabled()))
}

/// The ARN of the key that encrypts `cluster`'s secrets, if any.
async fn secrets_key(eks: &aws_sdk_eks::Client, cluster: &str) -> Option<String> {
    let described = eks.describe_cluster().name(cluster).send().await.unwrap();
    let configs = described.cluster().unwrap().encryption_config();
    let key = configs.first()?.provider()?.key_arn()?;
    Some(key.to_string())
}

/// Every region's cluster encrypts its secrets with a key wway made there:
/// enabled, rotated every year, known by its alias and its tags. Destroy
/// frees the alias and schedules the key's deletion.
#[tokio::test]
async fn a_clusters_secrets_are_encrypted_with_a_key_wway_makes_and_destroy_lets_it_go() {
    let account = crate::apply_emulator::wonderway_applied();
    let emulator = &account.emulator;
    let mut keys = Vec::new();
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let kms = aws_sdk_kms::Client::new(&emulator.sdk(region).await);
        let eks = aws_sdk_eks::Client::new(&emulator.sdk(region).await);
        let (arn, state, rotation) = aliased(&kms, ALIAS).await.expect(region);
        assert_eq!((state.as_str(), rotation), ("Enabled", true), "{region}");
        assert!(arn.contains(&format!(":kms:{region}:")), "{arn}");
        let tags = kms.list_resource_tags().key_id(&arn).send().await.unwrap();
        let id = tags.tags().iter().find(|t| t.tag_key() == "wway:id").map(|t| t.tag_value());
        assert_eq!(id, Some(format!("{region}/kms-key/eks-secrets").as_str()));
        let cluster = format!("wonderway-{region}");
        assert_eq!(secrets_key(&eks, &cluster).await.as_deref(), Some(arn.as_str()), "{region}");
        keys.push((kms, arn));
    }
    let destroy =
        wway(emulator, account.state.path(), &["destroy", &account.base, "--auto-approve"]);
    assert_eq!(destroy.code, 0, "{}\n{}", destroy.stdout, destroy.stderr);
    for (kms, arn) in keys {
        assert!(aliased(&kms, ALIAS).await.is_none(), "the alias is freed");
        let described = kms.describe_key().key_id(&arn).send().await.unwrap();
        let state = described.key_metadata().unwrap().key_state().unwrap().as_str().to_string();
        assert_eq!(state, "PendingDeletion");
    }
}

/// A cluster made without encryption (as an earlier wway made them) plans
/// its key and one update of the cluster, one way, and is then encrypted;
/// a cluster that names the user's key gets no key from wway; a key that
/// would change is refused by the plan, with why.
#[tokio::test]
async fn a_cluster_without_encryption_gets_it_once_and_a_named_key_is_used_as_it_is() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let eu_kms = aws_sdk_kms::Client::new(&emulator.sdk("eu-west-1").await);
    let theirs = eu_kms.create_key().description("the security team's").send().await.unwrap();
    let theirs = theirs.key_metadata().unwrap().arn().unwrap().to_string();
    let admins = "      admins: [arn:aws:iam::123456789012:role/wonderway-platform-admins]\n";
    let with = |us: &str, eu: &str| {
        let (us, eu) = (us.to_string(), eu.to_string());
        move |t: String| {
            let (at, _) = t.match_indices(admins).nth(1).unwrap();
            let eu_line = format!("{admins}      secrets_key: {eu}\n");
            let t = format!("{}{eu_line}{}", &t[..at], &t[at + admins.len()..]);
            t.replacen(admins, &format!("{admins}      secrets_key: {us}\n"), 1)
        }
    };
    let open =
        topology_copy(dir.path(), "topologies/wonderway.yaml", "open.yaml", with("false", &theirs));
    let open = open.to_str().unwrap();
    emulator.seed_roles(&topology(open));
    let state = tempfile::tempdir().unwrap();
    applied(&emulator, state.path(), open);
    let us_eks = aws_sdk_eks::Client::new(&emulator.sdk("us-east-1").await);
    let eu_eks = aws_sdk_eks::Client::new(&emulator.sdk("eu-west-1").await);
    assert_eq!(secrets_key(&us_eks, "wonderway-us-east-1").await, None);
    assert_eq!(secrets_key(&eu_eks, "wonderway-eu-west-1").await, Some(theirs.clone()));
    assert!(aliased(&eu_kms, ALIAS).await.is_none(), "no key of wway's beside the user's");

    let sealed = dir.path().join("sealed.yaml");
    let text = std::fs::read_to_string(open).unwrap();
    std::fs::write(&sealed, text.replacen("      secrets_key: false\n", "", 1)).unwrap();
    let sealed = sealed.to_str().unwrap();
    let run = wway(&emulator, state.path(), &["plan", sealed]);
    assert!(
        run.stdout.contains("one way: EKS does not turn secrets encryption off"),
        "{}",
        run.stdout
    );
    let changes = plan_changes(&emulator, state.path(), sealed);
    let expected =
        [("us-east-1/kms-key/eks-secrets", "create"), ("us-east-1/eks-cluster", "update")];
    assert_eq!(changes, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    applied(&emulator, state.path(), sealed);
    let us_kms = aws_sdk_kms::Client::new(&emulator.sdk("us-east-1").await);
    let (made, _, _) = aliased(&us_kms, ALIAS).await.unwrap();
    assert_eq!(secrets_key(&us_eks, "wonderway-us-east-1").await, Some(made));
    assert!(plan_changes(&emulator, state.path(), sealed).is_empty());

    let moved = dir.path().join("moved.yaml");
    let text = std::fs::read_to_string(sealed).unwrap();
    std::fs::write(&moved, text.replacen(&format!("      secrets_key: {theirs}\n"), "", 1))
        .unwrap();
    let run = wway(&emulator, state.path(), &["plan", moved.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("EKS cannot change or remove the key"), "{}", run.stderr);
}
