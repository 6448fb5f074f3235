//! The engine's local work at scale, without a cloud: for a topology file,
//! the time of each phase that `wway validate`, `wway graph` and the local
//! share of `wway plan` run, and the process's peak memory. `scripts/bench
//! --engine` runs it in release mode on generated topologies of several
//! sizes, one process per size.
//!
//!   cargo run --release --example engine_bench -- TOPOLOGY

use std::time::Instant;

use wway::plan;
use wway::plan::steps::steps;
use wway::present::{graph, plan_text};
use wway::state::desired::desired;
use wway::state::live::LiveState;
use wway::topology::{self, Source};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: engine_bench TOPOLOGY");
        std::process::exit(1);
    };
    let source = match Source::read(std::path::Path::new(&path)) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            std::process::exit(1);
        }
    };
    let mut phases = Phases::default();
    let topology = phases.time("validate (parse, check)", || topology::load(&source));
    let Ok(topology) = topology else {
        eprintln!("{path} does not validate (`wway validate {path}` says why)");
        std::process::exit(1);
    };
    let desired = match phases.time("lower to resources", || desired(&topology)) {
        Ok(desired) => desired,
        Err(error) => {
            eprintln!("lowering failed: {error}");
            std::process::exit(1);
        }
    };
    phases.time("graph (dot and mermaid)", || {
        graph::dot(&desired).len() + graph::mermaid(&desired).len()
    });
    for (account, live) in
        [("empty", LiveState::default()), ("converged", LiveState::as_applied(&desired))]
    {
        let plan = phases.time(format!("plan, {account} account: diff and order"), || {
            plan::plan(&desired, &live)
        });
        let Ok(plan) = plan else {
            eprintln!("no plan for the {account} account");
            std::process::exit(1);
        };
        phases.time(format!("plan, {account} account: text"), || {
            plan_text::render(&plan, false).len()
        });
        phases
            .time(format!("plan, {account} account: steps"), || steps(plan, &desired, &live).len());
    }
    println!("{} resources, {} bytes of YAML", desired.resources.len(), source.text.len());
    for (phase, ms) in &phases.0 {
        println!("  {phase:<48} {ms:>9.1} ms");
    }
    println!("  {:<48} {:>9.1} MB", "peak memory (VmHWM, whole process)", peak_mb());
}

#[derive(Default)]
struct Phases(Vec<(String, f64)>);

impl Phases {
    fn time<T>(&mut self, phase: impl Into<String>, work: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let out = work();
        self.0.push((phase.into(), started.elapsed().as_secs_f64() * 1000.0));
        out
    }
}

/// The process's peak resident memory, from /proc (Linux); 0 elsewhere.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}
