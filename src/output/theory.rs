//! Queueing theory in the results files: the columns of `summary.csv`, the `theory`
//! object of `summary.json` and the theory section of `report.md`, each showing the
//! closed form (`stats::theory`) beside the model and the measurement, or why none
//! applies.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Results, fixed};
use crate::record::{QueueMetric, Source};
use crate::scenario::duration::seconds_text;
use crate::stats::Summary;
use crate::stats::theory::{NotApplicable, Theory};
use crate::waits::WAITED_NS;

/// The columns `summary.csv` gives the theory, after every other.
pub const COLUMNS: [&str; 5] = [
    "theory_rho",
    "theory_wait_mean_s",
    "theory_wait_p99_s",
    "theory_waited_fraction",
    "theory",
];

/// The theory's cells of a `summary.csv` row: blank numbers and the reason where no
/// closed form applies, all blank where the theory was not worked out.
pub fn csv_cells(summary: &Summary) -> [String; 5] {
    match &summary.theory {
        Some(Ok(t)) => [
            fixed(t.rho, 6),
            fixed(t.wait_mean_s, 9),
            t.wait_p99_s.map(|p| fixed(p, 9)).unwrap_or_default(),
            t.waited_fraction.map(|w| fixed(w, 6)).unwrap_or_default(),
            t.formula.name().to_string(),
        ],
        Some(Err(why)) => [
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("none: {why}"),
        ],
        None => Default::default(),
    }
}

/// A number, or null where there is none (JSON has no NaN).
fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// `summary.json`'s `theory`: `{ "applies": true, "formula": .., "rho": .., .. }`, or
/// `{ "applies": false, "reason": .. }`; null where it was not worked out.
pub fn json(summary: &Summary) -> Value {
    match &summary.theory {
        Some(Ok(t)) => json!({
            "applies": true,
            "formula": t.formula.name(),
            "rho": number(t.rho),
            "wait_mean_s": number(t.wait_mean_s),
            "wait_p99_s": t.wait_p99_s.map(number),
            "wait_positive": number(t.wait_positive),
            "waited_fraction": t.waited_fraction.map(number),
            "waited_threshold_s": number(WAITED_NS as f64 / 1e9),
        }),
        Some(Err(why)) => json!({ "applies": false, "reason": why.to_string() }),
        None => Value::Null,
    }
}

/// `report.md`'s theory section: for each scenario a closed form fits, the theory beside
/// the model and the measurement for the mean and p99 wait and the share that waited;
/// then, counted by reason, the scenarios none fits. Empty where no theory was worked out.
pub fn section(results: &Results) -> String {
    let worked: Vec<&Summary> = results
        .summaries
        .iter()
        .filter(|s| s.theory.is_some())
        .collect();
    if worked.is_empty() {
        return String::new();
    }
    let mut text = String::from(
        "\n## Theory\n\nWhere a closed form holds (exponential produce times, so the producers \
         make a Poisson stream; exponential or fixed consume times; blocking consumers; an \
         unbounded queue; ρ < 1 and a run long enough to be near steady state), queueing \
         theory's wait in queue (Wq, from put to take) beside the model and the measurement: \
         Erlang C for M/M/c, Pollaczek–Khinchine for M/D/1 and M/G/1 (the mean only). The \
         share that waited counts waits of at least 20 µs on every side: theory's P(Wq > 20 µs), \
         not P(Wq > 0). Cells read theory / model / measured.\n",
    );
    let fitting: Vec<(&Summary, &Theory)> = worked
        .iter()
        .filter_map(|s| match &s.theory {
            Some(Ok(t)) => Some((*s, t)),
            _ => None,
        })
        .collect();
    if !fitting.is_empty() {
        text.push_str(
            "\n| scenario | formula | ρ | P(Wq > 0) | queue wait, mean | queue wait, 99th percentile | share that waited ≥ 20 µs |\n\
             |---|---|---:|---:|---:|---:|---:|\n",
        );
    }
    for (s, t) in &fitting {
        let label = &results.experiment.scenarios[s.scenario].label;
        let _ = writeln!(
            text,
            "| {label} | {} | {:.3} | {:.1}% | {} | {} | {} |",
            t.formula.name(),
            t.rho,
            t.wait_positive * 100.0,
            row(results, s, QueueMetric::WaitMean, Some(t.wait_mean_s)),
            row(results, s, QueueMetric::WaitP99, t.wait_p99_s),
            row(results, s, QueueMetric::WaitedFraction, t.waited_fraction),
        );
    }
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for why in worked.iter().filter_map(|s| s.theory?.err()) {
        let why = reason(why);
        match reasons.iter_mut().find(|(r, _)| *r == why) {
            Some((_, count)) => *count += 1,
            None => reasons.push((why, 1)),
        }
    }
    if !reasons.is_empty() {
        text.push_str("\nNo closed form shown:\n\n");
        for (why, count) in reasons {
            let scenarios = if count == 1 { "scenario" } else { "scenarios" };
            let _ = writeln!(text, "- {why}: {count} {scenarios}");
        }
    }
    text
}

/// A reason in the report's words; the counts of too-short runs differ per scenario, so
/// they are grouped under one line.
fn reason(why: NotApplicable) -> String {
    match why {
        NotApplicable::TooFewItems { .. } => "too few items to be near steady state".to_string(),
        NotApplicable::Overloaded { .. } => "ρ ≥ 1: no steady state".to_string(),
        other => other.to_string(),
    }
}

