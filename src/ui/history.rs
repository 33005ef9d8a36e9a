//! Bounded history kept by the UI: ten minutes of samples taken from the
//! Snapshots, for the charts, and two per thread for the heat strips. Memory stays
//! flat however long the session runs.

use std::collections::{BTreeMap, HashSet, VecDeque};

use crate::metrics::snapshot::{PoolKind, Snapshot, ThreadView, thread_order_positions};

/// Seconds of history kept for the charts (their longest window).
pub const HISTORY_S: f64 = 600.0;
/// Hard cap on samples whatever the snapshot rate (10 minutes at 20 Hz).
pub const MAX_SAMPLES: usize = 12_000;
/// Seconds of per-thread history kept for the heat strips.
pub const THREAD_HISTORY_S: f64 = 120.0;
/// Hard cap on a thread's samples (2 minutes at 20 Hz).
const MAX_THREAD_SAMPLES: usize = 2_400;
/// How long an exited thread stays on screen, dimmed, before it is dropped.
pub const FADE_S: f64 = crate::bounds::EXITED_THREAD_LINGER.as_secs_f64();
/// Bytes in a MiB: throughput of bytes is shown in MiB/s everywhere.
pub const MIB: f64 = 1024.0 * 1024.0;

/// Chart values taken from one Snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    pub t: f64,
    pub tasks_per_s: f64,
    /// Input bytes per second in MiB/s (the reports' unit).
    pub mib_per_s: f64,
    pub total_p50_us: f64,
    pub total_p99_us: f64,
    pub queue_p99_us: f64,
    pub service_p99_us: f64,
    pub heartbeat_p50_us: f64,
    pub heartbeat_p99_us: f64,
    pub heartbeat_max_us: f64,
    pub echo_p99_us: f64,
    pub generation: u64,
}

impl Sample {
    pub fn from_snapshot(s: &Snapshot) -> Sample {
        Sample {
            t: s.elapsed_s,
            tasks_per_s: s.throughput.tasks_per_s,
            mib_per_s: s.throughput.bytes_per_s / MIB,
            total_p50_us: s.latency.window.total.p50,
            total_p99_us: s.latency.window.total.p99,
            queue_p99_us: s.latency.window.queue.p99,
            service_p99_us: s.latency.window.service.p99,
            heartbeat_p50_us: s.heartbeat.window.p50,
            heartbeat_p99_us: s.heartbeat.window.p99,
            heartbeat_max_us: s.heartbeat.window.max,
            echo_p99_us: s.echo.window.p99,
            generation: s.config.generation,
        }
    }
}

/// The last `HISTORY_S` seconds of samples, oldest first.
#[derive(Clone, Debug, Default)]
pub struct History {
    samples: VecDeque<Sample>,
    /// Time of the newest sample that read input bytes.
    last_with_bytes: Option<f64>,
}

impl History {
    pub fn push(&mut self, sample: Sample) {
        // Time going backwards means a new engine: old points would draw garbage.
        if self.samples.back().is_some_and(|last| sample.t < last.t) {
            self.samples.clear();
            self.last_with_bytes = None;
        }
        if finite_or_zero(sample.mib_per_s) > 0.0 {
            self.last_with_bytes = Some(sample.t);
        }
        self.samples.push_back(sample);
        while self.samples.len() > MAX_SAMPLES
            || self
                .samples
                .front()
                .is_some_and(|first| first.t < sample.t - HISTORY_S)
        {
            self.samples.pop_front();
        }
    }

    pub fn samples(&self) -> impl ExactSizeIterator<Item = &Sample> + DoubleEndedIterator {
        self.samples.iter()
    }

    /// Samples from time `start` on: a chart's window, not all ten minutes.
    fn since(&self, start: f64) -> impl Iterator<Item = &Sample> {
        let from = self.samples.partition_point(|s| s.t < start);
        self.samples.range(from..)
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Time of the newest sample (the right edge of the charts).
    pub fn now(&self) -> f64 {
        self.samples.back().map_or(0.0, |s| s.t)
    }

    /// `(t, value)` points for a chart from time `start` on.
    pub fn series(&self, start: f64, value: impl Fn(&Sample) -> f64) -> Vec<(f64, f64)> {
        self.since(start)
            .map(|s| (s.t, finite_or_zero(value(s))))
            .collect()
    }

    /// Some sample kept read input bytes (the MiB/s chart is worth its room).
    pub fn has_bytes(&self) -> bool {
        self.last_with_bytes
            .is_some_and(|t| self.samples.front().is_some_and(|first| first.t <= t))
    }

    /// Times from `start` on at which the configuration generation changed
    /// (chart markers).
    pub fn generation_changes(&self, start: f64) -> Vec<f64> {
        let mut changes = Vec::new();
        let mut previous: Option<u64> = None;
        // The sample before `start` too: a change at the window's first sample counts.
        let from = self
            .samples
            .partition_point(|s| s.t < start)
            .saturating_sub(1);
        for sample in self.samples.range(from..) {
            if previous.is_some_and(|generation| generation != sample.generation)
                && sample.t >= start
            {
                changes.push(sample.t);
            }
            previous = Some(sample.generation);
        }
        changes
    }
}

fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// One thread as the UI remembers it.
#[derive(Clone, Debug)]
pub struct ThreadTrack {
    pub view: ThreadView,
    /// `(t, cpu %, busy %)`, oldest first.
    pub history: VecDeque<(f64, f64, f64)>,
    /// When the thread was first seen gone (alive=false or absent from a Snapshot).
    pub dead_since: Option<f64>,
}

impl ThreadTrack {
    pub fn is_alive(&self) -> bool {
        self.dead_since.is_none()
    }
}

/// Every thread seen recently, keyed by tid.
#[derive(Clone, Debug, Default)]
pub struct ThreadTracks {
    tracks: BTreeMap<i32, ThreadTrack>,
    /// The tids in `thread_order`, worked out once per Snapshot: a frame
    /// lists them several times.
    order: Vec<i32>,
}

impl ThreadTracks {
    pub fn update(&mut self, t: f64, threads: &[ThreadView]) {
        let seen: HashSet<i32> = threads.iter().map(|view| view.tid).collect();
        for view in threads {
            if !view.alive && !self.tracks.contains_key(&view.tid) {
                // Already gone and already dropped (or never shown): keep it out.
                continue;
            }
            let track = self.tracks.entry(view.tid).or_insert_with(|| ThreadTrack {
                view: view.clone(),
                history: VecDeque::new(),
                dead_since: None,
            });
            if track.view.name != view.name {
                // The OS reused the tid for another thread.
                track.history.clear();
            }
            track.view.clone_from(view);
            if view.alive {
                track.dead_since = None;
                track.history.push_back((t, view.cpu_pct, view.busy_pct));
                while track.history.len() > MAX_THREAD_SAMPLES
                    || track
                        .history
                        .front()
                        .is_some_and(|h| h.0 < t - THREAD_HISTORY_S)
                {
                    track.history.pop_front();
                }
            } else {
                track.dead_since.get_or_insert(t);
            }
        }
        for (tid, track) in self.tracks.iter_mut() {
            if !seen.contains(tid) {
                track.view.alive = false;
                track.dead_since.get_or_insert(t);
            }
        }
        self.tracks
            .retain(|_, track| track.dead_since.is_none_or(|since| t - since <= FADE_S));
        let tracks: Vec<&ThreadTrack> = self.tracks.values().collect();
        let positions = thread_order_positions(&tracks, |track| {
            (track.view.pool, track.view.name.as_str(), track.view.tid)
        });
        self.order.clear();
        self.order
            .extend(positions.into_iter().map(|at| tracks[at].view.tid));
    }

