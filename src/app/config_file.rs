//! The dashboard's config file under the flags: a value applies only where
//! the flag was not given.

use crate::bounds;
use crate::cli::Cli;
use crate::setup::Failure;
use crate::spec::BackendKind;

/// The config file's values, for every dashboard flag not given on the
/// command line. Headless commands never read it.
pub(super) fn apply_config(
    cli: &mut Cli,
    matches: &clap::ArgMatches,
) -> Result<Option<crate::config::Config>, Failure> {
    let Some(config) =
        crate::config::load(cli.config.as_deref()).map_err(|e| Failure::Usage(e.to_string()))?
    else {
        return Ok(None);
    };
    let unset = |id: &str| matches.value_source(id) != Some(clap::parser::ValueSource::CommandLine);
    if let Some(backend) = config.backend.filter(|_| unset("backend")) {
        cli.backend.backend = backend;
    }
    if let Some(threads) = config.threads.filter(|_| unset("threads")) {
        // For inline the file's threads are app workers: checked here, where
        // the backend (the flag's or the file's) is known, naming the file.
        if cli.backend.backend == BackendKind::Inline {
            bounds::check_runtime_workers(threads).map_err(|e| {
                Failure::Usage(format!(
                    "{}: threads: {e} (inline runs on app workers)",
                    config.threads_at
                ))
            })?;
        }
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
    Ok(Some(config))
}
