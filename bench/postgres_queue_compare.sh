#!/usr/bin/env bash
# Runs the PostgreSQL queue benchmark and its peers (pg-boss, graphile-worker) on one throwaway
# PostgreSQL 15 server, each in its own database, and prints every result line followed by the
# throughput ratios (batched: ours/pg-boss and ours/graphile-worker at batch 10; unbatched: the
# same at one message per call). Usage (from the repository root, after building with
# -DMLW_BUILD_BENCH=ON):
#   bench/postgres_queue_compare.sh [build-dir] [messages] [consumers] [producers] [runs]
# With runs > 1 every system runs that many times (fresh databases each time, the order of the
# three reversed every other run so that a change in machine load does not favour one) and the
# last lines are the medians of throughputs and ratios.
# MLW_DURABLE_ACKS=1 runs ours with receives and deletes waiting for their commit flush, like the
# peers (like-for-like durability).
# Needs /usr/lib/postgresql/15/bin (or $MLW_PG_BIN), node and npm (scripts/install-pg-peers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
messages="${2:-20000}"
consumers="${3:-4}"
producers="${4:-1}"
runs="${5:-1}"
bin="${MLW_PG_BIN:-/usr/lib/postgresql/15/bin}"
scripts/install-pg-peers.sh >&2

dir="$(mktemp -d "${TMPDIR:-/tmp}/mlw-pg-compare-XXXXXX")"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  as_pg=(runuser -u postgres --)
fi
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C -N >/dev/null
# Default durability settings (fsync on): the comparison is of the queues, on a server as deployed.
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
url="postgresql://postgres@127.0.0.1:$port"
results="$dir/results.jsonl"
psql=("${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -q)
# Each line of output of run $1 is tagged with "run" so the summary can group them.
tag() { python3 -c 'import json,sys
for l in sys.stdin:
    j = json.loads(l); j["run"] = int(sys.argv[1]); print(json.dumps(j), flush=True)' "$1"; }
ours() {
  "$build/bin/postgres_queue_bench" --url "$url/mlworker$1" --messages "$messages" \
    --consumers "$consumers" --producers "$producers" ${MLW_DURABLE_ACKS:+--durable-acks}
}
peer() {
  node bench/postgres_peers_bench.js --url "$url/$2$1" --messages "$messages" \
    --consumers "$consumers" --producers "$producers" --only "$2"
}
for run in $(seq 1 "$runs"); do
  for db in mlworker pgboss graphile; do "${psql[@]}" -c "CREATE DATABASE $db$run" postgres; done
  order=(ours "peer pgboss" "peer graphile")
  [ $((run % 2)) -eq 0 ] && order=("peer graphile" "peer pgboss" ours)
  for what in "${order[@]}"; do
    read -r fn arg <<<"$what"
    if [ "$fn" = ours ]; then ours "$run"; else peer "$run" "$arg"; fi | tag "$run" |
      tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    j = json.loads(line)
    runs.setdefault(j["run"], {})[j["bench"] + (":" + j["op"] if "op" in j else "")] = j
pairs = [("postgres_e2e_batch10", "pgboss_e2e_batch10"),
         ("postgres_e2e_batch10", "graphile_worker_e2e_batch10"),
         ("postgres_e2e_single", "pgboss_e2e_single"),
         ("postgres_e2e_single", "graphile_worker_e2e_single")]
ratios = {}
for run, r in sorted(runs.items()):
    for ours, peer in pairs:
        if ours in r and peer in r:
            v = r[ours]["messages_per_second"] / r[peer]["messages_per_second"]
            ratios.setdefault(f"{ours}/{peer}", []).append(v)
            print(json.dumps({"run": run, "ratio": f"{ours}/{peer}", "value": round(v, 2)}))
if len(runs) > 1:
    benches = sorted({b for r in runs.values() for b in r})
    for b in benches:
        vals = [r[b] for r in runs.values() if b in r]
        if "messages_per_second" in vals[0]:
            xs = [v["messages_per_second"] for v in vals]
            print(json.dumps({"median_of": len(xs), "bench": b,
                              "messages_per_second": round(statistics.median(xs), 1),
                              "all": [round(x) for x in xs]}))
        elif "p50_ms" in vals[0]:
            print(json.dumps({"median_of": len(vals), "bench": b,
                              "p50_ms": round(statistics.median(v["p50_ms"] for v in vals), 3),
                              "p99_ms": round(statistics.median(v["p99_ms"] for v in vals), 3)}))
    for name, xs in ratios.items():
        print(json.dumps({"median_of": len(xs), "ratio": name,
                          "value": round(statistics.median(xs), 2),
                          "all": [round(x, 2) for x in xs]}))
PY
