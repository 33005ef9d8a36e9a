//! Sweep report: rows over rounds, noise flags, efficiency only against a
//! measured one-thread cell, knees, the recommendation decided on paired
//! rounds with its confidence, the renderers and the `--threads` /
//! `--backends` parsers. Every verdict is tested with constructed numbers:
//! nothing here is timed.

use loadlab::metrics::collector::ThreadSeen;
use loadlab::metrics::snapshot::{PoolKind, Snapshot, ThreadView};
use loadlab::report::round_stats::RoundFigures;
use loadlab::report::sweep::{
    CellRound, Confidence, HeartbeatP99, Knee, P50P99, SweepLatency, SweepReport, SweepRow, Terms,
    decide, efficiency, knee,
};
use loadlab::report::sweep_render::SweepFormat;
use loadlab::session::pool::pool_cpu_s;
use loadlab::setup::{parse_backend_list, parse_thread_list};
use loadlab::spec::BackendKind;

/// `cores` cores, the default 10 ms starved threshold, 3 fixed rounds.
fn terms(cores: usize) -> Terms {
    Terms {
        cores,
        starved_p99_us: 10_000.0,
        rounds: 3,
        max_rounds: 3,
        cpu_work: None,
    }
}

fn round(tasks_per_s: f64, heartbeat_p99: f64, external: f64) -> CellRound {
    CellRound {
        round: 0,
        figures: RoundFigures {
            tasks_per_s,
            failed_per_s: 0.0,
            cpu_s_per_task: 0.004,
            external_cpu_pct: Some(external),
        },
        latency_us: SweepLatency {
            total: P50P99 {
                p50: 1000.0,
                p99: 2000.0,
            },
        },
        heartbeat_lag_us: HeartbeatP99 { p99: heartbeat_p99 },
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

/// A cell measured in rounds 0, 1, 2, ... with these throughputs.
fn rounds(backend: BackendKind, threads: usize, tps: &[f64], heartbeat_p99: f64) -> SweepRow {
    SweepRow::from_rounds(
        backend,
        threads,
        tps.iter()
            .enumerate()
            .map(|(i, t)| CellRound {
                round: i,
                ..round(*t, heartbeat_p99, 2.0)
            })
            .collect(),
    )
}

/// A cell whose tasks are pure computation on its threads: each round's CPU
/// time per task is `cpu_s` and its threads were busy all along.
fn cpu_rounds(backend: BackendKind, threads: usize, tps: &[f64], cpu_s: &[f64]) -> SweepRow {
    SweepRow::from_rounds(
        backend,
        threads,
        tps.iter()
            .zip(cpu_s)
            .enumerate()
            .map(|(i, (t, c))| {
                let mut cell = CellRound {
                    round: i,
                    ..round(*t, 300.0, 2.0)
                };
                cell.figures.cpu_s_per_task = *c;
                cell
            })
            .collect(),
    )
}

fn verdict_of(rows: &[SweepRow]) -> loadlab::report::sweep::Recommendation {
    decide(rows, &terms(2))
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation for {rows:?}"))
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
    assert_eq!(r.stats.rounds, 3);
    assert_eq!(r.stats.tasks_per_s, 190.0);
    assert_eq!(
        (r.stats.tasks_per_s_min, r.stats.tasks_per_s_max),
        (180.0, 200.0)
    );
    assert!((r.stats.spread_pct - 20.0 / 190.0 * 100.0).abs() < 1e-9);
    assert_eq!(r.stats.external_cpu_pct, Some(2.0));
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
            CellRound {
                round: 1,
                ..round(200.0, 0.0, 48.0)
            },
            CellRound {
                round: 2,
                ..round(201.0, 0.0, 2.0)
            },
        ],
    );
    assert!(busy.noisy);
    assert_eq!(busy.stats.external_cpu_pct, Some(48.0));
    let report = SweepReport::new(
        vec![row(Rayon, 1, 100.0, 0.0), busy, disturbed],
        &terms(2),
        None,
    );
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
        &terms(8),
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
fn paired_rounds_decide_where_the_ranges_overlap() {
    use BackendKind::*;
    // Round 2 was slowed for both cells alike: the min-max ranges overlap,
    // yet two threads won every round by about 2x.
    let rows = vec![
        cpu_rounds(SpawnBlocking, 1, &[2077.0, 1412.0, 2179.0], &[0.00048; 3]),
        cpu_rounds(SpawnBlocking, 2, &[4271.0, 2145.0, 4303.0], &[0.00047; 3]),
    ];
    let verdict = decide(&rows, &terms(2));
    let r = verdict
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!((r.backend, r.threads), (SpawnBlocking, 2));
    assert_eq!(r.confidence, Confidence::Clear);
    assert_eq!(r.rounds_used, 3);
    assert!(
        r.why.contains(
            "ahead of every other healthy cell in each of 3 paired rounds by more than the 5% noise floor"
        ),
        "{}",
        r.why
    );
    assert!(!r.why.contains('\n'));
    // Settled: `--rounds auto` measures nothing more.
    assert!(verdict.unsettled.is_empty());
    assert!(verdict.warnings.is_empty(), "{:?}", verdict.warnings);
}

#[test]
fn cells_that_tie_within_the_noise_recommend_what_they_share() {
    use BackendKind::*;
    // A quiet `--backends rayon,channel --threads 1,2`: the backends tie at 2.
    let rows = vec![
        rounds(Rayon, 1, &[100.0, 101.0, 99.0], 300.0),
        rounds(Rayon, 2, &[190.0, 205.0, 198.0], 300.0),
        rounds(Channel, 1, &[98.0, 100.0, 99.0], 300.0),
        rounds(Channel, 2, &[195.0, 201.0, 199.0], 300.0),
    ];
    let r = verdict_of(&rows);
    assert_eq!((r.backend, r.threads), (Channel, 2));
    assert_eq!(r.confidence, Confidence::Clear);
    assert!(
        r.why.starts_with(
            "2 threads (channel and rayon tie within the 5% noise floor): channel x2 199 (195-201) tasks/s"
        ),
        "{}",
        r.why
    );
    assert_eq!(r.leading, ["channel x2", "rayon x2"]);
    let report = SweepReport::new(rows, &terms(2), None);
    let v = report.to_json();
    assert_eq!(v["recommendation"]["confidence"], "clear");
    assert_eq!(v["recommendation"]["rounds_used"], 3);
    assert!(v.get("recommendation_withheld").is_none());
    // One backend at several counts: the fewest threads.
    let rows = vec![
        rounds(Rayon, 1, &[100.0, 101.0, 99.0], 300.0),
        rounds(Rayon, 2, &[196.0, 197.0, 195.0], 300.0),
        rounds(Rayon, 3, &[199.0, 198.0, 200.0], 300.0),
    ];
    let r = verdict_of(&rows);
    assert_eq!(r.threads, 2);
    assert!(
        r.why.starts_with(
            "rayon with 2 threads (2 and 3 threads tie within the 5% noise floor; the fewest)"
        ),
        "{}",
        r.why
    );
}

#[test]
fn a_lead_in_most_rounds_is_likely_and_split_rounds_are_undecided() {
    use BackendKind::*;
    let ones = || {
        vec![
            rounds(Rayon, 1, &[100.0, 110.0, 105.0], 300.0),
            rounds(Channel, 1, &[100.0, 105.0, 102.0], 300.0),
        ]
    };
    let mut rows = ones();
    rows.push(rounds(Rayon, 2, &[200.0, 200.0, 180.0], 300.0));
    rows.push(rounds(Channel, 2, &[180.0, 180.0, 190.0], 300.0));
    let verdict = decide(&rows, &terms(2));
    let r = verdict
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!(
        (r.backend, r.threads, r.confidence),
        (Rayon, 2, Confidence::Likely)
    );
    assert!(
        r.why.contains(
            "against channel x2 180 (180-190) tasks/s: ahead in 2 of 3 paired rounds, 2 beyond the 5% noise floor"
        ),
        "{}",
        r.why
    );
    // `--rounds auto` measures the two leading cells again, not the others.
    assert_eq!(verdict.unsettled, [2, 3]);

    // Rayon has the better median but lost two of three paired rounds.
    let rows = vec![
        rounds(Rayon, 2, &[100.0, 300.0, 205.0], 300.0),
        rounds(Channel, 2, &[200.0, 150.0, 220.0], 300.0),
    ];
    let report = SweepReport::new(rows, &terms(2), None);
    let r = report
        .recommendation
        .clone()
        .unwrap_or_else(|| panic!("a best guess"));
    assert_eq!(
        (r.backend, r.threads, r.confidence),
        (Rayon, 2, Confidence::Undecided)
    );
    assert_eq!(r.leading, ["rayon x2", "channel x2"]);
    assert!(
        r.why.ends_with(
            "; best guess rayon x2, more rounds (--max-rounds) or a quieter machine would settle it"
        ),
        "{}",
        r.why
    );
    assert!(
        report
            .render_text()
            .contains("recommendation (undecided, 3 rounds): rayon x2: 205 (100-300) tasks/s"),
        "{}",
        report.render_text()
    );
    // The noise of the two leading cells is what changes the decision.
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("rayon x2 varied by")),
        "{:?}",
        report.warnings
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("channel x2 varied by")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_verdict_formed_beside_other_programs_is_never_clear_and_says_so() {
    use BackendKind::*;
    let busy = |threads: usize, tps: f64| {
        SweepRow::from_rounds(
            Rayon,
            threads,
            [3.0, 48.0, 2.0]
                .iter()
                .enumerate()
                .map(|(i, e)| CellRound {
                    round: i,
                    ..round(tps, 300.0, *e)
                })
                .collect(),
        )
    };
    let verdict = decide(&[busy(1, 100.0), busy(2, 190.0)], &terms(2));
    let r = verdict
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!((r.threads, r.confidence), (2, Confidence::Likely));
    assert!(
        verdict.warnings.iter().any(|w| w
            .starts_with("other programs used up to 48% of the CPUs during the sweep (above 10%)")),
        "{:?}",
        verdict.warnings
    );
    // More rounds would not change what the neighbours did.
    assert!(verdict.unsettled.is_empty());
}

#[test]
fn a_speedup_beyond_the_cores_is_called_noise_and_raises_the_floor() {
    use BackendKind::*;
    // CPU-bound cells on 2 cores: x2.83 from one thread to two is impossible.
    let rows = vec![
        cpu_rounds(Rayon, 1, &[1000.0, 1010.0, 990.0], &[0.001; 3]),
        cpu_rounds(Rayon, 2, &[2830.0, 2860.0, 2800.0], &[0.0007; 3]),
        cpu_rounds(Channel, 2, &[2400.0, 2450.0, 2380.0], &[0.0008; 3]),
    ];
    let verdict = decide(&rows, &terms(2));
    assert!(
        verdict.warnings.iter().any(|w| w.starts_with(
            "rayon x2 ran x2.83 the tasks/s of rayon x1, beyond the x2 that 2 cores allow: that is noise"
        ) && w.ends_with("so differences under 42% are not called")),
        "{:?}",
        verdict.warnings
    );
    // Rayon's 18% lead over channel is within that noise: the answer is open.
    let r = verdict
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!(
        (r.backend, r.threads, r.confidence),
        (Rayon, 2, Confidence::Undecided)
    );
    assert!(
        r.why.contains("ahead of channel x2 2400 (2380-2450) tasks/s at the median, but within the 42% noise floor"),
        "{}",
        r.why
    );
}

#[test]
fn an_undecided_pick_names_three_cells_it_leads_and_counts_the_others() {
    use BackendKind::*;
    // The impossible x2.83 raises the floor to 42%: every cell below ties
    // with rayon x2 only through that noise.
    let mut rows = vec![
        cpu_rounds(Rayon, 1, &[1000.0, 1010.0, 990.0], &[0.001; 3]),
        cpu_rounds(Rayon, 2, &[2830.0, 2860.0, 2800.0], &[0.0007; 3]),
    ];
    for (backend, threads, tasks_per_s) in [
        (Channel, 2, 2400.0),
        (Channel, 3, 2390.0),
        (Channel, 4, 2380.0),
        (SpawnBlocking, 2, 2370.0),
        (SpawnBlocking, 4, 2360.0),
    ] {
        rows.push(cpu_rounds(
            backend,
            threads,
            &[tasks_per_s, tasks_per_s * 1.01, tasks_per_s * 0.99],
            &[0.0008; 3],
        ));
    }
    let r = verdict_of(&rows);
    assert_eq!(
        (r.backend, r.threads, r.confidence),
        (Rayon, 2, Confidence::Undecided)
    );
    assert!(
        r.why.contains(
            "ahead of channel x2 2400 (2376-2424) tasks/s, channel x3 2390 (2366-2414) tasks/s, \
             channel x4 2380 (2356-2404) tasks/s and 2 others at the median, but within the 42% \
             noise floor"
        ),
        "{}",
        r.why
    );
    assert!(!r.why.contains("spawn-blocking"), "{}", r.why);
    assert!(!r.why.contains('\n'), "{}", r.why);
}

#[test]
fn the_machine_drifting_between_rounds_widens_the_noise_floor() {
    use BackendKind::*;
    let drifting = cpu_rounds(Rayon, 2, &[2000.0, 2100.0, 1900.0], &[0.001, 0.0013, 0.001]);
    assert!(
        (drifting.stats.machine_drift_pct.unwrap_or_default() - 30.0).abs() < 1e-9,
        "{drifting:?}"
    );
    let steady = cpu_rounds(Channel, 2, &[1700.0, 1750.0, 1650.0], &[0.00118; 3]);
    assert_eq!(steady.stats.machine_drift_pct, Some(0.0));
    // Ahead by 15-20% in every round: clear on a steady machine...
    let calm = cpu_rounds(Rayon, 2, &[2000.0, 2100.0, 1900.0], &[0.001; 3]);
    assert_eq!(
        verdict_of(&[calm, steady.clone()]).why,
        "rayon x2: 2000 (1900-2100) tasks/s, heartbeat p99 0.30 ms; ahead of every other healthy cell in each of 3 paired rounds by more than the 5% noise floor"
    );
    // ...but within the noise when the same task's CPU time drifted 30%.
    let verdict = decide(&[drifting, steady], &terms(2));
    let why = verdict.recommendation.map(|r| r.why).unwrap_or_default();
    assert!(
        why.contains("but within the 30% noise floor; best guess rayon x2"),
        "{why}"
    );
    assert_eq!(verdict.unsettled, [0, 1]);
    assert!(
        verdict.warnings.iter().any(|w| w.starts_with(
            "rayon x2: the same task's CPU time varied 30% between rounds (the machine itself slowed)"
        )),
        "{:?}",
        verdict.warnings
    );
    // A single round has no drift; nor does a cell that completed nothing.
    assert_eq!(
        cpu_rounds(Rayon, 1, &[10.0], &[0.1])
            .stats
            .machine_drift_pct,
        None
    );
    assert_eq!(
        cpu_rounds(Rayon, 1, &[0.0, 0.0], &[0.0, 0.0])
            .stats
            .machine_drift_pct,
        None
    );
}

#[test]
fn the_starved_threshold_given_is_the_one_used() {
    use BackendKind::*;
    let rows = vec![row(Rayon, 1, 100.0, 300.0), row(Rayon, 2, 196.0, 15_000.0)];
    let r = verdict_of(&rows);
    assert_eq!(r.threads, 1);
    assert!(
        r.why
            .ends_with("(1 cell starved the app runtime and was left out)"),
        "{}",
        r.why
    );
    let lenient = Terms {
        starved_p99_us: 20_000.0,
        ..terms(2)
    };
    let report = SweepReport::new(rows, &lenient, None);
    let r = report
        .recommendation
        .clone()
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!((r.threads, r.confidence), (2, Confidence::Clear));
    assert!(!report.render_text().contains("starves the runtime"));
    assert_eq!(report.to_json()["starved_threshold_ms"], 20.0);
}

#[test]
fn starvation_measured_on_a_noisy_machine_leaves_the_verdict_open() {
    use BackendKind::*;
    // Only rayon x1 kept the heartbeat under 10 ms, but rayon x2 starved it
    // while noisy, with a better median: the pick is a guess.
    let rows = vec![
        rounds(Rayon, 1, &[412.0, 453.0, 865.0], 8_780.0),
        rounds(Rayon, 2, &[321.0, 693.0, 873.0], 20_700.0),
    ];
    let verdict = decide(&rows, &terms(2));
    let r = verdict
        .recommendation
        .unwrap_or_else(|| panic!("a recommendation"));
    assert_eq!((r.threads, r.confidence), (1, Confidence::Undecided));
    assert!(r.why.contains("best guess rayon x1"), "{}", r.why);
    // `--rounds auto` measures both again: starvation may come and go.
    assert_eq!(verdict.unsettled, [0, 1]);
    assert!(
        verdict.warnings.iter().any(|w| w
            == "rayon x2 starved the app runtime while the machine was noisy and is not clearly slower than rayon x1: the starvation may be other programs' doing"),
        "{:?}",
        verdict.warnings
    );
    // Slower at the median: the pick stands, but only as likely.
    let rows = vec![
        rounds(Rayon, 1, &[412.0, 453.0, 865.0], 8_780.0),
        rounds(Rayon, 2, &[321.0, 400.0, 873.0], 20_700.0),
    ];
    let r = verdict_of(&rows);
    assert_eq!((r.threads, r.confidence), (1, Confidence::Likely));
}

#[test]
fn a_grid_that_starves_everywhere_still_gets_an_answer_and_no_rows_none() {
    use BackendKind::*;
    let rows = vec![
        row(Inline, 1, 100.0, 90_000.0),
        row(Inline, 2, 150.0, 200_000.0),
    ];
    let r = verdict_of(&rows);
    assert_eq!((r.threads, r.confidence), (2, Confidence::Clear));
    assert!(
        r.why
            .ends_with("; every cell starved the app runtime (heartbeat p99 above 10.0 ms)"),
        "{}",
        r.why
    );
    assert_eq!(decide(&[], &terms(2)).recommendation, None);
    let one = verdict_of(&[row(Rayon, 2, 100.0, 300.0)]);
    assert!(one.why.ends_with("; the only cell measured"), "{}", one.why);
}

#[test]
fn the_recommendation_prefers_fewer_threads_among_equivalent_cells_and_skips_starved_ones() {
    let report = SweepReport::new(grid(), &terms(2), None);
    let r = report
        .recommendation
        .clone()
        .unwrap_or_else(|| panic!("a recommendation"));
    // Inline is fastest but starves the runtime; channel x4 (200) leads, and
    // rayon x2 (196), x3 and x4 tie with it: the fewest threads win.
    assert_eq!((r.backend, r.threads), (BackendKind::Rayon, 2));
    assert_eq!(r.confidence, Confidence::Clear);
    assert!(
        r.why.starts_with(
            "rayon x2 (ties channel x4, rayon x3 and rayon x4 within the 5% noise floor; the fewest threads): 196 (194-198) tasks/s"
        ),
        "{}",
        r.why
    );
    assert!(
        r.why
            .ends_with("(1 cell starved the app runtime and was left out)"),
        "{}",
        r.why
    );
}

#[test]
fn json_has_the_contract_shape() {
    let report = SweepReport::new(grid(), &terms(2), None);
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
    assert_eq!(v["recommendation"]["confidence"], "clear");
    assert_eq!(v["recommendation"]["rounds_used"], 3);
    assert_eq!(rows[0]["machine_drift_pct"], 0.0);
    assert_eq!(v["knees"]["rayon"], 2);
    assert!(v["warnings"].is_array());
    assert!(v["interrupted"].is_null());
    assert_eq!(v["rounds"], 3);
}

#[test]
fn an_interrupted_sweep_reports_its_finished_cells_and_the_signal() {
    let report = SweepReport::new(grid()[..2].to_vec(), &terms(2), Some("SIGINT".into()));
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
    let text = SweepReport::new(rows, &terms(2), None).render(SweepFormat::Text);
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
    // Its noise does not bear on the decision (every round clearly slower).
    assert!(!text.contains("warning: spawn-blocking x2"), "{text}");
    assert!(
        text.contains("recommendation (clear, 3 rounds): rayon x2 (ties channel x4"),
        "{text}"
    );
}

#[test]
fn csv_and_markdown_have_a_header_and_a_row_per_cell() {
    let report = SweepReport::new(grid(), &terms(2), None);
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
        md.contains("- recommendation (clear, 3 rounds): rayon x2 (ties"),
        "{md}"
    );
}

