//! What the suite's published plot shows, as data: the seconds of each bar of the
//! implementations queuelab also runs, read off the image, with where it comes from.
//!
//! Only what the plot shows is here. It has no flume bars for bounded(0) (the suite's
//! flume benchmark leaves them out), no bars but crossbeam-channel's (and Go's) for
//! mpmc, and no kanal at all; its `seq`, `select_rx` and `select_both` cases have no
//! counterpart in queuelab, nor do its futures-channel and Go bars.

use super::{CapacityClass as C, Case, Topology as T};

/// Where the numbers come from.
#[derive(Clone, Copy, Debug)]
pub struct Source {
    /// The image, at the commit that added it.
    pub url: &'static str,
    /// When the plot was committed.
    pub date: &'static str,
    /// What the suite's README says it was measured with.
    pub measured_with: &'static str,
    /// How the seconds were read.
    pub read: &'static str,
}

pub const SOURCE: Source = Source {
    url: "https://github.com/crossbeam-rs/crossbeam/blob/af2f100092a27a03dd9a1bc0271652af961563a1/crossbeam-channel/benchmarks/plot.png",
    date: "2022-09-09",
    measured_with: "rustc 1.63.0 on an Intel Core i7-5500U (2 cores, 4 threads), crossbeam \
                    commit 7070018 (2022-08-24), flume 0.10; one run per case",
    read: "bar ends read off the 1000 × 1000 PNG against its axis labels, to a pixel: \
           ±0.15 s for bounded(0), ±0.1 s for bounded(1), ±0.01 s for bounded(N), \
           ±0.004 s for unbounded",
};

/// One bar of the published plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PublishedBar {
    pub case: Case,
    /// The `queue_impl` word queuelab runs it under.
    pub queue_impl: &'static str,
    /// The name the plot gives it.
    pub plot_name: &'static str,
    pub seconds: f64,
}

impl C {
    /// Seconds one pixel of the plot's panel spans: bars closer than this are not told
    /// apart by reading the image.
    pub fn published_resolution_s(self) -> f64 {
        match self {
            C::Bounded0 => 0.15,
            C::Bounded1 => 0.1,
            C::BoundedN => 0.01,
            C::Unbounded => 0.004,
        }
    }
}

const fn bar(
    class: C,
    topology: T,
    queue_impl: &'static str,
    plot_name: &'static str,
    seconds: f64,
) -> PublishedBar {
    PublishedBar {
        case: Case { class, topology },
        queue_impl,
        plot_name,
        seconds,
    }
}

const CROSSBEAM: (&str, &str) = ("crossbeam", "crossbeam-channel");
/// The plot's `mpsc` is `std::sync::mpsc` of Rust 1.63.
const STD: (&str, &str) = ("std", "mpsc");
const FLUME: (&str, &str) = ("flume", "flume");

/// Every bar of the plot for crossbeam-channel, std and flume, panel by panel.
pub const BARS: &[PublishedBar] = &[
    bar(C::Bounded0, T::Spsc, CROSSBEAM.0, CROSSBEAM.1, 1.6),
    bar(C::Bounded0, T::Spsc, STD.0, STD.1, 31.5),
    bar(C::Bounded0, T::Mpsc, CROSSBEAM.0, CROSSBEAM.1, 4.2),
    bar(C::Bounded0, T::Mpsc, STD.0, STD.1, 28.5),
    bar(C::Bounded0, T::Mpmc, CROSSBEAM.0, CROSSBEAM.1, 4.0),
    bar(C::Bounded1, T::Spsc, CROSSBEAM.0, CROSSBEAM.1, 0.44),
    bar(C::Bounded1, T::Spsc, FLUME.0, FLUME.1, 11.1),
    bar(C::Bounded1, T::Spsc, STD.0, STD.1, 32.9),
    bar(C::Bounded1, T::Mpsc, CROSSBEAM.0, CROSSBEAM.1, 0.44),
    bar(C::Bounded1, T::Mpsc, FLUME.0, FLUME.1, 14.7),
    bar(C::Bounded1, T::Mpsc, STD.0, STD.1, 34.1),
    bar(C::Bounded1, T::Mpmc, CROSSBEAM.0, CROSSBEAM.1, 0.44),
    bar(C::BoundedN, T::Spsc, CROSSBEAM.0, CROSSBEAM.1, 0.16),
    bar(C::BoundedN, T::Spsc, FLUME.0, FLUME.1, 0.97),
    bar(C::BoundedN, T::Spsc, STD.0, STD.1, 1.07),
    bar(C::BoundedN, T::Mpsc, CROSSBEAM.0, CROSSBEAM.1, 0.29),
    bar(C::BoundedN, T::Mpsc, FLUME.0, FLUME.1, 0.81),
    bar(C::BoundedN, T::Mpsc, STD.0, STD.1, 1.21),
    bar(C::BoundedN, T::Mpmc, CROSSBEAM.0, CROSSBEAM.1, 0.25),
    bar(C::Unbounded, T::Spsc, CROSSBEAM.0, CROSSBEAM.1, 0.240),
    bar(C::Unbounded, T::Spsc, FLUME.0, FLUME.1, 0.928),
    bar(C::Unbounded, T::Spsc, STD.0, STD.1, 0.181),
    bar(C::Unbounded, T::Mpsc, CROSSBEAM.0, CROSSBEAM.1, 0.288),
    bar(C::Unbounded, T::Mpsc, FLUME.0, FLUME.1, 0.770),
    bar(C::Unbounded, T::Mpsc, STD.0, STD.1, 0.575),
    bar(C::Unbounded, T::Mpmc, CROSSBEAM.0, CROSSBEAM.1, 0.305),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_one_bar_per_implementation_and_case_and_none_for_kanal() {
        for (i, a) in BARS.iter().enumerate() {
            assert!(a.seconds > 0.0, "{a:?}");
            for b in &BARS[i + 1..] {
                assert!(
                    (a.case, a.queue_impl) != (b.case, b.queue_impl),
                    "{a:?} twice"
                );
            }
        }
        assert!(BARS.iter().all(|b| b.queue_impl != "kanal"));
        // The plot has no flume rendezvous and only crossbeam-channel for mpmc.
        assert!(
            !BARS
                .iter()
                .any(|b| b.queue_impl == "flume" && b.case.class == C::Bounded0)
        );
        assert!(
            BARS.iter()
                .filter(|b| b.case.topology == T::Mpmc)
                .all(|b| b.queue_impl == "crossbeam")
        );
        assert_eq!(BARS.len(), 26);
    }
}
