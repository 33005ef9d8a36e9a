//! Command-line definitions (clap). Names and flags follow the contract.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::bounds;
use crate::spec::{BackendKind, Dist, Kernel};

#[derive(Parser, Debug)]
#[command(
    name = "loadlab",
    version,
    about = "Run real CPU work on inline / spawn-blocking / rayon / channel backends next to an \
             async runtime, and watch threads, throughput, latency and runtime health.",
    args_conflicts_with_subcommands = true,
    allow_negative_numbers = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub probes: ProbeArgs,
    /// Dashboard frames per second.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(bounds::FPS_MIN as i64..=bounds::FPS_MAX as i64))]
    pub fps: u32,
    #[command(flatten)]
    pub recording: RecordArgs,
    #[command(flatten)]
    pub service: ServeArgs,
    /// Play a scenario file (a timeline of workload, backend and thread changes).
    #[arg(long, value_name = "FILE.toml")]
    pub scenario: Option<PathBuf>,
    /// `e` also writes the screen as SVG and text beside the Snapshot's JSON.
    #[arg(long)]
    pub export_screen: bool,
    /// Where `e` writes exported Snapshots.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub export_dir: PathBuf,
    /// Dashboard defaults (backend, threads, workload, size, fps, chart-window,
    /// theme). Default: $XDG_CONFIG_HOME/loadlab/config.toml, else
    /// ~/.config/loadlab/config.toml, when it exists. Flags win.
    #[arg(long, value_name = "FILE.toml")]
    pub config: Option<PathBuf>,
    /// Colours: default (dark background), light, no-color. NO_COLOR always wins.
    #[arg(long, value_enum, value_name = "THEME")]
    pub theme: Option<ThemeArg>,
}

/// `--theme`: the dashboard's colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    /// Colours for a dark background.
    Default,
    /// Colours for a light background.
    Light,
    /// No colours at all, as with `NO_COLOR`.
    NoColor,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// One headless run; a report on stdout.
    Run(RunArgs),
    /// Demonstrations; `demo starvation` runs the same workload on every backend.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Throughput and latency over a grid of backends x thread counts.
    Sweep(SweepArgs),
    /// A headless HTTP service on the app runtime until Ctrl-C, SIGTERM or
    /// --duration; the requests are the workload (no internal load unless
    /// --workload, --rate or --inflight is given). Prints the run report at the end.
    Serve(ServeCommandArgs),
    /// Watch a process loadlab did not start (PID, or a name matching exactly
    /// one process): its threads by pool, cpu% and wait%, and its runtime's
    /// health from an HTTP probe. The dashboard, or with --duration or
    /// --format a report on stdout.
    Attach(AttachArgs),
    /// Kernels (with the unit of --size), backends and distributions.
    List,
    /// Print a shell completion script: bash, zsh, fish, elvish or powershell.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff); e.g. `loadlab man > loadlab.1`.
    #[command(alias = "manpage")]
    Man,
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// Inline starves the app runtime; offloading keeps it healthy.
    Starvation(DemoArgs),
    /// CPU, blocking and mixed work on every backend at a thread count that
    /// suits it; the measured best per kind beside the usual advice.
    Advice(AdviceArgs),
}

#[derive(Args, Debug, Clone)]
pub struct BackendArgs {
    /// Where the work runs.
    #[arg(long, value_enum, default_value_t = BackendKind::Rayon)]
    pub backend: BackendKind,
    /// Worker threads of the backend (for inline: the app runtime's workers). Default: cores.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<u64>,
    /// Worker threads of the app runtime.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = runtime_workers)]
    pub runtime_workers: u64,
    #[command(flatten)]
    pub priority: PriorityArgs,
}

