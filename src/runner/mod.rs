//! Real threads: runs a scenario once and measures it.
//!
//! Owns the queue, the producer and consumer threads, pacing to deadlines and the
//! per-run metrics. It hands back a plain `Measurement`; it knows nothing of files,
//! statistics or the model. Scheduling many runs lives in `schedule`.

mod gate;
mod item;
mod pace;
mod put;
mod queue;
mod sample;
mod schedule;
mod takes;
mod tally;
mod threads;
mod turnstile;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, ScopedJoinHandle};
use std::time::Instant;

pub use queue::{LockedPutter, LockedTaker, locked};
pub use schedule::{estimate_wall_s, launch_order, run_plans};
pub use tally::Checksum;

use crate::record::QueueMetrics;
use crate::scenario::{ConsumerStyle, QueueKind, Scenario, WorkKind};
use crate::trace::{NoTrace, Recorder, Trace, tracks_for};
use crate::waits::WaitTally;
use item::{InstantItem, Item, PacedItem, Polled};
use put::{ModelOrder, PutGate};
use sample::Sample;
use tally::{Tally, Totals};
use threads::{Ending, Finish, Handoff, Padded, ProducerTally, Shared};

/// The message of a run abandoned on request.
const CANCELLED: &str = "stopped on request";

/// Small stacks: a scenario may start thousands of threads that need little of it.
const STACK_BYTES: usize = 256 * 1024;

/// Stack per byte of an item, beyond `STACK_BYTES`: an item moved by value has copies in
/// several frames at once (the loop's, the queue call's, the crate's own). Runs of 64 KiB
/// items through every implementation, queue kind and consumer style, traced, found the
/// need: in a release build flume's consumers need 12 bytes a byte (std 10, crossbeam 8,
/// mutex and kanal 6); a debug build keeps far more copies (48 overflows, 64 runs). Each
/// gets twice that.
const STACK_PER_ITEM_BYTE: usize = if cfg!(debug_assertions) { 128 } else { 24 };

/// The stack of each thread of a run with items of `item_bytes`: 256 KiB at 8 bytes,
/// 1.75 MiB at 64 KiB in a release build. Only the pages a thread touches are ever
/// resident.
fn stack_bytes(item_bytes: u64) -> usize {
    let item_bytes = usize::try_from(item_bytes).unwrap_or(usize::MAX);
    STACK_BYTES.saturating_add(item_bytes.saturating_mul(STACK_PER_ITEM_BYTE))
}

/// What one run measured. Times are wall-clock seconds as they ran, after scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// From before the first thread started until all producers finished and every item
    /// was counted.
    pub elapsed_s: f64,
    pub items: u64,
    pub queue: QueueMetrics,
    /// Every thread's events, for a run made with `run_traced`.
    pub trace: Option<Box<Trace>>,
}

/// A run that could not give a measurement.
#[derive(Debug)]
pub struct RunError {
    pub scenario: String,
    pub message: String,
    /// True when the run was stopped on request rather than failing.
    pub cancelled: bool,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.scenario, self.message)
    }
}

impl std::error::Error for RunError {}

/// Runs `scenario` once with real threads, drawing random times from `run_seed`; raising
/// `cancel` abandons the run, its threads stopped and joined.
pub fn run_once(
    scenario: &Scenario,
    run_seed: u64,
    cancel: &AtomicBool,
) -> Result<Measurement, RunError> {
    let none = |n: u32| vec![NoTrace; n as usize];
    let recorders = (none(scenario.producers), none(scenario.consumers));
    run_with(scenario, run_seed, cancel, recorders).map(|(measurement, ..)| measurement)
}

/// Runs `scenario` once as `run_once` does, every thread recording what it does into a
/// buffer allocated before the run starts (see `trace::EVENT_CAP`).
pub fn run_traced(
    scenario: &Scenario,
    run_seed: u64,
    cancel: &AtomicBool,
) -> Result<Measurement, RunError> {
    let tracks = tracks_for(scenario);
    let (mut measurement, producers, consumers, end_ns) =
        run_with(scenario, run_seed, cancel, tracks)?;
    let mut trace = Trace {
        tracks: producers.into_iter().chain(consumers).collect(),
        end_ns,
    };
    trace.trim_to_end();
    measurement.trace = Some(Box::new(trace));
    Ok(measurement)
}

