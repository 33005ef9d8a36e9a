//! The commands: the dashboard, `run`, `demo starvation`, `demo advice` and
//! `sweep`, each from parsed flags to a report on stdout and an exit status.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::output::{print_stderr, write_stdout};
use crate::cli::{AdviceArgs, Cli, DemoArgs, Format, RunArgs, SweepArgs, ThemeArg};
use crate::report::sweep_plot::PlotFile;
use crate::report::sweep_render::SweepFormat;
use crate::runs;
use crate::runs::interrupt::{self, Interruption};
use crate::runs::session::{Recording, Session};
use crate::scenario::Scenario;
use crate::setup::{self, Failure};
use crate::spec::RunLimit;
use crate::ui::DashboardOptions;
use crate::ui::theme::{Theme, ThemeName};

pub(super) fn dashboard(cli: &Cli, file: Option<&crate::config::Config>) -> Result<i32, Failure> {
    if !crate::ui::is_terminal() {
        return Err(Failure::Usage(
            "the dashboard needs a terminal; for a headless run use `loadlab run` (see `loadlab run --help`)"
                .into(),
        ));
    }
    let mut config = setup::engine_config(
        &cli.backend,
        &cli.workload,
        &cli.probes,
        RunLimit::Unbounded,
    )?;
    // The Log shows stalls as they happen.
    config.stall_log = crate::probe::stall_log::StallLog::Live;
    let scenario = match &cli.scenario {
        Some(path) => Some(Scenario::load(path).map_err(|e| Failure::Usage(e.to_string()))?),
        None => None,
    };
    // Recording only: the dashboard plays the scenario itself, caption on screen.
    let session = Session::new(None, cli.recording.record.as_deref())?;
    // Before the engine starts, so its first log lines land in the Log panel.
    let logs = crate::logging::init_dashboard_logging();
    let engine = Arc::new(
        crate::session::serve::start(config, setup::serve_options(&cli.service))
            .map_err(|e| Failure::Fatal(e.to_string()))?,
    );
    let stop_session = Arc::new(AtomicBool::new(false));
    // Without a recording the session has nothing to do: no thread waking
    // twenty times a second for it.
    let session = session
        .has_work()
        .then(|| session.spawn(engine.clone(), stop_session.clone()))
        .transpose()
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let options = DashboardOptions {
        fps: cli.fps,
        // The flag wins over the configuration file.
        theme: Theme::named(
            cli.theme
                .map(theme_name)
                .or(file.and_then(|c| c.theme))
                .unwrap_or_default(),
        ),
        chart_window: file.and_then(|c| c.chart_window()).unwrap_or_default(),
        export_dir: cli.export_dir.clone(),
        export_screen: cli.export_screen,
        scenario,
        expected_panic: Some(crate::engine::task_job::in_job),
    };
    let result = crate::ui::run_dashboard(engine.clone(), logs, options);
    stop_session.store(true, Ordering::Release);
    if let Some(session) = session {
        let _ = session.join();
    }
    // Quitting with thousands of queued tasks: cancelled, not waited for.
    engine.shutdown(Duration::from_millis(500));
    result.map_err(|e| Failure::Fatal(format!("{e:#}")))?;
    Ok(0)
}

pub(super) fn run(args: &RunArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage(
            "--format: run writes text or json (csv and md are for sweep)".into(),
        ));
    }
    let limit = setup::run_limit(&args.limit, &args.workload, args.scenario.is_some());
    let config = setup::engine_config(&args.backend, &args.workload, &args.probes, limit)?;
    let serve = setup::serve_options(&args.service);
    let session = Session::new(args.scenario.as_deref(), args.recording.record.as_deref())?;
    let interruption = install_signal_handlers()?;
    let report = runs::headless::run(config, serve, session, &interruption)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    match args.format {
        Format::Json => write_stdout(&format!("{}\n", report.to_json()))?,
        _ => write_stdout(&report.to_text())?,
    }
    Ok(runs::interrupt::run_exit_code(&report))
}

