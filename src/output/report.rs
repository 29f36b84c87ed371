//! `report.md`: what was run, the summary as a table, the charts, the experiment file and
//! the environment, readable on any git host.

use std::fmt::Write as _;

use super::{Output, RenderError, Results};
use crate::experiment::ChartFormat;
use crate::output::chart::KINDS;
use crate::record::{QueueMetric, Source};
use crate::stats::{Line, Scaling, USL_MIN_POINTS};

pub struct Report;

impl Output for Report {
    fn file_name(&self, _: &Results) -> String {
        "report.md".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let mut text = String::new();
        intro(&mut text, results);
        table(&mut text, results);
        queue_table(&mut text, results);
        text.push_str(&super::theory::section(results));
        scaling(&mut text, results);
        charts(&mut text, results);
        let source = results.experiment.source.trim_end();
        let _ = write!(text, "\n## Experiment\n\n```toml\n{source}\n```\n");
        environment(&mut text, results);
        Ok(text.into_bytes())
    }
}

fn intro(text: &mut String, results: &Results) {
    let e = results.experiment;
    let _ = writeln!(text, "# {}\n", e.name);
    if !e.description.is_empty() {
        let _ = writeln!(text, "{}\n", e.description);
    }
    let how = match results.source {
        Source::Measured => "with real threads",
        Source::Model => "in the model alone (virtual time, no threads)",
    };
    let runs = results.runs.len();
    let _ = write!(
        text,
        "{} scenarios, {runs} runs in all, {how}, at time_scale {} with seed {}.",
        results.summaries.len(),
        e.time_scale,
        e.seed
    );
    if let Some(env) = results.environment {
        let _ = write!(
            text,
            " On {} ({} × {}), {} to {}.",
            env.host, env.cpus, env.cpu_model, env.started, env.finished
        );
    }
    let _ = writeln!(
        text,
        " Times are wall-clock seconds after scaling; `model` is the discrete-event prediction \
         for each run's own draws, `error` the median run's distance from it."
    );
    for s in results.summaries {
        if !s.outliers.is_empty() {
            let label = &e.scenarios[s.scenario].label;
            let _ = writeln!(
                text,
                "\n**Outliers** in `{label}`: {:?} s against a median of {:.6} s.",
                s.outliers, s.elapsed_s.median
            );
        }
    }
}

