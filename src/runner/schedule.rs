//! Which runs an experiment makes, with which seeds, and running them: one at a time or
//! several at once (`--jobs`), longest first, until done or asked to stop.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::{Measurement, RunError, run_once};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

use crate::experiment::{Experiment, RunOrder};
use crate::scenario::{run_seed, splitmix};

/// Runs started at once are offset by this much each, so their deadlines (all on the same
/// grid of produce and consume times) do not fall due at the same instants and queue up
/// for the same two cores.
const STAGGER: Duration = Duration::from_micros(1_700);

/// One run to make: a repeat of a scenario with its own seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunPlan {
    pub scenario: usize,
    /// From 1, as people count repeats; 0 for a warm-up run, which is not counted.
    pub repeat: u32,
    pub run_seed: u64,
}

impl RunPlan {
    pub fn is_warmup(&self) -> bool {
        self.repeat == 0
    }
}

/// Warm-up runs draw from seeds far from any counted repeat's.
const WARMUP_SEEDS: u32 = 1_000_000;

/// Every counted run of every scenario, in the experiment's order (see `RunOrder`).
pub fn plan_runs(experiment: &Experiment) -> Vec<RunPlan> {
    let plan = |scenario: usize, repeat: u32| RunPlan {
        scenario,
        repeat,
        run_seed: run_seed(experiment.seed, repeat),
    };
    let scenarios = experiment.scenarios.len();
    let repeats = experiment.repeats;
    let mut plans: Vec<RunPlan> = match experiment.order {
        RunOrder::Interleaved => (1..=repeats)
            .flat_map(|r| (0..scenarios).map(move |s| (s, r)))
            .map(|(s, r)| plan(s, r))
            .collect(),
        _ => (0..scenarios)
            .flat_map(|s| (1..=repeats).map(move |r| (s, r)))
            .map(|(s, r)| plan(s, r))
            .collect(),
    };
    if experiment.order == RunOrder::Random {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(experiment.seed ^ 0x04de7));
        for i in (1..plans.len()).rev() {
            plans.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
    }
    plans
}

/// The warm-up runs for `counted`: `warmup` of each scenario in it, each placed right
/// before that scenario's first counted run.
pub fn with_warmups(experiment: &Experiment, counted: &[RunPlan]) -> Vec<RunPlan> {
    let mut plans = Vec::with_capacity(counted.len());
    let mut warmed = vec![false; experiment.scenarios.len()];
    for plan in counted {
        if !warmed[plan.scenario] {
            warmed[plan.scenario] = true;
            for k in 0..experiment.warmup {
                let run_seed = run_seed(experiment.seed, WARMUP_SEEDS + k);
                plans.push(RunPlan {
                    scenario: plan.scenario,
                    repeat: 0,
                    run_seed,
                });
            }
        }
        plans.push(*plan);
    }
    plans
}

/// Runs `plans` (each with its predicted seconds) on `jobs` workers, longest first, and
/// hands each result to `done` as it comes, one at a time. Once `cancel` is raised no
/// run starts and runs in flight are abandoned (reported as cancelled).
pub fn run_plans(
    experiment: &Experiment,
    plans: &[(RunPlan, f64)],
    jobs: usize,
    cancel: &AtomicBool,
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
            let result = run_once(&experiment.scenarios[plan.scenario], plan.run_seed, cancel);
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
    use crate::experiment::parse;
    use std::path::Path;

    fn experiment(extra: &str) -> Experiment {
        let text = format!("repeats = 2\nwarmup = 1\n{extra}\n[sweep]\nconsumers = [1, 2, 3]\n");
        parse(Path::new("x.toml"), &text).expect("valid")
    }

    fn order(e: &Experiment) -> Vec<(usize, u32)> {
        plan_runs(e)
            .iter()
            .map(|p| (p.scenario, p.repeat))
            .collect()
    }

    #[test]
    fn grouped_interleaved_and_random_orders() {
        assert_eq!(
            order(&experiment("")),
            [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]
        );
        let interleaved = experiment("order = \"interleaved\"");
        assert_eq!(
            order(&interleaved),
            [(0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
        );
        let random = order(&experiment("order = \"random\""));
        let mut sorted = random.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            order(&experiment("")),
            "a permutation of the same runs"
        );
        assert_eq!(random, order(&experiment("order = \"random\"")), "seeded");
        assert_ne!(random, order(&experiment("order = \"random\"\nseed = 7")));
    }

    #[test]
    fn warmups_come_before_each_scenarios_first_counted_run() {
        let e = experiment("order = \"interleaved\"");
        let plans = with_warmups(&e, &plan_runs(&e));
        let order: Vec<(usize, u32)> = plans.iter().map(|p| (p.scenario, p.repeat)).collect();
        assert_eq!(
            order,
            [
                (0, 0),
                (0, 1),
                (1, 0),
                (1, 1),
                (2, 0),
                (2, 1),
                (0, 2),
                (1, 2),
                (2, 2)
            ]
        );
        assert!(plans.iter().filter(|p| p.is_warmup()).all(|w| {
            !plans
                .iter()
                .any(|p| !p.is_warmup() && p.run_seed == w.run_seed)
        }));
    }
}
