//! Queue waits as both the runner and the model measure them: which items are measured
//! (a sample by item id) and how their waits are summarised (a fixed-size histogram, the
//! mean, the share that waited at all). One definition, so measurement and model compare
//! like with like, and memory stays flat however many items a run has.
//!
//! An item's wait runs from its put to its take: from the put's call where the queue had
//! room (the runner notes the time before the item can be taken), from its return where
//! the put blocked (see `runner::sample`). It depends on nothing of the crate.

use hdrhistogram::Histogram;

/// Items whose waits are measured, at least, when a run has more.
pub const WAIT_SAMPLE: u64 = 16_384;

/// The longest queue wait recorded exactly; longer ones are recorded as this.
pub const MAX_WAIT_NS: u64 = 3_600_000_000_000;

/// A wait of at least this long counts as having waited: a hand-over between threads
/// alone takes a few microseconds, which is not waiting for a consumer. Not always
/// under this: on a shared 2-core machine, handing an item to a thread waiting on an
/// empty queue took 15–20 µs at the median and up to 48 µs at the 90th percentile, so
/// `environment::HandOver` measures it and the report says when it reaches this.
pub const WAITED_NS: u64 = 20_000;

/// One item in 2^shift is measured: every item in a run of fewer than `2 × WAIT_SAMPLE`,
/// an evenly spread sample of at least `WAIT_SAMPLE` above. A power of two, so choosing
/// costs a mask, not a division, per item.
pub fn sample_shift(total_items: u64) -> u32 {
    (total_items / WAIT_SAMPLE).max(1).ilog2()
}

/// Whether item `id` is in the sample of shift `shift`.
pub fn in_sample(id: u64, shift: u32) -> bool {
    id & ((1 << shift) - 1) == 0
}

/// The waits of the measured items, so far.
///
/// The histogram is made at the first wait above zero: until then the zeros are only
/// counted. Most tallies of blocked puts (on unbounded queues) and of waits in sweeps of
/// many idle consumers never need one, and making one (35 KB zeroed) was most of the
/// model's time in a sweep of small scenarios. The summary is the same either way.
#[derive(Clone, Debug)]
pub struct WaitTally {
    histogram: Option<Box<Histogram<u32>>>,
    /// Waits of zero recorded before the histogram was made.
    zeros: u64,
    sum_ns: u128,
    waited: u64,
}

/// A zero wait goes in the histogram as this: it starts at 1 ns. Below 256 ns its
/// buckets are 1 ns wide, so a percentile of 1 ns is a zero (no clock measures a wait of
/// 1 ns). Archives made before `summary` read it back as zero hold it as 1e-9 s.
pub const ZERO_AS: u64 = 1;

fn saturating_u32(count: u64) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

/// What the waits come to.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WaitSummary {
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
    pub mean_ns: f64,
    /// The share of measured items that waited at least `WAITED_NS`.
    pub waited_fraction: f64,
}

impl Default for WaitTally {
    fn default() -> Self {
        WaitTally::new()
    }
}

impl WaitTally {
    pub fn new() -> Self {
        WaitTally {
            histogram: None,
            zeros: 0,
            sum_ns: 0,
            waited: 0,
        }
    }

    /// The histogram, made now if need be, holding the zeros counted so far. Two
    /// significant digits (1%) and 32-bit counts (a run measures at most 32,768 items)
    /// keep it at about 17 KB.
    fn histogram(&mut self) -> &mut Histogram<u32> {
        let zeros = std::mem::take(&mut self.zeros);
        self.histogram.get_or_insert_with(|| {
            let mut histogram =
                Histogram::new_with_bounds(1, MAX_WAIT_NS, 2).expect("constant bounds are valid");
            if zeros > 0 {
                histogram.saturating_record_n(ZERO_AS, saturating_u32(zeros));
            }
            Box::new(histogram)
        })
    }

    pub fn record(&mut self, wait_ns: u64) {
        if wait_ns == 0 && self.histogram.is_none() {
            self.zeros += 1;
        } else {
            self.histogram()
                .saturating_record(wait_ns.clamp(ZERO_AS, MAX_WAIT_NS));
        }
        self.sum_ns += u128::from(wait_ns);
        self.waited += u64::from(wait_ns >= WAITED_NS);
    }

    pub fn add(&mut self, other: &WaitTally) {
        match &other.histogram {
            // Same bounds on both sides, so adding cannot fail.
            Some(theirs) => {
                let _ = self.histogram().add(theirs.as_ref());
            }
            None if self.histogram.is_none() => self.zeros += other.zeros,
            None => self
                .histogram()
                .saturating_record_n(ZERO_AS, saturating_u32(other.zeros)),
        }
        self.sum_ns += other.sum_ns;
        self.waited += other.waited;
    }

