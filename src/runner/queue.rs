//! The queue between producers and consumers in each implementation a scenario can
//! choose, behind one small interface: put without waiting, put waiting for room, take
//! without waiting (a poll's look, or a blocking consumer's, which for crossbeam may spin
//! and yield briefly: see `Taker::take_if_any`), take waiting for an item.
//!
//! Owns only moving items and telling when the other side has gone; pacing, counting
//! and rendezvous offers live in `threads`. An enum rather than a trait object keeps the
//! per-item call free of dynamic dispatch, which the zero-time benchmark would see, and
//! the per-item calls are inlined into the loops that make them, so a put or take costs
//! the crate's own call and a branch on the implementation.
//!
//! How each crate says "the other side has gone": crossbeam, std and flume return the
//! item with a `Disconnected` error; kanal's `try_send` would drop the item when full, so
//! puts go through its `*_option` calls, which leave it in place; its `try_recv` answers
//! `Ok(None)` when empty and `SendClosed` once every sender has gone.
//!
//! How a wait ends when a run stops: crossbeam, flume and the mutex queue wait in slices
//! of `STOP_CHECK` and look at the stop flag between them. std's `SyncSender` has no timed
//! send, and kanal's timed waits (0.1.1) never sleep: they yield in a loop until the
//! deadline, so four waiting consumers kept both cores busy and queuelab measured kanal's
//! spinning, not its blocking. Those wait untimed, as a bare loop does (kanal: a few
//! yields, then parked), after a look at the stop flag. A stopped run's threads on the
//! other side leave, dropping their ends, which ends the wait; every other wait in the
//! runner looks at the stop flag, so both sides are never stuck at once.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, SendTimeoutError, TryRecvError, TrySendError};

use crate::scenario::QueueImpl;

/// How often a thread waiting on the queue looks at the stop flag.
const STOP_CHECK: Duration = Duration::from_millis(10);

/// The producers' end. A plain tag (`repr(u8)`) rather than one folded into a crate's
/// own handle: choosing the implementation per item is then a byte read and a jump,
/// where the folded tag took a subtraction and a conditional move more.
#[repr(u8)]
pub enum Putter<T> {
    /// Bounded: a put may find it full.
    Crossbeam(crossbeam_channel::Sender<T>),
    /// Unbounded: a put never waits, so it is the crate's plain `send`, the call a bare
    /// loop makes (its `try_send` costs a wrapper and, as compiled here, a call more).
    CrossbeamUnbounded(crossbeam_channel::Sender<T>),
    Std(mpsc::Sender<T>),
    StdBounded(mpsc::SyncSender<T>),
    Mutex(LockedPutter<T>),
    Flume(flume::Sender<T>),
    Kanal(kanal::Sender<T>),
}

/// The consumers' end, tagged as `Putter` is.
#[repr(u8)]
pub enum Taker<T> {
    /// With the instant the queue was made: a deadline already past at every take, for
    /// `take_if_any`.
    Crossbeam(crossbeam_channel::Receiver<T>, Instant),
    /// `mpsc` has one receiver; consumers take turns holding it.
    Std(Arc<Mutex<mpsc::Receiver<T>>>),
    Mutex(LockedTaker<T>),
    Flume(flume::Receiver<T>),
    Kanal(kanal::Receiver<T>),
}

// Derived `Clone` would ask `T: Clone`; the handles clone without it.
impl<T> Clone for Putter<T> {
    fn clone(&self) -> Self {
        match self {
            Putter::Crossbeam(q) => Putter::Crossbeam(q.clone()),
            Putter::CrossbeamUnbounded(q) => Putter::CrossbeamUnbounded(q.clone()),
            Putter::Std(q) => Putter::Std(q.clone()),
            Putter::StdBounded(q) => Putter::StdBounded(q.clone()),
            Putter::Mutex(q) => Putter::Mutex(q.clone()),
            Putter::Flume(q) => Putter::Flume(q.clone()),
            Putter::Kanal(q) => Putter::Kanal(q.clone()),
        }
    }
}

