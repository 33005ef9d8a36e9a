//! The `loadlab` binary: parses the command line and wires the library together.

use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use loadlab::cli::{AdviceArgs, Cli, Command, DemoArgs, DemoCommand, Format, RunArgs, SweepArgs};
use loadlab::engine::Engine;
use loadlab::report::sweep::SweepFormat;
use loadlab::runs;
use loadlab::runs::interrupt::{self, Interruption};
use loadlab::runs::session::{Recording, Session};
use loadlab::scenario::{Player, Scenario};
use loadlab::setup::{self, Failure};
use loadlab::spec::RunLimit;
use loadlab::spec::{BackendKind, Dist, Kernel};
use loadlab::ui::DashboardOptions;
use loadlab::ui::timeline::Timeline;

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return command_line_refused(&error),
    };
    let mut dashboard_config = None;
    if cli.command.is_none() {
        match apply_config(&mut cli, &matches) {
            Ok(config) => dashboard_config = config,
            Err(failure) => {
                print_stderr(&format!("loadlab: {}", failure.message()));
                return ExitCode::from(failure.exit_code() as u8);
            }
        }
    }
    loadlab::engine::task_job::quiet_job_panics();
    if cli.command.is_some() {
        loadlab::logging::init_headless_logging(false);
    }
    let budget = match &cli.command {
        Some(Command::Run(args)) => setup::apply_memory_budget(&args.workload),
        Some(Command::Demo(DemoCommand::Starvation(args))) => {
            setup::apply_memory_budget(&args.workload)
        }
        Some(Command::Sweep(args)) => setup::apply_memory_budget(&args.workload),
        Some(Command::Serve(args)) => setup::apply_memory_budget(&args.workload),
        Some(Command::List | Command::Demo(DemoCommand::Advice(_))) => Ok(()),
        None => setup::apply_memory_budget(&cli.workload),
    };
    if let Err(failure) = budget {
        eprintln!("loadlab: {}", failure.message());
        return ExitCode::from(failure.exit_code() as u8);
    }
    let result = match cli.command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::List) => write_stdout(&list()).map(|()| 0),
        Some(Command::Demo(DemoCommand::Starvation(args))) => demo_starvation(&args),
        Some(Command::Demo(DemoCommand::Advice(args))) => demo_advice(&args),
        Some(Command::Sweep(args)) => sweep(&args),
        Some(Command::Serve(args)) => runs::serve::run_command(&args)
            .and_then(|(report, code)| write_stdout(&report).map(|()| code)),
        None => dashboard(&cli, dashboard_config.as_ref()),
    };
    // A recording that could not be written fails the run, whichever mode wrote it.
    let result = result.and_then(|code| match loadlab::record::write_failure() {
        Some(failure) => Err(Failure::Fatal(failure.to_string())),
        None => Ok(code),
    });
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(failure) => {
            print_stderr(&format!("loadlab: {}", failure.message()));
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

/// A session that cannot start: a bad scenario is a usage error (exit 2); a
/// `--record` file that cannot be opened is fatal (exit 1), as for stdout.
fn session_failure(message: String) -> Failure {
    if message.starts_with("--record ") {
        Failure::Fatal(message)
    } else {
        Failure::Usage(message)
    }
}

/// `--help` and `--version` go to stdout like a report (a closed pipe ends
/// quietly, a full disk is exit 1); a usage error goes to stderr, exit 2.
fn command_line_refused(error: &clap::Error) -> ExitCode {
    if error.use_stderr() {
        let _ = error.print();
        return ExitCode::from(error.exit_code() as u8);
    }
    match write_stdout(&error.render().to_string()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            print_stderr(&format!("loadlab: {}", failure.message()));
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

/// Writes a report to stdout. A reader that went away (`| head`) ends the
/// output quietly: the run's own exit status stands. Any other write error
/// (`> /dev/full`) is fatal.
fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Fatal(format!(
            "cannot write the report to stdout: {e}"
        ))),
    }
}