    /// `None` when no wait was measured. A zero wait, which the histogram holds as 1 ns,
    /// reads as zero again: a percentile of zero beside a measured one is no error of a
    /// millionfold.
    pub fn summary(&self) -> Option<WaitSummary> {
        let Some(histogram) = &self.histogram else {
            return (self.zeros > 0).then_some(WaitSummary::default());
        };
        let read = |ns: u64| if ns <= ZERO_AS { 0 } else { ns };
        let count = histogram.len();
        (count > 0).then(|| WaitSummary {
            p50_ns: read(histogram.value_at_quantile(0.5)),
            p99_ns: read(histogram.value_at_quantile(0.99)),
            max_ns: read(histogram.max()),
            mean_ns: self.sum_ns as f64 / count as f64,
            waited_fraction: self.waited as f64 / count as f64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_in_every_is_measured_and_no_other() {
        let small = sample_shift(2 * WAIT_SAMPLE - 1);
        assert!((0..2 * WAIT_SAMPLE - 1).all(|id| in_sample(id, small)));
        // 5 × WAIT_SAMPLE items: one in 4 (5 rounded down to a power of two).
        let shift = sample_shift(5 * WAIT_SAMPLE);
        let measured: Vec<u64> = (0..10).filter(|id| in_sample(*id, shift)).collect();
        assert_eq!(measured, [0, 4, 8]);
    }

    #[test]
    fn a_summary_by_hand() {
        let mut a = WaitTally::new();
        for ns in [0, 0, 30_000, 50_000] {
            a.record(ns);
        }
        let mut b = WaitTally::new();
        b.record(120_000);
        a.add(&b);
        let s = a.summary().expect("five waits");
        assert_eq!(s.mean_ns, 40_000.0);
        assert_eq!(s.waited_fraction, 0.6);
        assert!((119_000..=121_000).contains(&s.max_ns), "{s:?}");
        assert!((29_700..=30_300).contains(&s.p50_ns), "{s:?}");
        assert_eq!(WaitTally::new().summary(), None);
    }

    /// No wait reads as zero, not as the histogram's 1 ns: against a prediction of no
    /// wait, a measured one has no relative error, rather than one of millions of percent.
    #[test]
    fn zero_waits_summarise_as_zero() {
        let mut only_zeros = WaitTally::new();
        only_zeros.record(0);
        let mut mostly = WaitTally::new();
        [0, 0, 0, 40_000].into_iter().for_each(|w| mostly.record(w));
        for tally in [only_zeros, mostly] {
            let s = tally.summary().expect("waits");
            assert_eq!(s.p50_ns, 0, "{s:?}");
        }
    }

    /// Counting zeros apart until the first longer wait changes no figure: the same
    /// summary as one histogram holding every wait (zeros as 1 ns, read back as 0),
    /// whatever the order
    /// of zeros and waits, and across adds either way round.
    #[test]
    fn zeros_counted_apart_summarise_as_one_histogram() {
        let reference = |waits: &[u64]| {
            let mut h = Histogram::<u64>::new_with_bounds(1, MAX_WAIT_NS, 2).expect("bounds");
            for &w in waits {
                h.saturating_record(w.max(1));
            }
            // A zero (or the 1 ns no clock measures) reads as zero.
            let read = |ns: u64| if ns == 1 { 0 } else { ns };
            (
                read(h.value_at_quantile(0.5)),
                read(h.value_at_quantile(0.99)),
                read(h.max()),
            )
        };
        let cases: [&[u64]; 5] = [
            &[0, 0, 0],
            &[0, 0, 5_000, 0, 70_000],
            &[90_000, 0, 0, 0, 0, 0, 0, 0],
            &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
            &[1, 0, 2, 0, 3],
        ];
        for waits in cases {
            let mut one = WaitTally::new();
            waits.iter().for_each(|&w| one.record(w));
            let s = one.summary().expect("waits");
            assert_eq!(
                (s.p50_ns, s.p99_ns, s.max_ns),
                reference(waits),
                "{waits:?}"
            );
            for split in 0..=waits.len() {
                let (left, right) = waits.split_at(split);
                let (mut a, mut b) = (WaitTally::new(), WaitTally::new());
                left.iter().for_each(|&w| a.record(w));
                right.iter().for_each(|&w| b.record(w));
                let mut ab = a.clone();
                ab.add(&b);
                b.add(&a);
                assert_eq!(ab.summary(), one.summary(), "{waits:?} split {split}");
                assert_eq!(b.summary(), one.summary(), "{waits:?} split {split}");
            }
        }
    }
}
