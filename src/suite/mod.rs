//! crossbeam-channel's benchmark suite as vocabulary: its cases (a topology of threads
//! and a class of capacity), which scenario is which case, and what its published plot
//! shows (`published`), so a report can set queuelab's ordering of implementations
//! beside the suite's.
//!
//! A leaf like `scenario`, which it reads: it knows nothing of files, runs or
//! statistics. The ordering itself, with ties by interval, is `stats::published`'s.

mod published;

pub use published::{BARS, PublishedBar, SOURCE, Source};

use crate::scenario::key::DEFAULT_ITEM_BYTES;
use crate::scenario::{ConsumerStyle, QueueKind, Scenario};

crate::words! {
    /// A published benchmark a report can set its results beside
    /// (`[report] compare_with`).
    pub enum Published {
        /// `crossbeam-channel/benchmarks` in github.com/crossbeam-rs/crossbeam.
        CrossbeamChannel = "crossbeam-channel-benchmarks",
    }
}

crate::words! {
    /// The suite's threads: `spsc` one sender and one receiver, `mpsc` T = 4 senders and
    /// one receiver, `mpmc` 4 and 4.
    pub enum Topology {
        Spsc = "spsc",
        Mpsc = "mpsc",
        Mpmc = "mpmc",
    }
}

crate::words! {
    /// The suite's channels, one panel each in its plot.
    pub enum CapacityClass {
        /// A rendezvous: a send waits for its receive.
        Bounded0 = "bounded(0)",
        Bounded1 = "bounded(1)",
        /// Room for every message (N = 5,000,000 in the suite): a send never waits.
        BoundedN = "bounded(N)",
        Unbounded = "unbounded",
    }
}

/// What makes a scenario a case of the suite, for messages.
pub const CASE_RULE: &str = "zero-time work (produce_time and consume_time \"0ms\"), \
    consumer = \"block\", item_bytes = 8 (the suite sends one usize), producers × consumers 1 × 1 (spsc), 4 × 1 (mpsc) or 4 × 4 (mpmc), \
    and a queue of capacity 0 or 1, an unbounded one, or a bounded one that holds every item";

impl Topology {
    /// Its producers and consumers (the suite's T = 4).
    pub fn threads(self) -> (u32, u32) {
        match self {
            Topology::Spsc => (1, 1),
            Topology::Mpsc => (4, 1),
            Topology::Mpmc => (4, 4),
        }
    }
}

/// Messages each case of the suite sends, in all.
pub const MESSAGES: u64 = 5_000_000;

/// One case of the suite: a panel of its plot and a group of bars in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Case {
    pub class: CapacityClass,
    pub topology: Topology,
}

impl Case {
    /// Every case, in the order of the published plot's panels, then spsc, mpsc, mpmc.
    pub fn all() -> impl Iterator<Item = Case> {
        CapacityClass::ALL.iter().flat_map(|class| {
            Topology::ALL.iter().map(|topology| Case {
                class: *class,
                topology: *topology,
            })
        })
    }
}

/// The suite's case `scenario` runs, if it is one: nothing but the queue takes time,
/// consumers block (the suite's receivers do), items of one `u64` (the suite sends a
/// `usize`), 1 × 1, 4 × 1 or 4 × 4 threads, and a rendezvous, a capacity of 1, an
/// unbounded queue or a bounded one with room for every item. The number of items may
/// differ from the suite's; the report says so.
pub fn case_of(scenario: &Scenario) -> Option<Case> {
    let zero_time = scenario.produce_is_instant() && scenario.consume_is_instant();
    if !zero_time
        || scenario.consumer != ConsumerStyle::Block
        || scenario.item_bytes != DEFAULT_ITEM_BYTES
    {
        return None;
    }
    let threads = (scenario.producers, scenario.consumers);
    let topology = *Topology::ALL.iter().find(|t| t.threads() == threads)?;
    let class = match scenario.queue {
        QueueKind::Unbounded => CapacityClass::Unbounded,
        QueueKind::Bounded { capacity: 0 } => CapacityClass::Bounded0,
        QueueKind::Bounded { capacity: 1 } => CapacityClass::Bounded1,
        QueueKind::Bounded { capacity } if capacity >= scenario.total_items() => {
            CapacityClass::BoundedN
        }
        QueueKind::Bounded { .. } => return None,
    };
    Some(Case { class, topology })
}

/// The bars the published plot has for `case`, in the order it draws them.
pub fn published(case: Case) -> impl Iterator<Item = &'static PublishedBar> {
    BARS.iter().filter(move |b| b.case == case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::parse;
    use std::path::Path;

    fn cases(sweep: &str) -> Vec<Option<Case>> {
        let source = format!(
            "[scenario]\nproduce_time = \"0ms\"\nconsume_time = \"0ms\"\n\
             items_per_producer = 100\n{sweep}"
        );
        let experiment = parse(Path::new("x.toml"), &source).expect("valid");
        experiment.scenarios.iter().map(case_of).collect()
    }

    #[test]
    fn the_suites_threads_and_channels_are_its_cases_and_nothing_else() {
        let found = cases(
            "[sweep]\ntogether.t = [{ producers = 1, consumers = 1 }, \
             { producers = 4, consumers = 1 }, { producers = 4, consumers = 4 }, \
             { producers = 2, consumers = 2 }]\n",
        );
        let topologies: Vec<Option<Topology>> =
            found.iter().map(|c| c.map(|c| c.topology)).collect();
        assert_eq!(
            topologies,
            [
                Some(Topology::Spsc),
                Some(Topology::Mpsc),
                Some(Topology::Mpmc),
                None
            ]
        );
        assert!(
            found
                .iter()
                .flatten()
                .all(|c| c.class == CapacityClass::Unbounded)
        );
        // 100 items each: N is a capacity that holds every item of the scenario.
        let classes: Vec<Option<CapacityClass>> =
            cases("queue = \"bounded\"\n[sweep]\ncapacity = [0, 1, 2, 99, 100, 1000]\n")
                .iter()
                .map(|c| c.map(|c| c.class))
                .collect();
        assert_eq!(
            classes,
            [
                Some(CapacityClass::Bounded0),
                Some(CapacityClass::Bounded1),
                None,
                None,
                Some(CapacityClass::BoundedN),
                Some(CapacityClass::BoundedN)
            ]
        );
    }

    #[test]
    fn work_that_takes_time_or_polling_consumers_are_not_the_suite() {
        let timed = parse(
            Path::new("x.toml"),
            "[scenario]\nproduce_time = \"1ms\"\nconsume_time = \"0ms\"\n",
        )
        .expect("valid");
        assert_eq!(case_of(&timed.scenarios[0]), None);
        let polling = cases("consumer = \"poll\"\n");
        assert_eq!(polling, [None]);
        let wide = cases("[sweep]\nitem_bytes = [8, 64]\n");
        assert_eq!(
            wide,
            [
                Some(Case {
                    class: CapacityClass::Unbounded,
                    topology: Topology::Spsc
                }),
                None
            ],
            "the suite's items are one usize"
        );
    }

    #[test]
    fn every_case_is_listed_once_in_the_plots_order() {
        let all: Vec<Case> = Case::all().collect();
        assert_eq!(all.len(), 12);
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, all, "in order, none twice");
    }
}
