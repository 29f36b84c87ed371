//! A producer's put of one item: at once where the queue has room, otherwise waiting for
//! room, and where the threads keep the model's order, in that order.
//!
//! Owns the put paths (the put that finds room, the put that waits for it, and the put
//! in the model's order) and the producers' gate (`PutGate`: when each producer's put is
//! due and how many are blocked in one). Does not own the producer's loop or its pacing
//! (`threads::produce`), the queue (`queue`), a rendezvous's hand-over
//! (`threads::Handoff`), nor the waiting mechanisms themselves (`DueGate`, `Turnstile`).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::gate::DueGate;
use super::item::{Item, UNSCHEDULED};
use super::queue::{Putter, TryPut};
use super::threads::{Handoff, Shared};
use crate::trace::{Recorder, What};

/// The producers' side of the model's order of puts: when each producer's next put is
/// due, for polls (which wait for the puts due by then) and for puts in order (which wait
/// for the puts due before them), and how many producers are blocked in a put.
pub struct PutGate {
    /// Per producer: when its next put is due (see `DueGate`).
    pub due: DueGate,
    /// Producers inside a put that blocked on a full queue (see `refill_pending`).
    blocked: AtomicUsize,
}

impl PutGate {
    /// Every producer's first put is due at the run's start.
    pub fn new(producers: usize) -> Self {
        PutGate {
            due: DueGate::new(producers),
            blocked: AtomicUsize::new(0),
        }
    }

    /// Producer `producer` is about to block on a full queue: it has no put due of its
    /// own until a take makes room, and then its put is due at once.
    fn block(&self, producer: usize) {
        self.blocked.fetch_add(1, Ordering::SeqCst);
        self.due.withdraw(producer);
    }

    /// A producer's blocked put returned: its item is on the queue.
    fn unblock(&self) {
        self.blocked.fetch_sub(1, Ordering::SeqCst);
    }

    /// True while some producer is inside a put that blocked. A poll that finds the
    /// queue empty then is early: an empty queue has room, so that producer's put is due
    /// now (in the model it returned at the take that made room, before any later poll)
    /// and only its thread's wake-up is late. Read before the poll's look at the queue:
    /// a producer counts itself out only once its item is on the queue.
    pub fn refill_pending(&self) -> bool {
        self.blocked.load(Ordering::SeqCst) > 0
    }
}

/// When a put returned.
pub enum Returned {
    /// At once: the queue had room.
    OnTime,
    /// When the queue had room again, as the producer's own clock saw it.
    Late,
    /// Handed over by a poll due at this run time (a rendezvous with polling consumers).
    TakenAt(u64),
}

/// Puts one item; returns when, and how many nanoseconds the put was blocked; `None` if
/// the run was stopped or every consumer has gone. `handoff` is `shared.handoff`, read
/// once by the caller.
///
/// An item's queue wait starts when its put returns, so a blocked put's time is the
/// producer's (blocked time), not the item's: its sampled stamp is withdrawn while it
/// blocks and set again when it returns.
///
/// Inlined: the put that finds room is the producer's per-item path; a put that must
/// wait (`put_when_room`) is not, and stays out of line.
#[inline(always)]
pub fn put<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    item: I,
    (handoff, in_order): (Option<&Handoff>, bool),
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if in_order {
        return put_in_order(shared, producer, queue, item, trace);
    }
    if let Some(handoff) = handoff {
        // A rendezvous: the put returns when a consumer takes the item, which waits
        // for nothing; all the time is the producer's.
        let id = item.id();
        let called = shared.now_ns();
        trace.record(What::PutBlocked, id, || called);
        shared.sample.mark_blocked(id);
        let returned = handoff.offer(shared, producer, queue, item)?;
        return Some((returned, shared.now_ns().saturating_sub(called)));
    }
    match queue.try_put(item) {
        TryPut::Done => Some((Returned::OnTime, 0)),
        TryPut::Full(item) => put_when_room(shared, producer, queue, item.unscheduled(), trace),
        TryPut::Closed => None,
    }
}