impl<T> Clone for Taker<T> {
    fn clone(&self) -> Self {
        match self {
            Taker::Crossbeam(q, made) => Taker::Crossbeam(q.clone(), *made),
            Taker::Std(q) => Taker::Std(Arc::clone(q)),
            Taker::Mutex(q) => Taker::Mutex(q.clone()),
            Taker::Flume(q) => Taker::Flume(q.clone()),
            Taker::Kanal(q) => Taker::Kanal(q.clone()),
        }
    }
}

/// What a put without waiting did.
pub enum TryPut<T> {
    Done,
    Full(T),
    /// Every consumer has gone.
    Closed,
}

/// What a take without waiting found.
pub enum TryTake<T> {
    Item(T),
    Empty,
    /// Empty, and every producer has gone: no item will come.
    Closed,
}

/// A queue of `implementation` holding at most `capacity` items (`None`: unbounded).
pub fn new<T: Send>(implementation: QueueImpl, capacity: Option<usize>) -> (Putter<T>, Taker<T>) {
    match (implementation, capacity) {
        (QueueImpl::Crossbeam, None) => {
            let (put, take) = crossbeam_channel::unbounded();
            (
                Putter::CrossbeamUnbounded(put),
                Taker::Crossbeam(take, Instant::now()),
            )
        }
        (QueueImpl::Crossbeam, Some(capacity)) => {
            let (put, take) = crossbeam_channel::bounded(capacity);
            (
                Putter::Crossbeam(put),
                Taker::Crossbeam(take, Instant::now()),
            )
        }
        (QueueImpl::Std, None) => {
            let (put, take) = mpsc::channel();
            (Putter::Std(put), Taker::Std(Arc::new(Mutex::new(take))))
        }
        (QueueImpl::Std, Some(capacity)) => {
            let (put, take) = mpsc::sync_channel(capacity);
            (
                Putter::StdBounded(put),
                Taker::Std(Arc::new(Mutex::new(take))),
            )
        }
        (QueueImpl::Mutex, capacity) => {
            let (put, take) = locked(capacity);
            (Putter::Mutex(put), Taker::Mutex(take))
        }
        (QueueImpl::Flume, None) => {
            let (put, take) = flume::unbounded();
            (Putter::Flume(put), Taker::Flume(take))
        }
        (QueueImpl::Flume, Some(capacity)) => {
            let (put, take) = flume::bounded(capacity);
            (Putter::Flume(put), Taker::Flume(take))
        }
        (QueueImpl::Kanal, None) => {
            let (put, take) = kanal::unbounded();
            (Putter::Kanal(put), Taker::Kanal(take))
        }
        (QueueImpl::Kanal, Some(capacity)) => {
            let (put, take) = kanal::bounded(capacity);
            (Putter::Kanal(put), Taker::Kanal(take))
        }
    }
}

/// A `Mutex<VecDeque>` queue holding at most `capacity` items (`None`: unbounded), as the
/// runner's `mutex` implementation; public so the overhead benchmark drives the same code
/// in its bare loop.
pub fn locked<T>(capacity: Option<usize>) -> (LockedPutter<T>, LockedTaker<T>) {
    let locked = Arc::new(Locked::new(capacity));
    (
        LockedPutter::new(Arc::clone(&locked)),
        LockedTaker::new(locked),
    )
}

impl<T: Send> Putter<T> {
    /// Items on the queue now, where the queue can tell: `mpsc` has no length.
    pub fn depth(&self) -> Option<u64> {
        match self {
            Putter::Crossbeam(queue) | Putter::CrossbeamUnbounded(queue) => {
                Some(queue.len() as u64)
            }
            Putter::Std(_) | Putter::StdBounded(_) => None,
            Putter::Mutex(queue) => Some(lock(&queue.0.state).items.len() as u64),
            Putter::Flume(queue) => Some(queue.len() as u64),
            Putter::Kanal(queue) => Some(queue.len() as u64),
        }
    }

