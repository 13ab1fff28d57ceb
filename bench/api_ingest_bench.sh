#!/usr/bin/env bash
# HTTP ingest benchmark (issue 5): starts `mlworker run` on a temporary data dir, creates a user,
# and drives POST /v1/users/{id}/vitals with small batches (5 samples) from wrk for DURATION
# seconds (default 60) on loopback, while sampling the server's resident memory every 5 s.
# Prints wrk's summary and one JSON line with requests/s, latency percentiles and RSS samples.
# Usage: bench/api_ingest_bench.sh [BUILD_DIR] [DURATION] [CONNECTIONS]
set -euo pipefail
build="${1:-build}"
duration="${2:-60}"
connections="${3:-32}"
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
user_json="$(curl -s -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"timezone":"UTC"}' "http://127.0.0.1:$port/v1/users")"
user_id="$(echo "$user_json" | sed -E 's/.*"user_id":([0-9]+).*/\1/')"
user_token="$(echo "$user_json" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
cat >"$dir/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $user_token"
local n = 0
request = function()
  n = n + 1
  local body = '{"samples":['
  for i = 0, 4 do
    if i > 0 then body = body .. ',' end
    body = body .. string.format('{"metric":"heart_rate","value":%d,"unit":"bpm","start":"2024-05-01T%02d:%02d:%02dZ"}',
      60 + (n + i) % 40, (n % 24), (n % 60), i)
  end
  body = body .. ']}'
  return wrk.format(nil, "/v1/users/$user_id/vitals", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format('WRK {"requests":%d,"errors":%d,"non2xx":%d,"seconds":%.2f,"requests_per_second":%.1f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f}\n',
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA
rss=()
( for _ in $(seq 1 $((duration / 5))); do sleep 5; awk '/VmRSS/{print $2}' /proc/$pid/status; done ) >"$dir/rss.txt" &
sampler=$!
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$dir/post.lua" "http://127.0.0.1:$port" | tee "$dir/wrk.txt"
wait $sampler || true
result="$(grep '^WRK ' "$dir/wrk.txt" | sed 's/^WRK //')"
rss_mb="$(awk '{printf "%s%.1f", (NR>1?",":""), $1/1024}' "$dir/rss.txt")"
echo "{\"bench\":\"api_ingest\",\"connections\":$connections,\"samples_per_request\":5,\"wrk\":$result,\"rss_mb_every_5s\":[$rss_mb]}"
