#!/usr/bin/env bash
# Integration: report.html for a real quick run of Kamailio. `pbxbench run` writes it; `pbxbench
# report` rewrites it; headless Chromium loads it without console errors and takes a
# screenshot; every plotted time series has as many points as the samples file it names.
# REPORT_SCREENSHOT=FILE keeps the screenshot.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run=$work/run

"$pbxbench" run --profile profiles/kamailio.toml --quick --scenario mediaproxy_none \
  --out "$run" > /dev/null 2> "$work/run.err"
check "pbxbench run wrote report.html" test -s "$run/report.html"

"$pbxbench" report "$run" --out "$work/report.html" 2> "$work/report.err"
check "report: exit 0" [ $? -eq 0 ]
html=$work/report.html
check "report: says where it wrote" grep -q "wrote $html" "$work/report.err"
check "report: self-contained (no script, no external reference)" \
  bash -c "! grep -Eq '<script|<link|<img|<iframe|@import|url\\(|(src|href)=' '$html'"
check "report: a section per level" [ "$(grep -o '<section class="level"' "$html" | wc -l)" -eq 2 ]
check "report: the scaling fit with R²" grep -q "CPU % = .* x calls (R² " "$html"
check "report: media measured: a MOS and a loss point per level" \
  bash -c "grep -q 'data-name=\"MOS mean\" data-points=\"2\"' '$html' && grep -q 'data-name=\"loss %\" data-points=\"2\"' '$html'"
check "report: media not measured is not said" bash -c "! grep -q 'Media: not measured' '$html'"

# Every time series names its samples file: data-samples is the file's sample count and
# data-points the samples that had the plotted figure.
declare -A jq_of=([SUT + sidecars CPU %]='.cpu_percent.total' [RSS]='.rss_bytes' [PSS]='.pss_bytes' [active calls]='.calls')
series=$(grep -o '<g class="series" data-name="[^"]*" data-points="[0-9]*" data-source="samples/[^"]*" data-samples="[0-9]*"' "$html")
check "report: 8 time series (CPU, RSS, PSS, calls at 2 levels)" [ "$(echo "$series" | wc -l)" -eq 8 ]
mismatch=0
while IFS= read -r line; do
  name=$(sed -E 's/.*data-name="([^"]*)".*/\1/' <<< "$line")
  points=$(sed -E 's/.*data-points="([0-9]*)".*/\1/' <<< "$line")
  source=$(sed -E 's/.*data-source="([^"]*)".*/\1/' <<< "$line")
  samples=$(sed -E 's/.*data-samples="([0-9]*)".*/\1/' <<< "$line")
  want_samples=$(jq -c 'select(.type == "sample")' "$run/$source" | wc -l)
  want_points=$(jq -c "select(.type == \"sample\" and (${jq_of[$name]} | type) == \"number\")" "$run/$source" | wc -l)
  if [ "$samples" -ne "$want_samples" ] || [ "$points" -ne "$want_points" ] || [ "$want_samples" -lt 3 ]; then
    echo "  $source $name: plotted $points of $samples, file has $want_points of $want_samples"
    mismatch=1
  fi
done <<< "$series"
check "report: plotted points equal the samples in the run" [ "$mismatch" -eq 0 ]
check "report: CPU series plots every sample but the baseline" \
  grep -q "data-name=\"SUT + sidecars CPU %\" data-points=\"$(($(jq -c 'select(.type == "sample")' "$run/samples/mediaproxy_none-20.jsonl" | wc -l) - 1))\"" "$html"

# Headless Chromium: parses the page, no console errors, a screenshot.
chrome=(timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$work/chrome" --window-size=1400,3000)
"${chrome[@]}" --enable-logging=stderr --v=0 --screenshot="$work/shot.png" "file://$html" \
  > "$work/chrome.out" 2> "$work/chrome.err"
check "chromium: screenshot taken" bash -c "head -c 8 '$work/shot.png' | grep -q PNG"
check "chromium: no console messages or uncaught errors" \
  bash -c "! grep -Ei 'CONSOLE|Uncaught|Failed to load' '$work/chrome.err'"
"${chrome[@]}" --dump-dom "file://$html" > "$work/dom.html" 2> /dev/null
check "chromium: the DOM has every chart" \
  [ "$(grep -o '<svg' "$work/dom.html" | wc -l)" -eq "$(grep -o '<svg' "$html" | wc -l)" ]
check "chromium: the DOM has every series" \
  [ "$(grep -o 'class="series"' "$work/dom.html" | wc -l)" -eq "$(grep -o 'class="series"' "$html" | wc -l)" ]
[ -n "${REPORT_SCREENSHOT:-}" ] && cp "$work/shot.png" "$REPORT_SCREENSHOT"

# Several runs side by side; bad input exits 2.
"$pbxbench" report "$run" "$run/results.jsonl" --out "$work/multi.html" 2> /dev/null
check "two runs: exit 0" [ $? -eq 0 ]
check "two runs: an across-runs view" grep -q "<h2>Across runs</h2>" "$work/multi.html"
"$pbxbench" report "$work/nowhere" 2> "$work/bad.err"
check "missing run: exit 2" [ $? -eq 2 ]
check "missing run: named" grep -q "nowhere: no such run directory or results file" "$work/bad.err"

finish_tests report
