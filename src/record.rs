//! `RunRecord`: one run, measured or modelled, as plain data: the row of `runs.csv`.

use crate::runner::QueueMetrics;

/// Where a number came from: real threads, or the model alone (`simulate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Measured,
    Model,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Measured => "measured",
            Source::Model => "model",
        }
    }
}

/// One run of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub scenario: usize,
    /// From 1.
    pub repeat: u32,
    pub run_seed: u64,
    pub source: Source,
    /// Measured (or, for the model, predicted) seconds, after time scaling.
    pub elapsed_s: f64,
    /// The model's prediction for this run's draws.
    pub predicted_s: f64,
    pub items: u64,
    /// What only real threads can tell; `None` for model rows.
    pub queue: Option<QueueMetrics>,
}

impl RunRecord {
    pub fn throughput_per_s(&self) -> f64 {
        if self.elapsed_s > 0.0 {
            self.items as f64 / self.elapsed_s
        } else {
            0.0
        }
    }
}
