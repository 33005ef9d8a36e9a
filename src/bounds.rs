//! Every limit on what a user can ask for, in one place. Flags, scenario steps,
//! the dashboard's keys, the workload form and the engine's command intake all
//! check values here, so each input path accepts exactly the same ranges and
//! none can ask for a panic, an overflow or unbounded memory.
//!
//! Checks return a one-line reason without the input's name; each caller
//! prefixes the name it knows (`--threads`, `file:line: threads`, `in flight`).

use std::time::Duration;

/// Backend threads of spawn-blocking, rayon and channel. tokio's blocking
/// pool stops at 512 threads; the other pools share the cap so that swapping
/// backends never lands above a limit.
pub const POOL_THREADS_MAX: usize = 512;

/// rayon threads alive at once in one rayon backend, counting the retired
/// pools still finishing a task after a resize: a new pool is built only once
/// it fits beside them, so a burst of resizes cannot pile pools up.
pub const RAYON_LIVE_THREADS_MAX: usize = POOL_THREADS_MAX;

/// Live changes (backend, threads, load) kept for the next frame before they
/// are applied at once: a burst of mixed keys stays this short.
pub const PENDING_CHANGES_MAX: usize = 8;

/// Worker threads of the app runtime (and so of the inline backend).
pub const RUNTIME_WORKERS_MAX: usize = 256;

/// Closed loop: tasks submitted and unfinished at once. Each costs a little
/// memory whether it runs or waits, so this bounds the queue's memory.
pub const INFLIGHT_MAX: usize = 100_000;

/// Consecutive tasks that travel to a backend as one job (`--batch`).
pub const BATCH_MAX: u64 = 10_000;

/// Open loop arrivals per second. Below the minimum the gap between arrivals
/// would outgrow any run; above the maximum only dropped arrivals grow.
pub const RATE_MIN: f64 = 0.01;
pub const RATE_MAX: f64 = 10_000_000.0;

/// Closed runs of at most this many tasks.
pub const TASKS_MAX: u64 = 1_000_000_000_000;

/// `--duration`, `--warmup` and scenario times: 30 days. Deadlines are
/// computed as `now + duration`, which must not overflow.
pub const DURATION_MAX_S: f64 = 30.0 * 86_400.0;

/// `--block-threshold-ms` and `--starved-threshold-ms`: a minute.
pub const THRESHOLD_MAX_MS: f64 = 60_000.0;

/// Nice values of backend threads (`--worker-nice`): from the app workers'
/// own (0) to the lowest priority.
pub const WORKER_NICE_MAX: i32 = 19;

/// TCP echo pings per second on the app runtime (0: no echo probe).
pub const ECHO_PINGS_PER_S_MAX: u32 = 10_000;

/// How long a wait for the next Snapshot lasts beyond a few sample intervals
/// before it reports the sampler stopped or stuck.
pub const SNAPSHOT_WAIT_MIN: Duration = Duration::from_secs(5);

/// Dashboard frames per second.
pub const FPS_MIN: u32 = 1;
pub const FPS_MAX: u32 = 60;

/// Percent of a `mixed` task spent computing.
pub const CPU_SHARE_MAX: u8 = 100;

/// Seconds measured per row of `demo advice`.
pub const ADVICE_ROW_MAX_S: f64 = 3600.0;

/// `sweep --rounds auto`: every cell is measured this many rounds before the
/// leading cells get more; a `clear` verdict needs at least this many paired
/// rounds (fewer can agree by chance).
pub const SWEEP_MIN_ROUNDS: usize = 3;
/// `sweep --max-rounds` by default, and the most `--rounds`/`--max-rounds` take.
pub const SWEEP_MAX_ROUNDS_DEFAULT: usize = 8;
pub const SWEEP_ROUNDS_MAX: u64 = 100;

/// Other programs' share of the machine's CPUs above which a verdict is
/// marked as formed on a busy machine (never `clear`) and warned about: more
/// threads then win CPU time from the neighbours, not from the work.
pub const BUSY_EXTERNAL_CPU_PCT: f64 = 10.0;

