//! Conservative ordering on the model's schedule: a thread whose action is due at d
//! waits until every other thread's action due at or before d has been made.
//!
//! Two gates use it. **Puts before polls**: in the reference experiment every first put
//! and every first poll fall due at the same instant; a poll that slips ahead of the last
//! put finds the queue empty and loses a whole poll period (+25% elapsed at 20
//! consumers). The model orders puts first at equal times, so the threads must too.
//! **Takes before puts on a full bounded queue**: a put due at t finds room in the model
//! when a take was due before t; a consumer whose thread wakes late would make the put
//! block instead, and the run's decisions (who blocks, when) drift from the model's.
//!
//! The same kind of gate keeps consumers' takes in the order they fall due, and makes a
//! take wait for the puts due by then (see `put::ModelOrder`).
//!
//! A thread with nothing due (a consumer waiting for an item, or one that is done)
//! withdraws, so it never holds the others back (they would wait for each other
//! forever). A producer blocked on a full queue is marked blocked instead, with the
//! earliest its next put can be due: waits for what is due pass it as they pass a
//! withdrawn thread, and only producers keeping their order may look at that time. Owns
//! only the due times and the waits on them; who is blocked in a put is
//! `put::PutGate`'s.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Announced when a thread has nothing due: finished, or waiting on the queue.
const NONE_DUE: u64 = u64::MAX;

/// Marks a producer blocked in a put, beside the earliest its next put can be due: a
/// wait for everything due by some time (`made_by`) passes it, as it passes a withdrawn
/// thread (the marked value is above any due time), while producers keeping their order
/// (`blocked_ahead`) can still see when it might put next.
const BLOCKED: u64 = 1 << 63;

pub struct DueGate {
    /// Per thread: when its next action is due, in run nanoseconds.
    next: Vec<AtomicU64>,
    /// Per thread: when, among all announcements, its due was announced (see
    /// `ahead_made`). Written before `next`, and read after it.
    announced: Vec<AtomicU64>,
    /// Announcements so far, counting the first dues as one each, in thread order.
    announcements: AtomicU64,
    waiters: AtomicUsize,
    lock: Mutex<()>,
    changed: Condvar,
}

impl DueGate {
    /// Every thread's first action is due at the run's start.
    pub fn new(threads: usize) -> Self {
        DueGate {
            next: (0..threads).map(|_| AtomicU64::new(0)).collect(),
            announced: (0..threads as u64).map(AtomicU64::new).collect(),
            announcements: AtomicU64::new(threads as u64),
            waiters: AtomicUsize::new(0),
            lock: Mutex::new(()),
            changed: Condvar::new(),
        }
    }

    /// Thread `thread`'s next action is due at `due_ns`. A due announced again keeps its
    /// place in the order of announcements.
    pub fn announce(&self, thread: usize, due_ns: u64) {
        if self.next[thread].load(Ordering::SeqCst) != due_ns {
            let place = self.announcements.fetch_add(1, Ordering::SeqCst);
            self.announced[thread].store(place, Ordering::SeqCst);
        }
        self.next[thread].store(due_ns, Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            // Taking the lock orders this wake-up after a waiter's check of the puts.
            let _guard = self.lock.lock();
            self.changed.notify_all();
        }
    }

    /// Thread `thread` has nothing due: it is done or waiting on the queue.
    pub fn withdraw(&self, thread: usize) {
        self.announce(thread, NONE_DUE);
    }

    /// Producer `thread` is blocked in a put; its next put is due at `at_least_ns` or
    /// later, once the put returns.
    pub fn block(&self, thread: usize, at_least_ns: u64) {
        self.announce(thread, BLOCKED | at_least_ns.min(!BLOCKED - 1));
    }

    /// True while a thread blocked may yet have its next action due by `due_ns`, by the
    /// earliest it said that could be.
    pub fn blocked_by(&self, due_ns: u64) -> bool {
        self.next.iter().any(|next| {
            let next = next.load(Ordering::SeqCst);
            next != NONE_DUE && next & BLOCKED != 0 && next & !BLOCKED <= due_ns
        })
    }

    /// True while another thread, blocked, may yet have its next action due before
    /// `due_ns`, by the earliest it said that could be. (Due at `due_ns` itself, it comes
    /// after: its next action is scheduled when its put returns, at a take, after the
    /// put or the earlier take that scheduled this thread's; see `ahead_made`.)
    pub fn blocked_ahead(&self, thread: usize, due_ns: u64) -> bool {
        self.next.iter().enumerate().any(|(other, next)| {
            let next = next.load(Ordering::SeqCst);
            other != thread && next != NONE_DUE && next & BLOCKED != 0 && next & !BLOCKED < due_ns
        })
    }

    /// True when every action due at or before `due_ns` has been made.
    pub fn made_by(&self, due_ns: u64) -> bool {
        self.next
            .iter()
            .all(|next| next.load(Ordering::SeqCst) > due_ns)
    }

    /// True when every other thread's action due before `due_ns`, or due at it and
    /// announced after this thread's, has been made. At one instant the model takes
    /// actions first in, first out, by when each was scheduled: a thread's next action is
    /// scheduled as its last one ends, and threads announce their next due then, in the
    /// model's order (the gates keep it), so the order of announcements is the model's.
    /// At fixed times, where many actions fall due at once, this decides who goes first.
    pub(super) fn ahead_made(&self, thread: usize, due_ns: u64) -> bool {
        let mine = self.announced[thread].load(Ordering::SeqCst);
        self.next.iter().enumerate().all(|(other, next)| {
            let next = next.load(Ordering::SeqCst);
            other == thread
                || next > due_ns
                || (next == due_ns && self.announced[other].load(Ordering::SeqCst) > mine)
        })
    }

