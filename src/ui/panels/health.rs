//! Runtime health: is the app runtime starving? Heartbeat lag against the
//! threshold, echo round trip, blocking detections, tokio's stable metrics, and
//! heartbeat lag over time.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::metrics::snapshot::{HealthState, Percentiles, ServiceView};
use crate::ui::app::App;
use crate::ui::focus::PanelId;
use crate::ui::format::micros;
use crate::ui::theme::Theme;

use super::{ChartSpan, Series, bar, panel_block, render_fitted, render_time_chart};

pub fn render(frame: &mut Frame, area: Rect, app: &App, focused: bool) {
    let theme = app.theme;
    let data = app.shown();
    let s = &data.snapshot;
    let block = panel_block(PanelId::Health, vec![], focused, theme, area.width);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let hb = &s.heartbeat.window;
    // Other programs above the stated share while the verdict was formed:
    // it holds for a machine this busy, and says so.
    let busy = crate::report::noise::machine_busy(s.system.external_cpu_pct);
    let (badge, state_style, relation) = match (s.health.state, busy.is_some()) {
        (HealthState::Healthy, false) => (" HEALTHY ", theme.good(), "≤"),
        (HealthState::Healthy, true) => (" HEALTHY* ", theme.good(), "≤"),
        (HealthState::Starved, false) => (" STARVED ", theme.bad(), ">"),
        (HealthState::Starved, true) => (" STARVED* ", theme.bad(), ">"),
    };
    // The figure behind the verdict: the heartbeat's, or with --serve the
    // /health client's when it alone is past the limit.
    let client_starved = s.service.as_ref().is_some_and(|service| {
        let client = &service.health_client.window;
        client.count > 0 && client.p99 > s.health.threshold_us && hb.p99 <= s.health.threshold_us
    });
    let (what, figure) = match &s.service {
        Some(service) if client_starved => {
            (" client p99 ", micros(service.health_client.window.p99))
        }
        _ if hb.count == 0 => (" lag p99 ", "-".to_string()),
        _ => (" lag p99 ", micros(hb.p99)),
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(badge, theme.badge(state_style)),
        Span::raw(what),
        Span::styled(figure, state_style),
        Span::styled(
            format!(" {relation} limit {}", micros(s.health.threshold_us)),
            theme.label(),
        ),
    ])];
    if let Some(external) = busy {
        lines[0].push_span(Span::styled(
            format!(" *machine busy {external:.0}%"),
            theme.warn(),
        ));
    }
    if let Some(service) = &s.service {
        // What a client of the service waits: the headline when there is one.
        let client = &service.health_client;
        lines.push(Line::from(vec![
            Span::styled("client /health ", theme.label()),
            Span::styled(triple(&client.window), state_style),
        ]));
        if client.failures > 0 {
            lines.push(Line::from(vec![
                Span::styled("client failures ", theme.label()),
                Span::styled(client.failures.to_string(), theme.bad()),
            ]));
        }
    }
    lines.push(Line::from(vec![
        Span::styled("lag  ", theme.label()),
        Span::raw(triple(hb)),
    ]));
    lines.push(Line::from(vec![
        Span::styled("echo ", theme.label()),
        Span::raw(triple(&s.echo.window)),
    ]));
    if let Some(service) = &s.service {
        lines.extend(service_lines(service, theme));
    }
    lines.push(match &s.health.last_block {
        Some(b) => Line::from(vec![
            Span::styled(
                format!("blocked {}x", s.health.blocked_events),
                theme.warn(),
            ),
            Span::raw(format!(
                ", last {:.0}ms at {:.1}s ({}, {})",
                b.blocked_ms,
                b.at_s,
                b.backend,
                if b.ran.is_empty() { &b.kernel } else { &b.ran }
            )),
        ]),
        None => Line::styled(
            format!("blocked {}x: no blocking detected", s.health.blocked_events),
            theme.label(),
        ),
    });
    let rt = &s.runtime;
    lines.push(Line::from(vec![
        Span::styled("tokio ", theme.label()),
        Span::raw(format!(
            "{} workers · {} tasks · global queue {}",
            rt.workers, rt.alive_tasks, rt.global_queue_depth
        )),
    ]));
    let mut busy = vec![Span::styled("busy ", theme.label())];
    for (i, ratio) in rt.worker_busy_ratio.iter().enumerate() {
        let pct = ratio * 100.0;
        busy.push(Span::raw(format!("w{i} ")));
        busy.push(Span::styled(bar(pct, 6), theme.load(pct)));
        busy.push(Span::raw(format!(" {pct:>3.0}%  ")));
    }
    lines.push(Line::from(busy));

    let text_h = lines.len() as u16;
    if inner.height >= text_h + 4 && data.history.len() >= 2 {
        let [text, chart] =
            Layout::vertical([Constraint::Length(text_h), Constraint::Min(0)]).areas(inner);
        render_fitted(frame, text, lines);
        let span = ChartSpan {
            end: data.history.now(),
            seconds: app.view.chart_window.seconds(),
        };
        let series = [
            Series {
                name: "lag max".into(),
                style: theme.series(2),
                points: data.history.series(span.start(), |x| x.heartbeat_max_us),
            },
            Series {
                name: "lag p99".into(),
                style: theme.series(1),
                points: data.history.series(span.start(), |x| x.heartbeat_p99_us),
            },
            Series {
                name: "lag p50".into(),
                style: theme.series(0),
                points: data.history.series(span.start(), |x| x.heartbeat_p50_us),
            },
        ];
        let markers = data.history.generation_changes(span.start());
        render_time_chart(frame, chart, theme, span, &series, &markers, micros);
    } else {
        render_fitted(frame, inner, lines);
    }
}

/// The HTTP service beside the probes: its address, then requests/s and
/// handler time p50/p99 of `/health` and `/work` (and of other routes once
/// they were asked).
fn service_lines(service: &ServiceView, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("http ", theme.label()),
        Span::raw(service.address.clone()),
        Span::styled("  handler time:", theme.label()),
    ])];
    for route in &service.routes {
        let always = route.route == "/health" || route.route == "/work";
        if !always && route.requests == 0 {
            continue;
        }
        let latency = &route.latency_us.window;
        let figures = if latency.count == 0 {
            "p50 - p99 -".to_string()
        } else {
            format!("p50 {} p99 {}", micros(latency.p50), micros(latency.p99))
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<9}", route.route), theme.label()),
            Span::raw(format!("{:>6.1}/s {figures}", route.requests_per_s)),
        ]));
    }
    lines
}

/// `p50 60µs p99 312µs max 900µs`, or dashes without samples.
pub(super) fn triple(p: &Percentiles) -> String {
    if p.count == 0 {
        "p50 - p99 - max -".to_string()
    } else {
        format!(
            "p50 {} p99 {} max {}",
            micros(p.p50),
            micros(p.p99),
            micros(p.max)
        )
    }
}
