//! `loadlab attach` against processes these tests start: the loadlab binary
//! itself (`run` with named pool threads, `serve` with a /health to probe)
//! and the example hash service (tokio workers, a rayon pool, /metrics).

mod support_targets;

use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support_targets::{
    Hammer, Target, cpu_ns_by_tid, drain, get_once, hash_service, loadlab, loadlab_serve,
    wait_for_threads,
};

fn attach(args: &[&str]) -> Output {
    loadlab().arg("attach").args(args).output().unwrap()
}

fn json_report(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// A usage error: exit 2, its message naming every one of `words`.
fn assert_usage_error(output: &Output, words: &[&str]) {
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for word in words {
        assert!(stderr.contains(word), "{word:?} missing: {stderr}");
    }
}

/// `loadlab run --backend B --threads 2 ARGS`, quiet, until the guard drops.
fn loadlab_run(backend: &str, args: &[&str]) -> Target {
    let child: Child = loadlab()
        .args(["run", "--backend", backend, "--threads", "2"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Target(child)
}

/// A report's pool by name.
fn pool(report: &Value, name: &str) -> Value {
    report["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pool"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no pool {name}: {report}"))
}

/// The most of its time an idle example service's runtime says it was busy.
const IDLE_BUSY_PCT_MAX: f64 = 25.0;

/// The longest scheduler tick of a common kernel (HZ=100); many use 4 ms
/// (HZ=250).
const SCHEDULER_TICK_MAX_S: f64 = 0.010;

/// Attaches to `pid` for `seconds` and checks every thread's CPU against
/// /proc's read just before and just after; returns the report.
fn attach_and_check_cpu_against_proc(
    pid: u32,
    seconds: &str,
    extra: &[&str],
    min_checked: usize,
) -> Value {
    let before = cpu_ns_by_tid(pid);
    let outer = Instant::now();
    let mut args = vec![pid.to_string(), "--duration".into(), seconds.into()];
    args.extend(extra.iter().map(|a| a.to_string()));
    args.extend(["--format".to_string(), "json".to_string()]);
    let output = attach(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let outer_s = outer.elapsed().as_secs_f64();
    let after = cpu_ns_by_tid(pid);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_report(&output);
    assert_eq!(report["pid"], pid);
    assert_eq!(report["target_exited"], false);
    let elapsed_s = report["elapsed_s"].as_f64().unwrap();
    // The stretch attach did not watch: its start-up and its report.
    let unwatched_s = outer_s - elapsed_s;
    assert!(unwatched_s >= 0.0, "{outer_s} {elapsed_s}");
    let threads = report["threads_seen"].as_array().unwrap();
    let mut checked = 0;
    for thread in threads {
        let tid = thread["tid"].as_i64().unwrap() as i32;
        let (Some((_, start)), Some((_, end))) = (
            before.iter().find(|(t, _)| *t == tid),
            after.iter().find(|(t, _)| *t == tid),
        ) else {
            continue;
        };
        let outside_s = (end - start) as f64 / 1e9;
        let reported = thread["cpu_s"].as_f64().unwrap();
        // Within what the thread could have used while attach was not looking
        // (one core at most), and never more than /proc's own difference.
        // A running thread's schedstat catches up only at each scheduler tick,
        // so each of the two readings at either end may lag by one tick.
        assert!(
            reported <= outside_s + 1e-9,
            "{thread}: /proc says {outside_s}"
        );
        assert!(
            reported >= outside_s - unwatched_s - 2.0 * SCHEDULER_TICK_MAX_S,
            "{thread}: /proc says {outside_s}, unwatched {unwatched_s}"
        );
        checked += 1;
    }
    assert!(
        checked >= min_checked,
        "{checked} threads checked: {report}"
    );
    // Each pool is the sum of its threads.
    for pool_seen in report["pools"].as_array().unwrap() {
        let summed: f64 = threads
            .iter()
            .filter(|t| t["pool"] == pool_seen["pool"])
            .map(|t| t["cpu_s"].as_f64().unwrap())
            .sum();
        assert!(
            (pool_seen["cpu_s"].as_f64().unwrap() - summed).abs() < 1e-6,
            "{pool_seen}: threads sum to {summed}"
        );
    }
    report
}

#[test]
fn pools_and_thread_cpu_match_proc_within_a_sample() {
    let target = loadlab_run(
        "channel",
        &["--workload", "spin", "--size", "2000", "--duration", "30"],
    );
    let pid = target.pid();
    wait_for_threads(pid, 6);
    let report = attach_and_check_cpu_against_proc(pid, "1.5", &[], 6);
    assert_eq!(report["verdict"], "unknown");
    assert!(report["probe"].is_null());
    assert!(report["metrics"].is_null());
    // The channel backend's workers are `pool-0` and `pool-1`, the app runtime's `app-N`.
    assert_eq!(pool(&report, "pool")["threads"], 2);
    assert_eq!(pool(&report, "app")["threads"], 2);
    assert_eq!(pool(&report, "main")["threads"], 1);
    // Spinning workers: the pool used CPU while watched.
    assert!(
        pool(&report, "pool")["cpu_s"].as_f64().unwrap() > 0.05,
        "{report}"
    );
}

#[test]
fn group_rules_name_pools_first() {
    let target = loadlab_run("channel", &["--duration", "30"]);
    let pid = target.pid();
    wait_for_threads(pid, 6);
    let output = attach(&[
        &pid.to_string(),
        "--group",
        "^pool-0$=first",
        "--group",
        "^pool=rest",
        "--duration",
        "0.3",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_report(&output);
    let pool_of = |name: &str| {
        report["threads_seen"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["pool"].clone())
    };
    assert_eq!(pool_of("pool-0"), Some(Value::from("first")));
    assert_eq!(pool_of("pool-1"), Some(Value::from("rest")));
    let bad = attach(&[&pid.to_string(), "--group", "(=x", "--duration", "0.2"]);
    assert_usage_error(&bad, &["--group", "regular expression"]);
}

#[test]
fn the_targets_end_ends_attach_with_its_report() {
    // Not reaped until the guard drops: attach sees a zombie, as with any
    // parent that has not waited yet.
    let target = loadlab_run("rayon", &["--duration", "1.5"]);
    let pid = target.pid();
    wait_for_threads(pid, 4);
    let started = Instant::now();
    let output = attach(&[&pid.to_string(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
    let report = json_report(&output);
    assert_eq!(report["target_exited"], true);
    assert_eq!(report["interrupted"], false);
    assert!(
        report["pools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["pool"] == "rayon" && p["threads"] == 2),
        "{report}"
    );
}

#[test]
fn missing_ambiguous_and_unreadable_targets_are_one_line_errors() {
    let missing = attach(&["2147483647", "--duration", "1"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no process 2147483647"), "{stderr}");

    let nothing = attach(&["no-such-program-here", "--duration", "1"]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("no process is named"));

    // Two processes of one name: attach cannot choose.
    let name = "loadlab-att-twin";
    let twins: Vec<Target> = (0..2)
        .map(|_| {
            Target(
                Command::new("bash")
                    .args(["-c", &format!("exec -a {name} sleep 30")])
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    let pids: Vec<u32> = twins.iter().map(|t| t.0.id()).collect();
    // Both named (bash has exec'ed) before asking.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pids.iter().all(|pid| {
        std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(name.as_bytes()))
    }) {
        assert!(Instant::now() < deadline, "the twins never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let several = attach(&[name, "--duration", "1"]);
    assert_eq!(several.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&several.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    for pid in pids {
        assert!(stderr.contains(&pid.to_string()), "{stderr}");
    }

    // PID 1 belongs to root: its threads can be read only where /proc allows.
    let init = attach(&["1", "--duration", "0.1", "--format", "json"]);
    assert!(matches!(init.status.code(), Some(0 | 2)), "{init:?}");
    if init.status.code() == Some(2) {
        let stderr = String::from_utf8_lossy(&init.stderr);
        assert!(stderr.contains("cannot be read"), "{stderr}");
    }
}

#[test]
fn a_probe_url_off_this_machine_is_refused() {
    for url in [
        "http://10.1.2.3:80/health",
        "https://127.0.0.1/",
        "http://example.com/",
    ] {
        let output = attach(&["1", "--probe", url, "--duration", "1"]);
        assert_eq!(output.status.code(), Some(2), "{url}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--probe"), "{url}: {stderr}");
        assert!(stderr.trim().lines().count() <= 4, "{stderr}");
    }
}

/// `loadlab serve` on one runtime worker with inline work: a `/work` request
/// blocks the only worker, so `/health` waits behind it.
fn inline_service() -> (Target, SocketAddr) {
    let (child, stderr, address) = loadlab_serve(
        &[
            "--backend",
            "inline",
            "--runtime-workers",
            "1",
            "--duration",
            "60",
        ],
        Stdio::null(),
    );
    drain(stderr);
    (Target(child), address)
}

#[test]
fn the_verdict_turns_starved_under_a_blocking_hammer() {
    let (service, address) = inline_service();
    let pid = service.pid().to_string();
    let probe = format!("http://{address}/health");
    // A threshold well above a loaded machine's hiccups, well below the
    // 300 ms a blocked worker holds /health.
    let threshold = "100";
    let quiet = attach(&[
        &pid,
        "--probe",
        &probe,
        "--starved-threshold-ms",
        threshold,
        "--duration",
        "1.5",
        "--format",
        "json",
    ]);
    assert_eq!(quiet.status.code(), Some(0), "{quiet:?}");
    let quiet = json_report(&quiet);
    assert_eq!(quiet["verdict"], "healthy", "{quiet}");
    assert!(quiet["probe"]["samples"].as_u64().unwrap() >= 5, "{quiet}");

    let hammer = Hammer::start(address, "/work?kernel=spin&size=300000", 2);
    let busy = attach(&[
        &pid,
        "--probe",
        &probe,
        "--starved-threshold-ms",
        threshold,
        "--duration",
        "2",
        "--format",
        "json",
    ]);
    drop(hammer);
    assert_eq!(busy.status.code(), Some(0), "{busy:?}");
    let busy = json_report(&busy);
    assert_eq!(busy["verdict"], "starved", "{busy}");
    assert!(
        busy["probe"]["p99_us"].as_f64().unwrap() > 100_000.0,
        "{busy}"
    );
    // The blocked worker is the app runtime's one: it burnt the CPU.
    let app = busy["pools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pool"] == "app")
        .cloned()
        .unwrap_or_else(|| panic!("no app pool: {busy}"));
    assert!(app["cpu_s"].as_f64().unwrap() > 0.3, "{busy}");
}

#[test]
fn text_reports_give_probe_latencies_in_ms() {
    let (service, address) = inline_service();
    let output = attach(&[
        &service.pid().to_string(),
        "--probe",
        &format!("http://{address}/health"),
        "--duration",
        "0.5",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(" ms,") && text.contains("verdict: "),
        "{text}"
    );
}

/// The example's probe and metrics, and a threshold well above a loaded
/// machine's hiccups, well below what a worker hashing 128 MiB holds /health.
fn hash_service_flags(address: SocketAddr) -> Vec<String> {
    vec![
        "--probe".into(),
        format!("http://{address}/health"),
        "--metrics".into(),
        format!("http://{address}/metrics"),
        "--starved-threshold-ms".into(),
        "100".into(),
    ]
}

/// A tokio series of a report's `metrics` by tokio-metrics field.
fn series(report: &Value, field: &str) -> Value {
    report["metrics"]["series"]
        .as_array()
        .unwrap_or_else(|| panic!("no metrics: {report}"))
        .iter()
        .find(|s| s["field"] == field)
        .cloned()
        .unwrap_or_else(|| panic!("no {field}: {report}"))
}

#[test]
fn the_example_service_quiet_its_pools_cpu_and_tokio_metrics() {
    let (service, address) = hash_service();
    let pid = service.pid();
    // main, two or more tokio workers, one or more rayon threads.
    wait_for_threads(pid, 4);
    let flags = hash_service_flags(address);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let report = attach_and_check_cpu_against_proc(pid, "2.5", &flags, 3);
    assert_eq!(report["verdict"], "healthy", "{report}");
    assert!(
        report["probe"]["samples"].as_u64().unwrap() >= 10,
        "{report}"
    );
    let metrics = &report["metrics"];
    assert_eq!(metrics["failures"], 0, "{report}");
    assert!(metrics["scrapes"].as_u64().unwrap() >= 2, "{report}");
    // The runtime's own count of its workers is the tokio pool /proc shows.
    assert_eq!(
        series(&report, "workers_count")["value"].as_f64().unwrap(),
        pool(&report, "tokio")["threads"].as_f64().unwrap(),
        "{report}"
    );
    assert!(pool(&report, "rayon")["threads"].as_u64().unwrap() >= 1);
    assert_eq!(series(&report, "total_busy_duration")["type"], "counter");
    // Idle workers park: a small share of their time busy.
    let busy = metrics["busy_pct"].as_f64().unwrap();
    assert!((0.0..IDLE_BUSY_PCT_MAX).contains(&busy), "{report}");
}

#[test]
fn the_example_service_starves_under_inline_hashing_and_its_end_ends_attach() {
    let (mut service, address) = hash_service();
    let pid = service.pid();
    wait_for_threads(pid, 4);
    assert!(get_once(address, "/hash/inline?mib=1").contains("200 OK"));
    {
        // More hashing clients than workers: every worker hashes, /health waits
        // for a hash to end (about 150 ms each at 256 MiB on a quiet machine).
        let _hammer = Hammer::start(address, "/hash/inline?mib=256", 4);
        std::thread::sleep(Duration::from_millis(300));
        let mut args = vec![pid.to_string()];
        args.extend(hash_service_flags(address));
        args.extend(["--duration", "2.5", "--format", "json"].map(String::from));
        let busy = attach(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(busy.status.code(), Some(0), "{busy:?}");
        let busy = json_report(&busy);
        assert_eq!(busy["verdict"], "starved", "{busy}");
        assert!(
            busy["probe"]["p99_us"].as_f64().unwrap() > 100_000.0,
            "{busy}"
        );
        // The tokio workers burnt the CPU, and the runtime says it was busy:
        // more than an idle service ever shows. Tokio credits busy time when a
        // poll returns, so a scrape can miss up to one hash per worker.
        assert!(
            pool(&busy, "tokio")["cpu_s"].as_f64().unwrap() > 0.5,
            "{busy}"
        );
        let busy_pct = busy["metrics"]["busy_pct"].as_f64().unwrap_or(0.0);
        assert!(busy_pct > IDLE_BUSY_PCT_MAX, "{busy}");
    }
    // Attached until the target ends: its end ends attach, with its report.
    let watcher = loadlab()
        .args([
            "attach",
            &pid.to_string(),
            "--metrics",
            &format!("http://{address}/metrics"),
            "--format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    service.0.kill().unwrap();
    service.0.wait().unwrap();
    let ended = Instant::now();
    let output = watcher.wait_with_output().unwrap();
    assert!(ended.elapsed() < Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_report(&output);
    assert_eq!(report["target_exited"], true, "{report}");
    assert_eq!(report["interrupted"], false, "{report}");
    assert!(
        report["metrics"]["scrapes"].as_u64().unwrap() >= 1,
        "{report}"
    );
}

#[test]
fn unreadable_garbled_and_tokio_less_metrics_are_warnings() {
    let (service, address) = inline_service();
    let pid = service.pid().to_string();
    let cases = [
        // Nothing listens on port 1.
        ("http://127.0.0.1:1/metrics", "could not be read"),
        // JSON, not Prometheus text.
        (&*format!("http://{address}/health"), "not Prometheus text"),
        // Prometheus text without tokio's runtime metrics.
        (
            &*format!("http://{address}/metrics"),
            "no tokio runtime metrics",
        ),
    ]
    .map(|(url, warning)| (url.to_string(), warning));
    let runs: Vec<_> = cases
        .iter()
        .map(|(url, _)| {
            let (pid, url) = (pid.clone(), url.clone());
            std::thread::spawn(move || {
                attach(&[
                    &pid,
                    "--metrics",
                    &url,
                    "--duration",
                    "1.5",
                    "--format",
                    "json",
                ])
            })
        })
        .collect();
    for ((url, warning), run) in cases.iter().zip(runs) {
        let output = run.join().unwrap();
        assert_eq!(output.status.code(), Some(0), "{url}: {output:?}");
        let report = json_report(&output);
        assert_eq!(report["metrics"]["url"], url.as_str());
        let warnings = report["warnings"].to_string();
        assert!(warnings.contains(warning), "{url}: {report}");
    }
    let bad = attach(&[
        &pid,
        "--metrics",
        "http://10.0.0.1/metrics",
        "--duration",
        "1",
    ]);
    assert_usage_error(&bad, &["--metrics", "loopback"]);
}

#[test]
fn format_help_lists_the_report_formats() {
    let help = loadlab().args(["attach", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("[possible values: text, json]"), "{text}");
    let csv = attach(&["1", "--format", "csv"]);
    assert_usage_error(&csv, &["--format", "text, json"]);
}

#[test]
fn a_probed_service_that_closes_after_each_answer_is_not_failing() {
    // A plain service on a thread of this test: one answer per connection,
    // `Connection: close`, as many small servers do.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::{BufRead, Write};
            let mut reader = std::io::BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = (&stream).write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n",
            );
        }
    });
    let output = attach(&[
        &std::process::id().to_string(),
        "--probe",
        &format!("http://{address}/health"),
        "--duration",
        "1.5",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_report(&output);
    assert_eq!(report["probe"]["failures"], 0, "{report}");
    assert!(
        report["probe"]["samples"].as_u64().unwrap() >= 8,
        "{report}"
    );
}

#[test]
fn a_signal_ends_attach_with_its_report_and_says_what_attach_does() {
    let target = loadlab_run("rayon", &["--duration", "30"]);
    let pid = target.pid();
    wait_for_threads(pid, 4);
    let watcher = loadlab()
        .args(["attach", &pid.to_string(), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let sent = Command::new("kill")
        .args(["-INT", &watcher.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = watcher.wait_with_output().unwrap();
    // 128 + SIGINT, with the report of what it watched.
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "interrupted by SIGINT: reading every thread once more and reporting what it saw"
        ),
        "{stderr}"
    );
    // Attach runs no work: it never speaks of tasks.
    assert!(!stderr.contains("tasks"), "{stderr}");
    let report = json_report(&output);
    assert_eq!(report["interrupted"], true, "{report}");
    assert_eq!(report["target_exited"], false, "{report}");
    assert!(report["elapsed_s"].as_f64().unwrap() > 0.0, "{report}");
}
