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
use crate::scenario::{ConsumerStyle, Scenario, WorkKind};
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
    /// own until a take makes room, and then its put is due at once; its next put is due
    /// at `next_at_least_ns` or later (see `DueGate::block`).
    fn block(&self, producer: usize, next_at_least_ns: u64) {
        self.blocked.fetch_add(1, Ordering::SeqCst);
        self.due.block(producer, next_at_least_ns);
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
/// consumers sleep a consume time: every put and take waits for those due before it
/// (puts first at equal times), blocked puts return in the order they blocked and on the
/// schedule of the take that made room (see `TakeLog`), so the threads make each decision
/// the model makes whenever their threads wake. Elsewhere there is no order to keep:
/// instant producers have no schedule of puts, and without a consume time or with spin
/// work nothing is due on the wall clock.
pub struct ModelOrder {
    /// When each producer's next put is due: puts wait for those due before them, and
    /// takes for those due by their time. The order's own, so nothing that keeps the
    /// order has to ask whether there is one.
    gate: PutGate,
    /// Blocked puts return in the order they blocked, as in the model.
    line: Turnstile,
    /// Each consumer's next take due: takes go in that order, and a put waits for the
    /// takes due before it (see `DueGate`).
    takes: DueGate,
    /// Which take let each item in, and when it was due.
    log: TakeLog,
    /// Consumers poll: a put waits for every poll due before it, not only where it finds
    /// the queue full, since a poll whose thread woke late would otherwise find an item
    /// put after it on schedule, where the model's poll found the queue empty.
    polls: bool,
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
            gate: PutGate::new(scenario.producers as usize),
            line: Turnstile::default(),
            takes: DueGate::new(scenario.consumers as usize),
            log: TakeLog::new(capacity as u64),
            polls: scenario.consumer == ConsumerStyle::Poll,
        })
    }

    /// Where consumers say when their next take is due: puts in order wait for it.
    pub fn takes(&self) -> &DueGate {
        &self.takes
    }

    /// Numbers the entry of a put that blocked, returned while still first in line (so
    /// that blocked puts are numbered in the order their items entered), and returns
    /// when, on schedule, the take that made its room was due. The producer's next due
    /// is announced before the entry counts: a later put waiting on this blocked producer
    /// (see `wait_turn`) passes once the queue is full by the counts, and must by then
    /// see when this producer puts next.
    fn enter_blocked(&self, producer: u32, due: Due, stop: &AtomicBool) -> Returned {
        let room_ns = self.log.room_made_for(self.log.next_entry(), stop);
        if let Some(room_ns) = room_ns {
            let next_ns = room_ns.max(due.put_ns) + due.produce_ns;
            self.gate.due.announce(producer as usize, next_ns);
        }
        self.log.entered();
        room_ns.map_or(Returned::Late, Returned::Scheduled)
    }

    /// Before consumer `consumer`'s take due at `due_ns`: waits for the takes due before
    /// it (polls by their due, blocking consumers in the order they fell free, as the
    /// model's idle consumers take in the order they went idle; a consumer whose thread
    /// woke late would otherwise find the item an earlier take has in the model), then
    /// for the puts due by then, which those takes may have let in (see
    /// `wait_for_puts`).
    pub fn wait_to_take(&self, consumer: usize, due_ns: u64, stop: &AtomicBool) {
        self.takes.wait_turn(consumer, due_ns, stop);
        self.wait_for_puts(due_ns, stop);
    }

    /// Before a take due at `due_ns`: waits until every put due by then has been made
    /// (puts come first at equal times), including the next put of a producer blocked in
    /// a put whose room has been made (the queue is not full by the counts) but whose
    /// thread has not yet said when it puts next. Taken first, the take would leave room
    /// for that put, where in the model the queue was full again when it fell due. Where
    /// the queue is full, a blocked producer waits for a take, perhaps this one, so the
    /// take does not wait for it.
    fn wait_for_puts(&self, due_ns: u64, stop: &AtomicBool) {
        let returning = || self.gate.due.blocked_by(due_ns) && !self.log.full();
        while !stop.load(Ordering::Relaxed) {
            self.gate.due.wait_past(due_ns, stop);
            if !returning() {
                return;
            }
            // Ended by a producer's thread waking: brief, and rare. Then its next put
            // may be due by `due_ns`: wait for the puts again.
            while returning() && !stop.load(Ordering::Relaxed) {
                std::thread::yield_now();
            }
        }
    }

    /// The producers' gate this order keeps (see `Shared::gate`).
    pub fn gate(&self) -> &PutGate {
        &self.gate
    }

    /// True while a producer other than `producer`, blocked in a put, may return in time
    /// to put before `due_ns`: until the takes due before `due_ns` have been made and
    /// none of them left room for a blocked put to fill (see `wait_for_earlier_puts`).
    fn blocked_put_may_come_first(&self, producer: usize, due_ns: u64) -> bool {
        self.gate.due.blocked_ahead(producer, due_ns) && !self.full_after_takes_before(due_ns)
    }

    /// True once the takes due before `due_ns` have all been made and the queue is still
    /// full by the counts: none of them left room for a producer in line to fill.
    fn full_after_takes_before(&self, due_ns: u64) -> bool {
        self.takes_made_before(due_ns) && self.log.full()
    }

    /// True once every take due before `due_ns` has been made. (Strictly before: at
    /// equal times the model puts first, and polls wait for puts due at their own time,
    /// so the two never wait for each other.)
    fn takes_made_before(&self, due_ns: u64) -> bool {
        due_ns
            .checked_sub(1)
            .is_none_or(|before| self.takes.made_by(before))
    }

    /// Waits until `takes_made_before(due_ns)`, or a stop.
    fn wait_for_takes_before(&self, due_ns: u64, stop: &AtomicBool) {
        if let Some(before) = due_ns.checked_sub(1) {
            self.takes.wait_past(before, stop);
        }
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
        let room_ns = self.log.room_made_for(take, stop);
        let put_ns = match (ready_ns, room_ns) {
            (UNSCHEDULED, room) => room.unwrap_or_else(now),
            (ready, Some(room)) => ready.max(room),
            (ready, None) => ready,
        };
        let taken_ns = put_ns.max(free_ns);
        self.log.took(take, taken_ns);
        (take, taken_ns)
    }
}

