//! A client that requests one path (the service's `/health`, or the URL
//! `loadlab attach --probe` times) at a fixed rate and records each round
//! trip. It runs on its own thread with its own current-thread runtime, so
//! its clock keeps time while the runtime it times starves: what it measures
//! is what an outside client of the service would see. It keeps one
//! connection alive (as a load balancer's health check or a browser does), so
//! a round trip is the request's wait and answer, not a TCP handshake.

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

/// Where round trips go: the service's statistics, or attach's probe.
pub trait RoundTrips: Send + Sync + 'static {
    /// One answer (2xx) after `round_trip_ns`.
    fn record(&self, round_trip_ns: u64);
    /// A request that got no 2xx answer, and why.
    fn record_failure(&self, cause: &io::Error);
}

impl RoundTrips for HttpStats {
    fn record(&self, round_trip_ns: u64) {
        self.record_health_client(round_trip_ns);
    }

    fn record_failure(&self, _cause: &io::Error) {
        self.record_health_client_failure();
    }
}

/// What to request: `GET path` from `address`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub address: SocketAddr,
    /// Path and query, starting with `/`, free of spaces and control characters.
    pub path: String,
}

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
        let request = Request {
            address,
            path: "/health".to_string(),
        };
        HealthClient::start_timing(request, per_s, max_requests, stats)
    }

    /// Starts requesting `request`, `per_s` times a second, at most
    /// `max_requests` times, recording into `round_trips`.
    pub fn start_timing(
        request: Request,
        per_s: u32,
        max_requests: u64,
        round_trips: Arc<dyn RoundTrips>,
    ) -> io::Result<HealthClient> {
        let stop = Arc::new(Stop::default());
        let stopped = stop.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("health-client".into())
            .spawn(move || {
                runtime.block_on(run(
                    &request,
                    per_s,
                    max_requests,
                    round_trips.as_ref(),
                    &stopped,
                ));
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

async fn run(target: &Request, per_s: u32, max_requests: u64, stats: &dyn RoundTrips, stop: &Stop) {
    let ask = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: loadlab\r\n\r\n",
        target.path, target.address
    );
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
            answered = tokio::time::timeout(REQUEST_TIMEOUT, request(&mut connection, target.address, &ask)) => answered,
            _ = stop.woken.notified() => break,
        };
        sent += 1;
        match answered {
            Ok(Ok(())) => {
                stats.record(u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX));
            }
            Ok(Err(error)) => {
                // Refused, closed or not 2xx: no round trip to time, a failure.
                tracing::debug!("health client: {error}");
                stats.record_failure(&error);
                connection = None;
            }
            Err(_) => {
                // Waited the whole timeout: a round trip at least this long, and a failure.
                stats.record(u64::try_from(REQUEST_TIMEOUT.as_nanos()).unwrap_or(u64::MAX));
                stats.record_failure(&io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no answer within {} s", REQUEST_TIMEOUT.as_secs()),
                ));
                connection = None;
            }
        }
    }
}

/// One request (`ask`) on a kept-alive connection (opened when there is none).
async fn request(
    connection: &mut Option<TcpStream>,
    address: SocketAddr,
    ask: &str,
) -> io::Result<()> {
    if connection.is_none() {
        let stream = TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        *connection = Some(stream);
    }
    let Some(stream) = connection.as_mut() else {
        return Err(io::Error::other("no connection"));
    };
    stream.write_all(ask.as_bytes()).await?;
    let mut answer = Vec::with_capacity(256);
    let mut chunk = [0u8; 1024];
    loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            *connection = None;
            // An answer without a length ends when the service closes.
            if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                return status_ok(&answer);
            }
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the service closed the connection",
            ));
        }
        answer.extend_from_slice(&chunk[..read]);
        if let Some(length) = complete_length(&answer) {
            status_ok(&answer)?;
            if answer.len() > length {
                return Err(io::Error::other("more bytes than one answer"));
            }
            // A service that closes after each answer gets a new connection
            // next time, not a failed request on the closed one.
            if closes_after(&answer) {
                *connection = None;
            }
            return Ok(());
        }
        if answer.len() > ANSWER_MAX_BYTES {
            return Err(io::Error::other("answer too long"));
        }
    }
}

/// A 2xx status line, else an error naming the status.
fn status_ok(answer: &[u8]) -> io::Result<()> {
    let line = answer.split(|b| *b == b'\r').next().unwrap_or_default();
    let status = String::from_utf8_lossy(line);
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if status.starts_with("HTTP/1.") && code.len() == 3 && code.starts_with('2') {
        return Ok(());
    }
    let status: String = status
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    Err(io::Error::other(format!("answered {status:?}, not 2xx")))
}

/// The answer says the service closes the connection after it:
/// `Connection: close`, or HTTP/1.0 without `Connection: keep-alive`.
fn closes_after(answer: &[u8]) -> bool {
    let end = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(answer.len());
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    let connection = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim() == "connection")
        .map(|(_, value)| value.trim().to_string());
    match connection.as_deref() {
        Some(value) if value.contains("close") => true,
        Some(value) if value.contains("keep-alive") => false,
        _ => head.starts_with("http/1.0"),
    }
}

/// The whole answer's length once its headers and body are in: a
/// `Content-Length` body, a chunked one up to its last chunk, or none for the
/// statuses that carry none.
fn complete_length(answer: &[u8]) -> Option<usize> {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let headers = std::str::from_utf8(&answer[..end]).ok()?;
    let header = |wanted: &str| {
        headers
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value.trim())
    };
    if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        return (answer.len() >= end + length).then_some(end + length);
    }
    if header("transfer-encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        // The last chunk has size 0 (no trailers expected from a health check).
        let body = &answer[end..];
        let last = body
            .windows(5)
            .position(|w| w == b"0\r\n\r\n")
            .filter(|at| *at == 0 || body[..*at].ends_with(b"\r\n"))?;
        return Some(end + last + 5);
    }
    let code = headers.split_whitespace().nth(1).unwrap_or_default();
    (code.starts_with('1') || code == "204" || code == "304").then_some(end)
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
        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        assert_eq!(complete_length(chunked), Some(chunked.len()));
        assert_eq!(complete_length(&chunked[..chunked.len() - 2]), None);
        let empty = b"HTTP/1.1 204 No Content\r\n\r\n";
        assert_eq!(complete_length(empty), Some(empty.len()));
    }

    #[test]
    fn a_closing_service_gets_a_new_connection_next_time() {
        assert!(closes_after(
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n"
        ));
        assert!(closes_after(
            b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
        ));
        assert!(!closes_after(
            b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n"
        ));
        assert!(!closes_after(
            b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n"
        ));
    }

    #[test]
    fn only_a_2xx_status_is_an_answer() {
        assert!(status_ok(b"HTTP/1.1 200 OK\r\n\r\n").is_ok());
        assert!(status_ok(b"HTTP/1.1 204 No Content\r\n\r\n").is_ok());
        let refused = status_ok(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").unwrap_err();
        assert!(refused.to_string().contains("503"), "{refused}");
        assert!(status_ok(b"garbage").is_err());
    }
}
