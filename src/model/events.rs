//! The model's pending events and the order they happen in.
//!
//! Owns ordering alone; what an event does is the model's. A pending event is one
//! number, its place in time above its thread, so the heap compares and moves one
//! `u128` where it compared a tuple field by field (with `f64::round` gone from the
//! clock, that took a third off the model's instructions per item). A tournament tree
//! over the threads was tried and counted more instructions at the usual handful of
//! threads.
//!
//! Two shortcuts keep the heap's work down, neither changing what pops when (every
//! entry's place is distinct, so any correct queue pops the same sequence): the entry
//! just popped stays at the top until the next event is scheduled, which then takes its
//! place with one sift down where a pop and a push took two; and events due at once go
//! on a first-in, first-out list beside the heap while they arrive in order, as a
//! consumer woken by a put does, so they never enter the heap.

use std::collections::VecDeque;

use crate::scenario::key::MAX_THREADS_PER_ROLE;

/// What happens at an event. Threads are numbered in `u32`, as a scenario counts them.
/// At equal times the kinds go in the order listed: puts first, then work ending, then
/// takes.
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

/// A popped event, and whether it ends a timed wait (a job).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Entry {
    key: u64,
    pub event: Event,
    pub job: bool,
}

impl Entry {
    /// The clock reading the event waits for.
    pub fn key(&self) -> u64 {
        self.key
    }
}

/// Bits for the thread's number, the lowest; a scenario's threads of one role fit.
const THREAD_BITS: u32 = 14;
const _: () = assert!(MAX_THREADS_PER_ROLE < 1 << THREAD_BITS);
/// The bit above the thread's number saying whether the event ends a job.
const JOB_BIT: u32 = THREAD_BITS;
/// Bits for the sequence number, between the job bit and the rank's three. It wraps
/// only after 2^46 events, days of replay beyond the model's item limit.
const SEQUENCE_BITS: u32 = 64 - 3 - 1 - THREAD_BITS;
const SEQUENCE_SHIFT: u32 = JOB_BIT + 1;

/// A pending event as one number, so the heap compares and moves one `u128`: its place
/// in time in the high bits (the clock reading, then the kind's rank, then a sequence
/// number, so equals of one rank go first in, first out: a producer whose put returned
/// first is due first, as its thread's clock reads earlier; ordering them by thread
/// number instead made a rendezvous serve the same producers every round), and below,
/// the job bit and the thread's number. Sequence numbers differ, so the bits below them
/// never decide an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Place(u128);

impl Place {
    fn new(key: u64, sequence: u64, event: Event, job: bool) -> Self {
        let (rank, thread) = match event {
            Event::Put(t) => (0, t),
            Event::ProducerDone(t) => (1, t),
            Event::WorkDone(t) => (2, t),
            Event::Take(t) => (3, t),
            Event::Poll(t) => (4, t),
        };
        let low = (rank << (64 - 3))
            | ((sequence & ((1 << SEQUENCE_BITS) - 1)) << SEQUENCE_SHIFT)
            | (u64::from(job) << JOB_BIT)
            | u64::from(thread & ((1 << THREAD_BITS) - 1));
        Place((u128::from(key) << 64) | u128::from(low))
    }

    fn entry(self) -> Entry {
        let low = self.0 as u64;
        let thread = (low & ((1 << THREAD_BITS) - 1)) as u32;
        let event = match low >> (64 - 3) {
            0 => Event::Put(thread),
            1 => Event::ProducerDone(thread),
            2 => Event::WorkDone(thread),
            3 => Event::Take(thread),
            _ => Event::Poll(thread),
        };
        Entry {
            key: (self.0 >> 64) as u64,
            event,
            job: low & (1 << JOB_BIT) != 0,
        }
    }
}

/// The pending events.
pub(super) struct Events {
    /// A binary heap, earliest place at the root: each place is before its children's
    /// (at `2i + 1` and `2i + 2`). By hand rather than `BinaryHeap`, whose general
    /// moves and reversed comparisons cost more instructions here.
    heap: Vec<Place>,
    /// The heap's root is the event `pop` last returned, no longer pending: the next
    /// `schedule` overwrites it, or the next `pop` removes it.
    top_popped: bool,
    /// Events due at once, in order: each one's place comes after the one before.
    at_once: VecDeque<Place>,
}

impl Events {
    pub fn new(producers: u32, consumers: u32) -> Self {
        let threads = producers as usize + consumers as usize;
        Events {
            heap: Vec::with_capacity(threads),
            top_popped: false,
            at_once: VecDeque::with_capacity(threads),
        }
    }

    /// Adds `event`, due at clock reading `key`, `sequence`-th of its kind then.
    #[inline]
    pub fn schedule(&mut self, key: u64, sequence: u64, event: Event, job: bool) {
        let place = Place::new(key, sequence, event, job);
        if std::mem::take(&mut self.top_popped) {
            self.sift_down(place);
        } else {
            self.push(place);
        }
    }

    /// Adds `event`, due now (at clock reading `key`): on the list of events due at
    /// once when it comes after the last one there, on the heap otherwise.
    pub fn schedule_at_once(&mut self, key: u64, sequence: u64, event: Event) {
        let place = Place::new(key, sequence, event, false);
        if self.at_once.back().is_none_or(|last| *last < place) {
            self.at_once.push_back(place);
        } else {
            self.schedule(key, sequence, event, false);
        }
    }

