//! The `loadlab` binary: parses the command line and wires the library together.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;

use loadlab::cli::{Cli, Command, DemoCommand, Format, RunArgs};
use loadlab::engine::Engine;
use loadlab::engine::command::Command as EngineCommand;
use loadlab::engine::controller::Controller;
use loadlab::report::run::RunReport;
use loadlab::setup::{self, Failure};
use loadlab::spec::{BackendKind, Dist, Kernel, RunLimit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    loadlab::engine::task_job::quiet_job_panics();
    let result = match cli.command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::List) => {
            print!("{}", list());
            Ok(0)
        }
        Some(Command::Demo(DemoCommand::Starvation(_args))) => {
            Err(Failure::Fatal("demo starvation: not wired yet".into()))
        }
        Some(Command::Sweep(_args)) => Err(Failure::Fatal("sweep: not wired yet".into())),
        None => dashboard(&cli),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(failure) => {
            eprintln!("loadlab: {}", failure.message());
            ExitCode::from(failure.exit_code() as u8)
        }
    }
}

fn dashboard(_cli: &Cli) -> Result<i32, Failure> {
    use std::io::IsTerminal;
    if !(std::io::stdout().is_terminal() && std::io::stdin().is_terminal()) {
        return Err(Failure::Usage(
            "the dashboard needs a terminal; for a headless run use `loadlab run` (see `loadlab run --help`)"
                .into(),
        ));
    }
    Err(Failure::Fatal("dashboard: not wired yet".into()))
}

fn run(args: &RunArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage(
            "--format: run writes text or json (csv and md are for sweep)".into(),
        ));
    }
    let limit = setup::run_limit(&args.limit, &args.workload);
    let config = setup::engine_config(&args.backend, &args.workload, &args.probes, limit)?;
    let engine = Arc::new(Engine::start(config).map_err(|e| Failure::Fatal(e.to_string()))?);
    stop_on_interrupt(&engine);
    engine.wait_for_run();
    let outcome = engine.finish();
    engine.shutdown(Duration::from_secs(1));
    let report = RunReport::from_outcome(&outcome);
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        _ => print!("{}", report.to_text()),
    }
    Ok(report.exit_code())
}

/// Ctrl-C or SIGTERM during a headless run: stop arrivals, cancel what is
/// queued, and still print the report.
fn stop_on_interrupt(engine: &Arc<Engine>) {
    let target = Arc::downgrade(engine);
    engine.runtime_handle().spawn(async move {
        let interrupted = async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                match signal(SignalKind::terminate()) {
                    Ok(mut term) => tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        _ = term.recv() => {}
                    },
                    Err(_) => {
                        let _ = tokio::signal::ctrl_c().await;
                    }
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
        };
        interrupted.await;
        if let Some(engine) = target.upgrade() {
            eprintln!("loadlab: interrupted; cancelling queued tasks and reporting");
            let _ = engine.apply(EngineCommand::Stop);
        }
    });
}

fn list() -> String {
    let mut out = String::from("kernels (--workload; --size unit):\n");
    for kernel in Kernel::ALL {
        let forms = match (kernel.is_synthetic(), kernel.is_file_kernel()) {
            (true, true) => "synthetic, or per file with --path",
            (true, false) => "synthetic",
            _ => "per file, --path only",
        };
        out.push_str(&format!(
            "  {:<12} {:<44} default {:<9} [{forms}]\n",
            kernel.name(),
            kernel.size_unit(),
            kernel.default_size()
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
    let _ = RunLimit::Unbounded;
    out
}