/// Whether a rendezvous goes through queuelab's offers (see `Handoff`): wherever the
/// schedule needs to know when an item was taken, that is with polling consumers, or with
/// producers that have a time to pace. With instant producers and blocking consumers
/// nothing is scheduled from a take, so the crate's own zero-capacity channel is used:
/// that is what a benchmark of channels (crossbeam's suite, bounded(0)) measures.
fn needs_handoff(scenario: &Scenario) -> bool {
    scenario.queue.capacity() == Some(0)
        && (scenario.consumer == ConsumerStyle::Poll || !scenario.produce_is_instant())
}

/// A run with one recorder per producer and per consumer, handed back after the run with
/// the run's end in nanoseconds. The recorder is a type parameter, so a run that records
/// nothing (`NoTrace`) is compiled without any recording.
fn run_with<R: Recorder>(
    scenario: &Scenario,
    run_seed: u64,
    cancel: &AtomicBool,
    recorders: (Vec<R>, Vec<R>),
) -> Result<(Measurement, Vec<R>, Vec<R>, u64), RunError> {
    let fail = |message: String| RunError {
        scenario: scenario.to_string(),
        cancelled: message == CANCELLED,
        message,
    };
    let rendezvous = scenario.queue.capacity() == Some(0);
    let handoff = needs_handoff(scenario);
    let capacity = match scenario.queue {
        _ if handoff => None,
        QueueKind::Unbounded => None,
        QueueKind::Bounded { capacity } => Some(usize::try_from(capacity).unwrap_or(usize::MAX)),
    };
    let polls_in_order =
        scenario.consumer == ConsumerStyle::Poll && scenario.work == WorkKind::Sleep;
    // Bounded queues with paced producers and sleeping consumers: blocked puts return
    // in line, on the schedule of the takes that make room, not when their threads wake.
    let model_order = ModelOrder::of(scenario, capacity);
    let shared = Shared {
        scenario,
        run_seed,
        start: Instant::now(),
        stop: Padded(AtomicBool::new(false)),
        poll_gate: (polls_in_order && model_order.is_none())
            .then(|| PutGate::new(scenario.producers as usize)),
        handoff: handoff.then(|| Handoff::new(scenario.producers as usize)),
        rendezvous,
        finish: Finish::new(scenario.producers as usize, scenario.total_items()),
        work: scenario.work_draws(run_seed),
        takes: AtomicU64::new(0),
        sample: Sample::new(scenario.total_items()),
        model_order,
    };
    // Only a blocking consumer paces from when an item's put was due, and only a paced
    // producer's puts are due at other times than the start.
    let paced_items = !scenario.produce_is_instant() && scenario.consumer == ConsumerStyle::Block;
    let run = sized::<R>(scenario.item_bytes).map_err(fail)?;
    let (end_ns, producers, tallies) =
        run(&shared, capacity, cancel, recorders, paced_items).map_err(fail)?;
    let (producers, producer_recorders): (Vec<ProducerTally>, Vec<R>) =
        producers.into_iter().unzip();
    let (tallies, consumer_recorders): (Vec<Tally>, Vec<R>) = tallies.into_iter().unzip();
    let totals = Totals::merge(&tallies);
    if !totals.each_once(scenario.total_items()) {
        return Err(fail(format!(
            "expected each of {} items consumed exactly once, but {} were counted or the ids differ",
            scenario.total_items(),
            totals.items()
        )));
    }
    if totals.damaged > 0 {
        return Err(fail(format!(
            "{} of {} items arrived with other bytes than their producer put",
            totals.damaged,
            totals.items()
        )));
    }
    let measurement = Measurement {
        elapsed_s: end_ns as f64 / 1e9,
        items: totals.items(),
        queue: {
            let mut blocked = WaitTally::new();
            producers.iter().for_each(|p| blocked.add(&p.blocked));
            let mut queue = QueueMetrics::new(
                totals.waits.unwrap_or_default(),
                producers.iter().filter_map(|p| p.max_depth).max(),
                totals.empty_polls,
                (totals.consumer_items_min, totals.consumer_items_max),
            );
            queue.set_blocked(
                producers.iter().map(|p| p.blocked_total_ns).sum(),
                blocked.summary().map_or(0, |b| b.p99_ns),
            );
            queue
        },
        trace: None,
    };
    Ok((measurement, producer_recorders, consumer_recorders, end_ns))
}

type Threads<R> = (u64, Vec<(ProducerTally, R)>, Vec<(Tally, R)>);

/// A run's threads over items of one size: (shared, capacity, cancel, recorders,
/// whether consumers pace from when each put was due).
type RunItems<R> =
    fn(&Shared, Option<usize>, &AtomicBool, (Vec<R>, Vec<R>), bool) -> Result<Threads<R>, String>;

