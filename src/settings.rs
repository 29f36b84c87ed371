//! The experiment's top-level settings (`repeats`, `time_scale`, `seed`, `jobs`, `warmup`,
//! `order`, with `name` and `description`), each declared once: its name, what it accepts,
//! its default and help. The parser, the JSON Schema, `queuelab new` and the command
//! line's value parsers all read them from here.
//!
//! Plain data like the scenario vocabulary: it uses nothing of the crate but `scenario`.

use crate::scenario::{Accepts, KeySpec};

crate::words! {
    /// The order of runs, so slow drift of the machine does not bias one end of a sweep.
    pub enum RunOrder {
        /// Scenario by scenario, each one's repeats together.
        Grouped = "grouped",
        /// Repeat by repeat: every scenario once, then every scenario again.
        Interleaved = "interleaved",
        /// Shuffled with the experiment's seed.
        Random = "random",
    }
}

/// A top-level key of the experiment file that holds a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Name,
    Description,
    Repeats,
    TimeScale,
    Seed,
    Warmup,
    Order,
    Jobs,
}

/// Ranges of the counted settings, named so the command line's parsers can take them.
pub const REPEATS: (u64, u64) = (1, 10_000);
pub const WARMUP: (u64, u64) = (0, 100);
pub const JOBS: (u64, u64) = (1, 256);
/// `time_scale` is from the first to the second. Below a millionth, a second of the file
/// lasts under a microsecond and a millisecond under a nanosecond, the clock's step: the
/// run would time nothing the file says.
pub const TIME_SCALE: (f64, f64) = (1e-6, 1000.0);

/// The longest experiment name: a folder name, with room for `-model` and a path.
pub const MAX_NAME_CHARS: usize = 100;

/// What an experiment name may be (`is_plain_name`), as a literal: messages and the
/// `name` key's help both say it.
macro_rules! name_rule {
    () => {
        "ASCII letters and digits, `-`, `_` and `.`, not starting with `.` or `-` nor ending \
         in `-model` (`simulate`'s folders), at most 100 characters"
    };
}

/// What an experiment name may be, for messages.
pub const NAME_RULE: &str = name_rule!();

/// Runs one experiment may plan, counted and warm-up together: more is a typo (a
/// 100,000-scenario sweep at 10,000 repeats) that would fill memory before the first run.
pub const MAX_RUNS: u64 = 1_000_000;

/// Why `scenarios` × (`repeats` + `warmup`) runs are too many to plan, if they are: the
/// file is refused at `repeats`, and the command line's overrides the same way.
pub fn too_many_runs(scenarios: usize, repeats: u32, warmup: u32) -> Option<String> {
    let runs = scenarios as u64 * (u64::from(repeats) + u64::from(warmup));
    (runs > MAX_RUNS).then(|| {
        format!(
            "{scenarios} scenarios × ({repeats} repeats + {warmup} warm-ups) make {runs} runs, \
             over the limit of {MAX_RUNS}; lower repeats, warmup or the sweep"
        )
    })
}

/// What `simulate` adds to an experiment's name for its folder. No experiment's own name
/// ends in it, so `simulate` never writes into the folder of another experiment's runs.
pub const MODEL_SUFFIX: &str = "-model";

impl Setting {
    /// In the order `new` writes them.
    pub const ALL: [Setting; 8] = [
        Setting::Name,
        Setting::Description,
        Setting::Repeats,
        Setting::TimeScale,
        Setting::Seed,
        Setting::Warmup,
        Setting::Order,
        Setting::Jobs,
    ];

    /// The one place each setting's name, range, default and help are written.
    pub fn spec(self) -> KeySpec {
        let spec = KeySpec::new;
        let count = |(min, max): (u64, u64)| Accepts::Count { min, max };
        match self {
            Setting::Name => spec(
                "name",
                Accepts::Text,
                None,
                concat!(
                    "results go to OUT/NAME/ (default: the file name); ",
                    name_rule!()
                ),
            ),
            Setting::Description => spec(
                "description",
                Accepts::Line,
                Some("\"\""),
                "one line saying what the experiment asks",
            ),
            Setting::Repeats => spec(
                "repeats",
                count(REPEATS),
                Some("3"),
                "runs of every scenario",
            ),
            Setting::TimeScale => spec(
                "time_scale",
                Accepts::Number {
                    min: TIME_SCALE.0,
                    max: TIME_SCALE.1,
                },
                Some("1.0"),
                "every duration is multiplied by it",
            ),
            Setting::Seed => spec(
                "seed",
                Accepts::Seed,
                Some("42"),
                "seed of every random draw: the same file and seed give the same draws",
            ),
            Setting::Warmup => spec(
                "warmup",
                count(WARMUP),
                Some("0"),
                "runs of every scenario made first and not counted",
            ),
            Setting::Order => spec(
                "order",
                Accepts::Words(RunOrder::NAMES),
                Some("\"grouped\""),
                "\"grouped\" (scenario by scenario), \"interleaved\" (repeat by repeat) or \"random\" (seeded)",
            ),
            Setting::Jobs => spec(
                "jobs",
                count(JOBS),
                Some("1"),
                "runs made at once; runs that spin CPU skew each other beyond the cores",
            ),
        }
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// Whether `name` can name a results folder without leaving `--out` or reading as an
/// option: the rule of `NAME_RULE`.
pub fn is_plain_name(name: &str) -> bool {
    let plain = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    plain
        && !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && !name.starts_with(['.', '-'])
        && !name.ends_with(MODEL_SUFFIX)
}

/// Whether `scale` is a time scale the file and the command line accept.
pub fn is_time_scale(scale: f64) -> bool {
    (TIME_SCALE.0..=TIME_SCALE.1).contains(&scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_could_leave_the_folder_or_read_as_options_are_not_plain() {
        for bad in [
            "", ".", "..", "...", ".hidden", "a b", "-rf", "a/b", "a\\b", "é",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        for good in ["seed", "a.b", "A_1-2", "x..y"] {
            assert!(is_plain_name(good), "{good:?}");
        }
        assert!(!is_plain_name(&"a".repeat(101)));
        // `simulate`'s folder of `seed` is `seed-model`: no experiment may be named so.
        assert!(!is_plain_name("seed-model"));
        assert!(is_plain_name("seed-models") && is_plain_name("model"));
    }

    #[test]
    fn every_default_is_within_its_range() {
        for setting in Setting::ALL {
            let spec = setting.spec();
            if let (Accepts::Count { min, max }, Some(default)) = (spec.accepts, spec.default) {
                let value: u64 = default.parse().expect("a count's default is a number");
                assert!((min..=max).contains(&value), "{}", spec.name);
            }
        }
    }
}
