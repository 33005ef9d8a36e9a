//! Key sequences -> actions and engine commands: swap, resize, load, pause,
//! stop/start, quit, the workload form's validation, and a seeded storm of
//! random keys through update + render that must never panic.

mod ui_support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use loadlab::engine::Refused;
use loadlab::engine::command::Command;
use loadlab::logging::LogBuffer;
use loadlab::spec::{BackendKind, Kernel, LoadMode};
use loadlab::ui::action::Action;
use loadlab::ui::app::App;
use loadlab::ui::event_loop::perform;
use loadlab::ui::focus::PanelId;
use loadlab::ui::keys::update;
use loadlab::ui::theme::Theme;
use loadlab::ui::{draw, form};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ui_support::*;

fn live_app() -> App {
    let mut app = App::new(Theme::colored(), LogBuffer::new(20), PathBuf::from("."));
    app.on_snapshot(Arc::new(rayon_snapshot(1, 0.0)));
    app
}

fn press(app: &mut App, keys: &[KeyEvent]) -> Vec<Action> {
    let now = Instant::now();
    keys.iter().flat_map(|k| update(app, *k, now)).collect()
}

fn typed(text: &str) -> Vec<KeyEvent> {
    text.chars().map(ch).collect()
}

fn apply(command: Command) -> Action {
    Action::Apply(command)
}

#[test]
fn b_and_shift_b_swap_backends_and_quick_presses_build_on_each_other() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch('b'), ch('b')]),
        vec![
            apply(Command::SetBackend {
                backend: BackendKind::Channel
            }),
            apply(Command::SetBackend {
                backend: BackendKind::Inline
            }),
        ]
    );
    assert_eq!(
        press(&mut app, &[ch('B')]),
        vec![apply(Command::SetBackend {
            backend: BackendKind::Channel
        })]
    );
}

#[test]
fn plus_minus_resize_never_below_one() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch('+')]),
        vec![apply(Command::SetThreads { threads: 3 })]
    );
    assert_eq!(
        press(&mut app, &[ch('-'), ch('-'), ch('-'), ch('-')]),
        vec![
            apply(Command::SetThreads { threads: 2 }),
            apply(Command::SetThreads { threads: 1 }),
        ]
    );
    let status = app.view.status.as_ref().map(|s| s.text.clone());
    assert_eq!(
        status.as_deref(),
        Some("threads: already at the minimum of 1")
    );
}

#[test]
fn a_new_snapshot_that_matches_the_request_is_taken_as_truth() {
    let mut app = live_app();
    press(&mut app, &[ch('+')]);
    let mut confirmed = rayon_snapshot(2, 0.0);
    confirmed.config.threads = 3;
    app.on_snapshot(Arc::new(confirmed));
    let mut later = rayon_snapshot(3, 0.0);
    later.config.threads = 5; // changed elsewhere (a scenario)
    app.on_snapshot(Arc::new(later));
    assert_eq!(
        press(&mut app, &[ch('+')]),
        vec![apply(Command::SetThreads { threads: 6 })]
    );
}

#[test]
fn brackets_scale_inflight_or_rate() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch(']'), ch('['), ch('[')]),
        vec![
            apply(Command::SetLoad {
                load: LoadMode::Closed { inflight: 5 }
            }),
            apply(Command::SetLoad {
                load: LoadMode::Closed { inflight: 4 }
            }),
            apply(Command::SetLoad {
                load: LoadMode::Closed { inflight: 3 }
            }),
        ]
    );
    let mut open = rayon_snapshot(2, 0.0);
    open.config.load = LoadMode::Open { rate: 100.0 };
    let mut app = live_app();
    app.on_snapshot(Arc::new(open));
    assert_eq!(
        press(&mut app, &[ch(']')]),
        vec![apply(Command::SetLoad {
            load: LoadMode::Open { rate: 125.0 }
        })]
    );
}

#[test]
fn space_pauses_then_resumes() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch(' '), ch(' ')]),
        vec![
            apply(Command::Pause { paused: true }),
            apply(Command::Pause { paused: false }),
        ]
    );
}

#[test]
fn s_stops_once_and_shift_s_starts() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch('s'), ch('s'), ch('S')]),
        vec![apply(Command::Stop), apply(Command::Start)]
    );
}

