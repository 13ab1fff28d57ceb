#!/usr/bin/env bash
# Runs the PostgreSQL queue benchmark and its peers (pg-boss, graphile-worker) on one throwaway
# PostgreSQL 15 server, each in its own database, and prints every result line followed by the
# throughput ratios. Usage (from the repository root, after building with -DMLW_BUILD_BENCH=ON):
#   bench/postgres_queue_compare.sh [build-dir] [messages] [consumers] [producers]
# MLW_DURABLE_ACKS=1 runs ours with receives and deletes waiting for their commit flush, like the
# peers (like-for-like durability).
# Needs /usr/lib/postgresql/15/bin (or $MLW_PG_BIN), node and npm (scripts/install-pg-peers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
messages="${2:-20000}"
consumers="${3:-4}"
producers="${4:-1}"
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
for db in mlworker pgboss graphile; do
  "${as_pg[@]}" "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE $db" postgres
done

results="$dir/results.jsonl"
"$build/bin/postgres_queue_bench" --url "$url/mlworker" --messages "$messages" \
  --consumers "$consumers" --producers "$producers" ${MLW_DURABLE_ACKS:+--durable-acks} |
  tee "$results"
node bench/postgres_peers_bench.js --url "$url/pgboss" --messages "$messages" \
  --consumers "$consumers" --producers "$producers" --only pgboss | tee -a "$results"
node bench/postgres_peers_bench.js --url "$url/graphile" --messages "$messages" \
  --consumers "$consumers" --producers "$producers" --only graphile | tee -a "$results"
python3 - "$results" <<'PY'
import json, sys
r = {}
for line in open(sys.argv[1]):
    j = json.loads(line)
    r[j["bench"] + (":" + j["op"] if "op" in j else "")] = j
ours = r["postgres_e2e_batch10"]["messages_per_second"]
for peer in ("pgboss_e2e_batch10", "graphile_worker_e2e"):
    if peer in r:
        print(json.dumps({"ratio": f"postgres_e2e_batch10/{peer}",
                          "value": round(ours / r[peer]["messages_per_second"], 2)}))
PY
