#!/usr/bin/env bash
# Integration: pbxbench's SIP stack against a real Kamailio on loopback.
# Asserts exit codes, JSON fields and that no process we started is left.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'stop_kamailio; rm -rf "$work"' EXIT

start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1

"$pbxbench" ping "127.0.0.1:$KAM_SIP_PORT" --count 5 --interval 0.02 > "$work/ping.jsonl"
check "ping exits 0 when every OPTIONS gets 200" [ $? -eq 0 ]
check "five replies with status 200" [ "$(grep -c '"event":"reply".*"status":200' "$work/ping.jsonl")" -eq 5 ]
check "summary says 5 of 5 ok" grep -q '"event":"summary".*"ok":5.*"sent":5' "$work/ping.jsonl"

# A port where nothing listens: every ping times out (Timer F) and the exit code says so.
dead=$(pick_port)
"$pbxbench" ping "127.0.0.1:$dead" --count 1 --t1-ms 10 > "$work/dead.jsonl" 2> "$work/dead.err"
check "ping to a dead port exits 1" [ $? -eq 1 ]
check "timeout named as timer F" grep -q 'timer F' "$work/dead.jsonl"
check "stderr says what to check" grep -q 'is the SIP server running' "$work/dead.err"

"$pbxbench" ping "not-an-address:x" > /dev/null 2> "$work/usage.err"
check "bad target exits 2" [ $? -eq 2 ]
check "bad target error names the option" grep -q -- '--target' "$work/usage.err"

pid=$KAM_PID
stop_kamailio
check "kamailio process group gone after stop" bash -c "! kill -0 -- -$pid 2>/dev/null"

finish_tests kamailio_ping_test
