#!/usr/bin/env bash
# Integration: pbxbench's REGISTER load against SIPp acting as a registrar with quirks
# (tests/integration/sipp/registrar_quirks.xml): SIPp checks our digest answer (verifyauth),
# answers 423 with Min-Expires, grants a shorter expiry than asked (we must refresh at half of
# it, not of ours), answers the refresh with a 200 that lacks our binding, then takes the
# un-REGISTER. A second run with a wrong password gets SIPp's 403. About 10 s.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
sipp_pid=
trap '[ -n "$sipp_pid" ] && kill "$sipp_pid" 2>/dev/null; rm -rf "$work"' EXIT

# run_against_sipp NAME PASSWORD: SIPp registrar for one binding, our load of one user.
run_against_sipp() {
  local port
  port=$(pick_port)
  sipp -sf "$root/tests/integration/sipp/registrar_quirks.xml" -i 127.0.0.1 -p "$port" -m 1 \
    -nostdin -timeout 30 -trace_stat -stf "$work/$1-stat.csv" -fd 1 > /dev/null 2>&1 &
  sipp_pid=$!
  for _ in $(seq 50); do [ -n "$(ss -Hlnu "sport = :$port")" ] && break; sleep 0.1; done
  # Asks 10 s; SIPp grants 4 s after the 423, so the refresh is due 2 s later; stop at 3 s.
  "$pbxbench" uac --users "1000:$2" --proxy "127.0.0.1:$port" --total 0 --register-rate 1 \
    --register-expires 10 --refresh-at 0.5 --load-duration 3 > "$work/$1.jsonl" 2> "$work/$1.err"
  echo $? > "$work/$1.rc"
  for _ in $(seq 50); do kill -0 "$sipp_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$sipp_pid" 2>/dev/null
  wait "$sipp_pid" 2>/dev/null
  sipp_pid=
}

run_against_sipp quirks secret
s=$(grep '"event":"summary"' "$work/quirks.jsonl" | tail -1)
reg() { jq -c ".methods.register | $1" <<< "$s"; }
check "exit 1: a request failed (the 200 without our binding)" [ "$(cat "$work/quirks.rc")" = 1 ]
check "SIPp accepted our digest answer (verifyauth)" [ "$(reg '.ok')" -ge 1 ]
check "one challenge answered" [ "$(reg '.counters.challenges')" = 1 ]
check "423 retried with Min-Expires" [ "$(reg '.counters.retried_423')" = 1 ]
check "the shortened grant was noticed" [ "$(reg '.counters.expiry_shortened')" = 1 ]
check "refreshed at half of the 4 s granted, within the 3 s run" [ "$(reg '.counters.refreshes')" = 1 ]
check "the 200 without our Contact counted as no_binding" [ "$(reg '.failures.no_binding')" = 1 ]
check "binding_missing counted" [ "$(reg '.counters.binding_missing')" = 1 ]
check "un-REGISTER answered" [ "$(reg '.counters.unregistered')" = 1 ]
check "SIPp's scenario ran to its end" [ "$(tail -1 "$work/quirks-stat.csv" | cut -d';' -f16)" = 1 ]

run_against_sipp wrong not-the-password
s=$(grep '"event":"summary"' "$work/wrong.jsonl" | tail -1)
check "wrong password: exit 1" [ "$(cat "$work/wrong.rc")" = 1 ]
check "wrong password: SIPp's 403 is the failure" [ "$(reg '.failures["403"]')" = 1 ]
check "wrong password: nothing to un-REGISTER" [ "$(reg '.counters.unregister_sent')" = 0 ]

finish_tests register_interop_test
