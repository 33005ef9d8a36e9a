//! The service's bounds under clients that misbehave: requests abandoned
//! before their tasks start cancel them; `/work` shares the engine's in-flight
//! bound; idle and half-sent connections are closed by the header-read
//! timeout; a request that waited past its limit on inline gets 503 and its
//! task is cancelled; `loadlab serve` ends on SIGTERM with a report that adds
//! up, the task still running included; an accept failing for lack of
//! descriptors is logged once. Raw TCP clients, so a test controls exactly
//! when a connection closes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use loadlab::bounds;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::service::ServeOptions;
use loadlab::session::serve;
use loadlab::spec::{BackendKind, Kernel, WorkloadSpec};
use serde_json::Value;

fn config(backend: BackendKind, threads: usize) -> EngineConfig {
    EngineConfig {
        backend,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 100,
            ..WorkloadSpec::default()
        },
        start_driver: false,
        echo_pings_per_s: 0,
        ..EngineConfig::default()
    }
}

/// The engine with the service beside it on a free port, as every command starts it.
fn serving(config: EngineConfig) -> Engine {
    let options = ServeOptions::new("127.0.0.1:0".parse().unwrap());
    serve::start(config, Some(options)).unwrap()
}

/// Sends one GET and returns the connection, answer unread.
fn send(address: SocketAddr, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    stream
}

/// One GET on a new connection: (status, body), or None without a complete
/// answer within `timeout`.
fn get(address: SocketAddr, path: &str, timeout: Duration) -> Option<(u16, String)> {
    let mut stream = send(address, path);
    stream.set_read_timeout(Some(timeout)).unwrap();
    let mut answer = Vec::new();
    let mut chunk = [0u8; 4096];
    let until = Instant::now() + timeout;
    while Instant::now() < until {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&chunk[..n]),
        }
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|n| n.trim().parse::<usize>().ok())?;
            if body.len() >= length {
                let status = head.split_whitespace().nth(1)?.parse().ok()?;
                return Some((status, body[..length].to_string()));
            }
        }
    }
    None
}

