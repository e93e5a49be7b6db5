#!/usr/bin/env bash
# Chaos: `pbxbench run` against real Kamailio and rtpengine while things go wrong. SIGKILL of
# the SUT, of the rtpengine sidecar, of `pbxbench uas` and of `pbxbench uac` mid-level; a
# health endpoint that hangs, answers garbage or answers slowly; SIGINT/SIGTERM during setup,
# sidecar and SUT readiness, registration, ramp, hold, drain and collect; bytes that are not
# UTF-8 in a SUT's log and a collect step's output; a results directory on a tiny tmpfs that
# fills up mid-run.
# In every case: the outcome is recorded (the row's state, the exit code docs/results.md
# documents), what was measured is kept and readable by `compare` and `report`, and no process
# of ours is left: every run carries a tag in its environment, which its children inherit, and
# the process table (/proc/*/environ) is searched for it. Bounded: about 2 minutes.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
tag=pbxbench-chaos-$$-$RANDOM
bg_pid=
http_pid=
tiny=
cleanup() {
  [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
  [ -n "$http_pid" ] && kill -KILL "$http_pid" 2>/dev/null
  for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
  [ -n "$tiny" ] && umount "$tiny" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# PIDs of every process whose environment carries this test's tag (our runs and their children).
ours() {
  grep -lsaF "PBXBENCH_CHAOS_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
    awk -F/ -v self=$$ '$3 != self { print $3 }'
}
# True when no process of ours is left, waiting up to 5 s for the last to go.
none_left() {
  local deadline=$((SECONDS + 5))
  while [ -n "$(ours)" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "left: $(ours | xargs -r ps -o pid=,args= -p)" >&2
      return 1
    fi
    sleep 0.2
  done
}

# profile NAME < PYTHON: a copy of the Kamailio profile, edited by the Python on stdin (`s` is
# the TOML text, `os.environ` the caller's environment); prints the copy's path.
profile() {
  local dir=$work/profile-$1
  mkdir -p "$dir"
  cp -r profiles/kamailio profiles/kamailio.toml "$dir/"
  python3 -c 'import os, sys
p = sys.argv[1]
s = open(p).read()
exec(sys.stdin.read())
open(p, "w").write(s)' "$dir/kamailio.toml" || return 1
  echo "$dir/kamailio.toml"
}

# Where a run's stdout and stderr go: beside its directory, never in it (it may be full).
log() { echo "$work/${1//\//_}"; }
# start NAME ARGS...: `pbxbench run ARGS --out $work/NAME` in the background, tagged.
start() {
  local name=$1
  shift
  env PBXBENCH_CHAOS_TAG="$tag" "$pbxbench" run --cooldown 0 "$@" --out "$work/$name" \
    > "$(log "$name").md" 2> "$(log "$name").err" &
  bg_pid=$!
}
# wait_for NAME TEXT [SECONDS]: until the run's stderr has TEXT.
wait_for() {
  local deadline=$((SECONDS + ${3:-30}))
  until grep -q -- "$2" "$(log "$1").err" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "no '$2' in $1's stderr" >&2; return 1; fi
    if ! kill -0 "$bg_pid" 2>/dev/null; then echo "$1 ended before '$2'" >&2; return 1; fi
    sleep 0.1
  done
}
# finish: waits for the background run; sets rc to its exit code.
finish() {
  wait "$bg_pid"
  rc=$?
  bg_pid=
}
# The process group a run logged for a child: "started NAME (process group N)".
group_of() {
  grep -o "started $2 (process group [0-9]*)" "$(log "$1").err" | tail -1 | grep -o '[0-9]*)' | tr -d ')'
}
# The last level row of a run, or one of its fields.
last_row() { jq -c -s 'map(select(.kind == "level")) | last' "$work/$1/results.jsonl"; }
state() { last_row "$1" | jq -r .state; }
error_has() { last_row "$1" | jq -r .error | grep -qF -- "$2"; }
# summary.md of run NAME marks the level (a bold state) and shows no 100% completion.
marked() { grep -q "| 20 | $2 | \*\*" "$work/$1/summary.md" && ! grep -q '100.0%' "$work/$1/summary.md"; }
# compare against the baseline and report: both must read the run (compare exits 0 or 1).
readable() {
  "$pbxbench" compare "$work/base" "$work/$1" > "$(log "$1").cmp" 2>&1
  [ $? -le 1 ] && "$pbxbench" report "$work/$1" --out "$(log "$1").html" > /dev/null 2>&1
}
quick=(--cps 50 --levels 20)

# 0. Baseline. Its profile's SUT writes bytes that are not UTF-8 to its log (a dying SUT's log
# tail goes into the row) and a collect step prints some (its output goes into the row too).
bytes=$(profile bytes <<'PY'
s = s.replace('command = ["kamailio", "-DD"',
              r'command = ["sh", "-c", "printf \"\\377\\376 not utf-8\\n\" >&2; exec kamailio \"$@\"", "kamailio", "-DD"', 1)
s += r'''
[[collect]]
name = "garbage"
command = ["printf", "\\377\\376 rows=1\\n"]
scenarios = ["mediaproxy_all"]
'''
PY
)
start base --profile "$bytes" --scenario mediaproxy_all "${quick[@]}" --hold 2
finish
check "baseline: exit 0" [ "$rc" -eq 0 ]
check "baseline: state ok, every call completed" \
  jq -e '.state == "ok" and .calls.completed == 20' <<< "$(last_row base)"
check "baseline: a collect output that is not UTF-8 is kept, its bytes replaced" \
  jq -e '.collected.garbage | test("\ufffd\ufffd rows=1")' <<< "$(last_row base)"
check "baseline: summary.md and report.html written" test -s "$work/base/summary.md" -a -s "$work/base/report.html"
check "baseline: no process of ours left" none_left

# 1. SIGKILL of each of the four while calls are held (the group leader only, as the OOM killer
# would): the level ends with the state and the reason, the run goes on to its end, exit 1.
kill_case() {  # NAME WHAT(as logged) STATE ERROR-TEXT
  local name=$1 what=$2 want=$3 text=$4 g
  start "$name" --profile "$bytes" --scenario mediaproxy_all "${quick[@]}" --hold 6
  wait_for "$name" "at 20 calls: holding"
  g=$(group_of "$name" "$what")
  kill -KILL "$g"
  finish
  check "kill $what: exit 1" [ "$rc" -eq 1 ]
  check "kill $what: state $want" [ "$(state "$name")" = "$want" ]
  check "kill $what: the error says so" error_has "$name" "$text"
  check "kill $what: summary.md marks the level, no 100% completion" marked "$name" mediaproxy_all
  check "kill $what: compare and report read it" readable "$name"
  check "kill $what: no process of ours left" none_left
}
kill_case sut-kill kamailio sut_died "the SUT kamailio exited mid-run (killed by SIGKILL)"
check "kill kamailio: the log tail's bytes that are not UTF-8 are in the row, replaced" \
  jq -e '.error | test("\ufffd\ufffd not utf-8")' <<< "$(last_row sut-kill)"
check "kill kamailio: report.html was still written" test -s "$work/sut-kill/report.html"
check "kill kamailio: compare calls the dead SUT a regression" grep -q "the level failed in NEW" "$(log sut-kill).cmp"
kill_case sidecar-kill rtpengine sut_died "sidecar rtpengine exited mid-run (killed by SIGKILL)"
kill_case uas-kill "pbxbench uas" error "pbxbench uas exited mid-run (killed by SIGKILL)"
kill_case uac-kill "pbxbench uac" error "pbxbench uac ended without a summary (killed by SIGKILL)"

# 2. A health endpoint that misbehaves: a profile whose [health] url is tests/integration/
# chaos_http.py (hang, garbage, slow).
http() {  # MODE: starts the server, sets http_port
  rm -f "$work/http.port"
  python3 "$here/chaos_http.py" "$1" "$work/http.port" &
  http_pid=$!
  for _ in $(seq 50); do [ -s "$work/http.port" ] && break; sleep 0.1; done
  http_port=$(cat "$work/http.port")
}
stop_http() { kill -KILL "$http_pid" 2>/dev/null; wait "$http_pid" 2>/dev/null; http_pid=; }
health_profile() {  # NAME READINESS_HEALTH(true|false) READINESS_TIMEOUT_S
  PORT=$http_port READY=$2 TIMEOUT=$3 profile "$1" <<'PY'
e = os.environ
s = s.replace('url = "http://127.0.0.1:${HTTP_PORT}/RPC"', 'url = "http://127.0.0.1:%s/"' % e["PORT"])
s = s.replace("timeout_s = 20\n", "timeout_s = %s\n" % e["TIMEOUT"], 1)
s = s.replace("health = true", "health = " + e["READY"], 1)
PY
}

http garbage
garbage=$(health_profile garbage true 3)
start health-garbage --profile "$garbage" --scenario mediaproxy_none "${quick[@]}" --hold 2
finish
check "health answers garbage, readiness needs it: exit 1" [ "$rc" -eq 1 ]
check "health answers garbage: state error, the reason named" \
  jq -e '.state == "error" and (.error | test("health endpoint: .*unparsable"))' <<< "$(last_row health-garbage)"
check "health answers garbage: compare and report read it" readable health-garbage
check "health answers garbage: no process of ours left" none_left
monitored=$(health_profile garbage-monitored false 20)
start health-garbage-monitored --profile "$monitored" --scenario mediaproxy_none "${quick[@]}" --hold 2
finish
check "health answers garbage, monitored only: exit 0" [ "$rc" -eq 0 ]
check "health answers garbage, monitored only: state ok, no call count (concurrency null)" \
  jq -e '.state == "ok" and .concurrency == null' <<< "$(last_row health-garbage-monitored)"
check "health answers garbage, monitored only: the samples say why" \
  grep -q '"health_outcome":"unparsable"' "$work/health-garbage-monitored/samples/mediaproxy_none-20.jsonl"
check "health answers garbage, monitored only: no process of ours left" none_left
stop_http

http slow
slow=$(health_profile slow true 20)
start health-slow --profile "$slow" --scenario mediaproxy_none "${quick[@]}" --hold 3
finish
check "health answers in 0.7 s: exit 0 (ready, measured)" [ "$rc" -eq 0 ]
check "health answers in 0.7 s: state ok" [ "$(state health-slow)" = ok ]
check "health answers in 0.7 s: no process of ours left" none_left
stop_http
http slower
slower=$(health_profile slower true 3)
start health-slower --profile "$slower" --scenario mediaproxy_none "${quick[@]}" --hold 2
finish
check "health answers in 1.5 s (past the 1 s request timeout): exit 1" [ "$rc" -eq 1 ]
check "health answers in 1.5 s: state error, never ready, timeout named" \
  jq -e '.state == "error" and (.error | test("health endpoint: .*timeout"))' <<< "$(last_row health-slower)"
check "health answers in 1.5 s: no process of ours left" none_left
stop_http

# 3. SIGINT/SIGTERM in every phase: exit 130, the level recorded as interrupted (no further
# level started), summary.md saying so, nothing left.
signal_case() {  # NAME SIGNAL WAIT-TEXT MAX-SECONDS PROFILE ARGS...
  local name=$1 sig=$2 text=$3 max=$4 prof=$5
  shift 5
  start "$name" --profile "$prof" "$@"
  wait_for "$name" "$text" 40
  local t0=$SECONDS
  kill "-$sig" "$bg_pid"
  finish
  check "$name: SIG$sig: exit 130" [ "$rc" -eq 130 ]
  check "$name: stopped within $max s" [ $((SECONDS - t0)) -le "$max" ]
  check "$name: recorded as interrupted, one row" \
    jq -e -s 'map(select(.kind == "level")) | length == 1 and .[0].state == "interrupted" and .[0].status == "failed"' "$work/$name/results.jsonl"
  check "$name: summary.md says interrupted, never 100%" \
    bash -c "grep -q 'interrupted' '$work/$name/summary.md' && ! grep -q '100.0%' '$work/$name/summary.md'"
  check "$name: no process of ours left" none_left
}
slow_setup=$(profile slow-setup <<'PY'
s += '\n[[setup]]\nname = "slow"\ncommand = ["sleep", "60"]\nscenarios = ["mediaproxy_none"]\n'
PY
)
signal_case setup TERM "at 20 calls: starting SUT" 3 "$slow_setup" --scenario mediaproxy_none "${quick[@]}" --hold 2
check "setup: the SUT was never started" bash -c "! grep -q 'started kamailio' '$(log setup).err'"
never_ready=$(profile never-ready <<'PY'
s = s.replace('ready = { udp_port = "${RTPENGINE_NG_PORT}" }', 'ready = { log_contains = "never printed" }')
PY
)
signal_case sidecar-readiness INT "started rtpengine" 3 "$never_ready" --scenario mediaproxy_all "${quick[@]}" --hold 2
check "sidecar readiness: the SUT was not started after the interrupted wait" \
  bash -c "! grep -q 'started kamailio' '$(log sidecar-readiness).err'"
# A health endpoint that hangs, with the profile's 20 s readiness timeout: the signal must
# not wait for it.
http hang
hang=$(health_profile hang true 20)
signal_case sut-readiness INT "started kamailio" 5 "$hang" --scenario mediaproxy_none "${quick[@]}" --hold 2
stop_http
# 300 endpoints take a few seconds to register.
signal_case registration INT "at 20 calls: registering" 12 profiles/kamailio.toml --scenario mediaproxy_none --levels 20,30 --cps 50 --hold 2 --endpoints 300 --no-media
signal_case ramp TERM "at 100 calls: ramping" 10 profiles/kamailio.toml --scenario mediaproxy_none --levels 100,200 --cps 10 --hold 2
signal_case hold INT "at 20 calls: holding" 10 profiles/kamailio.toml --scenario mediaproxy_none --levels 20,30 --cps 50 --hold 20
check "hold: the UAC ended every call early and counted them, yet no 100% is shown" \
  jq -e '.calls.attempted == 20' <<< "$(last_row hold)"
signal_case drain INT "at 20 calls: draining" 10 profiles/kamailio.toml --scenario mediaproxy_none --levels 20,30 --cps 10 --hold 4
slow_collect=$(profile slow-collect <<'PY'
s += '\n[[collect]]\nname = "slow"\ncommand = ["sleep", "60"]\nscenarios = ["mediaproxy_none"]\ntimeout_s = 60\n'
PY
)
signal_case collect TERM "at 20 calls: collecting" 8 "$slow_collect" --scenario mediaproxy_none "${quick[@]}" --hold 1

# 4. A results directory on a tiny tmpfs that fills up mid-run: the run stops at once with the
# reason and exit 1; every file is whole (results.jsonl parses line by line, summary.md is a
# complete one, no temporary file is left), and compare and report read what is there.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/tiny" && mount -t tmpfs -o size=300k tmpfs "$work/tiny"; then
  tiny=$work/tiny
  levels=$(seq -s, 20 45)
  start tiny/run --profile profiles/kamailio.toml --scenario mediaproxy_none --cps 50 --hold 1 --levels "$levels"
  finish
  out=$work/tiny/run
  check "full disk: exit 1" [ "$rc" -eq 1 ]
  check "full disk: the reason is named (ENOSPC)" grep -q "No space left on device" "$(log tiny/run).err"
  check "full disk: the run stopped at once (levels left unrun)" \
    [ "$(grep -c 'calls: starting SUT' "$(log tiny/run).err")" -lt 26 ]
  check "full disk: results.jsonl holds whole rows only" jq -e -s 'length > 0' "$out/results.jsonl"
  check "full disk: its last line is whole" bash -c "[ -z \"\$(tail -c1 '$out/results.jsonl')\" ]"
  check "full disk: summary.md is a whole one" grep -q "## Results per scenario and level" "$out/summary.md"
  check "full disk: results.csv has a header and rows" [ "$(wc -l < "$out/results.csv")" -ge 2 ]
  check "full disk: no temporary file left behind" [ -z "$(find "$out" -name '*.tmp*')" ]
  check "full disk: compare reads it" bash -c "'$pbxbench' compare '$out' '$out' > /dev/null 2>&1; [ \$? -le 1 ]"
  check "full disk: report reads it (written elsewhere)" "$pbxbench" report "$out" --out "$work/tiny-report.html"
  check "full disk: no process of ours left" none_left
  umount "$tiny" && tiny=
else
  echo "skip: the full-disk case needs root to mount a tmpfs"
fi

finish_tests chaos_test
