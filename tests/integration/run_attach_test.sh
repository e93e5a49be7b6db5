#!/usr/bin/env bash
# Integration: `pbxbench run --attach` against a Kamailio this test starts itself (from the
# profile's config, scripts/lib/kamailio.sh): --quick mediaproxy_none completes every call,
# monitors the given PID's tree, renders and starts nothing, and leaves Kamailio running.
# Then the option errors (exit 2, nothing started).
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
cleanup() {
  stop_kamailio
  rm -rf "$work"
}
trap cleanup EXIT

start_kamailio "$work/kamailio" || exit 1
wait_kamailio_ready "$pbxbench" 20 || exit 1
group_size() { ps -e -o pgid= | awk -v g="$1" '$1 == g' | wc -l; }
workers_before=$(group_size "$KAM_PID")
health=http://127.0.0.1:$KAM_HTTP_PORT/RPC

"$pbxbench" run --profile profiles/kamailio.toml --attach --sip "127.0.0.1:$KAM_SIP_PORT" \
  --health-url "$health" --pid "$KAM_PID" --quick --scenario mediaproxy_none \
  --out "$work/out" > "$work/out.md" 2> "$work/out.err"
check "attach: exit 0" [ $? -eq 0 ]
r=$work/out/results.jsonl
check "attach: 2 level rows, every call completed" \
  jq -e -s 'map(select(.kind == "level")) | length == 2 and all(.status == "ok" and .calls.completed == .level and .calls.failed == 0)' "$r"
check "attach: the health URL saw every call at once" \
  jq -e -s 'map(select(.kind == "level")) | all(.concurrency.peak == .level)' "$r"
check "attach: run.attach records the target" \
  jq -e -s --arg sip "127.0.0.1:$KAM_SIP_PORT" --arg h "$health" --argjson pid "$KAM_PID" \
  'map(select(.kind == "level")) | all(.run.attach == {"sip": $sip, "health_url": $h, "pids": [$pid]})' "$r"
check "attach: the attached tree was monitored (its CPU and memory)" \
  jq -e -s 'map(select(.kind == "level")) | all(.sut.trees.kamailio.role == "sut" and .sut.rss_bytes.peak > 0)' "$r"
check "attach: processes name the attached PID, no SUT or sidecar of ours" \
  jq -e -s --argjson pid "$KAM_PID" 'map(select(.kind == "level")) | all(.processes.attached == [$pid] and (.processes | has("sut") | not))' "$r"
check "attach: nothing rendered or started from the profile" \
  [ -z "$(find "$work/out/logs" -name 'kamailio.cfg' -o -name 'kamailio.log')" ]
check "attach: summary.md says it was attached" grep -q "already running, attached" "$work/out.md"
check "attach: Kamailio still runs afterwards, with every worker" \
  [ "$(kill -0 "$KAM_PID" 2>/dev/null && group_size "$KAM_PID")" = "$workers_before" ]
check "attach: and still answers OPTIONS" "$pbxbench" ping "127.0.0.1:$KAM_SIP_PORT" -c 1

# Option errors: exit 2 before anything starts.
expect_usage() {
  local what=$1 pattern=$2
  shift 2
  "$pbxbench" run --profile profiles/kamailio.toml "$@" --out "$work/bad" > /dev/null 2> "$work/bad.err"
  check "$what: exit 2" [ $? -eq 2 ]
  check "$what: says '$pattern'" grep -q -- "$pattern" "$work/bad.err"
}
expect_usage "--attach without --sip" "needs --sip" --attach --scenario mediaproxy_none
expect_usage "--sip without --attach" "only for --attach" --sip "127.0.0.1:$KAM_SIP_PORT"
expect_usage "--attach over every scenario" "name the one scenario" --attach --sip "127.0.0.1:$KAM_SIP_PORT"
expect_usage "--attach with a dead PID" "no such process" --attach --sip "127.0.0.1:$KAM_SIP_PORT" \
  --scenario mediaproxy_none --pid 999999
expect_usage "--attach with --pin sut=" "cannot be pinned" --attach --sip "127.0.0.1:$KAM_SIP_PORT" \
  --scenario mediaproxy_none --pin sut=0
check "option errors: Kamailio untouched" kill -0 "$KAM_PID"

finish_tests run_attach_test
