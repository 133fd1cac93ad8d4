#!/bin/bash
# Tier "payload": the lowering against upstream nftables tests/py payload
# files (*.t.payload*). tests/tools/payload-check builds every "rule;ok" of
# every *.t file through parse + evaluate + lower and compares the
# --debug=netlink print with the payload entry nft-test.py would use.
#
# Counting: one "passed" per .t file whose entries match at >= 95% (the team
# target), one "failed" per file below it; files without any payload entry
# are "skipped". Exact entry counts are printed too. Mismatches: build/payload.log.
set -u
cd "$(dirname "$0")/.."
CORP="${BNFT_CORPORA:-$(cd .. && pwd)/shared/corpora}"
PY="$CORP/nftables/tests/py"
BUILD="${BNFT_BUILD:-build}"
BIN="$BUILD/tests/payload-check"
THRESH="${BNFT_PAYLOAD_THRESHOLD:-95}"

if [ ! -d "$PY" ]; then
	echo "payload: corpora not found ($PY), skipping"
	echo "payload: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "payload: $BIN not built, skipping"
	echo "payload: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
mkdir -p "$BUILD"
LOG="$BUILD/payload.log"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timeout 600 "$BIN" -l "$LOG" "$PY"/*/*.t >"$out" 2>&1
rc=$?
if ! grep -q '^total: ' "$out"; then
	cat "$out" | tail -5
	echo "payload-check did not finish (rc $rc)"
	echo "payload: 0 passed, 1 failed"
	exit 1
fi

fp=0; ff=0; fs=0
while read -r name p f s; do
	n=$((p + f))
	if [ "$n" -eq 0 ]; then
		fs=$((fs + 1)); continue
	fi
	pct=$((100 * p / n))
	if [ $((100 * p)) -ge $((THRESH * n)) ]; then
		fp=$((fp + 1)); mark=ok
	else
		ff=$((ff + 1)); mark=FAIL
	fi
	printf '  %-4s %-40s %4d/%-4d entries (%d%%)\n' "$mark" "${name#$PY/}" "$p" "$n" "$pct"
done < <(grep -E '^/.*\.t: ' "$out" | sed -E 's/^(.*): ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3 \4/')

read -r tp tf ts < <(grep '^total: ' "$out" | sed -E 's/^total: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
tn=$((tp + tf))
if [ "$tn" -gt 0 ]; then
	echo "payload entries: $tp passed, $tf failed, $ts skipped (no rule/entry pair); $((1000 * tp / tn / 10)).$((1000 * tp / tn % 10))% identical (target ${THRESH}%)"
fi
echo "payload: $fp passed, $ff failed, $fs skipped"
[ "$ff" -eq 0 ]
