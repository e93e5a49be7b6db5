#!/usr/bin/env bash
# Integration: media between `pbxbench uac` and `pbxbench uas` directly on loopback, 200 calls
# held 10 s (2,000 RTP packets/s each way at full load), in both port layouts: every packet the
# UAC sent reached the UAS and came back, loss 0, jitter and pacing sane, DTMF counted, and the
# UAS saw the same from its side. Then --no-media: no RTP at all.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
summary() { grep '"event":"summary"' "$1" | tail -1; }
field() { summary "$1" | jq -r "$2"; }
wait_ready() {  # wait_ready FILE: until a `ready` event, at most 10 s
  for _ in $(seq 100); do grep -q '"event":"ready"' "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# run_layout NAME ARGS...: UAS until the UAC is done, then the UAC's and UAS's summaries. ARGS
# go to both; `uac_only` to the UAC alone.
uac_only=()
run_layout() {
  local name=$1; shift
  "$pbxbench" uas --bind 127.0.0.1 --rtp-ports 42000-43999 "$@" > "$work/$name-uas.jsonl" 2> "$work/$name-uas.err" &
  local uas=$!; pids+=("$uas")
  wait_ready "$work/$name-uas.jsonl" || { echo "uas $name never became ready"; cat "$work/$name-uas.err"; return 1; }
  local port; port=$(grep '"event":"ready"' "$work/$name-uas.jsonl" | jq -r '.ports[0]')
  "$pbxbench" uac --target "sip:bob@127.0.0.1:$port" --total 200 --cps 100 --hold 10 \
    --rtp-ports 24000-25999 --dtmf "2s:1,4s:#" "$@" "${uac_only[@]}" > "$work/$name-uac.jsonl" 2> "$work/$name-uac.err"
  local rc=$?
  kill -TERM "$uas"; wait "$uas" 2>/dev/null
  return $rc
}

for layout in per_call shared; do
  args=()
  [ "$layout" = shared ] && args=(--rtp-shared-sockets 2)
  run_layout "$layout" "${args[@]}"
  check "$layout: uac exit 0" [ $? -eq 0 ]
  u=$work/$layout-uac.jsonl s=$work/$layout-uas.jsonl
  check "$layout: 200 calls completed" [ "$(field "$u" .completed)" = 200 ]
  check "$layout: ~500 packets per call sent (10 s at 50/s)" \
    jq -e -s 'map(select(.event == "summary")) | .[-1].media | .packets_sent >= 200 * 490 and .packets_sent <= 200 * 510' "$u"
  check "$layout: every packet came back (received == sent, loss 0)" \
    jq -e -s 'map(select(.event == "summary")) | .[-1].media | .packets_received == .packets_sent and .loss_percent == 0 and .packets_lost == 0 and .duplicates == 0' "$u"
  uac_sent=$(field "$u" .media.packets_sent) uas_in=$(field "$s" .media.packets_received) uas_out=$(field "$s" .media.packets_sent)
  check "$layout: the UAS received every packet the UAC sent and echoed each" \
    [ "$uas_in" = "$uac_sent" -a "$uas_out" = "$uas_in" ]
  check "$layout: jitter p95 < 5 ms, pacing lag p99 < 5 ms, MOS > 4.3" \
    jq -e -s 'map(select(.event == "summary")) | .[-1].media | .jitter_ms.p95 < 5 and .generator.pacing_lag.p99_ms < 5 and .mos.mean > 4.3' "$u"
  check "$layout: RTT measured on most calls, no silent or one-way call" \
    jq -e -s 'map(select(.event == "summary")) | .[-1].media | .rtt_ms.count >= 150 and .silent_calls == 0 and .one_way_calls == 0' "$u"
  check "$layout: 2 DTMF digits per call sent, echoed back and counted at both ends" \
    [ "$(field "$u" .media.dtmf_sent)/$(field "$u" .media.dtmf_received)/$(field "$s" .media.dtmf_received)" = 400/400/400 ]
  check "$layout: no unmatched datagram, send error or kernel drop" \
    jq -e -s 'map(select(.event == "summary")) | .[-1].media.generator | .unmatched_datagrams == 0 and .send_errors == 0 and .kernel_drops == 0' "$u"
done

# --threads 3: the same schedule over three shards; the merged summary counts every call once.
uac_only=(--threads 3)
run_layout threads
check "threads: uac exit 0" [ $? -eq 0 ]
uac_only=()
u=$work/threads-uac.jsonl s=$work/threads-uas.jsonl
check "threads: 200 calls completed over 3 threads, one Call-ID space" \
  jq -e -s 'map(select(.event == "summary")) | .[-1] | .completed == 200 and .config.threads == 3 and .latency.setup_ms.count == 200 and .media.calls == 200' "$u"
check "threads: every packet came back, and the UAS saw every one" \
  [ "$(field "$u" .media.packets_received)/$(field "$s" .media.packets_received)" = "$(field "$u" .media.packets_sent)/$(field "$u" .media.packets_sent)" ]

# --no-media: the UAC sends nothing and reports no media.
"$pbxbench" uas --bind 127.0.0.1 --no-media > "$work/off-uas.jsonl" 2> /dev/null &
uas=$!; pids+=("$uas")
wait_ready "$work/off-uas.jsonl"
port=$(grep '"event":"ready"' "$work/off-uas.jsonl" | jq -r '.ports[0]')
"$pbxbench" uac --target "sip:bob@127.0.0.1:$port" --total 5 --cps 50 --hold 0.5 --no-media > "$work/off-uac.jsonl" 2>/dev/null
check "no-media: media null in the UAC summary" [ "$(field "$work/off-uac.jsonl" .media)" = null ]
kill -TERM "$uas"; wait "$uas" 2>/dev/null
check "no-media: the UAS reports no media" [ "$(field "$work/off-uas.jsonl" .media)" = null ]

finish_tests media_direct
