//! The `loadlab` binary: parses the command line and wires the library together.

use std::process::ExitCode;

use clap::Parser;

use loadlab::cli::{Cli, Command, DemoArgs, DemoCommand, Format, RunArgs, SweepArgs};
use loadlab::report::sweep::SweepFormat;
use loadlab::runs;
use loadlab::runs::session::Session;
use loadlab::setup::{self, Failure};
use loadlab::spec::{BackendKind, Dist, Kernel};

fn main() -> ExitCode {
    let cli = Cli::parse();
    loadlab::engine::task_job::quiet_job_panics();
    let result = match cli.command {
        Some(Command::Run(args)) => run(&args),
        Some(Command::List) => {
            print!("{}", list());
            Ok(0)
        }
        Some(Command::Demo(DemoCommand::Starvation(args))) => demo_starvation(&args),
        Some(Command::Sweep(args)) => sweep(&args),
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
    let limit = setup::run_limit(&args.limit, &args.workload, args.scenario.is_some());
    let config = setup::engine_config(&args.backend, &args.workload, &args.probes, limit)?;
    let session =
        Session::new(args.scenario.as_deref(), args.record.as_deref()).map_err(Failure::Usage)?;
    let report = runs::headless::run(config, session).map_err(|e| Failure::Fatal(e.to_string()))?;
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        _ => print!("{}", report.to_text()),
    }
    Ok(report.exit_code())
}

fn demo_starvation(args: &DemoArgs) -> Result<i32, Failure> {
    if !matches!(args.format, Format::Text | Format::Json) {
        return Err(Failure::Usage("--format: demo writes text or json".into()));
    }
    let plan = setup::demo_plan(args)?;
    let report = runs::demo::starvation(&plan, |line| eprintln!("{line}"))
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    match args.format {
        Format::Json => println!("{}", report.render_json()),
        _ => print!("{}", report.render_text()),
    }
    Ok(0)
}

fn sweep(args: &SweepArgs) -> Result<i32, Failure> {
    let format = match args.format {
        Format::Text => SweepFormat::Text,
        Format::Json => SweepFormat::Json,
        Format::Csv => SweepFormat::Csv,
        Format::Md => SweepFormat::Md,
    };
    let plan = setup::sweep_plan(args)?;
    let report = runs::sweep::sweep(&plan, |line| eprintln!("{line}"))
        .map_err(|e| Failure::Fatal(e.to_string()))?;
    print!("{}", report.render(format));
    Ok(0)
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
    out
}
