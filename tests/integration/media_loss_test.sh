#!/usr/bin/env bash
# Integration: loss figures against a known impairment. `pbxbench uas` runs in a network
# namespace behind a veth pair; nftables there drops 5% of the UDP coming in to its RTP/RTCP
# ports (30000-39999), chosen at random per datagram. The UAC (host side) must report a round
# trip loss of 5 +- 1 % (only the forward path is impaired), the UAS a forward loss of the same,
# and MOS must fall below a clean run's. Then RTT ground truth (netem is not available): a
# transparent relay (delay_relay.py behind nftables TPROXY) holds every datagram into those
# ports for 20 ms, and the RTCP round trip must read 20 +- 3 ms. Needs root.
set -uo pipefail
pbxbench=$1
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v nft > /dev/null || ! command -v ip > /dev/null; then
  echo "media_loss: needs root, ip and nft; skipped"
  exit 77
fi

ns=pbxb-loss-$$
# Interface names are limited to 15 characters; the pid keeps parallel runs apart.
veth_host=pbxbh$$
veth_ns=pbxbn$$
host_ip=10.201.0.1
ns_ip=10.201.0.2
sip_port=5060
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip link del "$veth_host" 2>/dev/null  # deletes its peer too
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary() { grep '"event":"summary"' "$1" | tail -1; }
field() { summary "$1" | jq -r "$2"; }
# within VALUE LOW HIGH: LOW <= VALUE <= HIGH (decimals).
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v != "null" && v >= lo && v <= hi) }'; }
less_than() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "null" && b != "null" && a < b) }'; }

ip netns add "$ns" || { echo "cannot create namespace $ns"; exit 1; }
ip link add "$veth_host" type veth peer name "$veth_ns" || exit 1
ip link set "$veth_ns" netns "$ns"
ip addr add "$host_ip/30" dev "$veth_host"
ip link set "$veth_host" up
ip netns exec "$ns" ip addr add "$ns_ip/30" dev "$veth_ns"
ip netns exec "$ns" ip link set "$veth_ns" up
ip netns exec "$ns" ip link set lo up