/// When a put is due on its producer's schedule, and the produce time after it: the
/// producer's next put is due that long after the put returns, so at the earliest that
/// long after its due.
#[derive(Clone, Copy, Debug)]
pub struct Due {
    pub put_ns: u64,
    /// The produce time after the put.
    pub produce_ns: u64,
}

impl Due {
    fn next_at_least_ns(self) -> u64 {
        self.put_ns + self.produce_ns
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

/// Puts one item, due at `due_ns` on its producer's schedule; returns when, and how many
/// nanoseconds the put was blocked; `None` if the run was stopped or every consumer has
/// gone. `handoff` is `shared.handoff` and `in_order` its `model_order`, both read once by
/// the caller.
///
/// An item's queue wait starts at its put's call where the queue had room (the caller
/// stamps it before the item can be taken); a blocked put's time is the producer's
/// (blocked time), not the item's: its sampled stamp is withdrawn while it blocks and set
/// again when it returns.
///
/// Inlined: the put that finds room is the producer's per-item path; a put that must
/// wait (`put_when_room`) is not, and stays out of line.
#[inline(always)]
pub fn put<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    (item, due): (I, Due),
    (handoff, in_order): (Option<&Handoff>, Option<&ModelOrder>),
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    if let Some(puts) = in_order {
        return put_in_order(shared, producer, queue, (item, due), puts, trace);
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
        TryPut::Full(item) => put_when_room(
            shared,
            producer,
            queue,
            (item.unscheduled(), due),
            None,
            trace,
        ),
        TryPut::Closed => None,
    }
}

/// A put of a paced producer on a bounded queue with sleep work, in the model's order:
/// after the puts due before it (see `DueGate::wait_turn`), behind the producers already
/// in line for room (see `Turnstile`), and after the takes due before it. A put that
/// blocked returns on the schedule of the take that made its room (see `TakeLog`).
///
/// The order goes by `due_ns`, the put's time on its producer's schedule, not by the
/// item's `ready_ns`: an item for polling consumers carries no schedule (its `ready_ns`
/// is 0), and reading it made every put look due at the start, so puts kept no order
/// among producers or with takes at all.
///
/// Out of line, as `put_when_room` is: its waits would bloat `put`, which is inlined
/// into every producer's loop, runs in order or not.
#[inline(never)]
fn put_in_order<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    (item, due): (I, Due),
    order: &ModelOrder,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    let due_ns = due.put_ns;
    wait_for_earlier_puts(shared, producer, due_ns, order);
    if order.polls {
        order.wait_for_takes_before(due_ns, &shared.stop);
    }
    // Others already in line for room: this put joins them rather than slip in first,
    // once the takes due before it have had their chance to let the line in.
    wait_for_line_to_move(shared, due_ns, order);
    let item = if order.line.in_line() {
        item
    } else {
        match try_put_after_takes(shared, queue, (item, due_ns), order) {
            TryPut::Done => {
                order.log.entered();
                return Some((Returned::OnTime, 0));
            }
            TryPut::Full(item) => item,
            TryPut::Closed => return None,
        }
    };
    // The item keeps its due: it entered at the later of that and the take that made
    // its room (see `ModelOrder::blocking_take`). A put may join the line only because
    // others were in it, and then find room already made.
    put_when_room(shared, producer, queue, (item, due), Some(order), trace)
}

