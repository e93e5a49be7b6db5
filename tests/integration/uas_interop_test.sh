#!/usr/bin/env bash
# Integration: `pbxbench uas` against SIPp (plain mode) and a real Kamailio (registered mode).
# Asserts exit codes, JSON events, SIPp's statistics, Kamailio's location table, and that no
# process we started is left. Every process is stopped by PID; every wait is bounded.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
uas_pid=
uas_rc=
trap 'stop_uas; stop_kamailio; rm -rf "$work"' EXIT

# start_uas NAME ARGS...: `pbxbench uas ARGS` in its own process group; events in $work/NAME.jsonl.
start_uas() {
  local name=$1
  shift
  : > "$work/$name.jsonl"  # exists before the background child opens it, for wait_event
  setsid "$pbxbench" uas "$@" > "$work/$name.jsonl" 2> "$work/$name.err" &
  uas_pid=$!
}

# wait_event NAME EVENT SECONDS: until the running uas printed EVENT; fails if it exits first.
wait_event() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    grep -q "\"event\":\"$2\"" "$work/$1.jsonl" && return 0
    kill -0 "$uas_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "no '$2' event from pbxbench uas within $3 s; stderr:" >&2
  cat "$work/$1.err" >&2
  return 1
}

# stop_uas: SIGTERM, up to 6 s for the un-REGISTERs (3 s bound inside), then SIGKILL to the
# group. Sets uas_rc to the exit code.
stop_uas() {
  [ -n "${uas_pid:-}" ] || return 0
  kill -TERM "$uas_pid" 2>/dev/null || true
  for _ in $(seq 60); do
    kill -0 "$uas_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$uas_pid" 2>/dev/null || true
  wait "$uas_pid" 2>/dev/null
  uas_rc=$?
  last_uas_pid=$uas_pid
  uas_pid=
}

# sipp_successes CSV: SuccessfulCall(C) (column 16) of the last statistics line.
sipp_successes() { tail -n 1 "$1" | cut -d';' -f16; }
json_field() { grep "\"event\":\"$2\"" "$work/$1.jsonl" | tail -n 1 | grep -o "\"$3\":[0-9]*" | cut -d: -f2; }

# (a) SIPp's built-in UAC straight at a plain-mode endpoint: 50 calls, all successful.
port=$(pick_port) && sipp_port=$(pick_port) || exit 1
start_uas plain --base-port "$port" --endpoints 1 --stats-interval 0.5
wait_event plain ready 5 || exit 1
timeout 60 sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p "$sipp_port" -m 50 -r 25 -nostdin -timeout 30 \
  -trace_stat -stf "$work/plain.csv" > "$work/plain.sipp" 2>&1
check "plain: SIPp exits 0" [ $? -eq 0 ]
check "plain: SIPp counts 50 successful calls" [ "$(sipp_successes "$work/plain.csv")" = 50 ]
check "plain: periodic stats lines" grep -q '"event":"stats"' "$work/plain.jsonl"
stop_uas
check "plain: exits 0 on SIGTERM after ready" [ "$uas_rc" -eq 0 ]
check "plain: summary answered 50" [ "$(json_field plain summary answered)" = 50 ]
check "plain: summary saw 50 BYEs" [ "$(json_field plain summary byes)" = 50 ]

# (a2) The first two INVITEs are dropped on purpose: SIPp's retransmissions must recover.
port=$(pick_port) && sipp_port=$(pick_port) || exit 1
start_uas drop --base-port "$port" --drop-invites 2 --stats-interval 0
wait_event drop ready 5 || exit 1
timeout 30 sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p "$sipp_port" -m 3 -r 10 -nostdin -timeout 20 \
  -trace_stat -stf "$work/drop.csv" > "$work/drop.sipp" 2>&1
check "drop: SIPp exits 0 although INVITEs were lost" [ $? -eq 0 ]
stop_uas
check "drop: summary counts 2 dropped INVITEs" [ "$(json_field drop summary invites_dropped)" = 2 ]