/// The runner compiled for items of `item_bytes` (one of `scenario::key::ITEM_BYTES`,
/// each a `[u64; item_bytes / 8]`).
fn sized<R: Recorder>(item_bytes: u64) -> Result<RunItems<R>, String> {
    Ok(match item_bytes {
        8 => run_items::<1, R>,
        16 => run_items::<2, R>,
        32 => run_items::<4, R>,
        64 => run_items::<8, R>,
        128 => run_items::<16, R>,
        256 => run_items::<32, R>,
        512 => run_items::<64, R>,
        1024 => run_items::<128, R>,
        2048 => run_items::<256, R>,
        4096 => run_items::<512, R>,
        8192 => run_items::<1024, R>,
        16384 => run_items::<2048, R>,
        32768 => run_items::<4096, R>,
        65536 => run_items::<8192, R>,
        other => return Err(format!("no runner for items of {other} bytes")),
    })
}

/// Items of `W` words, carrying when their put was due only where consumers pace from it.
/// Polling and blocking consumers take items of different types, so that no compiled
/// copy of a queue is reached both ways (see `queue::Taker::take_if_any`).
fn run_items<const W: usize, R: Recorder>(
    shared: &Shared,
    capacity: Option<usize>,
    cancel: &AtomicBool,
    recorders: (Vec<R>, Vec<R>),
    paced_items: bool,
) -> Result<Threads<R>, String> {
    match (shared.scenario.consumer, paced_items) {
        (ConsumerStyle::Poll, _) => run_threads::<Polled<InstantItem<W>>, R>(
            shared,
            capacity,
            cancel,
            recorders,
            threads::poll,
        ),
        (ConsumerStyle::Block, true) => {
            run_threads::<PacedItem<W>, R>(shared, capacity, cancel, recorders, threads::block)
        }
        (ConsumerStyle::Block, false) => {
            run_threads::<InstantItem<W>, R>(shared, capacity, cancel, recorders, threads::block)
        }
    }
}

/// A consumer's loop: `threads::poll` or `threads::block`.
type Consume<I, R> = fn(&Shared, u32, queue::Taker<I>, R) -> (Tally, R);

/// Starts producers, then consumers running `consume`; waits for completion; stops and
/// joins them.
fn run_threads<I: Item, R: Recorder>(
    shared: &Shared,
    capacity: Option<usize>,
    cancel: &AtomicBool,
    (producer_recorders, consumer_recorders): (Vec<R>, Vec<R>),
    consume: Consume<I, R>,
) -> Result<Threads<R>, String> {
    let (sender, receiver) = queue::new::<I>(shared.scenario.queue_impl, capacity);
    let stack = stack_bytes(shared.scenario.item_bytes);
    thread::scope(|scope| {
        let mut spawn_error = None;
        let mut producers = Vec::new();
        for (producer, trace) in (0..shared.scenario.producers).zip(producer_recorders) {
            let queue = sender.clone();
            let work = move || threads::produce(shared, producer, queue, trace);
            match spawn(scope, format!("producer-{producer}"), stack, work) {
                Ok(handle) => producers.push(handle),
                Err(e) => spawn_error = Some(e),
            }
            if spawn_error.is_some() {
                break;
            }
        }
        drop(sender);
        let mut consumers = Vec::new();
        for (consumer, trace) in (0..shared.scenario.consumers).zip(consumer_recorders) {
            if spawn_error.is_some() {
                break;
            }
            let queue = receiver.clone();
            let work = move || consume(shared, consumer, queue, trace);
            match spawn(scope, format!("consumer-{consumer}"), stack, work) {
                Ok(handle) => consumers.push(handle),
                Err(e) => spawn_error = Some(e),
            }
        }
        drop(receiver);
        let ending = match spawn_error {
            Some(_) => Ending::Failed,
            None => shared.finish.wait(cancel),
        };
        shared.stop.store(true, Ordering::SeqCst);
        for thread in producers
            .iter()
            .map(|h| h.thread())
            .chain(consumers.iter().map(|h| h.thread()))
        {
            thread.unpark();
        }
        let seen: Vec<Option<(ProducerTally, R)>> =
            producers.into_iter().map(|h| h.join().ok()).collect();
        let tallies: Vec<Option<(Tally, R)>> =
            consumers.into_iter().map(|h| h.join().ok()).collect();
        if let Some(error) = spawn_error {
            return Err(format!(
                "could not start a thread: {error} (lower producers or consumers, or raise \
                 the limit on threads, `ulimit -u`, or on memory, `ulimit -v`)"
            ));
        }
        let seen: Option<Vec<(ProducerTally, R)>> = seen.into_iter().collect();
        let tallies: Option<Vec<(Tally, R)>> = tallies.into_iter().collect();
        match (ending, seen, tallies) {
            (Ending::Cancelled, _, _) => Err(CANCELLED.to_string()),
            (Ending::Done(end), Some(seen), Some(tallies)) => Ok((end, seen, tallies)),
            _ => Err("a producer or consumer thread panicked; the run is void".to_string()),
        }
    })
}

