//! The experiment file's layout: which tables it has, the `[plot]` keys, and the starter
//! file `new` writes. Every key's facts (range, default, help) come from one table: the
//! top-level settings from `settings`, scenario keys from `scenario::key`, plot keys here.

use crate::scenario::{Accepts, KeySpec, ScenarioKey};
use crate::settings::Setting;
use crate::suite::Published;

use super::{Bars, ChartFormat};

/// The tables of the file, besides the top-level settings.
pub const TABLES: [&str; 4] = ["scenario", "sweep", "plot", "report"];

/// A key of `[plot]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlotKey {
    X,
    LogX,
    LogY,
    Formats,
    Facet,
    Bars,
}

impl PlotKey {
    pub const ALL: [PlotKey; 6] = [
        PlotKey::X,
        PlotKey::LogX,
        PlotKey::LogY,
        PlotKey::Formats,
        PlotKey::Facet,
        PlotKey::Bars,
    ];

    /// The one place each plot key's name, default and help are written.
    pub fn spec(self) -> KeySpec {
        let spec = KeySpec::new;
        match self {
            PlotKey::X => spec(
                "x",
                Accepts::Text,
                None,
                "x axis (default: consumers where swept, else the first swept key): a swept key with numbers or fixed durations (a line), words or a group (bars), or a key of a group",
            ),
            PlotKey::LogX => spec("log_x", Accepts::Bool, Some("false"), "logarithmic x axis"),
            PlotKey::LogY => spec("log_y", Accepts::Bool, Some("false"), "logarithmic y axis"),
            PlotKey::Formats => spec(
                "formats",
                Accepts::WordList(ChartFormat::NAMES),
                Some("[\"png\", \"svg\"]"),
                "chart files to write: \"png\", \"svg\"",
            ),
            PlotKey::Facet => spec(
                "facet",
                Accepts::Text,
                None,
                "a swept key or group: one panel per value (default: the first other swept key, beyond 6 lines)",
            ),
            PlotKey::Bars => spec(
                "bars",
                Accepts::Words(Bars::NAMES),
                Some("\"vertical\""),
                "where x is words or a group: \"vertical\" bars with min–max whiskers, or \"horizontal\" bars with the median's 95% interval, as benchmark plots",
            ),
        }
    }
}

/// A key of `[report]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKey {
    CompareWith,
}

impl ReportKey {
    pub const ALL: [ReportKey; 1] = [ReportKey::CompareWith];

    /// The one place each report key's name and help are written.
    pub fn spec(self) -> KeySpec {
        match self {
            ReportKey::CompareWith => KeySpec::new(
                "compare_with",
                Accepts::Words(Published::NAMES),
                None,
                "a published benchmark to set the results beside: \"crossbeam-channel-benchmarks\" (per case of its suite, the order of implementations here and in its plot)",
            ),
        }
    }
}

pub fn report_names() -> Vec<&'static str> {
    ReportKey::ALL.iter().map(|k| k.spec().name).collect()
}

/// Every key allowed at the top of the file.
pub fn top_names() -> Vec<&'static str> {
    Setting::ALL
        .iter()
        .map(|s| s.name())
        .chain(TABLES)
        .collect()
}

pub fn plot_names() -> Vec<&'static str> {
    PlotKey::ALL.iter().map(|k| k.spec().name).collect()
}

/// The starter experiment `new` writes: every key with its default and a comment, and a
/// small sweep, ready to run.
pub fn starter(name: &str) -> String {
    let mut text = String::from("#:schema ./experiment.schema.json\n");
    text.push_str(
        "# Question: what does this experiment ask? Say it here, in a sentence or two.\n",
    );
    for setting in Setting::ALL {
        let spec = setting.spec();
        let value = match setting {
            Setting::Name => format!("\"{name}\""),
            _ => spec.default.unwrap_or("\"\"").to_string(),
        };
        text.push_str(&line(spec.name, &value, &spec.help_line()));
    }
    text.push_str("\n[scenario]                     # values shared by every scenario\n");
    for key in ScenarioKey::ALL {
        let spec = key.spec();
        match spec.default {
            Some(value) => text.push_str(&line(spec.name, value, &spec.help_line())),
            None => text.push_str(&format!(
                "# {:<28} # {}\n",
                format!("{} = 4", spec.name),
                spec.help_line()
            )),
        }
    }
    text.push_str("# Durations: \"250ms\", \"1.5s\", \"200us\". Distributions: { dist = \"exp\", mean = \"250ms\" },\n");
    text.push_str("# { dist = \"uniform\", low = \"100ms\", high = \"400ms\" }, { dist = \"normal\", mean = \"250ms\", sd = \"50ms\" }\n");
    text.push_str(
        "\n[sweep]                        # lists of values; every combination is one scenario\n",
    );
    text.push_str(&line(
        "consumers",
        "[1, 2, 4]",
        "any [scenario] key may be swept",
    ));
    text.push_str(PAIRED_EXAMPLE);
    text.push_str("\n[plot]\n");
    for key in PlotKey::ALL {
        let spec = key.spec();
        match (key, spec.default) {
            // The starter sweeps consumers: its default x, written out.
            (PlotKey::X, _) => text.push_str(&line(spec.name, "\"consumers\"", spec.help)),
            (_, Some(value)) => text.push_str(&line(spec.name, value, spec.help)),
            (_, None) => text.push_str(&format!(
                "# {:<28} # {}\n",
                format!("{} = \"producers\"", spec.name),
                spec.help
            )),
        }
    }
    text
}

/// The starter's example of keys that vary together, commented out so the starter runs
/// as it is; a test uncomments it.
pub const PAIRED_EXAMPLE: &str = "\
# Keys that vary together: each point is one value of the group, crossed with the other
# swept keys at the group's place. A key varies in one place, so drop `consumers` above
# before you uncomment this; then [plot] x = \"topology\" draws bars of 1 × 1, 4 × 1, 4 × 4.
# together.topology = [
#   { producers = 1, consumers = 1 },
#   { producers = 4, consumers = 1 },
#   { producers = 4, consumers = 4 },
# ]
";

fn line(name: &str, value: &str, help: &str) -> String {
    format!("{:<30} # {help}\n", format!("{name} = {value}"))
}
