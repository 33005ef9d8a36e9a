//! `loadlab attach` against processes these tests start: the loadlab binary
//! itself (`run` with named pool threads, `serve` with a /health to probe).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

fn loadlab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
}

/// Ends the child when the test ends, passed or not.
struct Target(Child);

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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

/// Every thread's CPU time now, from /proc, ns.
fn cpu_ns_by_tid(pid: u32) -> Vec<(i32, u64)> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
        .filter_map(|entry| {
            let tid = entry.file_name().to_str()?.parse().ok()?;
            let schedstat = std::fs::read_to_string(entry.path().join("schedstat")).ok()?;
            Some((tid, schedstat.split_whitespace().next()?.parse().ok()?))
        })
        .collect()
}

/// Waits until `pid` has at least `threads` threads.
fn wait_for_threads(pid: u32, threads: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while cpu_ns_by_tid(pid).len() < threads {
        assert!(
            Instant::now() < deadline,
            "{pid} never had {threads} threads"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn pools_and_thread_cpu_match_proc_within_a_sample() {
    let child = loadlab()
        .args([
            "run",
            "--backend",
            "channel",
            "--threads",
            "2",
            "--workload",
            "spin",
            "--size",
            "2000",
            "--duration",
            "30",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let _guard = Target(child);
    wait_for_threads(pid, 6);
    let before = cpu_ns_by_tid(pid);
    let outer = Instant::now();
    let output = attach(&[&pid.to_string(), "--duration", "1.5", "--format", "json"]);
    let outer_s = outer.elapsed().as_secs_f64();
    let after = cpu_ns_by_tid(pid);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json_report(&output);
    assert_eq!(report["pid"], pid);
    assert_eq!(report["target_exited"], false);
    assert_eq!(report["verdict"], "unknown");
    assert!(report["probe"].is_null());
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
        assert!(
            reported <= outside_s + 1e-9,
            "{thread}: /proc says {outside_s}"
        );
        assert!(
            reported >= outside_s - unwatched_s - 1e-3,
            "{thread}: /proc says {outside_s}, unwatched {unwatched_s}"
        );
        checked += 1;
    }
    assert!(checked >= 6, "{report}");
    let pool = |name: &str| {
        report["pools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["pool"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no pool {name}: {report}"))
    };
    // The channel backend's workers are `pool-0` and `pool-1`, the app runtime's `app-N`.
    assert_eq!(pool("pool")["threads"], 2);
    assert_eq!(pool("app")["threads"], 2);
    assert_eq!(pool("main")["threads"], 1);
    for name in ["pool", "app"] {
        let summed: f64 = threads
            .iter()
            .filter(|t| t["pool"] == name)
            .map(|t| t["cpu_s"].as_f64().unwrap())
            .sum();
        assert!((pool(name)["cpu_s"].as_f64().unwrap() - summed).abs() < 1e-6);
    }
    // Spinning workers: the pool used CPU while watched.
    assert!(pool("pool")["cpu_s"].as_f64().unwrap() > 0.05, "{report}");
}

#[test]
fn group_rules_name_pools_first() {
    let child = loadlab()
        .args([
            "run",
            "--backend",
            "channel",
            "--threads",
            "2",
            "--duration",
            "30",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let _guard = Target(child);
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
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("--group") && stderr.contains("regular expression"),
        "{stderr}"
    );
}

#[test]
fn the_targets_end_ends_attach_with_its_report() {
    let child = loadlab()
        .args([
            "run",
            "--backend",
            "rayon",
            "--threads",
            "2",
            "--duration",
            "1.5",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Not reaped until the guard drops: attach sees a zombie, as with any
    // parent that has not waited yet.
    let _guard = Target(child);
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
    let mut child = loadlab()
        .args([
            "serve",
            "--serve",
            "127.0.0.1:0",
            "--backend",
            "inline",
            "--runtime-workers",
            "1",
            "--duration",
            "60",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // Keep reading stderr so the service never blocks on a full pipe.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
    (Target(child), address)
}

/// GETs `path` again and again on fresh connections until `stop`.
fn hammer(address: SocketAddr, path: &'static str, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
            continue;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

#[test]
fn the_verdict_turns_starved_under_a_blocking_hammer() {
    let (service, address) = inline_service();
    let pid = service.0.id().to_string();
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

    let stop = Arc::new(AtomicBool::new(false));
    let hammers: Vec<_> = (0..2)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || hammer(address, "/work?kernel=spin&size=300000", stop))
        })
        .collect();
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
    stop.store(true, Ordering::Relaxed);
    for hammer in hammers {
        hammer.join().unwrap();
    }
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
        &service.0.id().to_string(),
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
