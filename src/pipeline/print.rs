//! What the commands print: per-scenario lines and tables, durations and percentages as
//! a person reads them, and status lines on stderr that never panic.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::experiment::Experiment;
use crate::scenario::duration::{seconds_text, seconds_text_precise};
use crate::stats::Summary;
use crate::visible::visible;

/// The line printed when a scenario has all its runs: `done` scenarios of all are complete
/// (with several jobs they complete out of order).
pub fn scenario_line(experiment: &Experiment, s: &Summary, done: usize) -> String {
    let scenario = &experiment.scenarios[s.scenario];
    format!(
        "{} {done} of {} scenarios done, {}: median {}, model {} ({})",
        experiment.name,
        experiment.scenarios.len(),
        scenario.label,
        seconds_text_precise(s.elapsed_s.median),
        seconds_text_precise(s.predicted_s),
        percent(s.error_pct)
    )
}

/// The width of a table's first column: its longest label, at least `scenario`.
pub fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> usize {
    labels.map(str::len).max().unwrap_or(8).max(8)
}

/// The per-scenario table printed by `run`, `simulate` and `check`.
pub fn scenario_table(experiment: &Experiment, summaries: &[Summary], measured: bool) -> String {
    if !measured {
        let predicted: Vec<(usize, f64)> = summaries
            .iter()
            .map(|s| (s.scenario, s.predicted_s))
            .collect();
        return model_table(experiment, &predicted);
    }
    let width = label_width(experiment.scenarios.iter().map(|s| s.label.as_str()));
    let mut text = format!(
        "  {:<width$}  {:>11}  {:>11}  {:>11}  {:>11}  {:>8}\n",
        "scenario", "median", "min", "max", "model", "error"
    );
    for s in summaries {
        let label = &experiment.scenarios[s.scenario].label;
        let e = &s.elapsed_s;
        let _ = writeln!(
            text,
            "  {label:<width$}  {:>11}  {:>11}  {:>11}  {:>11}  {:>8}",
            seconds_text_precise(e.median),
            seconds_text_precise(e.min),
            seconds_text_precise(e.max),
            seconds_text_precise(s.predicted_s),
            percent(s.error_pct)
        );
    }
    text
}

/// The model's median seconds of each scenario, `(scenario, seconds)`: what `check`
/// prints, and `simulate` with it.
pub fn model_table(experiment: &Experiment, predicted: &[(usize, f64)]) -> String {
    let width = label_width(experiment.scenarios.iter().map(|s| s.label.as_str()));
    let mut text = format!("  {:<width$}  {:>11}\n", "scenario", "model");
    for (scenario, seconds) in predicted {
        let label = &experiment.scenarios[*scenario].label;
        let _ = match seconds.is_finite() {
            true => writeln!(
                text,
                "  {label:<width$}  {:>11}",
                seconds_text_precise(*seconds)
            ),
            false => writeln!(text, "  {label:<width$}  not predicted"),
        };
    }
    text
}

/// A ratio B/A, or one end of its interval, as `compare` and `history` tables print it:
/// `-` where there is none (too few runs, no time on a side), `from 0` where A is none
/// and B some (a wait or a depth in `history`), which as a number would read `inf`.
pub fn ratio_text(ratio: f64) -> String {
    match ratio {
        r if r.is_infinite() => "from 0".to_string(),
        r if r.is_finite() => format!("{r:.4}"),
        _ => "-".to_string(),
    }
}

/// A signed percentage, or `n/a` where there is none.
pub fn percent(value: f64) -> String {
    if value.is_finite() {
        // What rounds to zero is zero: `-0.00%` reads as a change.
        let value = if value.abs() < 0.005 { 0.0 } else { value };
        format!("{value:+.2}%")
    } else {
        "n/a".to_string()
    }
}

/// A number from the command line as a person wrote it: `5`, `0.5`, `12.345`, and with
/// an exponent only when tiny or huge (`1e-320`): Rust's `{}` never writes one, so those
/// would print hundreds of digits.
pub fn given_number(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-6..1e16).contains(&magnitude) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Seconds as a person reads a duration: `18.00 ms`, `48.3 s`, `12 min 5 s`, `2 h 10 min`.
pub fn human(seconds: f64) -> String {
    // An empty sum of floats is -0.0, which reads as a negative time.
    let seconds = seconds.max(0.0);
    let s = seconds.round() as u64;
    match s {
        // Under a second (a sweep at a small time scale), in its unit: not `0.0 s`.
        _ if seconds < 1.0 => seconds_text(seconds),
        _ if seconds < 60.0 => format!("{seconds:.1} s"),
        _ if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
    }
}

/// Writes a status line to stderr. A closed or full stderr loses the line, never the run:
/// `eprintln!` would panic there. Text quoted from a file may hold control characters;
/// they are shown as symbols (`visible`), never sent to the terminal.
pub fn status(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", visible(line));
}

/// Like `status`, without the newline (a question waiting for its answer).
pub fn status_inline(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{}", visible(text)).and_then(|()| stderr.flush());
}

/// `text` as one shell word, for a command a person pastes: as it is when plain,
/// otherwise in single quotes (inside which only `'` itself needs care).
pub fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_reads_in_its_unit_however_short() {
        assert_eq!(human(0.018), "18.00 ms");
        assert_eq!(human(0.0), "0");
        assert_eq!(human(48.25), "48.2 s");
        assert_eq!(human(725.0), "12 min 5 s");
        assert_eq!(human(7800.0), "2 h 10 min");
    }

    #[test]
    fn a_given_number_reads_as_short_as_it_can() {
        assert_eq!(given_number(5.0), "5");
        assert_eq!(given_number(0.25), "0.25");
        assert_eq!(given_number(1e-320), "1e-320");
        assert_eq!(given_number(2.5e30), "2.5e30");
        assert_eq!(given_number(12.345678901234567), "12.345678901234567");
        assert_eq!(given_number(0.0), "0");
    }
}
