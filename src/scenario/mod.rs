//! The scenario vocabulary: `Scenario`, one fully specified point of a sweep, as plain
//! data, and the words, keys, durations and draws it is made of.
//!
//! A leaf: it uses std, rand and rand_distr only. It owns the scenario's values, the key
//! table (`key`), the word enums (`words`), the duration grammar (`duration`), times and
//! distributions (`time`) and the streams of random draws (`draws`), so the threaded
//! runner and the model draw exactly the same times for the same run. It does not read
//! files (see `experiment`) nor run anything (see `runner` and `model`).

mod draws;
pub mod duration;
pub mod key;
mod time;
pub mod words;

use std::fmt;

pub use draws::{Draws, WorkDraws, run_seed, splitmix};
pub use key::{Accepts, KeySpec, ScenarioKey};
pub use time::{Dist, Sampler, TimeSpec, distributions_help};
pub use words::{ConsumerStyle, QueueBound, QueueImpl, WorkKind, quoted_list};

use draws::stream;

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
    /// Bytes each item carries through the queue: one of `key::ITEM_BYTES`. The model
    /// ignores it: moving bytes takes no virtual time.
    pub item_bytes: u64,
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

/// The shared queue between producers and consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueKind {
    Unbounded,
    /// Producers block while it holds `capacity` items; 0 is a rendezvous hand-over.
    Bounded {
        capacity: u64,
    },
}

impl QueueKind {
    /// The word of the `queue` key.
    pub fn bound(self) -> QueueBound {
        match self {
            QueueKind::Unbounded => QueueBound::Unbounded,
            QueueKind::Bounded { .. } => QueueBound::Bounded,
        }
    }

    pub fn name(self) -> &'static str {
        self.bound().name()
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

impl Scenario {
    /// The value of `key` as written in CSV cells and labels. Archives are read back by
    /// comparing their cells with this text, so a change to it makes every earlier
    /// `runs.csv` unreadable (`plot_redraws_every_committed_folder_exactly` replots the
    /// committed ones).
    pub fn value_text(&self, key: ScenarioKey) -> String {
        match key {
            ScenarioKey::Producers => self.producers.to_string(),
            ScenarioKey::Consumers => self.consumers.to_string(),
            ScenarioKey::ItemsPerProducer => self.items_per_producer.to_string(),
            ScenarioKey::ItemBytes => self.item_bytes.to_string(),
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
            ScenarioKey::ItemBytes => Some(self.item_bytes as f64),
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
