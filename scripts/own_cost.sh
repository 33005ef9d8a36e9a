#!/usr/bin/env bash
# What loadlab's own threads cost, by role, from /proc/<pid>/task/*/schedstat
# (time on a CPU): every thread but the backend's pool threads (rayon-N,
# pool-N, blocking-N), grouped as the app runtime (app-N: driver and probes),
# ui (ui, ui-input), the sampler and every other thread.
#
#   running   the default dashboard (`loadlab`) in tmux at 120x40, work running
#   paused    the same session after space (arrivals paused)
#   beside N  `loadlab run --backend spawn-blocking --threads N --workload sleep
#             --size 20000 --inflight 2N` headless: the sampler beside N threads
#   attach    `loadlab attach PID` (the dashboard, in tmux at 120x40) watching
#             such a run with 255 threads: every thread of the attaching process
#   attach headless   `loadlab attach PID --duration S --format json` on the same
#             target
#   floor     examples/bare_heartbeat.rs: a bare tokio runtime, two workers, one
#             10 ms interval doing nothing; what loadlab's 10 ms heartbeat costs at
#             the least on this machine, for the app runtime column to be read against
#
# Each row is the median (min-max) of RUNS runs, each over SECONDS of wall time
# after a few seconds of warm-up, in percent of one core.
#
# Usage: scripts/own_cost.sh [RUNS] [SECONDS] [THREADS...]
#   RUNS     runs per row (default 3)
#   SECONDS  measured stretch of each run (default 20)
#   THREADS  spawn-blocking thread counts for the sampler rows (default 256 512)
# Environment:
#   LOADLAB_BIN   measure this binary instead of building the release one
#                 (a before/after comparison alternates two of them)
#   OWN_COST_DASHBOARD=0   skip the dashboard rows (running, paused)
#   OWN_COST_ATTACH=0      skip the attach rows
#   OWN_COST_BESIDE=0      skip the beside-N rows
#   OWN_COST_FLOOR=0       skip the floor row
#
# Past 512 threads (tokio's blocking cap) see `cargo bench --bench sampler_cost`.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
seconds="${2:-20}"
shift $(($# < 2 ? $# : 2))
counts=("${@:-256 512}")
read -r -a counts <<<"${counts[*]}"
warmup=5

if [[ -n "${LOADLAB_BIN:-}" ]]; then
    bin="$LOADLAB_BIN"
else
    cargo build --release --quiet --bin loadlab
    bin="${CARGO_TARGET_DIR:-$PWD/target}/release/loadlab"
fi
if [[ "${OWN_COST_FLOOR:-1}" != 0 ]]; then
    cargo build --release --quiet --example bare_heartbeat
    floor_bin="${CARGO_TARGET_DIR:-$PWD/target}/release/examples/bare_heartbeat"
fi
out="$(mktemp)"
config_home="$(mktemp -d)"
session="loadlab-own-cost-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$out" "$config_home"' EXIT

# One reading of every thread of PID: "name<TAB>cpu_ns" lines. Builtins
# only: a `cat` per thread took seconds beside 512 threads on a busy machine,
# long enough for the run to end before the second reading.
read_threads() {
    local task name cpu
    for task in /proc/"$1"/task/*; do
        # A thread may exit between the listing and the read: skip it.
        { read -r name <"$task/comm" && read -r cpu _ <"$task/schedstat"; } 2>/dev/null || continue
        printf '%s\t%s\n' "$name" "$cpu"
    done
}

# Reads PID's threads, sleeps SECONDS, reads again; appends one line per role:
# "ROW ROLE PERCENT".
measure() {
    local row="$1" pid="$2" before after
    before=$(read_threads "$pid")
    sleep "$seconds"
    after=$(read_threads "$pid")
    python3 - "$row" "$seconds" "$before" "$after" >>"$out" <<'PY'
import sys
row, seconds, before, after = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
def parse(text):
    threads = {}
    for line in text.splitlines():
        name, cpu = line.rsplit("\t", 1)
        threads.setdefault(name, []).append(int(cpu))
    return threads
def role(name):
    if name.startswith(("rayon-", "pool-", "blocking")):
        return None
    if name.startswith("app-"):
        return "app runtime"
    if name == "ui" or name.startswith("ui-"):
        return "ui"
    if name == "sampler":
        return "sampler"
    return "other"
# Threads are matched by name and position: own threads neither come nor go
# while the measurement runs, and no two share a name but the main thread's.
then, now = parse(before), parse(after)
used = {"app runtime": 0, "ui": 0, "sampler": 0, "other": 0}
for name, cpus in now.items():
    kind = role(name)
    if kind is None:
        continue
    old = then.get(name, [])
    for i, cpu in enumerate(cpus):
        used[kind] += cpu - (old[i] if i < len(old) else 0)
total = 0.0
for kind, ns in used.items():
    pct = ns / 1e9 / seconds * 100
    total += pct
    print(f"{row}\t{kind}\t{pct:.4f}")
print(f"{row}\tall own threads\t{total:.4f}")
PY
}

dashboard_run() {
    tmux new-session -d -s "$session" -x 120 -y 40 \
        "XDG_CONFIG_HOME=$config_home exec $bin"
    local pid
    pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
    sleep "$warmup"
    measure running "$pid"
    tmux send-keys -t "$session" space
    sleep 3
    measure paused "$pid"
    tmux send-keys -t "$session" q
    sleep 1
    tmux kill-session -t "$session" 2>/dev/null || true
}

beside_run() {
    local threads="$1" pid
    "$bin" run --backend spawn-blocking --threads "$threads" --workload sleep --size 20000 \
        --inflight $((2 * threads)) --duration $((warmup + seconds + 3)) --format json \
        >/dev/null 2>&1 &
    pid=$!
    sleep "$warmup"
    measure "beside $threads" "$pid"
    wait "$pid" || echo "loadlab run --threads $threads failed" >&2
}

# A target for attach: a headless run with `attach_threads` spawn-blocking
# threads sleeping, long enough to cover both attach measurements.
attach_threads=255
attach_run() {
    local target pid
    "$bin" run --backend spawn-blocking --threads "$attach_threads" --workload sleep \
        --size 20000 --inflight $((2 * attach_threads)) \
        --duration $((2 * (warmup + seconds) + 10)) --format json >/dev/null 2>&1 &
    target=$!
    sleep 2
    tmux new-session -d -s "$session" -x 120 -y 40 \
        "XDG_CONFIG_HOME=$config_home exec $bin attach $target"
    pid=$(tmux list-panes -t "$session" -F '#{pane_pid}')
    sleep "$warmup"
    measure attach "$pid"
    tmux send-keys -t "$session" q
    sleep 1
    tmux kill-session -t "$session" 2>/dev/null || true
    "$bin" attach "$target" --duration $((warmup + seconds + 2)) --format json >/dev/null &
    pid=$!
    sleep "$warmup"
    measure "attach headless" "$pid"
    wait "$pid" || echo "loadlab attach --duration failed" >&2
    kill "$target" 2>/dev/null || true
    wait "$target" 2>/dev/null || true
}

floor_run() {
    local pid
    "$floor_bin" $((warmup + seconds + 2)) &
    pid=$!
    sleep "$warmup"
    measure floor "$pid"
    wait "$pid" || echo "bare_heartbeat failed" >&2
}

for run in $(seq 1 "$runs"); do
    if [[ "${OWN_COST_FLOOR:-1}" != 0 ]]; then
        echo "run $run of $runs: floor (bare tokio, one 10 ms interval)" >&2
        floor_run
    fi
    if [[ "${OWN_COST_DASHBOARD:-1}" != 0 ]]; then
        echo "run $run of $runs: dashboard" >&2
        dashboard_run
    fi
    for threads in "${counts[@]}"; do
        [[ "${OWN_COST_BESIDE:-1}" != 0 ]] || break
        echo "run $run of $runs: beside $threads threads" >&2
        beside_run "$threads"
    done
    if [[ "${OWN_COST_ATTACH:-1}" != 0 ]]; then
        echo "run $run of $runs: attach beside $attach_threads threads" >&2
        attach_run
    fi
done

python3 - "$out" "${counts[@]}" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    row, role, pct = line.rstrip("\n").split("\t")
    cells.setdefault((row, role), []).append(float(pct))
roles = ["app runtime", "ui", "sampler", "other", "all own threads"]
rows = (["floor", "running", "paused"] + [f"beside {n}" for n in sys.argv[2:]]
        + ["attach", "attach headless"])
def cell(values):
    if not values:
        return ""
    m = statistics.median(values)
    return f"{m:.2f} ({min(values):.2f}-{max(values):.2f})"
print("| % of one core, median (min-max) | " + " | ".join(roles) + " |")
print("|---|" + "---:|" * len(roles))
for row in rows:
    if any((row, r) in cells for r in roles):
        print(f"| {row} | " + " | ".join(cell(cells.get((row, r), [])) for r in roles) + " |")
PY