#[test]
fn r_resets_e_exports_f_freezes_without_commands() {
    let mut app = live_app();
    assert_eq!(
        press(&mut app, &[ch('r'), ch('e'), ch('f')]),
        vec![apply(Command::ResetStats), Action::Export]
    );
    assert!(app.is_frozen());
}

#[test]
fn q_ctrl_c_and_q_from_help_quit() {
    let mut app = live_app();
    assert_eq!(press(&mut app, &[ch('q')]), vec![Action::Quit]);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(press(&mut app, &[ctrl_c]), vec![Action::Quit]);
    assert!(press(&mut app, &[ch('?')]).is_empty());
    assert!(app.view.help);
    assert_eq!(press(&mut app, &[ch('q')]), vec![Action::Quit]);
}

#[test]
fn f10_quits_and_ctrl_z_suspends_from_anywhere() {
    let mut app = live_app();
    let f10 = KeyEvent::new(KeyCode::F(10), KeyModifiers::NONE);
    let ctrl_z = KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(press(&mut app, &[f10]), vec![Action::Quit]);
    assert_eq!(press(&mut app, &[ctrl_z]), vec![Action::Suspend]);
    // In the workload form too: neither key is text.
    assert!(press(&mut app, &[ch('w')]).is_empty());
    assert!(app.view.form.is_some());
    assert_eq!(press(&mut app, &[ctrl_z]), vec![Action::Suspend]);
    assert_eq!(press(&mut app, &[f10]), vec![Action::Quit]);
}

#[test]
fn help_swallows_the_key_that_closes_it() {
    let mut app = live_app();
    assert!(press(&mut app, &[ch('?'), ch('b')]).is_empty());
    assert!(!app.view.help);
}

#[test]
fn key_releases_and_other_ctrl_keys_do_nothing() {
    let mut app = live_app();
    let mut release = ch('q');
    release.kind = KeyEventKind::Release;
    let ctrl_b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::CONTROL);
    assert!(press(&mut app, &[release, ctrl_b]).is_empty());
}

#[test]
fn tab_and_arrows_move_focus_enter_zooms() {
    let mut app = live_app();
    press(
        &mut app,
        &[key(KeyCode::Tab), key(KeyCode::Tab), key(KeyCode::Right)],
    );
    assert_eq!(app.view.focus, PanelId::Health);
    press(
        &mut app,
        &[
            key(KeyCode::Down),
            key(KeyCode::Left),
            key(KeyCode::BackTab),
        ],
    );
    assert_eq!(app.view.focus, PanelId::Health);
    press(&mut app, &[key(KeyCode::Enter)]);
    assert!(app.view.zoomed);
    press(&mut app, &[key(KeyCode::Esc)]);
    assert!(!app.view.zoomed);
}

#[test]
fn form_rejects_bad_values_and_applies_nothing() {
    let mut app = live_app();
    press(&mut app, &[ch('w'), key(KeyCode::Tab)]);
    let mut keys = vec![key(KeyCode::Backspace); 10];
    keys.extend(typed("12x"));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    let form = app.view.form.as_ref().expect("form stays open");
    assert_eq!(
        form.error.as_deref(),
        Some("size: '12x' is not a whole number (loop iterations)")
    );
    // Esc: closed, nothing applied.
    assert!(press(&mut app, &[key(KeyCode::Esc)]).is_empty());
    assert!(app.view.form.is_none());
}

#[test]
fn form_checks_path_and_kernel_together() {
    let mut app = live_app();
    // Kernel -> count (needs --path); no path given.
    let mut keys = vec![ch('w')];
    keys.extend(std::iter::repeat_n(key(KeyCode::Right), 5));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    let form = app.view.form.as_ref().expect("form open");
    assert_eq!(form.kernel, Kernel::Count);
    assert!(
        form.error
            .as_deref()
            .is_some_and(|e| e.contains("needs a path")),
        "{:?}",
        form.error
    );
    // A path that does not exist is named.
    let mut keys = vec![key(KeyCode::BackTab)];
    keys.extend(typed("/no/such/place"));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    let error = app.view.form.as_ref().and_then(|f| f.error.clone());
    assert_eq!(
        error.as_deref(),
        Some("path: /no/such/place does not exist")
    );
}