/// Repeated stall warnings fold into one line per this long: the first is
/// logged at once, the rest as a count, a rate and the worst.
pub const LOG_FOLD_WINDOW: Duration = Duration::from_secs(10);

/// How often the sampler takes a Snapshot, milliseconds.
pub const SAMPLE_MS_MIN: u64 = 10;
pub const SAMPLE_MS_MAX: u64 = 10_000;

/// Threads whose CPU and wait times one sample reads, at most. Past this many
/// threads each sample reads a rotating slice (every thread is read every
/// ceil(threads / this) samples) and the rest keep their last reading: one
/// read costs a few microseconds, so reading 256 threads ten times a second
/// would take most of a 1% budget by itself.
pub const THREAD_READS_PER_SAMPLE: usize = 64;

/// How often each core's CPU share is read again (the sampler shows the last
/// shares in between): a core's ticks come 100 a second, so over a tenth of a
/// second its share moves in steps of 10%. sysinfo, read before, kept the same.
pub const CORE_CPU_READ_EVERY: Duration = Duration::from_millis(200);

/// Scenario files are read whole; larger ones are refused before reading.
pub const SCENARIO_FILE_MAX_BYTES: u64 = 1 << 20;

/// Characters a workload form field accepts (typed or pasted).
pub const FORM_NUMBER_MAX_CHARS: usize = 24;
pub const FORM_PATH_MAX_CHARS: usize = 4096;

/// The largest `--size` of a registered kernel that sets no maximum of its
/// own: the same as sumsq's, whatever the unit, so a typo cannot ask for
/// years of work per task.
pub const CUSTOM_SIZE_MAX_DEFAULT: u64 = 1_000_000_000_000;
/// After a stop (a signal, `--duration`'s end, the end of a run), tasks still
/// running get this long to end; those that do not are abandoned at exit and
/// counted cancelled, so every report adds up.
pub const STOP_GRACE: Duration = Duration::from_secs(2);
/// HTTP service: connections held open at once; more wait in the kernel's
/// accept queue until one closes.
pub const HTTP_MAX_CONNECTIONS: usize = 256;
/// HTTP service: a connection must deliver a complete request head within
/// this of opening or of its previous answer, else it is closed. The same
/// bound is the keep-alive idle timeout: an idle connection holds its place
/// this long at most.
pub const HTTP_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// HTTP service: `/work` tasks submitted and not ended, with the driver's,
/// are at most `INFLIGHT_MAX` (the bound of `--inflight`): at it, `/work`
/// answers 503 and no backend queue grows further.
pub const HTTP_TASKS_MAX: usize = INFLIGHT_MAX;
/// HTTP service: a request not answered within this gets 503 (a task it
/// started still ends, and is counted, on its own).
pub const HTTP_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// HTTP service: how long a stopping service waits for requests in flight
/// to be answered (their tasks have ended, or were abandoned, by then).
pub const HTTP_SHUTDOWN_GRACE: Duration = Duration::from_millis(500);
/// The internal `/health` client of every `--serve`: requests per second,
/// and the most it sends in one run.
pub const HEALTH_CLIENT_PER_S: u32 = 10;
/// A run's longest duration at that rate: it never stops while loadlab runs.
pub const HEALTH_CLIENT_MAX_REQUESTS: u64 = HEALTH_CLIENT_PER_S as u64 * DURATION_MAX_S as u64;
/// `loadlab attach`: bytes of a process or thread name the kernel keeps
/// (/proc/PID/comm); a longer name given to attach matches by its first 15.
pub const PROCESS_NAME_BYTES: usize = 15;
/// `loadlab attach`: characters of the target's command line reported.
pub const ATTACH_COMMAND_MAX_CHARS: usize = 256;
/// `loadlab attach`: exited threads listed by name in the report (a target
/// that starts and ends threads all day would grow it without end); later
/// ones still count in their pool's totals.
pub const ATTACH_EXITED_THREADS_MAX: usize = 4096;
/// `loadlab attach --group`: the most rules, the longest pool name, and the
/// memory one compiled regex may take.
pub const GROUPS_MAX: usize = 64;
pub const POOL_NAME_MAX_CHARS: usize = 32;
/// Distinct pool names the dashboard keeps (each lives as long as loadlab);
/// threads of further pools are shown as `other`.
pub const POOL_NAMES_MAX: usize = 256;
pub const GROUP_REGEX_MAX_BYTES: usize = 1 << 20;
/// `loadlab attach --probe`: requests per second (as the service's own
/// health client) and the most in one attach.
pub const PROBE_PER_S: u32 = HEALTH_CLIENT_PER_S;
pub const PROBE_MAX_REQUESTS: u64 = HEALTH_CLIENT_MAX_REQUESTS;
/// `loadlab attach --metrics`: one read of the target's Prometheus page
/// this often, each over within the timeout, and never more than so many
/// bytes read (a page that long is refused, not cut).
pub const METRICS_SCRAPE_EVERY: Duration = Duration::from_secs(1);
pub const METRICS_SCRAPE_TIMEOUT: Duration = Duration::from_secs(2);
pub const METRICS_PAGE_MAX_BYTES: usize = 4 << 20;
/// `loadlab attach --metrics`: tokio series kept from one page (one per
/// metric and label set; a runtime per label would otherwise grow it without end).
pub const METRICS_SERIES_MAX: usize = 128;

