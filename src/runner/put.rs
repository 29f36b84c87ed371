//! A producer's put of one item: at once where the queue has room, otherwise waiting for
//! room, and where the threads keep the model's order, in that order.
//!
//! Owns the put paths, the producers' gate (`PutGate`: when each producer's put is due
//! and how many are blocked in one) and the model's order on a queue with a capacity
//! (`ModelOrder`), which consumers feed with when their takes are due. Does not own the
//! producer's loop or its pacing (`threads::produce`), the queue (`queue`), a
//! rendezvous's hand-over (`threads::Handoff`), nor the waiting mechanisms themselves
//! (`DueGate`, `Turnstile`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::gate::DueGate;
use super::item::{Item, UNSCHEDULED};
use super::queue::{Putter, TryPut};
use super::takes::TakeLog;
use super::threads::{Handoff, Shared};
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

/// The model's order on a queue with a capacity, where producers pace their puts and
/// consumers sleep a consume time: blocked puts return in the order they blocked and on
/// the schedule of the take that made room (see `TakeLog`), and a put finding the queue
/// full first waits for the takes due before it. Elsewhere there is no order to keep:
/// instant producers have no schedule of puts, and without a consume time or with spin
/// work nothing is due on the wall clock.
pub struct ModelOrder {
    /// Blocked puts return in the order they blocked, as in the model.
    line: Turnstile,
    /// Each consumer's next take due, so that a put finding the queue full first waits
    /// for the takes due before it (see `DueGate`).
    takes: DueGate,
    /// Which take let each item in, and when it was due.
    log: TakeLog,
}

impl ModelOrder {
    /// The model's order for a run of `scenario` on a queue of `capacity` (`None`:
    /// unbounded), or `None` where there is none to keep. Not on a rendezvous: with
    /// paced producers that is the hand-over (`Handoff`), whose puts return on the
    /// schedule of their takes by themselves.
    pub fn of(scenario: &Scenario, capacity: Option<usize>) -> Option<Self> {
        let capacity = capacity.filter(|&c| c > 0)?;
        let kept = scenario.work == WorkKind::Sleep
            && !scenario.consume_is_instant()
            && !scenario.produce_is_instant();
        kept.then(|| ModelOrder {
            line: Turnstile::default(),
            takes: DueGate::new(scenario.consumers as usize),
            log: TakeLog::new(capacity as u64),
        })
    }

    /// Where consumers say when their next take is due: puts in order wait for it.
    pub fn takes(&self) -> &DueGate {
        &self.takes
    }

    /// A poll due at `due_ns` took an item.
    pub fn polled(&self, due_ns: u64) {
        self.log.took(self.log.take_number(), due_ns);
    }

    /// A blocking consumer free from `free_ns` took an item whose put was due at
    /// `ready_ns` (`UNSCHEDULED` if it blocked): numbers the take and logs when, on
    /// schedule, it was made, once the item was put and the consumer free. An item whose
    /// put blocked was put at the take that made its room: take k took the k-th item to
    /// enter, the queue keeping its order. If that take is not found, `now` stands in.
    /// Returns the take's number and time.
    pub fn blocking_take(
        &self,
        ready_ns: u64,
        free_ns: u64,
        stop: &AtomicBool,
        now: impl FnOnce() -> u64,
    ) -> (u64, u64) {
        let take = self.log.take_number();
        let put_ns = match ready_ns {
            UNSCHEDULED => self.log.room_made_for(take, stop).unwrap_or_else(now),
            ready => ready,
        };
        let taken_ns = put_ns.max(free_ns);
        self.log.took(take, taken_ns);
        (take, taken_ns)
    }
}

/// When a put returned.
pub enum Returned {
    /// At once: the queue had room.
    OnTime,
    /// When the queue had room again, as the producer's own clock saw it.
    Late,
    /// At this run time on schedule: when the take that made room for it was due (see
    /// `TakeLog`), or the poll that took it from hand (a rendezvous with polling consumers).
    Scheduled(u64),
}

