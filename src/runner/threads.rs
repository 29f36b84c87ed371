//! The producer and consumer loops of one run, exactly as DESIGN defines them, and the
//! completion signal that ends the timed part of the run.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::item::{Item, UNSCHEDULED};
use super::pace::{Clock, wall_ns};
use super::put::{Due, ModelOrder, PutGate, Returned, put};
use super::queue::{Putter, Taker, TryTake};
use super::sample::{Chosen, Sample};
use super::tally::Tally;
use crate::scenario::{Scenario, WorkDraws, WorkKind};
use crate::trace::{NO_ITEM, Recorder, What};
use crate::waits::WaitTally;

/// What every thread of one run shares.
pub struct Shared<'a> {
    pub scenario: &'a Scenario,
    pub run_seed: u64,
    /// Taken before the first thread is spawned: elapsed time counts from here.
    pub start: Instant,
    /// Raised once the run is over (or aborted): consumers leave their loops.
    pub stop: Padded<AtomicBool>,
    /// Present for polling consumers with sleep work, where puts must precede polls,
    /// unless `model_order` keeps its own (see `Shared::gate`).
    pub poll_gate: Option<PutGate>,
    /// Present for a rendezvous whose takes the schedule needs (see `Handoff`).
    pub handoff: Option<Handoff>,
    /// Capacity 0: the queue holds no item, whether through `handoff` or the crate's own
    /// zero-capacity channel, so its depth is 0 by definition.
    pub rendezvous: bool,
    pub finish: Finish,
    /// Work times of blocking consumers, numbered by take.
    pub work: WorkDraws,
    /// Blocking consumers' takes, counted for `work` where the model order's take log
    /// does not number them (see `Shared::work_ns`).
    pub takes: AtomicU64,
    /// The items whose queue waits and depths are measured.
    pub sample: Sample,
    /// Present for a queue with a capacity whose consumers sleep a consume time (see
    /// `ModelOrder`).
    pub model_order: Option<ModelOrder>,
}

impl Shared<'_> {
    /// The producers' gate: the model order's where there is one, else `poll_gate`.
    pub(super) fn gate(&self) -> Option<&PutGate> {
        match &self.model_order {
            Some(order) => Some(order.gate()),
            None => self.poll_gate.as_ref(),
        }
    }

    fn clock(&self) -> Clock {
        match self.scenario.work {
            WorkKind::Sleep => Clock::Wall(self.start),
            WorkKind::Spin => Clock::thread_cpu(),
        }
    }

    pub(super) fn now_ns(&self) -> u64 {
        wall_ns(self.start)
    }

    /// Reports to `finish` what `tally` counted since it last did: one shared addition,
    /// and a clock read only by the report that completes the count.
    #[inline]
    fn report(&self, tally: &mut Tally) {
        if tally.unreported() > 0 {
            self.finish.flush(tally, || self.now_ns());
        }
    }

    /// After an item was counted: reports at once if the consumer will wait next
    /// (`paced`), otherwise at every `FLUSH_EVERY`th item it counts, so one shared
    /// counter is not written by every consumer for every item. (A multiple of a power of
    /// two is one test per item; a count since the last report would be a subtraction
    /// and a comparison more. Either way no report waits for more than `FLUSH_EVERY`.)
    fn counted(&self, tally: &mut Tally, paced: bool) {
        if paced || tally.items().is_multiple_of(FLUSH_EVERY) {
            self.report(tally);
        }
    }

    /// How long `item` waited on the queue, if its wait is measured (`sample`, the
    /// caller's copy of `self.sample.chosen()`, says whether it is).
    #[inline]
    fn wait_of(&self, sample: Chosen, item: &impl Item, ready_ns: Option<u64>) -> Option<u64> {
        if !sample.includes(item.id()) {
            return None;
        }
        self.sample.wait_ns(item.id(), ready_ns, || self.now_ns())
    }

    /// Producers that put at once, put after put: no produce time to pace, no gate to
    /// announce their puts to (nor so a model order to keep, which has one), no hand-over
    /// to wait in. At zero time the checks for those were a good part of what the loop
    /// did per item, so this case is compiled apart.
    fn puts_back_to_back(&self) -> bool {
        self.scenario.produce_is_instant() && self.gate().is_none() && self.handoff.is_none()
    }

    /// Blocking consumers that take again at once: no consume time to pace, no hand-over
    /// to answer, no model order to feed (see `puts_back_to_back`).
    fn takes_back_to_back(&self) -> bool {
        self.scenario.consume_is_instant() && self.handoff.is_none() && self.model_order.is_none()
    }

    /// The work time of take number `take` where the model order's log numbered it (one
    /// shared count of takes, not two), else of the next take counted here; fixed times
    /// skip the count.
    fn work_ns(&self, take: Option<u64>) -> u64 {
        match self.work.fixed_ns() {
            Some(ns) => ns,
            None => self
                .work
                .nth_ns(take.unwrap_or_else(|| self.takes.fetch_add(1, Ordering::Relaxed))),
        }
    }
}

