//! Scenario TOML: the file format and its checks.
//!
//! ```toml
//! name = "starvation"                 # optional, defaults to the file name
//! description = "..."                 # optional
//! duration = 30.0                     # seconds; or a last step with `end = true`
//!
//! [[step]]
//! at = 0.0                            # seconds from the start, steps sorted by `at`
//! workload = { kernel = "sumsq", size = 2000000, dist = "fixed", seed = 7 }
//!                                     # kernel "mixed" also takes cpu_share = 0..100
//! backend = "rayon"                   # inline, spawn-blocking, rayon, channel
//! threads = 2
//! inflight = 8                        # closed loop; or `rate = 500.0` (open loop)
//! pause = false                       # pause / resume arrivals
//! reset = true                        # zero the cumulative statistics
//! caption = "Offloaded to rayon: the heartbeat stays flat"
//!
//! [[step]]
//! at = 30.0
//! end = true
//! ```
//!
//! Every key of a step is optional except `at`. A `workload` table only needs the
//! fields that change: missing ones keep the scenario's previous workload (at
//! first `WorkloadSpec::default()`), and a new kernel without `size` gets that
//! kernel's default size.
//!
//! Values are held to the limits of `crate::bounds` (threads, in flight, rate,
//! sizes per kernel, times), and a `workload.path` must exist when the file is
//! loaded; every error names the file and the line.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::error::{LineIndex, ScenarioError};
use super::timeline::{Scenario, Step};
use crate::bounds;
use crate::engine::command::Command;
use crate::spec::{BackendKind, Dist, Kernel, LoadMode, WorkloadSpec};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    duration: Option<Spanned<f64>>,
    #[serde(default)]
    step: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    at: Spanned<f64>,
    workload: Option<Spanned<RawWorkload>>,
    backend: Option<Spanned<String>>,
    threads: Option<Spanned<i64>>,
    inflight: Option<Spanned<i64>>,
    rate: Option<Spanned<f64>>,
    pause: Option<bool>,
    reset: Option<bool>,
    caption: Option<String>,
    end: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    kernel: Option<Spanned<String>>,
    size: Option<Spanned<i64>>,
    dist: Option<Spanned<String>>,
    seed: Option<Spanned<i64>>,
    path: Option<String>,
    cpu_share: Option<Spanned<i64>>,
}

/// Builds errors that point at a span of the file being parsed.
struct Source<'a> {
    file: &'a str,
    lines: LineIndex,
}

impl Source<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at_line(self.file, self.line(span), message)
    }

    fn line(&self, span: Range<usize>) -> usize {
        self.lines.line_of(span.start)
    }
}

/// Reading a scenario lives beside its parser, so the timeline stays plain data.
impl Scenario {
    /// Parses scenario TOML; `file_name` is used in error messages only.
    pub fn parse(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
        parse(text, file_name)
    }

    /// Reads and parses a scenario file: a regular file of at most
    /// `bounds::SCENARIO_FILE_MAX_BYTES`, opened without blocking (a FIFO or a
    /// device is refused, not read).
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let file_name = path.display().to_string();
        let text = super::file::read_scenario_text(path)
            .map_err(|e| ScenarioError::whole_file(&file_name, e.to_string()))?;
        Scenario::parse(&text, &file_name)
    }
}

