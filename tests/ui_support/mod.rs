//! Shared by the ui_* tests: realistic fixed Snapshots, a fake Controller that
//! records commands, and a TestBackend renderer that returns the screen as text.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use loadlab::engine::Refused;
use loadlab::engine::command::Command;
use loadlab::engine::controller::Controller;
use loadlab::logging::LogBuffer;
use loadlab::metrics::snapshot::*;
use loadlab::spec::{BackendKind, LoadMode, WorkloadSpec};
use loadlab::ui::app::App;
use loadlab::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::watch;

pub fn pct(p50: f64, p90: f64, p99: f64, max: f64, count: u64) -> Percentiles {
    Percentiles {
        p50,
        p90,
        p99,
        max,
        count,
    }
}

fn thread(tid: i32, name: &str, cpu: f64, busy: f64, tps: f64) -> ThreadView {
    ThreadView {
        tid,
        name: name.into(),
        pool: PoolKind::from_thread_name(name),
        cpu_pct: cpu,
        wait_pct: 0.0,
        busy_pct: busy,
        tasks_per_s: tps,
        tasks: (tps * 60.0) as u64,
        busy_s: busy / 100.0 * 60.0,
        cpu_s: cpu / 100.0 * 60.0,
        wait_s: 0.0,
        alive: true,
    }
}

/// A Snapshot like the sampler sends 1 s into second `t` of a rayon run with two
/// threads on a 2-core machine; `wobble` (0..1) varies the figures a little.
pub fn rayon_snapshot(t: u64, wobble: f64) -> Snapshot {
    let mut s = rayon_window(t, wobble);
    accumulate(&mut s, t);
    s
}

fn rayon_window(t: u64, wobble: f64) -> Snapshot {
    let tps = 470.0 + 20.0 * wobble;
    let threads = vec![
        thread(101, "main", 0.0, 0.0, 0.0),
        thread(102, "app-0", 2.1 + wobble, 0.0, 0.0),
        thread(103, "app-1", 1.7, 0.0, 0.0),
        thread(104, "rayon-0", 99.0, 96.5 + wobble, tps / 2.0),
        thread(105, "rayon-1", 98.2, 95.9, tps / 2.0),
        thread(106, "sampler", 0.8, 0.0, 0.0),
        thread(107, "ui", 0.4, 0.0, 0.0),
    ];
    let completed = 470 * t;
    Snapshot {
        seq: t,
        elapsed_s: t as f64,
        window_s: 1.0,
        since_reset_s: t as f64,
        config: ConfigView {
            backend: BackendKind::Rayon,
            threads: 2,
            runtime_workers: 2,
            workload: WorkloadSpec::default(),
            load: LoadMode::Closed { inflight: 4 },
            paused: false,
            running: true,
            generation: 1,
        },
        tasks: TaskCounts {
            submitted: completed + 4,
            completed,
            failed: 0,
            cancelled: 0,
            inflight: 4,
        },
        throughput: Throughput {
            tasks_per_s: tps,
            failed_per_s: 0.0,
            bytes_per_s: 0.0,
        },
        latency: LatencyView {
            window: LatencySet {
                queue: pct(4_050.0, 4_300.0, 4_900.0 + 300.0 * wobble, 6_100.0, 470),
                service: pct(4_100.0, 4_250.0, 4_700.0, 5_900.0, 470),
                total: pct(8_200.0, 8_600.0, 9_500.0 + 400.0 * wobble, 11_800.0, 470),
            },
            cumulative: LatencySet {
                queue: pct(4_040.0, 4_310.0, 5_000.0, 9_000.0, completed),
                service: pct(4_090.0, 4_260.0, 4_800.0, 8_700.0, completed),
                total: pct(8_180.0, 8_590.0, 9_700.0, 17_500.0, completed),
            },
        },
        heartbeat: ProbeView {
            window: pct(62.0, 140.0, 310.0 + 100.0 * wobble, 820.0, 100),
            cumulative: pct(60.0, 150.0, 400.0, 2_100.0, 100 * t),
        },
        echo: ProbeView {
            window: pct(95.0, 180.0, 420.0, 1_100.0, 100),
            cumulative: pct(97.0, 190.0, 450.0, 3_000.0, 100 * t),
        },
        health: Health {
            state: HealthState::Healthy,
            threshold_us: 10_000.0,
            blocked_events: 0,
            last_block: None,
        },
        runtime: RuntimeView {
            workers: 2,
            alive_tasks: 7,
            global_queue_depth: 0,
            worker_busy_ratio: vec![0.03, 0.02],
            worker_parks: vec![210, 190],
        },
        threads,
        system: SystemView {
            cores: 2,
            core_cpu_pct: vec![99.5, 98.0 + wobble],
            rss_bytes: 14_680_064,
            process_threads: 7,
            thread_read_every_s: None,
            busy_threads: 3,
            oversubscribed: true,
            external_cpu_pct: None,
            busiest_other: None,
        },
        caption: None,
        running_totals: std::sync::Arc::new(running_totals_at(t)),
        failures: Failures::default(),
        service: None,
        idle: false,
        attached: None,
    }
}

