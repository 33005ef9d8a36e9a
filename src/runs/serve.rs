//! `loadlab serve`: the HTTP service on the app runtime, headless, until a
//! signal or `--duration`. The requests are the workload; internal load runs
//! beside them only when load flags are given. Ends with the run report,
//! HTTP tasks included.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::RunFailed;
use super::interrupt::Interruption;
use super::session::TICK;
use crate::bounds;
use crate::cli::ServeCommandArgs;
use crate::engine::EngineConfig;
use crate::report::run::RunReport;
use crate::service::ServeOptions;
use crate::setup::{self, Failure};
use crate::spec::RunLimit;

/// The engine `loadlab serve` starts, and the service beside it: the driver
/// only with load flags (for `--duration` or until stopped).
pub fn serve_config(args: &ServeCommandArgs) -> Result<(EngineConfig, ServeOptions), Failure> {
    let internal_load = args.workload.workload.is_some()
        || args.workload.rate.is_some()
        || args.workload.inflight.is_some();
    let limit = match args.duration {
        Some(seconds) => bounds::check_duration(seconds)
            .map(RunLimit::Duration)
            .map_err(|e| Failure::Usage(format!("--duration: {e}")))?,
        None => RunLimit::Unbounded,
    };
    let mut config = setup::engine_config(&args.backend, &args.workload, &args.probes, limit)?;
    config.start_driver = internal_load;
    Ok((config, ServeOptions::new(args.serve)))
}

/// Serves until a signal or `duration`; `announce` hears the address (with
/// the real port) once the service listens.
pub fn serve(
    config: EngineConfig,
    options: ServeOptions,
    duration: Option<Duration>,
    interruption: &Interruption,
    announce: impl FnOnce(SocketAddr),
) -> Result<RunReport, RunFailed> {
    let engine = crate::session::serve::start(config, Some(options))?;
    if let Some(address) = engine.service_address() {
        announce(address);
    }
    let other_programs = crate::metrics::proc_stat::ExternalCpuWindow::start();
    let deadline = duration.map(|d| Instant::now() + d);
    while interruption.signal().is_none() && deadline.is_none_or(|d| Instant::now() < d) {
        std::thread::sleep(
            TICK.min(deadline.map_or(TICK, |d| d.saturating_duration_since(Instant::now()))),
        );
    }
    // No new tasks; queued ones are cancelled (their requests get 503),
    // running ones finish and are answered.
    engine.end_run();
    engine.wait_for_run();
    engine.drain(bounds::STOP_GRACE);
    let external_cpu_pct = other_programs.pct();
    // Tasks still running now are abandoned and counted cancelled.
    let outcome = engine.finish();
    engine.shutdown(Duration::ZERO);
    let mut report = RunReport::from_outcome(&outcome);
    report.interrupted = interruption.name().map(str::to_string);
    report.note_other_programs(external_cpu_pct);
    Ok(report)
}

/// One line on stderr saying where the service listens (stdout keeps the report).
pub fn announce_on_stderr(address: SocketAddr) {
    eprintln!("loadlab: serving on http://{address} (/health /work /metrics /snapshot)");
}

/// `loadlab serve` from its flags to its report: the text to print on stdout
/// and the exit status.
pub fn run_command(args: &ServeCommandArgs) -> Result<(String, i32), Failure> {
    use crate::cli::Format;
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage(
            "--format: serve writes text or json (csv and md are for sweep)".into(),
        ));
    }
    let (config, options) = serve_config(args)?;
    let internal_load = config.start_driver;
    let interruption = Interruption::install(super::interrupt::STOPPING_WORK)?;
    let duration = args.duration.map(Duration::from_secs_f64);
    let report = serve(config, options, duration, &interruption, announce_on_stderr)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let text = match args.format {
        Format::Json => format!("{}\n", report.to_json()),
        // The load line describes a driver that never ran: say so first.
        _ if !internal_load => format!(
            "loadlab serve: no internal load; every task came from a /work request\n{}",
            report.to_text()
        ),
        _ => report.to_text(),
    };
    Ok((text, super::interrupt::run_exit_code(&report)))
}
