#!/usr/bin/env bash
# Integration: `kill -9` of `pbxbench run` leaves no process behind, and --pin puts the SUT and
# the generator on the CPUs asked for. A sipflow run (Kamailio and its workers, rtpengine, the
# trace database, pbxbench uas and uac) is started pinned; while its calls are held we record
# every descendant of the harness from /proc and check their Cpus_allowed_list, then SIGKILL
# the harness alone and expect every recorded process gone within 5 s.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
bg_pid=
recorded=()
cleanup() {
  [ -n "$bg_pid" ] && kill -KILL "$bg_pid" 2>/dev/null
  for entry in "${recorded[@]}"; do alive "$entry" && kill -KILL "${entry%%:*}" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# Every descendant of PID $1 (not $1 itself), one per line, breadth first.
descendants() {
  local -A children=()
  local pid ppid queue=("$1") out=()
  while read -r pid ppid; do children[$ppid]+="$pid "; done < <(ps -e -o pid=,ppid=)
  while [ ${#queue[@]} -gt 0 ]; do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${children[$pid]:-}; do out+=("$c"); queue+=("$c"); done
  done
  printf '%s\n' "${out[@]}"
}
# "PID:STARTTIME": the start time tells a reused PID from ours.
identity() { echo "$1:$(awk '{print $22}' "/proc/$1/stat" 2>/dev/null)"; }
# True while the process of a recorded identity exists and is not a zombie.
alive() {
  local pid=${1%%:*} start=${1#*:} stat
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$(echo "${stat##*) }" | awk '{print $1}')" != Z ] || return 1
  [ "$(echo "${stat##*) }" | awk '{print $20}')" = "$start" ]
}
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
cpus_of() { awk '/^Cpus_allowed_list/ {print $2}' "/proc/$1/status" 2>/dev/null; }

ncpu=$(nproc)
pin=()
if [ "$ncpu" -ge 2 ]; then pin=(--pin "sut=0,gen=1"); fi

"$pbxbench" run --profile profiles/kamailio.toml --scenario sipflow --levels 30 --cps 50 --hold 30 \
  "${pin[@]}" --out "$work/out" > /dev/null 2> "$work/run.err" &
bg_pid=$!
for _ in $(seq 400); do grep -q "holding" "$work/run.err" && break; sleep 0.1; done
check "the run reached the hold" grep -q "holding" "$work/run.err"

mapfile -t pids < <(descendants "$bg_pid")
declare -A by_name=()
for p in "${pids[@]}"; do
  id=$(identity "$p")
  [ "${id#*:}" ] || continue  # already gone
  recorded+=("$id")
  name=$(comm_of "$p")
  by_name[$name]+="$p "
  echo "  descendant $p $name cpus=$(cpus_of "$p")"
done
check "descendants: several Kamailio processes (main and workers)" [ "$(wc -w <<< "${by_name[kamailio]:-}")" -ge 4 ]
check "descendants: rtpengine" [ -n "${by_name[rtpengine]:-}" ]
check "descendants: pbxbench uas and uac" [ "$(wc -w <<< "${by_name[pbxbench]:-}")" -ge 2 ]
check "descendants: the guard" [ -n "${by_name[pbxbench-guard]:-}" ]

if [ ${#pin[@]} -gt 0 ]; then
  for p in ${by_name[kamailio]:-} ${by_name[rtpengine]:-}; do
    check "pin: SUT/sidecar process $p ($(comm_of "$p")) on CPU 0" [ "$(cpus_of "$p")" = 0 ]
  done
  for p in ${by_name[pbxbench]:-}; do
    check "pin: generator process $p on CPU 1" [ "$(cpus_of "$p")" = 1 ]
  done
  check "pin: the harness itself (monitor) on CPU 1" [ "$(cpus_of "$bg_pid")" = 1 ]
fi

kill -KILL "$bg_pid"
wait "$bg_pid" 2>/dev/null
bg_pid=
deadline=$((SECONDS + 5))
left=()
while :; do
  left=()
  for entry in "${recorded[@]}"; do alive "$entry" && left+=("$entry"); done
  [ ${#left[@]} -eq 0 ] || [ $SECONDS -ge $deadline ] && break
  sleep 0.1
done
for entry in "${left[@]}"; do echo "  survivor ${entry%%:*} $(comm_of "${entry%%:*}")"; done
check "kill -9: every one of ${#recorded[@]} descendants gone within 5 s" [ ${#left[@]} -eq 0 ]

# The pinning is recorded in the results too (the level row is not written after kill -9, so
# a short pinned run of its own).
if [ ${#pin[@]} -gt 0 ]; then
  "$pbxbench" run --profile profiles/kamailio.toml --scenario mediaproxy_none --levels 5 --cps 50 \
    --hold 0.5 --cooldown 0 "${pin[@]}" --out "$work/pinned" > "$work/pinned.md" 2> "$work/pinned.err"
  check "pinned run: exit 0" [ $? -eq 0 ]
  check "pinned run: run.pinning" \
    jq -e -s 'map(select(.kind == "level")) | all(.run.pinning == {"sut": [0], "generator": [1]})' "$work/pinned/results.jsonl"
  check "pinned run: summary.md says where each ran" grep -q "SUT and sidecars on CPU 0, generator (uas, uac, monitor) on CPU 1" "$work/pinned.md"
fi
"$pbxbench" run --profile profiles/kamailio.toml --scenario mediaproxy_none --levels 5 --pin "sut=0,gen=$ncpu" \
  --out "$work/badpin" > /dev/null 2> "$work/badpin.err"
check "--pin with a CPU we do not have: exit 2" [ $? -eq 2 ]
check "--pin with a CPU we do not have: named" grep -q "CPU $ncpu is not available" "$work/badpin.err"

finish_tests run_kill_test
