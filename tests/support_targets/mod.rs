//! Processes the tests start and talk to: `loadlab serve` (its address read
//! from the line it prints first), the example hash service, a guard that
//! ends a child whatever happens, and what /proc says of a process's
//! threads. Each test file uses a subset, hence the allow.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

pub fn loadlab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_loadlab"))
}

/// Ends the child when the test ends, passed or not.
pub struct Target(pub Child);

impl Target {
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `http://IP:PORT` a service announces on its first stderr line.
pub fn announced_address(stderr: &mut BufReader<ChildStderr>) -> SocketAddr {
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    line.split("http://")
        .nth(1)
        .and_then(|rest| rest.split([' ', '/', ')']).next())
        .and_then(|address| address.trim().parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
}

/// Keeps reading `stderr` so the child never blocks on a full pipe.
pub fn drain(mut stderr: BufReader<ChildStderr>) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut stderr, &mut std::io::sink());
    });
}

/// `loadlab serve --serve 127.0.0.1:0 ARGS`, stdout as given, with its
/// stderr past the address line (read it, or `drain` it).
pub fn loadlab_serve(args: &[&str], stdout: Stdio) -> (Child, BufReader<ChildStderr>, SocketAddr) {
    let mut child = loadlab()
        .args(["serve", "--serve", "127.0.0.1:0"])
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let address = announced_address(&mut stderr);
    (child, stderr, address)
}

/// The example hash service (`examples/hash-service`, built by `cargo test`
/// as one of loadlab's examples) on a free port.
pub fn hash_service() -> (Target, SocketAddr) {
    let binary = hash_service_binary();
    let mut child = Command::new(&binary)
        .args(["--port", "0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let address = announced_address(&mut stderr);
    drain(stderr);
    (Target(child), address)
}

/// Where `cargo test` put the example: `examples/` beside the loadlab binary.
fn hash_service_binary() -> PathBuf {
    let loadlab = PathBuf::from(env!("CARGO_BIN_EXE_loadlab"));
    let binary = loadlab
        .parent()
        .map(|dir| dir.join("examples").join("hash-service"))
        .unwrap();
    assert!(
        binary.exists(),
        "{} is missing: `cargo test` builds it (`cargo test --test NAME` does not; `cargo build --example hash-service` does)",
        binary.display()
    );
    binary
}

/// Every thread's CPU time now, from /proc, ns.
pub fn cpu_ns_by_tid(pid: u32) -> Vec<(i32, u64)> {
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
pub fn wait_for_threads(pid: u32, threads: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while cpu_ns_by_tid(pid).len() < threads {
        assert!(
            Instant::now() < deadline,
            "{pid} never had {threads} threads"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Hammers `path` from `clients` threads, each GETting it again and again
/// on fresh connections, until dropped.
pub struct Hammer {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Hammer {
    pub fn start(address: SocketAddr, path: &str, clients: usize) -> Hammer {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..clients)
            .map(|_| {
                let (stop, path) = (stop.clone(), path.to_string());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        get_once(address, &path);
                    }
                })
            })
            .collect();
        Hammer { stop, threads }
    }
}

impl Drop for Hammer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// One GET on a fresh connection; the answer, or empty when there was none.
pub fn get_once(address: SocketAddr, path: &str) -> String {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}
