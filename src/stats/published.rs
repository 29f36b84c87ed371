//! queuelab's measurements beside a published benchmark's (`[report] compare_with`): per
//! case of crossbeam-channel's suite, the implementations in order of median elapsed
//! time, told apart only where the 95% intervals of their medians do not overlap, the
//! order of the published bars, and whether the two agree.
//!
//! It computes; the report formats. The suite's cases and bars are `suite`'s.

use crate::scenario::Scenario;
use crate::stats::Summary;
use crate::suite::{Case, PublishedBar, case_of, published};

/// An implementation as measured in one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub queue_impl: String,
    pub median_s: f64,
    /// The 95% interval of the median; `None` from a single run, which has none (its
    /// one value is no interval, and would order it against anything).
    pub interval_s: Option<(f64, f64)>,
}

/// How the first of two compares with the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Faster,
    Slower,
    /// Not told apart: the intervals overlap (or, in the plot, the bars end within a
    /// pixel of each other).
    Tied,
}

/// Two measured implementations: apart only where their intervals do not overlap; one
/// run alone tells nothing apart.
pub fn order_measured(a: &Measured, b: &Measured) -> Order {
    let (Some(a), Some(b)) = (a.interval_s, b.interval_s) else {
        return Order::Tied;
    };
    if a.1 < b.0 {
        Order::Faster
    } else if b.1 < a.0 {
        Order::Slower
    } else {
        Order::Tied
    }
}

/// Two published bars of one case: one run each, read to a pixel.
pub fn order_published(a: &PublishedBar, b: &PublishedBar) -> Order {
    let resolution = a.case.class.published_resolution_s();
    if (a.seconds - b.seconds).abs() <= resolution {
        Order::Tied
    } else if a.seconds < b.seconds {
        Order::Faster
    } else {
        Order::Slower
    }
}

/// Whether queuelab's order of a case agrees with the published one, over the
/// implementations both have.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Every pair the plot orders is ordered the same way here.
    Agrees,
    /// These pairs are the other way round here: `(faster here, slower here)`.
    Differs(Vec<(String, String)>),
    /// No pair is reversed, but these, ordered in the plot, are tied here.
    NotToldApart(Vec<(String, String)>),
    /// Fewer than two implementations are both measured here and in the plot.
    NothingToCompare,
}

/// One case: queuelab's implementations fastest first, the plot's, and the verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseComparison {
    pub case: Case,
    /// Items each run of the case moved (the suite sends 5,000,000).
    pub items: u64,
    pub measured: Vec<Measured>,
    pub published: Vec<&'static PublishedBar>,
    /// Implementations measured here that the plot has no bar for.
    pub not_published: Vec<String>,
    pub verdict: Verdict,
}

/// Every case of the suite the summaries measured, in the order of the plot's panels.
/// A case measured twice for one implementation (the parser refuses such experiments)
/// counts its first scenario.
pub fn compare(scenarios: &[Scenario], summaries: &[Summary]) -> Vec<CaseComparison> {
    let mut found: Vec<(Case, u64, Measured)> = Vec::new();
    for summary in summaries {
        let Some(scenario) = scenarios.get(summary.scenario) else {
            continue;
        };
        let Some(case) = case_of(scenario) else {
            continue;
        };
        let queue_impl = scenario.queue_impl.name().to_string();
        if found
            .iter()
            .any(|(c, _, m)| *c == case && m.queue_impl == queue_impl)
        {
            continue;
        }
        let measured = Measured {
            queue_impl,
            median_s: summary.elapsed_s.median,
            interval_s: (summary.runs >= 2).then_some(summary.median_interval_s),
        };
        found.push((case, summary.items, measured));
    }
    Case::all()
        .filter_map(|case| {
            let mine: Vec<&(Case, u64, Measured)> =
                found.iter().filter(|(c, _, _)| *c == case).collect();
            let items = mine.first()?.1;
            let measured = mine.into_iter().map(|(_, _, m)| m.clone()).collect();
            Some(compare_case(case, items, measured))
        })
        .collect()
}

