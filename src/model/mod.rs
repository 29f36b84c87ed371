//! The discrete-event model: what a scenario should measure, in virtual time.
//!
//! Owns the prediction of elapsed time for exactly the runner's semantics (see DESIGN):
//! producers put on their schedule, polling consumers poll at their deadlines, blocking
//! consumers take then work, a full queue blocks its producer, whose clock restarts when
//! the put returns, and at equal times puts come before takes. It draws the same random
//! times as the runner for the same run seed, so a prediction is for the run as it ran.
//!
//! `sleep` work passes on the wall clock. `spin` work is CPU time shared by the spinning
//! threads over the machine's cores (processor sharing): with n busy threads on m cores,
//! each progresses at min(1, m/n) seconds of work per second.

use std::collections::VecDeque;

use crate::record::QueueMetrics;
use crate::scenario::{ConsumerStyle, Draws, Scenario, WorkDraws, WorkKind};
use crate::trace::{NO_ITEM, Recorder, Trace, Track, What, tracks_for};
use crate::waits::{WaitTally, in_sample, sample_shift};

mod events;
use events::{Event, Events};

/// What the model predicts for one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// Seconds from the start until all producers finished and every item was counted.
    pub elapsed_s: f64,
    pub items: u64,
    /// What the queue does, measured as the runner measures it (waits and depths of the
    /// same sampled items); `None` when nothing takes time and every event is at 0.
    pub queue: Option<QueueMetrics>,
}

/// Runs of more items than this are not modelled: at about ten million items a second,
/// replaying them would keep a person waiting longer than the answer is worth.
pub const MAX_MODELLED_ITEMS: u64 = 20_000_000;

/// The items the model replays to predict `scenario`: none when nothing takes time (see
/// `predict`).
pub fn modelled_items(scenario: &Scenario) -> u64 {
    if scenario.produce_is_instant() && scenario.consume_is_instant() {
        0
    } else {
        scenario.total_items()
    }
}

/// Predicts run `run_seed` of `scenario` on a machine with `cores` cores. It replays
/// `modelled_items(scenario)` items: callers keep that within `MAX_MODELLED_ITEMS`.
pub fn predict(scenario: &Scenario, run_seed: u64, cores: usize) -> Prediction {
    // With nothing taking time every event falls at 0: replaying millions of them
    // would only say so slowly.
    if scenario.produce_is_instant() && scenario.consume_is_instant() {
        return Prediction {
            elapsed_s: 0.0,
            items: scenario.total_items(),
            queue: None,
        };
    }
    let mut model = Model::new(scenario, run_seed, cores);
    model.run();
    Prediction {
        elapsed_s: model.end as f64 / 1e9,
        items: model.counted,
        queue: Some(model.queue_metrics()),
    }
}

/// Replays run `run_seed` of `scenario` as `predict` does and returns every item's put
/// and take in nanoseconds, in the order taken, beside the prediction: tests check the
/// model against queueing theory item by item.
#[cfg(test)]
pub(crate) fn replay_items(
    scenario: &Scenario,
    run_seed: u64,
    cores: usize,
) -> (Prediction, Vec<(u64, u64)>) {
    let mut model = Model::new(scenario, run_seed, cores);
    model.measures.every_item = Some(Vec::with_capacity(scenario.total_items() as usize));
    model.run();
    let prediction = Prediction {
        elapsed_s: model.end as f64 / 1e9,
        items: model.counted,
        queue: Some(model.queue_metrics()),
    };
    (
        prediction,
        model.measures.every_item.take().unwrap_or_default(),
    )
}

/// Replays run `run_seed` of `scenario` as `predict` does, recording every thread's
/// events as the runner's threads do (the same cap per thread), beside the prediction.
pub fn replay_traced(scenario: &Scenario, run_seed: u64, cores: usize) -> (Prediction, Trace) {
    let mut model = Model::new(scenario, run_seed, cores);
    let (producers, consumers) = tracks_for(scenario);
    model.trace = Some(ModelTrace {
        tracks: producers.into_iter().chain(consumers).collect(),
        working: vec![NO_ITEM; scenario.consumers as usize],
    });
    model.run();
    let prediction = Prediction {
        elapsed_s: model.end as f64 / 1e9,
        items: model.counted,
        queue: Some(model.queue_metrics()),
    };
    let tracks = model.trace.take().map(|t| t.tracks).unwrap_or_default();
    let mut trace = Trace {
        tracks,
        end_ns: model.end,
    };
    trace.trim_to_end();
    (prediction, trace)
}

