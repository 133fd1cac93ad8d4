#!/bin/bash
# Conformance tier: upstream nftables tests/py rule lines and tests/shell
# dumps, run in process by build/tests/conformance (tests/tools/conformance.c;
# the normalisation it applies is documented at the top of that file).
# Mismatches go to build/conformance.log. The closing line counts the four
# categories (py ;ok listing >= 95%, py ;fail rejected >= 95%, no crash,
# shell dumps identical >= 90%); the exact per-line counts are printed above.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
corpora="${BNFT_CORPORA:-$(cd .. && pwd)/shared/corpora}"
tool="$BUILD/tests/conformance"

if [ ! -d "$corpora/nftables/tests" ]; then
	echo "conformance: corpora not found at $corpora (set BNFT_CORPORA), skipping"
	echo "conformance: 0 passed, 0 failed, 4 skipped"
	exit 0
fi
if [ ! -x "$tool" ]; then
	echo "conformance: $tool not built"
	echo "conformance: 0 passed, 1 failed, 0 skipped"
	exit 1
fi
mkdir -p "$BUILD"
exec "$tool" -q -c "$corpora" -l "$BUILD/conformance.log" "$@"