/// The engine's exact totals at second `t` of the fixture's session: rayon
/// x1 at half rate until 30 s, rayon x2 until 60 s, inline after; 2% of the
/// tasks (and heartbeat ticks) at each phase's p99, the rest at its p50.
pub fn running_totals_at(t: u64) -> loadlab::metrics::snapshot::RunningTotals {
    use loadlab::metrics::atomic_histogram::{BUCKETS, bucket_of};
    let mut totals = loadlab::metrics::snapshot::RunningTotals {
        total_latency_buckets: vec![0; BUCKETS],
        heartbeat_buckets: vec![0; BUCKETS],
        ..Default::default()
    };
    for second in 1..=t {
        let wobble = ((second * 7) % 11) as f64 / 10.0;
        let (rate, latency_p99_us, heartbeat_p99_us) = match second {
            s if s < 30 => ((470.0 + 20.0 * wobble) / 2.0, 9_700.0, 360.0),
            s if s <= 60 => (470.0 + 20.0 * wobble, 9_700.0, 360.0),
            _ => (455.0, 9_500.0, 8_300.0),
        };
        let tasks = rate.round() as u64;
        let slow = tasks / 50;
        totals.completed += tasks;
        totals.submitted += tasks;
        totals.total_latency_buckets[bucket_of(8_200_000)] += tasks - slow;
        totals.total_latency_buckets[bucket_of((latency_p99_us * 1e3) as u64)] += slow;
        totals.heartbeat_buckets[bucket_of(60_000)] += 98;
        totals.heartbeat_buckets[bucket_of((heartbeat_p99_us * 1e3) as u64)] += 2;
    }
    totals
}

/// Busy and CPU seconds so far, as if each thread had kept its window's
/// figures since the start: cumulative, as the sampler reports them.
fn accumulate(s: &mut Snapshot, t: u64) {
    for th in &mut s.threads {
        th.busy_s = th.busy_pct / 100.0 * t as f64;
        th.cpu_s = th.cpu_pct / 100.0 * t as f64;
    }
}

/// The same run after swapping to inline at `t`: app workers hold the jobs and the
/// runtime starves.
pub fn inline_snapshot(t: u64) -> Snapshot {
    let mut s = rayon_snapshot(t, 0.0);
    s.config.backend = BackendKind::Inline;
    s.config.generation = 2;
    s.throughput.tasks_per_s = 455.0;
    for th in &mut s.threads {
        match th.pool {
            PoolKind::App => {
                th.cpu_pct = 99.0;
                th.busy_pct = 97.0;
                th.tasks_per_s = 227.5;
            }
            PoolKind::Rayon => th.alive = false,
            _ => {}
        }
    }
    s.heartbeat.window = pct(4_100.0, 8_000.0, 8_300.0, 12_900.0, 60);
    s.echo.window = pct(4_200.0, 8_100.0, 8_400.0, 13_000.0, 60);
    s.health = Health {
        state: HealthState::Starved,
        threshold_us: 2_000.0,
        blocked_events: 17,
        last_block: Some(BlockEvent {
            at_s: t as f64 - 0.4,
            blocked_ms: 12.9,
            backend: BackendKind::Inline,
            kernel: "sumsq".to_string(),
            ran: String::new(),
        }),
    };
    s.runtime.worker_busy_ratio = vec![0.99, 0.98];
    s.runtime.global_queue_depth = 3;
    accumulate(&mut s, t);
    s
}

/// An App fed 60 s of snapshots: threads 1 then 2 (a marker at 30 s).
pub fn app_with_history(theme: Theme) -> App {
    let logs = LogBuffer::new(50);
    let mut app = App::new(theme, logs.clone(), PathBuf::from("."));
    for t in 1..=60u64 {
        let wobble = ((t * 7) % 11) as f64 / 10.0;
        let mut s = rayon_snapshot(t, wobble);
        if t < 30 {
            s.config.threads = 1;
            s.config.generation = 0;
            s.throughput.tasks_per_s /= 2.0;
            s.threads.retain(|th| th.name != "rayon-1");
        }
        app.on_snapshot(Arc::new(s));
    }
    for (i, message) in [
        "engine started backend=rayon threads=1",
        "pool resized backend=rayon threads=2",
        "heartbeat blocked for 12.9ms backend=inline kernel=sumsq",
    ]
    .iter()
    .enumerate()
    {
        let level = if i == 2 {
            tracing::Level::WARN
        } else {
            tracing::Level::INFO
        };
        logs.push(loadlab::logging::LogLine {
            time: std::time::SystemTime::UNIX_EPOCH
                + std::time::Duration::from_secs(1_764_165_600 + i as u64 * 14),
            level,
            target: "loadlab::engine".into(),
            message: message.to_string(),
        });
    }
    app
}

