#!/usr/bin/env bash
# Open-loop overload on one backend thread: the channel hand-over against
# rayon's, alternated in one run. Prints each run's heartbeat p99, its wall
# time and the medians. Usage: scripts/overload_compare.sh [ROUNDS] (default 5).
set -euo pipefail
rounds="${1:-5}"
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/loadlab
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for round in $(seq 1 "$rounds"); do
    for backend in rayon channel; do
        start=$(date +%s.%N)
        "$bin" run --backend "$backend" --threads 1 --worker-nice 0 --workload spin \
            --size 1000 --rate 20000 --duration 2 --format json >"$out/$backend-$round.json"
        end=$(date +%s.%N)
        echo "$end - $start" | bc >"$out/$backend-$round.wall"
    done
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
print("| backend | heartbeat p99 ms (median, min-max) | wall s (median, min-max) |")
print("|---|---:|---:|")
medians = {}
for backend in ("rayon", "channel"):
    p99, wall = [], []
    for r in range(1, rounds + 1):
        with open(f"{out}/{backend}-{r}.json") as f:
            p99.append(json.load(f)["heartbeat_lag_us"]["p99"] / 1e3)
        with open(f"{out}/{backend}-{r}.wall") as f:
            wall.append(float(f.read()))
    medians[backend] = statistics.median(p99)
    print(f"| {backend} | {statistics.median(p99):.2f} ({min(p99):.2f}-{max(p99):.2f}) "
          f"| {statistics.median(wall):.2f} ({min(wall):.2f}-{max(wall):.2f}) |")
limit = 1.5 * medians["rayon"] + 2.0
verdict = "met" if medians["channel"] <= limit else "missed"
print(f"channel p99 {medians['channel']:.2f} ms against 1.5 x rayon + 2 ms = {limit:.2f} ms: {verdict}")
PY