#[test]
fn form_applies_a_valid_workload_and_open_loop_rate() {
    let mut app = live_app();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.txt"), "hello\n").expect("write");
    let mut keys = vec![ch('w')];
    keys.extend(std::iter::repeat_n(key(KeyCode::Right), 5)); // count
    keys.extend([key(KeyCode::Down); 3]); // mode
    keys.push(key(KeyCode::Right)); // open loop
    keys.push(key(KeyCode::Down)); // rate
    keys.extend([key(KeyCode::Backspace); 5]);
    keys.extend(typed("250"));
    keys.push(key(KeyCode::Down)); // path
    keys.extend(typed(&dir.path().display().to_string()));
    keys.push(key(KeyCode::Enter));
    let actions = press(&mut app, &keys);
    assert!(app.view.form.is_none(), "{:?}", app.view.form);
    let mut expected = app.data.snapshot.config.workload.clone();
    expected.kernel = Kernel::Count;
    expected.path = Some(dir.path().to_path_buf());
    assert_eq!(
        actions,
        vec![
            apply(Command::SetWorkload { workload: expected }),
            apply(Command::SetLoad {
                load: LoadMode::Open { rate: 250.0 }
            }),
        ]
    );
}

#[test]
fn unchanged_form_sends_nothing() {
    let mut app = live_app();
    assert!(press(&mut app, &[ch('w'), key(KeyCode::Enter)]).is_empty());
    assert!(app.view.form.is_none());
    let _ = form::Field::ALL;
}

#[test]
fn refused_commands_show_the_engine_reason() {
    let mut app = live_app();
    let controller = FakeController::new(Some(|| Refused::NoThreads));
    let actions = press(&mut app, &[ch('-')]);
    assert!(!perform(&mut app, &controller, actions, Instant::now()));
    let status = app.view.status.clone().expect("status");
    assert!(status.error);
    assert_eq!(status.text, "threads 1: threads: must be at least 1");
    assert_eq!(controller.taken(), vec![Command::SetThreads { threads: 1 }]);
}

#[test]
fn export_writes_the_displayed_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = App::new(
        Theme::colored(),
        LogBuffer::new(5),
        dir.path().to_path_buf(),
    );
    app.on_snapshot(Arc::new(rayon_snapshot(9, 0.0)));
    let controller = FakeController::new(None);
    let actions = press(&mut app, &[ch('e')]);
    perform(&mut app, &controller, actions, Instant::now());
    let status = app.view.status.clone().expect("status").text;
    let path = status.strip_prefix("exported ").expect("file name shown");
    let text = std::fs::read_to_string(path).expect("exported file");
    let back: loadlab::metrics::snapshot::Snapshot = serde_json::from_str(&text).expect("json");
    assert_eq!(back.seq, 9);
}

