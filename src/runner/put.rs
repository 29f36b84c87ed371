//! A producer's put of one item: at once where the queue has room, otherwise waiting for
//! room, and where the threads keep the model's order, in that order.
//!
//! Owns the put paths, the producers' gate (`PutGate`: when each producer's put is due
//! and how many are blocked in one) and the model's order on a queue with a capacity
//! (`ModelOrder`), which consumers feed with when their takes are due. Does not own the
//! producer's loop or its pacing (`threads::produce`), the queue (`queue`), a
//! rendezvous's hand-over (`threads::Handoff`), nor the waiting mechanisms themselves
//! (`DueGate`, `Turnstile`).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::gate::DueGate;
use super::item::{Item, UNSCHEDULED};
use super::pace::Clock;
use super::queue::{Putter, TryPut};
use super::threads::{Handoff, Padded, Shared};
use super::turnstile::Turnstile;
use crate::scenario::{Scenario, WorkKind};
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

/// The model's order on a queue with a capacity whose consumers sleep a consume time: a
/// blocked put returns on the schedule of the take that made room, and paced producers
/// keep the order of their puts (see `PacedPuts`). One piece, so no half of it can be
/// set: what paced producers alone need is one optional part inside.
pub struct ModelOrder {
    /// The latest run time at which, on schedule, a consumer was due to take. A consumer
    /// raises it before each take, so a producer whose put blocked restarts its clock
    /// from the take that made room, as the model does, not from when its thread woke.
    /// With several consumers it is an estimate: another consumer's take, made while the
    /// producer's thread woke, puts the restart late. The earliest of each consumer's
    /// latest takes due at or after the put was tried instead and measured early (-0.4%
    /// to -1.7% on `benches/bounded_fidelity.toml`, against +0.1% to +1.1% for this):
    /// a producer second in line gets room from the second take, not the first. Exact
    /// needs each blocked put matched to its take by place in line.
    take_due: Padded<AtomicU64>,
    /// Only where producers are paced: instant producers have no schedule of puts to
    /// keep, so they neither wait in line nor wait for the takes due before a put.
    paced_puts: Option<PacedPuts>,
}

/// What paced producers need to put in the model's order.
pub struct PacedPuts {
    /// Blocked puts return in the order they blocked, as in the model.
    line: Turnstile,
    /// Each consumer's next take due, so that a put finding the queue full first waits
    /// for the takes due before it (see `DueGate`).
    takes: DueGate,
}

impl ModelOrder {
    /// The model's order for a run of `scenario` whose queue has a capacity (`bounded`,
    /// a rendezvous through the crate's own zero-capacity channel included), with sleep
    /// work and a consume time; `None` elsewhere, where there is no order to keep.
    pub fn of(scenario: &Scenario, bounded: bool) -> Option<Self> {
        let kept = bounded && scenario.work == WorkKind::Sleep && !scenario.consume_is_instant();
        kept.then(|| ModelOrder {
            take_due: Padded(AtomicU64::new(0)),
            paced_puts: (!scenario.produce_is_instant()).then(|| PacedPuts {
                line: Turnstile::default(),
                takes: DueGate::new(scenario.consumers as usize),
            }),
        })
    }

    /// What paced producers' puts in order need; `None` for instant producers.
    pub fn paced_puts(&self) -> Option<&PacedPuts> {
        self.paced_puts.as_ref()
    }

    /// Where consumers say when their next take is due: only puts in order wait for it.
    pub fn takes(&self) -> Option<&DueGate> {
        self.paced_puts.as_ref().map(|puts| &puts.takes)
    }

    /// Says that a consumer is about to take, due at `due_ns` on schedule.
    pub fn due_to_take(&self, due_ns: u64) {
        self.take_due.fetch_max(due_ns, Ordering::SeqCst);
    }
}

