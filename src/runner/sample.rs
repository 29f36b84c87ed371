//! The items whose queue wait and queue depth are measured: every item in a run of fewer
//! than `2 × WAIT_SAMPLE` items, an evenly spread sample of at least `WAIT_SAMPLE` above.
//! Two clock reads per item would otherwise be most of what a zero-time run measures.
//!
//! Put times live here, beside the queue, rather than in the items on it: items stay 8 or
//! 16 bytes instead of 24 (a zero-time run moves 8-byte items about 1.8 times as fast as
//! 24-byte ones here), and the table holds under two `WAIT_SAMPLE`s of stamps however
//! long the run.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::waits::{in_sample, sample_shift};

/// The stamp of an item whose put is blocked: later than any time, so a wait measured
/// against it saturates to 0.
const BLOCKED: u64 = u64::MAX;

pub struct Sample {
    rule: Chosen,
    put_ns: Vec<AtomicU64>,
}

/// Which items are measured: a copy each thread keeps before its loop. Read through the
/// shared `Sample` instead, the rule would be loaded again for every item, since the
/// queue's calls between items might (as far as the compiler knows) have changed it.
#[derive(Clone, Copy)]
pub struct Chosen {
    /// One item in 2^shift is measured: a power of two, so choosing costs a mask, not a
    /// division, per item.
    shift: u32,
}

impl Chosen {
    #[inline]
    pub fn includes(self, id: u64) -> bool {
        in_sample(id, self.shift)
    }
}

impl Sample {
    /// The sample of a run of `total_items`.
    pub fn new(total_items: u64) -> Self {
        let shift = sample_shift(total_items);
        Sample {
            rule: Chosen { shift },
            put_ns: (0..total_items.div_ceil(1 << shift))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    /// The rule choosing the measured items, to keep in a thread's loop.
    pub fn chosen(&self) -> Chosen {
        self.rule
    }

    pub fn includes(&self, id: u64) -> bool {
        self.rule.includes(id)
    }

    fn slot(&self, id: u64) -> Option<&AtomicU64> {
        self.put_ns.get((id >> self.rule.shift) as usize)
    }

    /// Records when item `id` (in the sample) was put. Relaxed suffices: the queue's
    /// own hand-over orders this store before the consumer's load.
    pub fn stamp_put(&self, id: u64, now_ns: u64) {
        if let Some(slot) = self.slot(id) {
            slot.store(now_ns, Ordering::Relaxed);
        }
    }

    /// Item `id` (in the sample) is about to block in its put: it is not on the queue
    /// yet. A consumer that takes it before the producer stamps the put's return took it
    /// as it arrived, and reads a wait of 0.
    pub fn mark_blocked(&self, id: u64) {
        self.stamp_put(id, BLOCKED);
    }

    /// How long item `id` waited on the queue if it was taken at `now_ns`; `None` for
    /// an item outside the sample. Where its consumer was ready to take at `ready_ns`
    /// and then waited for other threads to keep the model's order (see
    /// `put::ModelOrder`), an item already on the queue by then waited until then: the
    /// rest is the harness keeping order, not the queue.
    pub fn wait_ns(
        &self,
        id: u64,
        ready_ns: Option<u64>,
        now_ns: impl FnOnce() -> u64,
    ) -> Option<u64> {
        if !self.includes(id) {
            return None;
        }
        let put_ns = self.slot(id)?.load(Ordering::Relaxed);
        let taken_ns = match ready_ns {
            Some(ready_ns) if put_ns <= ready_ns => ready_ns,
            _ => now_ns(),
        };
        Some(taken_ns.saturating_sub(put_ns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waits::WAIT_SAMPLE;

    #[test]
    fn one_item_in_every_is_measured_and_no_other() {
        let small = Sample::new(2 * WAIT_SAMPLE - 1);
        assert!((0..2 * WAIT_SAMPLE - 1).all(|id| small.includes(id)));
        // 5 × WAIT_SAMPLE items: one in 4 (5 rounded down to a power of two).
        let total = 5 * WAIT_SAMPLE;
        let sample = Sample::new(total);
        let measured: Vec<u64> = (0..10).filter(|id| sample.includes(*id)).collect();
        assert_eq!(measured, [0, 4, 8]);
        assert!((0..total).filter(|id| sample.includes(*id)).count() as u64 >= WAIT_SAMPLE);
        sample.stamp_put(8, 100);
        assert_eq!(sample.wait_ns(8, None, || 130), Some(30));
        assert_eq!(sample.wait_ns(9, None, || 130), None);
    }

    /// A consumer ready at 120 that then waited for other threads to keep the model's
    /// order: an item put before it was ready waited until 120; one put after, until it
    /// was taken; a blocked put's item, taken as it arrived, waited nothing.
    #[test]
    fn a_wait_ends_when_its_consumer_was_ready_if_the_item_was_there() {
        let sample = Sample::new(4);
        sample.stamp_put(0, 100);
        sample.stamp_put(1, 125);
        sample.mark_blocked(2);
        assert_eq!(sample.wait_ns(0, Some(120), || 130), Some(20));
        assert_eq!(sample.wait_ns(1, Some(120), || 130), Some(5));
        assert_eq!(sample.wait_ns(2, Some(120), || 130), Some(0));
    }
}
