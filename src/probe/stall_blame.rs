//! Who held the app workers during a stall, and why, in words that fit what
//! ran: tasks on the app workers (inline) are named with their kernel and who
//! submitted them, longest-running first; when none ran there, the workers
//! waited for a CPU, and the sampler says whether this process's threads or
//! other programs filled the cores (nothing is blamed on the set-up otherwise).

use crate::metrics::probe_stats::MachineLoad;
use crate::metrics::work_times::{WorkKind, WorkReading, ran_between};
use crate::spec::{BackendKind, Kernel};

/// What was running, read at every heartbeat tick into buffers the probe
/// reuses (no allocation once warm).
#[derive(Clone, Debug)]
pub struct RunningNow {
    /// Seconds since the engine started.
    pub at_s: f64,
    pub backend: BackendKind,
    /// The driver's kernel while the driver runs (None: no internal load).
    pub driver_kernel: Option<Kernel>,
    /// Time each watched kind of task has run so far.
    pub work: WorkReading,
}

impl RunningNow {
    pub fn new(backend: BackendKind) -> RunningNow {
        RunningNow {
            at_s: 0.0,
            backend,
            driver_kernel: None,
            work: WorkReading::new(),
        }
    }
}

/// A stall, attributed.
#[derive(Clone, Debug, PartialEq)]
pub struct Blame {
    /// Inline when tasks held the app workers; else the backend in use.
    pub backend: BackendKind,
    /// The kernel that ran longest (None: no task ran).
    pub kernel: Option<Kernel>,
    /// `argon2 from /work`, the cause's name (the longest-running work).
    pub cause: String,
    /// Everything that ran: `argon2 from /work 91%, spin from the driver 9%`.
    pub ran: String,
    pub reason: String,
    /// True when tasks held the app workers; false when they waited for a CPU.
    pub held_by_work: bool,
}

impl Blame {
    /// `(inline: argon2 from /work 91%, spin from the driver 9%): reason`.
    pub fn describe(&self) -> String {
        format!("({}: {}): {}", self.backend, self.ran, self.reason)
    }
}

