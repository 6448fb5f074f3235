//! Progress of a run on stderr: on a terminal, one spinner line per running
//! step with its elapsed time and the waiter's status (indicatif); elsewhere
//! (CI logs, files), one plain line per event, with the time since the start;
//! with `--quiet`, nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exec::report::{Reporter, StepResult};
use crate::plan::steps::{Op, Step, StepName};

fn verb(step: &Step) -> &'static str {
    match step.op {
        Op::Create { .. } => "create",
        Op::Update { .. } => "update",
        Op::Delete { .. } => "delete",
        Op::Records { .. } => "records",
        Op::Settle { .. } => "await",
    }
}

fn outcome(result: &StepResult, elapsed: Duration) -> String {
    match result {
        StepResult::Done => format!("done in {:.1} s", elapsed.as_secs_f64()),
        StepResult::Deferred => "deferred: a later run retries it".into(),
        StepResult::Failed(error) => format!("FAILED: {error}"),
        StepResult::Skipped { because } => format!("skipped: {because}"),
    }
}

/// Plain lines, for logs.
pub struct Lines {
    started: Instant,
}

impl Default for Lines {
    fn default() -> Self {
        Lines { started: Instant::now() }
    }
}

impl Lines {
    fn line(&self, text: &str) {
        let seconds = self.started.elapsed().as_secs_f64();
        // A closed stderr (the reader of a pipe went away) does not stop the run.
        let _ = writeln!(std::io::stderr().lock(), "[{seconds:>6.1}s] {text}");
    }
}

impl Reporter for Lines {
    fn started(&self, step: &Step) {
        self.line(&format!("{} {}", verb(step), step.name));
    }

    fn progress(&self, step: &Step, status: &str) {
        self.line(&format!("{} {}: {status}", verb(step), step.name));
    }

    fn finished(&self, step: &Step, result: &StepResult, elapsed: Duration) {
        self.line(&format!("{} {}: {}", verb(step), step.name, outcome(result, elapsed)));
    }
}

/// Nothing, for `--quiet`: the run's result says what happened.
pub struct Silent;

impl Reporter for Silent {
    fn started(&self, _step: &Step) {}
    fn progress(&self, _step: &Step, _status: &str) {}
    fn finished(&self, _step: &Step, _result: &StepResult, _elapsed: Duration) {}
}

/// Spinners, for a terminal.
pub struct Bars {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<StepName, ProgressBar>>,
}

impl Default for Bars {
    fn default() -> Self {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::default(),
        }
    }
}

impl Reporter for Bars {
    fn started(&self, step: &Step) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        let style = ProgressStyle::with_template("{spinner} [{elapsed:>4}] {prefix} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(format!("{} {}", verb(step), step.name));
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(step.name.clone(), bar);
        }
    }

    fn progress(&self, step: &Step, status: &str) {
        if let Some(bar) = self.bars.lock().ok().and_then(|b| b.get(&step.name).cloned()) {
            bar.set_message(status.to_string());
        }
    }

    fn finished(&self, step: &Step, result: &StepResult, elapsed: Duration) {
        let bar = self.bars.lock().ok().and_then(|mut b| b.remove(&step.name));
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let _ = self.multi.println(format!(
            "{} {}: {}",
            verb(step),
            step.name,
            outcome(result, elapsed)
        ));
    }
}
