//! The health panel with the HTTP service on: its address and each route's
//! requests/s and latency beside the heartbeat and echo, rendered from a
//! fixed Snapshot into ratatui's TestBackend.

mod ui_support;

use std::sync::Arc;

use loadlab::metrics::snapshot::{
    CodeCount, HealthClientView, HealthState, Percentiles, ProbeView, RouteView, ServiceView,
};
use loadlab::ui::app::App;
use loadlab::ui::focus::PanelId;
use loadlab::ui::panels;
use loadlab::ui::theme::Theme;
use ui_support::*;

fn route(name: &str, per_s: f64, p50: f64, p99: f64, requests: u64) -> RouteView {
    RouteView {
        route: name.to_string(),
        requests_per_s: per_s,
        latency_us: ProbeView {
            window: pct(p50, p50, p99, p99, (per_s as u64).max(1)),
            cumulative: pct(p50, p50, p99, p99, requests),
        },
        requests,
        codes: vec![CodeCount {
            code: 200,
            count: requests,
        }],
        ..RouteView::default()
    }
}

fn app_serving() -> App {
    app_serving_with(2_300.0, HealthState::Healthy)
}

/// The service with the `/health` client's window p99 and the verdict given.
fn app_serving_with(client_p99_us: f64, state: HealthState) -> App {
    let mut app = app_with_history(Theme::colored());
    let mut snapshot = rayon_snapshot(61, 0.3);
    snapshot.health.state = state;
    snapshot.service = Some(ServiceView {
        address: "127.0.0.1:9187".into(),
        routes: vec![
            route("/health", 98.0, 61.0, 240.0, 5_880),
            route("/work", 412.5, 4_210.0, 9_800.0, 24_750),
            route("/metrics", 0.2, 900.0, 1_300.0, 12),
            RouteView {
                route: "/snapshot".into(),
                ..RouteView::default()
            },
            RouteView {
                route: "other".into(),
                ..RouteView::default()
            },
        ],
        health_client: HealthClientView {
            p50_us: 180.0,
            p99_us: 2_400.0,
            max_us: 9_100.0,
            samples: 610,
            failures: 0,
            window: Percentiles {
                p50: 175.0,
                p90: 900.0,
                p99: client_p99_us,
                max: client_p99_us.max(8_800.0),
                count: 10,
            },
            ..HealthClientView::default()
        },
    });
    app.on_snapshot(Arc::new(snapshot));
    app
}

#[test]
fn health_panel_shows_the_service_routes() {
    let app = app_serving();
    let text = render_text(60, 15, |f| {
        panels::render(f, f.area(), &app, PanelId::Health, false)
    });
    assert!(text.contains("http 127.0.0.1:9187"), "{text}");
    assert!(text.contains("/work"), "{text}");
    assert!(
        !text.contains("/snapshot"),
        "unasked routes stay hidden:\n{text}"
    );
    insta::assert_snapshot!("health_panel_with_service_60x15", text);
    insta::assert_snapshot!(
        "health_panel_with_service_40x9",
        render_text(40, 9, |f| panels::render(
            f,
            f.area(),
            &app,
            PanelId::Health,
            false
        ))
    );
    insta::assert_snapshot!(
        "health_panel_with_service_zoomed_120x37",
        render_text(120, 37, |f| panels::render(
            f,
            f.area(),
            &app,
            PanelId::Health,
            false
        ))
    );
}

#[test]
fn a_verdict_the_health_client_alone_decided_names_its_figure() {
    // The heartbeat ticks on time (lag p99 340 us) while clients wait 250 ms.
    let app = app_serving_with(250_000.0, HealthState::Starved);
    let text = render_text(60, 15, |f| {
        panels::render(f, f.area(), &app, PanelId::Health, false)
    });
    let headline = text.lines().nth(1).unwrap_or_default();
    assert!(
        headline.contains("STARVED") && headline.contains("client p99 250ms"),
        "{text}"
    );
    assert!(!headline.contains("lag p99"), "{text}");
}
