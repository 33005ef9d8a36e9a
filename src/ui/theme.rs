//! Styles. With `NO_COLOR` set (<https://no-color.org>) every state still reads
//! through modifiers: bold, reversed, dim, underline.

use ratatui::style::{Color, Modifier, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// Colours chosen to read on a light terminal background.
    pub light: bool,
}

/// The themes a user can pick (`--theme`, the config file's `theme`).
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Deserialize,
    serde::Serialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ThemeName {
    /// Colours for a dark background.
    #[default]
    Default,
    /// Colours for a light background.
    Light,
    /// No colours at all, as with `NO_COLOR`.
    NoColor,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Theme {
        Theme::named(ThemeName::Default)
    }

    /// The theme called `name`; `NO_COLOR` in the environment always wins.
    pub fn named(name: ThemeName) -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        match name {
            _ if no_color => Theme::monochrome(),
            ThemeName::NoColor => Theme::monochrome(),
            ThemeName::Light => Theme {
                color: true,
                light: true,
            },
            ThemeName::Default => Theme::colored(),
        }
    }

    pub fn colored() -> Theme {
        Theme {
            color: true,
            light: false,
        }
    }

    pub fn monochrome() -> Theme {
        Theme {
            color: false,
            light: false,
        }
    }

    /// `dark` on the default theme, `light` where the background is light.
    fn pick(self, dark: Color, light: Color) -> Color {
        if self.light { light } else { dark }
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
            Style::new().fg(self.pick(Color::Gray, Color::DarkGray))
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
        self.fg(self.pick(Color::Cyan, Color::Blue))
            .add_modifier(Modifier::BOLD)
    }

    pub fn focused_title(self) -> Style {
        if self.color {
            Style::new()
                .fg(self.pick(Color::Cyan, Color::Blue))
                .add_modifier(Modifier::BOLD)
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
        // xterm's grey ramp, towards the background: 250 down to 238 on a
        // dark one, 238 up to 250 on a light one.
        let step = (gone * 12.0).round() as u8;
        let level = if self.light { 238 + step } else { 250 - step };
        self.dim().patch(self.fg(Color::Indexed(level)))
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warn(self) -> Style {
        self.fg(self.amber()).add_modifier(Modifier::BOLD)
    }

    /// Yellow reads on a dark background only; a dark orange on a light one.
    fn amber(self) -> Color {
        self.pick(Color::Yellow, Color::Indexed(130))
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
            0 => self.fg(self.pick(Color::Cyan, Color::Blue)),
            1 => self.fg(Color::Magenta),
            _ => self.fg(self.amber()),
        }
    }

    /// Vertical marker where the configuration changed.
    pub fn marker(self) -> Style {
        self.fg(self.amber())
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn key(self) -> Style {
        self.fg(self.pick(Color::Cyan, Color::Blue))
            .add_modifier(Modifier::BOLD)
    }

    /// Style for a CPU or busy share of 0..100 %.
    pub fn load(self, pct: f64) -> Style {
        if pct >= 90.0 {
            self.fg(Color::Red)
        } else if pct >= 50.0 {
            self.fg(self.amber())
        } else {
            self.fg(Color::Green)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_light_theme_trades_colours_that_vanish_on_white() {
        let light = Theme {
            color: true,
            light: true,
        };
        let dark = Theme::colored();
        assert_eq!(dark.warn().fg, Some(Color::Yellow));
        assert_eq!(light.warn().fg, Some(Color::Indexed(130)));
        assert_eq!(light.label().fg, Some(Color::DarkGray));
        assert_eq!(light.key().fg, Some(Color::Blue));
        // Fading goes towards the background: darker on dark, lighter on light.
        assert!(matches!(dark.fading(1.0).fg, Some(Color::Indexed(238))));
        assert!(matches!(light.fading(1.0).fg, Some(Color::Indexed(250))));
        assert_eq!(Theme::monochrome().warn().fg, None);
    }
}
