//! A session as both faces own one: the scenario being played (if any) and
//! the periods cut from the Snapshots that arrive. It computes; the face
//! applies the commands it hands out and renders what it holds.

use std::sync::Arc;
use std::time::Instant;

use super::periods::{Period, PeriodTracker};
use super::playback::Playback;
use crate::engine::command::Command;
use crate::metrics::snapshot::Snapshot;

#[derive(Clone, Debug, Default)]
pub struct Session {
    playback: Option<Playback>,
    periods: PeriodTracker,
    /// Snapshots up to this sequence number may predate the commands handed
    /// out last: they are not counted in a period, so every period shows the
    /// configuration actually running.
    stale_through_seq: u64,
    /// The scenario last played starts its periods afresh at its first step.
    cut_at_first_step: bool,
    /// The mark of the first period of the scenario last played (0: every
    /// period is its).
    played_from: u64,
}

impl Session {
    pub fn new(playback: Option<Playback>) -> Session {
        Session {
            playback,
            ..Session::default()
        }
    }

    /// The scenario being played.
    pub fn playback(&self) -> Option<&Playback> {
        self.playback.as_ref()
    }

    /// Plays `playback` from here, in place of any other. Its periods start
    /// at its first step: the stretch before it is no part of them, even in
    /// the same configuration.
    pub fn play(&mut self, playback: Playback) {
        self.playback = Some(playback);
        self.cut_at_first_step = true;
    }

    /// Ends the scenario being played and returns it.
    pub fn stop_playing(&mut self) -> Option<Playback> {
        self.playback.take()
    }

    /// Restarts the scenario's clock (the engine has just started).
    pub fn restart_clock(&mut self, now: Instant) {
        if let Some(playback) = self.playback.as_mut() {
            playback.restart_clock(now);
        }
    }

    /// The scenario's commands due by `now`, caption included; `latest_seq`
    /// is the number of the engine's latest Snapshot. The Snapshot being
    /// taken may predate them: periods skip it too.
    pub fn due(&mut self, now: Instant, latest_seq: u64) -> Vec<Command> {
        let Some(playback) = self.playback.as_mut() else {
            return Vec::new();
        };
        let commands = playback.advance(now);
        if !commands.is_empty() {
            self.stale_through_seq = latest_seq + 1;
            if std::mem::take(&mut self.cut_at_first_step) {
                self.played_from = self.periods.cut();
            }
        }
        commands
    }

    /// True once the scenario has played to its end (never without one).
    pub fn playback_over(&self, now: Instant) -> bool {
        self.playback.as_ref().is_some_and(|p| p.is_over(now))
    }

    /// False for a Snapshot that may predate the commands handed out last.
    pub fn is_current(&self, seq: u64) -> bool {
        seq > self.stale_through_seq
    }

    /// Offers the latest Snapshot (the same one twice is harmless).
    pub fn observe(&mut self, snapshot: &Arc<Snapshot>) {
        if self.is_current(snapshot.seq) {
            self.periods.observe(snapshot);
        }
    }

    pub fn periods(&self) -> &PeriodTracker {
        &self.periods
    }

    /// The rows of the scenario last played (or being played): its periods
    /// only, from its first step on.
    pub fn played_rows(&self) -> Vec<&Period> {
        self.periods.rows_since(self.played_from)
    }

    /// Every period, the last one closed at `last` (the run's final Snapshot).
    pub fn finish(self, last: &Arc<Snapshot>) -> Vec<Period> {
        self.periods.finish(last)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scenario::Scenario;
    use crate::spec::BackendKind;

    fn snap(seq: u64, t: f64, backend: BackendKind) -> Arc<Snapshot> {
        let mut s = Snapshot {
            seq,
            elapsed_s: t,
            ..Snapshot::default()
        };
        s.config.backend = backend;
        s.config.running = true;
        Arc::new(s)
    }

    #[test]
    fn snapshots_that_may_predate_a_step_are_not_counted() {
        let scenario = Scenario::parse(
            "[[step]]\nat = 1.0\nbackend = \"channel\"\n[[step]]\nat = 5.0\nend = true\n",
            "one step",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let start = Instant::now();
        let mut session = Session::new(Some(Playback::new(scenario, start)));
        session.observe(&snap(1, 0.0, BackendKind::Rayon));
        assert!(session.due(start, 1).is_empty());
        session.observe(&snap(2, 0.5, BackendKind::Rayon));
        let due = session.due(start + Duration::from_secs(1), 2);
        assert_eq!(
            due,
            [Command::SetBackend {
                backend: BackendKind::Channel
            }]
        );
        // Snapshot 3 was being taken when the step applied: it still says rayon.
        session.observe(&snap(3, 1.1, BackendKind::Rayon));
        session.observe(&snap(4, 1.5, BackendKind::Channel));
        assert!(!session.playback_over(start + Duration::from_secs(4)));
        assert!(session.playback_over(start + Duration::from_secs(5)));
        let periods = session.finish(&snap(5, 2.5, BackendKind::Channel));
        let spans: Vec<(BackendKind, f64, f64)> = periods
            .iter()
            .map(|p| (p.backend, p.from_s, p.to_s))
            .collect();
        assert_eq!(
            spans,
            [
                (BackendKind::Rayon, 0.0, 1.5),
                (BackendKind::Channel, 1.5, 2.5)
            ]
        );
    }

    #[test]
    fn a_scenario_played_in_the_same_configuration_has_periods_of_its_own() {
        let scenario = Scenario::parse(
            "duration = 20.0\n[[step]]\nat = 0.0\nbackend = \"rayon\"\ncaption = \"on rayon\"\n",
            "same backend",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut session = Session::default();
        for seq in 1..=3 {
            session.observe(&snap(seq, seq as f64, BackendKind::Rayon));
        }
        let start = Instant::now();
        session.play(Playback::new(scenario, start));
        // Played before its first step: still the stretch before it.
        session.observe(&snap(4, 4.0, BackendKind::Rayon));
        assert!(!session.due(start, 4).is_empty());
        session.observe(&snap(5, 5.0, BackendKind::Rayon)); // may predate the step
        for seq in 6..=8 {
            session.observe(&snap(seq, seq as f64, BackendKind::Rayon));
        }
        let spans = |rows: Vec<&Period>| -> Vec<(f64, f64)> {
            rows.iter().map(|p| (p.from_s, p.to_s)).collect()
        };
        assert_eq!(spans(session.played_rows()), [(6.0, 8.0)]);
        assert_eq!(spans(session.periods().rows()), [(1.0, 4.0), (6.0, 8.0)]);
    }
}
