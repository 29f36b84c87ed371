//! The experiment file: from TOML text to a validated `Experiment` with its scenarios.
//!
//! Owns reading TOML (types, spans, every error with its line and key), the `[plot]`
//! keys, and the expansion of `[sweep]` (keys alone and groups of keys that vary
//! together) into scenarios. What each key accepts comes from the vocabulary (`scenario`,
//! `settings`); every problem found becomes a `Diagnostic`, and all of them are reported
//! at once. It does not run anything.

mod axis;
pub mod format;
mod keys;
mod parse;
pub mod schema;
mod sweep;

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Rejected};
use crate::regular_file::{self, Unreadable};
use crate::scenario::{Scenario, ScenarioKey, WorkKind};
use crate::settings::RunOrder;
use crate::suite::Published;

pub use axis::{Axis, GROUP_JOIN, Group, decides_the_other};
pub use parse::decided_words;

/// A validated experiment: its settings and the scenarios of its sweep, in sweep order.
#[derive(Clone, Debug)]
pub struct Experiment {
    pub file: PathBuf,
    /// The file's text, kept so reports can quote the experiment that was run.
    pub source: String,
    /// Plain file name; results go to `OUT/name/`.
    pub name: String,
    pub description: String,
    pub repeats: u32,
    pub time_scale: f64,
    pub seed: u64,
    /// Runs made at once.
    pub jobs: usize,
    /// Runs of every scenario made first and not counted.
    pub warmup: u32,
    /// The order runs are made in (with one job at a time).
    pub order: RunOrder,
    /// What the sweep varies, keys alone and groups, in the order the file gives them;
    /// the last varies fastest.
    pub sweep: Vec<Swept>,
    /// Combinations of the sweep that `exclude` left out.
    pub excluded: usize,
    pub scenarios: Vec<Scenario>,
    pub plot: PlotSettings,
    pub report: ReportSettings,
}

/// What the report adds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportSettings {
    /// A published benchmark the report sets the results beside.
    pub compare_with: Option<Published>,
}

/// One entry of the sweep: a key alone or a group, and how many values (points) it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Swept {
    pub axis: Axis,
    pub count: usize,
}

/// How the experiment's charts are drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotSettings {
    /// The x axis: a swept key, a group (words), or a key of a group; every other swept
    /// key makes one line per value.
    pub x: Axis,
    pub log_x: bool,
    pub log_y: bool,
    pub formats: Vec<ChartFormat>,
    /// One panel per value of this swept key or group, in one image; `None`: panels
    /// only beyond six lines.
    pub facet: Option<Axis>,
    /// Which way bars run where x is words or a group.
    pub bars: Bars,
}

crate::words! {
    /// Which way bars run where x is words or a group.
    pub enum Bars {
        /// Up from the x axis, whiskers from the fastest run to the slowest.
        Vertical = "vertical",
        /// Across, x's values down each panel and a bar per line, whiskers the 95%
        /// interval of the median: the layout of benchmark plots, read for which is faster.
        Horizontal = "horizontal",
    }
}

crate::words! {
    /// An image format for charts.
    pub enum ChartFormat {
        Png = "png",
        Svg = "svg",
    }
}

impl ChartFormat {
    /// The file name extension, which is the format's word.
    pub fn extension(self) -> &'static str {
        self.name()
    }
}

/// An experiment file larger than this is not one a person wrote: it is refused before
/// it is read, so `check` answers at once whatever it is pointed at.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads and validates an experiment file; every problem in it is returned (the first
/// `parse::MAX_SHOWN` of them, and how many more there were).
pub fn load(file: &Path) -> Result<Experiment, Rejected> {
    load_at(file, None)
}

/// As `load`, at `time_scale` where the command line sets one over the file's: its
/// scenarios are checked as they will run (two times may round to one once scaled).
pub fn load_at(file: &Path, time_scale: Option<f64>) -> Result<Experiment, Rejected> {
    let bytes = read_regular(file)
        .map_err(|message| Rejected::one(Diagnostic::whole_file(file, message)))?;
    from_bytes_written(file, bytes, Written::Now, time_scale)
}

