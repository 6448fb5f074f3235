//! Fault injection: a proxy of our own between wway and the emulator that,
//! on a fixed schedule, answers with throttling (in each protocol's own error
//! format), answers 503, resets the connection before the request reaches
//! the emulator, lets the request through and loses the answer, or lets it
//! through and holds the answer far longer than anyone waits. A whole
//! apply through it must converge with nothing made twice, on several fresh
//! accounts, with half of all requests failing.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::emulator::{Emulator, topology};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    Throttle,
    Unavailable,
    Reset,
    LostAnswer,
    /// The request reaches the emulator; its answer comes after `HELD`.
    SlowAnswer,
    /// The answer comes after `LATE`: a far region's round trip.
    LateAnswer,
}

/// How late a late answer is.
const LATE: std::time::Duration = std::time::Duration::from_millis(400);

/// How long a slow answer is held: past any read timeout.
const HELD: std::time::Duration = std::time::Duration::from_secs(600);

/// Which fault the n-th request through a proxy seeded `seed` gets, at the
/// rates a busy account sees at its worst: 30% throttling, 10% 5xx, 5%
/// resets, 5% lost answers (splitmix64, so a seed always gives the same run).
fn schedule(seed: u64, n: u64) -> Option<Fault> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    match (x ^ (x >> 31)) % 100 {
        0..30 => Some(Fault::Throttle),
        30..40 => Some(Fault::Unavailable),
        40..45 => Some(Fault::Reset),
        45..50 => Some(Fault::LostAnswer),
        _ => None,
    }
}

/// Whether a request's bytes hold `needle` (an operation, an action).
fn asks(request: &[u8], needle: &[u8]) -> bool {
    request.windows(needle.len()).any(|w| w == needle)
}

/// Which fault the n-th request (its bytes given) gets.
type Chooser = Arc<dyn Fn(u64, &[u8]) -> Option<Fault> + Send + Sync>;

struct FaultProxy {
    url: String,
    faults: Arc<Mutex<BTreeMap<Fault, u64>>>,
}

/// The service a request is signed for (its SigV4 credential scope).
fn service(head: &str) -> String {
    head.split("Credential=").nth(1).and_then(|s| s.split('/').nth(3)).unwrap_or("").to_string()
}

/// A throttling answer in the protocol the service speaks, as AWS words it.
fn throttled(service: &str) -> String {
    let (status, kind, error_type, body) = match service {
        // EC2 query protocol.
        "ec2" => (
            "503 Service Unavailable",
            "text/xml",
            None,
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>wway-proxy</RequestID></Response>",
        ),
        // REST-XML.
        "route53" | "cloudfront" => (
            "400 Bad Request",
            "text/xml",
            None,
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>wway-proxy</RequestId></ErrorResponse>",
        ),
        "s3" => (
            "503 Slow Down",
            "application/xml",
            None,
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>wway-proxy</RequestId></Error>",
        ),
        // AWS JSON 1.1: the error's type in the body.
        "tagging" => (
            "400 Bad Request",
            "application/x-amz-json-1.1",
            None,
            "{\"__type\":\"ThrottledException\",\"Message\":\"Rate exceeded\"}",
        ),
        // REST-JSON: the error's type in a header.
        "lambda" => (
            "429 Too Many Requests",
            "application/json",
            Some("TooManyRequestsException"),
            "{\"Type\":\"User\",\"message\":\"Rate exceeded\"}",
        ),
        _ => (
            "429 Too Many Requests",
            "application/json",
            Some("ThrottlingException"),
            "{\"message\":\"Rate exceeded\"}",
        ),
    };
    let error_type = error_type.map(|t| format!("x-amzn-ErrorType: {t}\r\n")).unwrap_or_default();
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{error_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// One whole HTTP request (head and body) from the client.
fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        let n = client.read(&mut buffer).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
            .unwrap_or(0);
        if data.len() >= end + 4 + length {
            return Some(data);
        }
    }
}

/// Forwards a request to the emulator (asking it to close after answering)
/// and returns the whole answer.
fn forward(upstream: &str, request: &[u8]) -> Option<Vec<u8>> {
    let end = request.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&request[..end]);
    let head: Vec<&str> =
        head.lines().filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    let mut server = TcpStream::connect(upstream).ok()?;
    server
        .write_all(format!("{}\r\nConnection: close\r\n\r\n", head.join("\r\n")).as_bytes())
        .ok()?;
    server.write_all(&request[end + 4..]).ok()?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).ok()?;
    Some(answer)
}

