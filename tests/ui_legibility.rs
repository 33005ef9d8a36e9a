//! Legible at 80x24, 120x40 and 200x60: whole frames as reviewed insta
//! snapshots, and a check that fails when any word is cut at a panel's edge
//! instead of being shortened on purpose (with `…`) or dropped whole.

mod ui_support;

use std::collections::HashSet;

use loadlab::ui::app::App;
use loadlab::ui::draw;
use loadlab::ui::focus::PanelId;
use loadlab::ui::keys::update;
use loadlab::ui::panels;
use loadlab::ui::theme::Theme;
use ui_support::*;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 60)];

fn frame_text(app: &App, width: u16, height: u16) -> String {
    render_text(width, height, |f| draw::render(f, app, now()))
}

/// The frame without what changes from run to run: the wall clock of lines
/// logged while the test runs, and the scenario's seconds played.
fn steady(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let clock = chars.len() >= i + 8
                && [0, 1, 3, 4, 6, 7]
                    .iter()
                    .all(|k| chars[i + k].is_ascii_digit())
                && chars[i + 2] == ':'
                && chars[i + 5] == ':';
            if clock {
                out.push_str("hh:mm:ss");
                i += 8;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out.push('\n');
    }
    let marker = "scenario 3/7 at ";
    match out.find(marker) {
        Some(at) => {
            let from = at + marker.len();
            let digits = out[from..].chars().take_while(char::is_ascii_digit).count();
            out.replace_range(from..from + digits, "N");
            out
        }
        None => out,
    }
}

/// Box-drawing characters: where one panel's text ends.
fn is_border(c: char) -> bool {
    ('\u{2500}'..='\u{257f}').contains(&c)
}

/// Chart dots, heat-strip blocks and bars are drawings, not words.
fn is_drawing(word: &str) -> bool {
    word.chars()
        .all(|c| ('\u{2580}'..='\u{28ff}').contains(&c) || c == '•' || c == '·')
}

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| c.is_whitespace() || is_border(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Words that touch a border or the screen's right edge: where clipping happens.
fn edge_words(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (row, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            let at_edge = i + 1 == chars.len() || is_border(chars[i + 1]);
            if c.is_whitespace() || is_border(*c) || !at_edge {
                continue;
            }
            let start = chars[..=i]
                .iter()
                .rposition(|c| c.is_whitespace() || is_border(*c))
                .map_or(0, |p| p + 1);
            let word: String = chars[start..=i].iter().collect();
            out.push((row, word));
        }
    }
    out
}

/// Fails on a word at an edge that is neither whole (seen in the roomy
/// rendering) nor marked as shortened.
fn assert_no_cut_words(what: &str, text: &str, whole: &HashSet<String>) {
    for (row, word) in edge_words(text) {
        if word.ends_with('…') || is_drawing(&word) || whole.contains(&word) {
            continue;
        }
        panic!("{what}: '{word}' is cut at row {row}:\n{text}");
    }
}

/// The words of everything drawn with room to spare.
fn roomy_words(app: &App) -> HashSet<String> {
    let mut all = words(&frame_text(app, 400, 100));
    // Shown only when a list overflows, which it never does with room to spare.
    all.extend(words("… more below (PgDn, j; Enter zooms)"));
    for panel in PanelId::ALL {
        all.extend(words(&render_text(400, 100, |f| {
            panels::render(f, f.area(), app, panel, false)
        })));
    }
    all
}

#[test]
fn whole_frames_at_three_sizes() {
    let app = long_values_app(Theme::colored());
    for (w, h) in SIZES {
        insta::assert_snapshot!(
            format!("long_values_{w}x{h}"),
            steady(&frame_text(&app, w, h))
        );
    }
    let plain = app_with_history(Theme::colored());
    insta::assert_snapshot!("frame_200x60", frame_text(&plain, 200, 60));
}

#[test]
fn no_word_is_cut_in_any_panel_at_any_size() {
    for app in [
        app_with_history(Theme::colored()),
        long_values_app(Theme::colored()),
    ] {
        let whole = roomy_words(&app);
        for (w, h) in SIZES {
            let text = frame_text(&app, w, h);
            assert_no_cut_words(&format!("frame {w}x{h}"), &text, &whole);
        }
        // Each panel alone at the sizes it takes in the grids, and zoomed.
        for panel in PanelId::ALL {
            for (w, h) in [
                (40, 6),
                (40, 9),
                (60, 11),
                (60, 15),
                (100, 17),
                (120, 37),
                (200, 57),
            ] {
                let text = render_text(w, h, |f| panels::render(f, f.area(), &app, panel, true));
                assert_no_cut_words(&format!("{} at {w}x{h}", panel.title()), &text, &whole);
            }
        }
    }
}

#[test]
fn the_check_catches_a_clipped_word() {
    let whole = words("backend spawn-blocking threads 12");
    let clipped = "│backend spawn-blo│\n";
    let caught = std::panic::catch_unwind(|| assert_no_cut_words("test", clipped, &whole));
    assert!(caught.is_err(), "a clipped word went unnoticed");
    assert_no_cut_words("test", "│backend spawn-b…│\n", &whole);
}

#[test]
fn controls_line_fits_by_priority_and_ends_with_help() {
    let app = app_with_history(Theme::colored());
    for (w, h) in SIZES {
        let text = frame_text(&app, w, h);
        let controls = text.lines().last().unwrap_or_default().trim_end();
        assert!(controls.ends_with("? help"), "{w}x{h}: {controls}");
        assert!(controls.starts_with("q quit"), "{w}x{h}: {controls}");
        assert!(controls.contains("b/B backend"), "{w}x{h}: {controls}");
    }
    let wide = frame_text(&app, 200, 60);
    let controls = wide.lines().last().unwrap_or_default();
    for (key, what, _) in loadlab::ui::controls::CONTROLS {
        assert!(controls.contains(&format!("{key} {what}")), "{controls}");
    }
}

#[test]
fn status_line_keeps_the_counts_when_the_message_is_long() {
    let app = long_values_app(Theme::colored());
    for (w, h) in SIZES {
        let text = frame_text(&app, w, h);
        let status = text.lines().nth(usize::from(h) - 2).unwrap_or_default();
        assert!(status.contains("123456789"), "{w}x{h}: {status}");
        assert!(status.contains("1728915"), "{w}x{h}: {status}");
        assert!(status.contains("workload ->"), "{w}x{h}: {status}");
    }
}

#[test]
fn the_help_shows_in_full_what_the_screen_shortened() {
    let mut app = long_values_app(Theme::colored());
    update(&mut app, ch('?'), now());
    let mut seen = String::new();
    // Page through the overlay at the smallest size.
    for _ in 0..10 {
        seen.push_str(&frame_text(&app, 80, 24));
        update(&mut app, loadlab_key_pgdn(), now());
    }
    let unboxed: String = seen
        .chars()
        .map(|c| if is_border(c) { ' ' } else { c })
        .collect();
    let flat: String = unboxed.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "health stays green only while the heartbeat keeps its beat",
        "every field checked against the kernel's limits",
        "size 1000000 is over the resize limit of 4096 pixels per side",
        "backend spawn-blocking · threads 12 · app workers 4",
    ] {
        assert!(flat.contains(needle), "help lacks '{needle}':\n{seen}");
    }
    for (_, what) in loadlab::ui::help::KEYS {
        assert!(flat.contains(what), "help lacks '{what}'");
    }
}

fn loadlab_key_pgdn() -> crossterm::event::KeyEvent {
    key(crossterm::event::KeyCode::PageDown)
}
