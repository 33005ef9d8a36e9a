//! The sampler thread ("sampler"): takes a Snapshot every interval and
//! publishes it. It is its own OS thread so a starved app runtime cannot starve it.
//! While the engine is idle (see `Snapshot::idle`) it samples every
//! `IDLE_SAMPLE_INTERVAL` instead, and a wake-up (a command, a new run)
//! brings it back at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender, TrySendError, bounded};
use tokio::sync::watch;

use crate::metrics::collector::{Collector, RunTotals};
use crate::metrics::snapshot::Snapshot;

/// How often an idle engine is sampled (at least the configured interval).
pub const IDLE_SAMPLE_INTERVAL: Duration = Duration::from_secs(1);

enum Signal {
    /// Something may have started: sample now if idle.
    Wake,
    Stop,
}

pub struct Sampler {
    signals: Sender<Signal>,
    thread: std::thread::JoinHandle<(RunTotals, Arc<Snapshot>)>,
}

impl Sampler {
    pub fn spawn(
        mut collector: Collector,
        interval: Duration,
    ) -> std::io::Result<(Sampler, watch::Receiver<Arc<Snapshot>>)> {
        let first = Arc::new(collector.sample());
        let mut idle = first.idle;
        let (publish, snapshots) = watch::channel(first);
        // Room for a stop behind a pending wake-up.
        let (signals, received) = bounded::<Signal>(2);
        let idle_interval = interval.max(IDLE_SAMPLE_INTERVAL);
        let thread = std::thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                let mut due = Instant::now() + if idle { idle_interval } else { interval };
                loop {
                    match received.recv_deadline(due) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(Signal::Wake) if idle => {}
                        // Awake already: keep the cadence.
                        Ok(Signal::Wake) => continue,
                        Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                    }
                    let snapshot = collector.sample();
                    idle = snapshot.idle;
                    publish.send_replace(Arc::new(snapshot));
                    due = Instant::now() + if idle { idle_interval } else { interval };
                }
                // The totals are taken here, while this thread still lives, so
                // its own CPU time is in them.
                let snapshot = Arc::new(collector.sample());
                (collector.run_totals(), snapshot)
            })?;
        Ok((Sampler { signals, thread }, snapshots))
    }

    /// Ends the idle pace at once: the next sample is taken now rather than
    /// up to `IDLE_SAMPLE_INTERVAL` later. Costs nothing when not idle.
    pub fn wake(&self) {
        // Full: a wake-up (or the stop) is already on its way.
        if let Err(TrySendError::Disconnected(_)) = self.signals.try_send(Signal::Wake) {
            tracing::debug!("the sampler has stopped");
        }
    }

    /// Stops the thread; returns the run totals and a last Snapshot.
    pub fn finish(self) -> (RunTotals, Arc<Snapshot>) {
        let _ = self.signals.send(Signal::Stop);
        match self.thread.join() {
            Ok(finished) => finished,
            Err(_) => {
                tracing::error!("the sampler thread panicked");
                (RunTotals::default(), Arc::new(Snapshot::default()))
            }
        }
    }
}