#[derive(Args, Debug, Clone)]
pub struct WorkloadArgs {
    /// The kernel each task runs (`loadlab list` shows them). Default: sumsq;
    /// hash with --path; spin 20000 (20 ms tasks) for demo starvation.
    #[arg(long, value_name = "K", value_parser = KernelParser)]
    pub workload: Option<Kernel>,
    /// A task's size in the kernel's unit. Default: about a millisecond of work.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u64).range(1..))]
    pub size: Option<u64>,
    /// How task sizes spread around --size.
    #[arg(long, value_enum, value_name = "D", default_value_t = Dist::Fixed)]
    pub dist: Dist,
    /// Seed for sizes and generated data.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub seed: u64,
    /// File workload: a file or a directory, walked recursively.
    #[arg(long, value_name = "P")]
    pub path: Option<PathBuf>,
    /// Open loop: task arrivals per second (default: closed loop).
    #[arg(long, value_name = "R", value_parser = rate)]
    pub rate: Option<f64>,
    /// Closed loop: most tasks submitted and unfinished at once. Default: 4 x threads.
    #[arg(long, value_name = "N", value_parser = inflight)]
    pub inflight: Option<u64>,
    /// Fault injection: every N-th task panics (it is caught and counted as failed).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub panic_every: u64,
    /// `mixed` kernel: percent of each task spent computing; the rest is a blocking sleep.
    #[arg(long, value_name = "P", default_value_t = crate::spec::DEFAULT_CPU_SHARE,
          value_parser = cpu_share)]
    pub cpu_share: u8,
    /// Most memory the tasks running at once may hold (image decodes, generated
    /// images, Argon2 memory), e.g. 512MiB, 2GiB or bytes; a task waits for room,
    /// one larger than the whole budget fails. Default: 1 GiB, or half the RAM
    /// (or cgroup memory limit) if that is less.
    #[arg(long, value_name = "SIZE", value_parser = crate::workload::memory_budget::parse_budget)]
    pub memory_budget: Option<u64>,
    /// K consecutive tasks travel to the backend as one job; each is still
    /// counted, timed and checksummed on its own. Default --inflight scales with K.
    #[arg(long, value_name = "K", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=bounds::BATCH_MAX))]
    pub batch: u64,
}

#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Closed run of N tasks (default 400; with --path: every file once).
    #[arg(long, value_name = "N", conflicts_with = "duration", value_parser = task_count)]
    pub tasks: Option<u64>,
    /// Run for this many seconds (with --path: loop over the tree).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub duration: Option<f64>,
}

#[derive(Args, Debug, Clone)]
pub struct ProbeArgs {
    /// Warn when the app runtime misses its heartbeat by this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = bounds::STARVED_HEARTBEAT_P99_MS, value_parser = threshold_ms)]
    pub block_threshold_ms: f64,
    /// Call the runtime starved when the heartbeat lag p99 over 1 s exceeds this (ms).
    #[arg(long, value_name = "MS", default_value_t = bounds::STARVED_HEARTBEAT_P99_MS, value_parser = threshold_ms)]
    pub starved_threshold_ms: f64,
    /// How often the sampler takes a Snapshot (milliseconds).
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(bounds::SAMPLE_MS_MIN..=bounds::SAMPLE_MS_MAX))]
    pub sample_ms: u64,
}

#[derive(Args, Debug, Clone)]
pub struct PriorityArgs {
    /// Nice value of backend threads, so the app runtime wins a CPU when it needs
    /// one (0 = same priority as the app workers).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(i32).range(0..=19))]
    pub worker_nice: i32,
}

#[derive(Args, Debug, Clone)]
pub struct RecordArgs {
    /// Write one summary line per second (JSON lines) to this file.
    #[arg(long, value_name = "FILE.jsonl")]
    pub record: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    Md,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct RunArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub limit: LimitArgs,
    #[command(flatten)]
    pub probes: ProbeArgs,
    /// Report format: text or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub recording: RecordArgs,
    /// Play a scenario file; the run lasts until its end.
    #[arg(long, value_name = "FILE.toml")]
    pub scenario: Option<PathBuf>,
    #[command(flatten)]
    pub service: ServeArgs,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct DemoArgs {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Backend threads for the offload backends. Default: cores.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<u64>,
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = runtime_workers)]
    pub runtime_workers: u64,
    #[command(flatten)]
    pub priority: PriorityArgs,
    /// Seconds on each backend and round.
    #[arg(long, value_name = "SECS", default_value_t = 5.0, value_parser = positive_seconds)]
    pub duration: f64,
    /// Times each cell is measured, interleaved (round 1 of every cell, then
    /// round 2, ...): rows show the median and the min-max.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub rounds: u64,
    #[command(flatten)]
    pub probes: ProbeArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub recording: RecordArgs,
    /// Also serve HTTP on ADDR during every round, with an internal client
    /// timing `/health` (a `/health` p99 column beside the heartbeat and echo).
    #[command(flatten)]
    pub service: ServeArgs,
}

