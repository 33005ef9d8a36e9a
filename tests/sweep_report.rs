//! Sweep report: JSON shape, efficiency arithmetic, knee, recommendation,
//! renderers and the `--threads` / `--backends` parsers.

use loadlab::metrics::snapshot::{PoolKind, Snapshot, ThreadView};
use loadlab::report::sweep::{
    HeartbeatP99, P50P99, SweepFormat, SweepLatency, SweepReport, SweepRow, efficiency, knee,
    parse_backend_list, parse_thread_list, pool_cpu_s, recommend,
};
use loadlab::spec::BackendKind;

fn row(backend: BackendKind, threads: usize, tasks_per_s: f64, heartbeat_p99: f64) -> SweepRow {
    SweepRow {
        backend,
        threads,
        tasks_per_s,
        efficiency: 0.0,
        latency_us: SweepLatency {
            total: P50P99 {
                p50: 1000.0 * threads as f64,
                p99: 2000.0 * threads as f64,
            },
        },
        heartbeat_lag_us: HeartbeatP99 { p99: heartbeat_p99 },
        cpu_s_per_task: 0.004,
    }
}

/// A made-up 2-core grid: rayon nearly doubles at 2 then flattens; channel
/// is slightly behind; inline is fast-ish but starves the runtime.
fn grid() -> Vec<SweepRow> {
    use BackendKind::*;
    vec![
        row(Rayon, 1, 100.0, 300.0),
        row(Rayon, 2, 196.0, 400.0),
        row(Rayon, 3, 199.0, 500.0),
        row(Rayon, 4, 194.0, 600.0),
        row(Channel, 1, 98.0, 300.0),
        row(Channel, 2, 190.0, 350.0),
        row(Channel, 4, 200.0, 450.0),
        row(Inline, 2, 205.0, 250_000.0),
    ]
}

#[test]
fn efficiency_is_throughput_over_scaled_one_thread_throughput() {
    let e = efficiency(&grid(), 2);
    assert_eq!(e[0], 1.0);
    assert!((e[1] - 0.98).abs() < 1e-12, "{}", e[1]); // 196 / (2 x 100)
    assert!((e[2] - 0.995).abs() < 1e-12, "{}", e[2]); // 199 / (min(3,2) x 100)
    assert!((e[3] - 0.97).abs() < 1e-12, "{}", e[3]); // 194 / (2 x 100)
    assert!((e[6] - 200.0 / 196.0).abs() < 1e-12, "{}", e[6]); // 200 / (2 x 98)
    // On 4 cores the 4-thread cell is held to 4x the one-thread throughput.
    let e4 = efficiency(&grid(), 4);
    assert!((e4[3] - 194.0 / 400.0).abs() < 1e-12, "{}", e4[3]);
}

#[test]
fn efficiency_without_a_one_thread_cell_scales_the_smallest_count() {
    use BackendKind::*;
    let rows = vec![row(Rayon, 2, 180.0, 0.0), row(Rayon, 4, 300.0, 0.0)];
    // One-thread estimate: 180 / 2 = 90.
    let e = efficiency(&rows, 8);
    assert!((e[0] - 1.0).abs() < 1e-12);
    assert!((e[1] - 300.0 / 360.0).abs() < 1e-12, "{}", e[1]);
    // With 2 cores both cells are capped at 2 x 90.
    let e = efficiency(&rows, 2);
    assert!((e[1] - 300.0 / 180.0).abs() < 1e-12, "{}", e[1]);
    // A zero baseline gives 0, not NaN or infinity.
    let e = efficiency(&[row(Rayon, 1, 0.0, 0.0), row(Rayon, 2, 5.0, 0.0)], 2);
    assert_eq!(e, [0.0, 0.0]);
}

#[test]
fn knee_is_the_smallest_count_no_larger_count_beats_by_five_percent() {
    let g = grid();
    assert_eq!(knee(&g, BackendKind::Rayon), Some(2));
    // 190 -> 200 is +5.3%: the knee is at 4, which nothing larger beats...
    // but 4 is the last cell, so the grid never showed a plateau.
    assert_eq!(knee(&g, BackendKind::Channel), None);
    assert_eq!(knee(&g, BackendKind::Inline), None);
    assert_eq!(knee(&g, BackendKind::SpawnBlocking), None);
    use BackendKind::*;
    let noisy = vec![
        row(Rayon, 4, 150.0, 0.0),
        row(Rayon, 1, 100.0, 0.0),
        row(Rayon, 2, 140.0, 0.0),
        row(Rayon, 8, 152.0, 0.0),
    ];
    // Rows out of order; 2 -> 4 gains 7%, 4 -> 8 only 1.3%.
    assert_eq!(knee(&noisy, Rayon), Some(4));
}

