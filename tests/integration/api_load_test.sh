#!/usr/bin/env bash
# Integration: management-API load beside the calls (`[[http_load]]`, `--http-load`), about 30 s.
# 1. Through Kamailio (tests/integration/profiles/kamailio-api.toml): a dashboard's JSON-RPC
#    calls (core.uptime, dlg.stats_active, ul.dump) at 70 requests/s beside 20 calls; Kamailio
#    counts the requests to /RPC/load itself (WITH_API_COUNT, a statistic read after the calls):
#    its count must equal what pbxbench sent. The same level without API load is the baseline
#    in summary.md, and compare covers the API metrics.
# 2. A management API that never answers every other request (api_hang_http.py): each hanging
#    request is aborted at its 1 s timeout and counted, the ones still in flight when the calls
#    end are aborted then, and the level ends as soon as one without API load does.
# 3. Bad --http-load values are usage errors (exit 2) before anything starts.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
hang_pid=
cleanup() {
  [ -n "$hang_pid" ] && kill "$hang_pid" 2>/dev/null && wait "$hang_pid" 2>/dev/null
  for g in $(cat "$work"/*.err 2>/dev/null | grep -o 'process group [0-9]*' | awk '{print $3}' | sort -u); do
    kill -KILL -- "-$g" 2>/dev/null
  done
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

profile=tests/integration/profiles/kamailio-api.toml
level_args=(--levels 20 --cps 20 --hold 3 --cooldown 0 --no-media)

# --- 1. Kamailio counts what we sent -------------------------------------------------------
"$pbxbench" run --profile "$profile" "${level_args[@]}" --out "$work/api" \
  > "$work/api.md" 2> "$work/api.err"
rc=$?
check "run with API load exits 0" [ "$rc" -eq 0 ]
row() { jq -c "select(.kind == \"level\" and .scenario == \"$1\")" "$work/api/results.jsonl"; }
kamailio_count() {  # the number in "script:api_load_requests = N"
  row "$1" | jq -r '.collected.api_count.result[]' | sed -n 's/^script:api_load_requests = //p'
}
loaded=$(row calls_api)
sent=$(jq '[.http_load.streams[].sent] | add' <<< "$loaded")
answered=$(jq '[.http_load.streams[].answered] | add' <<< "$loaded")
cancelled=$(jq '[.http_load.streams[].cancelled_at_stop] | add' <<< "$loaded")
counted=$(kamailio_count calls_api)
echo "API load: sent $sent, answered $answered, cancelled at stop $cancelled; Kamailio counted $counted"
check "the API load sent requests in all three streams (uptime, dialogs, contacts)" \
  jq -e '(.http_load.streams | keys) == ["contacts","dialogs","uptime"] and ([.http_load.streams[].sent] | all(. > 0))' <<< "$loaded"
check "about rate x duration each: uptime 40/s, dialogs 20/s, contacts 10/s for the 4 s of calls" \
  jq -e '.http_load.streams | (.uptime.sent >= 120 and .uptime.sent <= 240 and .dialogs.sent >= 60 and .contacts.sent >= 30)' <<< "$loaded"
if [ "$cancelled" -eq 0 ]; then
  check "Kamailio's own count equals the requests pbxbench sent ($counted == $sent)" [ "$counted" = "$sent" ]
else  # a request aborted at the level's end may or may not have reached Kamailio
  check "Kamailio's count lies between answered and sent ($answered <= $counted <= $sent)" \
    [ "$counted" -ge "$answered" -a "$counted" -le "$sent" ]
fi
check "every answered request got 200, none failed" \
  jq -e '[.http_load.streams[] | (.status_codes | keys == ["200"]) and .errors.timeout == 0 and .errors.connect_refused == 0 and .errors.other == 0] | all' <<< "$loaded"
check "latency percentiles over the answered requests" \
  jq -e '[.http_load.streams[] | .latency_ms.count == .answered and .latency_ms.p50 > 0 and .latency_ms.p95 >= .latency_ms.p50] | all' <<< "$loaded"
check "the baseline level ran without API load" jq -e '.http_load == null' <(row calls)
check "and Kamailio counted no request to /RPC/load then" [ "$(kamailio_count calls)" = 0 ]
row calls > "$work/baseline.json"
check "metrics: api_p95_ms and api_answered_percent with the load" \
  jq -e '.metrics.api_p95_ms > 0 and .metrics.api_answered_percent == 100' <<< "$loaded"
check "metrics: api_p95_ms null without it" jq -e '.metrics.api_p95_ms == null' "$work/baseline.json"
check "the level with API load ended as all calls completed" jq -e '.state == "ok"' <<< "$loaded"
check "summary.md: a Management API load table with all three streams" \
  bash -c "grep -q '^## Management API load' '$work/api.md' && grep -c '^| calls_api | 20 | ' '$work/api.md' | grep -qx 3"
check "summary.md: setup latency with the API load beside its baseline" \
  grep -q '^| 20 | calls_api | .* | calls | ' "$work/api.md"
check "results.csv: http_load columns" grep -q 'http_load.streams.uptime.latency_ms.p95' "$work/api/results.csv"
check "report.html: the management-API latency chart" \
  grep -q 'Management API latency (answered requests)' "$work/api/report.html"
"$pbxbench" compare "$work/api" "$work/api" > "$work/compare.txt" 2> "$work/compare.err"
check "compare covers API latency p95" grep -q 'api_p95_ms .*pass' "$work/compare.txt"

# --- 2. A management API that hangs -----------------------------------------------------------
python3 "$(dirname "$0")/api_hang_http.py" "$work/hang.port" "$work/hang.count" &
hang_pid=$!
for _ in $(seq 50); do [ -s "$work/hang.port" ] && break; sleep 0.1; done
port=$(cat "$work/hang.port")
start=$(date +%s.%N)
"$pbxbench" run --profile "$profile" --scenario calls "${level_args[@]}" \
  --http-load "http://127.0.0.1:$port/status@20" --out "$work/hang" > "$work/hang.md" 2> "$work/hang.err"
rc=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
sleep 0.3  # the server's count of the last requests
hung=$(jq -c 'select(.kind == "level") | .http_load.streams["cli-1"]' "$work/hang/results.jsonl")
read -r server_received server_answered < "$work/hang.count"
echo "hanging API: $(jq -c '{sent, answered, errors, cancelled_at_stop}' <<< "$hung"); server received $server_received, answered $server_answered; run took ${took}s"
check "run against a hanging API exits 0 ($rc)" [ "$rc" -eq 0 ]
check "with every call completed" \
  jq -se 'map(select(.kind == "level")) | .[0].state == "ok"' "$work/hang/results.jsonl"
check "hanging requests are counted as timeouts, the others answered" \
  jq -e '.errors.timeout > 0 and .answered > 0 and .status_codes["200"] == .answered' <<< "$hung"
check "every request accounted for: answered + timeouts + other errors + cancelled at stop = sent" \
  jq -e '.answered + .errors.timeout + .errors.other + .errors.connect_refused + .cancelled_at_stop == .sent' <<< "$hung"
check "those still hanging when the calls ended were aborted then (cancelled_at_stop > 0)" \
  jq -e '.cancelled_at_stop > 0' <<< "$hung"
check "pbxbench's answered count matches the server's ($server_answered)" \
  jq -e ".answered <= $server_answered and $server_answered <= .answered + .cancelled_at_stop" <<< "$hung"
level_s() { jq -r 'select(.kind == "level" and .scenario == "calls") | ((.ended_at | fromdateiso8601) - (.started_at | fromdateiso8601))' "$1"; }
base_s=$(level_s "$work/api/results.jsonl")
hang_s=$(level_s "$work/hang/results.jsonl")
check "the level took no longer than one without API load (${hang_s}s vs ${base_s}s, +2 s slack)" \
  [ "$hang_s" -le $((base_s + 2)) ]
check "the whole run stayed within 30 s (${took}s)" [ "$(echo "$took < 30" | bc)" = 1 ]
kill "$hang_pid" 2>/dev/null
wait "$hang_pid" 2>/dev/null
hang_pid=

# --- 3. Usage errors ---------------------------------------------------------------------------
for bad in "http://127.0.0.1:1/" "http://127.0.0.1:1/@0" "ftp://x@5" 'http://127.0.0.1:${NO_SUCH}/@5'; do
  "$pbxbench" run --profile "$profile" --http-load "$bad" --out "$work/bad" > /dev/null 2> "$work/bad.err"
  rc=$?
  check "--http-load '$bad' is a usage error (exit 2, nothing started)" \
    bash -c "[ $rc -eq 2 ] && grep -q -- '--http-load' '$work/bad.err' && [ ! -e '$work/bad/results.jsonl' ]"
done

finish_tests api_load
