//! The `/metrics` exposition as Prometheus' own checker sees it: `promtool
//! check metrics` must accept it, with every family present (tasks, latency
//! histograms, HTTP, threads). promtool is needed (Debian package
//! `prometheus`; `.ci/run` installs it): without it this test fails.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use loadlab::engine::EngineConfig;
use loadlab::service::ServeOptions;
use loadlab::session::serve;
use loadlab::spec::{BackendKind, Kernel, WorkloadSpec};

async fn get(client: &reqwest::Client, url: &str) -> (u16, String) {
    let response = client
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    (status, body)
}

#[test]
fn promtool_accepts_the_exposition() {
    let version = Command::new("promtool").arg("--version").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "promtool is not installed (Debian package prometheus; .ci/run installs it)"
    );
    let address = "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}"));
    let engine = serve::start(
        EngineConfig {
            backend: BackendKind::Rayon,
            threads: 2,
            workload: WorkloadSpec {
                kernel: Kernel::Spin,
                size: 100,
                ..WorkloadSpec::default()
            },
            start_driver: false,
            echo_pings_per_s: 10,
            ..EngineConfig::default()
        },
        Some(ServeOptions::new(address)),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let address = engine
        .service_address()
        .unwrap_or_else(|| panic!("the service listens"));
    let base = format!("http://{address}");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    runtime.block_on(async {
        for _ in 0..3 {
            assert_eq!(
                get(&client, &format!("{base}/work?kernel=spin&size=50"))
                    .await
                    .0,
                200
            );
        }
        assert_eq!(get(&client, &format!("{base}/missing")).await.0, 404);
    });
    // Snapshots taken after the requests, so every family has samples.
    engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    engine.fresh_snapshot().unwrap_or_else(|e| panic!("{e}"));
    let (status, text) = runtime.block_on(get(&client, &format!("{base}/metrics")));
    engine.shutdown(Duration::from_secs(1));
    assert_eq!(status, 200);
    for family in [
        "loadlab_tasks_total",
        "loadlab_task_latency_seconds_bucket",
        "loadlab_http_requests_total",
        "loadlab_thread_cpu_seconds_total",
    ] {
        assert!(text.contains(family), "{family} missing:\n{text}");
    }

    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("promtool: {e}"));
    child
        .stdin
        .take()
        .unwrap_or_else(|| panic!("promtool's stdin"))
        .write_all(text.as_bytes())
        .unwrap_or_else(|e| panic!("promtool's stdin: {e}"));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("promtool: {e}"));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool check metrics: {said}\n{text}"
    );
    // Lint findings are printed with a zero status by some versions: none allowed.
    assert!(said.trim().is_empty(), "promtool check metrics: {said}");
}
