# Shared by the shell integration tests: sources scripts/lib/kamailio.sh and defines the
# assertion helpers. Each test sets `work` and its own cleanup trap.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/scripts/lib/kamailio.sh"

failures=0
# check DESCRIPTION COMMAND...: runs the command (stdout hidden); counts and reports a failure.
check() {
  if "${@:2}" > /dev/null; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}

# finish_tests NAME: prints the count and exits non-zero if any check failed.
finish_tests() {
  echo "$1: $failures failure(s)"
  [ "$failures" -eq 0 ]
}

# uac_has_populations PBXBENCH: true when `pbxbench uac` places calls as the callers of a
# population (its summary then reports `population`). Until the UAC half of populations is in,
# tests of the callauth scenario check the harness side only.
uac_has_populations() {
  timeout 10 "$1" uac --users 1000,1001 --callers 1 --proxy 127.0.0.1:9 --total 0 --no-media \
    2>/dev/null | tail -1 | jq -e 'has("population")' > /dev/null 2>&1
}