/// The runtime is starved when the heartbeat lag p99 exceeds this, ms
/// (`--starved-threshold-ms`'s default; the blocking detector's too, so
/// "starved" and "blocked" mean the same thing).
pub const STARVED_HEARTBEAT_P99_MS: f64 = 10.0;
/// ... or when the echo (and `/health`) round-trip p99 exceeds this, ms: a
/// round trip needs the runtime twice.
pub const STARVED_ECHO_P99_MS: f64 = 20.0;
/// An exited thread stays in Snapshots and on the dashboard, fading, this long.
pub const EXITED_THREAD_LINGER: Duration = Duration::from_secs(5);
/// Session periods kept (oldest dropped first): a dashboard left running
/// for days stays in flat memory.
pub const PERIODS_MAX: usize = 1000;
/// A gap between two Snapshots longer than this is a stall, not part of any
/// period.
pub const PERIOD_STALL_MAX_S: f64 = 10.0;
/// Periods shorter than this are too short to compare and are not shown.
pub const PERIOD_SHOWN_MIN_S: f64 = 1.0;

/// Largest Argon2 memory per task: a typo like `--size 100000000` must fail
/// the task, not take the machine's memory.
pub const ARGON2_MAX_KIB: u64 = 1 << 20;

/// Largest generated image side for `resize` (a 4096 x 4096 RGB source is 48 MiB).
pub const RESIZE_MAX_SIDE: u64 = 4096;

/// Longest `sleep` or `mixed` task (a minute): a typo must not park a worker for days.
pub const SLEEP_MAX_MICROS: u64 = 60_000_000;

/// `resize` refuses files larger than this: it decodes the whole image.
pub const RESIZE_MAX_FILE_BYTES: u64 = 64 << 20;

/// Largest image side `resize` decodes.
pub const RESIZE_FILE_MAX_SIDE: u32 = 16_384;

/// Most memory the image decoder may allocate for one file.
pub const RESIZE_MAX_ALLOC: u64 = 256 << 20;

/// The default budget is this, or half the memory the process may use
/// (RAM or its cgroup's limit), whichever is smaller.
pub const MEMORY_BUDGET_DEFAULT_CAP: u64 = 1 << 30;

/// Tasks estimated below this skip the budget: their memory is bounded by the
/// thread count times this, and they should not pay for accounting.
pub const MEMORY_BUDGET_SMALL_TASK_BYTES: u64 = 1 << 20;

/// Smallest budget `--memory-budget` accepts.
pub const MEMORY_BUDGET_MIN: u64 = 1 << 20;

