#!/usr/bin/env bash
# Integration: `pbxbench capacity` against a PBX whose capacity is known. Kamailio with
# WITH_RATELIMIT answers 503 to new calls beyond RATE_LIMIT=200 per second
# (tests/integration/profiles/kamailio-ratelimit.toml); the call-rate search must find
# 200 ± 5% and confirm it, well inside its budget, naming the 503s above it. The concurrent-call
# search must find its DIALOG_LIMIT=100 likewise. Then --warm, compare on capacity results, a
# SUT that never becomes ready (the search stops with that reason) and the usage errors (exit 2).
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile=tests/integration/profiles/kamailio-ratelimit.toml

# Usage errors: exit 2 before anything starts, saying what to fix.
usage() {  # usage NAME EXPECTED-TEXT ARGS...
  "$pbxbench" capacity --profile "$profile" --out "$work/usage" "${@:3}" > /dev/null 2> "$work/usage.err"
  local rc=$?
  check "usage: $1: exit 2" [ "$rc" -eq 2 ]
  check "usage: $1: says '$2'" grep -qF -- "$2" "$work/usage.err"
}
usage "unknown SLO" "unknown metric 'latency'" --slo "latency<=5ms"
usage "malformed limit" "the limit must be a number" --slo "setup_p99<=fast"
usage "limit on the wrong side" "write mos_p5>=LIMIT" --media --slo "mos_p5<=4"
usage "media SLO without media" "needs media" --slo "loss<0.1"
usage "budget too short" "too short for one search trial" --budget 20s
usage "start above the generator" "--start 90000 is outside what the generator can offer" --start 90000
usage "bad resolution" "--resolution '150%'" --resolution 150%
check "usage: nothing was started" [ ! -d "$work/usage/logs/ratelimit-t00-probe-100" ]

# The 503-limited Kamailio: found within ±5% and confirmed.
started=$(date +%s)
"$pbxbench" capacity --profile "$profile" --start 100 --trial 4s --confirm 8s --budget 150s \
  --out "$work/rl" > "$work/rl.md" 2> "$work/rl.err"
rc=$?
took=$(( $(date +%s) - started ))
echo "ratelimit search: exit $rc in ${took} s"
[ "$rc" -eq 0 ] || { grep -E "→|stopped|error" "$work/rl.err" | tail -20; }
c=$work/rl/capacity.jsonl
check "ratelimit: exit 0 (confirmed)" [ "$rc" -eq 0 ]
check "ratelimit: the result is 200 ± 5% calls/s and confirmed" \
  jq -e -s 'map(select(.kind == "capacity")) | length == 1 and (.[0].result | .confirmed and .value >= 190 and .value <= 210)' "$c"
jq -s -c 'map(select(.kind == "capacity"))[0] | {value: .result.value, trials: .search.trials, elapsed_s: .search.elapsed_s}' "$c"
check "ratelimit: within its budget and under 3 minutes" [ "$took" -lt 180 ]
check "ratelimit: the result was passed by a confirmation trial at that value" \
  jq -e -s '(map(select(.kind == "capacity"))[0].result.value) as $v | any(.[]; .kind == "trial" and .trial.purpose == "confirm" and .verdict == "pass" and .trial.value == $v)' "$c"
check "ratelimit: why it broke above names the 503s" \
  jq -e -s 'map(select(.kind == "capacity"))[0].result.broke_above.why | any(test("503 ×"))' "$c"
check "ratelimit: failing trials stop early (fewer calls than planned)" \
  jq -e -s '[.[] | select(.kind == "trial" and .verdict == "fail")] | length > 0 and any(.trial.aborted_early and .level.calls.attempted < .trial.calls)' "$c"
check "ratelimit: every trial has a fresh SUT and its log scanned" \
  jq -e -s '[.[] | select(.kind == "trial")] | all(.sut_mode == "fresh" and (.level.sut_log.error_lines | type) == "number" and (.level.processes.sut | type) == "number")' "$c"
check "ratelimit: the search path lists every trial" \
  jq -e -s '(map(select(.kind == "capacity"))[0].search.path | length) == ([.[] | select(.kind == "trial")] | length)' "$c"
check "ratelimit: summary.md has the result, the planning figure and the ladder" \
  grep -q "Capacity planning at 70%" "$work/rl/summary.md"
