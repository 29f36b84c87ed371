//! Which runs an experiment makes, in which order, with which seeds: the counted runs of
//! every scenario and the warm-ups before them. Plain values in, plain plans out; running
//! them is the runner's.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, SeedableRng};

use crate::experiment::Experiment;
use crate::scenario::{run_seed, splitmix};
use crate::settings::{RunOrder, too_many_runs};

/// What decides the runs of an experiment, read from it (or from an archive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanSettings {
    pub scenarios: usize,
    pub repeats: u32,
    pub seed: u64,
    pub warmup: u32,
    pub order: RunOrder,
}

/// One run to make: a repeat of a scenario with its own seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

impl PlanSettings {
    /// Why the plan is too large to make, if it is (`settings::too_many_runs`).
    pub fn too_large(&self) -> Option<String> {
        too_many_runs(self.scenarios, self.repeats, self.warmup)
    }

    /// What decides which runs `experiment` makes.
    pub fn of(experiment: &Experiment) -> PlanSettings {
        PlanSettings {
            scenarios: experiment.scenarios.len(),
            repeats: experiment.repeats,
            seed: experiment.seed,
            warmup: experiment.warmup,
            order: experiment.order,
        }
    }
}

/// Every counted run of every scenario, in the experiment's order (see `RunOrder`).
pub fn plan_runs(settings: &PlanSettings) -> Vec<RunPlan> {
    let plan = |scenario: usize, repeat: u32| RunPlan {
        scenario,
        repeat,
        run_seed: run_seed(settings.seed, repeat),
    };
    let scenarios = settings.scenarios;
    let repeats = settings.repeats;
    let mut plans: Vec<RunPlan> = match settings.order {
        RunOrder::Interleaved => (1..=repeats)
            .flat_map(|r| (0..scenarios).map(move |s| (s, r)))
            .map(|(s, r)| plan(s, r))
            .collect(),
        _ => (0..scenarios)
            .flat_map(|s| (1..=repeats).map(move |r| (s, r)))
            .map(|(s, r)| plan(s, r))
            .collect(),
    };
    if settings.order == RunOrder::Random {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(splitmix(settings.seed ^ 0x04de7));
        for i in (1..plans.len()).rev() {
            plans.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
        }
    }
    plans
}

/// The warm-up runs for `counted`: `warmup` of each scenario in it, each placed right
/// before that scenario's first counted run.
pub fn with_warmups(settings: &PlanSettings, counted: &[RunPlan]) -> Vec<RunPlan> {
    let mut plans = Vec::with_capacity(counted.len());
    let mut warmed = vec![false; settings.scenarios];
    for plan in counted {
        if !warmed[plan.scenario] {
            warmed[plan.scenario] = true;
            for k in 0..settings.warmup {
                let run_seed = run_seed(settings.seed, WARMUP_SEEDS + k);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Three scenarios, two repeats, one warm-up, as `order` and `seed` say.
    fn experiment(order: RunOrder, seed: u64) -> PlanSettings {
        PlanSettings {
            scenarios: 3,
            repeats: 2,
            seed,
            warmup: 1,
            order,
        }
    }

    fn order(e: &PlanSettings) -> Vec<(usize, u32)> {
        plan_runs(e)
            .iter()
            .map(|p| (p.scenario, p.repeat))
            .collect()
    }

    #[test]
    fn grouped_interleaved_and_random_orders() {
        assert_eq!(
            order(&experiment(RunOrder::Grouped, 42)),
            [(0, 1), (0, 2), (1, 1), (1, 2), (2, 1), (2, 2)]
        );
        let interleaved = experiment(RunOrder::Interleaved, 42);
        assert_eq!(
            order(&interleaved),
            [(0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
        );
        let random = order(&experiment(RunOrder::Random, 42));
        let mut sorted = random.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            order(&experiment(RunOrder::Grouped, 42)),
            "a permutation of the same runs"
        );
        assert_eq!(random, order(&experiment(RunOrder::Random, 42)), "seeded");
        assert_ne!(random, order(&experiment(RunOrder::Random, 7)));
    }

    #[test]
    fn warmups_come_before_each_scenarios_first_counted_run() {
        let e = experiment(RunOrder::Interleaved, 42);
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