    /// Tracks sorted by pool, then name in natural order (`app-2` before `app-10`).
    pub fn sorted(&self) -> Vec<&ThreadTrack> {
        self.order
            .iter()
            .filter_map(|tid| self.tracks.get(tid))
            .collect()
    }

    /// Threads still alive.
    pub fn live_count(&self) -> usize {
        self.tracks
            .values()
            .filter(|track| track.is_alive())
            .count()
    }

    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Live threads of one pool.
    pub fn alive_in(&self, pool: PoolKind) -> impl Iterator<Item = &ThreadTrack> {
        self.tracks
            .values()
            .filter(move |t| t.view.pool == pool && t.is_alive())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thread(tid: i32, name: &str, alive: bool) -> ThreadView {
        ThreadView {
            tid,
            name: name.into(),
            pool: PoolKind::from_thread_name(name),
            cpu_pct: 50.0,
            busy_pct: 40.0,
            alive,
            ..ThreadView::default()
        }
    }

    #[test]
    fn history_keeps_ten_minutes_and_restarts_when_time_goes_back() {
        let mut h = History::default();
        for i in 0..300 {
            h.push(Sample {
                t: i as f64,
                ..Sample::default()
            });
        }
        assert_eq!(h.samples().next().map(|s| s.t), Some(0.0));
        for i in 300..1000 {
            h.push(Sample {
                t: i as f64,
                ..Sample::default()
            });
        }
        assert_eq!(h.samples().next().map(|s| s.t), Some(399.0));
        assert_eq!(h.len(), 601);
        h.push(Sample::default());
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn generation_changes_are_reported_once() {
        let mut h = History::default();
        for (t, generation) in [(1.0, 0), (2.0, 0), (3.0, 1), (4.0, 1), (5.0, 2)] {
            h.push(Sample {
                t,
                generation,
                ..Sample::default()
            });
        }
        assert_eq!(h.generation_changes(0.0), vec![3.0, 5.0]);
        assert_eq!(h.generation_changes(3.0), vec![3.0, 5.0]);
        assert_eq!(h.generation_changes(3.5), vec![5.0]);
    }

    #[test]
    fn exited_threads_fade_then_drop() {
        let mut tracks = ThreadTracks::default();
        tracks.update(
            0.0,
            &[thread(1, "rayon-0", true), thread(2, "rayon-1", true)],
        );
        tracks.update(
            1.0,
            &[thread(1, "rayon-0", true), thread(2, "rayon-1", false)],
        );
        assert_eq!(tracks.len(), 2);
        assert!(!tracks.sorted()[1].is_alive());
        // Gone from the snapshot entirely: still shown until FADE_S has passed.
        tracks.update(5.5, &[thread(1, "rayon-0", true)]);
        assert_eq!(tracks.len(), 2);
        tracks.update(6.5, &[thread(1, "rayon-0", true)]);
        assert_eq!(tracks.len(), 1);
        // A sampler that keeps reporting the dead thread does not bring it back.
        tracks.update(
            7.0,
            &[thread(1, "rayon-0", true), thread(2, "rayon-1", false)],
        );
        assert_eq!(tracks.len(), 1);
    }

    #[test]
    fn threads_sort_by_pool_then_number() {
        let mut tracks = ThreadTracks::default();
        tracks.update(
            0.0,
            &[
                thread(5, "rayon-10", true),
                thread(4, "rayon-2", true),
                thread(3, "app-1", true),
                thread(9, "ui", true),
            ],
        );
        let names: Vec<&str> = tracks
            .sorted()
            .iter()
            .map(|t| t.view.name.as_str())
            .collect();
        assert_eq!(names, ["app-1", "rayon-2", "rayon-10", "ui"]);
    }
}