/// Before a put due at `due_ns` joins producers in line for room: waits while the takes
/// due before it may yet let the line in, that is, until they have all been made and the
/// queue is still full by the counts, or until the line is empty. In the model those
/// takes came first and the line had moved on by the put's due; a consumer's thread that
/// starts or wakes late must not make this put block where the model's did not. Brief,
/// and never circular: a take due before this put waits for nothing this put does.
fn wait_for_line_to_move(shared: &Shared, due_ns: u64, order: &ModelOrder) {
    while order.line.in_line()
        && !order.full_after_takes_before(due_ns)
        && !shared.stop.load(Ordering::Relaxed)
    {
        std::thread::yield_now();
    }
}

/// Waits until the puts due before `due_ns` have been made (a producer whose thread woke
/// late keeps its place), including the next put of a producer blocked in a put that may
/// return in time to make it: until the takes due before `due_ns` have been made and
/// none of them left room for a blocked put to fill, it may. Past that, a blocked
/// producer returns after `due_ns` and is not waited for (its put waits for takes, and
/// those for this put: the two would wait for each other).
fn wait_for_earlier_puts(shared: &Shared, producer: u32, due_ns: u64, order: &ModelOrder) {
    let producer = producer as usize;
    while !shared.stop.load(Ordering::Relaxed) {
        if !order.blocked_put_may_come_first(producer, due_ns) {
            order.gate.due.wait_turn(producer, due_ns, &shared.stop);
            // A producer waited for may have blocked in its put meanwhile.
            if !order.blocked_put_may_come_first(producer, due_ns) {
                return;
            }
        }
        // Rare (a blocked put returned and its thread has not yet said when it puts
        // next), and ended by a take or a wake-up: not worth a condition variable.
        std::thread::yield_now();
    }
}

/// A put that found the queue full: waits for room (see `put`). In the model's order
/// (`in_line`), it waits behind the producers in line before it and returns on the
/// schedule of the take that made its room.
///
/// Out of line: waiting is not the per-item path, and inlined into `put` it would make
/// every producer's loop larger for every item.
#[inline(never)]
fn put_when_room<I: Item>(
    shared: &Shared,
    producer: u32,
    queue: &Putter<I>,
    (item, due): (I, Due),
    in_line: Option<&ModelOrder>,
    trace: &mut impl Recorder,
) -> Option<(Returned, u64)> {
    let id = item.id();
    let called = shared.now_ns();
    trace.record(What::PutBlocked, id, || called);
    let sampled = shared.sample.includes(id);
    if sampled {
        shared.sample.mark_blocked(id);
    }
    // Said once this producer holds its place in line: said before, it would let later
    // puts past the producers' gate, and one could take the room that is its own in the
    // model.
    let blocked = || {
        if let Some(gate) = shared.gate() {
            gate.block(producer as usize, due.next_at_least_ns());
        }
    };
    let (put, turn) = match in_line {
        None => {
            blocked();
            (queue.put(item, &shared.stop), None)
        }
        Some(order) => match order.line.wait_turn(&shared.stop, blocked) {
            Some(turn) => (queue.put(item, &shared.stop), Some(turn)),
            None => (false, None),
        },
    };
    if let Some(gate) = shared.gate() {
        gate.unblock();
    }
    if !put {
        return None;
    }
    let returned_ns = shared.now_ns();
    if sampled {
        shared.sample.stamp_put(id, returned_ns);
    }
    let returned = match in_line {
        Some(order) => order.enter_blocked(producer, due, &shared.stop),
        None => Returned::Late,
    };
    // Only now may the next in line put.
    drop(turn);
    Some((returned, returned_ns.saturating_sub(called)))
}