/// What one producer saw of the queue.
pub struct ProducerTally {
    /// The deepest queue just after a sampled put, where the queue can tell.
    pub max_depth: Option<u64>,
    /// How long each sampled put was blocked (0 where it was not).
    pub blocked: WaitTally,
    /// Nanoseconds spent blocked in puts, over every put.
    pub blocked_total_ns: u64,
}

/// Producer `producer`'s loop: put, then spend the produce time; returns what it saw of
/// the queue, and its recorder (`trace` records each put and when it is done).
pub fn produce<I: Item, R: Recorder>(
    shared: &Shared,
    producer: u32,
    queue: Putter<I>,
    trace: R,
) -> (ProducerTally, R) {
    if shared.puts_back_to_back() {
        produce_as::<I, R, true>(shared, producer, queue, trace)
    } else {
        produce_as::<I, R, false>(shared, producer, queue, trace)
    }
}

/// `produce`, compiled apart for producers whose puts follow each other at once
/// (`BACK_TO_BACK`, see `Shared::puts_back_to_back`): their loop has no pacing, gate,
/// hand-over or model order to check per item.
fn produce_as<I: Item, R: Recorder, const BACK_TO_BACK: bool>(
    shared: &Shared,
    producer: u32,
    queue: Putter<I>,
    mut trace: R,
) -> (ProducerTally, R) {
    let _signal = PanicSignal(&shared.finish);
    let clock = shared.clock();
    // What the loop asks of the run, read once into locals: read through `shared` (which
    // holds atomics, so the compiler assumes the queue's calls may change it), each would
    // be a load for every item. Back to back, each is a constant.
    // Zero produce times need no pacing, and no clock reads for it.
    let paced = !BACK_TO_BACK && !shared.scenario.produce_is_instant();
    let gate = shared.gate().filter(|_| !BACK_TO_BACK);
    let handoff = shared.handoff.as_ref().filter(|_| !BACK_TO_BACK);
    let rendezvous = shared.rendezvous;
    // Paced producers on a bounded queue keep the model's order (see `put::put`).
    let in_order = shared.model_order.as_ref().filter(|_| !BACK_TO_BACK);
    let sample = shared.sample.chosen();
    let mut draws = shared.scenario.produce_draws(shared.run_seed, producer);
    let first_id = u64::from(producer) * shared.scenario.items_per_producer;
    let mut due = 0;
    let mut seen = ProducerTally {
        max_depth: rendezvous.then_some(0),
        blocked: WaitTally::new(),
        blocked_total_ns: 0,
    };
    for id in first_id..first_id + shared.scenario.items_per_producer {
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        let produce_ns = if paced { draws.next_ns() } else { 0 };
        if paced {
            clock.wait_until(due, &shared.stop);
        }
        let sampled = sample.includes(id);
        if sampled {
            shared.sample.stamp_put(id, shared.now_ns());
        }
        let item = I::new(id, if clock.is_wall() { due } else { UNSCHEDULED });
        trace.record(What::PutCalled, id, || shared.now_ns());
        let put = put(
            shared,
            producer,
            &queue,
            (
                item,
                Due {
                    put_ns: due,
                    produce_ns,
                },
            ),
            (handoff, in_order),
            &mut trace,
        );
        let Some((returned, blocked_ns)) = put else {
            break;
        };
        trace.record(What::PutReturned, id, || shared.now_ns());
        seen.blocked_total_ns += blocked_ns;
        if sampled {
            seen.blocked.record(blocked_ns);
        }
        if sampled && !rendezvous {
            // Offers waiting in a hand-over, or senders waiting in a zero-capacity
            // channel, are not items on a queue: a rendezvous holds none.
            if let Some(depth) = queue.depth() {
                seen.max_depth = Some(seen.max_depth.map_or(depth, |d: u64| d.max(depth)));
            }
        }
        // A put that blocked restarts the producer's clock from when it returned.
        if paced {
            due = match returned {
                Returned::OnTime => due,
                Returned::Late => clock.now_ns().max(due),
                Returned::Scheduled(at) => at.max(due),
            } + produce_ns;
        }
        if let Some(gate) = gate {
            gate.due.announce(producer as usize, due);
        }
    }
    if let Some(gate) = gate {
        gate.due.withdraw(producer as usize);
    }
    if paced {
        clock.wait_until(due, &shared.stop);
    }
    let done_ns = shared.now_ns();
    trace.record(What::Done, NO_ITEM, || done_ns);
    shared.finish.producer_done(done_ns);
    // Once every producer has let go, consumers find the queue closed when it is empty.
    drop(queue);
    park_until_stopped(shared);
    (seen, trace)
}