    /// Removes and returns the earliest event, if any is pending.
    #[inline]
    pub fn pop(&mut self) -> Option<Entry> {
        if std::mem::take(&mut self.top_popped)
            && let Some(last) = self.heap.pop()
            && !self.heap.is_empty()
        {
            self.sift_down(last);
        }
        let place = match (self.heap.first(), self.at_once.front()) {
            (Some(top), Some(first)) if first < top => self.at_once.pop_front(),
            (Some(top), _) => {
                self.top_popped = true;
                Some(*top)
            }
            (None, _) => self.at_once.pop_front(),
        };
        place.map(Place::entry)
    }

    /// Adds `place` at the bottom and moves it up to its place.
    fn push(&mut self, place: Place) {
        let mut hole = self.heap.len();
        self.heap.push(place);
        while hole > 0 {
            let parent = (hole - 1) / 2;
            if self.heap[parent] < place {
                break;
            }
            self.heap[hole] = self.heap[parent];
            hole = parent;
        }
        self.heap[hole] = place;
    }

    /// Puts `place` at the root, in place of the one there, and moves it down to its
    /// place. The heap is not empty.
    fn sift_down(&mut self, place: Place) {
        let heap = &mut self.heap[..];
        let mut hole = 0;
        let mut child = 1;
        // While both children exist: the earlier moves up if it is before `place`.
        while child + 1 < heap.len() {
            let (left, right) = (heap[child], heap[child + 1]);
            child += usize::from(right < left);
            let earlier = left.min(right);
            if place < earlier {
                break;
            }
            heap[hole] = earlier;
            hole = child;
            child = 2 * hole + 1;
        }
        // A last, lone left child.
        if child + 1 == heap.len() && heap[child] < place {
            heap[hole] = heap[child];
            hole = child;
        }
        if let Some(slot) = heap.get_mut(hole) {
            *slot = place;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind's rank at equal times, as the order of `Event`'s variants says.
    fn rank(event: Event) -> u8 {
        match event {
            Event::Put(_) => 0,
            Event::ProducerDone(_) => 1,
            Event::WorkDone(_) => 2,
            Event::Take(_) => 3,
            Event::Poll(_) => 4,
        }
    }

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

    /// An event comes back from its packed form as it went in, at the ends of every
    /// field's range.
    #[test]
    fn an_event_unpacks_as_packed() {
        let threads = [0, 1, MAX_THREADS_PER_ROLE as u32 - 1];
        let kinds = [
            Event::Put,
            Event::ProducerDone,
            Event::WorkDone,
            Event::Take,
            Event::Poll,
        ];
        for key in [0, 1, u64::MAX] {
            for sequence in [0, 1, u64::MAX] {
                for (kind, thread, job) in kinds.iter().flat_map(|k| {
                    threads
                        .map(|t| (k, t, true))
                        .into_iter()
                        .chain(threads.map(|t| (k, t, false)))
                }) {
                    let event = kind(thread);
                    let entry = Place::new(key, sequence, event, job).entry();
                    assert_eq!(entry, Entry { key, event, job });
                }
            }
        }
    }

    /// The queue pops what a sorted list would, whatever the number of threads, as
    /// events are popped and scheduled again, later or at once, one, two or none at a
    /// time (with ties of key), and once every event has gone.
    #[test]
    fn pops_what_sorting_would_at_any_width() {
        for threads in 1..=19u32 {
            let mut events = Events::new(threads, 0);
            // (key, rank, sequence, thread), popped smallest first.
            let mut reference = Vec::new();
            let mut sequence = 0;
            let mut scramble = 17u64 + u64::from(threads);
            let mut next = move || {
                scramble = scramble.wrapping_mul(6364136223846793005).wrapping_add(1);
                scramble >> 58
            };
            let mut add = |events: &mut Events, reference: &mut Vec<_>, key, at_once, p| {
                sequence += 1;
                let event = if at_once {
                    Event::Take(p)
                } else {
                    Event::Put(p)
                };
                if at_once {
                    events.schedule_at_once(key, sequence, event);
                } else {
                    events.schedule(key, sequence, event, true);
                }
                reference.push((key, rank(event), sequence, event));
            };
            for p in 0..threads {
                add(&mut events, &mut reference, next() % 4, false, p);
            }
            for _ in 0..400 {
                reference.sort_by_key(|&(key, rank, sequence, _)| (key, rank, sequence));
                let expected = (!reference.is_empty()).then(|| reference.remove(0));
                let entry = events.pop();
                assert_eq!(
                    entry.map(|e| (e.key(), e.event)),
                    expected.map(|(key, _, _, event)| (key, event)),
                    "{threads}"
                );
                let (key, p) = match entry.map(|e| (e.key(), e.event)) {
                    Some((key, Event::Put(p) | Event::Take(p))) => (key, p),
                    _ => (0, 0),
                };
                // Mostly one event later; sometimes one due at once besides, or none.
                let roll = next();
                if roll % 7 != 0 || reference.is_empty() {
                    add(&mut events, &mut reference, key + roll % 5, false, p);
                }
                if roll % 3 == 0 {
                    add(&mut events, &mut reference, key, true, p);
                }
            }
            reference.sort_by_key(|&(key, rank, sequence, _)| (key, rank, sequence));
            for (key, _, _, event) in reference {
                let entry = events.pop().expect("an event is pending");
                assert_eq!((entry.key(), entry.event), (key, event), "{threads}");
            }
            assert_eq!(events.pop(), None);
        }
    }
}
