#!/bin/bash
# Differential verdict tier: the same rulesets in the kernel's nf_tables and
# in the system under test, the same packets, verdicts and counters compared.
# See tests/diff/README.md. Ends with "diff: N passed, N failed, N skipped".
#
# Parts:
#  1. harness sanity (kernel nft on both sides): observer sees every packet
#     without a ruleset; every ruleset in tests/diff/rulesets agrees 100%;
#     every pair in tests/diff/mutants MUST be reported as disagreeing.
#  2. each SUT in $BNFT_SUT (default "kload bnft": build/tests/bnft-kload and
#     build/bnft -f) on every ruleset; a SUT not built is skipped;
#  3. the same SUT on the upstream shell-test dumps with base chains (corpora).
# Whole tier bounded to about 6.5 minutes by per-part budgets (90 s, then 100 + 45 s per SUT);
# under a budget, rulesets run in a spread order (difftest.py spread()).
# Env: BNFT_SUT="kload bnft"|kernel, BNFT_SUT_LOAD/UNLOAD/COUNTERS (templates,
# see difftest.py), BNFT_KLOAD (binary), BNFT_CORPORA, DIFF_LIMIT (packets per
# ruleset), DIFF_ONLY (glob of ruleset names), BNFT_BIN (bnft binary).
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TIER=diff
export BNFT_CORPORA="${BNFT_CORPORA:-$(cd .. && pwd)/shared/corpora}"
SUTS=${BNFT_SUT:-kload bnft}
export BNFT_KLOAD=${BNFT_KLOAD:-$ROOT/build/tests/bnft-kload}
LIMIT=${DIFF_LIMIT:-1200}
RULESETS=(tests/diff/rulesets/${DIFF_ONLY:-*}.nft)
P=0 F=0 S=0

finish() {
	echo "$TIER: $P passed, $F failed, $S skipped"
	exit 0
}

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! command -v python3 >/dev/null ||
	! ip netns list >/dev/null 2>&1; then
	echo "SKIP: needs root, nft, ip netns and python3"
	S=$((S + 1))
	finish
fi

. tests/diff/netns.sh
ID=$$
PIN=/run/bnft-test-diff-$ID
cleanup() {
	diff_ns_down "$ID"
	if mountpoint -q "$PIN" 2>/dev/null; then umount "$PIN"; fi
	# the daemon's state files of the pin roots under it (.nft, .lock, ...)
	rm -f /run/bnft-state/"$(echo "$PIN" | tr / _)"[._]* 2>/dev/null
	rmdir "$PIN" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! diff_ns_up "$ID"; then
	echo "FAIL: could not build the test namespaces"
	F=$((F + 1))
	finish
fi
mkdir -p "$PIN" && mount -t bpf bpf "$PIN" || echo "warning: no bpffs at $PIN"

LOG=$(mktemp)
trap 'rm -f "$LOG"; cleanup' EXIT

run() { # seconds, args...
	local secs=$1
	shift
	timeout -k 5 $((secs + 30)) python3 tests/diff/difftest.py \
		--gen-ns "$DIFF_GEN" --ref-ns "$DIFF_REF" --sut-ns "$DIFF_SUT" \
		--pin "$PIN" --scratch "$DIFF_SCR" --limit "$LIMIT" --budget "$secs" \
		--load-timeout 30 "$@" \
		2>&1 | tee "$LOG"
	local line
	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$LOG" | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL: difftest.py ended without a result line"
		F=$((F + 1))
		return
	fi
	P=$((P + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
	F=$((F + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
	S=$((S + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")))
}

echo "== part 1: harness sanity, kernel nf_tables on both sides"
pairs=()
for r in tests/diff/mutants/*.ref.nft; do
	pairs+=(--pair "$r" "${r%.ref.nft}.sut.nft")
done
run 90 --sut kernel --tally diff-sanity --empty-check "${RULESETS[@]}" "${pairs[@]}"

export BNFT_BIN=${BNFT_BIN:-$ROOT/build/bnft}
CORPUS=$BNFT_CORPORA/nftables/tests/shell/testcases
for sut in $SUTS; do
	echo "== part 2: SUT '$sut' against kernel nf_tables"
	if [ "$sut" = kload ] && [ -z "${BNFT_SUT_LOAD:-}" ] && [ ! -x "$BNFT_KLOAD" ]; then
		echo "SKIP: bnft-kload not built ($BNFT_KLOAD): ${#RULESETS[@]} rulesets and the corpus part skipped"
		S=$((S + ${#RULESETS[@]} + 1))
		continue
	fi
	if [ "$sut" = bnft ] && [ -z "${BNFT_SUT_LOAD:-}" ] && [ ! -x "$BNFT_BIN" ]; then
		echo "SKIP: bnft not built ($BNFT_BIN): ${#RULESETS[@]} rulesets and the corpus part skipped"
		S=$((S + ${#RULESETS[@]} + 1))
		continue
	fi
	run 100 --sut "$sut" --tally diff-"$sut" "${RULESETS[@]}"

	echo "== part 3: SUT '$sut' on upstream tests/shell dumps with base chains"
	if [ -d "$CORPUS" ]; then
		run 45 --sut "$sut" --tally diff-corpus-"$sut" --corpus "$CORPUS"
	else
		echo "SKIP: corpora absent ($CORPUS)"
		S=$((S + 1))
	fi
done
finish
