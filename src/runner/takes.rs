//! Which take let each item onto a bounded queue, and when that take was due.
//!
//! In the model a put that finds the queue full blocks, and returns at the instant a take
//! makes room, in the order the puts blocked. Counting makes the match exact: on a queue
//! of capacity C ≥ 1, the item that enters k-th (counting from 0) while the queue is full
//! enters at the (k − C)-th take. So consumers number their takes and write when each
//! was due on schedule, and a producer whose put blocked numbers its entry and reads when
//! take k − C was due: its clock restarts from there, not from when its thread woke. A
//! consumer taking an item whose put blocked reads the same entry (the queue keeps its
//! order, so take k takes entry k) to know when, on schedule, the item was put.
//!
//! An earlier estimate (the latest take due of any consumer) put restarts late whenever
//! another consumer's take came while the producer's thread woke: 0.3–1.1% late at
//! capacity 1 on `benches/bounded_fidelity.toml`.
//!
//! Threads number their puts and takes just after the queue's call returns. Takes are
//! made one after another in the order they were due (`ModelOrder`'s gate of takes), and
//! a blocked put is numbered while still first in line, so numbers follow the queue's
//! order; only an on-time put numbered while its thread is descheduled could swap with
//! another. Owns only the numbering and the log; who waits where is `put`'s and
//! `threads`'.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::threads::Padded;

/// Takes remembered: a reader wants a take at most a few threads' worth behind the
/// newest, so this is far more than enough; an entry overwritten before it is read
/// counts as not found.
const SLOTS: usize = 4096;

/// How long a reader waits for the take it wants to be written before it gives up: the
/// take was made before the reader was woken (or numbered its own take) and is written
/// at once after, so only a consumer's thread descheduled in between, or numbers
/// swapped, makes a reader wait at all.
const PATIENCE: Duration = Duration::from_millis(50);

/// A slot not written, or being rewritten.
const BLANK: u64 = 0;

struct Slot {
    /// The take's number plus one, once `due_ns` holds its time; `BLANK` while written.
    take: AtomicU64,
    due_ns: AtomicU64,
}

pub struct TakeLog {
    capacity: u64,
    /// How many items have entered the queue (counted only where producers read it).
    entered: Padded<AtomicU64>,
    /// How many takes have been made.
    taken: Padded<AtomicU64>,
    slots: Box<[Slot]>,
    /// `PATIENCE`, longer in a test that must not depend on the machine's load.
    patience: Duration,
}

impl TakeLog {
    pub fn new(capacity: u64) -> Self {
        Self::patient(capacity, PATIENCE)
    }

    fn patient(capacity: u64, patience: Duration) -> Self {
        TakeLog {
            patience,
            capacity,
            entered: Padded(AtomicU64::new(0)),
            taken: Padded(AtomicU64::new(0)),
            slots: (0..SLOTS)
                .map(|_| Slot {
                    take: AtomicU64::new(BLANK),
                    due_ns: AtomicU64::new(0),
                })
                .collect(),
        }
    }

    /// Numbers a put that just returned: its item entered the queue as this entry.
    pub fn entered(&self) -> u64 {
        self.entered.fetch_add(1, Ordering::SeqCst)
    }

    /// The number the next entry will get.
    pub fn next_entry(&self) -> u64 {
        self.entered.load(Ordering::SeqCst)
    }

    /// Numbers a take that just returned; the consumer then says when it was due
    /// (`took`).
    pub fn take_number(&self) -> u64 {
        self.taken.fetch_add(1, Ordering::SeqCst)
    }

    /// True when the items entered fill the queue, by the counts of entries and takes
    /// numbered so far: no take has left room that a put has not yet filled.
    pub fn full(&self) -> bool {
        let taken = self.taken.load(Ordering::SeqCst);
        self.entered.load(Ordering::SeqCst) >= taken + self.capacity
    }

    /// Take `take` was due at `due_ns` on schedule.
    pub fn took(&self, take: u64, due_ns: u64) {
        let slot = &self.slots[take as usize % SLOTS];
        // Blank first, so a reader of the take this slot held never pairs its number
        // with this time.
        slot.take.store(BLANK, Ordering::SeqCst);
        slot.due_ns.store(due_ns, Ordering::SeqCst);
        slot.take.store(take + 1, Ordering::SeqCst);
    }

    /// When, on schedule, entry `entry` entered the queue if its put blocked: when the
    /// take that made its room was due. `None` where no take let it in (one of the
    /// first `capacity` entries), or if the run was stopped or the take was not found
    /// in time.
    pub fn room_made_for(&self, entry: u64, stop: &AtomicBool) -> Option<u64> {
        let take = entry.checked_sub(self.capacity)?;
        self.due_of(take, stop)
    }

    /// When take `take` was due, once its consumer has said so.
    fn due_of(&self, take: u64, stop: &AtomicBool) -> Option<u64> {
        let slot = &self.slots[take as usize % SLOTS];
        let mut since: Option<Instant> = None;
        loop {
            let seen = slot.take.load(Ordering::SeqCst);
            if seen == take + 1 {
                let due_ns = slot.due_ns.load(Ordering::SeqCst);
                // Still the same take after the read: the time is its own.
                if slot.take.load(Ordering::SeqCst) == seen {
                    return Some(due_ns);
                }
            }
            let waited = since.get_or_insert_with(Instant::now).elapsed();
            if seen > take + 1 || stop.load(Ordering::Relaxed) || waited > self.patience {
                return None;
            }
            std::thread::yield_now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// By hand, capacity 2: entries 0 and 1 need no take; entry 2 got the room made by
    /// take 0, entry 3 by take 1.
    #[test]
    fn an_entry_past_the_capacity_gets_the_room_made_by_the_take_capacity_before_it() {
        let log = TakeLog::new(2);
        let stop = AtomicBool::new(false);
        for due_ns in [100, 250] {
            let take = log.take_number();
            log.took(take, due_ns);
        }
        let entries: Vec<u64> = (0..4).map(|_| log.entered()).collect();
        assert_eq!(entries, [0, 1, 2, 3]);
        assert_eq!(log.room_made_for(0, &stop), None);
        assert_eq!(log.room_made_for(1, &stop), None);
        assert_eq!(log.room_made_for(2, &stop), Some(100));
        assert_eq!(log.room_made_for(3, &stop), Some(250));
    }

    /// A reader waits for a take being made on another thread, and gives up on one
    /// overwritten, or on a stop, rather than wait for ever.
    #[test]
    fn a_reader_waits_for_the_take_and_never_for_ever() {
        let log = Arc::new(TakeLog::patient(1, Duration::from_secs(60)));
        let stop = AtomicBool::new(false);
        let writer = {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(5));
                log.took(log.take_number(), 42);
            })
        };
        assert_eq!(log.room_made_for(1, &stop), Some(42), "waited for take 0");
        writer.join().expect("writer");
        for take in 1..=SLOTS as u64 {
            log.took(take, take);
        }
        assert_eq!(log.room_made_for(1, &stop), None, "take 0 was overwritten");
        stop.store(true, Ordering::SeqCst);
        assert_eq!(log.room_made_for(SLOTS as u64 + 5, &stop), None, "stopped");
    }
}
