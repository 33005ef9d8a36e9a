//! Styles. With `NO_COLOR` set (https://no-color.org) every state still reads
//! through modifiers: bold, reversed, dim, underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn colored() -> Theme {
        Theme { color: true }
    }

    pub fn monochrome() -> Theme {
        Theme { color: false }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        Style::new()
    }

    pub fn label(self) -> Style {
        if self.color {
            Style::new().fg(Color::Gray)
        } else {
            Style::new()
        }
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn focused_border(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn focused_title(self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// A row on its way out: dim, and with colours a grey that darkens as
    /// `gone` goes from 0 (just gone) to 1 (about to disappear).
    pub fn fading(self, gone: f64) -> Style {
        let gone = if gone.is_finite() {
            gone.clamp(0.0, 1.0)
        } else {
            1.0
        };
        // xterm's grey ramp: 250 (light) down to 238 (dark).
        let level = 250 - (gone * 12.0).round() as u8;
        self.dim().patch(self.fg(Color::Indexed(level)))
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// A state badge such as HEALTHY / STARVED / FROZEN: reversed so it reads without colour.
    pub fn badge(self, state: Style) -> Style {
        if self.color {
            let bg = state.fg.unwrap_or(Color::White);
            Style::new()
                .fg(Color::Black)
                .bg(bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// Chart series, in order: primary, secondary, tertiary.
    pub fn series(self, index: usize) -> Style {
        match index {
            0 => self.fg(Color::Cyan),
            1 => self.fg(Color::Magenta),
            _ => self.fg(Color::Yellow),
        }
    }

    /// Vertical marker where the configuration changed.
    pub fn marker(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Style for a CPU or busy share of 0..100 %.
    pub fn load(self, pct: f64) -> Style {
        if pct >= 90.0 {
            self.fg(Color::Red)
        } else if pct >= 50.0 {
            self.fg(Color::Yellow)
        } else {
            self.fg(Color::Green)
        }
    }
}
