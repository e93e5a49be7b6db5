#!/bin/sh
# Where the media went, counted by the kernel (independent of Asterisk and of pbxbench):
# nftables counters on loopback for every UDP datagram into Asterisk's RTP ports (rtp.conf's
# rtpstart-rtpend; input hook) and out of them (output hook).
#   rtp-count.sh start RTP_START RTP_END      before Asterisk starts (a [[setup]] step)
#   rtp-count.sh report RTP_START RTP_END     after the calls (a [[collect]] step): prints
#       {"asterisk_in": I, "asterisk_out": O} and removes the counters
# Compare asterisk_in with the media datagrams the endpoints sent (the row's media.packets_sent
# for the UAC, plus the UAS's): when Asterisk relays (relay_media) every one of them goes
# into Asterisk; with direct media only the few sent before the re-INVITEs moved the media
# do; in echo Asterisk receives the UAC's packets and sends them back.
# Only Asterisk's range is counted: pbxbench's own ranges are shared with whatever else runs
# on the machine, Asterisk's is this profile's alone.
# The table is named after the range and the harness that runs us ($PPID); a table left
# behind by a level that failed before its report, or by a killed harness, is deleted by the
# next start (same harness, or one no longer running).
set -eu
[ $# -eq 3 ] || { echo "usage: rtp-count.sh start|report RTP_START RTP_END" >&2; exit 2; }
cmd=$1 rtp_start=$2 rtp_end=$3
harness=$PPID
table=pbxbench_rtp_${rtp_start}_h$harness
case "$cmd" in
  start)
    for t in $(nft list tables inet 2>/dev/null | awk '$3 ~ /^pbxbench_rtp_[0-9]+_h[0-9]+$/ {print $3}'); do
      owner=${t##*_h}
      if [ "$owner" = "$harness" ] || ! kill -0 "$owner" 2>/dev/null; then nft delete table inet "$t" || true; fi
    done
    nft -f - <<NFT
table inet $table {
  chain in { type filter hook input priority -300; udp dport $rtp_start-$rtp_end counter; }
  chain out { type filter hook output priority -300; udp sport $rtp_start-$rtp_end counter; }
}
NFT
    ;;
  report)
    packets() { nft -j list chain inet "$table" "$1" | jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'; }
    i=$(packets in); o=$(packets out)
    nft delete table inet "$table" || true
    echo "{\"asterisk_in\": $i, \"asterisk_out\": $o}"
    ;;
  *)
    echo "usage: rtp-count.sh start|report RTP_START RTP_END" >&2
    exit 2
    ;;
esac
