//! Waiting until absolute deadlines, on the wall clock (`sleep` work) or on the thread's
//! own CPU clock (`spin` work).
//!
//! Deadlines, not spans: `thread::sleep` overshoots by about 0.1 ms per call here, and
//! spans would add that up over a run; deadlines keep every thread on the model's
//! schedule. A wall-clock wait sleeps until shortly before the deadline and yields the
//! rest of the way, which takes tens of microseconds off each wake-up.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How long before a wall-clock deadline a thread stops sleeping and starts yielding.
const YIELD_MARGIN_NS: u64 = 200_000;

/// A thread's clock: nanoseconds since the run started (wall) or since the thread
/// started (its CPU time).
pub enum Clock {
    Wall(Instant),
    Cpu(u64),
}

impl Clock {
    /// The clock of a thread whose work is spinning: its own CPU time, so threads that
    /// share a core take longer, as CPU-bound work does.
    pub fn thread_cpu() -> Self {
        Clock::Cpu(thread_cpu_ns())
    }

    /// True for the wall clock, whose readings compare across threads.
    pub fn is_wall(&self) -> bool {
        matches!(self, Clock::Wall(_))
    }

    pub fn now_ns(&self) -> u64 {
        match self {
            Clock::Wall(start) => wall_ns(*start),
            Clock::Cpu(origin) => thread_cpu_ns().saturating_sub(*origin),
        }
    }

    /// Waits until the clock reads `deadline_ns`, or until `stop` is raised (a wall wait
    /// is woken early by `Thread::unpark`).
    pub fn wait_until(&self, deadline_ns: u64, stop: &AtomicBool) {
        match self {
            Clock::Wall(start) => wait_wall(*start, deadline_ns, stop),
            Clock::Cpu(origin) => spin_cpu(origin.saturating_add(deadline_ns), stop),
        }
    }
}

/// Nanoseconds since `start` on the monotonic clock.
pub fn wall_ns(start: Instant) -> u64 {
    start.elapsed().as_nanos() as u64
}

fn wait_wall(start: Instant, deadline_ns: u64, stop: &AtomicBool) {
    loop {
        let now = wall_ns(start);
        if now >= deadline_ns || stop.load(Ordering::Relaxed) {
            return;
        }
        let left = deadline_ns - now;
        if left > YIELD_MARGIN_NS {
            thread::park_timeout(Duration::from_nanos(left - YIELD_MARGIN_NS));
        } else {
            thread::yield_now();
        }
    }
}

fn spin_cpu(deadline_cpu_ns: u64, stop: &AtomicBool) {
    while thread_cpu_ns() < deadline_cpu_ns && !stop.load(Ordering::Relaxed) {
        for _ in 0..64 {
            std::hint::spin_loop();
        }
    }
}

/// CPU time this thread has used, in nanoseconds.
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to a valid pointer; the thread CPU clock
    // exists on every Linux and macOS since 2010. On failure ts stays zero, which only
    // ends a spin early.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (ts.tv_sec as u64).saturating_mul(1_000_000_000) + ts.tv_nsec as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_wait_reaches_the_deadline() {
        let start = Instant::now();
        let stop = AtomicBool::new(false);
        let clock = Clock::Wall(start);
        for k in 1..=5 {
            clock.wait_until(k * 2_000_000, &stop);
            assert!(clock.now_ns() >= k * 2_000_000, "woke before the deadline");
        }
    }

    #[test]
    fn deadlines_already_passed_cost_no_wait_so_overshoot_does_not_add_up() {
        // A clock started 3 s ago: 1,000 deadlines 2 ms apart have all passed. Waits to
        // absolute deadlines return at once; waits of 2 ms each would take at least 2 s,
        // since a sleep never ends early. Load cannot stretch a thousand clock reads into
        // 2 s, so the bound tells the two apart on any machine. (3 s, not more: the
        // monotonic clock of a machine just booted may not go back further.)
        let start = Instant::now()
            .checked_sub(Duration::from_secs(3))
            .expect("the monotonic clock goes back 3 s");
        let stop = AtomicBool::new(false);
        let clock = Clock::Wall(start);
        let began = Instant::now();
        for k in 1..=1000 {
            clock.wait_until(k * 2_000_000, &stop);
        }
        assert!(began.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn cpu_wait_burns_cpu_time() {
        let stop = AtomicBool::new(false);
        let clock = Clock::thread_cpu();
        clock.wait_until(3_000_000, &stop);
        assert!(clock.now_ns() >= 3_000_000);
    }

    #[test]
    fn stop_ends_a_wait() {
        let stop = AtomicBool::new(true);
        let start = Instant::now();
        Clock::Wall(start).wait_until(10_000_000_000, &stop);
        Clock::thread_cpu().wait_until(10_000_000_000, &stop);
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
