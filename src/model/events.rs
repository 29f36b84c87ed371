//! The model's pending events and the order they happen in.
//!
//! Owns ordering alone; what an event does is the model's. An event's place in time is
//! one number, so the heap compares one `u128` where it compared a tuple field by field
//! (with `f64::round` gone from the clock, that took a third off the model's
//! instructions per item). A tournament tree over the threads was tried and counted
//! more instructions at the usual handful of threads.

use std::collections::BinaryHeap;

/// What happens at an event. Threads are numbered in `u32`, as a scenario counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// Producer's next put is due.
    Put(u32),
    /// Producer has spent the produce time after its last put.
    ProducerDone(u32),
    /// Blocking consumer has worked its item and counts it.
    WorkDone(u32),
    /// Blocking consumer takes the next item, if any.
    Take(u32),
    /// Polling consumer's poll is due.
    Poll(u32),
}

impl Event {
    /// The order of kinds at equal times: puts first, then work ending, then takes.
    fn rank(self) -> u8 {
        match self {
            Event::Put(_) => 0,
            Event::ProducerDone(_) => 1,
            Event::WorkDone(_) => 2,
            Event::Take(_) => 3,
            Event::Poll(_) => 4,
        }
    }
}

/// A pending event, and whether it ends a timed wait (a job).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    order: u128,
    pub event: Event,
    pub job: bool,
}

impl Entry {
    /// The clock reading the event waits for.
    pub fn key(&self) -> u64 {
        (self.order >> 64) as u64
    }
}

/// Bits for the sequence number, below the rank's three.
const SEQUENCE_BITS: u32 = 61;

/// An event's place in time, as one number: the clock reading, then the kind's rank,
/// then a sequence number, so equals of one rank go first in, first out (a producer
/// whose put returned first is due first, as its thread's clock reads earlier; ordering
/// them by thread number instead made a rendezvous serve the same producers every
/// round).
fn order(key: u64, rank: u8, sequence: u64) -> u128 {
    let low = (u64::from(rank) << SEQUENCE_BITS) | (sequence & ((1 << SEQUENCE_BITS) - 1));
    (u128::from(key) << 64) | u128::from(low)
}

// `BinaryHeap` pops the greatest: the earliest order is the greatest entry.
impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.order.cmp(&self.order)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The pending events.
pub(super) struct Events {
    heap: BinaryHeap<Entry>,
}

impl Events {
    pub fn new(producers: u32, consumers: u32) -> Self {
        Events {
            heap: BinaryHeap::with_capacity(producers as usize + consumers as usize),
        }
    }

    /// Adds `event`, due at clock reading `key`, `sequence`-th of its kind then.
    pub fn schedule(&mut self, key: u64, sequence: u64, event: Event, job: bool) {
        let order = order(key, event.rank(), sequence);
        self.heap.push(Entry { order, event, job });
    }

    /// Removes and returns the earliest event, if any is pending.
    pub fn pop(&mut self) -> Option<Entry> {
        self.heap.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pops every event, returning (key, event) in the order they come.
    fn drain(events: &mut Events) -> Vec<(u64, Event)> {
        std::iter::from_fn(|| events.pop().map(|e| (e.key(), e.event))).collect()
    }

    #[test]
    fn earliest_first_then_rank_then_first_in() {
        let mut events = Events::new(3, 2);
        events.schedule(10, 1, Event::Poll(1), true);
        events.schedule(10, 2, Event::Put(2), false);
        events.schedule(5, 3, Event::WorkDone(0), true);
        events.schedule(10, 4, Event::Put(0), false);
        events.schedule(10, 5, Event::ProducerDone(1), true);
        assert_eq!(
            drain(&mut events),
            vec![
                (5, Event::WorkDone(0)),
                (10, Event::Put(2)),
                (10, Event::Put(0)),
                (10, Event::ProducerDone(1)),
                (10, Event::Poll(1)),
            ]
        );
        assert_eq!(events.pop(), None);
    }

    /// The tree pops what a sorted list would, whatever the number of threads, as
    /// threads' events are popped and scheduled again (with ties of key).
    #[test]
    fn pops_what_sorting_would_at_any_width() {
        for threads in 1..=19u32 {
            let mut events = Events::new(threads, 0);
            // (key, sequence, producer), popped smallest first.
            let mut reference = Vec::new();
            let mut sequence = 0;
            let mut scramble = 17u64;
            let mut next_key = |now: u64| {
                scramble = scramble.wrapping_mul(6364136223846793005).wrapping_add(1);
                now + (scramble >> 60)
            };
            for p in 0..threads {
                sequence += 1;
                let key = next_key(0);
                events.schedule(key, sequence, Event::Put(p), false);
                reference.push((key, sequence, p));
            }
            for _ in 0..200 {
                reference.sort();
                let (key, _, p) = reference.remove(0);
                let entry = events.pop().expect("an event is pending");
                assert_eq!(
                    (entry.key(), entry.event),
                    (key, Event::Put(p)),
                    "{threads}"
                );
                sequence += 1;
                let later = next_key(key);
                events.schedule(later, sequence, Event::Put(p), false);
                reference.push((later, sequence, p));
            }
        }
    }
}
