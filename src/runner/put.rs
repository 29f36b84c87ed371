//! A producer's put of one item: at once where the queue has room, otherwise waiting for
//! room, and where the threads keep the model's order, in that order.
//!
//! Owns the put paths: the put that finds room, the put that waits for it, and the put
//! in the model's order. Does not own the producer's loop or its pacing
//! (`threads::produce`), the queue (`queue`), a rendezvous's hand-over
//! (`threads::Handoff`), nor the waiting mechanisms themselves (`DueGate`, `Turnstile`).

use std::sync::atomic::Ordering;

use super::item::{Item, UNSCHEDULED};
use super::queue::{Putter, TryPut};
use super::threads::{Handoff, Shared};
use crate::trace::{Recorder, What};

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
        gate.wait_turn(producer as usize, item.ready_ns(), &shared.stop);
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