/// `demo advice --blocking-threads` when not given.
pub const ADVICE_BLOCKING_THREADS_DEFAULT: u64 = 64;

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct AdviceArgs {
    /// Kinds of work to measure: a list of cpu (sumsq), blocking (sleep), mixed.
    #[arg(
        long,
        value_enum,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "cpu,blocking,mixed"
    )]
    pub work: Vec<WorkArg>,
    /// Threads of the CPU pools (rayon, channel). Default: cores.
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<u64>,
    /// Threads of spawn-blocking: blocking calls hold threads, not cores.
    #[arg(long, value_name = "N", default_value_t = ADVICE_BLOCKING_THREADS_DEFAULT,
          value_parser = thread_count)]
    pub blocking_threads: u64,
    /// Worker threads of the app runtime (inline work runs on them).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = runtime_workers)]
    pub runtime_workers: u64,
    /// `mixed` work: percent of each task spent computing; the rest is a blocking sleep.
    #[arg(long, value_name = "P", default_value_t = crate::spec::DEFAULT_CPU_SHARE,
          value_parser = cpu_share)]
    pub cpu_share: u8,
    /// Seed for the tasks.
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub seed: u64,
    #[command(flatten)]
    pub priority: PriorityArgs,
    /// Seconds measured per row (one kind of work on one backend).
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = row_seconds)]
    pub duration: f64,
    #[command(flatten)]
    pub probes: ProbeArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub recording: RecordArgs,
}

/// `demo advice --work`: a kind of work, each run by one kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WorkArg {
    /// Pure computation (`sumsq`).
    Cpu,
    /// A blocking call that holds a thread without using a CPU (`sleep`).
    Blocking,
    /// Computation, then a blocking wait (`mixed`).
    Mixed,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct SweepArgs {
    /// Backends to measure: a list like rayon,channel, or all.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "spawn-blocking,rayon,channel"
    )]
    pub backends: String,
    /// Thread counts: a list like 1,2,4,8 or a range like 1-4. Default: 1 to 2 x cores.
    #[arg(long, value_name = "LIST")]
    pub threads: Option<String>,
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = runtime_workers)]
    pub runtime_workers: u64,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub priority: PriorityArgs,
    /// Seconds of warm-up per cell (not measured).
    #[arg(long, value_name = "SECS", default_value_t = 0.5, value_parser = offset_seconds)]
    pub warmup: f64,
    /// Seconds measured per cell and round.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = positive_seconds)]
    pub duration: f64,
    /// Times each cell is measured, interleaved (round 1 of every cell, then
    /// round 2, ...). auto: 3 rounds, then more for the cells the
    /// recommendation is still between, until it is clear or --max-rounds.
    #[arg(long, value_name = "auto|N", default_value = "auto", value_parser = sweep_rounds)]
    pub rounds: SweepRounds,
    /// With --rounds auto: the most rounds a cell gets (default 8).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..=bounds::SWEEP_ROUNDS_MAX))]
    pub max_rounds: Option<u64>,
    /// Also draw tasks/s against threads as an SVG chart: a line per
    /// backend, min-max bars, the knee marked.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub probes: ProbeArgs,
    /// Report format: text, json, csv or md.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub recording: RecordArgs,
    #[command(flatten)]
    pub service: ServeArgs,
}

/// `--serve ADDR`: the HTTP service on the app runtime, beside the driver and probes.
#[derive(Args, Debug, Clone, Default)]
pub struct ServeArgs {
    /// Serve HTTP on ADDR (IP:PORT, e.g. 127.0.0.1:9187; port 0 picks a free
    /// one): /health, /work?kernel=K&size=S[&seed=N], /metrics (Prometheus), /snapshot.
    #[arg(long, value_name = "ADDR", value_parser = serve_address)]
    pub serve: Option<SocketAddr>,
}

