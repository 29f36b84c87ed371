//! What travels through the queue: an item's number, its payload of `item_bytes` bytes
//! and, where a consumer paces from it, when its put was due.
//!
//! Owns the item's shape and its payload check; counting items is `tally`'s, and moving
//! them is `queue`'s.
//!
//! **Why by value, in sizes fixed at compile time.** An item is a `[u64; W]` moved
//! through the queue as it is, the way crossbeam-channel's benchmarks send a `usize`:
//! every implementation copies all of its bytes into its slot and out again, which is
//! what a size sweep asks about. A boxed slice would move a pointer and measure the
//! allocator instead (an allocation per item on the producer, a free on the consumer);
//! someone who sends `Vec<u8>` pays that, but it is not the queue's cost. The price is one
//! compiled runner per size, so sizes are the powers of two from 8 bytes to 64 KiB
//! (`scenario::key::ITEM_BYTES`), and thread stacks grow with the item (see
//! `runner::stack_bytes`). At 8 bytes the item is its number alone, as it always was:
//! the payload check folds away and the default costs nothing.
//!
//! The producer writes every word (word i holds the item's number plus i) and the
//! consumer reads every word back, so the bytes really move, and a torn or mixed-up
//! item is caught: the run fails.

/// An item's `ready_ns` when its put blocked and its schedule time is unknown.
pub const UNSCHEDULED: u64 = u64::MAX;

/// One item on the queue: which it is (`producer × items_per_producer + sequence`, unique
/// in a run), its payload and, where a consumer paces from it, when its put was due.
/// Two shapes, so a run moves no more bytes per item than it needs: at zero time an
/// item's size is most of what the queue costs (8-byte items move about a third faster
/// than 16-byte ones here). Polling consumers take an `InstantItem` wrapped as `Polled`:
/// a type of its own for the compiler's sake, not another shape.
pub trait Item: Send + 'static {
    fn new(id: u64, ready_ns: u64) -> Self;
    fn id(&self) -> u64;
    /// When the put was due on the producer's schedule, or [`UNSCHEDULED`] if it blocked
    /// on a full queue: a blocking consumer paces its work from this, not from when it
    /// happened to wake, so wake-up lateness does not add up item after item.
    fn ready_ns(&self) -> u64;
    /// The same item, its put no longer on schedule (it found the queue full).
    fn unscheduled(self) -> Self;
    /// Reads the whole payload: whether every byte is what the producer wrote.
    fn intact(&self) -> bool;
}

/// `W` words, `8 × W` bytes: word 0 is the item's number, word i the number plus i.
#[derive(Clone, Copy, Debug)]
pub struct Payload<const W: usize>([u64; W]);

impl<const W: usize> Payload<W> {
    #[inline]
    fn new(id: u64) -> Self {
        Payload(std::array::from_fn(|i| id.wrapping_add(i as u64)))
    }

    #[inline]
    fn id(&self) -> u64 {
        self.0[0]
    }

    /// Every word compared, none skipped: the comparison is folded without an early
    /// exit, so the whole payload is read (and the loop vectorises).
    #[inline]
    fn intact(&self) -> bool {
        let id = self.id();
        let wrong = self.0.iter().enumerate().fold(0u64, |wrong, (i, word)| {
            wrong | (word ^ id.wrapping_add(i as u64))
        });
        wrong == 0
    }
}

/// An item of producers that spend time between puts.
#[derive(Clone, Copy, Debug)]
pub struct PacedItem<const W: usize> {
    ready_ns: u64,
    payload: Payload<W>,
}

/// An item of producers that spend no time between puts: every put is due at the start,
/// and a consumer free at time t takes the next item at t, so it carries only its
/// payload (whose first word is its number).
#[derive(Clone, Copy, Debug)]
pub struct InstantItem<const W: usize>(Payload<W>);

impl<const W: usize> Item for PacedItem<W> {
    #[inline]
    fn new(id: u64, ready_ns: u64) -> Self {
        PacedItem {
            ready_ns,
            payload: Payload::new(id),
        }
    }
    #[inline]
    fn id(&self) -> u64 {
        self.payload.id()
    }
    #[inline]
    fn ready_ns(&self) -> u64 {
        self.ready_ns
    }
    #[inline]
    fn unscheduled(self) -> Self {
        PacedItem {
            ready_ns: UNSCHEDULED,
            ..self
        }
    }
    #[inline]
    fn intact(&self) -> bool {
        self.payload.intact()
    }
}

impl<const W: usize> Item for InstantItem<W> {
    #[inline]
    fn new(id: u64, _: u64) -> Self {
        InstantItem(Payload::new(id))
    }
    #[inline]
    fn id(&self) -> u64 {
        self.0.id()
    }
    #[inline]
    fn ready_ns(&self) -> u64 {
        0
    }
    #[inline]
    fn unscheduled(self) -> Self {
        self
    }
    #[inline]
    fn intact(&self) -> bool {
        self.0.intact()
    }
}

/// An item of polling consumers: the same item under a type of its own, so that a
/// crate's queue is compiled apart for polls and for blocking takes, each copy reached
/// one way (see `queue::Taker::take_if_any`). Costs nothing: it is the item itself.
#[derive(Clone, Copy, Debug)]
#[repr(transparent)]
pub struct Polled<I>(I);

impl<I: Item> Item for Polled<I> {
    #[inline]
    fn new(id: u64, ready_ns: u64) -> Self {
        Polled(I::new(id, ready_ns))
    }
    #[inline]
    fn id(&self) -> u64 {
        self.0.id()
    }
    #[inline]
    fn ready_ns(&self) -> u64 {
        self.0.ready_ns()
    }
    #[inline]
    fn unscheduled(self) -> Self {
        Polled(self.0.unscheduled())
    }
    #[inline]
    fn intact(&self) -> bool {
        self.0.intact()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_its_payload_and_no_more() {
        assert_eq!(size_of::<InstantItem<1>>(), 8);
        assert_eq!(size_of::<InstantItem<8192>>(), 65536);
        assert_eq!(size_of::<PacedItem<1>>(), 16);
        assert_eq!(size_of::<PacedItem<4>>(), 40);
        assert_eq!(size_of::<Polled<InstantItem<1>>>(), 8);
    }

    #[test]
    fn the_payload_reads_back_whole_and_a_changed_word_anywhere_is_caught() {
        let item = InstantItem::<64>::new(1234, 0);
        assert_eq!(item.id(), 1234);
        assert!(item.intact());
        for word in [1, 31, 63] {
            let mut torn = item;
            torn.0.0[word] ^= 1 << 40;
            assert!(!torn.intact(), "word {word}");
        }
        // Words of another item in the right places are caught too.
        let mut mixed = item;
        mixed.0.0[10] = InstantItem::<64>::new(1235, 0).0.0[10];
        assert!(!mixed.intact());
    }

    #[test]
    fn a_blocked_put_loses_its_schedule_and_keeps_its_payload() {
        let item = PacedItem::<2>::new(7, 500).unscheduled();
        assert_eq!((item.id(), item.ready_ns()), (7, UNSCHEDULED));
        assert!(item.intact());
        assert_eq!(InstantItem::<1>::new(7, 500).unscheduled().ready_ns(), 0);
    }
}
