//! Sweep report: rows over rounds, noise flags, efficiency only against a
//! measured one-thread cell, knees and recommendations stated only beyond the
//! spread, the renderers and the `--threads` / `--backends` parsers. Every
//! verdict is tested with constructed numbers: nothing here is timed.

use loadlab::metrics::collector::ThreadSeen;
use loadlab::metrics::snapshot::{PoolKind, Snapshot, ThreadView};
use loadlab::report::sweep::{
    Advice, CellRound, HeartbeatP99, Knee, P50P99, SweepFormat, SweepLatency, SweepReport,
    SweepRow, efficiency, knee, parse_backend_list, parse_thread_list, pool_cpu_s, recommend,
};
use loadlab::spec::BackendKind;

fn round(tasks_per_s: f64, heartbeat_p99: f64, external: f64) -> CellRound {
    CellRound {
        tasks_per_s,
        failed_per_s: 0.0,
        latency_us: SweepLatency {
            total: P50P99 {
                p50: 1000.0,
                p99: 2000.0,
            },
        },
        heartbeat_lag_us: HeartbeatP99 { p99: heartbeat_p99 },
        cpu_s_per_task: 0.004,
        external_cpu_pct: Some(external),
    }
}

/// A cell with three steady rounds (+-1%) around `tasks_per_s`.
fn row(backend: BackendKind, threads: usize, tasks_per_s: f64, heartbeat_p99: f64) -> SweepRow {
    rounds(
        backend,
        threads,
        &[tasks_per_s * 0.99, tasks_per_s, tasks_per_s * 1.01],
        heartbeat_p99,
    )
}

fn rounds(backend: BackendKind, threads: usize, tps: &[f64], heartbeat_p99: f64) -> SweepRow {
    SweepRow::from_rounds(
        backend,
        threads,
        tps.iter().map(|t| round(*t, heartbeat_p99, 2.0)).collect(),
    )
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
        row(Channel, 2, 150.0, 350.0),
        row(Channel, 4, 200.0, 450.0),
        row(Inline, 2, 205.0, 250_000.0),
    ]
}

#[test]
fn a_row_is_the_median_of_its_rounds_with_min_max_and_spread() {
    let r = rounds(BackendKind::Rayon, 2, &[180.0, 200.0, 190.0], 400.0);
    assert_eq!(r.rounds, 3);
    assert_eq!(r.tasks_per_s, 190.0);
    assert_eq!((r.tasks_per_s_min, r.tasks_per_s_max), (180.0, 200.0));
    assert!((r.spread_pct - 20.0 / 190.0 * 100.0).abs() < 1e-9);
    assert_eq!(r.external_cpu_pct, Some(2.0));
    assert_eq!(r.round_figures.len(), 3);
}

