//! Puts before polls: a poll due at time d waits until every put due at or before d has
//! been made.
//!
//! In the reference experiment every first put and every first poll fall due at the
//! same instant; a poll that slips ahead of the last put finds the queue empty and loses
//! a whole poll period (+25% elapsed at 20 consumers). The model orders puts first at
//! equal times, so the threads must too. A producer blocked on a full queue announces
//! no due put while blocked, so it never holds consumers back (they would wait for each
//! other forever).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Announced when a producer has no put due: finished, or blocked on a full queue.
const NONE_DUE: u64 = u64::MAX;

pub struct PutGate {
    /// Per producer: when its next put is due, in run nanoseconds.
    next_put: Vec<AtomicU64>,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    changed: Condvar,
}

impl PutGate {
    /// Every producer's first put is due at the run's start.
    pub fn new(producers: usize) -> Self {
        PutGate {
            next_put: (0..producers).map(|_| AtomicU64::new(0)).collect(),
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            changed: Condvar::new(),
        }
    }

    /// Producer `producer`'s next put is due at `due_ns`.
    pub fn announce(&self, producer: usize, due_ns: u64) {
        self.next_put[producer].store(due_ns, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            // Taking the lock orders this wake-up after a waiter's check of the puts.
            let _guard = self.lock.lock();
            self.changed.notify_all();
        }
    }

    /// Producer `producer` has no put due: it is done or blocked on a full queue.
    pub fn withdraw(&self, producer: usize) {
        self.announce(producer, NONE_DUE);
    }

    fn puts_made_by(&self, due_ns: u64) -> bool {
        self.next_put
            .iter()
            .all(|next| next.load(Ordering::SeqCst) > due_ns)
    }

    /// Returns once every put due at or before `due_ns` has been made, or on `stop`.
    pub fn wait_for_puts(&self, due_ns: u64, stop: &AtomicBool) {
        if self.puts_made_by(due_ns) {
            return;
        }
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while !self.puts_made_by(due_ns) && !stop.load(Ordering::Relaxed) {
            // The timeout only guards against a wake-up lost to a panicking producer.
            guard = match self.changed.wait_timeout(guard, Duration::from_millis(5)) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        drop(guard);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::thread;

    /// Runs `wait_for_puts(due_ns)` on its own thread and says whether it returned by
    /// itself within `patience`; a wait still blocked then is stopped and reported as not
    /// returning, so a test fails rather than hangs.
    fn returns_within(gate: &Arc<PutGate>, due_ns: u64, patience: Duration) -> bool {
        let stop = Arc::new(AtomicBool::new(false));
        let (done, finished) = mpsc::channel();
        let waiter = {
            let (gate, stop) = (Arc::clone(gate), Arc::clone(&stop));
            thread::spawn(move || {
                gate.wait_for_puts(due_ns, &stop);
                let _ = done.send(());
            })
        };
        let returned = finished.recv_timeout(patience).is_ok();
        stop.store(true, Ordering::SeqCst);
        waiter.join().expect("the waiter does not panic");
        returned
    }

    /// A wait that should return: 10 s is a hang on any machine, however loaded.
    fn returns_by_itself(gate: &Arc<PutGate>, due_ns: u64) -> bool {
        returns_within(gate, due_ns, Duration::from_secs(10))
    }

    #[test]
    fn a_poll_waits_for_a_late_put() {
        let gate = Arc::new(PutGate::new(2));
        gate.announce(0, 500);
        let announced = Arc::new(AtomicBool::new(false));
        let producer = {
            let (gate, announced) = (Arc::clone(&gate), Arc::clone(&announced));
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(30));
                announced.store(true, Ordering::SeqCst);
                gate.announce(1, 1_000);
            })
        };
        let stop = AtomicBool::new(false);
        gate.wait_for_puts(100, &stop);
        assert!(
            announced.load(Ordering::SeqCst),
            "the poll returned before producer 1's put due at 0 was made"
        );
        producer.join().expect("the producer does not panic");
    }

    #[test]
    fn a_poll_does_not_wait_for_puts_due_later() {
        let gate = Arc::new(PutGate::new(2));
        gate.announce(0, 500);
        gate.announce(1, 1_000);
        assert!(returns_by_itself(&gate, 400));
        // Blocked for good: load can only make it block longer, so a short look suffices.
        let blocked = !returns_within(&gate, 600, Duration::from_millis(200));
        assert!(blocked, "producer 0's put at 500 is awaited");
    }

    #[test]
    fn a_withdrawn_producer_holds_nobody_back() {
        let gate = Arc::new(PutGate::new(2));
        gate.withdraw(0);
        gate.announce(1, 2_000);
        assert!(returns_by_itself(&gate, 1_999));
        gate.withdraw(1);
        assert!(returns_by_itself(&gate, u64::MAX - 1));
    }
}
