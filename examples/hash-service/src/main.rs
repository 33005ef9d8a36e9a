//! A small HTTP service of the kind loadlab is about: one endpoint hashes on
//! the async runtime's own workers (the mistake), one hands the same work to
//! a rayon pool and awaits it (the fix), and `/health` answers at once when
//! the runtime has a free worker. Attach loadlab to it and watch the
//! difference. `/metrics` gives the runtime's own figures (tokio's stable
//! `RuntimeMetrics`) under tokio-metrics' names, for `--metrics`:
//!
//! ```text
//! cargo run --release -p hash-service             # listens on 127.0.0.1:3000
//! loadlab attach hash-service --probe http://127.0.0.1:3000/health \
//!     --metrics http://127.0.0.1:3000/metrics
//! wrk -t2 -c8 -d30s http://127.0.0.1:3000/hash/inline     # STARVED
//! wrk -t2 -c8 -d30s http://127.0.0.1:3000/hash/offload    # HEALTHY
//! ```
//!
//! `--port N` (or `PORT`) picks the port; `?mib=N` the MiB hashed per request.

use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::routing::get;

/// MiB hashed per request by default: tens of milliseconds of one core.
const DEFAULT_MIB: u32 = 32;
/// The most a request may ask for, so one request cannot hold a core for minutes.
const MAX_MIB: u32 = 1024;

fn main() {
    let port = match port() {
        Ok(port) => port,
        Err(message) => {
            eprintln!("hash-service: {message}");
            std::process::exit(2);
        }
    };
    // rayon names no thread unless asked: named, they show as their own pool.
    // One core is left to the async workers, so offloaded hashing never keeps
    // `/health` waiting for a CPU.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if let Err(error) = rayon::ThreadPoolBuilder::new()
        .num_threads(cores.saturating_sub(1).max(1))
        .thread_name(|index| format!("rayon-{index}"))
        .build_global()
    {
        eprintln!("hash-service: cannot start the rayon pool: {error}");
        std::process::exit(1);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hash-service: cannot start the runtime: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(serve(port)) {
        eprintln!("hash-service: {error}");
        std::process::exit(1);
    }
}

async fn serve(port: u16) -> std::io::Result<()> {
    let app = Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .route("/hash/inline", get(hash_inline))
        .route("/hash/offload", get(hash_offload))
        .route("/metrics", get(runtime_metrics));
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!(
        "hash-service: listening on http://{} (pid {}): /health /hash/inline /hash/offload /metrics",
        listener.local_addr()?,
        std::process::id()
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

/// Hashes right here, on the runtime worker that polls this request: while
/// it hashes, that worker serves nobody else, `/health` included.
async fn hash_inline(RawQuery(query): RawQuery) -> Result<String, (StatusCode, String)> {
    let mib = mib(query.as_deref())?;
    Ok(hash(mib))
}

/// Hands the hashing to the rayon pool and awaits the digest: the runtime
/// worker is free for other requests meanwhile.
async fn hash_offload(RawQuery(query): RawQuery) -> Result<String, (StatusCode, String)> {
    let mib = mib(query.as_deref())?;
    let (done, digest) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        let _ = done.send(hash(mib));
    });
    digest.await.map_err(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the hashing task ended without a digest\n".to_string(),
        )
    })
}

/// The runtime's stable metrics in Prometheus' text format, named as
/// tokio-metrics exports them (`tokio_` and its field names; durations in
/// microseconds), totals since the runtime started.
async fn runtime_metrics() -> ([(header::HeaderName, &'static str); 1], String) {
    let metrics = tokio::runtime::Handle::current().metrics();
    let workers = metrics.num_workers();
    let busy_us: Vec<u128> = (0..workers)
        .map(|w| metrics.worker_total_busy_duration(w).as_micros())
        .collect();
    let parks: u64 = (0..workers).map(|w| metrics.worker_park_count(w)).sum();
    let mut page = String::new();
    let mut family = |name: &str, kind: &str, help: &str, value: u128| {
        let _ = write!(
            page,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"
        );
    };
    family(
        "tokio_workers_count",
        "gauge",
        "Worker threads of the runtime.",
        workers as u128,
    );
    family(
        "tokio_live_tasks_count",
        "gauge",
        "Tasks alive in the runtime.",
        metrics.num_alive_tasks() as u128,
    );
    family(
        "tokio_global_queue_depth",
        "gauge",
        "Tasks waiting in the runtime's global queue.",
        metrics.global_queue_depth() as u128,
    );
    family(
        "tokio_total_park_count",
        "counter",
        "Times the workers parked.",
        u128::from(parks),
    );
    family(
        "tokio_total_busy_duration",
        "counter",
        "Time the workers spent busy, microseconds.",
        busy_us.iter().sum(),
    );
    family(
        "tokio_max_busy_duration",
        "counter",
        "Busy time of the busiest worker, microseconds.",
        busy_us.iter().copied().max().unwrap_or(0),
    );
    family(
        "tokio_min_busy_duration",
        "counter",
        "Busy time of the least busy worker, microseconds.",
        busy_us.iter().copied().min().unwrap_or(0),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], page)
}

/// `mib=N` from the query string (other parameters are ignored).
fn mib(query: Option<&str>) -> Result<u32, (StatusCode, String)> {
    let given = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("mib="));
    let Some(text) = given else {
        return Ok(DEFAULT_MIB);
    };
    match text.parse::<u32>() {
        Ok(mib @ 1..=MAX_MIB) => Ok(mib),
        _ => Err((
            StatusCode::BAD_REQUEST,
            format!(
                "mib={}: give a whole number from 1 to {MAX_MIB}\n",
                text.escape_debug()
            ),
        )),
    }
}

/// BLAKE3 over `mib` MiB (one MiB block, chained so nothing is skipped).
fn hash(mib: u32) -> String {
    let block = vec![0x5au8; 1 << 20];
    let mut hasher = blake3::Hasher::new();
    for round in 0..mib {
        hasher.update(&round.to_le_bytes());
        hasher.update(&block);
    }
    format!("{}\n", hasher.finalize().to_hex())
}

/// `--port N`, else `PORT`, else 3000.
fn port() -> Result<u16, String> {
    let mut args = std::env::args().skip(1);
    let text = match (args.next().as_deref(), args.next()) {
        (Some("--port"), Some(port)) => port,
        (Some(other), _) => return Err(format!("unknown argument {other:?}: use --port N")),
        (None, _) => std::env::var("PORT").unwrap_or_else(|_| "3000".to_string()),
    };
    text.parse::<u16>()
        .map_err(|_| format!("port {text:?} is not a number from 0 to 65535"))
}
