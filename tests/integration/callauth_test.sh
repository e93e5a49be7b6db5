#!/usr/bin/env bash
# Integration: the Kamailio profile's callauth scenario through `pbxbench run` (signaling only,
# one small level): the harness hands `pbxbench uac`/`uas` their configuration as 0600 JSON
# files (no password on any argv), one UAS endpoint per callee, callers registered; every
# call completes with each caller answering Kamailio's 407 with its own credentials, and
# the calls spread evenly over the callees. A second run gives one caller a wrong password:
# only that caller's calls fail, and summary.md names it.
# The same run with `--threads 2` (each thread owns its callers) gives the same counts.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
run_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null
  [ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
  for g in $(cat "$work"/*.err 2>/dev/null | grep -o 'process group [0-9]*' | awk '{print $3}' | sort -u); do
    kill -KILL -- "-$g" 2>/dev/null
  done
  [ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

level=400
callers=200
callees=200

# The argv of every uac/uas child of this binary while the run lasts (ps shows them to any
# user). Only this binary's: other pbxbench runs may share the machine.
sample_argv() {
  while kill -0 "$1" 2>/dev/null; do
    ps -eo args= | grep -F -e "$pbxbench uac" -e "$pbxbench uas" >> "$2"
    sleep 0.1
  done
}

"$pbxbench" run --profile profiles/kamailio.toml --scenario callauth --levels $level --cps 200 \
  --hold 0.5 --cooldown 0 --no-media --callers $callers --callees $callees --out "$work/ca" \
  > "$work/ca.md" 2> "$work/ca.err" &
run_pid=$!
sample_argv "$run_pid" "$work/argv.txt" &
sampler_pid=$!
wait "$run_pid"
rc=$?
run_pid=
wait "$sampler_pid" 2>/dev/null
sampler_pid=

logs=$work/ca/logs/callauth-$level
row() { jq -c 'select(.kind == "level")' "$work/ca/results.jsonl"; }
check "config files: uac.json and uas.json written 0600" \
  [ "$(stat -c %a "$logs/uac.json" 2>/dev/null)-$(stat -c %a "$logs/uas.json" 2>/dev/null)" = "600-600" ]
check "uac.json: $callers callers then $callees callees, with passwords, registering, no media" \
  jq -e ".callers == $callers and .callees == $callees and (.users | length) == $((callers + callees)) and .users[0] == \"1000:secret\" and .register_callers == true and .no_media == true and .total == $level and .target == \"\"" "$logs/uac.json"
check "uas.json: one endpoint per callee (users after the callers), a registrar and a password" \
  jq -e ".endpoints == $callees and (.users | split(\",\") | length) == $callees and (.users | startswith(\"$((1000 + callers)):\")) and (.registrar | length) > 0 and .password == \"secret\"" "$logs/uas.json"
check "the children were seen running" grep -q 'pbxbench uac --config' "$work/argv.txt"
check "no password on any pbxbench uac/uas command line" bash -c "! grep -q -e secret -e password '$work/argv.txt'"
check "the row records the population" \
  jq -e -s "map(select(.kind == \"level\")) | length == 1 and .[0].config.callers == $callers and .[0].config.callees == $callees and .[0].config.callers_register == true" "$work/ca/results.jsonl"
check "the UAS answered only as the $callees callees" \
  jq -e -s "map(select(.kind == \"level\")) | .[0].subscribers.uas_calls_per_user.users == $callees" "$work/ca/results.jsonl"
check "summary.md has the Subscribers table" grep -q "## Subscribers" "$work/ca/summary.md"

check "callauth: exit 0" [ "$rc" -eq 0 ]
check "callauth: every call completed (100%)" \
  jq -e -s "map(select(.kind == \"level\")) | .[0].status == \"ok\" and .[0].calls.completed == $level and .[0].calls.failed == 0" "$work/ca/results.jsonl"
check "callauth: every callee got level/callees calls (± 1)" \
  jq -e -s "map(select(.kind == \"level\")) | .[0].subscribers.uas_calls_per_user | .min >= $((level / callees - 1)) and .max <= $((level / callees + 1)) and .without_calls == 0" "$work/ca/results.jsonl"
check "callauth: the callers answered 407 challenges" \
  jq -e -s 'map(select(.kind == "level")) | .[0].subscribers.auth.challenges["407"] > 0' "$work/ca/results.jsonl"
check "callauth: every caller registered, none failed" \
  jq -e -s "map(select(.kind == \"level\")) | .[0].subscribers.registrations | .registered == $callers and .failed == 0" "$work/ca/results.jsonl"

# --threads 2: each thread owns half the callers; the counts must not change.
"$pbxbench" run --profile profiles/kamailio.toml --scenario callauth --levels $level --cps 200 \
  --hold 0.5 --cooldown 0 --no-media --callers $callers --callees $callees --threads 2 \
  --out "$work/t2" > /dev/null 2> "$work/t2.err"
check "--threads 2: exit 0" [ $? -eq 0 ]
check "--threads 2: every call completed, same spread, every caller registered once" \
  jq -e -s "map(select(.kind == \"level\")) | .[0] | .calls.completed == $level and .calls.failed == 0 and .subscribers.uas_calls_per_user.min >= $((level / callees - 1)) and .subscribers.uas_calls_per_user.max <= $((level / callees + 1)) and .subscribers.registrations.registered == $callers" "$work/t2/results.jsonl"

# One caller with a wrong password (a per-user override in a copy of the profile).
sed -e 's|^mapping = "round_robin"|mapping = "round_robin"\npasswords = { "1000" = "wrong" }|' \
    -e "s|source = \"kamailio/|source = \"$root/profiles/kamailio/|" \
    profiles/kamailio.toml > "$work/wrongpw.toml"
"$pbxbench" run --profile "$work/wrongpw.toml" --scenario callauth --levels 20 --cps 50 \
  --hold 0.5 --cooldown 0 --no-media --callers 5 --callees 5 --out "$work/wp" \
  > /dev/null 2> "$work/wp.err"
check "wrong password: the run says calls failed (exit 1)" [ $? -eq 1 ]
check "wrong password: only caller 1000's calls failed" \
  jq -e -s "map(select(.kind == \"level\")) | .[0].calls.failed == 4 and .[0].calls.completed == 16" "$work/wp/results.jsonl"
check "wrong password: summary.md names the user, never the password" \
  bash -c "grep -q '1000 (.*wrong password?' '$work/wp/summary.md' && ! grep -q secret '$work/wp/summary.md'"
if [ "$failures" -gt 0 ]; then  # what a failing run said, for the CI log
  for f in "$work"/*.err; do echo "--- $f"; tail -n 15 "$f"; done
  jq -c 'select(.kind == "level") | {scenario, state, error, calls: .calls.outcomes}' "$work"/*/results.jsonl 2>/dev/null
fi
finish_tests callauth