    #[inline(always)]
    pub fn try_put(&self, item: T) -> TryPut<T> {
        match self {
            Putter::Crossbeam(queue) => match queue.try_send(item) {
                Ok(()) => TryPut::Done,
                Err(TrySendError::Full(item)) => TryPut::Full(item),
                Err(TrySendError::Disconnected(_)) => TryPut::Closed,
            },
            Putter::CrossbeamUnbounded(queue) => match queue.send(item) {
                Ok(()) => TryPut::Done,
                Err(_) => TryPut::Closed,
            },
            Putter::Std(queue) => match queue.send(item) {
                Ok(()) => TryPut::Done,
                Err(_) => TryPut::Closed,
            },
            Putter::StdBounded(queue) => match queue.try_send(item) {
                Ok(()) => TryPut::Done,
                Err(mpsc::TrySendError::Full(item)) => TryPut::Full(item),
                Err(mpsc::TrySendError::Disconnected(_)) => TryPut::Closed,
            },
            Putter::Mutex(queue) => queue.0.try_put(item),
            Putter::Flume(queue) => match queue.try_send(item) {
                Ok(()) => TryPut::Done,
                Err(flume::TrySendError::Full(item)) => TryPut::Full(item),
                Err(flume::TrySendError::Disconnected(_)) => TryPut::Closed,
            },
            Putter::Kanal(queue) => {
                let mut slot = Some(item);
                match (queue.try_send_option(&mut slot), slot) {
                    (Ok(false), Some(item)) => TryPut::Full(item),
                    (Ok(_), _) => TryPut::Done,
                    (Err(_), _) => TryPut::Closed,
                }
            }
        }
    }

    /// Puts `item`, waiting while the queue is full; false if the run was stopped or
    /// every consumer has gone.
    pub fn put(&self, mut item: T, stop: &AtomicBool) -> bool {
        match self {
            Putter::Crossbeam(queue) | Putter::CrossbeamUnbounded(queue) => loop {
                match queue.send_timeout(item, STOP_CHECK) {
                    Ok(()) => return true,
                    Err(SendTimeoutError::Timeout(back)) if !stop.load(Ordering::Relaxed) => {
                        item = back
                    }
                    Err(_) => return false,
                }
            },
            // `SyncSender` has no timed send; a stopped run's consumers leave and drop
            // the receiver, which ends the wait.
            Putter::StdBounded(queue) => queue.send(item).is_ok(),
            Putter::Std(queue) => queue.send(item).is_ok(),
            Putter::Mutex(queue) => queue.0.put(item, stop),
            Putter::Flume(queue) => loop {
                match queue.send_timeout(item, STOP_CHECK) {
                    Ok(()) => return true,
                    Err(flume::SendTimeoutError::Timeout(back))
                        if !stop.load(Ordering::Relaxed) =>
                    {
                        item = back
                    }
                    Err(_) => return false,
                }
            },
            // Untimed (see the module comment): consumers leaving ends the wait.
            Putter::Kanal(queue) => !stop.load(Ordering::Relaxed) && queue.send(item).is_ok(),
        }
    }
}

impl<T: Send> Taker<T> {
    /// A look at the queue that never waits: a poll's.
    #[inline(always)]
    pub fn try_take(&self) -> TryTake<T> {
        self.look(|queue, _| match queue.try_recv() {
            Ok(item) => TryTake::Item(item),
            Err(TryRecvError::Empty) => TryTake::Empty,
            Err(TryRecvError::Disconnected) => TryTake::Closed,
        })
    }

