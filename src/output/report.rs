//! `report.md`: the findings first (where more x stops paying, best and worst scenarios,
//! the model's worst miss, outliers, warnings), then what was run, the summary as a
//! table, the outliers, the charts, the experiment file and the environment, readable on
//! any git host. It formats; the numbers come from `stats`.

use std::fmt::Write as _;

use super::experiment_toml::overridden;
use super::{Output, RenderError, Results};
use crate::experiment::ChartFormat;
use crate::output::chart::{KINDS, is_time};
use crate::record::{QueueMetric, Source};
use crate::scenario::ConsumerStyle;
use crate::scenario::duration::{seconds_text, seconds_text_precise};
use crate::stats::{ENOUGH_WITHIN, Line, Scaling, Summary, USL_MIN_POINTS, findings};
use crate::waits::WAITED_NS;

pub struct Report;

impl Output for Report {
    fn file_name(&self, _: &Results) -> String {
        "report.md".to_string()
    }

    fn render(&self, results: &Results) -> Result<Vec<u8>, RenderError> {
        let mut text = String::new();
        let e = results.experiment;
        let _ = writeln!(text, "# {}\n", e.name);
        if !e.description.is_empty() {
            let _ = writeln!(text, "{}\n", e.description);
        }
        findings_section(&mut text, results);
        intro(&mut text, results);
        text.push_str(&super::published::section(results));
        table(&mut text, results);
        queue_table(&mut text, results);
        text.push_str(&super::theory::section(results));
        outliers(&mut text, results);
        scaling(&mut text, results);
        charts(&mut text, results);
        let source = results.experiment.source.trim_end();
        let _ = write!(text, "\n## Experiment\n\n```toml\n{source}\n```\n");
        environment(&mut text, results);
        // A description's escapes, or a meta.json's host or command, can hold control
        // characters, which a terminal showing the file would obey.
        Ok(crate::visible::visible(&text).into_owned().into_bytes())
    }
}

/// How many of the planned runs are missing, if any: a run stopped early summarises the
/// scenarios it reached, which must not read as the whole sweep.
fn missing_runs(results: &Results) -> Option<String> {
    let e = results.experiment;
    let planned = e.scenarios.len() as u64 * u64::from(e.repeats);
    let made = results.runs.len() as u64;
    (made < planned).then(|| {
        format!(
            "**Incomplete:** {made} of the {planned} runs planned, in {} of the {} scenarios; \
             `queuelab run --resume` with the same settings makes the rest.",
            results.summaries.len(),
            e.scenarios.len()
        )
    })
}

fn intro(text: &mut String, results: &Results) {
    let e = results.experiment;
    let how = match results.source {
        Source::Measured => "with real threads",
        Source::Model => "in the model alone (virtual time, no threads)",
    };
    let _ = write!(
        text,
        "\n## What was run\n\n{}, {} in all, {how}, at time_scale {} with seed {}.",
        super::counted(results.summaries.len() as u64, "scenario"),
        super::counted(results.runs.len() as u64, "run"),
        e.time_scale,
        e.seed
    );
    if let Some(missing) = missing_runs(results) {
        let _ = write!(text, " {missing}");
    }
    if let Some(sweep) = e.sweep_words() {
        let _ = write!(text, " Swept: {sweep}.");
    }
    if let Some(settings) = overridden(e) {
        let _ = write!(
            text,
            " The command line set {settings}; the experiment file below says otherwise."
        );
    }
    if let Some(env) = results.environment {
        let _ = write!(
            text,
            " On {} ({} × {}), {} to {}.",
            env.host, env.cpus, env.cpu_model, env.started, env.finished
        );
    }
    let _ = writeln!(
        text,
        " {}; `model` is the discrete-event prediction for each run's own draws, `error` the \
         median run's distance from it.",
        match results.source {
            Source::Measured => "Times are wall-clock, after scaling",
            Source::Model => "Times are the model's virtual time, after scaling",
        }
    );
    if e.time_scale != 1.0 {
        let _ = writeln!(
            text,
            "\nScenario names and x values give durations as the file writes them, unscaled: \
             each ran {} times as long.",
            e.time_scale
        );
    }
}

/// A scenario's name in the report.
fn label<'a>(results: &'a Results, summary: &Summary) -> &'a str {
    &results.experiment.scenarios[summary.scenario].label
}