# (e) A signal before every endpoint is registered: exit 130 (the registrar never answers).
dead=$(pick_port) || exit 1
start_uas early --registrar "127.0.0.1:$dead" --users bob --password secret
sleep 0.5
stop_uas
check "early signal: exits 130" [ "$uas_rc" -eq 130 ]

# (e2) No default password any more: a registrar without one is a usage error naming it.
nopw_rc=0
timeout 10 "$pbxbench" uas --registrar "127.0.0.1:$dead" --users bob >/dev/null 2>"$work/nopw.err" || nopw_rc=$?
check "registrar without --password: exit 2" [ "$nopw_rc" -eq 2 ]
check "registrar without --password: says so" grep -q -- "--registrar needs --password" "$work/nopw.err"

# (b) Registered mode against Kamailio: bob and alice register, then calls through the proxy.
start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
start_uas reg --registrar "127.0.0.1:$KAM_SIP_PORT" --endpoints 2 --users bob,alice \
  --password "${KAM_PASSWORD:-secret}" --stats-interval 0
wait_event reg ready 10 || exit 1
check "registered: bob with status 200" grep -q '"event":"registered".*"status":200.*"user":"bob"' "$work/reg.jsonl"
check "registered: alice with status 200" grep -q '"event":"registered".*"status":200.*"user":"alice"' "$work/reg.jsonl"
check "registered: contact accepted by Kamailio" grep -q '"contact":"<sip:bob@127.0.0.1:' "$work/reg.jsonl"
check "ready names both users" grep -q '"event":"ready".*"users":\["bob","alice"\]' "$work/reg.jsonl"
for user in bob alice; do
  sipp_port=$(pick_port) || exit 1
  timeout 40 sipp -sf "$root/tests/integration/sipp/uac_via_proxy.xml" -s "$user" "127.0.0.1:$KAM_SIP_PORT" \
    -i 127.0.0.1 -p "$sipp_port" -m 5 -r 10 -nostdin -timeout 20 \
    -trace_stat -stf "$work/$user.csv" > "$work/$user.sipp" 2>&1
  check "calls to $user through Kamailio: SIPp exits 0" [ $? -eq 0 ]
  check "calls to $user through Kamailio: 5 successful" [ "$(sipp_successes "$work/$user.csv")" = 5 ]
done

# (d) SIGTERM: un-REGISTER, summary, exit 0, and Kamailio forgets the bindings.
stop_uas
check "registered: exits 0 on SIGTERM" [ "$uas_rc" -eq 0 ]
check "registered: summary with 10 answered calls" [ "$(json_field reg summary answered)" = 10 ]
check "registered: no pbxbench process left" bash -c "! kill -0 -- -$last_uas_pid 2>/dev/null"
curl -s --max-time 5 -d '{"jsonrpc":"2.0","method":"ul.dump","id":1}' \
  "http://127.0.0.1:$KAM_HTTP_PORT/RPC" > "$work/ul.json"
check "ul.dump answered" grep -q '"Domain":"location"' "$work/ul.json"
check "un-REGISTER removed bob's binding" bash -c "! grep -q '\"AoR\":\"bob\"' '$work/ul.json'"
check "un-REGISTER removed alice's binding" bash -c "! grep -q '\"AoR\":\"alice\"' '$work/ul.json'"

# (c) A wrong password: exit 1 and an error naming the user and the 401.
timeout 20 "$pbxbench" uas --registrar "127.0.0.1:$KAM_SIP_PORT" --users bob --password wrong \
  > "$work/bad.jsonl" 2> "$work/bad.err"
check "wrong password: exits 1" [ $? -eq 1 ]
check "wrong password: error names user, status and reason" \
  grep -q "error: registration of bob at 127.0.0.1:$KAM_SIP_PORT failed: 401 Unauthorized" "$work/bad.err"
check "wrong password: summary says registration_failed" grep -q '"outcome":"registration_failed"' "$work/bad.jsonl"

finish_tests uas_interop_test
