#!/usr/bin/env bash
# /health latency while /work?kernel=argon2 is hammered with wrk, on each
# backend, alternated over rounds; and the hand-back cost of /work (total_us -
# queue_us - service_us, from each answer). One `loadlab serve` per cell; wrk
# with 8 connections on /work, a second wrk with 1 connection timing /health
# at about 100 requests a second; then the same cells' /health as loadlab's
# own client timed it (service.health_client of each report) beside wrk's.
# Usage: scripts/serve_starvation.sh [ROUNDS] [SECONDS] [ARGON2_KIB]
# (defaults 3 rounds, 8 s, 4096 KiB). Needs wrk (apt-get install wrk).
set -euo pipefail
rounds="${1:-3}"
seconds="${2:-8}"
kib="${3:-4096}"
command -v wrk >/dev/null || { echo "serve_starvation: needs wrk (apt-get install wrk)" >&2; exit 1; }
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/loadlab
out="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$out"' EXIT

cat >"$out/work.lua" <<'LUA'
-- Collects total_us - queue_us - service_us of every 200 answer.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) handback = {} end
function response(status, headers, body)
  if status == 200 then
    local t = tonumber(body:match('"total_us":([%d%.e%-]+)'))
    local q = tonumber(body:match('"queue_us":([%d%.e%-]+)'))
    local s = tonumber(body:match('"service_us":([%d%.e%-]+)'))
    if t and q and s then handback[#handback + 1] = t - q - s end
  end
end
function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    for _, v in ipairs(thread:get("handback")) do all[#all + 1] = v end
  end
  table.sort(all)
  local function pct(p) if #all == 0 then return 0 end return all[math.max(1, math.ceil(p * #all))] end
  io.write(string.format("WORK %d %.3f %.1f %.1f %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), pct(0.5), pct(0.99),
    summary.errors.status + summary.errors.timeout))
end
LUA
cat >"$out/health.lua" <<'LUA'
-- One request every 10 ms per connection: a steady client, not a second hammer.
function delay() return 10 end
function done(summary, latency, requests)
  io.write(string.format("HEALTH %d %.1f %.1f %.1f %d\n", summary.requests,
    latency:percentile(50), latency:percentile(99), latency.max,
    summary.errors.status + summary.errors.timeout))
end
LUA

for round in $(seq 1 "$rounds"); do
    for backend in inline spawn-blocking rayon channel; do
        cell="$out/$backend-$round"
        "$bin" serve --backend "$backend" --threads 2 --serve 127.0.0.1:0 --format json \
            >"$cell.json" 2>"$cell.err" &
        server=$!
        address=""
        for _ in $(seq 1 100); do
            address="$(grep -so '127\.0\.0\.1:[0-9]*' "$cell.err" | head -1 || true)"
            [ -n "$address" ] && break
            sleep 0.05
        done
        [ -n "$address" ] || { echo "serve_starvation: $backend did not start" >&2; cat "$cell.err" >&2; exit 1; }
        wrk -t1 -c8 -d"${seconds}s" --timeout 30s -s "$out/work.lua" \
            "http://$address/work?kernel=argon2&size=$kib" >"$cell.work" &
        hammer=$!
        sleep 1
        wrk -t1 -c1 -d"$((seconds - 2))s" --timeout 30s -s "$out/health.lua" \
            "http://$address/health" >"$cell.health"
        wait "$hammer"
        kill -INT "$server"
        wait "$server" || true
        server=""
        echo "round $round $backend: $(grep -h '^HEALTH\|^WORK' "$cell.health" "$cell.work" | tr '\n' ' ')" >&2
    done
done

python3 - "$out" "$rounds" "$kib" "$seconds" <<'PY'
import json, statistics, sys
out, rounds, kib, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def fields(path, tag):
    for line in open(path):
        if line.startswith(tag + " "):
            return [float(x) for x in line.split()[1:]]
    raise SystemExit(f"no {tag} line in {path}")
def spread(values, scale=1.0, digits=2):
    values = [v * scale for v in values]
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"
print(f"/health while wrk -c8 hammers /work?kernel=argon2&size={kib} for {seconds} s; "
      f"median (min-max) over {rounds} rounds")
print("| backend | /health p50 ms | /health p99 ms | /health max ms | /work req/s | hand-back p50 us | hand-back p99 us | accounting ok, no errors |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
p99_median = {}
for backend in ("inline", "spawn-blocking", "rayon", "channel"):
    h50, h99, hmax, rps, hb50, hb99, ok = [], [], [], [], [], [], True
    for r in range(1, rounds + 1):
        cell = f"{out}/{backend}-{r}"
        _, p50, p99, mx, herr = fields(cell + ".health", "HEALTH")
        _, per_s, b50, b99, werr = fields(cell + ".work", "WORK")
        report = json.load(open(cell + ".json"))
        t = report["tasks"]
        ok &= t["submitted"] == t["completed"] + t["failed"] + t["cancelled"] and herr == 0 and werr == 0
        h50.append(p50); h99.append(p99); hmax.append(mx); rps.append(per_s); hb50.append(b50); hb99.append(b99)
    p99_median[backend] = statistics.median(h99) / 1000
    print(f"| {backend} | {spread(h50, 1e-3)} | {spread(h99, 1e-3)} | {spread(hmax, 1e-3)} | {spread(rps, 1, 1)} "
          f"| {spread(hb50, 1, 1)} | {spread(hb99, 1, 1)} | {'yes' if ok else 'NO'} |")
for backend in ("spawn-blocking", "rayon", "channel"):
    if p99_median[backend] > 0:
        print(f"inline /health p99 / {backend}: {p99_median['inline'] / p99_median[backend]:.0f}x")
print()
print("/health as wrk (outside) and loadlab's own client (the report's service.health_client) timed it, same cells")
print("| backend | wrk p50 ms | loadlab p50 ms | wrk p99 ms | loadlab p99 ms | loadlab / wrk p50 | loadlab / wrk p99 |")
print("|---|---:|---:|---:|---:|---:|---:|")
for backend in ("inline", "spawn-blocking", "rayon", "channel"):
    w50, w99, l50, l99 = [], [], [], []
    for r in range(1, rounds + 1):
        cell = f"{out}/{backend}-{r}"
        _, p50, p99, _, _ = fields(cell + ".health", "HEALTH")
        client = json.load(open(cell + ".json"))["service"]["health_client"]
        w50.append(p50 / 1000); w99.append(p99 / 1000)
        l50.append(client["p50_us"] / 1000); l99.append(client["p99_us"] / 1000)
    ratio = lambda a, b: f"{statistics.median(a) / statistics.median(b):.2f}" if statistics.median(b) > 0 else "-"
    print(f"| {backend} | {spread(w50)} | {spread(l50)} | {spread(w99)} | {spread(l99)} | {ratio(l50, w50)} | {ratio(l99, w99)} |")
PY