/// `loadlab serve`: the HTTP service alone, until a signal or --duration.
#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
pub struct ServeCommandArgs {
    /// Where to listen (IP:PORT; port 0 picks a free one, printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9187", value_parser = serve_address)]
    pub serve: SocketAddr,
    #[command(flatten)]
    pub backend: BackendArgs,
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Stop after this many seconds (default: run until Ctrl-C or SIGTERM).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub duration: Option<f64>,
    #[command(flatten)]
    pub probes: ProbeArgs,
    /// Report format at the end: text or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `loadlab attach`: what to watch and how.
#[derive(Args, Debug)]
pub struct AttachArgs {
    /// A PID, or a process name that matches exactly one process.
    #[arg(value_name = "PID|NAME")]
    pub target: String,
    /// Time a GET of URL 10 times a second from loadlab's own thread (the
    /// target's health endpoint, e.g. http://127.0.0.1:3000/health; loopback only).
    #[arg(long, value_name = "URL", value_parser = probe_url)]
    pub probe: Option<crate::attach::probe_url::LoopbackUrl>,
    /// Read the target's Prometheus text at URL once a second (e.g.
    /// http://127.0.0.1:3000/metrics; loopback only) and show the tokio
    /// runtime metrics it exposes under tokio-metrics' names (tokio_workers_count, ...).
    #[arg(long, value_name = "URL", value_parser = probe_url)]
    pub metrics: Option<crate::attach::probe_url::LoopbackUrl>,
    /// Name a pool: threads whose name matches REGEX go in POOL (repeatable;
    /// the first match wins, before the built-in names).
    #[arg(long = "group", value_name = "REGEX=POOL", value_parser = group_rule)]
    pub groups: Vec<String>,
    /// Call the target starved when the probe's p99 exceeds this (ms).
    #[arg(long, value_name = "MS", default_value_t = bounds::STARVED_HEARTBEAT_P99_MS, value_parser = threshold_ms)]
    pub starved_threshold_ms: f64,
    /// How often the target's threads are read (milliseconds).
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(bounds::SAMPLE_MS_MIN..=bounds::SAMPLE_MS_MAX))]
    pub sample_ms: u64,
    /// Headless: watch this many seconds, then print the report (the target's
    /// end or Ctrl-C ends it sooner).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub duration: Option<f64>,
    /// Headless report format (without --duration: until the target ends or
    /// Ctrl-C).
    #[arg(long, value_enum)]
    pub format: Option<AttachFormat>,
}

/// The formats of attach's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AttachFormat {
    Text,
    Json,
}

fn probe_url(
    text: &str,
) -> Result<crate::attach::probe_url::LoopbackUrl, crate::attach::error::AttachError> {
    crate::attach::probe_url::LoopbackUrl::parse(text)
}

fn group_rule(text: &str) -> Result<String, crate::attach::error::AttachError> {
    crate::attach::pools::parse_group(text).map(|_| text.to_string())
}

/// A loopback `IP:PORT` to listen on (`localhost` stands for 127.0.0.1). A
/// lab that runs the CPU flat out on request stays on this machine: other
/// hosts reach it through a tunnel or a proxy the user sets up on purpose.
fn serve_address(text: &str) -> Result<SocketAddr, BadValue> {
    let text = text.trim();
    let resolved = match text.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => text.to_string(),
    };
    let address = resolved
        .parse::<SocketAddr>()
        .map_err(|_| BadValue::NotAnAddress(text.to_string()))?;
    if !address.ip().is_loopback() {
        return Err(BadValue::NotLoopback(text.to_string()));
    }
    Ok(address)
}

/// `--workload`: a built-in or registered kernel's name. The choices are read
/// when the command line is built, after every registration, so help,
/// completions and the error for an unknown name list the custom kernels too.
#[derive(Clone, Copy, Debug)]
pub struct KernelParser;

impl clap::builder::TypedValueParser for KernelParser {
    type Value = Kernel;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Kernel, clap::Error> {
        // A plain function parser gives the usual one-line "invalid value" error.
        kernel_named.parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let values = Kernel::all()
            .into_iter()
            .map(|k| clap::builder::PossibleValue::new(k.name()).help(k.size_unit()));
        Some(Box::new(values))
    }
}

fn kernel_named(text: &str) -> Result<Kernel, BadValue> {
    Kernel::from_name(text).ok_or_else(|| BadValue::NoSuchKernel {
        choices: crate::spec::kernel_names(),
    })
}