pub fn parse(text: &str, file_name: &str) -> Result<Scenario, ScenarioError> {
    let src = Source {
        file: file_name,
        lines: LineIndex::new(text),
    };
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        // Errors are one line: fold any multi-line parser message.
        let message = e.message().trim().replace('\n', "; ");
        match e.span() {
            Some(span) => src.error(span, message),
            None => ScenarioError::whole_file(file_name, message),
        }
    })?;

    let mut workload = WorkloadSpec::default();
    let mut steps = Vec::with_capacity(raw.step.len());
    let mut end_step: Option<(Duration, usize)> = None;
    let mut previous_at: Option<f64> = None;

    for spanned_step in raw.step {
        let step_span = spanned_step.span();
        let raw_step = spanned_step.into_inner();
        let at_span = raw_step.at.span();
        let at_s = *raw_step.at.get_ref();
        let at = seconds(&src, at_span.clone(), "at", at_s)?;
        if let Some((end_at, end_line)) = end_step {
            return Err(src.error(
                at_span,
                format!(
                    "step at {at_s} comes after the end step (at {:.1}, line {end_line}); \
                     expected the `end = true` step last",
                    end_at.as_secs_f64()
                ),
            ));
        }
        if let Some(prev) = previous_at
            && at_s < prev
        {
            return Err(src.error(
                at_span,
                format!(
                    "step at {at_s} comes after a step at {prev}; expected steps sorted by `at`"
                ),
            ));
        }
        previous_at = Some(at_s);

        if let Some(end) = &raw_step.end
            && *end.get_ref()
        {
            if has_commands(&raw_step) {
                return Err(src.error(
                    end.span(),
                    "an `end = true` step ends the scenario; expected only `at` and `caption` beside it",
                ));
            }
            end_step = Some((at, src.line(step_span.clone())));
            if raw_step.caption.is_some() {
                steps.push(Step {
                    at,
                    commands: Vec::new(),
                    caption: raw_step.caption,
                    pause: None,
                    line: src.line(step_span),
                });
            }
            continue;
        }

        let step = build_step(&src, raw_step, at, step_span, &mut workload)?;
        steps.push(step);
    }

    if steps.is_empty() {
        return Err(ScenarioError::whole_file(
            file_name,
            "no steps; expected at least one [[step]] table with `at`",
        ));
    }

    let last_at = steps.last().map(|s| s.at).unwrap_or_default();
    let end = match (raw.duration, end_step) {
        (Some(duration), Some((_, end_line))) => {
            return Err(src.error(
                duration.span(),
                format!(
                    "both `duration` and an `end = true` step (line {end_line}); expected only one"
                ),
            ));
        }
        (Some(duration), None) => {
            let span = duration.span();
            let d = seconds(&src, span.clone(), "duration", *duration.get_ref())?;
            if d < last_at {
                return Err(src.error(
                    span,
                    format!(
                        "duration {} ends before the last step (at {}); expected at least {}",
                        d.as_secs_f64(),
                        last_at.as_secs_f64(),
                        last_at.as_secs_f64()
                    ),
                ));
            }
            d
        }
        (None, Some((end_at, _))) => end_at,
        (None, None) => {
            return Err(ScenarioError::whole_file(
                file_name,
                "no end; expected a top-level `duration = SECS` or a last step with `end = true`",
            ));
        }
    };

    Ok(Scenario {
        name: raw.name.unwrap_or_else(|| default_name(file_name)),
        description: raw.description.unwrap_or_default(),
        steps,
        end,
    })
}

fn has_commands(step: &RawStep) -> bool {
    step.workload.is_some()
        || step.backend.is_some()
        || step.threads.is_some()
        || step.inflight.is_some()
        || step.rate.is_some()
        || step.pause.is_some()
        || step.reset.is_some()
}

fn build_step(
    src: &Source<'_>,
    raw: RawStep,
    at: Duration,
    step_span: Range<usize>,
    workload: &mut WorkloadSpec,
) -> Result<Step, ScenarioError> {
    let mut commands = Vec::new();

    if let Some(raw_workload) = raw.workload {
        let span = raw_workload.span();
        *workload = merge_workload(src, workload, raw_workload.into_inner())?;
        workload
            .validate()
            .map_err(|e| src.error(span.clone(), format!("workload: {e}")))?;
        crate::spec::limits::check_workload(workload)
            .map_err(|e| src.error(span.clone(), format!("workload: size {e}")))?;
        if let Some(path) = &workload.path {
            crate::workload::files::check_root(path)
                .map_err(|e| src.error(span, format!("workload: {e}")))?;
        }
        commands.push(Command::SetWorkload {
            workload: workload.clone(),
        });
    }
    if let Some(backend) = raw.backend {
        commands.push(Command::SetBackend {
            backend: parse_backend(src, &backend)?,
        });
    }
    if let Some(threads) = raw.threads {
        commands.push(Command::SetThreads {
            threads: bounded(src, &threads, "threads", bounds::check_any_threads)?,
        });
    }
    match (raw.inflight, raw.rate) {
        (Some(_), Some(rate)) => {
            return Err(src.error(
                rate.span(),
                "both `inflight` and `rate`; expected one (closed loop or open loop)",
            ));
        }
        (Some(inflight), None) => commands.push(Command::SetLoad {
            load: LoadMode::Closed {
                inflight: bounded(src, &inflight, "inflight", bounds::check_inflight)?,
            },
        }),
        (None, Some(rate)) => {
            let r = bounds::check_rate(*rate.get_ref())
                .map_err(|e| src.error(rate.span(), format!("rate {e}")))?;
            commands.push(Command::SetLoad {
                load: LoadMode::Open { rate: r },
            });
        }
        (None, None) => {}
    }
    if raw.reset == Some(true) {
        commands.push(Command::ResetStats);
    }
    if let Some(paused) = raw.pause {
        commands.push(Command::Pause { paused });
    }

    Ok(Step {
        at,
        commands,
        caption: raw.caption,
        pause: raw.pause,
        line: src.line(step_span),
    })
}

