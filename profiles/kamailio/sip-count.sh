#!/bin/sh
# The sipflow scenario's proof that every SIP message was stored: the kernel counts every
# datagram to and from Kamailio's SIP port (nftables counters on loopback, independent of
# Kamailio and of siptrace), and the trace table is counted in PostgreSQL.
#   sip-count.sh start SIP_PORT                   before Kamailio starts (a [[setup]] step)
#   sip-count.sh report SIP_PORT PG_PORT          after the calls (a [[collect]] step): prints
#       {"rows": R, "sip_messages_expected": E, "complete": true|false, "sip_in": I, "sip_out": O}
#       and removes the counters
# E = datagrams into Kamailio's SIP port (input hook, dport) + datagrams out of it (output hook,
# sport): readiness pings, REGISTERs and challenges, every call's messages, retransmissions.
# siptrace (trace_mode 2) stores one row per datagram received and per datagram sent. A datagram
# the kernel drops on Kamailio's full receive buffer would be counted but never stored.
# report waits up to 3 s for the last rows to commit (the count of rows stops changing).
# The counters are an nftables table named after the port and the harness that runs us ($PPID:
# the harness launches both steps directly). report deletes it; a table left behind by a level
# that failed before its report, or by a harness that was killed, is deleted by the next start
# (same harness, or a harness no longer running); other harnesses' tables are left alone.
set -eu
cmd=$1 sip_port=$2
harness=$PPID
table=pbxbench_sip_${sip_port}_h$harness
case "$cmd" in
  start)
    for t in $(nft list tables inet 2>/dev/null | awk '$3 ~ /^pbxbench_sip_[0-9]+_h[0-9]+$/ {print $3}'); do
      owner=${t##*_h}
      if [ "$owner" = "$harness" ] || ! kill -0 "$owner" 2>/dev/null; then nft delete table inet "$t" || true; fi
    done
    nft -f - <<NFT
table inet $table {
  chain in { type filter hook input priority -300; udp dport $sip_port counter; }
  chain out { type filter hook output priority -300; udp sport $sip_port counter; }
}
NFT
    ;;
  report)
    pg_port=$3
    rows() { psql -h 127.0.0.1 -p "$pg_port" -U kamailio -d postgres -tAc "select count(*) from sip_trace"; }
    packets() { nft -j list chain inet "$table" "$1" | jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'; }
    last=-1
    for _ in $(seq 15); do
      r=$(rows); i=$(packets in); o=$(packets out)
      [ "$r" -eq $((i + o)) ] || [ "$r" -eq "$last" ] && break
      last=$r
      sleep 0.2
    done
    nft delete table inet "$table" || true
    complete=false
    [ "$r" -eq $((i + o)) ] && complete=true
    echo "{\"rows\": $r, \"sip_messages_expected\": $((i + o)), \"complete\": $complete, \"sip_in\": $i, \"sip_out\": $o}"
    ;;
  *)
    echo "usage: sip-count.sh start SIP_PORT | report SIP_PORT PG_PORT" >&2
    exit 2
    ;;
esac
