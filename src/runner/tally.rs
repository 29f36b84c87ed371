//! What each consumer counts while it runs, kept per thread and merged after the run, so
//! counting costs no shared writes and no memory per item.
//!
//! Exactly-once is checked with a checksum over item ids (count, sum and sum of squares):
//! a lost or duplicated item changes it, and it needs no per-item memory. It catches any
//! one or two items lost, repeated or swapped for others: the count catches a loss or a
//! repeat alone; ids a, b counted in place of c, d leave both sums as expected only if
//! a + b = c + d and a² + b² = c² + d², that is only if {a, b} = {c, d}. The sum is kept
//! modulo 2^64 and the squares modulo 2^128, which keeps that exact: ids are below 2^63,
//! so two ids' sums differ by less than 2^64 and two squares' sums by less than 2^127,
//! and a difference that is not zero cannot wrap to zero. (A 64-bit sum is one addition
//! per item, where a 128-bit one is two; squares need the 128 bits.) Each item's payload
//! is read back as it is counted (see `item`); one that is not what its producer wrote is
//! counted as damaged.

use super::item::Item;
use crate::waits::{WaitSummary, WaitTally};

/// The ids a consumer counted, as the exactly-once check needs them: how many, their sum
/// and the sum of their squares (see the module comment). Public so that the overhead
/// bench's checked bare loop does exactly the arithmetic the runner's consumers do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checksum {
    count: u64,
    sum: u64,
    square_sum: u128,
}

impl Checksum {
    /// Counts item `id`.
    #[inline]
    pub fn add(&mut self, id: u64) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(id);
        let id = u128::from(id);
        self.square_sum = self.square_sum.wrapping_add(id * id);
    }

    /// How many ids were counted.
    #[inline]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// These ids and `other`'s together.
    pub fn merge(self, other: Checksum) -> Checksum {
        Checksum {
            count: self.count + other.count,
            sum: self.sum.wrapping_add(other.sum),
            square_sum: self.square_sum.wrapping_add(other.square_sum),
        }
    }

    /// Whether exactly the ids `0..expected` were counted, each once.
    pub fn each_once(&self, expected: u64) -> bool {
        let n = u128::from(expected);
        self.count == expected
            // The low 64 bits: the sum modulo 2^64, as `sum` keeps it.
            && self.sum == sum_below(n) as u64
            && self.square_sum == square_sum_below(n)
    }
}

/// One consumer's counts.
pub struct Tally {
    /// The items counted and their ids' checksum.
    ids: Checksum,
    /// Items already added to the run's shared count (see `Finish`): kept rather than a
    /// count of those not yet added, so counting an item writes one counter, not two.
    reported: u64,
    pub empty_polls: u64,
    /// Items whose payload was not what their producer wrote.
    pub damaged: u64,
    waits: WaitTally,
}

impl Tally {
    pub fn new() -> Self {
        Tally {
            ids: Checksum::default(),
            reported: 0,
            empty_polls: 0,
            damaged: 0,
            waits: WaitTally::new(),
        }
    }

    /// Items counted so far.
    #[inline]
    pub fn items(&self) -> u64 {
        self.ids.count
    }

    /// Counts `item`, taken `wait_ns` after it was put if its wait was measured, and
    /// reads its payload back.
    #[inline]
    pub fn count(&mut self, item: &impl Item, wait_ns: Option<u64>) {
        self.damaged += u64::from(!item.intact());
        if let Some(wait_ns) = wait_ns {
            self.waits.record(wait_ns);
        }
        self.ids.add(item.id());
    }

    /// Items counted here but not yet added to the run's shared count.
    #[inline]
    pub fn unreported(&self) -> u64 {
        self.ids.count - self.reported
    }

    /// Marks every item counted so far as added to the shared count; returns how many
    /// that adds.
    pub fn take_unreported(&mut self) -> u64 {
        let added = self.unreported();
        self.reported = self.ids.count;
        added
    }
}

/// All consumers' counts merged.
pub struct Totals {
    pub empty_polls: u64,
    pub damaged: u64,
    /// `None` when no wait was measured.
    pub waits: Option<WaitSummary>,
    pub consumer_items_min: u64,
    pub consumer_items_max: u64,
    ids: Checksum,
}

impl Totals {
    pub fn merge(tallies: &[Tally]) -> Self {
        let mut waits = WaitTally::new();
        let mut totals = Totals {
            empty_polls: 0,
            damaged: 0,
            waits: None,
            consumer_items_min: tallies.iter().map(Tally::items).min().unwrap_or(0),
            consumer_items_max: tallies.iter().map(Tally::items).max().unwrap_or(0),
            ids: Checksum::default(),
        };
        for tally in tallies {
            totals.empty_polls += tally.empty_polls;
            totals.damaged += tally.damaged;
            totals.ids = totals.ids.merge(tally.ids);
            waits.add(&tally.waits);
        }
        totals.waits = waits.summary();
        totals
    }

    /// Items counted by all consumers.
    pub fn items(&self) -> u64 {
        self.ids.count
    }

    /// Whether exactly the ids `0..expected` were counted, each once.
    pub fn each_once(&self, expected: u64) -> bool {
        self.ids.each_once(expected)
    }
}

/// 0 + 1 + … + (n−1), modulo 2^128.
fn sum_below(n: u128) -> u128 {
    if n == 0 {
        return 0;
    }
    let (a, b) = (n - 1, n);
    if a % 2 == 0 {
        (a / 2).wrapping_mul(b)
    } else {
        a.wrapping_mul(b / 2)
    }
}