#[test]
fn recommendation_prefers_fewer_threads_within_five_percent_and_skips_starved_cells() {
    let rows = SweepReport::new(grid(), 2).rows;
    let r = recommend(&rows).unwrap_or_else(|| panic!("a recommendation"));
    // Inline has the highest throughput but starves the runtime; channel x4
    // (200) is the best healthy cell; rayon x2 (196) is within 5% with fewer threads,
    // and beats channel x2 (190) on throughput.
    assert_eq!((r.backend, r.threads), (BackendKind::Rayon, 2));
    assert!(r.why.contains("196 tasks/s"), "{}", r.why);
    assert!(
        r.why.contains("channel with 4 threads, 200 tasks/s"),
        "{}",
        r.why
    );
    assert!(r.why.contains("fewer threads"), "{}", r.why);
}

#[test]
fn recommendation_when_every_cell_starves_says_so() {
    use BackendKind::*;
    let rows = vec![
        row(Inline, 1, 100.0, 90_000.0),
        row(Inline, 2, 150.0, 200_000.0),
    ];
    let r = recommend(&rows).unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!(r.threads, 2);
    assert!(r.why.contains("highest throughput"), "{}", r.why);
    assert!(r.why.contains("starved"), "{}", r.why);
    assert!(recommend(&[]).is_none());
}

