//! When the dashboard draws: only when something shown changed (a Snapshot,
//! input, a resize, time passing), at most once per frame period for data and
//! once per `INPUT_GAP` for input, so that keys feel immediate but a flood of
//! them (a paste the terminal does not bracket) cannot queue a frame per key.
//! Building a frame is most of the ui thread's cost; a frame not needed is
//! not built.

use std::time::{Duration, Instant};

/// The shortest time between two frames drawn in answer to input.
pub const INPUT_GAP: Duration = Duration::from_millis(15);

/// A frame due this soon after the period counts as due: Snapshots come about
/// once per frame period, and waiting out a millisecond of jitter would cost
/// a second wake-up per frame.
const EARLY_BY: f64 = 0.2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Redraw {
    Now,
    /// Owed, not before this instant.
    At(Instant),
    /// Nothing changed since the last frame.
    Not,
}

pub struct FrameClock {
    period: Duration,
    last: Instant,
    /// Something changed since the last frame.
    dirty: bool,
    /// The change came from input: the shorter gap applies.
    input: bool,
}

impl FrameClock {
    /// A clock for `period` between frames; the first frame is owed at once.
    pub fn new(period: Duration, now: Instant) -> FrameClock {
        FrameClock {
            period,
            last: now.checked_sub(period).unwrap_or(now),
            dirty: true,
            input: false,
        }
    }

    /// The change being reported comes from input.
    pub fn input(&mut self) {
        self.input = true;
    }

    /// Whether a frame waits for its time.
    pub fn owed(&self) -> bool {
        self.dirty
    }

    /// After an event (`changed`: it changed what is shown): draw now, later, or not.
    pub fn after(&mut self, changed: bool, now: Instant) -> Redraw {
        self.dirty |= changed;
        if !self.dirty {
            return Redraw::Not;
        }
        let gap = if self.input {
            INPUT_GAP.min(self.period)
        } else {
            self.period.mul_f64(1.0 - EARLY_BY)
        };
        let due = self.last + gap;
        if now >= due {
            Redraw::Now
        } else {
            Redraw::At(due)
        }
    }

    /// A frame was drawn at `now`.
    pub fn drawn(&mut self, now: Instant) {
        self.last = now;
        self.dirty = false;
        self.input = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERIOD: Duration = Duration::from_millis(100);

    /// Drives a clock through events at the given offsets (ms, changed?,
    /// input?) and counts the frames it draws, firing owed frames on time.
    fn frames(events: &[(u64, bool, bool)]) -> usize {
        let start = Instant::now();
        let mut clock = FrameClock::new(PERIOD, start);
        let mut drawn = 0;
        let mut step =
            |clock: &mut FrameClock, now: Instant, changed: bool| match clock.after(changed, now) {
                Redraw::Now => {
                    clock.drawn(now);
                    drawn += 1;
                    None
                }
                Redraw::At(at) => Some(at),
                Redraw::Not => None,
            };
        // The first frame is owed at once.
        let mut owed = step(&mut clock, start, false);
        for &(ms, changed, input) in events {
            let now = start + Duration::from_millis(ms);
            if let Some(at) = owed.filter(|at| *at <= now) {
                owed = step(&mut clock, at, false);
            }
            if input {
                clock.input();
            }
            owed = step(&mut clock, now, changed).or(owed);
        }
        drawn
    }

    #[test]
    fn nothing_changed_draws_nothing_after_the_first_frame() {
        let idle: Vec<_> = (0..50).map(|i| (i * 25, false, false)).collect();
        assert_eq!(frames(&idle), 1);
    }

    #[test]
    fn a_snapshot_a_period_draws_a_frame_each_even_with_jitter() {
        let snapshots: Vec<_> = (1..=20)
            .map(|i| (i * 100 - if i % 2 == 0 { 3 } else { 0 }, true, false))
            .collect();
        // The first frame, then one per Snapshot.
        assert_eq!(frames(&snapshots), 21);
    }

    #[test]
    fn snapshots_faster_than_the_period_are_drawn_at_its_pace() {
        // 100 Snapshots a second for 1 s at 10 frames a second.
        let fast: Vec<_> = (1..=100).map(|i| (i * 10, true, false)).collect();
        let drawn = frames(&fast);
        assert!((10..=14).contains(&drawn), "{drawn} frames");
    }

    #[test]
    fn input_draws_at_once_but_a_flood_of_keys_does_not_draw_per_key() {
        let key = [(1_000, true, true)];
        assert_eq!(frames(&key), 2);
        // 500 keys in 50 ms.
        let flood: Vec<_> = (0..500).map(|i| (1_000 + i / 10, true, true)).collect();
        let drawn = frames(&flood);
        assert!(drawn <= 6, "{drawn} frames for 500 keys");
    }
}