pub(super) fn demo_starvation(args: &DemoArgs) -> Result<i32, Failure> {
    run_demo(
        &args.format,
        args.recording.record.as_deref(),
        || setup::demo_plan(args),
        |plan, recording, interruption| {
            let report = runs::demo::starvation(plan, recording, interruption, print_stderr)?;
            Ok(DemoOutput {
                text: report.render_text(),
                json: report.render_json(),
                interrupted: report.interrupted,
            })
        },
    )
}

pub(super) fn demo_advice(args: &AdviceArgs) -> Result<i32, Failure> {
    run_demo(
        &args.format,
        args.recording.record.as_deref(),
        || setup::advice_plan(args),
        |plan, recording, interruption| {
            let report = runs::advice::advice(plan, recording, interruption, print_stderr)?;
            Ok(DemoOutput {
                text: report.render_text(),
                json: report.render_json(),
                interrupted: report.interrupted,
            })
        },
    )
}

/// A demo's report, rendered both ways.
struct DemoOutput {
    text: String,
    json: String,
    interrupted: Option<String>,
}

/// Every demo: the format checked, then the plan, then the recording (opened
/// only once the plan is valid, so a refused plan leaves no file) and the
/// signal handlers, then the run and its report.
fn run_demo<P>(
    format: &Format,
    record: Option<&std::path::Path>,
    plan: impl FnOnce() -> Result<P, Failure>,
    run: impl FnOnce(&P, &mut Recording, &Interruption) -> Result<DemoOutput, runs::RunFailed>,
) -> Result<i32, Failure> {
    if !matches!(format, Format::Text | Format::Json) {
        return Err(Failure::Usage("--format: demo writes text or json".into()));
    }
    let plan = plan()?;
    let mut recording = Recording::open(record)?;
    let interruption = install_signal_handlers()?;
    let output =
        run(&plan, &mut recording, &interruption).map_err(|e| Failure::Fatal(e.to_string()))?;
    write_text_or_json(format, || output.text, || output.json)?;
    Ok(exit_code_after(output.interrupted.as_deref()))
}

pub(super) fn sweep(args: &SweepArgs) -> Result<i32, Failure> {
    let format = match args.format {
        Format::Text => SweepFormat::Text,
        Format::Json => SweepFormat::Json,
        Format::Csv => SweepFormat::Csv,
        Format::Md => SweepFormat::Md,
    };
    let plan = setup::sweep_plan(args)?;
    // Created before measuring: a name already taken is refused at once.
    let plot = match &args.plot {
        Some(path) => Some(PlotFile::create(path).map_err(|e| {
            let message = format!("--plot {}: {e}", path.display());
            if crate::new_file::is_refusal(&e) {
                Failure::Usage(message)
            } else {
                Failure::Fatal(message)
            }
        })?),
        None => None,
    };
    let mut recording = Recording::open(args.recording.record.as_deref())?;
    let interruption = install_signal_handlers()?;
    let report = runs::sweep::sweep(&plan, &mut recording, &interruption, print_stderr)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    write_stdout(&report.render(format))?;
    if let (Some(plot), Some(path)) = (plot, &args.plot) {
        plot.write(&report)
            .map_err(|e| Failure::Fatal(format!("--plot {}: {e}", path.display())))?;
    }
    Ok(exit_code_after(report.interrupted.as_deref()))
}

/// A demo's report on stdout in the chosen format.
fn write_text_or_json(
    format: &Format,
    text: impl FnOnce() -> String,
    json: impl FnOnce() -> String,
) -> Result<(), Failure> {
    match format {
        Format::Json => write_stdout(&format!("{}\n", json())),
        _ => write_stdout(&text()),
    }
}

/// 0, or 128 + the signal that ended the command early.
fn exit_code_after(interrupted: Option<&str>) -> i32 {
    interrupted.map_or(0, interrupt::exit_code)
}

/// The first SIGINT/SIGTERM/SIGHUP ends a headless command early with its
/// report; a second exits at once.
fn install_signal_handlers() -> Result<Interruption, Failure> {
    Interruption::install(interrupt::STOPPING_WORK)
}

/// The dashboard's theme named by `--theme`.
fn theme_name(arg: ThemeArg) -> ThemeName {
    match arg {
        ThemeArg::Default => ThemeName::Default,
        ThemeArg::Light => ThemeName::Light,
        ThemeArg::NoColor => ThemeName::NoColor,
    }
}