/// Waits until the run is over. Tearing a thread down costs tens of microseconds of
/// CPU: done at the final instant it delays the threads still due then.
fn park_until_stopped(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        std::thread::park();
    }
}

/// A polling consumer: at each poll, take an item if there is one (counted when taken),
/// then wait one consume time, item or not. The wait after a take is the item's work in
/// the trace; after an empty poll it is only a wait.
pub fn poll<I: Item, R: Recorder>(
    shared: &Shared,
    consumer: u32,
    queue: Taker<I>,
    mut trace: R,
) -> (Tally, R) {
    let _signal = PanicSignal(&shared.finish);
    let clock = shared.clock();
    // Read once into locals, as the producer's loop does (see `produce_as`).
    let paced = !shared.scenario.consume_is_instant();
    let gate = shared.gate();
    let handoff = shared.handoff.as_ref();
    let order = shared.model_order.as_ref();
    let takes = order.map(ModelOrder::takes);
    let sample = shared.sample.chosen();
    let mut periods = shared.scenario.poll_draws(shared.run_seed, consumer);
    let mut tally = Tally::new();
    let mut due = 0;
    // The item whose consume time this consumer is spending, for the trace alone.
    let mut working = NO_ITEM;
    while !shared.stop.load(Ordering::Relaxed) {
        if let Some(takes) = takes {
            takes.announce(consumer as usize, due);
        }
        if paced {
            clock.wait_until(due, &shared.stop);
        }
        // When this poll was ready, before it waits for others to keep the model's
        // order: an item's wait ends here at the latest (see `Sample::wait_ns`).
        let ready_ns = order.map(|_| shared.now_ns());
        match (order, gate) {
            (Some(order), _) => order.wait_to_take(consumer as usize, due, &shared.stop),
            (None, Some(gate)) => gate.due.wait_past(due, &shared.stop),
            (None, None) => {}
        }
        // `R::ON` is a constant: without tracing this is compiled away.
        if R::ON && working != NO_ITEM {
            trace.record(What::WorkEnd, working, || shared.now_ns());
            working = NO_ITEM;
        }
        match poll_take(shared, gate, &queue) {
            TryTake::Item(item) => {
                if let Some(order) = order {
                    order.polled(due);
                }
                let mut at = None;
                let mut now_once = || *at.get_or_insert_with(|| shared.now_ns());
                trace.record(What::Take, item.id(), &mut now_once);
                trace.record(What::WorkStart, item.id(), now_once);
                working = item.id();
                if let Some(handoff) = handoff {
                    let at = if clock.is_wall() { due } else { UNSCHEDULED };
                    handoff.accept(shared, &item, at);
                }
                tally.count(&item, shared.wait_of(sample, &item, ready_ns));
                // A poll that waits next reports now, so the run ends on time.
                shared.counted(&mut tally, paced);
            }
            TryTake::Empty => {
                trace.record(What::EmptyPoll, NO_ITEM, || shared.now_ns());
                tally.empty_polls += 1;
                shared.report(&mut tally);
            }
            // Every producer is done and the queue is empty: no poll can find more.
            TryTake::Closed => break,
        }
        due += periods.next_ns();
    }
    if let Some(takes) = takes {
        takes.withdraw(consumer as usize);
    }
    shared.report(&mut tally);
    drop(queue);
    park_until_stopped(shared);
    (tally, trace)
}