/// The model's threads' events, when asked for.
struct ModelTrace {
    /// Producers, then consumers.
    tracks: Vec<Track>,
    /// Per consumer: the item whose consume time it is spending, or `NO_ITEM`.
    working: Vec<u64>,
}

/// The number of cores `spin` work shares, as the runner's machine reports it.
pub fn machine_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

struct Producer {
    draws: Draws,
    left: u64,
    /// The id of its next item.
    next_id: u64,
}

/// An item: its id and when its put returned, from which its wait on the queue counts
/// (for a blocked put, while it blocks: when the put was called).
type Queued = (u64, u64);

/// A producer waiting for room, with its item and the produce time it spends once its
/// put returns.
struct Blocked {
    producer: usize,
    item: Queued,
    produce_ns: u64,
}

/// What the model measures of the queue, as the runner does.
struct Measures {
    /// One item in 2^shift has its wait and depth measured (see `waits`).
    shift: u32,
    waits: WaitTally,
    /// Deepest queue just after a sampled put returned; a rendezvous holds none.
    max_depth: u64,
    empty_polls: u64,
    /// Items each consumer counted.
    counted_by: Vec<u64>,
    /// How long each sampled put was blocked (0 where it was not), and all puts' total.
    blocked: WaitTally,
    blocked_total_ns: u64,
    /// Every item's put and take in nanoseconds, in the order taken, when a test asks
    /// for them (to check the model against queueing theory); `None` otherwise.
    every_item: Option<Vec<(u64, u64)>>,
}

struct Model {
    work: WorkKind,
    cores: f64,
    capacity: Option<u64>,
    consumer: ConsumerStyle,
    total: u64,
    producers: Vec<Producer>,
    /// Each polling consumer's poll periods.
    polls: Vec<Draws>,
    /// Blocking consumers' work times, numbered by take, and the takes so far.
    work_times: WorkDraws,
    takes: u64,
    /// Items on the queue, oldest first.
    queued: VecDeque<Queued>,
    measures: Measures,
    blocked: VecDeque<Blocked>,
    /// Blocking consumers waiting for an item, and polling consumers with a zero period
    /// waiting likewise (they would otherwise poll forever at one instant).
    idle: VecDeque<usize>,
    /// Events keyed by the clock they wait on: nanoseconds for sleep work, attained
    /// CPU work per busy thread for spin work.
    events: Events,
    sequence: u64,
    /// Wall-clock now in whole nanoseconds; for spin work, also to a fraction (the
    /// whole part alone would lose time at every event), and the work attained by
    /// every busy thread so far.
    now: u64,
    spin_now: f64,
    attained: u64,
    busy: usize,
    producers_left: usize,
    counted: u64,
    end: u64,
    trace: Option<ModelTrace>,
}

impl Model {
    fn new(scenario: &Scenario, run_seed: u64, cores: usize) -> Self {
        let producers = (0..scenario.producers)
            .map(|p| Producer {
                draws: scenario.produce_draws(run_seed, p),
                left: scenario.items_per_producer,
                next_id: u64::from(p) * scenario.items_per_producer,
            })
            .collect();
        let polls = (0..scenario.consumers)
            .map(|c| scenario.poll_draws(run_seed, c))
            .collect();
        let mut model = Model {
            work: scenario.work,
            cores: cores.max(1) as f64,
            capacity: scenario.queue.capacity(),
            consumer: scenario.consumer,
            total: scenario.total_items(),
            producers,
            polls,
            work_times: scenario.work_draws(run_seed),
            takes: 0,
            queued: VecDeque::new(),
            measures: Measures {
                shift: sample_shift(scenario.total_items()),
                waits: WaitTally::new(),
                max_depth: 0,
                empty_polls: 0,
                counted_by: vec![0; scenario.consumers as usize],
                blocked: WaitTally::new(),
                blocked_total_ns: 0,
                every_item: None,
            },
            blocked: VecDeque::new(),
            idle: VecDeque::new(),
            events: Events::new(scenario.producers, scenario.consumers),
            sequence: 0,
            now: 0,
            spin_now: 0.0,
            attained: 0,
            busy: 0,
            producers_left: scenario.producers as usize,
            counted: 0,
            end: 0,
            trace: None,
        };
        for p in 0..scenario.producers {
            // A producer with nothing to make is done at once.
            model.at_once(if scenario.items_per_producer > 0 {
                Event::Put(p)
            } else {
                Event::ProducerDone(p)
            });
        }
        for c in 0..scenario.consumers {
            model.at_once(match scenario.consumer {
                ConsumerStyle::Poll => Event::Poll(c),
                ConsumerStyle::Block => Event::Take(c),
            });
        }
        model
    }