#[test]
fn export_can_add_a_picture_of_the_screen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = App::new(
        Theme::colored(),
        LogBuffer::new(5),
        dir.path().to_path_buf(),
    );
    app.export_screen = true;
    app.on_snapshot(Arc::new(rayon_snapshot(9, 0.0)));
    let controller = FakeController::new(None);
    let actions = press(&mut app, &[ch('e')]);
    perform(&mut app, &controller, actions, Instant::now());
    let status = app.view.status.clone().expect("status");
    assert!(!status.error, "{}", status.text);
    let json = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("json written");
    let text = std::fs::read_to_string(json.with_extension("txt")).expect("txt");
    assert!(
        text.starts_with("loadlab  RUNNING  backend rayon threads 2"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 40);
    let svg = std::fs::read_to_string(json.with_extension("svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains("Runtime health"));
}

#[test]
fn demo_key_runs_offload_inline_offload() {
    let mut app = live_app();
    let t0 = Instant::now();
    assert!(
        update(&mut app, ch('d'), t0).is_empty(),
        "work already flows"
    );
    // The first step plays at the next tick, like a --scenario's.
    assert_eq!(
        app.tick(t0).first(),
        Some(&apply(Command::SetBackend {
            backend: BackendKind::Rayon
        }))
    );
    let mut swaps = Vec::new();
    let mut captions = 0;
    for s in 1..=31 {
        for action in app.tick(t0 + Duration::from_secs(s)) {
            match action {
                Action::Apply(Command::Caption { .. }) => captions += 1,
                other => swaps.push(other),
            }
        }
    }
    // Captions go to the engine too, as a scenario's do (the last clears it).
    assert_eq!(captions, 3);
    assert_eq!(
        swaps,
        vec![
            apply(Command::SetBackend {
                backend: BackendKind::Inline
            }),
            apply(Command::SetBackend {
                backend: BackendKind::Rayon
            }),
        ]
    );
    assert!(app.playback().is_none());
    // It ends on a summary of its periods, with the comparison on screen.
    let status = app.view.status.as_ref().map(|s| s.text.as_str());
    assert!(
        status.is_some_and(|s| s.starts_with("guided demo finished")),
        "{status:?}"
    );
    assert!(app.view.comparison);
}

/// Two steps: inline at 0 s ("one"), 4 threads at 2 s ("two"); over at 3 s.
const TWO_STEPS: &str = r#"
duration = 3.0
[[step]]
at = 0.0
backend = "inline"
caption = "one"
[[step]]
at = 2.0
threads = 4
caption = "two"
"#;

#[test]
fn a_scenario_plays_its_commands_on_time_with_captions() {
    let mut app = live_app();
    let t0 = Instant::now();
    let scenario = loadlab::scenario::Scenario::parse(TWO_STEPS, "two steps").expect("parses");
    app.data
        .session
        .play(loadlab::session::playback::Playback::new(scenario, t0));
    assert_eq!(
        app.tick(t0),
        vec![
            apply(Command::SetBackend {
                backend: BackendKind::Inline
            }),
            // The caption goes to the engine too, for Snapshots and recordings.
            apply(Command::Caption {
                text: Some("one".into())
            })
        ]
    );
    let screen = render_text(120, 40, |f| draw::render(f, &app, t0));
    assert!(screen.contains("scenario 1/2 at 0s  one"), "{screen}");
    assert!(app.tick(t0 + Duration::from_secs(1)).is_empty());
    assert_eq!(
        app.tick(t0 + Duration::from_secs(2)),
        vec![
            apply(Command::SetThreads { threads: 4 }),
            apply(Command::Caption {
                text: Some("two".into())
            })
        ]
    );
    assert!(app.playback().is_some());
    // Over: the engine's caption is cleared, so later Snapshots carry none.
    assert_eq!(
        app.tick(t0 + Duration::from_secs(3)),
        vec![apply(Command::Caption { text: None })]
    );
    assert!(app.playback().is_none());
    let status = app.view.status.as_ref().map(|s| s.text.as_str());
    assert_eq!(status, Some("scenario finished"));
}

/// xorshift64*: a fixed, dependency-free stream so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_key(rng: &mut Rng) -> KeyEvent {
    const CODES: [KeyCode; 15] = [
        KeyCode::End,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Backspace,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::F(1),
        KeyCode::Delete,
    ];
    const CHARS: &[u8] = b"bB+-=_[]wsSrfedc? 0123456789.x/aZjkgGoilt<>,";
    let code = if rng.below(3) == 0 {
        CODES[rng.below(CODES.len() as u64) as usize]
    } else {
        KeyCode::Char(CHARS[rng.below(CHARS.len() as u64) as usize] as char)
    };
    let modifiers = match rng.below(20) {
        0 => KeyModifiers::ALT,
        1 => KeyModifiers::CONTROL,
        _ => KeyModifiers::NONE,
    };
    let mut key = KeyEvent::new(code, modifiers);
    if rng.below(10) == 0 {
        key.kind = KeyEventKind::Release;
    }
    key
}

#[test]
fn thousands_of_random_keys_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let controller = FakeController::new(None);
    let refusing = FakeController::new(Some(|| Refused::NoInflight));
    let mut app = App::new(
        Theme::colored(),
        LogBuffer::new(20),
        dir.path().to_path_buf(),
    );
    let sizes = [
        (120, 40),
        (80, 24),
        (1, 1),
        (10, 5),
        (200, 60),
        (79, 30),
        (81, 24),
    ];
    let mut terminals: Vec<_> = sizes
        .iter()
        .map(|(w, h)| Terminal::new(TestBackend::new(*w, *h)).expect("terminal"))
        .collect();
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let t0 = Instant::now();
    let mut quits = 0;
    for i in 0..6_000u64 {
        let now = t0 + Duration::from_millis(i * 37);
        let key = random_key(&mut rng);
        let actions = update(&mut app, key, now);
        let target = if rng.below(8) == 0 {
            &refusing
        } else {
            &controller
        };
        if perform(&mut app, target, actions, now) {
            quits += 1;
        }
        if i % 7 == 0 {
            let t = i / 7 + 1;
            let mut snapshot = match rng.below(4) {
                0 => inline_snapshot(t),
                _ => rayon_snapshot(t, (t % 10) as f64 / 10.0),
            };
            if rng.below(3) == 0 {
                snapshot.tasks.failed = t * 3;
                snapshot.failures.per_s = 3.0;
                snapshot.failures.first_error = Some("task 1: a failure".into());
                snapshot.failures.latest_cause = Some(format!("failure number {t}"));
            }
            app.on_snapshot(Arc::new(snapshot));
        }
        if rng.below(5) == 0 {
            use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
            let kind = match rng.below(3) {
                0 => MouseEventKind::Down(MouseButton::Left),
                1 => MouseEventKind::ScrollDown,
                _ => MouseEventKind::ScrollUp,
            };
            let event = MouseEvent {
                kind,
                column: rng.below(220) as u16,
                row: rng.below(70) as u16,
                modifiers: KeyModifiers::NONE,
            };
            loadlab::ui::mouse::update(&mut app, event);
        }
        let _ = app.tick(now);
        let terminal = &mut terminals[(i % sizes.len() as u64) as usize];
        terminal.draw(|f| draw::render(f, &app, now)).expect("draw");
    }
    assert!(quits > 0, "the storm should have hit q at least once");
    assert!(!controller.taken().is_empty());
}

