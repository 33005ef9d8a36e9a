//! The dashboard's config file under the flags: a value applies only where
//! the flag was not given.

use crate::cli::Cli;
use crate::setup::Failure;

/// The config file's values, for every dashboard flag not given on the
/// command line. Headless commands never read it.
pub(super) fn apply_config(
    cli: &mut Cli,
    matches: &clap::ArgMatches,
) -> Result<Option<crate::config::Config>, Failure> {
    let Some(config) = crate::config::load(cli.config.as_deref()).map_err(Failure::Usage)? else {
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