    fn run(&mut self) {
        while !(self.producers_left == 0 && self.counted >= self.total) {
            let Some(entry) = self.events.pop() else {
                break;
            };
            self.advance_to(entry.key(), entry.job);
            match entry.event {
                Event::Put(p) => self.put(p as usize),
                Event::ProducerDone(p) => {
                    self.note(p as usize, What::Done, NO_ITEM);
                    self.producers_left -= 1;
                    self.end = self.end.max(self.now_ns());
                }
                Event::WorkDone(c) => {
                    let c = c as usize;
                    self.work_ends(c);
                    self.count(c);
                    self.take(c);
                }
                Event::Take(c) => self.take(c as usize),
                Event::Poll(c) => self.poll(c as usize),
            }
        }
    }

    fn now_ns(&self) -> u64 {
        self.now
    }

    /// Records, when tracing, that thread `track` (producers first) did `what` now.
    fn note(&mut self, track: usize, what: What, item: u64) {
        let now = self.now_ns();
        if let Some(track) = self.trace.as_mut().and_then(|t| t.tracks.get_mut(track)) {
            track.record(what, item, || now);
        }
    }

    /// The track of consumer `c`.
    fn consumer_track(&self, c: usize) -> usize {
        self.producers.len() + c
    }

    /// Consumer `c` starts the consume time of item `id`.
    fn work_starts(&mut self, c: usize, id: u64) {
        self.note(self.consumer_track(c), What::WorkStart, id);
        if let Some(slot) = self.trace.as_mut().and_then(|t| t.working.get_mut(c)) {
            *slot = id;
        }
    }

    /// Consumer `c` has spent the consume time of the item it was working on, if any.
    fn work_ends(&mut self, c: usize) {
        let Some(slot) = self.trace.as_mut().and_then(|t| t.working.get_mut(c)) else {
            return;
        };
        let id = std::mem::replace(slot, NO_ITEM);
        if id != NO_ITEM {
            self.note(self.consumer_track(c), What::WorkEnd, id);
        }
    }

    /// Moves the clocks to an event at `key`; a finished job no longer shares the cores.
    fn advance_to(&mut self, key: u64, job: bool) {
        match self.work {
            WorkKind::Sleep => self.now = key,
            WorkKind::Spin => {
                let rate = (self.cores / self.busy.max(1) as f64).min(1.0);
                self.spin_now += key.saturating_sub(self.attained) as f64 / rate;
                self.now = self.spin_now.round() as u64;
                self.attained = key;
            }
        }
        if job {
            self.busy -= 1;
        }
    }

    /// Queues `event` at clock reading `key`; `job` marks the end of a timed wait.
    fn schedule(&mut self, key: u64, event: Event, job: bool) {
        self.sequence += 1;
        self.events.schedule(key, self.sequence, event, job);
    }

    /// `event` happens now, after everything of an earlier kind due now.
    fn at_once(&mut self, event: Event) {
        let key = match self.work {
            WorkKind::Sleep => self.now_ns(),
            WorkKind::Spin => self.attained,
        };
        self.sequence += 1;
        self.events.schedule_at_once(key, self.sequence, event);
    }