/// Largest budget `--memory-budget` accepts (a typo guard, far above any RAM here).
pub const MEMORY_BUDGET_MAX: u64 = 1 << 44;

/// Longest query string read (longer ones are refused, not parsed).
pub const QUERY_MAX_CHARS: usize = 1024;

/// A thread name is at most 15 bytes; a filter longer than a pool name and a number has no use.
pub const THREAD_FILTER_MAX_CHARS: usize = 24;

/// Open loop: most tasks outstanding before arrivals are dropped (and counted).
pub const OPEN_LOOP_MAX_OUTSTANDING: u64 = 10_000;

/// The walker stays at most this many files ahead of the workers.
pub const WALK_AHEAD_MAX_FILES: usize = 256;

/// The most kernels one process may register: a loop registering by mistake
/// stops here rather than growing without bound.
pub const CUSTOM_KERNELS_MAX: usize = 256;

/// The longest kernel name, so tables and the dashboard stay legible.
pub const CUSTOM_NAME_MAX_CHARS: usize = 24;

/// A value outside its bounds, without the input's name: each caller
/// names the input it read (`--threads`, `file:line: threads`, `in flight`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OutOfBounds {
    /// `value` is not in `min..=max`; `of` says what is counted, after a
    /// space or a colon (may be empty).
    #[error("{value} is outside {min}..={max}{of}")]
    Range {
        value: String,
        min: String,
        max: String,
        of: String,
    },
    /// A time or a threshold: not a number of `unit` within `allowed`.
    #[error("{value} is not a number of {unit} {allowed}")]
    Amount {
        value: String,
        unit: &'static str,
        allowed: String,
    },
    /// A percentage above `max`, or negative.
    #[error("{value}: expected 0 to {max} (percent)")]
    Percent { value: i64, max: u8 },
}

impl OutOfBounds {
    /// `value` outside `min..=max`, counting `of` (e.g. " tasks").
    pub fn range(
        value: impl std::fmt::Display,
        min: impl std::fmt::Display,
        max: impl std::fmt::Display,
        of: impl Into<String>,
    ) -> OutOfBounds {
        OutOfBounds::Range {
            value: value.to_string(),
            min: min.to_string(),
            max: max.to_string(),
            of: of.into(),
        }
    }
}

/// Threads on any backend (the backend may change later): 1 to `POOL_THREADS_MAX`.
pub fn check_any_threads(threads: u64) -> Result<usize, OutOfBounds> {
    match usize::try_from(threads) {
        Ok(n) if (1..=POOL_THREADS_MAX).contains(&n) => Ok(n),
        _ => Err(OutOfBounds::range(threads, 1, POOL_THREADS_MAX, "")),
    }
}

/// App runtime workers: 1 to `RUNTIME_WORKERS_MAX`.
pub fn check_runtime_workers(workers: u64) -> Result<usize, OutOfBounds> {
    match usize::try_from(workers) {
        Ok(n) if (1..=RUNTIME_WORKERS_MAX).contains(&n) => Ok(n),
        _ => Err(OutOfBounds::range(workers, 1, RUNTIME_WORKERS_MAX, "")),
    }
}

/// Closed loop tasks in flight: 1 to `INFLIGHT_MAX`.
pub fn check_inflight(inflight: u64) -> Result<usize, OutOfBounds> {
    match usize::try_from(inflight) {
        Ok(n) if (1..=INFLIGHT_MAX).contains(&n) => Ok(n),
        _ => Err(OutOfBounds::range(
            inflight,
            1,
            INFLIGHT_MAX,
            " tasks in flight",
        )),
    }
}

/// Open loop arrivals per second: `RATE_MIN` to `RATE_MAX`.
pub fn check_rate(rate: f64) -> Result<f64, OutOfBounds> {
    if rate.is_finite() && (RATE_MIN..=RATE_MAX).contains(&rate) {
        Ok(rate)
    } else {
        Err(OutOfBounds::range(
            show(rate),
            RATE_MIN,
            format!("{RATE_MAX:.0}"),
            " arrivals per second",
        ))
    }
}

