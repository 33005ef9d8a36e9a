#!/usr/bin/env bash
# loadlab's own cost from the command line: `loadlab run` against small programs
# doing the same spin tasks on the bare libraries (examples/bare_*.rs), 2
# threads, alternated pair by pair. Prints tasks/s ratios loadlab / bare
# (median, min-max over the pairs).
#
# Usage: scripts/compare_bare.sh [ROUNDS] [SIZES]
#   ROUNDS  alternated pairs per cell (default 3)
#   SIZES   spin task sizes in microseconds (default "100 10")
# The task count of a cell is 2,000,000 / size (about 1 s of work on 2 threads).
set -euo pipefail
rounds="${1:-3}"
sizes="${2:-100 10}"
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin loadlab --example bare_rayon --example bare_channel \
    --example bare_spawn_blocking
bin=target/release
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

bare_tasks_per_s() { # backend size tasks
    local example="bare_${1//-/_}"
    "$bin/examples/$example" "$3" "$2" 2 | sed -n 's/.*tasks_per_s \([0-9.]*\).*/\1/p'
}

loadlab_tasks_per_s() { # backend size tasks
    "$bin/loadlab" run --backend "$1" --threads 2 --workload spin --size "$2" --tasks "$3" \
        --format json 2>/dev/null | jq '.throughput.tasks_per_s'
}

for size in $sizes; do
    tasks=$((2000000 / size))
    for round in $(seq 1 "$rounds"); do
        for backend in rayon channel spawn-blocking; do
            # Alternate which side runs first, so drift in the machine's load
            # does not always favour the same side.
            if ((round % 2)); then
                bare=$(bare_tasks_per_s "$backend" "$size" "$tasks")
                ours=$(loadlab_tasks_per_s "$backend" "$size" "$tasks")
            else
                ours=$(loadlab_tasks_per_s "$backend" "$size" "$tasks")
                bare=$(bare_tasks_per_s "$backend" "$size" "$tasks")
            fi
            echo "$size $backend $ours $bare" | tee -a "$out" >&2
        done
    done
done

python3 - "$out" <<'PY'
import statistics, sys
cells = {}
for line in open(sys.argv[1]):
    size, backend, ours, bare = line.split()
    cells.setdefault((int(size), backend), []).append((float(ours), float(bare)))
sizes = sorted({s for s, _ in cells}, reverse=True)
print("| backend | " + " | ".join(f"{s} us: ratio (min-max), loadlab / bare tasks/s" for s in sizes) + " |")
print("|---|" + "---:|" * len(sizes))
for backend in ("rayon", "channel", "spawn-blocking"):
    row = []
    for size in sizes:
        pairs = cells[(size, backend)]
        ratios = [ours / bare for ours, bare in pairs]
        row.append(f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f}), "
                   f"{statistics.median(o for o, _ in pairs):,.0f} / {statistics.median(b for _, b in pairs):,.0f}")
    print(f"| {backend} | " + " | ".join(row) + " |")
PY
