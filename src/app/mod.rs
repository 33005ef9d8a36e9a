//! The `loadlab` command line as a library entry point: the binary's `main`
//! is one call to [`main`], and a program that registers its own kernels
//! (see [`crate::register_kernel`]) calls the same function to get every mode on them.

mod attach;
mod commands;
mod config_file;
mod list;
mod output;
mod shell_help;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command, DemoCommand};
use crate::setup::{self, Failure};
use output::{print_stderr, write_stdout, write_stdout_as};

/// Runs the `loadlab` command line on the process's arguments and returns
/// its exit status (0, 1, 2, 3 or 128 + a signal, as the reports document).
pub fn main() -> ExitCode {
    main_with_args(std::env::args_os())
}

/// Runs the `loadlab` command line on `args` (the first is the program name).
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // What the flags list is what they accept: no kernel joins later.
    crate::spec::custom_kernel::close_registration();
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // Completions complete the program the user runs: `loadlab`, or the name
    // of a program that registered its own kernels.
    let program = args
        .first()
        .map(std::path::Path::new)
        .and_then(|path| path.file_name())
        .and_then(|name| name.to_str())
        .unwrap_or("loadlab")
        .to_string();
    let parsed = Cli::command()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches).map(|cli| (cli, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return command_line_refused(&error),
    };
    let mut dashboard_config = None;
    if cli.command.is_none() {
        match config_file::apply_config(&mut cli, &matches) {
            Ok(config) => dashboard_config = config,
            Err(failure) => {
                print_stderr(&format!("loadlab: {}", failure.message()));
                return ExitCode::from(failure.exit_code() as u8);
            }
        }
    }
    crate::engine::task_job::quiet_job_panics();
    // attach's dashboard keeps its log lines for its Log panel, not stderr.
    let attach_dashboard =
        matches!(&cli.command, Some(Command::Attach(args)) if attach::is_dashboard(args));
    if cli.command.is_some() && !attach_dashboard {
        crate::logging::init_headless_logging(false);
    }
    let budget = match &cli.command {
        Some(Command::Run(args)) => setup::apply_memory_budget(&args.workload),
        Some(Command::Demo(DemoCommand::Starvation(args))) => {
            setup::apply_memory_budget(&args.workload)
        }
        Some(Command::Sweep(args)) => setup::apply_memory_budget(&args.workload),
        Some(Command::Serve(args)) => setup::apply_memory_budget(&args.workload),
        Some(
            Command::List
            | Command::Attach(_)
            | Command::Completions { .. }
            | Command::Man
            | Command::Demo(DemoCommand::Advice(_)),
        ) => Ok(()),
        None => setup::apply_memory_budget(&cli.workload),
    };
    if let Err(failure) = budget {
        eprintln!("loadlab: {}", failure.message());
        return ExitCode::from(failure.exit_code() as u8);
    }
    let result = match cli.command {
        Some(Command::Run(args)) => commands::run(&args),
        Some(Command::Attach(args)) => attach::attach(&args),
        Some(Command::List) => write_stdout_as("the list", &list::list()).map(|()| 0),
        Some(Command::Completions { shell }) => write_stdout_as(
            "the completion script",
            &shell_help::completions(shell, &program),
        )
        .map(|()| 0),
        Some(Command::Man) => shell_help::man_page()
            .and_then(|page| write_stdout_as("the man page", &page))
            .map(|()| 0),
        Some(Command::Demo(DemoCommand::Starvation(args))) => commands::demo_starvation(&args),
        Some(Command::Demo(DemoCommand::Advice(args))) => commands::demo_advice(&args),
        Some(Command::Sweep(args)) => commands::sweep(&args),
        Some(Command::Serve(args)) => crate::runs::serve::run_command(&args)
            .and_then(|(report, code)| write_stdout(&report).map(|()| code)),
        None => commands::dashboard(&cli, dashboard_config.as_ref()),
    };
    // Stalls of headless runs: one line per cause, after the report.
    crate::probe::stall_log::process_tally().log();
    // A recording that could not be written fails the run, whichever mode wrote it.
    let result = result.and_then(|code| match crate::record::write_failure() {
        Some(failure) => Err(Failure::Fatal(setup::recording_failure(failure))),
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
