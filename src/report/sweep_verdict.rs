//! The sweep's decision: which cell to use, and how sure. Cells are compared
//! with the leader round by round (paired), against a noise floor made of a
//! fixed minimum, the machine's own drift and any speedup beyond what the
//! threads or cores can give. The answer is always given, with a
//! confidence: `clear`, `likely` or `undecided`.

use serde::{Deserialize, Serialize};

use super::noise::MIN_REAL_DIFFERENCE;
use super::paired::{Comparison, Standing, excess_speedup};
use super::sweep_row::SweepRow;
use super::table::fmt_ms;
use crate::bounds::BUSY_EXTERNAL_CPU_PCT;
use crate::spec::BackendKind;

/// How sure the recommendation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// The leading cells lost or split their paired rounds: a best guess.
    Undecided,
    /// Ahead at the median and in most paired rounds, or formed on a busy machine.
    Likely,
    /// Ahead of every other healthy cell in every paired round by more than
    /// the noise floor.
    Clear,
}

impl Confidence {
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Clear => "clear",
            Confidence::Likely => "likely",
            Confidence::Undecided => "undecided",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub backend: BackendKind,
    pub threads: usize,
    /// One line: what, the figures, and why this sure.
    pub why: String,
    pub confidence: Confidence,
    /// Rounds the recommended cell was measured.
    pub rounds_used: usize,
    /// The cells the decision was between (`rayon x2`), the recommended first.
    pub leading: Vec<String>,
}

/// What a sweep's verdict is judged against, and how it was measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms {
    pub cores: usize,
    /// A heartbeat p99 above this (microseconds) starves the app runtime:
    /// `--starved-threshold-ms`.
    pub starved_p99_us: f64,
    /// Rounds every cell was to be measured.
    pub rounds: usize,
    /// The most rounds the cells in contention could get (`--max-rounds`
    /// with `--rounds auto`; equal to `rounds` otherwise).
    pub max_rounds: usize,
    /// Whether the kernel is pure computation (known from its name); None:
    /// judged from each cell's CPU time (custom kernels, files).
    pub cpu_work: Option<bool>,
}

/// The decision, the warnings that bear on it, and the cells more rounds
/// could settle.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// None only without rows.
    pub recommendation: Option<Recommendation>,
    pub warnings: Vec<String>,
    /// Indices of the rows still in contention (empty when settled).
    pub unsettled: Vec<usize>,
}

/// True when the row's work is computation: the kernel says so, or (when
/// it does not) its threads used at least half of min(threads, cores) in CPU
/// time. Then the CPU time per task should not change between rounds, and at
/// most `cores` threads can add throughput.
pub fn cpu_bound(row: &SweepRow, terms: &Terms) -> bool {
    terms.cpu_work.unwrap_or_else(|| {
        let used = row.cpu_s_per_task * row.stats.tasks_per_s;
        used >= 0.5 * row.threads.clamp(1, terms.cores.max(1)) as f64
    })
}

/// A row's noise floor before pairing: the minimum difference, or its
/// machine drift when its work is CPU-bound.
fn drift_floor(row: &SweepRow, terms: &Terms) -> f64 {
    let drift = if cpu_bound(row, terms) {
        row.stats.machine_drift_pct.unwrap_or(0.0) / 100.0
    } else {
        0.0
    };
    drift.max(MIN_REAL_DIFFERENCE)
}

fn throughput_by_round(row: &SweepRow) -> Vec<(usize, f64)> {
    row.round_figures
        .iter()
        .map(|r| (r.round, r.figures.tasks_per_s))
        .collect()
}

/// A speedup beyond what more threads can give: `hi` over `lo` of one
/// backend, against the ratio of their threads (of their cores when the work
/// is CPU-bound). The share it overshoots by is noise.
struct ImpossibleSpeedup {
    lo: usize,
    hi: usize,
    speedup: f64,
    limit: f64,
    excess: f64,
    by_cores: bool,
}

