# Shell helpers to run a private Kamailio from profiles/kamailio on free loopback ports.
# Source it; every process it starts is stopped by PID (its own process group) on exit.

# Prints a UDP+TCP port free on 127.0.0.1 (in 20000-29999).
pick_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 10000))
    if [ -z "$(ss -Hlnu "sport = :$p")" ] && [ -z "$(ss -Hlnt "sport = :$p")" ]; then
      echo "$p"
      return 0
    fi
  done
  echo "pick_port: no free port found in 20000-29999" >&2
  return 1
}

# start_kamailio RUN_DIR [KAMAILIO ARGS...]: renders the profile config into RUN_DIR and starts
# Kamailio in its own process group; extra arguments (e.g. -A WITH_RTPENGINE, with
# KAM_RTPENGINE_NG_PORT set) go to kamailio. Sets KAM_PID, KAM_SIP_PORT, KAM_HTTP_PORT, KAM_LOG.
# KAM_SHM_MB (default 64) sizes its shared memory: transactions linger in it, so high request
# rates need more. KAM_DEFINES adds config switches too, e.g. "-A WITH_CALLAUTH".
start_kamailio() {
  local run_dir=$1 root
  shift
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  mkdir -p "$run_dir"
  KAM_LOG=$run_dir/kamailio.log
  KAM_SIP_PORT=$(pick_port) && KAM_HTTP_PORT=$(pick_port) || return 1
  sed -e "s/\${SIP_PORT}/$KAM_SIP_PORT/g; s/\${HTTP_PORT}/$KAM_HTTP_PORT/g" \
      -e "s/\${UDP_WORKERS}/4/g; s/\${EXTENSION_PASSWORD}/${KAM_PASSWORD:-secret}/g" \
      -e "s/\${RTPENGINE_NG_PORT}/${KAM_RTPENGINE_NG_PORT:-0}/g" -e "s|\${RUN_DIR}|$run_dir|g" \
      "$root/profiles/kamailio/kamailio.cfg.in" > "$run_dir/kamailio.cfg"
  # setsid: own process group; --pdeathsig: Kamailio stops if this shell dies.
  # shellcheck disable=SC2086  # KAM_DEFINES is a list of words, e.g. "-A WITH_CALLAUTH"
  setsid setpriv --pdeathsig TERM kamailio -DD -E -f "$run_dir/kamailio.cfg" -Y "$run_dir" ${KAM_DEFINES:-} \
      -m "${KAM_SHM_MB:-64}" -M 8 "$@" > "$KAM_LOG" 2>&1 &
  KAM_PID=$!
}

# wait_kamailio_ready PBXBENCH SECONDS: polls with SIP OPTIONS until Kamailio answers 200.
wait_kamailio_ready() {
  local pbxbench=$1 deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$KAM_PID" 2>/dev/null; then
      echo "kamailio exited during start-up; its log ends with:" >&2
      tail -n 20 "$KAM_LOG" >&2 || true
      return 1
    fi
    if "$pbxbench" ping "127.0.0.1:$KAM_SIP_PORT" -c 1 --t1-ms 50 >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "kamailio did not answer OPTIONS on 127.0.0.1:$KAM_SIP_PORT within $2 s" >&2
  return 1
}

# stop_kamailio: SIGTERM to its process group, up to 5 s grace, then SIGKILL.
stop_kamailio() {
  [ -n "${KAM_PID:-}" ] || return 0
  kill -TERM -- "-$KAM_PID" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 -- "-$KAM_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$KAM_PID" 2>/dev/null || true
  wait "$KAM_PID" 2>/dev/null || true
  KAM_PID=
}