/// One line on stderr, control characters escaped; a closed stderr is ignored
/// (there is nowhere left to say anything).
fn print_stderr(line: &str) {
    let line = loadlab::format::escape_control(line);
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The config file's values, for every dashboard flag not given on the
/// command line. Headless commands never read it.
fn apply_config(
    cli: &mut Cli,
    matches: &clap::ArgMatches,
) -> Result<Option<loadlab::config::Config>, Failure> {
    let Some(config) = loadlab::config::load(cli.config.as_deref()).map_err(Failure::Usage)? else {
        return Ok(None);
    };
    let unset = |id: &str| matches.value_source(id) != Some(clap::parser::ValueSource::CommandLine);
    if let Some(backend) = config.backend.filter(|_| unset("backend")) {
        cli.backend.backend = backend;
    }
    if let Some(threads) = config.threads.filter(|_| unset("threads")) {
        cli.backend.threads = Some(threads);
    }
    if let Some(kernel) = config.workload.filter(|_| unset("workload")) {
        cli.workload.workload = Some(kernel);
    }
    if let Some(size) = config.size.filter(|_| unset("size")) {
        cli.workload.size = Some(size);
    }
    if let Some(fps) = config.fps.filter(|_| unset("fps")) {
        cli.fps = fps;
    }
    if cli.theme.is_none() {
        cli.theme = config.theme;
    }
    Ok(Some(config))
}

fn dashboard(cli: &Cli, file: Option<&loadlab::config::Config>) -> Result<i32, Failure> {
    if !loadlab::ui::is_terminal() {
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
    config.serve = runs::serve::serve_options(&cli.service, false);
    let scenario = match &cli.scenario {
        Some(path) => Some(Scenario::load(path).map_err(|e| Failure::Usage(e.to_string()))?),
        None => None,
    };
    // Recording only: the dashboard plays the scenario itself, caption on screen.
    let session = Session::new(None, cli.recording.record.as_deref()).map_err(Failure::Fatal)?;
    // Before the engine starts, so its first log lines land in the Log panel.
    let logs = loadlab::logging::init_dashboard_logging();
    let engine = Arc::new(Engine::start(config).map_err(|e| Failure::Fatal(e.to_string()))?);
    let stop_session = Arc::new(AtomicBool::new(false));
    let session = session
        .spawn(engine.clone(), stop_session.clone())
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    let options = DashboardOptions {
        fps: cli.fps,
        theme: loadlab::ui::theme::Theme::named(cli.theme.unwrap_or_default()),
        chart_window: file.and_then(|c| c.chart_window()).unwrap_or_default(),
        export_dir: cli.export_dir.clone(),
        export_screen: cli.export_screen,
        scenario: scenario.map(|s| Box::new(Player::new(s)) as Box<dyn Timeline>),
        expected_panic: Some(loadlab::engine::task_job::in_job),
    };
    let result = loadlab::ui::run_dashboard(engine.clone(), logs, options);
    stop_session.store(true, Ordering::Release);
    let _ = session.join();
    // Quitting with thousands of queued tasks: cancelled, not waited for.
    engine.shutdown(Duration::from_millis(500));
    result.map_err(|e| Failure::Fatal(format!("{e:#}")))?;
    Ok(0)
}

fn run(args: &RunArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage(
            "--format: run writes text or json (csv and md are for sweep)".into(),
        ));
    }
    let limit = setup::run_limit(&args.limit, &args.workload, args.scenario.is_some());
    let mut config = setup::engine_config(&args.backend, &args.workload, &args.probes, limit)?;
    config.serve = runs::serve::serve_options(&args.service, false);
    let session = Session::new(args.scenario.as_deref(), args.recording.record.as_deref())
        .map_err(session_failure)?;
    let interruption = install_signal_handlers()?;
    let report = runs::headless::run(config, session, &interruption)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    match args.format {
        Format::Json => write_stdout(&format!("{}\n", report.to_json()))?,
        _ => write_stdout(&report.to_text())?,
    }
    Ok(report.exit_code())
}