/// A task count: 1 to `TASKS_MAX`.
pub fn check_tasks(tasks: u64) -> Result<u64, OutOfBounds> {
    if (1..=TASKS_MAX).contains(&tasks) {
        Ok(tasks)
    } else {
        Err(OutOfBounds::range(tasks, 1, TASKS_MAX, " tasks"))
    }
}

/// Dashboard frames per second: `FPS_MIN` to `FPS_MAX`.
pub fn check_fps(fps: u32) -> Result<u32, OutOfBounds> {
    if (FPS_MIN..=FPS_MAX).contains(&fps) {
        Ok(fps)
    } else {
        Err(OutOfBounds::range(fps, FPS_MIN, FPS_MAX, ""))
    }
}

/// A `mixed` task's computing share: 0 to `CPU_SHARE_MAX` percent.
pub fn check_cpu_share(percent: i64) -> Result<u8, OutOfBounds> {
    u8::try_from(percent)
        .ok()
        .filter(|p| *p <= CPU_SHARE_MAX)
        .ok_or(OutOfBounds::Percent {
            value: percent,
            max: CPU_SHARE_MAX,
        })
}

/// Seconds above 0 and at most `DURATION_MAX_S`.
pub fn check_duration(seconds: f64) -> Result<Duration, OutOfBounds> {
    if seconds.is_finite() && seconds > 0.0 && seconds <= DURATION_MAX_S {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(OutOfBounds::Amount {
            value: show(seconds),
            unit: "seconds",
            allowed: format!("above 0 and at most {DURATION_MAX_S:.0} (30 days)"),
        })
    }
}

/// Seconds from 0 to `DURATION_MAX_S` (warm-up, scenario times).
pub fn check_offset(seconds: f64) -> Result<Duration, OutOfBounds> {
    if seconds.is_finite() && (0.0..=DURATION_MAX_S).contains(&seconds) {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(OutOfBounds::Amount {
            value: show(seconds),
            unit: "seconds",
            allowed: format!("from 0 to {DURATION_MAX_S:.0} (30 days)"),
        })
    }
}

/// Milliseconds above 0 and at most `THRESHOLD_MAX_MS`.
pub fn check_threshold_ms(ms: f64) -> Result<f64, OutOfBounds> {
    if ms.is_finite() && ms > 0.0 && ms <= THRESHOLD_MAX_MS {
        Ok(ms)
    } else {
        Err(OutOfBounds::Amount {
            value: show(ms),
            unit: "milliseconds",
            allowed: format!("above 0 and at most {THRESHOLD_MAX_MS:.0}"),
        })
    }
}

/// A number as short as it can be said: `1e300` rather than its 301 digits.
fn show(x: f64) -> String {
    let plain = x.abs() < 1e9 && (x == 0.0 || x.abs() >= 1e-3);
    if plain || !x.is_finite() {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_and_zero_counts_are_refused() {
        assert!(check_inflight(u64::MAX).is_err());
        assert!(check_inflight(0).is_err());
        assert_eq!(check_inflight(INFLIGHT_MAX as u64), Ok(INFLIGHT_MAX));
        assert!(check_any_threads(i64::MAX as u64).is_err());
    }

    #[test]
    fn rates_and_times_stay_finite_and_in_range() {
        for bad in [0.0, -1.0, 1e300, f64::NAN, f64::INFINITY, 1e-300] {
            assert!(check_rate(bad).is_err(), "{bad}");
        }
        for bad in [0.0, 1e19, 1e20, f64::NAN, -5.0] {
            assert!(check_duration(bad).is_err(), "{bad}");
        }
        assert!(check_offset(0.0).is_ok());
        assert!(check_offset(1e20).is_err());
        assert!(check_threshold_ms(1e300).is_err());
        assert!(check_threshold_ms(10.0).is_ok());
        let err = check_rate(1e300).expect_err("too fast").to_string();
        assert!(err.starts_with("1e300 is outside"), "{err}");
    }
}