fn impossible_speedups(rows: &[SweepRow], terms: &Terms) -> Vec<ImpossibleSpeedup> {
    let cores = terms.cores.max(1);
    let mut out = Vec::new();
    for (lo, a) in rows.iter().enumerate() {
        for (hi, b) in rows.iter().enumerate() {
            if a.backend != b.backend || a.threads >= b.threads {
                continue;
            }
            let by_cores = cpu_bound(a, terms) && cpu_bound(b, terms);
            let limit = if by_cores {
                b.threads.min(cores) as f64 / a.threads.min(cores) as f64
            } else {
                b.threads as f64 / a.threads as f64
            };
            let paired = Comparison::new(&throughput_by_round(b), &throughput_by_round(a), 0.0);
            let speedup = if paired.rounds() > 0 {
                paired.median_ratio()
            } else if a.stats.tasks_per_s > 0.0 {
                b.stats.tasks_per_s / a.stats.tasks_per_s
            } else {
                continue;
            };
            let excess = excess_speedup(speedup, limit);
            if excess > MIN_REAL_DIFFERENCE {
                out.push(ImpossibleSpeedup {
                    lo,
                    hi,
                    speedup,
                    limit,
                    excess,
                    by_cores,
                });
            }
        }
    }
    out
}

fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

fn cell_text(row: &SweepRow) -> String {
    format!("{} {} tasks/s", row.label(), row.throughput_text())
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `A, B and C`, or past three items the first three and what `rest` calls
/// the others (`A, B, C and 4 others`), so a sentence stays one line.
fn and_list_of_three(items: &[String], rest: impl Fn(usize) -> String) -> String {
    const NAMED: usize = 3;
    if items.len() <= NAMED {
        return and_list(items);
    }
    let mut named = items[..NAMED].to_vec();
    named.push(rest(items.len() - NAMED));
    and_list(&named)
}

/// `"; so did A, B and 3 more"` for the cells a warning also holds for, or
/// nothing.
fn so_did(others: &[String]) -> String {
    if others.is_empty() {
        return String::new();
    }
    format!(
        "; so did {}",
        and_list_of_three(others, |n| format!("{n} more"))
    )
}

/// Decides among the rows. Cells whose heartbeat p99 stayed within the
/// starved threshold are the candidates (all cells when none did). The
/// leader has the best median; cells within the noise floor of it at the
/// median paired ratio tie with it, and the tied cell with the fewest
/// threads is recommended (their shared thread count or backend is named).
/// `clear` needs the leader ahead of every other candidate in every paired
/// round by more than the floor and a quiet machine; `likely` ahead at the
/// median and in most rounds; otherwise `undecided`, naming the leading cells.
pub fn decide(rows: &[SweepRow], terms: &Terms) -> Verdict {
    let cores = terms.cores.max(1);
    let healthy = |r: &SweepRow| r.heartbeat_lag_us.p99 <= terms.starved_p99_us;
    let all_starved = !rows.iter().any(healthy);
    let candidates: Vec<usize> = (0..rows.len())
        .filter(|&i| all_starved || healthy(&rows[i]))
        .collect();
    let Some(leader) = candidates.iter().copied().max_by(|&a, &b| {
        rows[a]
            .stats
            .tasks_per_s
            .total_cmp(&rows[b].stats.tasks_per_s)
    }) else {
        return Verdict {
            recommendation: None,
            warnings: Vec::new(),
            unsettled: Vec::new(),
        };
    };

    // Floors: each row's drift, raised by any impossible speedup it is in.
    let speedups = impossible_speedups(rows, terms);
    let mut floors: Vec<f64> = rows.iter().map(|r| drift_floor(r, terms)).collect();
    for s in &speedups {
        floors[s.lo] = floors[s.lo].max(s.excess);
        floors[s.hi] = floors[s.hi].max(s.excess);
    }
    let compare = |i: usize| {
        Comparison::new(
            &throughput_by_round(&rows[leader]),
            &throughput_by_round(&rows[i]),
            floors[leader].max(floors[i]),
        )
    };

    // Ties within 5% are real ties; wider ones exist only because noise
    // widened the floor, and leave the answer open.
    let mut tied = vec![leader];
    let mut noise_tied: Vec<usize> = Vec::new();
    let mut behind: Vec<(usize, Comparison, Standing)> = Vec::new();
    for &i in candidates.iter().filter(|&&i| i != leader) {
        let c = compare(i);
        match c.standing() {
            Standing::Tie if c.median_ratio() > 1.0 + MIN_REAL_DIFFERENCE => noise_tied.push(i),
            Standing::Tie => tied.push(i),
            standing => behind.push((i, c, standing)),
        }
    }
    let settled = |s: Standing| s == Standing::Clear;
    let mut confidence = if behind.iter().all(|(_, _, s)| settled(*s)) {
        Confidence::Clear
    } else if behind
        .iter()
        .all(|(_, _, s)| matches!(s, Standing::Clear | Standing::Likely))
    {
        Confidence::Likely
    } else {
        Confidence::Undecided
    };
    if tied
        .iter()
        .any(|&i| rows[i].stats.rounds < crate::bounds::SWEEP_MIN_ROUNDS)
        && confidence == Confidence::Clear
    {
        // A tie over one or two rounds may be chance.
        confidence = Confidence::Likely;
    }
    if !noise_tied.is_empty() {
        confidence = Confidence::Undecided;
    }
    let statistically_clear = confidence == Confidence::Clear;

    // The pick: the tied cell with the fewest threads, the fastest of those.
    let chosen = tied
        .iter()
        .copied()
        .min_by(|&a, &b| {
            rows[a].threads.cmp(&rows[b].threads).then(
                rows[b]
                    .stats
                    .tasks_per_s
                    .total_cmp(&rows[a].stats.tasks_per_s),
            )
        })
        .unwrap_or(leader);
    let mut unsettled: Vec<usize> = tied.clone();
    unsettled.extend(noise_tied.iter().copied());
    unsettled.extend(
        behind
            .iter()
            .filter(|(_, _, s)| !settled(*s))
            .map(|(i, _, _)| *i),
    );
    let in_question = |i: usize| unsettled.contains(&i);

    let mut warnings = Vec::new();
    let busiest = rows
        .iter()
        .filter_map(|r| r.stats.external_cpu_pct)
        .fold(None, |m: Option<f64>, e| Some(m.map_or(e, |m| m.max(e))));
    if let Some(external) = busiest.filter(|e| *e > BUSY_EXTERNAL_CPU_PCT) {
        confidence = confidence.min(Confidence::Likely);
        warnings.push(format!(
            "other programs used up to {external:.0}% of the CPUs during the sweep (above {BUSY_EXTERNAL_CPU_PCT:.0}%): the recommendation holds for a machine this busy, where more threads also win CPU time from them; it is at most likely"
        ));
    }
    // Cells left out for starving the runtime while other programs were busy:
    // the starvation may have been theirs.
    let mut doubtful_faster: Vec<usize> = Vec::new();
    let doubtful: Vec<usize> = (0..rows.len())
        .filter(|&i| !all_starved && !candidates.contains(&i) && rows[i].noisy)
        .filter(|&i| compare(i).standing() != Standing::Clear)
        .collect();
    if !doubtful.is_empty() {
        // Faster cells left out on doubtful starvation: the pick itself is a guess.
        doubtful_faster = doubtful
            .iter()
            .copied()
            .filter(|&i| rows[i].stats.tasks_per_s > rows[leader].stats.tasks_per_s)
            .collect();
        confidence = confidence.min(if !doubtful_faster.is_empty() {
            Confidence::Undecided
        } else {
            Confidence::Likely
        });
        let names: Vec<String> = doubtful.iter().map(|&i| rows[i].label()).collect();
        warnings.push(format!(
            "{} starved the app runtime while the machine was noisy and {} not clearly slower than {}: the starvation may be other programs' doing",
            and_list_of_three(&names, |n| format!("{n} more")),
            if doubtful.len() == 1 { "is" } else { "are" },
            rows[leader].label()
        ));
    }
    // One line per kind of noise, worst first: a busy machine gives many
    // cells the same warning, and only the worst sets the floor.
    let mut noisy_speedups: Vec<_> = speedups
        .iter()
        .filter(|s| in_question(s.lo) || in_question(s.hi))
        .collect();
    noisy_speedups.sort_by(|a, b| b.excess.total_cmp(&a.excess));
    if let Some((s, others)) = noisy_speedups.split_first() {
        let (lo, hi) = (&rows[s.lo], &rows[s.hi]);
        let others: Vec<String> = others
            .iter()
            .map(|o| format!("{} over {}", rows[o.hi].label(), rows[o.lo].label()))
            .collect();
        warnings.push(format!(
            "{} ran x{:.2} the tasks/s of {}, beyond the x{} that {} allow{}: that is noise (the machine's own load or clock), so differences under {} are not called",
            hi.label(),
            s.speedup,
            lo.label(),
            if s.limit.fract() == 0.0 {
                format!("{:.0}", s.limit)
            } else {
                format!("{:.2}", s.limit)
            },
            if s.by_cores {
                format!("{cores} cores")
            } else {
                format!("{} threads", hi.threads)
            },
            so_did(&others),
            pct(s.excess)
        ));
    }
    // Drift matters where it kept the answer from being clear or made a tie.
    let drifting = if statistically_clear && tied.len() < 2 {
        &[][..]
    } else {
        &unsettled[..]
    };
    let mut drifts: Vec<(String, f64)> = drifting
        .iter()
        .map(|&i| &rows[i])
        .filter(|row| cpu_bound(row, terms))
        .filter_map(|row| {
            row.stats
                .machine_drift_pct
                .filter(|d| *d / 100.0 > MIN_REAL_DIFFERENCE)
                .map(|d| (row.label(), d))
        })
        .collect();
    drifts.sort_by(|a, b| b.1.total_cmp(&a.1));
    if let Some(((label, drift), others)) = drifts.split_first() {
        let others: Vec<String> = others.iter().map(|(l, _)| l.clone()).collect();
        warnings.push(format!(
            "{label}: the same task's CPU time varied {drift:.0}% between rounds (the machine itself slowed{}), so differences under {drift:.0}% are not called",
            so_did(&others)
        ));
    }

    let floor = unsettled
        .iter()
        .map(|&i| floors[i])
        .fold(MIN_REAL_DIFFERENCE, f64::max);
    let mut leading: Vec<usize> = unsettled.clone();
    leading.sort_by(|&a, &b| {
        rows[b]
            .stats
            .tasks_per_s
            .total_cmp(&rows[a].stats.tasks_per_s)
    });
    leading.retain(|&i| i != chosen);
    leading.insert(0, chosen);

    let pick = &rows[chosen];
    let head = tie_clause(rows, &tied, chosen, floor);
    let paired_rounds = behind.iter().map(|(_, c, _)| c.rounds()).min().unwrap_or(0);
    let standing = if !noise_tied.is_empty() {
        let names: Vec<String> = noise_tied.iter().map(|&i| cell_text(&rows[i])).collect();
        format!(
            "ahead of {} at the median, but within the {} noise floor",
            and_list_of_three(&names, |n| match n {
                1 => "1 other".to_string(),
                n => format!("{n} others"),
            }),
            pct(floor)
        )
    } else if behind.is_empty() {
        match (tied.len(), candidates.len() == rows.len()) {
            (1, true) if rows.len() == 1 => "the only cell measured".to_string(),
            (1, _) => "the only cell that kept the app runtime healthy".to_string(),
            (_, true) => "no other cell to compare with".to_string(),
            _ => "no other cell kept the app runtime healthy".to_string(),
        }
    } else if statistically_clear {
        let healthy = if all_starved { "" } else { "healthy " };
        // With a tie, the cells it is ahead of are those outside the tie.
        let others = if tied.len() > 1 {
            format!("every {healthy}cell outside the tie")
        } else {
            format!("every other {healthy}cell")
        };
        // Extra rounds went to the leading cells: say which count is which.
        let extra = if pick.stats.rounds > paired_rounds {
            format!(
                " ({} was measured {} rounds, the others {paired_rounds})",
                pick.label(),
                pick.stats.rounds
            )
        } else {
            String::new()
        };
        format!(
            "ahead of {others} in each of {paired_rounds} paired rounds by more than the {} noise floor{extra}",
            pct(floor)
        )
    } else {
        // The closest cell behind: the smallest median paired ratio.
        let (i, c, _) = behind
            .iter()
            .filter(|(_, _, s)| !settled(*s))
            .min_by(|a, b| a.1.median_ratio().total_cmp(&b.1.median_ratio()))
            .unwrap_or(&behind[0]);
        format!(
            "against {}: ahead in {} of {} paired rounds, {} beyond the {} noise floor",
            cell_text(&rows[*i]),
            c.wins(),
            c.rounds(),
            c.wins_beyond_floor(),
            pct(c.floor)
        )
    };
    // The figures, without naming the cell twice.
    let figures = if head.starts_with(&pick.label()) {
        format!("{} tasks/s", pick.throughput_text())
    } else {
        cell_text(pick)
    };
    let mut why = format!(
        "{head}: {figures}, heartbeat p99 {} ms; {standing}",
        fmt_ms(pick.heartbeat_lag_us.p99)
    );
    if confidence == Confidence::Undecided {
        why.push_str(&format!(
            "; best guess {}, more rounds (--max-rounds) or a quieter machine would settle it",
            pick.label()
        ));
    }
    let left_out = rows.len() - candidates.len();
    if all_starved {
        why.push_str(&format!(
            "; every cell starved the app runtime (heartbeat p99 above {} ms)",
            fmt_ms(terms.starved_p99_us)
        ));
    } else if left_out > 0 {
        why.push_str(&format!(
            " ({left_out} cell{} starved the app runtime and {} left out)",
            if left_out == 1 { "" } else { "s" },
            if left_out == 1 { "was" } else { "were" }
        ));
    }
    Verdict {
        recommendation: Some(Recommendation {
            backend: pick.backend,
            threads: pick.threads,
            why,
            confidence,
            rounds_used: pick.stats.rounds,
            leading: leading.iter().map(|&i| rows[i].label()).collect(),
        }),
        warnings,
        // More rounds may settle the rounds still disagreeing, and may show
        // whether faster cells' starvation was the machine's.
        unsettled: if statistically_clear && doubtful_faster.is_empty() {
            Vec::new()
        } else {
            unsettled.into_iter().chain(doubtful_faster).collect()
        },
    }
}

/// How the recommended cell relates to the cells tied with it: `2 threads
/// (rayon and channel tie within the 5% noise floor)`, `rayon x2 (ties
/// rayon x3 within ...; the fewest threads)`, or the cell alone.
fn tie_clause(rows: &[SweepRow], tied: &[usize], chosen: usize, floor: f64) -> String {
    let pick = &rows[chosen];
    if tied.len() < 2 {
        return pick.label();
    }
    let same_threads = tied.iter().all(|&i| rows[i].threads == pick.threads);
    let same_backend = tied.iter().all(|&i| rows[i].backend == pick.backend);
    let noise = format!("within the {} noise floor", pct(floor));
    if same_threads {
        let backends: Vec<String> = tied.iter().map(|&i| rows[i].backend.to_string()).collect();
        format!(
            "{} thread{} ({} tie {noise})",
            pick.threads,
            if pick.threads == 1 { "" } else { "s" },
            and_list(&backends)
        )
    } else if same_backend {
        let mut counts: Vec<usize> = tied.iter().map(|&i| rows[i].threads).collect();
        counts.sort_unstable();
        let counts: Vec<String> = counts.iter().map(usize::to_string).collect();
        format!(
            "{} with {} thread{} ({} threads tie {noise}; the fewest)",
            pick.backend,
            pick.threads,
            if pick.threads == 1 { "" } else { "s" },
            and_list(&counts)
        )
    } else {
        let fewest: Vec<usize> = tied
            .iter()
            .copied()
            .filter(|&i| rows[i].threads == pick.threads)
            .collect();
        if fewest.len() > 1 {
            // Several backends tie at the fewest threads: recommend what they
            // share, and say that more threads add nothing.
            let backends: Vec<String> = fewest
                .iter()
                .map(|&i| rows[i].backend.to_string())
                .collect();
            let mut more: Vec<usize> = tied
                .iter()
                .map(|&i| rows[i].threads)
                .filter(|&t| t > pick.threads)
                .collect();
            more.sort_unstable();
            more.dedup();
            let more: Vec<String> = more.iter().map(usize::to_string).collect();
            return format!(
                "{} thread{} ({} tie {noise}, and {} threads add nothing)",
                pick.threads,
                if pick.threads == 1 { "" } else { "s" },
                and_list(&backends),
                or_list(&more)
            );
        }
        let others: Vec<String> = tied
            .iter()
            .filter(|&&i| i != chosen)
            .map(|&i| rows[i].label())
            .collect();
        format!(
            "{} (ties {} {noise}; the fewest threads)",
            pick.label(),
            and_list(&others)
        )
    }
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
