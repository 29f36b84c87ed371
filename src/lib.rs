//! queuelab: a lab for producer-consumer concurrency.
//!
//! The pipeline runs one way, each step a module handing plain data to the next:
//!
//! ```text
//! TOML file ──experiment──▶ Experiment { scenarios }
//!           ──runner──────▶ RunRecord per run (real threads)
//!           ──model───────▶ predicted_s per run (virtual time)
//!           ──stats───────▶ Summary per scenario
//!           ──output──────▶ runs.csv, summary.csv, charts
//! ```

pub mod diagnostic;
pub mod environment;
pub mod experiment;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod record;
pub mod runner;
pub mod scenario;
pub mod starter;
pub mod stats;
