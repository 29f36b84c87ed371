//! Which runs an experiment makes, in which order, with which seeds.

use crate::experiment::Experiment;
use crate::scenario::run_seed;

/// One run to make: a repeat of a scenario with its own seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunPlan {
    pub scenario: usize,
    /// From 1, as people count repeats.
    pub repeat: u32,
    pub run_seed: u64,
}

/// Every repeat of every scenario, scenario by scenario.
pub fn plan_runs(experiment: &Experiment) -> Vec<RunPlan> {
    let mut plans = Vec::new();
    for scenario in &experiment.scenarios {
        for repeat in 1..=experiment.repeats {
            plans.push(RunPlan {
                scenario: scenario.index,
                repeat,
                run_seed: run_seed(experiment.seed, scenario.index, repeat),
            });
        }
    }
    plans
}
