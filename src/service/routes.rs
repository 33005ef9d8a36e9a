//! The routes and the guard every request passes: `/health`, `/work`,
//! `/metrics`, `/snapshot`, and a JSON 404 for anything else. The guard bounds
//! a request's time and counts each answer by route and code.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;

use super::exposition;
use super::params;
use crate::engine::single_task::{SingleTaskError, TaskRunner};
use crate::metrics::http_stats::{HttpStats, Route};
use crate::metrics::snapshot::Snapshot;

/// What the handlers share.
#[derive(Clone)]
pub struct ServiceState {
    pub tasks: TaskRunner,
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    pub stats: Arc<HttpStats>,
    /// A request not answered within this gets 503 (see `ServeOptions`).
    pub request_timeout: std::time::Duration,
    /// Notified when the service stops for good: `/work` requests still
    /// waiting for a task answer 503 then (the task ends, and is counted, on
    /// its own).
    pub closing: Arc<tokio::sync::Notify>,
}

pub fn router(state: ServiceState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/work", get(work))
        .route("/metrics", get(metrics))
        .route("/snapshot", get(snapshot))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Requests in flight need no bound of their own: HTTP/1.1 answers one
/// request of a connection at a time, so they are at most the connections.
async fn guard(State(state): State<ServiceState>, request: Request, next: Next) -> Response {
    let arrived = Instant::now();
    let route = Route::of_path(request.uri().path());
    let response = match tokio::time::timeout(state.request_timeout, next.run(request)).await {
        Ok(response) => response,
        // Dropping the request cancels its task if it has not started.
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "no answer within {:.1} s: a task not started by then is cancelled, \
                 one running ends and is counted",
                state.request_timeout.as_secs_f64()
            ),
        ),
    };
    let took = u64::try_from(arrived.elapsed().as_nanos()).unwrap_or(u64::MAX);
    state.stats.record(route, response.status().as_u16(), took);
    response
}

/// Answered at once: the victim a starving runtime delays.
async fn health() -> Response {
    json(StatusCode::OK, r#"{"status":"ok"}"#.to_string())
}

async fn work(State(state): State<ServiceState>, uri: Uri) -> Response {
    let default_seed = state.tasks.default_seed();
    let task = match params::work_task(uri.query(), default_seed) {
        Ok(task) => task,
        Err(cause) => return error(StatusCode::BAD_REQUEST, &cause.to_string()),
    };
    let outcome = tokio::select! {
        outcome = state.tasks.run(task) => outcome,
        _ = state.closing.notified() => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "loadlab is stopping: the task was not awaited (it still ends and is counted)",
            );
        }
    };
    match outcome {
        Ok(result) => match serde_json::to_string(&result) {
            Ok(body) => json(StatusCode::OK, body),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Err(failure @ SingleTaskError::Failed(_)) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, &failure.to_string())
        }
        Err(refused) => error(StatusCode::SERVICE_UNAVAILABLE, &refused.to_string()),
    }
}

async fn metrics(State(state): State<ServiceState>) -> Response {
    let snapshot = state.snapshots.borrow().clone();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, exposition::CONTENT_TYPE)],
        exposition::render(&snapshot),
    )
        .into_response()
}

async fn snapshot(State(state): State<ServiceState>) -> Response {
    let snapshot = state.snapshots.borrow().clone();
    match serde_json::to_string(&*snapshot) {
        Ok(body) => json(StatusCode::OK, body),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn not_found(uri: Uri) -> Response {
    let path = crate::format::escape_control(uri.path())
        .chars()
        .take(200)
        .collect::<String>();
    error(
        StatusCode::NOT_FOUND,
        &format!("no route {path:?} (routes: /health, /work, /metrics, /snapshot)"),
    )
}

fn json(code: StatusCode, body: String) -> Response {
    (code, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(code: StatusCode, message: &str) -> Response {
    json(code, serde_json::json!({ "error": message }).to_string())
}