fn serve(
    mut client: TcpStream,
    upstream: &str,
    (n, choose): (u64, &Chooser),
    faults: &Mutex<BTreeMap<Fault, u64>>,
) {
    let Some(request) = read_request(&mut client) else { return };
    let fault = choose(n, &request);
    let head = String::from_utf8_lossy(&request[..request.len().min(4096)]).into_owned();
    if let Some(fault) = fault
        && let Ok(mut faults) = faults.lock()
    {
        *faults.entry(fault).or_default() += 1;
    }
    let answer = match fault {
        Some(Fault::Throttle) => Some(throttled(&service(&head)).into_bytes()),
        Some(Fault::Unavailable) => Some(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec(),
        ),
        Some(Fault::Reset) => None,
        Some(Fault::LostAnswer) => {
            forward(upstream, &request);
            None
        }
        Some(Fault::SlowAnswer) => {
            let answer = forward(upstream, &request);
            std::thread::sleep(HELD);
            answer
        }
        Some(Fault::LateAnswer) => {
            let answer = forward(upstream, &request);
            std::thread::sleep(LATE);
            answer
        }
        None => forward(upstream, &request),
    };
    if let Some(answer) = answer {
        let _ = client.write_all(&answer);
    }
    let _ = client.shutdown(Shutdown::Both);
}

impl FaultProxy {
    /// Faults on the seeded schedule.
    fn start(upstream_url: &str, seed: u64) -> FaultProxy {
        FaultProxy::choosing(upstream_url, Arc::new(move |n, _| schedule(seed, n)))
    }

    /// Faults as `choose` picks them, by count or by what is asked.
    fn choosing(upstream_url: &str, choose: Chooser) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream_url.trim_start_matches("http://").to_string();
        let faults: Arc<Mutex<BTreeMap<Fault, u64>>> = Arc::default();
        let counted = faults.clone();
        std::thread::spawn(move || {
            for (n, client) in listener.incoming().enumerate() {
                let Ok(client) = client else { continue };
                let (upstream, faults) = (upstream.clone(), counted.clone());
                let choose = choose.clone();
                std::thread::spawn(move || serve(client, &upstream, (n as u64, &choose), &faults));
            }
        });
        FaultProxy { url, faults }
    }
}

/// Regression (with issue 10's rates): the tagging API's throttling was
/// answered in XML, and wway stopped with "tagging: Unknown".
#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn applies_through_heavy_faults_converge_on_fresh_accounts_without_duplicates() {
    // At once, a thread each (a run blocks on its wway process): most of
    // each run is waiting out backoffs.
    let runs: Vec<_> = (1..=3).map(|seed| tokio::spawn(converges_through_faults(seed))).collect();
    for run in runs {
        run.await.unwrap();
    }
}