    /// `event` happens once the thread has waited (sleep) or worked (spin) `wait_ns`.
    fn after(&mut self, wait_ns: u64, event: Event) {
        self.busy += 1;
        let key = match self.work {
            WorkKind::Sleep => self.now_ns() + wait_ns,
            WorkKind::Spin => self.attained + wait_ns,
        };
        self.schedule(key, event, true);
    }

    fn put(&mut self, p: usize) {
        let now = self.now_ns();
        let producer = &mut self.producers[p];
        let produce_ns = producer.draws.next_ns();
        producer.left -= 1;
        let item = (producer.next_id, now);
        producer.next_id += 1;
        self.note(p, What::PutCalled, item.0);
        let room = self
            .capacity
            .is_none_or(|cap| (self.queued.len() as u64) < cap);
        if room {
            self.note(p, What::PutReturned, item.0);
            self.enqueue(item);
            self.unblocked(item, 0);
            self.produced(p, produce_ns);
        } else {
            self.note(p, What::PutBlocked, item.0);
            self.blocked.push_back(Blocked {
                producer: p,
                item,
                produce_ns,
            });
        }
        // Someone waiting takes it, after every other put due now.
        if let Some(c) = self.idle.pop_front() {
            self.at_once(match self.consumer {
                ConsumerStyle::Block => Event::Take(c as u32),
                ConsumerStyle::Poll => Event::Poll(c as u32),
            });
        }
    }

    /// Producer `p` made a put: it now spends `produce_ns` before its next one.
    fn produced(&mut self, p: usize, produce_ns: u64) {
        let next = if self.producers[p].left > 0 {
            Event::Put(p as u32)
        } else {
            Event::ProducerDone(p as u32)
        };
        self.after(produce_ns, next);
    }

    /// Puts `item` on the queue; a sampled put then reads the queue's depth, as the
    /// runner's producer does.
    fn enqueue(&mut self, item: Queued) {
        self.queued.push_back(item);
        if in_sample(item.0, self.measures.shift) {
            let depth = self.queued.len() as u64;
            self.measures.max_depth = self.measures.max_depth.max(depth);
        }
    }

    /// A put of `item` returned after `blocked_ns` blocked.
    fn unblocked(&mut self, item: Queued, blocked_ns: u64) {
        self.measures.blocked_total_ns += blocked_ns;
        if in_sample(item.0, self.measures.shift) {
            self.measures.blocked.record(blocked_ns);
        }
    }

    /// Takes an item if there is one; the first blocked producer's put then returns now
    /// (into the room made, or, on an empty rendezvous, straight from hand to hand), and
    /// its item's wait on the queue starts now.
    /// Consumer `c` takes; returns the item's id. Always inline: as a call it spent a
    /// fifth of its instructions saving and restoring registers.
    #[inline(always)]
    fn take_item(&mut self, c: usize) -> Option<u64> {
        let now = self.now_ns();
        let taken = match (self.queued.pop_front(), self.blocked.pop_front()) {
            (item, Some(waiting)) => {
                let (id, called) = waiting.item;
                self.note(waiting.producer, What::PutReturned, id);
                self.unblocked(waiting.item, now.saturating_sub(called));
                self.produced(waiting.producer, waiting.produce_ns);
                match item {
                    Some(item) => {
                        self.enqueue((id, now));
                        Some(item)
                    }
                    None => Some((id, now)),
                }
            }
            (item, None) => item,
        };
        if let (Some((_, put_ns)), Some(all)) = (taken, &mut self.measures.every_item) {
            all.push((put_ns, now));
        }
        if let Some((id, put_ns)) = taken
            && in_sample(id, self.measures.shift)
        {
            self.measures.waits.record(now.saturating_sub(put_ns));
        }
        let id = taken.map(|(id, _)| id)?;
        self.note(self.consumer_track(c), What::Take, id);
        Some(id)
    }

    fn take(&mut self, c: usize) {
        if let Some(id) = self.take_item(c) {
            self.work_starts(c, id);
            let work_ns = self.work_times.nth_ns(self.takes);
            self.takes += 1;
            self.after(work_ns, Event::WorkDone(c as u32));
        } else {
            self.idle.push_back(c);
        }
    }

