//! Serves the routes over HTTP/1.1, one task per connection, with the bounds
//! axum's own `serve` has no setting for: a connection that has not sent a
//! complete request head within `HTTP_HEADER_READ_TIMEOUT` of opening or of
//! its previous answer is closed, so idle or half-sent connections cannot hold
//! every place. A client that disconnects while its request waits ends the
//! request (its handler is dropped), which cancels a task not yet started.

use std::pin::pin;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::listener::BoundedListener;
use crate::bounds;

/// Accepts and serves until `stop` turns true, then lets each connection
/// finish its request in progress and close. Dropping the future (aborting
/// its task) drops every connection at once.
pub async fn serve(mut listener: BoundedListener, router: Router, stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    let mut stopping = stop.clone();
    loop {
        tokio::select! {
            (stream, _peer) = listener.accept() => {
                connections.spawn(serve_connection(stream, router.clone(), stop.clone()));
            }
            // Finished connections are collected as they end, so the set
            // holds only live ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = stopping.wait_for(|stopping| *stopping) => break,
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: super::listener::BoundedStream,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(bounds::HTTP_HEADER_READ_TIMEOUT)
        .keep_alive(true);
    let connection =
        builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    let mut connection = pin!(connection);
    tokio::select! {
        served = connection.as_mut() => {
            if let Err(error) = served {
                tracing::debug!("HTTP connection: {error}");
            }
            return;
        }
        _ = stop.wait_for(|stopping| *stopping) => {}
    }
    // Answer the request in progress, then close.
    connection.as_mut().graceful_shutdown();
    if let Err(error) = connection.await {
        tracing::debug!("HTTP connection: {error}");
    }
}
