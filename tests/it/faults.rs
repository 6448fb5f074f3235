//! Fault injection: a proxy of our own between wway and the emulator that,
//! on a fixed schedule, answers with throttling (in each protocol's own error
//! format), answers 503, resets the connection before the request reaches
//! the emulator, or lets the request through and loses the answer. A whole
//! apply through it must converge with nothing made twice.

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
}

/// Which fault the n-th request gets: about a quarter of all requests fail.
fn schedule(n: u64) -> Option<Fault> {
    match () {
        () if n % 17 == 5 => Some(Fault::Throttle),
        () if n % 13 == 7 => Some(Fault::Unavailable),
        () if n % 11 == 3 => Some(Fault::Reset),
        () if n % 19 == 9 => Some(Fault::LostAnswer),
        () => None,
    }
}

struct FaultProxy {
    url: String,
    faults: Arc<Mutex<BTreeMap<Fault, u64>>>,
}

/// The service a request is signed for (its SigV4 credential scope).
fn service(head: &str) -> String {
    head.split("Credential=").nth(1).and_then(|s| s.split('/').nth(3)).unwrap_or("").to_string()
}

fn throttled(service: &str) -> String {
    let (status, kind, body) = match service {
        "ec2" => (
            "503 Service Unavailable",
            "text/xml",
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>wway-proxy</RequestID></Response>".to_string(),
        ),
        "route53" | "cloudfront" => (
            "400 Bad Request",
            "text/xml",
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>wway-proxy</RequestId></ErrorResponse>".to_string(),
        ),
        _ => ("429 Too Many Requests", "application/json", "{\"message\":\"Rate exceeded\"}".to_string()),
    };
    let json_type =
        if kind == "application/json" { "x-amzn-ErrorType: ThrottlingException\r\n" } else { "" };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n{json_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
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

fn serve(mut client: TcpStream, upstream: &str, n: u64, faults: &Mutex<BTreeMap<Fault, u64>>) {
    let Some(request) = read_request(&mut client) else { return };
    let head = String::from_utf8_lossy(&request[..request.len().min(4096)]).into_owned();
    let fault = schedule(n);
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
        None => forward(upstream, &request),
    };
    if let Some(answer) = answer {
        let _ = client.write_all(&answer);
    }
    let _ = client.shutdown(Shutdown::Both);
}

impl FaultProxy {
    fn start(upstream_url: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream_url.trim_start_matches("http://").to_string();
        let faults: Arc<Mutex<BTreeMap<Fault, u64>>> = Arc::default();
        let counted = faults.clone();
        std::thread::spawn(move || {
            for (n, client) in listener.incoming().enumerate() {
                let Ok(client) = client else { continue };
                let (upstream, faults) = (upstream.clone(), counted.clone());
                std::thread::spawn(move || serve(client, &upstream, n as u64, &faults));
            }
        });
        FaultProxy { url, faults }
    }
}

#[tokio::test]
async fn an_apply_through_throttling_errors_resets_and_lost_answers_converges_without_duplicates() {
    let emulator = Emulator::start();
    emulator.seed_roles(&topology("topologies/wonderway.yaml"));
    let proxy = FaultProxy::start(&emulator.url);
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
    assert_eq!(output.status.code(), Some(0), "faults {faults:?}\n{stdout}\n{stderr}");
    for fault in [Fault::Throttle, Fault::Unavailable, Fault::Reset, Fault::LostAnswer] {
        assert!(
            faults.get(&fault).is_some_and(|n| *n > 0),
            "no {fault:?} was injected: {faults:?}"
        );
    }

    // Straight to the emulator: converged, and nothing exists twice.
    let plan = emulator
        .wway()
        .args(["plan", "topologies/wonderway.yaml", "--detailed-exitcode"])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(0), "{}", String::from_utf8_lossy(&plan.stdout));
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
            3,
            "{region}"
        );
        let eks = aws_sdk_eks::Client::new(&config);
        let clusters = eks.list_clusters().send().await.unwrap();
        assert_eq!(clusters.clusters().len(), 1, "{region}");
        let groups =
            eks.list_nodegroups().cluster_name(&clusters.clusters()[0]).send().await.unwrap();
        assert_eq!(groups.nodegroups().len(), 2, "{region}");
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
    eprintln!("faults injected: {faults:?}");
}
