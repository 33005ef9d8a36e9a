//! `loadlab run`: one headless run to its limit (or a scenario's end), with an
//! optional recording, ending in a report. A signal ends it early and still
//! produces the report.

use std::time::Duration;

use super::RunFailed;
use super::interrupt::Interruption;
use super::session::{Session, TICK};
use crate::engine::EngineConfig;
use crate::metrics::proc_stat::ExternalCpuWindow;
use crate::report::run::RunReport;
use crate::service::ServeOptions;

pub fn run(
    config: EngineConfig,
    serve: Option<ServeOptions>,
    mut session: Session,
    interruption: &Interruption,
) -> Result<RunReport, RunFailed> {
    let engine = crate::session::serve::start(config, serve)?;
    if let Some(address) = engine.service_address() {
        super::serve::announce_on_stderr(address);
    }
    session.start_clock();
    let other_programs = ExternalCpuWindow::start();
    let mut ending = false;
    loop {
        if session.tick(&engine) && !ending {
            ending = true;
            engine.end_run();
        }
        // A signal: stop arrivals, cancel what is queued; running tasks finish
        // (a second signal exits at once if one cannot).
        if interruption.signal().is_some() && !ending {
            ending = true;
            engine.end_run();
        }
        if engine.run_finished() {
            break;
        }
        std::thread::sleep(TICK);
    }
    engine.wait_for_run();
    let external_cpu_pct = other_programs.pct();
    session.finish(&engine);
    // The driver waited out the stop's grace: tasks still running are
    // abandoned (counted cancelled), nothing more to wait for.
    let outcome = engine.finish();
    engine.shutdown(Duration::ZERO);
    let mut report = RunReport::from_outcome(&outcome);
    report.periods = session.periods(&outcome);
    report.interrupted = interruption.name().map(str::to_string);
    report.note_other_programs(external_cpu_pct);
    Ok(report)
}