    /// An item if there is one, for a consumer that otherwise waits for one (`take`):
    /// as `try_take`, except that crossbeam's look is the receive its wait makes
    /// (`recv_deadline`, with a deadline already past). On an empty queue that answers
    /// only after the crate's backoff (about 130 spin hints, then 4 yields, which on a
    /// busy machine may each give the core away for a while), so the consumer reports
    /// what it counted that much later; on a rendezvous it offers itself to a waiting
    /// producer for that moment, which may hand its item over.
    ///
    /// Why: crossbeam's `try_recv` and `recv` each call the crate's inner receive, and
    /// with both called the compiler kept that out of line; a bare loop, calling `recv`
    /// alone, has it inlined, and on a fast machine the difference was a fifth of the
    /// zero-time runner's speed. So blocking consumers reach crossbeam only through its
    /// timed receives (`recv_deadline`, `recv_timeout`), and polls (which must not spin
    /// past their instant) only through `try_recv`, each over an item type of its own
    /// (`item::Polled`), so that each compiled copy of the crate's receive has one way in.
    #[inline(always)]
    pub fn take_if_any(&self) -> TryTake<T> {
        self.look(|queue, made| match queue.recv_deadline(made) {
            Ok(item) => TryTake::Item(item),
            Err(RecvTimeoutError::Timeout) => TryTake::Empty,
            Err(RecvTimeoutError::Disconnected) => TryTake::Closed,
        })
    }

    /// A take without waiting: crossbeam's as `crossbeam` makes it (given the queue and
    /// when it was made), every other implementation's own. One match, so that neither
    /// caller's compiled code mentions the other's crossbeam call.
    #[inline(always)]
    fn look(
        &self,
        crossbeam: impl FnOnce(&crossbeam_channel::Receiver<T>, Instant) -> TryTake<T>,
    ) -> TryTake<T> {
        match self {
            Taker::Crossbeam(queue, made) => crossbeam(queue, *made),
            Taker::Std(queue) => match lock(queue).try_recv() {
                Ok(item) => TryTake::Item(item),
                Err(mpsc::TryRecvError::Empty) => TryTake::Empty,
                Err(mpsc::TryRecvError::Disconnected) => TryTake::Closed,
            },
            Taker::Mutex(queue) => queue.0.try_take(),
            Taker::Flume(queue) => match queue.try_recv() {
                Ok(item) => TryTake::Item(item),
                Err(flume::TryRecvError::Empty) => TryTake::Empty,
                Err(flume::TryRecvError::Disconnected) => TryTake::Closed,
            },
            Taker::Kanal(queue) => match queue.try_recv() {
                Ok(Some(item)) => TryTake::Item(item),
                Ok(None) => TryTake::Empty,
                Err(_) => TryTake::Closed,
            },
        }
    }