#[test]
fn a_disturbed_round_or_a_busy_machine_marks_the_cell_noisy() {
    use BackendKind::*;
    assert!(!row(Rayon, 2, 200.0, 0.0).noisy);
    // One round lost 30% of its throughput to a hog.
    let disturbed = rounds(Rayon, 2, &[200.0, 140.0, 200.0], 0.0);
    assert!(disturbed.noisy);
    // Steady throughput, but other processes used 48% of the machine.
    let busy = SweepRow::from_rounds(
        Rayon,
        2,
        vec![
            round(200.0, 0.0, 3.0),
            round(200.0, 0.0, 48.0),
            round(201.0, 0.0, 2.0),
        ],
    );
    assert!(busy.noisy);
    assert_eq!(busy.external_cpu_pct, Some(48.0));
    let report = SweepReport::new(vec![row(Rayon, 1, 100.0, 0.0), busy, disturbed], 2, 3, None);
    assert!(
        report.warnings.iter().any(|w| w
            == "other processes used 48% of the CPUs during rayon x2: rerun on a quiet machine"),
        "{:?}",
        report.warnings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("rayon x2 varied by 30% between rounds")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn efficiency_is_throughput_over_the_measured_one_thread_cell() {
    let e = efficiency(&grid(), 2);
    assert_eq!(e[0], Some(1.0));
    assert!((e[1].unwrap_or_default() - 0.98).abs() < 1e-12); // 196 / (2 x 100)
    assert!((e[2].unwrap_or_default() - 0.995).abs() < 1e-12); // 199 / (min(3,2) x 100)
    assert!((e[6].unwrap_or_default() - 200.0 / 196.0).abs() < 1e-12); // 200 / (2 x 98)
    // Inline has no one-thread cell: no efficiency, not an estimate.
    assert_eq!(e[7], None);
    // On 4 cores the 4-thread cell is held to 4x the one-thread throughput.
    let e4 = efficiency(&grid(), 4);
    assert!((e4[3].unwrap_or_default() - 194.0 / 400.0).abs() < 1e-12);
}

#[test]
fn without_a_one_thread_cell_efficiency_is_null_and_a_warning_says_why() {
    use BackendKind::*;
    let report = SweepReport::new(
        vec![row(Rayon, 2, 180.0, 0.0), row(Rayon, 4, 300.0, 0.0)],
        8,
        3,
        None,
    );
    assert!(report.rows.iter().all(|r| r.efficiency.is_none()));
    assert!(
        report.warnings.iter().any(|w| w
            == "efficiency not computed for rayon: no one-thread cell was measured (add 1 to --threads)"),
        "{:?}",
        report.warnings
    );
    let v = report.to_json();
    assert!(v["rows"][0]["efficiency"].is_null());
    // A zero baseline gives none either, not NaN or infinity.
    let e = efficiency(&[row(Rayon, 1, 0.0, 0.0), row(Rayon, 2, 5.0, 0.0)], 2);
    assert_eq!(e, [None, None]);
}

#[test]
fn the_knee_is_where_no_larger_count_is_faster_beyond_the_spread() {
    let g = grid();
    assert_eq!(knee(&g, BackendKind::Rayon), Knee::At(2));
    // Channel still clearly gains at its largest count.
    assert_eq!(knee(&g, BackendKind::Channel), Knee::StillScaling);
    assert_eq!(knee(&g, BackendKind::Inline), Knee::OneCount);
    assert_eq!(knee(&g, BackendKind::SpawnBlocking), Knee::OneCount);
    use BackendKind::*;
    let out_of_order = vec![
        row(Rayon, 4, 150.0, 0.0),
        row(Rayon, 1, 100.0, 0.0),
        row(Rayon, 2, 140.0, 0.0),
        row(Rayon, 8, 152.0, 0.0),
    ];
    assert_eq!(knee(&out_of_order, Rayon), Knee::At(4));
}

#[test]
fn a_flat_curve_made_of_noise_is_not_called_a_knee() {
    use BackendKind::*;
    // A busy host: rayon x1 read 694 and 1321 tasks/s in two rounds.
    let rows = vec![
        rounds(Rayon, 1, &[694.0, 1321.0, 1000.0], 0.0),
        rounds(Rayon, 2, &[1100.0, 1400.0, 1300.0], 0.0),
    ];
    match knee(&rows, Rayon) {
        Knee::Undetermined(why) => {
            assert!(why.contains("noisy"), "{why}");
            assert!(why.contains("rayon x1 1000 (694-1321) tasks/s"), "{why}");
        }
        other => panic!("expected undetermined, got {other:?}"),
    }
}

#[test]
fn the_recommendation_is_withheld_when_the_best_cells_overlap() {
    use BackendKind::*;
    let rows = vec![
        rounds(Rayon, 1, &[100.0, 101.0, 99.0], 300.0),
        rounds(Rayon, 2, &[190.0, 205.0, 198.0], 300.0),
        rounds(Channel, 1, &[98.0, 100.0, 99.0], 300.0),
        rounds(Channel, 2, &[195.0, 201.0, 199.0], 300.0),
    ];
    match recommend(&rows) {
        Advice::Withheld(why) => {
            assert!(why.starts_with("2 threads on any of "), "{why}");
            assert!(why.contains("rayon x2 198 (190-205) tasks/s"), "{why}");
            assert!(why.contains("channel x2 199 (195-201) tasks/s"), "{why}");
            assert!(why.contains("indistinguishable"), "{why}");
        }
        Advice::Recommend(r) => panic!("recommended {r:?} from overlapping cells"),
    }
    let report = SweepReport::new(rows, 2, 3, None);
    assert!(report.recommendation.is_none());
    assert!(report.to_json()["recommendation"].is_null());
    assert!(
        report
            .render_text()
            .contains("recommendation: none beyond the noise: 2 threads on any of"),
        "{}",
        report.render_text()
    );
}

#[test]
fn the_recommendation_prefers_fewer_threads_among_equivalent_cells_and_skips_starved_ones() {
    let report = SweepReport::new(grid(), 2, 3, None);
    let r = report
        .recommendation
        .clone()
        .unwrap_or_else(|| panic!("a recommendation: {:?}", report.recommendation_withheld));
    // Inline is fastest but starves the runtime; channel x4 (200), rayon x3
    // (199) and rayon x4 overlap rayon x2 (196) within the spread: the fewest
    // threads win, and channel x2 (150) is clearly slower.
    assert_eq!((r.backend, r.threads), (BackendKind::Rayon, 2));
    assert!(r.why.contains("196 (194-198) tasks/s"), "{}", r.why);
    assert!(r.why.contains("efficiency 0.98"), "{}", r.why);
    assert!(
        r.why.contains("channel x4 200 (198-202) tasks/s"),
        "{}",
        r.why
    );
    assert!(r.why.contains("fewest threads"), "{}", r.why);
}

#[test]
fn no_recommendation_from_noisy_cells_that_overlap() {
    use BackendKind::*;
    // A busy host: rayon x1 read 694 and 1321 tasks/s in two rounds.
    let rows = vec![
        rounds(Rayon, 1, &[694.0, 1321.0, 1000.0], 300.0),
        rounds(Rayon, 2, &[1100.0, 1400.0, 1300.0], 300.0),
    ];
    match recommend(&rows) {
        Advice::Withheld(why) => {
            assert!(why.contains("indistinguishable and noisy"), "{why}");
            assert!(why.contains("spread up to 63%"), "{why}");
            assert!(why.ends_with("rerun on a quiet machine"), "{why}");
        }
        Advice::Recommend(r) => panic!("recommended {r:?} from noise"),
    }
    // A noisy best that still beats everything beyond the spread stands.
    let rows = vec![
        rounds(Rayon, 1, &[100.0, 101.0, 99.0], 300.0),
        rounds(Rayon, 2, &[170.0, 200.0, 199.0], 300.0),
    ];
    let Advice::Recommend(r) = recommend(&rows) else {
        panic!("a recommendation");
    };
    assert_eq!(r.threads, 2);
}

#[test]
fn starvation_measured_on_a_busy_machine_does_not_make_a_winner() {
    use BackendKind::*;
    // Only rayon x1 kept the heartbeat under 10 ms, but the cells that
    // starved were noisy and not clearly slower.
    let rows = vec![
        rounds(Rayon, 1, &[412.0, 453.0, 865.0], 8_780.0),
        rounds(Rayon, 2, &[321.0, 693.0, 873.0], 20_700.0),
    ];
    match recommend(&rows) {
        Advice::Withheld(why) => {
            assert!(
                why.starts_with("rayon x1 kept the app runtime healthy, but rayon x2"),
                "{why}"
            );
            assert!(why.contains("other processes' doing"), "{why}");
        }
        Advice::Recommend(r) => panic!("recommended {r:?}"),
    }
    // Steady cells that starve are simply left out, and the reason says so.
    let rows = vec![
        row(Rayon, 1, 450.0, 8_000.0),
        row(Rayon, 2, 700.0, 20_000.0),
    ];
    let Advice::Recommend(r) = recommend(&rows) else {
        panic!("a recommendation");
    };
    assert_eq!(r.threads, 1);
    assert!(
        r.why
            .contains("of the cells that kept the app runtime healthy"),
        "{}",
        r.why
    );
    assert!(r.why.contains("(1 cell starved it)"), "{}", r.why);
}

#[test]
fn a_clear_winner_is_recommended_and_every_starved_grid_is_called_out() {
    use BackendKind::*;
    let rows = vec![
        row(Inline, 1, 100.0, 90_000.0),
        row(Inline, 2, 150.0, 200_000.0),
    ];
    let Advice::Recommend(r) = recommend(&rows) else {
        panic!("a recommendation");
    };
    assert_eq!(r.threads, 2);
    assert!(
        r.why.contains("beyond the spread of every other cell"),
        "{}",
        r.why
    );
    assert!(r.why.contains("every cell starved"), "{}", r.why);
    assert!(matches!(recommend(&[]), Advice::Withheld(_)));
}

#[test]
fn json_has_the_contract_shape() {
    let report = SweepReport::new(grid(), 2, 3, None);
    let v: serde_json::Value = serde_json::from_str(&report.render(SweepFormat::Json))
        .unwrap_or_else(|e| panic!("json: {e}"));
    let rows = v["rows"].as_array().unwrap_or_else(|| panic!("rows"));
    assert_eq!(rows.len(), 8);
    let first = &rows[0];
    assert_eq!(first["backend"], "rayon");
    assert_eq!(first["threads"], 1);
    assert_eq!(first["tasks_per_s"], 100.0);
    assert_eq!(first["tasks_per_s_min"], 99.0);
    assert_eq!(first["tasks_per_s_max"], 101.0);
    assert_eq!(first["rounds"], 3);
    assert!((first["spread_pct"].as_f64().unwrap_or_default() - 2.0).abs() < 1e-9);
    assert_eq!(first["external_cpu_pct"], 2.0);
    assert_eq!(first["noisy"], false);
    assert_eq!(first["efficiency"], 1.0);
    assert_eq!(first["latency_us"]["total"]["p50"], 1000.0);
    assert_eq!(first["latency_us"]["total"]["p99"], 2000.0);
    assert_eq!(first["heartbeat_lag_us"]["p99"], 300.0);
    assert_eq!(first["cpu_s_per_task"], 0.004);
    assert_eq!(rows[7]["backend"], "inline");
    assert_eq!(v["recommendation"]["backend"], "rayon");
    assert_eq!(v["recommendation"]["threads"], 2);
    assert_eq!(v["knees"]["rayon"], 2);
    assert!(v["warnings"].is_array());
    assert!(v["interrupted"].is_null());
    assert_eq!(v["rounds"], 3);
}

#[test]
fn an_interrupted_sweep_reports_its_finished_cells_and_the_signal() {
    let report = SweepReport::new(grid()[..2].to_vec(), 2, 3, Some("SIGINT".into()));
    let v = report.to_json();
    assert_eq!(v["interrupted"], "SIGINT");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(2));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w == "interrupted by SIGINT: only the finished rounds are reported")
    );
}