/// A put without waiting; where it finds the queue full while a take due before the put
/// (`due_ns`) has not been made, it tries again until that take was made or
/// the queue has room, as in the model, where the take made room first. The wait is a
/// thread's wake-up: a consumer due before the put is overdue, and a full queue wakes a
/// consumer waiting for an item.
#[inline(always)]
fn try_put_after_takes<I: Item>(
    shared: &Shared,
    queue: &Putter<I>,
    (item, due_ns): (I, u64),
    order: &ModelOrder,
) -> TryPut<I> {
    let tried = queue.try_put(item);
    let TryPut::Full(mut item) = tried else {
        return tried;
    };
    loop {
        if order.takes_made_before(due_ns) || shared.stop.load(Ordering::Relaxed) {
            return TryPut::Full(item);
        }
        std::thread::yield_now();
        match queue.try_put(item) {
            TryPut::Full(back) => item = back,
            tried => return tried,
        }
    }
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

    /// An item entered at the later of its put's due and the take that made its room:
    /// by hand at capacity 1, take 0 at 100 made room for entry 1.
    #[test]
    fn an_item_enters_at_its_due_or_when_its_room_was_made_whichever_is_later() {
        let paced = "produce_time = \"1ms\"\nconsume_time = \"1ms\"";
        let stop = AtomicBool::new(false);
        let never = || panic!("take 0 is in the log");
        for (due_ns, taken_ns) in [(150, 150), (80, 100)] {
            let order = ModelOrder::of(&scenario(paced), Some(1)).expect("kept");
            order.polled(100);
            assert_eq!(
                order.blocking_take(due_ns, 0, &stop, never),
                (1, taken_ns),
                "due at {due_ns}"
            );
        }
    }

    /// A put waiting on a producer blocked in a put whose room has been made, but which
    /// has not yet said when it puts next, waits for it: that producer's next put may be
    /// due first. Once the queue is full by the counts and the takes due before it made,
    /// it waits no more (the blocked producer waits for a take, which may wait for this
    /// put). A take likewise waits for such a returning put, but only while the queue is
    /// not full. By hand at capacity 1, one consumer.
    #[test]
    fn puts_and_takes_wait_for_a_blocked_put_that_may_return_in_time() {
        let paced = "produce_time = \"1ms\"\nconsume_time = \"1ms\"\nconsumers = 1\nproducers = 2";
        let order = ModelOrder::of(&scenario(paced), Some(1)).expect("kept");
        let gate = order.gate();
        let stop = AtomicBool::new(false);
        order.log.entered();
        gate.block(0, 400);
        gate.due.announce(1, 500);
        let returning = || order.blocked_put_may_come_first(1, 500);
        assert!(returning(), "the take due at 0 is not made yet");
        order.polled(0);
        order.takes.announce(0, 600);
        assert!(returning(), "room made, producer 0 not back");
        order.log.entered();
        assert!(!returning(), "full again: producer 0 waits for a take");
        gate.due.announce(0, 480);
        assert!(!gate.due.ahead_made(1, 500), "producer 0 puts first");

        gate.due.announce(1, 1_000);
        gate.block(0, 700);
        order.wait_for_puts(600, &stop);
        gate.block(0, 550);
        assert!(gate.due.blocked_by(600) && order.log.full());
        order.wait_for_puts(600, &stop);
        order.polled(600);
        let back = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                back.store(true, Ordering::SeqCst);
                gate.due.announce(0, 650);
            });
            order.wait_for_puts(600, &stop);
            assert!(
                back.load(Ordering::SeqCst),
                "the take waited for producer 0, let in and due next at 650"
            );
        });
    }

    /// A blocked producer holds no poll back (it has no put due) but makes a refill
    /// pending until its put returns, and says when it may put next.
    #[test]
    fn a_blocked_producer_makes_a_refill_pending_until_its_put_returns() {
        let gate = PutGate::new(2);
        gate.due.announce(1, 1_000);
        assert!(!gate.refill_pending());
        gate.block(0, 500);
        assert!(gate.refill_pending());
        assert!(
            gate.due.made_by(999),
            "producer 0's put due at 0 is withdrawn"
        );
        assert!(gate.due.blocked_by(500) && !gate.due.blocked_by(499));
        gate.block(1, 2_000);
        gate.unblock();
        assert!(gate.refill_pending(), "one producer is still blocked");
        gate.unblock();
        assert!(!gate.refill_pending());
    }
}