    /// Takes an item, waiting while the queue is empty; `None` once no item can come or
    /// the run was stopped.
    pub fn take(&self, stop: &AtomicBool) -> Option<T> {
        match self {
            Taker::Crossbeam(queue, _) => loop {
                match queue.recv_timeout(STOP_CHECK) {
                    Ok(item) => return Some(item),
                    Err(RecvTimeoutError::Timeout) if !stop.load(Ordering::Relaxed) => {}
                    Err(_) => return None,
                }
            },
            // Holding the receiver while waiting is what sharing it behind a mutex means:
            // the other consumers queue for the mutex.
            Taker::Std(queue) => loop {
                match lock(queue).recv_timeout(STOP_CHECK) {
                    Ok(item) => return Some(item),
                    Err(mpsc::RecvTimeoutError::Timeout) if !stop.load(Ordering::Relaxed) => {}
                    Err(_) => return None,
                }
            },
            Taker::Mutex(queue) => queue.0.take(stop),
            Taker::Flume(queue) => loop {
                match queue.recv_timeout(STOP_CHECK) {
                    Ok(item) => return Some(item),
                    Err(flume::RecvTimeoutError::Timeout) if !stop.load(Ordering::Relaxed) => {}
                    Err(_) => return None,
                }
            },
            // Untimed (see the module comment): producers leaving ends the wait.
            Taker::Kanal(_) if stop.load(Ordering::Relaxed) => None,
            Taker::Kanal(queue) => queue.recv().ok(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `Mutex<VecDeque>` with two condition variables, the design of Python's `queue.Queue`.
/// It notifies only when someone waits, as Python's `Condition` does: a futex wake
/// costs a system call even when nobody sleeps on it.
pub struct Locked<T> {
    state: Mutex<State<T>>,
    not_empty: Condvar,
    not_full: Condvar,
    capacity: Option<usize>,
}

struct State<T> {
    items: VecDeque<T>,
    putters: usize,
    takers: usize,
    waiting_takers: usize,
    waiting_putters: usize,
}

impl<T> Locked<T> {
    fn new(capacity: Option<usize>) -> Self {
        Locked {
            state: Mutex::new(State {
                items: VecDeque::new(),
                putters: 0,
                takers: 0,
                waiting_takers: 0,
                waiting_putters: 0,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            capacity,
        }
    }

    fn is_full(&self, state: &State<T>) -> bool {
        self.capacity.is_some_and(|c| state.items.len() >= c)
    }

    fn push(&self, state: &mut State<T>, item: T) {
        state.items.push_back(item);
        if state.waiting_takers > 0 {
            self.not_empty.notify_one();
        }
    }

    fn pop(&self, state: &mut State<T>) -> Option<T> {
        let item = state.items.pop_front()?;
        if state.waiting_putters > 0 {
            self.not_full.notify_one();
        }
        Some(item)
    }

    fn try_put(&self, item: T) -> TryPut<T> {
        let mut state = lock(&self.state);
        if state.takers == 0 {
            TryPut::Closed
        } else if self.is_full(&state) {
            TryPut::Full(item)
        } else {
            self.push(&mut state, item);
            TryPut::Done
        }
    }

    fn put(&self, item: T, stop: &AtomicBool) -> bool {
        let mut state = lock(&self.state);
        loop {
            if state.takers == 0 || stop.load(Ordering::Relaxed) {
                return false;
            }
            if !self.is_full(&state) {
                self.push(&mut state, item);
                return true;
            }
            state.waiting_putters += 1;
            state = wait(&self.not_full, state);
            state.waiting_putters -= 1;
        }
    }

    fn try_take(&self) -> TryTake<T> {
        let mut state = lock(&self.state);
        match self.pop(&mut state) {
            Some(item) => TryTake::Item(item),
            None if state.putters == 0 => TryTake::Closed,
            None => TryTake::Empty,
        }
    }

    fn take(&self, stop: &AtomicBool) -> Option<T> {
        let mut state = lock(&self.state);
        loop {
            if let Some(item) = self.pop(&mut state) {
                return Some(item);
            }
            if state.putters == 0 || stop.load(Ordering::Relaxed) {
                return None;
            }
            state.waiting_takers += 1;
            state = wait(&self.not_empty, state);
            state.waiting_takers -= 1;
        }
    }
}

/// Waits on `condvar`, waking at least every `STOP_CHECK` to look at the stop flag.
fn wait<'a, T>(condvar: &Condvar, state: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
    match condvar.wait_timeout(state, STOP_CHECK) {
        Ok((state, _)) => state,
        Err(poisoned) => poisoned.into_inner().0,
    }
}

/// One producer's handle on a `Locked` queue; the queue closes for consumers when the
/// last one is dropped, as a channel's does.
pub struct LockedPutter<T>(Arc<Locked<T>>);

/// One consumer's handle on a `Locked` queue; the queue closes for producers when the
/// last one is dropped.
pub struct LockedTaker<T>(Arc<Locked<T>>);

impl<T> LockedPutter<T> {
    fn new(queue: Arc<Locked<T>>) -> Self {
        lock(&queue.state).putters += 1;
        LockedPutter(queue)
    }

    /// Puts `item`, waiting while the queue is full; false if `stop` was raised or every
    /// taker has gone.
    pub fn put(&self, item: T, stop: &AtomicBool) -> bool {
        self.0.put(item, stop)
    }
}

impl<T> LockedTaker<T> {
    fn new(queue: Arc<Locked<T>>) -> Self {
        lock(&queue.state).takers += 1;
        LockedTaker(queue)
    }

    /// Takes an item, waiting while the queue is empty; `None` once every putter has
    /// gone and the queue is empty, or `stop` was raised.
    pub fn take(&self, stop: &AtomicBool) -> Option<T> {
        self.0.take(stop)
    }
}

impl<T> Clone for LockedPutter<T> {
    fn clone(&self) -> Self {
        LockedPutter::new(Arc::clone(&self.0))
    }
}

impl<T> Clone for LockedTaker<T> {
    fn clone(&self) -> Self {
        LockedTaker::new(Arc::clone(&self.0))
    }
}

impl<T> Drop for LockedPutter<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.putters -= 1;
        if state.putters == 0 {
            self.0.not_empty.notify_all();
        }
    }
}

impl<T> Drop for LockedTaker<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.0.state);
        state.takers -= 1;
        if state.takers == 0 {
            self.0.not_full.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn item(id: u64) -> u64 {
        id
    }

    fn every_implementation() -> impl Iterator<Item = (QueueImpl, Option<usize>)> {
        QueueImpl::ALL
            .iter()
            .flat_map(|&q| [(q, None), (q, Some(1)), (q, Some(3))])
    }

    #[test]
    fn each_queue_delivers_in_order_and_closes_when_producers_go() {
        for (implementation, capacity) in every_implementation() {
            let (put, take) = new::<u64>(implementation, capacity);
            let stop = AtomicBool::new(false);
            thread::scope(|s| {
                s.spawn(move || {
                    for id in 0..100 {
                        assert!(put.put(item(id), &AtomicBool::new(false)));
                    }
                });
                let ids: Vec<u64> = std::iter::from_fn(|| take.take(&stop)).collect();
                assert_eq!(ids, (0..100).collect::<Vec<_>>(), "{implementation:?}");
                assert!(matches!(take.try_take(), TryTake::Closed));
            });
        }
    }

    #[test]
    fn a_full_queue_refuses_a_put_without_waiting() {
        for &implementation in QueueImpl::ALL {
            let (put, take) = new::<u64>(implementation, Some(2));
            assert!(matches!(put.try_put(item(0)), TryPut::Done));
            assert!(matches!(put.try_put(item(1)), TryPut::Done));
            assert!(matches!(put.try_put(item(2)), TryPut::Full(_)));
            assert!(matches!(take.try_take(), TryTake::Item(0)));
            drop(take);
            assert!(matches!(put.try_put(item(3)), TryPut::Closed));
        }
    }

    /// A blocking consumer's look answers as a poll's does, whatever the implementation
    /// and capacity (a rendezvous included): an item there, nothing on an open empty
    /// queue, closed once every producer has gone; it never waits for an item to come.
    #[test]
    fn a_look_before_waiting_finds_an_item_nothing_or_the_end() {
        let capacities = [None, Some(0), Some(1), Some(3)];
        for (&implementation, capacity) in QueueImpl::ALL
            .iter()
            .flat_map(|q| capacities.map(|c| (q, c)))
        {
            let (put, take) = new::<u64>(implementation, capacity);
            let case = format!("{implementation:?} {capacity:?}");
            assert!(matches!(take.take_if_any(), TryTake::Empty), "{case}");
            if capacity != Some(0) {
                assert!(matches!(put.try_put(item(7)), TryPut::Done), "{case}");
                assert!(matches!(take.take_if_any(), TryTake::Item(7)), "{case}");
            }
            drop(put);
            assert!(matches!(take.take_if_any(), TryTake::Closed), "{case}");
        }
    }

    /// A take asked for after the run stopped does not wait. (A wait already under way
    /// ends by the stop flag or, for kanal, by the producers leaving: `tests/waits.rs`.)
    #[test]
    fn stop_ends_a_take_that_waits() {
        for &implementation in QueueImpl::ALL {
            let (_put, take) = new::<u64>(implementation, None);
            assert!(matches!(take.try_take(), TryTake::Empty));
            assert!(take.take(&AtomicBool::new(true)).is_none());
        }
    }
}
