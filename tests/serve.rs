//! The HTTP service against a real HTTP client on 127.0.0.1, port 0: every
//! route, refusals, a full backend, the Prometheus exposition parsed line by
//! line, accounting and checksums across HTTP and driver tasks, a stop with
//! requests in flight, and the real `loadlab serve` binary. Bounded in
//! requests and time; no timing assertions.

mod support_targets;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use loadlab::backend::channel_pool::QUEUE_CAPACITY;
use loadlab::engine::{Engine, EngineConfig};
use loadlab::service::ServeOptions;
use loadlab::session::serve;
use loadlab::spec::{BackendKind, Dist, Kernel, LoadMode, RunLimit, WorkloadSpec};
use loadlab::workload::checksum::task_term;
use loadlab::{CustomKernel, register_kernel};
use serde_json::Value;

/// No request in these tests should take anywhere near this long.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

fn config(backend: BackendKind, threads: usize) -> EngineConfig {
    EngineConfig {
        backend,
        threads,
        runtime_workers: 2,
        workload: WorkloadSpec {
            kernel: Kernel::Spin,
            size: 100,
            dist: Dist::Fixed,
            seed: 5,
            path: None,
            cpu_share: loadlab::spec::DEFAULT_CPU_SHARE,
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

fn base_url(engine: &Engine) -> String {
    format!("http://{}", engine.service_address().unwrap())
}

fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(CLIENT_TIMEOUT)
        .build()
        .unwrap()
}

/// (status, content type, body)
async fn get(client: &reqwest::Client, url: &str) -> (u16, String, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[test]
fn every_route_answers() {
    let engine = serving(config(BackendKind::Rayon, 2));
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    rt.block_on(async {
        let (status, kind, body) = get(&client, &format!("{base}/health")).await;
        assert_eq!((status, kind.as_str()), (200, "application/json"));
        assert_eq!(json(&body), serde_json::json!({"status": "ok"}));

        let (status, _, body) = get(
            &client,
            &format!("{base}/work?kernel=sumsq&size=5000&seed=3"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let work = json(&body);
        for key in [
            "kernel",
            "size",
            "backend",
            "thread",
            "queue_us",
            "service_us",
            "total_us",
            "digest",
        ] {
            assert!(work.get(key).is_some(), "no {key} in {body}");
        }
        assert_eq!(work["kernel"], "sumsq");
        assert_eq!(work["size"], 5000);
        assert_eq!(work["backend"], "rayon");
        assert!(
            work["thread"].as_str().unwrap().starts_with("rayon-"),
            "{body}"
        );
        let digest = work["digest"].as_str().unwrap();
        assert!(
            digest.len() == 16 && digest.chars().all(|c| c.is_ascii_hexdigit()),
            "{body}"
        );

        let (status, kind, body) = get(&client, &format!("{base}/metrics")).await;
        assert_eq!(status, 200);
        assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
        assert!(body.contains("# TYPE loadlab_tasks_total counter"));

        let (status, _, body) = get(&client, &format!("{base}/snapshot")).await;
        assert_eq!(status, 200);
        let snapshot = json(&body);
        assert_eq!(snapshot["config"]["backend"], "rayon");
        assert_eq!(
            snapshot["service"]["address"],
            base.trim_start_matches("http://")
        );

        for path in ["/", "/nope", "/health/extra", "/work/"] {
            let (status, kind, body) = get(&client, &format!("{base}{path}")).await;
            assert_eq!((status, kind.as_str()), (404, "application/json"), "{path}");
            assert!(
                json(&body)["error"].as_str().unwrap().contains("no route"),
                "{body}"
            );
        }
    });
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn bad_parameters_get_400_naming_the_parameter() {
    let engine = serving(config(BackendKind::Channel, 1));
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    let cases = [
        ("", "kernel: missing"),
        ("kernel=bogus", "kernel: \"bogus\" is not"),
        ("kernel=compress", "kernel: \"compress\" is not"),
        ("kernel=argon2&size=99999999", "size: 99999999 is outside"),
        ("kernel=spin&size=0", "size: 0 is outside"),
        ("kernel=spin&size=ten", "size: \"ten\" is not"),
        ("kernel=spin&seed=x", "seed: \"x\" is not"),
        ("kernel=spin&speed=1", "\"speed\": unknown parameter"),
        ("kernel=spin&kernel=spin", "kernel: given twice"),
    ];
    rt.block_on(async {
        for (query, expected) in cases {
            let (status, _, body) = get(&client, &format!("{base}/work?{query}")).await;
            assert_eq!(status, 400, "{query}: {body}");
            let error = json(&body)["error"].as_str().unwrap().to_string();
            assert!(error.starts_with(expected), "{query}: {error}");
        }
    });
    // Refused before any task was made.
    let outcome = engine.finish();
    assert_eq!(outcome.totals.counters.submitted, 0);
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn inline_runs_on_an_app_worker_and_digests_match_every_backend() {
    let mut digests = BTreeSet::new();
    for backend in BackendKind::ALL {
        let engine = serving(config(backend, 1));
        let base = base_url(&engine);
        let rt = client_runtime();
        let body = rt.block_on(async {
            let (status, _, body) = get(
                &client(),
                &format!("{base}/work?kernel=hash&size=4096&seed=9"),
            )
            .await;
            assert_eq!(status, 200, "{backend}: {body}");
            body
        });
        let work = json(&body);
        assert_eq!(work["backend"], backend.name());
        let thread = work["thread"].as_str().unwrap();
        let expected = match backend {
            BackendKind::Inline => "app-",
            BackendKind::SpawnBlocking => "blocking",
            BackendKind::Rayon => "rayon-",
            BackendKind::Channel => "pool-",
        };
        // tokio's blocking pool also hosts the app workers, and a pool thread
        // keeps the name it was spawned with; one CI run saw a spawn-blocking
        // task on a pool thread named "app-1", so both tokio names pass.
        let tokio_pool = backend == BackendKind::SpawnBlocking && thread.starts_with("app-");
        assert!(
            thread.starts_with(expected) || tokio_pool,
            "{backend} ran on {thread}"
        );
        digests.insert(work["digest"].as_str().unwrap().to_string());
        engine.shutdown(Duration::from_secs(1));
    }
    assert_eq!(digests.len(), 1, "{digests:?}");
}

#[test]
fn a_full_backend_answers_503_and_counts_the_task_cancelled() {
    // One channel worker sleeping 200 ms a task, and a driver keeping more in
    // flight than the queue holds: the queue stays full.
    let mut config = config(BackendKind::Channel, 1);
    config.workload.kernel = Kernel::Sleep;
    config.workload.size = 200_000;
    config.load = LoadMode::Closed { inflight: 5000 };
    config.limit = RunLimit::Unbounded;
    config.start_driver = true;
    let engine = serving(config);
    // A request sent before the driver has filled the queue would be queued
    // behind thousands of 200 ms tasks: wait until the queue is full.
    let full = QUEUE_CAPACITY as u64 + 1;
    let deadline = Instant::now() + Duration::from_secs(20);
    while engine.latest_snapshot().tasks.inflight < full {
        assert!(
            Instant::now() < deadline,
            "the driver never filled the queue: {:?}",
            engine.latest_snapshot().tasks
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    let (status, body) = rt.block_on(async {
        let mut last = (0, String::new());
        for _ in 0..200 {
            let (status, _, body) = get(&client, &format!("{base}/work?kernel=spin&size=10")).await;
            last = (status, body);
            if status == 503 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        last
    });
    assert_eq!(status, 503, "{body}");
    assert!(
        json(&body)["error"]
            .as_str()
            .unwrap()
            .contains("queue is full"),
        "{body}"
    );
    engine.end_run();
    engine.wait_for_run();
    let outcome = engine.finish();
    let c = &outcome.totals.counters;
    assert_eq!(c.submitted, c.completed + c.failed + c.cancelled, "{c:?}");
    assert!(c.cancelled >= 1, "{c:?}");
    engine.shutdown(Duration::from_secs(1));
}

/// Checks the exposition line by line: syntax, families, labels, histograms.
fn check_exposition(text: &str) -> BTreeMap<String, f64> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    let mut histogram_buckets: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                types.insert(name.to_string(), kind.to_string()).is_none(),
                "twice: {line}"
            );
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(
            !line.is_empty() && !line.starts_with('#'),
            "stray line {line:?}"
        );
        let (series, value) = line.rsplit_once(' ').unwrap();
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value of {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').unwrap();
                (name, labels)
            }
            None => (series, ""),
        };
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        let mut le = None;
        let mut other_labels = Vec::new();
        for pair in labels.split("\",").filter(|p| !p.is_empty()) {
            let (key, quoted) = pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
            assert!(quoted.starts_with('"'), "{line}");
            let value = quoted.trim_start_matches('"').trim_end_matches('"');
            if key == "le" {
                le = Some(if value == "+Inf" {
                    f64::INFINITY
                } else {
                    value.parse().unwrap()
                });
            } else {
                other_labels.push(format!("{key}={value}"));
            }
        }
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix)
                    .filter(|base| types.get(*base).is_some_and(|k| k == "histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample before its TYPE: {line}");
        if types[family] == "counter" {
            assert!(value >= 0.0, "{line}");
        }
        if let Some(le) = le {
            histogram_buckets
                .entry(format!("{family}{{{}}}", other_labels.join(",")))
                .or_default()
                .push((le, value));
        }
        assert!(
            samples.insert(series.to_string(), value).is_none(),
            "duplicate series {series}"
        );
    }
    for (series, buckets) in &histogram_buckets {
        assert!(
            buckets.windows(2).all(|w| w[0].0 < w[1].0),
            "le not ascending: {series}"
        );
        assert!(
            buckets.windows(2).all(|w| w[0].1 <= w[1].1),
            "buckets fall: {series}"
        );
        assert_eq!(
            buckets.last().unwrap().0,
            f64::INFINITY,
            "no +Inf: {series}"
        );
    }
    samples
}

#[test]
fn the_exposition_parses_and_counts_what_happened() {
    let engine = serving(config(BackendKind::SpawnBlocking, 2));
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    let text = rt.block_on(async {
        for _ in 0..5 {
            assert_eq!(
                get(&client, &format!("{base}/work?kernel=spin&size=50"))
                    .await
                    .0,
                200
            );
        }
        assert_eq!(
            get(&client, &format!("{base}/work?kernel=spin&size=-1"))
                .await
                .0,
            400
        );
        assert_eq!(get(&client, &format!("{base}/missing")).await.0, 404);
        String::new()
    });
    assert!(text.is_empty());
    // A Snapshot taken after the requests.
    engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let text = rt.block_on(async { get(&client, &format!("{base}/metrics")).await.2 });
    let samples = check_exposition(&text);
    for name in [
        "loadlab_tasks_submitted_total",
        "loadlab_tasks_total{outcome=\"completed\"}",
        "loadlab_tasks_total{outcome=\"failed\"}",
        "loadlab_tasks_total{outcome=\"cancelled\"}",
        "loadlab_tasks_in_flight",
        "loadlab_task_latency_seconds_count{phase=\"queue\"}",
        "loadlab_task_latency_seconds_count{phase=\"service\"}",
        "loadlab_task_latency_seconds_count{phase=\"total\"}",
        "loadlab_heartbeat_lag_seconds_count",
        "loadlab_echo_rtt_seconds_count",
        "loadlab_backend_threads{backend=\"spawn-blocking\"}",
        "loadlab_runtime_starved",
        "loadlab_http_requests_total{route=\"/work\",code=\"200\"}",
        "loadlab_http_requests_total{route=\"/work\",code=\"400\"}",
        "loadlab_http_requests_total{route=\"other\",code=\"404\"}",
        "loadlab_http_request_duration_seconds_count{route=\"/work\"}",
    ] {
        assert!(samples.contains_key(name), "{name} missing:\n{text}");
    }
    assert_eq!(samples["loadlab_tasks_submitted_total"], 5.0);
    assert_eq!(samples["loadlab_tasks_total{outcome=\"completed\"}"], 5.0);
    assert_eq!(
        samples["loadlab_task_latency_seconds_count{phase=\"total\"}"],
        5.0
    );
    assert_eq!(
        samples["loadlab_http_requests_total{route=\"/work\",code=\"200\"}"],
        5.0
    );
    assert_eq!(
        samples["loadlab_http_request_duration_seconds_count{route=\"/work\"}"],
        6.0
    );
    assert_eq!(
        samples["loadlab_backend_threads{backend=\"spawn-blocking\"}"],
        2.0
    );
    for family in [
        "loadlab_thread_cpu_seconds_total{",
        "loadlab_thread_wait_seconds_total{",
    ] {
        assert!(samples.keys().any(|k| k.starts_with(family)), "no {family}");
    }
    assert!(
        samples
            .keys()
            .any(|k| k.starts_with("loadlab_thread_busy_seconds_total{"))
    );
    engine.shutdown(Duration::from_secs(1));
}

#[test]
fn http_tasks_are_counted_and_checksummed_beside_the_driver() {
    let driver_only = |http_requests: usize| {
        let mut config = config(BackendKind::Rayon, 2);
        config.start_driver = true;
        config.limit = RunLimit::Tasks(400);
        config.load = LoadMode::Closed { inflight: 8 };
        let engine = serving(config);
        let base = base_url(&engine);
        let rt = client_runtime();
        let client = client();
        let digests: Vec<String> = rt.block_on(async {
            let mut digests = Vec::new();
            for seed in 0..http_requests {
                let (status, _, body) = get(
                    &client,
                    &format!("{base}/work?kernel=sumsq&size=2000&seed={seed}"),
                )
                .await;
                assert_eq!(status, 200, "{body}");
                digests.push(json(&body)["digest"].as_str().unwrap().to_string());
            }
            digests
        });
        engine.wait_for_run();
        let outcome = engine.finish();
        engine.shutdown(Duration::from_secs(1));
        (outcome.totals.counters, digests)
    };
    let (alone, _) = driver_only(0);
    let (with_http, digests) = driver_only(12);
    assert_eq!(alone.submitted, 400);
    assert_eq!(with_http.submitted, 412, "{with_http:?}");
    assert_eq!(with_http.completed, 412, "{with_http:?}");
    assert_eq!(with_http.failed + with_http.cancelled, 0);
    let http_terms = digests.iter().fold(0u64, |sum, digest| {
        sum.wrapping_add(task_term(0, u64::from_str_radix(digest, 16).unwrap()))
    });
    assert_eq!(with_http.checksum, alone.checksum.wrapping_add(http_terms));
}

#[test]
fn a_stop_with_requests_in_flight_answers_every_one_exactly_once() {
    // One worker, 150 ms tasks: one runs, the rest queue when the stop comes.
    let engine = serving(config(BackendKind::Channel, 1));
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    let requests: Vec<_> = (0..6)
        .map(|_| {
            let client = client.clone();
            let url = format!("{base}/work?kernel=sleep&size=150000");
            rt.spawn(async move { get(&client, &url).await })
        })
        .collect();
    // Wait until all six are submitted (bounded).
    let until = Instant::now() + Duration::from_secs(10);
    while engine.shared().outstanding.load(Ordering::Acquire) < 6 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    engine.end_run();
    let answers: Vec<(u16, String, String)> = rt.block_on(async {
        let mut answers = Vec::new();
        for request in requests {
            answers.push(request.await.unwrap());
        }
        answers
    });
    let ok = answers.iter().filter(|a| a.0 == 200).count() as u64;
    let refused = answers.iter().filter(|a| a.0 == 503).count() as u64;
    assert_eq!(ok + refused, 6, "{answers:?}");
    assert!(refused >= 1, "{answers:?}");
    for (_, _, body) in answers.iter().filter(|a| a.0 == 503) {
        assert!(
            json(body)["error"].as_str().unwrap().contains("cancelled"),
            "{body}"
        );
    }
    let outcome = engine.finish();
    let c = outcome.totals.counters;
    assert_eq!(
        (c.submitted, c.completed, c.cancelled, c.failed),
        (6, ok, refused, 0)
    );
    // New work is refused once shutting down; the service stops, the port closes.
    let address = engine.service_address().unwrap();
    let late =
        rt.block_on(async { get(&client, &format!("{base}/work?kernel=spin&size=10")).await });
    assert_eq!(late.0, 503, "{late:?}");
    engine.shutdown(Duration::from_secs(1));
    assert!(std::net::TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err());
}

#[test]
fn loadlab_serve_prints_its_address_and_counts_http_tasks() {
    let (child, _stderr, address) =
        support_targets::loadlab_serve(&["--duration", "2", "--format", "json"], Stdio::piped());
    let address = address.to_string();
    let rt = client_runtime();
    let client = client();
    rt.block_on(async {
        for seed in 0..3 {
            let url = format!("http://{address}/work?kernel=spin&size=100&seed={seed}");
            assert_eq!(get(&client, &url).await.0, 200);
        }
        assert_eq!(
            get(&client, &format!("http://{address}/health")).await.0,
            200
        );
    });
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let report = json(&String::from_utf8(output.stdout).unwrap());
    assert_eq!(report["tasks"]["submitted"], 3, "{report}");
    assert_eq!(report["tasks"]["completed"], 3, "{report}");
    assert_eq!(report["service"]["address"], address.as_str());
    let work = &report["service"]["routes"][1];
    assert_eq!(work["route"], "/work");
    assert_eq!(
        work["codes"][0],
        serde_json::json!({"code": 200, "count": 3})
    );
}

#[test]
fn a_bad_serve_address_is_a_usage_error_naming_the_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args(["serve", "--serve", "nowhere", "--duration", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--serve"), "{stderr}");
}

#[test]
fn only_loopback_addresses_are_served() {
    for address in ["0.0.0.0:0", "[::]:0", "192.0.2.1:9187"] {
        let output = Command::new(env!("CARGO_BIN_EXE_loadlab"))
            .args(["serve", "--serve", address, "--duration", "1"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{address}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--serve") && stderr.contains("not a loopback address"),
            "{address}: {stderr}"
        );
        assert!(stderr.trim().lines().count() <= 4, "{stderr}");
    }
}

#[test]
fn demo_starvation_with_serve_times_health_on_every_row() {
    let output = Command::new(env!("CARGO_BIN_EXE_loadlab"))
        .args([
            "demo",
            "starvation",
            "--serve",
            "127.0.0.1:0",
            "--duration",
            "0.5",
            "--rounds",
            "1",
            "--workload",
            "spin",
            "--size",
            "2000",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report = json(&String::from_utf8(output.stdout).unwrap());
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4, "{report}");
    for row in rows {
        let health = &row["health_rtt_us"];
        assert!(health["p99"].as_f64().unwrap() > 0.0, "{row}");
        assert!(
            health["p99"].as_f64().unwrap() <= health["max"].as_f64().unwrap(),
            "{row}"
        );
    }
    let offloaded = rows.iter().filter(|r| r["backend"] != "inline");
    assert!(
        offloaded
            .into_iter()
            .all(|r| r["health_rtt_us"]["samples"].as_u64().unwrap() > 0)
    );
}

/// Set by the `test-held` kernel once a task has started running.
static HELD_TASK_STARTED: AtomicBool = AtomicBool::new(false);

/// A kernel that says when it starts, then holds its thread `size` ms.
fn held_kernel() -> Kernel {
    static KERNEL: OnceLock<Kernel> = OnceLock::new();
    *KERNEL.get_or_init(|| {
        let held = CustomKernel::new("test-held", "ms held", |size, seed| {
            HELD_TASK_STARTED.store(true, Ordering::Release);
            std::thread::sleep(Duration::from_millis(size));
            seed
        })
        .default_size(1);
        register_kernel(held).unwrap()
    })
}

#[test]
fn a_shutdown_answers_a_request_whose_task_runs_on() {
    let kernel = held_kernel();
    let engine = serving(config(BackendKind::Rayon, 1));
    let base = base_url(&engine);
    let rt = client_runtime();
    let client = client();
    // A 20 s task: it is still running when the engine shuts down.
    let url = format!("{base}/work?kernel={}&size=20000", kernel.name());
    let request = rt.spawn(async move { get(&client, &url).await });
    let until = Instant::now() + Duration::from_secs(20);
    while !HELD_TASK_STARTED.load(Ordering::Acquire) {
        assert!(Instant::now() < until, "the task never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    engine.shutdown(Duration::from_millis(100));
    let (status, _, body) = rt.block_on(request).unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(
        json(&body)["error"].as_str().unwrap().contains("stopping"),
        "{body}"
    );
}