/// As `load`, for the copy a results folder keeps (`experiment.toml`): rules added after
/// its runs were made that would leave them unreadable (`Written::Archived`) are not
/// applied.
pub fn load_archived(file: &Path) -> Result<Experiment, Rejected> {
    let bytes = read_regular(file)
        .map_err(|message| Rejected::one(Diagnostic::whole_file(file, message)))?;
    from_archived_bytes(file, bytes)
}

/// Validates the bytes of an experiment file as `load` does (at most `MAX_FILE_BYTES`,
/// UTF-8, then every key), wherever they came from; `file` names them in errors.
pub fn from_bytes(file: &Path, bytes: Vec<u8>) -> Result<Experiment, Rejected> {
    from_bytes_written(file, bytes, Written::Now, None)
}

/// As `from_bytes`, for an archive's copy (as `load_archived`).
pub fn from_archived_bytes(file: &Path, bytes: Vec<u8>) -> Result<Experiment, Rejected> {
    from_bytes_written(file, bytes, Written::Archived, None)
}

/// When an experiment file was written: for a run to come, or kept beside runs made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    Now,
    /// A results folder's copy: a sweep that makes one run twice under two labels is
    /// read as it was run, rather than refused, so that its archive stays readable.
    Archived,
}

fn from_bytes_written(
    file: &Path,
    bytes: Vec<u8>,
    written: Written,
    time_scale: Option<f64>,
) -> Result<Experiment, Rejected> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Rejected::one(Diagnostic::whole_file(file, too_large())));
    }
    let source = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let message = "the file is not valid UTF-8 text; TOML files must be UTF-8".to_string();
        Rejected::one(Diagnostic::at(file, &text, at..at + 1, "", message))
    })?;
    parse::parse_written(file, &source, written, time_scale)
}

/// The bytes of `file` if it is a regular file of at most `MAX_FILE_BYTES`: a FIFO would
/// block forever and `/dev/zero` would never end.
fn read_regular(file: &Path) -> Result<Vec<u8>, String> {
    regular_file::read(file, MAX_FILE_BYTES).map_err(|e| match e {
        Unreadable::NotRegular => "not a regular file: an experiment is a TOML file".to_string(),
        Unreadable::TooLarge { .. } => too_large(),
        Unreadable::Io(_) => e.to_string(),
    })
}

fn too_large() -> String {
    format!(
        "the file is larger than {} KiB; an experiment file is a few lines of TOML",
        MAX_FILE_BYTES / 1024
    )
}

/// Validates experiment text as if it were the file `file`.
pub fn parse(file: &Path, source: &str) -> Result<Experiment, Rejected> {
    parse::parse(file, source)
}

impl Experiment {
    /// What a run's numbers depend on: the file's text, the time scale and the seed (not
    /// repeats or jobs). Recorded beside every run, so `--resume` keeps only runs of this
    /// very experiment. FNV-1a, stable across versions and machines.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let settings = format!("\n{}\n{}", self.time_scale, self.seed);
        for byte in self.source.bytes().chain(settings.bytes()) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    /// Every key the sweep varies, in the order labels give them (a group's keys at the
    /// group's place).
    pub fn swept_keys(&self) -> Vec<ScenarioKey> {
        self.sweep
            .iter()
            .flat_map(|s| s.axis.keys().iter().copied())
            .collect()
    }

    /// The swept keys and groups, in sweep order.
    pub fn axes(&self) -> impl Iterator<Item = &Axis> {
        self.sweep.iter().map(|s| &s.axis)
    }

    /// What a chart may put on its x axis or in panels: every swept key and group, and
    /// every key of a group.
    pub fn plot_axes(&self) -> Vec<Axis> {
        axis::with_group_keys(self.axes())
    }

    /// The keys of x's group that x decides (`axis::decided_in_group`).
    pub fn decided_by(&self, x: &Axis) -> Vec<ScenarioKey> {
        axis::decided_in_group(self.axes(), x)
    }

