#!/usr/bin/env bash
# Integration: what a new user meets in the first hour, through the real binary. --help says
# what to run first and lists `run` first; `run --dry-run` prints the plan and its expected
# duration, starts nothing and writes nothing; conflicting or repeated options fail with what
# to type instead; old option spellings still work with a note; a profile reports all its
# errors at once, and a copy without its templates says where it looked. No network, no PBX.
set -uo pipefail
pbxbench=$(realpath "$1")
source "$(dirname "$0")/lib.sh"
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME ARGS...: runs pbxbench with a 20 s bound; stdout, stderr and exit code in $work/NAME.*
run() {
  timeout 20 "$pbxbench" "${@:2}" > "$work/$1.out" 2> "$work/$1.err"
  echo $? > "$work/$1.rc"
}
rc() { cat "$work/$1.rc"; }

run help --help
check "--help: exit 0" [ "$(rc help)" -eq 0 ]
check "--help: run is the first subcommand" \
  [ "$(sed -n '/^Subcommands:/{n;p}' "$work/help.out" | awk '{print $1}')" = run ]
check "--help: says what to run first" grep -q 'pbxbench run --profile profiles/kamailio.toml --quick' "$work/help.out"

run run_help run --help
quick_line=$(grep -n -- '--quick' "$work/run_help.out" | head -1 | cut -d: -f1)
total_line=$(grep -n -- '--total' "$work/run_help.out" | head -1 | cut -d: -f1)
check "run --help: --quick near the top, before --total" [ "${quick_line:-999}" -lt "${total_line:-0}" ]
check "run --help: durations take a unit" grep -q -- '--hold DURATION' "$work/run_help.out"

# --dry-run: the plan, exit 0, no results directory, no child process.
run dry run --profile profiles/kamailio.toml --quick --dry-run --out "$work/never"
check "--dry-run: exit 0" [ "$(rc dry)" -eq 0 ]
check "--dry-run: plan of 4 scenarios x 2 levels" grep -q '4 scenario(s) x 2 level(s) (20, 50 calls) = 8 level run(s)' "$work/dry.err"
check "--dry-run: expected duration" grep -q 'expected duration: about' "$work/dry.err"
check "--dry-run: nothing started" grep -q 'nothing started' "$work/dry.err"
check "--dry-run: no results directory" [ ! -e "$work/never" ]
check "--dry-run: no summary on stdout" [ ! -s "$work/dry.out" ]

run cap_dry capacity --profile profiles/kamailio.toml --scenario all --budget 3m --dry-run --out "$work/cap_never"
check "capacity --dry-run: exit 0, nothing started" bash -c "[ $(rc cap_dry) -eq 0 ] && grep -q 'nothing started' '$work/cap_dry.err' && [ ! -e '$work/cap_never' ]"
check "capacity --dry-run: the budget bounds the whole search" grep -q 'at most 3 min per scenario (--budget): at most 12 min in all' "$work/cap_dry.err"

# Conflicts and repeats: exit 2 and what to type instead.
run twice run --profile profiles/kamailio.toml --levels 20 --levels 50 --dry-run
check "--levels twice: exit 2" [ "$(rc twice)" -eq 2 ]
check "--levels twice: says give it once, with commas" grep -q -- '--levels is given 2 times: give it once.*--levels 20,50' "$work/twice.err"
check "--levels twice: no CLI11 jargon" bash -c "! grep -q 'At Most' '$work/twice.err'"
run dup run --profile profiles/kamailio.toml --levels 20,20 --dry-run
check "--levels 20,20: exit 2, listed twice" bash -c "[ $(rc dup) -eq 2 ] && grep -q 'listed twice' '$work/dup.err'"
run both run --profile profiles/kamailio.toml --levels 20 --total 5 --dry-run
check "--total with --levels: exit 2, give one" bash -c "[ $(rc both) -eq 2 ] && grep -q -- '--total and --levels: give one' '$work/both.err'"

run unknown run --profile profiles/kamailio.toml --hold-s 3 --dry-run
check "an unknown option: exit 2, the one probably meant" bash -c "[ $(rc unknown) -eq 2 ] && grep -q 'unknown option --hold-s (did you mean --hold?)' '$work/unknown.err'"

# Old spellings keep working, with a note; new and old give the same plan.
run old run --profile profiles/kamailio.toml --quick --uas-count 3 --uac-threads 2 --dry-run
run new run --profile profiles/kamailio.toml --quick --endpoints 3 --threads 2 --dry-run
check "old run spellings: exit 0 with a note" bash -c "[ $(rc old) -eq 0 ] && grep -q -- '--uas-count is now --endpoints' '$work/old.err'"
check "old and new spellings: the same plan" diff <(grep -v 'is now' "$work/old.err") "$work/new.err"
run old_uac uac --users 1000,1001 --callers 1 --proxy 127.0.0.1:9 --total 0 --no-media --t1-ms 100
check "uac --t1-ms: still accepted (exit 0), with a note" bash -c "[ $(rc old_uac) -eq 0 ] && grep -q -- '--t1-ms is now --t1' '$work/old_uac.err'"
run bad_duration run --profile profiles/kamailio.toml --hold 3sec --dry-run
check "a duration without a known unit: exit 2, how to write one" bash -c "[ $(rc bad_duration) -eq 2 ] && grep -q 'write it like 500ms, 3s or 2m' '$work/bad_duration.err'"

# Profiles: a copy without its templates; two typos reported together.
mkdir -p "$work/copy"
cp profiles/kamailio.toml "$work/copy/"
run copied run --profile "$work/copy/kamailio.toml" --quick --dry-run
check "copied profile: exit 2" [ "$(rc copied)" -eq 2 ]
check "copied profile: says where templates resolve and what to copy" grep -q "resolved against the profile's folder ($work/copy); a copied profile needs its folder 'kamailio/'" "$work/copied.err"
sed -e '0,/^stop_grace_s = /s//stop_grac_s = /' -e 's/^timeout_s = 20/timeout_s = "20"/' profiles/kamailio.toml > "$work/typos.toml"
cp -r profiles/kamailio "$work/"
run typos run --profile "$work/typos.toml" --dry-run
check "two typos: exit 2" [ "$(rc typos)" -eq 2 ]
check "two typos: both reported at once" bash -c "grep -q '2 errors in' '$work/typos.err' && grep -q 'sut.stop_grac_s: unknown key' '$work/typos.err' && grep -q 'readiness.timeout_s: expected a number' '$work/typos.err'"

finish_tests first_hour