fn table(text: &mut String, results: &Results) {
    text.push_str("\n## Summary\n\n| scenario | runs | median s | 95% interval s | model s | error | speedup | efficiency |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
    for s in results.summaries {
        let label = &results.experiment.scenarios[s.scenario].label;
        let (low, high) = s.median_interval_s;
        let _ = writeln!(
            text,
            "| {label} | {} | {:.4} | {:.4} – {:.4} | {:.4} | {} | {} | {} |",
            s.runs,
            s.elapsed_s.median,
            low,
            high,
            s.predicted_s,
            optional(s.error_pct, Style::SignedPercent),
            optional(s.speedup, Style::TwoDecimals),
            optional(s.efficiency, Style::TwoDecimals),
        );
    }
}

/// The metrics of the queue per scenario, measured beside the model's prediction for
/// the same runs' draws.
fn queue_table(text: &mut String, results: &Results) {
    const SHOWN: [QueueMetric; 6] = [
        QueueMetric::WaitP50,
        QueueMetric::WaitP99,
        QueueMetric::WaitMean,
        QueueMetric::WaitedFraction,
        QueueMetric::MaxDepth,
        QueueMetric::BlockedP99,
    ];
    if results.summaries.iter().all(|s| s.queue.is_empty()) {
        return;
    }
    text.push_str(
        "\n## Queue\n\nMedians over the runs, measured (model in brackets): waits on the queue \
         of the sampled items, from their put's return to their take; the share of them that \
         waited at least 20 µs; the deepest queue seen just after a sampled put; and how \
         long a put was blocked (a full queue, or a rendezvous waiting for its taker).\n\n\
         | scenario |",
    );
    for metric in SHOWN {
        let _ = write!(text, " {} |", metric.words());
    }
    text.push_str("\n|---|");
    text.push_str(&"---:|".repeat(SHOWN.len()));
    text.push('\n');
    for s in results.summaries {
        let label = &results.experiment.scenarios[s.scenario].label;
        let _ = write!(text, "| {label} |");
        for metric in SHOWN {
            let cell = s.paired(metric).map_or("–".to_string(), |p| {
                format!(
                    "{} ({})",
                    metric_text(metric, p.measured),
                    metric_text(metric, p.predicted)
                )
            });
            let _ = write!(text, " {cell} |");
        }
        text.push('\n');
    }
}

/// A metric's value as a person reads it: times in µs, ms or s, shares in percent.
fn metric_text(metric: QueueMetric, value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    match metric {
        QueueMetric::WaitedFraction => format!("{:.1}%", value * 100.0),
        QueueMetric::MaxDepth | QueueMetric::EmptyPolls => format!("{value:.0}"),
        _ if value < 1e-3 => format!("{:.1} µs", value * 1e6),
        _ if value < 1.0 => format!("{:.2} ms", value * 1e3),
        _ => format!("{value:.3} s"),
    }
}

/// The USL fit of each chart line that has one, or why it has none.
fn scaling(text: &mut String, results: &Results) {
    let mut lines: Vec<(Line, Scaling)> = Vec::new();
    for s in results.summaries {
        let (line, _) = results.experiment.line_of(s.scenario);
        if let Some(scaling) = s.scaling
            && !lines.iter().any(|(l, _)| *l == line)
        {
            lines.push((line, scaling));
        }
    }
    if lines.is_empty() {
        return;
    }
    text.push_str(
        "\n## Scalability\n\nThe Universal Scalability Law X(N) = X(1)·N / (1 + σ(N−1) + κN(N−1)) \
         fitted to median throughput against consumers (non-negative least squares), over the \
         points where consumers, not producers, are the limit. σ: contention (work that \
         serialises); κ: crosstalk (threads keeping each other coherent); N*: the consumers \
         at peak throughput.\n\n| line | points | X(1) items/s | σ | κ | N* | R² |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (line, scaling) in lines {
        let points = scaling.points;
        match scaling.usl {
            Some(usl) => {
                let peak = usl
                    .peak()
                    .map_or("none (κ = 0)".to_string(), |p| format!("{p:.1}"));
                let _ = writeln!(
                    text,
                    "| {} | {points} | {:.1} | {:.4} | {:.5} | {peak} | {:.3} |",
                    line_name(&line),
                    usl.x1,
                    usl.sigma,
                    usl.kappa,
                    usl.r2
                );
            }
            None => {
                let _ = writeln!(
                    text,
                    "| {} | {points} | too few points: a fit needs {USL_MIN_POINTS} | | | | |",
                    line_name(&line)
                );
            }
        }
    }
}

/// How a number of the summary table is written.
#[derive(Clone, Copy)]
enum Style {
    /// `+1.25%`
    SignedPercent,
    /// `1.25`
    TwoDecimals,
}

/// A number in `style`, or `–` where there is none.
fn optional(value: f64, style: Style) -> String {
    match (value.is_finite(), style) {
        (false, _) => "–".to_string(),
        (true, Style::SignedPercent) => format!("{value:+.2}%"),
        (true, Style::TwoDecimals) => format!("{value:.2}"),
    }
}

/// A chart line's name in the report: the one line of an experiment is `measured`.
fn line_name(line: &Line) -> &str {
    line.as_deref().unwrap_or("measured")
}

fn charts(text: &mut String, results: &Results) {
    let formats = &results.experiment.plot.formats;
    let Some(format) = formats
        .iter()
        .find(|f| **f == ChartFormat::Png)
        .or(formats.first())
    else {
        return;
    };
    text.push_str("\n## Charts\n");
    let x = results.experiment.plot.x.name();
    for kind in KINDS {
        if results.summaries.iter().any(|s| kind.measured(s).is_some()) {
            let file = format!("{}_vs_{x}.{}", kind.stem(), format.extension());
            let _ = write!(text, "\n![{} against {x}]({file})\n", kind.y_title());
        }
    }
}

fn environment(text: &mut String, results: &Results) {
    let Some(env) = results.environment else {
        return;
    };
    let commit = env
        .git_commit
        .clone()
        .unwrap_or_else(|| "not in git".to_string());
    let rows = [
        ("queuelab", env.queuelab_version.clone()),
        ("git commit", commit),
        ("host", env.host.clone()),
        ("CPU", format!("{} × {}", env.cpus, env.cpu_model)),
        ("OS", env.os.clone()),
        ("started", env.started.clone()),
        ("finished", env.finished.clone()),
        ("seed", results.experiment.seed.to_string()),
        ("time_scale", results.experiment.time_scale.to_string()),
    ];
    text.push_str("\n## Environment\n\n| | |\n|---|---|\n");
    for (name, value) in rows {
        let _ = writeln!(text, "| {name} | {value} |");
    }
}
