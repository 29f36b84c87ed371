//! The items whose queue wait and queue depth are measured: every item in a run of fewer
//! than `2 × WAIT_SAMPLE` items, an evenly spread sample of at least `WAIT_SAMPLE` above.
//!
//! Put times live here, beside the queue, rather than in the items on it: an item is
//! then 16 bytes instead of 24, which a zero-time run moves a third faster, and the
//! table holds at most two `WAIT_SAMPLE`s of stamps however long the run.

use std::sync::atomic::{AtomicU64, Ordering};

pub struct Sample {
    /// A power of two, as `Scenario::wait_sample_every` gives.
    every: u64,
    put_ns: Vec<AtomicU64>,
}

impl Sample {
    /// The sample of a run of `total_items`, one item in `every` (rounded down to a
    /// power of two).
    pub fn new(total_items: u64, every: u64) -> Self {
        let every = 1 << every.max(1).ilog2();
        Sample {
            every,
            put_ns: (0..total_items.div_ceil(every))
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    pub fn includes(&self, id: u64) -> bool {
        id & (self.every - 1) == 0
    }

    /// Records when item `id` (in the sample) was put. Relaxed suffices: the queue's
    /// own hand-over orders this store before the consumer's load.
    pub fn stamp_put(&self, id: u64, now_ns: u64) {
        if let Some(slot) = self.put_ns.get((id >> self.every.ilog2()) as usize) {
            slot.store(now_ns, Ordering::Relaxed);
        }
    }

    /// How long item `id` waited on the queue if it was taken at `now_ns`; `None` for
    /// an item outside the sample.
    pub fn wait_ns(&self, id: u64, now_ns: impl FnOnce() -> u64) -> Option<u64> {
        if !self.includes(id) {
            return None;
        }
        let slot = self.put_ns.get((id >> self.every.ilog2()) as usize)?;
        Some(now_ns().saturating_sub(slot.load(Ordering::Relaxed)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_item_in_every_is_measured_and_no_other() {
        let sample = Sample::new(10, 4);
        let measured: Vec<u64> = (0..10).filter(|id| sample.includes(*id)).collect();
        assert_eq!(measured, [0, 4, 8]);
        sample.stamp_put(8, 100);
        assert_eq!(sample.wait_ns(8, || 130), Some(30));
        assert_eq!(sample.wait_ns(9, || 130), None);
    }
}