/// Where more x stops paying, the best and worst, the model's worst miss, outliers and
/// warnings, each a line of its own.
fn findings_section(text: &mut String, results: &Results) {
    let e = results.experiment;
    let summaries = results.summaries;
    let found = findings(summaries, |i| e.line_of(i));
    let mut lines: Vec<String> = super::published::finding(results).into_iter().collect();
    if found.untimed {
        lines.push(
            "The model gives zero-time work no time at all: what these runs cost is the queue \
             itself, which only `queuelab run` measures."
                .to_string(),
        );
    }
    let x = e.plot.x.name();
    let unscaled = if e.time_scale != 1.0 && is_time(&e.plot.x) {
        " (as written, unscaled)"
    } else {
        ""
    };
    for enough in &found.enough {
        let (at, best) = (&summaries[enough.enough], &summaries[enough.best]);
        let scenario = |s: &Summary| e.plot.x.words(&e.scenarios[s.scenario]);
        let on = match &enough.line {
            Some(line) => format!("With {line}, adding"),
            None => "Adding".to_string(),
        };
        let (v, fastest) = (scenario(at), seconds_text_precise(best.elapsed_s.median));
        lines.push(if enough.enough == enough.first {
            let how = match enough.enough == enough.best {
                true => format!("the fastest ({fastest} median)"),
                false => format!(
                    "within {:.0}% of the fastest ({fastest} at {})",
                    ENOUGH_WITHIN * 100.0,
                    scenario(best)
                ),
            };
            format!("{on} {x} does not pay: {x} = {v}{unscaled} is {how}.")
        } else if enough.enough == enough.best {
            format!("{on} {x} pays up to {x} = {v}{unscaled}, the fastest ({fastest} median).")
        } else {
            format!(
                "{on} {x} stops paying at {x} = {v}{unscaled}: {}, within {:.0}% of the \
                 fastest ({fastest} at {}).",
                seconds_text_precise(at.elapsed_s.median),
                ENOUGH_WITHIN * 100.0,
                scenario(best)
            )
        });
    }
    if let (Some(fast), Some(slow)) = (found.fastest, found.slowest)
        && summaries.len() > 1
    {
        lines.push(format!(
            "Fastest: `{}`, {} median; slowest: `{}`, {}.",
            label(results, &summaries[fast]),
            seconds_text_precise(summaries[fast].elapsed_s.median),
            label(results, &summaries[slow]),
            seconds_text_precise(summaries[slow].elapsed_s.median)
        ));
    }
    match found.worst_error {
        Some(worst) if results.source == Source::Measured => {
            let s = &summaries[worst];
            lines.push(format!(
                "The model's worst miss: `{}`, median run {:+.2}% from its prediction ({} \
                 against {}).",
                label(results, s),
                s.error_pct,
                seconds_text_precise(s.elapsed_s.median),
                seconds_text_precise(s.predicted_s)
            ));
        }
        None if results.source == Source::Measured => lines.push(
            "The model predicts no time for zero-time work: the table gives ns per item."
                .to_string(),
        ),
        _ => {}
    }
    if results.source == Source::Measured {
        lines.push(match found.outliers {
            0 => "No outliers.".to_string(),
            n => format!(
                "{n} outlying run(s) in {} scenario(s), listed under Outliers: was the machine \
                 busy? More repeats would tell.",
                found.outlier_scenarios
            ),
        });
    }
    let hand_over = results.environment.and_then(|env| env.hand_over);
    if let Some(short) = hand_over.and_then(|h| h.short_waits(&e.scenarios, e.time_scale)) {
        lines.push(format!("**Warning:** {}", short.describe()));
    }
    if let Some(settings) = overridden(e) {
        // `--resume` keeps runs of more repeats than the file asks for; the command line
        // need not have said so.
        let kept = match settings.contains("repeats") {
            true => ", or, for repeats, runs of more repeats kept by `--resume`",
            false => "",
        };
        lines.push(format!(
            "**Note:** run at {settings}, not as the experiment file says (set on the \
             command line{kept})."
        ));
    }
    if lines.is_empty() {
        return;
    }
    text.push_str("## Findings\n\n");
    for line in lines {
        let _ = writeln!(text, "- {line}");
    }
}

/// Runs far from the others, a row per run.
fn outliers(text: &mut String, results: &Results) {
    if results.summaries.iter().all(|s| s.outliers.is_empty()) {
        return;
    }
    text.push_str(
        "\n## Outliers\n\nRuns whose distance from their prediction is far from the others' \
         (modified z-score above 3.5, and over 0.5% from the median).\n\n\
         | scenario | run | median | from the median |\n|---|---:|---:|---:|\n",
    );
    for s in results.summaries {
        for run in &s.outliers {
            let median = s.elapsed_s.median;
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} |",
                label(results, s),
                seconds_text_precise(*run),
                seconds_text_precise(median),
                optional((run - median) / median * 100.0, Style::SignedPercent)
            );
        }
    }
}