/// One poll's look at the queue. Where a producer's blocked put is about to fill the
/// room an empty queue has (see `PutGate::refill_pending`), the poll waits for that put,
/// as in the model, rather than count an empty poll and lose its whole period. `gate` is
/// `shared.gate()`, read once by the caller.
#[inline(always)]
fn poll_take<I: Item>(shared: &Shared, gate: Option<&PutGate>, queue: &Taker<I>) -> TryTake<I> {
    let Some(gate) = gate else {
        return queue.try_take();
    };
    loop {
        let pending = gate.refill_pending();
        match queue.try_take() {
            TryTake::Empty if pending && !shared.stop.load(Ordering::Relaxed) => {
                std::thread::yield_now()
            }
            found => return found,
        }
    }
}

/// A blocking consumer: take, work for the item's consume time, then count it.
pub fn block<I: Item, R: Recorder>(
    shared: &Shared,
    consumer: u32,
    queue: Taker<I>,
    trace: R,
) -> (Tally, R) {
    if shared.takes_back_to_back() {
        block_as::<I, R, true>(shared, consumer, queue, trace)
    } else {
        block_as::<I, R, false>(shared, consumer, queue, trace)
    }
}

/// `block`, compiled apart for consumers whose takes follow each other at once
/// (`BACK_TO_BACK`, see `Shared::takes_back_to_back`), as `produce_as` is.
fn block_as<I: Item, R: Recorder, const BACK_TO_BACK: bool>(
    shared: &Shared,
    consumer: u32,
    queue: Taker<I>,
    mut trace: R,
) -> (Tally, R) {
    let _signal = PanicSignal(&shared.finish);
    let clock = shared.clock();
    // Read once into locals, as the producer's loop does (see `produce_as`).
    let paced = !BACK_TO_BACK && !shared.scenario.consume_is_instant();
    let handoff = shared.handoff.as_ref().filter(|_| !BACK_TO_BACK);
    let order = shared.model_order.as_ref().filter(|_| !BACK_TO_BACK);
    let takes = order.map(ModelOrder::takes);
    let sample = shared.sample.chosen();
    let mut tally = Tally::new();
    // When this consumer's last item was due done: it is free from then on.
    let mut free_ns = 0;
    loop {
        // When this consumer was ready to take, as in `poll`; it takes in the model's
        // order from when it fell free.
        let ready_ns = order.map(|_| shared.now_ns());
        if let Some(order) = order {
            order.wait_to_take(consumer as usize, free_ns, &shared.stop);
        }
        let Some(item) = next_item(shared, &queue, &mut tally) else {
            break;
        };
        let wait = shared.wait_of(sample, &item, ready_ns);
        let mut at = None;
        let mut now_once = || *at.get_or_insert_with(|| shared.now_ns());
        trace.record(What::Take, item.id(), &mut now_once);
        trace.record(What::WorkStart, item.id(), now_once);
        if paced || handoff.is_some() {
            // On schedule, the item was taken once it was put and this consumer was free.
            let (take, taken) = match (order, item.ready_ns()) {
                (Some(order), ready) => {
                    let now = || clock.now_ns();
                    let (take, taken) = order.blocking_take(ready, free_ns, &shared.stop, now);
                    (Some(take), taken)
                }
                (None, UNSCHEDULED) => (None, clock.now_ns().max(free_ns)),
                (None, ready) => (None, ready.max(free_ns)),
            };
            if let Some(handoff) = handoff {
                let at = if clock.is_wall() { taken } else { UNSCHEDULED };
                handoff.accept(shared, &item, at);
            }
            free_ns = taken + shared.work_ns(take);
            if let Some(takes) = takes {
                takes.announce(consumer as usize, free_ns);
            }
            clock.wait_until(free_ns, &shared.stop);
        }
        trace.record(What::WorkEnd, item.id(), || shared.now_ns());
        tally.count(&item, wait);
        shared.counted(&mut tally, paced);
    }
    if let Some(takes) = takes {
        takes.withdraw(consumer as usize);
    }
    shared.report(&mut tally);
    drop(queue);
    park_until_stopped(shared);
    (tally, trace)
}

/// The next item for a blocking consumer; before it waits for one, it reports what it
/// has counted, since the run may be complete. Inlined: it is the consumer's per-item
/// path, and a call would cost the zero-time benchmark a frame and a copy per item.
#[inline(always)]
fn next_item<I: Item>(shared: &Shared, queue: &Taker<I>, tally: &mut Tally) -> Option<I> {
    match queue.take_if_any() {
        TryTake::Item(item) => Some(item),
        TryTake::Closed => None,
        TryTake::Empty => {
            shared.report(tally);
            queue.take(&shared.stop)
        }
    }
}