/// Puts one item; returns when, and how many nanoseconds the put was blocked; `None` if
/// the run was stopped or every consumer has gone. `handoff` is `shared.handoff` and
/// `in_order` its `model_order`, both read once by the caller.
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
    (handoff, in_order): (Option<&Handoff>, Option<&ModelOrder>),
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
/// in line for room (see `Turnstile`), and after the takes due before it. A put that
/// blocked returns on the schedule of the take that made its room (see `TakeLog`).
///
/// Out of line, as `put_when_room` is: its waits would bloat `put`, which is inlined
/// into every producer's loop, runs in order or not.
#[inline(never)]
fn put_in_order<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    item: I,
    order: &ModelOrder,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if let Some(gate) = &shared.gate {
        // A producer whose thread woke late keeps its place.
        gate.due
            .wait_turn(producer as usize, item.ready_ns(), &shared.stop);
    }
    // Others already in line for room: this put joins them rather than slip in first.
    let item = if order.line.in_line() {
        item
    } else {
        match try_put_after_takes(shared, queue, item, &order.takes) {
            TryPut::Done => {
                order.log.entered();
                return Some((Returned::OnTime, 0));
            }
            TryPut::Full(item) => item,
            TryPut::Closed => return None,
        }
    };
    let line = Some(&order.line);
    let (_, blocked_ns) = put_when_room(shared, producer, queue, item.unscheduled(), line, trace)?;
    let entry = order.log.entered();
    let returned = match order.log.room_made_for(entry, &shared.stop) {
        Some(room_ns) => Returned::Scheduled(room_ns),
        None => Returned::Late,
    };
    Some((returned, blocked_ns))
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

    /// A scenario on a queue of capacity 1 with `keys` in its `[scenario]`.
    fn scenario(keys: &str) -> Scenario {
        let text = format!("[scenario]\nqueue = \"bounded\"\ncapacity = 1\n{keys}\n");
        let experiment = parse(Path::new("t.toml"), &text).expect("valid");
        experiment.scenarios[0].clone()
    }

    /// The model's order is kept only where both sides are paced on the wall clock and
    /// the queue has a capacity.
    #[test]
    fn the_models_order_is_kept_only_where_producers_pace_and_consumers_sleep() {
        let paced = "produce_time = \"1ms\"\nconsume_time = \"1ms\"\nwork = \"sleep\"";
        let kept = |keys: &str, capacity| ModelOrder::of(&scenario(keys), capacity).is_some();
        assert!(kept(paced, Some(1)));
        assert!(
            !kept(paced, Some(0)),
            "a rendezvous keeps its schedule in the hand-over"
        );
        assert!(!kept(paced, None), "no capacity: nothing blocks");
        assert!(!kept(
            "produce_time = \"0ms\"\nconsume_time = \"1ms\"",
            Some(1)
        ));
        assert!(!kept(
            "produce_time = \"1ms\"\nconsume_time = \"0ms\"",
            Some(1)
        ));
        assert!(!kept(&paced.replace("sleep", "spin"), Some(1)));
    }

    /// By hand, capacity 1: take 0 was due at 100; the item that entered second (its put
    /// blocked) was put then, so take 1 of it is at 100 by a consumer free earlier, and
    /// at its own free time by one free later; either way take 1 is logged for the put
    /// it let in (entry 2).
    #[test]
    fn a_blocked_item_is_taken_once_the_take_that_let_it_in_was_due_and_the_consumer_free() {
        let paced = "produce_time = \"1ms\"\nconsume_time = \"1ms\"";
        let stop = AtomicBool::new(false);
        let never = || panic!("take 0 is in the log");
        for (free_ns, taken_ns) in [(50, 100), (300, 300)] {
            let order = ModelOrder::of(&scenario(paced), Some(1)).expect("kept");
            order.polled(100);
            let take = order.blocking_take(UNSCHEDULED, free_ns, &stop, never);
            assert_eq!(take, (1, taken_ns));
            assert_eq!(order.log.room_made_for(2, &stop), Some(taken_ns));
        }
        let order = ModelOrder::of(&scenario(paced), Some(1)).expect("kept");
        assert_eq!(
            order.blocking_take(40, 10, &stop, never),
            (0, 40),
            "put on time"
        );
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
