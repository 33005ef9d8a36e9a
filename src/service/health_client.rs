//! An internal client that requests `/health` at a fixed rate and records each
//! round trip. It runs on its own thread with its own current-thread runtime,
//! so its clock keeps time while the app runtime starves: what it measures is
//! what an outside client of the service would see. It keeps one connection
//! alive (as a load balancer's health check or a browser does), so a round
//! trip is the request's wait and answer, not a TCP handshake.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Notify;

use crate::metrics::http_stats::HttpStats;

/// A request without an answer by then is recorded at this duration and the
/// connection is opened anew.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest answer read (`/health` answers with a few dozen bytes).
const ANSWER_MAX_BYTES: usize = 16 * 1024;

pub struct HealthClient {
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
}

/// Asked to stop: the flag for the loop, the notification for a wait in progress.
#[derive(Default)]
struct Stop {
    asked: AtomicBool,
    woken: Notify,
}

impl HealthClient {
    /// Starts requesting `http://address/health`, `per_s` times a second, at
    /// most `max_requests` times.
    pub fn start(
        address: SocketAddr,
        per_s: u32,
        max_requests: u64,
        stats: Arc<HttpStats>,
    ) -> io::Result<HealthClient> {
        let stop = Arc::new(Stop::default());
        let stopped = stop.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("health-client".into())
            .spawn(move || {
                runtime.block_on(run(address, per_s, max_requests, &stats, &stopped));
            })?;
        Ok(HealthClient {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops at once, abandoning a request in progress.
    pub fn stop(&mut self) {
        self.stop.asked.store(true, Ordering::Release);
        // A stored permit: the client sees it even between two waits.
        self.stop.woken.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for HealthClient {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn run(address: SocketAddr, per_s: u32, max_requests: u64, stats: &HttpStats, stop: &Stop) {
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(per_s.max(1))));
    // A late answer delays the next request; requests are not fired in a burst to catch up.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut connection: Option<TcpStream> = None;
    let mut sent = 0u64;
    while sent < max_requests && !stop.asked.load(Ordering::Acquire) {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stop.woken.notified() => break,
        }
        let started = Instant::now();
        let answered = tokio::select! {
            answered = tokio::time::timeout(REQUEST_TIMEOUT, request(&mut connection, address)) => answered,
            _ = stop.woken.notified() => break,
        };
        sent += 1;
        match answered {
            Ok(Ok(())) => {
                stats.record_health_client(
                    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
                );
            }
            Ok(Err(error)) => {
                // Refused, closed or not 200: no round trip to time, a failure.
                tracing::debug!("health client: {error}");
                stats.record_health_client_failure();
                connection = None;
            }
            Err(_) => {
                // Waited the whole timeout: a round trip at least this long, and a failure.
                stats.record_health_client(
                    u64::try_from(REQUEST_TIMEOUT.as_nanos()).unwrap_or(u64::MAX),
                );
                stats.record_health_client_failure();
                connection = None;
            }
        }
    }
}

/// One `GET /health` on a kept-alive connection (opened when there is none).
async fn request(connection: &mut Option<TcpStream>, address: SocketAddr) -> io::Result<()> {
    if connection.is_none() {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        *connection = Some(stream);
    }
    let Some(stream) = connection.as_mut() else {
        return Err(io::Error::other("no connection"));
    };
    let ask = format!("GET /health HTTP/1.1\r\nHost: {address}\r\n\r\n");
    stream.write_all(ask.as_bytes()).await?;
    let mut answer = Vec::with_capacity(256);
    let mut chunk = [0u8; 1024];
    loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            *connection = None;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the service closed the connection",
            ));
        }
        answer.extend_from_slice(&chunk[..read]);
        if let Some(length) = complete_length(&answer) {
            if !answer.starts_with(b"HTTP/1.1 200") {
                return Err(io::Error::other("/health did not answer 200"));
            }
            if answer.len() > length {
                return Err(io::Error::other("more bytes than one answer"));
            }
            return Ok(());
        }
        if answer.len() > ANSWER_MAX_BYTES {
            return Err(io::Error::other("answer too long"));
        }
    }
}

/// The whole answer's length once its headers and `Content-Length` body are in.
fn complete_length(answer: &[u8]) -> Option<usize> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = std::str::from_utf8(&answer[..end]).ok()?;
    let length = headers
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())?;
    (answer.len() >= end + length).then_some(end + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_complete_after_its_body() {
        let full = b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\n\r\n{\"status\":\"ok\"}";
        assert_eq!(complete_length(full), Some(full.len()));
        assert_eq!(complete_length(&full[..full.len() - 1]), None);
        assert_eq!(complete_length(b"HTTP/1.1 200 OK\r\n"), None);
    }
}
