//! How much time the charts show (`t` cycles): 30 s, 2 min or 10 min.

/// The span of every time chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChartWindow {
    Seconds30,
    #[default]
    Minutes2,
    Minutes10,
}

impl ChartWindow {
    pub fn seconds(self) -> f64 {
        match self {
            ChartWindow::Seconds30 => 30.0,
            ChartWindow::Minutes2 => 120.0,
            ChartWindow::Minutes10 => 600.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChartWindow::Seconds30 => "30 s",
            ChartWindow::Minutes2 => "2 min",
            ChartWindow::Minutes10 => "10 min",
        }
    }

    /// `30s`, `2m` or `10m` (the config file's spelling).
    pub fn parse(text: &str) -> Option<ChartWindow> {
        match text.trim() {
            "30s" => Some(ChartWindow::Seconds30),
            "2m" => Some(ChartWindow::Minutes2),
            "10m" => Some(ChartWindow::Minutes10),
            _ => None,
        }
    }

    pub fn next(self) -> ChartWindow {
        match self {
            ChartWindow::Seconds30 => ChartWindow::Minutes2,
            ChartWindow::Minutes2 => ChartWindow::Minutes10,
            ChartWindow::Minutes10 => ChartWindow::Seconds30,
        }
    }
}
