//! The report's section for `[report] compare_with = "crossbeam-channel-benchmarks"`:
//! per case of the suite, the order of implementations measured here (ties where the
//! intervals overlap) beside the order of the published plot's bars, and whether they
//! agree; and a line for the findings. It formats; `stats::published` compares.

use std::fmt::Write as _;

use super::Results;
use crate::record::Source;
use crate::stats::published::order_published;
use crate::stats::published::{CaseComparison, Measured, Order, Verdict, compare, order_measured};
use crate::suite::{MESSAGES, PublishedBar, SOURCE};

/// Seconds to three significant figures: `31.5`, `0.240`, `0.000981`.
fn seconds(value: f64) -> String {
    if !(value.is_finite() && value > 0.0) {
        return format!("{value}");
    }
    let decimals = (2 - value.log10().floor() as i32).clamp(0, 9) as usize;
    format!("{value:.decimals$}")
}

/// `a < b ≈ c`: each entry, and between neighbours `<` where told apart, `≈` where not.
fn chain<T>(entries: &[T], text: impl Fn(&T) -> String, order: impl Fn(&T, &T) -> Order) -> String {
    let mut out = String::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(match order(&entries[i - 1], entry) {
                Order::Tied => " ≈ ",
                _ => " < ",
            });
        }
        out.push_str(&text(entry));
    }
    out
}

fn measured_text(m: &Measured) -> String {
    let interval = match m.interval_s {
        Some((low, high)) => format!("{}–{}", seconds(low), seconds(high)),
        None => "one run: no interval".to_string(),
    };
    format!("{} {} s ({interval})", m.queue_impl, seconds(m.median_s))
}

fn published_cell(c: &CaseComparison) -> String {
    let bars = chain(
        &c.published,
        // As read off the plot, to the figures its pixels give.
        |b: &&PublishedBar| format!("{} {:?}", b.queue_impl, b.seconds),
        |a, b| order_published(a, b),
    );
    let mut cell = if bars.is_empty() {
        "no bar".to_string()
    } else {
        bars
    };
    if !c.not_published.is_empty() {
        let _ = write!(cell, "; not in the plot: {}", c.not_published.join(", "));
    }
    cell
}

fn pairs(pairs: &[(String, String)], join: &str) -> String {
    let words: Vec<String> = pairs.iter().map(|(a, b)| format!("{a}{join}{b}")).collect();
    words.join(", ")
}

fn verdict_text(c: &CaseComparison) -> String {
    match &c.verdict {
        Verdict::Agrees => "agrees".to_string(),
        Verdict::Differs(reversed) => format!("differs: here {}", pairs(reversed, " < ")),
        Verdict::NotToldApart(tied) => {
            format!("not told apart here: {}", pairs(tied, " ≈ "))
        }
        Verdict::NothingToCompare => match c.published.as_slice() {
            [only] => format!("nothing to compare: the plot has {} alone", only.queue_impl),
            [] => "nothing to compare: the plot has no bar".to_string(),
            _ => "nothing to compare: one implementation in common".to_string(),
        },
    }
}

/// How many cases agree, differ, are not told apart and compare nothing.
fn counts(cases: &[CaseComparison]) -> [usize; 4] {
    let mut counts = [0; 4];
    for c in cases {
        let at = match c.verdict {
            Verdict::Agrees => 0,
            Verdict::Differs(_) => 1,
            Verdict::NotToldApart(_) => 2,
            Verdict::NothingToCompare => 3,
        };
        counts[at] += 1;
    }
    counts
}

/// The line for the report's findings; `None` unless the experiment asks for it and
/// threads ran it.
pub fn finding(results: &Results) -> Option<String> {
    results.experiment.report.compare_with?;
    if results.source == Source::Model {
        return None;
    }
    let cases = compare(&results.experiment.scenarios, results.summaries);
    let [agree, differ, tied, nothing] = counts(&cases);
    Some(format!(
        "Beside crossbeam-channel's published benchmarks (Rust 1.63): of {} cases, {agree} \
         agree, {differ} differ, {tied} are not told apart here and {nothing} have nothing to \
         compare (see [the comparison](#beside-crossbeam-channels-published-benchmarks)).",
        cases.len()
    ))
}

