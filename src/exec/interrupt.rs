//! Ctrl-C and SIGTERM during a run, as Terraform treats one: the first asks
//! the run to stop: no new step starts, the steps in flight finish and are
//! journaled, the lock is released, and the run says what was done and how
//! to go on. The second ends the process at once; the journal still holds
//! every step that was started, so a re-run or `wway rollback` can use it.
//!
//! Before the first signal is caught, the default (die) applies; from
//! [`Interrupt::install`] on, a command must check [`Interrupt::requested`]
//! or await [`Interrupt::wait`] wherever it could block.

use std::io;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use tokio::sync::watch;

/// Whether the run was asked to stop, and by which signal.
#[derive(Clone)]
pub struct Interrupt {
    signal: watch::Receiver<Option<i32>>,
    /// Keeps a channel that no signal feeds open, for [`Interrupt::never`].
    _never: Option<std::sync::Arc<watch::Sender<Option<i32>>>>,
}

impl Interrupt {
    /// Catches SIGINT and SIGTERM from now on, for the rest of the process;
    /// `say` tells the user what each signal does (the command's printer).
    pub fn install(say: impl Fn(&str) + Send + 'static) -> io::Result<Interrupt> {
        let (sender, signal) = watch::channel(None);
        let mut signals = Signals::new([SIGINT, SIGTERM])?;
        std::thread::spawn(move || {
            for caught in signals.forever() {
                if sender.borrow().is_none() {
                    say("\nStopping: no new step starts; the steps in flight finish and are \
                         journaled. Press Ctrl-C again to abort at once.");
                    let _ = sender.send(Some(caught));
                } else {
                    say("\nAborted. The journal holds every step that was started: `wway apply` \
                         carries on, `wway rollback` undoes them.");
                    std::process::exit(128 + caught);
                }
            }
        });
        Ok(Interrupt { signal, _never: None })
    }

    /// An interrupt that never comes (tests, runs with nobody to press keys).
    pub fn never() -> Interrupt {
        let (sender, signal) = watch::channel(None);
        Interrupt { signal, _never: Some(std::sync::Arc::new(sender)) }
    }

    /// The signal that asked the run to stop, if one did.
    pub fn requested(&self) -> Option<i32> {
        *self.signal.borrow()
    }

    /// Resolves when the run is asked to stop; gives the signal.
    pub async fn wait(&self) -> i32 {
        let mut signal = self.signal.clone();
        match signal.wait_for(Option::is_some).await {
            Ok(caught) => caught.unwrap_or_default(),
            Err(_) => std::future::pending().await,
        }
    }

    /// The exit status of a run that stopped for `signal`: 128 + its number,
    /// as a shell reports a process the signal ended.
    pub fn exit_status(signal: i32) -> u8 {
        u8::try_from(128 + signal).unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn never_is_never_requested() {
        let never = Interrupt::never();
        assert_eq!(never.requested(), None);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), never.wait()).await;
        assert!(waited.is_err(), "it does not resolve");
        assert_eq!(Interrupt::exit_status(SIGINT), 130);
    }
}