    /// The keys whose values name a chart line against `x`: every swept key but x's own
    /// and those x decides (`axis::decided_with`).
    pub fn line_keys(&self, x: &Axis) -> Vec<ScenarioKey> {
        let decided = self.decided_with(x);
        self.swept_keys()
            .into_iter()
            .filter(|k| !x.keys().contains(k) && !decided.contains(k))
            .collect()
    }

    /// The keys an axis's values decide besides its own (`axis::decided_with`): neither
    /// names a line nor tells a panel's members apart.
    pub fn decided_with(&self, axis: &Axis) -> Vec<ScenarioKey> {
        axis::decided_with(self.axes(), axis)
    }

    /// The chart line scenario `index` belongs to, named by its values of the line keys
    /// (`None` when there are none: one line), and its x value if x is a number.
    pub fn line_of(&self, index: usize) -> (Option<String>, Option<f64>) {
        let scenario = &self.scenarios[index];
        let x = &self.plot.x;
        let parts: Vec<String> = self
            .line_keys(x)
            .iter()
            .map(|k| match scenario.value_text(*k) {
                // An unbounded queue's capacity, as charts name it.
                text if text.is_empty() => format!("{}=none", k.name()),
                text => format!("{}={text}", k.name()),
            })
            .collect();
        let line = (!parts.is_empty()).then(|| parts.join(" "));
        (line, x.number(scenario))
    }

    /// The sweep in words, for `check` and the report: `queue_impl (3 values) × topology
    /// (producers and consumers together, 3 points), the last varying fastest`; `None`
    /// when nothing is swept.
    pub fn sweep_words(&self) -> Option<String> {
        let parts: Vec<String> = self
            .sweep
            .iter()
            .map(|s| {
                let n = s.count;
                match &s.axis {
                    Axis::Key(key) => {
                        format!(
                            "{} ({n} value{})",
                            key.name(),
                            if n == 1 { "" } else { "s" }
                        )
                    }
                    Axis::Group(group) => {
                        let keys: Vec<&str> = group.keys.iter().map(|k| k.name()).collect();
                        let keys = match keys.split_last() {
                            Some((last, rest)) if !rest.is_empty() => {
                                format!("{} and {last}", rest.join(", "))
                            }
                            _ => keys.concat(),
                        };
                        format!(
                            "{} ({keys} together, {n} point{})",
                            group.name,
                            if n == 1 { "" } else { "s" },
                        )
                    }
                }
            })
            .collect();
        let words = match parts.len() {
            0 => return None,
            1 => parts.concat(),
            _ => format!("{}, the last varying fastest", parts.join(" × ")),
        };
        Some(match self.excluded {
            0 => words,
            n => format!(
                "{words}; {n} combination{} left out by exclude",
                if n == 1 { "" } else { "s" }
            ),
        })
    }

    /// Whether scenario `index`'s line gets a scalability fit (`None`: not CPU-bound work
    /// against consumers) and whether the scenario belongs in it (not where producers,
    /// rather than consumers, are the limit).
    pub fn scaling_point(&self, index: usize) -> Option<bool> {
        let scenario = &self.scenarios[index];
        let fitted =
            self.plot.x == Axis::Key(ScenarioKey::Consumers) && scenario.work == WorkKind::Spin;
        fitted.then(|| !scenario.producer_limited())
    }

    /// Overrides from the command line; values are checked by the caller's parser.
    pub fn override_with(
        &mut self,
        repeats: Option<u32>,
        time_scale: Option<f64>,
        seed: Option<u64>,
    ) {
        if let Some(repeats) = repeats {
            self.repeats = repeats;
        }
        if let Some(scale) = time_scale {
            self.time_scale = scale;
            for scenario in &mut self.scenarios {
                scenario.time_scale = scale;
            }
        }
        if let Some(seed) = seed {
            self.seed = seed;
        }
    }
}

#[cfg(test)]
mod exclude_tests;
#[cfg(test)]
mod key_reference_tests;
#[cfg(test)]
mod paired_tests;
#[cfg(test)]
mod suite_tests;
#[cfg(test)]
mod tests;