fn with_config(edit: impl FnOnce(&mut loadlab::metrics::snapshot::ConfigView)) -> App {
    let mut snapshot = rayon_snapshot(2, 0.0);
    edit(&mut snapshot.config);
    let mut app = live_app();
    app.on_snapshot(Arc::new(snapshot));
    app
}

fn last_load(actions: &[Action]) -> Option<LoadMode> {
    actions.iter().rev().find_map(|a| match a {
        Action::Apply(Command::SetLoad { load }) => Some(*load),
        _ => None,
    })
}

#[test]
fn holding_the_bracket_stops_at_the_in_flight_and_rate_limits() {
    use loadlab::bounds::{INFLIGHT_MAX, RATE_MAX, RATE_MIN};
    // Three seconds of key repeat is a few hundred presses; far more here.
    let mut app = live_app();
    let actions = press(&mut app, &vec![ch(']'); 2_000]);
    assert_eq!(
        last_load(&actions),
        Some(LoadMode::Closed {
            inflight: INFLIGHT_MAX
        })
    );
    assert!(actions.len() < 100, "presses at the limit send nothing");
    let status = app.view.status.clone().expect("status").text;
    assert!(status.contains("limit of 100000"), "{status}");

    let mut app = with_config(|c| c.load = LoadMode::Open { rate: 100.0 });
    let actions = press(&mut app, &vec![ch(']'); 2_000]);
    assert_eq!(last_load(&actions), Some(LoadMode::Open { rate: RATE_MAX }));
    let mut app = with_config(|c| c.load = LoadMode::Open { rate: 100.0 });
    let actions = press(&mut app, &vec![ch('['); 2_000]);
    assert_eq!(last_load(&actions), Some(LoadMode::Open { rate: RATE_MIN }));
}

#[test]
fn plus_stops_at_the_backend_thread_limit() {
    let mut app = live_app();
    let actions = press(&mut app, &vec![ch('+'); 1_000]);
    assert_eq!(
        actions.last(),
        Some(&apply(Command::SetThreads {
            threads: loadlab::bounds::POOL_THREADS_MAX
        }))
    );
    assert!(
        app.view
            .status
            .clone()
            .expect("status")
            .text
            .contains("limit of 512")
    );
    // Inline runs on the app workers: no more threads than they are.
    let mut app = with_config(|c| c.backend = BackendKind::Inline);
    assert!(press(&mut app, &[ch('+')]).is_empty());
    let status = app.view.status.clone().expect("status").text;
    assert!(status.contains("2 app workers"), "{status}");
}

fn form_error(app: &App) -> String {
    app.view
        .form
        .as_ref()
        .and_then(|f| f.error.clone())
        .unwrap_or_default()
}

