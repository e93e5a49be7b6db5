#!/usr/bin/env bash
# Integration: the MESSAGE load (RFC 3428 page mode). (a) `pbxbench uac --messages 1000`
# through a real Kamailio (default profile config: a MESSAGE to a registered user is routed
# by a location lookup, like an INVITE) to two registered `pbxbench uas` endpoints: every
# MESSAGE is answered 200 and delivered exactly once, delivered == sent. (b) SIPp as the
# receiver (tests/integration/sipp/uas_message.xml) counts every MESSAGE we sent. (c) SIPp as
# the sender (uac_message.xml) to `pbxbench uas --message-status 202`: delivered, no stamp.
# (d) Kamailio with WITH_CALLAUTH: every MESSAGE challenged, answered per caller. (e) The same
# through `pbxbench run --messages`: the level row and summary.md.
# Every process is stopped by PID; every wait is bounded.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
uas_pid=
uas_rc=
sipp_pid=
trap 'stop_uas; [ -n "$sipp_pid" ] && kill -KILL "$sipp_pid" 2>/dev/null; stop_kamailio; rm -rf "$work"' EXIT

# start_uas NAME ARGS...: `pbxbench uas ARGS` in its own process group; events in $work/NAME.jsonl.
start_uas() {
  local name=$1
  shift
  : > "$work/$name.jsonl"
  setsid "$pbxbench" uas "$@" > "$work/$name.jsonl" 2> "$work/$name.err" &
  uas_pid=$!
}

# wait_ready NAME SECONDS: until the running uas printed `ready`; fails if it exits first.
wait_ready() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    grep -q '"event":"ready"' "$work/$1.jsonl" && return 0
    kill -0 "$uas_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "pbxbench uas was not ready within $2 s; stderr:" >&2
  cat "$work/$1.err" >&2
  return 1
}

# stop_uas: SIGTERM, up to 6 s for the un-REGISTERs, then SIGKILL to the group.
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
  uas_pid=
}

summary() { grep '"event":"summary"' "$work/$1" | tail -n 1; }
sipp_successes() { tail -n 1 "$1" | cut -d';' -f16; }

# Usage errors: MESSAGEs run on one thread, so --threads/--uac-threads with them exit 2.
timeout 10 "$pbxbench" uac --target sip:bob@127.0.0.1:9 --total 0 --messages 5 --threads 2 \
  --no-media > /dev/null 2> "$work/threads.err"
check "uac --messages --threads 2: exit 2" [ $? -eq 2 ]
check "uac --messages --threads 2: says why" grep -q -- "--messages runs on one thread" "$work/threads.err"
(cd "$root" && timeout 10 "$pbxbench" run --profile profiles/kamailio.toml --messages 5 \
  --threads 2 > /dev/null 2>&1)
check "run --messages --threads 2: exit 2" [ $? -eq 2 ]

# (a) 1,000 MESSAGEs from carol and dave to bob and alice through Kamailio.
start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
password=${KAM_PASSWORD:-secret}
start_uas kam --registrar "127.0.0.1:$KAM_SIP_PORT" --count 2 --user bob,alice \
  --password "$password" --no-media --stats-interval 0
wait_ready kam 10 || exit 1
timeout 40 "$pbxbench" uac --users carol,dave,bob,alice --password "$password" --callers 2 \
  --callees 2 --proxy "127.0.0.1:$KAM_SIP_PORT" --total 0 --messages 1000 --message-rate 250 \
  --message-bytes 200 --no-media > "$work/uac.jsonl" 2> "$work/uac.err"
check "kamailio: uac exits 0" [ $? -eq 0 ]
summary uac.jsonl | jq '.methods.message' > "$work/sent.json"
check "kamailio: 1000 MESSAGEs sent" jq -e '.sent == 1000' "$work/sent.json"
check "kamailio: 1000 answered 2xx, none failed" jq -e '.ok == 1000 and .failed == 0' "$work/sent.json"
check "kamailio: a latency per MESSAGE" jq -e '.latency_ms.count == 1000 and .latency_ms.p99 > 0' "$work/sent.json"
# (a2) MESSAGE as a share of a --mix (the method-load runner): 200/s for 1 s, 200 more.
timeout 30 "$pbxbench" uac --users carol,dave,bob,alice --password "$password" --callers 2 \
  --callees 2 --proxy "127.0.0.1:$KAM_SIP_PORT" --total 0 --mix message=1 --rate 200 \
  --load-duration 1s --no-media > "$work/mix.jsonl" 2> "$work/mix.err"
check "mix: uac exits 0" [ $? -eq 0 ]
summary mix.jsonl | jq -c ".methods.message | {sent,ok,failed,counters}" >&2; tail -3 "$work/mix.err" >&2
check "mix: 200 MESSAGEs answered 2xx" \
  jq -e '.methods.message.sent == 200 and .methods.message.ok == 200' <(summary mix.jsonl)
stop_uas
check "kamailio: uas exits 0" [ "$uas_rc" -eq 0 ]
summary kam.jsonl | jq '.messages' > "$work/got.json"
check "kamailio: delivered == sent, exactly" jq -e '.delivered == 1200 and .received == 1200' "$work/got.json"
check "kamailio: no duplicates" jq -e '.duplicates == 0' "$work/got.json"
check "kamailio: 600 to each callee" jq -e '.delivered_per_endpoint == [600, 600]' "$work/got.json"
check "kamailio: a delivery latency per MESSAGE" \
  jq -e '.latency_ms.count == 1200 and .latency_ms.max > 0 and .without_stamp == 0' "$work/got.json"
stop_kamailio

