#!/usr/bin/env bash
# Integration: a far end that moves the media mid-call by re-INVITE, as a B2BUA does for direct
# media (Asterisk's direct_media, FreeSWITCH's bypass). SIPp answers with media on echo port A,
# then re-INVITEs every call to echo port B; `pbxbench uac` must answer 200 with SDP, send its
# RTP to B from then on, lose nothing at the switch, and say that the media source moved.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
field() { grep '"event":"summary"' "$1" | tail -1 | jq -r "$2"; }

port_a=$(pick_port); port_b=$(pick_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(pick_port); done
python3 "$here/udp_echo.py" "$work/echo.counts" "$port_a" "$port_b" &
echo_pid=$!; pids+=("$echo_pid")
for _ in $(seq 50); do [ -e "$work/echo.counts.ready" ] && break; sleep 0.1; done

sipp_port=$(pick_port)
sipp -sf "$here/sipp/uas_reinvite.xml" -i 127.0.0.1 -p "$sipp_port" -mi 127.0.0.1 \
  -set first_port "$port_a" -set second_port "$port_b" \
  -nostdin -trace_err -error_file "$work/sipp.err" > /dev/null 2>&1 &
sipp_pid=$!; pids+=("$sipp_pid")
sleep 0.5

calls=5
timeout 60 "$pbxbench" uac --target "sip:echo@127.0.0.1:$sipp_port" --total $calls --cps 10 --hold 4 \
  > "$work/uac.jsonl" 2> "$work/uac.err"
rc=$?
kill -TERM "$echo_pid"; wait "$echo_pid" 2>/dev/null
check "re-INVITE: uac exit 0" [ $rc -eq 0 ]
check "re-INVITE: every call completed" [ "$(field "$work/uac.jsonl" .completed)" = $calls ]
check "re-INVITE: every re-INVITE received and answered 200" \
  [ "$(field "$work/uac.jsonl" '.reinvites | "\(.received)/\(.answered)/\(.refused)"')" = "$calls/$calls/0" ]
check "re-INVITE: media moved on every call" [ "$(field "$work/uac.jsonl" .reinvites.moved)" = $calls ]
check "re-INVITE: the RTP source changed on every call" [ "$(field "$work/uac.jsonl" .media_path.moved)" = $calls ]
a=$(awk -v p="$port_a" '$1 == p { print $2 }' "$work/echo.counts")
b=$(awk -v p="$port_b" '$1 == p { print $2 }' "$work/echo.counts")
sent=$(field "$work/uac.jsonl" .media.packets_sent)
echo "echoed at A: $a, at B: $b, UAC sent: $sent"
# 1.5 s on A and about 2.5 s on B per call, at 50 packets/s.
check "re-INVITE: packets went to A before the switch" [ "${a:-0}" -ge $((calls * 50)) ]
check "re-INVITE: packets went to B after the switch" [ "${b:-0}" -ge $((calls * 100)) ]
check "re-INVITE: every packet sent reached an echo" [ $((a + b)) -eq "$sent" ]
check "re-INVITE: loss 0 across the switch" \
  jq -e -s 'map(select(.event == "summary")) | .[-1].media | .packets_received == .packets_sent and .packets_lost == 0' "$work/uac.jsonl"
[ $failures -eq 0 ] || { cat "$work/uac.err"; cat "$work/sipp.err" 2>/dev/null | head -20; }
finish_tests reinvite_media