/// Starts one thread of a run. `Builder::spawn_scoped` returns the failure (thread limit,
/// no memory for a stack) where `scope.spawn` would panic, so the run fails alone.
fn spawn<'scope, 'env, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, 'env>,
    name: String,
    stack: usize,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<ScopedJoinHandle<'scope, T>> {
    #[cfg(test)]
    spawn_hook::check()?;
    thread::Builder::new()
        .name(name)
        .stack_size(stack)
        .spawn_scoped(scope, work)
}

/// Makes a chosen spawn fail, as the kernel does at a thread limit: no limit makes it
/// fail deterministically (root ignores RLIMIT_NPROC), so tests use this instead.
#[cfg(test)]
mod spawn_hook {
    use std::cell::Cell;

    thread_local! {
        /// Spawns left before one fails, on the thread that starts a run's threads.
        static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    pub fn fail_after(spawns: usize) {
        LEFT.with(|left| left.set(Some(spawns)));
    }

    pub fn check() -> std::io::Result<()> {
        LEFT.with(|left| match left.get() {
            Some(0) => {
                left.set(None);
                Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    "Resource temporarily unavailable (test)",
                ))
            }
            Some(n) => {
                left.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::parse;
    use crate::scenario::QueueImpl;
    use crate::scenario::key::ITEM_BYTES;
    use std::path::Path;
    use std::time::Duration;

    /// A zero-time scenario of `producers` × `items` items, to vary field by field.
    fn zero_time(producers: u32, items: u64) -> Scenario {
        let text = format!(
            "[scenario]\nproducers = {producers}\nconsumers = 2\nitems_per_producer = {items}\n\
             produce_time = \"0ms\"\nconsume_time = \"0ms\"\n"
        );
        let experiment = parse(Path::new("t.toml"), &text).expect("valid");
        experiment.scenarios[0].clone()
    }

    /// Every queue kind an implementation has: unbounded, bounded, and a rendezvous
    /// where it has one.
    fn kinds(implementation: QueueImpl) -> Vec<QueueKind> {
        let mut kinds = vec![
            QueueKind::Unbounded,
            QueueKind::Bounded { capacity: 1 },
            QueueKind::Bounded { capacity: 4 },
        ];
        if implementation.has_rendezvous() {
            kinds.push(QueueKind::Bounded { capacity: 0 });
        }
        kinds
    }

    /// Runs `scenario` once; the run must succeed and count every item, each once (the
    /// runner fails a run whose ids or payloads are off).
    fn runs_whole(scenario: &Scenario, traced: bool) {
        let cancel = AtomicBool::new(false);
        let run = if traced { run_traced } else { run_once };
        let measured = run(scenario, 7, &cancel).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(measured.items, scenario.total_items(), "{scenario:?}");
    }

    #[test]
    fn every_implementation_moves_every_item_once_in_every_queue_by_either_consumer() {
        for &implementation in QueueImpl::ALL {
            for queue in kinds(implementation) {
                for consumer in [ConsumerStyle::Poll, ConsumerStyle::Block] {
                    for item_bytes in [8, 32] {
                        let scenario = Scenario {
                            queue_impl: implementation,
                            queue,
                            consumer,
                            item_bytes,
                            ..zero_time(3, 400)
                        };
                        runs_whole(&scenario, false);
                    }
                }
            }
        }
    }

    /// Zero-time blocking consumers use the crate's own zero-capacity channel, as a
    /// channel benchmark does; every other rendezvous goes through queuelab's offers,
    /// whose takes the schedule needs. Either way a rendezvous holds no item.
    #[test]
    fn a_rendezvous_uses_offers_only_where_the_schedule_needs_its_takes() {
        let rendezvous = QueueKind::Bounded { capacity: 0 };
        let paced = parse(
            Path::new("t.toml"),
            "[scenario]\nproduce_time = \"1ms\"\nconsume_time = \"0ms\"\nitems_per_producer = 5\n",
        )
        .expect("valid")
        .scenarios[0]
            .clone();
        let case = |base: &Scenario, consumer, queue| Scenario {
            consumer,
            queue,
            ..base.clone()
        };
        let instant = zero_time(3, 200);
        assert!(!needs_handoff(&case(
            &instant,
            ConsumerStyle::Block,
            rendezvous
        )));
        assert!(needs_handoff(&case(
            &instant,
            ConsumerStyle::Poll,
            rendezvous
        )));
        assert!(needs_handoff(&case(
            &paced,
            ConsumerStyle::Block,
            rendezvous
        )));
        let bounded = QueueKind::Bounded { capacity: 1 };
        assert!(!needs_handoff(&case(&paced, ConsumerStyle::Block, bounded)));
        for &queue_impl in QueueImpl::ALL.iter().filter(|q| q.has_rendezvous()) {
            for base in [&instant, &paced] {
                let scenario = Scenario {
                    queue_impl,
                    ..case(base, ConsumerStyle::Block, rendezvous)
                };
                let measured = run_once(&scenario, 7, &AtomicBool::new(false))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(measured.items, scenario.total_items(), "{scenario:?}");
                assert_eq!(measured.queue.max_depth, Some(0), "{scenario:?}");
            }
        }
    }

    /// Paced producers and consumers on a full bounded queue keep the model's order
    /// (producers in line, puts after the takes due before them, polls waiting for a
    /// pending refill): whatever the implementation and the mix of threads, every run
    /// ends with every item counted once, and no thread waits for another forever.
    #[test]
    fn runs_in_the_models_order_on_a_full_queue_always_finish() {
        let text = "time_scale = 0.01\n[scenario]\nitems_per_producer = 40\nqueue = \"bounded\"\n\
                    produce_time = { dist = \"exp\", mean = \"2ms\" }\n\
                    consume_time = { dist = \"exp\", mean = \"1ms\" }\n\
                    [sweep]\nproducers = [1, 4]\nconsumers = [1, 3]\ncapacity = [1, 2]\n\
                    consumer = [\"block\", \"poll\"]\n";
        let experiment = parse(Path::new("t.toml"), text).expect("valid");
        for scenario in &experiment.scenarios {
            for &queue_impl in QueueImpl::ALL {
                let scenario = Scenario {
                    queue_impl,
                    ..scenario.clone()
                };
                for seed in [1, 2] {
                    let measured = run_once(&scenario, seed, &AtomicBool::new(false))
                        .unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(measured.items, scenario.total_items(), "{scenario:?}");
                }
            }
        }
    }

    #[test]
    fn every_item_size_runs() {
        for &item_bytes in ITEM_BYTES {
            let scenario = Scenario {
                item_bytes,
                ..zero_time(2, 50)
            };
            runs_whole(&scenario, false);
        }
    }

    /// The largest items through every implementation and queue, traced too: by value,
    /// 64 KiB a copy, they must fit the threads' stacks (worst in a debug build).
    #[test]
    fn the_largest_items_fit_every_threads_stack() {
        let largest = *ITEM_BYTES.last().expect("sizes");
        for &implementation in QueueImpl::ALL {
            for queue in kinds(implementation) {
                for consumer in [ConsumerStyle::Poll, ConsumerStyle::Block] {
                    let scenario = Scenario {
                        queue_impl: implementation,
                        queue,
                        consumer,
                        item_bytes: largest,
                        ..zero_time(2, 6)
                    };
                    runs_whole(&scenario, false);
                    runs_whole(&scenario, true);
                }
            }
        }
    }

    /// A thread that cannot start, first among producers then among consumers, fails
    /// that run with its scenario named; the threads already started are stopped and
    /// joined (the call returns), and nothing panics.
    #[test]
    fn a_thread_that_cannot_start_fails_only_its_run() {
        let text = "time_scale = 0.01\n[scenario]\nproducers = 3\nconsumers = 3\n\
                    items_per_producer = 50\nproduce_time = \"10ms\"\nconsume_time = \"10ms\"\n\
                    [sweep]\nconsumer = [\"poll\", \"block\"]\n";
        let experiment = parse(Path::new("t.toml"), text).expect("valid");
        for scenario in experiment.scenarios {
            for started in [1, 4] {
                let (tx, rx) = std::sync::mpsc::channel();
                let scenario = scenario.clone();
                std::thread::spawn(move || {
                    spawn_hook::fail_after(started);
                    let _ = tx.send(run_once(&scenario, 1, &AtomicBool::new(false)));
                });
                let result = rx
                    .recv_timeout(Duration::from_secs(60))
                    .expect("the run ends: started threads stopped and joined");
                let error = result.expect_err("the run fails");
                assert!(!error.cancelled);
                assert!(error.to_string().starts_with("scenario "), "{error}");
                assert!(
                    error.message.contains("could not start a thread"),
                    "{error}"
                );
            }
        }
    }
}
