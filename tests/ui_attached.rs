//! The dashboard attached to another process: the four panels that need no
//! engine, pools by the names the target's threads carry, wait% beside cpu%,
//! and the probe's verdict (or how to add a probe).

mod ui_support;

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyCode;
use loadlab::logging::LogBuffer;
use loadlab::metrics::attached::{
    AttachedMetrics, AttachedProbe, AttachedView, MetricSeries, MetricType,
};
use loadlab::metrics::snapshot::{PoolKind, Snapshot, SystemView, ThreadView};
use loadlab::ui::app::App;
use loadlab::ui::focus::PanelId;
use loadlab::ui::theme::Theme;
use ui_support::{key, now, pct, render_text};

fn thread(tid: i32, name: &str, pool: &str, cpu: f64, wait: f64) -> ThreadView {
    ThreadView {
        tid,
        name: name.into(),
        pool: PoolKind::named(pool),
        cpu_pct: cpu,
        wait_pct: wait,
        alive: true,
        ..ThreadView::default()
    }
}

fn attached_snapshot(probe: bool) -> Snapshot {
    Snapshot {
        seq: 3,
        elapsed_s: 12.0,
        window_s: 0.1,
        threads: vec![
            thread(4001, "hash-service", "main", 0.0, 0.0),
            thread(4002, "tokio-rt-worker", "tokio", 99.0, 48.0),
            thread(4003, "tokio-rt-worker", "tokio", 98.0, 51.0),
            thread(4004, "rayon-0", "rayon", 0.0, 0.0),
        ],
        system: SystemView {
            cores: 2,
            core_cpu_pct: vec![100.0, 100.0],
            rss_bytes: 12 << 20,
            process_threads: 4,
            ..SystemView::default()
        },
        attached: Some(AttachedView {
            pid: 4001,
            command: "hash-service --port 3000".into(),
            probe: probe.then(|| AttachedProbe {
                url: "http://127.0.0.1:3000/health".into(),
                window: pct(180_000.0, 250_000.0, 310_000.0, 310_000.0, 4),
                cumulative: pct(300.0, 900.0, 250_000.0, 310_000.0, 120),
                failures: 0,
                latest_failure: None,
            }),
            verdict: if probe { "starved" } else { "unknown" }.into(),
            threshold_ms: 10.0,
            target_exited: false,
            metrics: probe.then(tokio_metrics),
        }),
        ..Snapshot::default()
    }
}

/// What `--metrics` read from a runtime whose two workers hash inline.
fn tokio_metrics() -> AttachedMetrics {
    let series = |name: &str, field: &str, kind, value, per_s, unit: &str| MetricSeries {
        name: name.into(),
        labels: String::new(),
        field: field.into(),
        kind,
        value,
        per_s,
        unit: unit.into(),
    };
    AttachedMetrics {
        url: "http://127.0.0.1:3000/metrics".into(),
        scrapes: 12,
        failures: 0,
        latest_failure: None,
        failing: false,
        samples_on_page: 7,
        series: vec![
            series(
                "tokio_workers_count",
                "workers_count",
                MetricType::Gauge,
                2.0,
                None,
                "count",
            ),
            series(
                "tokio_total_busy_duration",
                "total_busy_duration",
                MetricType::Counter,
                9_500_000.0,
                Some(1_960_000.0),
                "us",
            ),
        ],
        busy_pct: Some(98.0),
        span_s: 1.0,
    }
}

fn app(probe: bool) -> App {
    let mut app = App::new(Theme::monochrome(), LogBuffer::new(10), PathBuf::from("."));
    app.on_snapshot(Arc::new(attached_snapshot(probe)));
    app
}

fn screen(app: &App) -> String {
    render_text(120, 36, |frame| {
        loadlab::ui::draw::render(frame, app, now())
    })
}

#[test]
fn only_the_panels_without_an_engine_are_drawn() {
    let text = screen(&app(true));
    for title in ["Threads", "Runtime health", "System", "Log"] {
        assert!(text.contains(title), "{title} missing:\n{text}");
    }
    for engine_only in ["Throughput", "Latency", "backend", "done 0"] {
        assert!(!text.contains(engine_only), "{engine_only} drawn:\n{text}");
    }
    assert!(text.contains("pid 4001"), "{text}");
}

#[test]
fn threads_are_grouped_by_their_pools_with_wait_beside_cpu() {
    let text = screen(&app(true));
    assert!(text.contains("wait%"), "{text}");
    assert!(!text.contains("busy%"), "{text}");
    assert!(
        text.contains("tokio · 2 threads · cpu 197% · wait 99%"),
        "{text}"
    );
    assert!(text.contains("rayon · 1 thread"), "{text}");
}

#[test]
fn the_probe_decides_the_verdict_and_no_probe_says_how_to_add_one() {
    let text = screen(&app(true));
    assert!(
        text.contains("STARVED") && text.contains("probe p99 310ms"),
        "{text}"
    );
    let text = screen(&app(false));
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(
        text.contains("--probe http://127.0.0.1:PORT/health"),
        "{text}"
    );
}

#[test]
fn focus_moves_among_the_panels_drawn_only() {
    let mut app = app(true);
    assert_eq!(app.view.focus, PanelId::Threads);
    let mut seen = Vec::new();
    for _ in 0..8 {
        let _ = loadlab::ui::keys::update(&mut app, key(KeyCode::Tab), now());
        seen.push(app.view.focus);
    }
    assert!(
        seen.iter().all(|p| PanelId::ATTACHED.contains(p)),
        "{seen:?}"
    );
    let _ = loadlab::ui::keys::update(&mut app, key(KeyCode::Up), now());
    assert!(PanelId::ATTACHED.contains(&app.view.focus));
}

#[test]
fn the_targets_tokio_metrics_show_under_the_probe() {
    let text = screen(&app(true));
    assert!(
        text.contains("tokio busy 98% of its workers' time"),
        "{text}"
    );
    assert!(text.contains("workers_count 2"), "{text}");
    assert!(
        text.contains("total_busy_duration 9.50s (+1.96 s/s)"),
        "{text}"
    );
}

#[test]
fn help_lists_only_the_keys_that_work_attached_and_engine_keys_say_so() {
    let mut app = app(true);
    let _ = loadlab::ui::keys::update(&mut app, key(KeyCode::Char('?')), now());
    let text = screen(&app);
    assert!(text.contains(" Keys "), "{text}");
    for works in ["Tab / arrows", "q / Ctrl-C", "f ", "wait%"] {
        assert!(text.contains(works), "{works} missing:\n{text}");
    }
    for engine_only in ["b / B", "+ / -", "workload form", "guided demo", "busy%"] {
        assert!(!text.contains(engine_only), "{engine_only} listed:\n{text}");
    }
    let _ = loadlab::ui::keys::update(&mut app, key(KeyCode::Esc), now());
    for engine_key in ['b', '+', 'w', ' ', 'd', 'c'] {
        let actions = loadlab::ui::keys::update(&mut app, key(KeyCode::Char(engine_key)), now());
        assert!(actions.is_empty(), "{engine_key:?}: {actions:?}");
        assert!(app.view.form.is_none() && !app.view.comparison);
        let status = app
            .view
            .status
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        assert!(status.contains("attached"), "{engine_key:?}: {status}");
    }
}
