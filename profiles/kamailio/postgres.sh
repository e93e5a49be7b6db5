#!/bin/sh
# A private PostgreSQL for the sipflow scenario, entirely inside the run dir:
#   postgres.sh init RUN_DIR SCHEMA.sql   initdb into RUN_DIR/pgdata, then load the schema in
#                                         single-user mode (no server, no port needed yet)
#   postgres.sh run RUN_DIR PORT          the server in the foreground on 127.0.0.1:PORT only
#                                         (no Unix socket); SIGINT is a fast shutdown
# PostgreSQL refuses to run as root. As root we run it in a user namespace of its own
# (unshare --map-user): inside, it is an ordinary user that owns the data dir, and outside its
# files stay root's, so the run dir needs no chown and its parents no extra permissions.
# Durability is off (fsync, synchronous_commit, full_page_writes): the database lives for one
# benchmark level, and this measures the cost of storing every message, not of the disk.
set -eu
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/postgres" ] || { echo "postgres.sh: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2; exit 1; }
as_user() {
  if [ "$(id -u)" -eq 0 ]; then exec_prefix="unshare --user --map-user=65534 --map-group=65534"; else exec_prefix=""; fi
}
as_user
cmd=$1 run_dir=$2
data=$run_dir/pgdata
case "$cmd" in
  init)
    schema=$3
    rm -rf "$data"
    $exec_prefix "$bin/initdb" -D "$data" -U kamailio --auth=trust -E UTF8 --no-locale --no-sync > "$run_dir/initdb.log" 2>&1 ||
      { cat "$run_dir/initdb.log" >&2; exit 1; }
    $exec_prefix "$bin/postgres" --single -D "$data" -j -c exit_on_error=on postgres < "$schema" > "$run_dir/schema.log" 2>&1 ||
      { cat "$run_dir/schema.log" >&2; exit 1; }
    if grep -q "ERROR:" "$run_dir/schema.log"; then cat "$run_dir/schema.log" >&2; exit 1; fi
    ;;
  run)
    port=$3
    exec $exec_prefix "$bin/postgres" -D "$data" -c listen_addresses=127.0.0.1 -p "$port" \
      -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=100 -c logging_collector=off
    ;;
  *)
    echo "usage: postgres.sh init RUN_DIR SCHEMA.sql | run RUN_DIR PORT" >&2
    exit 2
    ;;
esac
