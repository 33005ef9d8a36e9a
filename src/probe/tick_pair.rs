//! A periodic tick kept as two timers a period apart, each re-armed two
//! periods ahead when it fires.
//!
//! tokio's timer driver wakes itself when a timer is set earlier than the
//! earliest one it knows (an eventfd write, then one more trip through
//! `epoll_wait`). A lone interval re-armed after each tick is always that
//! earliest timer, so each tick of a plain `Interval` cost three system calls
//! where one does. With the pair, the other timer is due first whenever one
//! is re-armed, and a tick is one wake-up.
//!
//! Ticks fall on `start + k * period`; after a stall the ticks it swallowed
//! are skipped (as `MissedTickBehavior::Skip`): the next one is the first
//! grid instant after the late tick ran.

use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep, sleep_until};

use super::pace::next_on_grid;

pub struct TickPair {
    period: Duration,
    /// The two timers; `sleeps[due]` holds the next tick, the other the one after.
    sleeps: [Pin<Box<Sleep>>; 2],
    due: usize,
}

impl TickPair {
    /// Ticks at `start`, `start + period`, ... (a zero period counts as 1 ns).
    pub fn new(start: Instant, period: Duration) -> TickPair {
        let period = period.max(Duration::from_nanos(1));
        TickPair {
            period,
            sleeps: [
                Box::pin(sleep_until(start)),
                Box::pin(sleep_until(start + period)),
            ],
            due: 0,
        }
    }

    /// Waits for the next tick; the instant it was due. Cancel-safe: a tick
    /// not returned is still the next one.
    pub async fn tick(&mut self) -> Instant {
        let due = self.due;
        self.sleeps[due].as_mut().await;
        let scheduled = self.sleeps[due].deadline();
        let next = scheduled + self.period;
        let now = Instant::now();
        if next > now {
            // The other timer already holds `next`: re-arm this one behind it.
            self.sleeps[due].as_mut().reset(next + self.period);
        } else {
            // A stall swallowed ticks: both timers move to the grid (which
            // `scheduled` is on) after now.
            let next = next_on_grid(scheduled, self.period, now + Duration::from_nanos(1));
            self.sleeps[1 - due].as_mut().reset(next);
            self.sleeps[due].as_mut().reset(next + self.period);
        }
        self.due = 1 - due;
        scheduled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ticks_fall_on_the_grid_one_period_apart() {
        let start = Instant::now() + Duration::from_millis(5);
        let period = Duration::from_millis(10);
        let mut ticks = TickPair::new(start, period);
        for k in 0..6u32 {
            let scheduled = ticks.tick().await;
            assert_eq!(scheduled, start + period * k);
            assert_eq!(Instant::now(), scheduled);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_stall_skips_the_swallowed_ticks_and_keeps_the_grid() {
        let start = Instant::now();
        let period = Duration::from_millis(10);
        let mut ticks = TickPair::new(start, period);
        assert_eq!(ticks.tick().await, start);
        // Hold the task 35 ms: ticks at 10, 20 and 30 ms fall due meanwhile.
        tokio::time::advance(Duration::from_millis(35)).await;
        // The first of them is returned late, as a plain interval returns it...
        assert_eq!(ticks.tick().await, start + period);
        // ...and the rest are skipped: the next tick is the grid's next, 40 ms.
        assert_eq!(ticks.tick().await, start + period * 4);
        assert_eq!(Instant::now(), start + period * 4);
        assert_eq!(ticks.tick().await, start + period * 5);
    }

    #[tokio::test(start_paused = true)]
    async fn a_tick_given_up_in_a_select_is_still_the_next_one() {
        let start = Instant::now();
        let period = Duration::from_millis(10);
        let mut ticks = TickPair::new(start, period);
        assert_eq!(ticks.tick().await, start);
        tokio::select! {
            biased;
            _ = ticks.tick() => panic!("the tick is 10 ms away"),
            () = std::future::ready(()) => {}
        }
        assert_eq!(ticks.tick().await, start + period);
    }
}