/// The section, or nothing unless the experiment asks for it.
pub fn section(results: &Results) -> String {
    if results.experiment.report.compare_with.is_none() {
        return String::new();
    }
    let mut text = String::from("\n## Beside crossbeam-channel's published benchmarks\n\n");
    if results.source == Source::Model {
        text.push_str(
            "The model gives the suite's zero-time work no time at all, so it orders \
             nothing: the comparison needs runs with threads (`queuelab run`).\n",
        );
        return text;
    }
    let cases = compare(&results.experiment.scenarios, results.summaries);
    let _ = writeln!(
        text,
        "crossbeam-channel's benchmark suite ([its plot]({}), committed {}; {}) times {} \
         messages of one `usize` per case: spsc (1 × 1 threads), mpsc (4 × 1) and mpmc \
         (4 × 4), over four channels. {}",
        SOURCE.url,
        SOURCE.date,
        SOURCE.measured_with,
        thousands(MESSAGES),
        items_here(&cases)
    );
    text.push_str(
        "\nPer case, the implementations measured here, fastest first: the median elapsed \
         time and its 95% interval, `<` between neighbours whose intervals are apart and `≈` \
         where they overlap (not told apart). Beside them the order of the plot's bars in \
         seconds, `≈` where two end within a pixel; ",
    );
    let _ = writeln!(text, "{}.", SOURCE.read);
    text.push_str(
        "\n**Since Rust 1.67, `std::sync::mpsc` is built on crossbeam-channel's code.** The \
         plot's `mpsc` bars are std's older implementation under Rust 1.63, so where they put \
         std far behind crossbeam-channel they no longer describe std. Here std's one \
         receiver is shared by several consumers behind a `Mutex`; the suite runs no std \
         mpmc.\n\n",
    );
    text.push_str(
        "| channel | threads | measured here | published plot, s | |\n|---|---|---|---|---|\n",
    );
    for c in &cases {
        let measured = chain(&c.measured, measured_text, order_measured);
        let (producers, consumers) = c.case.topology.threads();
        let _ = writeln!(
            text,
            "| {} | {} ({producers} × {consumers}) | {measured} | {} | {} |",
            c.case.class.name(),
            c.case.topology.name(),
            published_cell(c),
            verdict_text(c)
        );
    }
    if cases.is_empty() {
        text.push_str("| | | no case of the suite has runs yet | | |\n");
    }
    text
}

/// What the cases here moved, beside the suite's messages.
fn items_here(cases: &[CaseComparison]) -> String {
    let mut items: Vec<u64> = cases.iter().map(|c| c.items).collect();
    items.sort_unstable();
    items.dedup();
    match items.as_slice() {
        [] => String::new(),
        [one] if *one == MESSAGES => "Each case here moved as many items.".to_string(),
        [one] => format!(
            "Each case here moved {} items: the seconds differ from the suite's, the order \
             need not.",
            thousands(*one)
        ),
        _ => format!(
            "Cases here moved {} to {} items: the seconds differ from the suite's, the order \
             need not.",
            thousands(items[0]),
            thousands(items[items.len() - 1])
        ),
    }
}

