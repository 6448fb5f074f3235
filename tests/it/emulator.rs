//! The emulator harness: every test that talks to AWS gets a moto server of its
//! own (forked by scripts/emulator/forks.py on a free loopback port, so tests
//! run in parallel and start clean), and the IAM roles its topology names.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

use wway::topology::Topology;

pub struct Emulator {
    pid: u32,
    pub url: String,
    _dir: tempfile::TempDir,
}

pub fn project_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> PathBuf {
    let python = project_root().join(".emulator/venv/bin/python");
    assert!(
        python.exists(),
        "the AWS emulator is not installed: run `scripts/emulator.sh install` (the test command `scripts/test` does)"
    );
    python
}

/// The emulator accepts any credentials, but the SDK's chain needs some.
/// Rust asks for `unsafe` because another thread could read the environment
/// at the same moment; every reader in this binary goes through std's
/// environment lock, and this runs once, before any client is built.
pub fn fake_credentials() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        for (key, value) in [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ] {
            if std::env::var_os(key).is_none() {
                std::env::set_var(key, value);
            }
        }
    });
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_at_speed(600)
    }

    /// An emulator whose clock runs `speed` times real time (600 by
    /// default: a cluster CREATING for 1 s; 100: 6 s).
    pub fn start_at_speed(speed: u32) -> Emulator {
        fake_credentials();
        let dir = tempfile::tempdir().expect("temp dir");
        let url_file = dir.path().join("url");
        let pid = forks().start(&url_file, speed);
        let mut emulator = Emulator { pid, url: String::new(), _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while emulator.url.is_empty() {
            if let Ok(url) = std::fs::read_to_string(&url_file) {
                emulator.url = url.trim().to_string();
            } else if Instant::now() > deadline {
                panic!(
                    "the emulator did not start; run scripts/emulator/launcher.py by hand to see why"
                );
            } else {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        emulator
    }

    /// A fresh emulator with the IAM roles of the repository topology
    /// `file`, and an empty state folder.
    pub fn seeded_for(file: &str) -> (Emulator, tempfile::TempDir) {
        let emulator = Emulator::start();
        emulator.seed_roles(&topology(file));
        (emulator, tempfile::tempdir().expect("temp dir"))
    }

    pub fn settings(&self) -> wway::cloud::Settings {
        wway::cloud::Settings { endpoint_url: Some(self.url.clone()), ..Default::default() }
    }

    /// Creates the IAM roles and users the topology names, as they exist in
    /// a real account: each role trusting the services that assume it.
    pub fn seed_roles(&self, topology: &Topology) {
        let mut roles: Vec<String> = Vec::new();
        for region in &topology.regions {
            roles.push(format!("{}=eks.amazonaws.com", region.cluster.role_arn.as_str()));
            roles.push(format!("{}=ec2.amazonaws.com", region.cluster.node_role_arn.as_str()));
            // People's roles trust the account; users are users.
            roles.extend(region.cluster.admins.iter().map(
                |admin| match admin.contains(":user/") {
                    true => admin.clone(),
                    false => format!("{admin}=account"),
                },
            ));
        }
        roles.extend(topology.edge_functions.iter().map(|f| {
            format!("{}=lambda.amazonaws.com,edgelambda.amazonaws.com", f.role_arn.as_str())
        }));
        let status = Command::new(python())
            .arg(project_root().join("scripts/emulator/seed.py"))
            .args(["--endpoint", &self.url])
            .args(roles)
            .status()
            .expect("run seed.py");
        assert!(status.success(), "seeding IAM roles failed");
    }
}

/// moto's management API, over plain HTTP/1.1 (the emulator keeps no
/// connection alive, so one request per connection).
impl Emulator {
    fn http(&self, method: &str, path: &str) -> String {
        use std::io::Read;
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect to the emulator");
        write!(stream, "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .expect("send");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("read");
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        assert!(
            head.starts_with("HTTP/1.1 200") || head.starts_with("HTTP/1.0 200"),
            "{method} {path}: {head}"
        );
        body.to_string()
    }

    /// Starts recording every request the emulator receives, from none.
    pub fn start_recording(&self) {
        self.http("POST", "/moto-api/recorder/reset-recording");
        self.http("POST", "/moto-api/recorder/start-recording");
    }

    /// The requests recorded since `start_recording`, one JSON line each.
    pub fn recorded_requests(&self) -> Vec<String> {
        let recording = self.http("GET", "/moto-api/recorder/download-recording");
        recording.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
    }

    /// The requests recorded since `start_recording`, counted per service (the
    /// service of each request's SigV4 credential scope). Stops recording.
    pub fn recorded_calls(&self) -> std::collections::BTreeMap<String, u64> {
        self.http("POST", "/moto-api/recorder/stop-recording");
        let mut calls = std::collections::BTreeMap::new();
        for line in self.recorded_requests() {
            let service = line
                .split("Credential=")
                .nth(1)
                .and_then(|scope| scope.split('/').nth(3))
                .unwrap_or("unsigned")
                .to_string();
            *calls.entry(service).or_default() += 1;
        }
        calls
    }

    /// Stops the launcher's virtual clock (scripts/emulator/clock.py): nothing
    /// that takes AWS time (a cluster CREATING, a role reaching Lambda) moves
    /// on until `resume_clock` or `advance_clock`.
    pub fn freeze_clock(&self) {
        self.http("POST", "/_wway/clock/freeze");
    }

    pub fn resume_clock(&self) {
        self.http("POST", "/_wway/clock/resume");
    }

    pub fn advance_clock(&self, seconds: u64) {
        self.http("POST", &format!("/_wway/clock/advance?seconds={seconds}"));
    }

    /// What the emulator refused so far, one note each (e.g.
    /// "route53:Throttling GET /2013-04-01/healthcheck: ...").
    pub fn refusals(&self) -> Vec<String> {
        serde_json::from_str(&self.http("GET", "/_wway/refusals")).expect("a JSON list")
    }

    /// Waits (up to a minute) until the emulator has refused a request in a
    /// way whose note contains `what`, e.g. "lambda:CreateFunction".
    pub fn await_refusal(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.http("GET", "/_wway/refusals").contains(what) {
            assert!(Instant::now() < deadline, "the emulator never refused {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sets one of the launcher's numbers (clock.py `setting`), e.g.
    /// "eni_linger": how long a deleted cluster's network interfaces stay.
    pub fn set(&self, name: &str, value: f64) {
        self.http("POST", &format!("/_wway/set?{name}={value}"));
    }

    /// Makes the next `kind` ("cluster", "nodegroup" or "upgrade") named
    /// `name` fail on AWS's terms: `code` and `message` become its
    /// `health.issues` (or the update's errors) when it would have finished.
    pub fn fail_next(&self, kind: &str, name: &str, code: &str, message: &str) {
        let message = message.replace(' ', "+");
        self.http(
            "POST",
            &format!("/_wway/fail?kind={kind}&name={name}&code={code}&message={message}"),
        );
    }

    /// The desired state of `topology` in this emulator's account, as wway's
    /// commands make it: counted zones placed on those the regions offer.
    pub async fn desired(&self, mut topology: Topology) -> wway::state::desired::DesiredState {
        let aws = wway::cloud::Aws::new(self.settings());
        aws.place_zones(&mut topology).await.expect("place the zones");
        wway::state::desired::desired(&topology).expect("package the edge function")
    }

    /// An SDK configuration for `region` pointed at this emulator, for tests
    /// that change the account behind wway's back.
    pub async fn sdk(&self, region: &str) -> aws_config::SdkConfig {
        wway::cloud::config(&self.settings(), region).await
    }

    /// The wway binary with this emulator as its AWS.
    pub fn wway(&self) -> assert_cmd::Command {
        let mut command = assert_cmd::Command::cargo_bin("wway").expect("the wway binary");
        command
            .current_dir(project_root())
            .env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env("NO_COLOR", "1");
        command
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        forks().stop(self.pid);
    }
}

/// The server of emulators (scripts/emulator/forks.py), one per test process:
/// it loads moto and the service models once and forks a fresh emulator for
/// each test. It ends, and its emulators with it, when this process ends and
/// its stdin closes.
struct Forks {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    _server: Child,
}

fn forks() -> std::sync::MutexGuard<'static, Forks> {
    static FORKS: OnceLock<Mutex<Forks>> = OnceLock::new();
    let forks = FORKS.get_or_init(|| {
        let mut server = Command::new(python())
            .arg(project_root().join("scripts/emulator/launcher.py"))
            .arg("--forks")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the emulator server");
        let stdin = server.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(server.stdout.take().expect("piped stdout"));
        Mutex::new(Forks { stdin, stdout, _server: server })
    });
    // A test that panicked while holding the lock left the pipes whole.
    forks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Forks {
    fn ask(&mut self, line: &str) -> String {
        let broken = "the emulator server ended; run scripts/emulator/launcher.py --forks by hand to see why";
        writeln!(self.stdin, "{line}").and_then(|()| self.stdin.flush()).expect(broken);
        let mut answer = String::new();
        let read = self.stdout.read_line(&mut answer).expect(broken);
        assert!(read > 0, "{broken}");
        answer.trim().to_string()
    }

    fn start(&mut self, url_file: &Path, speed: u32) -> u32 {
        let url_file = url_file.to_str().expect("a temp path in UTF-8");
        let answer = self.ask(&format!("start {url_file} {speed}"));
        answer.parse().unwrap_or_else(|_| panic!("the emulator server answered {answer:?}"))
    }

    fn stop(&mut self, pid: u32) {
        let answer = self.ask(&format!("stop {pid}"));
        assert_eq!(answer, "stopped", "the emulator server answered {answer:?}");
    }
}

/// A topology of the repository, loaded and validated.
pub fn topology(relative: &str) -> Topology {
    let source =
        wway::topology::Source::read(&project_root().join(relative)).expect("read topology");
    wway::topology::load(&source).unwrap_or_else(|problems| panic!("{relative}: {problems}"))
}

/// A reporter that shows nothing, for tests that run the executor in-process.
pub struct Quiet;

impl wway::exec::report::Reporter for Quiet {
    fn started(&self, _: &wway::plan::steps::Step) {}
    fn progress(&self, _: &wway::plan::steps::Step, _: &str) {}
    fn finished(
        &self,
        _: &wway::plan::steps::Step,
        _: &wway::exec::report::StepResult,
        _: std::time::Duration,
    ) {
    }
}
