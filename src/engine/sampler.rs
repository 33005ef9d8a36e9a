//! The sampler thread ("sampler"): takes a Snapshot every interval and
//! publishes it. It is its own OS thread so a starved app runtime cannot starve it.

use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{Sender, bounded};
use tokio::sync::watch;

use crate::metrics::collector::{Collector, RunTotals};
use crate::metrics::snapshot::Snapshot;

pub struct Sampler {
    stop: Sender<()>,
    thread: std::thread::JoinHandle<(RunTotals, Arc<Snapshot>)>,
}

impl Sampler {
    pub fn spawn(
        mut collector: Collector,
        interval: Duration,
    ) -> std::io::Result<(Sampler, watch::Receiver<Arc<Snapshot>>)> {
        let first = Arc::new(collector.sample());
        let (publish, snapshots) = watch::channel(first);
        let (stop, stopped) = bounded::<()>(1);
        let thread = std::thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                // Stop (or a dropped sender) ends the loop; a timeout is a tick.
                while let Err(crossbeam_channel::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(interval)
                {
                    publish.send_replace(Arc::new(collector.sample()));
                }
                // The totals are taken here, while this thread still lives, so
                // its own CPU time is in them.
                let snapshot = Arc::new(collector.sample());
                (collector.run_totals(), snapshot)
            })?;
        Ok((Sampler { stop, thread }, snapshots))
    }

    /// Stops the thread; returns the run totals and a last Snapshot.
    pub fn finish(self) -> (RunTotals, Arc<Snapshot>) {
        let _ = self.stop.send(());
        match self.thread.join() {
            Ok(finished) => finished,
            Err(_) => {
                tracing::error!("the sampler thread panicked");
                (RunTotals::default(), Arc::new(Snapshot::default()))
            }
        }
    }
}
