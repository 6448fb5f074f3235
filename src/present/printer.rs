//! Where a command's words go. Data (a plan, a report, a summary) goes to
//! stdout; diagnostics, progress and notes go to stderr; colour and
//! `--quiet` are decided once, here. A write that fails (the reader of a
//! pipe went away: `wway destroy | head -2`) is dropped, never a panic: the
//! run goes on and ends with its own status, since stopping a destroy
//! halfway because nobody reads its output would be worse.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

/// How output looks, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    /// Colour on stderr (diagnostics, the plan shown before a confirmation).
    pub color: bool,
    /// Colour on stdout (the plan of `wway plan`).
    pub stdout_color: bool,
    pub width: usize,
    pub verbose: u8,
    /// Errors and data only: no notes, no progress.
    pub quiet: bool,
    /// Progress bars (stderr is a terminal, not `--quiet`) or plain lines.
    pub progress: bool,
}

impl Printer {
    /// `color`: `Some` when the user chose (`--color always|never`), `None`
    /// for auto: colour where the stream is a terminal and `NO_COLOR` is unset.
    pub fn new(color: Option<bool>, quiet: bool) -> Self {
        let stderr_terminal = std::io::stderr().is_terminal();
        let auto = |terminal: bool| terminal && std::env::var_os("NO_COLOR").is_none();
        Printer {
            color: color.unwrap_or_else(|| auto(stderr_terminal)),
            stdout_color: color.unwrap_or_else(|| auto(std::io::stdout().is_terminal())),
            width: 100,
            verbose: 0,
            quiet,
            progress: stderr_terminal && !quiet,
        }
    }

    /// Data, to stdout, as it is.
    pub fn out(&self, text: impl Display) {
        let _ = write!(std::io::stdout().lock(), "{text}");
    }

    /// A line of the result, to stdout.
    pub fn line(&self, text: impl Display) {
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    /// What the user must see on stderr (diagnostics, the plan to confirm).
    pub fn show(&self, text: impl Display) {
        let _ = write!(std::io::stderr().lock(), "{text}");
    }

    /// A note on stderr (what is happening, what it cost), unless `--quiet`.
    pub fn note(&self, text: impl Display) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }

    pub fn warning(&self, text: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "warning: {text}");
    }

    pub fn error(&self, text: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "error: {text}");
    }

    /// A question on stderr, the answer to be typed on the same line.
    pub fn prompt(&self, text: impl Display) {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "{text}");
        let _ = stderr.flush();
    }
}