/// A `/work` answer that must be 200, as JSON.
fn work_answer(address: SocketAddr, path: &str) -> Value {
    let (status, body) = get(address, path, Duration::from_secs(10)).expect("an answer");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// The address `loadlab serve` announces on its first stderr line.
fn announced_address(stderr: &mut impl std::io::BufRead) -> SocketAddr {
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    line.split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
}

/// `loadlab_tasks_in_flight` as `/metrics` says it (the sampler's, 0.1 s old at most).
fn in_flight(address: SocketAddr) -> u64 {
    let (_, body) = get(address, "/metrics", Duration::from_secs(10)).expect("/metrics");
    body.lines()
        .find_map(|line| line.strip_prefix("loadlab_tasks_in_flight "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .expect("loadlab_tasks_in_flight") as u64
}

fn counts(engine: &Engine) -> (u64, u64, u64, u64) {
    let t = &engine
        .fresh_snapshot()
        .unwrap_or_else(|e| panic!("{e}"))
        .tasks;
    (t.submitted, t.completed, t.failed, t.cancelled)
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < until, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn abandoned_requests_cancel_their_queued_tasks() {
    // One rayon thread held 1.5 s by a first task; 200 requests for 1 s spins
    // queue behind it and their clients leave. Run, they would take 200 s.
    let engine = serving(config(BackendKind::Rayon, 1));
    let address = engine.service_address().unwrap();
    let first = send(address, "/work?kernel=sleep&size=1500000");
    wait_for("the first task submitted", Duration::from_secs(10), || {
        engine.shared().outstanding.load(Ordering::SeqCst) == 1
    });
    let abandoned: Vec<TcpStream> = (0..200)
        .map(|_| send(address, "/work?kernel=spin&size=1000000"))
        .collect();
    wait_for("200 tasks queued", Duration::from_secs(10), || {
        engine.shared().outstanding.load(Ordering::SeqCst) == 201
    });
    drop(abandoned);
    drop(first);
    // The first ends at 1.5 s; the rest end at once, cancelled, when reached.
    wait_for("every task ended", Duration::from_secs(15), || {
        engine.shared().outstanding.load(Ordering::SeqCst) == 0
    });
    let (submitted, completed, failed, cancelled) = counts(&engine);
    assert_eq!((submitted, failed), (201, 0));
    assert_eq!(completed + cancelled, 201);
    assert!(
        cancelled >= 200,
        "{completed} completed, {cancelled} cancelled"
    );
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn work_answers_503_at_the_shared_in_flight_bound() {
    let engine = serving(config(BackendKind::Rayon, 1));
    let address = engine.service_address().unwrap();
    let outstanding = &engine.shared().outstanding;
    // Stand-ins for the driver's tasks: the bound is one count for both.
    let others = bounds::HTTP_TASKS_MAX as u64 - 1;
    outstanding.fetch_add(others, Ordering::SeqCst);
    let held = send(address, "/work?kernel=sleep&size=1000000");
    wait_for("one place left taken", Duration::from_secs(10), || {
        outstanding.load(Ordering::SeqCst) == others + 1
    });
    let (status, body) = get(
        address,
        "/work?kernel=spin&size=10",
        Duration::from_secs(10),
    )
    .expect("an answer at the bound");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("in flight"), "{body}");
    outstanding.fetch_sub(others, Ordering::SeqCst);
    drop(held);
    wait_for("the held task ended", Duration::from_secs(10), || {
        outstanding.load(Ordering::SeqCst) == 0
    });
    let (submitted, completed, failed, cancelled) = counts(&engine);
    // The refused request never became a task.
    assert_eq!(submitted, 1);
    assert_eq!(submitted, completed + failed + cancelled);
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn idle_and_half_sent_connections_cannot_keep_health_away() {
    let engine = serving(config(BackendKind::Rayon, 1));
    let address = engine.service_address().unwrap();
    // More than the service holds open: half say nothing, half send half a head.
    let mut hogs: Vec<TcpStream> = (0..300)
        .map(|i| {
            let mut stream = TcpStream::connect(address).unwrap();
            if i % 2 == 1 {
                stream.write_all(b"GET /health HTTP/1.1\r\nHo").unwrap();
            }
            stream
        })
        .collect();
    let started = Instant::now();
    let limit = bounds::HTTP_HEADER_READ_TIMEOUT + Duration::from_secs(3);
    let answer = get(address, "/health", limit);
    let waited = started.elapsed();
    assert_eq!(
        answer.map(|a| a.0),
        Some(200),
        "/health not answered within {limit:?}"
    );
    // The hogs were closed by the service, not kept.
    hogs[0]
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        matches!(hogs[0].read(&mut byte), Ok(0) | Err(_)),
        "an idle connection stayed open"
    );
    eprintln!("/health answered after {waited:?} behind 300 idle connections");
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn percent_encoded_parameters_are_decoded() {
    let engine = serving(config(BackendKind::Rayon, 1));
    let address = engine.service_address().unwrap();
    let work = work_answer(address, "/work?k%65rnel=%73pin&size=%31%30");
    assert_eq!(
        (work["kernel"].as_str(), work["size"].as_u64()),
        (Some("spin"), Some(10))
    );
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn on_inline_a_request_that_waited_past_its_limit_gets_503_and_its_task_is_cancelled() {
    let options = ServeOptions {
        request_timeout: Duration::from_secs(1),
        ..ServeOptions::new("127.0.0.1:0".parse().unwrap())
    };
    let engine = serve::start(config(BackendKind::Inline, 1), Some(options)).unwrap();
    let address = engine.service_address().unwrap();
    // The one inline slot is held 2.5 s (on one app worker); the second
    // request's task waits for it, and its handler times out on the other worker.
    let held = send(address, "/work?kernel=sleep&size=2500000");
    wait_for("the held task submitted", Duration::from_secs(10), || {
        engine.shared().outstanding.load(Ordering::SeqCst) == 1
    });
    // A worker blocked right after it woke from tokio's I/O driver leaves the
    // driver (sockets and timers) unpolled while the other worker sleeps:
    // nothing is read, nothing times out. A task spawned from outside wakes
    // the other worker, which then polls the driver. (That one inline task
    // can stall the whole service is the README's point, not this test's.)
    std::thread::sleep(Duration::from_millis(100));
    engine.runtime_handle().spawn(async {});
    let (status, body) = get(
        address,
        "/work?kernel=spin&size=10",
        Duration::from_secs(10),
    )
    .expect("an answer");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("not started by then is cancelled"), "{body}");
    drop(held);
    wait_for("both tasks ended", Duration::from_secs(10), || {
        engine.shared().outstanding.load(Ordering::SeqCst) == 0
    });
    let (submitted, completed, failed, cancelled) = counts(&engine);
    assert_eq!((submitted, completed, failed, cancelled), (2, 1, 0, 1));
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn inline_answers_say_the_task_blocked_an_app_worker() {
    let engine = serving(config(BackendKind::Inline, 1));
    let address = engine.service_address().unwrap();
    let work = work_answer(address, "/work?kernel=spin&size=10");
    let note = work["note"].as_str().unwrap_or_default();
    assert!(note.contains("blocked it"), "{work}");
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn sigterm_ends_serve_with_abandoned_requests_in_flight_and_the_report_adds_up() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args([
            "serve",
            "--serve",
            "127.0.0.1:0",
            "--backend",
            "rayon",
            "--threads",
            "1",
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let address = announced_address(&mut stderr);
    // A minute-long task runs; a thousand more queue behind it and their
    // clients leave, 200 at a time (each batch seen in flight first).
    let first = send(address, "/work?kernel=sleep&size=60000000");
    for batch in 1..=5u64 {
        let clients: Vec<TcpStream> = (0..200)
            .map(|_| send(address, "/work?kernel=sleep&size=60000000"))
            .collect();
        wait_for("a batch in flight", Duration::from_secs(20), || {
            // The first task and 200 a batch.
            in_flight(address) > 200 * batch
        });
        drop(clients);
    }
    assert_eq!(in_flight(address), 1001);
    let signalled = Instant::now();
    rustix::process::kill_process(
        rustix::process::Pid::from_child(&child),
        rustix::process::Signal::TERM,
    )
    .unwrap();
    let output = child.wait_with_output().unwrap();
    let took = signalled.elapsed();
    drop(first);
    assert_eq!(output.status.code(), Some(143), "{output:?}");
    let limit = bounds::STOP_GRACE + Duration::from_secs(2);
    assert!(took < limit, "SIGTERM took {took:?} (limit {limit:?})");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let tasks = &report["tasks"];
    let n = |key: &str| tasks[key].as_u64().unwrap_or(0);
    assert_eq!(
        n("submitted"),
        n("completed") + n("failed") + n("cancelled"),
        "{tasks}"
    );
    assert_eq!(n("submitted"), 1001, "{tasks}");
    assert_eq!(n("abandoned"), 1, "the running sleep: {tasks}");
    assert_eq!(report["interrupted"], "SIGTERM");
}

#[test]
fn an_accept_failing_for_lack_of_descriptors_is_logged_once() {
    // 40 descriptors: a few dozen connections exhaust them; closing them all
    // at once lets accepts through between failures, again and again.
    let mut child = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 40 && exec {} serve --serve 127.0.0.1:0 --duration 4",
                env!("CARGO_BIN_EXE_loadlab")
            ),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let address = announced_address(&mut stderr);
    let hogs: Vec<TcpStream> = (0..80)
        .filter_map(|_| TcpStream::connect(address).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(1000));
    drop(hogs);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    child.wait().unwrap();
    let failures = rest.lines().filter(|l| l.contains("accept failed")).count();
    assert_eq!(failures, 1, "{rest}");
}
