#!/usr/bin/env bash
# Integration: `pbxbench uac` against SIPp's UAS, against `pbxbench uas` (failure paths), and
# through a real Kamailio registrar/proxy with digest auth. Asserts exit codes, JSON fields,
# and that every process we started is gone.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  stop_kamailio
  rm -rf "$work"
}
trap cleanup EXIT
summary() { grep '"event":"summary"' "$1" | tail -1; }
field() { summary "$1" | jq -r "$2"; }
wait_ready() {  # wait_ready FILE: until a `ready` event, at most 10 s
  for _ in $(seq 100); do grep -q '"event":"ready"' "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
start_uas() {  # start_uas NAME ARGS...: a pbxbench uas in the background; sets UAS_PID and UAS_PORT
  local name=$1; shift
  "$pbxbench" uas --bind 127.0.0.1 "$@" > "$work/$name.jsonl" 2> "$work/$name.err" &
  UAS_PID=$!; pids+=("$UAS_PID")
  wait_ready "$work/$name.jsonl" || { echo "uas $name never became ready"; cat "$work/$name.err"; return 1; }
  UAS_PORT=$(grep '"event":"ready"' "$work/$name.jsonl" | jq -r '.ports[0]')
}
stop_pid() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# 1. pbxbench uac -> SIPp's built-in UAS: every call completes.
sipp_port=$(pick_port)
sipp -sn uas -i 127.0.0.1 -p "$sipp_port" -nostdin > /dev/null 2>&1 &
sipp_pid=$!; pids+=("$sipp_pid")
sleep 0.5
"$pbxbench" uac --target "sip:service@127.0.0.1:$sipp_port" --total 100 --cps 50 --hold 0.2 > "$work/sipp.jsonl" 2>/dev/null
check "uac -> sipp uas: exit 0" [ $? -eq 0 ]
check "uac -> sipp uas: 100 completed" [ "$(field "$work/sipp.jsonl" .completed)" = 100 ]
check "uac -> sipp uas: 100 x 200 OK" [ "$(field "$work/sipp.jsonl" '.status_codes["200"]')" = 100 ]
check "uac -> sipp uas: setup latency for every call" [ "$(field "$work/sipp.jsonl" .latency.setup_ms.count)" = 100 ]
check "uac -> sipp uas: progress lines" grep -q '"event":"progress"' "$work/sipp.jsonl"
stop_pid "$sipp_pid"

# 2. A share of calls rejected with 486: exactly that many counted.
start_uas reject --endpoints 1 --reject-ratio 0.25 --reject-code 486
"$pbxbench" uac --target "sip:bob@127.0.0.1:$UAS_PORT" --total 40 --cps 100 > "$work/reject_uac.jsonl" 2>/dev/null
check "486 share: exit 1" [ $? -eq 1 ]
check "486 share: exactly 10 x 486" [ "$(field "$work/reject_uac.jsonl" '.status_codes["486"]')" = 10 ]
check "486 share: 30 completed" [ "$(field "$work/reject_uac.jsonl" .completed)" = 30 ]
check "486 share: failed_status 10" [ "$(field "$work/reject_uac.jsonl" .outcomes.failed_status)" = 10 ]
stop_pid "$UAS_PID"

# 3. Dropped INVITEs are recovered by retransmission (Timer A).
start_uas drop --endpoints 1 --drop-invites 3
"$pbxbench" uac --target "sip:bob@127.0.0.1:$UAS_PORT" --total 10 --cps 50 --t1 100ms > "$work/drop_uac.jsonl" 2>/dev/null
check "dropped INVITEs: exit 0" [ $? -eq 0 ]
check "dropped INVITEs: 10 completed" [ "$(field "$work/drop_uac.jsonl" .completed)" = 10 ]
check "dropped INVITEs: >= 3 retransmissions" [ "$(field "$work/drop_uac.jsonl" .transactions.retransmissions_sent)" -ge 3 ]
stop_pid "$UAS_PID"

# 4. --cancel-ratio is exact, and 0 means no CANCEL at all.
start_uas ring --endpoints 1 --ring-time 400ms
"$pbxbench" uac --target "sip:bob@127.0.0.1:$UAS_PORT" --total 10 --cps 50 --cancel-ratio 0.5 > "$work/cancel.jsonl" 2>/dev/null
check "cancel ratio 0.5: exit 0 (cancelled on purpose is not a failure)" [ $? -eq 0 ]
check "cancel ratio 0.5: 5 cancelled" [ "$(field "$work/cancel.jsonl" .outcomes.cancelled)" = 5 ]
check "cancel ratio 0.5: 5 x 487" [ "$(field "$work/cancel.jsonl" '.status_codes["487"]')" = 5 ]
"$pbxbench" uac --target "sip:bob@127.0.0.1:$UAS_PORT" --total 20 --cps 50 --cancel-ratio 0 > "$work/nocancel.jsonl" 2>/dev/null
check "cancel ratio 0: no 487 at all" [ "$(field "$work/nocancel.jsonl" '.status_codes["487"] // 0')" = 0 ]
check "cancel ratio 0: 20 completed" [ "$(field "$work/nocancel.jsonl" .completed)" = 20 ]

# 5. SIGINT during the hold: BYE for every active call, summary says interrupted, exit 130.
"$pbxbench" uac --target "sip:bob@127.0.0.1:$UAS_PORT" --total 5 --cps 50 --hold 30 > "$work/int.jsonl" 2>/dev/null &
uac_pid=$!
sleep 1.5
kill -INT "$uac_pid"
wait "$uac_pid"
check "SIGINT: exit 130" [ $? -eq 130 ]
check "SIGINT: summary says interrupted" [ "$(field "$work/int.jsonl" .interrupted)" = true ]
check "SIGINT: active calls ended by BYE" [ "$(field "$work/int.jsonl" .latency.bye_ms.count)" = 5 ]
stop_pid "$UAS_PID"

# 6. Through Kamailio: pbxbench uas registers bob and alice; pbxbench uac registers as
#    carol, calls bob; calls to an unregistered user end as 404; a wrong password fails.
start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
start_uas kam --endpoints 2 --registrar "127.0.0.1:$KAM_SIP_PORT" --users bob,alice --password secret
"$pbxbench" uac --target "sip:bob@127.0.0.1:$KAM_SIP_PORT" --total 20 --cps 20 --hold 1 \
  --register --user carol --password secret > "$work/kam_uac.jsonl" 2> "$work/kam_uac.err"
check "via kamailio: exit 0" [ $? -eq 0 ]
check "via kamailio: 20 completed" [ "$(field "$work/kam_uac.jsonl" .completed)" = 20 ]
check "via kamailio: uac registered (200)" [ "$(field "$work/kam_uac.jsonl" .registration.status)" = 200 ]
check "via kamailio: uac un-registered at the end" [ "$(field "$work/kam_uac.jsonl" .registration.state)" = unregistered ]
"$pbxbench" uac --target "sip:nobody@127.0.0.1:$KAM_SIP_PORT" --total 5 --cps 20 > "$work/kam_404.jsonl" 2>/dev/null
check "unregistered user: exit 1" [ $? -eq 1 ]
check "unregistered user: 5 x 404" [ "$(field "$work/kam_404.jsonl" '.status_codes["404"]')" = 5 ]
"$pbxbench" uac --target "sip:bob@127.0.0.1:$KAM_SIP_PORT" --total 1 --register --user carol --password wrong \
  > "$work/kam_bad.jsonl" 2> "$work/kam_bad.err"
check "wrong password: exit 1" [ $? -eq 1 ]
check "wrong password: error names 401" grep -q 'failed: 401' "$work/kam_bad.err"
check "wrong password: no call attempted" [ "$(field "$work/kam_bad.jsonl" .attempted)" = 0 ]
stop_pid "$UAS_PID"

# 7. Usage errors exit 2 with a message naming the option.
"$pbxbench" uac --target "not a uri" > /dev/null 2> "$work/usage.err"
check "bad --target: exit 2" [ $? -eq 2 ]
check "bad --target: names the option" grep -q -- '--target' "$work/usage.err"

kam_pid=$KAM_PID
stop_kamailio
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
no_leftovers() { ! kill -0 -- "-$kam_pid" 2>/dev/null && [ -z "$(jobs -pr)" ]; }
check "no process of ours left" no_leftovers
finish_tests uac_interop_test