    fn poll(&mut self, c: usize) {
        self.work_ends(c);
        let found = match self.take_item(c) {
            Some(id) => {
                self.work_starts(c, id);
                self.count(c);
                true
            }
            None => {
                self.note(self.consumer_track(c), What::EmptyPoll, NO_ITEM);
                self.measures.empty_polls += 1;
                false
            }
        };
        let period = self.polls[c].next_ns();
        if period == 0 && !found {
            self.idle.push_back(c);
        } else {
            self.after(period, Event::Poll(c as u32));
        }
    }

    fn count(&mut self, c: usize) {
        self.measures.counted_by[c] += 1;
        self.counted += 1;
        if self.counted == self.total {
            self.end = self.end.max(self.now_ns());
        }
    }
}

impl Model {
    /// What the queue did, in the runner's terms.
    fn queue_metrics(&self) -> QueueMetrics {
        let m = &self.measures;
        let fewest = m.counted_by.iter().copied().min().unwrap_or(0);
        let most = m.counted_by.iter().copied().max().unwrap_or(0);
        let mut queue = QueueMetrics::new(
            m.waits.summary().unwrap_or_default(),
            Some(m.max_depth),
            m.empty_polls,
            (fewest, most),
        );
        let blocked_p99 = m.blocked.summary().map_or(0, |b| b.p99_ns);
        queue.set_blocked(m.blocked_total_ns, blocked_p99);
        queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::TimeSpec;
    use crate::scenario::{QueueImpl, QueueKind, Scenario};
    use std::time::Duration;

    pub(super) fn scenario(
        producers: u32,
        consumers: u32,
        items: u64,
        produce_ms: u64,
        consume_ms: u64,
    ) -> Scenario {
        Scenario {
            index: 0,
            label: "test".into(),
            producers,
            consumers,
            items_per_producer: items,
            item_bytes: crate::scenario::key::DEFAULT_ITEM_BYTES,
            produce_time: TimeSpec::Fixed(Duration::from_millis(produce_ms)),
            consume_time: TimeSpec::Fixed(Duration::from_millis(consume_ms)),
            consumer: ConsumerStyle::Block,
            queue: QueueKind::Unbounded,
            queue_impl: QueueImpl::Crossbeam,
            work: WorkKind::Sleep,
            time_scale: 1.0,
        }
    }

    #[test]
    fn zero_times_take_no_time_however_many_items() {
        let s = scenario(20, 20, 1_000_000, 0, 0);
        assert_eq!(
            predict(&s, 1, 2),
            Prediction {
                elapsed_s: 0.0,
                items: 20_000_000,
                queue: None,
            }
        );
    }

    fn elapsed(s: &Scenario) -> f64 {
        predict(s, 1, 2).elapsed_s
    }

    #[test]
    fn reproduces_the_blog_table_exactly() {
        let mut seed = scenario(20, 1, 5, 200, 250);
        seed.consumer = ConsumerStyle::Poll;
        let mut got = Vec::new();
        for consumers in [1, 2, 4, 10, 20, 24, 30] {
            seed.consumers = consumers;
            let p = predict(&seed, 1, 2);
            assert_eq!(p.items, 100);
            got.push(p.elapsed_s);
        }
        assert_eq!(got, [24.75, 12.25, 6.0, 2.25, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn blocking_consumers_by_hand() {
        // 1 producer puts at 0, 100, 200 ms and finishes at 300 ms. One consumer works
        // 250 ms per item: takes at 0 → done 250, takes 2nd at 250 → 500, 3rd → 750 ms.
        assert_eq!(elapsed(&scenario(1, 1, 3, 100, 250)), 0.75);
        // Two consumers: item 1 at 0 → 250, item 2 at 100 → 350, item 3 taken at 250 by
        // the first free consumer → 500 ms.
        assert_eq!(elapsed(&scenario(1, 2, 3, 100, 250)), 0.5);
        // Fast consumers: the producer's last produce time ends the run at 3 × 100 ms.
        assert_eq!(elapsed(&scenario(1, 4, 3, 100, 10)), 0.3);
    }

    #[test]
    fn bounded_queue_backpressure_by_hand() {
        // Capacity 1, one consumer at 100 ms per item, producer with no produce time.
        // t=0: item 1 put, taken at once (queue empty again); item 2 put at 0 fills the
        // queue; item 3 blocks. t=100: item 1 done, item 2 taken, item 3's put returns,
        // then item 4 blocks. Each 100 ms one item is done: 4 items end at 400 ms.
        let mut s = scenario(1, 1, 4, 0, 100);
        s.queue = QueueKind::Bounded { capacity: 1 };
        assert_eq!(elapsed(&s), 0.4);
        // With a 300 ms produce time the producer's clock restarts when a blocked put
        // returns: puts at 0, 300, 600; consumer works 500 ms each: item 1 0→500,
        // item 2 (put 300) taken 500→1000, item 3 put at 600 waits in the queue (room for
        // 1), taken 1000→1500. Producer finishes 600+300 = 900. End 1.5 s.
        let mut s = scenario(1, 1, 3, 300, 500);
        s.queue = QueueKind::Bounded { capacity: 1 };
        assert_eq!(elapsed(&s), 1.5);
    }

    #[test]
    fn rendezvous_by_hand() {
        // Capacity 0: a put completes only when a consumer takes. Consumer 200 ms/item,
        // producer 50 ms. Put 1 at 0 handed over at once (consumer idle) → done 200.
        // Put 2 due 50 blocks until 200, returns at 200 → consumer 200→400; put 3 due
        // 250 blocks until 400 → 600. Producer finishes 400 + 50 = 450. End 0.6 s.
        let mut s = scenario(1, 1, 3, 50, 200);
        s.queue = QueueKind::Bounded { capacity: 0 };
        assert_eq!(elapsed(&s), 0.6);
    }

    #[test]
    fn a_rendezvous_serves_waiting_producers_in_turn() {
        // 4 producers (10 ms), 3 polling consumers (30 ms), capacity 0, 25 items each.
        // Every round all 4 producers wait; 3 are served, the fourth first next round.
        // 100 items take 34 rounds: the last at 33 × 30 ms, its producer done 10 ms on.
        let mut s = scenario(4, 3, 25, 10, 30);
        s.consumer = ConsumerStyle::Poll;
        s.queue = QueueKind::Bounded { capacity: 0 };
        assert_eq!(elapsed(&s), 1.0);
    }

    #[test]
    fn spin_work_shares_the_cores() {
        // 4 consumers spinning 100 ms per item on 2 cores: 8 items arrive at once (the
        // producer spins 0 ms). Each pair of cores serves 4 busy threads at half speed:
        // 4 items take 200 ms, the next 4 another 200 ms.
        let mut s = scenario(1, 4, 8, 0, 100);
        s.work = WorkKind::Spin;
        assert_eq!(elapsed(&s), 0.4);
        // On 4 cores no thread waits for a core: 2 rounds of 100 ms.
        assert_eq!(predict(&s, 1, 4).elapsed_s, 0.2);
    }

    proptest::proptest! {
        /// For blocking consumers and fixed times, elapsed is never below the simple bound
        /// max(items × produce, ceil(total / consumers) × consume) and stays within one
        /// produce time plus one consume time of it.
        #[test]
        fn blocking_consumers_stay_near_the_simple_bound(
            producers in 1u32..8,
            consumers in 1u32..12,
            items in 0u64..20,
            produce in 0u64..50,
            consume in 0u64..50,
        ) {
            let s = scenario(producers, consumers, items, produce, consume);
            let total = u64::from(producers) * items;
            let by_producers = items * produce;
            let by_consumers = total.div_ceil(u64::from(consumers)) * consume;
            let bound = by_producers.max(by_consumers) as f64 / 1e3;
            let got = elapsed(&s);
            let slack = (produce + consume) as f64 / 1e3;
            proptest::prop_assert!(got >= bound - 1e-9, "{got} below bound {bound}");
            proptest::prop_assert!(got <= bound + slack + 1e-9, "{got} far above bound {bound}");
        }
    }

    #[test]
    fn polling_with_zero_period_waits_for_items_instead_of_looping() {
        let mut s = scenario(1, 2, 5, 10, 0);
        s.consumer = ConsumerStyle::Poll;
        assert_eq!(elapsed(&s), 0.05);
    }
}

#[cfg(test)]
mod queue_tests {
    use super::*;
    use crate::scenario::QueueKind;

    /// One blocking consumer on an unbounded queue, fixed times.
    fn fixed(producers: u32, items: u64, produce_ms: u64, consume_ms: u64) -> Scenario {
        super::tests::scenario(producers, 1, items, produce_ms, consume_ms)
    }

    /// By hand: puts at 0, 10, 20, 30, 40 ms; one consumer takes every 20 ms from 0, so
    /// item k is taken at 20k ms and waits 10k ms: 0, 10, 20, 30, 40 ms. Just after the
    /// put at 40 ms items 2, 3 and 4 are on the queue (puts come before takes).
    #[test]
    fn a_fixed_schedule_waits_as_worked_out_by_hand() {
        let q = predict(&fixed(1, 5, 10, 20), 1, 2).queue.expect("modelled");
        let ms = |s: f64| (s * 1e3 * 100.0).round() / 100.0;
        assert_eq!(ms(q.wait_mean_s), 20.0);
        assert!((19.8..=20.2).contains(&ms(q.wait_p50_s)), "{q:?}");
        assert!((39.6..=40.4).contains(&ms(q.wait_max_s)), "{q:?}");
        assert_eq!(q.waited_fraction, 0.8);
        assert_eq!(q.max_depth, Some(3));
        assert_eq!((q.consumer_items_min, q.consumer_items_max), (5, 5));
        assert_eq!(q.empty_polls, 0);
    }

    /// By hand, capacity 1, puts due every 1 ms, one consumer working 10 ms from each
    /// take. Item 0 is taken at 0; item 1 goes on the queue at 1 ms and waits until the
    /// take at 10 ms (9 ms); item 2's put, called at 2 ms, blocks until that take (8 ms
    /// blocked) and its item then waits on the queue from 10 to 20 ms; item 3's put is
    /// called at 11 ms, blocks until 20 ms (9 ms), and waits from 20 to 30 ms.
    #[test]
    fn a_full_queue_blocks_its_producer_and_the_item_waits_from_the_return() {
        let mut s = fixed(1, 4, 1, 10);
        s.queue = QueueKind::Bounded { capacity: 1 };
        let q = predict(&s, 1, 2).queue.expect("modelled");
        assert_eq!(q.max_depth, Some(1), "never more than the capacity");
        assert!((q.wait_mean_s * 1e3 - (0.0 + 9.0 + 10.0 + 10.0) / 4.0).abs() < 1e-9);
        assert!((q.blocked_total_s * 1e3 - 17.0).abs() < 1e-9, "{q:?}");
    }

    /// A rendezvous: every item is handed over as its put returns, so it waits for
    /// nothing; the producer's time waiting for a taker is blocked time.
    #[test]
    fn a_rendezvous_item_waits_for_nothing() {
        let mut s = fixed(1, 3, 0, 10);
        s.queue = QueueKind::Bounded { capacity: 0 };
        let q = predict(&s, 1, 2).queue.expect("modelled");
        // The histogram's floor is 1 ns: a wait of 0 reads as at most that.
        assert!(q.wait_max_s <= 1e-9 && q.waited_fraction == 0.0, "{q:?}");
        // Puts called at 0, 0 and 10 ms return at 0, 10 and 20 ms.
        assert_eq!((q.blocked_total_s * 1e3).round(), 20.0);
        assert_eq!(q.max_depth, Some(0));
    }

    /// Polling consumers: a poll that finds nothing is counted.
    #[test]
    fn empty_polls_are_counted() {
        let mut s = fixed(1, 2, 100, 30);
        s.consumer = ConsumerStyle::Poll;
        let q = predict(&s, 1, 2).queue.expect("modelled");
        // Puts at 0 and 100 ms; polls every 30 ms from 0: 0 finds item 0, 30, 60 and 90
        // find nothing, 120 finds item 1, and 150 and 180 find nothing while the producer
        // spends its last produce time (done at 200 ms, when the run ends).
        assert_eq!(q.empty_polls, 5);
        assert_eq!((q.consumer_items_min, q.consumer_items_max), (2, 2));
    }
}