#[test]
fn json_has_the_contract_shape() {
    let report = SweepReport::new(grid(), 2);
    let v: serde_json::Value = serde_json::from_str(&report.render(SweepFormat::Json))
        .unwrap_or_else(|e| panic!("json: {e}"));
    let rows = v["rows"].as_array().unwrap_or_else(|| panic!("rows"));
    assert_eq!(rows.len(), 8);
    let first = &rows[0];
    assert_eq!(first["backend"], "rayon");
    assert_eq!(first["threads"], 1);
    assert_eq!(first["tasks_per_s"], 100.0);
    assert_eq!(first["efficiency"], 1.0);
    assert_eq!(first["latency_us"]["total"]["p50"], 1000.0);
    assert_eq!(first["latency_us"]["total"]["p99"], 2000.0);
    assert_eq!(first["heartbeat_lag_us"]["p99"], 300.0);
    assert_eq!(first["cpu_s_per_task"], 0.004);
    assert_eq!(rows[7]["backend"], "inline");
    assert_eq!(v["recommendation"]["backend"], "rayon");
    assert_eq!(v["recommendation"]["threads"], 2);
    assert!(
        v["recommendation"]["why"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );
    assert_eq!(v["knees"]["rayon"], 2);
}

#[test]
fn text_marks_the_knee_and_the_recommendation() {
    let text = SweepReport::new(grid(), 2).render(SweepFormat::Text);
    let rayon2 = text
        .lines()
        .find(|l| l.starts_with("rayon ") && l.split_whitespace().nth(1) == Some("2"))
        .unwrap_or_else(|| panic!("rayon x2 row in\n{text}"));
    assert!(rayon2.ends_with("<- knee <- recommended"), "{rayon2}");
    assert_eq!(text.matches("<- knee").count(), 1, "{text}");
    assert!(text.contains("knee: channel not reached"), "{text}");
    assert!(
        text.contains("knee: inline unknown (one thread count measured)"),
        "{text}"
    );
    let inline = text
        .lines()
        .find(|l| l.starts_with("inline "))
        .unwrap_or_default();
    assert!(inline.ends_with("(starves the runtime)"), "{inline}");
    assert!(
        text.contains("recommendation: rayon with 2 threads: 196 tasks/s"),
        "{text}"
    );
}

#[test]
fn csv_and_markdown_have_a_header_and_a_row_per_cell() {
    let report = SweepReport::new(grid(), 2);
    let csv = report.render(SweepFormat::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 9);
    assert!(lines[0].starts_with("backend,threads,tasks_per_s,efficiency,"));
    assert_eq!(lines[2], "rayon,2,196,0.98,2000,4000,400,0.004,1,1");
    let md = report.render(SweepFormat::Md);
    assert!(md.starts_with("| backend | threads |"), "{md}");
    assert_eq!(
        md.lines().filter(|l| l.starts_with("| ")).count(),
        10,
        "{md}"
    );
    assert!(
        md.contains("- recommendation: rayon with 2 threads:"),
        "{md}"
    );
}

#[test]
fn thread_lists_and_ranges_parse() {
    assert_eq!(parse_thread_list("1,2,4,8"), Ok(vec![1, 2, 4, 8]));
    assert_eq!(parse_thread_list("1..4"), Ok(vec![1, 2, 3, 4]));
    assert_eq!(parse_thread_list("1-4"), Ok(vec![1, 2, 3, 4]));
    assert_eq!(parse_thread_list("1..=3"), Ok(vec![1, 2, 3]));
    assert_eq!(parse_thread_list(" 8, 1-2 ,2"), Ok(vec![1, 2, 8]));
    assert_eq!(parse_thread_list("3"), Ok(vec![3]));
}

#[test]
fn thread_list_errors_name_the_flag_and_the_cause() {
    for (input, cause) in [
        ("", "empty item"),
        ("1,,2", "empty item"),
        ("0,1", "start at 1"),
        ("a", "\"a\" is not a thread count"),
        ("4..1", "runs backwards"),
        ("1..x", "\"x\" is not a thread count"),
        ("-2", "\"\" is not a thread count"),
        ("5000", "more than 1024"),
    ] {
        let e = parse_thread_list(input).err().unwrap_or_default();
        assert!(e.starts_with("--threads "), "{input}: {e}");
        assert!(e.contains(cause), "{input}: {e}");
        assert!(!e.contains('\n'));
    }
}

#[test]
fn backend_lists_parse_and_reject_unknown_names() {
    use BackendKind::*;
    assert_eq!(parse_backend_list("all"), Ok(BackendKind::ALL.to_vec()));
    assert_eq!(
        parse_backend_list("rayon, channel,rayon"),
        Ok(vec![Rayon, Channel])
    );
    assert_eq!(
        parse_backend_list("spawn-blocking"),
        Ok(vec![SpawnBlocking])
    );
    let e = parse_backend_list("rayon,rayn").err().unwrap_or_default();
    assert_eq!(
        e,
        "--backends \"rayon,rayn\": unknown backend \"rayn\", expected all or a list of inline, spawn-blocking, rayon, channel"
    );
}

fn snap(elapsed_s: f64, completed: u64, threads: &[(i32, &str, f64)]) -> Snapshot {
    let mut s = Snapshot {
        elapsed_s,
        ..Snapshot::default()
    };
    s.config.backend = BackendKind::Rayon;
    s.config.threads = 2;
    s.tasks.completed = completed;
    s.latency.cumulative.total.p50 = 4000.0;
    s.latency.cumulative.total.p99 = 9000.0;
    s.heartbeat.cumulative.p99 = 350.0;
    s.threads = threads
        .iter()
        .map(|(tid, name, cpu_s)| ThreadView {
            tid: *tid,
            name: name.to_string(),
            pool: PoolKind::from_thread_name(name),
            cpu_s: *cpu_s,
            alive: true,
            ..ThreadView::default()
        })
        .collect();
    s
}

#[test]
fn a_cell_is_measured_from_two_snapshots() {
    let start = snap(
        2.0,
        100,
        &[
            (10, "rayon-0", 1.0),
            (11, "rayon-1", 1.0),
            (5, "app-0", 3.0),
        ],
    );
    let end = snap(
        6.0,
        900,
        &[
            (10, "rayon-0", 4.0),
            (11, "rayon-1", 4.2),
            (12, "rayon-2", 0.8), // born during the cell
            (5, "app-0", 9.0),    // not the backend's pool
        ],
    );
    assert!((pool_cpu_s(&start, &end, PoolKind::Rayon) - 7.0).abs() < 1e-9);
    let row = SweepRow::measure(&start, &end);
    assert_eq!((row.backend, row.threads), (BackendKind::Rayon, 2));
    assert_eq!(row.tasks_per_s, 200.0);
    assert!((row.cpu_s_per_task - 7.0 / 800.0).abs() < 1e-12);
    assert_eq!(row.latency_us.total.p99, 9000.0);
    assert_eq!(row.heartbeat_lag_us.p99, 350.0);
    // No time or no tasks: zeros, not NaN.
    let idle = SweepRow::measure(&end, &end);
    assert_eq!((idle.tasks_per_s, idle.cpu_s_per_task), (0.0, 0.0));
}
