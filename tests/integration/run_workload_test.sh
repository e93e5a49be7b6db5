#!/usr/bin/env bash
# Integration: a profile scenario that names a workload ([workloads.storm] in
# tests/integration/profiles/kamailio-registration.toml) through `pbxbench run`: calls only
# against calls during a registration storm of 500 users (refreshed and un-REGISTERed) with
# OPTIONS pings. Checks the rows' per-method figures against Kamailio's own count, summary.md's
# Method loads table, the CSV columns, and that `pbxbench compare` judges registration latency.
# About 15 s.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT

"$pbxbench" run --profile tests/integration/profiles/kamailio-registration.toml --levels 10 \
  --cps 50 --hold 2 --cooldown 0 --no-media --out "$work/run" > "$work/run.md" 2> "$work/run.err"
rc=$?
check "run exits 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -20 "$work/run.err"
rows=$work/run/results.jsonl
storm() { jq -c "select(.kind == \"level\" and .scenario == \"registration_storm\") | $1" "$rows"; }
calls() { jq -c "select(.kind == \"level\" and .scenario == \"calls_only\") | $1" "$rows"; }
check "both levels ok" [ "$(jq -s '[.[] | select(.kind == "level" and .state == "ok")] | length' "$rows")" = 2 ]
check "calls_only has no methods" [ "$(calls '.methods')" = null ]
check "the storm's calls all completed" [ "$(storm '.calls.completed')" = 10 ]
check "500 users registered at the peak" [ "$(storm '.methods.register.counters.peak_bindings')" = 500 ]
check "every REGISTER succeeded" [ "$(storm '.methods.register.ok == .methods.register.sent and .methods.register.failed == 0')" = true ]
check "bindings were refreshed" [ "$(storm '.methods.register.counters.refreshes > 0')" = true ]
check "500 un-REGISTERed" [ "$(storm '.methods.register.counters.unregistered')" = 500 ]
# After the level only the 20 callees' UAS bindings are left in Kamailio: ours are all gone.
check "Kamailio's count after: the 20 callees only" [ "$(storm '.methods.register.registrar_contacts_after')" = 20 ]
check "SUT bytes per contact measured (a number; PSS is sampled every few seconds)" [ "$(storm '.methods.register.sut_bytes_per_contact | type')" = '"number"' ]
check "OPTIONS pings answered, to Kamailio and through it to callees" [ "$(storm '.methods.options.ok > 0 and .methods.options.failed == 0 and .methods.options.counters.to_users > 0')" = true ]
check "register p95 metric in the row" [ "$(storm '.metrics.register_p95_ms > 0')" = true ]
check "methods_total counts calls and methods" \
  [ "$(storm '.methods_total.sent == 10 + .methods.register.sent + .methods.options.sent')" = true ]
check "CSV has per-method columns" grep -q 'methods.register.latency_ms.p95' "$work/run/results.csv"
check "summary.md has the Method loads table" grep -q '^| 10 | registration_storm | register | ' "$work/run/summary.md"
check "summary.md has the combined line" grep -q '^| 10 | registration_storm | all | ' "$work/run/summary.md"

# compare: the same run against a copy whose registrations took twice as long, plus 5 ms.
mkdir -p "$work/slow"
jq -c 'if .kind == "level" and .methods.register != null
       then .methods.register.latency_ms |= with_entries(if .key == "count" then . else .value = .value * 2 + 5 end)
       else . end' "$rows" > "$work/slow/results.jsonl"
"$pbxbench" compare "$work/run" "$work/slow" > "$work/compare.txt" 2>&1
check "compare exits 1 on slower registrations" [ $? -eq 1 ]
check "compare names register_p95_ms as the regression" grep -Eq 'register_p95_ms .*REGRESSION' "$work/compare.txt"
"$pbxbench" compare "$work/run" "$work/run" > /dev/null 2>&1
check "compare of a run with itself exits 0" [ $? -eq 0 ]

finish_tests run_workload_test