/// A rendezvous (capacity 0). A zero-capacity channel hands an item over only while the
/// producer is inside `send`; a poll that comes between the producer announcing its put
/// and entering `send` finds nothing and loses a whole poll period (on a loaded machine,
/// most of them). So the producer leaves its item on an unbounded queue of offers, then
/// waits until a consumer has taken it: the same hand-over, no window. The consumer says
/// when, on schedule, it took the item, and the producer's clock restarts from then.
pub struct Handoff {
    /// Per producer: the consumer's word that it took the producer's item, with the run
    /// time its poll was due, from which the producer's clock restarts (not from when
    /// its thread happens to wake, which would add up lateness put after put).
    taken: Vec<(Sender<u64>, Receiver<u64>)>,
}

impl Handoff {
    pub fn new(producers: usize) -> Self {
        Handoff {
            taken: (0..producers)
                .map(|_| crossbeam_channel::bounded(1))
                .collect(),
        }
    }

    /// Offers `item` and waits until it is taken.
    pub(super) fn offer<I: Item>(
        &self,
        shared: &Shared,
        producer: u32,
        offers: &Putter<I>,
        item: I,
    ) -> Option<Returned> {
        if !offers.put(item, &shared.stop) {
            return None;
        }
        if let Some(gate) = shared.gate() {
            gate.due.withdraw(producer as usize);
        }
        let taken = &self.taken[producer as usize].1;
        loop {
            match taken.recv_timeout(Duration::from_millis(10)) {
                Ok(UNSCHEDULED) => return Some(Returned::Late),
                Ok(due) => return Some(Returned::Scheduled(due)),
                Err(RecvTimeoutError::Timeout) if !shared.stop.load(Ordering::Relaxed) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Tells the producer of `item` that its put returns, taken by a poll due at `due_ns`.
    fn accept(&self, shared: &Shared, item: &impl Item, due_ns: u64) {
        let producer = item.id() / shared.scenario.items_per_producer.max(1);
        if let Some((taken, _)) = self.taken.get(producer as usize) {
            let _ = taken.send(due_ns);
        }
    }
}

/// How waiting for a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Complete, at this many run nanoseconds.
    Done(u64),
    /// A thread panicked.
    Failed,
    /// The person asked to stop.
    Cancelled,
}

/// Items a consumer counts before it reports them to `Finish`, unless it waits first. A
/// power of two (see `Shared::counted`).
const FLUSH_EVERY: u64 = 4096;
const _: () = assert!(FLUSH_EVERY.is_power_of_two());

/// The end of the timed part: every producer finished and every item counted. The
/// thread that meets the second of those two conditions signals, and the run's end is
/// the later of the two times, so the main thread's wake-up is not timed.
///
/// A consumer reports its count before it waits for an item (the run may be complete),
/// once its look has found the queue empty (for crossbeam, after the crate's brief spin:
/// see `queue::Taker::take_if_any`), which at zero time is often: a report is one shared
/// addition, and only the report that completes the count reads the clock.
pub struct Finish {
    total: u64,
    /// Apart from the rest: consumers add to it while other threads read `stop`.
    counted: Padded<AtomicU64>,
    producers_left: AtomicUsize,
    /// How many of the two conditions are met; whoever meets the second signals.
    met: AtomicU8,
    /// The latest time a condition was met, in run nanoseconds. Each side records its
    /// time before it counts its condition as met, so the one that signals reads both.
    end_ns: AtomicU64,
    failed: AtomicBool,
    done: Mutex<bool>,
    wake: Condvar,
}

impl Finish {
    pub fn new(producers: usize, total: u64) -> Self {
        Finish {
            total,
            counted: Padded(AtomicU64::new(0)),
            producers_left: AtomicUsize::new(producers),
            // A run of no items has counted them all before it starts.
            met: AtomicU8::new(u8::from(total == 0)),
            end_ns: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            done: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    fn producer_done(&self, now_ns: u64) {
        self.end_ns.fetch_max(now_ns, Ordering::SeqCst);
        if self.producers_left.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.met_one();
        }
    }

    /// Adds what `tally` counted since it last reported; the report that completes the
    /// count records the time, `now_ns()`.
    fn flush(&self, tally: &mut Tally, now_ns: impl FnOnce() -> u64) {
        let added = tally.take_unreported();
        if added == 0 {
            return;
        }
        let before = self.counted.fetch_add(added, Ordering::SeqCst);
        if before < self.total && before + added >= self.total {
            self.end_ns.fetch_max(now_ns(), Ordering::SeqCst);
            self.met_one();
        }
    }

    fn met_one(&self) {
        if self.met.fetch_add(1, Ordering::SeqCst) == 1 {
            self.signal();
        }
    }

    /// Wakes the main thread; also used when a thread panics or the run is aborted.
    pub fn signal(&self) {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        *done = true;
        self.wake.notify_all();
    }

    /// Blocks until the run is complete, failed, or `cancel` is raised.
    pub fn wait(&self, cancel: &AtomicBool) -> Ending {
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        while !*done {
            if cancel.load(Ordering::SeqCst) {
                return Ending::Cancelled;
            }
            // The timeout only bounds how late a cancel is noticed.
            done = match self.wake.wait_timeout(done, Duration::from_millis(50)) {
                Ok((done, _)) => done,
                Err(p) => p.into_inner().0,
            };
        }
        if self.failed.load(Ordering::SeqCst) {
            Ending::Failed
        } else {
            Ending::Done(self.end_ns.load(Ordering::SeqCst))
        }
    }

    pub fn fail(&self) {
        self.failed.store(true, Ordering::SeqCst);
        self.signal();
    }
}

/// A value alone on its cache line (128 bytes: two lines, for adjacent-line prefetch),
/// so writes to it do not slow reads of its neighbours.
#[repr(align(128))]
pub struct Padded<T>(pub T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Marks the run failed if the thread holding it panics, so the main thread never waits
/// for a completion that cannot come.
struct PanicSignal<'a>(&'a Finish);

impl Drop for PanicSignal<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.fail();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::item::InstantItem;

    fn item(id: u64) -> InstantItem<1> {
        InstantItem::new(id, 0)
    }

    #[test]
    fn a_panicking_thread_fails_the_run_instead_of_hanging_it() {
        let finish = Finish::new(1, 10);
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                let _signal = PanicSignal(&finish);
                panic!("a fault inside a producer");
            });
            assert_eq!(finish.wait(&AtomicBool::new(false)), Ending::Failed);
            assert!(worker.join().is_err());
        });
    }

    #[test]
    fn cancelling_ends_the_wait() {
        let finish = Finish::new(1, 10);
        assert_eq!(finish.wait(&AtomicBool::new(true)), Ending::Cancelled);
    }

    #[test]
    fn the_run_ends_when_producers_are_done_and_every_item_is_counted() {
        let finish = Finish::new(1, 2);
        let (mut first, mut second) = (Tally::new(), Tally::new());
        first.count(&item(0), None);
        finish.flush(&mut first, || 5);
        finish.producer_done(7);
        second.count(&item(1), None);
        // Nothing new to report: it changes neither the count nor the end.
        finish.flush(&mut first, || 20);
        finish.flush(&mut second, || 9);
        assert_eq!(finish.wait(&AtomicBool::new(false)), Ending::Done(9));
    }

    #[test]
    fn the_run_ends_at_the_last_producer_when_the_items_were_counted_first() {
        let finish = Finish::new(2, 2);
        let mut tally = Tally::new();
        finish.producer_done(4);
        tally.count(&item(0), None);
        tally.count(&item(1), None);
        finish.flush(&mut tally, || 6);
        assert!(
            !*finish.done.lock().expect("lock"),
            "a producer is still going"
        );
        finish.producer_done(11);
        assert_eq!(finish.wait(&AtomicBool::new(false)), Ending::Done(11));
    }

    #[test]
    fn only_the_report_that_completes_the_count_reads_the_clock() {
        let finish = Finish::new(1, 3);
        let mut tally = Tally::new();
        tally.count(&item(0), None);
        finish.flush(&mut tally, || {
            panic!("read the clock before the count was complete")
        });
        tally.count(&item(1), None);
        tally.count(&item(2), None);
        finish.producer_done(1);
        finish.flush(&mut tally, || 30);
        assert_eq!(finish.wait(&AtomicBool::new(false)), Ending::Done(30));
    }

    #[test]
    fn a_run_of_no_items_ends_when_its_producers_are_done() {
        let finish = Finish::new(2, 0);
        finish.producer_done(3);
        finish.producer_done(5);
        assert_eq!(finish.wait(&AtomicBool::new(false)), Ending::Done(5));
    }
}
