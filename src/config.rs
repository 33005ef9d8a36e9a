//! The dashboard's config file: defaults for backend, threads, workload,
//! frames per second, chart window and theme. `--config FILE` names one;
//! otherwise `$XDG_CONFIG_HOME/loadlab/config.toml`, else
//! `~/.config/loadlab/config.toml`, if it exists. Flags given on the command
//! line win; headless commands ignore the file, so scripts do not depend on
//! the machine they run on.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::bounds;
use crate::scenario::error::line_of;
use crate::scenario::file::{UnreadableText, read_small_text};
use crate::spec::{BackendKind, Kernel};
use crate::ui::chart_window::ChartWindow;
use crate::ui::theme::ThemeName;

/// What a config file may set; every key is optional.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub backend: Option<BackendKind>,
    pub threads: Option<u64>,
    pub workload: Option<Kernel>,
    pub size: Option<u64>,
    pub fps: Option<u32>,
    /// `30s`, `2m` or `10m`.
    pub chart_window: Option<String>,
    pub theme: Option<ThemeName>,
    /// `FILE:LINE` of `threads`, for the check that needs the backend (inline
    /// takes at most the app runtime's workers), made once the flags are known.
    #[serde(skip)]
    pub threads_at: String,
}

impl Config {
    /// The chart window the file asks for, if any (checked by `parse`).
    pub fn chart_window(&self) -> Option<ChartWindow> {
        self.chart_window.as_deref().and_then(ChartWindow::parse)
    }
}

/// A line of a config file that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {reason}")]
pub struct BadLine {
    pub line: usize,
    pub reason: String,
}

/// Why a config file was refused: the file, then its line or why it could
/// not be read.
#[derive(Debug, thiserror::Error)]
pub enum BadConfigFile {
    #[error("{file}: {cause}")]
    Unreadable { file: String, cause: UnreadableText },
    #[error("{file}:{line}")]
    Line { file: String, line: BadLine },
}

/// Where the config file is looked for when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    let non_empty = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(dir).join("loadlab/config.toml"));
    }
    non_empty("HOME").map(|home| PathBuf::from(home).join(".config/loadlab/config.toml"))
}

/// Loads `explicit` (which must exist) or the default file (which may not).
pub fn load(explicit: Option<&Path>) -> Result<Option<Config>, BadConfigFile> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match default_path() {
            Some(path) if path.exists() => path,
            _ => return Ok(None),
        },
    };
    let name = path.display().to_string();
    let text = read_small_text(&path, "a config file (.toml)").map_err(|cause| {
        BadConfigFile::Unreadable {
            file: name.clone(),
            cause,
        }
    })?;
    let mut config = parse(&text).map_err(|line| BadConfigFile::Line {
        file: name.clone(),
        line,
    })?;
    config.threads_at = format!("{name}:{}", config.threads_at);
    Ok(Some(config))
}

/// Parses and checks a config file's text; an error starts with its line.
pub fn parse(text: &str) -> Result<Config, BadLine> {
    let config: Config = toml::from_str(text).map_err(|e| BadLine {
        line: e.span().map_or(1, |span| line_of(text, span.start)),
        reason: short_numbers(e.message().trim()),
    })?;
    let line_of_key = |key: &str| {
        text.find(&format!("{key} "))
            .or_else(|| text.find(&format!("{key}=")))
            .map_or(1, |at| line_of(text, at))
    };
    let bad = |key: &str, reason: String| BadLine {
        line: line_of_key(key),
        reason: format!("{key}: {reason}"),
    };
    let mut config = config;
    if let Some(threads) = config.threads {
        bounds::check_any_threads(threads).map_err(|e| bad("threads", e.to_string()))?;
        config.threads_at = line_of_key("threads").to_string();
    }
    if let Some(size) = config.size {
        let kernel = config.workload.unwrap_or(crate::setup::DEFAULT_KERNEL);
        crate::spec::limits::check_size(kernel, size).map_err(|e| bad("size", e.to_string()))?;
    }
    if let Some(fps) = config.fps {
        bounds::check_fps(fps).map_err(|e| bad("fps", e.to_string()))?;
    }
    if let Some(window) = &config.chart_window
        && ChartWindow::parse(window).is_none()
    {
        return Err(bad(
            "chart-window",
            format!("{window:?} is not one of 30s, 2m, 10m"),
        ));
    }
    Ok(config)
}

/// The parser spells a huge float out (`1e308` as 309 digits): a run of more
/// than `LONG_NUMBER_DIGITS` digits is said in scientific notation instead.
fn short_numbers(message: &str) -> String {
    const LONG_NUMBER_DIGITS: usize = 20;
    let mut out = String::with_capacity(message.len().min(256));
    let mut rest = message;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let len = run
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(run.len());
        let number = &run[..len];
        let digits = number.chars().filter(char::is_ascii_digit).count();
        match number.parse::<f64>() {
            Ok(value) if digits > LONG_NUMBER_DIGITS => out.push_str(&format!("{value:e}")),
            _ => out.push_str(number),
        }
        rest = &run[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_number_is_said_briefly() {
        let error = parse("fps = 1e308\n").unwrap_err().to_string();
        assert!(error.starts_with("1: "), "{error}");
        assert!(error.len() < 120, "{error}");
        assert!(!error.contains("0000000000"), "{error}");
        assert_eq!(short_numbers("at 12, 3.5 and 1.25"), "at 12, 3.5 and 1.25");
    }

    #[test]
    fn every_key_parses() {
        let config = parse(
            "backend = \"channel\"\nthreads = 3\nworkload = \"hash\"\nsize = 4096\nfps = 20\nchart-window = \"10m\"\ntheme = \"light\"\n",
        )
        .unwrap();
        assert_eq!(config.backend, Some(BackendKind::Channel));
        assert_eq!(config.threads, Some(3));
        assert_eq!(config.workload, Some(Kernel::Hash));
        assert_eq!(config.chart_window(), Some(ChartWindow::Minutes10));
        assert_eq!(config.theme, Some(ThemeName::Light));
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("fps = 10\nbackend = \"rayn\"\n", "2:"),
            ("fps = 10\n\nthreads = 100000\n", "3: threads"),
            ("fps = 500\n", "1: fps"),
            ("workload = \"argon2\"\nsize = 4194304\n", "2: size"),
            ("chart-window = \"5m\"\n", "1: chart-window"),
            ("colour = \"red\"\n", "1:"),
            ("fps = \n", "1:"),
        ];
        for (text, start) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with(start), "{text:?}: {error}");
            assert!(
                !error.contains('\n') || error.lines().count() <= 3,
                "{error}"
            );
        }
    }

    #[test]
    fn an_empty_file_changes_nothing() {
        assert_eq!(parse("").unwrap(), Config::default());
    }
}
