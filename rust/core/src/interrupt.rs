//! Ctrl-C inside long iterative fits, without threading a callback through every solver.
//!
//! The host (the Python binding) registers one checker at start-up; the solvers' outer loops
//! call [`poll`], which runs the checker at most every 50 ms per thread and remembers a
//! request, and the fit's entry point turns it into [`Error::Interrupted`] with [`check`].
//! Without a checker (pure Rust, `cargo test`) polling costs one atomic load and never stops.
//!
//! Only the host's own thread sees Ctrl-C (Python runs signal handlers on its main thread), so
//! work on the rayon pool is *watched*: [`watched`] runs a job on the pool while the calling
//! thread polls the checker every few milliseconds, and raises a [`Stop`] flag that the job's
//! loops read (one relaxed atomic load); [`Stop::run`] also makes [`poll`] see the flag on a
//! pool thread, so a solver that polls (a bootstrap round's fit) stops too.
//!
//! **Rule**: a loop that can run longer than ~0.1 s at the sizes rankagg accepts either runs
//! on the calling thread and calls [`poll`] (at least every ~10 ms of work), or runs inside
//! [`watched`] and checks [`Stop::stopped`] at least that often. Latency measured per entry
//! point: docs/reliability.md.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::{Error, Result};

static CHECKER: OnceLock<fn() -> bool> = OnceLock::new();

thread_local! {
    static LAST_POLL: Cell<Option<Instant>> = const { Cell::new(None) };
    static REQUESTED: Cell<bool> = const { Cell::new(false) };
    /// The flag of the watched job this pool thread is running (see [`Stop::run`]).
    static SCOPE: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Registers the function that says whether the user asked to stop (once per process).
pub fn set_checker(f: fn() -> bool) {
    let _ = CHECKER.set(f);
}

/// True when the caller should stop now: a stop was requested on this thread (asked at most
/// every 50 ms). Solvers break out of their loop and let their entry point call [`check`].
pub fn poll() -> bool {
    let Some(f) = CHECKER.get() else { return false };
    if let Some(stop) = SCOPE.with_borrow(|s| s.as_ref().map(|a| a.load(Ordering::Relaxed))) {
        // A pool thread inside a watched job: the watcher polls the host for it.
        return stop;
    }
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

/// The stop flag of a [`watched`] job.
#[derive(Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// A flag that is never raised (a job run without a watcher).
    pub fn never() -> Stop {
        Stop::default()
    }

    /// A flag already raised (tests of the loops that read it).
    #[cfg(test)]
    pub(crate) fn raised() -> Stop {
        let stop = Stop::default();
        stop.0.store(true, Ordering::SeqCst);
        stop
    }

    /// True once the user asked to stop: the job should return soon (its result is dropped).
    #[inline]
    pub fn stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `f` on this thread with [`poll`] answering from this flag (for solvers that poll).
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        struct Restore(Option<Arc<AtomicBool>>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                SCOPE.with_borrow_mut(|s| *s = previous);
            }
        }
        let previous = SCOPE.with_borrow_mut(|s| s.replace(self.0.clone()));
        let _restore = Restore(previous);
        f()
    }
}

/// How often the watching thread wakes to poll the host (at most every 50 ms, see [`poll`]);
/// it wakes at once when the job ends.
const WATCH_EVERY: Duration = Duration::from_millis(2);

/// Runs `job` on the rayon pool while this thread watches for Ctrl-C: a request raises the
/// job's [`Stop`] flag, and once the job has returned the result is `Err(Interrupted)`. Called
/// from a pool thread (nested parallelism), or without a checker, the job runs here with the
/// enclosing job's flag (or one never raised).
pub fn watched<T: Send>(job: impl FnOnce(&Stop) -> T + Send) -> Result<T> {
    if CHECKER.get().is_none() || rayon::current_thread_index().is_some() {
        let stop = SCOPE.with_borrow(|s| s.clone()).map_or_else(Stop::never, Stop);
        let out = job(&stop);
        return if stop.stopped() { Err(Error::Interrupted) } else { Ok(out) };
    }
    /// Set (and the watcher woken) when the job ends, panics included.
    struct Done<'a>(&'a (Mutex<bool>, Condvar));
    impl Drop for Done<'_> {
        fn drop(&mut self) {
            *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.0 .1.notify_all();
        }
    }
    let stop = Stop::default();
    let done = (Mutex::new(false), Condvar::new());
    let mut out = None;
    rayon::in_place_scope(|s| {
        let (stop, done, out) = (&stop, &done, &mut out);
        s.spawn(move |_| {
            let _done = Done(done);
            *out = Some(stop.run(|| job(stop)));
        });
        let mut finished = done.0.lock().unwrap_or_else(|e| e.into_inner());
        while !*finished {
            if poll() {
                stop.0.store(true, Ordering::SeqCst);
            }
            finished = done.1.wait_timeout(finished, WATCH_EVERY).unwrap_or_else(|e| e.into_inner()).0;
        }
    });
    check()?;
    if stop.stopped() {
        return Err(Error::Interrupted);
    }
    out.ok_or_else(|| Error::InvalidArgument("a watched job did not finish".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_without_a_watcher_runs_to_the_end() {
        // No checker is registered in the core's tests: the job runs here, never stopped.
        let out = watched(|stop| (0..1000u64).take_while(|_| !stop.stopped()).sum::<u64>());
        assert_eq!(out.unwrap(), 999 * 1000 / 2);
        let raised = Stop::default();
        raised.0.store(true, Ordering::SeqCst);
        assert!(raised.run(|| SCOPE.with_borrow(|s| s.as_ref().is_some_and(|a| a.load(Ordering::SeqCst)))));
        assert!(SCOPE.with_borrow(|s| s.is_none()), "the scope is restored");
    }
}
