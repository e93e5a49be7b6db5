#!/usr/bin/env bash
# Integration: `pbxbench run` as a person meets it, on a terminal. A quick run of one Kamailio
# scenario at two small levels runs in a private tmux server; the screen is captured every few
# tenths of a second and must show where the run is (scenario and level k of N), the phase,
# elapsed and remaining time, labelled call counts, a line per finished level, and a final
# table within 100 columns that names summary.md. Then `--progress plain` must write
# timestamped lines without escape codes, and report.html and summary.md must show no JSON key
# of a metric or of the run metadata as a label.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
command -v tmux > /dev/null || { echo "tmux is not installed (scripts/install-deps installs it)"; exit 1; }
work=$(mktemp -d)
socket="pbxbench-live-$$"
# Only our own tmux server (its private socket), never another.
trap 'tmux -L "$socket" kill-server 2>/dev/null; rm -rf "$work"' EXIT
run=$work/run
# Unusual RTP ranges: other runs on this machine use the defaults.
ports=(--uac-rtp-ports 26400-26599 --uas-rtp-ports 52400-52599)

# 150 columns: wide enough that the final table's width is its own, not the pane's.
tmux -L "$socket" new-session -d -x 150 -y 60 \
  "'$pbxbench' run --profile profiles/kamailio.toml --quick --scenario mediaproxy_none --levels 10,20 --out '$run' ${ports[*]}; echo \"pbxbench exited \$?\"; sleep 120"
: > "$work/screens"
for _ in $(seq 1 200); do
  screen=$(tmux -L "$socket" capture-pane -p -J 2>/dev/null) || break
  printf '%s\n=====\n' "$screen" >> "$work/screens"
  grep -q "pbxbench exited" <<< "$screen" && break
  sleep 0.25
done
final=$(tmux -L "$socket" capture-pane -p -J -S - 2>/dev/null)
printf '%s\n' "$final" > "$work/final"
tmux -L "$socket" kill-server 2>/dev/null

check "tty: pbxbench run exited 0" grep -q "pbxbench exited 0" "$work/final"
check "tty: status says scenario 1 of 1 and level 1 of 2" \
  grep -q "scenario 1 of 1: mediaproxy_none | level 1 of 2: 10 calls | " "$work/screens"
check "tty: status says level 2 of 2" grep -q "| level 2 of 2: 20 calls | " "$work/screens"
check "tty: status shows the phase" \
  grep -Eq "20 calls \| (ramping|holding|draining) \| level " "$work/screens"
check "tty: elapsed and remaining time for the level and the run" \
  grep -Eq "\| level [0-9]+:[0-9]{2}, ~[0-9]+:[0-9]{2} left \| run [0-9]+:[0-9]{2}, ~[0-9]+:[0-9]{2} left" "$work/screens"
check "tty: our calls and Kamailio's dialogs, each labelled" \
  grep -Eq "^calls: ours [0-9]+, kamailio dialogs [0-9]+ \| [0-9.]+ cps \| failed 0 \| loss " "$work/screens"
for level in 10 20; do
  for phase in "starting SUT" registering ramping holding draining stopping; do
    check "tty: a phase line for $level calls: $phase" \
      grep -q "pbxbench run: mediaproxy_none at $level calls: $phase\$" "$work/final"
  done
  check "tty: a finished-level line for $level" \
    grep -Eq "pbxbench run: done mediaproxy_none@$level ok: $level/$level calls, setup p95 [0-9.]+ ms, CPU/call " "$work/final"
done
summary_table=$(sed -n '/^Results (/,/pbxbench exited/p' "$work/final")
check "tty: the final table is printed" grep -q "mediaproxy_none@20 *ok *20/20" <<< "$summary_table"
check "tty: the final table names summary.md" grep -q "^  $run/summary.md\$" <<< "$summary_table"
check "tty: the final table fits 100 columns (paths aside)" \
  bash -c "! grep -v '^  /' <<< \"\$1\" | awk 'length > 100 { bad = 1 } END { exit !bad }'" _ "$summary_table"
check "tty: summary.md itself stays whole on disk" grep -q "## Key figures" "$run/summary.md"

# --progress plain, stderr to a file: timestamped lines, no escape codes, a finished level.
"$pbxbench" run --profile profiles/kamailio.toml --quick --scenario mediaproxy_none --levels 5 \
  --hold 1 --progress plain --out "$work/plain" "${ports[@]}" > "$work/plain.md" 2> "$work/plain.err"
check "plain: exit 0" [ $? -eq 0 ]
check "plain: no escape codes or carriage returns" bash -c "! grep -q \$'[\\e\\r]' '$work/plain.err'"
check "plain: every line timestamped" \
  bash -c "! grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ' '$work/plain.err'"
check "plain: a status line with the time left" grep -Eq "pbxbench run: status: scenario 1 of 1: .*~[0-9]+:[0-9]{2} left" "$work/plain.err"
check "plain: a finished-level line" grep -q "pbxbench run: done mediaproxy_none@5 ok: 5/5 calls" "$work/plain.err"
check "plain: stdout, not a terminal, still gets summary.md whole" grep -q "## Key figures" "$work/plain.md"

# Labels for people: no snake_case key of a metric or of the run metadata in the visible text of
# report.html or in summary.md, and the SUT version once.
keys=$(jq -r 'select(.kind == "level") | ((.metrics | keys[]), (.run | keys[]))' "$run/results.jsonl" | grep _ | sort -u)
check "labels: the rows carry snake_case keys to look for" [ -n "$keys" ]
visible=$(sed -e 's/<[^>]*>/ /g' "$run/report.html")
for key in $keys; do
  check "labels: report.html shows no '$key'" bash -c "! grep -qw -- '$key' <<< \"\$1\"" _ "$visible"
  check "labels: summary.md shows no '$key'" bash -c "! grep -qw -- '$key' '$run/summary.md'"
done
check "labels: the SUT version once in summary.md" \
  bash -c "grep -q '| SUT version | kamailio ' '$run/summary.md' && ! grep -q 'version: kamailio' '$run/summary.md'"
# Kamailio relays no 180 from our UAS, so no call has a post-dial delay: named, not drawn at 0 ms.
if [ "$(jq -s '[.[] | select(.kind == "level") | .latency.post_dial_delay_ms.count] | add' "$run/results.jsonl")" = 0 ]; then
  check "no samples: post-dial delay is not drawn" \
    bash -c "! grep -q 'data-name=\"post-dial delay\" data-points=\"[1-9]' '$run/report.html' && grep -q 'post-dial delay (no samples)' '$run/report.html'"
fi
check "labels: the SUT version once in report.html" bash -c "! grep -q 'version: kamailio' '$run/report.html'"

if [ "$failures" -ne 0 ]; then
  echo "--- last screens"; tail -n 40 "$work/screens"
  echo "--- final screen"; cat "$work/final"
fi
finish_tests live_view
