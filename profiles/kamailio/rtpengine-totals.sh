#!/bin/sh
# rtpengine's own counters after the calls (`rtpengine-ctl list totals`), as one JSON line:
# proof that media went through the relay, to set against what the UAC and UAS counted.
# Usage: rtpengine-totals.sh CLI_PORT
set -eu
out=$(rtpengine-ctl -ip "127.0.0.1:$1" list totals)
field() { printf '%s\n' "$out" | awk -F: -v k="$1" '$1 ~ "^ *"k" *$" { gsub(/ /, "", $2); print $2; exit }'; }
printf '{"relayed_packets":%s,"relayed_packet_errors":%s,"relayed_bytes":%s,"managed_sessions":%s,"one_way_streams":%s,"streams_without_packets":%s}\n' \
  "$(field 'Total relayed packets')" "$(field 'Total relayed packet errors')" \
  "$(field 'Total relayed bytes')" "$(field 'Total managed sessions')" \
  "$(field 'Total number of 1-way streams')" "$(field 'Total number of streams with no relayed packets')"