fn demo_starvation(args: &DemoArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage("--format: demo writes text or json".into()));
    }
    let plan = setup::demo_plan(args)?;
    let mut recording =
        Recording::open(args.recording.record.as_deref()).map_err(Failure::Fatal)?;
    let interruption = install_signal_handlers()?;
    let report = runs::demo::starvation(&plan, &mut recording, &interruption, print_stderr)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    write_text_or_json(
        &args.format,
        || report.render_text(),
        || report.render_json(),
    )?;
    Ok(exit_code_after(report.interrupted.as_deref()))
}

fn demo_advice(args: &AdviceArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage("--format: demo writes text or json".into()));
    }
    let plan = setup::advice_plan(args)?;
    let mut recording =
        Recording::open(args.recording.record.as_deref()).map_err(Failure::Fatal)?;
    let interruption = install_signal_handlers()?;
    let report = runs::advice::advice(&plan, &mut recording, &interruption, print_stderr)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    write_text_or_json(
        &args.format,
        || report.render_text(),
        || report.render_json(),
    )?;
    Ok(exit_code_after(report.interrupted.as_deref()))
}

fn sweep(args: &SweepArgs) -> Result<i32, Failure> {
    let format = match args.format {
        Format::Text => SweepFormat::Text,
        Format::Json => SweepFormat::Json,
        Format::Csv => SweepFormat::Csv,
        Format::Md => SweepFormat::Md,
    };
    let plan = setup::sweep_plan(args)?;
    let mut recording =
        Recording::open(args.recording.record.as_deref()).map_err(Failure::Fatal)?;
    let interruption = install_signal_handlers()?;
    let report = runs::sweep::sweep(&plan, &mut recording, &interruption, print_stderr)
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    write_stdout(&report.render(format))?;
    if let Some(path) = &args.plot {
        loadlab::report::sweep_plot::write(&report, path)
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
    Interruption::install().map_err(|e| Failure::Fatal(format!("signal handlers: {e}")))
}

fn list() -> String {
    let mut out = String::from("kernels (--workload; --size unit):\n");
    for kernel in Kernel::ALL {
        let forms = match (kernel.is_synthetic(), kernel.is_file_kernel()) {
            (true, true) => "synthetic, or per file with --path",
            (true, false) => "synthetic",
            _ => "per file, --path only",
        };
        let default = match kernel.default_size() {
            0 => "-".to_string(),
            size => size.to_string(),
        };
        out.push_str(&format!(
            "  {:<12} {:<44} default {default:<9} [{forms}]\n",
            kernel.name(),
            kernel.size_unit(),
        ));
    }
    out.push_str("\nbackends (--backend):\n");
    for backend in BackendKind::ALL {
        let what = match backend {
            BackendKind::Inline => {
                "on the app runtime's tokio workers (blocks them: the anti-pattern)"
            }
            BackendKind::SpawnBlocking => {
                "tokio's blocking pool, concurrency capped by a semaphore"
            }
            BackendKind::Rayon => "a dedicated rayon ThreadPool (threads rayon-N)",
            BackendKind::Channel => "a bounded crossbeam queue feeding OS threads pool-N",
        };
        out.push_str(&format!("  {:<15} {what}\n", backend.name()));
    }
    out.push_str("\ndistributions (--dist; mean = --size):\n");
    for dist in Dist::ALL {
        let what = match dist {
            Dist::Fixed => "every task exactly --size",
            Dist::Uniform => "uniform between 1 and 2 x size",
            Dist::Exp => "exponential",
            Dist::Pareto => "Pareto, shape 1.5, capped at 100 x size: a few huge tasks",
        };
        out.push_str(&format!("  {:<8} {what}\n", dist.name()));
    }
    out
}