/// Attributes a stall that began after `before` and was seen at `now`.
pub fn blame(before: &RunningNow, now: &RunningNow, machine: &MachineLoad) -> Blame {
    let ran = ran_between(&before.work, &now.work);
    let on_app: Vec<&(WorkKind, f64)> = ran.iter().filter(|(k, _)| k.on_app_worker).collect();
    if let Some((top, _)) = on_app.first() {
        let shares = on_app
            .iter()
            .map(|(kind, share)| {
                if on_app.len() > 1 {
                    format!("{} {:.0}%", kind.label(), share * 100.0)
                } else {
                    kind.label()
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Blame {
            backend: BackendKind::Inline,
            kernel: Some(top.kernel),
            cause: top.label(),
            ran: shares,
            reason: blocking_reason(top.kernel),
            held_by_work: true,
        };
    }
    // Nothing ran on the app workers: name what ran on the backend's threads.
    let mut names: Vec<(Option<Kernel>, String)> = Vec::new();
    if let Some(kernel) = before.driver_kernel {
        names.push((Some(kernel), format!("{kernel} from the driver")));
    }
    for (kind, _) in &ran {
        let label = kind.label();
        if !names.iter().any(|(_, n)| *n == label) {
            names.push((Some(kind.kernel), label));
        }
    }
    let (kernel, cause) = names
        .first()
        .cloned()
        .unwrap_or((None, "no tasks running".to_string()));
    Blame {
        backend: before.backend,
        kernel,
        cause: cause.clone(),
        ran: if names.is_empty() {
            cause
        } else {
            names
                .into_iter()
                .map(|(_, n)| n)
                .collect::<Vec<_>>()
                .join(", ")
        },
        reason: waiting_reason(machine),
        held_by_work: false,
    }
}

/// Why work on the app workers stalls them: the kind of work the kernel does.
pub fn blocking_reason(kernel: Kernel) -> String {
    match kernel {
        Kernel::Sleep => {
            "a blocking call (sleep) is holding the async workers: it belongs on spawn_blocking"
                .to_string()
        }
        Kernel::Mixed => {
            "computation and blocking calls are running on the async workers".to_string()
        }
        _ => "CPU work is running on the async workers".to_string(),
    }
}

/// Why app workers with nothing of ours on them stalled: they waited for a
/// CPU; say who filled the cores when the sampler knows.
pub fn waiting_reason(machine: &MachineLoad) -> String {
    if machine.busy_threads > machine.cores && machine.cores > 0 {
        return format!(
            "the app workers waited for a CPU: {} of this process's threads wanted one on {} cores (backend threads + app workers > cores)",
            machine.busy_threads, machine.cores
        );
    }
    match machine
        .external_cpu_pct
        .filter(|e| *e > crate::bounds::BUSY_EXTERNAL_CPU_PCT)
    {
        Some(external) => format!(
            "the app workers waited for a CPU: other programs used {external:.0}% of the CPUs"
        ),
        None => "the app workers did not get a CPU in time".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::work_times::{TaskSource, WorkTimes};

    const MS: u64 = 1_000_000;

    fn load(busy_threads: usize, external: f64) -> MachineLoad {
        MachineLoad {
            busy_threads,
            cores: 2,
            external_cpu_pct: Some(external),
        }
    }

    fn inline(source: TaskSource, kernel: Kernel) -> WorkKind {
        WorkKind {
            source,
            kernel,
            on_app_worker: true,
        }
    }

    #[test]
    fn a_stall_under_inline_names_the_work_that_held_the_workers_and_who_sent_it() {
        // The driver spins inline; a /work request runs argon2 inline too.
        let times = WorkTimes::default();
        let spin = inline(TaskSource::Driver, Kernel::Spin);
        let argon2 = inline(TaskSource::Http, Kernel::Argon2);
        let mut before = RunningNow::new(BackendKind::Inline);
        before.driver_kernel = Some(Kernel::Spin);
        let mut now = before.clone();
        times.started(spin, 0);
        times.ended(spin, 0, 10 * MS);
        times.read(10 * MS, &mut before.work);
        // During the stall: argon2 for 600 ms on one worker, spin tasks for
        // 100 ms of it on the other (the rest of the time they queued).
        times.started(argon2, 12 * MS);
        times.started(spin, 12 * MS);
        times.ended(spin, 12 * MS, 112 * MS);
        times.ended(argon2, 12 * MS, 612 * MS);
        times.read(620 * MS, &mut now.work);
        let blame = blame(&before, &now, &load(2, 1.0));
        assert_eq!(blame.cause, "argon2 from /work");
        assert_eq!(blame.kernel, Some(Kernel::Argon2));
        assert_eq!(
            blame.describe(),
            "(inline: argon2 from /work 86%, spin from the driver 14%): CPU work is running on the async workers"
        );
    }

    #[test]
    fn the_reason_fits_the_kernel_that_ran() {
        let times = WorkTimes::default();
        let sleep = inline(TaskSource::Driver, Kernel::Sleep);
        let mut before = RunningNow::new(BackendKind::Inline);
        let mut now = before.clone();
        times.read(0, &mut before.work);
        times.started(sleep, 0);
        times.read(50 * MS, &mut now.work);
        let blame = blame(&before, &now, &load(2, 1.0));
        assert_eq!(
            blame.describe(),
            "(inline: sleep from the driver): a blocking call (sleep) is holding the async workers: it belongs on spawn_blocking"
        );
        assert!(blocking_reason(Kernel::Mixed).starts_with("computation and blocking"));
    }

    #[test]
    fn offloaded_stalls_name_what_ran_and_blame_the_set_up_only_when_cpus_were_oversubscribed() {
        let mut before = RunningNow::new(BackendKind::Rayon);
        before.driver_kernel = Some(Kernel::Sumsq);
        let now = before.clone();
        // The default set-up (2 backend threads + 2 mostly idle app workers on
        // 2 cores) is not blamed: nothing wanted more CPUs than there are.
        let quiet = blame(&before, &now, &load(2, 1.0));
        assert_eq!(
            quiet.describe(),
            "(rayon: sumsq from the driver): the app workers did not get a CPU in time"
        );
        assert_eq!(
            waiting_reason(&load(5, 1.0)),
            "the app workers waited for a CPU: 5 of this process's threads wanted one on 2 cores (backend threads + app workers > cores)"
        );
        assert_eq!(
            waiting_reason(&load(2, 48.0)),
            "the app workers waited for a CPU: other programs used 48% of the CPUs"
        );
        // `serve` with no internal load: no driver kernel is named.
        let idle = RunningNow::new(BackendKind::Rayon);
        let served = blame(&idle, &idle.clone(), &load(2, 1.0));
        assert_eq!(served.cause, "no tasks running");
        assert_eq!(served.kernel, None);
        // A /work task on the backend's threads is named.
        let times = WorkTimes::default();
        let on_pool = WorkKind {
            source: TaskSource::Http,
            kernel: Kernel::Argon2,
            on_app_worker: false,
        };
        let mut after = idle.clone();
        times.started(on_pool, 0);
        times.read(30 * MS, &mut after.work);
        assert_eq!(blame(&idle, &after, &load(2, 1.0)).ran, "argon2 from /work");
    }
}