# (b) SIPp answers our MESSAGEs: it counts one successful "call" per MESSAGE.
sipp_port=$(pick_port) || exit 1
timeout 40 sipp -sf "$root/tests/integration/sipp/uas_message.xml" -i 127.0.0.1 -p "$sipp_port" \
  -m 200 -nostdin -timeout 30 -trace_stat -stf "$work/sipp_uas.csv" > "$work/sipp_uas.out" 2>&1 &
sipp_pid=$!
sleep 0.5
timeout 30 "$pbxbench" uac --target "sip:sipp@127.0.0.1:$sipp_port" --total 0 --messages 200 \
  --message-rate 100 --no-media > "$work/to_sipp.jsonl" 2> "$work/to_sipp.err"
check "sipp receiver: uac exits 0" [ $? -eq 0 ]
check "sipp receiver: 200 ok" jq -e '.methods.message.ok == 200' <(summary to_sipp.jsonl)
wait "$sipp_pid"
check "sipp receiver: SIPp exits 0" [ $? -eq 0 ]
sipp_pid=
check "sipp receiver: SIPp answered 200 MESSAGEs" [ "$(sipp_successes "$work/sipp_uas.csv")" = 200 ]

# (c) SIPp sends 100 MESSAGEs to our endpoint, which answers 202.
port=$(pick_port) && sipp_port=$(pick_port) || exit 1
start_uas plain --base-port "$port" --user bob --no-media --message-status 202 --stats-interval 0
wait_ready plain 5 || exit 1
timeout 40 sipp -sf "$root/tests/integration/sipp/uac_message.xml" -s bob "127.0.0.1:$port" \
  -i 127.0.0.1 -p "$sipp_port" -m 100 -r 50 -nostdin -timeout 30 \
  -trace_stat -stf "$work/sipp_uac.csv" > "$work/sipp_uac.out" 2>&1
check "sipp sender: SIPp exits 0, every MESSAGE answered 202" [ $? -eq 0 ]
check "sipp sender: SIPp counts 100 successful" [ "$(sipp_successes "$work/sipp_uac.csv")" = 100 ]
stop_uas
summary plain.jsonl | jq '.messages' > "$work/plain.json"
check "sipp sender: 100 delivered" jq -e '.delivered == 100 and .duplicates == 0' "$work/plain.json"
check "sipp sender: no stamp, so no latency" \
  jq -e '.without_stamp == 100 and .latency_ms.count == 0' "$work/plain.json"

# (d) Kamailio with WITH_CALLAUTH challenges every MESSAGE (407) from a registered caller:
# each caller answers with its own credentials, then reuses the nonce.
KAM_DEFINES="-A WITH_CALLAUTH" start_kamailio "$work/kam2" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
# The callers register too (as endpoints that receive nothing): callauth wants them known.
start_uas auth --registrar "127.0.0.1:$KAM_SIP_PORT" --count 4 --user carol,dave,bob,alice \
  --password "$password" --no-media --stats-interval 0
wait_ready auth 10 || exit 1
timeout 40 "$pbxbench" uac --users carol,dave,bob,alice --password "$password" --callers 2 \
  --callees 2 --proxy "127.0.0.1:$KAM_SIP_PORT" --total 0 --messages 200 --message-rate 100 \
  --no-media > "$work/auth.uac.jsonl" 2> "$work/auth.uac.err"
check "callauth: uac exits 0" [ $? -eq 0 ]
summary auth.uac.jsonl | jq '.methods.message' > "$work/auth.sent.json"
check "callauth: 200 MESSAGEs answered 2xx" jq -e '.sent == 200 and .ok == 200' "$work/auth.sent.json"
check "callauth: challenged, answered, then the nonce reused" \
  jq -e '.counters.challenges >= 2 and .counters.nonce_reused > 100' "$work/auth.sent.json"
stop_uas
summary auth.jsonl | jq '.messages' > "$work/auth.got.json"
check "callauth: delivered == sent, to the callees only" \
  jq -e '.delivered == 200 and .delivered_per_endpoint == [0, 0, 100, 100]' "$work/auth.got.json"

stop_kamailio

# (e) `pbxbench run --messages` on the callauth scenario: MESSAGEs beside the calls, from the
# registered callers (challenged) to the callees; the row says sent vs delivered and
# summary.md "MESSAGE: delivered 300 of 300". The MESSAGEs (1.5 s) end before the calls
# (0.5 s ramp + 2 s hold), whose end un-registers the callers.
(cd "$root" && timeout 90 "$pbxbench" run --profile profiles/kamailio.toml --scenario callauth \
  --levels 10 --cps 20 --hold 2 --cooldown 0 --no-media --messages 300 --message-rate 200 \
  --out "$work/run" > "$work/run.md" 2> "$work/run.err")
check "run: exits 0" [ $? -eq 0 ]
jq -c 'select(.kind == "level") | .messages' "$work/run/results.jsonl" > "$work/run.messages.json"
check "run: the row's messages are complete" \
  jq -e '.complete and .sent == 300 and .delivered == 300 and .duplicates == 0' "$work/run.messages.json"
check "run: the callers answered callauth's challenges" \
  jq -e '.counters.challenges >= 1 and .ok == 300' "$work/run.messages.json"
check "run: the row's config echoes the MESSAGE load" \
  jq -e -s 'map(select(.kind == "level"))[0].config.messages == {"total": 300, "rate": 200, "bytes": 32}' \
  "$work/run/results.jsonl"
check "run: summary.md says delivered 300 of 300" grep -q "MESSAGE: delivered 300 of 300" "$work/run.md"

finish_tests message_test