fn table(text: &mut String, results: &Results) {
    // Zero-time work has no model time to set it against: the cost per item says more.
    let per_item = results
        .experiment
        .scenarios
        .iter()
        .any(|s| s.produce_is_instant() && s.consume_is_instant());
    let (extra, align) = if per_item {
        (" ns/item |", "---:|")
    } else {
        ("", "")
    };
    let _ = write!(
        text,
        "\n## Summary\n\n| scenario | runs | median | 95% interval |{extra} model | error | speedup | efficiency |\n|---|---:|---:|---|{align}---:|---:|---:|---:|\n"
    );
    for s in results.summaries {
        let (low, high) = s.median_interval_s;
        let ns = if per_item {
            let ns = s.elapsed_s.median / s.items as f64 * 1e9;
            format!(" {} |", optional(ns, Style::OneDecimal))
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} – {} |{ns} {} | {} | {} | {} |",
            label(results, s),
            s.runs,
            seconds_text_precise(s.elapsed_s.median),
            seconds_text_precise(low),
            seconds_text_precise(high),
            seconds_text_precise(s.predicted_s),
            optional(s.error_pct, Style::SignedPercent),
            optional(s.speedup, Style::TwoDecimals),
            optional(s.efficiency, Style::TwoDecimals),
        );
    }
    if results.summaries.iter().all(|s| !s.speedup.is_finite()) {
        let _ = writeln!(
            text,
            "\nSpeedup and efficiency are given where x counts threads (producers or consumers)."
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
    let _ = write!(
        text,
        "\n## Queue\n\nMedians over the runs, measured (model in brackets): waits on the queue \
         of the sampled items, from their put (its return, if it blocked) to their take; the \
         share of them that waited at least {} µs; the deepest queue seen just after a sampled \
         put; and how long a put was blocked (a full queue, or a rendezvous waiting for its taker).\n\n\
         | scenario |",
        WAITED_NS / 1000
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
    if let Some(note) = hand_over_note(results) {
        text.push_str(&note);
    }
}

/// Why the measured share that waited may run above the model's: an item put while a
/// blocking consumer waits on the empty queue is, in the model, taken at once; on a real
/// machine it waits until the consumer's thread wakes, and where that alone often takes
/// `WAITED_NS` the item counts as having waited. Said where blocking consumers of a queue
/// that holds items were measured (a rendezvous item waits for nothing) and the machine's
/// hand-overs often reached it (`HandOver::often_waited`).
fn hand_over_note(results: &Results) -> Option<String> {
    let hand_over = results.environment?.hand_over?;
    let blocking = results.summaries.iter().any(|s| {
        let scenario = &results.experiment.scenarios[s.scenario];
        !s.queue.is_empty()
            && scenario.consumer == ConsumerStyle::Block
            && scenario.queue.capacity() != Some(0)
    });
    (blocking && hand_over.often_waited()).then(|| {
        format!(
            "\nOn this machine an item put for a thread waiting on an empty queue reached it \
             {:.1} µs after its put was called (median; 90th percentile {:.1} µs), and {} of {} such hand-overs \
             took at least {} µs by themselves. The model hands an item to an idle blocking consumer at \
             once; on real threads the item waits until that consumer's thread wakes. So where \
             consumers are often idle the measured share that waited runs above the model's, \
             and means and percentiles a little above it, by the machine's wake-up, not the \
             queue's.\n",
            hand_over.median_us,
            hand_over.p90_us,
            hand_over.waited,
            hand_over.samples,
            WAITED_NS / 1000,
        )
    })
}

/// A metric's value as a person reads it: times in µs, ms or s, shares in percent.
fn metric_text(metric: QueueMetric, value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    match metric {
        QueueMetric::WaitedFraction => format!("{:.1}%", value * 100.0),
        QueueMetric::MaxDepth | QueueMetric::EmptyPolls => format!("{value:.0}"),
        _ => seconds_text(value),
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
    /// `1.2`
    OneDecimal,
}

/// A number in `style`, or `–` where there is none.
fn optional(value: f64, style: Style) -> String {
    match (value.is_finite(), style) {
        (false, _) => "–".to_string(),
        (true, Style::SignedPercent) => format!("{value:+.2}%"),
        (true, Style::TwoDecimals) => format!("{value:.2}"),
        (true, Style::OneDecimal) => format!("{value:.1}"),
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
        if results
            .summaries
            .iter()
            .any(|s| kind.measured(s, results.summaries).is_some())
        {
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
    let mut rows = rows.to_vec();
    let recorded = [
        ("jobs", env.jobs.map(|j| j.to_string())),
        ("warmup", env.warmup.map(|w| w.to_string())),
        ("order", env.order.clone()),
        // A `|` would end the table's cell.
        (
            "command",
            env.command
                .as_ref()
                .map(|c| format!("`{}`", c.replace('|', "\\|"))),
        ),
        (
            "sleep overshoot",
            env.sleep_overshoot.map(|o| {
                format!(
                    "{:.1} µs median, {:.1} µs p90 over {} sleeps of {} µs",
                    o.median_us, o.p90_us, o.samples, o.asked_us
                )
            }),
        ),
        (
            "hand-over to a waiting thread",
            env.hand_over.map(|h| {
                format!(
                    "{:.1} µs median, {:.1} µs p90 over {} items; {} took at least {} µs",
                    h.median_us,
                    h.p90_us,
                    h.samples,
                    h.waited,
                    WAITED_NS / 1000
                )
            }),
        ),
    ];
    rows.extend(recorded.into_iter().filter_map(|(k, v)| Some((k, v?))));
    text.push_str("\n## Environment\n\n| | |\n|---|---|\n");
    for (name, value) in rows {
        let _ = writeln!(text, "| {name} | {value} |");
    }
}
