#!/usr/bin/env bash
# Chaos: `pbxbench uac` against a hostile SIP peer (tests/integration/hostile_peer.py, a UAS on
# loopback UDP) that answers with bytes from the fuzz corpus and mutations of them, malformed,
# misordered, duplicated and oversized responses, and a seeded mix of those and correct
# answers. For every mode: uac exits with a documented code (0 or 1; never a signal, an abort
# or a sanitizer report) well within a time bound, prints exactly one summary whose
# `attempted` is N and whose outcomes add up to N, counts the garbage as parse errors, and
# leaves no process of ours (every process is tagged in its environment and /proc searched for
# the tag). In the mixed mode the correctly answered calls complete. The modes run side by
# side, each against its own peer: about 10 s.
# hostile_peer_test.sh PBXBENCH [MODE...]
set -uo pipefail
pbxbench=$(realpath "$1")
shift
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
corpus=$root/tests/fuzz/corpus/sip_message
work=$(mktemp -d)
tag=pbxbench-hostile-$$-$RANDOM
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(correct garbage malformed misordered duplicated oversized mixed)
bound=40 # seconds one uac may take: Timer B (64 T1 = 6.4 s) and F for the BYE fit many times
declare -A peer_pid uac_pid total
cleanup() {
  for p in "${peer_pid[@]}" "${uac_pid[@]}"; do kill -KILL "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

# PIDs of every process whose environment carries this test's tag.
ours() {
  grep -lsaF "PBXBENCH_HOSTILE_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
    awk -F/ -v self=$$ '$3 != self { print $3 }'
}

# Start every mode's peer, then every mode's uac against it.
for m in "${modes[@]}"; do
  total[$m]=6
  [ "$m" = mixed ] && total[$m]=30
  env PBXBENCH_HOSTILE_TAG="$tag" python3 "$here/hostile_peer.py" "$m" "$work/$m.port" \
    "$work/$m.calls" "$corpus" 18 2> "$work/$m.peer.err" &
  peer_pid[$m]=$!
done
for m in "${modes[@]}"; do
  for _ in $(seq 50); do [ -s "$work/$m.port" ] && break; sleep 0.1; done
  if [ ! -s "$work/$m.port" ]; then
    echo "FAIL: the $m peer did not start: $(cat "$work/$m.peer.err")"
    failures=$((failures + 1))
    continue
  fi
  (
    start=$(date +%s.%N)
    env PBXBENCH_HOSTILE_TAG="$tag" timeout -k 5 $bound "$pbxbench" uac \
      --target "sip:x@127.0.0.1:$(cat "$work/$m.port")" --total "${total[$m]}" --cps 20 \
      --hold 0.2 --t1 100ms --no-media --ring-timeout 2 --grace 2 --progress-interval 60 \
      > "$work/$m.out" 2> "$work/$m.err"
    echo $? > "$work/$m.rc"
    echo "$(date +%s.%N) - $start" | bc > "$work/$m.secs"
  ) &
  uac_pid[$m]=$!
done
for m in "${modes[@]}"; do [ -n "${uac_pid[$m]:-}" ] && wait "${uac_pid[$m]}"; done
for m in "${modes[@]}"; do
  [ -n "${peer_pid[$m]:-}" ] || continue
  kill -TERM "${peer_pid[$m]}" 2>/dev/null
  wait "${peer_pid[$m]}" 2>/dev/null
  prc=$?
  # The peer itself must have run to our SIGTERM: a peer that died would turn every mode into
  # plain timeouts and prove nothing.
  check "$m: the peer ran until stopped (exit $prc, stderr: $(head -c 300 "$work/$m.peer.err"))" \
    test "$prc" -eq 0 -a ! -s "$work/$m.peer.err"
done

summary() { jq -c 'select(.event == "summary")' "$work/$1.out" 2>/dev/null; }
# Calls the peer answered correctly in a mode (mixed: its seeded choice per call).
correct_calls() { awk '$2 == "correct"' "$work/$1.calls" 2>/dev/null | wc -l; }
garbage_calls() { awk '$2 == "garbage"' "$work/$1.calls" 2>/dev/null | wc -l; }

for m in "${modes[@]}"; do
  [ -f "$work/$m.rc" ] || continue
  rc=$(cat "$work/$m.rc")
  n=${total[$m]}
  s=$(summary "$m")
  echo "-- $m: exit $rc in $(cat "$work/$m.secs") s, peer's choices:" \
    "$(awk '{print $2}' "$work/$m.calls" 2>/dev/null | sort | uniq -c | xargs)"
  echo "$s" | jq -c '{attempted, completed, failed, outcomes, parse_errors: .transactions.parse_errors,
    stray: .transactions.stray_responses, late_provisionals, timeouts}' 2>/dev/null
  check "$m: uac ended within ${bound} s (not killed by timeout)" test "$rc" -ne 124 -a "$rc" -ne 137
  check "$m: uac exited 0 or 1 (got $rc)" test "$rc" -eq 0 -o "$rc" -eq 1
  check "$m: no sanitizer report, abort or terminate on stderr" \
    bash -c "! grep -Eqi 'AddressSanitizer|UndefinedBehaviorSanitizer|runtime error|terminate called|Aborted|core dumped' '$work/$m.err'"
  check "$m: exactly one summary line" test "$(summary "$m" | wc -l)" -eq 1
  check "$m: attempted == $n" jq -e --argjson n "$n" '.attempted == $n' <<< "$s"
  check "$m: outcomes add up to $n" jq -e --argjson n "$n" '[.outcomes[]] | add == $n' <<< "$s"
  check "$m: completed + failed == $n" jq -e --argjson n "$n" '.completed + .failed == $n' <<< "$s"
  check "$m: completed == outcomes.completed" jq -e '.completed == .outcomes.completed' <<< "$s"
  check "$m: exit code matches the outcomes (0 iff every call completed)" \
    jq -e --argjson rc "$rc" '(.outcomes.completed + .outcomes.cancelled == .attempted) == ($rc == 0)' <<< "$s"
  if [ "$(garbage_calls "$m")" -gt 0 ]; then
    check "$m: garbage counted as parse errors" jq -e '.transactions.parse_errors > 0' <<< "$s"
  fi
  if [ "$m" = malformed ]; then
    check "$m: broken responses counted as parse errors" jq -e '.transactions.parse_errors > 0' <<< "$s"
  fi
  c=$(correct_calls "$m")
  if [ "$c" -gt 0 ]; then
    check "$m: the $c correctly answered calls completed" \
      jq -e --argjson c "$c" '.outcomes.completed >= $c' <<< "$s"
  fi
  if [ "$m" = garbage ]; then
    check "garbage: the answered call whose BYE got garbage ended as failed_bye (bye:F)" \
      jq -e '.outcomes.failed_bye >= 1 and .timeouts["bye:F"] >= 1' <<< "$s"
  fi
  if [ "$m" = misordered ]; then
    check "misordered: calls complete, or (ringing until cancelled) end as ring_timeout" \
      jq -e '.outcomes.completed + .outcomes.ring_timeout == .attempted and .outcomes.ring_timeout >= 1' <<< "$s"
    check "misordered: stray responses and late 180s counted" \
      jq -e '.transactions.stray_responses > 0 and .late_provisionals > 0' <<< "$s"
  fi
  # Answers that are late, early, stray or repeated but well-formed lose no call.
  case $m in correct | duplicated)
    check "$m: every call completed, exit 0" test "$rc" -eq 0 ;;
  esac
done
check "no process of ours left" test -z "$(ours)"
finish_tests hostile_peer