/// 0² + 1² + … + (n−1)², modulo 2^128: (n−1)·n·(2n−1)/6 with the divisions done first so
/// the wrapping products stay exact where they fit.
fn square_sum_below(n: u128) -> u128 {
    if n == 0 {
        return 0;
    }
    let mut factors = [n - 1, n, (2 * n).wrapping_sub(1)];
    if let Some(even) = factors.iter_mut().find(|f| **f % 2 == 0) {
        *even /= 2;
    }
    if let Some(third) = factors.iter_mut().find(|f| **f % 3 == 0) {
        *third /= 3;
    }
    factors.iter().fold(1u128, |acc, f| acc.wrapping_mul(*f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::item::InstantItem;

    fn item(id: u64) -> InstantItem<4> {
        InstantItem::new(id, 0)
    }

    #[test]
    fn closed_forms_match_the_sums() {
        for n in 0..50u128 {
            assert_eq!(sum_below(n), (0..n).sum::<u128>());
            assert_eq!(square_sum_below(n), (0..n).map(|i| i * i).sum::<u128>());
        }
    }

    #[test]
    fn exactly_once_passes_and_loss_or_duplicate_fails() {
        let mut a = Tally::new();
        let mut b = Tally::new();
        for id in 0..10 {
            if id % 2 == 0 {
                a.count(&item(id), Some(5))
            } else {
                b.count(&item(id), Some(5))
            }
        }
        assert!(Totals::merge(&[a, b]).each_once(10));

        let mut lost_and_doubled = Tally::new();
        for id in [0, 1, 2, 3, 4, 5, 6, 7, 8, 8] {
            lost_and_doubled.count(&item(id), Some(5));
        }
        assert!(!Totals::merge(&[lost_and_doubled]).each_once(10));

        let mut swapped = Tally::new();
        for id in [0, 1, 2, 3, 4, 5, 6, 7, 7, 9] {
            swapped.count(&item(id), Some(5));
        }
        assert!(!Totals::merge(&[swapped]).each_once(10));

        // 3 and 6 in place of 2 and 7: the same count and sum, so only the squares
        // (9 + 36 against 4 + 49) catch it.
        let mut same_sum = Tally::new();
        for id in [0, 1, 3, 3, 4, 5, 6, 6, 8, 9] {
            same_sum.count(&item(id), Some(5));
        }
        assert!(!Totals::merge(&[same_sum]).each_once(10));
    }

    /// A tally as if ids `0..n` had been counted, without counting them one by one.
    fn counted_below(n: u64) -> Tally {
        Tally {
            ids: Checksum {
                count: n,
                sum: sum_below(u128::from(n)) as u64,
                square_sum: square_sum_below(u128::from(n)),
            },
            ..Tally::new()
        }
    }

    /// Ids near 2^62, as in a run of that many items: the 64-bit sum wraps, and the
    /// check still passes for the right ids and fails for two swapped at the same sum.
    #[test]
    fn exactly_once_holds_where_the_sum_wraps() {
        let top = 1u64 << 62;
        let count = |ids: &[u64]| {
            let mut tally = Tally::new();
            ids.iter().for_each(|&id| tally.count(&item(id), None));
            tally
        };
        let last = [top - 4, top - 3, top - 2, top - 1];
        assert!(Totals::merge(&[counted_below(top - 4), count(&last)]).each_once(top));
        // top−3 and top−2 in place of top−4 and top−1: the same count and sum.
        let swapped = [top - 3, top - 3, top - 2, top - 2];
        assert!(!Totals::merge(&[counted_below(top - 4), count(&swapped)]).each_once(top));
    }

    #[test]
    fn only_items_counted_since_the_last_report_are_unreported() {
        let mut tally = Tally::new();
        tally.count(&item(0), None);
        tally.count(&item(1), None);
        assert_eq!(tally.take_unreported(), 2);
        assert_eq!(tally.unreported(), 0);
        tally.count(&item(2), None);
        assert_eq!((tally.unreported(), tally.take_unreported()), (1, 1));
        assert_eq!(tally.take_unreported(), 0);
        assert_eq!(tally.items(), 3);
    }

    /// An item whose payload came out other than it went in.
    struct Torn(u64);

    impl Item for Torn {
        fn new(id: u64, _: u64) -> Self {
            Torn(id)
        }
        fn id(&self) -> u64 {
            self.0
        }
        fn ready_ns(&self) -> u64 {
            0
        }
        fn unscheduled(self) -> Self {
            self
        }
        fn intact(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_damaged_payload_is_counted_as_damaged_and_still_counted() {
        let mut tally = Tally::new();
        tally.count(&item(0), None);
        tally.count(&Torn::new(1, 0), None);
        let totals = Totals::merge(&[tally]);
        assert_eq!((totals.items(), totals.damaged), (2, 1));
        assert!(totals.each_once(2));
    }

    #[test]
    fn merges_waits_and_per_consumer_counts() {
        let mut a = Tally::new();
        let mut b = Tally::new();
        for id in 0..99 {
            a.count(&item(id), Some(1_000));
        }
        b.count(&item(99), Some(1_000_000));
        let totals = Totals::merge(&[a, b]);
        assert_eq!(
            (totals.consumer_items_min, totals.consumer_items_max),
            (1, 99)
        );
        let waits = totals.waits.expect("measured");
        assert!((990..=1010).contains(&waits.p50_ns));
        assert!((990_000..=1_010_000).contains(&waits.max_ns));
    }
}
