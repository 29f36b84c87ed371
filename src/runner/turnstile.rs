//! Blocked producers return in the order they blocked, as in the model.
//!
//! The model keeps producers blocked on a full queue in a line: a take makes room for
//! the first in line, at that instant. A channel wakes whichever blocked sender it
//! wakes, and a producer arriving just after a take can take the room before the woken
//! one runs; then each producer's schedule (its draws) drifts from the model's, and the
//! run with it. So, where the threads follow a schedule (paced producers on a bounded
//! queue with sleep work), a producer that finds the queue full, or finds others already
//! in line, takes a ticket and waits its turn; only the first in line waits inside the
//! channel's own put. Owns only the line; the put itself is `queue`'s.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// How often a producer waiting its turn looks at the stop flag.
const STOP_CHECK: Duration = Duration::from_millis(10);

pub struct Turnstile {
    /// The next ticket to hand out.
    next: AtomicU64,
    /// The ticket whose holder may put now.
    serving: Mutex<u64>,
    turn: Condvar,
}

impl Default for Turnstile {
    fn default() -> Self {
        Turnstile {
            next: AtomicU64::new(0),
            serving: Mutex::new(0),
            turn: Condvar::new(),
        }
    }
}

impl Turnstile {
    /// True while some producer is in line: a put must then join the line, not slip in.
    pub fn in_line(&self) -> bool {
        let serving = *self.serving.lock().unwrap_or_else(PoisonError::into_inner);
        self.next.load(Ordering::SeqCst) != serving
    }

    /// Joins the line, calls `joined`, and waits until it is this producer's turn; the
    /// turn passes on when the returned `Turn` is dropped, once the put returned. `None`
    /// if `stop` was raised first. `joined` runs once the producer holds its place, so
    /// whatever it lets others do (a blocked producer withdrawing from the producers'
    /// gate lets later puts go ahead) cannot let them in ahead of it.
    pub fn wait_turn(&self, stop: &AtomicBool, joined: impl FnOnce()) -> Option<Turn<'_>> {
        let ticket = self.next.fetch_add(1, Ordering::SeqCst);
        joined();
        let mut serving = self.serving.lock().unwrap_or_else(PoisonError::into_inner);
        while *serving != ticket {
            if stop.load(Ordering::Relaxed) {
                // Leave the line in order: nobody behind will be served after a stop.
                return None;
            }
            serving = match self.turn.wait_timeout(serving, STOP_CHECK) {
                Ok((serving, _)) => serving,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        Some(Turn(self))
    }
}

/// The first place in line; dropping it (after the put returned, or failed) lets the
/// next producer put.
pub struct Turn<'a>(&'a Turnstile);

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut serving = self
            .0
            .serving
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *serving += 1;
        self.0.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc;
    use std::thread;

    #[test]
    fn producers_put_in_the_order_they_joined_the_line() {
        let line = Arc::new(Turnstile::default());
        let stop = Arc::new(AtomicBool::new(false));
        let first = line.wait_turn(&stop, || ()).expect("first in line");
        assert!(line.in_line(), "a holder of the turn is in line");
        let (order, seen) = mpsc::channel();
        let mut waiters = Vec::new();
        for who in 1..=4 {
            let (mine, stop, order) = (Arc::clone(&line), Arc::clone(&stop), order.clone());
            waiters.push(thread::spawn(move || {
                let turn = mine.wait_turn(&stop, || ()).expect("served");
                order.send(who).expect("the test listens");
                drop(turn);
            }));
            // Each joins only once the one before holds its ticket.
            while line.next.load(Ordering::SeqCst) < who + 1 {
                thread::yield_now();
            }
        }
        drop(first);
        for waiter in waiters {
            waiter.join().expect("no panic");
        }
        let served: Vec<u64> = seen.try_iter().collect();
        assert_eq!(served, vec![1, 2, 3, 4]);
        assert!(!line.in_line(), "everyone served");
    }

    /// What a producer does on joining (saying it is blocked, which lets later puts
    /// past the producers' gate) happens once it holds its place, never before.
    #[test]
    fn a_producer_holds_its_place_in_line_when_it_says_it_blocked() {
        let line = Turnstile::default();
        let stop = AtomicBool::new(false);
        let mut in_line_then = None;
        let turn = line.wait_turn(&stop, || in_line_then = Some(line.in_line()));
        assert_eq!(in_line_then, Some(true));
        drop(turn);
        assert!(!line.in_line());
    }

    #[test]
    fn stop_ends_a_wait_for_a_turn_that_never_comes() {
        let line = Turnstile::default();
        let stop = AtomicBool::new(false);
        let _held = line.wait_turn(&stop, || ()).expect("first");
        stop.store(true, Ordering::SeqCst);
        assert!(line.wait_turn(&stop, || ()).is_none());
    }
}