// Value parsers: clap puts the flag in front of the reason ("invalid value
// '1e20' for '--duration <SECS>': ..."), so the one-line error names both.

/// Why a flag's value was refused (clap names the flag in front of it).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BadValue {
    #[error("{0:?} is not a number")]
    NotANumber(String),
    #[error("{0:?} is not a whole number of 1 or more")]
    NotAWholeNumber(String),
    #[error("{0:?} is not a whole number of percent")]
    NotAPercentage(String),
    #[error("{0:?} is not a whole number of 1 or more, nor auto")]
    NotRounds(String),
    #[error("{value} is not a count of rounds from 1 to {max}")]
    RoundsOutOfRange { value: u64, max: u64 },
    #[error("{value:?} is more than {max} seconds for one row")]
    RowTooLong { value: String, max: f64 },
    #[error("{0:?} is not an address to listen on (IP:PORT, e.g. 127.0.0.1:9187)")]
    NotAnAddress(String),
    #[error("{0:?} is not a loopback address: loadlab serves on 127.0.0.1 or [::1] only")]
    NotLoopback(String),
    #[error("no such kernel; choose one of {choices}")]
    NoSuchKernel { choices: String },
    #[error(transparent)]
    OutOfBounds(#[from] bounds::OutOfBounds),
}

fn positive_seconds(text: &str) -> Result<f64, BadValue> {
    let seconds = number(text)?;
    bounds::check_duration(seconds)?;
    Ok(seconds)
}

fn offset_seconds(text: &str) -> Result<f64, BadValue> {
    let seconds = number(text)?;
    bounds::check_offset(seconds)?;
    Ok(seconds)
}

/// Seconds of one advice row: within the duration bound, at most an hour.
fn row_seconds(text: &str) -> Result<f64, BadValue> {
    let seconds = positive_seconds(text)?;
    if seconds > bounds::ADVICE_ROW_MAX_S {
        return Err(BadValue::RowTooLong {
            value: text.to_string(),
            max: bounds::ADVICE_ROW_MAX_S,
        });
    }
    Ok(seconds)
}

fn cpu_share(text: &str) -> Result<u8, BadValue> {
    let percent = text
        .trim()
        .parse::<i64>()
        .map_err(|_| BadValue::NotAPercentage(text.to_string()))?;
    Ok(bounds::check_cpu_share(percent)?)
}

fn threshold_ms(text: &str) -> Result<f64, BadValue> {
    Ok(bounds::check_threshold_ms(number(text)?)?)
}

fn rate(text: &str) -> Result<f64, BadValue> {
    Ok(bounds::check_rate(number(text)?)?)
}

fn thread_count(text: &str) -> Result<u64, BadValue> {
    let n = whole(text)?;
    bounds::check_any_threads(n)?;
    Ok(n)
}

fn runtime_workers(text: &str) -> Result<u64, BadValue> {
    let n = whole(text)?;
    bounds::check_runtime_workers(n)?;
    Ok(n)
}

fn inflight(text: &str) -> Result<u64, BadValue> {
    let n = whole(text)?;
    bounds::check_inflight(n)?;
    Ok(n)
}

fn task_count(text: &str) -> Result<u64, BadValue> {
    Ok(bounds::check_tasks(whole(text)?)?)
}

fn number(text: &str) -> Result<f64, BadValue> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| BadValue::NotANumber(text.to_string()))
}

/// `sweep --rounds`: a fixed count, or `auto`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepRounds {
    Auto,
    Fixed(u64),
}

fn sweep_rounds(text: &str) -> Result<SweepRounds, BadValue> {
    if text.trim() == "auto" {
        return Ok(SweepRounds::Auto);
    }
    let n = whole(text).map_err(|_| BadValue::NotRounds(text.to_string()))?;
    if n == 0 || n > bounds::SWEEP_ROUNDS_MAX {
        return Err(BadValue::RoundsOutOfRange {
            value: n,
            max: bounds::SWEEP_ROUNDS_MAX,
        });
    }
    Ok(SweepRounds::Fixed(n))
}

/// A count of at least 1 (threads, workers, tasks in flight, tasks); the
/// bound checks that follow say the upper end.
fn whole(text: &str) -> Result<u64, BadValue> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| BadValue::NotAWholeNumber(text.to_string()))
}
