//! `Scenario`: one fully specified point of a sweep, as plain data.
//!
//! Owns the scenario's values and the streams of random draws that belong to it, so the
//! threaded runner and the model draw exactly the same times for the same run. It does
//! not parse files (see `experiment`) nor run anything (see `runner` and `model`).

use std::fmt;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use crate::experiment::{Sampler, ScenarioKey, TimeSpec};

/// One point of the sweep: everything a run needs to know.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Position in the sweep, from 0: rows are sorted by it.
    pub index: usize,
    /// The swept keys and their values, such as `consumers=4`; `all` when nothing is swept.
    pub label: String,
    pub producers: u32,
    pub consumers: u32,
    pub items_per_producer: u64,
    pub produce_time: TimeSpec,
    pub consume_time: TimeSpec,
    pub consumer: ConsumerStyle,
    pub queue: QueueKind,
    /// Which code the queue is: the same semantics, different costs.
    pub queue_impl: QueueImpl,
    pub work: WorkKind,
    /// Every duration is multiplied by this when the scenario runs.
    pub time_scale: f64,
}

/// How consumers take items: the blog's polling loop, or a blocking take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerStyle {
    /// Non-blocking take, counted when taken, then wait one consume time, item or not.
    Poll,
    /// Blocking take, then work for the item's consume time, then count it.
    Block,
}

/// The shared queue between producers and consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    Unbounded,
    /// Producers block while it holds `capacity` items; 0 is a rendezvous hand-over.
    Bounded {
        capacity: u64,
    },
}

/// The queue's implementation, so the same scenario can compare what each costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueImpl {
    /// `crossbeam-channel`: lock-free, the default.
    Crossbeam,
    /// `std::sync::mpsc`, its single receiver shared by the consumers behind a mutex.
    Std,
    /// `Mutex<VecDeque>` with condition variables, as Python's `queue.Queue` is built.
    Mutex,
}

impl QueueImpl {
    pub const ALL: [QueueImpl; 3] = [QueueImpl::Crossbeam, QueueImpl::Std, QueueImpl::Mutex];

    pub fn name(self) -> &'static str {
        match self {
            QueueImpl::Crossbeam => "crossbeam",
            QueueImpl::Std => "std",
            QueueImpl::Mutex => "mutex",
        }
    }

    /// Whether it can hand an item over without holding it (capacity 0): a channel can,
    /// a `Mutex<VecDeque>` cannot (Python's `maxsize=0` means unbounded instead).
    pub fn has_rendezvous(self) -> bool {
        self != QueueImpl::Mutex
    }
}

/// What a produce or consume time is spent doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkKind {
    /// `thread::sleep`: waiting, like I/O; threads do not compete for cores.
    Sleep,
    /// Burning that much CPU time: threads compete for the machine's cores.
    Spin,
}

impl ConsumerStyle {
    pub fn name(self) -> &'static str {
        match self {
            ConsumerStyle::Poll => "poll",
            ConsumerStyle::Block => "block",
        }
    }
}

impl WorkKind {
    pub fn name(self) -> &'static str {
        match self {
            WorkKind::Sleep => "sleep",
            WorkKind::Spin => "spin",
        }
    }
}

impl QueueKind {
    pub fn name(self) -> &'static str {
        match self {
            QueueKind::Unbounded => "unbounded",
            QueueKind::Bounded { .. } => "bounded",
        }
    }

    /// The capacity, or `None` for an unbounded queue.
    pub fn capacity(self) -> Option<u64> {
        match self {
            QueueKind::Unbounded => None,
            QueueKind::Bounded { capacity } => Some(capacity),
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenario {} ({})", self.index + 1, self.label)
    }
}

impl Scenario {
    /// Items the run must consume, each exactly once.
    pub fn total_items(&self) -> u64 {
        u64::from(self.producers) * self.items_per_producer
    }

    /// True when producers spend no time between puts, so nothing paces them.
    pub fn produce_is_instant(&self) -> bool {
        self.produce_time.sampler(self.time_scale).fixed_ns() == Some(0)
    }

    /// True when consumers spend no time per item (or between polls).
    pub fn consume_is_instant(&self) -> bool {
        self.consume_time.sampler(self.time_scale).fixed_ns() == Some(0)
    }

    /// Whether producers, not consumers, set the pace: together they put items no faster
    /// than the consumers could take them (P / produce ≤ N / consume, by mean times).
    pub fn producer_limited(&self) -> bool {
        let produce = self.produce_time.mean().as_secs_f64();
        let consume = self.consume_time.mean().as_secs_f64();
        produce > 0.0 && f64::from(self.producers) * consume <= f64::from(self.consumers) * produce
    }