#[test]
fn form_refuses_values_beyond_the_bounds() {
    // Amount field: in flight far above the limit.
    let mut app = live_app();
    let mut keys = vec![ch('w')];
    keys.extend([key(KeyCode::Down); 4]);
    keys.extend([key(KeyCode::Backspace); 3]);
    keys.extend(typed("999999999"));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    assert!(
        form_error(&app).starts_with("in flight: 999999999 is outside"),
        "{}",
        form_error(&app)
    );

    // Kernel argon2 (3 steps right of sumsq) with a size above its memory limit.
    let mut app = live_app();
    let mut keys = vec![
        ch('w'),
        key(KeyCode::Right),
        key(KeyCode::Right),
        key(KeyCode::Right),
    ];
    keys.push(key(KeyCode::Down));
    keys.extend([key(KeyCode::Backspace); 10]);
    keys.extend(typed("4194304"));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    assert!(
        form_error(&app).starts_with("size: 4194304 is outside 1..=1048576 for argon2"),
        "{}",
        form_error(&app)
    );

    // Open loop at 1e300 arrivals per second.
    let mut app = with_config(|c| c.load = LoadMode::Open { rate: 100.0 });
    let mut keys = vec![ch('w')];
    keys.extend([key(KeyCode::Down); 4]);
    keys.extend([key(KeyCode::Backspace); 3]);
    keys.extend(typed("1e300"));
    keys.push(key(KeyCode::Enter));
    assert!(press(&mut app, &keys).is_empty());
    assert!(
        form_error(&app).starts_with("rate: 1e300 is outside"),
        "{}",
        form_error(&app)
    );
}

#[test]
fn typing_stops_at_the_field_length_limit() {
    let mut app = live_app();
    press(&mut app, &[ch('w'), key(KeyCode::Down)]);
    press(&mut app, &typed(&"9".repeat(200)));
    let form = app.view.form.as_ref().expect("form");
    assert_eq!(
        form.size.chars().count(),
        loadlab::bounds::FORM_NUMBER_MAX_CHARS
    );
    assert!(
        form_error(&app).contains("at most 24 characters"),
        "{}",
        form_error(&app)
    );
}

#[test]
fn a_large_paste_is_one_event_cut_to_the_field_limit_and_q_still_quits() {
    use loadlab::ui::keys::paste;
    let now = Instant::now();
    let big: String = "/tmp/x".repeat(100_000 / 6) + "\nq";
    // Outside the form a paste is not a burst of key presses.
    let mut app = live_app();
    assert!(paste(&mut app, &big, now).is_empty());
    assert!(
        app.view
            .status
            .clone()
            .expect("status")
            .text
            .contains("paste ignored")
    );
    assert_eq!(press(&mut app, &[ch('q')]), vec![Action::Quit]);

    // Into the path field: cut to its limit, the newline left out (no submit).
    let mut app = live_app();
    press(&mut app, &[ch('w'), key(KeyCode::BackTab)]);
    assert!(paste(&mut app, &big, now).is_empty());
    let form = app.view.form.as_ref().expect("the form stays open");
    assert_eq!(
        form.path.chars().count(),
        loadlab::bounds::FORM_PATH_MAX_CHARS
    );
    assert!(!form.path.contains('\n'));
    assert!(form_error(&app).starts_with("path: at most 4096 characters"));
    // Drawing the form with the long value works; then Esc and q quit.
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    terminal
        .draw(|frame| draw::render(frame, &app, now))
        .expect("draw");
    assert!(press(&mut app, &[key(KeyCode::Esc)]).is_empty());
    assert_eq!(press(&mut app, &[ch('q')]), vec![Action::Quit]);

    // A pasted number with a trailing newline fills the field only.
    let mut app = live_app();
    press(&mut app, &[ch('w'), key(KeyCode::Down)]);
    press(&mut app, &[key(KeyCode::Backspace); 10]);
    paste(&mut app, "123\n", now);
    assert_eq!(app.view.form.as_ref().expect("form").size, "123");
}

#[test]
fn export_never_writes_through_planted_links() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "keep").expect("victim");
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Links at every name the next seconds could use first.
    for ts in now_s..now_s + 5 {
        for ext in ["json", "svg", "txt"] {
            let name = dir.path().join(format!("loadlab-snapshot-{ts}.{ext}"));
            std::os::unix::fs::symlink(&victim, name).expect("link");
        }
    }
    let mut app = App::new(
        Theme::colored(),
        LogBuffer::new(5),
        dir.path().to_path_buf(),
    );
    app.export_screen = true;
    app.on_snapshot(Arc::new(rayon_snapshot(9, 0.0)));
    let controller = FakeController::new(None);
    let actions = press(&mut app, &[ch('e')]);
    perform(&mut app, &controller, actions, Instant::now());
    let status = app.view.status.clone().expect("status");
    assert!(!status.error, "{}", status.text);
    assert!(status.text.contains("-2.json"), "{}", status.text);
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "keep");
}
