#!/usr/bin/env bash
# Integration (issue 13 item 5): RFC 4028 session timers through Kamailio, refreshed by our own
# UAS's peer. Two batches at once, signaling only:
# 1. 10 calls held 47 s asking Session-Expires 90 of a UAS with Min-SE 90: the 200 makes the
#    caller the refresher, which refreshes every call by UPDATE at 45 s; the UAS answers each.
# 1b. Likewise 10 calls to a UAS that takes the refresher role (--session-refresher uas): it
#    refreshes every call by UPDATE at 45 s and the caller answers each.
# 2. 10 calls asking 90 of a UAS with Min-SE 120: every INVITE gets 422, is retried with 120
#    and answered.
# 3. 10 calls asking 90 through a second Kamailio enforcing Min-SE 120 (profile switch WITH_SST:
#    the route answers 422, the sst module follows the dialogs): the 422 comes from Kamailio
#    (the UAS, Min-SE 90, refuses none and sees only the retries), the retry with 120 is answered.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
sst_kam_pid=
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  stop_kamailio
  [ -n "$sst_kam_pid" ] && KAM_PID=$sst_kam_pid stop_kamailio
  rm -rf "$work"
}
trap cleanup EXIT
field() { grep '"event":"summary"' "$1" | tail -1 | jq -r "$2"; }
wait_ready() {
  for _ in $(seq 100); do grep -q '"event":"ready"' "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# The sst Kamailio first; then the plain one, whose KAM_* the rest uses.
start_kamailio "$work/kam_sst" -A WITH_SST -A SST_MIN_SE=120 || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
sst_kam_pid=$KAM_PID; sst_port=$KAM_SIP_PORT; sst_log=$KAM_LOG
start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
"$pbxbench" uas --bind 127.0.0.1 --count 1 --registrar "127.0.0.1:$sst_port" --user carol \
  --password secret --no-media --session-min-se 90 > "$work/uas_carol.jsonl" 2> "$work/uas_carol.err" &
pids+=($!)
wait_ready "$work/uas_carol.jsonl" || { echo "uas carol never became ready"; cat "$work/uas_carol.err"; exit 1; }
for who in "bob 90 uac" "alice 120 uac" "dave 90 uas"; do
  set -- $who
  "$pbxbench" uas --bind 127.0.0.1 --count 1 --registrar "127.0.0.1:$KAM_SIP_PORT" --user "$1" \
    --password secret --no-media --session-min-se "$2" --session-refresher "$3" \
    > "$work/uas_$1.jsonl" 2> "$work/uas_$1.err" &
  pids+=($!)
  wait_ready "$work/uas_$1.jsonl" || { echo "uas $1 never became ready"; cat "$work/uas_$1.err"; exit 1; }
done

calls=10
started=$SECONDS
timeout 58 "$pbxbench" uac --target "sip:bob@127.0.0.1:$KAM_SIP_PORT" --total $calls --cps 20 \
  --hold 47 --session-expires 90 --session-refresh update --no-media \
  > "$work/refresh.jsonl" 2> "$work/refresh.err" &
refresh_pid=$!
timeout 58 "$pbxbench" uac --target "sip:dave@127.0.0.1:$KAM_SIP_PORT" --total $calls --cps 20 \
  --hold 47 --session-expires 90 --no-media > "$work/uas_refresh.jsonl" 2> "$work/uas_refresh.err" &
uas_refresh_pid=$!
timeout 30 "$pbxbench" uac --target "sip:alice@127.0.0.1:$KAM_SIP_PORT" --total $calls --cps 20 \
  --hold 2 --session-expires 90 --no-media > "$work/minse.jsonl" 2> "$work/minse.err"
minse_rc=$?
timeout 30 "$pbxbench" uac --target "sip:carol@127.0.0.1:$sst_port" --total $calls --cps 20 \
  --hold 2 --session-expires 90 --no-media > "$work/sst.jsonl" 2> "$work/sst.err"
sst_rc=$?
wait "$refresh_pid"
refresh_rc=$?
wait "$uas_refresh_pid"
uas_refresh_rc=$?
echo "took $((SECONDS - started)) s"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=()
r=$work/refresh.jsonl
m=$work/minse.jsonl
field "$r" '.midcall.session_timer | del(.failed_status)'
field "$m" '.midcall.session_timer | {calls, negotiated, retries_422}'

check "refresh: uac exit 0" [ $refresh_rc -eq 0 ]
check "refresh: every call completed" [ "$(field "$r" .completed)" = $calls ]
check "refresh: every 200 granted a timer with us as refresher" \
  [ "$(field "$r" '.midcall.session_timer | "\(.calls)/\(.negotiated)/\(.we_refresh)"')" = "$calls/$calls/$calls" ]
check "refresh: one UPDATE refresh per call, each answered 2xx" \
  [ "$(field "$r" '.midcall.session_timer | "\(.refreshes_sent)/\(.refreshes_ok)/\(.refreshes_failed)/\(.expired)"')" = "$calls/$calls/0/0" ]
check "refresh: latency for every refresh" \
  [ "$(field "$r" .midcall.session_timer.refresh_latency_ms.count)" = $calls ]
check "refresh: the UAS answered every refresh and every timer" \
  [ "$(field "$work/uas_bob.jsonl" '"\(.session_timers)/\(.session_refreshes)/\(.updates_answered)"')" = "$calls/$calls/$calls" ]
d=$work/uas_refresh.jsonl
check "uas refresher: uac exit 0" [ $uas_refresh_rc -eq 0 ]
check "uas refresher: every call completed" [ "$(field "$d" .completed)" = $calls ]
check "uas refresher: granted with the UAS as refresher, one refresh received per call" \
  [ "$(field "$d" '.midcall.session_timer | "\(.negotiated)/\(.we_refresh)/\(.refreshes_received)/\(.expired)"')" = "$calls/0/$calls/0" ]
check "uas refresher: the UAS sent one UPDATE per call, each answered" \
  [ "$(field "$work/uas_dave.jsonl" '"\(.session_refreshes_sent)/\(.session_refreshes_ok)/\(.session_refreshes_failed)"')" = "$calls/$calls/0" ]
check "422: uac exit 0" [ $minse_rc -eq 0 ]
check "422: every call completed" [ "$(field "$m" .completed)" = $calls ]
check "422: every INVITE was retried with Min-SE 120 and granted" \
  [ "$(field "$m" '.midcall.session_timer | "\(.calls)/\(.retries_422)/\(.negotiated)"')" = "$calls/$calls/$calls" ]
check "422: the UAS refused each first INVITE and granted each retry" \
  [ "$(field "$work/uas_alice.jsonl" '"\(.session_too_small)/\(.session_timers)"')" = "$calls/$calls" ]
x=$work/sst.jsonl
field "$x" '.midcall.session_timer | {calls, negotiated, retries_422}'
check "sst: uac exit 0" [ $sst_rc -eq 0 ]
check "sst: every call completed" [ "$(field "$x" .completed)" = $calls ]
check "sst: every INVITE got Kamailio's 422, was retried with 120 and granted" \
  [ "$(field "$x" '.midcall.session_timer | "\(.calls)/\(.retries_422)/\(.negotiated)"')" = "$calls/$calls/$calls" ]
check "sst: the 422s came from Kamailio; the UAS saw only the retries" \
  [ "$(field "$work/uas_carol.jsonl" '"\(.session_too_small)/\(.session_timers)/\(.answered)"')" = "0/$calls/$calls" ]
if [ $failures -ne 0 ]; then
  tail -n 20 "$sst_log" "$work/sst.err"
  tail -n 5 "$work/refresh.err" "$work/minse.err" "$work/uas_bob.err" "$work/uas_alice.err"; tail -20 "$KAM_LOG"
fi
finish_tests session_timer
