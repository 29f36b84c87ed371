//! queuelab: a lab for producer-consumer concurrency.
//!
//! The pipeline runs one way, each step a module handing plain data to the next:
//!
//! ```text
//! TOML file ──experiment──▶ Experiment { settings, scenarios: Vec<Scenario> }
//!           ──plan────────▶ RunPlan per run (scenario, repeat, seed; warm-ups, order)
//!           ──runner──────▶ Measurement per run (real threads)   ─┐
//!           ──model───────▶ Prediction per run (virtual time)    ─┴▶ RunRecord per run
//!           ──stats───────▶ Summary per scenario (medians, intervals, fits)
//!           ──output──────▶ runs.csv, summary.csv/json, report.md, charts (bytes, written whole)
//! ```
//!
//! With `--trace`, one run per scenario also records a `trace` (every thread's events),
//! and the model replays the same draws into one; `output` writes both as a timeline.
//! `history` reads an archive's committed versions back through `git` (a leaf, like
//! `scenario`), each as `plot` reads a folder, and sets their summaries one after another.
//!
//! `scenario` (the keys, words, durations and draws) and `settings` are the vocabulary
//! every step speaks; they depend on nothing else of the crate. `suite` is the
//! vocabulary of crossbeam-channel's benchmark suite (its cases and published plot),
//! which a report can set its results beside. `record` is the row of a
//! run; `pipeline` wires the steps into commands.

pub mod diagnostic;
pub mod environment;
pub mod experiment;
pub mod git;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod record;
pub mod regular_file;
pub mod runner;
pub mod scenario;
pub mod settings;
pub mod starter;
pub mod stats;
pub mod suite;
pub mod trace;
pub mod visible;
pub mod waits;