/// A fresh account; WonderWay applied through a proxy seeded `seed`: it
/// converges, and nothing exists twice or is left untagged.
async fn converges_through_faults(seed: u64) {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let proxy = FaultProxy::start(&emulator.url, seed);
    let state = tempfile::tempdir().unwrap();
    let output = emulator
        .wway()
        .env("WWAY_STATE_DIR", state.path())
        .args([
            "apply",
            "topologies/wonderway.yaml",
            "--auto-approve",
            "--endpoint-url",
            &proxy.url,
        ])
        .output()
        .unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let faults = proxy.faults.lock().unwrap().clone();
    assert_eq!(output.status.code(), Some(0), "seed {seed}, faults {faults:?}\n{stdout}\n{stderr}");
    for fault in [Fault::Throttle, Fault::Unavailable, Fault::Reset, Fault::LostAnswer] {
        assert!(
            faults.get(&fault).is_some_and(|n| *n > 0),
            "no {fault:?} was injected: {faults:?}"
        );
    }

    // Straight to the emulator: converged, and nothing exists twice.
    let plan = emulator
        .wway()
        .env("WWAY_STATE_DIR", state.path())
        .args(["plan", "topologies/wonderway.yaml", "--detailed-exitcode"])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&plan.stdout),
        String::from_utf8_lossy(&plan.stderr)
    );
    assert_eq!(plan.status.code(), Some(0), "{said}");
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let config = emulator.sdk(region).await;
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let owned = || {
            aws_sdk_ec2::types::Filter::builder()
                .name("tag:wway:topology")
                .values("wonderway")
                .build()
        };
        assert_eq!(
            ec2.describe_vpcs().filters(owned()).send().await.unwrap().vpcs().len(),
            1,
            "{region}"
        );
        assert_eq!(
            ec2.describe_subnets().filters(owned()).send().await.unwrap().subnets().len(),
            6,
            "{region}"
        );
        let addresses = ec2.describe_addresses().filters(owned()).send().await.unwrap();
        assert_eq!(addresses.addresses().len(), 3, "{region}: one address per NAT gateway");
        let gateways = ec2.describe_nat_gateways().filter(owned()).send().await.unwrap();
        let living = gateways.nat_gateways().iter().filter(|g| {
            g.state().is_some_and(|s| s.as_str() == "available" || s.as_str() == "pending")
        });
        assert_eq!(living.count(), 3, "{region}: one NAT gateway per zone");
        let tables = ec2.describe_route_tables().filters(owned()).send().await.unwrap();
        assert_eq!(tables.route_tables().len(), 4, "{region}: a public table and one per zone");
        let eks = aws_sdk_eks::Client::new(&config);
        let clusters = eks.list_clusters().send().await.unwrap();
        assert_eq!(clusters.clusters().len(), 1, "{region}");
        let groups =
            eks.list_nodegroups().cluster_name(&clusters.clusters()[0]).send().await.unwrap();
        assert_eq!(groups.nodegroups().len(), 2, "{region}");
        let addons = eks.list_addons().cluster_name(&clusters.clusters()[0]).send().await.unwrap();
        assert_eq!(addons.addons().len(), 4, "{region}");
        // KMS has no idempotency token: one secrets key, whatever was lost.
        let kms = aws_sdk_kms::Client::new(&config);
        let mut keys = 0;
        for key in kms.list_keys().send().await.unwrap().keys() {
            let id = key.key_id().unwrap();
            let described = kms.describe_key().key_id(id).send().await.unwrap();
            let state = described.key_metadata().and_then(|k| k.key_state()).unwrap().as_str();
            let tags = kms.list_resource_tags().key_id(id).send().await.unwrap();
            let ours = tags.tags().iter().any(|t| t.tag_value() == "wonderway");
            keys += usize::from(ours && state == "Enabled");
        }
        assert_eq!(keys, 1, "{region}: one secrets key");
    }
    let global = emulator.sdk("us-east-1").await;
    let route53 = aws_sdk_route53::Client::new(&global);
    assert_eq!(route53.list_hosted_zones().send().await.unwrap().hosted_zones().len(), 1);
    assert_eq!(route53.list_health_checks().send().await.unwrap().health_checks().len(), 3);
    let lambda = aws_sdk_lambda::Client::new(&global);
    assert_eq!(lambda.list_functions().send().await.unwrap().functions().len(), 1);
    let cloudfront = aws_sdk_cloudfront::Client::new(&global);
    let distributions = cloudfront.list_distributions().send().await.unwrap();
    assert_eq!(distributions.distribution_list().map(|l| l.items().len()), Some(1));
    eprintln!("seed {seed}: faults injected: {faults:?}");
}