/// A put of a paced producer on a bounded queue with sleep work, in the model's order:
/// after the puts due before it (see `DueGate::wait_turn`), behind the producers already
/// in line for room (see `Turnstile`), and after the takes due before it.
///
/// Out of line, as `put_when_room` is: its waits would bloat `put`, which is inlined
/// into every producer's loop, runs in order or not.
#[inline(never)]
fn put_in_order<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    item: I,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if let Some(gate) = &shared.gate {
        // A producer whose thread woke late keeps its place.
        gate.due
            .wait_turn(producer as usize, item.ready_ns(), &shared.stop);
    }
    // Others already in line for room: this put joins them rather than slip in first.
    let item = match &shared.line {
        Some(line) if line.in_line() => item,
        _ => match try_put_after_takes(shared, queue, item) {
            TryPut::Done => return Some((Returned::OnTime, 0)),
            TryPut::Full(item) => item,
            TryPut::Closed => return None,
        },
    };
    put_when_room(shared, producer, queue, item.unscheduled(), trace)
}

/// A put that found the queue full: waits for room (see `put`).
///
/// Out of line: waiting is not the per-item path, and inlined into `put` it would make
/// every producer's loop larger for every item.
#[inline(never)]
fn put_when_room<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    item: I,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    let id = item.id();
    let called = shared.now_ns();
    trace.record(What::PutBlocked, id, || called);
    let sampled = shared.sample.includes(id);
    if sampled {
        shared.sample.mark_blocked(id);
    }
    if let Some(gate) = &shared.gate {
        gate.block(producer as usize);
    }
    let put = put_in_turn(shared, queue, item);
    if let Some(gate) = &shared.gate {
        gate.unblock();
    }
    if !put {
        return None;
    }
    let returned = shared.now_ns();
    if sampled {
        shared.sample.stamp_put(id, returned);
    }
    Some((Returned::Late, returned.saturating_sub(called)))
}

/// A put without waiting; where it finds the queue full while a take due before the put
/// (its item's `ready_ns`) has not been made, it tries again until that take was made or
/// the queue has room, as in the model, where the take made room first. The wait is a
/// thread's wake-up: a consumer due before the put is overdue, and a full queue wakes a
/// consumer waiting for an item.
#[inline(always)]
fn try_put_after_takes<I: Item>(shared: &Shared, queue: &Putter<I>, item: I) -> TryPut<I> {
    let tried = queue.try_put(item);
    let Some(takes) = &shared.takes_gate else {
        return tried;
    };
    let TryPut::Full(mut item) = tried else {
        return tried;
    };
    // At equal times the model puts first (a take due then releases the blocked put at
    // once), so only takes due strictly before count; polls wait for puts due at their
    // own time, so the two gates never wait for each other.
    let Some(before) = item.ready_ns().checked_sub(1) else {
        return TryPut::Full(item);
    };
    loop {
        if item.ready_ns() == UNSCHEDULED
            || takes.made_by(before)
            || shared.stop.load(Ordering::Relaxed)
        {
            return TryPut::Full(item);
        }
        std::thread::yield_now();
        match queue.try_put(item) {
            TryPut::Full(back) => item = back,
            tried => return tried,
        }
    }
}

/// A put that waits for room, after the producers in line before it (see `Turnstile`);
/// false if the run was stopped or every consumer has gone.
fn put_in_turn<I: Item>(shared: &Shared, queue: &Putter<I>, item: I) -> bool {
    let turn = match &shared.line {
        Some(line) => match line.wait_turn(&shared.stop) {
            Some(turn) => Some(turn),
            None => return false,
        },
        None => None,
    };
    let put = queue.put(item, &shared.stop);
    drop(turn);
    put
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A blocked producer holds no poll back (it has no put due) but makes a refill
    /// pending until its put returns.
    #[test]
    fn a_blocked_producer_makes_a_refill_pending_until_its_put_returns() {
        let gate = PutGate::new(2);
        gate.due.announce(1, 1_000);
        assert!(!gate.refill_pending());
        gate.block(0);
        assert!(gate.refill_pending());
        assert!(
            gate.due.made_by(999),
            "producer 0's put due at 0 is withdrawn"
        );
        gate.block(1);
        gate.unblock();
        assert!(gate.refill_pending(), "one producer is still blocked");
        gate.unblock();
        assert!(!gate.refill_pending());
    }
}