#[test]
fn text_marks_the_knee_the_recommendation_and_noise() {
    let mut rows = grid();
    rows.push(rounds(
        BackendKind::SpawnBlocking,
        2,
        &[100.0, 150.0, 140.0],
        300.0,
    ));
    let text = SweepReport::new(rows, 2, 3, None).render(SweepFormat::Text);
    let rayon2 = text
        .lines()
        .find(|l| l.starts_with("rayon ") && l.split_whitespace().nth(1) == Some("2"))
        .unwrap_or_else(|| panic!("rayon x2 row in\n{text}"));
    assert!(rayon2.ends_with("<- knee <- recommended"), "{rayon2}");
    assert!(rayon2.contains(" 194-198 "), "{rayon2}");
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
    let blocking = text
        .lines()
        .find(|l| l.starts_with("spawn-blocking "))
        .unwrap_or_default();
    assert!(blocking.ends_with("(noisy)"), "{blocking}");
    assert!(
        text.contains("warning: spawn-blocking x2 varied by"),
        "{text}"
    );
    assert!(
        text.contains("recommendation: rayon with 2 threads: 196 (194-198) tasks/s"),
        "{text}"
    );
}

#[test]
fn csv_and_markdown_have_a_header_and_a_row_per_cell() {
    let report = SweepReport::new(grid(), 2, 3, None);
    let csv = report.render(SweepFormat::Csv);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 9);
    assert!(lines[0].starts_with("backend,threads,rounds,tasks_per_s,tasks_per_s_min,"));
    assert!(
        lines[2].starts_with("rayon,2,3,196,194.04,197.96,"),
        "{}",
        lines[2]
    );
    assert!(lines[2].ends_with(",2,0,1,1"), "{}", lines[2]);
    assert!(
        lines[8].contains(",,"),
        "inline has no efficiency: {}",
        lines[8]
    );
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
fn the_plot_draws_a_line_per_backend_with_bars_and_the_knee() {
    let report = SweepReport::new(grid(), 2, 3, None);
    let svg = loadlab::report::sweep_plot::render(&report).unwrap_or_else(|e| panic!("{e}"));
    assert!(svg.starts_with("<svg"), "{svg}");
    for backend in ["rayon", "channel", "inline"] {
        assert!(
            svg.contains(&format!(">\n{backend}\n<")),
            "legend lacks {backend}"
        );
    }
    assert!(svg.contains("knee (rayon)"), "the knee is marked");
    assert!(!svg.contains("knee (channel)"), "channel has no knee");
    assert!(svg.contains("median of 3 rounds, bars min-max, hollow = noisy"));
    // One polyline per backend drawn through the medians.
    assert!(svg.matches("<polyline").count() >= 3, "{svg}");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("sweep.svg");
    loadlab::report::sweep_plot::write(&report, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), svg);
    // Never through a symlink planted at the target.
    #[cfg(unix)]
    {
        let target = dir.path().join("victim");
        std::fs::write(&target, "keep").unwrap_or_else(|e| panic!("{e}"));
        let link = dir.path().join("link.svg");
        std::os::unix::fs::symlink(&target, &link).unwrap_or_else(|e| panic!("{e}"));
        assert!(loadlab::report::sweep_plot::write(&report, &link).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap_or_default(), "keep");
    }
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