/// Regression: a plan's reads had only the SDK's eight attempts, so a
/// streak of throttling on one operation (here every region's DescribeVpcs,
/// 30 times in a row) failed the plan, where an apply's steps are asked
/// again for minutes. A read whose failure may pass is asked again.
#[test]
fn a_plan_reads_through_a_streak_of_throttling() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let emulator = Emulator::start();
    let asked = Arc::new(AtomicU64::new(0));
    let counted = asked.clone();
    let choose: Chooser = Arc::new(move |_, request| {
        let vpcs = asks(request, b"Action=DescribeVpcs");
        (vpcs && counted.fetch_add(1, Ordering::SeqCst) < 30).then_some(Fault::Throttle)
    });
    let proxy = FaultProxy::choosing(&emulator.url, choose);
    let state = tempfile::tempdir().unwrap();
    let output = emulator
        .wway()
        .env("WWAY_STATE_DIR", state.path())
        .args(["plan", "topologies/wonderway.yaml", "--endpoint-url", &proxy.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(asked.load(Ordering::SeqCst) > 30, "the streak was met");
    assert!(proxy.faults.lock().unwrap()[&Fault::Throttle] == 30);
}

/// Regression: when the answer to a batch of record DELETEs was lost, the
/// SDK sent the batch again and Route 53 refused it (the records it deletes
/// are gone: the first one landed), and the destroy failed. A batch whose
/// every change already holds is done, as for a lost CREATE.
#[test]
fn a_lost_answer_to_a_delete_batch_heals() {
    use std::sync::atomic::Ordering;
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let state = tempfile::tempdir().unwrap();
    let file = "topologies/wonderway.yaml";
    crate::apply_emulator::applied(&emulator, state.path(), file);
    let (choose, lost) = first(b"<Action>DELETE</Action>", Fault::LostAnswer);
    let proxy = FaultProxy::choosing(&emulator.url, choose);
    let output = emulator
        .wway()
        .env("WWAY_STATE_DIR", state.path())
        .args(["destroy", file, "--auto-approve", "--endpoint-url", &proxy.url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(lost.load(Ordering::SeqCst), "a DELETE batch's answer was lost");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let changes = crate::apply_emulator::plan_changes(&emulator, state.path(), file);
    assert!(changes.iter().all(|(_, action)| action == "create"), "{changes:?}");
}

/// A chooser that gives `fault` to the first request holding `needle`, and
/// the flag that says whether it has.
fn first(needle: &'static [u8], fault: Fault) -> (Chooser, Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let given = Arc::new(AtomicBool::new(false));
    let once = given.clone();
    let choose: Chooser = Arc::new(move |_, request| {
        (asks(request, needle) && !once.swap(true, Ordering::SeqCst)).then_some(fault)
    });
    (choose, given)
}

/// WonderWay applied on `emulator`'s fresh account (with `env` set) through
/// a proxy that gives `fault` to the first request holding `needle`: it
/// converges, and the next plan has nothing to do. The account, for a
/// closer look.
fn applied_through_first(
    emulator: Emulator,
    needle: &'static [u8],
    fault: Fault,
    env: &[(&str, &str)],
) -> Emulator {
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let (choose, given) = first(needle, fault);
    let proxy = FaultProxy::choosing(&emulator.url, choose);
    let state = tempfile::tempdir().unwrap();
    let file = "topologies/wonderway.yaml";
    let output = emulator
        .wway()
        .env("WWAY_STATE_DIR", state.path())
        .envs(env.iter().copied())
        .args(["apply", file, "--auto-approve", "--endpoint-url", &proxy.url])
        .timeout(std::time::Duration::from_secs(180))
        .output()
        .unwrap();
    assert!(given.load(std::sync::atomic::Ordering::SeqCst), "no {fault:?} was given");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let changes = crate::apply_emulator::plan_changes(&emulator, state.path(), file);
    assert!(changes.is_empty(), "{changes:?}");
    emulator
}

/// The health checks of the account, and whether each carries wway's tag.
fn health_checks(emulator: &Emulator) -> Vec<bool> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let route53 = aws_sdk_route53::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let checks = runtime.block_on(route53.list_health_checks().send()).unwrap();
    let owned = checks.health_checks().iter().map(|check| {
        let tags = route53
            .list_tags_for_resource()
            .resource_type(aws_sdk_route53::types::TagResourceType::Healthcheck)
            .resource_id(check.id());
        let tags = runtime.block_on(tags.send()).unwrap();
        let set = tags.resource_tag_set().map(|s| s.tags()).unwrap_or_default();
        set.iter().any(|t| t.key() == Some("wway:topology"))
    });
    owned.collect()
}

/// Regression: wway set no time limit on one request, so an answer that
/// never came (a connection AWS's side dropped silently, a proxy that
/// stalls) held the apply for ever. A request now has `--read-timeout`
/// seconds (60 by default, as the AWS CLI's) and is then asked again; here
/// the answer to the first CreateHealthCheck is held for ten minutes, and
/// the health check is made once, under its caller reference.
#[test]
fn an_answer_that_does_not_come_is_asked_again() {
    let read_timeout = [("WWAY_READ_TIMEOUT", "3")];
    let emulator = applied_through_first(
        Emulator::start(),
        b"<CreateHealthCheckRequest",
        Fault::SlowAnswer,
        &read_timeout,
    );
    assert_eq!(health_checks(&emulator), [true; 3]);
}

/// CreateVpc has no idempotency token: the VPC its lost answer made is
/// found by its tags, not made again (one in each of three regions).
#[test]
fn a_lost_answer_to_create_vpc_makes_no_second_vpc() {
    let emulator =
        applied_through_first(Emulator::start(), b"Action=CreateVpc", Fault::LostAnswer, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for region in ["us-east-1", "eu-west-1", "ap-southeast-1"] {
        let ec2 = aws_sdk_ec2::Client::new(&runtime.block_on(emulator.sdk(region)));
        let vpcs = runtime.block_on(ec2.describe_vpcs().send()).unwrap();
        assert_eq!(vpcs.vpcs().len(), 2, "{region}: the default VPC and wway's");
    }
}

/// A health check whose CreateHealthCheck answer was lost exists, untagged
/// until wway tags it: the retry finds it by its caller reference, and it is
/// tagged once found (three health checks, each owned).
#[test]
fn a_lost_answer_to_create_health_check_leaves_no_untagged_check() {
    let emulator = applied_through_first(
        Emulator::start(),
        b"<CreateHealthCheckRequest",
        Fault::LostAnswer,
        &[],
    );
    assert_eq!(health_checks(&emulator), [true; 3]);
}

/// Regression: CloudFront answers a create repeated with the same caller
/// reference and configuration with the distribution the first made; the
/// emulator refused it (DistributionAlreadyExists), and wway then looked for
/// that distribution through the tagging API, which lists a new one only
/// minutes later: the apply failed and left the distribution behind. Now
/// the SDK's retry of a create whose answer was lost gets the distribution,
/// and the account has one.
#[test]
fn a_lost_answer_to_create_distribution_makes_one_distribution() {
    let emulator = Emulator::start();
    // The tagging API lists the new distribution only long after the run.
    emulator.set("tagging_lag", 1e6);
    let needle = b"<DistributionConfigWithTags";
    let emulator = applied_through_first(emulator, needle, Fault::LostAnswer, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cloudfront = aws_sdk_cloudfront::Client::new(&runtime.block_on(emulator.sdk("us-east-1")));
    let listed = runtime.block_on(cloudfront.list_distributions().send()).unwrap();
    assert_eq!(listed.distribution_list().unwrap().quantity(), 1);
}

/// How long the plan of `file`, applied already, takes through `proxy`; it
/// must find nothing to do.
fn converged_plan_through(
    emulator: &Emulator,
    proxy: &FaultProxy,
    state: &std::path::Path,
    file: &str,
) -> std::time::Duration {
    let started = std::time::Instant::now();
    let output = emulator
        .wway()
        .env("WWAY_STATE_DIR", state)
        .args(["plan", file, "--detailed-exitcode", "--endpoint-url", &proxy.url])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    took
}

/// How much longer the converged plan takes through `proxy` than through a
/// proxy that answers at once: the time its faults add, which the load of
/// a busy machine (other tests on two cores) does not change as it changes
/// the plan's own time. Gives both.
fn time_added_by(
    emulator: &Emulator,
    proxy: &FaultProxy,
    state: &std::path::Path,
    file: &str,
) -> (std::time::Duration, std::time::Duration) {
    let prompt = FaultProxy::choosing(&emulator.url, Arc::new(|_, _| None));
    let own = converged_plan_through(emulator, &prompt, state, file);
    let took = converged_plan_through(emulator, proxy, state, file);
    (took, took.saturating_sub(own))
}

/// Regression: the plan described a region's EKS clusters and node groups
/// one after another (EKS has no batch read), so 16 node groups 400 ms away
/// cost 6.4 s of round trips in a chain. They are described a few at a time
/// now: the same plan through a proxy that answers each DescribeNodegroup
/// 400 ms late takes a few round trips.
#[test]
fn a_plan_describes_a_regions_node_groups_at_once() {
    let emulator = Emulator::start();
    let file = "topologies/wonderway.yaml";
    emulator.seed_roles(&topology(file));
    let dir = tempfile::tempdir().unwrap();
    let groups: String = (0..14)
        .map(|i| {
            format!(
                "        extra-{i:02}: {{instance_types: [m5.large], min: 1, desired: 1, max: 2}}\n"
            )
        })
        .collect();
    let many = crate::apply_emulator::topology_copy(dir.path(), file, "many.yaml", |t| {
        t.replacen("      node_groups:\n", &format!("      node_groups:\n{groups}"), 1)
    });
    let many = many.to_str().unwrap();
    let state = tempfile::tempdir().unwrap();
    crate::apply_emulator::applied(&emulator, state.path(), many);
    let choose: Chooser = Arc::new(move |_, request| {
        let describe = asks(request, b"/node-groups/") && asks(request, b"GET ");
        describe.then_some(Fault::LateAnswer)
    });
    let proxy = FaultProxy::choosing(&emulator.url, choose);
    let (took, added) = time_added_by(&emulator, &proxy, state.path(), many);
    let late = proxy.faults.lock().unwrap().get(&Fault::LateAnswer).copied().unwrap_or(0);
    assert!(late >= 16, "every region's node groups were described late: {late}");
    eprintln!(
        "plan with 16 node groups described 400 ms late: {took:?}, {added:?} of it the delays"
    );
    // In a chain: 16 x 0.4 s = 6.4 s in us-east-1 alone; a few at a time,
    // a few round trips.
    assert!(added < LATE * 7, "{added:?} added by the delays");
}

/// What a request asks, in a few words: its operation (X-Amz-Target, an
/// `Action=`, or the method and path) and the region it is signed for.
fn operation(request: &[u8]) -> String {
    let text = String::from_utf8_lossy(request);
    let region = text.split("Credential=").nth(1).and_then(|s| s.split('/').nth(2));
    let target = text.lines().find_map(|l| l.strip_prefix("x-amz-target: "));
    let action = text.split("Action=").nth(1).and_then(|s| s.split('&').next());
    let line = text.lines().next().unwrap_or_default();
    let what = target.or(action).unwrap_or(line.rsplit_once(' ').map_or(line, |(l, _)| l));
    format!("{} {what}", region.unwrap_or("-"))
}

/// The longest chain of reads a plan of the converged WonderWay account
/// truly needs, one after another: the account's identity (STS), the zones
/// each region offers (they decide the desired subnets the read is matched
/// against), then EKS: ListClusters, DescribeCluster (whose tags say which
/// clusters are the topology's), then the list of each of their node
/// groups, add-ons and access entries, and each one described (an access
/// entry's policies listed beside its description): 6 round trips. And one
/// more for EKS's rate: the last wave is 8 describes a region (2 node
/// groups, 4 add-ons, an entry and its policies), which wway's budget
/// spaces at EKS's 10 a second once its burst of 5 is spent.
const PLAN_CHAIN: u32 = 7;

/// Regression: a scope's kinds were read in waves, each kind after those it
/// names (a subnet after its VPC, a cluster after its subnets), so a plan
/// took the sum of every kind's calls: with each answer 400 ms late, 10
/// round trips (4.6 s) where the chain is 6. Each kind now makes its own
/// calls at once and waits for the others only to name what they found;
/// the backend's check reads beside the account; budgets let a burst go.
/// The delays the plan takes are its chain's, within two round trips.
#[test]
fn a_plan_takes_its_longest_chain_of_reads() {
    let file = "topologies/wonderway.yaml";
    let (emulator, state) = Emulator::seeded_for(file);
    crate::apply_emulator::applied(&emulator, state.path(), file);
    let started = std::time::Instant::now();
    let seen: Arc<Mutex<Vec<(u128, String)>>> = Arc::default();
    let log = seen.clone();
    let choose: Chooser = Arc::new(move |_, request| {
        log.lock().unwrap().push((started.elapsed().as_millis(), operation(request)));
        Some(Fault::LateAnswer)
    });
    let proxy = FaultProxy::choosing(&emulator.url, choose);
    let (took, added) = time_added_by(&emulator, &proxy, state.path(), file);
    let seen = seen.lock().unwrap();
    let first = seen.first().map_or(0, |(at, _)| *at);
    let calls: Vec<String> =
        seen.iter().map(|(at, what)| format!("{:6} {what}", at - first)).collect();
    let chain = LATE * PLAN_CHAIN;
    eprintln!(
        "{} requests, each {LATE:?} late: {took:?} ({added:?} added), chain {chain:?}",
        seen.len()
    );
    // The chain's delays and two round trips more at most (the waves of
    // before took 10).
    let most = chain + LATE * 2;
    assert!(added < most, "{added:?} added for a chain of {chain:?}:\n{}", calls.join("\n"));
}
