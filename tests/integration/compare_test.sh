#!/usr/bin/env bash
# Integration: `pbxbench compare` on a real quick run of Kamailio: identical runs pass, CPU
# raised 20% fails with exit 1 naming the metric, unmatched levels are listed, metadata
# mismatches warn, repeats use Welch's t-test, malformed input exits 2 with a clear error.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$pbxbench" run --profile profiles/kamailio.toml --quick --scenario mediaproxy_none \
  --out "$work/base" > /dev/null 2> "$work/run.err"
check "the quick run wrote level rows" [ "$(jq -c 'select(.kind == "level")' "$work/base/results.jsonl" | wc -l)" -eq 2 ]
base=$work/base/results.jsonl
# A quick level can cost Kamailio less than a /proc clock tick per sample (CPU 0.0 at full
# load), and +20% of 0 is no change: give such figures a known nonzero value first, so the
# checks below do not depend on how busy the machine was.
jq -c 'if .kind == "level" and (.sut.cpu_percent | type) == "object" then
    .sut.cpu_percent |= with_entries(if (.value | type) == "number" and .value <= 0 then .value = 5 else . end)
  else . end' "$base" > "$work/base.tmp" && mv "$work/base.tmp" "$base"
check "every level has CPU figures to compare" \
  jq -e -s 'map(select(.kind == "level")) | all(.sut.cpu_percent.avg > 0)' "$base"

# derive NAME JQ_FILTER: a copy of the base run with its rows transformed.
derive() { mkdir -p "$work/$1" && jq -c "$2" "$base" > "$work/$1/results.jsonl"; }
scale='if . == null then null else . * 1.2 end'
derive cpu20 "if .kind == \"level\" then
    .sut.cpu_percent |= (.avg |= $scale | .p95 |= $scale | .peak |= $scale | .full_load_avg |= $scale)
  else .scaling.cpu_percent_fit |= (if . == null then null else
    (.slope |= $scale | .intercept |= $scale | .points |= map([.[0], .[1] * 1.2])) end) end"
derive renamed 'select(.level != 20) | .scenario = "other"'
derive cores 'if .run then .run.cores = 64 else . end'

# 1. Identical runs pass.
"$pbxbench" compare "$work/base" "$base" > "$work/same.out" 2> "$work/same.err"
check "identical: exit 0" [ $? -eq 0 ]
check "identical: says no regression" grep -q "result: no regression" "$work/same.out"
check "identical: says thresholds only (one run per side)" grep -q "thresholds only" "$work/same.out"
check "identical: no warning" [ ! -s "$work/same.err" ]

# 2. CPU raised 20%: exit 1, the metric named.
"$pbxbench" compare "$work/base" "$work/cpu20" > "$work/cpu.out" 2> "$work/cpu.err"
check "cpu +20%: exit 1" [ $? -eq 1 ]
check "cpu +20%: names cpu_per_call_percent" grep -q "mediaproxy_none@[0-9]*: cpu_per_call_percent .*(+20.0%" "$work/cpu.out"
"$pbxbench" compare "$work/base" "$work/cpu20" --threshold cpu_avg=+10% > "$work/cpu-avg.out" 2>&1
check "cpu +20%, cpu_avg=+10%: exit 1" [ $? -eq 1 ]
check "cpu +20%, cpu_avg=+10%: names cpu_avg_percent" grep -q "cpu_avg_percent .*(+20.0%, threshold +10%)" "$work/cpu-avg.out"
"$pbxbench" compare "$work/base" "$work/cpu20" --format json > "$work/cpu.json" 2> /dev/null
check "cpu +20%, json: result regression with the metric" \
  jq -e '.result == "regression" and ([.groups[].metrics[] | select(.verdict == "regression") | .id] | index("cpu_per_call_percent") != null)' "$work/cpu.json"
"$pbxbench" compare "$work/base" "$work/cpu20" --format markdown > "$work/cpu.md" 2> /dev/null
check "cpu +20%, markdown: a table and the verdict" grep -q '| `cpu_per_call_percent` .*\*\*REGRESSION\*\*' "$work/cpu.md"
"$pbxbench" compare "$work/base" "$work/cpu20" --threshold cpu_avg=off --threshold cpu_peak=off \
  --threshold cpu_per_call=off --threshold cpu_slope=off > /dev/null 2>&1
check "cpu +20% with the CPU thresholds off: exit 0" [ $? -eq 0 ]

# 3. Unmatched levels are listed, not dropped.
"$pbxbench" compare "$work/base" "$work/renamed" > "$work/un.out" 2>&1
check "unmatched: only in BASE listed" grep -q "only in BASE (not compared): mediaproxy_none@20, mediaproxy_none@50, mediaproxy_none (scaling)" "$work/un.out"
check "unmatched: only in NEW listed" grep -q "only in NEW (not compared): other@50, other (scaling)" "$work/un.out"

# 4. A metadata mismatch warns loudly on stderr and in json, without failing.
"$pbxbench" compare "$work/base" "$work/cores" --format json > "$work/cores.json" 2> "$work/cores.err"
check "cores differ: exit 0" [ $? -eq 0 ]
check "cores differ: WARNING on stderr" grep -q "WARNING: these runs may not be comparable" "$work/cores.err"
check "cores differ: named" grep -q "cores differs:.*'64' in NEW" "$work/cores.err"
check "cores differ: in the json" jq -e '.warnings | length == 1' "$work/cores.json"

# 5. Repeats (--base/--new more than once) are judged with Welch's t-test.
"$pbxbench" compare --base "$work/base" --base "$base" --new "$work/cpu20" --new "$work/cpu20" \
  > "$work/rep.out" 2>&1
check "repeats: exit 1 (a deterministic change)" [ $? -eq 1 ]
check "repeats: says Welch" grep -q "Welch's t-test over 2 vs 2 repeats" "$work/rep.out"

# 6. Malformed input exits 2 with a clear error.
mkdir -p "$work/bad" && { head -1 "$base"; echo '{"kind": "level", broken'; } > "$work/bad/results.jsonl"
"$pbxbench" compare "$work/base" "$work/bad" > /dev/null 2> "$work/bad.err"
check "malformed: exit 2" [ $? -eq 2 ]
check "malformed: names file and line" grep -q "error: .*bad/results.jsonl:2: not a JSON object" "$work/bad.err"
"$pbxbench" compare "$work/base" "$work/nowhere" > /dev/null 2> "$work/missing.err"
check "missing run: exit 2" [ $? -eq 2 ]
check "missing run: named" grep -q "nowhere: no such run directory or results file" "$work/missing.err"
"$pbxbench" compare "$work/base" "$base" --threshold mos=+0.1 > /dev/null 2> "$work/thr.err"
check "bad threshold: exit 2" [ $? -eq 2 ]
check "bad threshold: explained" grep -q "mos gets worse when it goes down" "$work/thr.err"
"$pbxbench" compare "$work/base" > /dev/null 2>&1
check "one run only: exit 2" [ $? -eq 2 ]

finish_tests compare