    /// Threads a run starts besides the main thread.
    pub fn threads(&self) -> u64 {
        u64::from(self.producers) + u64::from(self.consumers)
    }

    /// Producer `producer`'s produce times in run `run_seed`.
    pub fn produce_draws(&self, run_seed: u64, producer: u32) -> Draws {
        Draws {
            rng: stream(run_seed, 1, producer),
            sampler: self.produce_time.sampler(self.time_scale),
        }
    }

    /// Polling consumer `consumer`'s waits between polls in run `run_seed`.
    pub fn poll_draws(&self, run_seed: u64, consumer: u32) -> Draws {
        Draws {
            rng: stream(run_seed, 2, consumer),
            sampler: self.consume_time.sampler(self.time_scale),
        }
    }

    /// Blocking consumers' work times in run `run_seed`: the n-th item taken works for
    /// the n-th draw, whichever consumer takes it. Tied to the order of takes rather than
    /// to a thread or an item, the draws stay where the model puts them even when
    /// simultaneous puts or idle consumers line up in another order.
    pub fn work_draws(&self, run_seed: u64) -> WorkDraws {
        WorkDraws {
            seed: splitmix(run_seed ^ (3 << 40)),
            sampler: self.consume_time.sampler(self.time_scale),
        }
    }
}

/// The seed of repeat `repeat` in an experiment seeded with `seed`. Every scenario's
/// repeat k draws from the same seed (common random numbers): scenarios that differ only
/// in, say, capacity then meet the same produce and consume times, so the difference
/// between them is the capacity's, not the luck of the draw.
pub fn run_seed(seed: u64, repeat: u32) -> u64 {
    splitmix(splitmix(seed) ^ u64::from(repeat))
}

fn stream(run_seed: u64, role: u64, thread: u32) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix(run_seed ^ (role << 40) ^ u64::from(thread)))
}

/// SplitMix64's finaliser: spreads nearby integers into unrelated seeds.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Draws addressed by number, so threads can share them without a shared generator.
pub struct WorkDraws {
    seed: u64,
    sampler: Sampler,
}

impl WorkDraws {
    /// The fixed time, when every draw is the same: then no take needs numbering.
    pub fn fixed_ns(&self) -> Option<u64> {
        self.sampler.fixed_ns()
    }

    /// The `n`-th draw, from a generator seeded for that draw alone.
    pub fn nth_ns(&self, n: u64) -> u64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(self.seed ^ splitmix(n)));
        self.sampler.draw_ns(&mut rng)
    }
}

/// One thread's stream of produce or consume times, in nanoseconds after scaling.
pub struct Draws {
    rng: Xoshiro256PlusPlus,
    sampler: Sampler,
}

impl Draws {
    pub fn next_ns(&mut self) -> u64 {
        self.sampler.draw_ns(&mut self.rng)
    }
}

impl Scenario {
    /// The value of `key` as written in CSV cells and labels.
    pub fn value_text(&self, key: ScenarioKey) -> String {
        match key {
            ScenarioKey::Producers => self.producers.to_string(),
            ScenarioKey::Consumers => self.consumers.to_string(),
            ScenarioKey::ItemsPerProducer => self.items_per_producer.to_string(),
            ScenarioKey::ProduceTime => self.produce_time.label(),
            ScenarioKey::ConsumeTime => self.consume_time.label(),
            ScenarioKey::Consumer => self.consumer.name().to_string(),
            ScenarioKey::Queue => self.queue.name().to_string(),
            ScenarioKey::Capacity => self
                .queue
                .capacity()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            ScenarioKey::QueueImpl => self.queue_impl.name().to_string(),
            ScenarioKey::Work => self.work.name().to_string(),
        }
    }

    /// The value of `key` as a number on a chart axis: counts as they are, fixed times
    /// in milliseconds; `None` where the value is not a number.
    pub fn axis_value(&self, key: ScenarioKey) -> Option<f64> {
        let ms = |t: &TimeSpec| t.fixed().map(|d| d.as_secs_f64() * 1e3);
        match key {
            ScenarioKey::Producers => Some(f64::from(self.producers)),
            ScenarioKey::Consumers => Some(f64::from(self.consumers)),
            ScenarioKey::ItemsPerProducer => Some(self.items_per_producer as f64),
            ScenarioKey::Capacity => self.queue.capacity().map(|c| c as f64),
            ScenarioKey::ProduceTime => ms(&self.produce_time),
            ScenarioKey::ConsumeTime => ms(&self.consume_time),
            ScenarioKey::Consumer
            | ScenarioKey::Queue
            | ScenarioKey::QueueImpl
            | ScenarioKey::Work => None,
        }
    }
}