#[test]
fn the_plot_draws_a_line_per_backend_with_bars_and_the_knee() {
    let report = SweepReport::new(grid(), &terms(2), None);
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
        ("5000", "more than 512"),
    ] {
        let e = parse_thread_list(input)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
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
    let e = parse_backend_list("rayon,rayn")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
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
                name: (*name).into(),
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

#[test]
fn backends_that_tie_at_the_fewest_threads_are_recommended_by_what_they_share() {
    use BackendKind::*;
    // Spin work on 2 cores: every backend doubles at 2 threads, and 3 or 4
    // threads add nothing.
    let mut rows = Vec::new();
    for (backend, at_two) in [(SpawnBlocking, 201.0), (Rayon, 200.0), (Channel, 199.0)] {
        rows.push(row(backend, 1, 110.0, 300.0));
        rows.push(row(backend, 2, at_two, 300.0));
        rows.push(row(backend, 3, 198.0, 300.0));
        rows.push(row(backend, 4, 197.0, 300.0));
    }
    let r = verdict_of(&rows);
    assert_eq!((r.backend, r.threads), (SpawnBlocking, 2));
    assert_eq!(r.confidence, Confidence::Clear);
    assert!(
        r.why.starts_with(
            "2 threads (spawn-blocking, rayon and channel tie within the 5% noise floor, and 3 or 4 threads add nothing): spawn-blocking x2 201 (199-203) tasks/s"
        ),
        "{}",
        r.why
    );
    // The cells it is ahead of are the one-thread cells, outside the tie.
    assert!(
        r.why.ends_with(
            "ahead of every healthy cell outside the tie in each of 3 paired rounds by more than the 5% noise floor"
        ),
        "{}",
        r.why
    );
}

#[test]
fn many_noisy_cells_give_one_warning_per_kind_of_noise_worst_first() {
    use BackendKind::*;
    // Both backends "scale" beyond 2 cores and drift between rounds: four
    // cells' worth of noise, two kinds of it.
    let drift = [0.001, 0.0013, 0.001];
    let rows = vec![
        cpu_rounds(Rayon, 1, &[1000.0, 1010.0, 990.0], &drift),
        cpu_rounds(Rayon, 2, &[2830.0, 2860.0, 2800.0], &[0.001, 0.0012, 0.001]),
        cpu_rounds(Channel, 1, &[1000.0, 1010.0, 990.0], &drift),
        cpu_rounds(Channel, 2, &[2500.0, 2520.0, 2480.0], &drift),
    ];
    let verdict = decide(&rows, &terms(2));
    let speedups: Vec<&String> = verdict
        .warnings
        .iter()
        .filter(|w| w.contains("that is noise"))
        .collect();
    assert_eq!(speedups.len(), 1, "{:?}", verdict.warnings);
    assert!(
        speedups[0].starts_with(
            "rayon x2 ran x2.83 the tasks/s of rayon x1, beyond the x2 that 2 cores allow; so did channel x2 over channel x1: that is noise"
        ),
        "{:?}",
        verdict.warnings
    );
    let drifts: Vec<&String> = verdict
        .warnings
        .iter()
        .filter(|w| w.contains("the same task's CPU time varied"))
        .collect();
    assert_eq!(drifts.len(), 1, "{:?}", verdict.warnings);
    assert!(
        drifts[0].contains("varied 30% between rounds (the machine itself slowed; so did "),
        "{:?}",
        verdict.warnings
    );
}

#[test]
fn past_the_pick_and_its_rival_noisy_cells_are_named_in_one_line() {
    use BackendKind::*;
    let swinging =
        |backend, threads| cpu_rounds(backend, threads, &[100.0, 300.0, 200.0], &[0.001; 3]);
    let rows = vec![
        swinging(Rayon, 1),
        swinging(Rayon, 2),
        swinging(Channel, 1),
        swinging(Channel, 2),
    ];
    let report = SweepReport::new(rows, &terms(2), None);
    let whole: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.contains("varied by 100% between rounds"))
        .collect();
    assert_eq!(whole.len(), 2, "{:?}", report.warnings);
    // The pick is among the cells that say why.
    let pick = report
        .recommendation
        .as_ref()
        .map(|r| format!("{} x{}", r.backend.name(), r.threads))
        .unwrap_or_default();
    assert!(
        whole.iter().any(|w| w.starts_with(&format!("{pick} "))),
        "{pick}: {:?}",
        report.warnings
    );
    let folded: Vec<&String> = report
        .warnings
        .iter()
        .filter(|w| w.ends_with("were noisy too: rerun on a quiet machine"))
        .collect();
    assert_eq!(folded.len(), 1, "{:?}", report.warnings);
    // Every noisy cell is named once: two whole, two in the folded line.
    for label in ["rayon x1", "rayon x2", "channel x1", "channel x2"] {
        let named = report
            .warnings
            .iter()
            .filter(|w| {
                [" ", ":", ","]
                    .iter()
                    .any(|end| w.contains(&format!("{label}{end}")))
            })
            .count();
        assert_eq!(named, 1, "{label}: {:?}", report.warnings);
    }
}

#[test]
fn a_rounds_json_keeps_its_figures_beside_its_own_keys() {
    let cell = CellRound {
        round: 2,
        ..round(150.0, 300.0, 4.0)
    };
    let json = serde_json::to_value(&cell).unwrap_or_default();
    let keys: Vec<&str> = json
        .as_object()
        .map(|object| object.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut expected = [
        "round",
        "tasks_per_s",
        "failed_per_s",
        "latency_us",
        "heartbeat_lag_us",
        "cpu_s_per_task",
        "external_cpu_pct",
    ];
    expected.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, expected, "{json}");
    assert_eq!(json["tasks_per_s"], 150.0);
    assert_eq!(json["cpu_s_per_task"], 0.004);
    assert_eq!(json["external_cpu_pct"], 4.0);
    // And it reads back, from the same flat keys.
    let back: CellRound = serde_json::from_value(json).unwrap_or_default();
    assert_eq!(back, cell);
}
