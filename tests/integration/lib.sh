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