fn merge_workload(
    src: &Source<'_>,
    previous: &WorkloadSpec,
    raw: RawWorkload,
) -> Result<WorkloadSpec, ScenarioError> {
    let mut next = previous.clone();
    if let Some(kernel) = &raw.kernel {
        let parsed = parse_named(src, kernel, "kernel", &Kernel::all(), |k| k.name())?;
        if parsed != next.kernel && raw.size.is_none() {
            next.size = parsed.default_size();
        }
        next.kernel = parsed;
    }
    if let Some(size) = &raw.size {
        let s = *size.get_ref();
        next.size = u64::try_from(s)
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| src.error(size.span(), format!("size {s}: expected 1 or more")))?;
    }
    if let Some(dist) = &raw.dist {
        next.dist = parse_named(src, dist, "dist", &Dist::ALL, |d| d.name())?;
    }
    if let Some(seed) = &raw.seed {
        let s = *seed.get_ref();
        next.seed = u64::try_from(s)
            .map_err(|_| src.error(seed.span(), format!("seed {s}: expected 0 or more")))?;
    }
    if let Some(share) = &raw.cpu_share {
        next.cpu_share = bounds::check_cpu_share(*share.get_ref())
            .map_err(|e| src.error(share.span(), format!("cpu_share {e}")))?;
    }
    if let Some(path) = raw.path {
        next.path = if path.is_empty() {
            None
        } else {
            Some(PathBuf::from(path))
        };
    }
    Ok(next)
}

fn parse_backend(src: &Source<'_>, value: &Spanned<String>) -> Result<BackendKind, ScenarioError> {
    parse_named(src, value, "backend", &BackendKind::ALL, |b| b.name())
}

/// Looks a name up among `all`; the error lists every accepted name.
fn parse_named<T: Copy>(
    src: &Source<'_>,
    value: &Spanned<String>,
    what: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, ScenarioError> {
    let given = value.get_ref().as_str();
    all.iter()
        .copied()
        .find(|t| name(*t) == given)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
            src.error(
                value.span(),
                format!(
                    "unknown {what} \"{given}\", expected one of {}",
                    names.join(", ")
                ),
            )
        })
}

/// A whole number checked by one of `bounds`' checks; the error names the key.
fn bounded(
    src: &Source<'_>,
    value: &Spanned<i64>,
    what: &str,
    check: fn(u64) -> Result<usize, crate::bounds::OutOfBounds>,
) -> Result<usize, ScenarioError> {
    let v = *value.get_ref();
    let refused = |reason: String| src.error(value.span(), format!("{what} {reason}"));
    let n = u64::try_from(v).map_err(|_| refused(format!("{v} is below 1")))?;
    check(n).map_err(|e| refused(e.to_string()))
}

fn seconds(
    src: &Source<'_>,
    span: Range<usize>,
    what: &str,
    value: f64,
) -> Result<Duration, ScenarioError> {
    bounds::check_offset(value).map_err(|e| src.error(span, format!("{what} {e}")))
}

fn default_name(file_name: &str) -> String {
    std::path::Path::new(file_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file_name.to_string())
}