check "ratelimit: summary.md ladder" grep -q "| Rate (calls/s) | Trial | Calls | Success %" "$work/rl/summary.md"
check "ratelimit: passing trials count both legs' SIP messages (>= 10 a completed call, INVITE 200 ACK BYE 200 on each)" \
  jq -e -s '[.[] | select(.kind == "trial" and .verdict == "pass")] | length > 0 and all(.trial.sip_messages | (.uas_sent | type) == "number" and .per_s > 0 and .messages == .uac_sent + .uac_received + .uas_sent + .uas_received) and all(.trial.sip_messages.messages >= 10 * .level.calls.completed)' "$c"
check "ratelimit: every trial has its memory fit" \
  jq -e -s '[.[] | select(.kind == "trial")] | all(has("memory_growth") and (.memory_growth == null or (.memory_growth.slope_mb_per_s | type) == "number"))' "$c"
check "ratelimit: summary.md ladder has SIP msgs/s" grep -q "SIP msgs/s (PBX in+out, our side)" "$work/rl/summary.md"
no_kamailio_left() { ! pgrep -f -- "^kamailio .*$1" > /dev/null; }
check "ratelimit: no Kamailio left running" no_kamailio_left "$work/rl/"

# Concurrent calls: Kamailio answers 503 while 100 dialogs are active; found exactly.
"$pbxbench" capacity --profile "$profile" --scenario dialoglimit --find concurrent --no-media \
  --start 50 --cps 200 --trial 2s --confirm 4s --budget 90s --out "$work/dl" > /dev/null 2> "$work/dl.err"
check "dialoglimit: exit 0" [ $? -eq 0 ]
check "dialoglimit: 100 concurrent calls ± 5%, confirmed" \
  jq -e -s 'map(select(.kind == "capacity"))[0] | .find == "concurrent" and .result.confirmed and .result.value >= 95 and .result.value <= 105' "$work/dl/capacity.jsonl"
jq -s -c 'map(select(.kind == "capacity"))[0] | {value: .result.value, trials: .search.trials, elapsed_s: .search.elapsed_s}' "$work/dl/capacity.jsonl"

# --warm: one SUT for every trial (a short search capped by --max: a probe and a confirmation).
"$pbxbench" capacity --profile "$profile" --warm --start 100 --max 100 --trial 2s --confirm 3s \
  --budget 40s --out "$work/warm" > /dev/null 2> "$work/warm.err"
check "warm: exit 0, confirmed at --max" [ $? -eq 0 ]
check "warm: every trial attached to the same SUT, and says so" \
  jq -e -s '[.[] | select(.kind == "trial")] | length == 2 and all(.sut_mode == "warm") and (map(.level.processes.attached) | unique | length == 1)' "$work/warm/capacity.jsonl"
check "warm: summary.md says the SUT was kept" grep -q "warm" "$work/warm/summary.md"
check "warm: no Kamailio left running" no_kamailio_left "$work/warm/"

# pbxbench compare on capacity results: the same result passes; a 20% drop is a regression.
"$pbxbench" compare "$work/rl" "$work/rl" > /dev/null
check "compare: the same capacity passes (exit 0)" [ $? -eq 0 ]
mkdir -p "$work/rl-lower"
jq -c 'if .kind == "capacity" then .result.value = .result.value * 0.8 else . end' "$c" > "$work/rl-lower/capacity.jsonl"
"$pbxbench" compare "$work/rl" "$work/rl-lower" > "$work/cmp.txt"
check "compare: a 20% drop is a regression (exit 1)" [ $? -eq 1 ]
check "compare: names the drop" grep -q "ratelimit  cps .* -20.0%  regression" "$work/cmp.txt"

# A SUT that never becomes ready: the search stops with that reason (exit 1).
"$pbxbench" capacity --profile tests/integration/profiles/never-ready.toml --trial 2s --confirm 2s \
  --budget 1m --out "$work/nr" > /dev/null 2> "$work/nr.err"
check "never ready: exit 1" [ $? -eq 1 ]
check "never ready: stopped with the reason" \
  jq -e -s 'map(select(.kind == "capacity"))[0].result | .stop_reason == "error" and (.explanation | test("did not become ready"))' "$work/nr/capacity.jsonl"

finish_tests capacity
