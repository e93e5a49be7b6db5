#!/usr/bin/env bash
# Integration: `pbxbench monitor` on a real Kamailio: its forked process tree, PSS below summed
# RSS (the workers share pages), and active calls read from its JSON-RPC health endpoint while
# `pbxbench uac` holds calls through it.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  stop_kamailio
  [ -n "${KEEP:-}" ] && cp -r "$work" /tmp/monkeep; rm -rf "$work"
}
trap cleanup EXIT

start_kamailio "$work/kam" || exit 1
wait_kamailio_ready "$pbxbench" 15 || exit 1
rpc='{"jsonrpc":"2.0","method":"dlg.stats_active","id":1}'

"$pbxbench" uas --bind 127.0.0.1 --endpoints 1 --registrar "127.0.0.1:$KAM_SIP_PORT" --users bob --password secret \
  > "$work/uas.jsonl" 2> "$work/uas.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '"event":"ready"' "$work/uas.jsonl" && break; sleep 0.1; done

"$pbxbench" monitor --pid "kamailio=$KAM_PID" --interval 200ms --duration 4s --detail-interval 1s \
  --health-url "http://127.0.0.1:$KAM_HTTP_PORT/RPC" --health-method POST --health-body "$rpc" \
  --calls-pointer /result/all --out "$work/samples.jsonl" 2> "$work/monitor.err" &
monitor_pid=$!
sleep 0.5
"$pbxbench" uac --target "sip:bob@127.0.0.1:$KAM_SIP_PORT" --total 15 --cps 50 --hold 2.5 > "$work/uac.jsonl" 2>/dev/null
check "uac through kamailio: exit 0" [ $? -eq 0 ]
wait "$monitor_pid"
check "monitor: exit 0" [ $? -eq 0 ]

sample_lines() { jq -c 'select(.type == "sample")' "$work/samples.jsonl"; }
samples=$(sample_lines | wc -l)
check "monitor: about 21 samples in 4 s at 200 ms (got $samples)" [ "$samples" -ge 17 ] && [ "$samples" -le 22 ]
check "monitor: the summary is the last line" jq -e '.type == "summary"' <<< "$(tail -1 "$work/samples.jsonl")"
peak_calls=$(sample_lines | jq -s '[.[] | .calls // 0] | max')
check "monitor: peak active calls from the health endpoint is 15 (got $peak_calls)" [ "$peak_calls" = 15 ]
procs=$(sample_lines | jq -s '.[2].trees.kamailio.processes')
check "monitor: kamailio's whole tree is sampled (>= 4 processes, got $procs)" [ "$procs" -ge 4 ]
pss_rss=$(sample_lines | jq -s '[.[] | .trees.kamailio | select(.pss_bytes != null)] | last | (.pss_bytes < .rss_bytes)')
check "monitor: PSS below summed RSS for kamailio's forked workers" [ "$pss_rss" = true ]
health_ok=$(sample_lines | jq -s '[.[] | select(.health_ok == true)] | length')
check "monitor: every poll of the health endpoint succeeded ($health_ok of $samples)" [ "$health_ok" = "$samples" ]

"$pbxbench" monitor --pid 999999999 --duration 1s > /dev/null 2> "$work/badpid.err"
check "monitor: unknown PID exits 2" [ $? -eq 2 ]
check "monitor: error names the PID" grep -q 'no process with PID 999999999' "$work/badpid.err"

finish_tests monitor_kamailio_test
