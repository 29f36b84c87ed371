//! Threads waiting on the queue: they sleep while they wait, and a stopped run ends every
//! wait.
//!
//! A thread waiting on the queue sleeps: it does not spend CPU time while it waits. A
//! consumer that spins on an empty queue (or a producer on a full one) takes cores from the
//! threads doing the work, and the run then measures the spinning, not the queue. kanal's
//! timed waits spin; this caught it.
//!
//! Measures the process's CPU time over a run in which nearly every thread waits on the
//! queue nearly all the time, for every implementation. In its own test binary, its tests
//! one at a time, so no other test's threads count. Load cannot make a sleeping thread use CPU, and a
//! spinning thread gets a share of the cores however busy they are, so the bound holds
//! on a busy machine and still fails a spinning wait.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use queuelab::experiment;
use queuelab::runner::run_once;
use queuelab::scenario::{QueueImpl, Scenario};
use serial_test::serial;

/// CPU time this process has used, in seconds.
fn process_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn scenario(body: &str, implementation: QueueImpl) -> Scenario {
    let text = format!(
        "[scenario]\n{body}\nconsumer = \"block\"\nqueue_impl = \"{}\"\n",
        implementation.name()
    );
    match experiment::parse(Path::new("waits.toml"), &text) {
        Ok(e) => e.scenarios[0].clone(),
        Err(errors) => panic!("{errors:?}"),
    }
}

/// CPU seconds per wall second over one run of `scenario`.
fn cpu_share(scenario: &Scenario) -> f64 {
    let (cpu, wall) = (process_cpu_s(), Instant::now());
    let measured = run_once(scenario, 1, &AtomicBool::new(false)).expect("the run finishes");
    assert_eq!(measured.items, scenario.total_items());
    (process_cpu_s() - cpu) / wall.elapsed().as_secs_f64()
}

/// Measured here with both cores busy (load 7.8): waits asleep used 0.012-0.030 CPU
/// seconds per second, kanal's spinning timed waits 0.38 (one producer first in line at a
/// full queue) and 0.72 (four consumers at an empty one). The bound lies five times
/// above the first and two and a half times below the second.
const MOST_CPU_WHILE_WAITING: f64 = 0.15;

/// Consumers wait on an empty queue: one producer puts an item every `period`.
fn empty_queue(period: &str) -> String {
    format!(
        "producers = 1\nconsumers = 4\nitems_per_producer = 8\n\
         produce_time = \"{period}\"\nconsume_time = \"0ms\""
    )
}

/// Producers wait on a queue of `capacity` while one consumer takes an item every
/// `period` (capacity 0: a rendezvous, the crate's own when producers are instant).
fn full_queue(capacity: u32, period: &str) -> String {
    format!(
        "producers = 4\nconsumers = 1\nitems_per_producer = 2\nqueue = \"bounded\"\n\
         capacity = {capacity}\nproduce_time = \"0ms\"\nconsume_time = \"{period}\""
    )
}

#[test]
#[serial]
fn threads_waiting_on_the_queue_use_no_cpu() {
    let (empty, full) = (empty_queue("25ms"), full_queue(1, "25ms"));
    let mut spinning = Vec::new();
    for &implementation in QueueImpl::ALL {
        for (waiting, body) in [("consumers", &empty), ("producers", &full)] {
            let share = cpu_share(&scenario(body, implementation));
            if share > MOST_CPU_WHILE_WAITING {
                spinning.push(format!(
                    "{}: waiting {waiting} used {share:.2} CPU s per s",
                    implementation.name()
                ));
            }
        }
    }
    assert!(spinning.is_empty(), "waits that spin: {spinning:?}");
}

/// A run stopped on request ends every wait on the queue, however long the run had left:
/// consumers at an empty queue, producers at a full one and at a rendezvous. An
/// implementation whose waits do not look at the stop flag relies on the other side's
/// threads leaving; this holds it to that.
#[test]
#[serial]
fn stopping_a_run_ends_every_wait_on_the_queue() {
    let cases = [
        ("consumers at an empty queue", empty_queue("60min")),
        ("producers at a full queue", full_queue(1, "60min")),
        ("producers at a rendezvous", full_queue(0, "60min")),
    ];
    for &implementation in QueueImpl::ALL {
        for (case, body) in &cases {
            if body.contains("capacity = 0") && !implementation.has_rendezvous() {
                continue;
            }
            let scenario = scenario(body, implementation);
            let cancel = Arc::new(AtomicBool::new(false));
            let (ended, ends) = mpsc::channel();
            // Not scoped: a run that hangs must fail the test, not hang it too.
            let stop = Arc::clone(&cancel);
            thread::spawn(move || {
                let _ = ended.send(run_once(&scenario, 1, &stop));
            });
            // Long enough for every thread to be waiting; the run has an hour or more left.
            thread::sleep(Duration::from_millis(100));
            cancel.store(true, Ordering::SeqCst);
            // Ten seconds is a hang on any machine, however loaded.
            let outcome = ends.recv_timeout(Duration::from_secs(10));
            let name = implementation.name();
            let error = outcome
                .unwrap_or_else(|_| panic!("{name}, {case}: the stopped run still waits"))
                .expect_err("an hour-long run cannot have finished");
            assert!(error.cancelled, "{name}, {case}: {error}");
        }
    }
}
