//! Running planned runs: one at a time or several at once (`--jobs`), longest first,
//! until done or asked to stop. Which runs to make is `plan`'s.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::{Measurement, RunError, run_once, run_traced};
use crate::plan::RunPlan;
use crate::scenario::Scenario;

/// Runs started at once are offset by this much each, so their deadlines (all on the same
/// grid of produce and consume times) do not fall due at the same instants and queue up
/// for the same two cores.
const STAGGER: Duration = Duration::from_micros(1_700);

/// Runs `plans` (each with its predicted seconds) on `jobs` workers, longest first, and
/// hands each result to `done` as it comes, one at a time. Once `cancel` is raised no
/// run starts and runs in flight are abandoned (reported as cancelled). Runs of repeat
/// `trace_repeat` (not warm-ups) are made with `run_traced`, their measurement carrying
/// the trace.
pub fn run_plans(
    scenarios: &[Scenario],
    plans: &[(RunPlan, f64)],
    jobs: usize,
    cancel: &AtomicBool,
    trace_repeat: Option<u32>,
    done: impl FnMut(&RunPlan, Result<Measurement, RunError>) + Send,
) {
    let mut order: Vec<&(RunPlan, f64)> = plans.iter().collect();
    if jobs > 1 {
        // Longest first keeps the longest run from starting last; warm-ups still first.
        order.sort_by(|a, b| {
            b.0.is_warmup()
                .cmp(&a.0.is_warmup())
                .then(b.1.total_cmp(&a.1))
        });
    }
    let next = AtomicUsize::new(0);
    let done = Mutex::new(done);
    let worker = |slot: usize| {
        std::thread::sleep(STAGGER * slot as u32);
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            let Some((plan, _)) = order.get(index) else {
                break;
            };
            if cancel.load(Ordering::SeqCst) {
                break;
            }
            let scenario = &scenarios[plan.scenario];
            let result = if !plan.is_warmup() && trace_repeat == Some(plan.repeat) {
                run_traced(scenario, plan.run_seed, cancel)
            } else {
                run_once(scenario, plan.run_seed, cancel)
            };
            let mut done = done.lock().unwrap_or_else(|p| p.into_inner());
            (*done)(plan, result);
        }
    };
    let workers = jobs.clamp(1, plans.len().max(1));
    if workers == 1 {
        worker(0);
        return;
    }
    match rayon::ThreadPoolBuilder::new().num_threads(workers).build() {
        Ok(pool) => pool.scope(|scope| {
            for slot in 0..workers {
                let worker = &worker;
                scope.spawn(move |_| worker(slot));
            }
        }),
        // Without a pool, run one at a time rather than not at all.
        Err(_) => worker(0),
    }
}
