#!/bin/sh
# Kamailio's own count of registered contacts, for the harness's [[collect]] step "registrar":
# prints {"contacts": N, "users": M} from JSON-RPC stats.get_statistics (usrloc). The REGISTER
# load's row sets it beside its own count (docs/results.md "methods").
# Usage: usrloc-count.sh HTTP_PORT
set -eu
curl -sf -X POST -H 'Content-Type: application/json' \
  --data '{"jsonrpc":"2.0","method":"stats.get_statistics","params":["usrloc:"],"id":1}' \
  "http://127.0.0.1:$1/RPC" |
  jq -c '[.result[] | capture("^usrloc:location_(?<k>contacts|users) = (?<v>[0-9]+)$")]
         | map({(.k): (.v | tonumber)}) | add'
