#!/bin/bash
# Runs every test tier and prints one closing "N passed, N failed" line.
# Each tier is a script tests/tier-*.sh (or a cmocka binary) that ends with a
# line "<tier>: N passed, N failed[, N skipped]"; this script sums them.
set -u
cd "$(dirname "$0")/.."
export BNFT_CORPORA="${BNFT_CORPORA:-$(cd .. && pwd)/shared/corpora}"
total_p=0; total_f=0; total_s=0
log=$(mktemp); trap 'rm -f "$log"' EXIT

tally() { # tier-name, output-file
	local line p f s
	line=$(grep -E '^[A-Za-z0-9_-]+: [0-9]+ passed, [0-9]+ failed' "$2" | tail -1)
	if [ -z "$line" ]; then
		echo "$1: no result line (counted as 1 failure)"; total_f=$((total_f + 1)); return
	fi
	p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	s=$(grep -oE '[0-9]+ skipped' <<<"$line" | cut -d' ' -f1); s=${s:-0}
	total_p=$((total_p + p)); total_f=$((total_f + f)); total_s=$((total_s + s))
}

# Tier 1: cmocka unit tests
for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log" 2>&1; rc=$?
	p=$(grep -oE '\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
	f=$(grep -oE '\[  FAILED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	echo "unit $name: $p passed, $f failed"
	[ "$f" -ne 0 ] && cat "$log"
	total_p=$((total_p + p)); total_f=$((total_f + f))
done

# Further tiers: conformance, payload, differential, end-to-end, fuzz smoke
for tier in tests/tier-*.sh; do
	[ -x "$tier" ] || continue
	echo "== $tier"
	"$tier" 2>&1 | tee "$log"
	tally "$(basename "$tier" .sh)" "$log"
done

echo
echo "total: $total_p passed, $total_f failed, $total_s skipped"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