    /// Returns once `ahead_made(thread, due_ns)`, or on `stop`.
    pub fn wait_turn(&self, thread: usize, due_ns: u64, stop: &AtomicBool) {
        self.wait_while(|| !self.ahead_made(thread, due_ns), stop);
    }

    /// Returns once every action due at or before `due_ns` has been made, or on `stop`.
    pub fn wait_past(&self, due_ns: u64, stop: &AtomicBool) {
        self.wait_while(|| !self.made_by(due_ns), stop);
    }

    fn wait_while(&self, waiting: impl Fn() -> bool, stop: &AtomicBool) {
        if !waiting() {
            return;
        }
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let mut guard = self
            .lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while waiting() && !stop.load(Ordering::Relaxed) {
            // The timeout only guards against a wake-up lost to a panicking thread.
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

    /// Runs `wait_past(due_ns)` on its own thread and says whether it returned by
    /// itself within `patience`; a wait still blocked then is stopped and reported as not
    /// returning, so a test fails rather than hangs.
    fn returns_within(gate: &Arc<DueGate>, due_ns: u64, patience: Duration) -> bool {
        let stop = Arc::new(AtomicBool::new(false));
        let (done, finished) = mpsc::channel();
        let waiter = {
            let (gate, stop) = (Arc::clone(gate), Arc::clone(&stop));
            thread::spawn(move || {
                gate.wait_past(due_ns, &stop);
                let _ = done.send(());
            })
        };
        let returned = finished.recv_timeout(patience).is_ok();
        stop.store(true, Ordering::SeqCst);
        waiter.join().expect("the waiter does not panic");
        returned
    }

    /// A wait that should return: 10 s is a hang on any machine, however loaded.
    fn returns_by_itself(gate: &Arc<DueGate>, due_ns: u64) -> bool {
        returns_within(gate, due_ns, Duration::from_secs(10))
    }

    #[test]
    fn a_poll_waits_for_a_late_put() {
        let gate = Arc::new(DueGate::new(2));
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
        gate.wait_past(100, &stop);
        assert!(
            announced.load(Ordering::SeqCst),
            "the poll returned before producer 1's put due at 0 was made"
        );
        producer.join().expect("the producer does not panic");
    }

    /// A producer blocked in a put passes every wait for what is due by a time, and
    /// holds back only producers keeping their order, by the earliest its next put can
    /// be due (at that instant itself it comes after them: its next put is scheduled
    /// later, when a take lets it in).
    #[test]
    fn a_blocked_producer_holds_back_only_later_producers() {
        let gate = DueGate::new(3);
        gate.block(1, 500);
        gate.announce(0, 2_000);
        gate.announce(2, 2_000);
        assert!(gate.made_by(1_000), "a wait for what is due passes it");
        assert!(gate.blocked_by(500) && !gate.blocked_by(499));
        assert!(gate.blocked_ahead(2, 501) && gate.blocked_ahead(0, 501));
        assert!(
            !gate.blocked_ahead(0, 500) && !gate.blocked_ahead(2, 500),
            "at its earliest instant, the blocked producer goes last"
        );
        assert!(!gate.blocked_ahead(2, 499) && !gate.blocked_ahead(1, 600));
        gate.withdraw(1);
        assert!(!gate.blocked_by(u64::MAX - 1) && !gate.blocked_ahead(2, u64::MAX - 1));
    }

    #[test]
    fn a_poll_does_not_wait_past_due_later() {
        let gate = Arc::new(DueGate::new(2));
        gate.announce(0, 500);
        gate.announce(1, 1_000);
        assert!(returns_by_itself(&gate, 400));
        // Blocked for good: load can only make it block longer, so a short look suffices.
        let blocked = !returns_within(&gate, 600, Duration::from_millis(200));
        assert!(blocked, "producer 0's put at 500 is awaited");
    }

    /// Producers' puts go in the model's order: earlier due first, and at one instant
    /// first announced first, whatever the producers' numbers; at the start, when no
    /// producer has announced, lower numbers first.
    #[test]
    fn a_put_waits_for_earlier_puts_and_for_earlier_announcements_at_its_instant() {
        let gate = DueGate::new(3);
        assert!(gate.ahead_made(0, 0) && !gate.ahead_made(1, 0) && !gate.ahead_made(2, 0));
        gate.announce(1, 500);
        gate.announce(0, 500);
        gate.announce(2, 400);
        assert!(!gate.ahead_made(1, 500), "producer 2 is due before");
        gate.announce(2, 900);
        assert!(gate.ahead_made(1, 500), "producer 1 announced 500 first");
        assert!(!gate.ahead_made(0, 500), "producer 1 goes before 0 at 500");
        gate.announce(1, 500);
        assert!(
            !gate.ahead_made(0, 500),
            "a due announced again keeps its place"
        );
        gate.announce(1, 700);
        assert!(gate.ahead_made(0, 500));
        gate.withdraw(0);
        gate.withdraw(1);
        assert!(
            gate.ahead_made(2, 900),
            "withdrawn producers hold nobody back"
        );
    }

    #[test]
    fn a_withdrawn_producer_holds_nobody_back() {
        let gate = Arc::new(DueGate::new(2));
        gate.withdraw(0);
        gate.announce(1, 2_000);
        assert!(returns_by_itself(&gate, 1_999));
        gate.withdraw(1);
        assert!(returns_by_itself(&gate, u64::MAX - 1));
    }
}
