#!/bin/sh
# Runs the fuzz targets one after the other (make fuzz, make fuzz-short):
#   run.sh BUILD_DIR SECONDS TARGET...
# For each target: its regression inputs (tests/fuzz/regress/<target>/) once each, then
# SECONDS of fuzzing from a scratch copy of its seed corpus (the checked-in corpus does not
# grow unless FUZZ_MERGE=1). One line per target; logs and crash inputs stay in
# BUILD_DIR/run/<target>/. Exits 1 when any target crashed.
set -u
build=$1
seconds=$2
shift 2
top=$(pwd)
export LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=""

# The value after "key:" on the last line of a log that has it ("cov: 1234").
field() { grep -o "$1: *[0-9.]*" "$2" | tail -n 1 | sed 's/.*: *//'; }

printf '%-10s %5s %12s %8s %6s %7s %7s %s\n' target secs executions exec/s cov ft corpus crashes
for t in "$@"; do
	bin=$build/fuzz_$t
	work=$build/run/$t
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"
	# each target has its own private folder for the files it writes, removed afterwards
	export TMPDIR="$top/$work/tmp"
	if [ -d "tests/fuzz/corpus/$t" ]; then
		cp tests/fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null
	fi
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	opts="-close_fd_mask=2 -timeout=25 -rss_limit_mb=2048 -artifact_prefix=$work/artifacts/"
	crashes=0

	# regression inputs: findings fixed before, each run once
	regress=$(ls -d tests/fuzz/regress/"$t"/* 2>/dev/null)
	if [ -n "$regress" ]; then
		# shellcheck disable=SC2086
		if ! "$bin" $opts $regress >"$work/regress.log" 2>&1; then
			crashes=$((crashes + 1))
			echo "$t: a regression input fails again: see $work/regress.log"
		fi
	fi

	# shellcheck disable=SC2086
	"$bin" $opts $dict -max_total_time="$seconds" -print_final_stats=1 "$work/corpus" \
		>"$work/fuzz.log" 2>&1
	rc=$?
	found=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
		-o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	[ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1
	crashes=$((crashes + found))
	printf '%-10s %5s %12s %8s %6s %7s %7s %s\n' "$t" "$seconds" \
		"$(field stat::number_of_executed_units "$work/fuzz.log")" \
		"$(field stat::average_exec_per_sec "$work/fuzz.log")" \
		"$(field cov "$work/fuzz.log")" "$(field ft "$work/fuzz.log")" \
		"$(ls "$work/corpus" | wc -l)" "$crashes"
	if [ "$crashes" -ne 0 ]; then
		failed="$failed $t"
		find "$work/artifacts" -type f | sed 's/^/    /'
		echo "    log: $work/fuzz.log"
	fi
	if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$found" -eq 0 ]; then
		mkdir -p "tests/fuzz/corpus/$t"
		"$bin" -merge=1 $opts "tests/fuzz/corpus/$t" "$work/corpus" >"$work/merge.log" 2>&1
	fi
	rm -rf "$work/tmp"
done
nfailed=$(echo $failed | wc -w)
[ -n "$failed" ] &&
	echo "fuzz: crashes in:$failed (tests/fuzz/README.md: fix, then keep the input as a regression)"
# the last line, in the words CI readers look for: each target passed or failed
echo "fuzz: $(($# - nfailed)) passed, $nfailed failed"
[ -z "$failed" ]
