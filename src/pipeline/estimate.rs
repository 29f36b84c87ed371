//! How long the runs still to make will take: the model's time of each run (or, for
//! zero-time work, which the model cannot time, the pace of the runs made so far), packed
//! longest first onto the jobs as the runner starts them, less what the runs in flight
//! have done. Read by the progress bar at every tick, so it counts down between runs.

use std::time::Instant;

use crate::experiment::Experiment;
use crate::plan::RunPlan;
use crate::runner::{estimate_wall_s, launch_order};

/// The runs of one `run` command and how far they have come.
pub struct Estimate {
    jobs: usize,
    /// Indices into `runs`, in the order they start.
    order: Vec<usize>,
    runs: Vec<Run>,
    /// Position in `order` of the next run to start.
    next: usize,
    /// Seconds per item of the zero-time runs finished so far, by scenario.
    pace: Vec<(usize, f64)>,
}

struct Run {
    plan: RunPlan,
    /// The model's time; 0 for zero-time work.
    predicted_s: f64,
    items: u64,
    started: Option<Instant>,
    done: bool,
}

impl Estimate {
    /// The runs of `todo` (each with the model's time) about to start on `jobs` workers.
    pub fn new(experiment: &Experiment, todo: &[(RunPlan, f64)], jobs: usize) -> Self {
        let runs = todo
            .iter()
            .map(|(plan, predicted_s)| Run {
                plan: *plan,
                predicted_s: *predicted_s,
                items: experiment.scenarios[plan.scenario].total_items(),
                started: None,
                done: false,
            })
            .collect();
        let jobs = jobs.max(1);
        let mut estimate = Estimate {
            jobs,
            order: launch_order(todo, jobs),
            runs,
            next: 0,
            pace: Vec::new(),
        };
        let now = Instant::now();
        for _ in 0..jobs {
            estimate.start_next(now);
        }
        estimate
    }

    fn start_next(&mut self, now: Instant) {
        if let Some(&i) = self.order.get(self.next) {
            self.runs[i].started = Some(now);
            self.next += 1;
        }
    }

    /// `plan` ended after `elapsed_s` (if it measured one); the next run starts in its place.
    pub fn finished(&mut self, plan: &RunPlan, elapsed_s: Option<f64>) {
        let found = self
            .runs
            .iter()
            .position(|r| !r.done && r.started.is_some() && r.plan == *plan);
        let Some(i) = found else {
            return;
        };
        let run = &mut self.runs[i];
        run.done = true;
        if let (Some(elapsed), true) = (elapsed_s, run.predicted_s == 0.0 && run.items > 0) {
            self.pace
                .push((run.plan.scenario, elapsed / run.items as f64));
        }
        self.start_next(Instant::now());
    }

    /// A run's expected seconds: the model's, or for zero-time work the pace of finished
    /// runs of the same scenario (else of any), per item; `None` before any has finished.
    fn expected_s(&self, run: &Run) -> Option<f64> {
        if run.predicted_s > 0.0 || run.items == 0 {
            return Some(run.predicted_s);
        }
        let paces = |scenario: Option<usize>| -> Vec<f64> {
            self.pace
                .iter()
                .filter(|(s, _)| scenario.is_none_or(|want| want == *s))
                .map(|(_, p)| *p)
                .collect()
        };
        let mut mine = paces(Some(run.plan.scenario));
        if mine.is_empty() {
            mine = paces(None);
        }
        (!mine.is_empty()).then(|| crate::stats::median(&mine) * run.items as f64)
    }

    /// Seconds left from `now`: what the runs in flight have left (never below zero,
    /// however late they run) and the runs not started packed after them; `None` while
    /// zero-time work has no pace yet.
    pub fn left_s(&self, now: Instant) -> Option<f64> {
        let mut busy = Vec::new();
        for run in self.runs.iter().filter(|r| r.started.is_some() && !r.done) {
            let ran = run
                .started
                .map_or(0.0, |s| now.saturating_duration_since(s).as_secs_f64());
            busy.push((self.expected_s(run)? - ran).max(0.0));
        }
        let mut waiting = Vec::new();
        for &i in &self.order[self.next..] {
            waiting.push(self.expected_s(&self.runs[i])?);
        }
        Some(estimate_wall_s(&busy, waiting, self.jobs))
    }

    /// Seconds all the runs are expected to take on `jobs` workers, before any starts.
    pub fn total_s(todo: &[(RunPlan, f64)], jobs: usize) -> f64 {
        let order = launch_order(todo, jobs);
        estimate_wall_s(&[], order.iter().map(|&i| todo[i].1), jobs)
    }
}