/// When, on schedule, a put that blocked returned: at the latest take due before it
/// returned (exact with one consumer; with several, the latest of their due takes),
/// never before the put itself was due. Without the model's order, when the thread woke.
pub fn unblocked_at(order: Option<&ModelOrder>, clock: &Clock, put_due_ns: u64) -> u64 {
    match order {
        Some(order) => order.take_due.load(Ordering::SeqCst).max(put_due_ns),
        None => clock.now_ns(),
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
/// the run was stopped or every consumer has gone. `handoff` is `shared.handoff` and
/// `in_order` the model order's `paced_puts`, both read once by the caller.
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
    (handoff, in_order): (Option<&Handoff>, Option<&PacedPuts>),
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if let Some(puts) = in_order {
        return put_in_order(shared, producer, queue, item, puts, trace);
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
        TryPut::Full(item) => {
            put_when_room(shared, producer, queue, item.unscheduled(), None, trace)
        }
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
    puts: &PacedPuts,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if let Some(gate) = &shared.gate {
        // A producer whose thread woke late keeps its place.
        gate.due
            .wait_turn(producer as usize, item.ready_ns(), &shared.stop);
    }
    // Others already in line for room: this put joins them rather than slip in first.
    let item = if puts.line.in_line() {
        item
    } else {
        match try_put_after_takes(shared, queue, item, &puts.takes) {
            TryPut::Done => return Some((Returned::OnTime, 0)),
            TryPut::Full(item) => item,
            TryPut::Closed => return None,
        }
    };
    put_when_room(
        shared,
        producer,
        queue,
        item.unscheduled(),
        Some(&puts.line),
        trace,
    )
}

/// A put that found the queue full: waits for room (see `put`), behind the producers in
/// `line` before it where there is one.
///
/// Out of line: waiting is not the per-item path, and inlined into `put` it would make
/// every producer's loop larger for every item.
#[inline(never)]
fn put_when_room<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    item: I,
    line: Option<&Turnstile>,
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
    let put = put_in_turn(shared, queue, item, line);
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
fn try_put_after_takes<I: Item>(
    shared: &Shared,
    queue: &Putter<I>,
    item: I,
    takes: &DueGate,
) -> TryPut<I> {
    let tried = queue.try_put(item);
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

/// A put that waits for room, after the producers in `line` before it (see
/// `Turnstile`); false if the run was stopped or every consumer has gone.
fn put_in_turn<I: Item>(
    shared: &Shared,
    queue: &Putter<I>,
    item: I,
    line: Option<&Turnstile>,
) -> bool {
    let turn = match line {
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
    use crate::experiment::parse;
    use std::path::Path;
    use std::time::Instant;

    /// A scenario on a queue of capacity 1 with `keys` in its `[scenario]`.
    fn scenario(keys: &str) -> Scenario {
        let text = format!("[scenario]\nqueue = \"bounded\"\ncapacity = 1\n{keys}\n");
        let experiment = parse(Path::new("t.toml"), &text).expect("valid");
        experiment.scenarios[0].clone()
    }

    /// Which parts of the model's order a run keeps: all of it, or none; the line and
    /// the takes' gate only for paced producers.
    #[test]
    fn the_models_order_is_kept_whole_and_only_where_consumers_sleep_a_consume_time() {
        let paced = "produce_time = \"1ms\"\nconsume_time = \"1ms\"\nwork = \"sleep\"";
        let kept = |keys: &str, bounded| ModelOrder::of(&scenario(keys), bounded);
        let order = kept(paced, true).expect("a bounded queue of sleeping consumers");
        assert!(order.paced_puts().is_some() && order.takes().is_some());
        let instant_producers = "produce_time = \"0ms\"\nconsume_time = \"1ms\"";
        let order = kept(instant_producers, true).expect("consumers still sleep");
        assert!(order.paced_puts().is_none() && order.takes().is_none());
        assert!(kept(paced, false).is_none(), "no capacity: nothing blocks");
        assert!(kept("produce_time = \"1ms\"\nconsume_time = \"0ms\"", true).is_none());
        assert!(kept(&paced.replace("sleep", "spin"), true).is_none());
    }

    /// A blocked put returns on schedule at the latest take due, never before it was due.
    #[test]
    fn a_blocked_put_returns_at_the_latest_take_due_or_its_own_due() {
        let order = ModelOrder::of(&scenario("consume_time = \"1ms\""), true).expect("kept");
        let clock = Clock::Wall(Instant::now());
        order.due_to_take(500);
        order.due_to_take(300);
        assert_eq!(unblocked_at(Some(&order), &clock, 400), 500);
        assert_eq!(unblocked_at(Some(&order), &clock, 800), 800);
    }

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
