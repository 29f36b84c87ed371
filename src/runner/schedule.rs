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

/// The order `run_plans` starts `plans` in, as indices: as planned with one job; with
/// more, longest first, which keeps the longest run from starting last (warm-ups still
/// first).
pub fn launch_order(plans: &[(RunPlan, f64)], jobs: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..plans.len()).collect();
    if jobs > 1 {
        // A stable sort: equal times keep the planned order.
        order.sort_by(|&a, &b| {
            let (a, b) = (&plans[a], &plans[b]);
            b.0.is_warmup()
                .cmp(&a.0.is_warmup())
                .then(b.1.total_cmp(&a.1))
        });
    }
    order
}

/// The wall time of runs of `times` seconds started in this order on `jobs` workers
/// already busy for `busy` seconds each (the runs in flight), each run going to the first
/// worker free, as `run_plans` does. In `launch_order` that is longest-processing-time
/// first (LPT) packing, which the runner follows run for run.
pub fn estimate_wall_s(busy: &[f64], times: impl IntoIterator<Item = f64>, jobs: usize) -> f64 {
    let mut workers: Vec<f64> = busy.to_vec();
    workers.resize(jobs.max(busy.len()).max(1), 0.0);
    for time in times {
        let free = workers
            .iter_mut()
            .min_by(|a, b| a.total_cmp(b))
            .expect("at least one worker");
        *free += time;
    }
    workers.into_iter().fold(0.0, f64::max)
}

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
    let order: Vec<&(RunPlan, f64)> = launch_order(plans, jobs)
        .into_iter()
        .map(|i| &plans[i])
        .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(scenario: usize) -> RunPlan {
        RunPlan {
            scenario,
            repeat: 1,
            run_seed: 0,
        }
    }

    #[test]
    fn the_estimate_packs_longest_first_onto_the_jobs() {
        // LPT on 2 workers: 5 | 4; 3 → 4+3 = 7; 3 → 5+3 = 8; 3 → 7+3 = 10.
        let plans: Vec<(RunPlan, f64)> = [3.0, 5.0, 3.0, 4.0, 3.0]
            .into_iter()
            .enumerate()
            .map(|(i, t)| (plan(i), t))
            .collect();
        let order = launch_order(&plans, 2);
        assert_eq!(order, [1, 3, 0, 2, 4]);
        let times = || order.iter().map(|&i| plans[i].1);
        assert_eq!(estimate_wall_s(&[], times(), 2), 10.0);
        // One job: the sum, in the planned order.
        assert_eq!(launch_order(&plans, 1), [0, 1, 2, 3, 4]);
        assert_eq!(estimate_wall_s(&[], times(), 1), 18.0);
        // As many jobs as runs: the longest run.
        assert_eq!(estimate_wall_s(&[], times(), 21), 5.0);
        // The seed sweep at --jobs 21: 21 runs, the longest 24.75 s.
        let seed = [24.75, 12.25, 6.0, 2.25, 1.0, 1.0, 1.0];
        let runs = seed.iter().flat_map(|t| [*t; 3]);
        assert_eq!(estimate_wall_s(&[], runs, 21), 24.75);
        // Runs in flight keep their workers busy for what they have left.
        assert_eq!(estimate_wall_s(&[2.0, 0.5], [1.0, 1.0], 2), 2.5);
    }
}
