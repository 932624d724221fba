//! Ctrl-C inside long iterative fits, without threading a callback through every solver.
//!
//! The host (the Python binding) registers one checker at start-up; the solvers' outer loops
//! call [`poll`], which runs the checker at most every 50 ms per thread and remembers a
//! request, and the fit's entry point turns it into [`Error::Interrupted`] with [`check`].
//! Without a checker (pure Rust, `cargo test`) polling costs one atomic load and never stops.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::{Error, Result};

static CHECKER: OnceLock<fn() -> bool> = OnceLock::new();

thread_local! {
    static LAST_POLL: Cell<Option<Instant>> = const { Cell::new(None) };
    static REQUESTED: Cell<bool> = const { Cell::new(false) };
}

/// Registers the function that says whether the user asked to stop (once per process).
pub fn set_checker(f: fn() -> bool) {
    let _ = CHECKER.set(f);
}

/// True when the caller should stop now: a stop was requested on this thread (asked at most
/// every 50 ms). Solvers break out of their loop and let their entry point call [`check`].
pub fn poll() -> bool {
    let Some(f) = CHECKER.get() else { return false };
    if REQUESTED.get() {
        return true;
    }
    let now = Instant::now();
    match LAST_POLL.get() {
        Some(last) if now.duration_since(last) < Duration::from_millis(50) => false,
        _ => {
            LAST_POLL.set(Some(now));
            let stop = f();
            REQUESTED.set(stop);
            stop
        }
    }
}

/// `Err(Interrupted)` if a stop was requested on this thread since the last check (and clears
/// the request), `Ok` otherwise.
pub fn check() -> Result<()> {
    if REQUESTED.replace(false) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