/// The buffer as plain text, one line per row, trailing spaces kept so widths show.
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Renders with `draw` into a fresh `width` x `height` TestBackend, returns the text.
pub fn render_text(width: u16, height: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(draw).expect("draw");
    buffer_text(terminal.backend().buffer())
}

/// Fixed instant for rendering (only the demo caption reads it).
pub fn now() -> Instant {
    Instant::now()
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ch(c: char) -> KeyEvent {
    let modifiers = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    KeyEvent::new(KeyCode::Char(c), modifiers)
}

/// A Controller double: records every command, can be told to refuse them.
pub struct FakeController {
    pub commands: Mutex<Vec<Command>>,
    /// Refuses every command with what this makes.
    pub refuse: Option<fn() -> Refused>,
    sender: watch::Sender<Arc<Snapshot>>,
}

impl FakeController {
    pub fn new(refuse: Option<fn() -> Refused>) -> FakeController {
        let (sender, _) = watch::channel(Arc::new(Snapshot::default()));
        FakeController {
            commands: Mutex::new(Vec::new()),
            refuse,
            sender,
        }
    }

    pub fn send(&self, snapshot: Snapshot) {
        self.sender.send_replace(Arc::new(snapshot));
    }

    pub fn taken(&self) -> Vec<Command> {
        std::mem::take(&mut *self.commands.lock().expect("lock"))
    }
}

impl Controller for FakeController {
    fn apply(&self, command: Command) -> Result<(), Refused> {
        self.commands.lock().expect("lock").push(command);
        match self.refuse {
            Some(refusal) => Err(refusal()),
            None => Ok(()),
        }
    }

    fn snapshots(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.sender.subscribe()
    }
}

/// A scenario 3 steps of 7 in from the start, showing `caption`.
pub fn scenario_at_step_3_of_7(caption: &str) -> loadlab::scenario::Scenario {
    let mut text = String::from("duration = 500.0\n");
    for (i, at) in [0, 0, 0, 100, 200, 300, 400].iter().enumerate() {
        text.push_str(&format!("[[step]]\nat = {at}.0\nthreads = {}\n", i + 1));
        if i == 2 {
            text.push_str(&format!("caption = \"{caption}\"\n"));
        }
    }
    loadlab::scenario::Scenario::parse(&text, "seven steps").expect("parses")
}

/// The history app with the longest values the screen must hold: the longest
/// backend name, a file workload with a long path, an open loop, failing tasks
/// with a long error, many threads (some exited), a long caption and message.
pub fn long_values_app(theme: Theme) -> App {
    let mut app = app_with_history(theme);
    let mut s = rayon_snapshot(61, 0.3);
    s.config.backend = BackendKind::SpawnBlocking;
    s.config.threads = 12;
    s.config.runtime_workers = 4;
    s.config.load = LoadMode::Open { rate: 12_345.0 };
    s.config.workload = WorkloadSpec {
        kernel: loadlab::spec::Kernel::Resize,
        size: 1_000_000,
        ..WorkloadSpec::default()
    };
    s.tasks.failed = 1_728_915;
    s.tasks.completed = 123_456_789;
    s.tasks.cancelled = 4_242;
    s.failures = Failures {
        per_s: 48_211.0,
        first_error: Some(
            "task 0: size 1000000 is over the resize limit of 4096 pixels per side".into(),
        ),
        latest_cause: Some("size 1000000 is over the resize limit of 4096 pixels per side".into()),
    };
    s.threads.retain(|t| t.pool != PoolKind::Rayon);
    for i in 0..12 {
        s.threads.push(thread(
            200 + i,
            &format!("blocking-{i}"),
            80.0 + f64::from(i),
            75.5,
            4_021.0,
        ));
    }
    s.threads.push(ThreadView {
        alive: false,
        ..thread(150, "rayon-0", 0.0, 0.0, 0.0)
    });
    s.health.blocked_events = 1_234;
    s.health.last_block = Some(BlockEvent {
        at_s: 3_599.4,
        blocked_ms: 1_234.5,
        backend: BackendKind::SpawnBlocking,
        kernel: "resize".to_string(),
        ran: String::new(),
    });
    app.on_snapshot(Arc::new(s));
    let started = Instant::now();
    app.data
        .session
        .play(loadlab::session::playback::Playback::new(
            scenario_at_step_3_of_7(
                "the same CPU work moves onto the app runtime's own workers; health stays green only while the heartbeat keeps its beat",
            ),
            started,
        ));
    // The first three steps fall due (the engine's commands are not sent).
    app.tick(started);
    app.set_status(
        "workload -> resize 1000000 px fixed (open, 12.3k tasks/s): every field checked against the kernel's limits",
        Instant::now(),
    );
    app.logs.push_message(
        tracing::Level::WARN,
        "loadlab::engine",
        "app runtime blocked for 1234.5 ms (backend spawn-blocking, kernel resize): the app workers waited for a CPU (are backend threads + app workers > cores?)",
    );
    app
}