/// `5,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::experiment::{Experiment, parse};
    use crate::output::{Output, Report};
    use crate::record::RunRecord;
    use crate::stats::summarise;

    /// The suite at a small size, crossbeam, std and mutex over three channels: the
    /// bounded(N) capacity of 400 holds the 400 items of mpsc and mpmc.
    const SUITE: &str = "name = \"suite\"\n[scenario]\nproduce_time = \"0ms\"\n\
                         consume_time = \"0ms\"\nitems_per_producer = 100\n[sweep]\n\
                         together.capacity_class = [{ queue = \"bounded\", capacity = 0 }, \
                         { queue = \"bounded\", capacity = 400 }, { queue = \"unbounded\" }]\n\
                         together.topology = [{ producers = 1, consumers = 1 }, \
                         { producers = 4, consumers = 1 }, { producers = 4, consumers = 4 }]\n\
                         queue_impl = [\"crossbeam\", \"std\", \"mutex\"]\n\
                         exclude = [{ queue_impl = \"mutex\", capacity = 0 }]\n\
                         [report]\ncompare_with = \"crossbeam-channel-benchmarks\"\n";

    /// Made-up runs: crossbeam 1 s, std 2 s, mutex 3 s (+0, 1, 2% by repeat), but std as
    /// fast as crossbeam on an unbounded mpsc queue.
    fn report(source: &str) -> String {
        let experiment: Experiment = parse(Path::new("suite.toml"), source).expect("valid");
        let mut runs = Vec::new();
        for (index, scenario) in experiment.scenarios.iter().enumerate() {
            let tied = scenario.label.contains("unbounded producers=4 consumers=1");
            let base = match scenario.queue_impl.name() {
                "crossbeam" => 1.0,
                "std" if tied => 1.0,
                "std" => 2.0,
                _ => 3.0,
            };
            for repeat in 1..=3u32 {
                runs.push(RunRecord {
                    scenario: index,
                    repeat,
                    run_seed: 1,
                    source: Source::Measured,
                    elapsed_s: base * (1.0 + f64::from(repeat - 1) * 0.01),
                    predicted_s: Some(0.0),
                    items: scenario.total_items(),
                    queue: None,
                    predicted_queue: None,
                });
            }
        }
        let summaries = summarise(&runs);
        let results = Results::of_runs(&experiment, Source::Measured, &runs, &summaries);
        let bytes = Report.render(&results).expect("renders");
        String::from_utf8(bytes).expect("text")
    }

    fn row<'a>(report: &'a str, start: &str) -> &'a str {
        report
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no row {start} in {report}"))
    }

    #[test]
    fn each_case_sets_the_order_measured_beside_the_plots_and_says_if_they_agree() {
        let report = report(SUITE);
        assert!(report.contains("\n## Beside crossbeam-channel's published benchmarks\n"));
        assert!(report.contains("Since Rust 1.67, `std::sync::mpsc` is built on"));
        assert!(report.contains(SOURCE.url), "the source is named");
        assert_eq!(
            row(&report, "| bounded(0) | spsc (1 × 1) |"),
            "| bounded(0) | spsc (1 × 1) | crossbeam 1.01 s (1.00–1.02) < std 2.02 s \
             (2.00–2.04) | crossbeam 1.6 < std 31.5 | agrees |"
        );
        // The plot has std ahead on an unbounded spsc queue; here it is behind.
        assert!(
            row(&report, "| unbounded | spsc (1 × 1) |")
                .ends_with("| std 0.181 < crossbeam 0.24 < flume 0.928; not in the plot: mutex | differs: here crossbeam < std |"),
            "{report}"
        );
        assert!(
            row(&report, "| unbounded | mpsc (4 × 1) |")
                .ends_with("| not told apart here: crossbeam ≈ std |"),
            "{report}"
        );
        assert!(
            row(&report, "| bounded(N) | mpmc (4 × 4) |")
                .ends_with("| crossbeam 0.25; not in the plot: std, mutex | nothing to compare: the plot has crossbeam alone |"),
            "{report}"
        );
        assert!(
            report.contains(
                "of 9 cases, 4 agree, 1 differ, 1 are not told apart here and 3 have nothing \
                 to compare"
            ),
            "{report}"
        );
        assert!(
            report.contains("Cases here moved 100 to 400 items: the seconds differ"),
            "{report}"
        );
    }

    #[test]
    fn the_model_alone_orders_nothing_and_says_so() {
        let experiment = parse(Path::new("suite.toml"), SUITE).expect("valid");
        let runs: Vec<RunRecord> = (0..experiment.scenarios.len())
            .map(|scenario| RunRecord {
                scenario,
                repeat: 1,
                run_seed: 1,
                source: Source::Model,
                elapsed_s: 0.0,
                predicted_s: Some(0.0),
                items: 100,
                queue: None,
                predicted_queue: None,
            })
            .collect();
        let summaries = summarise(&runs);
        let results = Results::of_runs(&experiment, Source::Model, &runs, &summaries);
        let text = section(&results);
        assert!(
            text.contains("the comparison needs runs with threads"),
            "{text}"
        );
        assert!(!text.contains("| channel |"), "no table of zeros");
        assert_eq!(finding(&results), None);
    }

    #[test]
    fn the_section_is_there_only_when_the_experiment_asks_for_it() {
        let without = SUITE.replace(
            "[report]\ncompare_with = \"crossbeam-channel-benchmarks\"\n",
            "",
        );
        let report = report(&without);
        assert!(
            !report.contains("crossbeam-channel's published"),
            "{report}"
        );
        assert!(report.contains("## Summary"));
    }
}
