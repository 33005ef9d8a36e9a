//! `loadlab attach`: from flags to the headless report (or the dashboard)
//! and an exit status.

use std::time::Duration;

use super::output::write_stdout;
use crate::attach::source::AttachSource;
use crate::attach::{AttachOptions, headless};
use crate::cli::{AttachArgs, AttachFormat};
use crate::runs::interrupt::{self, Interruption};
use crate::setup::Failure;

pub(super) fn attach(args: &AttachArgs) -> Result<i32, Failure> {
    let options = AttachOptions {
        target: args.target.clone(),
        probe: args.probe.clone(),
        metrics: args.metrics.clone(),
        groups: args.groups.clone(),
        starved_threshold_ms: args.starved_threshold_ms,
        sample_every: Duration::from_millis(args.sample_ms),
        duration: args.duration.map(Duration::from_secs_f64),
    };
    if is_dashboard(args) {
        return dashboard(&options);
    }
    let interruption = Interruption::install(interrupt::STOPPING_WATCH)?;
    let report = headless::run(&options, &|| interruption.signal().is_some()).map_err(usage)?;
    match args.format {
        Some(AttachFormat::Json) => write_stdout(&report.json())?,
        Some(AttachFormat::Text) | None => write_stdout(&report.text())?,
    }
    Ok(interruption.name().map_or(0, interrupt::exit_code))
}

/// Without --duration or --format attach opens the dashboard.
pub(super) fn is_dashboard(args: &AttachArgs) -> bool {
    args.duration.is_none() && args.format.is_none()
}

fn dashboard(options: &AttachOptions) -> Result<i32, Failure> {
    if !crate::ui::is_terminal() {
        return Err(Failure::Usage(
            "attach's dashboard needs a terminal; for a report add --duration SECS or --format json"
                .into(),
        ));
    }
    let logs = crate::logging::init_dashboard_logging();
    let source = AttachSource::start(options, logs.clone()).map_err(usage)?;
    crate::ui::run_dashboard(
        std::sync::Arc::new(source),
        logs,
        crate::ui::DashboardOptions::default(),
    )
    .map_err(|error| Failure::Fatal(error.to_string()))?;
    Ok(0)
}

/// A target, URL or rule the user gave is a usage error (2); the rest is fatal (1).
fn usage(error: crate::attach::AttachError) -> Failure {
    match error.exit_code() {
        2 => Failure::Usage(error.to_string()),
        _ => Failure::Fatal(error.to_string()),
    }
}