/// `theory / model / measured` for one metric; `–` for a side that has no number (the
/// measurement, in a run of the model alone).
fn row(results: &Results, s: &Summary, metric: QueueMetric, theory: Option<f64>) -> String {
    let paired = s.paired(metric);
    let model = paired.map_or(f64::NAN, |p| p.predicted);
    let measured = match results.source {
        Source::Measured => paired.map_or(f64::NAN, |p| p.measured),
        Source::Model => f64::NAN,
    };
    let show = |v: f64| value_text(metric, v);
    format!(
        "{} / {} / {}",
        show(theory.unwrap_or(f64::NAN)),
        show(model),
        show(measured)
    )
}

/// Times in their unit to the digits the report's queue table gives (a wait is measured
/// by a histogram of 1% steps), shares in percent; `–` for none.
fn value_text(metric: QueueMetric, value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    match metric {
        QueueMetric::WaitedFraction => format!("{:.1}%", value * 100.0),
        _ => seconds_text(value),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::experiment::{Experiment, parse};
    use crate::model::predict;
    use crate::output::all_outputs;
    use crate::record::RunRecord;
    use crate::stats::summarise;
    use crate::stats::theory::add_theory;

    /// Two exponential producers at 4 ms each (λ = 500/s) and one consumer of 1 ms
    /// (ρ = 0.5): M/M/1 and M/D/1 with blocking consumers, none with polling ones.
    const TEXT: &str = "name = \"theory\"\nrepeats = 1\nseed = 3\n[scenario]\nproducers = 2\n\
                        items_per_producer = 10000\nproduce_time = { dist = \"exp\", mean = \"4ms\" }\n\
                        [sweep]\nconsume_time = [{ dist = \"exp\", mean = \"1ms\" }, \"1ms\"]\n\
                        consumer = [\"block\", \"poll\"]\n";

    fn rendered() -> (Experiment, Vec<(String, String)>) {
        let experiment = parse(Path::new("theory.toml"), TEXT).expect("valid");
        let runs: Vec<RunRecord> = experiment
            .scenarios
            .iter()
            .map(|s| {
                let p = predict(s, 7, 2);
                RunRecord {
                    scenario: s.index,
                    repeat: 1,
                    run_seed: 7,
                    source: Source::Measured,
                    elapsed_s: p.elapsed_s,
                    predicted_s: Some(p.elapsed_s),
                    items: p.items,
                    queue: p.queue.clone(),
                    predicted_queue: p.queue,
                }
            })
            .collect();
        let mut summaries = summarise(&runs);
        add_theory(&mut summaries, |i| &experiment.scenarios[i]);
        let results = Results::of_runs(&experiment, Source::Measured, &runs, &summaries);
        let files = ["summary.csv", "summary.json", "report.md"]
            .iter()
            .map(|name| {
                let outputs = all_outputs(&experiment);
                let output = outputs
                    .iter()
                    .find(|o| o.file_name(&results) == *name)
                    .expect("an output of that name");
                let bytes = output.render(&results).expect("renders");
                (name.to_string(), String::from_utf8(bytes).expect("text"))
            })
            .collect();
        (experiment, files)
    }

    fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
        &files.iter().find(|(n, _)| n == name).expect("rendered").1
    }

    #[test]
    fn every_summary_file_shows_the_theory_or_why_there_is_none() {
        let (experiment, files) = rendered();
        let modes: Vec<&str> = experiment
            .scenarios
            .iter()
            .map(|s| s.consumer.name())
            .collect();
        let mut csv = csv::Reader::from_reader(file(&files, "summary.csv").as_bytes());
        let header = csv.headers().expect("header").clone();
        let at = |name: &str| header.iter().position(|h| h == name).expect(name);
        let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 4);
        for (row, mode) in rows.iter().zip(&modes) {
            let formula = &row[at("theory")];
            if *mode == "poll" {
                assert_eq!(formula, "none: polling consumers");
                assert_eq!(&row[at("theory_rho")], "");
            } else {
                assert_eq!(&row[at("theory_rho")], "0.500000", "{formula}");
            }
        }
        // M/M/1 at ρ = 0.5 and μ = 1000/s: Wq = ρ/(μ − λ) = 1 ms; M/D/1: half that.
        let formulas: Vec<&str> = rows.iter().map(|r| &r[at("theory")]).collect();
        let mm1 = formulas
            .iter()
            .position(|f| f.starts_with("Erlang C"))
            .expect("M/M/1");
        assert_eq!(&rows[mm1][at("theory_wait_mean_s")], "0.001000000");
        let md1 = formulas
            .iter()
            .position(|f| f.contains("M/D/1"))
            .expect("M/D/1");
        assert_eq!(&rows[md1][at("theory_wait_mean_s")], "0.000500000");
        assert_eq!(
            &rows[md1][at("theory_wait_p99_s")],
            "",
            "no closed-form p99"
        );

        let json: Value = serde_json::from_str(file(&files, "summary.json")).expect("json");
        let theory = &json["results"][mm1]["theory"];
        assert_eq!(theory["applies"], true);
        assert_eq!(theory["formula"], "Erlang C (M/M/c)");
        assert_eq!(theory["waited_threshold_s"], 2e-5);
        let poll = modes
            .iter()
            .position(|m| *m == "poll")
            .expect("a polling scenario");
        assert_eq!(json["results"][poll]["theory"]["applies"], false);

        let report = file(&files, "report.md");
        assert!(report.contains("## Theory"), "{report}");
        assert!(
            report.contains("| Erlang C (M/M/c) | 0.500 | 50.0% | 1.00 ms / "),
            "{report}"
        );
        assert!(
            report.contains("- polling consumers: 2 scenarios"),
            "{report}"
        );
    }
}