# run_pair NAME [UAC ARGS...]: one UAS in the namespace and calls from the host (default
# 100 x 10 s); leaves $work/NAME_uas.jsonl and $work/NAME_uac.jsonl.
uas_extra=()
run_pair() {
  local name=$1; shift
  local calls=(--total 100 --cps 50 --hold 10)
  [ $# -gt 0 ] && calls=("$@")
  ip netns exec "$ns" "$pbxbench" uas --bind "$ns_ip" --base-port "$sip_port" --endpoints 1 \
    --rtp-ports 30000-39999 --duration 60 "${uas_extra[@]}" > "$work/${name}_uas.jsonl" 2> "$work/${name}_uas.err" &
  local uas_pid=$!
  pids+=("$uas_pid")
  for _ in $(seq 100); do grep -q '"event":"ready"' "$work/${name}_uas.jsonl" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q '"event":"ready"' "$work/${name}_uas.jsonl"; then
    echo "uas ($name) never became ready"; cat "$work/${name}_uas.err"; return 1
  fi
  timeout 60 "$pbxbench" uac --target "sip:bob@$ns_ip:$sip_port" --bind "$host_ip:0" \
    "${calls[@]}" > "$work/${name}_uac.jsonl" 2> "$work/${name}_uac.err"
  local rc=$?
  # SIGTERM: the UAS ends its streams, prints its summary and exits (--duration is the bound).
  kill -TERM "$uas_pid" 2>/dev/null
  wait "$uas_pid" 2>/dev/null
  return $rc
}

# 1. Clean: no loss either way, the reference MOS.
run_pair clean
check "clean: uac exit 0" [ $? -eq 0 ]
check "clean: 100 calls completed" [ "$(field "$work/clean_uac.jsonl" .completed)" = 100 ]
check "clean: uac loss 0" within "$(field "$work/clean_uac.jsonl" .media.loss_percent)" 0 0.05
check "clean: uas loss 0" within "$(field "$work/clean_uas.jsonl" .media.loss_percent)" 0 0.05
check "clean: RTT under 2 ms" within "$(field "$work/clean_uac.jsonl" .media.rtt_ms.p50)" 0 2

# 2. 5% of datagrams into the UAS's media ports dropped.
ip netns exec "$ns" nft add table inet pbxb
ip netns exec "$ns" nft add chain inet pbxb in '{ type filter hook input priority 0; }'
ip netns exec "$ns" nft add rule inet pbxb in udp dport 30000-39999 numgen random mod 100 \< 5 counter drop
run_pair lossy
check "5% loss: uac exit 0" [ $? -eq 0 ]
check "5% loss: 100 calls completed" [ "$(field "$work/lossy_uac.jsonl" .completed)" = 100 ]
uac_loss=$(field "$work/lossy_uac.jsonl" .media.loss_percent)
uas_loss=$(field "$work/lossy_uas.jsonl" .media.loss_percent)
uac_sent=$(field "$work/lossy_uac.jsonl" .media.packets_sent)
uas_received=$(field "$work/lossy_uas.jsonl" .media.packets_received)
forward_loss=$(awk -v s="$uac_sent" -v r="$uas_received" 'BEGIN { if (s > 0) printf "%.3f", 100 * (s - r) / s }')
dropped=$(ip netns exec "$ns" nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -1)
clean_mos=$(field "$work/clean_uac.jsonl" .media.mos.mean)
lossy_mos=$(field "$work/lossy_uac.jsonl" .media.mos.mean)
echo "uac round-trip loss ${uac_loss}% | uas forward loss ${uas_loss}% | forward by counts ${forward_loss}%" \
     "(uac sent $uac_sent, uas received $uas_received, nft dropped $dropped) | MOS clean $clean_mos, lossy $lossy_mos"
check "5% loss: uac round-trip loss within 5 +- 1 %" within "$uac_loss" 4 6
check "5% loss: uas forward loss within 5 +- 1 %" within "$uas_loss" 4 6
check "5% loss: uas packets_received ~95% of uac packets_sent" within "$forward_loss" 4 6
check "5% loss: MOS below the clean run's" less_than "$lossy_mos" "$clean_mos"
check "5% loss: no silent calls" [ "$(field "$work/lossy_uac.jsonl" .media.silent_calls)" = 0 ]

# 3. RTT ground truth: a transparent relay (TPROXY) in the namespace holds every datagram into
# the UAS's media ports for 20 ms, so the round trip is 20 ms plus loopback noise.
ip netns exec "$ns" nft delete table inet pbxb
relay_port=9999
ip netns exec "$ns" ip rule add fwmark 1 lookup 100
ip netns exec "$ns" ip route add local 0.0.0.0/0 dev lo table 100
ip netns exec "$ns" nft add table ip pbxbrelay
ip netns exec "$ns" nft add chain ip pbxbrelay pre '{ type filter hook prerouting priority mangle; }'
ip netns exec "$ns" nft add rule ip pbxbrelay pre iifname "$veth_ns" udp dport 30000-39999 \
  tproxy to :$relay_port meta mark set 1 accept
ip netns exec "$ns" python3 "$(dirname "$0")/delay_relay.py" --port "$relay_port" --delay-ms 20 \
  > "$work/relay.out" 2> "$work/relay.err" &
relay_pid=$!
pids+=("$relay_pid")
for _ in $(seq 50); do grep -q ready "$work/relay.out" 2>/dev/null && break; sleep 0.1; done
# A long linger on both sides: the relay is Python on a shared machine, and a stall of a few
# hundred ms must not turn the last packets of a call into loss.
uas_extra=(--media-linger 1s)
run_pair delayed --total 20 --cps 20 --hold 8 --media-linger 1s
check "20 ms relay: uac exit 0" [ $? -eq 0 ]
kill -TERM "$relay_pid"; wait "$relay_pid" 2>/dev/null
delayed_rtt=$(field "$work/delayed_uac.jsonl" .media.rtt_ms.p50)
echo "20 ms relay: RTT p50 ${delayed_rtt} ms over $(field "$work/delayed_uac.jsonl" .media.rtt_ms.count) calls;" \
     "loss $(field "$work/delayed_uac.jsonl" .media.loss_percent)%;" \
     "uac sent $(field "$work/delayed_uac.jsonl" .media.packets_sent) RTP; $(cat "$work/relay.err") (RTP and RTCP)"
check "20 ms relay: the relay carried the media" grep -q "relayed [1-9]" "$work/relay.err"
check "20 ms relay: RTT p50 within 20 +- 3 ms" within "$delayed_rtt" 19 23
check "20 ms relay: RTT measured on most calls" within "$(field "$work/delayed_uac.jsonl" .media.rtt_ms.count)" 15 20
check "20 ms relay: no loss" within "$(field "$work/delayed_uac.jsonl" .media.loss_percent)" 0 0.05

finish_tests media_loss