fn start_snapshot(threads: &[(i32, &str, f64)]) -> Snapshot {
    Snapshot {
        threads: threads
            .iter()
            .map(|(tid, name, cpu_s)| ThreadView {
                tid: *tid,
                name: name.to_string(),
                pool: PoolKind::from_thread_name(name),
                cpu_s: *cpu_s,
                alive: true,
                ..ThreadView::default()
            })
            .collect(),
        ..Snapshot::default()
    }
}

fn seen(tid: i32, name: &str, cpu_s: f64) -> ThreadSeen {
    ThreadSeen {
        name: name.into(),
        tid,
        pool: PoolKind::from_thread_name(name),
        tasks: 10,
        busy_s: 0.0,
        cpu_s,
        wait_s: 0.0,
    }
}

#[test]
fn pool_cpu_counts_every_thread_of_the_pool_since_the_start_exited_ones_included() {
    let start = start_snapshot(&[
        (10, "rayon-0", 1.0),
        (11, "rayon-1", 1.0),
        (5, "app-0", 3.0),
    ]);
    let end = [
        seen(10, "rayon-0", 4.0),
        seen(11, "rayon-1", 4.2), // exited before the end: still in the totals
        seen(12, "rayon-2", 0.8), // born during the cell
        seen(5, "app-0", 9.0),    // not the backend's pool
    ];
    assert!((pool_cpu_s(&start, &end, PoolKind::Rayon) - 7.0).abs() < 1e-9);
    assert_eq!(pool_cpu_s(&start, &end, PoolKind::Pool), 0.0);
}