/// One case's comparison from its measurements.
pub fn compare_case(case: Case, items: u64, mut measured: Vec<Measured>) -> CaseComparison {
    measured.sort_by(|a, b| a.median_s.total_cmp(&b.median_s));
    let mut bars: Vec<&'static PublishedBar> = published(case).collect();
    bars.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let not_published = measured
        .iter()
        .filter(|m| !bars.iter().any(|b| b.queue_impl == m.queue_impl))
        .map(|m| m.queue_impl.clone())
        .collect();
    let verdict = verdict(&measured, &bars);
    CaseComparison {
        case,
        items,
        measured,
        published: bars,
        not_published,
        verdict,
    }
}

/// Every pair both sides have, in the plot's order: reversed here, tied here, or the same.
fn verdict(measured: &[Measured], bars: &[&PublishedBar]) -> Verdict {
    let common: Vec<(&Measured, &PublishedBar)> = bars
        .iter()
        .filter_map(|b| Some((measured.iter().find(|m| m.queue_impl == b.queue_impl)?, *b)))
        .collect();
    if common.len() < 2 {
        return Verdict::NothingToCompare;
    }
    let (mut reversed, mut tied) = (Vec::new(), Vec::new());
    for (i, (ma, pa)) in common.iter().enumerate() {
        for (mb, pb) in &common[i + 1..] {
            let there = order_published(pa, pb);
            let here = order_measured(ma, mb);
            let names = |first: &Measured, second: &Measured| {
                (first.queue_impl.clone(), second.queue_impl.clone())
            };
            match (there, here) {
                (Order::Tied, _) => {}
                (Order::Faster, Order::Slower) => reversed.push(names(mb, ma)),
                (Order::Slower, Order::Faster) => reversed.push(names(ma, mb)),
                (_, Order::Tied) => tied.push(names(ma, mb)),
                _ => {}
            }
        }
    }
    if !reversed.is_empty() {
        Verdict::Differs(reversed)
    } else if !tied.is_empty() {
        Verdict::NotToldApart(tied)
    } else {
        Verdict::Agrees
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{CapacityClass, Topology};

    fn m(name: &str, median: f64, low: f64, high: f64) -> Measured {
        Measured {
            queue_impl: name.to_string(),
            median_s: median,
            interval_s: Some((low, high)),
        }
    }

    const SPSC_UNBOUNDED: Case = Case {
        class: CapacityClass::Unbounded,
        topology: Topology::Spsc,
    };

    #[test]
    fn overlapping_intervals_are_tied_and_apart_ones_ordered() {
        let a = m("a", 1.0, 0.9, 1.1);
        let b = m("b", 1.2, 1.05, 1.3);
        let c = m("c", 2.0, 1.9, 2.1);
        assert_eq!(order_measured(&a, &b), Order::Tied, "1.05 < 1.1: overlap");
        assert_eq!(order_measured(&a, &c), Order::Faster);
        assert_eq!(order_measured(&c, &a), Order::Slower);
        // Touching is not apart: the interval ends are both possible medians.
        let d = m("d", 1.2, 1.1, 1.3);
        assert_eq!(order_measured(&a, &d), Order::Tied);
    }

    #[test]
    fn the_same_order_as_the_plot_agrees() {
        // The plot, unbounded spsc: std 0.181 < crossbeam 0.240 < flume 0.928.
        let here = vec![
            m("flume", 0.9, 0.85, 0.95),
            m("std", 0.2, 0.19, 0.21),
            m("crossbeam", 0.3, 0.28, 0.32),
        ];
        let c = compare_case(SPSC_UNBOUNDED, 5_000_000, here);
        assert_eq!(c.verdict, Verdict::Agrees);
        let order: Vec<&str> = c.measured.iter().map(|m| m.queue_impl.as_str()).collect();
        assert_eq!(order, ["std", "crossbeam", "flume"], "fastest first");
        let published: Vec<&str> = c.published.iter().map(|b| b.queue_impl).collect();
        assert_eq!(published, ["std", "crossbeam", "flume"]);
        assert!(c.not_published.is_empty());
    }

    #[test]
    fn a_pair_the_other_way_round_differs_and_is_named_as_measured() {
        // Here crossbeam is apart and ahead of std: the plot has std first.
        let here = vec![m("std", 0.3, 0.28, 0.32), m("crossbeam", 0.2, 0.19, 0.21)];
        let c = compare_case(SPSC_UNBOUNDED, 5_000_000, here);
        assert_eq!(
            c.verdict,
            Verdict::Differs(vec![("crossbeam".to_string(), "std".to_string())])
        );
    }

    /// One run has no interval: however far apart two medians of one run are, they are
    /// not told apart.
    #[test]
    fn single_runs_are_never_told_apart() {
        let one_run = |name: &str, median: f64| Measured {
            interval_s: None,
            ..m(name, median, median, median)
        };
        let (a, b) = (one_run("kanal", 1.0), one_run("crossbeam", 3.0));
        assert_eq!(order_measured(&a, &b), Order::Tied);
        assert_eq!(order_measured(&a, &m("std", 9.0, 8.0, 10.0)), Order::Tied);
        assert_eq!(
            order_measured(&m("std", 9.0, 8.0, 10.0), &m("flume", 1.0, 0.5, 1.5)),
            Order::Slower
        );
    }

    #[test]
    fn a_pair_the_plot_orders_and_intervals_do_not_is_not_told_apart() {
        let here = vec![
            m("std", 0.25, 0.19, 0.31),
            m("crossbeam", 0.24, 0.2, 0.3),
            m("flume", 0.9, 0.85, 0.95),
        ];
        let c = compare_case(SPSC_UNBOUNDED, 5_000_000, here);
        assert_eq!(
            c.verdict,
            Verdict::NotToldApart(vec![("std".to_string(), "crossbeam".to_string())])
        );
        // A reversal anywhere outweighs a tie elsewhere.
        let here = vec![
            m("std", 0.25, 0.19, 0.31),
            m("crossbeam", 0.24, 0.2, 0.3),
            m("flume", 0.1, 0.05, 0.15),
        ];
        let c = compare_case(SPSC_UNBOUNDED, 5_000_000, here);
        assert!(matches!(c.verdict, Verdict::Differs(ref pairs) if pairs.len() == 2));
    }

    #[test]
    fn what_the_plot_lacks_is_said_and_one_in_common_compares_nothing() {
        // The plot's mpmc has crossbeam-channel alone.
        let mpmc = Case {
            class: CapacityClass::Unbounded,
            topology: Topology::Mpmc,
        };
        let here = vec![
            m("crossbeam", 0.3, 0.28, 0.32),
            m("mutex", 0.5, 0.4, 0.6),
            m("std", 0.4, 0.38, 0.42),
        ];
        let c = compare_case(mpmc, 100, here);
        assert_eq!(c.verdict, Verdict::NothingToCompare);
        assert_eq!(c.not_published, ["std", "mutex"], "in the order measured");
        assert_eq!(c.items, 100);
    }

    #[test]
    fn bars_within_a_pixel_of_each_other_are_tied_in_the_plot() {
        let case = SPSC_UNBOUNDED;
        let a = PublishedBar {
            case,
            queue_impl: "a",
            plot_name: "a",
            seconds: 0.240,
        };
        let b = PublishedBar {
            seconds: 0.243,
            ..a
        };
        let c = PublishedBar {
            seconds: 0.250,
            ..a
        };
        assert_eq!(order_published(&a, &b), Order::Tied);
        assert_eq!(order_published(&a, &c), Order::Faster);
    }
}
