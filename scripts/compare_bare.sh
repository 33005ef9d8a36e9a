#!/usr/bin/env bash
# loadlab's own cost from the command line: `loadlab run` (default flags but
# --threads 2) against small programs doing the same spin tasks on the bare
# libraries (examples/bare_*.rs), alternated pair by pair. For each cell it
# prints, over the pairs (median, min-max):
#   tput  loadlab tasks/s / bare tasks/s (what a user sees; needs a quiet machine)
#   cpu   bare CPU s / loadlab CPU s for the same tasks (user + sys of the whole
#         process; the share of work loadlab adds, much less sensitive to other load)
#
# Usage: scripts/compare_bare.sh [ROUNDS] [SIZES]
#   ROUNDS  alternated pairs per cell (default 3)
#   SIZES   spin task sizes in microseconds (default "100 10")
# The task count of a cell is 2,000,000 / size (about 1 s of work on 2 threads).
#
#        scripts/compare_bare.sh batch [ROUNDS]
#   loadlab alone: 1 us spin tasks on 2 threads for 2 s, tasks/s against --batch K.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin loadlab --example bare_rayon --example bare_channel \
    --example bare_spawn_blocking
bin=target/release
out="$(mktemp)"
trap 'rm -f "$out" "$out.time"' EXIT

# Runs a command; prints "<its stdout> <cpu seconds>".
with_cpu() {
    local stdout
    stdout=$(/usr/bin/time -f "%U %S" -o "$out.time" "$@")
    echo "$stdout $(awk '{print $1 + $2}' "$out.time")"
}

bare() { # backend size tasks -> "tasks_per_s cpu_s"
    with_cpu "$bin/examples/bare_${1//-/_}" "$3" "$2" 2 | sed -n 's/.*tasks_per_s \([0-9.]*\) \(.*\)/\1 \2/p'
}

loadlab() { # backend size tasks -> "tasks_per_s cpu_s"
    local line
    line=$(with_cpu "$bin/loadlab" run --backend "$1" --threads 2 --workload spin --size "$2" \
        --tasks "$3" --format json 2>/dev/null | tr -d '\n')
    echo "$(echo "${line% *}" | jq '.throughput.tasks_per_s') ${line##* }"
}

if [[ "${1:-}" == "batch" ]]; then
    rounds="${2:-3}"
    for round in $(seq 1 "$rounds"); do
        for k in 1 10 100 1000; do
            tps=$("$bin/loadlab" run --threads 2 --workload spin --size 1 --batch "$k" \
                --duration 2 --format json 2>/dev/null | jq '.throughput.tasks_per_s')
            echo "$k $tps" | tee -a "$out" >&2
        done
    done
    python3 - "$out" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    k, tps = line.split()
    cells.setdefault(int(k), []).append(float(tps))
print("| --batch K | tasks/s (median, min-max) | of 2 x 10^6 |")
print("|---:|---:|---:|")
for k in sorted(cells):
    v = cells[k]
    m = statistics.median(v)
    print(f"| {k} | {m:,.0f} ({min(v):,.0f}-{max(v):,.0f}) | {m / 2e6:.2f} |")
PY
    exit 0
fi

rounds="${1:-3}"
sizes="${2:-100 10}"
for size in $sizes; do
    tasks=$((2000000 / size))
    for round in $(seq 1 "$rounds"); do
        for backend in rayon channel spawn-blocking; do
            # Alternate which side runs first, so drift in the machine's load
            # does not always favour the same side.
            if ((round % 2)); then
                b=$(bare "$backend" "$size" "$tasks")
                l=$(loadlab "$backend" "$size" "$tasks")
            else
                l=$(loadlab "$backend" "$size" "$tasks")
                b=$(bare "$backend" "$size" "$tasks")
            fi
            echo "$size $backend $l $b" | tee -a "$out" >&2
        done
    done
done

python3 - "$out" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    size, backend, ours, ours_cpu, bare, bare_cpu = line.split()
    cells.setdefault((int(size), backend), []).append(
        (float(ours), float(ours_cpu), float(bare), float(bare_cpu)))
def stat(values):
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"
sizes = sorted({s for s, _ in cells}, reverse=True)
print("| backend | task | tput ratio | cpu ratio | loadlab tasks/s | bare tasks/s |")
print("|---|---:|---:|---:|---:|---:|")
for size in sizes:
    for backend in ("rayon", "channel", "spawn-blocking"):
        pairs = cells[(size, backend)]
        tput = [o / b for o, _, b, _ in pairs]
        cpu = [bc / oc for _, oc, _, bc in pairs]
        print(f"| {backend} | {size} us | {stat(tput)} | {stat(cpu)} | "
              f"{statistics.median(o for o, *_ in pairs):,.0f} | "
              f"{statistics.median(p[2] for p in pairs):,.0f} |")
PY
