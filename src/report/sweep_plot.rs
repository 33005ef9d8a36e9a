//! `sweep --plot FILE.svg`: tasks/s against threads, one line per backend
//! through the medians, a min-max bar at every cell, the knee ringed. SVG
//! only, with text left to the viewer's fonts, so no system library is needed.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use super::sweep::SweepReport;
use crate::spec::BackendKind;

const WIDTH: u32 = 900;
const HEIGHT: u32 = 540;

/// A colour per backend that reads on white and differs from the others.
fn colour(backend: BackendKind) -> RGBColor {
    match backend {
        BackendKind::Inline => RGBColor(200, 60, 50),
        BackendKind::SpawnBlocking => RGBColor(40, 110, 190),
        BackendKind::Rayon => RGBColor(30, 140, 80),
        BackendKind::Channel => RGBColor(150, 80, 170),
    }
}

/// Why the chart was not written.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// plotters could not draw (its error's type depends on the drawing
    /// backend: kept as its text).
    #[error("{0}")]
    Draw(String),
    #[error("{0}")]
    Write(#[from] std::io::Error),
    #[error("the plot was written already")]
    WrittenAlready,
}

/// The chart as SVG text.
pub fn render(report: &SweepReport) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(report, &root).map_err(|e| PlotError::Draw(e.to_string()))?;
        root.present().map_err(|e| PlotError::Draw(e.to_string()))?;
    }
    Ok(svg)
}

fn draw<DB: DrawingBackend>(
    report: &SweepReport,
    root: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let max_threads = report.rows.iter().map(|r| r.threads).max().unwrap_or(1);
    let min_threads = report.rows.iter().map(|r| r.threads).min().unwrap_or(1);
    let top = report
        .rows
        .iter()
        .map(|r| r.stats.tasks_per_s_max)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    let rounds = report.rounds;
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "loadlab sweep: tasks/s, median of {rounds} round{}, bars min-max, hollow = noisy ({} cores)",
                if rounds == 1 { "" } else { "s" },
                report.cores
            ),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (min_threads as f64 - 0.5)..(max_threads as f64 + 0.5),
            0.0..top,
        )?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc("threads")
        .y_desc("tasks/s (completed)")
        .x_labels((max_threads - min_threads + 1).min(16))
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| crate::format::rate(*y))
        .draw()?;
    let shown: Vec<BackendKind> = BackendKind::ALL
        .into_iter()
        .filter(|b| report.rows.iter().any(|r| r.backend == *b))
        .collect();
    for (i, backend) in shown.iter().copied().enumerate() {
        let mut cells: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.backend == backend)
            .collect();
        cells.sort_by_key(|r| r.threads);
        // Backends side by side at each thread count, so their bars never hide each other.
        let dodge = (i as f64 - (shown.len() as f64 - 1.0) / 2.0) * 0.06;
        let x = |threads: usize| threads as f64 + dodge;
        let style = colour(backend);
        chart
            .draw_series(LineSeries::new(
                cells.iter().map(|r| (x(r.threads), r.stats.tasks_per_s)),
                style.stroke_width(2),
            ))?
            .label(backend.name())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], style.stroke_width(2))
            });
        chart.draw_series(cells.iter().map(|r| {
            ErrorBar::new_vertical(
                x(r.threads),
                r.stats.tasks_per_s_min,
                r.stats.tasks_per_s,
                r.stats.tasks_per_s_max,
                style.stroke_width(1),
                8,
            )
        }))?;
        // Filled: a steady cell; hollow: a noisy one (see the report's warnings).
        chart.draw_series(cells.iter().map(|r| {
            let marker = if r.noisy {
                WHITE.filled()
            } else {
                style.filled()
            };
            Circle::new((x(r.threads), r.stats.tasks_per_s), 4, marker)
        }))?;
        chart.draw_series(cells.iter().map(|r| {
            Circle::new(
                (x(r.threads), r.stats.tasks_per_s),
                4,
                style.stroke_width(2),
            )
        }))?;
        let knee = report
            .knees
            .get(backend.name())
            .and_then(|knee| cells.iter().find(|r| r.threads == *knee));
        if let Some(r) = knee {
            let at = (x(r.threads), r.stats.tasks_per_s);
            chart.draw_series(std::iter::once(Circle::new(at, 9, style.stroke_width(2))))?;
            chart.draw_series(std::iter::once(Text::new(
                format!("knee ({backend})"),
                at,
                ("sans-serif", 14).into_font().color(&style),
            )))?;
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    Ok(())
}

/// `--plot FILE.svg`, created new (see [`crate::new_file`]) before the sweep
/// measures anything, so a name already taken is refused at once; the chart
/// is written when the sweep ends. A file never written is removed again.
pub struct PlotFile {
    path: PathBuf,
    file: Option<File>,
}

impl PlotFile {
    /// Creates the file; an existing name (file, link, FIFO, device) is refused.
    pub fn create(path: &Path) -> std::io::Result<PlotFile> {
        let file = crate::new_file::create(path, crate::new_file::Existing::Refuse)?;
        Ok(PlotFile {
            path: path.to_path_buf(),
            file: Some(file),
        })
    }

    /// Draws the chart into the file.
    pub fn write(mut self, report: &SweepReport) -> Result<(), PlotError> {
        let svg = render(report)?;
        let mut file = self.file.take().ok_or(PlotError::WrittenAlready)?;
        let written = file.write_all(svg.as_bytes()).and_then(|()| file.flush());
        if written.is_err() {
            crate::new_file::remove_if_same(&self.path, &file);
        }
        Ok(written?)
    }
}

impl Drop for PlotFile {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            crate::new_file::remove_if_same(&self.path, &file);
        }
    }
}

/// Writes the chart to a new file at `path` (never over an existing one,
/// never through a link).
pub fn write(report: &SweepReport, path: &Path) -> Result<(), PlotError> {
    PlotFile::create(path)?.write(report)
}
