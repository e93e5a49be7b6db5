#!/usr/bin/env bash
# Integration: `pbxbench uac --register-rate` through a real Kamailio: 2,000 users register at
# 200/s with digest auth, refresh at half of a 20 s expiry (so every early binding is refreshed
# within the run), and un-REGISTER at the end. Kamailio's own usrloc count (JSON-RPC
# stats.get_statistics) must equal ours while the bindings are held and be 0 afterwards.
# Also: a mix with calls and OPTIONS pings, and usage errors that exit 2. About 25 s.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
trap 'stop_kamailio; rm -rf "$work"' EXIT

start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
seq 1000 2999 | sed 's/$/:secret/' > "$work/users.txt"
contacts() {
  curl -s -X POST -H 'Content-Type: application/json' \
    --data '{"jsonrpc":"2.0","method":"stats.get_statistics","params":["usrloc:"],"id":1}' \
    "http://127.0.0.1:$KAM_HTTP_PORT/RPC" | jq -r '.result[] | select(startswith("usrloc:location_contacts "))' |
    sed 's/.*= //'
}

# Registrations take 10 s; bindings are held until 16 s (refreshes from 10 s on); the paced
# un-REGISTERs (500/s at least) take 4 s more.
"$pbxbench" uac --users-file "$work/users.txt" --proxy "127.0.0.1:$KAM_SIP_PORT" --total 0 \
  --register-rate 200 --register-expires 20 --refresh-at 0.5 --load-duration 16 \
  --progress-interval 1 > "$work/reg.jsonl" 2> "$work/reg.err" &
uac=$!
# While the bindings are held: Kamailio's count next to our latest progress line.
sleep 13
held_kamailio=$(contacts)
held_ours=$(grep '"event":"progress"' "$work/reg.jsonl" | tail -1 | jq '.methods.register.bindings')
wait "$uac"
rc=$?
check "register load exits 0" [ "$rc" -eq 0 ]
summary=$(grep '"event":"summary"' "$work/reg.jsonl" | tail -1)
reg() { jq "$1" <<< "$summary"; }
echo "held: kamailio $held_kamailio, ours $held_ours; after: kamailio $(contacts)"
check "Kamailio held 2000 contacts while we held them" [ "$held_kamailio" = 2000 ]
check "our count matched Kamailio's" [ "$held_ours" = "$held_kamailio" ]
check "peak bindings 2000" [ "$(reg .methods.register.counters.peak_bindings)" = 2000 ]
check "Kamailio has 0 contacts after the un-REGISTERs" [ "$(contacts)" = 0 ]
check "we hold 0 bindings at the end" [ "$(reg .methods.register.counters.bindings)" = 0 ]
check "2000 un-REGISTERs answered" [ "$(reg .methods.register.counters.unregistered)" = 2000 ]
check "every first REGISTER was challenged" [ "$(reg .methods.register.counters.challenges)" = 2000 ]
check "refreshes happened within the run" [ "$(reg .methods.register.counters.refreshes)" -ge 1000 ]
check "no failures" [ "$(reg .methods.register.failed)" = 0 ]
check "every request ok" [ "$(reg '.methods.register.ok == .methods.register.sent')" = true ]
check "latency p99 reported" [ "$(reg '.methods.register.latency_ms.p99 > 0')" = true ]
check "CPU per request reported" [ "$(reg '.generator.cpu_s_per_1000_requests > 0')" = true ]

# A mix in one process: calls beside REGISTERs and OPTIONS to Kamailio itself. The callee is
# registered by nobody (Kamailio answers 404), so only the method rows and the call rate are
# checked here; calls through registered endpoints are run_test's business.
"$pbxbench" uac --users-file "$work/users.txt" --callers 1 --callees 1 --proxy "127.0.0.1:$KAM_SIP_PORT" \
  --total 5 --no-media --mix invite=10,register=80,options=10 --rate 100 --register-users 50 \
  --options-to pbx --register-expires 60 > "$work/mix.jsonl" 2> "$work/mix.err"
mix=$(grep '"event":"summary"' "$work/mix.jsonl" | tail -1)
check "mix: 5 calls attempted at the invite share" [ "$(jq .attempted <<< "$mix")" = 5 ]
check "mix: 50 users registered" [ "$(jq .methods.register.ok <<< "$mix")" = 50 ]
check "mix: OPTIONS to Kamailio answered" [ "$(jq '.methods.options.ok > 0 and .methods.options.failed == 0' <<< "$mix")" = true ]
check "mix: rates split 10/80/10 of 100" [ "$(jq '.config.cps' <<< "$mix")" = 10 ]
check "mix: Kamailio empty again" [ "$(contacts)" = 0 ]

"$pbxbench" uac --users-file "$work/users.txt" --proxy 127.0.0.1:9 --total 0 --mix invite=1,subscribe=2 --rate 10 \
  > /dev/null 2> "$work/usage.err"
check "unknown mix method exits 2" [ $? -eq 2 ]
check "the error names the method and the known ones" grep -q "unknown method 'subscribe'; known: invite, register" "$work/usage.err"
"$pbxbench" uac --users-file "$work/users.txt" --proxy 127.0.0.1:9 --total 0 --mix register=x --rate 10 \
  > /dev/null 2> "$work/usage2.err"
check "malformed share exits 2" [ $? -eq 2 ]
check "the error names the item" grep -q "register=x" "$work/usage2.err"

pid=$KAM_PID
stop_kamailio
check "kamailio process group gone after stop" bash -c "! kill -0 -- -$pid 2>/dev/null"
finish_tests register_load_test
