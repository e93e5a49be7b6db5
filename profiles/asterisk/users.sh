#!/bin/sh
# Writes RUN_DIR/pjsip_users.conf: an endpoint, an auth and an aor named after each user,
# users FIRST .. FIRST+COUNT-1 with PREFIX, each inheriting pjsip.conf's *-defaults
# templates (the password is there, never on this command line).
# Usage: users.sh RUN_DIR PREFIX FIRST COUNT
set -eu
[ $# -eq 4 ] || { echo "usage: users.sh RUN_DIR PREFIX FIRST COUNT" >&2; exit 2; }
run_dir=$1 prefix=$2 first=$3 count=$4
out=$run_dir/pjsip_users.conf
awk -v prefix="$prefix" -v first="$first" -v count="$count" 'BEGIN {
    print "; " count " users, written by pbxbench'"'"'s profiles/asterisk/users.sh"
    for (i = 0; i < count; i++) {
        u = prefix (first + i)
        printf "[%s](endpoint-defaults)\nauth = %s\naors = %s\n", u, u, u
        printf "[%s](auth-defaults)\nusername = %s\n", u, u
        printf "[%s](aor-defaults)\n\n", u
    }
}' > "$out.tmp"
mv "$out.tmp" "$out"
echo "users.sh: $count users in $out" >&2
