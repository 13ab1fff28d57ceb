#!/usr/bin/env bash
# HTTP ingest benchmark (issue 5): starts `mlworker run` on a temporary data dir, creates USERS
# users (default 1000: an app's traffic comes from many users, each uploading now and then), and
# drives POST /v1/users/{id}/vitals with small batches (5 heart-rate readings of one minute, a
# user's uploads moving through the day in time order) from wrk for DURATION seconds (default 60)
# on loopback, request i going to user i mod USERS with that user's own token, while sampling the
# server's resident memory every 5 s. USERS=1 sends
# everything to one user: the worst case for the in-process worker, whose job recomputes that
# user's whole day each time.
# Prints wrk's summary and one JSON line with requests/s, latency percentiles, RSS samples and the
# server's CPU time per request (less sensitive than requests/s to other load on a shared machine).
# WORKER=off runs `mlworker run` without its in-process worker (ML_WORKER_ENABLED=false): ingest
# alone, triggers still recorded and relayed to the queue.
# Usage: [WORKER=on|off] [USERS=N] bench/api_ingest_bench.sh [BUILD_DIR] [DURATION] [CONNECTIONS]
set -euo pipefail
build="${1:-build}"
duration="${2:-60}"
connections="${3:-32}"
worker="${WORKER:-on}"
users="${USERS:-1000}"
[[ "$users" =~ ^[1-9][0-9]*$ ]] || { echo "USERS must be a positive integer, got '$users'" >&2; exit 2; }
case "$worker" in
  on) export ML_WORKER_ENABLED=true ;;
  off) export ML_WORKER_ENABLED=false ;;
  *) echo "WORKER must be on or off, got '$worker'" >&2; exit 2 ;;
esac
bin="$build/bin/mlworker"
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk)" >&2; exit 1; }
dir="$(mktemp -d)"
port_file="$dir/out.txt"
token="bench-admin-token"
MLW_LOG_LEVEL=warn "$bin" run --data-dir "$dir/data" --api-listen 127.0.0.1:0 --sqs-listen 127.0.0.1:0 \
  --admin-token "$token" >"$port_file" 2>"$dir/err.txt" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  grep -q "api listening" "$port_file" 2>/dev/null && break
  sleep 0.1
done
port="$(grep -o 'api listening on http://127.0.0.1:[0-9]*' "$port_file" | grep -o '[0-9]*$')"
# One "{id, token}," Lua table entry per user, created through the API as an app backend would.
seq 1 "$users" | xargs -P 4 -I{} curl -s -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"timezone":"UTC"}' "http://127.0.0.1:$port/v1/users" \
  -o "$dir/user-{}.json"
for f in "$dir"/user-*.json; do
  echo "{$(sed -E 's/.*"user_id":([0-9]+).*/\1/' "$f"),\"$(sed -E 's/.*"token":"([^"]+)".*/\1/' "$f")\"},"
done >"$dir/users.lua"
[[ "$(grep -c '^{[0-9]*,"' "$dir/users.lua")" == "$users" ]] || { echo "creating users failed" >&2; exit 1; }
user_id="$(head -1 "$dir/users.lua" | sed -E 's/^\{([0-9]+),"([^"]+)".*/\1/')"
user_token="$(head -1 "$dir/users.lua" | sed -E 's/^\{([0-9]+),"([^"]+)".*/\2/')"
cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local users = {
$(cat "$dir/users.lua")
}
local n = 0
request = function()
  n = n + 1
  local u = users[1 + n % #users]
  wrk.headers["Authorization"] = "Bearer " .. u[2]
  -- The user's k-th upload carries its watch's readings of minute k of the day, in time order
  -- as a phone syncs them (past midnight it starts the day over: same buckets, more rows).
  local k = math.floor(n / #users) % 1440
  local body = '{"samples":['
  for i = 0, 4 do
    if i > 0 then body = body .. ',' end
    body = body .. string.format('{"metric":"heart_rate","value":%d,"unit":"bpm","start":"2024-05-01T%02d:%02d:%02dZ"}',
      60 + (n + i) % 40, math.floor(k / 60), k % 60, i * 12)
  end
  body = body .. ']}'
  return wrk.format(nil, "/v1/users/" .. u[1] .. "/vitals", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests":%d,"errors":%d,"non2xx":%d,"seconds":%.2f,"requests_per_second":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
# utime + stime of the server, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{print $14 + $15}' /proc/$pid/stat; }
rss_start_kb="$(awk '/VmRSS/{print $2}' /proc/$pid/status)"
cpu_start="$(cpu_ticks)"
( for _ in $(seq 1 $((duration / 5))); do sleep 5; awk '/VmRSS/{print $2}' /proc/$pid/status; done ) >"$dir/rss.txt" &
sampler=$!
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$dir/post.lua" "http://127.0.0.1:$port" | tee "$dir/wrk.txt"
cpu_end="$(cpu_ticks)"
# What the in-process worker did meanwhile, and the backlog it left (first user's pending rows): its handler time competes
# with ingest for the CPU and for SQLite's write lock.
metrics="$(curl -s "http://127.0.0.1:$port/metrics")"
handler_sum="$(echo "$metrics" | awk '/^mlworker_worker_handler_duration_seconds_sum/{s+=$2} END{printf "%.1f", s}')"
handler_count="$(echo "$metrics" | awk '/^mlworker_worker_handler_duration_seconds_count/{s+=$2} END{printf "%d", s}')"
pending="$(curl -s -H "Authorization: Bearer $user_token" "http://127.0.0.1:$port/v1/users/$user_id/status" |
  sed -E 's/.*"vitals":\{[^}]*"pending":([0-9]+).*/\1/')"
wait $sampler || true
result="$(grep '^WRK ' "$dir/wrk.txt" | sed 's/^WRK //')"
requests="$(echo "$result" | sed -E 's/.*"requests":([0-9]+).*/\1/')"
cpu_us_per_request="$(awk -v a="$cpu_start" -v b="$cpu_end" -v n="$requests" -v hz="$(getconf CLK_TCK)" \
  'BEGIN{printf "%.0f", (b - a) / hz * 1e6 / (n > 0 ? n : 1)}')"
rss_mb="$(awk -v s="$rss_start_kb" 'BEGIN{printf "%.1f", s/1024} {printf ",%.1f", $1/1024}' "$dir/rss.txt")"
echo "{\"bench\":\"api_ingest\",\"worker\":\"$worker\",\"users\":$users,\"connections\":$connections,\"samples_per_request\":5,\"wrk\":$result,\"server_cpu_us_per_request\":$cpu_us_per_request,\"worker_jobs\":$handler_count,\"worker_handler_seconds\":$handler_sum,\"vitals_pending_after_first_user\":${pending:-null},\"rss_mb_at_start_then_every_5s\":[$rss_mb]}"
